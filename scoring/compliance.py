"""Script compliance: run a rule pack (and a scenario's own rules) over one reply.

Rules judge meaning in context, not bare substrings. A phrase occurrence found by the
Aho-Corasick scan is only a candidate; it becomes a hit after the rule's context checks:

* **exceptions**: an exception phrase overlapping the occurrence clears it (迷你 for 你,
  不但是 for 但是);
* **negation**: for negatable rules, a negator earlier in the same clause within
  ``negation_window`` characters clears it ("不能代替药物治疗"), unless it is itself negated
  right before ("不是不能治" stays a claim); a negator inside a pseudo-negator (不但, 要不要,
  别家, 需要您) does not count;
* **cautions**: a warning after it in the same sentence clears it ("私下转账有风险");
* **clause_final** phrases hit only when nothing but particles follows in the clause
  ("不行哦" is a refusal, "不行的话可以退" is not);
* **softeners** later in the reply clear a ``softenable`` phrase ("没有权限…我帮您申请";
  "这个真不行。我给您申请张券好吗" offers something too);
* **unless** words right after a phrase in its clause clear it ("保证正品": the shop's own
  commitment, not a promise about what it does not control);
* a rule's own **negators** clear only its hits ("有人让您加微信" reports an invitation);
* **pairs** need both halves in the same clause, sentence or (``scope: reply``) neighbouring
  sentences within a window ("保证…明天到"); a pair's first half is not a negation of its
  second ("不可能断");
* **skip_quoted** / **skip_questions**: quoted words and questions are not the agent's claims.

Clauses end at , . ! ? ; : ~ 。 and line breaks (a decimal point or thousands separator between
digits, or a point between letters or digits as in lin@163.com, does not end one); sentences
end at . ! ? ; 。 and line breaks.

When the pack has a learned layer (``scoring/learned.py``), it then clears the hits of rules the
model is all but sure the reply does not break and adds hits the rules missed (``_learned_hits``).

One module on purpose: the context checks above are methods of the private ``_Reply``, built
lazily once per reply and shared by the pattern rules and the scenario's forbidden statements.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ScoringInputError
from .inputs import MAX_TEXT_CHARS, parse_context
from .matcher import (
    CAUTION,
    EXCEPTION,
    FIRST,
    NEGATOR,
    PHRASE,
    PRESENT,
    PSEUDO_NEGATOR,
    SOFTENER,
    Matcher,
    Trigger,
    edge_class,
)
from .normalize import NormalizedText, loosen, normalize
from .rulepack import POSITIONS, SEVERITIES, PairSpec, Rulepack, RuleSpec, load_rulepack
from .scenario import (
    EMPTY_SCENARIO,
    FORBIDDEN_RULE,
    REQUIRED_RULE,
    RequiredPoint,
    ScenarioRules,
)

__all__ = ["Hit", "check_normalized", "check_reply", "locate_required_point"]

# A point between letters or digits is part of a number, an address or a version (3.5,
# lin@163.com), not a break.
_CLAUSE_RE = re.compile(r"[!?;~。〜\n\r]|(?<!\d)[,:]|[,:](?!\d)|(?<![0-9a-z])\.|\.(?![0-9a-z])")
_SENTENCE_RE = re.compile(r"[!?;。\n\r]|(?<![0-9a-z])\.|\.(?![0-9a-z])")
# Quoted words, and titles in 《》 (a book or product name is not said to the buyer). Plain
# single quotes are quotes too when they pair up within a short span.
_QUOTE_RE = re.compile(
    r"“[^”]*”|‘[^’]*’|「[^」]*」|『[^』]*』|\"[^\"]*\"|'[^'\n]{1,40}'|《[^》]*》|<[^<>\n]{1,40}>"
)
# Taobao/Qianniu emoticon codes such as [微笑] are emoji, not words.
_EMOTICON_RE = re.compile(r"\[[^\[\]\s]{1,6}\]")
# Letters and digits (str.isalnum), which is what "content" means for terse_reply.
_CONTENT_RE = re.compile(r"[^\W_]")
_QUESTION_ENDINGS = ("吗", "么")


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule hit; ``start``/``end`` index the reply text as the trainee wrote it.

    A zero-width span (``start == end``) marks where something is missing: the start of the
    reply for a greeting, its end for a closing or a required point.
    """

    rule: str
    severity: str
    start: int
    end: int
    suggestion: str
    # Other rules that matched the same words and are not penalised again ("one penalty per
    # fault"): a scenario's forbidden statement saying what a built-in rule already caught.
    also: tuple[str, ...] = ()
    # "rules", or "learned" when the learned layer found it (its wording resembled the rule's
    # faults; the evidence is the clause that weighed most).
    basis: str = "rules"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "suggestion": self.suggestion,
        }
        if self.also:
            data["also"] = list(self.also)
        if self.basis != "rules":
            data["basis"] = self.basis
        return data


