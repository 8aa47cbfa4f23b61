"""A track's validated content: what it takes to be certified under one version.

``TrackSpec.to_data()`` is what a ``TrackVersion`` stores, and ``TrackSpec.from_data()``
reads it back; attempts are decided against it. Pure Python (no Django): the YAML format
(certification.track_format) builds it, the decision (certification.decision) reads it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TypingPolicy:
    min_cpm: int = 60  # characters (字) per minute, counted correct only
    min_accuracy: float = 0.95  # share of the reference typed correctly
    seconds: int = 180  # the length of one run


@dataclass(frozen=True)
class ExamPolicy:
    buyers: int = 2  # conversations at once, drawn by the server from ``pool``
    pool: tuple[str, ...] = ()  # scenario slugs (published scenarios)
    minutes: int = 20  # one time limit for the whole exam


@dataclass(frozen=True)
class Marks:
    """Pass marks, each checked on the exam as a whole (certification.decision)."""

    compliance: float = 80.0  # mean compliance score of the conversations, at least
    first_response_median_s: float = 6.0  # median first response, at most
    first_response_max_s: float = 10.0  # no conversation's first response above
    total: float = 75.0  # mean total score of the conversations, at least
    fatal_hits: int = 0  # fatal compliance hits in all conversations, at most


@dataclass(frozen=True)
class AttemptPolicy:
    limit: int = 3  # exam attempts per trainee (0: no limit)
    wait_hours: int = 24  # between a failed attempt and the next


@dataclass(frozen=True)
class TrackSpec:
    slug: str
    title: str
    description: str = ""
    modules: tuple[str, ...] = ()  # "course-slug/module-slug": its quiz passed
    typing: TypingPolicy = field(default_factory=TypingPolicy)
    exam: ExamPolicy = field(default_factory=ExamPolicy)
    marks: Marks = field(default_factory=Marks)
    attempts: AttemptPolicy = field(default_factory=AttemptPolicy)
    validity_months: int = 12

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["modules"] = list(self.modules)
        data["exam"]["pool"] = list(self.exam.pool)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> TrackSpec:
        exam = dict(data.get("exam") or {})
        exam["pool"] = tuple(exam.get("pool") or ())
        return cls(
            slug=data["slug"],
            title=data["title"],
            description=data.get("description", ""),
            modules=tuple(data.get("modules") or ()),
            typing=TypingPolicy(**(data.get("typing") or {})),
            exam=ExamPolicy(**exam),
            marks=Marks(**(data.get("marks") or {})),
            attempts=AttemptPolicy(**(data.get("attempts") or {})),
            validity_months=data.get("validity_months", 12),
        )
