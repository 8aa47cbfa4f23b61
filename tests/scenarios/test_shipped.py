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
    # A failing path ends badly, or ends in a deal the total does not pass (a false promise
    # capped): an expert would fail each of them.
    failing = [r for r in results if r.outcome not in GOOD or (r.total or 0) < 60]
    assert len(failing) >= 2, f"{path.name} needs two failing paths: {outcomes}"


def test_the_shipped_set_covers_the_course(context):
    specs = [scenario_from_file(path, context) for path in SCENARIOS]
    assert len(specs) >= 33
    # The first month includes chats the agent opens: 催付, a follow-up, a bad review.
    assert sum(spec.data.get("opener") == "agent" for spec in specs) >= 3
    motives = {spec.data["persona"]["motive"] for spec in specs}
    assert {"求廉", "求美", "求名", "求速", "求安"} <= motives
    shops = {spec.data["shop"] for spec in specs}
    assert shops == {"yueyi-apparel", "kangyuan-health", "xinma-digital"}


def _shipped(name: str, context):
    return scenario_from_file(SCENARIOS[0].parent / f"{name}.yaml", context)


def test_no_shipped_scenario_uses_the_shared_intent_that_mixes_two_acts(context):
    # `solution` matched 核实 as well as 补发: it stays loadable for older files only.
    for path in SCENARIOS:
        assert "intent: solution" not in path.read_text(encoding="utf-8"), path.name


def test_investigating_is_not_offering_a_remedy(context):
    from scenarios import engine

    spec = _shipped("damaged-parcel", context)
    state = engine.start(spec, 1).state
    state = engine.on_reply(spec, state, "非常抱歉，麻烦您拍一下外箱和膜的照片", at=5.0).state
    assert state.step == "photos"
    turn = engine.on_reply(spec, state, "好的收到，我这边核实一下", at=12.0)
    assert turn.match.branch is None and turn.state.step == "photos"  # she still waits
    turn = engine.on_reply(spec, turn.state, "核实好了，给您补发两片新膜，运费我们出", at=20.0)
    assert turn.state.step == "choose"  # "那补发吧" follows an offer of reshipment


def test_going_back_on_an_offer_fails_in_the_shipped_scenarios(context):
    """Scenarios where a trainee can make an offer test taking it back: an expert fails it."""
    withdrawals = []
    for path in SCENARIOS:
        spec = scenario_from_file(path, context)
        for test in spec.data.get("tests") or []:
            wanted = test["expect"].get("commitments") or {}
            if "withdrawn" in wanted.values():
                result = run_self_test(spec, test)
                assert result.passed and result.total is not None and result.total <= 40
                withdrawals.append(spec.slug)
    assert {"bargain-supervisor", "price-protection"} <= set(withdrawals)
    # The scam aimed at the agent fails whoever hands the account over, by a recorded fault.
    scam = _shipped("scam-fake-official", context)
    assert set(scam.data["faults"]) == {"code_leaked", "link_clicked", "contact_added"}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_each_good_path_is_typed_as_a_person_types(path, context):
    """The good path's replies carry a person's typing (typing_cpm) at humanly possible
    timings (the validator refuses others), so its total is what a live session scores."""
    spec = scenario_from_file(path, context)
    typed = [t for t in spec.data.get("tests") or [] if t.get("typing_cpm")]
    assert typed, f"{path.name}: no self-test types its replies"
    results = [run_self_test(spec, test) for test in typed]
    good = [r for r in results if r.outcome in GOOD and r.total is not None and r.total >= 80]
    assert good, f"{path.name}: no typed good path totals 80 or more"
    for test in typed:
        replies = [r for r in test["replies"] if "text" in r]
        typed_chars = sum(len(r["text"]) for r in replies if not r.get("quick_phrase"))
        assert typed_chars * 2 >= sum(len(r["text"]) for r in replies), test["name"]
