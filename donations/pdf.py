"""The receipt and year-end statement PDFs (fpdf2, with the vendored Noto fonts).

Noto Sans covers Latin (Vietnamese included); Noto Sans Thai is its fallback for Thai. The
fonts live in ``donations/fonts`` (SIL OFL, see OFL.txt there), so nothing depends on the
system's fonts. A document is a pure function of its data: the creation date is the issue
date, so the same receipt rendered twice gives the same bytes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Final

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.dates import format_day
from core.locales import display_year
from donations.amount_words import amount_in_words
from donations.money import Money, format_money

FONT_DIR: Final = Path(__file__).resolve().parent / "fonts"
FAMILY: Final = "NotoSans"
THAI: Final = "NotoSansThai"
LINE: Final = 6.0
_THAI: Final = re.compile("[\u0e00-\u0e7f]")

# fontTools logs every glyph it keeps when fpdf2 subsets a font; that is noise here.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    """What a receipt shows; built from a ``Receipt`` row by ``services.receipts``."""

    number: str
    issued_at: datetime
    received_on: date
    language: str
    money: Money
    donor_name: str
    donor_address: str
    campaign: str
    method: str
    void_reason: str = ""
    replaces: str = ""


@dataclass(frozen=True, slots=True)
class StatementLine:
    received_on: date
    receipt_number: str
    campaign: str
    method: str
    money: Money
    # Gross, fee and net in the reporting currency (None: no figure in it yet).
    reporting: tuple[Money, Money, Money] | None = None


@dataclass(frozen=True, slots=True)
class StatementDocument:
    year: int
    language: str
    donor_name: str
    donor_address: str
    created_on: date
    lines: list[StatementLine] = field(default_factory=list)
    totals: list[Money] = field(default_factory=list)
    reporting_currency: str = ""
    # Gross, fees and net of the lines that have them, in the reporting currency.
    reporting_totals: tuple[Money, Money, Money] | None = None
    unconverted: int = 0


def _has_thai(texts: Iterable[str]) -> bool:
    return any(_THAI.search(text) for text in texts)


def _pdf(*, title: str, created: datetime, thai: bool) -> FPDF:
    """A blank A4 document; ``thai`` adds Noto Sans Thai as the fallback font (only then,
    since every font added is embedded)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    for style, suffix in (("", "Regular"), ("B", "Bold")):
        pdf.add_font(FAMILY, style, FONT_DIR / f"NotoSans-{suffix}.ttf")
        if thai:
            pdf.add_font(THAI, style, FONT_DIR / f"NotoSansThai-{suffix}.ttf")
    if thai:
        pdf.set_fallback_fonts([THAI], exact_match=False)
    pdf.set_title(title)
    pdf.set_author(settings.ORG_NAME)
    pdf.set_creator(settings.ORG_NAME)
    pdf.set_creation_date(created)
    pdf.add_page()
    return pdf


def _text(pdf: FPDF, text: str, *, size: float = 10, bold: bool = False) -> None:
    if not text:
        return
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, LINE * size / 10, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")


