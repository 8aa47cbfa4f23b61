"""Pages: role-aware home, cohort pages and onboarding, each checking role and ownership."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import OnboardingBatch, User
from tests.accounts.conftest import SHOP
from tests.factories import CohortFactory


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, heading, nav_present, nav_absent",
    [
        ("trainee", "欢迎您", [], ["新员工导入", "系统状态", "批次</a>"]),
        ("trainer", "培训师工作台", ["批次</a>"], ["新员工导入", "系统状态"]),
        ("hr", "人事工作台", ["批次</a>", "新员工导入"], ["系统状态"]),
        ("admin_user", "系统管理", ["批次</a>", "新员工导入", "系统状态"], []),
    ],
)
def test_home_page_and_navigation_follow_the_role(
    client, request, cohort, who, heading, nav_present, nav_absent
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    html = client.get(reverse("accounts:home")).content.decode()
    assert heading in html
    nav = html.split('class="mainnav"')[1].split("</nav>")[0]
    for label in nav_present:
        assert label in nav, label
    for label in nav_absent:
        assert label not in nav, label


@pytest.mark.django_db
def test_trainer_sees_only_own_cohorts(client, trainer, cohort):
    other = CohortFactory(name="别的批次")
    client.force_login(trainer)
    html = client.get(reverse("accounts:cohort_list")).content.decode()
    assert cohort.name in html and "别的批次" not in html
    assert client.get(reverse("accounts:cohort_detail", args=[other.pk])).status_code == 404
    # Trainers may look but not reassign staff.
    response = client.post(reverse("accounts:cohort_detail", args=[cohort.pk]), {"trainers": []})
    assert response.status_code == 403
    assert cohort.trainers.filter(pk=trainer.pk).exists()


@pytest.mark.django_db
def test_trainee_cannot_open_cohort_pages(client, trainee, cohort):
    client.force_login(trainee)
    assert client.get(reverse("accounts:cohort_list")).status_code == 403
    assert client.get(reverse("accounts:cohort_detail", args=[cohort.pk])).status_code == 403


@pytest.mark.django_db
def test_cohort_page_lists_members_and_hr_assigns_staff(
    client, hr, cohort, trainee, trainer, other_trainer
):
    client.force_login(hr)
    url = reverse("accounts:cohort_detail", args=[cohort.pk])
    html = client.get(url).content.decode()
    assert trainee.display_name in html and trainee.employee_number in html
    response = client.post(url, {"trainers": [other_trainer.pk], "hr_staff": [hr.pk]})
    assert response.status_code == 302
    assert list(cohort.trainers.all()) == [other_trainer]


@pytest.mark.django_db
def test_assigning_a_trainee_as_trainer_is_rejected(client, hr, cohort, trainee):
    client.force_login(hr)
    response = client.post(
        reverse("accounts:cohort_detail", args=[cohort.pk]), {"trainers": [trainee.pk]}
    )
    assert response.status_code == 200  # form redisplayed with the error
    assert not cohort.trainers.filter(pk=trainee.pk).exists()


@pytest.mark.django_db
def test_hr_creates_a_cohort(client, hr):
    client.force_login(hr)
    response = client.post(
        reverse("accounts:cohort_list"), {"name": "2026年12月批次", "code": "2026-12"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_onboarding_flow_preview_then_import(client, hr, cohort, shops):
    client.force_login(hr)
    upload = SimpleUploadedFile(
        "roster.csv", f"姓名,工号,店铺,批次\n<b>王一</b>,T0001,{SHOP},2026-11\n".encode()
    )
    response = client.post(reverse("accounts:onboarding_upload"), {"file": upload})
    batch = OnboardingBatch.objects.get()
    assert response.url == reverse("accounts:onboarding_preview", args=[batch.pk])
    html = client.get(response.url).content.decode()
    assert "&lt;b&gt;王一&lt;/b&gt;" in html  # user text is escaped
    assert not User.objects.filter(employee_number="T0001").exists()
    done = client.post(response.url, {"action": "apply"})
    html = done.content.decode()
    # Who was created is listed; the passwords are not on the page, only fetchable once.
    assert "T0001" in html and 'data-testid="download-passwords-csv"' in html
    assert "no-store" in done["Cache-Control"]
    assert User.objects.filter(employee_number="T0001").exists()


@pytest.mark.django_db
def test_onboarding_with_problems_shows_them_and_imports_nothing(client, hr, cohort, shops):
    client.force_login(hr)
    roster = f"姓名,工号,店铺,批次\n王一,T0001,{SHOP},无此批次\n"
    upload = SimpleUploadedFile("roster.csv", roster.encode())
    preview = client.post(reverse("accounts:onboarding_upload"), {"file": upload}).url
    html = client.get(preview).content.decode()
    assert "无此批次" in html and "不存在" in html
    client.post(preview, {"action": "apply"})
    assert not User.objects.filter(employee_number="T0001").exists()


@pytest.mark.django_db
def test_trainers_cannot_onboard(client, trainer):
    client.force_login(trainer)
    assert client.get(reverse("accounts:onboarding_upload")).status_code == 403


@pytest.mark.django_db
def test_login_and_logout(client, trainee):
    response = client.post(
        reverse("accounts:login"), {"username": "xiaoya", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:home")).status_code == 302
