"""Content writes leave audit records: scenario draft saves and imports, course imports and
catalogue imports, each naming who, what and how much, in the write's own transaction."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from audit.models import AuditEvent
from audit.selectors import audit_events_for
from catalog.services import catalog_import
from courses.importing import course_import
from scenarios.services import scenario_create, scenario_draft_save, scenario_import
from yamlsource import SourceErrors

TESTS = Path(__file__).resolve().parents[1]
CATALOG = TESTS.parent / "content" / "catalog"
SCENARIO = TESTS / "scenarios" / "fixtures" / "genuine-coat.yaml"
COURSE = TESTS / "courses" / "fixtures" / "basic" / "course.yaml"


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def shops(db):
    return catalog_import(sorted(CATALOG.glob("*.yaml")))


@pytest.fixture
def scenario_text() -> str:
    return SCENARIO.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_draft_save_is_audited_valid_or_not(shops, trainer, scenario_text):
    scenario = scenario_create(actor=trainer, yaml_text=scenario_text)
    edited = scenario_text.replace("title:", "title: 改", 1)
    scenario_draft_save(actor=trainer, scenario=scenario, yaml_text=edited)
    broken = edited + "\nsteps: [\n"
    result = scenario_draft_save(actor=trainer, scenario=scenario, yaml_text=broken)
    assert result.errors
    saves = list(audit_events_for(scenario).filter(action="scenario.draft_save"))
    assert [event.actor for event in saves] == [trainer, trainer]
    invalid, valid = saves  # newest first
    assert valid.before["draft"] == _digest(scenario_text)
    assert valid.after["draft"] == _digest(edited) and valid.after["draft_valid"] is True
    assert invalid.before["draft"] == _digest(edited)
    assert invalid.after["draft_valid"] is False and invalid.after["errors"] >= 1
    assert invalid.after["bytes"] == len(broken.encode("utf-8"))


@pytest.mark.django_db
def test_a_scenario_import_audits_each_file_created_or_updated(shops, admin_user, scenario_text):
    second = scenario_text.replace("slug: genuine-coat", "slug: genuine-coat-b")
    files = [("a.yaml", scenario_text.encode()), ("b.yaml", second.encode())]
    first_run = scenario_import(actor=admin_user, files=files)
    edited = scenario_text.replace("title:", "title: 改", 1)
    scenario_import(actor=admin_user, files=[("a.yaml", edited.encode())])
    created = audit_events_for(first_run[0]).filter(action="scenario.import")
    after = [event.after for event in created]  # newest first
    assert [(a["file"], a["created"]) for a in after] == [("a.yaml", False), ("a.yaml", True)]
    assert after[0]["draft"] == _digest(edited) and after[1]["draft"] == _digest(scenario_text)
    assert {event.actor for event in created} == {admin_user}
    assert audit_events_for(first_run[1]).filter(action="scenario.import").count() == 1


@pytest.mark.django_db
def test_a_refused_scenario_import_leaves_no_record(shops, admin_user, scenario_text):
    broken = ("bad.yaml", b"slug: [")
    with pytest.raises(SourceErrors):
        scenario_import(actor=admin_user, files=[("a.yaml", scenario_text.encode()), broken])
    assert not AuditEvent.objects.filter(action="scenario.import").exists()


@pytest.mark.django_db
def test_a_course_import_is_audited_with_its_counts(admin_user):
    course = course_import(COURSE, actor=admin_user)
    course_import(COURSE)  # the command line: no signed-in actor
    events = list(audit_events_for(course).filter(action="course.import"))
    assert [(e.actor, e.after["created"]) for e in events] == [(None, False), (admin_user, True)]
    counts = events[1].after
    assert counts["modules"] == course.modules.filter(is_active=True).count()
    lessons = sum(module.lessons.filter(is_active=True).count() for module in course.modules.all())
    assert counts["lessons"] == lessons and counts["questions"] > 0


@pytest.mark.django_db
def test_a_catalogue_import_audits_each_shop(admin_user):
    shops = catalog_import(sorted(CATALOG.glob("*.yaml")), actor=admin_user)
    for shop in shops:
        [event] = audit_events_for(shop).filter(action="catalog.shop_import")
        assert event.actor == admin_user and event.after["created"] is True
        assert event.after["slug"] == shop.slug
        assert event.after["products"] == shop.products.count()
