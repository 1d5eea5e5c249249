"""Staff writes on the donor record: an interaction, a task, a task done. Each is a POST
from the donor page; a bad form shows the page again with its errors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.forms import put_errors_on_form
from donations.forms.engagement import InteractionForm, TaskForm
from donations.models import Donor, DonorTask
from donations.services.engagement import add_task, complete_task, record_interaction
from donations.views.records import donor_record_context

TEMPLATE = "donations/records/donor.html"


def _donor(pk: int) -> Donor:
    return get_object_or_404(Donor.objects.select_related("user"), pk=pk)


@permission_required("giving.manage")
@require_POST
def interaction_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    donor = _donor(pk)
    form = InteractionForm(request.POST, donor=donor)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_interaction(
                donor=donor,
                kind=data["kind"],
                happened_on=data["happened_on"],
                text=data["text"],
                staff=request.user,
                donation=data["donation"],
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("Contact written down."))
            return redirect("donations:coord_donor", pk=donor.pk)
    context = donor_record_context(donor, interaction_form=form)
    return render(request, TEMPLATE, context)


@permission_required("giving.manage")
@require_POST
def task_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    donor = _donor(pk)
    form = TaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            add_task(
                donor=donor,
                title=data["title"],
                due_on=data["due_on"],
                assignee=data["assignee"],
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("Task added."))
            return redirect("donations:coord_donor", pk=donor.pk)
    return render(request, TEMPLATE, donor_record_context(donor, task_form=form))


@permission_required("giving.manage")
@require_POST
def task_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(DonorTask, pk=pk)
    if complete_task(task=task, by=request.user):
        messages.success(request, gettext("Task done."))
    else:
        messages.info(request, gettext("That task was done already."))
    return redirect("donations:coord_donor", pk=task.donor_id)
