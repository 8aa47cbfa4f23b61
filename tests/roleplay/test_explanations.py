"""Each dimension of a report explains itself in the interface language, with its numbers."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from roleplay.explanations import explain_dimensions
from scoring import score_session


def typed(t: float, text: str, seconds: float) -> dict[str, Any]:
    step = seconds / len(text)
    return {
        "role": "agent",
        "t": t,
        "text": text,
        "events": [
            {"t": t - seconds + i * step, "type": "insertText", "data": ch}
            for i, ch in enumerate(text)
        ],
    }


def session(agent: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "targets": {"required_points": ["运费险", "七天无理由"]},
        "outcome": {"score": 100, "label": "成交"},
        "messages": [
            {"role": "buyer", "t": 0, "text": "在吗"},
            agent[0],
            {"role": "buyer", "t": 20, "text": "能退吗"},
            *agent[1:],
        ],
    }


def explain(data: dict[str, Any], language: str) -> dict[str, str]:
    with translation.override(language):
        return explain_dimensions(data)


def test_every_dimension_explains_itself_in_chinese_with_its_numbers() -> None:
    data = score_session(
        session(
            [
                typed(5, "亲，您好，在的呢", 4),
                typed(90, "支持七天无理由，你放心加我微信", 20),
            ]
        )
    ).to_dict()
    how = explain(data, "zh-hans")
    assert how["response"] == (
        "2 次等待：1 次在目标内，0 次在目标与上限之间，1 次超过上限。"
        "每次等待按所在区间计分，取平均：(100 + 0) ÷ 2 = 50。"
    )
    assert how["typing"].startswith("打字 23 字，用时 24 秒：57.5 字/分")
    assert "字/分" in how["typing"]
    assert (
        how["compliance"]
        == "轻微 2 处 × 5，致命 1 处 × 30：100 − 40 = 60；有致命违规时最高 0 分 → 0 分。"
    )
    assert how["outcome"] == "对话结局为“成交”，得 100 分。"
    assert how["required_points"] == "必讲要点讲到 1 个，共 2 个：1 ÷ 2 × 100 = 50。"
    # No English formula inside the Chinese page.
    assert not any("formula" in text or "sum of" in text for text in how.values())
    english = explain(data, "en")
    assert english["required_points"].startswith("1 of 2 required points covered")


def test_an_input_anomaly_is_said_and_the_typing_left_out() -> None:
    robot = {
        "role": "agent",
        "t": 5,
        "text": "亲，您好，这款有现货的，今天下单明天就发货",
        "events": [{"t": 4.9, "type": "insertText", "data": "亲"}],
    }
    data = score_session(session([robot])).to_dict()
    assert data["dimensions"]["typing"]["score"] is None
    how = explain(data, "zh-hans")
    assert how["typing"].startswith("不计分：输入异常")
    assert "不按 100 分计" in how["typing"]


def test_a_report_in_an_older_or_partial_shape_still_shows() -> None:
    data = {
        "dimensions": {
            "compliance": {"score": 85.0, "included": True, "weight": 2},
            "typing": {"score": None, "included": False, "reason": "no typing data"},
            "outcome": {"score": 100.0, "included": True, "weight": 1, "inputs": {}},
        }
    }
    how = explain(data, "zh-hans")
    assert how["compliance"] == "—"
    assert how["typing"] == "不计分：没有打字的回复。"
    assert set(how) == {"compliance", "typing", "outcome"}
