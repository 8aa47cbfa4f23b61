"""Validation errors name the file, the line and the field; nothing is imported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
