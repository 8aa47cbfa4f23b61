"""The initial passwords of an import: fetched once (CSV, XLSX or slips), by the importer
alone, from the importing browser, within 30 minutes; then gone from everywhere."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import OnboardingBatch, OnboardingPasswords
from accounts.password_files import safe_cell
from accounts.roles import Role
from accounts.services.initial_passwords import cookie_name
from audit.models import AuditEvent
from tests.accounts.conftest import SHOP
from tests.factories import UserFactory

HEADER = "姓名,工号,店铺,批次\n"
ROSTER = HEADER + f"王一,T0001,{SHOP},2026-11\n李二,T0002,yueyi-apparel,2026年11月批次\n"
FORMATS = ("csv", "xlsx", "slips")
URL_NAMES = {
    "csv": "accounts:onboarding_passwords_csv",
    "xlsx": "accounts:onboarding_passwords_xlsx",
    "slips": "accounts:onboarding_password_slips",
}


def _import(client: Client, roster: str = ROSTER) -> OnboardingBatch:
    """Upload and import ``roster`` in ``client``'s browser, as HR does on the pages."""
    upload = SimpleUploadedFile("花名册.csv", roster.encode())
    preview = client.post(reverse("accounts:onboarding_upload"), {"file": upload}).url
    done = client.post(preview, {"action": "apply"})
    assert done.status_code == 200, done.content.decode()
    return OnboardingBatch.objects.get(status=OnboardingBatch.Status.APPLIED)


def _fetch(client: Client, batch: OnboardingBatch, how: str, **extra):
    return client.post(reverse(URL_NAMES[how], args=[batch.pk]), **extra)


def _csv_rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def hr_client(client, hr, cohort, shops) -> Client:
    client.force_login(hr)
    return client


