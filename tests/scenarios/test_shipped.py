"""Every shipped scenario validates and passes its self-tests through the real engine and
scoring; each has a good path and a bad path; together they cover what the course needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.simulation import run_self_test
from scenarios.validation import scenario_from_file

SCENARIOS = sorted(
    p
    for p in (Path(__file__).resolve().parents[2] / "content" / "scenarios").glob("*.yaml")
    if not p.name.startswith("_")
)
GOOD = {"成交", "转主管"}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_validates_and_passes_its_self_tests(path, context):
    spec = scenario_from_file(path, context)
    results = [run_self_test(spec, test) for test in spec.data.get("tests") or []]
    failures = [f"{r.name}: {'; '.join(r.failures)}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)
    outcomes = [r.outcome for r in results]
    assert any(
        o == "成交" or (o in GOOD and r.total >= 60) for o, r in zip(outcomes, results, strict=True)
    ), outcomes
    assert any(o not in GOOD for o in outcomes), f"{path.name} needs a failing path: {outcomes}"


def test_the_shipped_set_covers_the_course(context):
    specs = [scenario_from_file(path, context) for path in SCENARIOS]
    assert len(specs) >= 16
    motives = {spec.data["persona"]["motive"] for spec in specs}
    assert {"求廉", "求美", "求名", "求速", "求安"} <= motives
    shops = {spec.data["shop"] for spec in specs}
    assert shops == {"yueyi-apparel", "kangyuan-health", "xinma-digital"}
