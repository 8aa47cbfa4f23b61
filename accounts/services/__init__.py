"""Writes for accounts: roles, users, cohorts and the onboarding of new hires.

Passwords (a user's own change, resets by HR and administrators) are in
``accounts.services.passwords``.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.hashers import InitialPasswordHasher
from accounts.models import Cohort, OnboardingBatch, User, employee_number_validator
from accounts.roles import Role, role_permissions
from accounts.roster import roster_read
from accounts.services.initial_passwords import InitialPassword, passwords_seal
from audit.services import audit_record
from catalog.models import Shop

# Unambiguous characters only: these passwords are read aloud and typed from paper.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def roles_sync() -> None:
    """Create the role groups and give each exactly the permissions the apps declare."""
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, names in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role.value)
        # An app not yet migrated adds its own permissions on migrate.
        group.permissions.set([existing[name] for name in sorted(names) if name in existing])


def initial_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(10))


def user_build(
    *,
    username: str,
    role: Role,
    password: str | None,
    display_name: str = "",
    employee_number: str | None = None,
    shop: str = "",
    email: str = "",
    must_change_password: bool = True,
    hasher: str = "default",
) -> User:
    """A validated, unsaved user with one role's flags (``user_create`` saves it; a roster
    builds its users before its transaction, with the generated-password ``hasher``)."""
    user = User(
        username=username,
        display_name=display_name,
        employee_number=employee_number or None,
        shop=shop,
        email=email,
        # Admins need the Django admin; trainers author content there.
        is_staff=role in (Role.ADMIN, Role.TRAINER),
        is_superuser=role is Role.ADMIN,
        must_change_password=bool(password) and must_change_password,
    )
    if password:
        user.password = make_password(password, hasher=hasher)
    else:
        user.set_unusable_password()
    user.full_clean()
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    role: Role,
    password: str | None,
    display_name: str = "",
    employee_number: str | None = None,
    shop: str = "",
    email: str = "",
    must_change_password: bool = True,
) -> User:
    """Create a user with one role. A password chosen for them (``password``) must be
    replaced at their first sign-in unless ``must_change_password`` is False (the demo
    users, whose passwords are published for trying the system out)."""
    user = user_build(
        username=username,
        role=role,
        password=password,
        display_name=display_name,
        employee_number=employee_number,
        shop=shop,
        email=email,
        must_change_password=must_change_password,
    )
    user.save()
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


@transaction.atomic
def cohort_create(
    *, name: str, code: str, shop: str = "", starts_on=None, actor: User | None = None
) -> Cohort:
    cohort = Cohort(name=name, code=code, shop=shop, starts_on=starts_on)
    cohort.full_clean()
    cohort.save()
    if actor is not None:
        audit_record(actor=actor, action="cohort.create", target=cohort, after={"name": name})
    return cohort


def _staff_ids(users: Iterable[User], role: Role, field: str) -> list[int]:
    ids = []
    for user in users:
        if role not in user.roles:
            raise ValidationError(
                {
                    field: _("%(user)s does not have the %(role)s role.")
                    % {"user": user, "role": role.label}
                }
            )
        ids.append(user.pk)
    return sorted(ids)


@transaction.atomic
def cohort_assign_staff(
    *, actor: User, cohort: Cohort, trainers: Iterable[User], hr_staff: Iterable[User]
) -> Cohort:
    """Replace the cohort's trainers and HR contacts, recording before and after."""
    if not actor.has_perm("accounts.assign_cohort_staff"):
        raise PermissionDenied
    trainer_ids = _staff_ids(trainers, Role.TRAINER, "trainers")
    hr_ids = _staff_ids(hr_staff, Role.HR, "hr_staff")
    before = {
        "trainers": sorted(cohort.trainers.values_list("pk", flat=True)),
        "hr_staff": sorted(cohort.hr_staff.values_list("pk", flat=True)),
    }
    cohort.trainers.set(trainer_ids)
    cohort.hr_staff.set(hr_ids)
    audit_record(
        actor=actor,
        action="cohort.assign_staff",
        target=cohort,
        before=before,
        after={"trainers": trainer_ids, "hr_staff": hr_ids},
    )
    return cohort


def _check_rows_against_database(rows: list[dict]) -> None:
    """Add the problems that depend on what is stored: run at preview and again at apply."""
    numbers = Counter(row["employee_number"] for row in rows if row["employee_number"])
    existing = set(
        User.objects.filter(employee_number__in=list(numbers)).values_list(
            "employee_number", flat=True
        )
    ) | set(User.objects.filter(username__in=list(numbers)).values_list("username", flat=True))
    cohort_keys = {row["cohort"] for row in rows if row["cohort"]}
    known_cohorts = set(Cohort.objects.filter(name__in=cohort_keys).values_list("name", flat=True))
    known_cohorts |= set(Cohort.objects.filter(code__in=cohort_keys).values_list("code", flat=True))
    shops = _shops_by_key()
    first_line: dict[str, int] = {}
    for row in rows:
        row["problems"] = [
            *row.get("parse_problems", []),
            *_name_problems(row),
            *_number_problems(row, numbers, existing, first_line),
            *_shop_problems(row, shops),
            *_cohort_problems(row, known_cohorts),
        ]


