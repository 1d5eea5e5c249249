"""CSV cells that a spreadsheet will not run as formulas.

Names and notes come from public forms; a cell starting with =, +, -, @, a tab or a carriage
return is a formula to Excel, LibreOffice and Google Sheets (CSV injection). Such a cell is
written with a leading apostrophe, which spreadsheets show as text and do not display.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def safe_cell(value: object) -> object:
    """``value`` as written to a CSV file: text that looks like a formula is defused
    (a plain signed number such as "-12.50" is left as it is)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if value[0] in "+-" and _is_number(value):
        return value
    return "'" + value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in values]
