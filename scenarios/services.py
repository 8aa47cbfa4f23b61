"""Writes for scenarios: drafts, publishing immutable versions, cloning and importing."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from scenarios.context import validation_context
from scenarios.models import Scenario, ScenarioVersion
from scenarios.validation import ScenarioSpec, scenario_from_text
from yamlsource import (
    MAX_FILE_BYTES,
    Position,
    SourceErrors,
    not_utf8_message,
    too_large_message,
)

# What no database column of text can hold (PostgreSQL refuses NUL; UTF-8 has no lone
# surrogates); a draft is stored even when invalid, so these are refused before saving.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(_("You may not change scenarios."))


def scenario_check(yaml_text: str, name: str = "scenario.yaml") -> ScenarioSpec:
    """Validate YAML text against the current catalogue; raise ``SourceErrors``."""
    if len(yaml_text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        errors = SourceErrors()
        errors.add_at(Position(name, 1, 1), "", too_large_message())
        raise errors
    return scenario_from_text(yaml_text, name, validation_context())


def spec_of(version: ScenarioVersion) -> ScenarioSpec:
    return ScenarioSpec(version.data["scenario"], version.data["intents"])


def _summary_fields(spec: ScenarioSpec) -> dict:
    data = spec.data
    return {
        "title": data["title"],
        "shop_slug": data["shop"],
        "tags": list(data.get("tags") or []),
        "difficulty": data.get("difficulty", 1),
        "motive": data["persona"]["motive"],
    }


def scenario_create(*, actor, yaml_text: str, name: str = "scenario.yaml") -> Scenario:
    """A new scenario from valid YAML (a draft until published)."""
    _require(actor, "scenarios.add_scenario")
    # Validation is the long part: it runs before the write transaction (on SQLite that
    # transaction holds the database's one write lock).
    spec = scenario_check(yaml_text, name)
    return _scenario_insert(actor=actor, spec=spec, yaml_text=yaml_text)


@transaction.atomic
def _scenario_insert(*, actor, spec: ScenarioSpec, yaml_text: str) -> Scenario:
    if Scenario.objects.filter(slug=spec.slug).exists():
        raise ValidationError(
            {"slug": _("A scenario “%(slug)s” already exists.") % {"slug": spec.slug}}
        )
    scenario = Scenario(
        slug=spec.slug,
        draft_yaml=yaml_text,
        draft_valid=True,
        draft_updated_by=actor,
        **_summary_fields(spec),
    )
    scenario.full_clean()
    scenario.save()
    audit_record(
        actor=actor, action="scenario.create", target=scenario, after={"slug": scenario.slug}
    )
    return scenario


@dataclass
class DraftResult:
    scenario: Scenario
    errors: SourceErrors


def scenario_draft_save(*, actor, scenario: Scenario, yaml_text: str) -> DraftResult:
    """Save the draft even when invalid (work in progress); report its errors."""
    _require(actor, "scenarios.change_scenario")
    if len(yaml_text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 1 MB."))
    _refuse_unstorable(yaml_text)
    errors = SourceErrors()
    try:  # before the write transaction, like scenario_create
        spec = scenario_check(yaml_text, f"{scenario.slug}.yaml")
    except SourceErrors as found:
        errors = found
        spec = None
    if spec is not None and spec.slug != scenario.slug:
        errors.add_at(
            Position(f"{scenario.slug}.yaml", 1, 1),
            "slug",
            _("the slug cannot change (clone the scenario instead)"),
        )
        spec = None
    return _draft_write(
        actor=actor, scenario=scenario, yaml_text=yaml_text, spec=spec, errors=errors
    )


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


def _text_digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def _draft_write(
    *,
    actor,
    scenario: Scenario,
    yaml_text: str,
    spec: ScenarioSpec | None,
    errors: SourceErrors,
    action: str = "scenario.draft_save",
    audit_extra: dict | None = None,
) -> DraftResult:
    # The audit record names the text by size and digest, not a copy (drafts reach 1 MB).
    before = {"draft_valid": scenario.draft_valid, "draft": _text_digest(scenario.draft_yaml)}
    scenario.draft_yaml = yaml_text
    scenario.draft_valid = spec is not None
    scenario.draft_updated_by = actor
    if spec is not None:
        for key, value in _summary_fields(spec).items():
            setattr(scenario, key, value)
    scenario.save()
    audit_record(
        actor=actor,
        action=action,
        target=scenario,
        before=before,
        after={
            "draft_valid": scenario.draft_valid,
            "draft": _text_digest(yaml_text),
            "bytes": len(yaml_text.encode("utf-8", "surrogatepass")),
            "errors": len(errors),
            **(audit_extra or {}),
        },
    )
    return DraftResult(scenario, errors)


def _content_hash(spec: ScenarioSpec) -> str:
    canonical = json.dumps(
        {"scenario": spec.data, "intents": spec.intents},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def scenario_publish(*, actor, scenario: Scenario) -> ScenarioVersion:
    """Freeze the draft as a new version (or re-publish the identical latest one)."""
    _require(actor, "scenarios.publish_scenario")
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    spec = scenario_check(scenario.draft_yaml, f"{scenario.slug}.yaml")
    content_hash = _content_hash(spec)
    latest = scenario.versions.order_by("-number").first()
    before = {
        "published_version": scenario.published_version.number
        if scenario.published_version
        else None
    }
    if latest is not None and latest.content_hash == content_hash:
        version = latest
    else:
        version = ScenarioVersion.objects.create(
            scenario=scenario,
            number=(latest.number + 1) if latest else 1,
            yaml=scenario.draft_yaml,
            data={"scenario": spec.data, "intents": spec.intents},
            content_hash=content_hash,
            created_by=actor,
        )
    scenario.published_version = version
    scenario.save(update_fields=["published_version"])
    audit_record(
        actor=actor,
        action="scenario.publish",
        target=scenario,
        before=before,
        after={"published_version": version.number, "hash": content_hash},
    )
    return version


@transaction.atomic
def scenario_unpublish(*, actor, scenario: Scenario) -> Scenario:
    _require(actor, "scenarios.publish_scenario")
    before = {
        "published_version": scenario.published_version.number
        if scenario.published_version
        else None
    }
    scenario.published_version = None
    scenario.save(update_fields=["published_version"])
    audit_record(
        actor=actor,
        action="scenario.unpublish",
        target=scenario,
        before=before,
        after={"published_version": None},
    )
    return scenario


@transaction.atomic
def scenario_clone(*, actor, scenario: Scenario, new_slug: str) -> Scenario:
    _require(actor, "scenarios.add_scenario")
    lines = scenario.draft_yaml.splitlines(keepends=True)
    replaced = False
    for index, line in enumerate(lines):
        if line.startswith("slug:"):
            lines[index] = f"slug: {new_slug}\n"
            replaced = True
            break
    if not replaced:
        raise ValidationError(_("The draft has no top-level slug line to change."))
    return scenario_create(actor=actor, yaml_text="".join(lines), name=f"{new_slug}.yaml")


def scenario_import(*, actor, files: list[tuple[str, bytes]]) -> list[Scenario]:
    """Create or update drafts from files; every file is checked first, then all are written
    in one transaction (one bad file and nothing is stored)."""
    _require(actor, "scenarios.add_scenario")
    errors = SourceErrors()
    checked: list[tuple[str, str, ScenarioSpec]] = []
    context = validation_context()
    for name, data in files:
        if len(data) > MAX_FILE_BYTES:
            errors.add_at(Position(name, 1, 1), "", too_large_message())
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            errors.add_at(Position(name, line, 1), "", not_utf8_message())
            continue
        try:
            checked.append((name, text, scenario_from_text(text, name, context)))
        except SourceErrors as found:
            errors.extend(found)
    errors.raise_if_any()
    # The files were checked above; the transaction only writes.
    with transaction.atomic():
        result = []
        for name, text, spec in checked:
            existing = Scenario.objects.filter(slug=spec.slug).first()
            if existing is None:
                scenario = _scenario_insert(actor=actor, spec=spec, yaml_text=text)
                audit_record(
                    actor=actor,
                    action="scenario.import",
                    target=scenario,
                    after={
                        "file": name,
                        "created": True,
                        "draft": _text_digest(text),
                        "bytes": len(text.encode("utf-8")),
                    },
                )
                result.append(scenario)
            else:
                _require(actor, "scenarios.change_scenario")
                saved = _draft_write(
                    actor=actor,
                    scenario=existing,
                    yaml_text=text,
                    spec=spec,
                    errors=errors,
                    action="scenario.import",
                    audit_extra={"file": name, "created": False},
                )
                result.append(saved.scenario)
        return result
