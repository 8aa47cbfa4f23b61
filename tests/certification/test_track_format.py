"""The track YAML format: the shipped file, every kind of error with its place, round trips."""

from __future__ import annotations

import pytest
from django.utils import translation

from certification.track_format import TrackContext, track_from_file, track_from_text, track_to_yaml
from certification.track_spec import TrackSpec
from tests.certification.conftest import SHIPPED_TRACK_FILE
from yamlsource import SourceErrors

# The wording checked here is the English one (the catalogues' msgids).
pytestmark = pytest.mark.usefixtures("english")

MODULES = (
    "professional",
    "platform-rules",
    "product-knowledge",
    "customer-psychology",
    "presales-flow",
    "after-sales",
)
CONTEXT = TrackContext(
    modules={**{f"cs-onboarding/{m}": True for m in MODULES}, "cs-onboarding/retired": False},
    scenarios={
        **{
            slug: True
            for slug in (
                "greeting-fast-response",
                "size-advice",
                "address-check-after-payment",
                "seven-day-return",
                "genuine-question",
                "bargain-comparison",
                "damaged-parcel",
                "supplement-disease-question",
            )
        },
        "draft-only": False,
    },
)

VALID = """\
slug: t1
title: 认证
modules:
  - cs-onboarding/professional
exam:
  pool: [size-advice, genuine-question]
"""


def errors_of(text: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(SourceErrors) as caught:
        track_from_text(text, "t.yaml", CONTEXT)
    return [
        (e.position.line, e.position.column, e.field, e.message)
        for e in sorted(caught.value.errors)
    ]


def test_the_shipped_track_validates_with_the_policy_of_the_issue():
    spec = track_from_file(SHIPPED_TRACK_FILE, CONTEXT)
    assert spec.slug == "cs-onboarding-certification" and spec.title == "客服上岗认证"
    assert spec.modules == tuple(f"cs-onboarding/{m}" for m in MODULES)
    assert (spec.typing.min_cpm, spec.typing.min_accuracy, spec.typing.seconds) == (60, 0.95, 180)
    assert spec.exam.buyers == 2 and spec.exam.minutes == 20 and len(spec.exam.pool) >= 6
    marks = spec.marks
    assert (marks.compliance, marks.first_response_median_s, marks.first_response_max_s) == (
        80,
        6,
        10,
    )
    assert (marks.total, marks.fatal_hits) == (75, 0)
    assert (spec.attempts.limit, spec.attempts.wait_hours, spec.validity_months) == (3, 24, 12)
    assert "认证" in spec.description


BAD = """\
slug: Not A Slug
title: ""
colour: red
modules:
  - cs-onboarding/professional
  - cs-onboarding/professional
  - nosuch/module
  - cs-onboarding/retired
  - just-text
typing:
  min_cpm: 0
  min_accuracy: 0
  seconds: 901
  speed: 3
exam:
  buyers: 4
  minutes: 4
  pool: [size-advice, size-advice, nosuch, draft-only, Bad_Slug]
marks:
  compliance: 101
  first_response_median_s: 0
  first_response_max_s: "ten"
  total: -1
  fatal_hits: 1.5
attempts:
  limit: -1
  wait_hours: -2
validity_months: 61
"""


def test_every_error_of_a_file_is_reported_at_once_with_line_and_column():
    assert errors_of(BAD) == [
        (
            1,
            1,
            "slug",
            'slug may only use lowercase letters, digits and hyphens (-), not "Not A Slug"',
        ),
        (2, 1, "title", "title must not be empty"),
        (
            3,
            1,
            "colour",
            "unknown field colour (allowed here: attempts, description, exam, marks, modules, "
            "slug, title, typing, validity_months)",
        ),
        (6, 5, "modules #2", "“cs-onboarding/professional” is listed twice"),
        (7, 5, "modules #3", "no course module “nosuch/module”"),
        (8, 5, "modules #4", "the course module “cs-onboarding/retired” is not active"),
        (9, 5, "modules #5", "modules #5 must be written course-slug/module-slug"),
        (11, 3, "typing.min_cpm", "min_cpm must be at least 1 (here 0)"),
        (12, 3, "typing.min_accuracy", "min_accuracy must be more than 0 (here 0)"),
        (13, 3, "typing.seconds", "seconds must be at most 900 (here 901)"),
        (
            14,
            3,
            "typing.speed",
            "unknown field speed (allowed here: min_accuracy, min_cpm, seconds)",
        ),
        (16, 3, "exam.buyers", "buyers must be at most 3 (here 4)"),
        (17, 3, "exam.minutes", "minutes must be at least 5 (here 4)"),
        (18, 23, "exam.pool #2", "“size-advice” is listed twice"),
        (18, 36, "exam.pool #3", "no scenario “nosuch”"),
        (18, 44, "exam.pool #4", "the scenario “draft-only” is not published"),
        (18, 56, "exam.pool #5", "pool #5 must be a scenario slug"),
        (20, 3, "marks.compliance", "compliance must be at most 100 (here 101)"),
        (
            21,
            3,
            "marks.first_response_median_s",
            "first_response_median_s must be more than 0 (here 0)",
        ),
        (
            22,
            3,
            "marks.first_response_max_s",
            'first_response_max_s should be a number, not the text "ten"',
        ),
        (23, 3, "marks.total", "total must be at least 0 (here -1)"),
        (24, 3, "marks.fatal_hits", "fatal_hits should be a whole number, not the number 1.5"),
        (26, 3, "attempts.limit", "limit must be at least 0 (here -1)"),
        (27, 3, "attempts.wait_hours", "wait_hours must be at least 0 (here -2)"),
        (28, 1, "validity_months", "validity_months must be at most 60 (here 61)"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "slug: a\ntitle: b\nexam:\n  buyers: 3\n  pool: [size-advice, genuine-question]\n",
            [
                (
                    5,
                    3,
                    "exam.pool",
                    "pool needs at least as many different scenarios as buyers (3); has 2",
                )
            ],
        ),
        (
            "slug: a\ntitle: b\nexam:\n  pool: [size-advice, size-advice]\n",
            [
                (
                    4,
                    3,
                    "exam.pool",
                    "pool needs at least as many different scenarios as buyers (2); has 1",
                ),
                (4, 23, "exam.pool #2", "“size-advice” is listed twice"),
            ],
        ),
        (
            VALID + "marks:\n  first_response_median_s: 8\n  first_response_max_s: 7\n",
            [
                (
                    9,
                    3,
                    "marks.first_response_max_s",
                    "first_response_max_s must be at least the median first response (8 s); "
                    "here 7 s",
                )
            ],
        ),
        (
            VALID + "marks:\n  first_response_median_s: 12\n",
            [
                (
                    8,
                    3,
                    "marks",
                    "first_response_max_s must be at least the median first response (12 s); "
                    "here 10 s",
                )
            ],
        ),
        (
            VALID.replace("exam:\n  pool: [size-advice, genuine-question]\n", ""),
            [(1, 1, "", "missing required field exam")],
        ),
        ("- a\n", [(1, 1, "", "a track file must be a mapping (slug, title, exam …)")]),
        (
            "slug: [\n",
            [
                (
                    1,
                    7,
                    "",
                    "line 1: the [ is never closed with ]; a list or mapping written on one "
                    "line ends with ] and separates its items with commas",
                )
            ],
        ),
        (
            "slug: a\ntitle: b\nexam: 3\ntyping: [1]\n",
            [
                (3, 1, "exam", "exam should be a mapping (key: value lines), not the number 3"),
                (4, 1, "typing", "typing should be a mapping (key: value lines), not a list"),
            ],
        ),
        (
            VALID + "typing:\n  min_accuracy: 1.5\n",
            [(8, 3, "typing.min_accuracy", "min_accuracy must be at most 1 (here 1.5)")],
        ),
        (
            VALID + "modules: []\n",
            [(7, 1, "", "the field modules is written twice (first on line 3)")],
        ),
        (
            VALID.replace("slug: t1", "slug: new"),
            [(1, 1, "slug", "“new” is reserved; choose another slug")],
        ),
    ],
    ids=[
        "pool-smaller-than-buyers",
        "pool-duplicates",
        "max-below-median",
        "default-max-below-median",
        "no-exam",
        "not-a-mapping",
        "syntax",
        "sections-not-mappings",
        "accuracy",
        "duplicate-key",
        "reserved-slug",
    ],
)
def test_each_kind_of_error_names_its_place(text, expected):
    assert errors_of(text) == expected


