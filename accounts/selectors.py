"""Reads for accounts: who sees which cohorts and people."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet

from accounts.models import Cohort, OnboardingBatch, User
from accounts.roles import Role


def cohorts_visible_to(user: User) -> QuerySet[Cohort]:
    """HR and admins see every cohort; trainers the ones they train; trainees their own."""
    # The model's ordering, said again: a grouped query does not apply it, and the lists
    # of cohorts come in pages.
    cohorts = Cohort.objects.annotate(
        trainee_count=Count("trainees", distinct=True),
        trainer_count=Count("trainers", distinct=True),
    ).order_by("-starts_on", "name", "pk")
    if user.has_perm("accounts.view_all_cohorts"):
        return cohorts
    conditions = Q(pk__in=[])
    if user.has_perm("accounts.train_cohorts"):
        conditions |= Q(trainers=user)
    if user.has_perm("accounts.act_as_trainee"):
        conditions |= Q(trainees=user)
    return cohorts.filter(conditions).distinct()


def cohorts_with_people_visible_to(user: User) -> QuerySet[Cohort]:
    """The cohorts whose people (names, usernames, employee numbers) the user may see: one
    rule for the cohort page, the cohort API and the admin.

    Holders of ``accounts.view_cohort`` (trainers, HR, admins) see the people of the cohorts
    ``cohorts_visible_to`` gives them. Trainees see their own cohort in lists, but not who
    else is in it: their peers' employee numbers are the usernames they sign in with.
    """
    cohorts = cohorts_visible_to(user)
    if not user.has_perm("accounts.view_cohort"):
        return cohorts.none()
    return cohorts


def users_visible_to(user: User) -> QuerySet[User]:
    """The people whose records the user may see: everyone for those who see every cohort
    (HR, admins); otherwise the people of the cohorts whose people they see, and themselves."""
    if user.has_perm("accounts.view_all_cohorts"):
        return User.objects.all()
    cohort_ids = cohorts_with_people_visible_to(user).values("pk")
    return User.objects.filter(
        Q(pk=user.pk)
        | Q(cohorts__in=cohort_ids)
        | Q(trained_cohorts__in=cohort_ids)
        | Q(hr_cohorts__in=cohort_ids)
    ).distinct()


def users_password_resettable_by(user: User) -> QuerySet[User]:
    """The people whose password ``user`` may reset (``accounts.reset_password``).

    Administrators (who may change every user) reset anyone but themselves. HR resets the
    trainees of the cohorts they are an HR contact for, and only plain trainees: whoever
    holds another role, staff status or superuser status is out of reach, or a reset would
    hand HR the temporary password of an account wider than their own. Everyone uses the
    change page for their own password.
    """
    if not user.has_perm("accounts.reset_password"):
        return User.objects.none()
    if user.has_perm("accounts.change_user"):
        return User.objects.exclude(pk=user.pk)
    wider_roles = [role.value for role in Role if role is not Role.TRAINEE]
    return (
        User.objects.filter(cohorts__hr_staff=user)
        .exclude(pk=user.pk)
        .exclude(is_staff=True)
        .exclude(is_superuser=True)
        .exclude(groups__name__in=wider_roles)
        .distinct()
    )


def cohort_members(cohort: Cohort) -> QuerySet[User]:
    return cohort.trainees.order_by("employee_number", "username")


def cohort_trainers(cohort: Cohort) -> QuerySet[User]:
    return cohort.trainers.all()


def cohort_hr_staff(cohort: Cohort) -> QuerySet[User]:
    return cohort.hr_staff.all()


def users_with_role(role: Role) -> QuerySet[User]:
    # By the group's id, not its name: PostgreSQL's statistics count members per group id,
    # so a query over thousands of trainees is planned for thousands (by name it guessed a
    # quarter of the users, and chose a loop per trainee).
    group_id = Group.objects.filter(name=role.value).values_list("pk", flat=True).first()
    if group_id is None:
        return User.objects.none()
    return User.objects.filter(groups=group_id, is_active=True).order_by("display_name", "username")


def onboarding_batches() -> QuerySet[OnboardingBatch]:
    return OnboardingBatch.objects.select_related("created_by")


def onboarding_batches_visible_to(user: User) -> QuerySet[OnboardingBatch]:
    """Uploaded rosters hold new hires' names and numbers: only those who onboard see them."""
    if not user.has_perm("accounts.onboard_users"):
        return onboarding_batches().none()
    return onboarding_batches()


def onboarding_batches_recent(limit: int = 10) -> QuerySet[OnboardingBatch]:
    return onboarding_batches()[:limit]


def sign_in_holds(session_key: str | None, user_id: int) -> bool:
    """Whether the sign-in stored under ``session_key`` is still ``user_id``'s: the session
    exists, names that user, who is active, and carries the hash of their current password.
    What Django checks on every page load, for a socket that was authenticated once."""
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    user = get_user(SimpleNamespace(session=store))
    return user.is_authenticated and user.pk == user_id
