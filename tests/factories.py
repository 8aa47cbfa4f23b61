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


# Courses: a quiz built row by row, for tests that need more questions than the YAML
# fixtures hold. Choices and ordering items are created in the order given, as the
# importer does (so ids follow file order).


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Course"

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"课程 {n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Module"

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"module-{n}")
    title = factory.Sequence(lambda n: f"模块 {n}")
    position = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Lesson"

    module = factory.SubFactory(ModuleFactory)
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    title = factory.Sequence(lambda n: f"课 {n}")
    body = "正文。"
    position = factory.Sequence(lambda n: n)


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Quiz"

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"测验 {n}")
    pass_mark = 80
    max_attempts = 0
    retry_wait_minutes = 0
    shuffle = True


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Question"

    quiz = factory.SubFactory(QuizFactory)
    slug = factory.Sequence(lambda n: f"q-{n}")
    type = "single"
    prompt = factory.Sequence(lambda n: f"第 {n} 题？")
    lesson = factory.LazyAttribute(lambda o: LessonFactory(module=o.quiz.module))
    explanation = "解析。"
    position = factory.Sequence(lambda n: n)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Choice"

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"选项 {n}")
    correct = False
    position = factory.Sequence(lambda n: n)
