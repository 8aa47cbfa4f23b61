"""Running a scenario without a browser: self-tests and the trainer's dry-run.

A conversation is simulated on a virtual clock through the session runner
(``scenarios.runner``: the same timers, turns and scoring input as a live session), then
scored with the real scoring package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scenarios import engine, runner
from scenarios.typing_replay import pasted_events, typed_events
from scenarios.validation import ScenarioSpec
from scoring import SessionReport
from yamlsource.i18n import gettext as _


@dataclass
class TranscriptLine:
    role: str  # buyer | agent | system
    t: float
    text: str
    kind: str = ""
    step: str = ""
    reason: str = ""
    hits: list[dict] = field(default_factory=list)
    mood: str = ""  # the buyer's mood when she said it (buyer lines)
    events: list[dict] | None = None  # the trainee's input events (typed self-tests)


@dataclass
class Conversation:
    state: engine.State
    transcript: list[TranscriptLine]

    @property
    def outcome(self) -> str | None:
        return self.state.outcome


def _add_lines(conversation: Conversation, lines, at: float, step: str, reason: str = "") -> float:
    """Append buyer lines triggered at ``at``; return when the last one was delivered."""
    latest = at
    for line in lines:
        delivered = at + line.delay_s
        role = "system" if line.kind == "leave" else "buyer"
        conversation.transcript.append(
            TranscriptLine(
                role,
                round(delivered, 3),
                line.text,
                line.kind,
                step,
                reason,
                mood=conversation.state.mood,
            )
        )
        latest = max(latest, delivered)
    return latest


def _run_timers(scenario: ScenarioSpec, conversation: Conversation, until: float) -> float | None:
    """Fire every timer due up to ``until``; return the latest buyer line time, if any."""
    latest = None
    for timed in runner.fire_due_timers(scenario, conversation.state, until):
        conversation.state = timed.turn.state
        latest = _add_lines(
            conversation, timed.turn.lines, timed.at, timed.turn.state.step, timed.reason
        )
    return latest


def _events(reply: dict, at: float, typing_cpm: float | None) -> list[dict] | None:
    if reply.get("quick_phrase"):
        return pasted_events(reply["text"], at)
    if typing_cpm is None:
        return None
    return typed_events(reply["text"], at, typing_cpm)


def simulate(
    scenario: ScenarioSpec, seed: int, replies: list[dict], typing_cpm: float | None = None
) -> Conversation:
    """Play ``replies`` ({after_s, text}, {wait_s} or {after_s, action}) against the buyer
    on a virtual clock.

    ``typing_cpm``: the trainee types each reply at this speed, ending as it is sent (a
    reply marked ``quick_phrase`` is inserted whole); without it replies carry no input
    events and the typing dimension has no data, as a session without a workbench."""
    first = runner.start(scenario, seed)
    conversation = Conversation(first.state, [])
    last_line = _add_lines(conversation, first.lines, 0.0, first.state.step)
    agent_count = 0
    for reply in replies:
        if conversation.state.ended:
            break
        if "action" in reply:  # 转接主管 or 结束会话 from the workbench
            at = last_line + float(reply["after_s"])
            _run_timers(scenario, conversation, at)
            if conversation.state.ended:
                break
            conversation.state = runner.close(conversation.state, reply["action"])
            conversation.transcript.append(
                TranscriptLine("system", round(at, 3), reply["action"], reply["action"])
            )
            break
        if "wait_s" in reply:
            latest = _run_timers(scenario, conversation, last_line + float(reply["wait_s"]))
            last_line = latest if latest is not None else last_line + float(reply["wait_s"])
            continue
        at = last_line + float(reply["after_s"])
        _run_timers(scenario, conversation, at)
        if conversation.state.ended:
            break
        agent_count += 1
        turn = runner.reply(scenario, conversation.state, reply["text"], at, first=agent_count == 1)
        conversation.transcript.append(
            TranscriptLine(
                "agent",
                round(at, 3),
                reply["text"],
                step=conversation.state.step,
                reason=runner.turn_reason(turn),
                hits=[hit.to_dict() for hit in turn.hits],
                events=_events(reply, at, typing_cpm),
            )
        )
        conversation.state = turn.state
        last_line = _add_lines(conversation, turn.lines, at, turn.state.step)
    # A line the buyer started typing when a timer fired can arrive after a reply the
    # trainee sent meanwhile: the transcript is in the order lines reached the chat.
    conversation.transcript.sort(key=lambda line: line.t)
    return conversation


def score(scenario: ScenarioSpec, conversation: Conversation, rulepack=None) -> SessionReport:
    """Scored by the runner exactly as a live session's stored messages are."""
    lines = [(line.t, line, line.events) for line in conversation.transcript]
    return runner.score(scenario, lines, conversation.outcome, rulepack, conversation.state)