class _Reply:
    """Lazily computed context of one normalised reply, shared by all candidate checks."""

    __slots__ = (
        "low",
        "n",
        "_loose",
        "matcher",
        "_clauses",
        "_sentences",
        "_quotes",
        "_scanned",
        "exceptions",
        "softeners",
        "negators",
        "cautions",
        "denied",
    )

    def __init__(self, low: str, matcher: Matcher) -> None:
        self.low = low
        self.n = len(low)
        self._loose: str | None = None
        self.matcher = matcher
        self._clauses: list[int] | None = None
        self._sentences: list[int] | None = None
        self._quotes: list[tuple[int, int]] | None = None
        self._scanned = False
        self.exceptions: dict[int, list[tuple[int, int]]] = {}
        self.softeners: dict[int, list[tuple[int, int]]] = {}
        # (start, end, rule index): -1 for the pack's negators, else one rule's own.
        self.negators: list[tuple[int, int, int]] = []
        # (start, end, rule index): -1 for the pack's cautions, else one rule's own.
        self.cautions: list[tuple[int, int, int]] = []
        # (start, end, rule index) of candidates an exception, a negation or a caution
        # cleared: what the pack says is not the fault ("行不行") or the reply says is not so
        # ("不是全网最便宜的"); the learned layer leaves that judgement standing.
        self.denied: list[tuple[int, int, int]] = []

    # -- structure
    def _bounds(self, marks: list[int], pos: int) -> tuple[int, int]:
        i = bisect_left(marks, pos)
        start = marks[i - 1] + 1 if i > 0 else 0
        end = marks[i] if i < len(marks) else self.n
        return start, end

    def clause(self, pos: int) -> tuple[int, int]:
        if self._clauses is None:
            self._clauses = [m.start() for m in _CLAUSE_RE.finditer(self.low)]
        return self._bounds(self._clauses, pos)

    def sentence(self, pos: int) -> tuple[int, int]:
        if self._sentences is None:
            self._sentences = [m.start() for m in _SENTENCE_RE.finditer(self.low)]
        return self._bounds(self._sentences, pos)

    def whole(self, pos: int) -> tuple[int, int]:
        # A pair's ``scope: reply``; the same shape as clause() and sentence().
        return 0, self.n

    @property
    def loose(self) -> str:
        if self._loose is None:
            self._loose = loosen(self.low)
        return self._loose

    def quoted(self, start: int, end: int) -> bool:
        if self._quotes is None:
            self._quotes = [m.span() for m in _QUOTE_RE.finditer(self.low)]
        return any(qs < start and end < qe for qs, qe in self._quotes)

    def question(self, pos: int) -> bool:
        _, end = self.clause(pos)
        if end < self.n and self.low[end] == "?":
            return True
        return self.low[:end].rstrip().endswith(_QUESTION_ENDINGS)

    def clause_final(self, end: int) -> bool:
        _, clause_end = self.clause(end - 1 if end > 0 else 0)
        rest = self.low[end:clause_end]
        particles = self.matcher.particles
        i = 0
        while i < len(rest):
            ch = rest[i]
            if ch.isspace() or not ch.isalnum():
                i += 1
                continue
            for particle in particles:
                if rest.startswith(particle, i):
                    i += len(particle)
                    break
            else:
                return False
        return True

    # -- context words
    def _scan(self) -> None:
        self._scanned = True
        automaton = self.matcher.context
        if automaton is None:
            return
        negators: list[tuple[int, int, int]] = []
        pseudo: list[tuple[int, int]] = []
        for start, end, entries in _occurrences(self.low, automaton):
            for role, rule in entries:
                if role == EXCEPTION:
                    self.exceptions.setdefault(rule, []).append((start, end))
                elif role == NEGATOR:
                    negators.append((start, end, rule))
                elif role == PSEUDO_NEGATOR:
                    pseudo.append((start, end))
                elif role == CAUTION:
                    self.cautions.append((start, end, rule))
                elif role == SOFTENER:
                    self.softeners.setdefault(rule, []).append((start, end))
        # A negator inside a pseudo-negator (不要 in 要不要, 别 in 别家) is not one, nor is one
        # inside quotes: in 短信里写着“请勿泄露”的数字发我, 勿 is the message's, not the agent's.
        self.negators = [
            (s, e, r)
            for s, e, r in negators
            if not any(ps <= s and pe >= e for ps, pe in pseudo) and not self.quoted(s, e)
        ]

    def denies(self, rule: int, start: int, end: int) -> bool:
        """Does the pack or the reply deny the rule's fault within [start, end) in so many
        words: one of the rule's exceptions, or a phrase of it that an exception, a negation
        or a caution cleared?"""
        if not self._scanned:
            self._scan()
        return any(
            r == rule and start <= d_start and d_end <= end for d_start, d_end, r in self.denied
        ) or any(start <= xs and xe <= end for xs, xe in self.exceptions.get(rule, ()))

    def excepted(self, rule: int, start: int, end: int) -> bool:
        if not self._scanned:
            self._scan()
        spans = self.exceptions.get(rule)
        return spans is not None and any(xs < end and xe > start for xs, xe in spans)

    def negated(
        self, start: int, end: int, rule: int = -1, part_of: tuple[int, int] | None = None
    ) -> bool:
        """Is the phrase at [start, end) negated by a negator before it in its clause?

        A negator may also overlap the phrase's beginning ("不能治" negates the phrase 能治,
        "不可以退款" the statement 可以退款), but one that starts with the phrase is part of it
        ("不用吃药" is itself the claim), and so is one inside ``part_of``, the other half of a
        pair ("不可能断": 不可能 is the claim's first half, not a negation of 断).
        """
        if not self._scanned:
            self._scan()
        if not self.negators:
            return False
        clause_start, _ = self.clause(start)
        window = self.matcher.negation_window
        nearest: tuple[int, int, int] | None = None
        for ns, ne, owner in self.negators:
            if ns < clause_start or ns >= start or (owner != -1 and owner != rule):
                continue
            if part_of is not None and part_of[0] <= ns and ne <= part_of[1]:
                continue
            if (start - ne <= window if ne <= start else ne <= end) and (
                nearest is None or ne > nearest[1] or (ne == nearest[1] and ns < nearest[0])
            ):
                nearest = (ns, ne, owner)
        if nearest is None:
            return False
        # "不是不能治": a negator right before the negator cancels it. A rule's own negator
        # reports someone else's words, and negating the report keeps them someone else's:
        # "我们不会让您加QQ" invites nobody.
        if nearest[2] != -1:
            return True
        return not any(
            ns >= clause_start and ne == nearest[0] and owner == -1
            for ns, ne, owner in self.negators
        )

    def cautioned(self, end: int, rule: int = -1) -> bool:
        if not self._scanned:
            self._scan()
        if not self.cautions:
            return False
        # The sentence, not the clause: "私下交易出了纠纷，平台是没法帮您维权的" warns.
        _, sentence_end = self.sentence(end - 1 if end > 0 else 0)
        window = self.matcher.caution_window
        return any(
            cs >= end and ce <= sentence_end and cs - end <= window and owner in (-1, rule)
            for cs, ce, owner in self.cautions
        )

    def followed_by(self, end: int, words: tuple[str, ...], window: int) -> bool:
        """Does one of ``words`` start within ``window`` characters after ``end``, in the
        same sentence?"""
        _, sentence_end = self.sentence(end - 1 if end > 0 else 0)
        low = self.low
        for word in words:
            at = low.find(word, end, sentence_end)
            if at != -1 and at - end <= window:
                return True
        return False

    def softened(self, rule: int, end: int) -> bool:
        if not self._scanned:
            self._scan()
        spans = self.softeners.get(rule)
        if not spans:
            return False
        return any(ss >= end for ss, _ in spans)


