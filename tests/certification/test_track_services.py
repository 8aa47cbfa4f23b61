"""Track services: drafts, immutable versions, publishing, importing; permissions; audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from audit.models import AuditEvent
from certification.models import Track, TrackVersion
from certification.selectors.tracks import (
    track_policy,
    track_published,
    track_version_spec,
    tracks_published,
)
from certification.services.tracks import track_draft_save, track_import, track_publish
from tests.certification.conftest import SHIPPED_TRACK_FILE
from yamlsource import SourceErrors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages as written (in English)."""
    with translation.override("en"):
        yield


SHIPPED = SHIPPED_TRACK_FILE.read_text(encoding="utf-8")


def test_the_shipped_track_imports_published_with_its_policy(shipped_track):
    track = track_published("cs-onboarding-certification")
    assert track == shipped_track and track.title == "客服上岗认证"
    version = track.published_version
    assert version.number == 1 and version.yaml == SHIPPED
    spec = track_version_spec(version)
    assert spec.typing.min_cpm == 60 and spec.exam.buyers == 2 and len(spec.exam.pool) >= 6
    assert list(tracks_published()) == [track]
    policy = {part["key"]: part for part in track_policy(spec)}
    # Trainees read titles, not slugs.
    assert policy["modules"]["items"][0] == "网店客服认知与职业素养"
    assert len(policy["modules"]["items"]) == 6
    assert policy["exam"]["items"][0] == "回头客一上来就问：今天拍什么时候发？"
    assert len(policy["exam"]["items"]) == len(spec.exam.pool)
    assert "60" in policy["typing"]["text"] and "95%" in policy["typing"]["text"]


def test_publishing_twice_without_a_change_keeps_the_version(shipped_track, trainer):
    first = shipped_track.published_version
    again = track_publish(actor=trainer, track=shipped_track)
    assert again == first and TrackVersion.objects.filter(track=shipped_track).count() == 1
    # A comment or a new layout is no change either.
    track_draft_save(actor=trainer, yaml_text="# 注释\n" + SHIPPED, track=shipped_track)
    assert track_publish(actor=trainer, track=shipped_track) == first


def test_an_edit_after_publishing_makes_a_new_version_and_leaves_the_old_one(
    shipped_track, trainer
):
    old = shipped_track.published_version
    old_data, old_yaml = dict(old.data), old.yaml
    edited = SHIPPED.replace("min_cpm: 60", "min_cpm: 70")
    track = track_draft_save(actor=trainer, yaml_text=edited, track=shipped_track)
    assert track.draft_valid
    assert Track.objects.get(pk=track.pk).published_version == old  # a draft is not published
    new = track_publish(actor=trainer, track=track)
    assert new.number == 2 and new.data["typing"]["min_cpm"] == 70
    old.refresh_from_db()
    assert old.data == old_data and old.yaml == old_yaml and old.data["typing"]["min_cpm"] == 60
    assert track_published(track.slug).published_version == new
    event = AuditEvent.objects.filter(action="track.publish").latest("pk")
    assert event.before == {"published_version": 1} and event.after["published_version"] == 2
    assert event.actor == trainer


def test_an_invalid_draft_is_kept_but_not_published(shipped_track, trainer):
    broken = SHIPPED.replace("validity_months: 12", "validity_months: 99")
    track = track_draft_save(actor=trainer, yaml_text=broken, track=shipped_track)
    assert not track.draft_valid and Track.objects.get(pk=track.pk).draft_yaml == broken
    with pytest.raises(SourceErrors) as caught:
        track_publish(actor=trainer, track=track)
    assert [(e.position.line, e.field) for e in caught.value.errors] == [
        (broken.splitlines().index("validity_months: 99") + 1, "validity_months")
    ]
    assert Track.objects.get(pk=track.pk).published_version.number == 1


def test_the_slug_of_a_track_cannot_change(shipped_track, trainer):
    renamed = SHIPPED.replace("slug: cs-onboarding-certification", "slug: other-track")
    track = track_draft_save(actor=trainer, yaml_text=renamed, track=shipped_track)
    assert not track.draft_valid and Track.objects.count() == 1
    with pytest.raises(SourceErrors, match="cannot change"):
        track_publish(actor=trainer, track=track)


def test_a_new_track_needs_valid_text_and_a_free_slug(shipped_content, trainer):
    with pytest.raises(SourceErrors):
        track_draft_save(actor=trainer, yaml_text="slug: x\ntitle: y\n")
    assert not Track.objects.exists()
    track = track_draft_save(actor=trainer, yaml_text=SHIPPED)
    assert (
        track.draft_valid and track.published_version is None and track.draft_updated_by == trainer
    )
    assert track_published(track.slug) is None
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already exists"):
        track_draft_save(actor=trainer, yaml_text=SHIPPED)


def test_a_module_retired_after_saving_stops_publishing(shipped_content, trainer):
    track = track_draft_save(actor=trainer, yaml_text=SHIPPED)
    shipped_content.modules.filter(slug="after-sales").update(is_active=False)
    with pytest.raises(SourceErrors, match="not active"):
        track_publish(actor=trainer, track=track)
    assert not TrackVersion.objects.exists()


def test_a_bad_import_changes_nothing(shipped_track, admin_user):
    before = list(Track.objects.values()), list(TrackVersion.objects.values())
    events = AuditEvent.objects.count()
    bad = SHIPPED.replace("min_cpm: 60", "min_cpm: 301").replace("buyers: 2", "buyers: 9")
    with pytest.raises(SourceErrors) as caught:
        track_import(actor=admin_user, path_or_text=bad)
    assert {e.field for e in caught.value.errors} == {"typing.min_cpm", "exam.buyers"}
    assert (list(Track.objects.values()), list(TrackVersion.objects.values())) == before
    assert AuditEvent.objects.count() == events


def test_importing_again_updates_the_draft_and_publishes_a_new_version_only_on_change(
    shipped_track, admin_user
):
    same = track_import(actor=admin_user, path_or_text=SHIPPED_TRACK_FILE)
    assert same.number == 1
    changed = track_import(
        actor=admin_user, path_or_text=SHIPPED.replace("seconds: 180", "seconds: 120")
    )
    assert changed.number == 2 and changed.track == shipped_track
    assert Track.objects.get(pk=shipped_track.pk).draft_yaml.count("seconds: 120") == 1


@pytest.mark.parametrize("who", ["trainee", "hr"])
def test_only_authors_write_tracks(request, shipped_track, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        track_draft_save(actor=user, yaml_text=SHIPPED, track=shipped_track)
    with pytest.raises(PermissionDenied):
        track_publish(actor=user, track=shipped_track)
    with pytest.raises(PermissionDenied):
        track_import(actor=user, path_or_text=SHIPPED)
    assert Track.objects.get().draft_updated_by is None
