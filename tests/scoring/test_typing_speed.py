"""Typing in chat against hand-computed values."""

from __future__ import annotations

from scoring import score_session
from scoring.inputs import InputEvent, SessionMessage
from scoring.typing_speed import measure_message, measure_typing, typing_score


def ev(t: float, kind: str, data: str = "") -> InputEvent:
    return InputEvent(t, kind, data)


def test_typed_and_pasted_characters() -> None:
    events = [
        ev(10, "insertText", "亲"),
        ev(11, "insertFromPaste", "您好！欢迎光临"),  # 7 characters
        ev(12, "insertText", "，"),
    ]
    result = measure_message(3, "亲您好！欢迎光临，在的", 16, events)
    # 11 characters sent, 7 pasted -> 4 typed; composing from 10 s to 16 s
    assert (result.typed_chars, result.pasted_chars, result.compose_s) == (4, 7, 6.0)
    assert result.counted


def test_quick_phrases_count_as_pasted_and_whitespace_is_not_a_character() -> None:
    events = [ev(0, "insertQuickPhrase", "亲 您好"), ev(1, "insertText", " 在")]
    result = measure_message(0, "亲 您好 在", 2, events)
    assert (result.typed_chars, result.pasted_chars) == (1, 3)


def test_ime_composition_counts_only_through_the_committed_text() -> None:
    events = [
        ev(1.0, "insertCompositionText", "n"),
        ev(1.2, "insertCompositionText", "ni"),
        ev(1.4, "insertCompositionText", "nih"),
        ev(1.6, "insertCompositionText", "niha"),
        ev(1.8, "insertCompositionText", "nihao"),
        ev(2.0, "insertCompositionText", "您好"),
        ev(2.5, "insertText", "！"),
    ]
    result = measure_message(0, "您好！", 4, events)
    # 3 committed characters; the 18 characters of composition updates count for nothing,
    # but the first composition event starts the composing time.
    assert (result.typed_chars, result.pasted_chars, result.compose_s) == (3, 0, 3.0)


def test_deletions_do_not_change_the_definition() -> None:
    events = [
        ev(0, "insertText", "您好吗"),
        ev(1, "deleteContentBackward"),
        ev(2, "insertText", "！"),
    ]
    assert measure_message(0, "您好！", 3, events).typed_chars == 3


def test_all_pasted_message_is_not_counted() -> None:
    result = measure_message(0, "您好", 5, [ev(4, "insertFromPaste", "您好呀")])
    # max(0, 2 - 3) = 0 typed
    assert (result.typed_chars, result.pasted_chars, result.counted) == (0, 3, False)


def test_message_without_events_counts_for_nothing() -> None:
    result = measure_message(0, "您好", 5, None)
    assert (result.typed_chars, result.pasted_chars, result.compose_s) == (0, 0, None)
    assert not result.counted
    assert measure_message(0, "您好", 5, ()).counted is False


def test_session_cpm_over_messages_with_typed_characters() -> None:
    messages = [
        SessionMessage("buyer", 0, "在吗"),
        SessionMessage("agent", 10, "亲，在的呢", [ev(5, "insertText", "亲，在的呢")]),  # 5 in 5 s
        SessionMessage("agent", 20, "您好", [ev(19, "insertFromPaste", "您好")]),  # pasted only
        SessionMessage("agent", 30, "请问需要什么", None),  # no events
        SessionMessage(
            "agent",
            45,
            "这款有现货哦",
            [ev(30, "insertText", "这"), ev(44, "insertText", "款有现货哦")],
        ),  # 6 in 15 s
    ]
    report = measure_typing(messages)
    assert (report.typed_chars, report.pasted_chars, report.compose_s) == (11, 2, 20.0)
    assert report.cpm == 33.0  # 11 / 20 * 60
    assert [m.message for m in report.messages] == [1, 2, 3, 4]
    assert [m.counted for m in report.messages] == [True, False, False, True]


def test_cpm_is_null_when_nothing_was_typed() -> None:
    report = measure_typing(
        [SessionMessage("agent", 3, "您好", [ev(1, "insertQuickPhrase", "您好")])]
    )
    assert report.cpm is None
    assert report.typed_chars == 0
    assert report.reason == "no agent message with typed characters"
    assert measure_typing([SessionMessage("buyer", 0, "在吗")]).cpm is None


def test_cpm_is_null_without_composing_time() -> None:
    report = measure_typing([SessionMessage("agent", 3, "您好", [ev(3, "insertText", "您好")])])
    assert report.cpm is None
    assert report.typed_chars == 2
    assert "composing time" in (report.reason or "")


def test_typing_score_only_falls_below_the_required_speed() -> None:
    assert typing_score(90, 60) == 100
    assert typing_score(60, 60) == 100
    assert typing_score(45, 60) == 75
    assert typing_score(0, 60) == 0


def typed_reply(t: float, text: str, seconds: float) -> SessionMessage:
    """A reply typed character by character over ``seconds`` before it was sent at ``t``."""
    step = seconds / len(text)
    events = [ev(t - seconds + i * step, "insertText", ch) for i, ch in enumerate(text)]
    return SessionMessage("agent", t, text, events)


def test_a_fast_human_reply_is_measured() -> None:
    # 20 characters in 5 s: 240 a minute, the pace of a typing-competition winner.
    report = measure_typing([typed_reply(10, "亲，这款现在有现货的，今天下单明天就发", 5)])
    assert report.cpm == 228.0  # 19 characters (the comma counts, spaces would not)
    assert report.anomalies == ()


def test_text_that_arrived_without_typing_is_an_anomaly_not_a_speed() -> None:
    pasted_by_script = SessionMessage(
        "agent", 10, "亲，这款现在有现货的，今天下单明天就发", [ev(9, "insertText", "亲")]
    )
    report = measure_typing([pasted_by_script])
    (message,) = report.messages
    assert (message.counted, message.anomaly) == (False, "text_without_events")
    assert report.cpm is None
    assert report.reason == "input anomaly in every typed reply"
    assert report.to_dict()["anomalies"] == [{"message": 0, "anomaly": "text_without_events"}]


def test_a_reply_faster_than_any_typist_is_left_out() -> None:
    honest = typed_reply(30, "好的亲，我马上帮您查一下物流", 6)  # 14 in 6 s: 140 a minute
    robot = typed_reply(60, "亲，这款现在有现货的，今天下单明天就发", 1.5)  # 760 a minute
    report = measure_typing([honest, robot])
    assert [m.anomaly for m in report.messages] == [None, "implausibly_fast"]
    assert report.cpm == 140.0  # the honest reply alone
    assert report.anomalies == ({"message": 1, "anomaly": "implausibly_fast"},)


def test_a_session_sustained_beyond_the_record_is_not_scored() -> None:
    # Each reply at 360 a minute (under the per-reply bound), 36 characters in all.
    replies = [typed_reply(10 * (i + 1), "亲您好这款有现货哦马上发", 2) for i in range(3)]
    report = measure_typing(replies)
    assert report.cpm is None
    assert report.anomalies == ({"message": None, "anomaly": "sustained_superhuman"},)
    session = score_session(
        {
            "messages": [
                {"role": "buyer", "t": 0, "text": "在吗"},
                *[
                    {
                        "role": "agent",
                        "t": m.t,
                        "text": m.text,
                        "events": [{"t": e.t, "type": e.type, "data": e.data} for e in m.events],
                    }
                    for m in replies
                ],
            ]
        }
    )
    typing = session.dimension("typing")
    assert typing.score is None  # excluded, not 100
    assert "sustained above 320" in (typing.reason or "")
