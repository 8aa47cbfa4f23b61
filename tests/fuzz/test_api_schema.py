"""The REST API fuzzed against the OpenAPI schema it serves, as every role.

Schemathesis generates requests from ``/api/schema/`` (fetched with the role's token) for
every operation, schema-conforming and not, and sends them in process to the WSGI
application on the test database. Every answer must be no server error, have a documented
status code and content type, and a body matching the documented schema. Path parameters
name seeded objects (a cohort, lessons, a quiz with an open and a closed attempt, a
published scenario, a timer probe) as often as random ids, so object routes get past
their 404. An operation a role is refused outright gets a few examples only: its refusal
must not depend on the input; the others get ``EXAMPLES``.

The token endpoint is not fuzzed: wrong passwords would lock the accounts (and the test
client's address) out.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi._hypothesis import can_negate_headers, can_negate_path_parameters
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import Seeded

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation and role: schema-conforming requests, then non-conforming ones.
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}
# Per mode, for an operation the role is refused (403 on a request naming a seeded object).
REFUSED_EXAMPLES = 3
NOT_FUZZED = {"/api/auth/token/"}
ROLES = ["anonymous", "trainee", "trainer", "hr", "admin_user"]


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in this thread on the test's transaction.
    As Django's test client does, requests must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _seeded_values(seeded: Seeded, path: str) -> list[dict]:
    """Path parameters naming seeded objects for an operation's path."""
    by_prefix = {
        "/api/cohorts/{id}": [{"id": seeded.cohort}],
        "/api/courses/attempts/{id}": [
            {"id": seeded.open_attempt},
            {"id": seeded.closed_attempt},
        ],
        "/api/courses/lessons/{id}": [{"id": seeded.lesson}],
        "/api/courses/quizzes/{quiz_id}": [{"quiz_id": seeded.quiz}],
        "/api/diagnostics/timer-probes/{id}": [{"id": seeded.timer_probe}],
        "/api/scenarios/{slug}": [{"slug": seeded.scenario}],
        "/api/users/{id}": [{"id": seeded.other_trainee}],
    }
    return next((v for prefix, v in by_prefix.items() if path.startswith(prefix)), [])


def _negatable(operation) -> bool:
    """Whether a request can break the schema (Schemathesis' own test, which its negative
    generation applies): a parameter with a constraint to break, or a body. Without one,
    negative generation rejects every case it draws, hundreds of times before it gives up."""
    for location in (
        ParameterLocation.PATH,
        ParameterLocation.HEADER,
        ParameterLocation.COOKIE,
        ParameterLocation.QUERY,
    ):
        if not operation.get_parameter_set(location).schema["properties"]:
            continue
        if location == ParameterLocation.PATH and not can_negate_path_parameters(operation):
            continue
        if location.is_in_header and not can_negate_headers(operation, location):
            continue
        return True
    return bool(operation.body) and any(item.is_negatable for item in operation.body.items)


# Strategies by operation and mode, built once for all roles (building one compiles the
# operation's schemas, which costs more than the requests it then generates).
_strategies: dict[tuple[str, GenerationMode], st.SearchStrategy | None] = {}


def _strategy(operation, mode: GenerationMode, seeded_values: list[dict]):
    key = (operation.label, mode)
    if key not in _strategies:
        negatable = mode is GenerationMode.POSITIVE or _negatable(operation)
        _strategies[key] = operation.as_strategy(generation_mode=mode) if negatable else None
    generated = _strategies[key]
    if generated is None or not seeded_values:
        return generated

    def named(drawn: tuple) -> object:
        case, values = drawn
        if values is not None:
            case.path_parameters = {**case.path_parameters, **values}
        return case

    # As often as not, the path names a seeded object instead of what was generated.
    return st.tuples(generated, st.sampled_from([None, *seeded_values])).map(named)


def _fuzz(strategy, examples: int, test: Callable) -> None:
    @seed(20261201)  # the same requests on every run, so CI is stable
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        # Failures are collected, not raised: nothing to shrink, and the run stays bounded.
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        test(case)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_answers_as_documented(role, request, seeded, wsgi_app, admin_user):
    started = time.perf_counter()
    # The schema is for signed-in users: an anonymous run reads it with an admin's token.
    reader = admin_user if role == "anonymous" else request.getfixturevalue(role)
    token = Token.objects.create(user=reader)
    schema = from_wsgi("/api/schema/", wsgi_app, headers={"Authorization": f"Token {token.key}"})
    headers = {} if role == "anonymous" else {"Authorization": f"Token {token.key}"}

    failures: dict[tuple, str] = {}
    examples: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    operations = refused_operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in NOT_FUZZED:
            continue
        operations += 1

        def check(case, operation=operation) -> int:
            response = case.call(app=wsgi_app, headers=headers)
            examples[operation.label] += 1
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                mode = case.meta.generation.mode.value if case.meta else "?"
                key = (operation.label, mode, response.status_code)
                failures.setdefault(key, f"{operation.label} [{mode}]\n{group}"[:3000])
            return response.status_code

        seeded_values = _seeded_values(seeded, operation.path)
        # Permission is checked before the input is read: a request without a body naming a
        # seeded object (or id 0) tells whether the role may use the operation at all.
        probe = operation.Case(
            path_parameters=next(iter(seeded_values), None)
            or {name: 0 for name in re.findall(r"{(\w+)}", operation.path)}
        )
        refused = check(probe) == 403
        for mode, count in EXAMPLES.items():
            strategy = _strategy(operation, mode, seeded_values)
            if strategy is not None:
                _fuzz(strategy, REFUSED_EXAMPLES if refused else count, check)
        refused_operations += refused

    print(
        f"\n{role}: {operations} operations ({refused_operations} refused), "
        f"{sum(examples.values())} requests, "
        f"statuses {dict(sorted(statuses.items()))}, {time.perf_counter() - started:.1f} s"
    )
    assert not failures, "\n\n".join(failures.values())
