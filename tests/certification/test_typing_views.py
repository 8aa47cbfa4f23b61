"""The typing test's pages per role: the policy before the run, starting and handing in
over JSON, and the result of one's own runs only."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import TypingTest
from certification.services.typing import FLAG_TEXTS, typing_test_start
from certification.views.typing import TYPING_TEXTS
from tests.certification.exams import typed

pytestmark = pytest.mark.django_db

TYPING_URL = reverse("certification:typing_test")
START_URL = reverse("certification:typing_start")


def _finish_url(test) -> str:
    return reverse("certification:typing_finish", args=[test.pk])


def _post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _run(trainee, seconds_ago=100):
    test = typing_test_start(trainee=trainee)
    test.started_at = timezone.now() - timedelta(seconds=seconds_ago)
    test.save(update_fields=["started_at"])
    return test


def _events(text: str, seconds: float, sent_t: float) -> list:
    step = seconds * 1000 / len(text)
    return [
        {"t": round(sent_t - 1000 - (len(text) - i) * step), "type": "insertText", "data": ch}
        for i, ch in enumerate(text)
    ]


# Administrators hold every permission (superusers): they may try the test as well.
@pytest.mark.parametrize("who", ["trainer", "other_trainer", "hr"])
@pytest.mark.parametrize(("name", "method"), [("typing_test", "get"), ("typing_start", "post")])
def test_only_trainees_take_the_test(client, request, who, name, method):
    client.force_login(request.getfixturevalue(who))
    response = getattr(client, method)(reverse(f"certification:{name}"))
    assert response.status_code == 403
    assert not TypingTest.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (TYPING_URL, reverse("certification:typing_result", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    assert client.post(START_URL).status_code == 302
    assert not TypingTest.objects.exists()


def test_the_page_states_the_policy_before_the_start_button(client, trainee):
    client.force_login(trainee)
    html = client.get(TYPING_URL).content.decode()
    policy = html.index('data-testid="typing-policy"')
    start = html.index('data-testid="typing-start"')
    assert policy < start
    section = html[policy:start]
    assert "180" in section and "60" in section
    # Shares as percentages, as everywhere else: never "0.95".
    assert "95%" in section and "90%" in section and "0.95" not in section
    paste_rule = _(
        "Type with your usual input method (pinyin and other IMEs work). Pasting is refused "
        "and recorded, and a run with a paste does not count."
    )
    assert paste_rule in section
    # Strict CSP: the script is a static file, its data and words are JSON, not code.
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)
    assert " style=" not in html and " onclick=" not in html
    assert 'id="typing-data"' in html and 'id="typing-i18n"' in html
    words = json.loads(re.search(r'id="typing-i18n"[^>]*>(.*?)</script>', html).group(1))
    assert words["pasteRefused"] == str(TYPING_TEXTS["pasteRefused"])


def test_start_answers_with_the_passage_and_the_server_clock(client, trainee):
    client.force_login(trainee)
    response = client.post(START_URL)
    assert response.status_code == 201
    answer = response.json()
    test = TypingTest.objects.get(pk=answer["id"])
    assert test.trainee == trainee and test.status == "running"
    assert answer["passage"] == test.reference
    assert answer["seconds_allowed"] == 180
    assert answer["started_at"] == test.started_at.isoformat()
    assert answer["server_now"] >= answer["started_at"]
    assert client.get(START_URL).status_code == 405


def test_handing_in_scores_the_run_and_links_to_its_result(client, trainee):
    test = _run(trainee)
    client.force_login(trainee)
    typed = test.reference
    body = {"typed": typed, "events": _events(typed, 90, 50_000), "pastes": 0, "sent_t": 50_000}
    response = _post_json(client, _finish_url(test), body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "finished" and answer["flags"] == []
    assert answer["accuracy"] == 1.0 and answer["cpm"] > 60
    assert answer["result_url"] == reverse("certification:typing_result", args=[test.pk])
    html = client.get(answer["result_url"]).content.decode()
    assert 'data-testid="typing-verdict"' in html and 'class="ok"' in html
    # A resend (the answer was lost) gets the same run back.
    assert _post_json(client, _finish_url(test), body).json() == answer


def test_a_run_with_a_paste_is_shown_as_not_counted_and_why(client, trainee):
    test = _run(trainee)
    client.force_login(trainee)
    typed = test.reference
    body = {"typed": typed, "events": _events(typed, 90, 50_000), "pastes": 1, "sent_t": 50_000}
    assert _post_json(client, _finish_url(test), body).json()["flags"] == ["pasted"]
    html = client.get(reverse("certification:typing_result", args=[test.pk])).content.decode()
    assert _("This run does not count toward certification.") in html
    assert str(FLAG_TEXTS["pasted"]) in html[html.index('data-testid="typing-flag"') :]
    assert 'data-testid="typing-result-pastes">1<' in html


def test_accuracy_is_shown_as_a_percentage_on_the_result_and_the_runs(client, trainee):
    passed = typed(trainee, accuracy=0.97)
    short = typed(trainee, accuracy=0.9234)
    client.force_login(trainee)
    html = client.get(reverse("certification:typing_result", args=[passed.pk])).content.decode()
    assert 'data-testid="typing-result-accuracy">97.0%<' in html
    assert "0.97" not in html
    html = client.get(reverse("certification:typing_result", args=[short.pk])).content.decode()
    assert 'data-testid="typing-result-accuracy">92.3%<' in html
    assert _("Accuracy below %(acc)s.") % {"acc": "95%"} in html
    runs = client.get(TYPING_URL).content.decode()
    runs = runs[runs.index('data-testid="typing-runs"') :]
    assert "<td>97.0%</td>" in runs and "<td>92.3%</td>" in runs


def test_bad_bodies_get_a_clear_error_and_the_run_keeps_going(client, trainee):
    test = _run(trainee)
    client.force_login(trainee)
    url = _finish_url(test)
    not_json = client.post(url, data="{", content_type="application/json")
    assert not_json.status_code == 400 and "JSON" in not_json.json()["error"]
    assert _post_json(client, url, ["a list"]).status_code == 400
    too_long = _post_json(client, url, {"typed": "字" * 3000, "events": [], "pastes": 0})
    assert too_long.status_code == 400 and "2000" in too_long.json()["error"]
    test.refresh_from_db()
    assert test.status == "running"


def test_an_abandoned_run_answers_conflict(client, trainee):
    old = _run(trainee)
    typing_test_start(trainee=trainee)
    client.force_login(trainee)
    response = _post_json(client, _finish_url(old), {"typed": "您好", "events": [], "pastes": 0})
    assert response.status_code == 409


def test_another_trainees_run_is_not_found(client, trainee, other_trainee):
    theirs = _run(other_trainee)
    client.force_login(trainee)
    result = client.get(reverse("certification:typing_result", args=[theirs.pk]))
    assert result.status_code == 404
    response = _post_json(client, _finish_url(theirs), {"typed": "您好", "events": [], "pastes": 0})
    assert response.status_code == 404
    # Refused before the body is read: a bad body does not tell the run exists.
    assert (
        client.post(_finish_url(theirs), data="{", content_type="application/json").status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == "running"


def test_the_result_shows_the_texts_escaped(client, trainee):
    test = _run(trainee)
    client.force_login(trainee)
    typed = "<script>alert(1)</script>" + test.reference
    body = {"typed": typed, "events": _events(typed, 90, 50_000), "pastes": 0, "sent_t": 50_000}
    _post_json(client, _finish_url(test), body)
    html = client.get(reverse("certification:typing_result", args=[test.pk])).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_finished_runs_are_listed_on_the_page(client, trainee):
    test = _run(trainee)
    client.force_login(trainee)
    typed = test.reference
    body = {"typed": typed, "events": _events(typed, 90, 50_000), "pastes": 0, "sent_t": 50_000}
    _post_json(client, _finish_url(test), body)
    html = client.get(TYPING_URL).content.decode()
    assert reverse("certification:typing_result", args=[test.pk]) in html
