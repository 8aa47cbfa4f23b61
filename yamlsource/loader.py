"""A safe YAML loader whose mappings and lists remember where each item was written.

Content files are data written by hand: they have no use for aliases (``*name``), for tags
beyond the plain types, for nesting dozens of levels deep or for more than a few thousand
values. The parser's events are screened before anything is built, so that a small hostile
file (aliases nested into a "billion laughs", half a million list items, thousands of
brackets) is refused at the place of its first offending item in milliseconds instead of
costing seconds of CPU in every importer, the editor's live validation included.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml

from yamlsource.errors import Position, SourceErrors

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
# The largest shipped content file (a catalogue) holds about 1,500 values; a file at this
# limit (twenty times that) loads in under half a second.
MAX_NODES = 30_000
# Numbers and dates are short; a long one (a sexagesimal ``1:00:00:…`` of a megabyte) would
# cost quadratic time to convert.
MAX_NUMBER_CHARS = 100

# libyaml (shipped in PyYAML's wheels) scans a megabyte in milliseconds; the pure-Python
# scanner needs seconds. Both give the same events, marks and errors.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The tags a value may carry, by kind of node (None and "!": no tag written).
_SCALAR_TAGS = frozenset(
    {None, "!"}
    | {f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null", "timestamp")}
)
_PLAIN_TAGS = {
    yaml.ScalarEvent: _SCALAR_TAGS,
    yaml.MappingStartEvent: frozenset({None, "!", "tag:yaml.org,2002:map"}),
    yaml.SequenceStartEvent: frozenset({None, "!", "tag:yaml.org,2002:seq"}),
}
# The characters a YAML stream may not contain (PyYAML's reader refuses the same set); lone
# surrogates are among them.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


class _Loader(_Base):
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
                    None, None, f"duplicate key {_shown(key)}", key_node.start_mark
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


def _shown(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _checked_scalar(construct, kind: str):
    """``construct`` (a number, date or true/false constructor) refusing values too long to
    convert cheaply, and reporting impossible ones (``2026-13-45``, ``0x_``, ``!!bool x``)
    at their place instead of raising ``ValueError`` or ``IndexError``. ``.nan``, ``.inf``
    and ``1e999`` are refused too: no content has a use for them, and databases refuse them
    in JSON."""

    def checked(loader: _Loader, node: yaml.ScalarNode):
        if len(node.value) > MAX_NUMBER_CHARS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a {kind} longer than {MAX_NUMBER_CHARS} characters", node.start_mark
            )
        try:
            value = construct(loader, node)
        except (ValueError, OverflowError, LookupError, AttributeError, TypeError):
            value = None
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            # None: the conversion failed (these constructors never return None).
            raise yaml.constructor.ConstructorError(
                None, None, f"{_shown(node.value)} is not a valid {kind}", node.start_mark
            )
        return value

    return checked


_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_located_mapping
)
_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_located_sequence
)
for _kind, _label in (
    ("int", "number"),
    ("float", "number"),
    ("timestamp", "date"),
    ("bool", "true/false value"),
):
    _tag = f"tag:yaml.org,2002:{_kind}"
    _Loader.add_constructor(_tag, _checked_scalar(_Loader.yaml_constructors[_tag], _label))


class _Screen:
    """Counts values and nesting along the parser's events and names the first problem."""

    def __init__(self, max_depth: int, max_nodes: int) -> None:
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.depth = 0
        self.nodes = 0

    def problem(self, event: yaml.Event) -> str | None:
        if isinstance(event, yaml.AliasEvent):
            # Shared values make a small file expand to billions of nodes ("billion laughs").
            return (
                f"aliases (*{event.anchor[:30]}) are not allowed in content files: "
                "write the value out"
            )
        if isinstance(event, yaml.CollectionEndEvent):
            self.depth -= 1
            return None
        if not isinstance(event, yaml.NodeEvent):
            return None
        self.nodes += 1
        level = self.depth + 1
        if isinstance(event, yaml.CollectionStartEvent):
            self.depth += 1
        if event.tag not in _PLAIN_TAGS[type(event)]:
            return f"the tag {_shown(event.tag)} is not allowed in content files"
        if level > self.max_depth:
            return f"nesting deeper than {self.max_depth} levels"
        if self.nodes > self.max_nodes:
            return f"more than {self.max_nodes} values in one file"
        return None


