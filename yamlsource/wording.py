"""The plain words of field errors, shared by every content format.

The field checks (``yamlsource.fields``: courses, catalogue, tracks) and the scenario
validator (its JSON Schema's errors) say the same kind of problem the same way, naming
the field and what was written: "patience_s should be a number, not the text "abc"".
Each function returns the message in the active language (``yamlsource.i18n``).
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable, Sequence

from yamlsource.i18n import gettext as _
from yamlsource.i18n import ngettext, pgettext

# How much of a written value a message quotes.
MAX_QUOTED_CHARS = 40
# How alike an unknown name and a known one must be to suggest it (difflib's ratio):
# "nudge_afer_s" / "nudge_after_s" is 0.96, "colour" / "color" 0.91, "mood" / "motive" 0.6.
CLOSE_NAME = 0.75


def quoted(value: object) -> str:
    """``value`` as written, in double quotes, cut when long."""
    text = str(value)
    if len(text) > MAX_QUOTED_CHARS:
        text = text[: MAX_QUOTED_CHARS - 1] + "…"
    return f'"{text}"'


def number_text(value: float) -> str:
    """5, 0.5, 1e+15: whole numbers without a decimal point."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def names_text(names: Iterable[object]) -> str:
    """Names listed the way the language lists them: ``a, b, c`` or ``a、b、c``."""
    return pgettext("list separator", ", ").join(str(name) for name in names)


def alternatives_text(names: Sequence[str]) -> str:
    """Field names: ``goto or end``, ``a, b or c``."""
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s or %(last)s") % {"names": names_text(names[:-1]), "last": names[-1]}


def _kinds_text(kinds: Sequence[str]) -> str:
    """Kinds of value: ``text or a list`` (Chinese joins words, not names, without spaces)."""
    if len(kinds) < 2:
        return "".join(kinds)
    return pgettext("kinds of value", "%(kinds)s or %(last)s") % {
        "kinds": names_text(kinds[:-1]),
        "last": kinds[-1],
    }


def kind_name(kind: str) -> str:
    """What a JSON Schema type is called for people."""
    kinds = {
        "string": pgettext("kind of value", "text"),
        "number": pgettext("kind of value", "a number"),
        "integer": pgettext("kind of value", "a whole number"),
        "boolean": pgettext("kind of value", "true or false"),
        "object": pgettext("kind of value", "a mapping (key: value lines)"),
        "array": pgettext("kind of value", "a list"),
        "null": pgettext("kind of value", "empty"),
    }
    return kinds.get(kind, kind)


def described(value: object) -> str:
    """What was written, for "…, not …": the text "abc", the number 5, a list …"""
    if value is None:
        return _("empty (nothing after the colon)")
    if isinstance(value, bool):
        return _("the value %(value)s") % {"value": "true" if value else "false"}
    if isinstance(value, int | float):
        return _("the number %(value)s") % {"value": number_text(value)}
    if isinstance(value, str):
        return _("the text %(value)s") % {"value": quoted(value)}
    if isinstance(value, datetime.date):
        return _("the date %(value)s") % {"value": value.isoformat()}
    if isinstance(value, dict):
        return pgettext("kind of value", "a mapping (key: value lines)")
    if isinstance(value, list):
        return pgettext("kind of value", "a list")
    return quoted(value)


def close_name(name: object, *groups: Iterable[object]) -> str | None:
    """The name most like ``name`` in the first group that has one alike enough (difflib):
    a missing required field is a likelier meaning of a typo than any allowed one."""
    for group in groups:
        candidates = [str(candidate) for candidate in group if candidate != name]
        found = difflib.get_close_matches(str(name), candidates, n=1, cutoff=CLOSE_NAME)
        if found:
            return found[0]
    return None


def wrong_type(field: str, kinds: Sequence[str], value: object) -> str:
    expected = _kinds_text([kind_name(kind) for kind in kinds])
    return _("%(field)s should be %(expected)s, not %(actual)s") % {
        "field": field,
        "expected": expected,
        "actual": described(value),
    }


def missing_field(name: object) -> str:
    return _("missing required field %(name)s") % {"name": name}


def missing_value(field: str) -> str:
    return _("%(field)s has no value (nothing after the colon)") % {"field": field}


def missing_one_of(field: str, names: Sequence[str]) -> str:
    return _("%(field)s needs %(names)s") % {"field": field, "names": alternatives_text(names)}


def missing_or_empty(field: str, names: Sequence[str]) -> str:
    return _("%(field)s needs %(names)s, not empty") % {
        "field": field,
        "names": alternatives_text(names),
    }


def only_one_of(field: str, names: Sequence[str]) -> str:
    return _("%(field)s may have only one of: %(names)s") % {
        "field": field,
        "names": names_text(names),
    }


