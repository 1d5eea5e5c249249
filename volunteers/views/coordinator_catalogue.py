"""Coordinator pages for the catalogue: roles with their staffing rules, and trainings.

Each view parses input with a form, calls a service and redirects with a message; a bad
input re-renders the page with the error on the form and nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.forms import put_errors_on_form
from volunteers import services
from volunteers.forms.coordinator import (
    QuestionForm,
    RoleForm,
    StaffingRuleForm,
    TrainingForm,
)
from volunteers.models import (
    ApplicationQuestion,
    StaffingRule,
    Training,
    VolunteerRole,
)
from volunteers.selectors import trainings as selectors
from volunteers.services import VolunteeringError
from volunteers.services.qualifications import remove_staffing_rule, set_staffing_rule

# Roles


@permission_required("volunteering.view")
def roles(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = list(selectors.roles_with_requirements())
    return _render_roles(request, items, _rule_forms(items))


def _rule_forms(items: list[VolunteerRole]) -> dict[int, StaffingRuleForm]:
    qualifications = [role for role in items if role.is_qualification]
    return {role.pk: StaffingRuleForm(role=role, qualifications=qualifications) for role in items}


def _render_roles(
    request: AuthenticatedHttpRequest,
    items: list[VolunteerRole],
    rule_forms: dict[int, StaffingRuleForm],
) -> HttpResponse:
    rows = [(role, rule_forms[role.pk]) for role in items]
    has_qualifications = any(role.is_qualification for role in items)
    return render(
        request,
        "volunteers/coordinator/roles.html",
        {"rows": rows, "has_qualifications": has_qualifications, "section": "roles"},
    )


@permission_required("volunteering.manage")
def role_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    role = get_object_or_404(VolunteerRole, pk=pk) if pk is not None else None
    form = RoleForm(request.POST or None, instance=role)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_role(
                role=role,
                name=data["name"],
                description=data["description"],
                minimum_age=data["minimum_age"],
                required_trainings=data["required_trainings"],
                required_clearance_types=data["required_clearance_types"],
                is_qualification=data["is_qualification"],
                active=data["active"],
                translations=form.translations(),
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("%(saved)s saved.") % {"saved": saved.name})
            return redirect("volunteers:coord_roles")
    if role is not None and form.is_bound:
        role.refresh_from_db(fields=["name"])  # the form wrote its input onto the instance
    return render(
        request,
        "volunteers/coordinator/role_form.html",
        {"form": form, "role": role, "section": "roles"},
    )


@permission_required("volunteering.manage")
@require_POST
def rule_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(VolunteerRole, pk=pk)
    items = list(selectors.roles_with_requirements())
    qualifications = [item for item in items if item.is_qualification]
    form = StaffingRuleForm(request.POST, role=role, qualifications=qualifications)
    if form.is_valid():
        try:
            rule = set_staffing_rule(
                role=role,
                qualification=form.cleaned_data["qualification"],
                minimum=form.cleaned_data["minimum"],
            )
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("%(role)s now needs at least %(minimum)s %(qualification)s.")
                % {
                    "role": role.name,
                    "minimum": rule.minimum,
                    "qualification": rule.qualification.name,
                },
            )
            return redirect("volunteers:coord_roles")
    rule_forms = _rule_forms(items)
    rule_forms[role.pk] = form
    return _render_roles(request, items, rule_forms)


@permission_required("volunteering.manage")
@require_POST
def rule_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(StaffingRule.objects.select_related("role", "qualification"), pk=pk)
    remove_staffing_rule(rule=rule)
    messages.success(
        request,
        gettext("%(role)s no longer needs a %(qualification)s on each shift.")
        % {"role": rule.role.name, "qualification": rule.qualification.name},
    )
    return redirect("volunteers:coord_roles")


# Trainings and sessions


@permission_required("volunteering.view")
def trainings(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "volunteers/coordinator/trainings.html",
        {
            "trainings": selectors.trainings_with_upcoming_sessions(),
            "recent_sessions": selectors.recent_sessions(),
            "section": "trainings",
        },
    )


@permission_required("volunteering.manage")
def training_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    training = get_object_or_404(Training, pk=pk) if pk is not None else None
    initial = TrainingForm.initial_for(training) if training is not None else None
    form = TrainingForm(request.POST or None, initial=initial, training=training)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_training(
                training=training,
                name=data["name"],
                description=data["description"],
                validity_months=data["validity_months"],
                translations=form.translations(),
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("%(saved)s saved.") % {"saved": saved.name})
            return redirect("volunteers:coord_trainings")
    return render(
        request,
        "volunteers/coordinator/training_form.html",
        {"form": form, "training": training, "section": "trainings"},
    )


# Questions of the volunteer application


@permission_required("volunteering.view")
def questions(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "volunteers/coordinator/questions.html",
        {"questions": list(ApplicationQuestion.objects.all()), "section": "applications"},
    )


@permission_required("volunteering.manage")
def question_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    question = get_object_or_404(ApplicationQuestion, pk=pk) if pk is not None else None
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_question(
                question=question,
                text=data["text"],
                help_text=data["help_text"],
                required=data["required"],
                position=data["position"],
                active=data["active"],
                translations=form.translations(),
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("Question saved."))
            return redirect("volunteers:coord_questions")
    if question is not None and form.is_bound:
        question.refresh_from_db(fields=["text"])  # the form wrote its input onto the instance
    return render(
        request,
        "volunteers/coordinator/question_form.html",
        {"form": form, "question": question, "section": "applications"},
    )
