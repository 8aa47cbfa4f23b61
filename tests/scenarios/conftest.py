from pathlib import Path

import pytest

from catalog.services import catalog_import
from scenarios.context import validation_context
from scenarios.services import scenario_create

FIXTURE = Path(__file__).parent / "fixtures" / "genuine-coat.yaml"
CATALOG = Path(__file__).resolve().parents[2] / "content" / "catalog"


@pytest.fixture(scope="session")
def context():
    """The shipped catalogue and rule pack, without a database."""
    return validation_context(from_files=True)


@pytest.fixture
def fixture_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


@pytest.fixture
def shops(db):
    return catalog_import(sorted(CATALOG.glob("*.yaml")))


@pytest.fixture
def scenario(shops, trainer, fixture_text):
    return scenario_create(actor=trainer, yaml_text=fixture_text)
