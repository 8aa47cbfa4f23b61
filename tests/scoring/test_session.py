"""Whole sessions: hand-computed report, the JSON shape, reproducibility."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scoring import ScoringInputError, load_rulepack, parse_session, score_session


def example() -> dict[str, Any]:
    return {
        "targets": {
            "required_points": [{"id": "return", "all": [["七天", "7天"], "无理由"]}, "运费险"],
            "forbidden": ["可以退款"],
        },
        "outcome": {"score": 100, "label": "paid"},
        "messages": [
            {"role": "buyer", "t": 0, "text": "在吗？"},
            {"role": "buyer", "t": 2, "text": "这件衣服会起球吗"},
            {
                "role": "agent",
                "t": 6,
                "text": "亲，您好！这件不会起球的哦～",
                "events": [
                    {"t": 2.5, "type": "insertCompositionText", "data": "qin"},
                    {"t": 3, "type": "insertCompositionText", "data": "亲"},
                    {"t": 3.2, "type": "insertText", "data": "亲"},
                    {"t": 4, "type": "insertQuickPhrase", "data": "您好！"},
                    {"t": 5, "type": "insertText", "data": "这件不会起球的哦～"},
                ],
            },
            {"role": "buyer", "t": 10, "text": "能退吗"},
            {
                "role": "agent",
                "t": 30,
                "text": "支持七天无理由退换，你放心",
                "events": [
                    {"t": 20, "type": "insertText", "data": "支持"},
                    {"t": 25, "type": "insertText", "data": "七天无理由退换，你放心"},
                ],
            },
            {"role": "buyer", "t": 40, "text": "好的"},
        ],
    }


def test_hand_computed_session() -> None:
    report = score_session(example())
    data = report.to_dict()
    # waits 6 s (first band 6/10 -> 100) and 20 s (later band 15/60 -> 88.9); one unanswered
    assert data["response"]["first_s"] == 6.0
    assert data["response"]["average_s"] == 13.0
    assert data["response"]["waits"] == [6.0, 20.0]
    assert [u["buyer_message"] for u in data["response"]["unanswered"]] == [5]
    assert data["dimensions"]["response"]["score"] == 63.0  # (100 + 88.9 + 0) / 3
    assert data["dimensions"]["response"]["inputs"]["wait_scores"] == [100.0, 88.9, 0.0]
    # message 2: 14 characters, 3 quick-phrase -> 11 typed in 3.5 s; message 4: 13 in 10 s
    assert data["typing"]["typed_chars"] == 24
    assert data["typing"]["pasted_chars"] == 3
    assert data["typing"]["compose_s"] == 13.5
    assert data["typing"]["cpm"] == 106.7  # 24 / 13.5 * 60
    assert data["dimensions"]["typing"]["score"] == 100.0
    # "你" (minor) and no closing in the last reply (minor); 运费险 never mentioned
    hits = [(h["message"], h["rule"], h["evidence"]) for h in data["compliance"]["hits"]]
    assert hits == [
        (4, "impolite_address", "你"),
        (4, "missing_closing", ""),
        (None, "required_point_missing", ""),
    ]
    assert data["dimensions"]["compliance"]["score"] == 90.0
    assert data["dimensions"]["compliance"]["inputs"]["counts"] == {
        "minor": 2,
        "major": 0,
        "fatal": 0,
    }
    points = data["required_points"]["points"]
    assert points[0] == {
        "id": "return",
        "covered": True,
        "message": 4,
        "start": 2,
        "end": 4,
        "evidence": "七天",
    }
    assert points[1]["covered"] is False
    assert data["dimensions"]["required_points"]["score"] == 50.0
    assert data["dimensions"]["outcome"]["score"] == 100.0
    # (63*25 + 100*15 + 90*30 + 100*15 + 50*15) / 100 = 80.25 -> 80.3
    assert data["total"] == 80.3


def test_report_shape_has_the_contract_fields() -> None:
    data = score_session(example()).to_dict()
    assert set(data) >= {"response", "typing", "compliance", "dimensions", "total"}
    assert set(data["response"]) >= {"first_s", "average_s", "waits", "unanswered"}
    assert set(data["typing"]) >= {"typed_chars", "pasted_chars", "compose_s", "cpm"}
    for hit in data["compliance"]["hits"]:
        assert set(hit) == {"message", "rule", "severity", "start", "end", "suggestion", "evidence"}
    assert set(data["dimensions"]) == {
        "response",
        "typing",
        "compliance",
        "outcome",
        "required_points",
    }
    for dim in data["dimensions"].values():
        assert set(dim) == {"score", "weight", "share", "included", "reason", "inputs"}
    pack = load_rulepack()
    assert data["rulepack"] == pack.identity()
    assert data["engine"] == {"name": "scoring", "version": "1.3.0"}
    json.dumps(data, ensure_ascii=False)  # plain JSON all the way down


def test_rescoring_is_identical() -> None:
    first = json.dumps(score_session(example()).to_dict(), sort_keys=True)
    again = json.dumps(score_session(parse_session(example())).to_dict(), sort_keys=True)
    assert first == again


def test_slow_typing_lowers_only_the_typing_dimension() -> None:
    fast = example()
    slow = example()
    slow["messages"][4]["events"][0]["t"] = 6  # 24 s
    slow["messages"][2]["events"][0]["t"] = 0.5
    fast_report = score_session(fast).to_dict()["dimensions"]
    slow_report = score_session(slow).to_dict()["dimensions"]
    assert slow_report["typing"]["score"] < fast_report["typing"]["score"]
    for name in ("response", "compliance", "outcome", "required_points"):
        assert slow_report[name] == fast_report[name]
    # 24 typed chars in (5.5 + 24) s = 48.8 cpm -> 48.8 / 60 = 81.3
    assert slow_report["typing"]["inputs"]["cpm"] == 48.8
    assert slow_report["typing"]["score"] == 81.3


def test_scenario_targets_override_the_session_targets() -> None:
    report = score_session(example(), targets={"weights": {"response": 1}})
    assert report.total.score == report.dimension("response").score == 63.0
    assert report.total.excluded["typing"] == "weight 0 in this scenario"


def test_forbidden_statements_are_checked_in_every_agent_message() -> None:
    session = example()
    session["messages"][4]["text"] = "亲，这个可以退款的，七天无理由"
    session["messages"][4]["events"] = None
    hits = score_session(session).to_dict()["compliance"]["hits"]
    assert (4, "forbidden_statement", "可以退款") in [
        (h["message"], h["rule"], h["evidence"]) for h in hits
    ]


def test_single_agent_reply_needs_greeting_and_closing() -> None:
    report = score_session(
        {
            "messages": [
                {"role": "buyer", "t": 0, "text": "在吗"},
                {"role": "agent", "t": 3, "text": "这款有现货的哦"},
            ]
        }
    )
    assert [h.hit.rule for h in report.hits] == ["missing_greeting", "missing_closing"]
    assert report.total.excluded == {
        "typing": "no agent message with typed characters",
        "outcome": "no outcome given for this session",
        "required_points": "the scenario lists no required points",
    }
    # response 100 (3 s), compliance 90 (two minor): (100*25 + 90*30) / 55 = 94.5
    assert report.total.score == 94.5


def test_empty_session_has_no_total_and_says_why() -> None:
    data = score_session({"messages": []}).to_dict()
    assert data["total"] is None
    assert data["total_inputs"]["used"] == []
    assert data["dimensions"]["compliance"]["reason"] == "no agent message to check"


def test_fatal_hit_zeroes_compliance_but_not_the_rest() -> None:
    session = {
        "messages": [
            {"role": "buyer", "t": 0, "text": "在吗"},
            {"role": "agent", "t": 2, "text": "亲，您好，加我微信给您便宜，谢谢"},
        ]
    }
    dims = score_session(session).to_dict()["dimensions"]
    assert dims["compliance"]["score"] == 0.0
    assert dims["compliance"]["inputs"]["capped_by_fatal"] is True
    assert dims["response"]["score"] == 100.0


def test_invalid_session_raises_input_error() -> None:
    with pytest.raises(ScoringInputError, match=r"messages\[1\]\.t"):
        score_session(
            {
                "messages": [
                    {"role": "buyer", "t": 5, "text": "a"},
                    {"role": "agent", "t": 1, "text": "b"},
                ]
            }
        )


def _capped_session(agent_text: str, caps: dict) -> dict:
    return score_session(
        {
            "messages": [
                {"role": "buyer", "t": 0, "text": "明天能到吗"},
                {"role": "agent", "t": 3, "text": agent_text},
            ],
            "targets": {"caps": caps},
            "outcome": {"score": 100},
        }
    ).to_dict()


def test_a_rule_hit_caps_the_total_and_the_report_says_so() -> None:
    report = _capped_session("亲，明天保证送到", {"absolute_promise": 40})
    assert report["total"] == 40.0
    assert report["total_inputs"]["caps"] == {"absolute_promise": 40.0}
    assert report["total_inputs"]["uncapped"] > 40.0


def test_no_cap_without_the_hit_and_the_lowest_cap_wins() -> None:
    clean = _capped_session("亲，一般两天左右送到，我帮您跟进物流", {"absolute_promise": 40})
    assert "caps" not in clean["total_inputs"] and clean["total"] > 40
    both = _capped_session(
        "你明天保证送到", {"absolute_promise": 40, "impolite_address": 70, "off_platform": 10}
    )
    assert both["total"] == 40.0
    assert both["total_inputs"]["caps"] == {"absolute_promise": 40.0, "impolite_address": 70.0}


@pytest.mark.parametrize(
    ("caps", "field"),
    [
        ({"absolute_promise": 140}, "targets.caps.absolute_promise"),
        ({"Bad Id": 40}, "targets.caps"),
    ],
)
def test_a_bad_cap_is_refused_with_its_place(caps: dict, field: str) -> None:
    with pytest.raises(ScoringInputError) as error:
        _capped_session("亲，好的", caps)
    assert error.value.field == field


def _session_with_faults(faults, caps: dict) -> dict:
    return score_session(
        {
            "messages": [
                {"role": "buyer", "t": 0, "text": "能便宜点吗"},
                {"role": "agent", "t": 3, "text": "亲，送您一条围巾哦"},
            ],
            "targets": {"caps": caps},
            "outcome": {"score": 100},
            "faults": faults,
        }
    ).to_dict()


def test_a_fault_of_the_conversation_caps_the_total_like_a_rule_hit() -> None:
    fault = {"id": "scarf", "label": "收回了承诺：送一条围巾"}
    report = _session_with_faults([fault], {"scarf": 40})
    assert report["total"] == 40.0 and report["total_inputs"]["caps"] == {"scarf": 40.0}
    assert report["faults"] == [fault]
    # Reported, but nothing capped, when the scenario sets no cap for it.
    uncapped = _session_with_faults([fault], {})
    assert uncapped["total"] > 40.0 and uncapped["faults"] == [fault]
    assert _session_with_faults([], {"scarf": 40})["total"] > 40.0


@pytest.mark.parametrize(
    ("faults", "field"),
    [
        ({"id": "scarf"}, "faults"),
        ([{"id": "scarf"}], "faults[0].label"),
        ([{"id": "Scarf", "label": "x"}], "faults[0].id"),
        ([{"id": "scarf", "label": "x", "cap": 40}], "faults[0].cap"),
    ],
)
def test_a_bad_fault_is_refused_with_its_place(faults, field: str) -> None:
    with pytest.raises(ScoringInputError) as error:
        _session_with_faults(faults, {})
    assert error.value.field == field
