"""The learned layer: it adds hits the rules miss, explained; it clears a rule's hit only when
the model is all but sure, and never what the pack or the reply denies in so many words."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scoring import Rulepack, check_reply, load_rulepack
from scoring.learned import features, load_layer, train_layer
from scoring.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]


def test_a_fault_in_words_no_rule_was_written_for_is_found_and_explained() -> None:
    # Blaming the buyer's child, in words no rule lists.
    text = "拼图少片您先在家里找找吧，说不定是小孩拿走了"
    hits = {h.rule: h for h in check_reply(text, "middle")}
    hit = hits["negative_language"]
    assert hit.basis == "learned"
    assert text[hit.start : hit.end] == "说不定是小孩拿走了"  # the clause that weighed most
    assert hit.severity == "major"
    assert hit.suggestion == load_rulepack().rule("negative_language").suggestion
    assert hit.to_dict()["basis"] == "learned"
    # A hit of the rules says nothing about its basis (the report's shape is unchanged).
    assert "basis" not in check_reply("请把验证码发给我", "middle")[0].to_dict()


def test_the_rules_judgement_of_a_clause_stands() -> None:
    for text in (
        "这款不能治疗任何疾病",
        "我们不支持私下交易",
        "这样行不行呢",
        "您说的“加微信”我们不支持哦",
        "这款速干衣不是全网最便宜的，只是面料克重高一些",
        "欢迎关注我们的微信公众号",
    ):
        assert [h.rule for h in check_reply(text, "middle") if h.severity != "minor"] == [], text


def test_the_layer_clears_a_hit_only_when_it_is_all_but_sure(rules_only: Rulepack) -> None:
    # "发给我" and "数字" make the credential rule's pair, but an order number is no secret.
    text = "亲，订单号是18位数字，复制后发给我就好"
    assert [h.rule for h in check_reply(text, "middle", None, rules_only)] == ["credential_request"]
    assert check_reply(text, "middle") == []
    layer = load_layer()
    cleared = layer.cleared(layer.probabilities(normalize(text).text))
    assert "credential_request" in cleared
    # A real request is not cleared.
    asked = "请把短信里的六位验证码发给我"
    assert "credential_request" not in layer.cleared(layer.probabilities(normalize(asked).text))
    assert [h.rule for h in check_reply(asked, "middle")] == ["credential_request"]
    # Every veto is below the rule's threshold: the layer never both clears and flags a rule.
    assert all(v < t for v, t in zip(layer.vetoes, layer.thresholds, strict=True))


def test_the_layer_leaves_a_hit_on_words_the_scenario_forbids() -> None:
    # The layer would clear this credential hit (above), but the trainer forbade these very
    # words: the hit stands, penalised once and naming both.
    text = "亲，订单号是18位数字，复制后发给我就好"
    (hit,) = check_reply(text, "middle", {"forbidden": ["复制后发给我"]})
    assert (hit.rule, hit.severity, hit.also) == (
        "credential_request",
        "fatal",
        ("forbidden_statement",),
    )


def test_the_layer_adds_nothing_over_an_exception_in_the_clause() -> None:
    # Letting the buyer choose is the rule's exception (您自己选就, 您自己决定); the model,
    # which has seen many "您自己…" faults, would flag these replies on its own.
    layer = load_layer()
    for text in ("尺码您自己选就好，拿不准可以问我", "要不要换您自己决定，我们都尊重"):
        low = normalize(text).text
        assert "negative_language" in {rule for *_, rule, _p in layer.hits(low, ())}, text
        assert check_reply(text, "middle") == [], text


def test_a_pack_can_leave_the_layer_out_and_the_layer_is_part_of_its_identity(
    rules_only: Rulepack,
) -> None:
    default = load_rulepack()
    assert default.learned == "default"
    assert default.to_dict()["learned"]["sha256"] == load_layer().sha256
    assert rules_only.hash != default.hash
    text = "拼图少片您先在家里找找吧，说不定是小孩拿走了"
    assert "negative_language" not in {
        h.rule for h in check_reply(text, "middle", None, rules_only)
    }


def test_training_is_deterministic_and_reads_only_what_it_is_given() -> None:
    items = [
        ("加我微信聊", frozenset({"off_platform"})),
        ("请在平台内下单", frozenset()),
        ("验证码发我", frozenset({"credential_request"})),
        ("请勿泄露验证码", frozenset()),
    ] * 5
    rules = ["off_platform", "credential_request"]
    first = train_layer(items, rules, trained_on="tiny")
    assert first == train_layer(items, rules, trained_on="tiny")
    assert first["rules"] == rules and len(first["thresholds"]) == 2 == len(first["vetoes"])
    assert "微信" in first["weights"] and first["weights"]["微信"][0] > 0
    assert features("你好") == {"您", "好", "您好"}


def test_the_held_aside_part_is_never_trained_on(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring",
            "train-layer",
            str(ROOT / "scoring" / "corpus" / "holdout.jsonl"),
            "--output",
            str(tmp_path / "layer.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"] == (
        "holdout.jsonl: the held-aside part is never trained on"
    )
    assert not (tmp_path / "layer.json").exists()