# A candidate or hit before mapping back: (start, end, rule id, severity, suggestion).
_Raw = tuple[int, int, str, str, str]
# An occurrence of an automaton's phrase: (start, end, the phrase's entries).
_Occurrence = tuple[int, int, tuple[Any, ...]]
# A pattern candidate that passed its checks: (start, end, rule index, suggestion).
_Found = tuple[int, int, int, str]
# The halves of one pair found so far, keyed by (rule index, pair index).
_PairHalves = dict[tuple[int, int], tuple[list[tuple[int, int]], list[tuple[int, int, str]]]]


def _occurrences(low: str, automaton: Any) -> list[_Occurrence]:
    """The automaton's phrases found in ``low``, minus those inside a longer ASCII word."""
    n = len(low)
    out: list[_Occurrence] = []
    for last, (length, left, right, entries) in automaton.iter(low):
        start = last - length + 1
        end = last + 1
        if left and start > 0 and edge_class(low[start - 1]) == left:
            continue
        if right and end < n and edge_class(low[end]) == right:
            continue
        out.append((start, end, entries))
    return out


def _phrase_cleared(reply: _Reply, trig: Trigger, rule: RuleSpec, start: int, end: int) -> bool:
    """Does the context of a phrase candidate clear it (see the module docstring)?"""
    if reply.excepted(trig.rule, start, end):
        reply.denied.append((start, end, trig.rule))
        return True
    if rule.skip_quoted and reply.quoted(start, end):
        return True
    if rule.skip_questions and reply.question(start):
        return True
    if trig.clause_final and not reply.clause_final(end):
        return True
    if trig.softenable and reply.softened(trig.rule, end):
        return True
    if trig.unless and reply.followed_by(end, trig.unless, trig.unless_window):
        return True
    if rule.negatable and (reply.negated(start, end, trig.rule) or reply.cautioned(end, trig.rule)):
        reply.denied.append((start, end, trig.rule))
        return True
    return False