# A row error names the known shops so HR can correct the cell; a long list is cut.
_SHOPS_NAMED = 20


def _shops_by_key() -> dict[str, str]:
    """Every shop's name, by its name and by its slug (HR writes either)."""
    shops: dict[str, str] = {}
    for slug, name in Shop.objects.order_by("name").values_list("slug", "name"):
        shops.setdefault(name, name)
        shops.setdefault(slug, name)
    return shops


def _name_problems(row: dict) -> list[str]:
    if not row["name"]:
        return [_("Row %(line)d: 姓名 (name) is empty.") % {"line": row["line"]}]
    if len(row["name"]) > 150:
        return [
            _("Row %(line)d: 姓名 (name) is longer than 150 characters.") % {"line": row["line"]}
        ]
    return []


def _number_problems(
    row: dict, numbers: Counter, existing: set[str], first_line: dict[str, int]
) -> list[str]:
    """The employee number: present, well formed, once in the file, new to the database
    (``first_line`` remembers where each repeated number was first seen)."""
    line, number = row["line"], row["employee_number"]
    if not number:
        return [_("Row %(line)d: 工号 (employee number) is empty.") % {"line": line}]
    problems = []
    try:
        employee_number_validator(number)
    except ValidationError:
        problems.append(
            _(
                "Row %(line)d: 工号 “%(number)s” may only contain letters, digits, '-' "
                "and '_' (at most 32 characters)."
            )
            % {"line": line, "number": number}
        )
    if numbers[number] > 1:
        if number in first_line:
            problems.append(
                _("Row %(line)d: 工号 “%(number)s” is a duplicate of row %(first)d.")
                % {"line": line, "number": number, "first": first_line[number]}
            )
        else:
            first_line[number] = line
    if number in existing:
        problems.append(
            _("Row %(line)d: 工号 “%(number)s” already belongs to an existing user.")
            % {"line": line, "number": number}
        )
    return problems


def _shop_problems(row: dict, shops: dict[str, str]) -> list[str]:
    """A shop, when given, must be one that exists (by name or slug): a misspelt shop would
    otherwise split the new hire off from their shop in every report. An empty cell is
    allowed; the new hire then belongs to no shop until someone sets one."""
    line, shop = row["line"], row["shop"]
    if not shop or shop in shops:
        return []
    if len(shop) > 100:
        return [_("Row %(line)d: 店铺 (shop) is longer than 100 characters.") % {"line": line}]
    known = sorted(set(shops.values()))
    if len(known) > _SHOPS_NAMED:
        known = [*known[:_SHOPS_NAMED], "…"]
    if not known:
        return [
            _("Row %(line)d: 店铺 “%(shop)s” is not a known shop; no shop exists yet.")
            % {"line": line, "shop": shop}
        ]
    return [
        _("Row %(line)d: 店铺 “%(shop)s” is not a known shop. Known shops: %(shops)s.")
        % {"line": line, "shop": shop, "shops": "、".join(known)}
    ]


def _cohort_problems(row: dict, known_cohorts: set[str]) -> list[str]:
    line, problems = row["line"], []
    if not row["cohort"]:
        problems.append(_("Row %(line)d: 批次 (cohort) is empty.") % {"line": line})
    elif row["cohort"] not in known_cohorts:
        problems.append(
            _("Row %(line)d: 批次 “%(cohort)s” is not a known cohort; create it first.")
            % {"line": line, "cohort": row["cohort"]}
        )
    return problems


def onboarding_preview_create(*, actor: User, file_name: str, data: bytes) -> OnboardingBatch:
    """Parse and check an uploaded roster; store it for preview. Creates no users.

    A file that cannot be read as a table (damaged, too large, not a roster) is refused
    with a ValidationError on ``file`` naming it, and nothing is stored. Parsing runs before
    the transaction: reading a large file must not hold the database's write lock.
    """
    if not actor.has_perm("accounts.onboard_users"):
        raise PermissionDenied
    roster = roster_read(file_name, data)
    if roster.refused:
        raise ValidationError(
            {
                "file": [
                    _("“%(file)s” cannot be imported: %(problem)s")
                    % {"file": file_name[:255], "problem": problem}
                    for problem in roster.file_errors
                ]
            }
        )
    rows = []
    for parsed in roster.rows:
        row = parsed.as_dict()
        row["parse_problems"] = row.pop("problems")
        row["problems"] = []
        rows.append(row)
    _check_rows_against_database(rows)
    batch = OnboardingBatch(
        created_by=actor,
        file_name=file_name[:255],
        encoding=roster.encoding,
        rows=rows,
        file_errors=roster.file_errors,
    )
    batch.full_clean()
    with transaction.atomic():
        batch.save()
    return batch


