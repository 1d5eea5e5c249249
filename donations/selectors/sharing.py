"""What a campaign's donate page says of each amount (impact text), and its share links:
the donate page's address with UTM tags per channel (so a gift records which link it came
from), e-mail / WhatsApp / Facebook links built as plain addresses, a QR code as SVG made
here. (The campaign's gifts per source: donations.selectors.reports.totals_by_link.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.locales import translated
from donations.models import Campaign, ImpactLine

# The channels a share page offers; each is the utm_source of its link.
CHANNELS: Final = ("link", "share", "email", "whatsapp", "facebook", "qr")


# The utm_campaign of the general donate page's share links (the general fund).
GENERAL: Final = "general"


def donate_url(campaign: Campaign | None, source: str) -> str:
    """The campaign's donate page (None: the general one) with the source's UTM tags, as an
    absolute address."""
    path = (
        reverse("donations:donate_campaign", kwargs={"slug": campaign.slug})
        if campaign is not None
        else reverse("donations:donate")
    )
    slug = campaign.slug if campaign is not None else GENERAL
    query = urlencode({"utm_source": source, "utm_medium": "share", "utm_campaign": slug})
    return f"{settings.SITE_URL}{path}?{query}"


@dataclass(frozen=True)
class ShareLinks:
    page: str  # the copy-link address
    web_share: str  # what the phone's share sheet gets
    email: str
    whatsapp: str
    facebook: str
    qr_target: str
    qr_svg: SafeString
    text: str


def share_links(campaign: Campaign | None) -> ShareLinks:
    """Every way to share ``campaign``'s donate page (None: the general one; no query)."""
    name = translated(campaign, "name") if campaign is not None else settings.ORG_NAME
    text = gettext("Please give to %(campaign)s with me:") % {"campaign": name}
    mail = donate_url(campaign, "email")
    whatsapp = donate_url(campaign, "whatsapp")
    qr_target = donate_url(campaign, "qr")
    svg = segno.make(qr_target, error="m").svg_inline(scale=4, omitsize=True)
    return ShareLinks(
        page=donate_url(campaign, "link"),
        web_share=donate_url(campaign, "share"),
        email=f"mailto:?subject={quote(name)}&body={quote(f'{text} {mail}')}",
        whatsapp=f"https://wa.me/?{urlencode({'text': f'{text} {whatsapp}'})}",
        facebook="https://www.facebook.com/sharer/sharer.php?"
        + urlencode({"u": donate_url(campaign, "facebook")}),
        qr_target=qr_target,
        qr_svg=mark_safe(svg),  # noqa: S308 - segno's own SVG of our own address, no markup from input
        text=text,
    )


def impact_lines(campaign: Campaign | None) -> list[ImpactLine]:
    """The impact text of each suggested amount of ``campaign``'s page (None: the general
    page's), by currency and amount (one query)."""
    return list(ImpactLine.objects.filter(campaign=campaign).order_by("currency", "amount_minor"))


def impact_texts(campaign: Campaign | None, currency: str) -> dict[int, str]:
    """What each amount in ``currency`` does on ``campaign``'s donate page (None: the general
    page), in the active language (one query)."""
    return {
        line.amount_minor: translated(line, "text")
        for line in ImpactLine.objects.filter(campaign=campaign, currency=currency)
    }
