"""A YAML syntax error is told in plain words at the line where the slip was made, not in
PyYAML's words ("mapping values are not allowed here") at the line where it noticed."""

from __future__ import annotations

import pytest
from django.utils import translation

from yamlsource import SourceError, SourceErrors, load_text

PERSONA = "persona:\n  name: 林女士\n  gender: female\n  patience_s: 90\n"


def _error(text: str) -> SourceError:
    with pytest.raises(SourceErrors) as raised:
        load_text(text, "s.yaml")
    [error] = raised.value.errors
    return error


def _place(error: SourceError) -> tuple[int, int]:
    return error.position.line, error.position.column


@pytest.mark.parametrize(
    "broken",
    [
        "persona:\n  name: 林女士\n   gender: female\n  patience_s: 90\n",  # deeper
        "persona:\n  name: 林女士\n gender: female\n  patience_s: 90\n",  # shallower
    ],
    ids=["deeper", "shallower"],
)
def test_a_field_out_of_line_is_an_indentation_error_at_its_own_line(broken):
    error = _error(broken)
    assert error.position.line == 3
    assert error.position.column == broken.splitlines()[2].index("gender") + 1
    assert error.message == "第 3 行缩进不对：同一层的字段要左边对齐"
    assert "mapping values" not in error.message and "expected" not in error.message


def test_indentation_error_in_english(english):
    error = _error("persona:\n  name: 林女士\n   gender: female\n")
    assert str(error) == (
        "s.yaml:3:4: line 3: the indentation is wrong: fields of the same level must be "
        "aligned on the left"
    )


def test_a_list_item_out_of_line():
    error = _error("nudges:\n  - 在吗？\n - 还在吗？\n")
    assert _place(error) == (3, 2)
    assert error.message.startswith("第 3 行缩进不对：同一个列表的各项（“- ”）要左边对齐")


@pytest.mark.parametrize(
    ("text", "place"),
    [("persona:\n\tname: 林女士\n", (2, 1)), ("persona:\n  name: 林女士\n  \tgender: f\n", (3, 3))],
    ids=["tab-first", "tab-after-spaces"],
)
def test_a_tab_in_the_indentation(text, place):
    error = _error(text)
    assert _place(error) == place
    assert error.message.startswith(f"第 {place[0]} 行用了制表符（Tab）缩进：YAML 只能用空格缩进")


def test_a_tab_in_english(english):
    error = _error("persona:\n\tname: x\n")
    assert error.message.startswith("line 2: a tab character is not allowed for indentation")


def test_an_unclosed_quote_is_told_where_it_opens_not_at_the_end_of_the_file():
    text = 'title: "这件大衣是正品吗？\nslug: genuine-coat\nshop: yueyi-apparel\n'
    error = _error(text)
    assert _place(error) == (1, 8)
    assert error.message == '第 1 行的引号 " 没有配对：请在值的末尾补上 "'


def test_a_quote_left_open_that_a_later_quote_closes():
    error = _error('title: "正品吗？\nslug: "genuine-coat"\n')
    assert _place(error) == (1, 8)
    assert "引号" in error.message


@pytest.mark.parametrize(
    ("text", "place", "bracket"),
    [
        ("tags: [售前, 正品\nslug: x\n", (1, 7), "["),
        ("scoring:\n  first_response: {target_s: 6, limit_s: 10\n", (2, 19), "{"),
        ("tags: [售前", (1, 7), "["),
    ],
    ids=["list", "mapping", "end-of-file"],
)
def test_an_unclosed_bracket_is_told_where_it_opens(text, place, bracket):
    error = _error(text)
    assert _place(error) == place
    assert error.message.startswith(f"第 {place[0]} 行的 {bracket} 没有对应的")


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        (PERSONA.replace("gender: female", "gender:female"), 3, "写成“gender: female”"),
        (PERSONA.replace("name: 林女士", "name:林女士"), 2, "写成“name: 林女士”"),
        ("slug: x\ntitle:正品吗\n", 2, "写成“title: 正品吗”"),
    ],
    ids=["middle", "read-with-the-next-line", "last-line"],
)
def test_a_colon_without_a_space_is_told_at_its_own_line(text, line, hint):
    error = _error(text)
    assert error.position.line == line
    assert error.message == f"第 {line} 行的冒号后面要加一个空格，{hint}"


def test_a_chinese_colon():
    error = _error(PERSONA.replace("name: 林女士", "name：林女士"))
    assert _place(error) == (2, 7)
    assert error.message.startswith("第 2 行的“：”是中文冒号")


def test_a_key_written_twice_names_the_first_line():
    error = _error(PERSONA + "  gender: male\n")
    assert _place(error) == (5, 3)
    assert error.message == "字段 gender 写了两次（第一次在第 3 行）"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("title: 问题: 正品吗\n", "的值里有“: ”：请给整个值加上引号"),
        ("title: @店铺\n", "的值不能以 @ 开头"),
        ('title: "正品" 吗\n', "的引号后面还有文字"),
        ("nudges: - 在吗\n", "的列表项（“- ”）不能跟在冒号后面的同一行"),
        ("persona\nslug: x\n", "的字段名后面要有冒号和一个空格"),
    ],
    ids=["colon-in-value", "reserved-character", "after-quote", "dash-after-colon", "no-colon"],
)
def test_other_slips_in_plain_words(text, words):
    error = _error(text)
    assert error.position.line == 1
    assert error.message.startswith("第 1 行" + words)


def test_the_syntax_message_follows_the_active_language():
    text = "persona:\n  name: x\n gender: f\n"
    with translation.override("en"):
        english = _error(text).message
    assert english.startswith("line 3: the indentation is wrong")
    assert _error(text).message.startswith("第 3 行缩进不对")
