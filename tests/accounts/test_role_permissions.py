"""The permissions each role gets, collected from the apps' declarations, are exactly the
ones the roles had when accounts/roles.py listed them all itself (written out literally
here, so a moved declaration cannot silently widen or narrow a role)."""

from __future__ import annotations

import pytest

from accounts.roles import Role, role_permissions


def _crud(app: str, *models: str) -> set[str]:
    return {
        f"{app}.{action}_{model}"
        for model in models
        for action in ("view", "add", "change", "delete")
    }


AUTHORING = (
    _crud("courses", "course", "module", "lesson", "quiz", "question", "choice")
    | _crud("catalog", "shop", "courier", "promotion", "product", "relatedproduct", "variant")
    | _crud("scenarios", "scenario", "scenarioversion")
    | {
        "courses.view_item_statistics",
        "scenarios.publish_scenario",
        "roleplay.view_session",
        "roleplay.view_report",
        "roleplay.change_report",
        "roleplay.view_dispute",
        "roleplay.change_dispute",
    }
)

# Certification: trainers and admins write tracks; trainers (their cohorts), HR and admins
# read results; HR and admins revoke certificates.
TRACKS = {
    f"certification.{action}_{model}"
    for model in ("track", "trackversion")
    for action in ("view", "add", "change")
} | {"certification.publish_track"}
RESULTS = {
    "certification.view_results",
    "certification.view_certificationattempt",
    "certification.view_certificate",
    "certification.view_typingtest",
}

EXPECTED: dict[Role, set[str]] = {
    Role.TRAINEE: {"accounts.act_as_trainee"},
    Role.TRAINER: {"accounts.train_cohorts", "accounts.view_cohort"} | AUTHORING | TRACKS | RESULTS,
    Role.HR: {
        "accounts.view_cohort",
        "accounts.view_all_cohorts",
        "accounts.assign_cohort_staff",
        "accounts.add_cohort",
        "accounts.onboard_users",
        "accounts.view_user",
        "accounts.reset_password",
    }
    | RESULTS
    | {"certification.revoke_certificate"},
    Role.ADMIN: {
        "accounts.view_cohort",
        "accounts.view_all_cohorts",
        "accounts.assign_cohort_staff",
        "accounts.add_cohort",
        "accounts.change_cohort",
        "accounts.onboard_users",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.reset_password",
        "audit.view_auditevent",
        "diagnostics.run_diagnostics",
        "certification.revoke_certificate",
    }
    | AUTHORING
    | TRACKS
    | RESULTS,
}


def test_collected_permissions_are_todays_sets():
    collected = role_permissions()
    assert set(collected) == set(Role)
    for role in Role:
        assert collected[role] == EXPECTED[role], (
            role,
            sorted(collected[role] - EXPECTED[role]),
            sorted(EXPECTED[role] - collected[role]),
        )


@pytest.mark.django_db
def test_every_declared_permission_exists():
    """A typo in a declaration would otherwise be dropped quietly by roles_sync."""
    from django.contrib.auth.models import Permission

    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    for role, names in role_permissions().items():
        assert names <= existing, (role, sorted(names - existing))
