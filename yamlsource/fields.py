"""Field checks for located YAML documents: each failed check adds an error at the field.

Checks return the cleaned value, or ``None`` when the value is missing or wrong, so a
validator can keep going and report every error of a file in one pass.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from yamlsource.errors import SourceErrors
from yamlsource.loader import LocatedDict, LocatedList

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MISSING = object()


class Fields:
    """Checks on one mapping, naming fields by their dotted path for the messages."""

    def __init__(self, node, path: str, errors: SourceErrors) -> None:
        self.node = node
        self.path = path
        self.errors = errors

    def _name(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str | int | None, message: str) -> None:
        path = self._name(key) if key is not None else self.path
        self.errors.add(self.node, key, message, path=path)

    def known(self, allowed: set[str]) -> None:
        for key in self.node:
            if key not in allowed:
                self.error(key, f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def _get(self, key: str, required: bool):
        value = self.node.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.error(None if value is _MISSING else key, f"{self._name(key)} is required")
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
            self.error(key, "must be text")
            return None
        value = str(value).strip()
        if not value and not allow_empty:
            if required:
                self.error(key, "must not be empty")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(key, f"must be at most {max_length} characters (has {len(value)})")
            return None
        return value

    def slug(self, key: str = "slug", *, required: bool = True) -> str | None:
        value = self.text(key, required=required, max_length=80)
        if value is not None and not SLUG_RE.match(value):
            self.error(key, f"“{value}” is not a slug (lowercase letters, digits and '-')")
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
            self.error(key, "must be a whole number")
            return None
        if minimum is not None and value < minimum:
            self.error(key, f"must be at least {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.error(key, f"must be at most {maximum}")
            return None
        return value

    def decimal(
        self, key: str, *, required: bool = True, minimum: Decimal | int = 0
    ) -> Decimal | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool):
            self.error(key, "must be a number")
            return None
        try:
            number = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            self.error(key, "must be a number")
            return None
        if number < minimum:
            self.error(key, f"must be at least {minimum}")
            return None
        return number

    def boolean(
        self, key: str, *, required: bool = True, default: bool | None = None
    ) -> bool | None:
        value = self._get(key, required and default is None)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, "must be true or false")
            return default
        return value

    def date(self, key: str, *, required: bool = True) -> datetime.date | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        self.error(key, "must be a date written YYYY-MM-DD")
        return None

    def choice(self, key: str, options: tuple[str, ...], *, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is not None and value not in options:
            self.error(key, f"“{value}” is not one of: {', '.join(options)}")
            return None
        return value

    def mapping(self, key: str, *, required: bool = True) -> LocatedDict | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(key, "must be a mapping (key: value lines)")
            return None
        return value

    def sequence(
        self, key: str, *, required: bool = True, min_items: int = 0, max_items: int | None = None
    ) -> LocatedList | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, list):
            self.error(key, "must be a list")
            return None
        if len(value) < min_items:
            self.error(key, f"needs at least {min_items} item(s)")
        if max_items is not None and len(value) > max_items:
            self.error(key, f"allows at most {max_items} items (has {len(value)})")
        return value

    def text_list(
        self, key: str, *, required: bool = True, min_items: int = 0, max_length: int = 500
    ) -> list[str]:
        items = self.sequence(key, required=required, min_items=min_items)
        result: list[str] = []
        for index, item in enumerate(items or []):
            if (
                isinstance(item, bool)
                or not isinstance(item, str | int | float)
                or not str(item).strip()
            ):
                self.errors.add(
                    items, index, "must be non-empty text", path=f"{self._name(key)}[{index}]"
                )
                continue
            if len(str(item)) > max_length:
                self.errors.add(
                    items,
                    index,
                    f"must be at most {max_length} characters",
                    path=f"{self._name(key)}[{index}]",
                )
                continue
            result.append(str(item).strip())
        return result

    def child(self, key: str | int, node) -> Fields | None:
        """Fields of a nested mapping; reports an error if it is not a mapping."""
        if not isinstance(node, dict):
            self.error(key, "must be a mapping (key: value lines)")
            return None
        return Fields(node, self._name(key), self.errors)


def items_of(parent: Fields, key: str, sequence: LocatedList | None):
    """Yield (Fields, index) for every mapping item of a list, reporting non-mappings."""
    for index, item in enumerate(sequence or []):
        name = f"{parent._name(key)}[{index}]"
        if not isinstance(item, dict):
            parent.errors.add(sequence, index, "must be a mapping (key: value lines)", path=name)
            continue
        yield Fields(item, name, parent.errors), index
