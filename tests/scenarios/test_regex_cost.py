"""Every pattern the validator accepts runs fast on any reply the engine can be given;
the patterns it refuses are those whose backtracking explodes."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.regex_cost import REPLY_CHARS, regex_problem
from tests.runaway import RUNAWAY_S

# Replies chosen to make backtracking matchers work hardest: long runs of what the pattern
# matches, ending in something it does not.
SUBJECTS = [
    "a" * REPLY_CHARS,
    "a" * (REPLY_CHARS - 1) + "!",
    "ab" * (REPLY_CHARS // 2),
    "好" * (REPLY_CHARS - 1) + "?",
    "a " * (REPLY_CHARS // 2),
    "1" * (REPLY_CHARS - 1) + "x",
]


def _worst_search_s(pattern: str) -> float:
    compiled = re.compile(pattern)
    worst = 0.0
    for subject in SUBJECTS:
        start = time.perf_counter()
        compiled.search(subject)
        worst = max(worst, time.perf_counter() - start)
    return worst


atoms = st.sampled_from(["a", "b", "好", ".", "\\w", "\\s", "\\d", "[ab]", "[^b]", "a b", "^"])
quantifiers = st.sampled_from(["", "", "*", "+", "?", "{0,12}", "{2}", "{1,3}", "*?", "{3,}"])


def _patterns(children):
    return st.one_of(
        st.tuples(children, children).map("".join),
        st.tuples(children, children).map(lambda pair: f"(?:{pair[0]}|{pair[1]})"),
        st.tuples(children, quantifiers).map(lambda part: f"({part[0]}){part[1]}"),
    )


patterns = st.recursive(st.tuples(atoms, quantifiers).map("".join), _patterns, max_leaves=6).filter(
    lambda pattern: _compiles(pattern)
)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(patterns)
def test_accepted_patterns_run_fast_on_the_hardest_replies(pattern):
    if regex_problem(pattern) is None:
        assert _worst_search_s(pattern) < RUNAWAY_S, pattern


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [
        # 22 characters: 16 times the work of 18, which a fast machine once did in 18 ms.
        ("(a+)+$", "a" * 22 + "!"),
        ("(a|a)*!", "a" * 22 + "?"),
        ("(\\w+\\s?)+$", "a" * 22 + "!"),
        ("(a*)*b", "a" * 22),
        # Cubic: 400 characters are about 10 million steps, far over the bound on any machine.
        (".*.*.*!", "a" * 400),
    ],
)
def test_refused_patterns_are_the_slow_ones(pattern, subject):
    """Each refused example is indeed slow, even on a reply far shorter than allowed (the
    exponential ones double their time with each character)."""
    assert regex_problem(pattern) is not None
    start = time.perf_counter()
    re.search(pattern, subject)
    assert time.perf_counter() - start > 0.02, pattern
