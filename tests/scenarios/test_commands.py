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
    call_command("validate_scenarios", str(scenario_path), "--catalog", str(catalog_path))
    assert "OK: 1 scenario file(s) valid." in capsys.readouterr().out
    call_command("test_scenarios", str(scenario_path), "--catalog", str(catalog_path))
    assert " 0 failed" in capsys.readouterr().out
