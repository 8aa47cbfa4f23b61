"""HR imports new hires in a real browser and fetches their initial passwords once: the
CSV is downloaded and opened, a password from it signs the new hire in, and a second
attempt, in any form, is refused."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import OnboardingPasswords
from catalog.services import catalog_import
from tests.e2e.conftest import ROOT, opened_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOP = "悦衣坊女装旗舰店"  # a shop of the shipped catalogue
ROSTER = f"姓名,工号,店铺,批次\n陈小新,N20001,{SHOP},2026-12\n林二新,N20002,xinma-digital,2026-12\n"


@pytest.fixture
def shops():
    return catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))


def _download(page, test_id: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_test_id(test_id).click()
    return Path(download.value.path()).read_bytes()


def test_hr_downloads_the_initial_passwords_once_and_one_signs_the_new_hire_in(
    browser, live_asgi, page, users, shops
):
    sign_in(page, "hr")
    page.goto("/onboarding/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "新人花名册.csv", "mimeType": "text/csv", "buffer": ROSTER.encode()}]
    )
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_test_id("roster-rows").locator("tbody tr")).to_have_count(2)
    page.get_by_test_id("import-roster").click()

    # The result lists who was created, and no password: those come as a file, once.
    created = page.get_by_test_id("created-users")
    expect(created.locator("tbody tr")).to_have_count(2)
    expect(created).to_contain_text("陈小新")
    expect(page.get_by_test_id("initial-passwords")).to_be_visible()
    table = list(
        csv.reader(io.StringIO(_download(page, "download-passwords-csv").decode("utf-8-sig")))
    )
    rows = {row[1]: row for row in table[1:]}
    assert sorted(rows) == ["N20001", "N20002"]
    name, _number, cohort, sign_in_url, password = rows["N20001"]
    assert (name, cohort) == ("陈小新", "2026年12月批次")
    assert sign_in_url == f"{live_asgi.url}/login/"
    assert password and password not in page.content()
    assert not OnboardingPasswords.objects.exists()  # gone from the server with the download

    # A second attempt, in the other file format, is refused with an explanation.
    page.get_by_test_id("download-passwords-xlsx").click()
    expect(page.get_by_test_id("passwords-gone")).to_be_visible()

    # The new hire signs in with the downloaded password and must choose their own.
    with opened_page(browser, live_asgi.url) as new_hire:
        new_hire.goto("/login/")
        new_hire.get_by_label("用户名或工号").fill("N20001")
        new_hire.get_by_label("密码").fill(password)
        new_hire.get_by_role("button", name="登录").click()
        expect(new_hire).to_have_url(re.compile(r"/password/"))
        expect(new_hire.get_by_test_id("current-user")).to_contain_text("陈小新")
