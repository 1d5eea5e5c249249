"""The pages the bench measures, whom it measures them as, and their SQL.

``capture_pages`` renders each page in-process with Django's test client under
``CaptureQueriesContext``: the number of queries and the SQL itself (replayed alone with
psycopg as the page's floor).
"""

from __future__ import annotations

import cProfile
import pstats
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench.seed import COORDINATOR_EMAIL, DONOR_EMAIL, VOLUNTEER_EMAIL
from donations.models import Donor
from volunteers.models import ACTIVE_SHIFT_SIGNUP_STATUSES, Shift, ShiftStatus, VolunteerRole


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    url: str
    user_id: int
    admin_url: str  # Django admin's changelist of the same model and filter


@dataclass
class Captured:
    """One page rendered once: its status, its queries (SQL and Django's own timing)."""

    status: int
    queries: list[str] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Targets:
    coordinator: User
    volunteer: User
    donor_user: User
    donor: Donor
    shift: Shift


def find_targets() -> Targets:
    """The designated accounts of the seed, and the upcoming shift with the most people.

    The shift is taken among those whose role requires a clearance when there are any:
    eligibility reads clearances only for such roles, so both scales then compare the
    roster of the same kind of shift (the same queries).
    """
    upcoming = Shift.objects.filter(status=ShiftStatus.PUBLISHED, starts_at__gt=timezone.now())
    needing = upcoming.filter(
        Exists(
            VolunteerRole.required_clearance_types.through.objects.filter(
                volunteerrole_id=OuterRef("role_id")
            )
        )
    )
    shift_id = (
        (needing if needing.exists() else upcoming)
        .annotate(
            people=Count("signups", filter=Q(signups__status__in=ACTIVE_SHIFT_SIGNUP_STATUSES))
        )
        .order_by("-people", "pk")
        .values_list("pk", flat=True)[:1]
        .get()
    )
    donor_user = User.objects.get(email=DONOR_EMAIL)
    return Targets(
        coordinator=User.objects.get(email=COORDINATOR_EMAIL),
        volunteer=User.objects.get(email=VOLUNTEER_EMAIL),
        donor_user=donor_user,
        donor=Donor.objects.get(email=DONOR_EMAIL),
        shift=Shift.objects.get(pk=shift_id),
    )


def page_list(t: Targets) -> list[Page]:
    now = quote(timezone.now().isoformat(timespec="seconds"))
    coordinator = t.coordinator.pk
    donor_gifts = f"{reverse('admin:donations_donation_changelist')}?donor__id__exact={t.donor.pk}"
    signups = reverse("admin:volunteers_shiftsignup_changelist")
    return [
        Page(
            "open_shifts",
            "Open shifts (volunteer)",
            reverse("volunteers:open_shifts"),
            t.volunteer.pk,
            f"{reverse('admin:volunteers_shift_changelist')}"
            f"?status__exact=published&starts_at__gt={now}",
        ),
        Page(
            "my_schedule",
            "My schedule (volunteer)",
            reverse("volunteers:my_schedule"),
            t.volunteer.pk,
            f"{signups}?volunteer__id__exact={t.volunteer.pk}",
        ),
        Page(
            "shift_roster",
            "Shift roster (coordinator)",
            reverse("volunteers:coord_shift", args=[t.shift.pk]),
            coordinator,
            f"{signups}?shift__id__exact={t.shift.pk}",
        ),
        Page(
            "volunteer_directory",
            "Volunteer directory (coordinator)",
            reverse("volunteers:coord_volunteers"),
            coordinator,
            reverse("admin:volunteers_volunteerprofile_changelist"),
        ),
        Page(
            "donations_list",
            "Donations list (coordinator)",
            reverse("donations:coord_donations"),
            coordinator,
            reverse("admin:donations_donation_changelist"),
        ),
        Page(
            "donor_profile",
            "Donor profile (coordinator)",
            reverse("donations:coord_donor", args=[t.donor.pk]),
            coordinator,
            donor_gifts,
        ),
        Page(
            "donor_portal",
            "Donor portal home (donor)",
            reverse("donations:home"),
            t.donor_user.pk,
            donor_gifts,
        ),
    ]


