"""Writes for certification tracks: drafts, publishing immutable versions, importing.

As with scenarios: a draft may be invalid while a trainer works on it; a published version
never changes (attempts pin one), and publishing an unchanged draft makes no new version.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from certification.models import Track, TrackVersion
from certification.selectors.tracks import track_context
from certification.track_format import track_from_text
from certification.track_spec import TrackSpec
from yamlsource import (
    MAX_FILE_BYTES,
    Position,
    SourceErrors,
    cannot_read_message,
    not_utf8_message,
    too_large_message,
)

# What no text column can hold (PostgreSQL refuses NUL; UTF-8 has no lone surrogates).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _require(user, *permissions: str) -> None:
    # ``None``: the command line (import_tracks), run by whoever may run manage.py.
    if user is None:
        return
    if not all(user.has_perm(permission) for permission in permissions):
        raise PermissionDenied(_("You may not change certification tracks."))


def _too_large(name: str) -> SourceErrors:
    errors = SourceErrors()
    errors.add_at(Position(name, 1, 1), "", too_large_message())
    return errors


def _size_check(yaml_text: str, name: str) -> None:
    if len(yaml_text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise _too_large(name)


def track_check(yaml_text: str, name: str = "track.yaml") -> TrackSpec:
    """Validate track YAML against the modules and scenarios there are now; raise
    ``SourceErrors`` listing every problem."""
    _size_check(yaml_text, name)
    return track_from_text(yaml_text, name, track_context())


def track_content_hash(spec: TrackSpec) -> str:
    """The hash of what a version decides by (comments and layout of the YAML do not count)."""
    canonical = json.dumps(
        spec.to_data(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _text_digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _refuse_unstorable(text: str) -> None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    raise ValidationError(
        {
            "yaml": _("line %(line)d, column %(column)d: the character %(code)s cannot be saved.")
            % {"line": line, "column": column, "code": f"U+{ord(found.group()):04X}"}
        }
    )


def track_draft_save(*, actor, yaml_text: str, track: Track | None = None) -> Track:
    """Store a draft. A new track needs valid YAML (its slug comes from it; ``SourceErrors``
    otherwise, nothing stored); an existing track keeps an invalid draft as work in
    progress, with ``draft_valid`` false. The slug of a track never changes."""
    _require(actor, "certification.change_track")
    if track is None:
        _require(actor, "certification.add_track")
    _refuse_unstorable(yaml_text)
    name = f"{track.slug}.yaml" if track is not None else "track.yaml"
    _size_check(yaml_text, name)
    # Validation runs before the write transaction (on SQLite it holds the one write lock).
    try:
        spec: TrackSpec | None = track_check(yaml_text, name)
    except SourceErrors:
        if track is None:
            raise
        spec = None
    if track is not None and spec is not None and spec.slug != track.slug:
        spec = None  # the editor reports it (track_slug_error); the draft is kept invalid
    return _draft_write(actor=actor, track=track, yaml_text=yaml_text, spec=spec)


def track_slug_error(track: Track, spec: TrackSpec) -> SourceErrors:
    """The error of a draft that renames its track (empty when it does not)."""
    errors = SourceErrors()
    if spec.slug != track.slug:
        errors.add_at(
            Position(f"{track.slug}.yaml", 1, 1),
            "slug",
            _("the slug of a track cannot change (it is “%(slug)s”)") % {"slug": track.slug},
        )
    return errors


@transaction.atomic
def _draft_write(
    *,
    actor,
    track: Track | None,
    yaml_text: str,
    spec: TrackSpec | None,
    action: str = "track.draft_save",
    audit_extra: dict | None = None,
) -> Track:
    if track is None:
        assert spec is not None  # a new track is only written from valid YAML
        if Track.objects.filter(slug=spec.slug).exists():
            raise ValidationError(
                {"slug": _("A track “%(slug)s” already exists.") % {"slug": spec.slug}}
            )
        track = Track(slug=spec.slug)
        before = None
        created = True
    else:
        track = Track.objects.select_for_update().get(pk=track.pk)
        before = {"draft_valid": track.draft_valid, "draft": _text_digest(track.draft_yaml)}
        created = False
    track.draft_yaml = yaml_text
    track.draft_valid = spec is not None
    track.draft_updated_by = actor if actor is not None and actor.is_authenticated else None
    if spec is not None:
        track.title = spec.title
    track.full_clean()
    track.save()
    audit_record(
        actor=actor,
        action=action,
        target=track,
        before=before,
        after={
            "created": created,
            "draft_valid": track.draft_valid,
            "draft": _text_digest(yaml_text),
            "bytes": len(yaml_text.encode("utf-8", "surrogatepass")),
            **(audit_extra or {}),
        },
    )
    return track


def _version_for(*, actor, track: Track, spec: TrackSpec, yaml_text: str) -> TrackVersion:
    """The latest version when its content is the spec's, else a new one."""
    content_hash = track_content_hash(spec)
    latest = track.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == content_hash:
        return latest
    return TrackVersion.objects.create(
        track=track,
        number=(latest.number + 1) if latest else 1,
        yaml=yaml_text,
        data=spec.to_data(),
        content_hash=content_hash,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )


@transaction.atomic
def track_publish(*, actor, track: Track) -> TrackVersion:
    """Freeze the draft as a new version, or re-publish the latest one when the content is
    unchanged. Only a valid draft is published (``SourceErrors`` otherwise); it is checked
    again, as modules and scenarios may have changed since it was saved."""
    _require(actor, "certification.publish_track")
    track = Track.objects.select_for_update().get(pk=track.pk)
    spec = track_check(track.draft_yaml, f"{track.slug}.yaml")
    track_slug_error(track, spec).raise_if_any()
    return _publish(actor=actor, track=track, spec=spec)


def _publish(*, actor, track: Track, spec: TrackSpec) -> TrackVersion:
    before = {
        "published_version": track.published_version.number if track.published_version else None
    }
    version = _version_for(actor=actor, track=track, spec=spec, yaml_text=track.draft_yaml)
    if not track.draft_valid:
        track.draft_valid = True
        track.save(update_fields=["draft_valid"])
    track.published_version = version
    track.save(update_fields=["published_version"])
    audit_record(
        actor=actor,
        action="track.publish",
        target=track,
        before=before,
        after={"published_version": version.number, "hash": version.content_hash},
    )
    return version


def _source(path_or_text: Path | str | bytes) -> tuple[str, str]:
    """(name, text) of a file path or of YAML text. A ``str`` is a path when it is one line
    ending in .yaml or .yml."""
    if isinstance(path_or_text, str) and (
        "\n" not in path_or_text and path_or_text.strip().endswith((".yaml", ".yml"))
    ):
        path_or_text = Path(path_or_text.strip())
    if isinstance(path_or_text, Path):
        name = str(path_or_text)
        try:
            if path_or_text.stat().st_size > MAX_FILE_BYTES:
                raise _too_large(name)  # before reading a file of any size
            data = path_or_text.read_bytes()
        except OSError as exc:
            errors = SourceErrors()
            errors.add_at(Position(name, 1, 1), "", cannot_read_message(exc))
            raise errors from None
        return name, _decoded(data, name)
    if isinstance(path_or_text, bytes):
        return "track.yaml", _decoded(path_or_text, "track.yaml")
    return "track.yaml", path_or_text


def _decoded(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors = SourceErrors()
        line = data[: exc.start].count(b"\n") + 1
        errors.add_at(Position(name, line, 1), "", not_utf8_message())
        raise errors from None


def track_import(*, actor, path_or_text: Path | str | bytes) -> TrackVersion:
    """Create or update a track's draft from a file (or text) and publish it. Everything is
    checked before anything is written (``SourceErrors``: nothing stored), then written in
    one transaction. ``actor`` None: the command line."""
    _require(actor, "certification.change_track", "certification.publish_track")
    name, text = _source(path_or_text)
    spec = track_check(text, name)
    _refuse_unstorable(text)
    with transaction.atomic():
        existing = Track.objects.filter(slug=spec.slug).first()
        if existing is None:
            _require(actor, "certification.add_track")
        track = _draft_write(
            actor=actor,
            track=existing,
            yaml_text=text,
            spec=spec,
            action="track.import",
            audit_extra={"file": name},
        )
        return _publish(actor=actor, track=track, spec=spec)