def _pattern_hits(cands: list[_Occurrence], reply: _Reply, out: list[_Raw]) -> None:
    """Phrase candidates are judged one by one; the halves of a pair are collected first and
    judged together."""
    rules = reply.matcher.rules
    found: list[_Found] = []
    pairs: _PairHalves = {}
    for start, end, triggers in cands:
        for trig in triggers:
            if trig.side != PHRASE:
                firsts, thens = pairs.setdefault((trig.rule, trig.pair), ([], []))
                if trig.side == FIRST:
                    firsts.append((start, end))
                else:
                    thens.append((start, end, trig.suggestion))
            elif not _phrase_cleared(reply, trig, rules[trig.rule], start, end):
                found.append((start, end, trig.rule, trig.suggestion))
    if pairs:
        _pair_hits(pairs, reply, found)
    if found:
        _merge_overlaps(found, reply, out)


def _pair_hits(pairs: _PairHalves, reply: _Reply, found: list[_Found]) -> None:
    """Each second half found makes at most one hit, with the nearest first half in scope."""
    rules = reply.matcher.rules
    for (rule_index, pair_index), (firsts, thens) in pairs.items():
        if not firsts or not thens:
            continue
        rule = rules[rule_index]
        pair = rule.pairs[pair_index]
        scope = (
            reply.clause
            if pair.scope == "clause"
            else reply.sentence
            if pair.scope == "sentence"
            else reply.whole
        )
        for ts, te, suggestion in thens:
            options = _pair_options(pair, scope, firsts, ts, te)
            span = _pair_span(reply, rule_index, rule, options, ts, te)
            if span is not None:
                found.append((span[0], span[1], rule_index, suggestion))


