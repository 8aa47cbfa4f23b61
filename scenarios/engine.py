"""The scenario engine: pure functions from (scenario, state, input) to (state, events).

Live sessions, self-tests and the trainer's dry-run all drive the buyer through this one
module. It keeps no clock of its own: callers pass times in seconds (the session's server
clock), and ask ``next_timer`` when to call ``on_time`` next. Line variants are picked from
the session seed, so the same seed and the same replies give the same conversation.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from scenarios.validation import ScenarioSpec
from scoring import Hit, check_reply
from scoring.normalize import fold_phrase, normalize

MOODS = ("calm", "impatient", "annoyed", "angry")
OUTCOME_IDS = {"成交": "deal", "流失": "lost", "转主管": "escalated", "差评": "bad_review"}
LEFT_NOTICE = "（买家已离开）"
MIN_DELAY_S = 1.0
MAX_DELAY_S = 8.0


@dataclass(frozen=True)
class BuyerLine:
    text: str
    kind: str  # line | fallback | nudge | final | leave
    delay_s: float  # how long after the trigger the buyer's line appears (typing)


@dataclass(frozen=True)
class State:
    step: str
    seed: int
    tries: int = 0  # replies at this step
    lines: int = 0  # buyer lines said so far (varies the variant picks)
    step_since: float = 0.0  # when the buyer's line of this step was delivered
    last_buyer_at: float = 0.0  # when the buyer last said a real line (timers start here)
    nudged: bool = False  # nudged since the buyer's last real line
    path: tuple[str, ...] = ()
    outcome: str | None = None
    replies: int = 0
    # Intents of this step's ``covered`` conditions said so far at this step, over any number
    # of replies ("M 码" in one message, "可以退换" in the next both count).
    covered: tuple[str, ...] = ()
    # The buyer's mood (MOODS): branches and waits move it; her lines may depend on it.
    mood: str = "calm"
    # The scenario's commitments the trainee made, and those of them taken back since.
    committed: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    # Faults recorded by the branches taken (the scenario's ``faults``), in order.
    faults: tuple[str, ...] = ()

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    def to_dict(self) -> dict:
        data = dict(self.__dict__)
        for name in _TUPLES:
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> State:
        # States stored before a field existed load with its default.
        return cls(**{**data, **{name: tuple(data.get(name, ())) for name in _TUPLES}})


_TUPLES = ("path", "covered", "committed", "withdrawn", "faults")


@dataclass(frozen=True)
class Match:
    """Why a branch fired (or that none did), for the dry-run and the trainer."""

    branch: int | None  # index in the step's branches; None: fallback
    reason: str
    goto: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Turn:
    state: State
    lines: list[BuyerLine]
    match: Match | None = None
    hits: list[Hit] = field(default_factory=list)


def _pick(scenario: ScenarioSpec, state: State, variants: list, salt: str) -> str | list[str]:
    # A string seed hashes with SHA-512 in the random module: stable across runs/machines.
    rng = random.Random(f"{scenario.slug}:{state.seed}:{salt}:{state.lines}")
    return variants[rng.randrange(len(variants))]


# A card ("[图片]", "[商品链接:cotton-shirt]") is a tap, not typing: it counts as two characters.
CARD_RE = re.compile(r"\[(?:图片|商品链接|订单)(?::[a-z0-9-]+)?\]")


def typing_delay(scenario: ScenarioSpec, text: str) -> float:
    cpm = float(scenario.data["persona"]["typing_cpm"])
    typed = len(CARD_RE.sub("··", text))
    return round(min(MAX_DELAY_S, max(MIN_DELAY_S, typed / cpm * 60)), 2)


# Between the lines of a burst: she hits Enter and starts typing the next one.
BURST_GAP_S = 0.4


def _say(
    scenario: ScenarioSpec, state: State, variants: list, kind: str, salt: str
) -> tuple[State, list[BuyerLine]]:
    """One variant, picked by the seed. A variant that is a list is a burst: several short
    lines sent one after another ("在吗", "这个有货没", "[商品链接]"), each typed in turn."""
    picked = _pick(scenario, state, variants, salt)
    texts = picked if isinstance(picked, list) else [picked]
    lines: list[BuyerLine] = []
    delay = 0.0
    for index, text in enumerate(texts):
        delay = round(delay + (BURST_GAP_S if index else 0.0) + typing_delay(scenario, text), 2)
        lines.append(BuyerLine(text, kind, delay))
    return replace(state, lines=state.lines + 1), lines


def _immediately(lines: list[BuyerLine]) -> list[BuyerLine]:
    """Lines said without typing first (a nudge, an opening line, last words): the burst's
    later lines keep their gaps after the first."""
    if not lines:
        return lines
    shift = lines[0].delay_s
    return [replace(line, delay_s=round(line.delay_s - shift, 2)) for line in lines]


def _moved(mood: str, change: str | None) -> str:
    """The mood after a change: a named mood, or one level up or down the scale."""
    if change is None:
        return mood
    if change in MOODS:
        return change
    level = MOODS.index(mood) + (1 if change == "up" else -1)
    return MOODS[min(len(MOODS) - 1, max(0, level))]


def _mood_note(before: State, after: State) -> str:
    """For the trainer's transcript and the dry-run: how a move changed her mood."""
    return f" · mood {before.mood} → {after.mood}" if after.mood != before.mood else ""


