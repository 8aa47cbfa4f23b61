"""Track authoring pages: who may open them, the editor's errors and preview, saving,
publishing and live validation."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from certification.models import Track, TrackVersion
from tests.certification.conftest import SHIPPED_TRACK_FILE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages in English, so the assertions read the messages' own words (the Chinese
    catalogue translates them)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


SHIPPED = SHIPPED_TRACK_FILE.read_text(encoding="utf-8")
SLUG = "cs-onboarding-certification"


def _pages():
    return [
        ("get", reverse("certification:track_list")),
        ("get", reverse("certification:track_new")),
        ("get", reverse("certification:track_edit", args=[SLUG])),
        ("post", reverse("certification:track_edit", args=[SLUG])),
        ("post", reverse("certification:track_publish", args=[SLUG])),
        ("post", reverse("certification:track_validate")),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, shipped_track):
    for method, url in _pages():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("who", ["trainee", "other_trainee", "hr"])
def test_trainees_and_hr_are_refused(request, client, shipped_track, who):
    client.force_login(request.getfixturevalue(who))
    for method, url in _pages():
        assert getattr(client, method)(url, {"yaml": "x"}).status_code == 403, url
    assert Track.objects.get().draft_yaml == SHIPPED


@pytest.mark.parametrize("who", ["trainer", "other_trainer", "admin_user"])
def test_trainers_and_admins_see_the_list_and_the_editor(request, client, shipped_track, who):
    client.force_login(request.getfixturevalue(who))
    listing = client.get(reverse("certification:track_list")).content.decode()
    assert "客服上岗认证" in listing and "v1" in listing
    page = client.get(reverse("certification:track_edit", args=[SLUG]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>" not in html and " style=" not in html and "onclick" not in html
    assert "certification/track_editor.js" in html and 'id="track-editor-texts"' in html
    # The shared editor script first: the track's own script builds on it.
    assert html.index("simulator/yaml_editor.js") < html.index("certification/track_editor.js")
    # The preview: what a trainee will be told, with titles rather than slugs.
    assert 'data-testid="track-preview"' in html and "网店客服认知与职业素养" in html
    assert "60 characters per minute" in html and "median first response 6 seconds or less" in html


def test_saving_an_invalid_draft_shows_its_errors_with_line_and_column(
    client, trainer, shipped_track
):
    client.force_login(trainer)
    url = reverse("certification:track_edit", args=[SLUG])
    broken = SHIPPED.replace("buyers: 2", "buyers: 7")
    response = client.post(url, {"yaml": broken}, follow=True)
    html = response.content.decode()
    line = broken.splitlines().index("  buyers: 7            # 同时接待的买家人数") + 1
    assert (
        f"Line {line}, column 3" in html and "exam.buyers" in html and "must be at most 3" in html
    )
    assert "Fix the errors to see what trainees will be told." in html
    assert Track.objects.get().draft_valid is False
    # Publishing it is refused; the published version stays.
    response = client.post(reverse("certification:track_publish", args=[SLUG]), follow=True)
    assert "nothing was published" in response.content.decode()
    assert Track.objects.get().published_version.number == 1


def test_saving_and_publishing_an_edit_makes_version_two(client, trainer, shipped_track):
    client.force_login(trainer)
    edited = SHIPPED.replace("wait_hours: 24", "wait_hours: 48")
    response = client.post(reverse("certification:track_edit", args=[SLUG]), {"yaml": edited})
    assert response.status_code == 302 and Track.objects.get().draft_valid
    response = client.post(reverse("certification:track_publish", args=[SLUG]), follow=True)
    assert "Published as version 2." in response.content.decode()
    response = client.post(reverse("certification:track_publish", args=[SLUG]), follow=True)
    assert "Nothing changed since version 2" in response.content.decode()
    assert TrackVersion.objects.count() == 2


def test_a_new_track_is_created_from_valid_text_only(client, trainer, shipped_content):
    client.force_login(trainer)
    url = reverse("certification:track_new")
    starter = client.get(url).content.decode()
    assert "slug: new-track" in starter
    response = client.post(url, {"yaml": "slug: x\ntitle: y\n"})
    html = response.content.decode()
    assert response.status_code == 200 and "nothing was saved" in html
    assert "missing required field exam" in html and not Track.objects.exists()
    response = client.post(url, {"yaml": SHIPPED})
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:track_edit", args=[SLUG])
    assert Track.objects.get().published_version is None


def test_live_validation_answers_errors_with_line_and_column_and_the_preview(
    client, trainer, shipped_track
):
    client.force_login(trainer)
    url = reverse("certification:track_validate")

    def check(text, slug=""):
        response = client.post(
            url, json.dumps({"yaml": text, "slug": slug}), content_type="application/json"
        )
        assert response.status_code == 200
        return response.json()

    body = check("slug: a\ntitle: b\nexam:\n  pool: [nosuch, size-advice]\n")
    assert body["valid"] is False and body["policy"] is None
    assert body["errors"] == [
        {"line": 4, "column": 10, "field": "exam.pool #1", "message": "no scenario “nosuch”"}
    ]
    body = check(SHIPPED, SLUG)
    assert body["valid"] is True and body["errors"] == []
    assert [part["key"] for part in body["policy"]] == [
        "modules",
        "typing",
        "exam",
        "marks",
        "attempts",
        "validity",
    ]
    renamed = check(SHIPPED.replace(f"slug: {SLUG}", "slug: renamed"), SLUG)
    assert renamed["valid"] is False and renamed["errors"][0]["field"] == "slug"
    assert Track.objects.get().draft_yaml == SHIPPED  # nothing saved
    refused = client.post(url, "not json", content_type="application/json")
    assert refused.status_code == 400 and "error" in refused.json()


def test_a_track_with_an_empty_draft_opens_with_its_error_and_does_not_publish(client, trainer):
    track = Track.objects.create(slug="empty", title="空", draft_yaml="")
    client.force_login(trainer)
    html = client.get(reverse("certification:track_edit", args=["empty"])).content.decode()
    assert "Line 1, column 1" in html and "the file is empty" in html
    response = client.post(reverse("certification:track_publish", args=["empty"]), follow=True)
    assert "nothing was published" in response.content.decode()
    track.refresh_from_db()
    assert track.published_version is None
    assert client.get(reverse("certification:track_edit", args=["nosuch"])).status_code == 404
