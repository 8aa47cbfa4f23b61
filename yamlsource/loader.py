"""A safe YAML loader whose mappings and lists remember where each item was written."""

from __future__ import annotations

from pathlib import Path

import yaml

from yamlsource.errors import Position, SourceErrors

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32


class _Located:
    file: str
    start: Position
    _positions: dict

    def position(self, key=None) -> Position:
        """Where ``key``'s value starts (or the node itself when key is None or unknown)."""
        if key is None:
            return self.start
        return self._positions.get(key, self.start)


class LocatedDict(dict, _Located):
    """A mapping; ``position(key)`` is where that key was written."""


class LocatedList(list, _Located):
    """A sequence; ``position(index)`` is where that item was written."""


def _mark(file: str, mark) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


class _Loader(yaml.SafeLoader):
    source_name = "<text>"

    def construct_located_mapping(self, node: yaml.MappingNode) -> LocatedDict:
        result = LocatedDict()
        result.file = self.source_name
        result.start = _mark(self.source_name, node.start_mark)
        result._positions = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result._positions[key] = _mark(self.source_name, key_node.start_mark)
        return result

    def construct_located_sequence(self, node: yaml.SequenceNode) -> LocatedList:
        result = LocatedList()
        result.file = self.source_name
        result.start = _mark(self.source_name, node.start_mark)
        result._positions = {}
        for index, child in enumerate(node.value):
            result.append(self.construct_object(child, deep=True))
            result._positions[index] = _mark(self.source_name, child.start_mark)
        return result


_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_located_mapping
)
_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_located_sequence
)


def _depth(node: yaml.Node, limit: int) -> int:
    """Nesting depth of a composed node tree, stopping early past ``limit``."""
    stack = [(node, 1)]
    deepest = 0
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
    return deepest


def load_text(text: str, name: str = "<text>", *, max_depth: int = MAX_DEPTH):
    """Parse one YAML document. Syntax errors raise ``SourceErrors`` with their position."""
    errors = SourceErrors()
    loader = _Loader(text)
    loader.source_name = name
    try:
        node = loader.get_single_node()
        if node is None:
            errors.add_at(Position(name, 1, 1), "", "the file is empty")
            raise errors
        if _depth(node, max_depth) > max_depth:
            errors.add_at(
                _mark(name, node.start_mark), "", f"nesting deeper than {max_depth} levels"
            )
            raise errors
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = _mark(name, mark) if mark is not None else Position(name, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        errors.add_at(position, "", f"YAML syntax: {problem}")
        raise errors from None
    except yaml.YAMLError as exc:
        errors.add_at(Position(name, 1, 1), "", f"YAML: {exc}")
        raise errors from None
    except RecursionError:
        errors.add_at(Position(name, 1, 1), "", f"nesting deeper than {max_depth} levels")
        raise errors from None
    finally:
        loader.dispose()


def load_file(path: Path | str, *, display_name: str | None = None):
    """Read and parse a YAML file (UTF-8, at most 1 MB)."""
    path = Path(path)
    name = display_name or str(path)
    errors = SourceErrors()
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.add_at(Position(name, 1, 1), "", f"cannot read the file: {exc.strerror}")
        raise errors from None
    if len(data) > MAX_FILE_BYTES:
        errors.add_at(Position(name, 1, 1), "", f"the file is larger than {MAX_FILE_BYTES} bytes")
        raise errors
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add_at(Position(name, line, 1), "", "the file is not valid UTF-8")
        raise errors from None
    return load_text(text, name)