def _pair(pdf: FPDF, label: str, value: str, *, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "", 10)
    pdf.cell(45, LINE, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_font(FAMILY, "B" if bold else "", 10)
    pdf.multi_cell(0, LINE, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")


def _wording(text: str) -> str:
    """The organisation's receipt wording in the document's language: the default texts
    (settings.RECEIPT_*_TEXT) are in the catalogues; an organisation's own is as written."""
    return gettext(text) if text else ""


def _organisation(pdf: FPDF) -> None:
    _text(pdf, settings.ORG_NAME, size=16, bold=True)
    _text(pdf, settings.ORG_ADDRESS)
    _text(pdf, settings.ORG_REGISTRATION)
    pdf.ln(4)


def render_receipt(doc: ReceiptDocument) -> bytes:
    """The receipt as PDF bytes, in ``doc.language``."""
    with translation.override(doc.language):
        title = gettext("Donation receipt %(number)s") % {"number": doc.number}
        words = amount_in_words(doc.money, doc.language)
        texts = (
            doc.donor_name,
            doc.donor_address,
            doc.campaign,
            doc.method,
            words,
            doc.void_reason,
        )
        pdf = _pdf(
            title=title, created=doc.issued_at, thai=doc.language == "th" or _has_thai(texts)
        )
        _organisation(pdf)
        _text(pdf, gettext("Official donation receipt"), size=14, bold=True)
        if doc.void_reason:
            pdf.set_text_color(180, 0, 0)
            _text(pdf, gettext("VOID: %(reason)s") % {"reason": doc.void_reason}, bold=True)
            pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
        _pair(pdf, gettext("Receipt number"), doc.number, bold=True)
        _pair(pdf, gettext("Issued on"), format_day(doc.issued_at, doc.language))
        if doc.replaces:
            _pair(pdf, gettext("Replaces receipt"), doc.replaces)
        pdf.ln(2)
        _pair(pdf, gettext("Received from"), doc.donor_name, bold=True)
        if doc.donor_address:
            _pair(pdf, gettext("Address"), doc.donor_address)
        pdf.ln(2)
        _pair(pdf, gettext("Amount"), format_money(doc.money, doc.language), bold=True)
        _pair(pdf, gettext("In words"), words)
        _pair(pdf, gettext("Date received"), format_day(doc.received_on, doc.language))
        _pair(pdf, gettext("Campaign"), doc.campaign or gettext("General fund"))
        _pair(pdf, gettext("Gift"), doc.method)
        pdf.ln(4)
        _text(pdf, _wording(settings.RECEIPT_TAX_TEXT))
        _text(pdf, _wording(settings.RECEIPT_NO_GOODS_TEXT))
        pdf.ln(6)
        _text(pdf, gettext("Thank you for your gift."), bold=True)
    return bytes(pdf.output())


def render_statement(doc: StatementDocument) -> bytes:
    """A donor's year-end statement as PDF bytes: every gift of the year, net of refunds."""
    created = datetime(doc.created_on.year, doc.created_on.month, doc.created_on.day)
    # The year people read (the file's name and the links keep the Gregorian one).
    year = display_year(doc.year, doc.language)
    with translation.override(doc.language):
        title = gettext("Giving statement %(year)s") % {"year": year}
        texts = [doc.donor_name, doc.donor_address]
        texts += [f"{line.campaign} {line.method}" for line in doc.lines]
        pdf = _pdf(title=title, created=created, thai=doc.language == "th" or _has_thai(texts))
        _organisation(pdf)
        _text(pdf, title, size=14, bold=True)
        pdf.ln(2)
        _pair(pdf, gettext("Donor"), doc.donor_name, bold=True)
        if doc.donor_address:
            _pair(pdf, gettext("Address"), doc.donor_address)
        _pair(pdf, gettext("Made on"), format_day(doc.created_on, doc.language))
        pdf.ln(4)
        if not doc.lines:
            _text(pdf, gettext("No gifts were received from you in %(year)s.") % {"year": year})
        else:
            _statement_table(pdf, doc)
        pdf.ln(4)
        # A statement's own wording: it is not a receipt, and it covers several gifts.
        _text(pdf, _wording(settings.STATEMENT_TAX_TEXT))
        _text(pdf, _wording(settings.STATEMENT_NO_GOODS_TEXT))
    return bytes(pdf.output())


def _statement_table(pdf: FPDF, doc: StatementDocument) -> None:
    """Each gift in its own currency, and beside it gross, fee and net in the reporting
    currency; then the totals of both."""
    code = {"currency": doc.reporting_currency}
    pdf.set_font(FAMILY, "", 8)
    with pdf.table(
        col_widths=(22, 24, 28, 22, 22, 20, 16, 20),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=LINE * 0.9,
    ) as table:
        table.row(
            [
                gettext("Date"),
                gettext("Receipt"),
                gettext("Campaign"),
                gettext("Gift"),
                gettext("Amount (net)"),
                gettext("Gross (%(currency)s)") % code,
                gettext("Fee (%(currency)s)") % code,
                gettext("Net (%(currency)s)") % code,
            ]
        )
        for line in doc.lines:
            reporting = (
                [format_money(money, doc.language) for money in line.reporting]
                if line.reporting is not None
                else ["—", "—", "—"]
            )
            table.row(
                [
                    format_day(line.received_on, doc.language),
                    line.receipt_number or "—",
                    line.campaign or gettext("General fund"),
                    line.method,
                    format_money(line.money, doc.language),
                    *reporting,
                ]
            )
    pdf.ln(4)
    for total in doc.totals:
        _pair(
            pdf,
            gettext("Total %(currency)s") % {"currency": total.currency},
            format_money(total, doc.language),
            bold=True,
        )
    if doc.reporting_totals is not None:
        gross, fees, net = doc.reporting_totals
        pdf.ln(2)
        _pair(pdf, gettext("Gross (%(currency)s)") % code, format_money(gross, doc.language))
        _pair(pdf, gettext("Fees (%(currency)s)") % code, format_money(fees, doc.language))
        _pair(pdf, gettext("Net (%(currency)s)") % code, format_money(net, doc.language), bold=True)
    if doc.unconverted:
        _text(
            pdf,
            ngettext(
                "%(count)s gift has no amount in %(currency)s yet.",
                "%(count)s gifts have no amount in %(currency)s yet.",
                doc.unconverted,
            )
            % {"count": doc.unconverted, "currency": doc.reporting_currency},
        )


@dataclass(frozen=True, slots=True)
class TributeLetterDocument:
    """The acknowledgement letter to the family of the person a gift honours (no amount)."""

    language: str
    written_on: date
    recipient: str
    in_memory: bool
    honoured: str
    donor_name: str


def _tribute_sentence(doc: TributeLetterDocument) -> str:
    """The letter's news, one whole sentence per case (word order differs by language)."""
    values = {"org": settings.ORG_NAME, "name": doc.honoured, "donor": doc.donor_name}
    if doc.donor_name and doc.in_memory:
        text = gettext("%(donor)s has made a gift to %(org)s in memory of %(name)s.")
    elif doc.donor_name:
        text = gettext("%(donor)s has made a gift to %(org)s in honour of %(name)s.")
    elif doc.in_memory:
        text = gettext("A gift has been made to %(org)s in memory of %(name)s.")
    else:
        text = gettext("A gift has been made to %(org)s in honour of %(name)s.")
    return text % values


def render_tribute_letter(doc: TributeLetterDocument) -> bytes:
    """The acknowledgement letter as PDF bytes, in ``doc.language``."""
    created = datetime(doc.written_on.year, doc.written_on.month, doc.written_on.day)
    with translation.override(doc.language):
        title = gettext("A gift in the name of %(name)s") % {"name": doc.honoured}
        thai = doc.language == "th" or _has_thai([doc.recipient, doc.honoured, doc.donor_name])
        pdf = _pdf(title=title, created=created, thai=thai)
        _organisation(pdf)
        _text(pdf, format_day(doc.written_on, doc.language))
        pdf.ln(4)
        _text(pdf, doc.recipient)
        pdf.ln(6)
        _text(pdf, gettext("We are writing to let you know:"), size=11)
        _text(pdf, _tribute_sentence(doc), size=11, bold=True)
        pdf.ln(2)
        _text(pdf, gettext("Gifts like this one keep our work going."), size=11)
        pdf.ln(6)
        _text(pdf, gettext("With our thanks,"), size=11)
        _text(pdf, settings.ORG_NAME, size=11, bold=True)
    return bytes(pdf.output())
