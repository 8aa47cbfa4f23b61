"""A fresh checkout runs its setup commands before any table exists (`make install` compiles
the catalogues before `migrate`): loading the URL configuration must not read the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["compile_catalogues"],
        # A trainer checks scenario files on a fresh checkout, against the shipped catalogue.
        ["validate_scenarios", "content/scenarios/size-advice.yaml"],
        ["test_scenarios", "content/scenarios/size-advice.yaml"],
    ],
)
def test_command_runs_on_an_empty_database(tmp_path: Path, command: list[str]) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DEBUG="true", VAR_DIR=str(tmp_path / "var"))
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "no such table" not in done.stderr