@pytest.mark.django_db
def test_the_csv_holds_every_new_hire_and_a_password_that_signs_them_in(hr_client):
    batch = _import(hr_client)
    response = _fetch(hr_client, batch, "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    header, *rows = _csv_rows(response)
    assert len(header) == 5
    by_number = {row[1]: row for row in rows}
    assert sorted(by_number) == ["T0001", "T0002"]
    name, _number, cohort, sign_in, password = by_number["T0002"]
    assert (name, cohort) == ("李二", "2026年11月批次")
    assert sign_in == "http://testserver" + reverse("accounts:login")
    assert Client().login(username="T0002", password=password)
    assert not Client().login(username="T0001", password=password)


@pytest.mark.django_db
@pytest.mark.parametrize("first", FORMATS)
def test_the_first_retrieval_in_any_form_is_the_only_one(hr_client, first):
    batch = _import(hr_client)
    assert _fetch(hr_client, batch, first).status_code == 200
    for how in FORMATS:
        again = _fetch(hr_client, batch, how, headers={"Accept-Language": "en"})
        assert again.status_code == 410, how
        assert "no-store" in again["Cache-Control"]
        html = again.content.decode()
        assert 'data-testid="passwords-gone"' in html
        assert "can be fetched once only" in html
    assert not OnboardingPasswords.objects.exists()
    # The import's page no longer offers them either.
    page = hr_client.get(reverse("accounts:onboarding_preview", args=[batch.pk])).content
    assert b'data-testid="initial-passwords-gone"' in page
    assert b"download-passwords-csv" not in page


@pytest.mark.django_db
def test_the_database_and_the_audit_log_never_hold_a_password_in_clear(hr_client):
    batch = _import(hr_client)
    sealed = bytes(OnboardingPasswords.objects.get(batch=batch).sealed)
    rows = _csv_rows(_fetch(hr_client, batch, "csv"))[1:]
    passwords = [row[4] for row in rows]
    assert len(passwords) == 2
    stored = json.dumps(
        [list(AuditEvent.objects.values()), list(OnboardingBatch.objects.values("rows"))],
        default=str,
        ensure_ascii=False,
    )
    for password in passwords:
        assert password.encode() not in sealed
        assert password not in stored
    assert AuditEvent.objects.filter(action="onboarding.passwords_fetch").get().after == {
        "format": "csv",
        "count": 2,
    }


@pytest.mark.django_db
def test_the_xlsx_holds_the_same_columns_as_text(hr_client):
    batch = _import(hr_client)
    response = _fetch(hr_client, batch, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows())
    assert len(header) == 5
    assert sorted((row[0].value, row[1].value, row[2].value) for row in rows) == [
        ("李二", "T0002", "2026年11月批次"),
        ("王一", "T0001", "2026年11月批次"),
    ]
    assert all(cell.data_type == "s" for row in rows for cell in row)
    password = next(row[4].value for row in rows if row[1].value == "T0001")
    assert Client().login(username="T0001", password=password)


@pytest.mark.django_db
def test_the_slips_show_one_slip_per_new_hire_for_printing(hr_client):
    batch = _import(hr_client)
    response = _fetch(hr_client, batch, "slips")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert html.count('<section class="slip">') == 2
    assert "accounts/onboarding_slips.css" in html
    for text in ("王一", "T0001", "李二", "T0002", "2026年11月批次", reverse("accounts:login")):
        assert text in html
    assert _fetch(hr_client, batch, "csv").status_code == 410


@pytest.mark.django_db
def test_cells_a_spreadsheet_would_run_are_escaped_in_csv_and_xlsx(hr_client):
    roster = (
        HEADER
        + f'"=HYPERLINK(""http://evil.example"",""点我"")",T0001,{SHOP},2026-11\n'
        + f"+1,T0002,{SHOP},2026-11\n-2,T0003,{SHOP},2026-11\n@SUM(A1),T0004,{SHOP},2026-11\n"
    )
    batch = _import(hr_client, roster)
    names = sorted(row[0] for row in _csv_rows(_fetch(hr_client, batch, "csv"))[1:])
    assert names == ["'+1", "'-2", '\'=HYPERLINK("http://evil.example","点我")', "'@SUM(A1)"]
    assert safe_cell("王一") == "王一" and safe_cell("\t1") == "'\t1"


@pytest.mark.django_db
def test_formula_cells_in_the_xlsx_are_escaped_text(client, hr, cohort, shops):
    client.force_login(hr)
    batch = _import(client, HEADER + f"=1+1,T0001,{SHOP},2026-11\n")
    sheet = load_workbook(io.BytesIO(_fetch(client, batch, "xlsx").content)).active
    cell = sheet["A2"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")


@pytest.mark.django_db
def test_another_hr_user_or_an_admin_cannot_fetch_them_and_does_not_spend_them(
    hr_client, admin_user
):
    batch = _import(hr_client)
    other_hr = UserFactory(username="hr_qian", role=Role.HR)
    name = cookie_name(batch.pk)
    for intruder in (other_hr, admin_user):
        other = Client()
        other.force_login(intruder)
        # Even with the importer's key (a stolen cookie) the batch is not theirs: 404.
        other.cookies[name] = hr_client.cookies[name].value
        for how in FORMATS:
            assert _fetch(other, batch, how).status_code == 404, (intruder, how)
    assert _fetch(hr_client, batch, "csv").status_code == 200


@pytest.mark.django_db
def test_trainees_and_anonymous_visitors_are_refused(hr_client, trainee):
    batch = _import(hr_client)
    signed_in = Client()
    signed_in.force_login(trainee)
    anonymous = Client()
    for how in FORMATS:
        assert _fetch(signed_in, batch, how).status_code == 403
        response = _fetch(anonymous, batch, how)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert OnboardingPasswords.objects.filter(batch=batch).exists()


@pytest.mark.django_db
def test_a_get_never_spends_the_retrieval(hr_client):
    batch = _import(hr_client)
    for how in FORMATS:
        assert hr_client.get(reverse(URL_NAMES[how], args=[batch.pk])).status_code == 405
    assert OnboardingPasswords.objects.filter(batch=batch).exists()


@pytest.mark.django_db
def test_the_importer_in_another_browser_is_told_to_use_the_importing_one(hr_client, hr):
    batch = _import(hr_client)
    elsewhere = Client()
    elsewhere.force_login(hr)
    response = _fetch(elsewhere, batch, "csv", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "browser in which the import was run" in response.content.decode()
    assert _fetch(hr_client, batch, "csv").status_code == 200


@pytest.mark.django_db
def test_after_30_minutes_they_are_gone_and_deleted(hr_client):
    batch = _import(hr_client)
    record = OnboardingPasswords.objects.get(batch=batch)
    assert timedelta(minutes=29) < record.expires_at - timezone.now() <= timedelta(minutes=30)
    OnboardingPasswords.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _fetch(hr_client, batch, "xlsx").status_code == 410
    assert not OnboardingPasswords.objects.exists()


@pytest.mark.django_db
def test_the_purge_command_deletes_expired_passwords_only(hr_client, capsys):
    batch = _import(hr_client)
    call_command("purge_onboarding_passwords")
    assert OnboardingPasswords.objects.filter(batch=batch).exists()
    OnboardingPasswords.objects.update(expires_at=timezone.now())
    call_command("purge_onboarding_passwords")
    assert not OnboardingPasswords.objects.exists()
    assert capsys.readouterr().out.split() == ["deleted", "0", "deleted", "1"]


def test_celery_beat_purges_expired_passwords_every_ten_minutes(hr_client, settings):
    from accounts.tasks import purge_onboarding_passwords_task

    entry = settings.CELERY_BEAT_SCHEDULE["accounts-purge-onboarding-passwords"]
    assert entry["task"] == purge_onboarding_passwords_task.name
    assert entry["schedule"].minute == {0, 10, 20, 30, 40, 50}
    _import(hr_client)
    assert purge_onboarding_passwords_task() == 0
    OnboardingPasswords.objects.update(expires_at=timezone.now())
    assert purge_onboarding_passwords_task() == 1
    assert not OnboardingPasswords.objects.exists()
