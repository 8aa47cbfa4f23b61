from pathlib import Path

import pytest

from scenarios.services import scenario_create, scenario_publish

FIXTURE = Path(__file__).resolve().parents[1] / "scenarios" / "fixtures" / "genuine-coat.yaml"


@pytest.fixture
def published(db, trainer):
    from catalog.services import catalog_import

    root = Path(__file__).resolve().parents[2]
    catalog_import(sorted((root / "content" / "catalog").glob("*.yaml")))
    text = FIXTURE.read_text(encoding="utf-8")
    scenario = scenario_create(actor=trainer, yaml_text=text)
    scenario_publish(actor=trainer, scenario=scenario)
    second = scenario_create(
        actor=trainer, yaml_text=text.replace("slug: genuine-coat", "slug: genuine-coat-b")
    )
    scenario_publish(actor=trainer, scenario=second)
    return scenario, second


@pytest.fixture
def scheduled(monkeypatch):
    """Celery calls recorded instead of sent (unit tests drive the services directly)."""
    from roleplay import tasks

    calls = []
    for name in ("deliver_task", "timer_task", "expire_task", "exam_expire_task", "score_task"):
        task = getattr(tasks, name)
        monkeypatch.setattr(
            task, "apply_async", lambda args, eta=None, name=name: calls.append((name, args, eta))
        )
        monkeypatch.setattr(
            task, "delay", lambda *args, name=name: calls.append((name, args, None))
        )
    return calls
