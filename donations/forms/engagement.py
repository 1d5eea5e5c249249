"""Forms of the donor record: an interaction, a task."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import roles_with
from core.dates import format_day, org_today
from core.forms import BoundedDateField
from donations.forms.coordinator import DateInput
from donations.models import Donation, Donor, InteractionKind
from donations.models.engagement import INTERACTION_TEXT_LIMIT, TASK_TITLE_LIMIT
from donations.money import format_money
from donations.selectors.gifts import COUNTED_STATUSES


class GiftChoiceField(forms.ModelChoiceField[Donation]):
    def label_from_instance(self, obj: Donation) -> str:
        when = f" · {format_day(obj.paid_at)}" if obj.paid_at else ""
        return f"{format_money(obj.money)}{when}"


class InteractionForm(forms.Form):
    prefix = "contact"
    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices)
    happened_on = BoundedDateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(
        label=_("What was said or sent"),
        max_length=INTERACTION_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    donation = GiftChoiceField(
        label=_("For a gift (a thank-you)"),
        queryset=Donation.objects.none(),
        required=False,
        empty_label=_("No gift in particular"),
    )

    def __init__(self, *args: Any, donor: Donor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = org_today()
        field = self.fields["donation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Donation.objects.filter(donor=donor, status__in=COUNTED_STATUSES).order_by(
            "-paid_at", "-pk"
        )

    def clean_happened_on(self) -> Any:
        value = self.cleaned_data["happened_on"]
        if value > org_today():
            raise forms.ValidationError(gettext("The date cannot be in the future."))
        return value


class TaskForm(forms.Form):
    prefix = "task"
    title = forms.CharField(label=_("Task"), max_length=TASK_TITLE_LIMIT)
    due_on = BoundedDateField(label=_("Due on"), widget=DateInput())
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        givers = [role.value for role in roles_with("giving.manage")]
        field.queryset = (
            User.objects.filter(groups__name__in=givers, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "pk")
        )
        self.fields["due_on"].initial = org_today()
