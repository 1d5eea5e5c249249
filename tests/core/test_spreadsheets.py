"""CSV exports never hand a spreadsheet a formula from a public form."""

from __future__ import annotations

import pytest

from core.http.spreadsheets import safe_row


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-12.50", "-12.50"),
        ("+44", "+44"),
        ("Grace Hopper", "Grace Hopper"),
        (2500, 2500),
        (None, None),
    ],
)
def test_formula_cells_are_defused_and_numbers_kept(cell, written):
    assert safe_row([cell]) == [written]
