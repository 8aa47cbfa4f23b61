"""Sign-in throttling: per account and per client address, with growing lock-outs.

Each test plays what an attacker or a user would do on `/login/` or `/api/auth/token/` and
checks what they would see: the status, the `Retry-After` header, the message, and whether
they got in (a session or a token).
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "xiaoya"  # the `trainee` fixture
LOGIN = "/login/"
TOKEN = "/api/auth/token/"
# 10:00 UTC is 18:00 in Shanghai, the site's time zone.
START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
ATTACKER = "198.51.100.7"
SOMEONE_ELSE = "203.0.113.9"


@pytest.fixture(autouse=True)
def _limits(settings):
    """The documented defaults, stated here so a change of default does not pass unseen.
    Passwords hash fast here: these tests make hundreds of sign-in attempts."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "accounts.hashers.InitialPasswordHasher",  # generated first passwords
    ]
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 20
    settings.LOGIN_LOCKOUT_SECONDS = 60
    settings.LOGIN_LOCKOUT_MAX_SECONDS = 3600
    settings.TRUSTED_PROXY_COUNT = 0


def sign_in(client: Client, username: str, password: str, **meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_are_refused_on_the_login_page(client, trainee):
    with time_machine.travel(START, tick=False):
        for _ in range(30):
            assert sign_in(client, ACCOUNT, "wrong-password").status_code in (200, 429)
        response = sign_in(client, ACCOUNT, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    # The first lock-out lasts a minute from the fifth failure: 18:01:00 in Shanghai.
    assert "登录失败次数过多" in html and "18:01:00" in html
    assert 'name="username"' in html and 'name="password"' in html  # the form is still there
    assert 'value="xiaoya"' in html
    assert not signed_in(client)
    assert client.get(reverse("accounts:home")).status_code == 302


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_are_refused_on_the_token_api(trainee):
    api = APIClient()
    for _ in range(30):
        answer = api.post(TOKEN, {"username": ACCOUNT, "password": "wrong-password"})
        assert answer.status_code in (400, 429)
    response = api.post(TOKEN, {"username": ACCOUNT, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "登录失败次数过多" in response.json()["detail"]
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_the_fifth_failure_locks_the_account_from_every_address(trainee):
    for n in range(4):
        assert sign_in(Client(), ACCOUNT, "wrong", REMOTE_ADDR=f"192.0.2.{n}").status_code == 200
    fifth = sign_in(Client(), ACCOUNT, "wrong", REMOTE_ADDR="192.0.2.4")
    assert fifth.status_code == 429
    assert int(fifth["Retry-After"]) == 60
    elsewhere = Client()
    assert sign_in(elsewhere, ACCOUNT, PASSWORD, REMOTE_ADDR=SOMEONE_ELSE).status_code == 429
    assert not signed_in(elsewhere)


@pytest.mark.django_db
def test_twenty_failures_from_one_address_lock_it_for_every_account(client, trainee):
    answers = [
        sign_in(client, f"guess{n}", "wrong", REMOTE_ADDR=ATTACKER).status_code for n in range(20)
    ]
    assert answers == [200] * 19 + [429]
    refused = sign_in(client, ACCOUNT, PASSWORD, REMOTE_ADDR=ATTACKER)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert not signed_in(client)
    # The account itself is not locked: from another address its owner signs in.
    owner = Client()
    assert sign_in(owner, ACCOUNT, PASSWORD, REMOTE_ADDR=SOMEONE_ELSE).status_code == 302
    assert signed_in(owner)


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_does_not_reset_the_address_count(client, trainee):
    for n in range(20):
        sign_in(
            client, f"guess{n}", "wrong", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.9.{n}.1"
        )
    refused = sign_in(
        client, ACCOUNT, PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.55"
    )
    assert refused.status_code == 429
    assert not signed_in(client)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_address_the_proxy_saw_counts(settings, trainee):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(20):
        # Whatever the client puts in front, the proxy appends the address it saw.
        forwarded = f"192.0.2.{n}, {ATTACKER}"
        sign_in(Client(), f"guess{n}", "wrong", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)
    attacker = Client()
    refused = sign_in(attacker, ACCOUNT, PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert refused.status_code == 429
    # Another client behind the same proxy is not caught by the attacker's lock-out.
    owner = Client()
    answer = sign_in(owner, ACCOUNT, PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=SOMEONE_ELSE)
    assert answer.status_code == 302 and signed_in(owner)


@pytest.mark.django_db
def test_after_the_cool_off_the_right_password_works_and_the_count_starts_again(client, trainee):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            sign_in(client, ACCOUNT, "wrong")
        locked = sign_in(client, ACCOUNT, PASSWORD)
        assert locked.status_code == 429
        wait = int(locked["Retry-After"])
        clock.shift(wait - 1)
        assert sign_in(client, ACCOUNT, PASSWORD).status_code == 429
        assert int(sign_in(client, ACCOUNT, PASSWORD)["Retry-After"]) == 1
        clock.shift(1)
        assert sign_in(client, ACCOUNT, PASSWORD).status_code == 302
        assert signed_in(client)
        client.logout()
        # Signing in wiped the account's failures: four new mistakes do not lock it.
        for _ in range(4):
            assert sign_in(client, ACCOUNT, "wrong").status_code == 200
        assert sign_in(client, ACCOUNT, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_each_failure_after_a_lock_out_locks_again_longer_and_longer(settings, client, trainee):
    """Backoff: when a lock-out ends one more try is allowed; failing it locks again, and
    every five failures double the lock-out, up to the maximum."""
    settings.LOGIN_LOCKOUT_MAX_SECONDS = 200
    with time_machine.travel(START, tick=False) as clock:
        answers = [sign_in(client, ACCOUNT, "wrong").status_code for _ in range(5)]
        assert answers == [200, 200, 200, 200, 429]
        waits = []
        for _ in range(11):
            waits.append(int(sign_in(client, ACCOUNT, PASSWORD)["Retry-After"]))
            clock.shift(waits[-1])
            assert sign_in(client, ACCOUNT, "wrong").status_code == 429
    # Failures 5-9 lock for a minute, 10-14 for two, 15 for four (capped at 200 s).
    assert waits == [60] * 5 + [120] * 5 + [200]


@pytest.mark.django_db
def test_a_refused_attempt_does_not_extend_the_lock_out(client, trainee):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            sign_in(client, ACCOUNT, "wrong")
        clock.shift(30)
        for _ in range(10):
            assert sign_in(client, ACCOUNT, "wrong").status_code == 429
        assert int(sign_in(client, ACCOUNT, PASSWORD)["Retry-After"]) == 30


@pytest.mark.django_db
def test_a_user_who_mistypes_once_still_signs_in(client, trainee):
    mistake = sign_in(client, ACCOUNT, "correct-horse-batery")
    assert mistake.status_code == 200
    assert "请输入一个正确的" in mistake.content.decode()
    response = sign_in(client, ACCOUNT, PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    api = APIClient()
    assert api.post(TOKEN, {"username": ACCOUNT, "password": "x"}).status_code == 400
    assert api.post(TOKEN, {"username": ACCOUNT, "password": PASSWORD}).status_code == 200


@pytest.mark.django_db
def test_the_lock_out_is_logged_with_account_and_address(client, trainee, caplog):
    caplog.set_level(logging.INFO, logger="accounts.lockout")
    for _ in range(5):
        sign_in(client, ACCOUNT, "wrong", REMOTE_ADDR=ATTACKER)
    locks = [r for r in caplog.records if r.name == "accounts.lockout"]
    assert len(locks) == 1 and locks[0].levelno == logging.WARNING
    assert ACCOUNT in locks[0].getMessage() and ATTACKER in locks[0].getMessage()
    sign_in(client, ACCOUNT, PASSWORD, REMOTE_ADDR=ATTACKER)
    refused = [r for r in caplog.records if r.name == "accounts.lockout"][1:]
    assert [r.levelno for r in refused] == [logging.INFO]
    assert ACCOUNT in refused[0].getMessage() and ATTACKER in refused[0].getMessage()


@pytest.mark.django_db
def test_an_administrator_sees_and_clears_a_lock_out(client, trainee, admin_user):
    for _ in range(5):
        sign_in(Client(), ACCOUNT, "wrong", REMOTE_ADDR=ATTACKER)
    assert sign_in(Client(), ACCOUNT, PASSWORD, REMOTE_ADDR=SOMEONE_ELSE).status_code == 429
    client.force_login(admin_user)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert ACCOUNT in listing.content.decode() and ATTACKER in listing.content.decode()
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username=ACCOUNT)
    deleted = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    owner = Client()
    assert sign_in(owner, ACCOUNT, PASSWORD, REMOTE_ADDR=SOMEONE_ELSE).status_code == 302


@pytest.mark.django_db
def test_trainers_and_hr_cannot_see_lock_outs(client, trainer, hr):
    for user in (trainer, hr):
        client.force_login(user)
        assert client.get("/admin/axes/accessattempt/").status_code in (302, 403)


@pytest.mark.django_db
def test_a_sign_in_without_a_request_still_honours_a_lock_out(client, trainee):
    """Django's test client (and a shell) authenticate without a request: no address to
    count, but a locked account stays locked."""
    assert client.login(username=ACCOUNT, password=PASSWORD)
    client.logout()
    for _ in range(5):
        sign_in(Client(), ACCOUNT, "wrong")
    assert not client.login(username=ACCOUNT, password=PASSWORD)


@pytest.mark.django_db
def test_an_ipv6_client_cannot_dodge_the_address_limit_by_changing_address(client, trainee):
    for n in range(20):
        sign_in(client, f"guess{n}", "wrong", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
    refused = sign_in(client, ACCOUNT, PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert refused.status_code == 429
    # Another network is another client.
    assert sign_in(Client(), ACCOUNT, PASSWORD, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


@pytest.mark.parametrize(
    "remote, forwarded, proxies, counted",
    [
        ("192.0.2.1", "", 0, "192.0.2.1"),
        ("192.0.2.1", "203.0.113.5", 0, "192.0.2.1"),
        ("10.0.0.2", "1.1.1.1, 203.0.113.5", 1, "203.0.113.5"),
        ("10.0.0.3", "1.1.1.1, 203.0.113.5, 10.0.0.2", 2, "203.0.113.5"),
        ("10.0.0.3", "203.0.113.5", 2, "10.0.0.3"),
        ("10.0.0.2", "", 1, "10.0.0.2"),
        ("10.0.0.2", "unknown", 1, "10.0.0.2"),
        ("10.0.0.2", "[2001:db8::1]:443", 1, "2001:db8::"),
        ("10.0.0.2", "203.0.113.5:5678", 1, "203.0.113.5"),
        ("2001:db8:1:2:aaaa::1", "", 0, "2001:db8:1:2::"),
        ("::ffff:192.0.2.1", "", 0, "192.0.2.1"),
        ("", "", 0, None),
    ],
)
def test_the_address_failures_are_counted_against(
    settings, rf, remote, forwarded, proxies, counted
):
    from accounts.lockout import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.post(LOGIN, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == counted


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("LOGIN_FAILURE_LIMIT", "0", "LOGIN_FAILURE_LIMIT=0 must be at least 1"),
        ("TRUSTED_PROXY_COUNT", "one", "TRUSTED_PROXY_COUNT='one' is not an integer"),
        ("LOGIN_LOCKOUT_MAX_SECONDS", "30", "LOGIN_LOCKOUT_MAX_SECONDS=30 must be at least 60"),
    ],
)
def test_a_bad_throttling_setting_stops_start_up_naming_it(variable, value, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", variable: value},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert message in result.stderr


def _send(opener, url: str, data: dict | None = None) -> tuple[int, Message, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_the_lock_out_holds_behind_the_asgi_server(settings, live_asgi):
    """The real server (uvicorn, Django's async middleware path) answers 429 alike."""
    from django.conf import global_settings

    from accounts.roles import Role
    from tests.factories import UserFactory

    # The server process checks passwords with the project's own hashers.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    UserFactory(username="asgi_trainee", role=Role.TRAINEE)
    api = urllib.request.build_opener()
    token_url = f"{live_asgi.url}{TOKEN}"
    wrong = {"username": "asgi_trainee", "password": "wrong"}
    assert [_send(api, token_url, wrong)[0] for _ in range(5)] == [400] * 4 + [429]
    status, headers, body = _send(api, token_url, {**wrong, "password": PASSWORD})
    assert status == 429 and 0 < int(headers["Retry-After"]) <= 60
    assert "登录失败次数过多" in json.loads(body)["detail"]
    assert not Token.objects.exists()

    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page_url = f"{live_asgi.url}{LOGIN}"
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _send(browser, page_url)[2])
    form = {"username": "asgi_trainee", "password": PASSWORD, "csrfmiddlewaretoken": csrf[1]}
    status, headers, html = _send(browser, page_url, form)
    assert status == 429 and 0 < int(headers["Retry-After"]) <= 60
    assert "登录失败次数过多" in html and 'name="password"' in html
