"""factory_boy factories shared by the test suite."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from accounts.models import Cohort, User
from accounts.roles import Role

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs) -> None:
        if create and extracted is not None:
            self.groups.add(Group.objects.get(name=extracted.value))
            if extracted in (Role.ADMIN, Role.TRAINER):
                self.is_staff = True
            self.is_superuser = extracted is Role.ADMIN
        if create:
            self.save()


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"2026年第{n}批")
    code = factory.Sequence(lambda n: f"cohort-{n}")
    shop = "悦衣坊旗舰店"