def _by_mood(spec: dict, key: str, mood: str) -> list:
    """The step's lines for her mood (``buyer_by_mood``), else its plain lines."""
    return (spec.get(f"{key}_by_mood") or {}).get(mood) or spec[key]


def _arrive(scenario: ScenarioSpec, state: State, step: str, at: float) -> tuple[State, list]:
    """Enter ``step``: the buyer says its line; a terminal step ends the chat."""
    spec = scenario.step(step)
    state = replace(state, step=step, tries=0, path=(*state.path, step), covered=())
    kind = "final" if "end" in spec else "line"
    state, lines = _say(scenario, state, _by_mood(spec, "buyer", state.mood), kind, f"step:{step}")
    delivered = at + lines[-1].delay_s
    state = replace(state, step_since=delivered, last_buyer_at=delivered, nudged=False)
    if "end" in spec:
        state = replace(state, outcome=spec["end"])
    return state, lines


def agent_first(scenario: ScenarioSpec) -> bool:
    """The trainee opens the chat (催付, a follow-up, a call back after a bad review)."""
    return scenario.data.get("opener") == "agent"


def start(scenario: ScenarioSpec, seed: int, at: float = 0.0) -> Turn:
    """The buyer opens the chat. Her first line is delivered at ``at`` (no typing delay).

    In an agent-first scenario nobody speaks yet: the start step waits for the trainee's
    first message, and only its silence branches run until the buyer has said something.
    """
    mood = scenario.data["persona"].get("mood", "calm")
    if agent_first(scenario):
        step = scenario.data["start"]
        state = State(
            step=step, seed=seed, path=(step,), step_since=at, last_buyer_at=at, mood=mood
        )
        return Turn(state, [])
    state = State(step=scenario.data["start"], seed=seed, mood=mood)
    state, lines = _arrive(scenario, state, scenario.data["start"], at)
    lines = _immediately(lines)
    delivered = at + lines[-1].delay_s
    state = replace(state, step_since=delivered, last_buyer_at=delivered)
    return Turn(state, lines)


@lru_cache(maxsize=4096)
def _folded(word: str) -> str:
    return fold_phrase(word)


def _contains(text: str, words) -> str | None:
    for word in words or ():
        folded = _folded(word)
        if folded and folded in text:
            return word
    return None


def intent_matches(intent: dict, text: str) -> str | None:
    """The evidence (a matched word) if the normalised reply matches the intent, else None."""
    if _contains(text, intent.get("not")):
        return None
    evidence = []
    if intent.get("any"):
        found = _contains(text, intent["any"])
        if found is None:
            return None
        evidence.append(found)
    for group in intent.get("all") or []:
        found = _contains(text, group if isinstance(group, list) else [group])
        if found is None:
            return None
        evidence.append(found)
    return "、".join(evidence) if evidence else None


# The conditions that test the reply itself; the others combine conditions.
_REPLY_TESTS = (
    "intent",
    "keywords",
    "regex",
    "rule",
    "tries",
    "silence_s",
    "covered",
    "mood",
    "committed",
    "withdrawn",
)


@dataclass(frozen=True)
class _Reply:
    """What a condition is tested against: this reply, and the step so far."""

    text: str  # normalised
    hits: list[Hit]
    tries: int
    covered: tuple[str, ...]  # intents said at this step, this reply included
    mood: str
    committed: tuple[str, ...] = ()  # offers made so far, this reply included
    withdrawn: tuple[str, ...] = ()


