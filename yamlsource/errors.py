"""Errors that name their place in a source file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from yamlsource.fieldpath import field_label


@dataclass(frozen=True, order=True)
class Position:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class SourceError:
    position: Position
    field: str  # as shown to the author: list items counted from 1 (yamlsource.fieldpath)
    message: str

    def __str__(self) -> str:
        """``FILE:LINE:COLUMN: field: message``, as compilers write it (editors jump to it)."""
        if self.field:
            return f"{self.position}: {self.field}: {self.message}"
        return f"{self.position}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.position.file,
            "line": self.position.line,
            "column": self.position.column,
            "field": self.field,
            "message": self.message,
        }


# A field's place: keys and 0-based list indices, or the dotted text "products[1].price".
FieldPlace = str | Sequence[str | int]


@dataclass
class SourceErrors(Exception):
    """A collection of errors; raised when validation found any."""

    errors: list[SourceError] = field(default_factory=list)

    def add(self, node, key: str | int | None, message: str, *, path: FieldPlace = "") -> None:
        """Record ``message`` about ``node[key]`` (or the node itself when key is None);
        ``path`` names the field (default: ``key``)."""
        position = node.position(key) if hasattr(node, "position") else Position("?", 0, 0)
        if not path and key is not None:
            path = (key,)
        self.errors.append(SourceError(position, field_label(path), message))

    def add_at(self, position: Position, field_name: FieldPlace, message: str) -> None:
        self.errors.append(SourceError(position, field_label(field_name), message))

    def extend(self, other: SourceErrors) -> None:
        self.errors.extend(other.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in sorted(self.errors))

    def raise_if_any(self) -> None:
        if self.errors:
            raise self
