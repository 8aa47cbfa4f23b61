"""CSV and XLSX exports of results, with the filters applied, safe to open in a spreadsheet:
one row per trainee (the same columns as the page) or one row per scored conversation.

CSV is UTF-8 with a byte-order mark (Excel reads it as UTF-8 only then). Text a spreadsheet
would read as a formula (starting with = + - @, a tab or a carriage return) is prefixed
with an apostrophe; numbers stay numbers. The CSV is produced a row at a time; the XLSX is
written row by row (openpyxl's write-only mode) into a temporary file that spills to disk,
then sent in chunks: memory stays flat whatever the number of rows.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from certification.selectors.results import SESSION_DIMENSIONS, SessionRow, TraineeResult
from roleplay.rule_names import rule_name

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024


def safe_cell(value):
    """A value as a spreadsheet should show it: text that would run as a formula is
    prefixed with an apostrophe; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def trainee_headers() -> list[str]:
    return [
        _("Employee number"),
        _("Name"),
        _("Shop"),
        _("Status"),
        _("Modules passed"),
        _("Modules required"),
        _("Typing speed (characters/min)"),
        _("Typing accuracy (%)"),
        _("Exam attempts"),
        _("Last exam total"),
        _("Certificate"),
        _("Certificate expires"),
        _("Last activity"),
    ]


def trainee_values(row: TraineeResult, status_labels: dict[str, str]) -> list:
    return [
        row.employee_number,
        row.name,
        row.shop,
        status_labels.get(row.status, row.status),
        row.modules_passed,
        row.modules_total,
        round(row.typing_cpm, 1) if row.typing_cpm is not None else "",
        round(row.typing_accuracy * 100, 1) if row.typing_accuracy is not None else "",
        row.attempts,
        row.last_total if row.last_total is not None else "",
        row.certificate_number,
        _when(row.certificate_expires),
        _when(row.last_activity),
    ]


def session_headers() -> list[str]:
    # The report page's names for the scoring dimensions.
    dimension_labels = {
        "response": _("Response time"),
        "typing": _("Typing speed"),
        "compliance": _("Language and rules"),
        "outcome": _("Outcome"),
        "required_points": _("Required points"),
    }
    return [
        _("Employee number"),
        _("Name"),
        _("Shop"),
        _("Scenario"),
        _("Mode"),
        _("Started"),
        _("How it ended"),
        _("Ending"),
        _("Total"),
        _("Corrected total"),
        *(dimension_labels[name] for name in SESSION_DIMENSIONS),
        _("First response (s)"),
        _("Typing speed (characters/min)"),
        _("Rules broken"),
    ]


def _number(value: float | None):
    return value if value is not None else ""


def session_values(row: SessionRow, labels: dict[str, str]) -> list:
    """``labels``: the words for modes and end reasons."""
    return [
        row.employee_number,
        row.name,
        row.shop,
        row.scenario,
        labels.get(row.mode, row.mode),
        _when(row.started_at),
        labels.get(row.end_reason, row.end_reason),
        row.outcome,
        _number(row.total),
        _number(row.corrected_total),
        *(_number(row.dimensions.get(name)) for name in SESSION_DIMENSIONS),
        _number(row.first_response_s),
        _number(round(row.typing_cpm, 1) if row.typing_cpm is not None else None),
        "、".join(rule_name(rule) for rule in row.rules),
    ]


def csv_chunks(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(v) for v in headers])
    for values in rows:
        writer.writerow([safe_cell(v) for v in values])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(
    headers: list[str], rows: Iterable[list], title: str
) -> tempfile.SpooledTemporaryFile:
    """The workbook in a temporary file (in memory up to 8 MB, on disk beyond), rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "results")
    sheet.append([safe_cell(v) for v in headers])
    for values in rows:
        sheet.append([safe_cell(v) for v in values])
    # Returned open, for the response to read and close (file_chunks).
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(spool) -> Iterator[bytes]:
    try:
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()
