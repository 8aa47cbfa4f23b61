"""Reading a roster of new hires from CSV or XLSX into rows with their problems.

Nothing here touches the database; ``accounts.services`` adds the checks that need it
(existing employee numbers, unknown cohorts). Every problem names its row and column so
HR can fix the file and upload it again.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_ROSTER_BYTES = 2 * 1024 * 1024
MAX_ROSTER_ROWS = 5000

# Accepted header spellings (Chinese as HR writes them, English as exported elsewhere).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name", "名字"),
    "employee_number": ("工号", "employee_number", "employee number", "员工编号"),
    "shop": ("店铺", "shop", "店铺名称"),
    "cohort": ("批次", "cohort", "培训批次"),
}


@dataclass
class RosterRow:
    line: int
    name: str = ""
    employee_number: str = ""
    shop: str = ""
    cohort: str = ""
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "employee_number": self.employee_number,
            "shop": self.shop,
            "cohort": self.cohort,
            "problems": list(self.problems),
        }


@dataclass
class Roster:
    encoding: str
    rows: list[RosterRow]
    file_errors: list[str]


def _decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name).

    UTF-8 (with or without BOM) is the norm; Excel on Chinese Windows saves CSV as GBK, so
    a file none of whose non-ASCII lines is UTF-8 is read as GB18030. A UTF-8 file with a
    few broken lines keeps them, with U+FFFD marking the damage, so the preview can point
    at exactly those rows instead of rejecting or silently garbling the whole file.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    non_ascii = [line for line in data.splitlines() if not line.isascii()]
    any_utf8 = False
    for line in non_ascii:
        try:
            line.decode("utf-8")
            any_utf8 = True
            break
        except UnicodeDecodeError:
            continue
    if not any_utf8:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8-sig", errors="replace"), "utf-8"


def _header_map(header: list[str]) -> tuple[dict[str, int], list[str]]:
    index: dict[str, int] = {}
    for position, title in enumerate(header):
        cleaned = (title or "").strip().lower()
        for key, spellings in COLUMNS.items():
            if cleaned in spellings and key not in index:
                index[key] = position
    missing = [COLUMNS[key][0] for key in COLUMNS if key not in index]
    problems = []
    if missing:
        problems.append(
            _(
                "Line 1: the header lacks the column(s) %(columns)s; "
                "expected 姓名, 工号, 店铺, 批次."
            )
            % {"columns": "、".join(missing)}
        )
    return index, problems


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores employee numbers typed as digits as floats: 1024 -> "1024".
        value = int(value)
    return str(value).strip()


def _rows_from_table(table: list[list[object]], encoding: str) -> Roster:
    if not table:
        return Roster(encoding, [], [_("The file is empty.")])
    index, file_errors = _header_map([_cell_text(cell) for cell in table[0]])
    if file_errors:
        return Roster(encoding, [], file_errors)
    if len(table) - 1 > MAX_ROSTER_ROWS:
        return Roster(
            encoding, [], [_("The file has more than %(max)d rows.") % {"max": MAX_ROSTER_ROWS}]
        )
    rows: list[RosterRow] = []
    for line, cells in enumerate(table[1:], start=2):
        values = {
            key: _cell_text(cells[pos]) if pos < len(cells) else "" for key, pos in index.items()
        }
        if not any(values.values()):
            continue  # blank lines are common at the end of spreadsheets
        row = RosterRow(line=line, **values)
        if any("\ufffd" in text for text in values.values()):
            row.problems.append(
                _(
                    "Line %(line)d: unreadable characters (the line is not valid UTF-8 or GBK); "
                    "re-type it or save the file as “CSV UTF-8”."
                )
                % {"line": line}
            )
        rows.append(row)
    if not rows:
        file_errors.append(_("The file has a header but no rows."))
    return Roster(encoding, rows, file_errors)


def _read_csv(data: bytes) -> Roster:
    text, encoding = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    table = [list(record) for record in csv.reader(io.StringIO(text), dialect)]
    return _rows_from_table(table, encoding)


def _read_xlsx(data: bytes) -> Roster:
    from openpyxl import load_workbook  # only needed for spreadsheets

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return Roster("", [], [_("The file is not a readable .xlsx workbook.")])
    try:
        sheet = workbook.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _rows_from_table(table, "xlsx")


def roster_read(file_name: str, data: bytes) -> Roster:
    """Parse a roster file. Problems are collected, never raised."""
    if len(data) > MAX_ROSTER_BYTES:
        return Roster("", [], [_("The file is larger than 2 MB.")])
    lowered = file_name.lower()
    if lowered.endswith(".xlsx"):
        return _read_xlsx(data)
    if lowered.endswith((".csv", ".txt")):
        return _read_csv(data)
    return Roster("", [], [_("Upload a .csv or .xlsx file.")])
