"""Errors that name their place in a source file."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.position.file}:{self.position.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.position.file,
            "line": self.position.line,
            "column": self.position.column,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class SourceErrors(Exception):
    """A collection of errors; raised when validation found any."""

    errors: list[SourceError] = field(default_factory=list)

    def add(self, node, key: str | int | None, message: str, *, path: str = "") -> None:
        """Record ``message`` about ``node[key]`` (or the node itself when key is None)."""
        position = node.position(key) if hasattr(node, "position") else Position("?", 0, 0)
        label = path or (str(key) if key is not None else "")
        self.errors.append(SourceError(position, label, message))

    def add_at(self, position: Position, field_name: str, message: str) -> None:
        self.errors.append(SourceError(position, field_name, message))

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
