"""Helpers shared by the scenario commands: which files, and which catalogue."""

from __future__ import annotations

from pathlib import Path

from catalog.models import Shop
from scenarios.context import SCENARIO_DIR, validation_context


def scenario_paths(paths: list[str]) -> list[Path]:
    """Files named, or every scenario of the folders named (default: the shipped ones)."""
    result: list[Path] = []
    for raw in paths or [str(SCENARIO_DIR)]:
        path = Path(raw)
        if path.is_dir():
            result.extend(sorted(p for p in path.glob("*.yaml") if not p.name.startswith("_")))
        else:
            result.append(path)
    return result


def context_for_commands():
    # An empty database (a fresh checkout, CI) is checked against the shipped catalogue.
    return validation_context(from_files=not Shop.objects.exists())
