"""Reads for certification tracks: lists for authoring, published tracks, versions, what a
track may name (the validation context) and the policy as a trainee is told it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certification.models import Track, TrackVersion
from certification.track_format import TrackContext
from certification.track_spec import TrackSpec
from courses.models import Module
from scenarios.models import Scenario


def tracks_all() -> QuerySet[Track]:
    """Every track, for authoring, with its published version."""
    return Track.objects.select_related("published_version", "draft_updated_by")


def tracks_published() -> QuerySet[Track]:
    """Tracks trainees can take: those with a published version."""
    return Track.objects.filter(published_version__isnull=False).select_related("published_version")


def track_published(slug: str) -> Track | None:
    """The published track ``slug`` (its ``published_version`` loaded), or None."""
    return tracks_published().filter(slug=slug).first()


def track_versions(track: Track) -> QuerySet[TrackVersion]:
    return track.versions.select_related("created_by").order_by("-number")


def track_version_spec(version: TrackVersion) -> TrackSpec:
    """The spec a version was published with (what attempts under it are decided against)."""
    return TrackSpec.from_data(version.data)


def track_context() -> TrackContext:
    """What a track may name now: every course module and every scenario."""
    modules = {
        f"{course_slug}/{slug}": active
        for course_slug, slug, active in Module.objects.values_list(
            "course__slug", "slug", "is_active"
        )
    }
    scenarios = {
        slug: version_id is not None
        for slug, version_id in Scenario.objects.values_list("slug", "published_version_id")
    }
    return TrackContext(modules=modules, scenarios=scenarios)


def _module_titles(refs: tuple[str, ...]) -> dict[str, str]:
    course_slugs = {ref.split("/", 1)[0] for ref in refs}
    return {
        f"{course_slug}/{slug}": title
        for course_slug, slug, title in Module.objects.filter(
            course__slug__in=course_slugs
        ).values_list("course__slug", "slug", "title")
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def track_policy(spec: TrackSpec) -> list[dict]:
    """The track's requirements in sentences, as the trainee is told them: one item per
    part (``key``, ``text``, and ``items`` for the modules and the exam's scenarios)."""
    titles = _module_titles(spec.modules)
    scenario_titles = dict(
        Scenario.objects.filter(slug__in=spec.exam.pool).values_list("slug", "title")
    )
    parts: list[dict] = []
    if spec.modules:
        parts.append(
            {
                "key": "modules",
                "text": ngettext(
                    "Pass the quiz of this course module:",
                    "Pass the quizzes of these %(n)d course modules:",
                    len(spec.modules),
                )
                % {"n": len(spec.modules)},
                "items": [titles.get(ref, ref) for ref in spec.modules],
            }
        )
    typing = spec.typing
    parts.append(
        {
            "key": "typing",
            "text": _(
                "Typing test: type a passage for %(seconds)d seconds at %(cpm)d characters "
                "per minute or more, with at least %(accuracy)s%% of the characters right. "
                "Pasted text does not count."
            )
            % {
                "seconds": typing.seconds,
                "cpm": typing.min_cpm,
                "accuracy": _number(round(typing.min_accuracy * 100, 2)),
            },
            "items": [],
        }
    )
    exam = spec.exam
    parts.append(
        {
            "key": "exam",
            "text": _(
                "Exam: %(buyers)d buyers chat with you at the same time, for %(minutes)d "
                "minutes in all, without hints. The server draws them from these %(pool)d "
                "scenarios:"
            )
            % {"buyers": exam.buyers, "minutes": exam.minutes, "pool": len(exam.pool)},
            "items": [scenario_titles.get(slug, slug) for slug in exam.pool],
        }
    )
    marks = spec.marks
    fatal = (
        _("no fatal breach of the rules (such as asking for a password or promising a cure)")
        if marks.fatal_hits == 0
        else ngettext(
            "at most %(n)d fatal breach of the rules",
            "at most %(n)d fatal breaches of the rules",
            marks.fatal_hits,
        )
        % {"n": marks.fatal_hits}
    )
    parts.append(
        {
            "key": "marks",
            "text": _("To pass the exam you need all of these:"),
            "items": [
                _("script compliance %(mark)s or more") % {"mark": _number(marks.compliance)},
                _("median first response %(s)s seconds or less")
                % {"s": _number(marks.first_response_median_s)},
                _("no first response over %(s)s seconds")
                % {"s": _number(marks.first_response_max_s)},
                _("total score %(mark)s or more") % {"mark": _number(marks.total)},
                fatal,
            ],
        }
    )
    attempts = spec.attempts
    if attempts.limit:
        text = ngettext(
            "You have %(n)d attempt at the exam",
            "You have %(n)d attempts at the exam",
            attempts.limit,
        ) % {"n": attempts.limit}
    else:
        text = _("You may take the exam as often as you need")
    if attempts.wait_hours:
        text += ngettext(
            "; after a failed attempt, wait %(h)d hour before the next.",
            "; after a failed attempt, wait %(h)d hours before the next.",
            attempts.wait_hours,
        ) % {"h": attempts.wait_hours}
    else:
        text += _("; you may try again at once after a failed attempt.")
    parts.append({"key": "attempts", "text": text, "items": []})
    parts.append(
        {
            "key": "validity",
            "text": ngettext(
                "The certificate is valid for %(n)d month from the day it is issued.",
                "The certificate is valid for %(n)d months from the day it is issued.",
                spec.validity_months,
            )
            % {"n": spec.validity_months},
            "items": [],
        }
    )
    return parts