@dataclass(frozen=True)
class OnboardedUser:
    user: User
    password: str = field(repr=False)  # kept out of tracebacks and debug output
    cohort: Cohort


class OnboardingRejected(Exception):
    """The batch has problems; nothing was written. ``batch`` holds the current problems."""

    def __init__(self, batch: OnboardingBatch) -> None:
        super().__init__(f"{batch.problem_count} problem(s)")
        self.batch = batch


def onboarding_batch_apply(
    *, actor: User, batch: OnboardingBatch, password_secret: bytes | None = None
) -> list[OnboardedUser]:
    """Create every user of a previewed batch, or none of them.

    The rows are checked again inside the transaction, because another import may have
    taken an employee number since the preview. With ``password_secret`` (the browser's
    half of the key, ``initial_passwords.new_secret``) the initial passwords are also
    sealed for their one retrieval by ``actor``; without it they exist only in the
    returned list.
    """
    if not actor.has_perm("accounts.onboard_users"):
        raise PermissionDenied
    try:
        return _onboarding_batch_apply(
            actor=actor, batch_id=batch.pk, password_secret=password_secret
        )
    except OnboardingRejected as rejected:
        # Outside the rolled-back transaction: keep the fresh problems for the preview page.
        OnboardingBatch.objects.filter(pk=batch.pk).update(rows=rejected.batch.rows)
        raise


def _roster_users(rows: list[dict]) -> list[tuple[User, str]]:
    """The new hires of a roster, validated and with their initial passwords hashed; a shop
    given by its slug is stored by its name, as reports group by it."""
    shops = _shops_by_key()
    built = []
    for row in rows:
        password = initial_password()
        user = user_build(
            username=row["employee_number"],
            role=Role.TRAINEE,
            password=password,
            display_name=row["name"],
            employee_number=row["employee_number"],
            shop=shops.get(row["shop"], row["shop"]),
            must_change_password=True,  # the password was printed for them
            hasher=InitialPasswordHasher.algorithm,  # generated: see accounts.hashers
        )
        built.append((user, password))
    return built


def _onboarding_batch_apply(
    *, actor: User, batch_id: int, password_secret: bytes | None
) -> list[OnboardedUser]:
    # The users are built before the transaction opens and inserted together inside it:
    # hashing costs about 0.4 s a password (PBKDF2), and a roster of thousands created one
    # by one inside the transaction held the database's write lock for minutes, while
    # every other write (SQLite locks the whole file) failed with "database is locked".
    batch = OnboardingBatch.objects.get(pk=batch_id)
    _check_rows_against_database(batch.rows)
    ready = batch.status == OnboardingBatch.Status.PREVIEWED and not batch.problem_count
    built = _roster_users(batch.rows) if ready else []
    with transaction.atomic():
        locked = OnboardingBatch.objects.select_for_update().get(pk=batch_id)
        if locked.status != OnboardingBatch.Status.PREVIEWED:
            raise ValidationError(_("This roster has already been imported or discarded."))
        _check_rows_against_database(locked.rows)
        if locked.problem_count or not locked.rows:
            raise OnboardingRejected(locked)
        if len(built) != len(locked.rows):  # rows that were checked clean only now (rare)
            built = _roster_users(locked.rows)
        all_cohorts = list(Cohort.objects.all())
        cohorts = {c.name: c for c in all_cohorts} | {c.code: c for c in all_cohorts}
        User.objects.bulk_create([user for user, _password in built])
        trainee_group = Group.objects.get_or_create(name=Role.TRAINEE.value)[0]
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=trainee_group.pk) for user, _ in built
        )
        Cohort.trainees.through.objects.bulk_create(
            Cohort.trainees.through(cohort_id=cohorts[row["cohort"]].pk, user_id=user.pk)
            for row, (user, _password) in zip(locked.rows, built, strict=True)
        )
        created = [
            OnboardedUser(user=user, password=password, cohort=cohorts[row["cohort"]])
            for row, (user, password) in zip(locked.rows, built, strict=True)
        ]
        locked.status = OnboardingBatch.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.applied_by = actor
        locked.save(update_fields=["status", "applied_at", "applied_by"])
        if password_secret is not None:
            passwords_seal(
                batch=locked,
                owner=actor,
                secret=password_secret,
                passwords=[
                    InitialPassword(
                        name=item.user.display_name,
                        employee_number=item.user.employee_number or "",
                        cohort=item.cohort.name,
                        password=item.password,
                    )
                    for item in created
                ],
            )
        audit_record(
            actor=actor,
            action="onboarding.apply",
            target=locked,
            after={"created": [item.user.username for item in created]},
        )
    return created


@transaction.atomic
def onboarding_batch_discard(*, actor: User, batch: OnboardingBatch) -> None:
    if not actor.has_perm("accounts.onboard_users"):
        raise PermissionDenied
    if batch.status == OnboardingBatch.Status.PREVIEWED:
        batch.status = OnboardingBatch.Status.DISCARDED
        batch.save(update_fields=["status"])
