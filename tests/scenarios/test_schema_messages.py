"""The JSON Schema's errors in plain words, one sentence per kind of check, naming the
field and what was written; never jsonschema's own text."""

from __future__ import annotations

import pytest

from scenarios.validation import scenario_from_text
from yamlsource import SourceError, SourceErrors

# jsonschema's own wording, which a trainer should never read.
JSONSCHEMA_WORDS = (
    "is a required property",
    "is not of type",
    "Additional properties",
    "is not valid under",
    "is not one of",
    "does not match",
    "is too long",
    "is too short",
    "is less than",
    "is greater than",
    "should be non-empty",
    "was expected",
)


def _errors(text: str, context) -> list[SourceError]:
    with pytest.raises(SourceErrors) as raised:
        scenario_from_text(text, "s.yaml", context)
    return sorted(raised.value.errors)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "  patience_s: 90",
            "  patience_s: true",
            "persona.patience_s",
            "patience_s 应为数字，这里是值 true",
        ),
        ("difficulty: 1 ", "difficulty: 1.5 ", "difficulty", "difficulty 应为整数，这里是数字 1.5"),
        (
            "  name: 林女士",
            "  name:",
            "persona.name",
            "name 应为文本，这里是空值（冒号后面什么也没写）",
        ),
        (
            "tags: [售前, 正品, 求安]",
            "tags: 售前",
            "tags",
            'tags 应为列表，这里是文本 "售前"',
        ),
        (
            "  knowledge: a_little",
            "  knowledge: a_litle",
            "persona.knowledge",
            'knowledge 只能是 none，a_little，expert 之一，这里是文本 "a_litle"，是不是 a_little？',
        ),
        (
            "  patience_s: 90",
            "  patience_s: 5",
            "persona.patience_s",
            "patience_s 不能小于 10（这里是 5）",
        ),
        (
            "  typing_cpm: 150",
            "  typing_cpm: 900",
            "persona.typing_cpm",
            "typing_cpm 不能大于 600（这里是 900）",
        ),
        (
            "first_response: {target_s: 6,",
            "first_response: {target_s: 0,",
            "scoring.first_response.target_s",
            "target_s 必须大于 0（这里是 0）",
        ),
        ("title: 这件大衣是正品吗？", "title: ''", "title", "title 不能为空"),
        (
            "title: 这件大衣是正品吗？",
            "title: " + "长" * 201,
            "title",
            "title 最多 200 个字（这里有 201 个）",
        ),
        (
            "  nudges: [在吗？, 还在吗？]",
            "  nudges: []",
            "persona.nudges",
            "nudges 至少要有 1 项（这里有 0 项）",
        ),
        (
            "slug: genuine-coat",
            "slug: Genuine_Coat",
            "slug",
            'slug 只能用小写英文字母、数字和连字符（-），这里是 "Genuine_Coat"',
        ),
        (
            "  doubt:",
            "  Doubt:",
            "steps.Doubt",
            'steps 下的名称 "Doubt" 只能用小写英文字母、数字和下划线（_），并以字母开头',
        ),
    ],
    ids=[
        "type-bool",
        "type-integer",
        "type-empty",
        "type-list",
        "enum-suggestion",
        "minimum",
        "maximum",
        "exclusive-minimum",
        "min-length",
        "max-length",
        "min-items",
        "pattern",
        "property-names",
    ],
)
def test_each_kind_of_schema_error_in_plain_chinese(
    fixture_text, context, old, new, field, message
):
    errors = _errors(_edit(fixture_text, old, new), context)
    assert message in [e.message for e in errors if e.field == field]


def test_one_of_two_fields_is_named_together(fixture_text, context):
    """A branch needs goto or end (oneOf); an intent needs any or all, not empty (anyOf)."""
    text = _edit(fixture_text, "        goto: size\n", "")
    branch = next(e for e in _errors(text, context) if e.field == "steps.ask.branches 第 1 项")
    assert branch.message == "branches 第 1 项 要写 goto 或 end"
    text = _edit(fixture_text, "        goto: size\n", "        goto: size\n        end: 成交\n")
    [both] = [e for e in _errors(text, context) if e.field == "steps.ask.branches 第 1 项"]
    assert both.message == "branches 第 1 项 只能写 goto，end 中的一个"
    text = _edit(fixture_text, "    any: [授权, 吊牌, 防伪, 专柜, 品牌方]", "    any: []")
    [intent] = _errors(text, context)
    assert intent.message == "proof_of_genuine 要写 any 或 all，并且不能为空"


