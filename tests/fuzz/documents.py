"""Strategies for hostile content files, and the check that every error says where.

A valid document is mutated (values replaced by values of another type, keys deleted,
unknown keys added) and written back as YAML, or its text is cut and spliced with pieces
of YAML syntax; so the fuzzers reach the field checks and the meaning checks behind the
parser, not only the parser.
"""

from __future__ import annotations

import copy
import re

import yaml
from hypothesis import strategies as st

from yamlsource import SourceErrors, load_text

# Pieces that reach the parser's corners (indentation, flow collections, anchors, tags,
# scalars resolved to numbers, dates and booleans, characters YAML refuses).
YAML_PIECES = [
    "a", "中文", "x: ", "- ", "? ", ": ", "\n", "  ", "\t", "[", "]", "{", "}", ", ", "&a ",
    "*a", "<<: ", "!!str ", "!!int ", "!!binary ", "!foo ", "1", "0x_", ".nan", "1.0e+999",
    "2026-13-45", "yes", "~", "null", "'", '"', "\\", "|\n", ">-\n", "#", "---\n", "...\n",
    "\x00", "\x85", "\u2028", "\ufeff", "\r", "=", "-1", "1e3", "[]", "{}",
]  # fmt: skip
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")

# Numbers at the edges: zero, negative, tiny, huge, past 64 bits.
EDGE_NUMBERS = [0, -1, 0.5, 1e-310, 1e-30, 1e15, 1e30, 1e300, 2**63, -(2**70)]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(EDGE_NUMBERS),
    st.text(max_size=12),
    st.dates(),
)


def plain(value):
    """A loaded document as plain dicts and lists, to mutate and write back as YAML."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def plain_file(path) -> dict:
    return plain(load_text(path.read_text(encoding="utf-8")))


def _paths(node, prefix: tuple = ()):
    yield prefix
    if isinstance(node, dict):
        for key, item in node.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _paths(item, (*prefix, index))


def _at(document, path: tuple):
    for key in path:
        document = document[key]
    return document


def mutated(original, words: list[str]):
    """``original`` with one to three mutations, values drawn from ``words`` as often as
    random ones (so that slugs, references and enum values of the format come up)."""
    some_scalars = st.one_of(scalars, st.sampled_from(words))
    keys = st.one_of(st.sampled_from(words), st.text(max_size=8), st.integers())
    values = st.recursive(
        some_scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=3)
        ),
        max_leaves=6,
    )

    @st.composite
    def strategy(draw):
        document = copy.deepcopy(original)
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(list(_paths(document))))
            action = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
            target = _at(document, path)
            if action == "add" and isinstance(target, dict):
                target[draw(keys)] = draw(values)
            elif action == "duplicate" and isinstance(target, list) and target:
                target.append(copy.deepcopy(draw(st.sampled_from(target))))
            elif action == "delete" and path:
                del _at(document, path[:-1])[path[-1]]
            elif path:
                _at(document, path[:-1])[path[-1]] = draw(values)
            else:
                document = draw(values)
        return document

    return strategy()


def as_yaml(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def spliced(text: str):
    """``text`` with a few cuts, each replaced by pieces of YAML syntax."""

    @st.composite
    def strategy(draw):
        result = text
        for _ in range(draw(st.integers(1, 3))):
            start = draw(st.integers(0, len(result)))
            end = draw(st.integers(start, min(len(result), start + 40)))
            piece = "".join(draw(st.lists(st.sampled_from(YAML_PIECES), max_size=4)))
            result = result[:start] + piece + result[end:]
        return result

    return strategy()


def yaml_texts(original) -> st.SearchStrategy[str]:
    """Documents near ``original`` (mutated, then written as YAML) and texts near its YAML."""
    text = as_yaml(original)
    return st.one_of(
        mutated(original, words_of(original)).map(as_yaml),
        spliced(text),
        st.lists(st.sampled_from(YAML_PIECES), max_size=30).map("".join),
    )


def words_of(document) -> list[str]:
    """The document's own keys and text values: references between its parts and the
    format's keywords, for mutations to put in the wrong places."""
    words: set[str] = set()
    for path in _paths(document):
        words.update(str(key) for key in path if isinstance(key, str))
        value = _at(document, path)
        if isinstance(value, str) and len(value) <= 40:
            words.add(value)
    return sorted(words)


def line_count(text: str) -> int:
    """Lines as YAML counts them (CR, NEL and the Unicode separators end lines too)."""
    return len(_LINE_BREAK.findall(text)) + 1


def assert_errors_located(errors: SourceErrors, texts: dict[str, str]) -> None:
    """Every error names one of the files, a line inside it and a column."""
    assert errors.errors
    for error in errors.errors:
        position = error.position
        assert position.file in texts, error
        assert 1 <= position.line <= line_count(texts[position.file]), error
        assert position.column >= 1, error
        assert error.message, error
