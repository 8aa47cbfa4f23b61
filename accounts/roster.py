"""Reading a roster of new hires from CSV or XLSX into rows with their problems.

Nothing here touches the database; ``accounts.services`` adds the checks that need it
(existing employee numbers, unknown cohorts). Every problem names its row and column so
HR can fix the file and upload it again.

Uploads come from outside, so reading is bounded before it starts: the upload's size, the
workbook's unpacked size (checked on the zip's directory, before openpyxl parses a byte),
the number of rows (the file is read row by row and reading stops past the cap), the
columns looked at and the length of a cell.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_ROSTER_BYTES = 2 * 1024 * 1024
MAX_ROSTER_ROWS = 5000
# The four columns are found in the first ones; a row claimed wider is read this wide only
# (openpyxl pads every row to the width a sheet claims, up to 16,384 columns).
MAX_ROSTER_COLUMNS = 50
# Longer than any name, number, shop or cohort may be, so a cut cell is still flagged.
MAX_CELL_CHARS = 256

# A roster of 5,000 rows unpacks to about 1 MB of sheet XML (and as much of shared strings
# when Excel writes it). The limits leave room for a dozen more columns and formatting, and
# refuse what would cost seconds to parse: a few hundred KB can unpack to gigabytes, and
# openpyxl spends about 10 µs on each cell of the sheet even past the row cap's reach.
MAX_XLSX_PARTS = 500
MAX_XLSX_PART_BYTES = 4 * 1024 * 1024
MAX_XLSX_TOTAL_BYTES = 10 * 1024 * 1024
MAX_XLSX_RATIO = 100
# Distinct texts (Excel keeps each once, in the shared strings): four columns of 5,000 rows
# hold at most 20,000.
MAX_XLSX_STRINGS = 10 * MAX_ROSTER_ROWS
# Small parts (styles, an almost empty sheet) legitimately compress very well.
_XLSX_RATIO_FLOOR = 256 * 1024

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
    # The file itself could not be read as a table (damaged, too large, not a roster file):
    # there is nothing to preview, so the upload is refused rather than stored.
    refused: bool = False


class RosterUnreadable(Exception):
    """The file cannot be read as a table; the message says why and where."""


_LINE = re.compile(rb"[^\r\n]+")


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
    # Lines are visited one at a time (``splitlines`` would build a list of two million of
    # them for a file of newlines).
    lines = (match.group() for match in _LINE.finditer(data))
    if not any(_is_utf8(line) for line in lines if not line.isascii()):
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
    # A NUL byte is damage (a UTF-16 file read as UTF-8 is full of them) and PostgreSQL
    # stores none: it becomes U+FFFD, which flags the row as unreadable.
    text = str(value)[: MAX_CELL_CHARS * 4].replace("\x00", "\ufffd")
    return text.strip()[:MAX_CELL_CHARS]


def _row_from_cells(line: int, cells: Sequence[object], index: dict[str, int]) -> RosterRow | None:
    values = {key: _cell_text(cells[pos]) if pos < len(cells) else "" for key, pos in index.items()}
    if not any(values.values()):
        return None  # blank lines are common at the end of spreadsheets
    row = RosterRow(line=line, **values)
    if any("\ufffd" in text for text in values.values()):
        row.problems.append(
            _(
                "Line %(line)d: unreadable characters (the line is not valid UTF-8 or GBK); "
                "re-type it or save the file as “CSV UTF-8”."
            )
            % {"line": line}
        )
    return row


def _rows_from_lines(lines: Iterator[Sequence[object]], encoding: str) -> Roster:
    """Read the header, then the rows one by one, stopping as soon as the cap is passed."""
    header = next(lines, None)
    if header is None:
        raise RosterUnreadable(_("The file is empty."))
    index, file_errors = _header_map([_cell_text(cell) for cell in header[:MAX_ROSTER_COLUMNS]])
    if file_errors:
        return Roster(encoding, [], file_errors)
    rows: list[RosterRow] = []
    for line, cells in enumerate(lines, start=2):
        if line - 1 > MAX_ROSTER_ROWS:
            raise RosterUnreadable(
                _("The file has more than %(max)d rows.") % {"max": MAX_ROSTER_ROWS}
            )
        row = _row_from_cells(line, cells, index)
        if row is not None:
            rows.append(row)
    if not rows:
        file_errors.append(_("The file has a header but no rows."))
    return Roster(encoding, rows, file_errors)


def _csv_lines(text: str) -> Iterator[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="": the csv module splits lines itself (a lone CR ends a line too).
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from reader
    except csv.Error as exc:
        # In practice a cell over the csv module's field limit (a stray quotation mark
        # swallowing the rest of the file); the line is where reading stopped.
        raise RosterUnreadable(
            _(
                "Line %(line)d cannot be read as CSV: a cell is too long or its quotation "
                "marks do not match."
            )
            % {"line": reader.line_num}
        ) from exc


def _read_csv(data: bytes) -> Roster:
    text, encoding = _decode(data)
    with closing(_csv_lines(text)) as lines:
        return _rows_from_lines(lines, encoding)


def _xlsx_check_parts(data: bytes) -> None:
    """Refuse a workbook that unpacks too large, from the zip's directory alone (the sizes it
    declares bind: Python's zipfile never inflates a part past its declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise RosterUnreadable(_("The file is not a readable .xlsx workbook.")) from exc
    if len(parts) > MAX_XLSX_PARTS:
        raise RosterUnreadable(
            _("The workbook has more than %(max)d parts; a roster has a few dozen.")
            % {"max": MAX_XLSX_PARTS}
        )
    for part in parts:
        _xlsx_check_part(part)
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_TOTAL_BYTES:
        raise RosterUnreadable(
            _("The workbook unpacks to %(size)s in all, more than the %(max)s a roster needs.")
            % {"size": filesizeformat(total), "max": filesizeformat(MAX_XLSX_TOTAL_BYTES)}
        )


