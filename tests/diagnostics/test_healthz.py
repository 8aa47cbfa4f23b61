import pytest
from django.urls import reverse

# Transactional: the channel-layer check writes from another thread, as it does in
# production, and must not wait behind the test's own open transaction.


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_each_part_ok(client, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "channel_layer"}
    assert all(check["ok"] for check in body["checks"].values())
    # Anonymous callers get verdicts, not details.
    assert "detail" not in body["checks"]["broker"]


@pytest.mark.django_db(transaction=True)
def test_healthz_fails_with_503_when_the_broker_is_unreachable(client, settings, admin_user):
    from simulator.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        client.force_login(admin_user)
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["detail"]  # administrators see why
    assert body["checks"]["database"]["ok"] is True