def _evaluate(condition: dict, scenario: ScenarioSpec, reply: _Reply) -> str | None:
    """A reason string when the condition holds for this reply, else None."""
    if any(key in condition for key in _REPLY_TESTS):
        return _reply_test(condition, scenario, reply)
    return _combination(condition, scenario, reply)


# The conditions on what the chat holds so far rather than on this reply's words.
_CHAT_TESTS = ("committed", "withdrawn", "mood", "covered")


def _reply_test(condition: dict, scenario: ScenarioSpec, reply: _Reply) -> str | None:
    if any(key in condition for key in _CHAT_TESTS):
        return _chat_test(condition, reply)
    text, hits, tries = reply.text, reply.hits, reply.tries
    if "intent" in condition:
        found = intent_matches(scenario.intents[condition["intent"]], text)
        return f"intent {condition['intent']} («{found}»)" if found else None
    if "keywords" in condition:
        found = _contains(text, condition["keywords"])
        return f"keyword «{found}»" if found else None
    if "regex" in condition:
        match = re.search(condition["regex"], text)
        return f"regex /{condition['regex']}/ «{match.group(0)}»" if match else None
    if "rule" in condition:
        # A rule matched counts even where another rule's hit carries the penalty (``also``).
        rule_hits = [h for h in hits if condition["rule"] in (h.rule, *h.also)]
        return f"rule {condition['rule']}" if rule_hits else None
    if "tries" in condition:
        return f"reply {tries} at this step" if tries >= condition["tries"] else None
    return None  # silence_s: silence is a timer, never true for a reply


def _chat_test(condition: dict, reply: _Reply) -> str | None:
    if "committed" in condition:
        name = condition["committed"]
        held = name in reply.committed and name not in reply.withdrawn
        return f"offer {name} stands" if held else None
    if "withdrawn" in condition:
        name = condition["withdrawn"]
        return f"offer {name} taken back" if name in reply.withdrawn else None
    if "mood" in condition:
        wanted_moods = condition["mood"]
        wanted_moods = [wanted_moods] if isinstance(wanted_moods, str) else wanted_moods
        return f"mood {reply.mood}" if reply.mood in wanted_moods else None
    if "covered" in condition:
        wanted = condition["covered"]
        if all(name in reply.covered for name in wanted):
            return "covered " + "、".join(wanted)
    return None


def _combination(condition: dict, scenario: ScenarioSpec, reply: _Reply) -> str | None:
    if "all" in condition:
        reasons = [_evaluate(c, scenario, reply) for c in condition["all"]]
        return " + ".join(reasons) if all(reasons) else None  # type: ignore[arg-type]
    if "any" in condition:
        for child in condition["any"]:
            reason = _evaluate(child, scenario, reply)
            if reason:
                return reason
        return None
    if "not" in condition:
        inner = _evaluate(condition["not"], scenario, reply)
        return None if inner else "not (" + _describe(condition["not"]) + ")"
    return None


def _describe(condition: dict) -> str:
    key, value = next(iter(condition.items()))
    return f"{key} {value}" if not isinstance(value, dict | list) else key


def covered_intents(condition: dict) -> list[str]:
    """The intents named by ``covered`` conditions anywhere inside ``condition``."""
    if "covered" in condition:
        return list(condition["covered"])
    children = condition.get("all") or condition.get("any") or []
    if "not" in condition:
        children = [condition["not"]]
    return [name for child in children for name in covered_intents(child)]


def _cover(scenario: ScenarioSpec, state: State, text: str) -> State:
    """Add the intents of the step's ``covered`` conditions that this reply says."""
    covered = list(state.covered)
    for branch in scenario.step(state.step).get("branches") or []:
        for name in covered_intents(branch["when"]):
            if name not in covered and intent_matches(scenario.intents[name], text):
                covered.append(name)
    return replace(state, covered=tuple(covered))