def unknown_field(name: object, *, suggestion: str | None = None, allowed: Iterable = ()) -> str:
    if suggestion is not None:
        return _("unknown field %(name)s; did you mean %(suggestion)s?") % {
            "name": name,
            "suggestion": suggestion,
        }
    allowed = sorted(str(key) for key in allowed)
    if not allowed:
        return _("unknown field %(name)s") % {"name": name}
    return _("unknown field %(name)s (allowed here: %(allowed)s)") % {
        "name": name,
        "allowed": names_text(allowed),
    }


def below_minimum(field: str, limit: float, value: object, *, exclusive: bool = False) -> str:
    template = (
        _("%(field)s must be more than %(limit)s (here %(value)s)")
        if exclusive
        else _("%(field)s must be at least %(limit)s (here %(value)s)")
    )
    return template % {"field": field, "limit": number_text(limit), "value": number_text(value)}


def above_maximum(field: str, limit: float, value: object, *, exclusive: bool = False) -> str:
    template = (
        _("%(field)s must be less than %(limit)s (here %(value)s)")
        if exclusive
        else _("%(field)s must be at most %(limit)s (here %(value)s)")
    )
    return template % {"field": field, "limit": number_text(limit), "value": number_text(value)}


def empty_text(field: str) -> str:
    return _("%(field)s must not be empty") % {"field": field}


def too_short(field: str, limit: int, count: int) -> str:
    return ngettext(
        "%(field)s needs at least %(limit)d character (has %(count)d)",
        "%(field)s needs at least %(limit)d characters (has %(count)d)",
        limit,
    ) % {"field": field, "limit": limit, "count": count}


def too_long(field: str, limit: int, count: int) -> str:
    return ngettext(
        "%(field)s allows at most %(limit)d character (has %(count)d)",
        "%(field)s allows at most %(limit)d characters (has %(count)d)",
        limit,
    ) % {"field": field, "limit": limit, "count": count}


def too_few_items(field: str, limit: int, count: int) -> str:
    return ngettext(
        "%(field)s needs at least %(limit)d item (has %(count)d)",
        "%(field)s needs at least %(limit)d items (has %(count)d)",
        limit,
    ) % {"field": field, "limit": limit, "count": count}


def too_many_items(field: str, limit: int, count: int) -> str:
    return ngettext(
        "%(field)s allows at most %(limit)d item (has %(count)d)",
        "%(field)s allows at most %(limit)d items (has %(count)d)",
        limit,
    ) % {"field": field, "limit": limit, "count": count}


def too_few_entries(field: str, limit: int, count: int) -> str:
    return ngettext(
        "%(field)s needs at least %(limit)d entry (has %(count)d)",
        "%(field)s needs at least %(limit)d entries (has %(count)d)",
        limit,
    ) % {"field": field, "limit": limit, "count": count}


def too_many_entries(field: str, limit: int, count: int) -> str:
    return ngettext(
        "%(field)s allows at most %(limit)d entry (has %(count)d)",
        "%(field)s allows at most %(limit)d entries (has %(count)d)",
        limit,
    ) % {"field": field, "limit": limit, "count": count}


def not_one_of(
    field: str, options: Sequence[object], value: object, *, suggestion: str | None = None
) -> str:
    values = {
        "field": field,
        "options": names_text("null" if option is None else option for option in options),
        "value": described(value),
        "suggestion": suggestion,
    }
    if suggestion is not None:
        return (
            _("%(field)s must be one of %(options)s, not %(value)s; did you mean %(suggestion)s?")
            % values
        )
    return _("%(field)s must be one of %(options)s, not %(value)s") % values


def must_equal(field: str, expected: object, value: object) -> str:
    return _("%(field)s must be %(expected)s, not %(value)s") % {
        "field": field,
        "expected": expected,
        "value": described(value),
    }


def bad_characters(field: str, allowed: str, value: object) -> str:
    """``allowed``: what the field may be written with, in words."""
    return _("%(field)s may only use %(allowed)s, not %(value)s") % {
        "field": field,
        "allowed": allowed,
        "value": quoted(value),
    }


def not_a_slug(field: str, value: object) -> str:
    return bad_characters(field, _("lowercase letters, digits and hyphens (-)"), value)


def bad_form(field: str, value: object) -> str:
    return _("%(field)s is not written in the expected form: %(value)s") % {
        "field": field,
        "value": quoted(value),
    }


def bad_name(owner: str, name: object, allowed: str) -> str:
    """A key under ``owner`` (a step's or an intent's name) written with other characters."""
    return _("the name %(name)s under %(owner)s may only use %(allowed)s") % {
        "name": quoted(name),
        "owner": owner,
        "allowed": allowed,
    }


def not_a_date(field: str, value: object) -> str:
    return _("%(field)s should be a date written YYYY-MM-DD, not %(value)s") % {
        "field": field,
        "value": described(value),
    }


def not_unique(field: str) -> str:
    return _("%(field)s lists the same item twice") % {"field": field}
