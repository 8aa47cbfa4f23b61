"""Which trainer-written regular expressions are safe to run on a trainee's reply.

The engine runs a ``regex`` condition with ``re.search`` on every reply (up to 1,000
characters), in the process serving the live chats; Python's backtracking matcher cannot be
interrupted, so one pattern such as ``(a+)+$`` or ``(a|ab)*c`` (exponential) or
``.*.*.*x`` (a high power of the reply's length) could stall every chat of that process.
Patterns are refused when the scenario is validated, from their parse tree:

- back-references and conditional groups (matching them is NP-hard in general);
- a repeat of variable count (``*``, ``+``, ``{m,n}``) around a part that can itself match
  in more than one way (a nested repeat or an alternative ``|``): exponential;
- more ways to try per start position than ``MAX_WAYS``: an upper bound counted as the
  product of the choices of the parts in sequence (``.*`` has 1,001 on a 1,000-character
  reply, ``.{0,12}`` has 13, ``(a|b|c)`` has 3), the sum over alternatives. One open-ended
  repeat in a pattern passes; two in a row do not.

Pure (no Django): the validator runs it in the editor, on import and in the command line.
"""

from __future__ import annotations

# The standard ``re`` module's own parser (private, but the tree it builds is exactly what
# the matcher runs; ``sre_parse`` is its deprecated public name).
from re import _constants as sre_constants
from re import _parser as sre_parse

from yamlsource.i18n import gettext as _

# Replies are at most 1,000 characters (roleplay.reply_text.MAX_REPLY_CHARS; the dry-run
# takes the same): an open-ended repeat can stop at any of them.
REPLY_CHARS = 1000
# re.search tries each start position, so the work is up to REPLY_CHARS × MAX_WAYS steps:
# about 2·10⁷, some 0.1 s in the worst case.
MAX_WAYS = 20_000

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
_BACKREFERENCES = {sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS}


class _Refused(Exception):
    """The pattern is refused; the message says why."""


def _ways(subpattern) -> int:
    """Upper bound of the ways a parsed (sub)pattern can match from one position."""
    total = 1
    for op, argument in subpattern:
        total *= _item_ways(op, argument)
        if total > MAX_WAYS:
            raise _Refused(
                _(
                    "this pattern can take too long on a long reply: use at most one "
                    "open-ended repeat (such as .* or +) and give the others a small bound, "
                    "e.g. .{0,10}"
                )
            )
    return total


def _item_ways(op, argument) -> int:
    if op in _REPEATS:
        return _repeat_ways(*argument)
    if op is sre_constants.SUBPATTERN:
        return _ways(argument[3])
    if op is sre_constants.ATOMIC_GROUP:
        return _ways(argument)
    if op is sre_constants.BRANCH:
        return sum(_ways(branch) for branch in argument[1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return _ways(argument[1])
    if op in _BACKREFERENCES:
        raise _Refused(_("back-references and conditional groups are not supported"))
    return 1  # a literal, a character class, an anchor: one way


def _repeat_ways(low: int, high: int, body) -> int:
    inner = _ways(body)
    if high <= 1:  # optional: taken or not
        return inner + 1
    if low == high:  # a fixed count: each copy chooses on its own
        if inner == 1:
            return 1
        if low > MAX_WAYS.bit_length():
            return MAX_WAYS + 1
        return inner**low
    if inner > 1:
        raise _Refused(
            _(
                "a repeated part that can itself match in several ways, such as (a+)+ or "
                "(a|ab)*, can take exponential time on a reply"
            )
        )
    longest = REPLY_CHARS if high == sre_constants.MAXREPEAT else min(high, REPLY_CHARS)
    return max(longest - low, 0) + 1


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` (already known to compile) may not run on replies, or None."""
    try:
        _ways(sre_parse.parse(pattern))
    except _Refused as refused:
        return str(refused)
    except RecursionError:
        return _("the pattern nests too deeply")
    return None
