"""Fixtures of the certification tests (names: track_* and shipped_*).

``shipped_track`` is wanted by many tests, and importing the shipped course through its
services costs about a second (each of its ~900 rows is validated and saved one by one).
So the shipped content is imported through the services once per test run, inside a
savepoint that is rolled back, and its rows are kept; every test then inserts those rows in
bulk (new primary keys, references mapped), in a small fraction of the time. Every test thus
sees the same rows, whether it is the first to ask or not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SHIPPED_TRACK_FILE = CONTENT / "tracks" / "cs-onboarding.yaml"

# The tables the shipped catalogue, course and scenarios fill, parents first.
_SHIPPED_MODELS = (
    "catalog.Shop",
    "catalog.Courier",
    "catalog.Promotion",
    "catalog.Product",
    "catalog.RelatedProduct",
    "catalog.Variant",
    "courses.Course",
    "courses.Module",
    "courses.Module_prerequisites",
    "courses.Lesson",
    "courses.Quiz",
    "courses.Question",
    "courses.Choice",
    "scenarios.Scenario",
    "scenarios.ScenarioVersion",
)
_snapshot: dict[str, list[dict]] = {}


def shipped_pool() -> list[str]:
    """The scenario slugs of the shipped track's exam pool, as the file lists them."""
    from yamlsource import load_file

    return list(load_file(SHIPPED_TRACK_FILE)["exam"]["pool"])


def _import_through_services(author) -> None:
    from catalog.services import catalog_import
    from courses.importing import course_import
    from scenarios.services import scenario_import, scenario_publish

    catalog_import(sorted((CONTENT / "catalog").glob("*.yaml")))
    course_import(CONTENT / "courses" / "cs-onboarding" / "course.yaml")
    files = [
        (f"{slug}.yaml", (CONTENT / "scenarios" / f"{slug}.yaml").read_bytes())
        for slug in shipped_pool()
    ]
    for scenario in scenario_import(actor=author, files=files):
        scenario_publish(actor=author, scenario=scenario)


def _take_snapshot(author) -> dict[str, list[dict]]:
    """The rows the services write, read inside a savepoint that is then rolled back."""
    from django.apps import apps
    from django.db import transaction
    from django.db.models import Max

    rows: dict[str, list[dict]] = {}
    with transaction.atomic():
        before = {
            label: apps.get_model(label).objects.aggregate(top=Max("pk"))["top"] or 0
            for label in _SHIPPED_MODELS
        }
        _import_through_services(author)
        for label in _SHIPPED_MODELS:
            model = apps.get_model(label)
            rows[label] = list(model.objects.filter(pk__gt=before[label]).order_by("pk").values())
        transaction.set_rollback(True)
    return rows


def _restore(rows: dict[str, list[dict]], author) -> None:
    """Insert the snapshot's rows with new keys, references mapped to them (users: to
    ``author``); a reference to a table filled later is set afterwards."""
    from django.apps import apps
    from django.conf import settings

    user_label = settings.AUTH_USER_MODEL
    new_keys: dict[str, dict] = {label: {} for label in _SHIPPED_MODELS}
    later: list[tuple] = []  # (model, old key, field attname, target label, old target)
    for label in _SHIPPED_MODELS:
        model = apps.get_model(label)
        pk_name = model._meta.pk.attname
        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        objects, old_keys = [], []
        for row in rows[label]:
            data = dict(row)
            old_keys.append(data.pop(pk_name))
            for field in relations:
                value = data[field.attname]
                target = field.related_model._meta.label
                if value is None:
                    continue
                if target == user_label:
                    data[field.attname] = author.pk
                elif value in new_keys.get(target, {}):
                    data[field.attname] = new_keys[target][value]
                else:
                    later.append((model, old_keys[-1], field.attname, target, value))
                    data[field.attname] = None
            objects.append(model(**data))
        for old, created in zip(old_keys, model.objects.bulk_create(objects), strict=True):
            new_keys[label][old] = created.pk
    for model, old, attname, target, value in later:
        key = new_keys[model._meta.label][old]
        model.objects.filter(pk=key).update(**{attname: new_keys[target][value]})


@pytest.fixture
def shipped_content(db, trainer):
    """The shipped catalogue and course (cs-onboarding) and the shipped track's exam-pool
    scenarios, published by ``trainer``. Returns the Course."""
    from courses.models import Course

    if not _snapshot:
        _snapshot.update(_take_snapshot(trainer))
    _restore(_snapshot, trainer)
    return Course.objects.get(slug="cs-onboarding")


@pytest.fixture
def shipped_track(shipped_content):
    """The shipped track 客服上岗认证 (content/tracks/cs-onboarding.yaml), imported and
    published (version 1) on top of ``shipped_content``. Returns the Track."""
    from certification.services.tracks import track_import

    version = track_import(actor=None, path_or_text=SHIPPED_TRACK_FILE)
    return version.track


# --- Certification exams (names: cert_*) ------------------------------------------------


@pytest.fixture
def cert_pool(trainer):
    """Four published scenarios the exam draws from (tests.certification.exams.POOL)."""
    from tests.certification.exams import publish_pool

    return publish_pool(trainer)


@pytest.fixture
def cert_track(cert_pool):
    """A published track on that pool (tests.certification.exams.SPEC)."""
    from tests.certification.exams import SPEC, published_track

    return published_track(SPEC)