def logged_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def capture(client: Client, url: str) -> Captured:
    """The page once to warm up, then once under CaptureQueriesContext."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return Captured(
        status=response.status_code,
        queries=[str(q["sql"]) for q in context.captured_queries],
        times_ms=[float(q["time"]) * 1000 for q in context.captured_queries],
    )


def capture_pages(pages: list[Page], *, admin_as: int | None = None) -> dict[str, Captured]:
    """Each page (or, with ``admin_as``, its admin changelist as that user) captured once."""
    ids = {p.user_id for p in pages} | ({admin_as} if admin_as else set())
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    clients: dict[int, Client] = {}
    result = {}
    for page in pages:
        user_id = admin_as or page.user_id
        if user_id not in clients:
            clients[user_id] = logged_in_client(users[user_id])
        result[page.name] = capture(clients[user_id], page.admin_url if admin_as else page.url)
    return result


BASE_DIR = Path(__file__).resolve().parent.parent


def profile_page(page: Page) -> dict[str, Any]:
    """One more request of the page in-process under cProfile: where its time goes.

    SQL time is Django's own timing of the captured queries; template time is the cumulative
    time of ``django.template.base.Template.render`` (templates include others; cProfile
    counts a recursive function once); the rest is Python in the view and middleware.
    """
    client = logged_in_client(User.objects.get(pk=page.user_id))
    client.get(page.url)  # warm
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        profiler.enable()
        response = client.get(page.url)
        profiler.disable()
        total_ms = (time.perf_counter() - started) * 1000
    sql_ms = sum(float(q["time"]) for q in context.captured_queries) * 1000
    stats: Any = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    template_ms = 0.0
    own: list[tuple[float, str]] = []
    hottest: list[tuple[float, str]] = []
    for (filename, line, name), entry in stats.items():
        tottime, cumulative = entry[2], entry[3]
        path = Path(filename)
        if path.name == "base.py" and "template" in path.parts and name == "render":
            template_ms = max(template_ms, cumulative * 1000)
        label = _label(path, line, name)
        hottest.append((tottime, label))
        if BASE_DIR in path.parents and ".venv" not in path.parts and "bench" not in path.parts:
            own.append((cumulative, label))
    # The middleware, the access decorator and the view itself wrap everything: list what
    # they call (each under 80% of the request), which names the part that costs.
    own = sorted((item for item in own if item[0] * 1000 < 0.8 * total_ms), reverse=True)
    hottest.sort(reverse=True)
    slowest = max(context.captured_queries, key=lambda q: float(q["time"]), default=None)
    return {
        "status": response.status_code,
        "total_ms": round(total_ms, 1),
        "sql_ms": round(sql_ms, 1),
        "queries": len(context.captured_queries),
        "template_ms": round(template_ms, 1),
        "share_outside_sql": round(max(0.0, total_ms - sql_ms) / total_ms, 2) if total_ms else None,
        "project_cumulative": [f"{label}: {t * 1000:.1f} ms" for t, label in own[:10]],
        "hottest_own_time": [f"{label}: {t * 1000:.1f} ms" for t, label in hottest[:8]],
        "slowest_statement_ms": round(float(slowest["time"]) * 1000, 2) if slowest else None,
        "slowest_statement": str(slowest["sql"])[:400] if slowest else "",
        "note": "times under cProfile are inflated; compare the shares, not the totals",
    }


def _label(path: Path, line: int, name: str) -> str:
    parts = path.parts
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1 :]
    elif BASE_DIR in path.parents:
        parts = path.relative_to(BASE_DIR).parts
    return f"{'/'.join(parts[-3:])}:{line} {name}"