def _part_too_large(part: str, size: int, limit: int) -> RosterUnreadable:
    return RosterUnreadable(
        _(
            "The workbook's part “%(part)s” unpacks to %(size)s, "
            "more than the %(max)s a roster needs."
        )
        % {"part": part[:100], "size": filesizeformat(size), "max": filesizeformat(limit)}
    )


def _xlsx_check_part(part: zipfile.ZipInfo) -> None:
    if part.file_size > MAX_XLSX_PART_BYTES:
        raise _part_too_large(part.filename, part.file_size, MAX_XLSX_PART_BYTES)
    ratio = part.file_size // max(part.compress_size, 1)
    if part.file_size > _XLSX_RATIO_FLOOR and ratio > MAX_XLSX_RATIO:
        raise RosterUnreadable(
            _(
                "The workbook's part “%(part)s” is compressed %(ratio)d to 1, far more than "
                "a spreadsheet's data; it is refused as a possible decompression bomb."
            )
            % {"part": part.filename[:100], "ratio": ratio}
        )


def _xlsx_lines(data: bytes) -> Iterator[Sequence[object]]:
    """The first sheet's rows as values, parsed as they are read."""
    # openpyxl is only needed for spreadsheets.
    from accounts.xlsx_rows import PartTooLarge, TooManyStrings, first_sheet_rows

    line = 0
    try:
        with first_sheet_rows(
            data, max_col=MAX_ROSTER_COLUMNS, max_strings=MAX_XLSX_STRINGS
        ) as rows:
            for line, values in enumerate(rows, start=1):  # noqa: B007 - kept for the error
                yield values
    except PartTooLarge as exc:
        raise _part_too_large(exc.part, exc.size, exc.limit) from exc
    except TooManyStrings as exc:
        raise RosterUnreadable(
            _("The workbook holds more than %(max)d different texts; a roster holds far fewer.")
            % {"max": exc.limit}
        ) from exc
    except Exception as exc:
        # openpyxl does not document what it raises on a damaged file: zip, zlib and XML
        # errors, and KeyError, IndexError, TypeError or ValueError from odd content. Any of
        # them is the file's fault; logged with its traceback in case one is ours.
        logger.info("Unreadable workbook after row %d", line, exc_info=True)
        if line:
            raise RosterUnreadable(
                _(
                    "The workbook is damaged after row %(line)d (the sheet ends abruptly or "
                    "holds invalid data); open it in Excel or WPS and save it again."
                )
                % {"line": line}
            ) from exc
        raise RosterUnreadable(_("The file is not a readable .xlsx workbook.")) from exc


def _read_xlsx(data: bytes) -> Roster:
    _xlsx_check_parts(data)
    with closing(_xlsx_lines(data)) as lines:
        return _rows_from_lines(lines, "xlsx")


def roster_read(file_name: str, data: bytes) -> Roster:
    """Parse a roster file. Problems are collected, never raised; a file that cannot be read
    as a table at all comes back ``refused`` with the reason as its only file error."""
    try:
        return _roster_read(file_name, data)
    except RosterUnreadable as exc:
        return Roster("", [], [str(exc)], refused=True)


def _roster_read(file_name: str, data: bytes) -> Roster:
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterUnreadable(_("The file is larger than 2 MB."))
    if not data:
        raise RosterUnreadable(_("The file is empty."))
    lowered = file_name.lower()
    if lowered.endswith(".xlsx"):
        return _read_xlsx(data)
    if lowered.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise RosterUnreadable(_("Upload a .csv or .xlsx file."))
