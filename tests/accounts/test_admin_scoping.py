"""The Django admin shows a staff member only what the pages show them: the same selectors
(accounts.selectors) decide which cohorts, people and rosters they see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Cohort, OnboardingBatch, User
from accounts.services import cohort_assign_staff, onboarding_preview_create
from audit.models import AuditEvent
from tests.accounts.conftest import SHOP
from tests.factories import CohortFactory, UserFactory


def _grant(user: User, *codenames: str) -> User:
    """A deployment may widen a role in the admin; scoping must still hold."""
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached


def _change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def _changelist_url(model) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


@pytest.fixture
def other_cohort(db, other_trainer):
    """Cohort 2: trained by other_trainer, with a trainee of its own."""
    cohort = CohortFactory(name="2026年12月批次", code="2026-12")
    cohort.trainers.add(other_trainer)
    cohort.trainees.add(UserFactory(username="T2001", display_name="孙二", employee_number="T2001"))
    return cohort


def _refused(response) -> bool:
    """Django's admin answers a hidden object with a redirect to the index (or 403/404)."""
    if response.status_code == 302:
        return response.url == reverse("admin:index")
    return response.status_code in (403, 404)


@pytest.mark.django_db
def test_trainer_of_another_cohort_cannot_open_it_in_the_admin(
    client, other_trainer, cohort, other_cohort
):
    client.force_login(other_trainer)
    response = client.get(_change_url(cohort))
    assert _refused(response), response.status_code
    followed = client.get(_change_url(cohort), follow=True).content.decode()
    for member in ("王小丫", "T1001", "xiaoya"):
        assert member not in followed, member
    for path in ("history", "delete"):
        url = reverse(f"admin:accounts_cohort_{path}", args=[cohort.pk])
        assert _refused(client.get(url)), path

    listing = client.get(_changelist_url(Cohort)).content.decode()
    assert other_cohort.name in listing
    assert cohort.name not in listing


@pytest.mark.django_db
def test_trainer_sees_own_cohort_and_its_members_in_the_admin(client, trainer, cohort):
    client.force_login(trainer)
    html = client.get(_change_url(cohort)).content.decode()
    assert "王小丫" in html


@pytest.mark.django_db
def test_admin_and_page_agree_on_every_cohort_for_every_staff_member(
    client, trainer, other_trainer, admin_user, cohort, other_cohort
):
    for user in (trainer, other_trainer, admin_user):
        client.force_login(user)
        for target in (cohort, other_cohort):
            page_shows = client.get(f"/cohorts/{target.pk}/").status_code == 200
            admin_response = client.get(_change_url(target))
            assert page_shows == (admin_response.status_code == 200), (user, target)
            if not page_shows:
                assert _refused(admin_response)
        listed = client.get(_changelist_url(Cohort)).content.decode()
        page_list = client.get("/cohorts/").content.decode()
        for target in (cohort, other_cohort):
            assert (target.name in listed) == (target.name in page_list), (user, target)


@pytest.mark.django_db
def test_user_admin_shows_a_trainer_only_the_people_of_their_cohorts(
    client, trainer, cohort, other_cohort
):
    trainer = _grant(trainer, "view_user")
    client.force_login(trainer)
    listing = client.get(_changelist_url(User)).content.decode()
    assert "xiaoya" in listing  # a trainee of their cohort
    assert "T2001" not in listing  # a trainee of cohort 2
    outsider = User.objects.get(username="T2001")
    assert _refused(client.get(_change_url(outsider)))
    assert client.get(_change_url(User.objects.get(username="xiaoya"))).status_code == 200


@pytest.mark.django_db
def test_admins_still_see_everyone_and_every_cohort(client, admin_user, cohort, other_cohort):
    client.force_login(admin_user)
    listing = client.get(_changelist_url(Cohort)).content.decode()
    assert cohort.name in listing and other_cohort.name in listing
    people = client.get(_changelist_url(User)).content.decode()
    assert "xiaoya" in people and "T2001" in people
    assert client.get(_change_url(cohort)).status_code == 200


@pytest.mark.django_db
def test_rosters_in_the_admin_only_for_those_who_onboard(
    client, hr, trainer, admin_user, cohort, shops
):
    batch = onboarding_preview_create(
        actor=hr,
        file_name="新人花名册.csv",
        data=f"姓名,工号,店铺,批次\n王一,T0001,{SHOP},2026-11\n".encode(),
    )
    trainer = _grant(trainer, "view_onboardingbatch")
    client.force_login(trainer)
    assert "新人花名册.csv" not in client.get(_changelist_url(OnboardingBatch)).content.decode()
    assert _refused(client.get(_change_url(batch)))
    client.force_login(admin_user)
    assert client.get(_change_url(batch)).status_code == 200


@pytest.mark.django_db
def test_audit_log_in_the_admin_only_for_those_who_see_every_cohort(
    client, hr, trainer, other_trainer, admin_user, cohort
):
    cohort_assign_staff(actor=hr, cohort=cohort, trainers=[other_trainer], hr_staff=[hr])
    event = AuditEvent.objects.get(action="cohort.assign_staff")
    trainer = _grant(trainer, "view_auditevent")
    client.force_login(trainer)
    assert "cohort.assign_staff" not in client.get(_changelist_url(AuditEvent)).content.decode()
    assert _refused(client.get(_change_url(event)))
    client.force_login(admin_user)
    assert client.get(_change_url(event)).status_code == 200


@pytest.mark.django_db
def test_administrators_see_sign_in_lockouts_without_a_broken_action(client):
    from axes.models import AccessAttempt

    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    AccessAttempt.objects.create(
        username="xiaoya",
        ip_address="127.0.0.1",
        failures_since_start=5,
        user_agent="test",
        path_info="/login/",
        get_data="",
        post_data="",
    )
    client.force_login(root)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "xiaoya" in page.content.decode()
    # Axes' clean-up action answers 500 from the admin; deleting a lock-out still works.
    assert "cleanup_expired_attempts" not in page.content.decode()
    assert 'value="delete_selected"' in page.content.decode()
