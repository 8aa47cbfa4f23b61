"""The evaluation of the compliance rules on a labelled corpus: figures, errors, floors, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scoring.errors import ScoringInputError
from scoring.evaluate import (
    check_floors,
    evaluate_files,
    load_corpus,
)
from scoring.rulepack import load_rulepack

ROOT = Path(__file__).resolve().parents[2]
MATCHER = load_rulepack().matcher


def write(path: Path, *objects: Any) -> Path:
    path.write_text(
        "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8"
    )
    return path


def line(i: str, text: str, rules: list[str], family: str = "f") -> dict[str, Any]:
    return {"id": i, "text": text, "rules": rules, "family": family}


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write(
        tmp_path / "dev.jsonl",
        line("d-1", "请把验证码发给我", ["credential_request"]),
        line("d-2", "客服不会向您索要验证码，请勿告诉任何人", []),
        line("d-3", "好", ["terse_reply"]),
        # Labelled (wrongly, on purpose) as a fault no rule sees: a recall miss.
        line("d-4", "亲，请问还有什么可以帮您的吗", ["absolute_promise"]),
        # Labelled clean although the rules flag 你: a precision miss.
        line("d-5", "你好，欢迎光临本店", []),
    )


def test_figures_per_part_and_rule(small: Path) -> None:
    (result,) = evaluate_files([small], MATCHER)
    assert result.replies == 5
    assert result.exact == 3
    assert result.exact_rate == pytest.approx(0.6)
    assert result.clean == 2 and result.clean_flagged == 1
    credential = result.rules["credential_request"]
    assert (credential.precision, credential.recall) == (1.0, 1.0)
    assert result.rules["impolite_address"].precision == 0.0
    assert result.rules["absolute_promise"].recall == 0.0
    assert result.rules["medical_claim"].precision is None
    assert sorted(m.item.id for m in result.misses) == ["d-4", "d-5"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id":"a","text":"好","rules":[],"family":"f"}\nnot json\n', "line 2: invalid JSON"),
        ('{"id":"a","text":"好","rules":["rude"],"family":"f"}\n', "unknown rule(s) rude"),
        ('{"id":"a","text":"","rules":[],"family":"f"}\n', "line 1: text:"),
        ('{"id":"a","text":"好","family":"f"}\n', "rules: a list of rule ids"),
        ('{"id":"a","text":"好","rules":[],"family":"f","lable":1}\n', "unknown field(s): lable"),
        (
            '{"id":"a","text":"好","rules":[],"family":"f"}\n'
            '{"id":"a","text":"在","rules":[],"family":"f"}\n',
            "line 2: id 'a' already used on line 1",
        ),
        ("\n\n", "holds no replies"),
    ],
)
def test_bad_corpus_lines_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScoringInputError) as info:
        load_corpus(path)
    assert message in str(info.value)
    assert str(info.value).startswith("c.jsonl")


def test_an_id_in_two_parts_is_refused(tmp_path: Path) -> None:
    one = write(tmp_path / "dev.jsonl", line("x-1", "好的亲", []))
    two = write(tmp_path / "holdout.jsonl", line("x-1", "好的亲", []))
    with pytest.raises(ScoringInputError, match="also used in dev.jsonl"):
        evaluate_files([one, two], MATCHER)


def test_floors_name_each_figure_below(small: Path) -> None:
    results = evaluate_files([small], MATCHER)
    floors = {
        "dev": {
            "exact_match": 0.7,
            "false_alarm_rate_max": 0.2,
            "rules": {
                "credential_request": {"precision": 1.0, "recall": 1.0},
                "absolute_promise": {"recall": 0.5},
            },
        },
        "holdout": {"exact_match": 0.99},  # not evaluated here: not a failure
    }
    assert check_floors(results, floors) == [
        "dev: exact match 0.6000 below its floor 0.7",
        "dev: false alarms on clean replies 0.5000 above 0.2",
        "dev: absolute_promise recall 0.0000 below its floor 0.5",
    ]
    assert check_floors(results, {"dev": {"exact_match": 0.6}}) == []


def run(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "scoring", "evaluate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr + result.stdout
    return result


def test_cli_prints_figures_and_misses_of_a_tuning_part(small: Path) -> None:
    result = run(str(small), "--no-floors")
    assert result.returncode == 0
    assert "exact match 60.0% (3/5)" in result.stdout
    assert "MISS d-4" in result.stdout and "还有什么可以帮您" in result.stdout


def test_cli_withholds_the_held_aside_misses(tmp_path: Path, small: Path) -> None:
    held = tmp_path / "holdout.jsonl"
    held.write_text(small.read_text(encoding="utf-8").replace('"d-', '"h-'), encoding="utf-8")
    result = run(str(held), "--no-floors")
    assert "exact match 60.0%" in result.stdout
    assert "2 misses not shown" in result.stdout
    assert "还有什么可以帮您" not in result.stdout
    document = json.loads(run(str(held), "--no-floors", "--json").stdout)
    (part,) = document["parts"]
    assert part["held_aside"] is True and "misses" not in part and part["misses_count"] == 2
    shown = json.loads(run(str(held), "--no-floors", "--json", "--show-held-aside").stdout)
    assert len(shown["parts"][0]["misses"]) == 2


def test_cli_fails_below_a_floor(tmp_path: Path, small: Path) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"dev": {"rules": {"absolute_promise": {"recall": 0.5}}}}))
    result = run(str(small), "--floors", str(floors))
    assert result.returncode == 1
    assert "BELOW FLOOR dev: absolute_promise recall 0.0000 below its floor 0.5" in result.stdout
    floors.write_text(json.dumps({"dev": {"exact_match": 0.5}}))
    assert run(str(small), "--floors", str(floors)).returncode == 0


def test_cli_bad_corpus_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id":"a","text":"好","rules":["rude"],"family":"f"}\n', encoding="utf-8")
    result = run(str(path), "--no-floors")
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"].startswith("c.jsonl line 1: rules: unknown rule")


def test_write_floors_records_todays_figures(tmp_path: Path, small: Path) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"holdout": {"exact_match": 0.5}}))
    result = run(str(small), "--floors", str(floors), "--write-floors")
    assert result.returncode == 0
    recorded = json.loads(floors.read_text())
    assert recorded["holdout"] == {"exact_match": 0.5}  # a part not evaluated keeps its floors
    assert recorded["dev"]["exact_match"] == 0.6
    assert recorded["dev"]["false_alarm_rate_max"] == 0.5
    assert recorded["dev"]["rules"]["credential_request"] == {"precision": 1.0, "recall": 1.0}
    assert "medical_claim" in recorded["dev"]["rules"]
    assert recorded["dev"]["rules"]["medical_claim"] == {}


def test_rules_only_leaves_the_learned_layer_out(tmp_path: Path) -> None:
    # The rules have no word for this claim; the learned layer recognises its wording.
    corpus = write(
        tmp_path / "dev.jsonl",
        line("d-1", "拼图少片您先在家里找找吧，说不定是小孩拿走了", ["negative_language"]),
    )
    full = json.loads(run(str(corpus), "--no-floors", "--json").stdout)
    alone = json.loads(run(str(corpus), "--rules-only", "--json").stdout)
    assert full["learned_layer"] is True and alone["learned_layer"] is False
    assert full["parts"][0]["exact_match"] == 1.0
    assert alone["parts"][0]["exact_match"] == 0.0
    assert run(str(corpus), "--rules-only", "--write-floors").returncode != 0