def test_an_alternative_of_other_kinds_names_both(fixture_text, context):
    """``all`` entries are a word or a list of words (oneOf of two types)."""
    text = _edit(fixture_text, "    all: []", "    all: [5]")
    [error] = _errors(text, context)
    assert error.field == "intents.proof_of_genuine.all 第 1 项"
    assert error.message == "all 第 1 项 应为文本或列表，这里是数字 5"


def test_a_self_test_reply_is_told_by_the_kind_it_resembles(fixture_text, context, english):
    """A reply has after_s and text, or wait_s alone: the closest one is told."""
    text = _edit(fixture_text, "- {after_s: 4,", "- {aftr_s: 4,")
    messages = [e.message for e in _errors(text, context)]
    assert messages == ["unknown field aftr_s; did you mean after_s?"]


def test_an_unknown_field_like_no_other_lists_the_allowed_ones(fixture_text, context):
    text = _edit(fixture_text, "  patience_s: 90", "  patience_s: 90\n  voice: soft")
    [error] = _errors(text, context)
    assert error.field == "persona.voice"
    assert error.message.startswith("未知字段 voice（这里可以写：age_group，gender，knowledge，")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_message_repeats_jsonschema_s_own_words(fixture_text, context, language):
    from django.utils import translation

    broken = fixture_text
    for old, new in [
        ("  patience_s: 90", "  patience_s: abc"),
        ("  knowledge: a_little", "  knowledge: some"),
        ("        goto: size\n", ""),
        ("tags: [售前, 正品, 求安]", "tags: 7"),
        ("slug: genuine-coat", "slug: X"),
        ("    all: []", "    all: [{}]"),
        ("path: [ask, size, deal]", "path: []"),
        ("- {after_s: 4,", "- {after_s: -4,"),
    ]:
        broken = _edit(broken, old, new)
    with translation.override(language):
        messages = [e.message for e in _errors(broken, context)]
    assert len(messages) >= 8
    assert not [m for m in messages if any(words in m for words in JSONSCHEMA_WORDS)]


def _schema_messages(schema: dict, text: str) -> list[str]:
    """The messages of a small schema about a small file (kinds the scenario schema may
    not use today)."""
    import jsonschema

    from scenarios.schema_messages import add_schema_errors
    from yamlsource import load_text

    errors = SourceErrors()
    add_schema_errors(load_text(text, "f.yaml"), jsonschema.Draft202012Validator(schema), errors)
    return [str(error) for error in sorted(errors.errors)]


def test_const_unique_items_and_entries():
    schema = {
        "type": "object",
        "properties": {
            "format": {"const": 1},
            "covered": {"type": "array", "uniqueItems": True},
            "when": {"type": "object", "maxProperties": 1},
        },
    }
    text = "format: 2\ncovered: [a, a]\nwhen: {intent: x, tries: 2}\n"
    assert _schema_messages(schema, text) == [
        "f.yaml:1:1: format: format 只能是 1，这里是数字 2",
        "f.yaml:2:1: covered: covered 里有重复的项",
        "f.yaml:3:1: when: when 最多写 1 个（这里有 2 个）",
    ]


def test_a_typo_and_the_required_field_it_resembles_are_one_message():
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["nudge_after_s", "patience_s"],
        "properties": {"nudge_after_s": {"type": "number"}, "patience_s": {"type": "number"}},
    }
    assert _schema_messages(schema, "patience_s: 90\nnudge_afer_s: 30\n") == [
        "f.yaml:2:1: nudge_afer_s: 未知字段 nudge_afer_s，是不是 nudge_after_s？"
    ]
    # Unlike any allowed field: both are told.
    assert _schema_messages(schema, "patience_s: 90\nmood: 30\n") == [
        "f.yaml:1:1: 缺少必填字段 nudge_after_s",
        "f.yaml:2:1: mood: 未知字段 mood（这里可以写：nudge_after_s，patience_s）",
    ]
