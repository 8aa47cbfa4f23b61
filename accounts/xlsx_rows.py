"""The first sheet of an XLSX workbook, row by row, for the roster reader.

``openpyxl.load_workbook`` does more than a roster needs, and some of it costs seconds on a
small hostile upload that passes every size limit:

- it reads every sheet to its end when the sheet does not declare its size up front
  (``<dimension>``, which some writers leave out), before the first row is returned;
- it builds an object per shared string, style, theme element and document property,
  at about 100 µs each.

This reader opens the workbook's package, its list of sheets, the shared strings (read
plainly, as text) and the first worksheet, streamed with an explicit width; nothing else.
The metadata parts it parses are capped in size. Numbers stay numbers (dates are not
recognised: that needs the styles, and a roster has no dates).

It builds on openpyxl internals (``ExcelReader``, ``ReadOnlyWorksheet``), checked against the
version pinned in requirements.txt by tests/accounts/test_roster.py and
test_roster_limits.py. Imported only when a workbook is read.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from openpyxl.packaging.relationship import get_rels_path
from openpyxl.reader.excel import ExcelReader, _find_workbook_part
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

# The package's list of parts, the workbook and its relationships: a few KB in a real file,
# parsed into objects one element at a time.
MAX_METADATA_BYTES = 256 * 1024

_SI = f"{{{SHEET_MAIN_NS}}}si"
_T = f"{{{SHEET_MAIN_NS}}}t"
_R = f"{{{SHEET_MAIN_NS}}}r"


class PartTooLarge(Exception):
    def __init__(self, part: str, size: int, limit: int) -> None:
        super().__init__(f"{part}: {size} bytes unpacked, more than {limit}")
        self.part, self.size, self.limit = part, size, limit


class TooManyStrings(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} shared strings")
        self.limit = limit


def _shared_strings(source: IO[bytes], max_strings: int) -> list[str]:
    """The text of each shared string (plain and rich-text runs, as openpyxl's
    ``Text.content``), read as the file streams by."""
    strings: list[str] = []
    for _event, node in iterparse(source):
        if node.tag != _SI:
            continue
        if len(strings) == max_strings:
            raise TooManyStrings(max_strings)
        text = node.findtext(_T) or ""
        runs = node.findall(_R)
        if runs:
            text += "".join(run.findtext(_T) or "" for run in runs)
        strings.append(text.replace("x005F_", ""))  # as openpyxl does
        node.clear()
    return strings


class _UnsizedSheet(ReadOnlyWorksheet):
    def _get_size(self) -> None:
        """Skip openpyxl's search for the declared size (read to the end when it is
        missing): the dimensions stay unknown, as after ``reset_dimensions()``."""


class _FirstSheetReader(ExcelReader):
    max_strings = 0  # set per workbook by first_sheet_rows

    def read(self) -> None:
        self._check_size(ARC_CONTENT_TYPES)
        self.read_manifest()
        self.read_strings()
        workbook_part = _find_workbook_part(self.package).PartName[1:]
        self._check_size(workbook_part)
        self._check_size(get_rels_path(workbook_part))
        self.read_workbook()
        self.read_worksheets()

    def _check_size(self, part: str) -> None:
        if part in self.valid_files:
            size = self.archive.getinfo(part).file_size
            if size > MAX_METADATA_BYTES:
                raise PartTooLarge(part, size, MAX_METADATA_BYTES)

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = _shared_strings(source, self.max_strings)

    def read_worksheets(self) -> None:
        """openpyxl's read-only branch of this method, for the first worksheet alone."""
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)
            return


@contextmanager
def first_sheet_rows(
    data: bytes, *, max_col: int, max_strings: int
) -> Iterator[Iterator[tuple[object, ...]]]:
    """The values of the first worksheet's rows, ``max_col`` wide, parsed as they are read.

    Raises ``PartTooLarge`` for an oversized metadata part, ``TooManyStrings`` past
    ``max_strings`` shared strings, else whatever openpyxl, zipfile or the XML parser raise
    on a damaged workbook (IndexError when it has no worksheet).
    """
    reader = _FirstSheetReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    reader.max_strings = max_strings
    try:
        reader.read()
        sheet = reader.wb.worksheets[0]
        yield sheet.iter_rows(min_row=1, max_col=max_col, values_only=True)
    finally:
        reader.archive.close()  # what Workbook.close() does in read-only mode
