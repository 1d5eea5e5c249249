"""Demo giving data: campaigns, donors and gifts in every state, made the way real ones are.

Each demo gift is a pending record (as the donation page makes it) followed by the Stripe
events a real payment would send, run through the same ledger as live webhooks. Event ids
are fixed, so running ``seed_demo`` again delivers only duplicates, which change nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from core.dates import org_today
from donations.models import (
    Campaign,
    Donation,
    Donor,
    DonorTask,
    Interaction,
    InteractionKind,
    RecurringGift,
    TributeType,
)
from donations.money import from_minor
from donations.services.engagement import add_task, complete_task, record_interaction
from donations.stripe_integration import offline_events as se
from donations.stripe_integration.importer import (
    import_customer,
    import_invoice,
    import_subscription,
)
from donations.stripe_integration.intake import process_event, record_event

DAY = 24 * 3600


@dataclass
class GivingCounts:
    created: int = 0
    existing: int = 0
    events: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


CAMPAIGNS: tuple[tuple[str, str, str, int | None, str], ...] = (
    ("General fund", "general", "Where the need is greatest.", None, ""),
    (
        "School outreach 2026",
        "school-outreach-2026",
        "Trained volunteers teach 40 schools how trafficking starts and how to get help.",
        1_500_000,
        "USD",
    ),
    (
        "Crisis text line: night shifts",
        "night-shifts",
        "Keep the crisis text line answered between midnight and 6 a.m.",
        5_000_000,
        "USD",
    ),
)

# (key, donor email, name, amount in minor units, currency, campaign slug, days ago, extra)
ONE_TIME: tuple[tuple[str, str, str, int, str, str, int, dict[str, Any]], ...] = (
    ("grace-1", "donor@example.org", "Grace Okafor", 5000, "USD", "general", 200, {}),
    ("grace-2", "donor@example.org", "Grace Okafor", 10000, "USD", "school-outreach-2026", 40, {}),
    ("sam-1", "sam@example.org", "Sam Nguyen", 500000, "VND", "night-shifts", 25, {}),
    ("grace-3", "donor@example.org", "Grace Okafor", 7500, "USD", "general", 0, {}),
    (
        "hope-1",
        "hope.fdn@example.org",
        "Hope Family Foundation",
        250000,
        "USD",
        "school-outreach-2026",
        60,
        {},
    ),
    (
        "ravi-1",
        "ravi@example.org",
        "Ravi Menon",
        2500,
        "USD",
        "general",
        10,
        {"tribute": ("memory", "Leela Menon")},
    ),
    ("yuki-1", "yuki@example.org", "Yuki Sato", 3000, "JPY", "general", 15, {"anonymous": True}),
    ("tom-1", "tom@example.org", "Tom Byrne", 7500, "EUR", "night-shifts", 30, {"refund": 2500}),
    ("lea-1", "lea@example.org", "Léa Martin", 4000, "EUR", "general", 5, {"declined": True}),
    # Earlier years, for the LYBUNT / SYBUNT and retention reports.
    ("ravi-0", "ravi@example.org", "Ravi Menon", 2500, "USD", "general", 400, {}),
    ("olu-1", "olu@example.org", "Olu Adeyemi", 15000, "USD", "general", 380, {}),
    ("mara-1", "mara@example.org", "Mara Quinn", 5000, "USD", "general", 790, {}),
)


# The demo Stripe account settles in USD; Stripe's rate for each currency the demo gives in.
DEMO_RATES: dict[str, Decimal] = {
    "USD": Decimal(1),
    "EUR": Decimal("1.0842"),
    "JPY": Decimal("0.006617"),
    "VND": Decimal("0.00003937"),
}


def _settled_charge(
    key: str, payment_intent: str, amount: int, currency: str, when: int
) -> dict[str, Any]:
    """The charge as Stripe reports it once paid, its balance transaction expanded: the amount
    in USD at the demo rate, and Stripe's fee (2.9% + 30¢, 1% more for another currency)."""
    major = from_minor(amount, currency) * DEMO_RATES[currency]
    settled = int(major.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    percent = Decimal("0.029") if currency == "USD" else Decimal("0.039")
    fee = int((settled * percent).quantize(Decimal(1), rounding=ROUND_HALF_UP)) + 30
    charge = se.charge(
        charge_id=f"ch_demo_{key}",
        payment_intent=payment_intent,
        amount_minor=amount,
        currency=currency,
        amount_refunded=0,
        created=when,
    )
    charge["balance_transaction"] = {
        "id": f"txn_demo_{key}",
        "object": "balance_transaction",
        "amount": settled,
        "currency": "usd",
        "exchange_rate": None if currency == "USD" else float(DEMO_RATES[currency]),
        "fee": fee,
        "net": settled - fee,
        "reporting_category": "charge",
        "source": f"ch_demo_{key}",
        "type": "charge",
        "created": when,
    }
    return charge


def _deliver(event: dict[str, Any], counts: GivingCounts) -> None:
    stored, created = record_event(event)
    if created:
        process_event(event_pk=stored.pk)
        counts.events += 1


def _donor(email: str, name: str, users: dict[str, User]) -> Donor:
    donor, _ = Donor.objects.get_or_create(email=email, defaults={"name": name})
    user = users.get(email)
    if user is not None and donor.user_id is None:
        donor.user = user
        donor.save(update_fields=["user", "updated_at"])
    return donor


# The campaign's name and description in the demo's other languages.
TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "night-shifts": {
        "es": {
            "name": "Línea de texto de crisis: turnos nocturnos",
            "description": "Mantenga la línea de texto de crisis atendida entre la "
            "medianoche y las 6 a. m.",
        },
        "vi": {
            "name": "Đường dây nhắn tin khủng hoảng: ca đêm",
            "description": "Giúp đường dây nhắn tin khủng hoảng luôn có người trả lời "
            "từ nửa đêm đến 6 giờ sáng.",
        },
        "th": {
            "name": "สายด่วนข้อความช่วงวิกฤต: กะกลางคืน",
            "description": "ช่วยให้สายด่วนข้อความช่วงวิกฤตมีคนตอบตั้งแต่เที่ยงคืนถึง 6 โมงเช้า",
        },
        "fil": {
            "name": "Crisis text line: mga night shift",
            "description": "Panatilihing may sumasagot sa crisis text line mula "
            "hatinggabi hanggang 6 a.m.",
        },
    },
    "general": {
        "es": {"name": "Fondo general", "description": "Donde más se necesita."},
        "vi": {"name": "Quỹ chung", "description": "Nơi cần nhất."},
        "th": {"name": "กองทุนทั่วไป", "description": "ส่วนที่จำเป็นที่สุด"},
        "fil": {"name": "Pangkalahatang pondo", "description": "Kung saan pinakakailangan."},
    },
}


