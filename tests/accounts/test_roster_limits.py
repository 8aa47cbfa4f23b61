"""Hostile and damaged roster files: refused with a message that says where, quickly and in
bounded memory, never a 500 and never a stored batch."""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from accounts import roster as roster_module
from accounts.models import OnboardingBatch
from accounts.roster import (
    MAX_CELL_CHARS,
    MAX_ROSTER_BYTES,
    MAX_ROSTER_ROWS,
    MAX_XLSX_PART_BYTES,
    roster_read,
)
from accounts.services import onboarding_preview_create
from tests.runaway import RUNAWAY_S

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["姓名", "工号", "店铺", "批次"]


def _workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for number in range(1, rows + 1):
        sheet.append([f"学员{number}", f"T{number:05d}", "悦衣坊旗舰店", "2026-11"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """The same workbook with one part's content replaced (a well-formed zip throughout)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = content if info.filename == name else source.read(info.filename)
            target.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(SHEET)


def _claim_dimension(sheet: bytes, ref: str) -> bytes:
    """The sheet claiming another size than it holds (``<dimension ref="A1:D3" />``)."""
    claimed, count = re.subn(
        rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="%s"/>' % ref.encode(), sheet
    )
    assert count == 1
    return claimed


def _measured(file_name: str, data: bytes) -> tuple[roster_module.Roster, float, int]:
    """Read a roster in English; return it with the wall time and the peak of memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with translation.override("en"):
            roster = roster_read(file_name, data)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return roster, elapsed, peak


MB = 1024 * 1024


def test_a_300000_row_workbook_is_refused_fast_and_in_bounded_memory():
    """The reported bomb: 300,000 rows of one short cell, a small upload."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for _ in range(300_000):
        sheet.append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert len(data) < MAX_ROSTER_BYTES  # it passes the upload size limit

    roster, elapsed, peak = _measured("bomb.xlsx", data)

    assert roster.rows == [] and roster.refused
    message = " ".join(roster.file_errors)
    assert "more than 5000 rows" in message or "a roster needs" in message, message
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def test_reading_stops_at_the_row_cap():
    """20,000 real rows within every size limit: only the first 5,001 are read."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for number in range(20_000):
        sheet.append([f"学员{number}", f"T{number:06d}"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        assert archive.getinfo(SHEET).file_size < MAX_XLSX_PART_BYTES
    roster, elapsed, peak = _measured("long.xlsx", buffer.getvalue())
    assert roster.refused and roster.file_errors == [
        f"The file has more than {MAX_ROSTER_ROWS} rows."
    ]
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def _with_last_row(sheet: bytes) -> bytes:
    """The sheet with one more row, at the bottom of the grid: openpyxl yields an empty row
    for every row number skipped, a million of them from a few bytes."""
    last = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = _claim_dimension(sheet, "A1:D1048576")
    return sheet.replace(b"</sheetData>", last + b"</sheetData>")


def test_rows_past_the_cap_are_never_read():
    data = _workbook(2)
    sheet = _with_last_row(_sheet_xml(data))
    roster, elapsed, peak = _measured("tall.xlsx", _replace_part(data, SHEET, sheet))
    assert roster.refused and roster.file_errors == [
        f"The file has more than {MAX_ROSTER_ROWS} rows."
    ]
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def test_a_sheet_claiming_16384_columns_is_read_narrow():
    """openpyxl pads every row to the claimed width: 500 rows would be 8 million cells."""
    data = _workbook(500)
    sheet = _claim_dimension(_sheet_xml(data), "A1:XFD501")
    roster, elapsed, peak = _measured("wide.xlsx", _replace_part(data, SHEET, sheet))
    assert not roster.refused and roster.file_errors == []
    assert len(roster.rows) == 500
    assert roster.rows[-1].employee_number == "T00500"
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def test_a_sheet_that_unpacks_to_a_huge_part_is_refused_before_parsing():
    data = _workbook(2)
    sheet = _sheet_xml(data).replace(b"<sheetData>", b"<sheetData>" + b" " * (50 * MB))
    bomb = _replace_part(data, SHEET, sheet)
    assert len(bomb) < MAX_ROSTER_BYTES
    roster, elapsed, peak = _measured("zipbomb.xlsx", bomb)
    assert roster.refused and len(roster.file_errors) == 1
    message = roster.file_errors[0]
    assert message.startswith("The workbook's part “xl/worksheets/sheet1.xml” unpacks to 50")
    assert message.endswith(f"more than the {filesizeformat(MAX_XLSX_PART_BYTES)} a roster needs.")
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def test_a_part_compressed_suspiciously_well_is_refused():
    data = _workbook(2)
    sheet = _sheet_xml(data).replace(b"<sheetData>", b"<sheetData>" + b" " * (3 * MB))
    with translation.override("en"):
        roster = roster_read("squeezed.xlsx", _replace_part(data, SHEET, sheet))
    assert roster.refused
    assert "sheet1.xml" in roster.file_errors[0] and "to 1" in roster.file_errors[0]


def test_a_sheet_without_its_size_is_not_read_to_the_end_before_the_first_row():
    """openpyxl scans a sheet that does not declare its size to its end when it opens the
    workbook: 200,000 empty rows (3 MB, within every limit) cost seconds before the cap."""
    data = _workbook(2)
    sheet = re.sub(rb'<dimension ref="[^"]*" ?/>', b"", _sheet_xml(data))
    rows = b"".join(b'<row r="%d"/>' % number for number in range(4, 200_000))
    sheet = sheet.replace(b"</sheetData>", rows + b"</sheetData>")
    roster, elapsed, peak = _measured("undeclared.xlsx", _replace_part(data, SHEET, sheet))
    assert roster.refused and roster.file_errors == [
        f"The file has more than {MAX_ROSTER_ROWS} rows."
    ]
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def _with_shared_strings(data: bytes, strings: list[bytes], cells: list[list[int]]) -> bytes:
    """The workbook as Excel writes it: texts in xl/sharedStrings.xml, cells pointing at them
    by index (``strings`` are <si> bodies, ``cells`` rows of indexes)."""
    table = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"".join(b"<si>%s</si>" % body for body in strings)
        + b"</sst>"
    )
    rows = b"".join(
        b'<row r="%d">' % (number + 1)
        + b"".join(b'<c t="s"><v>%d</v></c>' % index for index in indexes)
        + b"</row>"
        for number, indexes in enumerate(cells)
    )
    sheet = re.sub(
        rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows + b"</sheetData>", _sheet_xml(data)
    )
    last = f"D{len(cells)}".encode()
    sheet = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:%s"/>' % last, sheet)
    types_part = "[Content_Types].xml"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read(types_part)
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    data = _replace_part(data, types_part, types.replace(b"</Types>", override + b"</Types>"))
    data = _replace_part(data, SHEET, sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/sharedStrings.xml", table, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_shared_strings_and_rich_text_are_read_as_excel_writes_them():
    strings = [
        "<t>姓名</t>".encode(),
        "<t>工号</t>".encode(),
        "<t>店铺</t>".encode(),
        "<t>批次</t>".encode(),
        # Rich text in runs, and a phonetic guide that is not part of the text.
        "<r><t>王</t></r><r><rPr><b/></rPr><t>小丫</t></r>".encode()
        + b'<rPh sb="0" eb="1"><t>wang</t></rPh>',
        b"<t>T2001</t>",
        '<t xml:space="preserve"> 悦衣坊旗舰店 </t>'.encode(),
        b"<t>2026-11</t>",
    ]
    data = _with_shared_strings(_workbook(0), strings, [[0, 1, 2, 3], [4, 5, 6, 7]])
    roster = roster_read("excel.xlsx", data)
    assert roster.file_errors == [] and not roster.refused
    row = roster.rows[0]
    assert (row.line, row.name, row.employee_number, row.shop, row.cohort) == (
        2,
        "王小丫",
        "T2001",
        "悦衣坊旗舰店",
        "2026-11",
    )


def test_a_roster_sized_shared_string_table_is_read_fast_and_flat():
    """20,000 distinct texts, as many as four columns of 5,000 rows can hold: openpyxl would
    build an object for each (seconds); read as plain text they cost a fraction of that."""
    strings = [b"<t>%d</t>" % number for number in range(20_000)]
    header = [f"<t>{title}</t>".encode() for title in HEADER]
    data = _with_shared_strings(
        _workbook(0), header + strings, [[0, 1, 2, 3], [4, 5, 6, 7], [19_000, 19_001, 6, 7]]
    )
    roster, elapsed, peak = _measured("strings.xlsx", data)
    assert not roster.refused and roster.file_errors == []
    assert [row.employee_number for row in roster.rows] == ["1", "18997"]
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def test_too_many_shared_strings_are_refused_fast():
    """180,000 distinct texts fit in the part size limit; openpyxl spends over 10 s on them."""
    strings = [b"<t>%d</t>" % number for number in range(180_000)]
    data = _with_shared_strings(_workbook(0), strings, [[0, 1, 2, 3]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size < MAX_XLSX_PART_BYTES
    roster, elapsed, peak = _measured("strings.xlsx", data)
    assert roster.refused and roster.file_errors == [
        f"The workbook holds more than {10 * MAX_ROSTER_ROWS} different texts; "
        "a roster holds far fewer."
    ]
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def test_an_oversized_package_list_is_refused():
    data = _workbook(2)
    part = "[Content_Types].xml"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read(part)
    padding = b"".join(
        b'<Override PartName="/unused/%d.xml" ContentType="application/xml"/>' % number
        for number in range(6000)
    )
    roster = roster_read(
        "types.xlsx", _replace_part(data, part, types.replace(b"</Types>", padding + b"</Types>"))
    )
    assert roster.refused and "[Content_Types].xml" in roster.file_errors[0]


def test_the_total_unpacked_size_is_capped(monkeypatch):
    data = _workbook(50)
    monkeypatch.setattr(roster_module, "MAX_XLSX_TOTAL_BYTES", 10_000)
    with translation.override("en"):
        roster = roster_read("many.xlsx", data)
    assert roster.refused and roster.rows == []
    assert "in all" in roster.file_errors[0], roster.file_errors


def test_a_truncated_sheet_names_the_last_row_read():
    data = _workbook(40)
    sheet = _sheet_xml(data)
    cut = sheet.index(b'<row r="21"') + 30  # in the middle of row 21
    with translation.override("en"):
        roster = roster_read("cut.xlsx", _replace_part(data, SHEET, sheet[:cut]))
    assert roster.refused and roster.rows == []
    assert "after row 20" in roster.file_errors[0], roster.file_errors


def test_a_sheet_with_an_entity_bomb_is_refused():
    """A billion laughs in the sheet's XML: the parser's amplification limit stops it."""
    data = _workbook(1)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">'
            % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
            for level in range(1, 10)
        )
        + b"]>"
    )
    sheet = _sheet_xml(data)
    assert b"T00001" in sheet
    sheet = laughs + sheet.replace(b"T00001", b"&lol9;")
    started = time.perf_counter()
    roster = roster_read("laughs.xlsx", _replace_part(data, SHEET, sheet))
    assert roster.refused and roster.rows == []
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "data",
    [b"not a zip at all", b"PK\x03\x04 truncated local header", b""],
    ids=["not-a-zip", "broken-zip", "empty"],
)
def test_files_that_are_not_workbooks_are_refused(data):
    with translation.override("en"):
        roster = roster_read("roster.xlsx", data)
    assert roster.refused and roster.rows == []
    assert roster.file_errors in (
        ["The file is not a readable .xlsx workbook."],
        ["The file is empty."],
    )


def test_a_csv_of_two_million_lines_stops_at_the_cap():
    data = ",".join(HEADER).encode("gbk") + b"\n" + b"\n" * (MAX_ROSTER_BYTES - 100)
    roster, elapsed, peak = _measured("lines.csv", data)
    assert roster.refused and roster.file_errors == [
        f"The file has more than {MAX_ROSTER_ROWS} rows."
    ]
    assert elapsed < RUNAWAY_S, elapsed
    assert peak < 30 * MB, peak


def test_a_csv_cell_longer_than_the_field_limit_names_its_line():
    data = (
        ",".join(HEADER) + "\n王一,T1,店,2026-11\n" + '"' + "x" * 200_000 + '",T2,店,2026-11\n'
    ).encode()
    with translation.override("en"):
        roster = roster_read("long.csv", data)
    assert roster.refused and roster.rows == []
    assert roster.file_errors[0].startswith("Line 3"), roster.file_errors


@pytest.mark.django_db
def test_long_cells_are_cut_short_and_still_flagged(hr, cohort):
    """A 100,000-character name is not stored whole; cut, it is still over the limit."""
    data = (",".join(HEADER) + "\n" + "王" * 100_000 + ",T1,店,2026-11\n").encode()
    batch = onboarding_preview_create(actor=hr, file_name="wide.csv", data=data)
    (row,) = batch.rows
    assert len(row["name"]) == MAX_CELL_CHARS
    assert any("150" in problem for problem in row["problems"]), row["problems"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "file_name, data",
    [
        ("花名册.xlsx", b"this is not a zip"),
        ("截断的花名册.xlsx", None),  # built below: sheet XML cut in the middle
        ("空文件.csv", b""),
    ],
    ids=["not-a-zip", "truncated-sheet", "empty"],
)
def test_an_unreadable_upload_is_a_form_error_naming_the_file_and_stores_nothing(
    client, hr, cohort, file_name, data
):
    if data is None:
        workbook = _workbook(10)
        sheet = _sheet_xml(workbook)
        data = _replace_part(workbook, SHEET, sheet[: len(sheet) // 2])
    client.force_login(hr)
    response = client.post(
        reverse("accounts:onboarding_upload"), {"file": SimpleUploadedFile(file_name, data)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html
    if data:
        assert file_name in html
    assert OnboardingBatch.objects.count() == 0


@pytest.mark.django_db
def test_an_upload_over_the_cap_is_refused_with_the_row_cap_message(client, hr, cohort):
    data = _workbook(2)
    sheet = _with_last_row(_sheet_xml(data))
    client.force_login(hr)
    started = time.perf_counter()
    response = client.post(
        reverse("accounts:onboarding_upload"),
        {"file": SimpleUploadedFile("大表.xlsx", _replace_part(data, SHEET, sheet))},
    )
    assert time.perf_counter() - started < 5
    assert response.status_code == 200
    html = response.content.decode()
    assert "大表.xlsx" in html and str(MAX_ROSTER_ROWS) in html
    assert OnboardingBatch.objects.count() == 0
