"""Offers the chat remembers (commitments), faults a branch records, and the buyer's
question about what a step still misses."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from scenarios import engine, runner
from scenarios.simulation import run_self_test
from scenarios.validation import scenario_from_text
from yamlsource import SourceErrors

SCARF = (Path(__file__).parent / "fixtures" / "scarf-offer.yaml").read_text(encoding="utf-8")
OFFER = "亲，价格已经是活动价了，这边送您一条围巾哦。"
TAKE_BACK = "不好意思，围巾送完了。"


@pytest.fixture
def scarf(context):
    return scenario_from_text(SCARF, "scarf-offer.yaml", context)


def _offered(spec) -> engine.Turn:
    return engine.on_reply(spec, engine.start(spec, 1).state, OFFER, at=4.0)


def test_an_offer_is_remembered_and_moves_her_on(scarf):
    turn = _offered(scarf)
    assert turn.match.goto == "size"
    assert "offer scarf made" in turn.match.reason
    assert turn.state.committed == ("scarf",) and turn.state.withdrawn == ()


def test_taking_it_back_before_it_was_made_is_nothing(scarf):
    turn = engine.on_reply(scarf, engine.start(scarf, 1).state, TAKE_BACK, at=4.0)
    assert turn.state.withdrawn == () and turn.state.committed == ()
    assert turn.lines[0].text == "那有没有什么赠品呀？"  # the step's own fallback


def test_she_holds_the_trainee_to_an_offer_taken_back(scarf):
    at_size = _offered(scarf).state
    # This reply covers everything the size step needs, yet she does not move on: she
    # first calls out the withdrawn gift.
    turn = engine.on_reply(
        scarf, at_size, TAKE_BACK + "160 斤建议选 L 码，七天无理由可以换货。", at=20.0
    )
    assert turn.state.step == "size" and turn.match.branch is None
    assert "offer scarf taken back" in turn.match.reason
    assert [line.text for line in turn.lines] == ["你刚才不是说送围巾吗？怎么又没有了？"]
    assert turn.state.withdrawn == ("scarf",)
    # The offer no longer stands.
    reply = engine._Reply("", [], 1, (), "calm", turn.state.committed, turn.state.withdrawn)
    assert engine._evaluate({"committed": "scarf"}, scarf, reply) is None
    assert engine._evaluate({"withdrawn": "scarf"}, scarf, reply)


def test_a_branch_on_the_withdrawal_itself_answers_instead_of_the_reminder(context):
    text = SCARF.replace(
        "      - when: {all: [{withdrawn: scarf}, {tries: 3}]}\n",
        "      - when: {withdrawn: scarf}\n",
    )
    spec = scenario_from_text(text, "scarf.yaml", context)
    turn = engine.on_reply(spec, _offered(spec).state, TAKE_BACK, at=20.0)
    assert turn.state.outcome == "差评"


def test_a_withdrawn_offer_caps_the_total_and_the_report_names_it(scarf):
    test = scarf.data["tests"][1]
    result = run_self_test(scarf, test)
    assert result.passed, result.failures
    assert result.total == 40.0
    conversation_state = engine.State.from_dict(
        {**engine.start(scarf, 0).state.to_dict(), "committed": ["scarf"], "withdrawn": ["scarf"]}
    )
    with translation.override("en"):
        faults = runner.session_faults(scarf, conversation_state)
    assert faults == [{"id": "scarf", "label": "took back the offer “送一条围巾”"}]
    assert runner.session_faults(scarf, conversation_state)[0]["label"] == "收回了承诺：送一条围巾"


def test_a_branch_records_a_fault_that_caps_the_total(scarf):
    result = run_self_test(scarf, scarf.data["tests"][2])
    assert result.passed, result.failures
    assert result.total == 0.0
    turn = engine.on_reply(
        scarf, engine.start(scarf, 1).state, "您私下转账给我，我给您便宜五十。", at=4.0
    )
    assert turn.state.faults == ("paid_off_platform",)
    assert "fault paid_off_platform" in turn.match.reason


def test_expectations_on_offers_and_faults_can_fail(scarf):
    good = scarf.data["tests"][0]
    test = {
        **good,
        "expect": {
            **good["expect"],
            "commitments": {"scarf": "withdrawn"},
            "faults": ["paid_off_platform"],
        },
    }
    with translation.override("en"):
        result = run_self_test(scarf, test)
    assert not result.passed
    assert "offer scarf: made ≠ expected withdrawn" in result.failures
    assert "expected the fault paid_off_platform; faults were none" in result.failures


def test_she_asks_for_the_point_still_missing(scarf):
    at_size = _offered(scarf).state
    turn = engine.on_reply(scarf, at_size, "160 斤建议选 L 码。", at=20.0)
    assert [line.text for line in turn.lines] == ["那不合适能换吗？"]
    turn = engine.on_reply(scarf, at_size, "可以七天无理由换货的。", at=20.0)
    assert [line.text for line in turn.lines] == ["那我穿什么码呢？"]
    # Nothing of the step said yet: the plain fallback.
    turn = engine.on_reply(scarf, at_size, "好的亲", at=20.0)
    assert [line.text for line in turn.lines] == ["嗯？"]


def test_states_stored_before_offers_existed_still_load(scarf):
    stored = _offered(scarf).state.to_dict()
    assert engine.State.from_dict(stored) == _offered(scarf).state
    for key in ("committed", "withdrawn", "faults"):
        stored.pop(key)
    assert engine.State.from_dict(stored).committed == ()


def _refused(text: str, context, language: str = "en") -> str:
    with translation.override(language), pytest.raises(SourceErrors) as errors:
        scenario_from_text(text, "bad.yaml", context)
    return str(errors.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "      - when: {committed: scarf}\n",
            "      - when: {committed: scraf}\n",
            "unknown commitment “scraf”",
        ),
        (
            "        fault: paid_off_platform\n",
            "        fault: paid_of_platform\n",
            "unknown fault “paid_of_platform”",
        ),
        (
            "  caps: {scarf: 40, paid_off_platform: 0}\n",
            "  caps: {scarves: 40, paid_off_platform: 0}\n",
            "unknown compliance rule, fault or commitment “scarves”",
        ),
        (
            "      return_policy: [那不合适能换吗？]\n",
            "      genuine_proof: [那是正品吗？]\n",
            "“genuine_proof” is not gathered at this step",
        ),
        (
            "    made: {intent: scarf}\n",
            "    made: {silence_s: 10}\n",
            "silence_s never fires here",
        ),
        (
            "      commitments: {scarf: made}\n",
            "      commitments: {gift: made}\n",
            "unknown commitment “gift”",
        ),
        (
            "  paid_off_platform: 让买家私下转账\n",
            "  paid_off_platform: 让买家私下转账\n  absolute_promise: 打包票\n",
            "the name “absolute_promise” is already a compliance rule",
        ),
    ],
)
def test_mistakes_in_offers_and_faults_are_refused_at_their_place(context, old, new, message):
    assert old in SCARF
    refused = _refused(SCARF.replace(old, new), context)
    assert message in refused
    line = next(
        i
        for i, text in enumerate(SCARF.replace(old, new).splitlines(), 1)
        if new.splitlines()[-1] == text
    )
    assert f"bad.yaml:{line}:" in refused


def test_a_trainer_reads_the_mistake_in_chinese_by_default(context):
    text = SCARF.replace("      - when: {committed: scarf}\n", "      - when: {committed: scraf}\n")
    assert "未知的承诺“scraf”" in _refused(text, context, "zh-hans")


def test_a_buyer_needs_only_a_name(context):
    persona_block = SCARF.split("persona:\n", 1)[1].split("intents:\n", 1)[0]
    text = SCARF.replace(persona_block, "  name: 周女士\n")
    spec = scenario_from_text(text, "scarf.yaml", context)
    persona = spec.data["persona"]
    assert persona["name"] == "周女士"
    assert (persona["patience_s"], persona["nudge_after_s"], persona["typing_cpm"]) == (
        120,
        40,
        120,
    )
    assert persona["motive"] == "求实" and persona["knowledge"] == "a_little"
    # The engine runs on the defaults: she nudges after 40 s of silence.
    state = engine.start(spec, 1).state
    assert engine.next_timer(spec, state) == pytest.approx(state.last_buyer_at + 40)
    # A nudge written past the default patience is told at the nudge.
    late = text.replace("  name: 周女士\n", "  name: 周女士\n  nudge_after_s: 130\n")
    assert "bad.yaml:9:3: persona.nudge_after_s: the nudge (130 s)" in _refused(late, context)
