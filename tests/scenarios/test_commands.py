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
    call_command("test_scenarios", str(scenario_path), "--catalog", str(catalog_path))
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
