"""The roles a person can hold. One account may hold several (a volunteer who donates, a
fundraiser who is also the safeguarding lead).

What each role may do is decided in one place: ``accounts/permissions.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Each role is stored as a Django group whose name is the role's value."""

    ADMINISTRATOR = "administrator", _("Administrator")
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", _("Volunteer coordinator")
    SAFEGUARDING_LEAD = "safeguarding_lead", _("Safeguarding lead")
    FUNDRAISER = "fundraiser", _("Fundraiser")
    VIEWER = "viewer", _("Viewer")
    VOLUNTEER = "volunteer", _("Volunteer")
    DONOR = "donor", _("Donor")


# The organisation's staff: they work on other people's records, so they log in with a
# second factor and see only what their role needs.
STAFF_ROLES: tuple[Role, ...] = (
    Role.ADMINISTRATOR,
    Role.VOLUNTEER_COORDINATOR,
    Role.SAFEGUARDING_LEAD,
    Role.FUNDRAISER,
    Role.VIEWER,
)

# Where each role's home page lives, most privileged first: a person holding several
# roles lands on the first one's home and sees links to the others. Every staff role
# shares the staff home, which shows what that person's roles allow.
ROLE_HOME_URLS: dict[Role, str] = {
    **{role: "dashboard:coordinator_home" for role in STAFF_ROLES},
    Role.VOLUNTEER: "volunteers:home",
    Role.DONOR: "donations:home",
}
