from pathlib import Path

import pytest

from scenarios.context import validation_context

FIXTURE = Path(__file__).parent / "fixtures" / "genuine-coat.yaml"


@pytest.fixture(scope="session")
def context():
    """The shipped catalogue and rule pack, without a database."""
    return validation_context(from_files=True)


@pytest.fixture
def fixture_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")
