import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role, role_permissions
from accounts.services import roles_sync


@pytest.mark.django_db
def test_every_role_group_exists_with_its_permissions():
    for role, names in role_permissions().items():
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == names, role


@pytest.mark.django_db
def test_roles_sync_restores_defaults_after_edits():
    group = Group.objects.get(name=Role.HR.value)
    group.permissions.clear()
    roles_sync()
    assert group.permissions.filter(codename="onboard_users").exists()


@pytest.mark.django_db
def test_permissions_follow_roles(trainee, trainer, hr, admin_user):
    assert trainee.has_perm("accounts.act_as_trainee")
    assert not trainee.has_perm("accounts.view_cohort")
    assert trainer.has_perm("accounts.train_cohorts")
    assert not trainer.has_perm("accounts.onboard_users")
    assert hr.has_perm("accounts.onboard_users") and hr.has_perm("accounts.view_all_cohorts")
    assert not hr.has_perm("diagnostics.run_diagnostics")
    assert admin_user.has_perm("diagnostics.run_diagnostics")
    assert trainer.primary_role is Role.TRAINER and admin_user.primary_role is Role.ADMIN
