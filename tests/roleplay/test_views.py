"""Report page: violations marked in place and escaped; corrections and disputes by role."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from roleplay.models import Dispute
from roleplay.services.live import reply_receive, session_start, session_timer
from roleplay.services.reports import session_score


@pytest.fixture
def scored(published, trainee, scheduled, django_capture_on_commit_callbacks, cohort):
    with (
        time_machine.travel("2026-11-25 10:00:00 +0000", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session = session_start(trainee=trainee, scenario=published[0])
    with time_machine.travel(session.started_at + timedelta(seconds=3), tick=False):
        reply_receive(
            session_id=session.pk,
            user=trainee,
            client_id="c-1",
            text="你好<script>x</script>，我不知道",
            events=[],
            sent_t=None,
        )
    session.refresh_from_db()
    if session.is_active:
        with time_machine.travel(session.started_at + timedelta(seconds=200), tick=False):
            session_timer(session_id=session.pk, version=session.timer_version)
    return session_score(session_id=session.pk)


@pytest.mark.django_db
def test_report_marks_hits_in_place_and_escapes_text(client, trainee, scored):
    client.force_login(trainee)
    html = client.get(f"/practice/sessions/{scored.session.pk}/report/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert '<mark class="hit"' in html and "消极或推诿用语" in html
    assert 'data-testid="correct-form"' not in html  # trainees cannot correct


@pytest.mark.django_db
def test_dispute_then_trainer_correction_with_reason(
    client, trainee, trainer, other_trainee, scored
):
    url = f"/practice/sessions/{scored.session.pk}/report/"
    client.force_login(other_trainee)
    assert client.get(url).status_code == 404  # someone else's report
    client.force_login(trainee)
    client.post(url, {"action": "dispute", "comment": "第一句其实有问候"})
    assert Dispute.objects.filter(status="open").count() == 1
    client.force_login(trainer)
    queue = client.get("/practice/review/").content.decode()
    assert "第一句其实有问候" in queue
    client.post(url, {"action": "correct", "total": "55", "reason": "问候算数，酌情加分"})
    client.force_login(trainee)
    html = client.get(url).content.decode()
    assert 'data-testid="total">55.0<' in html and "问候算数，酌情加分" in html
    assert Dispute.objects.get().status == "answered"


@pytest.mark.django_db
def test_review_queue_is_for_trainers(client, trainee, hr):
    client.force_login(trainee)
    assert client.get("/practice/review/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("total", "error"),
    [
        ("NaN", "请以数字填写更正后的分数。"),
        ("sNaN", "请以数字填写更正后的分数。"),
        ("Infinity", "请以数字填写更正后的分数。"),
        ("-inf", "请以数字填写更正后的分数。"),
        ("", "请以数字填写更正后的分数。"),
        ("abc", "请以数字填写更正后的分数。"),
        ("1e999", "分数应在 0 到 100 之间。"),
        ("-0.1", "分数应在 0 到 100 之间。"),
        ("100.01", "分数应在 0 到 100 之间。"),
    ],
)
def test_a_correction_that_is_no_score_gets_a_form_error_and_changes_nothing(
    client, trainer, scored, total, error
):
    from audit.selectors import audit_events_for

    url = f"/practice/sessions/{scored.session.pk}/report/"
    client.force_login(trainer)
    response = client.post(url, {"action": "correct", "total": total, "reason": "复核"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert error in html
    scored.refresh_from_db()
    assert scored.corrected_total is None and scored.correction_reason == ""
    assert not audit_events_for(scored).filter(action="score.override").exists()


@pytest.mark.django_db
def test_a_correction_is_stored_and_audited_as_rounded(client, trainer, scored):
    from audit.selectors import audit_events_for

    url = f"/practice/sessions/{scored.session.pk}/report/"
    client.force_login(trainer)
    client.post(url, {"action": "correct", "total": "1e-999999", "reason": "复核"})
    client.post(url, {"action": "correct", "total": "-0", "reason": "复核"})
    scored.refresh_from_db()
    assert str(scored.corrected_total) == "0.0"
    client.post(url, {"action": "correct", "total": " 87.25 ", "reason": "再复核"})
    scored.refresh_from_db()
    assert scored.corrected_total == Decimal("87.3")
    after = [e.after for e in audit_events_for(scored).filter(action="score.override")]
    assert sorted(a["total"] for a in after) == ["0.0", "0.0", "87.3"]


@pytest.mark.django_db
def test_report_names_a_rule_matched_without_a_second_penalty(client, trainee, trainer, published):
    from pathlib import Path

    from scenarios.services import scenario_create, scenario_publish
    from tests.roleplay.scored import scored_session

    fixture = Path(__file__).resolve().parents[1] / "scenarios" / "fixtures" / "genuine-coat.yaml"
    text = (
        fixture.read_text(encoding="utf-8")
        .replace("  - {text: 假一赔十,", "  - {text: 跟我没关系}\n  - {text: 假一赔十,")
        .replace("slug: genuine-coat", "slug: genuine-coat-also")
    )
    scenario = scenario_create(actor=trainer, yaml_text=text)
    scenario_publish(actor=trainer, scenario=scenario)
    report = scored_session(trainee, scenario, text="您好，快递丢了跟我没关系")
    hits = report.data["compliance"]["hits"]
    said = [(h["rule"], h.get("also")) for h in hits if h["end"] > h["start"]]
    assert said == [("negative_language", ["forbidden_statement"])]
    client.force_login(trainee)
    html = client.get(f"/practice/sessions/{report.session.pk}/report/").content.decode()
    assert 'data-testid="also-matched"' in html and "禁止的说法" in html


def test_report_explains_each_dimension_in_chinese_and_says_an_input_anomaly(
    client, trainee, published
):
    from tests.roleplay.scored import scored_session

    text = "亲，您好，这款有现货的，今天下单明天就发货哦"
    # The whole reply arrived in one event 0.2 s before sending: no person types that.
    report = scored_session(
        trainee,
        published[0],
        text=text,
        events=[{"t": 9800, "type": "insertText", "data": text}],
        sent_t=10000,
    )
    typing = report.data["typing"]
    assert typing["cpm"] is None
    assert typing["anomalies"] == [{"message": 1, "anomaly": "implausibly_fast"}]
    client.force_login(trainee)
    html = client.get(f"/practice/sessions/{report.session.pk}/report/").content.decode()
    assert 'data-testid="typing-anomalies"' in html
    assert "输入异常，未计入打字速度" in html and "打字速度超过人能达到的速度" in html
    assert "不计分：输入异常" in html
    assert "sum of" not in html and "formula" not in html
    assert "分。" in html  # the other dimensions' sentences, with their figures


def test_report_says_a_hit_was_found_by_resemblance(client, trainee, published):
    from tests.roleplay.scored import scored_session

    report = scored_session(
        trainee, published[0], text="拼图少片您先在家里找找吧，说不定是小孩拿走了"
    )
    learned = [h for h in report.data["compliance"]["hits"] if h.get("basis") == "learned"]
    assert [h["rule"] for h in learned] == ["negative_language"]
    client.force_login(trainee)
    html = client.get(f"/practice/sessions/{report.session.pk}/report/").content.decode()
    assert 'data-testid="learned-hit"' in html and "按相似度发现" in html


def test_report_says_which_fault_capped_the_total(client, trainee, trainer, published):
    from pathlib import Path

    from scenarios.services import scenario_create, scenario_publish
    from tests.roleplay.scored import scored_session

    fixture = Path(__file__).resolve().parents[1] / "scenarios" / "fixtures" / "genuine-coat.yaml"
    text = (
        fixture.read_text(encoding="utf-8")
        .replace(
            "  outcomes: {成交: 100, 转主管: 60, 流失: 0, 差评: 0}\n",
            "  outcomes: {成交: 100, 转主管: 60, 流失: 0, 差评: 0}\n"
            "  caps: {absolute_promise: 20}\n",
        )
        .replace("slug: genuine-coat", "slug: genuine-coat-capped")
    )
    scenario = scenario_create(actor=trainer, yaml_text=text)
    scenario_publish(actor=trainer, scenario=scenario)
    report = scored_session(trainee, scenario, text="您好，我们是授权店，明天保证送到")
    assert report.total == 20.0
    assert report.data["total_inputs"]["caps"] == {"absolute_promise": 20.0}
    client.force_login(trainee)
    html = client.get(f"/practice/sessions/{report.session.pk}/report/").content.decode()
    cap = html.split('data-testid="total-cap">')[1].split("</p>")[0]
    assert "命中“无法保证的承诺”，本剧本总分最高只能得 20.0 分" in cap


def test_report_names_a_fault_of_the_conversation_that_capped_the_total(
    client, trainee, trainer, published
):
    from pathlib import Path

    from scenarios.services import scenario_create, scenario_publish
    from tests.roleplay.scored import scored_session

    fixture = Path(__file__).resolve().parents[1] / "scenarios" / "fixtures" / "scarf-offer.yaml"
    scenario = scenario_create(actor=trainer, yaml_text=fixture.read_text(encoding="utf-8"))
    scenario_publish(actor=trainer, scenario=scenario)
    report = scored_session(trainee, scenario, text="您私下转账给我，我给您便宜五十。")
    assert report.session.outcome == "成交" and report.total == 0.0
    assert report.data["faults"] == [{"id": "paid_off_platform", "label": "让买家私下转账"}]
    client.force_login(trainee)
    html = client.get(f"/practice/sessions/{report.session.pk}/report/").content.decode()
    cap = html.split('data-testid="total-cap">')[1].split("</p>")[0]
    assert "命中“让买家私下转账”，本剧本总分最高只能得 0.0 分" in cap
    assert "让买家私下转账" in html.split('data-testid="faults">')[1].split("</p>")[0]
