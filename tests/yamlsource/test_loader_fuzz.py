"""Any text or bytes into the loader: a document whose every mapping and list knows its
place, or ``SourceErrors`` each with a place; never another exception, never slow."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.runaway import RUNAWAY_S
from yamlsource import LocatedDict, LocatedList, SourceErrors, load_text

NAME = "fuzz.yaml"

# Pieces of YAML that reach the parser's corners: indentation, flow and block collections,
# anchors, aliases and merge keys, tags, scalars the resolver turns into numbers, dates and
# booleans (some impossible), quoting, directives, documents, characters YAML refuses.
PIECES = [
    "a", "b", "中文", "x: ", "- ", "? ", ": ", "\n", "  ", "    ", "\t", "[", "]", "{", "}",
    ", ", "&a ", "*a", "*b", "<<: ", "!!str ", "!!int ", "!!bool ", "!!set ", "!!map ",
    "!!seq ", "!!timestamp ", "!!float ", "!!null ", "!!binary ", "!!omap ", "!foo ", "! ",
    "!!python/object:os.system ", "1", "0x_", "0o9", "._", ".nan", ".inf", "1.0e+999",
    "1:00:00", "2026-13-45", "2026-01-01t10:00:00+25:00", "yes", "~", "null", "'", '"',
    "\\", "|\n", ">-\n", "#", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2026:\n",
    "\x00", "\x85", "\u2028", "\ufeff", "\ud800", "\r", "=",
]  # fmt: skip

yaml_like = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
sources = st.one_of(
    yaml_like,
    st.text(max_size=300),
    st.binary(max_size=300),
    yaml_like.map(lambda text: text.encode("utf-8", "surrogatepass")),
)


def _assert_located(value) -> None:
    """Every mapping and list of the document (and every key and item) has a place."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, LocatedDict | LocatedList):
            assert node.file == NAME and node.start.line >= 1 and node.start.column >= 1
            keys = node.keys() if isinstance(node, dict) else range(len(node))
            assert all(node.position(key).line >= 1 for key in keys)
            stack.extend(node.values() if isinstance(node, dict) else node)
        else:
            assert not isinstance(node, dict | list | set | tuple | bytes), type(node)


@settings(
    max_examples=4000,
    deadline=None,  # timed against RUNAWAY_S instead
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(sources)
def test_any_input_gives_a_located_document_or_located_errors(source):
    start = time.perf_counter()
    try:
        document = load_text(source, NAME)
    except SourceErrors as errors:
        assert errors.errors
        for error in errors.errors:
            assert error.position.file == NAME
            assert error.position.line >= 1 and error.position.column >= 1
            assert error.message
    else:
        _assert_located(document)
    assert time.perf_counter() - start < RUNAWAY_S
