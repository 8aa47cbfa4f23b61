"""Environment parsing: a bad value stops start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from simulator.env import env_bool, env_database, env_float, env_int, env_list, env_redis_url

ROOT = Path(__file__).resolve().parents[2]


def test_bool_accepts_common_spellings():
    assert env_bool("X", False, {"X": "Yes"}) is True
    assert env_bool("X", True, {"X": "0"}) is False
    assert env_bool("X", True, {}) is True


def test_bool_rejects_other_words_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False, {"DEBUG": "maybe"})


def test_int_and_float_name_the_variable_and_enforce_minimum():
    with pytest.raises(ImproperlyConfigured, match="SESSION_COOKIE_AGE='ten' is not an integer"):
        env_int("SESSION_COOKIE_AGE", 1, environ={"SESSION_COOKIE_AGE": "ten"})
    with pytest.raises(ImproperlyConfigured, match="REDIS_SOCKET_TIMEOUT=2.0 must be at least 6"):
        env_float("REDIS_SOCKET_TIMEOUT", 30, minimum=6, environ={"REDIS_SOCKET_TIMEOUT": "2"})


def test_list_rejects_empty_items():
    assert env_list("H", [], {"H": "a.com, b.com"}) == ["a.com", "b.com"]
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env_list("ALLOWED_HOSTS", [], {"ALLOWED_HOSTS": "a.com,,b.com"})


@pytest.mark.parametrize(
    "url, message",
    [
        ("nonsense", "is not a database URL"),
        ("mysql://u@h/db", "only sqlite:/// and postgres://"),
        ("postgres://u@h", "names no database"),
    ],
)
def test_database_url_errors_name_the_variable(url, message):
    with pytest.raises(ImproperlyConfigured, match=f"DATABASE_URL=.*{message}"):
        env_database("DATABASE_URL", "sqlite:///x", {"DATABASE_URL": url})


def test_database_url_parses_postgres():
    config = env_database(
        "DATABASE_URL", "", {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", 5432, "test")


def test_redis_url_must_be_redis():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL='http://x' is not a Redis URL"):
        env_redis_url("REDIS_URL", {"REDIS_URL": "http://x"})


def _django_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "HTTPS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_secret_key_refuses_to_start():
    result = _django_check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set and DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_unparseable_value_stops_start_up_naming_the_variable():
    result = _django_check(DEBUG="true", SESSION_COOKIE_AGE="forever")
    assert result.returncode != 0
    assert "SESSION_COOKIE_AGE='forever' is not an integer" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _django_check(
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        ALLOWED_HOSTS="training.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