@dataclass
class SelfTestResult:
    name: str
    passed: bool
    failures: list[str]
    path: list[str]
    outcome: str | None
    total: float | None
    hits: list[str]
    transcript: list[TranscriptLine]


def _range_failure(name: str, score, wanted) -> str:
    return _("%(name)s %(score)s not in [%(low)s, %(high)s]") % {
        "name": name,
        "score": score,
        "low": f"{wanted[0]:g}",
        "high": f"{wanted[1]:g}",
    }


def _dimension_failures(report: dict, expected: dict) -> list[str]:
    failures = []
    for name, wanted in expected.items():
        got = (report.get("dimensions") or {}).get(name) or {}
        score = got.get("score") if got.get("included") else None
        if wanted is None:
            if score is not None:
                failures.append(
                    _("%(name)s %(score)s ≠ expected excluded") % {"name": name, "score": score}
                )
        elif score is None or not wanted[0] <= score <= wanted[1]:
            failures.append(_range_failure(name, score, wanted))
    return failures


def commitment_status(state: engine.State, name: str) -> str:
    """made (and standing), withdrawn, or none."""
    if name in state.withdrawn:
        return "withdrawn"
    return "made" if name in state.committed else "none"


def _fault_failures(state: engine.State, expect: dict) -> list[str]:
    failures = []
    for name in expect.get("faults") or []:
        if name not in state.faults:
            recorded = ", ".join(state.faults) or _("none")
            failures.append(
                _("expected the fault %(name)s; faults were %(found)s")
                % {"name": name, "found": recorded}
            )
    for name, wanted in (expect.get("commitments") or {}).items():
        got = commitment_status(state, name)
        if got != wanted:
            failures.append(
                _("offer %(name)s: %(got)s ≠ expected %(wanted)s")
                % {"name": name, "got": got, "wanted": wanted}
            )
    return failures


def run_self_test(scenario: ScenarioSpec, test: dict, rulepack=None) -> SelfTestResult:
    conversation = simulate(
        scenario, int(test.get("seed", 0)), test["replies"], test.get("typing_cpm")
    )
    report = score(scenario, conversation, rulepack).to_dict()
    total = report.get("total")
    hit_rules = sorted(
        {
            rule
            for hit in report["compliance"]["hits"]
            for rule in (hit["rule"], *hit.get("also", ()))
        }
    )
    expect = test["expect"]
    failures = []
    path = list(conversation.state.path)
    if "path" in expect and expect["path"] != path:
        failures.append(
            _("path %(got)s ≠ expected %(wanted)s")
            % {"got": " → ".join(path), "wanted": " → ".join(expect["path"])}
        )
    if "outcome" in expect and expect["outcome"] != conversation.outcome:
        failures.append(
            _("outcome %(got)s ≠ expected %(wanted)s")
            % {"got": conversation.outcome, "wanted": expect["outcome"]}
        )
    if "score" in expect:
        low, high = expect["score"]
        if total is None or not low <= total <= high:
            failures.append(_range_failure(_("score"), total, (low, high)))
    for rule in expect.get("hits") or []:
        if rule not in hit_rules:
            failures.append(
                _("expected a %(rule)s hit; hits were %(found)s")
                % {"rule": rule, "found": ", ".join(hit_rules) or _("none")}
            )
    failures.extend(_dimension_failures(report, expect.get("dimensions") or {}))
    capped = sorted((report.get("total_inputs") or {}).get("caps") or {})
    for rule in expect.get("capped_by") or []:
        if rule not in capped:
            failures.append(
                _("expected the %(rule)s cap on the total; caps were %(found)s")
                % {"rule": rule, "found": ", ".join(capped) or _("none")}
            )
    failures.extend(_fault_failures(conversation.state, expect))
    return SelfTestResult(
        test["name"],
        not failures,
        failures,
        path,
        conversation.outcome,
        total,
        hit_rules,
        conversation.transcript,
    )