def _pair_options(
    pair: PairSpec,
    scope: Callable[[int], tuple[int, int]],
    firsts: list[tuple[int, int]],
    ts: int,
    te: int,
) -> list[tuple[int, int, int]]:
    """First halves that may go with the second half at [ts, te): (gap, start, end), nearest
    first."""
    options: list[tuple[int, int, int]] = []
    for fs, fe in firsts:
        if fe <= ts:
            gap = ts - fe
        elif pair.order == "any" and te <= fs:
            gap = fs - te
        else:
            continue  # overlapping, or the wrong way round
        if gap <= pair.window and scope(fs) == scope(ts):
            options.append((gap, fs, fe))
    return sorted(options)


def _pair_span(
    reply: _Reply,
    rule_index: int,
    rule: RuleSpec,
    options: list[tuple[int, int, int]],
    ts: int,
    te: int,
) -> tuple[int, int] | None:
    """The span of the pair hit, from the nearest first half no exception clears; None when
    there is none, or when its context clears it."""
    for _, fs, fe in options:
        if reply.excepted(rule_index, fs, fe) or reply.excepted(rule_index, ts, te):
            reply.denied.append((min(fs, ts), max(fe, te), rule_index))
            continue
        start, end = min(fs, ts), max(fe, te)
        if rule.skip_quoted and reply.quoted(start, end):
            return None
        if rule.skip_questions and reply.question(start):
            return None
        if rule.negatable:
            # "first" is the half that comes first in the reply (pairs may match in any
            # order): in "没有降压作用，血压…" the negator stands before 降, not before 血压.
            lead, other = ((fs, fe), (ts, te)) if fs <= ts else ((ts, te), (fs, fe))
            negated = reply.negated(*lead, rule_index) or (
                rule.negate == "any" and reply.negated(*other, rule_index, part_of=lead)
            )
            if negated or reply.cautioned(end, rule_index):
                reply.denied.append((start, end, rule_index))
                return None
        return start, end
    return None


def _merge_overlaps(found: list[_Found], reply: _Reply, out: list[_Raw]) -> None:
    # Overlapping candidates of one rule are one hit ("你好" contains "你"; a pair and a phrase
    # may cover the same words); the longest candidate's suggestion is the most specific.
    # So are a meaning rule's candidates in one clause: "保证明天一定到" is one promise, not
    # two (minor rules judge form, and each 你 or !! is its own).
    rules = reply.matcher.rules
    found.sort(key=lambda c: (c[2], c[0], -c[1]))
    cur_start, cur_end, cur_rule, cur_sugg = found[0]
    longest = cur_end - cur_start
    for start, end, rule_index, suggestion in found[1:]:
        if rule_index == cur_rule and (
            start < cur_end
            or (
                rules[rule_index].severity != "minor"
                and reply.clause(start) == reply.clause(cur_end - 1)
            )
        ):
            if end - start > longest:
                longest, cur_sugg = end - start, suggestion
            cur_end = max(cur_end, end)
            continue
        rule = rules[cur_rule]
        out.append((cur_start, cur_end, rule.id, rule.severity, cur_sugg))
        cur_start, cur_end, cur_rule, cur_sugg = start, end, rule_index, suggestion
        longest = end - start
    rule = rules[cur_rule]
    out.append((cur_start, cur_end, rule.id, rule.severity, cur_sugg))


