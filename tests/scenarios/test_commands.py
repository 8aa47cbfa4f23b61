"""The scenario commands a trainer runs on files: against the shipped catalogue, or against
the shops of a catalogue file that is not imported yet (`--catalog`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scenarios.context import CATALOG_DIR, SCENARIO_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_shop_files(tmp_path: Path) -> tuple[Path, Path]:
    """A scenario for a shop that exists only in a new catalogue file."""
    catalog = (CATALOG_DIR / "yueyi-apparel.yaml").read_text(encoding="utf-8")
    catalog_path = tmp_path / "new-shop.yaml"
    catalog_path.write_text(
        catalog.replace("slug: yueyi-apparel", "slug: new-apparel", 1), encoding="utf-8"
    )
    scenario = (SCENARIO_DIR / "size-advice.yaml").read_text(encoding="utf-8")
    scenario_path = tmp_path / "size-advice-new.yaml"
    scenario_path.write_text(
        scenario.replace("shop: yueyi-apparel", "shop: new-apparel", 1), encoding="utf-8"
    )
    return catalog_path, scenario_path


def test_a_shop_only_in_a_new_catalogue_file_is_unknown_without_it(
    new_shop_files: tuple[Path, Path],
) -> None:
    _, scenario_path = new_shop_files
    with pytest.raises(CommandError) as failure:
        call_command("validate_scenarios", str(scenario_path))
    assert "new-apparel" in str(failure.value)


def test_catalog_option_checks_against_that_file(
    new_shop_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    catalog_path, scenario_path = new_shop_files
    call_command(
        "validate_scenarios", str(scenario_path), "--catalog", str(catalog_path), "--language", "en"
    )
    assert "OK: 1 scenario file(s) valid." in capsys.readouterr().out
    call_command(
        "test_scenarios", str(scenario_path), "--catalog", str(catalog_path), "--language", "en"
    )
    assert " 0 failed" in capsys.readouterr().out


@pytest.fixture
def typo_file(tmp_path: Path) -> tuple[Path, int]:
    """A shipped scenario with one typo: ``nudge_after_s`` written ``nudge_afer_s``."""
    text = (SCENARIO_DIR / "size-advice.yaml").read_text(encoding="utf-8")
    assert "  nudge_after_s:" in text
    text = text.replace("  nudge_after_s:", "  nudge_afer_s:", 1)
    path = tmp_path / "typo.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "nudge_afer_s" in row)
    return path, line


def test_a_typo_is_one_message_in_the_projects_language(typo_file: tuple[Path, int]) -> None:
    path, line = typo_file
    with pytest.raises(CommandError) as failure:
        call_command("validate_scenarios", str(path))
    assert str(failure.value) == (
        "1 个文件中有 1 处错误：\n"
        f"{path}:{line}:3: persona.nudge_afer_s: 未知字段 nudge_afer_s，是不是 nudge_after_s？"
    )


def test_language_option_gives_english(typo_file: tuple[Path, int]) -> None:
    path, line = typo_file
    with pytest.raises(CommandError) as failure:
        call_command("validate_scenarios", str(path), "--language", "en")
    assert str(failure.value) == (
        "1 error(s) in 1 file(s):\n"
        f"{path}:{line}:3: persona.nudge_afer_s: "
        "unknown field nudge_afer_s; did you mean nudge_after_s?"
    )


def test_the_command_ignores_the_language_its_caller_had_active(
    typo_file: tuple[Path, int],
) -> None:
    """A command prints in the project's language whoever calls it (here: a test in English)."""
    from django.utils import translation

    path, _line = typo_file
    with translation.override("en"), pytest.raises(CommandError) as failure:
        call_command("validate_scenarios", str(path))
    assert "未知字段 nudge_afer_s" in str(failure.value)


BAD_REVIEW_TEST = "称呼用“你”，还保证合身，买家差评"


@pytest.fixture
def self_test_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """size-advice with one self-test expecting the wrong outcome, the same scenario without
    self-tests, and a file that is not a scenario."""
    text = (SCENARIO_DIR / "size-advice.yaml").read_text(encoding="utf-8")
    wrong = "    expect:\n      path: [ask, fit, bad_review]\n      outcome: 差评"
    assert wrong in text
    failing = tmp_path / "a-failing.yaml"
    failing.write_text(text.replace(wrong, wrong.replace("差评", "成交"), 1), encoding="utf-8")
    untested = tmp_path / "b-untested.yaml"
    untested.write_text(
        text[: text.index("\ntests:\n") + 1].replace("slug: size-advice", "slug: untested", 1),
        encoding="utf-8",
    )
    invalid = tmp_path / "c-invalid.yaml"
    invalid.write_text("- 不是剧本\n", encoding="utf-8")
    return failing, untested, invalid


def _self_tests(files: tuple[Path, ...], *options: str) -> tuple[list[str], str, str]:
    """The lines printed, what went to stderr and the CommandError's message."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("test_scenarios", *map(str, files), *options, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue(), str(failure.value)


def _verdicts(lines: list[str], *words: str) -> list[str]:
    return [line for line in lines if line.startswith(tuple(f"{word} " for word in words))]


def test_self_test_lines_in_english_on_request(self_test_files: tuple[Path, Path, Path]) -> None:
    _failing, untested, invalid = self_test_files
    lines, errors, message = _self_tests(self_test_files, "--language", "en")
    verdicts = _verdicts(lines, "PASS", "FAIL")
    assert len(verdicts) == 4
    [failed] = _verdicts(verdicts, "FAIL")
    assert failed.startswith(
        f"FAIL size-advice · {BAD_REVIEW_TEST}: path ask → fit → bad_review, outcome 差评, score "
    )
    assert f"{untested}: has no self-tests" in errors
    assert f"{invalid}: invalid\n{invalid}:1:1: a scenario file must be a mapping" in errors
    assert lines[-1] == "3 passed, 3 failed"
    assert message == "3 scenario self-tests failed"


def test_self_test_lines_in_chinese_by_default(self_test_files: tuple[Path, Path, Path]) -> None:
    _failing, untested, invalid = self_test_files
    lines, errors, message = _self_tests(self_test_files)
    verdicts = _verdicts(lines, "通过", "未通过")
    assert len(verdicts) == 4
    [failed] = _verdicts(verdicts, "未通过")
    assert failed.startswith(
        f"未通过 size-advice · {BAD_REVIEW_TEST}：路径 ask → fit → bad_review，结果 差评，得分 "
    )
    assert f"{untested}：没有自测（tests）" in errors
    assert f"{invalid}：文件有错误\n{invalid}:1:1: 剧本文件必须由字段组成" in errors
    assert lines[-1] == "3 个通过，3 个未通过"
    assert message == "3 个剧本自测未通过"
