"""Receipts, year-end statements and offline gifts: coordinator pages and donors' downloads.

Views parse input with a form, call a service and render; every rule lives in
``donations.services`` (receipts, statements, offline). Donors download only their own
receipts and statements (404 for anyone else's); coordinators may download any.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required, user_can
from core.locales import display_year
from donations.forms.offline import (
    DepositForm,
    DepositLineForm,
    OfflineGiftForm,
    ReceiptFilterForm,
    StatementRunForm,
)
from donations.models import Deposit, DepositLine, Donation, Donor, Receipt, StatementRun
from donations.selectors import receipts as selectors
from donations.selectors.donors import donor_for_user
from donations.services.offline import (
    add_deposit_line,
    deposit_totals,
    open_deposit,
    post_deposit,
    record_offline_gift,
    remove_deposit_line,
)
from donations.services.receipts import receipt_filename, receipt_pdf, resend_receipt
from donations.services.statements import start_statement_run, statement_filename, statement_pdf
from donations.services.tributes import tribute_letter_filename, tribute_letter_pdf
from donations.views.coordinator import PAGE_SIZE, _query_without_page


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _errors(request: AuthenticatedHttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


# ---------------------------------------------------------------------------------------
# Donors' downloads (the donor portal links to these)


@login_required
@require_GET
def donor_receipt_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A receipt's PDF: the donor's own, or any for staff who read giving; 404 otherwise."""
    receipts = Receipt.objects.select_related("donation__donor", "replaces")
    if not user_can(request.user, "giving.view"):
        receipts = receipts.filter(donation__donor__user=request.user)
    receipt = get_object_or_404(receipts, pk=pk)
    return _pdf_response(receipt_pdf(receipt), receipt_filename(receipt))


