"""The session runner: timers fired in order up to a moment, and the scoring input built
alike from any transcript."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from scenarios import runner
from scenarios.validation import scenario_from_text


@pytest.fixture
def spec(fixture_text, context):
    return scenario_from_text(fixture_text, "s.yaml", context)


def test_timers_due_before_a_moment_fire_in_order_and_stop_there(spec):
    opening = runner.start(spec, 1)
    assert runner.fire_due_timers(spec, opening.state, 29.9) == []
    [nudge] = runner.fire_due_timers(spec, opening.state, 30.0)
    assert (nudge.at, nudge.turn.lines[0].kind) == (30.0, "nudge")
    assert nudge.reason == "nudge · mood calm → impatient"  # waiting makes her less patient
    # Long silence: the nudge, then the silence branch at 45 s ends the chat; nothing after.
    fired = runner.fire_due_timers(spec, opening.state, 500.0)
    assert [(t.at, t.reason) for t in fired] == [
        (30.0, "nudge · mood calm → impatient"),
        (45.0, "silence 45 s"),
    ]
    assert fired[-1].turn.state.outcome == "流失"


@dataclass
class Line:
    role: str
    text: str
    kind: str = ""


def test_scoring_input_leaves_out_system_notices_and_the_closing_line(spec):
    lines = [
        (0.0, Line("buyer", "你好，这件大衣是正品吗？", "line"), None),
        (
            4.0,
            Line("agent", "您好，我们是品牌授权店"),
            [{"t": 1, "type": "insertText", "data": "您"}],
        ),
        (9.0, Line("buyer", "好，那我拍了。", "final"), None),
        (9.0, Line("system", "（买家已离开）", "leave"), None),
    ]
    data = runner.scoring_input(spec, lines, "成交")
    assert data == {
        "messages": [
            {"role": "buyer", "t": 0.0, "text": "你好，这件大衣是正品吗？"},
            {
                "role": "agent",
                "t": 4.0,
                "text": "您好，我们是品牌授权店",
                "events": [{"t": 1, "type": "insertText", "data": "您"}],
            },
        ],
        "outcome": {"score": 100.0, "label": "成交"},
    }
    assert "outcome" not in runner.scoring_input(spec, lines, "")
