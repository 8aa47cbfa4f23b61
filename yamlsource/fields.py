"""Field checks for located YAML documents: each failed check adds an error at the field.

Checks return the cleaned value, or ``None`` when the value is missing or wrong, so a
validator can keep going and report every error of a file in one pass. Messages name the
field and what was written, in the active language (``yamlsource.wording``).

One typo is one message: an unknown field that resembles an allowed one is reported with
the suggestion ("unknown field nmae; did you mean name?"), and when the field it resembles
is required and missing, that "missing" error is not reported as well.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from yamlsource import wording
from yamlsource.errors import SourceError, SourceErrors
from yamlsource.fieldpath import FieldPath, as_path, subject
from yamlsource.loader import LocatedDict, LocatedList

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MISSING = object()


def _dotted(parts: FieldPath) -> str:
    """``products[1].price``: the dotted path with 0-based ``[i]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else str(part)
    return text


class Fields:
    """Checks on one mapping, naming fields by their path (keys and list indices)."""

    def __init__(self, node, path: str | FieldPath, errors: SourceErrors) -> None:
        self.node = node
        self.parts = as_path(path)
        self.errors = errors
        # Typos already reported by ``known``: the required field each one resembles.
        self._typos: set[str] = set()
        # "missing" errors already reported, by field name (``known`` may withdraw one).
        self._missing: dict[str, SourceError] = {}

    @property
    def path(self) -> str:
        """The dotted path with 0-based ``[i]`` (the form importers extend and pass back)."""
        return _dotted(self.parts)

    def _parts(self, key: str | int) -> FieldPath:
        return (*self.parts, key)

    def subject(self, key: str | int) -> str:
        """The field ``key`` as a message names it."""
        return subject(self._parts(key))

    def error(self, key: str | int | None, message: str) -> None:
        path = self._parts(key) if key is not None else self.parts
        self.errors.add(self.node, key, message, path=path)

    def known(self, allowed: set[str]) -> None:
        """Report every field not in ``allowed``, with the allowed one it resembles."""
        missing = [name for name in sorted(allowed) if name not in self.node]
        for key in self.node:
            if key in allowed:
                continue
            suggestion = wording.close_name(key, missing, sorted(allowed))
            message = wording.unknown_field(key, suggestion=suggestion, allowed=allowed)
            # The key as text in the path: a number written as a key is a name, not an index.
            self.errors.add(self.node, key, message, path=(*self.parts, str(key)))
            if suggestion in missing:
                self._typo_of(suggestion)

    def _typo_of(self, name: str) -> None:
        """``name`` is missing because of a typo already reported: no "missing" error."""
        self._typos.add(name)
        reported = self._missing.pop(name, None)
        if reported is not None and reported in self.errors.errors:
            self.errors.errors.remove(reported)

    def _get(self, key: str, required: bool):
        value = self.node.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required and value is None:
                self.error(key, wording.missing_value(key))
            elif required and key not in self._typos:
                self.errors.add(self.node, None, wording.missing_field(key), path=self.parts)
                self._missing[key] = self.errors.errors[-1]
            return None
        return value

    def text(
        self,
        key: str,
        *,
        required: bool = True,
        max_length: int | None = None,
        allow_empty: bool = False,
    ) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, wording.wrong_type(self.subject(key), ["string"], value))
            return None
        value = str(value).strip()
        if not value and not allow_empty:
            if required:
                self.error(key, wording.empty_text(self.subject(key)))
            return None
        if max_length is not None and len(value) > max_length:
            self.error(key, wording.too_long(self.subject(key), max_length, len(value)))
            return None
        return value

    def slug(self, key: str = "slug", *, required: bool = True) -> str | None:
        value = self.text(key, required=required, max_length=80)
        if value is not None and not SLUG_RE.match(value):
            self.error(key, wording.not_a_slug(self.subject(key), value))
            return None
        return value

    def integer(
        self,
        key: str,
        *,
        required: bool = True,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, wording.wrong_type(self.subject(key), ["integer"], value))
            return None
        if minimum is not None and value < minimum:
            self.error(key, wording.below_minimum(self.subject(key), minimum, value))
            return None
        if maximum is not None and value > maximum:
            self.error(key, wording.above_maximum(self.subject(key), maximum, value))
            return None
        return value

    def decimal(
        self, key: str, *, required: bool = True, minimum: Decimal | int = 0
    ) -> Decimal | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, wording.wrong_type(self.subject(key), ["number"], value))
            return None
        try:
            number = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            self.error(key, wording.wrong_type(self.subject(key), ["number"], value))
            return None
        if number < minimum:
            self.error(key, wording.below_minimum(self.subject(key), minimum, number))
            return None
        return number

    def boolean(
        self, key: str, *, required: bool = True, default: bool | None = None
    ) -> bool | None:
        value = self._get(key, required and default is None)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, wording.wrong_type(self.subject(key), ["boolean"], value))
            return default
        return value

    def date(self, key: str, *, required: bool = True) -> datetime.date | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        self.error(key, wording.not_a_date(self.subject(key), value))
        return None

    def choice(self, key: str, options: tuple[str, ...], *, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is not None and value not in options:
            suggestion = wording.close_name(value, options)
            self.error(
                key, wording.not_one_of(self.subject(key), options, value, suggestion=suggestion)
            )
            return None
        return value

    def mapping(self, key: str, *, required: bool = True) -> LocatedDict | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(key, wording.wrong_type(self.subject(key), ["object"], value))
            return None
        return value

    def sequence(
        self, key: str, *, required: bool = True, min_items: int = 0, max_items: int | None = None
    ) -> LocatedList | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, list):
            self.error(key, wording.wrong_type(self.subject(key), ["array"], value))
            return None
        if len(value) < min_items:
            self.error(key, wording.too_few_items(self.subject(key), min_items, len(value)))
        if max_items is not None and len(value) > max_items:
            self.error(key, wording.too_many_items(self.subject(key), max_items, len(value)))
        return value

    def text_list(
        self, key: str, *, required: bool = True, min_items: int = 0, max_length: int = 500
    ) -> list[str]:
        items = self.sequence(key, required=required, min_items=min_items)
        result: list[str] = []
        for index, item in enumerate(items or []):
            path = (*self._parts(key), index)
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                message = wording.wrong_type(subject(path), ["string"], item)
            elif not str(item).strip():
                message = wording.empty_text(subject(path))
            elif len(str(item)) > max_length:
                message = wording.too_long(subject(path), max_length, len(str(item)))
            else:
                result.append(str(item).strip())
                continue
            self.errors.add(items, index, message, path=path)
        return result

    def child(self, key: str | int, node) -> Fields | None:
        """Fields of a nested mapping; reports an error if it is not a mapping."""
        if not isinstance(node, dict):
            self.error(key, wording.wrong_type(self.subject(key), ["object"], node))
            return None
        return Fields(node, self._parts(key), self.errors)


def items_of(parent: Fields, key: str, sequence: LocatedList | None):
    """Yield (Fields, index) for every mapping item of a list, reporting non-mappings."""
    for index, item in enumerate(sequence or []):
        path = (*parent._parts(key), index)
        if not isinstance(item, dict):
            message = wording.wrong_type(subject(path), ["object"], item)
            parent.errors.add(sequence, index, message, path=path)
            continue
        yield Fields(item, path, parent.errors), index
