"""Sending one route's request as one role and judging the answer (shared by the matrix
tests)."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.security.leaks import body_leaks
from tests.security.route_table import ADMIN_INDEX, ADMIN_LOGIN, LOGIN, Entry, Outcome
from tests.security.world import World


def fast_hashers() -> list[str]:
    """The configured hashers behind a fast default. Hashing is not what these tests look
    at: the default costs about a second a password on a busy machine, and the data set
    hashes several; hashers the project names explicitly stay available."""
    fast = "django.contrib.auth.hashers.MD5PasswordHasher"
    return [fast, *(name for name in settings.PASSWORD_HASHERS if name != fast)]


def outcome(response) -> Outcome:
    if response.status_code in (301, 302):
        path = urlsplit(response["Location"]).path
        if path == reverse("accounts:login"):
            return LOGIN
        if path == reverse("admin:login"):
            return ADMIN_LOGIN
        if path == reverse("admin:index"):
            return ADMIN_INDEX
    return response.status_code


_client: Client | None = None


def _shared_client() -> Client:
    # One client serves every request: each new one builds the middleware again, and
    # WhiteNoise's scans every static file.
    global _client
    if _client is None:
        _client = Client()
    return _client


def sign_in_all(world: World) -> None:
    """A session per role, made once with the data set (signing in costs a session and
    the sign-in records of django-axes); each request starts from its cookie alone."""
    client = _shared_client()
    for role, user in world.users.items():
        client.cookies = SimpleCookie()
        client.force_login(user)
        world.session_keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value


def client_for(world: World, role: str) -> Client:
    """The shared client with only ``role``'s session cookie (none: anonymous). Requests
    that end or rotate a session do so in a savepoint that is rolled back, so the stored
    session stays valid for the next request."""
    client = _shared_client()
    client.cookies = SimpleCookie()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.session_keys[role]
    return client


def entry_url(world: World, key: str, entry: Entry, side: str) -> str:
    url_side = "own" if side == "any" else side
    if entry.path is not None:
        url = entry.path(world, url_side)
    else:
        url = reverse(key, kwargs=entry.kwargs(world, url_side))
    return f"{url}?{entry.query}" if entry.query else url


def send(client: Client, url: str, entry: Entry):
    if entry.json:
        body = json.dumps({} if entry.data is None else entry.data)
        return getattr(client, entry.method)(url, body, content_type="application/json")
    if entry.method == "get":
        return client.get(url)
    return getattr(client, entry.method)(url, entry.data or {})


def _judge(world: World, role: str, url: str, entry: Entry, expected: Outcome) -> list[str]:
    response = send(client_for(world, role), url, entry)
    got = outcome(response)
    problems = [] if got == expected else [f"expected {expected}, got {got}"]
    problems += body_leaks(world, role, response, entry.name_public)
    return [f"{role:<13} {entry.method.upper()} {url}: {problem}" for problem in problems]


def check_cell(world: World, role: str, url: str, entry: Entry, expected: Outcome) -> list[str]:
    """One request in a savepoint rolled back afterwards, so that no answer depends on what
    another request changed; the problems found, as text."""
    with transaction.atomic():
        problems = _judge(world, role, url, entry, expected)
        transaction.set_rollback(True)
    return problems


def check_cell_committed(
    world: World, role: str, url: str, entry: Entry, expected: Outcome
) -> list[str]:
    """One request outside any transaction: for answers that other connections help make."""
    return _judge(world, role, url, entry, expected)
