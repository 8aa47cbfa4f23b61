"""Reads for accounts: who sees which cohorts and people."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import Cohort, OnboardingBatch, User
from accounts.roles import Role


def cohorts_visible_to(user: User) -> QuerySet[Cohort]:
    """HR and admins see every cohort; trainers the ones they train; trainees their own."""
    cohorts = Cohort.objects.annotate(
        trainee_count=Count("trainees", distinct=True),
        trainer_count=Count("trainers", distinct=True),
    )
    if user.has_perm("accounts.view_all_cohorts"):
        return cohorts
    conditions = Q(pk__in=[])
    if user.has_perm("accounts.train_cohorts"):
        conditions |= Q(trainers=user)
    if user.has_perm("accounts.act_as_trainee"):
        conditions |= Q(trainees=user)
    return cohorts.filter(conditions).distinct()


def cohort_members(cohort: Cohort) -> QuerySet[User]:
    return cohort.trainees.order_by("employee_number", "username")


def cohort_trainers(cohort: Cohort) -> QuerySet[User]:
    return cohort.trainers.all()


def cohort_hr_staff(cohort: Cohort) -> QuerySet[User]:
    return cohort.hr_staff.all()


def users_with_role(role: Role) -> QuerySet[User]:
    return User.objects.filter(groups__name=role.value, is_active=True).order_by(
        "display_name", "username"
    )


def onboarding_batches() -> QuerySet[OnboardingBatch]:
    return OnboardingBatch.objects.select_related("created_by")


def onboarding_batches_recent(limit: int = 10) -> QuerySet[OnboardingBatch]:
    return onboarding_batches()[:limit]