def _applies(positions: tuple[str, ...], position: str) -> bool:
    if position == "only":
        return bool(positions)
    return position in positions


def _find_all(low: str, phrase: str) -> list[tuple[int, int]]:
    """Occurrences of a folded phrase, with the same ASCII word-edge rule as the automata."""
    spans: list[tuple[int, int]] = []
    n, size = len(low), len(phrase)
    left, right = edge_class(phrase[0]), edge_class(phrase[-1])
    start = low.find(phrase)
    while start != -1:
        end = start + size
        if not (left and start > 0 and edge_class(low[start - 1]) == left) and not (
            right and end < n and edge_class(low[end]) == right
        ):
            spans.append((start, end))
        start = low.find(phrase, start + 1)
    return spans


def locate_required_point(low: str, point: RequiredPoint) -> tuple[int, int] | None:
    """Where a required point is covered in a folded reply (its first group's keyword)."""
    evidence: tuple[int, int] | None = None
    for i, group in enumerate(point.folded):
        spans = [span for keyword in group for span in _find_all(low, keyword)[:1]]
        if not spans:
            return None
        if i == 0:
            evidence = min(spans)
    return evidence


def _terse_hits(low: str, matcher: Matcher, raw: list[_Raw]) -> None:
    """terse rules: a reply of at most max_chars letters or digits (emoticons left out)."""
    n = len(low)
    for index in matcher.terse:
        rule = matcher.rules[index]
        text = _EMOTICON_RE.sub("", low) if "[" in low else low
        if matcher.terse_res[index].match(text) is None:
            content = "".join(_CONTENT_RE.findall(text))
            suggestion = rule.suggestions.get(content, rule.suggestion)
            raw.append((0, n, rule.id, rule.severity, suggestion))


def _exclamation_hits(low: str, matcher: Matcher, raw: list[_Raw]) -> None:
    """exclamation rules: each run longer than max_run; without one, more than max_total."""
    for index in matcher.exclamation:
        rule = matcher.rules[index]
        marks = matcher.marks[index]
        total = 0
        for mark in marks:
            total += low.count(mark)
        if total > rule.max_run or total > rule.max_total:
            runs = [m.span() for m in matcher.run_res[index].finditer(low)]
            for start, end in runs:
                raw.append((start, end, rule.id, rule.severity, rule.suggestion))
            if not runs and total > rule.max_total:
                positions = [m.start() for m in matcher.mark_res[index].finditer(low)]
                raw.append(
                    (positions[0], positions[-1] + 1, rule.id, rule.severity, rule.suggestion)
                )


def _scenario_hits(low: str, scenario: ScenarioRules, reply: _Reply, raw: list[_Raw]) -> None:
    """The scenario's forbidden statements said, and its required points not covered.

    A forbidden statement is judged in context like a built-in rule: not when quoted or
    asked, not when negated or followed by a caution (unless the scenario says it cannot
    be negated), and spelled with 您 or 你, 的 or 得."""
    n = len(low)
    for item in scenario.forbidden:
        for start, end in _find_all(reply.loose, item.loose):
            if reply.quoted(start, end) or reply.question(start):
                continue
            if item.negatable and (reply.negated(start, end) or reply.cautioned(end)):
                continue
            raw.append((start, end, FORBIDDEN_RULE, item.severity, item.suggestion))
    for point in scenario.required_points:
        if locate_required_point(low, point) is None:
            raw.append((n, n, REQUIRED_RULE, point.severity, point.suggestion))


