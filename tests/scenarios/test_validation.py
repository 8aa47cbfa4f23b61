"""Each kind of error is rejected at the right line and column, with a plain message."""

from __future__ import annotations

import re

import pytest

from scenarios.validation import scenario_from_text
from yamlsource import SourceErrors

# The wording checked here is the English one (the catalogues' msgids); the tests at the
# end check what a trainer reads by default, in Chinese.
pytestmark = pytest.mark.usefixtures("english")


def _errors(text: str, context) -> list:
    with pytest.raises(SourceErrors) as raised:
        scenario_from_text(text, "s.yaml", context)
    return sorted(raised.value.errors)


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = text.splitlines()
    seen = 0
    for number, line in enumerate(lines, start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(needle)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_the_documented_example_is_valid(fixture_text, context):
    spec = scenario_from_text(fixture_text, "s.yaml", context)
    assert spec.slug == "genuine-coat"
    assert "greeting" in spec.intents and "proof_of_genuine" in spec.intents


def test_goto_to_a_missing_step(fixture_text, context):
    text = _edit(fixture_text, "        goto: size", "        goto: sizes")
    errors = _errors(text, context)
    error = next(e for e in errors if "goto" in e.message)
    assert [e.message for e in errors if e is not error] == [
        "step “size” cannot be reached from “ask”",
        "step “deal” cannot be reached from “ask”",
    ]
    assert error.message == "goto “sizes”: there is no such step"
    assert error.position.line == _line_of(text, "goto: sizes")
    assert error.position.column == 9
    assert error.field == "steps.ask.branches #1 › goto"


def test_unreachable_step(fixture_text, context):
    text = fixture_text.replace("        goto: doubt", "        end: 流失")
    errors = _errors(text, context)
    assert [e.message for e in errors] == ["step “doubt” cannot be reached from “ask”"]
    assert errors[0].position.line == _line_of(text, "  doubt:")


def test_step_with_no_way_out(fixture_text, context):
    text = _edit(
        fixture_text,
        "        goto: deal\n      - when: {tries: 2}\n        goto: deal",
        "        goto: size\n      - when: {tries: 2}\n        goto: size",
    )
    messages = [e.message for e in _errors(text, context)]
    assert "step “size” has no way out: every branch stays here" in messages


def test_loop_without_a_timeout_exit(fixture_text, context):
    text = _edit(
        fixture_text,
        "      - when: {rule: negative_language}",
        "      - when: {keywords: [绕圈]}\n        goto: loop_a\n"
        "      - when: {rule: negative_language}",
    )
    text = _edit(
        text,
        "  doubt:\n",
        "  loop_a:\n    buyer: [嗯？]\n    branches:\n"
        "      - when: {intent: greeting}\n        goto: loop_b\n"
        "  loop_b:\n    buyer: [然后呢？]\n    branches:\n"
        "      - when: {intent: thanks}\n        goto: loop_a\n"
        "  doubt:\n",
    )
    [error] = _errors(text, context)
    assert "the loop loop_a → loop_b has no exit on `tries` or `silence_s`" in error.message
    assert error.position.line == _line_of(text, "  loop_a:")
    # A `tries` branch leaving the loop makes it acceptable.
    fixed = _edit(
        text,
        "        goto: loop_a\n  doubt:",
        "        goto: loop_a\n      - when: {tries: 3}\n        end: 流失\n  doubt:",
    )
    scenario_from_text(fixed, "s.yaml", context)


def test_unknown_intent_rule_product_and_shop(fixture_text, context):
    text = _edit(fixture_text, "{intent: proof_of_genuine}", "{intent: proof_of_genius}")
    text = _edit(text, "{rule: negative_language}", "{rule: rudeness}")
    text = _edit(text, "products: [double-face-wool-coat]", "products: [paper-coat]")
    errors = _errors(text, context)
    messages = {e.message: e.position.line for e in errors}
    assert messages["unknown intent “proof_of_genius”"] == _line_of(text, "proof_of_genius")
    assert messages["unknown compliance rule “rudeness”"] == _line_of(text, "rudeness")
    assert messages["product “paper-coat” is not in the catalogue of shop “yueyi-apparel”"] == (
        _line_of(text, "products:")
    )
    text = _edit(fixture_text, "shop: yueyi-apparel", "shop: no-such-shop")
    assert any("“no-such-shop” is not a practice shop" in e.message for e in _errors(text, context))


def test_unknown_sku_in_the_order(fixture_text, context):
    text = _edit(fixture_text, "sku: COAT-CAMEL-M", "sku: COAT-PINK-M")
    [error] = _errors(text, context)
    assert error.message == "SKU “COAT-PINK-M” is not a variant of “double-face-wool-coat”"


def test_nudge_later_than_patience(fixture_text, context):
    text = _edit(fixture_text, "nudge_after_s: 30", "nudge_after_s: 120")
    errors = _errors(text, context)
    assert any(
        e.field == "persona.nudge_after_s" and "before the buyer leaves" in e.message
        for e in errors
    )


def test_schema_errors_unknown_field_wrong_type(fixture_text, context):
    text = _edit(fixture_text, "difficulty: 1 ", "difficulty: hard ")
    text = _edit(text, "  patience_s: 90", "  patience_s: 90\n  voice: soft")
    errors = _errors(text, context)
    by_field = {e.field: e for e in errors}
    assert "persona.voice" in by_field and "unknown field" in by_field["persona.voice"].message
    assert by_field["persona.voice"].position.line == _line_of(text, "voice: soft")
    assert by_field["difficulty"].position.line == _line_of(text, "difficulty: hard")


def test_malformed_yaml_and_deep_nesting(fixture_text, context):
    text = _edit(fixture_text, "title: 这件大衣是正品吗？", "title: [这件大衣是正品吗？")
    [error] = _errors(text, context)
    assert (error.position.line, error.position.column) == (3, 8)  # the [ left open
    assert error.message.startswith("line 3: the [ is never closed with ]")
    deep = "{not: " * 6 + "{tries: 1}" + "}" * 6
    text = _edit(fixture_text, "{tries: 3}", deep)
    assert any("nest deeper than 4" in e.message for e in _errors(text, context))


def test_bad_regex_is_reported(fixture_text, context):
    text = _edit(fixture_text, "{tries: 3}", "{regex: '(unclosed'}")
    assert any("not a valid regular expression" in e.message for e in _errors(text, context))


def test_self_test_path_names_a_missing_step(fixture_text, context):
    text = _edit(fixture_text, "path: [ask, size, deal]", "path: [ask, sizing, deal]")
    [error] = _errors(text, context)
    assert error.message == "the self-test path names a missing step “sizing”"


def _place(text: str, needle: str) -> tuple[int, int]:
    """Line and column of ``needle``, the key an error points at."""
    line = _line_of(text, needle)
    return line, text.splitlines()[line - 1].index(needle) + 1


@pytest.mark.parametrize(
    ("old", "new", "key", "field", "message"),
    [
        (
            "start: ask",
            "start: begin",
            "start: begin",
            "start",
            "start step “begin” does not exist",
        ),
        (
            "{silence_s: 45}",
            "{silence_s: 95}",
            "silence_s: 95",
            "steps.ask.branches #3 › when.silence_s",
            "never fires: the buyer leaves after 90 s (patience_s)",
        ),
        (
            "{intent: proof_of_genuine, suggestion",
            "{intent: proof_of_genuinity, suggestion",
            "intent: proof_of_genuinity",
            "required_points #1 › intent",
            "unknown intent “proof_of_genuinity”",
        ),
        (
            "{product: double-face-wool-coat, sku",
            "{product: paper-coat, sku",
            "product: paper-coat",
            "persona.order.items #1 › product",
            "product “paper-coat” is not in the catalogue of shop “yueyi-apparel”",
        ),
    ],
    ids=["start", "silence", "required-point", "order-item"],
)
def test_each_check_names_its_field_and_place(fixture_text, context, old, new, key, field, message):
    text = _edit(fixture_text, old, new)
    [error] = _errors(text, context)
    assert (error.field, error.message) == (field, message)
    assert (error.position.line, error.position.column) == _place(text, key)


def test_a_loop_exit_must_fire_on_its_own(fixture_text, context):
    """`any` with a `tries` can fire on its own; `all` with a keyword as well cannot."""
    text = _edit(
        fixture_text,
        "      - when: {rule: negative_language}",
        "      - when: {keywords: [绕圈]}\n        goto: loop_a\n"
        "      - when: {rule: negative_language}",
    )
    text = _edit(
        text,
        "  doubt:\n",
        "  loop_a:\n    buyer: [嗯？]\n    branches:\n"
        "      - when: {intent: greeting}\n        goto: loop_a\n"
        "      - when: {EXIT}\n        end: 流失\n"
        "  doubt:\n",
    )
    scenario_from_text(
        text.replace("{EXIT}", "{any: [{intent: thanks}, {tries: 3}]}"), "s.yaml", context
    )
    [error] = _errors(text.replace("{EXIT}", "{all: [{intent: thanks}, {tries: 3}]}"), context)
    assert error.message == (
        "the loop loop_a has no exit on `tries` or `silence_s`: a trainee could go round it forever"
    )
    assert error.field == "steps.loop_a"


def test_step_graph_finds_loops_without_recursion():
    from scenarios.step_graph import is_cycle, reached_from, strongly_connected

    edges = {f"s{i:04d}": {f"s{i + 1:04d}"} for i in range(3000)}
    edges["s3000"] = {"s0000", "s3000"}
    edges["tail"] = {"s0000"}
    components = strongly_connected(sorted(edges), edges)
    assert [len(c) for c in components] == [3001, 1]
    assert is_cycle(components[0], edges) and not is_cycle(components[1], edges)
    assert reached_from("s0000", edges) == set(edges) - {"tail"}
    assert is_cycle({"s3000"}, edges)  # a step leading to itself


def _without_block(text: str, key: str, replacement: str) -> str:
    """``text`` with the top-level block ``key:`` (and its indented lines) replaced."""
    import re

    edited, count = re.subn(rf"^{key}:.*\n(?:[ #].*\n)*", replacement, text, flags=re.MULTILINE)
    assert count == 1, key
    return edited


@pytest.mark.parametrize(
    ("edit", "needle", "field"),
    [
        (
            lambda t: _edit(t, "{intent: proof_of_genuine}", "{intent: {name: proof_of_genuine}}"),
            "{intent: {name: proof_of_genuine}}",
            "steps.ask.branches #1 › when.intent",
        ),
        (
            lambda t: _edit(t, "products: [double-face-wool-coat]", "products: [{slug: coat}]"),
            "products: [{slug: coat}]",
            "products #1",
        ),
        (
            lambda t: _edit(t, "{product: double-face-wool-coat,", "{product: [coat],"),
            "{product: [coat],",
            "persona.order.items #1 › product",
        ),
        (
            lambda t: _edit(t, "{intent: proof_of_genuine, suggestion", "{intent: [a], suggestion"),
            "{intent: [a], suggestion",
            "required_points #1 › intent",
        ),
        (lambda t: _without_block(t, "persona", "persona: 林女士\n"), "persona: 林女士", "persona"),
        (lambda t: _without_block(t, "steps", "steps: [ask, deal]\n"), "steps: [ask", "steps"),
        (
            lambda t: _edit(t, "path: [ask, size, deal]", "path: ask size deal"),
            "path: ask size deal",
            "tests #1 › expect.path",
        ),
        (
            lambda t: _edit(t, "{all: [", "{any: 5, all: ["),
            "{any: 5, all:",
            "steps.size.branches #1 › when",
        ),
        (lambda t: _edit(t, "start: ask", "start: [ask]"), "start: [ask]", "start"),
        (
            lambda t: _edit(t, "patience_s: 90", "patience_s: true"),
            "patience_s: true",
            "persona.patience_s",
        ),
    ],
    ids=[
        "intent-mapping",
        "product-mapping",
        "order-product-list",
        "required-intent-list",
        "persona-text",
        "steps-list",
        "path-text",
        "condition-any-number",
        "start-list",
        "patience-bool",
    ],
)
def test_malformed_parts_get_the_schema_error_only(fixture_text, context, edit, needle, field):
    """Meaning checks skip what the schema rejected: the author sees the schema's error at
    its place, never a server error (these raised TypeError or AttributeError before)."""
    text = edit(fixture_text)
    errors = _errors(text, context)
    assert all(e.position.line >= 1 and e.position.column >= 1 for e in errors)
    assert {e.position.line for e in errors} == {_line_of(text, needle)}
    assert field in {e.field for e in errors}


def test_a_malformed_intents_section_does_not_make_every_intent_unknown(fixture_text, context):
    text = _without_block(fixture_text, "intents", "intents: [proof_of_genuine]\n")
    errors = _errors(text, context)
    assert [e.field for e in errors] == ["intents"]


@pytest.mark.parametrize(
    "pattern",
    [
        "(a+)+$",
        "(a|ab)*c",
        "(x*)*y",
        "^(\\w+\\s?)+$",
        "(.*a){12}",
        ".*.*.*x",
        "(?:a{1,30}){1,30}b",
        "(a)\\1",
        "(?(1)a|b)",
    ],
)
def test_a_regex_that_could_stall_the_engine_is_refused(fixture_text, context, pattern):
    text = _edit(fixture_text, "{tries: 3}", "{regex: 'PATTERN'}").replace("PATTERN", pattern)
    [error] = _errors(text, context)
    assert error.field == "steps.ask.branches #4 › when.regex"
    assert error.position.line == _line_of(text, "{regex:")
    assert any(
        word in error.message
        for word in ("exponential", "too long", "back-references", "not a valid")
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "(身份证|证件).{0,12}(发给我|发我|给我|发过来|拍给我|告诉我|发一下|发给客服)",
        "黑色(?:的|这款|这个颜色)?(?:还|目前|现在)?有(?:现货|货)",
        "退款.*到账",
        "(?:\\d{3}-){2}\\d{4}",
        "^亲[，,]?\\s*",
    ],
)
def test_ordinary_regexes_are_accepted(fixture_text, context, pattern):
    text = _edit(fixture_text, "{tries: 3}", "{any: [{regex: 'PATTERN'}, {tries: 3}]}")
    scenario_from_text(text.replace("PATTERN", pattern), "s.yaml", context)