def _campaigns() -> dict[str, Campaign]:
    found: dict[str, Campaign] = {}
    for name, slug, description, goal, currency in CAMPAIGNS:
        found[slug], _ = Campaign.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "goal_minor": goal,
                "goal_currency": currency,
                "starts_on": date(2026, 1, 1) if goal else None,
                "translations": TRANSLATIONS.get(slug, {}),
            },
        )
    return found


def _one_time(
    key: str,
    donor: Donor,
    amount: int,
    currency: str,
    campaign: Campaign,
    days_ago: int,
    extra: dict[str, Any],
    counts: GivingCounts,
) -> None:
    session_id = f"cs_demo_{key}"
    tribute_type, tribute_name = extra.get("tribute", (TributeType.NONE, ""))
    donation, created = Donation.objects.get_or_create(
        checkout_session_id=session_id,
        defaults={
            "donor": donor,
            "campaign": campaign,
            "amount_minor": amount,
            "currency": currency,
            "tribute_type": tribute_type,
            "tribute_name": tribute_name,
            "anonymous": bool(extra.get("anonymous")),
        },
    )
    counts.created += created
    counts.existing += not created
    when = int(time.time()) - days_ago * DAY
    declined = bool(extra.get("declined"))
    session = se.checkout_session(
        session_id=session_id,
        mode="payment",
        amount_minor=amount,
        currency=currency,
        email=donor.email,
        name=donor.name,
        metadata={"donation_id": str(donation.pk)},
        payment_status="unpaid" if declined else "paid",
        customer=f"cus_demo_{key}",
        payment_intent=f"pi_demo_{key}",
        created=when,
    )
    _deliver(
        se.build_event(
            "checkout.session.completed", session, created=when, event_id=f"evt_demo_{key}_1"
        ),
        counts,
    )
    if declined:
        _deliver(
            se.build_event(
                "checkout.session.async_payment_failed",
                session,
                created=when + 60,
                event_id=f"evt_demo_{key}_2",
            ),
            counts,
        )
    if not declined:
        charge = _settled_charge(key, f"pi_demo_{key}", amount, currency, when)
        _deliver(
            se.build_event(
                "charge.succeeded", charge, created=when + 1, event_id=f"evt_demo_{key}_c"
            ),
            counts,
        )
    refund = extra.get("refund")
    if refund:
        charge = se.charge(
            charge_id=f"ch_demo_{key}",
            payment_intent=f"pi_demo_{key}",
            amount_minor=amount,
            currency=currency,
            amount_refunded=int(refund),
            created=when,
        )
        back = _settled_charge(f"{key}_re", "", int(refund), currency, when + DAY)
        back["balance_transaction"] |= {
            "amount": -back["balance_transaction"]["amount"],
            "fee": 0,
            "net": -back["balance_transaction"]["amount"],
            "reporting_category": "refund",
            "type": "refund",
        }
        charge["refunds"] = {
            "object": "list",
            "data": [{"id": f"re_demo_{key}", "object": "refund", **back}],
        }
        _deliver(
            se.build_event(
                "charge.refunded", charge, created=when + DAY, event_id=f"evt_demo_{key}_3"
            ),
            counts,
        )


