"""A self-test's trainee typing: synthetic input events scored as a live session's, and
timings no person could keep refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from scenarios.simulation import run_self_test, score, simulate
from scenarios.typing_replay import typed_events, typing_seconds
from scenarios.validation import scenario_from_text
from yamlsource import SourceErrors

REPLY = "您好，欢迎光临！我们是品牌授权店，吊牌上有防伪码可以查询。"
FIRST = "      - {after_s: 4, text: " + REPLY + "}"


@pytest.fixture
def spec(fixture_text, context):
    return scenario_from_text(fixture_text, "s.yaml", context)


def test_typed_events_give_the_speed_they_were_typed_at():
    events = typed_events(REPLY, sent_at=40.0, cpm=100)
    assert len(events) == len(REPLY.replace(" ", ""))
    assert events[-1]["t"] < 40.0 and "".join(e["data"] for e in events) == REPLY
    assert 40.0 - events[0]["t"] == pytest.approx(typing_seconds(REPLY, 100))


@pytest.mark.parametrize(("cpm", "typing"), [(100, 100.0), (45, 75.0)])
def test_a_typed_self_test_scores_the_typing_dimension(spec, cpm, typing):
    replies = [{"after_s": 40, "text": REPLY}, {"wait_s": 200}]
    report = score(spec, simulate(spec, 1, replies, typing_cpm=cpm)).to_dict()
    assert report["typing"]["cpm"] == pytest.approx(cpm, abs=0.1)
    assert report["dimensions"]["typing"]["score"] == typing  # required 60 字/分
    # Without typing the dimension has no data and its weight goes to the others.
    untyped = score(spec, simulate(spec, 1, replies)).to_dict()
    assert not untyped["dimensions"]["typing"]["included"]


def test_a_quick_phrase_is_pasted_not_typed(spec):
    replies = [{"after_s": 3, "text": REPLY, "quick_phrase": True}, {"wait_s": 200}]
    report = score(spec, simulate(spec, 1, replies, typing_cpm=100)).to_dict()
    assert report["typing"]["pasted_chars"] == len(REPLY.replace(" ", ""))
    assert report["typing"]["typed_chars"] == 0


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            FIRST,
            "typing this reply at 100 characters a minute takes 17.4 s",
        ),
        (
            "      - {after_s: 0.5, text: 您好，在的～, quick_phrase: true}",
            "a quick phrase takes 1 s to pick",
        ),
    ],
)
def test_a_timing_no_person_could_keep_is_refused(fixture_text, context, reply, message):
    assert FIRST in fixture_text
    text = fixture_text.replace(FIRST, reply).replace(
        "  - name: 拿出依据，顺利成交\n", "  - name: 拿出依据，顺利成交\n    typing_cpm: 100\n"
    )
    with translation.override("en"), pytest.raises(SourceErrors) as errors:
        scenario_from_text(text, "typed.yaml", context)
    line = text.splitlines().index(reply) + 1
    assert f"typed.yaml:{line}:" in str(errors.value) and message in str(errors.value)


def test_a_typed_self_test_totals_what_the_same_live_session_totals(
    spec, scenario, trainer, trainee
):
    from roleplay.services.live import reply_receive, session_start, session_timer
    from roleplay.services.reports import session_score
    from scenarios.services import scenario_publish

    scenario_publish(actor=trainer, scenario=scenario)
    session = session_start(trainee=trainee, scenario=scenario)
    events = typed_events(REPLY, sent_at=30.0, cpm=90)
    with time_machine.travel(session.started_at + timedelta(seconds=30), tick=False):
        reply_receive(
            session_id=session.pk,
            user=trainee,
            client_id="c-1",
            text=REPLY,
            # The page's clock in milliseconds: here the session's, so nothing shifts.
            events=[{**e, "t": round(e["t"] * 1000)} for e in events],
            sent_t=30_000,
        )
    session.refresh_from_db()
    with time_machine.travel(session.started_at + timedelta(seconds=600), tick=False):
        session_timer(session_id=session.pk, version=session.timer_version)
    live = session_score(session_id=session.pk)
    test = {
        "name": "typed",
        "seed": session.seed,
        "typing_cpm": 90,
        "replies": [{"after_s": 30, "text": REPLY}, {"wait_s": 600}],
        "expect": {},
    }
    simulated = run_self_test(spec, test)
    assert live.data["typing"]["cpm"] == pytest.approx(90, abs=0.1)
    assert float(live.total) == simulated.total
    assert (
        live.data["dimensions"]["typing"]
        == score(spec, simulate(spec, session.seed, test["replies"], typing_cpm=90)).to_dict()[
            "dimensions"
        ]["typing"]
    )
