"""The JSON Schema's errors about a scenario file, in plain words at their place.

jsonschema says "'nudge_after_s' is a required property" or "'abc' is not of type
'number'"; a trainer reads "missing required field nudge_after_s" and "patience_s should
be a number, not the text "abc"" (in the interface language: ``yamlsource.wording``).
Each kind of schema check (``validator``) has its own sentence, naming the field.

One typo is one message: an unknown field is reported with the allowed field it resembles
(difflib), and when that field is a required one missing at the same place, the
"missing" error is dropped. ``oneOf``/``anyOf`` are told by the alternative the value was
closest to, not as "is not valid under any of the given schemas".

Pure (no Django): the engine imports the validator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import jsonschema

from scenarios.schema import NAME, SLUG
from yamlsource import Position, SourceErrors
from yamlsource import wording as say
from yamlsource.fieldpath import FieldPath, subject
from yamlsource.i18n import gettext as _

# The schema's messages quote the value; a long one is cut (only for checks with no
# sentence of their own, which the scenario schema does not use).
MAX_MESSAGE_CHARS = 300

RawPath = tuple  # jsonschema's path: keys and indices as found in the document
_Found = list[tuple[RawPath, str]]  # (where, message)


def _pattern_words(pattern: str) -> str | None:
    """What a pattern of the schema allows, in words."""
    words = {
        SLUG["pattern"]: _("lowercase letters, digits and hyphens (-)"),
        NAME["pattern"]: _("lowercase letters, digits and underscores (_), starting with a letter"),
        "^[0-9A-Za-z-]{4,40}$": _("4 to 40 letters, digits or hyphens (-)"),
    }
    return words.get(pattern)


def position_of(document, path: Iterable) -> Position:
    """Where the value at ``path`` was written: its key in the deepest located mapping or
    list on the way (the path may run into a value of the wrong type)."""
    node, located, located_key = document, document, None
    for key in path:
        if not hasattr(node, "position"):
            break
        located, located_key = node, key
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return located.position(located_key)


def field_path(document, path: Iterable) -> FieldPath:
    """``path`` with list indices as numbers and every mapping key as text (a key written
    as a number is a name, not an item to count from 1)."""
    parts: list[str | int] = []
    node = document
    for key in path:
        if isinstance(node, list) and isinstance(key, int):
            parts.append(key)
        else:
            parts.append(str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(parts)


def _order(error: jsonschema.ValidationError) -> list[tuple]:
    """Sort key of an error's path; keys of a mapping may be text, numbers or null."""
    return [
        (0, key, "") if isinstance(key, int) else (1, 0, str(key)) for key in error.absolute_path
    ]


def _required_only(alternatives) -> bool:
    """``oneOf: [{required: [goto]}, {required: [end]}]``: one of these fields."""
    return all(isinstance(alt, dict) and set(alt) == {"required"} for alt in alternatives)


def _required_names(alternatives) -> list[str]:
    return [name for alt in alternatives for name in _part(alt, "required")]


def _part(alternative, key: str):
    """A keyword of one alternative (an alternative may also be a true/false schema)."""
    return alternative.get(key, ()) if isinstance(alternative, dict) else ()


class _Typos:
    """Unknown fields and the missing fields they resemble, at each object of the file."""

    def __init__(self, found: Sequence[jsonschema.ValidationError]) -> None:
        missing: dict[RawPath, list[str]] = defaultdict(list)
        unknown: list[tuple[RawPath, object, list[str]]] = []
        for error in found:
            where, instance = tuple(error.absolute_path), error.instance
            if not isinstance(instance, dict):
                continue
            if error.validator == "required":
                missing[where] += [n for n in error.validator_value if n not in instance]
            elif error.validator in ("oneOf", "anyOf") and _required_only(error.validator_value):
                if error.context:  # none of them written (not: several written)
                    missing[where] += _required_names(error.validator_value)
            elif error.validator == "additionalProperties":
                allowed = sorted(error.schema.get("properties", {}))
                unknown += [(where, key, allowed) for key in instance if key not in allowed]
        self.suggestions: dict[tuple[RawPath, object], str | None] = {}
        self.explained: set[tuple[RawPath, str]] = set()
        for where, key, allowed in unknown:
            if (where, key) in self.suggestions:
                continue
            open_ = [name for name in missing[where] if (where, name) not in self.explained]
            suggestion = say.close_name(key, open_, allowed)
            self.suggestions[(where, key)] = suggestion
            if suggestion in open_:
                self.explained.add((where, suggestion))

    def is_explained(self, where: RawPath, name: str) -> bool:
        """A missing field whose typo is already reported at the same object."""
        return (where, name) in self.explained


