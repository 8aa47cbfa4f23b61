"""Onboarding new hires: preview every problem first, then import all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import OnboardingBatch, User
from accounts.services import (
    OnboardingRejected,
    onboarding_batch_apply,
    onboarding_preview_create,
)
from audit.selectors import audit_events_for
from tests.accounts.conftest import SHOP
from tests.factories import UserFactory

HEADER = "姓名,工号,店铺,批次\n"


def _preview(actor, text: str) -> OnboardingBatch:
    return onboarding_preview_create(actor=actor, file_name="roster.csv", data=text.encode())


@pytest.mark.django_db
def test_preview_lists_every_row_problem_and_writes_no_user(hr, cohort, shops):
    UserFactory(username="T0009", employee_number="T0009")
    before = User.objects.count()
    batch = _preview(
        hr,
        HEADER
        + f"王一,T0001,{SHOP},2026-11\n"
        + f"王二,T0001,{SHOP},2026-11\n"  # duplicate of row 2
        + f"王三,T0003,{SHOP},2099-01\n"  # unknown cohort
        + f"王四,T0009,{SHOP},2026-11\n"  # already exists
        + f",T0005,{SHOP},2026-11\n"  # no name
        + f"王六,T 6,{SHOP},2026-11\n",  # bad employee number
    )
    problems = {row["line"]: " ".join(row["problems"]) for row in batch.rows}
    assert problems[2] == ""
    assert "T0001" in problems[3] and "2" in problems[3]
    assert "2099-01" in problems[4]
    assert "T0009" in problems[5]
    assert "姓名" in problems[6]
    assert "T 6" in problems[7]
    assert batch.problem_count == 5
    assert User.objects.count() == before


@pytest.mark.django_db
def test_apply_refuses_a_batch_with_problems_and_changes_nothing(hr, cohort, shops):
    batch = _preview(hr, HEADER + f"王一,T0001,{SHOP},2026-11\n王二,T0002,{SHOP},nope\n")
    before = User.objects.count()
    with pytest.raises(OnboardingRejected):
        onboarding_batch_apply(actor=hr, batch=batch)
    assert User.objects.count() == before
    batch.refresh_from_db()
    assert batch.status == OnboardingBatch.Status.PREVIEWED


@pytest.mark.django_db
def test_apply_creates_trainees_in_their_cohort_with_working_passwords(hr, cohort, shops, client):
    batch = _preview(hr, HEADER + f"王一,T0001,{SHOP},2026-11\n李二,T0002,{SHOP},2026年11月批次\n")
    assert batch.problem_count == 0
    created = onboarding_batch_apply(actor=hr, batch=batch)
    assert [item.user.username for item in created] == ["T0001", "T0002"]
    user = User.objects.get(employee_number="T0002")
    assert user.display_name == "李二" and user.primary_role.value == "trainee"
    assert cohort.trainees.filter(pk=user.pk).exists()
    assert client.login(username="T0002", password=created[1].password)
    batch.refresh_from_db()
    assert batch.status == OnboardingBatch.Status.APPLIED
    assert audit_events_for(batch).get().after == {"created": ["T0001", "T0002"]}


@pytest.mark.django_db
def test_apply_rechecks_numbers_taken_since_the_preview(hr, cohort, shops):
    batch = _preview(hr, HEADER + f"王一,T0001,{SHOP},2026-11\n王二,T0002,{SHOP},2026-11\n")
    UserFactory(username="T0002", employee_number="T0002")  # someone else took it meanwhile
    with pytest.raises(OnboardingRejected):
        onboarding_batch_apply(actor=hr, batch=batch)
    assert not User.objects.filter(employee_number="T0001").exists()
    batch.refresh_from_db()
    assert any("T0002" in p for row in batch.rows for p in row["problems"])


@pytest.mark.django_db
def test_a_batch_is_applied_once(hr, cohort, shops):
    batch = _preview(hr, HEADER + f"王一,T0001,{SHOP},2026-11\n")
    onboarding_batch_apply(actor=hr, batch=batch)
    with pytest.raises(ValidationError):
        onboarding_batch_apply(actor=hr, batch=batch)
    assert User.objects.filter(employee_number="T0001").count() == 1


@pytest.mark.django_db
def test_an_unknown_shop_is_a_row_error_naming_the_known_shops(hr, cohort, shops, english):
    batch = _preview(
        hr,
        HEADER
        + f"王一,T0001,{SHOP},2026-11\n"
        + "王二,T0002,悦衣坊,2026-11\n"  # not a shop's name: a shortened one
        + "王三,T0003,xinma-digital,2026-11\n"  # a shop's slug
        + "王四,T0004,,2026-11\n",  # no shop yet
    )
    problems = {row["line"]: row["problems"] for row in batch.rows}
    assert problems[2] == [] and problems[4] == [] and problems[5] == []
    assert problems[3] == [
        "Row 3: 店铺 “悦衣坊” is not a known shop. Known shops: "
        "康源海外保健旗舰店、悦衣坊女装旗舰店、芯码数码配件专营店."
    ]
    before = User.objects.count()
    with pytest.raises(OnboardingRejected):
        onboarding_batch_apply(actor=hr, batch=batch)
    assert User.objects.count() == before  # nothing from a file with an error


@pytest.mark.django_db
def test_with_no_shop_at_all_a_shop_cell_says_so(hr, cohort, english):
    batch = _preview(hr, HEADER + f"王一,T0001,{SHOP},2026-11\n")
    assert batch.rows[0]["problems"] == [
        f"Row 2: 店铺 “{SHOP}” is not a known shop; no shop exists yet."
    ]


@pytest.mark.django_db
def test_a_shop_given_by_its_slug_is_stored_by_its_name(hr, cohort, shops):
    batch = _preview(hr, HEADER + "王一,T0001,yueyi-apparel,2026-11\n王二,T0002,,2026-11\n")
    onboarding_batch_apply(actor=hr, batch=batch)
    assert dict(
        User.objects.filter(employee_number__in=["T0001", "T0002"]).values_list(
            "employee_number", "shop"
        )
    ) == {"T0001": SHOP, "T0002": ""}


@pytest.mark.django_db
def test_a_shop_deleted_after_the_preview_stops_the_import(hr, cohort, shops):
    from catalog.models import Shop

    batch = _preview(hr, HEADER + f"王一,T0001,{SHOP},2026-11\n")
    assert batch.problem_count == 0
    Shop.objects.filter(name=SHOP).delete()
    with pytest.raises(OnboardingRejected):
        onboarding_batch_apply(actor=hr, batch=batch)
    assert not User.objects.filter(employee_number="T0001").exists()


@pytest.mark.django_db
def test_only_hr_and_admins_onboard(trainer, trainee):
    for user in (trainer, trainee):
        with pytest.raises(PermissionDenied):
            _preview(user, HEADER)


def test_generated_first_passwords_are_hashed_for_a_roster_of_thousands_and_rehashed_at_sign_in(
    db,
):
    """A generated first password is hashed with 20,000 rounds (a roster of thousands is
    imported in seconds, not minutes); the first sign-in stores it with the default hasher."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from accounts.hashers import InitialPasswordHasher
    from accounts.roles import Role
    from accounts.services import initial_password, user_build

    password = initial_password()
    user = user_build(
        username="T9001",
        role=Role.TRAINEE,
        password=password,
        hasher=InitialPasswordHasher.algorithm,
    )
    user.save()
    assert user.password.startswith("pbkdf2_sha256_initial$20000$")
    request = RequestFactory().post("/login/")
    assert authenticate(request, username="T9001", password=password) is not None
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
