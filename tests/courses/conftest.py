from pathlib import Path

import pytest

from courses.importing import course_import

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def course(db):
    return course_import(FIXTURES / "basic" / "course.yaml")


@pytest.fixture
def quiz(course):
    return course.modules.get(slug="basics").quiz