def add_schema_errors(document, validator: jsonschema.Validator, errors: SourceErrors) -> None:
    """Every schema error of ``document``, in plain words at its place, once each."""
    found = sorted(validator.iter_errors(document), key=_order)
    typos = _Typos(found)
    seen: set[tuple] = set()
    for error in found:
        for where, message in _messages(error, typos):
            key = (where, message)
            if key in seen:
                continue
            seen.add(key)
            errors.add_at(position_of(document, where), field_path(document, where), message)


def _messages(error: jsonschema.ValidationError, typos: _Typos) -> _Found:  # noqa: C901 - one sentence per kind of check, read top to bottom
    where = tuple(error.absolute_path)
    field = subject(where) or _("the file")
    kind, limit, value = error.validator, error.validator_value, error.instance
    if "propertyNames" in error.relative_schema_path:
        return _name_messages(error, where)
    if kind == "required":
        return _missing(error, where, typos)
    if kind == "additionalProperties":
        return _unknown(error, where, typos)
    if kind in ("oneOf", "anyOf"):
        return _alternatives(error, where, field, typos)
    if kind == "type":
        return [(where, say.wrong_type(field, _kinds(limit), value))]
    if kind == "enum":
        options = [str(option) for option in limit if option is not None]
        suggestion = say.close_name(value, options) if isinstance(value, str) else None
        return [(where, say.not_one_of(field, limit, value, suggestion=suggestion))]
    if kind == "const":
        return [(where, say.must_equal(field, limit, value))]
    if kind in ("minimum", "exclusiveMinimum"):
        exclusive = kind == "exclusiveMinimum"
        return [(where, say.below_minimum(field, limit, value, exclusive=exclusive))]
    if kind in ("maximum", "exclusiveMaximum"):
        exclusive = kind == "exclusiveMaximum"
        return [(where, say.above_maximum(field, limit, value, exclusive=exclusive))]
    if kind == "minLength":
        message = say.empty_text(field) if limit <= 1 else say.too_short(field, limit, len(value))
        return [(where, message)]
    if kind == "maxLength":
        return [(where, say.too_long(field, limit, len(value)))]
    return _counted(error, where, field) or [(where, _other(error, field))]


def _counted(error: jsonschema.ValidationError, where: RawPath, field: str) -> _Found:
    kind, limit, value = error.validator, error.validator_value, error.instance
    sentences = {
        "minItems": say.too_few_items,
        "maxItems": say.too_many_items,
        "minProperties": say.too_few_entries,
        "maxProperties": say.too_many_entries,
    }
    if kind in sentences:
        return [(where, sentences[kind](field, limit, len(value)))]
    if kind == "uniqueItems":
        return [(where, say.not_unique(field))]
    if kind == "pattern":
        words = _pattern_words(limit)
        if words is not None:
            return [(where, say.bad_characters(field, words, value))]
        return [(where, say.bad_form(field, value))]
    return []


def _other(error: jsonschema.ValidationError, field: str) -> str:
    """A check the scenario schema does not use: jsonschema's own words, cut."""
    message = f"{field}: {error.message}"
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return message


def _kinds(types) -> list[str]:
    return [types] if isinstance(types, str) else list(types)


