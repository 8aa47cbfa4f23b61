"""Validation: every kind of bad input names its field."""

from __future__ import annotations

from typing import Any

import pytest

from scoring import ScoringInputError, parse_reply, parse_session, parse_targets
from scoring.inputs import DEFAULT_WEIGHTS, Band


def agent(t: float, text: str = "您好", events: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "agent", "t": t, "text": text}
    if events is not None:
        message["events"] = events
    return message


def buyer(t: float, text: str = "在吗") -> dict[str, Any]:
    return {"role": "buyer", "t": t, "text": text}


def error_of(raw: Any) -> ScoringInputError:
    with pytest.raises(ScoringInputError) as err:
        parse_session(raw)
    return err.value


def test_valid_session_is_typed() -> None:
    session = parse_session(
        {
            "messages": [
                buyer(0),
                agent(
                    5,
                    events=[
                        {"t": 1, "type": "insertText", "data": "您好"},
                        {"t": 2, "type": "deleteContentBackward", "data": None},
                    ],
                ),
            ],
            "outcome": {"score": 80, "label": "paid"},
            "id": "kept by the caller, ignored here",
        }
    )
    assert [m.role for m in session.messages] == ["buyer", "agent"]
    assert session.messages[1].events is not None
    assert session.messages[1].events[1].data == ""
    assert session.outcome is not None and session.outcome.score == 80
    assert session.targets.first_response == Band(6, 10)


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ([], "", "must be an object"),
        ({}, "messages", "required"),
        ({"messages": {}}, "messages", "must be a list"),
        ({"messages": [5]}, "messages[0]", "must be an object"),
        ({"messages": [{"role": "agent", "t": 1}]}, "messages[0].text", "required"),
        ({"messages": [{"role": "seller", "t": 1, "text": ""}]}, "messages[0].role", "buyer"),
        ({"messages": [buyer("3")]}, "messages[0].t", "must be a number, not a string"),
        ({"messages": [buyer(True)]}, "messages[0].t", "not a boolean"),
        ({"messages": [buyer(-1)]}, "messages[0].t", ">= 0"),
        ({"messages": [buyer(float("inf"))]}, "messages[0].t", "finite"),
        ({"messages": [buyer(5), agent(4)]}, "messages[1].t", ">= previous message time (5)"),
        ({"messages": [buyer(0, 7)]}, "messages[0].text", "must be a string, not a number"),
        ({"messages": [buyer(0, "好" * 5001)]}, "messages[0].text", "5001 characters"),
        ({"messages": [buyer(0, "\ud800")]}, "messages[0].text", "surrogate"),
        ({"messages": [agent(5, events={})]}, "messages[0].events", "must be a list"),
        (
            {"messages": [agent(5, events=[{"type": "insertText"}])]},
            "messages[0].events[0].t",
            "required",
        ),
        (
            {
                "messages": [
                    agent(
                        5,
                        events=[
                            {"t": 3, "type": "insertText", "data": "a"},
                            {"t": 2, "type": "insertText", "data": "b"},
                        ],
                    )
                ]
            },
            "messages[0].events[1].t",
            ">= previous event time (3)",
        ),
        (
            {"messages": [agent(5, events=[{"t": 6, "type": "insertText", "data": "a"}])]},
            "messages[0].events[0].t",
            "<= the message's send time (5)",
        ),
        (
            {"messages": [agent(5), agent(9, events=[{"t": 4, "type": "insertText"}])]},
            "messages[1].events[0].t",
            "previous agent message's time (5)",
        ),
        (
            {"messages": [agent(5, events=[{"t": 1, "type": "keydown", "data": "a"}])]},
            "messages[0].events[0].type",
            "insertText",
        ),
        (
            {"messages": [agent(5, events=[{"t": 1, "type": "insertText", "data": 4}])]},
            "messages[0].events[0].data",
            "must be a string",
        ),
        (
            {"messages": [{**buyer(0), "events": [{"t": 0, "type": "insertText"}]}]},
            "messages[0].events",
            "only agent messages",
        ),
        ({"messages": [], "outcome": 120}, "outcome", "between 0 and 100"),
        ({"messages": [], "outcome": {"label": "x"}}, "outcome.score", "required"),
        ({"messages": [], "targets": []}, "targets", "must be an object"),
    ],
)
def test_bad_sessions_name_the_field(raw: Any, field: str, fragment: str) -> None:
    error = error_of(raw)
    assert error.field == field
    assert fragment in error.message
    assert str(error).startswith(f"{field}: " if field else error.message)