def _presence_hits(low: str, position: str, matcher: Matcher, raw: list[_Raw]) -> None:
    """presence rules for this position (a greeting, a closing) with no wording found."""
    rules = matcher.rules
    wanted = [i for i in matcher.presence if _applies(rules[i].positions, position)]
    if not wanted:
        return
    n = len(low)
    present: dict[int, list[tuple[int, int]]] = {}
    excluded: dict[int, list[tuple[int, int]]] = {}
    for start, end, entries in _occurrences(low, matcher.presence_automaton):
        for role, index in entries:
            target = present if role == PRESENT else excluded
            target.setdefault(index, []).append((start, end))
    for index in wanted:
        rule = rules[index]
        spans_out = excluded.get(index, [])
        ok = any(
            not any(xs < e and xe > s for xs, xe in spans_out) for s, e in present.get(index, [])
        )
        if not ok:
            at = 0 if rule.anchor == "start" else n
            raw.append((at, at, rule.id, rule.severity, rule.suggestion))


_WEIGHT = {severity: rank for rank, severity in enumerate(SEVERITIES)}
# A hit with the rules it also matched and that are not penalised again.
_Merged = tuple[int, int, str, str, str, tuple[str, ...]]


def _overlap(a: _Raw | _Merged, b: _Raw | _Merged) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _one_per_fault(raw: list[_Raw]) -> list[_Merged]:
    """A scenario's forbidden statement over the same words as a built-in rule's hit about
    what is said (major or fatal; minor rules judge form: 你, 但是, !!), or as another
    forbidden statement, is one fault: penalised once, at the heavier severity (the built-in
    rule on a tie, its explanation is the fuller one), naming the other rules it matched."""
    if not any(r[2] == FORBIDDEN_RULE for r in raw):
        return [(*r, ()) for r in raw]
    merged: list[_Merged] = []
    forbidden: list[_Merged] = []
    for r in sorted(raw, key=lambda r: (r[0], -r[1])):
        if r[2] != FORBIDDEN_RULE:
            merged.append((*r, ()))
            continue
        same = next((i for i, f in enumerate(forbidden) if _overlap(f, r)), None)
        if same is None:
            forbidden.append((*r, ()))
            continue
        f = forbidden[same]
        keep = r if _WEIGHT[r[3]] > _WEIGHT[f[3]] else f
        forbidden[same] = (min(f[0], r[0]), max(f[1], r[1]), FORBIDDEN_RULE, keep[3], keep[4], ())
    for f in forbidden:
        same = next(
            (
                i
                for i, m in enumerate(merged)
                if m[2] != FORBIDDEN_RULE and m[3] != "minor" and m[0] < m[1] and _overlap(m, f)
            ),
            None,
        )
        if same is None:
            merged.append(f)
            continue
        m = merged[same]
        if _WEIGHT[f[3]] > _WEIGHT[m[3]]:
            merged[same] = (*f[:5], (m[2], *m[5]))
        else:
            merged[same] = (*m[:5], tuple(dict.fromkeys((*m[5], FORBIDDEN_RULE))))
    return merged