def _screen(text: str, name: str, *, max_depth: int, max_nodes: int) -> None:
    """Refuse aliases, unusual tags, deep nesting and too many values, from the events alone
    (nothing is built yet)."""
    screen = _Screen(max_depth, max_nodes)
    parser = _Base(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            problem = screen.problem(event)
            if problem is not None:
                errors = SourceErrors()
                errors.add_at(_mark(name, event.start_mark), "", problem)
                raise errors
    finally:
        parser.dispose()


def _construct(text: str, name: str):
    loader = _Loader(text)
    loader.source_name = name
    try:
        node = loader.get_single_node()
        if node is None:
            errors = SourceErrors()
            errors.add_at(Position(name, 1, 1), "", "the file is empty")
            raise errors
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _place(text: str, index: int, name: str) -> Position:
    line_start = text.rfind("\n", 0, index) + 1
    return Position(name, text.count("\n", 0, index) + 1, index - line_start + 1)


# Line breaks as the YAML scanner counts them.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _inside(position: Position, text: str) -> Position:
    """libyaml ends a stream that lacks a final line break on a line of its own (it forces
    one), so an error found at the end is placed past the last line; it belongs at the end
    of that line."""
    breaks = list(_LINE_BREAK.finditer(text))
    if position.line <= len(breaks) + 1:
        return position
    last_line = text[breaks[-1].end() :] if breaks else text
    return Position(position.file, len(breaks) + 1, len(last_line) + 1)


def _refuse_too_large(name: str) -> None:
    errors = SourceErrors()
    errors.add_at(Position(name, 1, 1), "", f"the file is larger than {MAX_FILE_BYTES} bytes")
    raise errors


def _source_text(source: str | bytes, name: str) -> str:
    """The text of a file: UTF-8 (a BOM allowed), at most ``MAX_FILE_BYTES``, only the
    characters YAML allows."""
    errors = SourceErrors()
    if isinstance(source, bytes):
        if len(source) > MAX_FILE_BYTES:
            _refuse_too_large(name)
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = source[: exc.start].count(b"\n") + 1
            errors.add_at(Position(name, line, 1), "", "the file is not valid UTF-8")
            raise errors from None
    else:
        text = source
        if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > (
            MAX_FILE_BYTES
        ):
            _refuse_too_large(name)
    found = _NOT_PRINTABLE.search(text)
    if found is not None:
        errors.add_at(
            _place(text, found.start(), name),
            "",
            f"the character U+{ord(found.group()):04X} is not allowed in a YAML file",
        )
        raise errors
    return text


def load_text(
    source: str | bytes,
    name: str = "<text>",
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
):
    """Parse one YAML document (text, or UTF-8 bytes). Every problem raises ``SourceErrors``
    with its position: syntax, aliases, tags, nesting, size."""
    errors = SourceErrors()
    text = _source_text(source, name)
    try:
        _screen(text, name, max_depth=max_depth, max_nodes=max_nodes)
        return _construct(text, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = _inside(_mark(name, mark), text) if mark is not None else Position(name, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        errors.add_at(position, "", f"YAML syntax: {problem}")
        raise errors from None
    except yaml.YAMLError as exc:
        errors.add_at(Position(name, 1, 1), "", f"YAML: {exc}")
        raise errors from None
    except RecursionError:
        errors.add_at(Position(name, 1, 1), "", f"nesting deeper than {max_depth} levels")
        raise errors from None


def load_file(path: Path | str, *, display_name: str | None = None, max_nodes: int = MAX_NODES):
    """Read and parse a YAML file (UTF-8, at most 1 MB)."""
    path = Path(path)
    name = display_name or str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            _refuse_too_large(name)  # before reading a file of any size into memory
        data = path.read_bytes()
    except OSError as exc:
        errors = SourceErrors()
        errors.add_at(Position(name, 1, 1), "", f"cannot read the file: {exc.strerror}")
        raise errors from None
    return load_text(data, name, max_nodes=max_nodes)
