"""Helpers shared by the scenario commands: which files, and which catalogue."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path

from django.db import connection

from catalog.models import Shop
from scenarios.context import SCENARIO_DIR, validation_context
from scenarios.validation import ValidationContext


def add_common_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="files or folders (default: shipped)")
    parser.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="FILE",
        help="also check against the shops of this catalogue file (may be repeated)",
    )


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


def _catalog_in_database() -> bool:
    # A fresh checkout has no tables yet (before `migrate`): the check must still work.
    if Shop._meta.db_table not in connection.introspection.table_names():
        return False
    return Shop.objects.exists()


def context_for_commands(catalogs: list[str] | None = None) -> ValidationContext:
    """The catalogue in the database or, when it is empty or not created, the shipped files."""
    return validation_context(
        from_files=not _catalog_in_database(),
        extra_catalogs=[Path(p) for p in catalogs or []],
    )