def _commitments(scenario: ScenarioSpec, state: State, reply: _Reply) -> State:
    """The offers this reply makes, and those it takes back (only an offer made before)."""
    committed, withdrawn = list(state.committed), list(state.withdrawn)
    for name, commitment in (scenario.data.get("commitments") or {}).items():
        if name not in committed:
            if _evaluate(commitment["made"], scenario, reply):
                committed.append(name)
        elif (
            name not in withdrawn
            and commitment.get("withdrawn")
            and _evaluate(commitment["withdrawn"], scenario, reply)
        ):
            withdrawn.append(name)
    return replace(state, committed=tuple(committed), withdrawn=tuple(withdrawn))


def _commitment_note(before: State, after: State) -> str:
    """For the trainer's transcript and the dry-run: the offers this reply made or took back."""
    made = [name for name in after.committed if name not in before.committed]
    taken = [name for name in after.withdrawn if name not in before.withdrawn]
    note = "".join(f" · offer {name} made" for name in made)
    return note + "".join(f" · offer {name} taken back" for name in taken)


def _missing_fallback(scenario: ScenarioSpec, state: State) -> list | None:
    """Her question about the first ``covered`` intent still missing at this step, once the
    trainee has said part of what the step needs ("那能退换吗？" after the size alone)."""
    spec = scenario.step(state.step)
    lines = spec.get("fallback_missing") or {}
    if not lines or not state.covered:
        return None
    for name, variants in lines.items():
        if name not in state.covered:
            return variants
    return None


def compliance_context(scenario: ScenarioSpec) -> dict:
    """The scenario's forbidden statements, for scoring replies one by one."""
    return {"forbidden": list(scenario.data.get("forbidden") or [])}


def _follow(scenario: ScenarioSpec, state: State, branch: dict, at: float) -> tuple[State, list]:
    state = replace(state, mood=_moved(state.mood, branch.get("mood")))
    if branch.get("fault") and branch["fault"] not in state.faults:
        state = replace(state, faults=(*state.faults, branch["fault"]))
    if "goto" in branch:
        return _arrive(scenario, state, branch["goto"], at)
    lines: list[BuyerLine] = []
    if branch.get("buyer"):
        state, lines = _say(scenario, state, branch["buyer"], "final", f"end:{state.step}")
    return replace(state, outcome=branch["end"]), lines


def on_reply(
    scenario: ScenarioSpec,
    state: State,
    text: str,
    at: float,
    position: str = "middle",
    hits: list[Hit] | None = None,
) -> Turn:
    """The trainee sent ``text`` at ``at``. Timers due before ``at`` must be run first.

    ``hits``: the reply's compliance hits if the caller has them already.
    """
    if state.ended:
        return Turn(state, [])
    if hits is None:
        hits = check_reply(text, position, compliance_context(scenario))
    folded = normalize(text).text
    state = replace(state, tries=state.tries + 1, replies=state.replies + 1)
    state = _cover(scenario, state, folded)
    spec = scenario.step(state.step)
    reply = _Reply(folded, hits, state.tries, state.covered, state.mood)
    before = state
    state = _commitments(scenario, state, reply)
    reply = replace(reply, committed=state.committed, withdrawn=state.withdrawn)
    offers = _commitment_note(before, state)
    held_to = _held_to(scenario, before, state)
    for index, branch in enumerate(spec.get("branches") or []):
        if held_to and not _tests_withdrawal(branch["when"], held_to):
            # She holds the trainee to the offer just taken back before anything else,
            # unless the step says what she does about that very withdrawal.
            continue
        reason = _evaluate(branch["when"], scenario, reply)
        if reason:
            new_state, lines = _follow(scenario, state, branch, at)
            reason += offers + _mood_note(state, new_state) + _fault_note(state, new_state)
            match = Match(index, reason, branch.get("goto"), branch.get("end"))
            return Turn(new_state, lines, match, hits)
    variants, salt = _unmatched_lines(scenario, before, state)
    lines: list[BuyerLine] = []
    if variants:
        state, lines = _say(scenario, state, variants, "fallback", salt)
        state = replace(state, last_buyer_at=at + lines[-1].delay_s, nudged=False)
    else:
        # No line: the buyer keeps waiting for a real answer; the timers restart now.
        state = replace(state, last_buyer_at=at, nudged=False)
    return Turn(state, lines, Match(None, "no branch matched" + offers), hits)


def _held_to(scenario: ScenarioSpec, before: State, state: State) -> list[str]:
    """The offers this reply took back that she reminds the trainee of (``reminder``)."""
    commitments = scenario.data.get("commitments") or {}
    return [
        name
        for name in state.withdrawn
        if name not in before.withdrawn and commitments[name].get("reminder")
    ]


