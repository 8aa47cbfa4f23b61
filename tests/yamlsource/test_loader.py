"""The YAML loader refuses hostile files at the place of their first offending item, fast,
and reports impossible values at their place instead of raising."""

from __future__ import annotations

import time

import pytest

from tests.runaway import RUNAWAY_S
from yamlsource import MAX_FILE_BYTES, Position, SourceErrors, load_file, load_text
from yamlsource.loader import MAX_DEPTH, MAX_NODES

# The messages checked here are the English ones (the catalogues' msgids).
pytestmark = pytest.mark.usefixtures("english")

# Generous for a noisy machine: each of these took from seconds to minutes before.


def alias_bomb(levels: int = 8) -> str:
    """The "billion laughs" shape: each level lists the previous one nine times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _refusal(source, **limits):
    """The one error ``load_text`` raises, and the seconds it took."""
    start = time.perf_counter()
    with pytest.raises(SourceErrors) as raised:
        load_text(source, "f.yaml", **limits)
    elapsed = time.perf_counter() - start
    [error] = raised.value.errors
    return error, elapsed


def test_nested_aliases_are_refused_at_the_first_alias_at_once():
    text = alias_bomb()
    error, elapsed = _refusal(text)
    assert elapsed < RUNAWAY_S
    first_alias = text.splitlines()[1].index("*a0") + 1
    assert (error.position.line, error.position.column) == (2, first_alias)
    assert "aliases (*a0) are not allowed" in error.message


def test_a_merge_key_alias_is_refused_and_anchors_alone_are_harmless():
    error, _ = _refusal("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert (error.position.line, error.position.column) == (3, 7)
    assert load_text("a: &x 1\nb: [&y 2]\n") == {"a": 1, "b": [2]}


def test_a_long_flat_list_is_refused_at_the_value_past_the_limit():
    items = MAX_NODES + 10_000
    error, elapsed = _refusal("[" + "1," * items + "1]")
    assert elapsed < RUNAWAY_S
    assert error.message == f"more than {MAX_NODES} values in one file"
    # The list is value 1; its item number MAX_NODES is value MAX_NODES + 1, at column 2n.
    assert (error.position.line, error.position.column) == (1, 2 * MAX_NODES)


def test_a_megabyte_of_list_items_is_refused_fast():
    text = "- x\n" * (MAX_FILE_BYTES // 4)
    error, elapsed = _refusal(text)
    assert elapsed < RUNAWAY_S
    assert error.position.line == MAX_NODES


def test_deep_nesting_is_refused_at_the_first_level_too_deep():
    for text in ("[" * 200_000 + "]" * 200_000, "{a: " * 100_000 + "1" + "}" * 100_000):
        error, elapsed = _refusal(text)
        assert elapsed < RUNAWAY_S
        assert error.message == f"nesting deeper than {MAX_DEPTH} levels"
        assert error.position.line == 1
    assert _refusal("[" * 200_000)[0].position.column == MAX_DEPTH + 1


def test_a_megabyte_string_loads_fast():
    text = "a: " + "长" * ((MAX_FILE_BYTES - 10) // 3) + "\n"
    start = time.perf_counter()
    document = load_text(text)
    assert time.perf_counter() - start < RUNAWAY_S
    assert len(document["a"]) == (MAX_FILE_BYTES - 10) // 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when: 2026-13-45", "'2026-13-45' is not a valid date"),
        ("hex: 0x_", "'0x_' is not a valid number"),
        ("bin: 0b_", "'0b_' is not a valid number"),
        ("nan: .nan", "'.nan' is not a valid number"),
        ("big: 1.0e+999", "'1.0e+999' is not a valid number"),
        ("tz: 2026-01-01t10:00:00+25:00", "is not a valid date"),
        ("bad: !!timestamp soon", "'soon' is not a valid date"),
        ("yes: !!bool maybe", "'maybe' is not a valid true/false value"),
        ("six: " + "1" + ":00" * 300_000, "a number longer than 100 characters"),
        ("set: !!set {a, b}", "the tag 'tag:yaml.org,2002:set' is not allowed"),
        ("map: !!map text", "the tag 'tag:yaml.org,2002:map' is not allowed"),
        ("seq: !!str [a]", "the tag 'tag:yaml.org,2002:str' is not allowed"),
        ("run: !!python/name:os.system", "is not allowed in content files"),
        ("pairs: !!omap [a: 1]", "the tag 'tag:yaml.org,2002:omap' is not allowed"),
    ],
)
def test_impossible_values_and_tags_are_reported_at_their_place(text, message):
    error, elapsed = _refusal("ok: 1\n" + text + "\n")
    assert elapsed < RUNAWAY_S
    assert message in error.message
    assert (error.position.line, error.position.column) == (2, text.index(":") + 3)


def test_characters_yaml_does_not_allow_are_placed():
    error, _ = _refusal("a: 1\nb: x\x00y\n")
    assert (error.position.line, error.position.column) == (2, 5)
    assert "U+0000" in error.message
    error, _ = _refusal("a: 1\nb: \ud800\n")
    assert (error.position.line, error.position.column) == (2, 4)


def test_bytes_are_utf8_and_capped():
    assert load_text("\ufeffa: 甲\n".encode()) == {"a": "甲"}
    error, _ = _refusal(b"a: 1\nb: 2\nc: \xff\n")
    assert (error.position.line, error.message) == (
        3,
        "the file is not valid UTF-8 text (save it as UTF-8)",
    )
    error, _ = _refusal(b"#" * (MAX_FILE_BYTES + 1))
    assert error.message == f"the file is larger than {MAX_FILE_BYTES} bytes (1 MB)"
    error, _ = _refusal("#" * (MAX_FILE_BYTES + 1))
    assert error.message == f"the file is larger than {MAX_FILE_BYTES} bytes (1 MB)"


def test_a_large_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(SourceErrors, match="larger than"):
        load_file(path)


def test_positions_count_characters_not_bytes():
    document = load_text("名字: [甲, 乙]\n其他:\n  - 丙\n")
    assert document["名字"].position(1).column == 9
    assert document.position("其他").line == 2
    assert document["其他"].position(0) == Position("<text>", 3, 5)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_an_empty_file_is_reported(text):
    error, _ = _refusal(text)
    assert error.message == "the file is empty"
    assert error.position.line == 1
