"""The track YAML format (docs/TRACK_FORMAT.md): parse and check a file into a ``TrackSpec``,
and write a spec back as YAML.

Pure apart from its inputs, like scenarios.validation: which course modules exist (and are
active) and which scenarios are published come in a ``TrackContext``, so the same checks run
in the editor, on import, in the command line and in tests. Every problem of a file is
reported in one pass, each with its file, line and column, in the active language
(``yamlsource.i18n``, as the shared field checks and the scenario validator).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from certification.track_spec import AttemptPolicy, ExamPolicy, Marks, TrackSpec, TypingPolicy
from yamlsource import Position, SourceErrors, load_file, load_text, wording
from yamlsource.fieldpath import subject
from yamlsource.fields import SLUG_RE, Fields
from yamlsource.i18n import gettext as _

# A track is a few dozen values; far below the loader's limit for content files, this keeps
# the editor's live validation of any text it is sent cheap.
MAX_TRACK_NODES = 2_000
MAX_POOL = 100
MAX_MODULES = 100
MAX_DESCRIPTION = 4000

TRACK_FIELDS = {
    "slug",
    "title",
    "description",
    "modules",
    "typing",
    "exam",
    "marks",
    "attempts",
    "validity_months",
}
TYPING_FIELDS = {"min_cpm", "min_accuracy", "seconds"}
EXAM_FIELDS = {"buyers", "pool", "minutes"}
MARKS_FIELDS = {
    "compliance",
    "first_response_median_s",
    "first_response_max_s",
    "total",
    "fatal_hits",
}
ATTEMPTS_FIELDS = {"limit", "wait_hours"}

# The limits, one place: docs/TRACK_FORMAT.md lists the same.
LIMITS = {
    "typing.min_cpm": (1, 300),
    "typing.min_accuracy": (0, 1),  # above 0, at most 1
    "typing.seconds": (30, 900),
    "exam.buyers": (2, 3),
    "exam.minutes": (5, 120),
    "marks.compliance": (0, 100),
    "marks.total": (0, 100),
    "marks.first_response_median_s": (0, 300),  # above 0
    "marks.first_response_max_s": (0, 300),  # above 0
    "marks.fatal_hits": (0, 100),
    "attempts.limit": (0, 100),
    "attempts.wait_hours": (0, 24 * 365),
    "validity_months": (1, 60),
}

# Words of the editor's addresses (/certification/tracks/new/): no track can be named so.
RESERVED_SLUGS = frozenset({"new", "validate"})

_MODULE_REF = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)/([a-z0-9]+(?:-[a-z0-9]+)*)$")


@dataclass(frozen=True)
class TrackContext:
    """What a track may name: course modules ("course/module" -> active) and scenarios
    (slug -> published)."""

    modules: Mapping[str, bool]
    scenarios: Mapping[str, bool]


def _number(
    fields: Fields,
    key: str,
    default: float,
    *,
    minimum: float,
    maximum: float,
    above_minimum: bool = False,
) -> float:
    """A number (whole or decimal) within limits; ``default`` when absent or wrong."""
    value = fields.node.get(key)
    name = fields.subject(key)
    if value is None:
        if key in fields.node:
            fields.error(key, wording.missing_value(name))
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        fields.error(key, wording.wrong_type(name, ["number"], value))
        return default
    low_ok = value > minimum if above_minimum else value >= minimum
    if not low_ok:
        fields.error(key, wording.below_minimum(name, minimum, value, exclusive=above_minimum))
        return default
    if value > maximum:
        fields.error(key, wording.above_maximum(name, maximum, value))
        return default
    return float(value)


def _whole(fields: Fields, key: str, default: int, limits: str) -> int:
    if fields.node.get(key) is None and key not in fields.node:
        return default
    minimum, maximum = LIMITS[limits]
    value = fields.integer(key, minimum=minimum, maximum=maximum)
    return default if value is None else value


def _section(top: Fields, key: str, allowed: set[str], *, required: bool = False) -> Fields | None:
    node = top.mapping(key, required=required)
    if node is None:
        return None
    section = Fields(node, key, top.errors)
    section.known(allowed)
    return section


def _empty(path: str, errors: SourceErrors) -> Fields:
    """Fields of an absent section: every value takes its default."""
    return Fields({}, path, errors)


def _typing(top: Fields) -> TypingPolicy:
    section = _section(top, "typing", TYPING_FIELDS) or _empty("typing", top.errors)
    base = TypingPolicy()
    low, high = LIMITS["typing.min_accuracy"]
    return TypingPolicy(
        min_cpm=_whole(section, "min_cpm", base.min_cpm, "typing.min_cpm"),
        min_accuracy=_number(
            section,
            "min_accuracy",
            base.min_accuracy,
            minimum=low,
            maximum=high,
            above_minimum=True,
        ),
        seconds=_whole(section, "seconds", base.seconds, "typing.seconds"),
    )


def _listed_twice(name: str) -> str:
    return _("“%(name)s” is listed twice") % {"name": name}


def _modules(top: Fields, context: TrackContext) -> tuple[str, ...]:
    items = top.sequence("modules", required=False, max_items=MAX_MODULES)
    found: list[str] = []
    for index, item in enumerate(items or []):
        name = ("modules", index)
        if not isinstance(item, str) or not _MODULE_REF.match(item.strip()):
            message = _("%(field)s must be written course-slug/module-slug") % {
                "field": subject(name)
            }
            top.errors.add(items, index, message, path=name)
            continue
        ref = item.strip()
        if ref in found:
            top.errors.add(items, index, _listed_twice(ref), path=name)
            continue
        active = context.modules.get(ref)
        if active is None:
            message = _("no course module “%(module)s”") % {"module": ref}
            top.errors.add(items, index, message, path=name)
        elif not active:
            message = _("the course module “%(module)s” is not active") % {"module": ref}
            top.errors.add(items, index, message, path=name)
        found.append(ref)
    return tuple(found)


def _pool(exam: Fields, context: TrackContext, buyers: int) -> tuple[str, ...]:
    items = exam.sequence("pool", max_items=MAX_POOL)
    if items is None:
        return ()
    found: list[str] = []
    for index, item in enumerate(items):
        name = (*exam.parts, "pool", index)
        slug = item.strip() if isinstance(item, str) else None
        if not slug or not SLUG_RE.match(slug):
            message = _("%(field)s must be a scenario slug") % {"field": subject(name)}
            exam.errors.add(items, index, message, path=name)
            continue
        if slug in found:
            exam.errors.add(items, index, _listed_twice(slug), path=name)
            continue
        published = context.scenarios.get(slug)
        if published is None:
            message = _("no scenario “%(scenario)s”") % {"scenario": slug}
            exam.errors.add(items, index, message, path=name)
        elif not published:
            message = _("the scenario “%(scenario)s” is not published") % {"scenario": slug}
            exam.errors.add(items, index, message, path=name)
        found.append(slug)
    if len(found) < buyers:
        exam.error(
            "pool",
            _(
                "%(field)s needs at least as many different scenarios as buyers "
                "(%(buyers)d); has %(count)d"
            )
            % {"field": exam.subject("pool"), "buyers": buyers, "count": len(found)},
        )
    return tuple(found)


def _exam(top: Fields, context: TrackContext) -> ExamPolicy:
    section = _section(top, "exam", EXAM_FIELDS, required=True)
    if section is None:
        return ExamPolicy()
    base = ExamPolicy()
    buyers = _whole(section, "buyers", base.buyers, "exam.buyers")
    return ExamPolicy(
        buyers=buyers,
        pool=_pool(section, context, buyers),
        minutes=_whole(section, "minutes", base.minutes, "exam.minutes"),
    )


def _marks(top: Fields) -> Marks:
    section = _section(top, "marks", MARKS_FIELDS) or _empty("marks", top.errors)
    base = Marks()

    def mark(key: str, above: bool = False) -> float:
        low, high = LIMITS[f"marks.{key}"]
        return _number(
            section, key, getattr(base, key), minimum=low, maximum=high, above_minimum=above
        )

    marks = Marks(
        compliance=mark("compliance"),
        first_response_median_s=mark("first_response_median_s", above=True),
        first_response_max_s=mark("first_response_max_s", above=True),
        total=mark("total"),
        fatal_hits=_whole(section, "fatal_hits", base.fatal_hits, "marks.fatal_hits"),
    )
    if marks.first_response_max_s < marks.first_response_median_s:
        # Named even when not written: its default is what falls below the median.
        section.error(
            "first_response_max_s" if "first_response_max_s" in section.node else None,
            _(
                "%(field)s must be at least the median first response (%(median)s s); "
                "here %(value)s s"
            )
            % {
                "field": "first_response_max_s",
                "median": wording.number_text(marks.first_response_median_s),
                "value": wording.number_text(marks.first_response_max_s),
            },
        )
    return marks


def _attempts(top: Fields) -> AttemptPolicy:
    section = _section(top, "attempts", ATTEMPTS_FIELDS) or _empty("attempts", top.errors)
    base = AttemptPolicy()
    return AttemptPolicy(
        limit=_whole(section, "limit", base.limit, "attempts.limit"),
        wait_hours=_whole(section, "wait_hours", base.wait_hours, "attempts.wait_hours"),
    )


def track_validate(document, context: TrackContext, *, name: str = "track.yaml") -> TrackSpec:
    """Check a loaded document; raise ``SourceErrors`` listing every problem."""
    errors = SourceErrors()
    if not isinstance(document, dict):
        position = document.position() if hasattr(document, "position") else None
        errors.add_at(
            position or Position(name, 1, 1),
            "",
            _("a track file must be a mapping (slug, title, exam …)"),
        )
        raise errors
    top = Fields(document, "", errors)
    top.known(TRACK_FIELDS)
    slug = top.slug()
    if slug in RESERVED_SLUGS:
        top.error("slug", _("“%(slug)s” is reserved; choose another slug") % {"slug": slug})
    spec = TrackSpec(
        slug=slug or "",
        title=top.text("title", max_length=200) or "",
        description=top.text(
            "description", required=False, max_length=MAX_DESCRIPTION, allow_empty=True
        )
        or "",
        modules=_modules(top, context),
        typing=_typing(top),
        exam=_exam(top, context),
        marks=_marks(top),
        attempts=_attempts(top),
        validity_months=_whole(top, "validity_months", 12, "validity_months"),
    )
    errors.raise_if_any()
    return spec


def track_from_text(text: str | bytes, name: str, context: TrackContext) -> TrackSpec:
    document = load_text(text, name, max_nodes=MAX_TRACK_NODES)
    return track_validate(document, context, name=name)


def track_from_file(path: Path | str, context: TrackContext) -> TrackSpec:
    document = load_file(path, max_nodes=MAX_TRACK_NODES)
    return track_validate(document, context, name=str(path))


class _Dumper(yaml.SafeDumper):
    """Multi-line text as | blocks, so exported tracks stay readable and diffable."""


def _str_presenter(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def _plain(value: float) -> int | float:
    """Marks as written by people: 80 rather than 80.0 (both read back as the same mark)."""
    return int(value) if float(value).is_integer() else value


def track_to_yaml(spec: TrackSpec) -> str:
    """The track as a YAML file with every field written out (``track_from_text`` reads it
    back to the same spec)."""
    data = spec.to_data()
    data["marks"] = {key: _plain(value) for key, value in data["marks"].items()}
    data["typing"]["min_accuracy"] = _plain(data["typing"]["min_accuracy"])
    if not data["description"]:
        del data["description"]
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
