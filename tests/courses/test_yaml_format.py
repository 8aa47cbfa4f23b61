"""Validation errors name the file, the line and the field; nothing is imported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.importing import course_import
from courses.models import Course
from courses.yaml_format import course_file_parse
from yamlsource import SourceErrors

# The wording checked here is the English one (the catalogues' msgids).
pytestmark = pytest.mark.usefixtures("english")

FIXTURES = Path(__file__).parent / "fixtures" / "basic"


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(FIXTURES, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(course_dir: Path) -> list[str]:
    with pytest.raises(SourceErrors) as raised:
        course_file_parse(course_dir / "course.yaml")
    return [str(error) for error in sorted(raised.value.errors)]


def test_the_fixture_is_valid():
    course, _documents = course_file_parse(FIXTURES / "course.yaml")
    assert [m.slug for m in course.modules] == ["basics", "advanced"]
    assert len(course.modules[0].quiz.questions) == 5


def test_two_correct_answers_on_a_single_choice_question(copy):
    _replace(copy / "modules/a.yaml", "- {text: 30 秒}", "- {text: 30 秒, correct: true}")
    errors = _errors(copy)
    assert len(errors) == 1
    assert errors[0].startswith(f"{copy / 'modules/a.yaml'}:")
    assert "quiz.questions #1 › choices:" in errors[0]
    assert "exactly one correct choice (has 2)" in errors[0]
    line = int(errors[0].split(":")[1])
    assert (copy / "modules/a.yaml").read_text().splitlines()[line - 1].strip() == "choices:"


def test_unknown_lesson_unknown_field_and_bad_type_are_all_reported(copy):
    _replace(
        copy / "modules/a.yaml",
        "lesson: wording\n      prompt: 哪些",
        "lesson: nowhere\n      prompt: 哪些",
    )
    _replace(copy / "modules/a.yaml", "  pass_mark: 75", "  pass_mark: high\n  colour: red")
    _replace(copy / "modules/a.yaml", "      answer: false", "      answer: nope")
    text = "\n".join(_errors(copy))
    assert "“nowhere” is not a lesson of this module" in text
    assert "quiz.colour: unknown field colour (allowed here: " in text
    assert 'quiz.pass_mark: pass_mark should be a whole number, not the text "high"' in text
    assert 'quiz.questions #3 › answer: answer should be true or false, not the text "nope"' in text


def test_prerequisite_must_exist_and_come_first(copy):
    _replace(copy / "modules/b.yaml", "prerequisites: [basics]", "prerequisites: [nothing]")
    assert any("“nothing” is not a module of this course" in e for e in _errors(copy))
    _replace(copy / "modules/b.yaml", "prerequisites: [nothing]", "prerequisites: [basics]")
    _replace(
        copy / "course.yaml",
        "  - modules/a.yaml\n  - modules/b.yaml",
        "  - modules/b.yaml\n  - modules/a.yaml",
    )
    assert any("must come before this module" in e for e in _errors(copy))


A_MODULE = "modules/a.yaml"
ORDERING = "items: [迎接问好, 挖掘需求, 推荐商品, 礼貌告别]"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            A_MODULE,
            "      prompt: 首次响应最好在几秒以内？\n",
            "      prompt: 首次响应最好在几秒以内？\n      answer: true\n",
            "quiz.questions #1 › answer: answer does not belong to a question of type single",
        ),
        (
            A_MODULE,
            "- {text: 60 秒}",
            "- {text: 30 秒}",
            "quiz.questions #1 › choices: two choices have the same text “30 秒”",
        ),
        (
            A_MODULE,
            "        - {text: 您, correct: true}\n        - {text: 亲, correct: true}",
            "        - {text: 您}\n        - {text: 亲}",
            "quiz.questions #2 › choices: "
            "a multiple-choice question needs at least one correct choice",
        ),
        (
            A_MODULE,
            ORDERING,
            "items: [迎接问好, 挖掘需求, 推荐商品, 礼貌告别, 五, 六, 七, 八, 九]",
            "quiz.questions #4 › items: items allows at most 8 items (has 9)",
        ),
        (
            A_MODULE,
            ORDERING,
            "items: [迎接问好, 挖掘需求, 迎接问好, 礼貌告别]",
            "quiz.questions #4 › items: two items have the same text “迎接问好”",
        ),
        (
            A_MODULE,
            "slug: b-polite",
            "slug: b-first-response",
            "quiz: question slug “b-first-response” appears more than once",
        ),
        (
            "course.yaml",
            "  - modules/b.yaml",
            "  - 3",
            "modules #2: modules #2 must be the path of a module file",
        ),
        (
            "course.yaml",
            "  - modules/b.yaml",
            "  - modules/a.yaml",
            "modules #2: module slug “basics” is used twice",
        ),
    ],
    ids=[
        "field-of-another-type",
        "choice-twice",
        "no-correct-choice",
        "too-many-items",
        "item-twice",
        "question-slug-twice",
        "module-not-a-path",
        "module-slug-twice",
    ],
)
def test_each_own_message_names_its_field_counting_items_from_1(copy, file, old, new, expected):
    _replace(copy / file, old, new)
    assert [e.split(": ", 1)[1] for e in _errors(copy)] == [expected]


def test_a_lesson_slug_written_twice_is_named(copy):
    _replace(copy / A_MODULE, "  - slug: wording\n", "  - slug: first-response\n")
    assert "lessons: lesson slug “first-response” appears more than once" in [
        e.split(": ", 1)[1] for e in _errors(copy)
    ]


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("course.yaml", "a course file must be a mapping with slug, title, modules"),
        ("modules/b.yaml", "a module file must be a mapping with slug, title, lessons …"),
    ],
)
def test_a_file_that_is_not_a_mapping_says_what_it_should_hold(copy, file, expected):
    (copy / file).write_text("- 一\n- 二\n", encoding="utf-8")
    assert _errors(copy) == [f"{copy / file}:1:1: {expected}"]


def test_import_course_speaks_chinese_by_default_and_english_on_request(copy):
    """What the trainer reads from the command: Chinese (whatever language the caller had
    active: here the English of this module), or English with --language en."""
    _replace(
        copy / A_MODULE,
        "lesson: wording\n      prompt: 哪些",
        "lesson: nowhere\n      prompt: 哪些",
    )
    with pytest.raises(CommandError) as chinese:
        call_command("import_course", "--check", str(copy / "course.yaml"))
    assert "quiz.questions 第 2 项的 lesson: “nowhere”不是本模块的课时" in str(chinese.value)
    with pytest.raises(CommandError) as english:
        call_command("import_course", "--check", str(copy / "course.yaml"), "--language", "en")
    assert "quiz.questions #2 › lesson: “nowhere” is not a lesson of this module" in str(
        english.value
    )


def test_yaml_syntax_error_has_its_line(copy):
    _replace(copy / "modules/b.yaml", "title: 进阶测验", "title: [进阶测验")
    errors = _errors(copy)
    assert len(errors) == 1 and "the [ is never closed with ]" in errors[0]
    assert errors[0].startswith(f"{copy / 'modules/b.yaml'}:")


def test_duplicate_question_slug_across_modules(copy):
    _replace(copy / "modules/b.yaml", "slug: adv-bargain", "slug: b-terse")
    assert any(
        "question slug “b-terse” is also used in module “basics”" in e for e in _errors(copy)
    )


def test_missing_module_file_is_named(copy):
    (copy / "modules/b.yaml").unlink()
    errors = _errors(copy)
    assert "modules/b.yaml" in errors[0] and "cannot read the file" in errors[0]


@pytest.mark.django_db
def test_an_error_imports_nothing(copy):
    _replace(copy / "modules/b.yaml", "answer: false", "answer: maybe")
    with pytest.raises(SourceErrors):
        course_import(copy / "course.yaml")
    assert not Course.objects.exists()
