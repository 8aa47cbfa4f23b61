"""The initial passwords of an import as a CSV or XLSX file, safe to open in a spreadsheet.

CSV is UTF-8 with a byte-order mark (Excel reads Chinese correctly only then). Text a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return:
a name in a roster is whatever HR's source system held) is prefixed with an apostrophe,
in both files. The XLSX stores every cell as text, so employee numbers keep their
leading zeros.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from accounts.services.initial_passwords import InitialPassword

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Text as a spreadsheet should show it, never run: a formula's first character is
    escaped with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def password_headers() -> list[str]:
    return [
        _("Name"),
        _("Employee number"),
        _("Cohort"),
        _("Sign-in address"),
        _("Initial password"),
    ]


def _rows(passwords: Iterable[InitialPassword], sign_in_url: str) -> Iterable[list[str]]:
    yield password_headers()
    for item in passwords:
        yield [
            safe_cell(value)
            for value in (item.name, item.employee_number, item.cohort, sign_in_url, item.password)
        ]


def passwords_csv(passwords: Iterable[InitialPassword], sign_in_url: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(_rows(passwords, sign_in_url))
    return buffer.getvalue().encode("utf-8-sig")


def passwords_xlsx(passwords: Iterable[InitialPassword], sign_in_url: str) -> bytes:
    # Write-only: nothing is kept but the rows written; the workbook is small either way.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Initial passwords")[:31])
    for values in _rows(passwords, sign_in_url):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a number or a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