def test_the_messages_are_in_the_active_language():
    """The editor and the commands make them in the trainer's language (Chinese by
    default); list items are counted from 1 in both."""
    text = "slug: new\ntitle: b\nexam:\n  pool: [nosuch, size-advice, genuine-question]\n"
    with translation.override("zh-hans"):
        assert errors_of(text) == [
            (1, 1, "slug", "“new”是保留名，请换一个 slug"),
            (4, 10, "exam.pool 第 1 项", "没有剧本“nosuch”"),
        ]
    assert errors_of(text) == [
        (1, 1, "slug", "“new” is reserved; choose another slug"),
        (4, 10, "exam.pool #1", "no scenario “nosuch”"),
    ]


def test_absent_sections_take_the_defaults_of_the_issue():
    spec = track_from_text(VALID, "t.yaml", CONTEXT)
    assert spec.typing.min_cpm == 60 and spec.typing.min_accuracy == 0.95
    assert spec.marks.compliance == 80 and spec.marks.first_response_median_s == 6
    assert spec.marks.first_response_max_s == 10 and spec.marks.total == 75
    assert spec.marks.fatal_hits == 0 and spec.exam.buyers == 2 and spec.exam.minutes == 20
    assert spec.attempts.limit == 3 and spec.attempts.wait_hours == 24
    assert spec.validity_months == 12 and spec.description == ""


def test_export_then_import_gives_the_same_spec():
    shipped = track_from_file(SHIPPED_TRACK_FILE, CONTEXT)
    assert track_from_text(track_to_yaml(shipped), "x.yaml", CONTEXT) == shipped
    odd = TrackSpec.from_data(
        {
            **shipped.to_data(),
            "description": "第一行\n第二行：有冒号 # 不是注释\n",
            "typing": {"min_cpm": 300, "min_accuracy": 1.0, "seconds": 30},
            "exam": {"buyers": 3, "pool": list(shipped.exam.pool[:3]), "minutes": 120},
            "marks": {
                "compliance": 82.5,
                "first_response_median_s": 5.5,
                "first_response_max_s": 9,
                "total": 0,
                "fatal_hits": 2,
            },
            "attempts": {"limit": 0, "wait_hours": 0},
            "validity_months": 60,
        }
    )
    odd = TrackSpec.from_data({**odd.to_data(), "description": odd.description.strip()})
    text = track_to_yaml(odd)
    assert "min_accuracy: 1\n" in text and "compliance: 82.5" in text
    assert track_from_text(text, "x.yaml", CONTEXT) == odd
