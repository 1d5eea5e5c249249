"""Demo tags, a saved segment, impact text per suggested amount, and which shared link some
gifts came from; through the services, so the demo shows what a fundraiser sets up."""

from __future__ import annotations

from accounts.models import User
from donations.models import Campaign, Donation, Donor, DonorSegment, ImpactLine
from donations.money import Money
from donations.services import segments

TAGS: tuple[tuple[str, str], ...] = (
    ("hope.fdn@example.org", "foundation"),
    ("donor@example.org", "monthly champion"),
    ("sam@example.org", "monthly champion"),
)
# (campaign slug, currency, amount, text, {language: text})
IMPACT: tuple[tuple[str, str, str, str, dict[str, str]], ...] = (
    (
        "night-shifts",
        "USD",
        "25",
        "keeps the crisis line open for one night hour",
        {"es": "mantiene abierta la línea de crisis una hora de la noche"},
    ),
    (
        "night-shifts",
        "USD",
        "50",
        "trains one hotline volunteer",
        {
            "es": "forma a un voluntario de la línea",
            "vi": "đào tạo một tình nguyện viên đường dây nóng",
        },
    ),
    (
        "night-shifts",
        "USD",
        "100",
        "answers 40 crisis texts",
        {"es": "responde 40 mensajes de crisis"},
    ),
    (
        "night-shifts",
        "VND",
        "500000",
        "trains one hotline volunteer",
        {"vi": "đào tạo một tình nguyện viên đường dây nóng"},
    ),
)


def seed_donor_lists(*, actor: User) -> None:
    """Idempotent: a second run adds nothing."""
    for email, tag in TAGS:
        donor = Donor.objects.filter(email=email).first()
        if donor is not None and not donor.tags.filter(name__iexact=tag).exists():
            segments.tag_donors(donor_ids=[donor.pk], name=tag, actor=actor)
    if not DonorSegment.objects.filter(name="Lapsed donors").exists():
        segments.save_segment(name="Lapsed donors", query="lapsed=on", actor=actor)
    for slug, currency, amount, text, translations in IMPACT:
        campaign = Campaign.objects.filter(slug=slug).first()
        money = Money.of(amount, currency)
        if (
            campaign is None
            or ImpactLine.objects.filter(
                campaign=campaign, currency=currency, amount_minor=money.minor
            ).exists()
        ):
            continue
        segments.save_impact_line(
            campaign=campaign,
            amount=money,
            text=text,
            translations={code: {"text": value} for code, value in translations.items()},
            actor=actor,
        )
    # Some card gifts came by shared links (a demo stand-in for donors who clicked them).
    night = Donation.objects.filter(campaign__slug="night-shifts").order_by("pk")
    if night.exclude(referral="").exists():
        return
    for gift, source in zip(night[:3], ("whatsapp", "qr", "email"), strict=False):
        Donation.objects.filter(pk=gift.pk).update(referral=source)
