"""A volunteer's own profile photo (add, replace, remove), and the photo of a person as the
people allowed to see it get it: never from a public media address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import AuthenticatedHttpRequest, volunteer_required
from core.forms import put_errors_on_form
from volunteers.forms.volunteer import PhotoForm
from volunteers.models import VolunteerProfile
from volunteers.selectors import people
from volunteers.services import VolunteeringError
from volunteers.services.photos import may_see_photo, remove_profile_photo, set_profile_photo


@volunteer_required
@require_http_methods(["GET", "POST"])
def my_photo(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = people.profile_for(request.user)
    if profile is None:
        messages.error(request, _("Complete your volunteer application first."))
        return redirect("volunteers:home")
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        had_photo = bool(profile.photo)
        try:
            set_profile_photo(volunteer=request.user, upload=form.cleaned_data["photo"])
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Your photo was replaced.") if had_photo else _("Your photo was added.")
            )
            return redirect("volunteers:my_photo")
    return render(request, "volunteers/photo.html", {"form": form, "profile": profile})


@volunteer_required
@require_POST
def my_photo_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        removed = remove_profile_photo(volunteer=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        if removed:
            messages.success(request, _("Your photo was removed."))
    return redirect("volunteers:my_photo")


@login_required
def profile_photo(request: AuthenticatedHttpRequest, user_id: int) -> FileResponse:
    """A person's photo, for themselves, their teammates on a shared shift and the staff
    who read volunteering; 404 for anyone else (it does not say whether a photo exists)."""
    if not may_see_photo(request.user, user_id):
        raise Http404("No such photo.")
    profile = VolunteerProfile.objects.filter(user_id=user_id).exclude(photo="").first()
    if profile is None:
        raise Http404("No such photo.")
    try:
        handle = profile.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The photo is missing.") from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
