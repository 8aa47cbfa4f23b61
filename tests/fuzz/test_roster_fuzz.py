"""Hostile rosters of new hires: CSV in any encoding and dialect, workbooks written by
openpyxl with random cells, the same workbooks damaged, and random bytes.

Reading never raises and is never slow. A file is either refused with one message, or read
into rows in file order whose every problem names its own row; the onboarding preview
(which adds the checks against the database) stores what it read and every problem it adds
names the row too.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts.models import OnboardingBatch
from accounts.roster import COLUMNS, MAX_CELL_CHARS, MAX_ROSTER_ROWS, roster_read
from tests.runaway import RUNAWAY_S

FUZZ = settings(
    max_examples=150,
    deadline=None,  # timed against RUNAWAY_S instead
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

SPELLINGS = [spelling for spellings in COLUMNS.values() for spelling in spellings]
WORDS = [
    *SPELLINGS,
    "悦衣坊旗舰店",
    "2026-11",
    "T1001",
    "T1001",
    "王小丫",
    " ",
    "",
    "=1+1",
    "\ufffd",
]
# What openpyxl can write into a cell: no control characters, no lone surrogates.
cell_texts = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.text(alphabet="T0123456789-_ ", max_size=8),
)
cells = st.one_of(
    st.none(),
    cell_texts,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(9999, 1, 1)),
)
headers = st.one_of(
    st.permutations(["姓名", "工号", "店铺", "批次"]).map(list),
    st.lists(st.one_of(st.sampled_from(SPELLINGS), cell_texts), max_size=6),
)
# A CSV cell may hold anything, control characters included.
csv_tables = st.tuples(
    headers, st.lists(st.lists(st.one_of(cells, st.text(max_size=10)), max_size=7), max_size=8)
)


def _workbook(header: list, rows: list[list], leading_sheet: bool, blank_rows: int) -> bytes:
    book = Workbook()
    book.properties.created = book.properties.modified = datetime.datetime(2026, 11, 1)
    sheet = book.active
    if leading_sheet:
        # The roster reader reads the first sheet only: here an empty one.
        sheet = book.create_sheet("名单")
    for _ in range(blank_rows):
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


workbooks = st.builds(
    _workbook, headers, st.lists(st.lists(cells, max_size=7), max_size=8), st.booleans(),
    st.integers(0, 2),
)  # fmt: skip


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = content if info.filename == name else source.read(info.filename)
            target.writestr(info.filename, body)
    return out.getvalue()


XML_PIECES = [b"<", b">", b"</", b"/>", b"<row>", b"<c r=\"A1\" t=\"s\"><v>9</v></c>", b"<si>",
              b"<t>", b"x", b"\"", b"&amp;", b"&bogus;", b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
              b"<sheetData>", b"</sheetData>", b"\xff", b"<?xml version=\"1.0\"?>"]  # fmt: skip
PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml",
         "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml"]  # fmt: skip


@st.composite
def damaged_workbooks(draw) -> bytes:
    data = draw(workbooks)
    damage = draw(st.sampled_from(["truncate", "flip", "part"]))
    # A place drawn apart from the file's length, which varies from run to run (the zip
    # compresses the workbook's timestamps), so that the draws stay the same.
    index = draw(st.integers(0, 2**20)) % len(data)
    if damage == "truncate":
        return data[:index]
    if damage == "flip":
        return data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1 :]
    content = b"".join(draw(st.lists(st.sampled_from(XML_PIECES), max_size=12)))
    return _replace_part(data, draw(st.sampled_from(PARTS)), content)


def _csv(table: tuple[list, list[list]], delimiter: str, encoding: str) -> bytes:
    header, rows = table
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in [header, *rows]:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue().encode(encoding, "replace")


csv_files = st.builds(
    _csv, csv_tables, st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)  # fmt: skip
uploads = st.one_of(
    st.tuples(st.just("名单.xlsx"), workbooks),
    st.tuples(st.just("名单.xlsx"), damaged_workbooks()),
    st.tuples(st.sampled_from(["名单.csv", "ROSTER.TXT"]), csv_files),
    st.tuples(st.sampled_from(["名单.csv", "名单.xlsx", "名单.pdf"]), st.binary(max_size=300)),
)
LINE = re.compile(r"^(Line|Row) (\d+)\b")


def _read(file_name: str, data: bytes):
    start = time.perf_counter()
    with translation.override("en"):
        roster = roster_read(file_name, data)
    assert time.perf_counter() - start < RUNAWAY_S
    return roster


@FUZZ
@given(uploads)
@example(("名单.csv", "姓名,工号,店铺,批次\n王小丫,T1,店,2026-11\n".encode("utf-16")))
def test_a_roster_is_read_into_placed_rows_or_refused_with_a_reason(upload):
    roster = _read(*upload)
    if roster.refused:
        assert roster.rows == [] and len(roster.file_errors) == 1 and roster.file_errors[0]
        return
    lines = [row.line for row in roster.rows]
    assert lines == sorted(set(lines)) and all(2 <= n <= MAX_ROSTER_ROWS + 1 for n in lines)
    for row in roster.rows:
        cells = (row.name, row.employee_number, row.shop, row.cohort)
        assert any(cells) and all(len(cell) <= MAX_CELL_CHARS for cell in cells)
        for problem in row.problems:
            assert LINE.match(problem).group(2) == str(row.line), problem
    for error in roster.file_errors:
        assert LINE.match(error) or error == "The file has a header but no rows.", error


@pytest.mark.django_db
@settings(FUZZ, max_examples=60)
@given(
    st.one_of(csv_files.map(lambda d: ("名单.csv", d)), workbooks.map(lambda d: ("名单.xlsx", d)))
)
@example(("名单.csv", "姓名,工号,店铺,批次\n王小丫,T1,悦衣坊旗舰店,2026-11\n".encode("utf-16")))
@example(("名单.csv", "姓名,工号,店铺,批次\n王\x00小丫,T1,悦衣坊旗舰店,2026-11\n".encode()))
def test_the_onboarding_preview_stores_the_rows_and_every_problem_names_its_row(hr, cohort, upload):
    file_name, data = upload
    with translation.override("en"):
        from accounts.services import onboarding_preview_create

        try:
            batch = onboarding_preview_create(actor=hr, file_name=file_name, data=data)
        except ValidationError as refused:
            assert list(refused.message_dict) == ["file"]
            return
    stored = OnboardingBatch.objects.get(pk=batch.pk)
    assert stored.rows == batch.rows
    for row in stored.rows:
        for problem in row["problems"]:
            assert LINE.match(problem).group(2) == str(row["line"]), problem
