"""The shops a roster may name: the shipped catalogue's, as a real deployment has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.services import catalog_import

ROOT = Path(__file__).resolve().parents[2]
# The shipped catalogue's apparel shop, by name (a roster may also give its slug).
SHOP = "悦衣坊女装旗舰店"


@pytest.fixture
def shops(db) -> list:
    return catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
