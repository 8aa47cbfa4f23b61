"""docs/SCORING.md promises examples to trainers; hold it to them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring import check_reply, load_rulepack

DOC = (Path(__file__).resolve().parents[2] / "docs" / "SCORING.md").read_text(encoding="utf-8")


def _examples() -> list[tuple[str, str, str, bool]]:
    section = DOC[DOC.index("### 5.3") : DOC.index("### 5.4")]
    found = []
    for block in re.split(r"\n#### ", section)[1:]:
        rule = re.match(r"`(\w+)`", block).group(1)  # type: ignore[union-attr]
        pattern = r"- (命中 Hits|不命中 Clean)(?:（(\w+)）)?: (.*?)(?=\n- |\Z)"
        for kind, position, line in re.findall(pattern, block, re.S):
            for example in line.replace("\n", " ").split(" · "):
                found.append((rule, example.strip(), position or "middle", kind == "命中 Hits"))
    return found


EXAMPLES = _examples()


def test_every_rule_has_documented_examples_both_ways() -> None:
    ids = {rule.id for rule in load_rulepack().rules}
    assert {r for r, _, _, hit in EXAMPLES if hit} == ids
    assert {r for r, _, _, hit in EXAMPLES if not hit} == ids


@pytest.mark.parametrize(("rule", "text", "position", "hits"), EXAMPLES)
def test_documented_example(rule: str, text: str, position: str, hits: bool) -> None:
    assert any(h.rule == rule for h in check_reply(text, position)) is hits


def test_documented_trainer_pack_loads_and_works(tmp_path: Path) -> None:
    body = re.search(r"```yaml\n(.*?)```", DOC, re.S).group(1)  # type: ignore[union-attr]
    path = tmp_path / "shop.yaml"
    path.write_text(body, encoding="utf-8")
    pack = load_rulepack(path)
    assert pack.versions == ("default 2.3.1", "shop-a shop-a-2024.3")
    assert [h.rule for h in check_reply("能再便宜点吗", "middle", None, pack)] == [
        "no_bargain_talk"
    ]
    assert [h.severity for h in check_reply("但是质量好", "middle", None, pack)] == ["major"]
