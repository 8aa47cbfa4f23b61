"""Reading JSON that comes from outside (REST bodies, socket frames) without being hurt by it.

Python's ``json`` recurses once per nesting level: a body of 100,000 ``[`` raises
RecursionError, which is no ValueError, so it became a 500 on every REST endpoint and
dropped the role-play socket without a close frame. A depth the parser survives can still
be too deep for whatever walks the value afterwards (serializers, ``json.dumps`` into a
JSONField, ``copy.deepcopy``). So nesting is counted first, without recursion, and refused
past ``MAX_DEPTH`` with the place where it happened (no request we serve needs more
than a few levels).

``json`` also reads ``NaN``, ``Infinity`` and numbers too large for a float (``1e999``
becomes ``inf``). JSON has no such values and the database refuses them in a JSON column,
so they are refused here by name and place, before any code can store them.

Used by the REST parser (``SafeJSONParser``, in REST_FRAMEWORK's settings), the sockets'
frame decoding, and ``JSONFormField`` for forms that edit a model's JSONField.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
from typing import Any, NoReturn

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

MAX_DEPTH = 64

# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
# A JSON string, a constant JSON does not have, or a number Python reads as a float.
_STRING_CONSTANT_OR_FLOAT = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|-?Infinity|NaN|-?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)'
)


class JSONInputError(ValueError):
    """The text is not JSON we accept; the message says what and where."""


def _place(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line} column {column}"


def _check_depth(text: str, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth``, in one pass and without recursion."""
    if text.count("[") + text.count("{") <= max_depth:
        return  # cannot be too deep: the usual case costs two C-speed counts
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONInputError(
                    f"nested deeper than {max_depth} levels at {_place(text, match.start())}"
                )
        elif char in "]}":
            depth -= 1
            if depth < 0:
                return  # the parser stops with an error here, before anything deeper


def _non_finite_place(text: str) -> str:
    """The first NaN, Infinity or float too large, with its place (only called for one)."""
    for match in _STRING_CONSTANT_OR_FLOAT.finditer(text):
        token = match.group()
        if token[0] == '"' or (token[-1].isdigit() and math.isfinite(float(token))):
            continue
        return f"{token[:20]} at {_place(text, match.start())}"
    return "a number"


def _refuse_non_finite(text: str) -> NoReturn:
    raise JSONInputError(
        f"{_non_finite_place(text)} is not a finite number (JSON has no NaN or Infinity)"
    )


def json_parse(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The value of ``text``, or a JSONInputError naming the problem and its line and column."""

    def finite_float(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            _refuse_non_finite(text)
        return value

    _check_depth(text, max_depth)
    try:
        return json.loads(
            text, parse_constant=lambda _name: _refuse_non_finite(text), parse_float=finite_float
        )
    except JSONInputError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONInputError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # not reached past the depth check; the last guard all the same
        raise JSONInputError(f"nested deeper than {max_depth} levels") from None
    except ValueError:  # the only other one: an integer longer than Python converts
        raise JSONInputError(
            f"an integer has more than {sys.get_int_max_str_digits()} digits"
        ) from None


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, reading through ``json_parse``: a body nested too deeply or
    holding NaN or Infinity is a 400 (ParseError) saying where, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json_parse(text)
        except (JSONInputError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class JSONFormField(forms.JSONField):
    """Django's form JSONField (the admin's, for a model JSONField) reading through
    ``json_parse``: it catches only JSONDecodeError, so deep nesting was a 500 and NaN
    failed the database's JSON check on save. Use it with ``formfield_overrides``."""

    def to_python(self, value):
        if isinstance(value, str) and value not in self.empty_values and not self.disabled:
            try:
                json_parse(value)
            except JSONInputError as exc:
                raise ValidationError(
                    _("Enter valid JSON: %(why)s") % {"why": exc}, code="invalid"
                ) from None
        return super().to_python(value)

    def bound_data(self, data, initial):
        if isinstance(data, str) and not self.disabled:
            try:
                json_parse(data)
            except JSONInputError:
                return InvalidJSONInput(data)  # shown again as typed, like bad syntax
        return super().bound_data(data, initial)
