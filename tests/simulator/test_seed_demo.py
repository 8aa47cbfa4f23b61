"""`make run` loads the shipped content and demo users; running it twice changes nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from catalog.models import Shop
from certification.models import Track
from courses.models import Course
from scenarios.models import Scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_seed_demo_loads_everything_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", "--allow-production", stdout=out)
    call_command("seed_demo", "--allow-production", stdout=out)
    shipped = [
        p for p in (ROOT / "content" / "scenarios").glob("*.yaml") if not p.name.startswith("_")
    ]
    assert Shop.objects.count() == 3 and Course.objects.count() == 1
    assert Scenario.objects.filter(published_version__isnull=False).count() == len(shipped)
    assert all(s.versions.count() == 1 for s in Scenario.objects.all())  # no new version
    track = Track.objects.get(slug="cs-onboarding-certification")
    assert track.published_version.number == 1 and track.versions.count() == 1
    assert set(User.objects.values_list("username", flat=True)) >= {
        "trainee",
        "trainer",
        "hr",
        "admin",
    }
    assert "trainee  trainee / trainee-demo" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_production_without_the_flag(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="published passwords"):
        call_command("seed_demo")
