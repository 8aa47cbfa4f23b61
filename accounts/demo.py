"""Demo accounts for `make run`: one user per role and a cohort linking them."""

from __future__ import annotations

import datetime

from django.db import transaction

from accounts.models import Cohort, User
from accounts.roles import Role
from accounts.services import cohort_create, user_create

# Shown on the login screen of a demo install and printed by `make run`.
DEMO_USERS = [
    {
        "username": "trainee",
        "password": "trainee-demo",
        "role": Role.TRAINEE,
        "display_name": "王小丫",
        "employee_number": "T0001",
        "shop": "悦衣坊旗舰店",
    },
    {
        "username": "trainer",
        "password": "trainer-demo",
        "role": Role.TRAINER,
        "display_name": "李老师",
        "employee_number": None,
        "shop": "",
    },
    {
        "username": "hr",
        "password": "hr-demo",
        "role": Role.HR,
        "display_name": "赵人事",
        "employee_number": None,
        "shop": "",
    },
    {
        "username": "admin",
        "password": "admin-demo",
        "role": Role.ADMIN,
        "display_name": "系统管理员",
        "employee_number": None,
        "shop": "",
    },
]
DEMO_COHORT = {"name": "2026年11月新人批次", "code": "2026-11", "shop": "悦衣坊旗舰店"}


@transaction.atomic
def demo_accounts_ensure(*, must_change_password: bool = False) -> list[dict]:
    """Create the demo users and cohort if missing; reset demo passwords. Idempotent.

    The demo passwords are published (README, login screen), so by default the demo users
    keep them; ``must_change_password`` makes each one choose their own at first sign-in.
    """
    users: dict[Role, User] = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = user_create(**spec, must_change_password=must_change_password)
        else:
            user.set_password(spec["password"])
            user.must_change_password = must_change_password
            user.save(update_fields=["password", "must_change_password"])
        users[spec["role"]] = user
    cohort = Cohort.objects.filter(code=DEMO_COHORT["code"]).first()
    if cohort is None:
        cohort = cohort_create(**DEMO_COHORT, starts_on=datetime.date(2026, 11, 2))
    cohort.trainees.add(users[Role.TRAINEE])
    cohort.trainers.add(users[Role.TRAINER])
    cohort.hr_staff.add(users[Role.HR])
    return DEMO_USERS