def _monthly(
    key: str,
    donor: Donor,
    amount: int,
    currency: str,
    campaign: Campaign,
    paid_months: int,
    counts: GivingCounts,
    *,
    last_failed: bool = False,
) -> None:
    session_id = f"cs_demo_{key}"
    gift, created = RecurringGift.objects.get_or_create(
        checkout_session_id=session_id,
        defaults={
            "donor": donor,
            "campaign": campaign,
            "amount_minor": amount,
            "currency": currency,
        },
    )
    counts.created += created
    counts.existing += not created
    meta = {"recurring_gift_id": str(gift.pk)}
    start = int(time.time()) - paid_months * 30 * DAY + DAY
    session = se.checkout_session(
        session_id=session_id,
        mode="subscription",
        amount_minor=amount,
        currency=currency,
        email=donor.email,
        name=donor.name,
        metadata=meta,
        customer=f"cus_demo_{key}",
        subscription=f"sub_demo_{key}",
        invoice=f"in_demo_{key}_0",
        created=start,
    )
    _deliver(
        se.build_event(
            "checkout.session.completed", session, created=start, event_id=f"evt_demo_{key}_s"
        ),
        counts,
    )
    months = paid_months + (1 if last_failed else 0)
    for n in range(months):
        failed = last_failed and n == months - 1
        at = start + n * 30 * DAY
        invoice = se.invoice(
            invoice_id=f"in_demo_{key}_{n}",
            subscription=f"sub_demo_{key}",
            customer=f"cus_demo_{key}",
            amount_minor=amount,
            currency=currency,
            metadata=meta,
            paid=not failed,
            payment_intent=f"pi_demo_{key}_{n}",
            created=at,
            billing_reason="subscription_create" if n == 0 else "subscription_cycle",
        )
        event_type = "invoice.payment_failed" if failed else "invoice.paid"
        _deliver(
            se.build_event(event_type, invoice, created=at + 60, event_id=f"evt_demo_{key}_i{n}"),
            counts,
        )
        if not failed:
            charge = _settled_charge(f"{key}_{n}", f"pi_demo_{key}_{n}", amount, currency, at)
            _deliver(
                se.build_event(
                    "charge.succeeded", charge, created=at + 61, event_id=f"evt_demo_{key}_c{n}"
                ),
                counts,
            )
    sub = se.subscription(
        subscription_id=f"sub_demo_{key}",
        customer=f"cus_demo_{key}",
        status="past_due" if last_failed else "active",
        amount_minor=amount,
        currency=currency,
        metadata=meta,
        current_period_end=start + months * 30 * DAY,
    )
    _deliver(
        se.build_event(
            "customer.subscription.updated",
            sub,
            created=start + (months - 1) * 30 * DAY + 120,
            event_id=f"evt_demo_{key}_u",
        ),
        counts,
    )


