"""HR's day with certification results, in a real browser: filter a cohort, drill into a
trainee's transcript, export CSV and XLSX (the files opened and their rows checked), check
a certificate anonymously, revoke it, and see the public page say so."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.roles import Role
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _download(page, test_id: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_test_id(test_id).click()
    return Path(download.value.path()).read_bytes()


def test_hr_filters_drills_exports_verifies_and_revokes(page, users, certified, report):
    trainee = users[Role.TRAINEE]
    sign_in(page, "hr")
    page.get_by_role("link", name="认证结果").click()
    page.get_by_label("批次").select_option("2026-12")
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"cohort=2026-12"))
    rows = page.get_by_test_id("trainees").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("已认证")
    expect(page.locator('[data-figure="certified"] strong')).to_have_text("1")

    # The trainee's record, then one conversation with its hits in place.
    rows.first.get_by_role("link", name=trainee.display_name).click()
    expect(page.get_by_test_id("attempts")).to_contain_text("客服上岗认证")
    page.get_by_test_id("sessions").get_by_role("link").first.click()
    expect(page.get_by_test_id("transcript")).to_contain_text("我不知道")
    expect(page.get_by_test_id("transcript").locator("mark.hit").first).to_be_visible()
    page.go_back()
    page.go_back()

    # Exports with the filter applied: every row, the same statuses, opened as a user would.
    table = list(csv.reader(io.StringIO(_download(page, "export-csv").decode("utf-8-sig"))))
    assert table[0][:4] == ["工号", "姓名", "店铺", "状态"]
    assert [row[1] for row in table[1:]] == [trainee.display_name]
    assert table[1][3] == "已认证" and table[1][10] == certified.number
    sheet = load_workbook(io.BytesIO(_download(page, "export-xlsx"))).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in values[1:]] == [trainee.display_name]
    assert values[1][10] == certified.number

    # Anyone can check the certificate by its code.
    verify = f"/certification/certificates/verify/{certified.code}/"
    page.get_by_role("button", name="退出登录").click()
    page.goto(verify)
    expect(page.get_by_test_id("verify-verdict")).to_contain_text("有效")
    expect(page.get_by_test_id("certificate-number")).to_have_text(certified.number)

    # HR revokes it with a reason; the public page then says revoked, without the reason.
    sign_in(page, "hr")
    page.goto(verify)
    page.get_by_test_id("revoke-link").click()
    page.get_by_label("原因").fill("考试期间发现代考")
    page.get_by_test_id("confirm-revoke").click()
    expect(page.get_by_test_id("verify-verdict")).to_contain_text("撤销")
    page.get_by_role("button", name="退出登录").click()
    page.goto(verify)
    expect(page.get_by_test_id("verify-verdict")).to_contain_text("撤销")
    expect(page.locator("body")).not_to_contain_text("代考")
