"""The buyer engine: deterministic lines, branches with reasons, fallbacks and timers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from scenarios import engine
from scenarios.simulation import run_self_test, simulate
from scenarios.validation import scenario_from_text
from yamlsource import SourceErrors

FIXTURES = Path(__file__).parent / "fixtures"


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
    with translation.override("en"):
        result = run_self_test(spec, wrong)
    assert not result.passed
    assert "outcome 成交 ≠ expected 流失" in result.failures
    # A trainer reads them in the interface language.
    assert "结果为 成交，应为 流失" in run_self_test(spec, wrong).failures


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


def _refused(text: str, context) -> str:
    """The validator's messages for a scenario text it must refuse."""
    with pytest.raises(SourceErrors) as errors:
        scenario_from_text(text, "bad.yaml", context)
    return str(errors.value)


def test_an_unknown_intent_in_covered_is_refused(fixture_text, context):
    text = fixture_text.replace(
        "      - when: {intent: proof_of_genuine}\n",
        "      - when: {covered: [proof_of_genuine, no_such_intent]}\n",
    )
    assert "no_such_intent" in _refused(text, context)


CAPPED_TEST = """
  - name: 打包票成交，总分被封顶
    seed: 1
    replies:
      - {after_s: 4, text: 您好，欢迎光临！我们是品牌授权店，吊牌有防伪码，明天保证送到您手上。}
      - {after_s: 8, text: 亲，根据您的身高体重建议选 M 码，具体可以参考详情页的尺码表哦。}
    expect:
      outcome: 成交
      score: [0, 40]
      capped_by: [absolute_promise]
      dimensions: {compliance: [80, 90], outcome: [100, 100], typing: null}
"""


@pytest.fixture
def capped(fixture_text, context):
    text = fixture_text.replace(
        "  outcomes: {成交: 100, 转主管: 60, 流失: 0, 差评: 0}\n",
        "  outcomes: {成交: 100, 转主管: 60, 流失: 0, 差评: 0}\n  caps: {absolute_promise: 40}\n",
    )
    head, tests = text.split("\ntests:", 1)
    text = head + "\ntests:\n" + CAPPED_TEST.lstrip("\n") + tests.split("\n", 1)[1]
    return scenario_from_text(text, "capped.yaml", context)


def test_a_cap_limits_a_deal_won_with_a_false_promise(capped):
    [first, *_] = capped.data["tests"]
    result = run_self_test(capped, first)
    assert result.passed, result.failures
    assert result.outcome == "成交" and result.total == 40.0


def test_self_test_expectations_on_dimensions_and_caps_can_fail(capped):
    test = {**capped.data["tests"][1]}  # the clean deal: no cap, compliance 100
    test["expect"] = {
        **test["expect"],
        "capped_by": ["absolute_promise"],
        "dimensions": {"compliance": [0, 50], "typing": [0, 100]},
    }
    with translation.override("en"):
        result = run_self_test(capped, test)
    assert not result.passed
    assert any("absolute_promise cap" in f for f in result.failures)
    assert any(f.startswith("compliance ") and "not in [0, 50]" in f for f in result.failures)
    assert any(f.startswith("typing None") for f in result.failures)


def test_a_cap_on_an_unknown_rule_is_refused(fixture_text, context):
    text = fixture_text.replace(
        "  outcomes: {成交: 100, 转主管: 60, 流失: 0, 差评: 0}\n",
        "  outcomes: {成交: 100, 转主管: 60, 流失: 0, 差评: 0}\n  caps: {no_such_rule: 40}\n",
    )
    assert "no_such_rule" in _refused(text, context)


AGENT_FIRST = (FIXTURES / "follow-up.yaml").read_text(encoding="utf-8")


@pytest.fixture
def opener_agent(context):
    return scenario_from_text(AGENT_FIRST, "follow-up.yaml", context)


