"""Field checks name the field and what was written, in the interface language; one typo
is one message; list items are counted from 1."""

from __future__ import annotations

import pytest

from yamlsource import SourceErrors, load_text
from yamlsource.fields import Fields, items_of

ALLOWED = {"slug", "title", "price", "tags", "variants"}


def _check(text: str) -> list[str]:
    """Every message of a small shop-like file, as ``line:column: field: message``."""
    document = load_text(text, "f.yaml")
    errors = SourceErrors()
    root = Fields(document, "", errors)
    root.known(ALLOWED)
    root.slug()
    root.text("title")
    root.decimal("price", required=False)
    root.text_list("tags", required=False)
    for variant, _index in items_of(root, "variants", root.sequence("variants", required=False)):
        variant.known({"sku", "stock"})
        variant.integer("stock", minimum=0)
    return [str(error).removeprefix("f.yaml:") for error in sorted(errors.errors)]


def test_a_misspelt_required_field_is_one_message_with_the_suggestion():
    assert _check("slug: coat\ntitel: 大衣\n") == ["2:1: titel: 未知字段 titel，是不是 title？"]


def test_the_typo_is_one_message_whichever_check_runs_first():
    document = load_text("slug: coat\ntitel: 大衣\n", "f.yaml")
    errors = SourceErrors()
    root = Fields(document, "", errors)
    root.text("title")  # the "missing" error first …
    root.known(ALLOWED)  # … withdrawn when the typo is found
    assert [e.message for e in errors.errors] == ["未知字段 titel，是不是 title？"]


def test_the_typo_in_english(english):
    assert _check("slug: coat\ntitel: 大衣\n") == [
        "2:1: titel: unknown field titel; did you mean title?"
    ]


def test_an_unknown_field_like_no_other_lists_the_allowed_ones(english):
    [message] = _check("slug: coat\ntitle: 大衣\ncolour: red\n")
    assert message == (
        "3:1: colour: unknown field colour (allowed here: price, slug, tags, title, variants)"
    )


def test_a_missing_field_alone_is_named():
    assert _check("slug: coat\n") == ["1:1: 缺少必填字段 title"]


def test_wrong_types_name_the_field_and_what_was_written():
    messages = _check('slug: coat\ntitle: 大衣\nprice: "abc"\ntags: 售前\n')
    assert messages == [
        '3:1: price: price 应为数字，这里是文本 "abc"',
        '4:1: tags: tags 应为列表，这里是文本 "售前"',
    ]


def test_list_items_are_counted_from_one():
    text = "slug: coat\ntitle: 大衣\nvariants:\n  - {sku: A, stock: 1}\n  - {sku: B, stok: 2}\n"
    assert _check(text) == ["5:14: variants 第 2 项的 stok: 未知字段 stok，是不是 stock？"]


def test_list_items_are_counted_from_one_in_english(english):
    text = "slug: coat\ntitle: 大衣\nvariants:\n  - {sku: A, stock: -1}\n  - 3\n"
    assert _check(text) == [
        "4:14: variants #1 › stock: stock must be at least 0 (here -1)",
        "5:5: variants #2: variants #2 should be a mapping (key: value lines), not the number 3",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "slug: Coat\ntitle: 大衣\n",
            '1:1: slug: slug 只能用小写英文字母、数字和连字符（-），这里是 "Coat"',
        ),
        ("slug: coat\ntitle:\n", "2:1: title: title 没有填写值（冒号后面是空的）"),
        ("slug: coat\ntitle: '  '\n", "2:1: title: title 不能为空"),
        (
            "slug: coat\ntitle: 大衣\ntags: [售前, '']\n",
            "3:12: tags 第 2 项: tags 第 2 项 不能为空",
        ),
    ],
    ids=["slug", "no-value", "blank", "blank-item"],
)
def test_each_check_in_chinese(text, message):
    assert _check(text) == [message]
