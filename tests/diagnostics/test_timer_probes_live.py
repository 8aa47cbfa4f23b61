"""A countdown task scheduled from a web request runs on a real worker on time.

This runs against whichever broker the settings select: the file-system broker in the
embedded default, Redis when REDIS_URL is set. CI runs the suite in both modes.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from diagnostics.models import TimerProbe

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _post_json(url: str, token: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _wait_until_run(probe_ids: list[int], timeout: float) -> list[TimerProbe]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probes = list(TimerProbe.objects.filter(pk__in=probe_ids).order_by("pk"))
        if all(p.ran_at is not None for p in probes):
            return probes
        time.sleep(0.05)
    return list(TimerProbe.objects.filter(pk__in=probe_ids).order_by("pk"))


def test_countdown_from_a_web_request_runs_within_one_second_of_due(
    live_asgi, live_worker, admin_user
):
    token = Token.objects.create(user=admin_user).key
    url = f"{live_asgi.url}/api/diagnostics/timer-probes/"
    ids = []
    for countdown in (1.0, 2.5, 4.0):
        status, body = _post_json(url, token, {"countdown_s": countdown})
        assert status == 201, body
        ids.append(body["id"])
    probes = _wait_until_run(ids, timeout=15)
    lateness = [p.lateness_s for p in probes]
    assert None not in lateness, f"not run: {lateness}\n{live_worker.log()[-3000:]}"
    for probe in probes:
        # Never early, and at most 1 s late.
        assert -0.05 <= probe.lateness_s <= 1.0, (probe.countdown_s, probe.lateness_s)


def test_timer_probe_api_checks_role_and_input(live_asgi, trainer, admin_user):
    trainer_token = Token.objects.create(user=trainer).key
    url = f"{live_asgi.url}/api/diagnostics/timer-probes/"
    assert _post_json(url, trainer_token, {"countdown_s": 1})[0] == 403
    admin_token = Token.objects.create(user=admin_user).key
    status, body = _post_json(url, admin_token, {"countdown_s": -3})
    assert status == 400 and "countdown_s" in body
    assert not TimerProbe.objects.exists()