def seed_giving(*, people: dict[str, User]) -> GivingCounts:
    """Campaigns, donors and gifts (paid, refunded, declined, monthly, past due)."""
    counts = GivingCounts()
    campaigns = _campaigns()
    for key, email, name, amount, currency, slug, days_ago, extra in ONE_TIME:
        donor = _donor(email, name, people)
        _one_time(key, donor, amount, currency, campaigns[slug], days_ago, extra, counts)
    grace = _donor("donor@example.org", "Grace Okafor", people)
    _monthly("grace-monthly", grace, 2000, "USD", campaigns["night-shifts"], 3, counts)
    sam = _donor("sam@example.org", "Sam Nguyen", people)
    _monthly("sam-monthly", sam, 200000, "VND", campaigns["general"], 2, counts, last_failed=True)
    _imported_monthly()
    _donor_work(people)
    for status in Donation.objects.values_list("status", flat=True):
        counts.by_status[status] = counts.by_status.get(status, 0) + 1
    return counts


def _donor_work(people: dict[str, User]) -> None:
    """Contacts written down, a task added by hand, and the thank-you tasks of gifts made
    more than a month ago marked done (the recent ones stay open on the coordinator's home)."""
    staff = people.get("fundraising@example.org") or people.get("coordinator@example.org")
    if staff is None or Interaction.objects.exists():
        return
    today = org_today()
    hope = Donor.objects.get(email="hope.fdn@example.org")
    grace = Donor.objects.get(email="donor@example.org")
    record_interaction(
        donor=grace,
        kind=InteractionKind.CALL,
        happened_on=today - timedelta(days=38),
        text="Thanked Grace for her gift to school outreach; she may volunteer at the spring fair.",
        staff=staff,
    )
    record_interaction(
        donor=hope,
        kind=InteractionKind.MEETING,
        happened_on=today - timedelta(days=55),
        text="Met the foundation's director: they fund school outreach again if we send the "
        "term report by June.",
        staff=staff,
    )
    record_interaction(
        donor=hope,
        kind=InteractionKind.LETTER,
        happened_on=today - timedelta(days=50),
        text="Thank-you letter for the USD 2,500 gift, with photos from two schools.",
        staff=staff,
    )
    add_task(
        donor=hope,
        title="Send Hope Family Foundation the school outreach term report",
        due_on=today + timedelta(days=14),
        assignee=staff,
        by=staff,
    )
    month_ago = timezone.now() - timedelta(days=30)
    for task in DonorTask.objects.filter(done_at__isnull=True, donation__paid_at__lt=month_ago):
        complete_task(task=task, by=staff)


def _imported_monthly() -> None:
    """A monthly gift made in the Stripe Dashboard, brought in by the import: its customer,
    subscription and four paid invoices, through the same functions the import uses."""
    now = int(time.time())
    start = now - 4 * 30 * DAY + DAY
    import_customer({"id": "cus_demo_outside", "email": "noor@example.org", "name": "Noor Haddad"})
    import_subscription(
        se.subscription(
            subscription_id="sub_demo_outside",
            customer="cus_demo_outside",
            status="active",
            amount_minor=3000,
            currency="USD",
            metadata={},
            current_period_end=start + 4 * 30 * DAY,
        )
    )
    for n in range(4):
        import_invoice(
            se.invoice(
                invoice_id=f"in_demo_outside_{n}",
                subscription="sub_demo_outside",
                customer="cus_demo_outside",
                amount_minor=3000,
                currency="USD",
                metadata={},
                paid=True,
                payment_intent=f"pi_demo_outside_{n}",
                created=start + n * 30 * DAY,
            )
        )
