"""The status page's timer-probe form: a refused countdown is one readable line."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from diagnostics.models import TimerProbe


@pytest.mark.django_db
def test_an_out_of_range_countdown_is_refused_with_a_readable_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("diagnostics:timer_probe_create"), {"countdown_s": "-3"})
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["倒计时：must be between 0 and 3600"]
    assert not TimerProbe.objects.exists()


@pytest.mark.django_db
def test_timer_probes_are_for_administrators(client, trainer):
    client.force_login(trainer)
    response = client.post(reverse("diagnostics:timer_probe_create"), {"countdown_s": "1"})
    assert response.status_code == 403
    assert not TimerProbe.objects.exists()