def _learned_hits(reply: _Reply, raw: list[_Raw]) -> set[tuple[int, int, str]]:
    """The learned layer's say: it clears the hits of rules the model is all but sure the
    reply does not break, and adds hits for the rules the rules did not find.

    It does not clear a hit on words the scenario forbids: the trainer who wrote the forbidden
    statement ("平台介入也没用") judged those very words, and that judgement stands whatever
    the model thinks.

    A rule's question and quotation checks hold for a learned hit too ("是想预防什么吗？" asks;
    "您说的“加微信”" quotes), and so does what the pack or the reply denies in so many words:
    an exception of the rule in the clause ("行不行", "是您的权利"), or a negation or a caution
    that cleared one of its phrases there ("不能治疗", "不是全网最便宜的"), clears the learned
    hit too. Where the rules' other checks cleared a phrase (a hedge, a softener, a word that
    must close its clause), the model decides: on wording the rules were not tuned on it
    judges such clauses better than the rules do."""
    matcher = reply.matcher
    layer = matcher.learned
    assert layer is not None
    probabilities = layer.probabilities(reply.low)
    cleared = layer.cleared(probabilities)
    if cleared:
        forbidden = [r for r in raw if r[2] == FORBIDDEN_RULE]
        raw[:] = [r for r in raw if r[2] not in cleared or any(_overlap(r, f) for f in forbidden)]
    found = {r[2] for r in raw}
    skip = found | cleared | matcher.learned_skip
    added: set[tuple[int, int, str]] = set()
    for start, end, rule_id, _p in layer.hits(reply.low, skip, probabilities):
        rule = matcher.pattern_rules[rule_id]
        if reply.denies(matcher.rule_index[rule_id], start, end):
            continue
        if rule.skip_questions and reply.question(start):
            continue
        if rule.skip_quoted and reply.quoted(start, end):
            continue
        raw.append((start, end, rule_id, rule.severity, rule.suggestion))
        added.add((start, end, rule_id))
    return added


def check_normalized(
    nt: NormalizedText,
    position: str,
    scenario: ScenarioRules,
    matcher: Matcher,
) -> list[Hit]:
    """The engine proper: all hits for one already-normalised reply, sorted."""
    low = nt.text
    raw: list[_Raw] = []
    _terse_hits(low, matcher, raw)
    _exclamation_hits(low, matcher, raw)
    # The context of a reply is worked out once, and only if a candidate or a scenario rule
    # needs it.
    reply: _Reply | None = None
    cands: list[_Occurrence] = []
    if matcher.triggers is not None:
        cands = _occurrences(low, matcher.triggers)
        if cands:
            reply = _Reply(low, matcher)
            _pattern_hits(cands, reply, raw)
    if scenario:
        _scenario_hits(low, scenario, reply or _Reply(low, matcher), raw)
    if position != "middle" and matcher.presence_automaton is not None:
        _presence_hits(low, position, matcher, raw)
    learned = (
        _learned_hits(reply or _Reply(low, matcher), raw) if matcher.learned is not None else set()
    )
    if not raw:
        return []
    hits = []
    for start, end, rule_id, severity, suggestion, also in _one_per_fault(raw):
        o_start, o_end = nt.to_original(start, end)
        basis = "learned" if (start, end, rule_id) in learned else "rules"
        hits.append(Hit(rule_id, severity, o_start, o_end, suggestion, also, basis))
    hits.sort(key=lambda h: (h.start, h.end, h.rule))
    return hits


def warm_up() -> None:
    """Load the default rule pack, compile its matcher and load its learned layer now.

    A server or worker process calls this as it starts. Otherwise the first reply it checks
    pays for the loading (a fraction of a second of CPU, more on a busy machine) inside a
    trainee's acknowledgement, and holds the interpreter lock against every other request
    of the process meanwhile, /healthz included."""
    check_reply("您好，请问有什么可以帮您？")


def check_reply(
    text: str,
    position: str = "middle",
    context: ScenarioRules | Mapping[str, Any] | None = None,
    rulepack: Rulepack | None = None,
) -> list[Hit]:
    """Check one agent reply. See the package docstring for the meaning of each argument."""
    if not isinstance(text, str):
        raise ScoringInputError("text", "must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise ScoringInputError("text", f"longer than {MAX_TEXT_CHARS} characters")
    if position not in POSITIONS:
        raise ScoringInputError("position", f"must be one of {', '.join(POSITIONS)}")
    if context is None:
        scenario = EMPTY_SCENARIO
    elif isinstance(context, ScenarioRules):
        scenario = context
    else:
        scenario = parse_context(context)
    pack = rulepack if rulepack is not None else load_rulepack()
    return check_normalized(normalize(text), position, scenario, pack.matcher)
