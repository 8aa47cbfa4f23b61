"""Running a scenario without a browser: self-tests and the trainer's dry-run.

A conversation is simulated on a virtual clock with the real engine, then scored with the
real scoring package, exactly as a live session would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scenarios import engine
from scenarios.validation import ScenarioSpec
from scoring import score_session

DEFAULT_OUTCOME_SCORES = {"成交": 100, "转主管": 60, "流失": 0, "差评": 0}


@dataclass
class TranscriptLine:
    role: str  # buyer | agent | system
    t: float
    text: str
    kind: str = ""
    step: str = ""
    reason: str = ""
    hits: list[dict] = field(default_factory=list)


@dataclass
class Conversation:
    state: engine.State
    transcript: list[TranscriptLine]

    @property
    def outcome(self) -> str | None:
        return self.state.outcome


def required_points(scenario: ScenarioSpec) -> list[dict]:
    """The scenario's required points in the scoring package's keyword-group shape."""
    points = []
    for point in scenario.data.get("required_points") or []:
        intent = scenario.intents[point["intent"]]
        groups: list = []
        if intent.get("any"):
            groups.append(list(intent["any"]))
        groups.extend(intent.get("all") or [])
        entry = {"id": point["intent"], "all": groups}
        for key in ("suggestion", "severity"):
            if point.get(key):
                entry[key] = point[key]
        if not entry.get("suggestion") and intent.get("description"):
            entry["suggestion"] = intent["description"]
        points.append(entry)
    return points


def scoring_targets(scenario: ScenarioSpec) -> dict:
    settings = dict(scenario.data.get("scoring") or {})
    settings.pop("outcomes", None)
    settings["required_points"] = required_points(scenario)
    settings["forbidden"] = list(scenario.data.get("forbidden") or [])
    return settings


def outcome_score(scenario: ScenarioSpec, outcome: str) -> float:
    scores = {**DEFAULT_OUTCOME_SCORES,
              **((scenario.data.get("scoring") or {}).get("outcomes") or {})}
    return float(scores[outcome])


def _add_lines(conversation: Conversation, lines, at: float, step: str, reason: str = "") -> float:
    """Append buyer lines triggered at ``at``; return when the last one was delivered."""
    latest = at
    for line in lines:
        delivered = at + line.delay_s
        role = "system" if line.kind == "leave" else "buyer"
        conversation.transcript.append(
            TranscriptLine(role, round(delivered, 3), line.text, line.kind, step, reason))
        latest = max(latest, delivered)
    return latest


def _run_timers(scenario: ScenarioSpec, conversation: Conversation, until: float) -> float | None:
    """Fire every timer due up to ``until``; return the latest buyer line time, if any."""
    latest = None
    while not conversation.state.ended:
        due = engine.next_timer(scenario, conversation.state)
        if due is None or due > until:
            break
        turn = engine.on_time(scenario, conversation.state, due)
        conversation.state = turn.state
        reason = turn.match.reason if turn.match else "nudge"
        latest = _add_lines(conversation, turn.lines, due, turn.state.step, reason)
    return latest


def simulate(scenario: ScenarioSpec, seed: int, replies: list[dict]) -> Conversation:
    """Play ``replies`` ({after_s, text} or {wait_s}) against the buyer on a virtual clock."""
    first = engine.start(scenario, seed, at=0.0)
    conversation = Conversation(first.state, [])
    last_line = _add_lines(conversation, first.lines, 0.0, first.state.step)
    agent_count = 0
    for reply in replies:
        if conversation.state.ended:
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
        turn = engine.on_reply(scenario, conversation.state, reply["text"], at,
                               "first" if agent_count == 1 else "middle")
        conversation.transcript.append(TranscriptLine(
            "agent", round(at, 3), reply["text"], step=conversation.state.step,
            reason=turn.match.reason if turn.match else "",
            hits=[hit.to_dict() for hit in turn.hits]))
        conversation.state = turn.state
        last_line = _add_lines(conversation, turn.lines, at, turn.state.step)
    return conversation


def session_input(scenario: ScenarioSpec, conversation: Conversation) -> dict:
    # The buyer's closing line ends the chat: nobody is expected to answer it, so it must
    # not open a wait that would count as unanswered.
    messages = [
        {"role": line.role, "t": line.t, "text": line.text}
        for line in conversation.transcript
        if line.role in ("buyer", "agent") and line.kind != "final"
    ]
    data: dict = {"messages": messages}
    if conversation.outcome is not None:
        data["outcome"] = {"score": outcome_score(scenario, conversation.outcome),
                           "label": conversation.outcome}
    return data


def score(scenario: ScenarioSpec, conversation: Conversation, rulepack=None):
    return score_session(session_input(scenario, conversation), scoring_targets(scenario),
                         rulepack)


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


def run_self_test(scenario: ScenarioSpec, test: dict, rulepack=None) -> SelfTestResult:
    conversation = simulate(scenario, int(test.get("seed", 0)), test["replies"])
    report = score(scenario, conversation, rulepack).to_dict()
    total = report.get("total")
    hit_rules = sorted({hit["rule"] for hit in report["compliance"]["hits"]})
    expect = test["expect"]
    failures = []
    path = list(conversation.state.path)
    if "path" in expect and expect["path"] != path:
        failures.append(f"path {' → '.join(path)} ≠ expected {' → '.join(expect['path'])}")
    if "outcome" in expect and expect["outcome"] != conversation.outcome:
        failures.append(f"outcome {conversation.outcome} ≠ expected {expect['outcome']}")
    if "score" in expect:
        low, high = expect["score"]
        if total is None or not low <= total <= high:
            failures.append(f"score {total} not in [{low:g}, {high:g}]")
    for rule in expect.get("hits") or []:
        if rule not in hit_rules:
            failures.append(f"expected a {rule} hit; hits were {', '.join(hit_rules) or 'none'}")
    return SelfTestResult(test["name"], not failures, failures, path, conversation.outcome,
                          total, hit_rules, conversation.transcript)