def test_in_an_agent_first_chat_nobody_speaks_or_waits_before_the_trainee(opener_agent):
    turn = engine.start(opener_agent, 1, at=0.0)
    assert turn.lines == [] and turn.state.path == ("open",)
    # No nudge and no patience yet: only the start step's silence branch is pending.
    assert engine.next_timer(opener_agent, turn.state) == 120.0
    reply = engine.on_reply(
        opener_agent, turn.state, "您好，我是悦衣坊的客服", at=8.0, position="first"
    )
    assert reply.match.goto == "answer" and reply.lines[0].text.startswith("哦，是你们啊")
    assert engine.next_timer(opener_agent, reply.state) is not None  # now she can nudge


def test_an_agent_first_self_test_runs_and_scores(opener_agent):
    result = run_self_test(opener_agent, opener_agent.data["tests"][0])
    assert result.passed, result.failures
    assert result.total is not None and result.total >= 60


def test_her_last_line_before_she_leaves(opener_agent):
    state = engine.on_reply(opener_agent, engine.start(opener_agent, 1).state, "您好", at=5.0).state
    due = engine.next_timer(opener_agent, state)
    while not state.ended:
        turn = engine.on_time(opener_agent, state, engine.next_timer(opener_agent, state))
        state = turn.state
    assert [(line.kind, line.text) for line in turn.lines] == [
        ("final", "算了，我再看看别家吧。"),
        ("leave", engine.LEFT_NOTICE),
    ]
    assert state.outcome == "流失" and due is not None


def test_the_start_step_of_an_agent_first_chat_has_no_buyer_lines(context):
    spoken = AGENT_FIRST.replace(
        "  open:\n    branches:", "  open:\n    buyer: [在吗]\n    branches:"
    )
    assert "起始步骤不写买家说的话" in _refused(spoken, context)
    missing = AGENT_FIRST.replace("    buyer: [好吧，那我拍了。]\n", "")
    assert "步骤“deal”要写买家说的话" in _refused(missing, context)
    back = AGENT_FIRST.replace("        end: 流失\n  deal:", "        goto: open\n  deal:")
    assert "不能回到由学员开场的那一步" in _refused(back, context)


def test_a_burst_arrives_as_several_lines_each_typed_in_turn(fixture_text, context):
    text = fixture_text.replace(
        "    buyer: [好的。那我 160 斤穿什么码？]\n",
        '    buyer:\n      - [好的, 那我 160 斤穿什么码？, "[商品链接:double-face-wool-coat]"]\n',
    )
    spec = scenario_from_text(text, "burst.yaml", context)
    turn = engine.on_reply(spec, engine.start(spec, 1).state, "您好，我们是品牌授权店", at=4.0)
    assert [line.text for line in turn.lines] == [
        "好的",
        "那我 160 斤穿什么码？",
        "[商品链接:double-face-wool-coat]",
    ]
    delays = [line.delay_s for line in turn.lines]
    assert delays == sorted(delays) and delays[0] > 0
    assert delays[1] - delays[0] == pytest.approx(
        engine.BURST_GAP_S + engine.typing_delay(spec, "那我 160 斤穿什么码？"), abs=0.02
    )
    # Her timers start when the last line of the burst has arrived.
    assert turn.state.last_buyer_at == pytest.approx(4.0 + delays[-1])


MOODY = """
persona:
  name: 林女士
  gender: female
  motive: 求安
  knowledge: a_little
  price_attitude: testing
  patience_s: 90
  nudge_after_s: 30
  nudges: [在吗？]
  typing_cpm: 150
"""


@pytest.fixture
def moody(fixture_text, context):
    """Rudeness annoys her; at the size step an annoyed buyer says something else; an angry
    one at the size step leaves."""
    text = fixture_text.replace(
        "      - when: {intent: proof_of_genuine}\n        goto: size\n",
        "      - when: {all: [{rule: impolite_address}, {intent: proof_of_genuine}]}\n"
        "        goto: size\n        mood: up\n"
        "      - when: {intent: proof_of_genuine}\n        goto: size\n",
        1,
    ).replace(
        "    buyer: [好的。那我 160 斤穿什么码？]\n",
        "    buyer: [好的。那我 160 斤穿什么码？]\n"
        "    buyer_by_mood:\n      impatient: [行吧。160 斤穿什么码，快点说。]\n",
    )
    text = text.replace(
        "      - when: {all: [{intent: size_advice}, {not: {rule: absolute_promise}}]}\n",
        "      - when: {mood: [annoyed, angry]}\n        end: 流失\n"
        "      - when: {all: [{intent: size_advice}, {not: {rule: absolute_promise}}]}\n",
    )
    return scenario_from_text(text, "moody.yaml", context)


