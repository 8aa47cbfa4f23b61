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
from yamlsource.i18n import gettext as _
from yamlsource.i18n import pgettext
from yamlsource.syntax import LINE_BREAK, explain, mark_inside

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


class _Refused(Exception):
    """What this loader refuses in a file that YAML itself allows (a repeated key, an
    impossible date, …): the message, at the parser's mark."""

    def __init__(self, mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


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
                raise _Refused(
                    key_node.start_mark,
                    _("a field name must be a plain word, not a list or a mapping"),
                )
            if key in result:
                raise _Refused(
                    key_node.start_mark,
                    _("the field %(name)s is written twice (first on line %(line)d)")
                    % {"name": _shown(key), "line": result._positions[key].line},
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
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind_words() -> dict[str, str]:
    return {
        "number": pgettext("kind of value", "number"),
        "date": pgettext("kind of value", "date"),
        "bool": pgettext("kind of value", "true/false value"),
    }


def _checked_scalar(construct, kind: str):
    """``construct`` (a number, date or true/false constructor) refusing values too long to
    convert cheaply, and reporting impossible ones (``2026-13-45``, ``0x_``, ``!!bool x``)
    at their place instead of raising ``ValueError`` or ``IndexError``. ``.nan``, ``.inf``
    and ``1e999`` are refused too: no content has a use for them, and databases refuse them
    in JSON."""

    def checked(loader: _Loader, node: yaml.ScalarNode):
        if len(node.value) > MAX_NUMBER_CHARS:
            raise _Refused(
                node.start_mark,
                _("a %(kind)s longer than %(limit)d characters")
                % {"kind": _kind_words()[kind], "limit": MAX_NUMBER_CHARS},
            )
        try:
            value = construct(loader, node)
        except (ValueError, OverflowError, LookupError, AttributeError, TypeError):
            value = None
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            # None: the conversion failed (these constructors never return None).
            raise _Refused(
                node.start_mark,
                _("%(value)s is not a valid %(kind)s")
                % {"value": f"'{_shown(node.value)}'", "kind": _kind_words()[kind]},
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
    ("bool", "bool"),
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
            return _(
                "aliases (*%(name)s) are not allowed in content files: write the value out"
            ) % {"name": event.anchor[:30]}
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
            return _("the tag %(tag)s is not allowed in content files") % {
                "tag": f"'{_shown(event.tag)}'"
            }
        if level > self.max_depth:
            return _nesting(self.max_depth)
        if self.nodes > self.max_nodes:
            return _("more than %(limit)d values in one file") % {"limit": self.max_nodes}
        return None


def _nesting(max_depth: int) -> str:
    return _("nesting deeper than %(limit)d levels") % {"limit": max_depth}


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
            errors.add_at(Position(name, 1, 1), "", _("the file is empty"))
            raise errors
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _place(text: str, index: int, name: str) -> Position:
    line_start = text.rfind("\n", 0, index) + 1
    return Position(name, text.count("\n", 0, index) + 1, index - line_start + 1)


def too_large_message() -> str:
    return _("the file is larger than %(limit)d bytes (1 MB)") % {"limit": MAX_FILE_BYTES}


def not_utf8_message() -> str:
    return _("the file is not valid UTF-8 text (save it as UTF-8)")


def _refuse_too_large(name: str) -> None:
    errors = SourceErrors()
    errors.add_at(Position(name, 1, 1), "", too_large_message())
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
            errors.add_at(Position(name, line, 1), "", not_utf8_message())
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
            _("the character %(code)s is not allowed in a YAML file")
            % {"code": f"U+{ord(found.group()):04X}"},
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
    except _Refused as refused:
        line, column = mark_inside(refused.mark, LINE_BREAK.split(text))
        errors.add_at(Position(name, line, column), "", refused.message)
        raise errors from None
    except yaml.MarkedYAMLError as exc:
        slip = explain(exc, text)
        errors.add_at(Position(name, slip.line, slip.column), "", slip.message)
        raise errors from None
    except yaml.YAMLError as exc:
        errors.add_at(Position(name, 1, 1), "", _("not valid YAML: %(problem)s") % {"problem": exc})
        raise errors from None
    except RecursionError:
        errors.add_at(Position(name, 1, 1), "", _nesting(max_depth))
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
        errors.add_at(Position(name, 1, 1), "", cannot_read_message(exc))
        raise errors from None
    return load_text(data, name, max_nodes=max_nodes)


def cannot_read_message(exc: OSError) -> str:
    return _("cannot read the file: %(reason)s") % {"reason": exc.strerror or exc}
