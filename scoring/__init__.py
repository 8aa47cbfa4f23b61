"""Scoring engine: typing speed, response times, script compliance and the composite score.

Pure Python: no Django and no other project app is imported, so Django views, Celery tasks
and the command line (``python -m scoring``, see scoring/cli.py) all call the same code.
Every result is a dataclass with ``to_dict()``; the same input and the same rule pack always
give the same output. docs/SCORING.md explains every measure and rule to trainers.

Public API
==========

Compliance of one reply::

    check_reply(text: str,
                position: str = "middle",          # "first" | "middle" | "last" | "only"
                context: ScenarioRules | Mapping | None = None,
                rulepack: Rulepack | None = None,  # None: the default pack
                ) -> list[Hit]

    Hit(rule: str, severity: str, start: int, end: int, suggestion: str)

``start``/``end`` index the *original* text (Traditional, full-width and all), even though
rules run on a normalised copy. ``context`` may hold the scenario's ``required_points``
(keyword groups) and ``forbidden`` statements (see scoring/scenario.py for the shapes); their
hits use the rule ids ``required_point_missing`` and ``forbidden_statement``. "only" is a reply
that is both the first and the last one (greeting and closing are both expected).

A whole session::

    score_session(session: SessionInput | Mapping,          # raw dicts are validated
                  targets: Targets | Mapping | None = None, # the scenario's; None: the session's
                  rulepack: Rulepack | None = None,
                  ) -> SessionReport

    SessionReport.to_dict()  # exactly the JSON that `python -m scoring session` prints

The typing test::

    score_typing_test(reference: str, typed: str, seconds: float) -> TypingTestResult
    TypingTestResult.to_dict()  # {"correct", "accuracy", "completion", "cpm"}

Rule packs::

    load_rulepack(path: str | Path | None = None) -> Rulepack   # None: the default pack
    rulepack_from_dict(data: Mapping, *, source="<dict>", base_dir=None) -> Rulepack
    Rulepack.version, .versions, .hash, .identity()              # what a report stores

A ``Rulepack`` is immutable: load it once per process and pass it around (loading and
validating a pack costs about 25 ms; the default pack is cached by ``load_rulepack()``).

Validation (raw JSON-like data to typed input)::

    parse_session(raw) -> SessionInput
    parse_targets(raw) -> Targets
    parse_reply(raw) -> ReplyInput
    parse_context(raw) -> ScenarioRules

They raise ``ScoringInputError`` whose ``field`` names the offending place, e.g.
``messages[3].events[0].t: must be >= previous event time (4.5)``. A bad rule pack raises
``RulepackError`` naming the file and the field.

Lower-level pieces (``normalize``, ``measure_response``, ``measure_typing``, ``lcs_length``)
are importable from their modules for tests and tools; the names above are the stable API.
"""

from __future__ import annotations

from .compliance import Hit, check_reply, warm_up
from .errors import RulepackError, ScoringError, ScoringInputError
from .inputs import (
    ReplyInput,
    SessionInput,
    SessionMessage,
    Targets,
    parse_context,
    parse_reply,
    parse_session,
    parse_targets,
)
from .rulepack import Rulepack, load_rulepack, rulepack_from_dict
from .scenario import ScenarioRules
from .session import ENGINE_VERSION, SessionReport, score_session
from .typing_test import TypingTestResult, score_typing_test

__version__ = ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION",
    "Hit",
    "ReplyInput",
    "Rulepack",
    "RulepackError",
    "ScenarioRules",
    "ScoringError",
    "ScoringInputError",
    "SessionInput",
    "SessionMessage",
    "SessionReport",
    "Targets",
    "TypingTestResult",
    "__version__",
    "check_reply",
    "load_rulepack",
    "parse_context",
    "parse_reply",
    "parse_session",
    "parse_targets",
    "rulepack_from_dict",
    "score_session",
    "score_typing_test",
    "warm_up",
]