def test_a_reply_moves_her_mood_and_her_next_line_follows_it(moody):
    state = engine.start(moody, 1).state
    assert state.mood == "calm"
    turn = engine.on_reply(moody, state, "你放心，我们是品牌授权店", at=4.0)
    assert turn.state.mood == "impatient" and "mood calm → impatient" in turn.match.reason
    assert turn.lines[0].text == "行吧。160 斤穿什么码，快点说。"


def test_waiting_raises_her_mood_and_a_branch_can_test_it(moody):
    turn = engine.on_reply(moody, engine.start(moody, 1).state, "你放心，我们是品牌授权店", at=4.0)
    nudge = engine.on_time(moody, turn.state, engine.next_timer(moody, turn.state))
    assert nudge.lines[0].kind == "nudge" and nudge.state.mood == "annoyed"
    assert "impatient → annoyed" in nudge.match.reason
    end = engine.on_reply(moody, nudge.state, "建议选 M 码", at=nudge.state.last_buyer_at + 5)
    assert end.state.outcome == "流失" and end.match.reason == "mood annoyed"


def test_a_calm_buyer_says_the_plain_line_and_states_without_mood_still_load(moody):
    turn = engine.on_reply(moody, engine.start(moody, 1).state, "您好，我们是品牌授权店", at=4.0)
    assert turn.state.mood == "calm" and turn.lines[0].text == "好的。那我 160 斤穿什么码？"
    stored = turn.state.to_dict()
    stored.pop("mood")
    assert engine.State.from_dict(stored).mood == "calm"


def test_the_dry_run_transcript_shows_her_mood(moody):
    from scenarios.simulation import simulate

    conversation = simulate(moody, 1, [{"after_s": 4, "text": "你放心，我们是品牌授权店"}])
    buyer = [line for line in conversation.transcript if line.role == "buyer"]
    assert [line.mood for line in buyer] == ["calm", "impatient"]


def test_a_card_is_a_tap_not_typing(spec):
    assert engine.typing_delay(spec, "[商品链接:double-face-wool-coat]") == engine.typing_delay(
        spec, "看看"
    )


def test_a_self_test_hands_the_chat_to_a_supervisor_as_the_workbench_does(spec):
    """转接主管 in a self-test ends the chat with 转主管, scored by the scenario's outcomes
    (the fixture's 60), as the workbench's button does in a live session."""
    handed = {
        "name": "转接主管",
        "replies": [{"after_s": 4, "text": "您好！有授权书"}, {"after_s": 6, "action": "transfer"}],
        "expect": {"outcome": "转主管", "dimensions": {"outcome": [60, 60]}},
    }
    result = run_self_test(spec, handed)
    assert result.passed, result.failures
    assert result.transcript[-1].role == "system" and result.transcript[-1].kind == "transfer"
    ended = {**handed, "replies": [handed["replies"][0], {"after_s": 6, "action": "end"}]}
    ended["expect"] = {"outcome": "流失", "dimensions": {"outcome": [0, 0]}}
    assert run_self_test(spec, ended).passed


def test_a_reply_after_the_chat_was_closed_is_refused(fixture_text, context):
    heading = next(line for line in fixture_text.splitlines(True) if line.startswith("tests:"))
    text = fixture_text.replace(
        heading,
        "tests:\n  - name: 转接后还说话\n    replies:\n      - {after_s: 4, action: transfer}\n"
        "      - {after_s: 4, text: 您好}\n    expect: {outcome: 转主管}\n",
        1,
    )
    with translation.override("en"):
        message = _refused(text, context)
    assert "must be the test's last reply" in message
