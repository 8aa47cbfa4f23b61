"""The buyer engine: deterministic lines, branches with reasons, fallbacks and timers."""

from __future__ import annotations

import pytest

from scenarios import engine
from scenarios.simulation import run_self_test, simulate
from scenarios.validation import scenario_from_text


@pytest.fixture
def spec(fixture_text, context):
    return scenario_from_text(fixture_text, "s.yaml", context)


def test_same_seed_same_opening(spec):
    openings = {engine.start(spec, seed).lines[0].text for seed in range(20)}
    assert openings == set(spec.step("ask")["buyer"])  # both variants occur
    assert engine.start(spec, 7).lines == engine.start(spec, 7).lines


def test_branch_fires_with_its_reason_and_the_next_line_has_a_typing_delay(spec):
    turn = engine.start(spec, 1)
    turn = engine.on_reply(
        spec, turn.state, "您好，我们是品牌授权店，吊牌有防伪码", at=4.0, position="first"
    )
    assert turn.match.branch == 0 and turn.match.goto == "size"
    assert "proof_of_genuine" in turn.match.reason and "授权" in turn.match.reason
    [line] = turn.lines
    assert line.text == "好的。那我 160 斤穿什么码？" and line.kind == "line"
    assert line.delay_s == pytest.approx(len(line.text) / 150 * 60, abs=0.01)
    assert turn.state.path == ("ask", "size")


def test_rule_condition_uses_compliance_hits(spec):
    turn = engine.on_reply(spec, engine.start(spec, 1).state, "我不知道，你自己看吧", at=5.0)
    assert turn.match.goto == "doubt"
    assert {hit.rule for hit in turn.hits} >= {"negative_language"}
    assert turn.state.outcome == "流失"


def test_no_match_gives_the_fallback_then_tries_end_it(spec):
    state = engine.start(spec, 1).state
    for attempt in (1, 2):
        turn = engine.on_reply(spec, state, "嗯嗯", at=5.0 * attempt)
        assert turn.match.branch is None and turn.lines[0].kind == "fallback"
        state = turn.state
    turn = engine.on_reply(spec, state, "嗯嗯", at=15.0)
    assert turn.match.reason == "reply 3 at this step" and turn.state.outcome == "流失"


def test_timers_nudge_then_silence_branch(spec):
    state = engine.start(spec, 1, at=0.0).state
    assert engine.next_timer(spec, state) == 30.0  # nudge_after_s
    turn = engine.on_time(spec, state, 30.0)
    assert turn.lines[0].kind == "nudge" and turn.lines[0].text in ("在吗？", "还在吗？")
    assert engine.next_timer(spec, turn.state) == 45.0  # the silence branch, before patience
    turn = engine.on_time(spec, turn.state, 45.0)
    assert turn.state.outcome == "流失" and turn.lines[0].text == "算了，我去别家看看。"
    assert engine.next_timer(spec, turn.state) is None


def test_patience_makes_the_buyer_leave(spec):
    state = engine.start(spec, 1, at=0.0).state
    state = engine.on_reply(spec, state, "您好，有吊牌防伪码可查", at=3.0).state  # to "size"
    due = []
    while not state.ended:
        at = engine.next_timer(spec, state)
        turn = engine.on_time(spec, state, at)
        due.append((at, [line.kind for line in turn.lines]))
        state = turn.state
    arrival = 3.0 + engine.typing_delay(spec, "好的。那我 160 斤穿什么码？")
    assert due == [
        (pytest.approx(arrival + 30), ["nudge"]),
        (pytest.approx(arrival + 90), ["leave"]),
    ]
    assert state.outcome == "流失"


def test_state_round_trips_for_storage(spec):
    state = engine.on_reply(spec, engine.start(spec, 3).state, "嗯嗯", at=2.0).state
    assert engine.State.from_dict(state.to_dict()) == state


def test_the_documented_self_tests_pass_and_a_wrong_expectation_fails(spec):
    results = [run_self_test(spec, test) for test in spec.data["tests"]]
    assert [r.passed for r in results] == [True, True]
    wrong = {**spec.data["tests"][0], "expect": {"outcome": "流失", "score": [0, 10]}}
    result = run_self_test(spec, wrong)
    assert not result.passed
    assert "outcome 成交 ≠ expected 流失" in result.failures


def test_simulation_is_deterministic(spec):
    replies = [{"after_s": 4, "text": "您好！有授权书"}, {"after_s": 50, "text": "建议选M码"}]
    one = simulate(spec, 5, replies)
    two = simulate(spec, 5, replies)
    assert one.transcript == two.transcript


@pytest.fixture
def covering(fixture_text, context):
    """The size step needs two points, which an agent may give in one reply or in two."""
    text = fixture_text.replace(
        "      - when: {all: [{intent: size_advice}, {not: {rule: absolute_promise}}]}\n",
        "      - when: {all: [{covered: [size_advice, proof_of_genuine]},"
        " {not: {rule: absolute_promise}}]}\n",
    ).replace(
        "      - when: {tries: 2}\n        goto: deal\n",
        "      - when: {tries: 4}\n        end: 流失\n",
    )
    return scenario_from_text(text, "covering.yaml", context)


def _at_size(spec) -> engine.State:
    turn = engine.on_reply(spec, engine.start(spec, 1).state, "您好，我们是品牌授权店", at=4.0)
    assert turn.state.step == "size"
    return turn.state


def test_points_given_over_two_replies_move_the_buyer_on(covering):
    state = _at_size(covering)
    first = engine.on_reply(covering, state, "亲，160 斤建议选 L 码", at=10.0)
    assert first.match.branch is None and first.state.covered == ("size_advice",)
    second = engine.on_reply(covering, first.state, "吊牌上有防伪码，可以扫码查询", at=16.0)
    assert second.match.goto == "deal"
    assert "size_advice" in second.match.reason and "proof_of_genuine" in second.match.reason
    assert second.state.covered == ()  # a new step starts with nothing covered


def test_points_in_one_reply_count_too(covering):
    turn = engine.on_reply(covering, _at_size(covering), "建议选 L 码，吊牌有防伪码可查", at=10.0)
    assert turn.match.goto == "deal"


def test_points_said_at_an_earlier_step_do_not_count_at_this_one(covering):
    # proof_of_genuine was said at the first step; at the size step it must be said again.
    turn = engine.on_reply(covering, _at_size(covering), "亲，160 斤建议选 L 码", at=10.0)
    assert turn.match.branch is None and turn.state.covered == ("size_advice",)


def test_a_state_stored_before_covered_existed_still_loads(covering):
    stored = _at_size(covering).to_dict()
    stored.pop("covered")
    assert engine.State.from_dict(stored).covered == ()
    assert engine.State.from_dict(_at_size(covering).to_dict()) == _at_size(covering)


def test_an_unknown_intent_in_covered_is_refused(fixture_text, context):
    from yamlsource import SourceErrors

    text = fixture_text.replace(
        "      - when: {intent: proof_of_genuine}\n",
        "      - when: {covered: [proof_of_genuine, no_such_intent]}\n",
    )
    with pytest.raises(SourceErrors) as errors:
        scenario_from_text(text, "bad.yaml", context)
    assert "no_such_intent" in str(errors.value)
