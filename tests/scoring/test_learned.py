"""The learned layer: it adds hits the rules miss, explained, and never overrules them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scoring import check_reply, load_rulepack, rulepack_from_dict
from scoring.learned import features, load_layer, train_layer

ROOT = Path(__file__).resolve().parents[2]


def test_a_fault_in_words_no_rule_was_written_for_is_found_and_explained() -> None:
    text = "你腰不好就买这个理疗仪，用一个月就好"
    hits = {h.rule: h for h in check_reply(text, "middle")}
    hit = hits["medical_claim"]
    assert hit.basis == "learned"
    assert text[hit.start : hit.end] == "你腰不好就买这个理疗仪"  # the clause that weighed most
    assert hit.severity == "fatal"
    assert hit.suggestion == load_rulepack().rule("medical_claim").suggestion
    assert hit.to_dict()["basis"] == "learned"
    # A hit of the rules says nothing about its basis (the report's shape is unchanged).
    assert "basis" not in check_reply("请把验证码发给我", "middle")[0].to_dict()


def test_the_rules_judgement_of_a_clause_stands() -> None:
    for text in (
        "这款不能治疗任何疾病",
        "我们不支持私下交易",
        "这样行不行呢",
        "您说的“加微信”我们不支持哦",
    ):
        assert [h.rule for h in check_reply(text, "middle") if h.severity != "minor"] == [], text


def test_a_pack_can_leave_the_layer_out_and_the_layer_is_part_of_its_identity() -> None:
    default = load_rulepack()
    assert default.learned == "default"
    assert default.to_dict()["learned"]["sha256"] == load_layer().sha256
    without = rulepack_from_dict({"version": "1", "extends": "default", "learned": "none"})
    assert without.hash != default.hash
    text = "你腰不好就买这个理疗仪，用一个月就好"
    assert "medical_claim" not in {h.rule for h in check_reply(text, "middle", None, without)}


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
    assert first["rules"] == rules and len(first["thresholds"]) == 2
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