# --- What a trainer reads: the site's language (Chinese), one message per typo -----------


@pytest.fixture
def chinese(english):
    """The site's language, over the English of this module's other tests."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


def test_a_misspelt_field_is_one_message_with_its_place_and_the_suggestion(
    fixture_text, context, chinese
):
    text = _edit(fixture_text, "  nudge_after_s: 30", "  nudge_afer_s: 30")
    [error] = _errors(text, context)
    line = _line_of(text, "nudge_afer_s")
    assert (error.position.line, error.position.column) == (line, 3)
    assert str(error) == (
        f"s.yaml:{line}:3: persona.nudge_afer_s: 未知字段 nudge_afer_s，是不是 nudge_after_s？"
    )


def test_the_misspelt_field_in_english(fixture_text, context):
    text = _edit(fixture_text, "  nudge_after_s: 30", "  nudge_afer_s: 30")
    [error] = _errors(text, context)
    line = _line_of(text, "nudge_afer_s")
    assert str(error) == (
        f"s.yaml:{line}:3: persona.nudge_afer_s: "
        "unknown field nudge_afer_s; did you mean nudge_after_s?"
    )


def test_a_misspelt_branch_field_hides_the_goto_or_end_error(fixture_text, context, chinese):
    text = _edit(fixture_text, "        goto: doubt", "        got: doubt")
    messages = [e.message for e in _errors(text, context)]
    assert "未知字段 got，是不是 goto？" in messages
    assert not any("要写 goto 或 end" in message for message in messages)


def test_a_wrong_type_in_plain_chinese(fixture_text, context, chinese):
    text = _edit(fixture_text, "  patience_s: 90", '  patience_s: "abc"')
    errors = _errors(text, context)
    [error] = [e for e in errors if e.field == "persona.patience_s"]
    assert error.message == 'patience_s 应为数字，这里是文本 "abc"'
    assert (error.position.line, error.position.column) == (_line_of(text, "patience_s"), 3)


def test_a_missing_field_in_plain_chinese(fixture_text, context, chinese):
    text = re.sub(r"^  name: 林女士\n", "", fixture_text, flags=re.MULTILINE)
    [error] = _errors(text, context)
    assert (error.field, error.message) == ("persona", "缺少必填字段 name")
    assert (error.position.line, error.position.column) == (_line_of(text, "persona:"), 1)


def test_list_items_are_counted_from_one_for_trainers(fixture_text, context, chinese):
    text = _edit(fixture_text, "        goto: size\n", "        goto: sizes\n")
    error = next(e for e in _errors(text, context) if "goto" in e.message)
    assert error.field == "steps.ask.branches 第 1 项的 goto"
    assert error.message == "goto“sizes”：没有这个步骤"
    text = _edit(
        fixture_text, "{intent: proof_of_genuine, suggestion", "{intent: proof, suggestion"
    )
    [error] = _errors(text, context)
    assert str(error).endswith("required_points 第 1 项的 intent: 未知意图“proof”")


def test_a_misindented_line_is_told_at_that_line(fixture_text, context, chinese):
    text = _edit(fixture_text, "  gender: female", "   gender: female")
    [error] = _errors(text, context)
    line = _line_of(text, "gender: female")
    assert (error.position.line, error.position.column) == (line, 4)
    assert error.message == f"第 {line} 行缩进不对：同一层的字段要左边对齐"


def test_a_tab_is_told_at_its_line(fixture_text, context, chinese):
    text = _edit(fixture_text, "  gender: female", "\tgender: female")
    [error] = _errors(text, context)
    line = _line_of(text, "gender: female")
    assert (error.position.line, error.position.column) == (line, 1)
    assert error.message.startswith(f"第 {line} 行用了制表符（Tab）缩进：YAML 只能用空格缩进")
