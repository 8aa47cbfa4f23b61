"""Reading roster files: encodings, headers, spreadsheet quirks."""

import io

from openpyxl import Workbook

from accounts.roster import roster_read

HEADER = "姓名,工号,店铺,批次\n"


def test_utf8_csv_with_bom_is_read():
    data = ("\ufeff" + HEADER + "王小丫,T2001,悦衣坊旗舰店,2026-11\n").encode()
    roster = roster_read("new.csv", data)
    assert roster.file_errors == [] and roster.encoding == "utf-8"
    row = roster.rows[0]
    assert (row.line, row.name, row.employee_number, row.shop, row.cohort) == (
        2,
        "王小丫",
        "T2001",
        "悦衣坊旗舰店",
        "2026-11",
    )


def test_gbk_csv_from_chinese_excel_is_read():
    data = (HEADER + "李四,T2002,数码配件店,2026-11\n").encode("gbk")
    roster = roster_read("new.csv", data)
    assert roster.encoding == "gb18030"
    assert roster.rows[0].name == "李四"


def test_broken_bytes_in_a_utf8_file_are_a_problem_of_that_row_only():
    good = (HEADER + "王小丫,T2001,店,2026-11\n").encode()
    bad = "张三".encode()[:-1] + b",T2002,\xff\xfe,2026-11\n"
    roster = roster_read("new.csv", good + bad)
    assert roster.rows[0].problems == []
    assert len(roster.rows[1].problems) == 1
    assert "第 3 行" in roster.rows[1].problems[0] or "Line 3" in roster.rows[1].problems[0]


def test_english_headers_semicolons_and_blank_lines():
    data = b"name;employee_number;shop;cohort\nAmy;E1;Shop;2026-11\n;;;\n\n"
    roster = roster_read("new.csv", data)
    assert [row.employee_number for row in roster.rows] == ["E1"]


def test_missing_columns_are_named():
    roster = roster_read("new.csv", "姓名,工号\n王,T1\n".encode())
    assert roster.rows == []
    assert "店铺" in roster.file_errors[0] and "批次" in roster.file_errors[0]


def test_xlsx_numbers_become_clean_employee_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "工号", "店铺", "批次"])
    sheet.append(["王小丫", 1024, "悦衣坊旗舰店", "2026-11"])
    sheet.append([None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    roster = roster_read("new.xlsx", buffer.getvalue())
    assert roster.encoding == "xlsx"
    assert [(r.line, r.employee_number) for r in roster.rows] == [(2, "1024")]


def test_unsupported_and_corrupt_files_are_reported_not_raised():
    assert roster_read("new.pdf", b"%PDF").file_errors
    assert roster_read("new.xlsx", b"not a zip").file_errors
    assert roster_read("new.csv", b"").file_errors
    assert roster_read("new.csv", b"x" * (2 * 1024 * 1024 + 1)).file_errors
