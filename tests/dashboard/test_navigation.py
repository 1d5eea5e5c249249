"""The site menu: every link of a role's menu opens for that role, and the menu is on every
page for the people who may use it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import clear_script_prefix, reverse, set_script_prefix

from accounts.roles import Role
from dashboard.navigation import Group, Link, menu_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def links(user) -> list[Link]:
    found: list[Link] = []
    for item in menu_for(user):
        found.extend(item.links if isinstance(item, Group) else [item])
    return found


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_link_opens_for_its_role(client: Client, role: Role) -> None:
    user = make_user(roles=[role])
    client.force_login(user)
    assert links(user)
    for link in links(user):
        assert client.get(link.url).status_code == 200, (role, link.url)


def test_each_role_sees_only_its_areas() -> None:
    def labels(role: Role) -> list[str]:
        return [str(item.label) for item in menu_for(make_user(roles=[role]))]

    assert labels(Role.FUNDRAISER) == ["Today", "Giving", "Messages"]
    assert labels(Role.VOLUNTEER_COORDINATOR) == ["Today", "Volunteering", "Messages"]
    assert labels(Role.VIEWER) == ["Today", "Volunteering", "Giving"]  # their reports


def test_the_coordinators_menu_is_on_each_page_with_the_current_page_marked(
    client: Client, coordinator
) -> None:
    client.force_login(coordinator)
    page = client.get("/coordinator/volunteering/shifts/").content.decode()
    for link in links(coordinator):
        assert f'href="{link.url}"' in page.replace("&amp;", "&"), link.url
    assert '<a href="/coordinator/volunteering/shifts/" aria-current="page">' in page
    assert '<summary class="current">Volunteering</summary>' in page


def test_a_person_with_two_roles_gets_both_menus_once(db) -> None:
    both = make_user(roles=[Role.ADMINISTRATOR, Role.VOLUNTEER])
    labels = [str(item.label) for item in menu_for(both)]
    assert labels == [
        "Today",
        "Volunteering",
        "Giving",
        "Messages",
        "Audit trail",  # administrators only
        "My volunteering",
        "Open shifts",
        "Calendar",
        "My schedule",
    ]


def test_visitors_get_the_public_menu(client: Client) -> None:
    page = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in page or "Log in" in page
    assert "data-menu-group" not in page


def test_the_menu_looks_each_pages_permissions_up_once_per_process(
    db, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import navigation

    coordinator = make_user(roles=[Role.ADMINISTRATOR])
    navigation.required_permissions.cache_clear()
    first = menu_for(coordinator)
    assert navigation.required_permissions("donations:coord_reports") == ("reports.giving",)

    def no_resolving(*args: object, **kwargs: object) -> None:
        raise AssertionError("the menu resolved a URL again")

    monkeypatch.setattr(navigation, "resolve", no_resolving)
    assert menu_for(coordinator) == first


def test_the_menu_reverses_each_address_once_per_process_and_prefix(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import navigation

    client.force_login(make_user(roles=[Role.ADMINISTRATOR]))
    navigation.link_url.cache_clear()
    assert 'href="/coordinator/giving/reports/"' in client.get("/coordinator/").content.decode()

    def no_reversing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the menu reversed an address again")

    monkeypatch.setattr(navigation, "reverse", no_reversing)
    page = client.get("/coordinator/").content.decode()
    assert 'href="/coordinator/giving/reports/"' in page
    assert 'href="/notifications/coordinator/outbox/?status=failed"' in page
    # Served under a prefix (SCRIPT_NAME), the links carry it: a prefix is its own entry.
    monkeypatch.setattr(navigation, "reverse", reverse)
    set_script_prefix("/ngo/")
    try:
        assert Link("Reports", "donations:coord_reports").url == "/ngo/coordinator/giving/reports/"
    finally:
        clear_script_prefix()
    assert Link("Reports", "donations:coord_reports").url == "/coordinator/giving/reports/"


def test_the_menu_caches_follow_root_urlconf_changed_without_djangos_signal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pytest-django's ``urls`` mark sets ROOT_URLCONF without ``setting_changed``: the menu's
    caches are keyed by the URLs in use, so they cannot serve the other URLs' entries."""
    from django.conf import settings

    from dashboard import navigation

    assert navigation._urlconf() == settings.ROOT_URLCONF
    monkeypatch.setattr(settings, "ROOT_URLCONF", "tests.dashboard.other_urls")
    assert navigation._urlconf() == "tests.dashboard.other_urls"
