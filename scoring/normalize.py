"""Text normalisation for rule matching, with a map back to the original text.

Rules run on ``fold(NFKC(t2s(text)))``: Traditional -> Simplified (OpenCC ``t2s``), then Unicode
NFKC (full-width punctuation and letters become ASCII, ``……`` becomes ``......``), then
lower-casing so that ``ＱＱ``, ``QQ`` and ``qq`` match one phrase. Hits must point into the
text the trainee actually wrote, so :class:`NormalizedText` keeps, for every character of the
matching text, the span of original characters it came from.

Speed matters (the benchmark compares us with a bare Aho-Corasick scan), and a full
``unicodedata.normalize`` costs several times the scan itself, so the work is layered: each
layer is exact and the next one only runs when the cheaper one cannot prove its result.

* t2s: OpenCC's phrase-then-character conversion is only run when the text contains a
  character that conversion can change; when no OpenCC *phrase* occurs, the result is a plain
  per-character table lookup (this is what OpenCC itself computes in that case). Every OpenCC
  0.1.7 ``t2s`` mapping keeps length, so t2s never moves offsets; a guard falls back to a
  per-character conversion should a future dictionary break that.
* NFKC: replacing a character ``c`` by ``NFKC(c)`` never changes the NFKC of the whole string
  (NFKD works character by character), so single-character replacements keep offsets 1:1.
  Only texts that still are not normalised after that (``……``, ``‼``, combining marks) take
  the slow path, which normalises small clusters and is checked against the real NFKC.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import opencc

__all__ = [
    "NormalizedText",
    "count_chars",
    "fold_phrase",
    "normalize",
    "to_simplified",
]


# Not frozen: a frozen dataclass costs three times as much to build, and one is built per reply.
@dataclass(slots=True)
class NormalizedText:
    """The matching text and how to get back to the original (treat as read-only).

    ``starts``/``ends`` are ``None`` when every character maps to the character at the same
    index (the common case); otherwise ``starts[i]``/``ends[i]`` is the original span that
    produced character ``i`` of ``text``.
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the span of ``original`` it came from.

        A zero-width span (``start == end``) maps to a zero-width span at the matching place,
        which is how "something is missing here" hits are reported.
        """
        if self.starts is None or self.ends is None:
            return start, end
        n = len(self.text)
        if start >= end:
            pos = self.starts[start] if start < n else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


# --------------------------------------------------------------------------- t2s


class _T2S:
    """OpenCC ``t2s`` with fast exact paths; built once, on first use."""

    def __init__(self) -> None:
        dict_dir = Path(opencc.__file__).parent / "dictionary"
        self.converter = opencc.OpenCC("t2s")
        char_table: dict[int, str] = {}
        triggers: set[str] = set()
        phrases: list[str] = []
        for key, first in _read_dictionary(dict_dir / "TSCharacters.txt"):
            if len(key) != 1:
                # A multi-character key behaves like a phrase; keep the exact path for it.
                phrases.append(key)
                triggers.update(key)
                continue
            if first != key:
                char_table[ord(key)] = first
                triggers.add(key)
        for key, first in _read_dictionary(dict_dir / "TSPhrases.txt"):
            phrases.append(key)
            if len(first) != len(key):
                triggers.update(key)
            else:
                # Only the characters a phrase actually changes can make the output differ.
                triggers.update(k for k, v in zip(key, first, strict=True) if k != v)
        self.char_table = char_table
        # re only uses its fast per-block bitmap for BMP characters; one literal above U+FFFF
        # in the class makes every search linear in the class size (40x slower). So the class
        # holds the BMP triggers plus the whole astral range, and an astral hit is confirmed
        # against a set.
        bmp = "".join(sorted(c for c in triggers if ord(c) < 0x10000))
        self.trigger_re = re.compile("[" + re.escape(bmp) + "\U00010000-\U0010ffff]")
        self.astral_triggers = frozenset(c for c in triggers if ord(c) >= 0x10000)
        automaton = ahocorasick.Automaton()
        for phrase in phrases:
            automaton.add_word(phrase, len(phrase))
        if phrases:
            automaton.make_automaton()
        self.phrase_automaton = automaton if phrases else None

    def convert(self, text: str) -> str:
        found = self.trigger_re.search(text)
        if found is None or (found.group() > "\uffff" and self._astral_only(text)):
            return text
        automaton = self.phrase_automaton
        if automaton is not None:
            for _ in automaton.iter(text):
                # An OpenCC phrase is present: let OpenCC itself resolve the segmentation.
                return self._exact(text)
        return text.translate(self.char_table)

    def _astral_only(self, text: str) -> bool:
        """True when the only trigger candidates in ``text`` are astral non-triggers (emoji)."""
        return all(
            m.group() > "\uffff" and m.group() not in self.astral_triggers
            for m in self.trigger_re.finditer(text)
        )

    def _exact(self, text: str) -> str:
        out: str = self.converter.convert(text)
        if len(out) == len(text):
            return out
        # Not reachable with OpenCC 0.1.7 dictionaries (all mappings keep length); kept so an
        # upgrade cannot silently shift every hit's offsets.
        return "".join(c if len(conv := self.converter.convert(c)) != 1 else conv for c in text)


def _read_dictionary(path: Path) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                continue
            key, _, values = line.partition("\t")
            # OpenCC picks the first of several candidates; so must we.
            pairs.append((key, values.split(" ")[0]))
    return pairs


@lru_cache(maxsize=1)
def _t2s() -> _T2S:
    return _T2S()


def to_simplified(text: str) -> str:
    """Exactly ``opencc.OpenCC('t2s').convert(text)``, but fast for already-Simplified text."""
    return _t2s().convert(text)


# -------------------------------------------------------------------------- NFKC

# The full-width punctuation Chinese replies are full of; str.replace is the cheapest exact way
# to get most texts NFKC-clean without a per-character loop.
_COMMON_WIDE = (
    ("，", ","),
    ("！", "!"),
    ("？", "?"),
    ("：", ":"),
    ("；", ";"),
    ("（", "("),
    ("）", ")"),
    ("～", "~"),
    ("\u3000", " "),
)
# Hangul jamo vowels and trailing consonants compose with the preceding jamo although their
# combining class is 0, so they never start a cluster of their own.
_HANGUL_VT = ((0x1161, 0x1175), (0x11A8, 0x11C2))


class _NfkcTables:
    """Per-BMP-character facts, computed once (about 20 ms) on first need."""

    def __init__(self) -> None:
        table = list(range(0x10000))
        problem: list[str] = []
        for cp in range(0x10000):
            if 0xD800 <= cp < 0xE000:
                continue
            ch = chr(cp)
            norm = unicodedata.normalize("NFKC", ch)
            if len(norm) == 1:
                table[cp] = ord(norm)
                if unicodedata.combining(ch) or unicodedata.combining(norm):
                    problem.append(ch)
            else:
                problem.append(ch)
            decomposition = unicodedata.decomposition(ch)
            if decomposition and not decomposition.startswith("<"):
                parts = decomposition.split()
                if len(parts) == 2:
                    second = int(parts[1], 16)
                    # A character that can be the second half of a composition changes what
                    # comes before it, so it cannot be treated one to one.
                    if (
                        second < 0x10000
                        and unicodedata.normalize("NFC", chr(int(parts[0], 16)) + chr(second)) == ch
                    ):
                        problem.append(chr(second))
        for low, high in _HANGUL_VT:
            problem.extend(chr(cp) for cp in range(low, high + 1))
        self.table = table
        escaped = "".join(sorted({re.escape(c) for c in problem}))
        self.problem_re = re.compile("[" + escaped + "]+")


@lru_cache(maxsize=1)
def _nfkc_tables() -> _NfkcTables:
    return _NfkcTables()


def _is_cluster_start(ch: str) -> bool:
    if unicodedata.combining(ch):
        return False
    cp = ord(ch)
    return not any(low <= cp <= high for low, high in _HANGUL_VT)


def _nfkc_with_map(text: str) -> tuple[str, tuple[int, ...] | None, tuple[int, ...] | None]:
    """NFKC of ``text`` and a per-character origin map (``None`` where it is one to one)."""
    tables = _nfkc_tables()
    translated = text.translate(tables.table)
    runs = [m.span() for m in tables.problem_re.finditer(text)]
    if not runs and unicodedata.is_normalized("NFKC", translated):
        return translated, None, None
    expected = unicodedata.normalize("NFKC", text)
    mapped = _clustered(text, translated, runs)
    if mapped[0] != expected:
        # An astral character outside the BMP tables changed: redo it character by character.
        mapped = _clustered(text, text, [(0, len(text))] if text else [])
    out, starts, ends = mapped
    if out != expected:
        # Some composition crossed a cluster boundary (very unusual scripts). Stay correct:
        # map every character to the whole text rather than to a wrong place.
        return expected, (0,) * len(expected), (len(text),) * len(expected)
    if len(out) == len(text) and starts == list(range(len(text))):
        return out, None, None
    return out, tuple(starts), tuple(ends)


def _clustered(
    text: str, translated: str, runs: list[tuple[int, int]]
) -> tuple[str, list[int], list[int]]:
    """Normalise the problem runs cluster by cluster; elsewhere take ``translated`` 1:1."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for run_start, run_end in runs:
        a = run_start
        if a > pos and not _is_cluster_start(text[a]):
            # A mark or a composing vowel belongs with the character before it.
            a -= 1
        parts.append(translated[pos:a])
        starts.extend(range(pos, a))
        ends.extend(range(pos + 1, a + 1))
        bounds = [i for i in range(a, run_end) if i == a or _is_cluster_start(text[i])]
        bounds.append(run_end)
        for c_start, c_end in zip(bounds, bounds[1:], strict=False):
            piece = unicodedata.normalize("NFKC", text[c_start:c_end])
            parts.append(piece)
            if c_end - c_start == 1 and len(piece) == 1:
                starts.append(c_start)
                ends.append(c_end)
            else:
                # A base with its marks, or an expansion: equal length would not mean one to
                # one ("ﬁ" + grave accent gives "fì"), so each output character stands for the
                # whole cluster.
                starts.extend([c_start] * len(piece))
                ends.extend([c_end] * len(piece))
        pos = run_end
    parts.append(translated[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return "".join(parts), starts, ends


# -------------------------------------------------------------------------- fold


def _fold_case(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters lower-case to two (U+0130); keep those as they are so offsets hold.
    return "".join(lc if len(lc := ch.lower()) == 1 else ch for ch in text)


def normalize(text: str) -> NormalizedText:
    """Return the text rules run on, with a map back to ``text``."""
    wide = _t2s().convert(text)
    if not unicodedata.is_normalized("NFKC", wide):
        for src, dst in _COMMON_WIDE:
            wide = wide.replace(src, dst)
        if not unicodedata.is_normalized("NFKC", wide):
            nfkc, starts, ends = _nfkc_with_map(wide)
            return NormalizedText(text, _fold_case(nfkc), starts, ends)
    return NormalizedText(text, _fold_case(wide))


def fold_phrase(phrase: str) -> str:
    """Normalise a rule phrase exactly like reply text, so that the two always meet."""
    return normalize(phrase).text


# Spellings people use interchangeably in chat: 您/你 (the polite and plain "you") and 的/得/地
# (one sound, three particles). A scenario's forbidden statement matches either spelling.
_LOOSE = str.maketrans("您得地", "你的的")


def loosen(folded: str) -> str:
    """A folded text with interchangeable spellings made one; the length is unchanged, so
    positions in it are positions in the folded text."""
    return folded.translate(_LOOSE)


def count_chars(text: str) -> int:
    """Characters as the issue defines them: non-whitespace Unicode code points."""
    # str.split() with no argument splits on exactly the characters str.isspace() accepts.
    return len("".join(text.split()))
