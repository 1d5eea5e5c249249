"""The roles a person can hold. One account may hold several (a volunteer who donates)."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Each role is stored as a Django group whose name is the role's value."""

    COORDINATOR = "coordinator", _("Coordinator")
    VOLUNTEER = "volunteer", _("Volunteer")
    DONOR = "donor", _("Donor")


# Who a page is for, in its refusal ("This page is for coordinators or volunteers.").
ROLE_PLURALS: dict[Role, Promise] = {
    Role.COORDINATOR: _("coordinators"),
    Role.VOLUNTEER: _("volunteers"),
    Role.DONOR: _("donors"),
}

# Where each role's home page lives, most privileged first: a person holding several
# roles lands on the first one's home and sees links to the others.
ROLE_HOME_URLS: dict[Role, str] = {
    Role.COORDINATOR: "dashboard:coordinator_home",
    Role.VOLUNTEER: "volunteers:home",
    Role.DONOR: "donations:home",
}