@login_required
@require_GET
def donor_statement_pdf(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """The logged-in donor's own statement for ``year`` (there is no donor id to guess)."""
    donor = donor_for_user(request.user)
    if donor is None or not 2000 <= year <= 9999:
        raise Http404("no donor record for this login")
    return _pdf_response(
        statement_pdf(donor=donor, year=year), statement_filename(donor=donor, year=year)
    )


@permission_required("giving.export")
@require_GET
def coord_statement_pdf(
    request: AuthenticatedHttpRequest, year: int, donor_id: int
) -> HttpResponse:
    if not 2000 <= year <= 9999:
        raise Http404("bad year")
    donor = get_object_or_404(Donor, pk=donor_id)
    return _pdf_response(
        statement_pdf(donor=donor, year=year), statement_filename(donor=donor, year=year)
    )


@permission_required("giving.manage")
@require_GET
def tribute_letter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The acknowledgement letter to the family a gift's dedication names (404 if none)."""
    donation = get_object_or_404(Donation.objects.select_related("donor__user"), pk=pk)
    try:
        data = tribute_letter_pdf(donation=donation)
    except ValidationError:
        raise Http404("no dedication letter for this gift") from None
    return _pdf_response(data, tribute_letter_filename(donation))


# ---------------------------------------------------------------------------------------
# Receipts


@permission_required("giving.view")
@require_GET
def receipt_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = ReceiptFilterForm(request.GET or None)
    search, year, status = "", None, ""
    if filters.is_valid():
        search = filters.cleaned_data["q"]
        year = filters.cleaned_data["year"]
        status = filters.cleaned_data["status"]
    page = Paginator(
        selectors.receipt_list(search=search, year=year, status=status), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/coordinator/receipts.html",
        {
            "filters": filters,
            "page": page,
            "query": _query_without_page(request),
            "section": "receipts",
            "zone": settings.ORG_TIME_ZONE,
        },
    )


@permission_required("giving.manage")
@require_POST
def receipt_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(Receipt, pk=pk)
    try:
        sent = resend_receipt(receipt=receipt, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            gettext("Receipt %(number)s will be e-mailed again.") % {"number": sent.display_number},
        )
    return redirect("donations:coord_receipts")


# ---------------------------------------------------------------------------------------
# Year-end statements


@permission_required("giving.manage")
@require_http_methods(["GET", "POST"])
def statement_runs(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StatementRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = start_statement_run(year=form.cleaned_data["year"], by=request.user)
        except ValidationError as exc:
            form.add_error("year", exc)
        else:
            messages.success(
                request,
                gettext("The statements for %(year)s are being made.")
                % {"year": display_year(run.year)},
            )
            return redirect("donations:coord_statements")
    return render(
        request,
        "donations/coordinator/statements.html",
        {"form": form, "runs": selectors.statement_runs(), "section": "statements"},
    )


@permission_required("giving.view")
@require_GET
def statement_run_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One run's progress row (htmx polls it every 2 s while the run is active)."""
    run = get_object_or_404(StatementRun.objects.select_related("started_by"), pk=pk)
    return render(request, "donations/coordinator/_statement_run.html", {"run": run})


# ---------------------------------------------------------------------------------------
# Offline gifts, one at a time


def _donor_matches(request: AuthenticatedHttpRequest) -> tuple[str, list[Donor]]:
    text = request.GET.get("q", "")[:100]
    return text, selectors.donor_search(text)


@permission_required("giving.view")
@require_GET
def donor_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The donor choices for a search (the gift and deposit pages swap this in with htmx)."""
    text, matches = _donor_matches(request)
    return render(
        request, "donations/coordinator/_donor_choices.html", {"q": text, "matches": matches}
    )


@permission_required("giving.manage")
@require_http_methods(["GET", "POST"])
def offline_gift(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OfflineGiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gift = record_offline_gift(
                donor=data["donor"],
                new_donor=form.new_donor(),
                source=data["source"],
                amount=data["money"],
                received_on=data["received_on"],
                campaign=data["campaign"],
                cheque_number=data["cheque_number"],
                cheque_bank=data["cheque_bank"],
                in_kind_description=data["in_kind_description"],
                by=request.user,
                received=data["received"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            receipt = gift.receipts.filter(status="issued").first()
            messages.success(
                request,
                gettext("Gift recorded for %(donor)s; receipt %(number)s issued.")
                % {"donor": gift.donor.name, "number": receipt.display_number if receipt else "—"},
            )
            return redirect("donations:coord_offline_gift")
    text, matches = _donor_matches(request)
    chosen = form.cleaned_data.get("donor") if form.is_bound else None
    if chosen is not None and chosen not in matches:
        matches.insert(0, chosen)
    return render(
        request,
        "donations/coordinator/offline_gift.html",
        {"form": form, "q": text, "matches": matches, "chosen": chosen, "section": "offline"},
    )


# ---------------------------------------------------------------------------------------
# Deposits (batch entry)


@permission_required("giving.manage")
@require_http_methods(["GET", "POST"])
def deposit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DepositForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deposit = open_deposit(
                deposited_on=data["deposited_on"],
                expected_total=data["money"],
                expected_count=data["expected_count"],
                reference=data["reference"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("donations:coord_deposit", pk=deposit.pk)
    page = Paginator(selectors.deposit_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/coordinator/deposits.html",
        {"form": form, "page": page, "query": "", "section": "deposits"},
    )


def _deposit_context(deposit: Deposit, form: DepositLineForm) -> dict[str, object]:
    totals = deposit_totals(deposit)
    return {
        "deposit": deposit,
        "lines": selectors.deposit_lines(deposit),
        "totals": totals,
        "balanced": totals.matches(deposit),
        "remaining_minor": deposit.expected_total_minor - totals.total.minor,
        "form": form,
        "section": "deposits",
    }


@permission_required("giving.view")
@require_GET
def deposit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    deposit = get_object_or_404(Deposit, pk=pk)
    text, matches = _donor_matches(request)
    context = _deposit_context(deposit, DepositLineForm(currency=deposit.currency))
    context.update({"q": text, "matches": matches})
    return render(request, "donations/coordinator/deposit.html", context)


@permission_required("giving.manage")
@require_POST
def deposit_add_line(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add one line; htmx gets the lines, the running total and a fresh (or erring) form."""
    deposit = get_object_or_404(Deposit, pk=pk)
    form = DepositLineForm(request.POST, currency=deposit.currency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            add_deposit_line(
                deposit=deposit,
                donor=data["donor"],
                new_donor=form.new_donor(),
                source=data["source"],
                amount=data["money"],
                campaign=data["campaign"],
                cheque_number=data["cheque_number"],
                cheque_bank=data["cheque_bank"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = DepositLineForm(currency=deposit.currency)
    deposit.refresh_from_db()
    if request.headers.get("HX-Request"):
        context = _deposit_context(deposit, form)
        # After a line is added, the donor search is cleared for the next gift.
        context["reset_donor"] = not form.is_bound
        return render(request, "donations/coordinator/_deposit_lines.html", context)
    if form.is_bound and form.errors:
        context = _deposit_context(deposit, form)
        context.update({"q": "", "matches": []})
        return render(request, "donations/coordinator/deposit.html", context, status=200)
    return redirect("donations:coord_deposit", pk=deposit.pk)


@permission_required("giving.manage")
@require_POST
def deposit_remove_line(request: AuthenticatedHttpRequest, pk: int, line_id: int) -> HttpResponse:
    line = get_object_or_404(
        DepositLine.objects.select_related("deposit"), pk=line_id, deposit_id=pk
    )
    try:
        remove_deposit_line(line=line, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    deposit = line.deposit
    deposit.refresh_from_db()
    if request.headers.get("HX-Request"):
        return render(
            request,
            "donations/coordinator/_deposit_lines.html",
            _deposit_context(deposit, DepositLineForm(currency=deposit.currency)),
        )
    return redirect("donations:coord_deposit", pk=pk)


@permission_required("giving.manage")
@require_POST
def deposit_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    deposit = get_object_or_404(Deposit, pk=pk)
    try:
        gifts = post_deposit(deposit=deposit, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "Deposit posted: %(count)s gift recorded and receipted.",
                "Deposit posted: %(count)s gifts recorded and receipted.",
                len(gifts),
            )
            % {"count": len(gifts)},
        )
    return redirect("donations:coord_deposit", pk=pk)
