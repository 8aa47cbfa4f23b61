"""The import contracts of pyproject.toml ([tool.importlinter]) hold, and they really bite.

`make lint` runs the same check; having it in the suite too means a broken contract fails a
plain `pytest` run, with import-linter's own report (which import, through which chain).
The whole file takes about 3 s: the import graph of the project builds in under a second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    # The venv's own script: requirements-dev.txt pins import-linter, so a missing one is an
    # install problem to fix, not a reason to skip the contracts.
    script = Path(sys.executable).with_name("lint-imports")
    assert script.exists(), f"{script} is missing: pip install -r requirements-dev.txt"
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "120"}
    return subprocess.run(
        [str(script), "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _root_packages() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]["root_packages"]


def test_import_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, "import contracts broken:\n" + result.stdout + result.stderr


@pytest.mark.parametrize(
    ("path", "breach", "expected"),
    [
        # Indirect: the engine reaches Django only through scoring.
        (
            "scoring/normalize.py",
            "import django",
            [
                "scoring is not allowed to import django",
                "scenarios.engine is not allowed to import django",
            ],
        ),
        ("scenarios/engine.py", "import roleplay", ["scenarios is not allowed to import roleplay"]),
        # certification/ does not exist yet: the contract must bite all the same.
        (
            "roleplay/services/live.py",
            "import certification",
            ["roleplay is not allowed to import certification"],
        ),
        (
            "catalog/models.py",
            "import courses.models",
            ["catalog is not allowed to import courses"],
        ),
        ("audit/services.py", "import tests.factories", ["audit is not allowed to import tests"]),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path, path, breach, expected):
    # A copy of the packages, so the checkout is never touched.
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in _root_packages():
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "static", "templates"),
        )
    with (tmp_path / path).open("a", encoding="utf-8") as f:
        f.write(f"\n{breach}  # deliberate breach\n")

    result = _lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    for line in expected:
        assert line in result.stdout, result.stdout