def test_the_issue_example_error_message() -> None:
    events = [{"t": 2, "type": "insertText", "data": "a"}, {"t": 1.5, "type": "insertText"}]
    error = error_of({"messages": [buyer(0), buyer(1), buyer(1), agent(3, events=events)]})
    assert str(error) == "messages[3].events[1].t: must be >= previous event time (2)"


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"first_respone": {}}, "targets.first_respone", "unknown key"),
        ({"first_response": {"target_s": 10}}, "targets.first_response.limit_s", "greater than"),
        ({"first_response": {"target_s": -1}}, "targets.first_response.target_s", ">= 0"),
        ({"response": {"limit_s": "60"}}, "targets.response.limit_s", "number"),
        ({"response": {"unanswered_score": 101}}, "targets.response.unanswered_score", "100"),
        ({"typing": {"required_cpm": 0}}, "targets.typing.required_cpm", "> 0"),
        ({"compliance": {"fatal_cap": -5}}, "targets.compliance.fatal_cap", "between"),
        (
            {"compliance": {"penalties": {"severe": 5}}},
            "targets.compliance.penalties.severe",
            "unknown key",
        ),
        ({"weights": {"speed": 1}}, "targets.weights.speed", "unknown key"),
        ({"weights": {"typing": -1}}, "targets.weights.typing", ">= 0"),
        ({"weights": {"typing": 0}}, "targets.weights", "at least one"),
        ({"required_points": "退换"}, "targets.required_points", "must be a list"),
        (
            {"required_points": [{"id": "a", "any": ["x"], "all": ["y"]}]},
            "targets.required_points[0]",
            "exactly one",
        ),
        ({"required_points": [{"any": []}]}, "targets.required_points[0].any", "non-empty"),
        ({"required_points": [["a"], ["a"]]}, "targets.required_points[1].id", "duplicate"),
        (
            {"forbidden": [{"text": "包邮", "severity": "huge"}]},
            "targets.forbidden[0].severity",
            "minor",
        ),
    ],
)
def test_bad_targets_name_the_field(raw: Any, field: str, fragment: str) -> None:
    with pytest.raises(ScoringInputError) as err:
        parse_targets(raw)
    assert err.value.field == field
    assert fragment in err.value.message


def test_targets_defaults_and_partial_overrides() -> None:
    targets = parse_targets({"first_response": {"target_s": 5}, "typing": {"required_cpm": 80}})
    assert targets.first_response == Band(5, 10)
    assert targets.response == Band(15, 60)
    assert targets.required_cpm == 80
    assert dict(targets.weights) == dict(DEFAULT_WEIGHTS)
    assert not targets.weights_declared


def test_declared_weights_replace_the_defaults() -> None:
    targets = parse_targets({"weights": {"response": 1, "compliance": 3}})
    assert dict(targets.weights) == {
        "response": 1.0,
        "typing": 0.0,
        "compliance": 3.0,
        "outcome": 0.0,
        "required_points": 0.0,
    }
    assert targets.weights_declared


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("text", ""),
        ({"text": "x", "position": "first"}, "id"),
        ({"id": 3, "text": "x", "position": "first"}, "id"),
        ({"id": "a", "text": ["x"], "position": "first"}, "text"),
        ({"id": "a", "text": "x", "position": "beginning"}, "position"),
        ({"id": "a", "text": "x", "position": "first", "context": []}, "context"),
    ],
)
def test_bad_reply_lines_name_the_field(raw: Any, field: str) -> None:
    with pytest.raises(ScoringInputError) as err:
        parse_reply(raw)
    assert err.value.field == field


def test_reply_line_ignores_unknown_keys_and_reads_context() -> None:
    reply = parse_reply(
        {
            "id": "r1",
            "text": "x",
            "position": "last",
            "extra": 1,
            "context": {"forbidden": ["包邮"], "step": 3},
        }
    )
    assert reply.position == "last"
    assert [f.text for f in reply.context.forbidden] == ["包邮"]
