import pytest
from django.urls import reverse

# Transactional: the channel-layer check writes from another thread, as it does in
# production, and must not wait behind the test's own open transaction.


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_each_part_ok(client, settings):
    from simulator.background import background_failures_clear

    background_failures_clear()  # failures recorded by earlier tests would read "degraded"
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "channel_layer"}
    assert all(check["ok"] for check in body["checks"].values())
    # Anonymous callers get verdicts, not details.
    assert "detail" not in body["checks"]["broker"]


def _broker_failure_detail(client, settings, user, url: str, transport: str, options) -> str:
    """/healthz, as an administrator, with this broker: only the broker fails; its detail.

    Celery reads its CELERY_* settings from Django's at each lookup, so the `settings`
    fixture changes the broker for one test. The write URL is what the check connects with;
    the transport is named too, because a named transport wins over the URL's scheme (the
    embedded default names the file-system one)."""
    settings.CELERY_BROKER_WRITE_URL = url
    settings.CELERY_BROKER_TRANSPORT = transport
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    client.force_login(user)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    return body["checks"]["broker"]["detail"]  # administrators see why


@pytest.mark.django_db(transaction=True)
def test_healthz_fails_with_503_when_the_broker_is_unreachable(client, settings, admin_user):
    # Nothing listens on port 1: the detail names that broker, refused.
    detail = _broker_failure_detail(
        client, settings, admin_user, "redis://127.0.0.1:1/0", "redis", {}
    )
    assert "127.0.0.1:1" in detail


@pytest.mark.django_db(transaction=True)
def test_healthz_fails_with_503_when_the_file_broker_has_lost_its_folder(
    client, settings, admin_user, tmp_path
):
    gone = str(tmp_path / "removed")
    detail = _broker_failure_detail(
        client,
        settings,
        admin_user,
        "filesystem://",
        "simulator.filesystem_broker:Transport",
        {"data_folder_in": gone, "data_folder_out": gone},
    )
    assert "removed" in detail


@pytest.mark.django_db(transaction=True)
def test_background_work_given_up_marks_the_system_degraded_and_is_listed(client, admin_user):
    """A line delivery that gave up after its retries is not silent: /healthz says
    "degraded" (still 200, the parts answer) and the status page names it."""
    from django.db import OperationalError

    from simulator.background import background_failures_clear, record_failure

    background_failures_clear()
    assert client.get(reverse("healthz")).json()["background"] == {"recent_failures": 0}
    record_failure("session.line_delivery", OperationalError("database is locked"))
    record_failure("session.line_delivery", OperationalError("database is locked"))
    anonymous = client.get(reverse("healthz"))
    assert anonymous.status_code == 200
    assert anonymous.json()["status"] == "degraded"
    assert anonymous.json()["background"] == {"recent_failures": 2}  # no details
    client.force_login(admin_user)
    [failure] = client.get(reverse("healthz")).json()["background"]["failures"]
    assert failure["kind"] == "session.line_delivery" and failure["count"] == 2
    assert "database is locked" in failure["last_error"]
    page = client.get(reverse("diagnostics:status")).content.decode()
    assert "session.line_delivery" in page and "database is locked" in page
    background_failures_clear()


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_when_the_cache_keeping_the_failure_counts_is_down(client, monkeypatch):
    """Redis down (it also keeps the counts): /healthz still answers with its verdicts and
    names the missing counts, instead of a 500."""
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(cache, "get", unreachable)
    response = client.get(reverse("healthz"))
    assert response.status_code in (200, 503)
    body = response.json()
    assert body["status"] in ("degraded", "fail")
    assert body["background"]["recent_failures"] >= 1


class _PoolWithNothingToGive:
    """A PostgreSQL pool while the database is away: no connection within the wait."""

    def __init__(self):
        self.waits: list[float] = []

    def open(self) -> None:
        pass

    def connection(self, timeout: float):
        from psycopg_pool import PoolTimeout

        self.waits.append(timeout)
        raise PoolTimeout(f"couldn't get a connection after {timeout:.2f} sec")


@pytest.mark.django_db(transaction=True)
def test_healthz_says_the_database_is_away_instead_of_waiting_for_the_pool(
    client, monkeypatch, admin_user
):
    from types import SimpleNamespace

    from diagnostics import selectors

    pool = _PoolWithNothingToGive()
    client.force_login(admin_user)  # the session is read before the pool is swapped
    client.get(reverse("healthz"))
    monkeypatch.setattr(selectors, "connection", SimpleNamespace(pool=pool, vendor="postgresql"))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is False
    assert "PoolTimeout" in body["checks"]["database"]["detail"]
    # Far less than the 10 s the pool makes other requests wait, and less than the 3 s
    # a load balancer's probe typically allows.
    assert pool.waits == [selectors.DATABASE_WAIT_S] and selectors.DATABASE_WAIT_S < 3
