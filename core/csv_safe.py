"""CSV cells that a spreadsheet will not run as formulas (CSV injection, CWE-1236).

A cell that begins with = + - @ (or a tab or carriage return, which some spreadsheets skip before
looking) is a formula to Excel, LibreOffice and Google Sheets: `=HYPERLINK(...)` in a patient's
name would run on the admin's computer. Every CSV export writes its cells through `safe_cell`
(or `safe_row`), which puts a ' in front of such text, as OWASP recommends; numbers stay numbers.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)  # a number, negative or not, is data
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[str]:
    return [safe_cell(value) for value in values]