def _tests_withdrawal(condition: dict, names: list[str]) -> bool:
    """Whether ``condition`` (or a condition inside it) asks if one of ``names`` was taken
    back."""
    if condition.get("withdrawn") in names:
        return True
    children = [*(condition.get("all") or []), *(condition.get("any") or [])]
    if "not" in condition:
        children.append(condition["not"])
    return any(_tests_withdrawal(child, names) for child in children)


def _unmatched_lines(
    scenario: ScenarioSpec, before: State, state: State
) -> tuple[list | None, str]:
    """What she says to a reply no branch answered: she holds the trainee to an offer just
    taken back; else she asks for what the step still misses; else the step's fallback."""
    for name in _held_to(scenario, before, state):
        return scenario.data["commitments"][name]["reminder"], f"reminder:{name}"
    missing = _missing_fallback(scenario, state)
    if missing:
        return missing, f"missing:{state.step}"
    spec = scenario.step(state.step)
    if spec.get("fallback"):
        return _by_mood(spec, "fallback", state.mood), f"fallback:{state.step}"
    return None, ""


def _fault_note(before: State, after: State) -> str:
    return "".join(f" · fault {name}" for name in after.faults if name not in before.faults)


def _timers(scenario: ScenarioSpec, state: State) -> list[tuple[float, str, int | None]]:
    """(due time, kind, branch index) of every pending timer."""
    if state.ended:
        return []
    persona = scenario.data["persona"]
    timers: list[tuple[float, str, int | None]] = []
    # The buyer waits, nudges and leaves only once she has said something: before the
    # trainee opens an agent-first chat there is nobody waiting.
    if state.lines:
        timers.append((state.last_buyer_at + float(persona["patience_s"]), "leave", None))
        if not state.nudged:
            timers.append((state.last_buyer_at + float(persona["nudge_after_s"]), "nudge", None))
    for index, branch in enumerate(scenario.step(state.step).get("branches") or []):
        silence = branch["when"].get("silence_s")
        if silence is not None:
            timers.append((state.last_buyer_at + float(silence), "silence", index))
    return sorted(timers, key=lambda timer: (timer[0], timer[1] != "silence"))


def next_timer(scenario: ScenarioSpec, state: State) -> float | None:
    """When ``on_time`` has something to do next (None: nothing pending)."""
    timers = _timers(scenario, state)
    return timers[0][0] if timers else None


def on_time(scenario: ScenarioSpec, state: State, now: float) -> Turn:
    """Run the first timer due at ``now`` (call again while ``next_timer`` <= now)."""
    timers = [t for t in _timers(scenario, state) if t[0] <= now + 1e-9]
    if not timers:
        return Turn(state, [])
    due, kind, index = timers[0]
    if kind == "silence":
        branch = scenario.step(state.step)["branches"][index]
        silence = branch["when"]["silence_s"]
        new_state, lines = _follow(scenario, state, branch, due)
        reason = f"silence {silence:g} s" + _mood_note(state, new_state)
        reason += _fault_note(state, new_state)
        return Turn(new_state, lines, Match(index, reason, branch.get("goto"), branch.get("end")))
    if kind == "nudge":
        nudges = scenario.data["persona"].get("nudges") or ["在吗？"]
        state, lines = _say(scenario, state, nudges, "nudge", "nudge")
        # Waiting makes her less patient, unless the scenario says otherwise.
        before = state
        if scenario.data["persona"].get("mood_on_nudge", "up") == "up":
            state = replace(state, mood=_moved(state.mood, "up"))
        note = _mood_note(before, state)
        match = Match(None, "nudge" + note) if note else None
        return Turn(replace(state, nudged=True), _immediately(lines), match)
    persona = scenario.data["persona"]
    lines = [BuyerLine(LEFT_NOTICE, "leave", 0.0)]
    if persona.get("leave_lines"):
        # Her last words ("算了，我去别家看看"), then the notice that she has gone.
        state, last = _say(scenario, state, persona["leave_lines"], "final", "leave")
        last = _immediately(last)
        lines = [*last, replace(lines[0], delay_s=last[-1].delay_s)]
    return Turn(
        replace(state, outcome="流失"),
        lines,
        Match(None, f"patience {float(persona['patience_s']):g} s", end="流失"),
    )