def _missing(error: jsonschema.ValidationError, where: RawPath, typos: _Typos) -> _Found:
    if not isinstance(error.instance, dict):
        return []
    return [
        (where, say.missing_field(name))
        for name in error.validator_value
        if name not in error.instance and not typos.is_explained(where, name)
    ]


def _unknown(error: jsonschema.ValidationError, where: RawPath, typos: _Typos) -> _Found:
    if not isinstance(error.instance, dict):
        return []
    allowed = sorted(error.schema.get("properties", {}))
    return [
        (
            (*where, key),
            say.unknown_field(key, suggestion=typos.suggestions.get((where, key)), allowed=allowed),
        )
        for key in sorted(error.instance, key=str)
        if key not in allowed
    ]


def _name_messages(error: jsonschema.ValidationError, where: RawPath) -> _Found:
    """A key of a mapping whose names are checked (steps, intents): the name is the
    problem, told at the key."""
    name, limit = error.instance, error.validator_value
    at = (*where, name)
    owner = subject(where) or _("the file")
    if error.validator == "pattern":
        words = _pattern_words(limit) or limit
        return [(at, say.bad_name(owner, name, words))]
    if error.validator == "maxLength":
        return [(at, say.too_long(say.quoted(name), limit, len(str(name))))]
    return [(at, say.bad_name(owner, name, str(limit)))]


def _lacks_own_field(sub: jsonschema.ValidationError, where: RawPath) -> bool:
    """A field of the object at ``where`` is missing, or is an empty list."""
    path = tuple(sub.absolute_path)
    if sub.validator == "required":
        return path == where
    return sub.validator == "minItems" and path[:-1] == where and not sub.instance


def _alternatives(
    error: jsonschema.ValidationError, where: RawPath, field: str, typos: _Typos
) -> _Found:
    """``oneOf``/``anyOf``: told by the alternative the value comes closest to."""
    alternatives, value = error.validator_value, error.instance
    if not error.context:  # oneOf: valid under several alternatives
        written = value if isinstance(value, dict) else {}
        present = [n for n in _required_names(alternatives) if n in written]
        if len(present) > 1:
            return [(where, say.only_one_of(field, present))]
        return [(where, _other(error, field))]
    if _required_only(alternatives):
        names = _required_names(alternatives)
        if any(typos.is_explained(where, name) for name in names):
            return []
        return [(where, say.missing_one_of(field, names))]
    by_alternative: dict[int, list] = defaultdict(list)
    for sub in error.context:
        by_alternative[sub.relative_schema_path[0]].append(sub)
    fitting = [
        index
        for index in range(len(alternatives))
        if not any(
            sub.validator == "type" and tuple(sub.absolute_path) == where
            for sub in by_alternative[index]
        )
    ]
    if not fitting:
        kinds = [kind for alt in alternatives for kind in _kinds(_part(alt, "type"))]
        return [(where, say.wrong_type(field, kinds, value))]
    fewest = min(len(by_alternative[index]) for index in fitting)
    closest = [index for index in fitting if len(by_alternative[index]) == fewest]
    subs = [sub for index in closest for sub in by_alternative[index]]
    if len(closest) > 1 and all(_lacks_own_field(sub, where) for sub in subs):
        # Each alternative lacks only its own field: an intent with neither any nor all,
        # or with them empty.
        names = _required_names([alternatives[index] for index in closest])
        if all(sub.validator == "required" for sub in subs):
            return [(where, say.missing_one_of(field, list(dict.fromkeys(names))))]
        return [(where, say.missing_or_empty(field, list(dict.fromkeys(names))))]
    # The chosen alternative's own errors decide which of its missing fields is a typo of
    # an unknown one ("aftr_s" for after_s): one message, as at the top level.
    chosen = by_alternative[closest[0]]
    chosen_typos = _Typos(chosen)
    return [found for sub in chosen for found in _messages(sub, chosen_typos)]
