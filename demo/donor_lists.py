"""Demo tags, a saved segment, impact text per suggested amount (a campaign's and the
general page's), suggested amounts per currency, and which shared link some gifts came
from; through the services, so the demo shows what a fundraiser sets up."""

from __future__ import annotations

from accounts.models import User
from donations.models import (
    Campaign,
    Donation,
    Donor,
    DonorSegment,
    ImpactLine,
    SuggestedAmounts,
)
from donations.money import Money
from donations.services import segments
from donations.services.donate_page import save_suggested_amounts

TAGS: tuple[tuple[str, str], ...] = (
    ("hope.fdn@example.org", "foundation"),
    ("donor@example.org", "monthly champion"),
    ("sam@example.org", "monthly champion"),
)
# (campaign slug, "" for the general donate page, currency, amount, text, {language: text})
IMPACT: tuple[tuple[str, str, str, str, dict[str, str]], ...] = (
    (
        "",
        "USD",
        "25",
        "trains one hotline volunteer for a shift",
        {
            "es": "forma a un voluntario de la línea para un turno",
            "vi": "đào tạo một tình nguyện viên đường dây nóng cho một ca trực",
            "th": "อบรมอาสาสมัครสายด่วนหนึ่งคนสำหรับหนึ่งกะ",
            "fil": "nagsasanay ng isang boluntaryo ng hotline para sa isang shift",
        },
    ),
    (
        "",
        "USD",
        "50",
        "keeps the crisis line open for two night hours",
        {
            "es": "mantiene abierta la línea de crisis dos horas de la noche",
            "vi": "giữ đường dây khủng hoảng mở thêm hai giờ ban đêm",
            "th": "เปิดสายด่วนวิกฤตได้สองชั่วโมงในยามค่ำคืน",
            "fil": "pinananatiling bukas ang crisis line nang dalawang oras sa gabi",
        },
    ),
    (
        "",
        "USD",
        "100",
        "answers 40 crisis texts",
        {
            "es": "responde 40 mensajes de crisis",
            "vi": "trả lời 40 tin nhắn khủng hoảng",
            "th": "ตอบข้อความวิกฤต 40 ข้อความ",
            "fil": "sumasagot sa 40 crisis text",
        },
    ),
    (
        "",
        "JPY",
        "3000",
        "trains one hotline volunteer for a shift",
        {"es": "forma a un voluntario de la línea para un turno"},
    ),
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

# Suggested amounts staff set for a currency: {currency: amounts}.
SUGGESTED: dict[str, tuple[str, ...]] = {
    "JPY": ("3000", "5000", "10000", "20000"),
    "THB": ("300", "500", "1000", "2500"),
}


def seed_donor_lists(*, actor: User) -> None:
    """Idempotent: a second run adds nothing."""
    for email, tag in TAGS:
        donor = Donor.objects.filter(email=email).first()
        if donor is not None and not donor.tags.filter(name__iexact=tag).exists():
            segments.tag_donors(donor_ids=[donor.pk], name=tag, actor=actor)
    if not DonorSegment.objects.filter(name="Lapsed donors").exists():
        segments.save_segment(name="Lapsed donors", query="lapsed=on", actor=actor)
    for slug, currency, amount, text, translations in IMPACT:
        campaign = Campaign.objects.filter(slug=slug).first() if slug else None
        money = Money.of(amount, currency)
        if (slug and campaign is None) or ImpactLine.objects.filter(
            campaign=campaign, currency=currency, amount_minor=money.minor
        ).exists():
            continue
        segments.save_impact_line(
            campaign=campaign,
            amount=money,
            text=text,
            translations={code: {"text": value} for code, value in translations.items()},
            actor=actor,
        )
    # The general page's amounts in two currencies set by staff (the others: the default).
    for currency, amounts in SUGGESTED.items():
        if not SuggestedAmounts.objects.filter(currency=currency).exists():
            save_suggested_amounts(
                currency=currency,
                amounts=[Money.of(amount, currency) for amount in amounts],
                by=actor,
            )
    # Some card gifts came by shared links (a demo stand-in for donors who clicked them).
    night = Donation.objects.filter(campaign__slug="night-shifts").order_by("pk")
    if night.exclude(referral="").exists():
        return
    for gift, source in zip(night[:3], ("whatsapp", "qr", "email"), strict=False):
        Donation.objects.filter(pk=gift.pk).update(referral=source)
