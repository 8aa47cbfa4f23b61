"""The step diagram's layout: columns by distance from the start, outcomes last, unreachable
steps set apart; each branch's condition written in full on its arrow, wrapped onto lines,
clear of the steps and of the other labels, in every shipped scenario."""

from __future__ import annotations

import math
import re
import time
from itertools import combinations
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from scenarios.diagram import (
    GAP_PAD,
    LABEL_FONT,
    LABEL_PAD,
    LINE_H,
    MARGIN,
    MAX_LINE_W,
    MIN_GAP,
    NODE_H,
    NODE_W,
    Diagram,
    DiagramEdge,
    scenario_diagram,
    text_width,
    wrapped,
)
from scenarios.validation import scenario_from_file, scenario_from_text
from tests.runaway import RUNAWAY_S

ROW = NODE_H + 30
SHIPPED = sorted(
    p
    for p in (Path(__file__).resolve().parents[2] / "content" / "scenarios").glob("*.yaml")
    if not p.name.startswith("_")
)

SCENARIO = {
    "start": "ask",
    "steps": {
        "ask": {
            "buyer": ["你好，这件大衣是正品吗？我想买一件"],
            "branches": [
                {"when": {"intent": "proof"}, "goto": "size"},
                {"when": {"silence_s": 45}, "end": "流失"},
                {"when": {"tries": 3}, "end": "流失"},
            ],
        },
        "size": {
            "buyer": ["穿什么码？"],
            "branches": [
                {
                    "when": {"all": [{"intent": "advice"}, {"not": {"rule": "promise"}}]},
                    "goto": "deal",
                },
                {"when": {"tries": 2}, "goto": "ask"},
            ],
        },
        "deal": {"buyer": ["好，那我拍了。"], "end": "成交"},
        "orphan": {
            "buyer": ["没人来这里"],
            "branches": [{"when": {"keywords": ["甲", "乙", "丙"]}, "goto": "deal"}],
        },
    },
}


# --- what a reader of the drawing would check by eye ---------------------------------------


def _overlap(a: tuple, b: tuple) -> bool:
    """Two (x, y, width, height) boxes share some area (touching edges do not count)."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _box(edge: DiagramEdge) -> tuple:
    return (edge.label_x, edge.label_y, edge.label_width, edge.label_height)


def _shown(edge: DiagramEdge) -> str:
    """The label's text as drawn, all lines, without the spaces the lines broke at."""
    return re.sub(r"\s", "", "".join(line.text for line in edge.lines))


def _layout_problems(diagram: Diagram) -> list[str]:
    """Every way the labels fail a reader: overlapping each other or a step, cut, running
    out of their box or off the drawing, or not on their arrow."""
    problems = []
    for a, b in combinations(diagram.edges, 2):
        if _overlap(_box(a), _box(b)):
            problems.append(f"labels overlap: {a.label!r} and {b.label!r}")
    for edge in diagram.edges:
        for node in diagram.nodes:
            if _overlap(_box(edge), (node.x, node.y, NODE_W, NODE_H)):
                problems.append(f"label {edge.label!r} covers step {node.id}")
        problems.extend(_label_problems(edge, diagram))
    return problems


def _label_problems(edge: DiagramEdge, diagram: Diagram) -> list[str]:
    problems = []
    if _shown(edge) != re.sub(r"\s", "", edge.label):
        problems.append(f"label cut: {edge.label!r} shown as {_shown(edge)!r}")
    for i, line in enumerate(edge.lines):
        right = line.x + text_width(line.text, LABEL_FONT)
        if line.x < edge.label_x or right > edge.label_x + edge.label_width:
            problems.append(f"{line.text!r} runs out of its box")
        if line.y != edge.label_y + LABEL_PAD + i * LINE_H + LABEL_FONT:
            problems.append(f"{line.text!r} is not on line {i + 1} of its box")
    if len(edge.lines) * LINE_H + 2 * LABEL_PAD != edge.label_height:
        problems.append(f"the box of {edge.label!r} does not hold its lines")
    x, y, width, height = _box(edge)
    if x < 0 or y < 0 or x + width > diagram.width or y + height > diagram.height:
        problems.append(f"label {edge.label!r} is off the drawing")
    if (x, y + height // 2) not in edge.points:
        problems.append(f"the arrow of {edge.label!r} does not reach its label")
    return problems


# --- columns and rows --------------------------------------------------------------------


def test_steps_sit_in_columns_by_distance_and_outcomes_come_last():
    diagram = scenario_diagram(SCENARIO)
    assert [(n.id, n.label, n.kind) for n in diagram.nodes] == [
        ("ask", "ask", "start"),
        ("size", "size", "step"),
        ("deal", "deal → 成交", "end"),
        # Not reached from the start: a column of its own after the reachable steps.
        ("orphan", "orphan", "unreachable"),
        # Two branches end in 流失: one outcome node.
        ("outcome:流失", "流失", "outcome"),
    ]
    xs = [n.x for n in diagram.nodes]
    assert xs[0] == MARGIN and xs == sorted(xs) and len(set(xs)) == 5  # five columns
    assert all(n.y == MARGIN for n in diagram.nodes)  # one row
    # Each gap holds its widest label on one line (or is MIN_GAP wide).
    gaps = [b - a - NODE_W for a, b in zip(xs, xs[1:], strict=False)]
    widest = text_width("intent:advice 且 非(rule:promise)", LABEL_FONT)
    assert gaps[1] == max(MIN_GAP, math.ceil(widest) + 2 * (LABEL_PAD + GAP_PAD))
    assert gaps[0] == MIN_GAP  # "intent:proof", "第2次", "沉默45s", "第3次" need less
    assert diagram.width == xs[-1] + NODE_W + MARGIN


def test_steps_in_one_column_are_stacked_in_rows_and_joined_beside_them():
    data = {
        "start": "a",
        "steps": {
            "a": {
                "branches": [
                    {"when": {"tries": 1}, "goto": "b"},
                    {"when": {"tries": 2}, "goto": "c"},
                ]
            },
            "b": {"branches": [{"when": {"any": [{"regex": "x+"}, {"tries": 1}]}, "goto": "c"}]},
            "c": {"branches": [{"goto": "b"}]},
        },
    }
    diagram = scenario_diagram(data)
    b, c = (node for node in diagram.nodes if node.id in ("b", "c"))
    assert (b.x, b.y, c.x, c.y) == (b.x, MARGIN, b.x, MARGIN + ROW)
    edges = {(e.source, e.target): e for e in diagram.edges}
    # From the right side of b, through the label to the right of the column, back to the
    # right side of c; and from c to b the same way.
    down, up = edges["b", "c"], edges["c", "b"]
    right = b.x + NODE_W
    assert down.points[0] == (right, b.y + NODE_H // 2)
    assert down.points[-1] == (right, c.y + NODE_H // 2)
    assert up.points[0] == (right, c.y + NODE_H // 2)
    assert up.points[-1] == (right, b.y + NODE_H // 2)
    assert down.label_x > right and up.label_x > right
    # Both want the middle between b and c: one takes it, the other moves clear.
    assert not _overlap(_box(down), _box(up))
    assert _layout_problems(diagram) == []
    # No outcome: no room kept for one; the drawing ends past the widest label.
    labels = [e.label_x + e.label_width for e in diagram.edges]
    assert diagram.width == max(right, *labels) + MARGIN


# --- arrows and their labels -------------------------------------------------------------


def test_arrows_run_from_side_to_side_through_their_labels():
    diagram = scenario_diagram(SCENARIO)
    nodes = {n.id: n for n in diagram.nodes}
    edges = {(e.source, e.target, e.label): e for e in diagram.edges}
    assert list(edges) == [
        ("ask", "size", "intent:proof"),
        ("ask", "outcome:流失", "沉默45s"),
        ("ask", "outcome:流失", "第3次"),
        ("size", "deal", "intent:advice 且 非(rule:promise)"),
        ("size", "ask", "第2次"),
        ("orphan", "deal", "关键词:甲/乙/丙"),
    ]
    ask, size, lost = nodes["ask"], nodes["size"], nodes["outcome:流失"]
    middle = NODE_H // 2
    # Forward: right side of the source, into the label's left, out of its right, to the
    # left side of the target; the label in the gap right of the source.
    forward = edges["ask", "size", "intent:proof"]
    centre = forward.label_y + forward.label_height // 2
    assert forward.points == (
        (ask.x + NODE_W, ask.y + middle),
        (forward.label_x, centre),
        (forward.label_x + forward.label_width, centre),
        (size.x, size.y + middle),
    )
    assert ask.x + NODE_W < forward.label_x < forward.label_x + forward.label_width < size.x
    # Same row: the label sits on the straight line between the two.
    assert centre == ask.y + middle
    # A long arrow keeps its label beside its source (in the first gap) too.
    silence = edges["ask", "outcome:流失", "沉默45s"]
    assert ask.x + NODE_W < silence.label_x < size.x
    assert silence.points[-1] == (lost.x, lost.y + middle)
    # Backward: from the left side of the source, through the label (right to left), to the
    # right side of the target.
    back = edges["size", "ask", "第2次"]
    centre = back.label_y + back.label_height // 2
    assert back.points == (
        (size.x, size.y + middle),
        (back.label_x + back.label_width, centre),
        (back.label_x, centre),
        (ask.x + NODE_W, ask.y + middle),
    )
    assert _layout_problems(diagram) == []


def test_labels_of_many_branches_are_stacked_clear_of_each_other_and_the_drawing_grows():
    data = {
        "start": "ask",
        "steps": {
            "ask": {
                "buyer": ["在吗"],
                "branches": [
                    {"when": {"keywords": [f"第{i}种说法", "对吧"]}, "goto": "next"}
                    for i in range(12)
                ],
            },
            "next": {"buyer": ["好"], "end": "成交"},
        },
    }
    diagram = scenario_diagram(data)
    assert len(diagram.edges) == 12
    assert _layout_problems(diagram) == []
    tops = [e.label_y for e in diagram.edges]
    # Twelve labels need more height than the one row of steps: the drawing grows to hold
    # them, and every one of them is inside it.
    lowest = max(e.label_y + e.label_height for e in diagram.edges)
    assert lowest > MARGIN + NODE_H
    assert diagram.height == lowest + MARGIN
    assert len(set(tops)) == 12


def test_a_long_label_wraps_onto_lines_within_its_gap_and_is_shown_in_full():
    names = [f"intent:very_long_intent_name_{i}" for i in range(6)]
    data = {
        "start": "a",
        "steps": {
            "a": {"branches": [{"when": {"any": [{"intent": n[7:]} for n in names]}, "goto": "b"}]},
            "b": {"end": "成交"},
        },
    }
    diagram = scenario_diagram(data)
    (edge,) = diagram.edges
    assert edge.label == " 或 ".join(names)
    assert len(edge.lines) > 1
    assert all(text_width(line.text, LABEL_FONT) <= MAX_LINE_W for line in edge.lines)
    assert " ".join(line.text for line in edge.lines) == edge.label  # broken at spaces only
    a, b = diagram.nodes
    assert b.x - a.x - NODE_W == MAX_LINE_W + 2 * (LABEL_PAD + GAP_PAD)
    assert _layout_problems(diagram) == []


def test_wrapping_breaks_words_only_where_it_must_and_prefers_name_boundaries():
    assert wrapped("沉默45s", 200) == ["沉默45s"]
    assert wrapped("intent:apology 且 intent:investigate", 120) == [
        "intent:apology 且",
        "intent:investigate",
    ]
    # A word wider than a line breaks after / or : first, then after _, then anywhere.
    assert wrapped("covered:delivery_estimate/honest_date", 150) == [
        "covered:",
        "delivery_estimate/",
        "honest_date",
    ]
    assert wrapped("covered:delivery_estimate_and_more/x", 100) == [
        "covered:",
        "delivery_",
        "estimate_and_",
        "more/x",
    ]
    assert wrapped("x" * 25, 60) == ["x" * 10, "x" * 10, "x" * 5]
    # CJK counts a full em, ASCII 0.6 em.
    assert text_width("第3次", 10) == 26
    assert wrapped("甲乙丙丁戊己庚辛", 40) == ["甲乙丙丁", "戊己庚辛"]


def test_a_label_longer_than_any_drawing_is_cut_and_keeps_its_full_text_for_the_tooltip():
    words = [f"说法{i:02d}" for i in range(100)]
    data = {
        "start": "a",
        "steps": {
            "a": {"branches": [{"when": {"keywords": words}, "goto": "b"}]},
            "b": {"end": "成交"},
        },
    }
    diagram = scenario_diagram(data)
    (edge,) = diagram.edges
    assert edge.label == "关键词:" + "/".join(words)
    assert len(edge.lines) == 8 and edge.lines[-1].text.endswith("…")
    svg = render_to_string("scenarios/_diagram.svg", {"diagram": diagram})
    assert f"<title>{edge.label}</title>" in svg


def test_conditions_are_written_in_full_with_brackets_where_and_and_or_mix():
    data = {
        "start": "a",
        "steps": {
            "a": {
                "branches": [
                    {"when": {"keywords": ["甲", "乙", "丙"]}, "goto": "b"},
                    {
                        "when": {
                            "all": [
                                {"intent": "apology"},
                                {"any": [{"intent": "refund"}, {"intent": "exchange"}]},
                            ]
                        },
                        "goto": "b",
                    },
                    {"when": {"any": [{"all": [{"rule": "x"}]}, {"tries": 2}]}, "goto": "b"},
                    {"when": {"covered": ["apology", "refund"]}, "goto": "b"},
                    {"when": {"mood": ["annoyed", "angry"]}, "end": "流失"},
                    {"when": {"not": {"silence_s": 7.5}}, "end": "流失"},
                ]
            },
            "b": {"end": "成交"},
        },
    }
    assert [e.label for e in scenario_diagram(data).edges] == [
        "关键词:甲/乙/丙",
        "intent:apology 且 (intent:refund 或 intent:exchange)",
        "rule:x 或 第2次",  # a compound of one needs no brackets
        "covered:apology/refund",
        "mood:annoyed/angry",
        "非(沉默7.5s)",
    ]


# --- steps -------------------------------------------------------------------------------


def test_a_step_shows_its_name_and_first_line_fitted_to_its_box_and_both_in_its_tooltip():
    data = {
        "start": "a_rather_long_step_name_for_a_box",
        "steps": {
            "a_rather_long_step_name_for_a_box": {
                "buyer": [["在吗", "我想问一下这件大衣到底是不是正品呀"]],  # a burst
                "branches": [{"when": {"tries": 1}, "end": "流失"}],
            },
        },
    }
    node = scenario_diagram(data).nodes[0]
    assert (
        node.title == "a_rather_long_step_name_for_a_box\n在吗 / 我想问一下这件大衣到底是不是正品呀"
    )
    assert node.label.endswith("…") and node.title.startswith(node.label[:-1])
    assert node.detail.endswith("…") and node.detail.startswith("在吗 / 我想")
    room = NODE_W - 20
    assert text_width(node.label, 13) <= room and text_width(node.detail, 11) <= room
    short = scenario_diagram(SCENARIO).nodes
    assert short[0].detail == "你好，这件大衣是正品吗？我…"
    assert short[1].detail == "穿什么码？" and short[1].title == "size\n穿什么码？"


# --- the drawing -------------------------------------------------------------------------


def test_the_drawing_writes_labels_in_full_on_lines_and_escapes_the_scenarios_text():
    data = {
        "start": "a",
        "steps": {
            "a": {
                "buyer": ["<b>你好</b>"],
                "branches": [
                    {"when": {"keywords": ["<script>", "买一送一"]}, "goto": "b"},
                    {
                        "when": {"any": [{"intent": f"intent_number_{i}"} for i in range(4)]},
                        "goto": "b",
                    },
                ],
            },
            "b": {"buyer": ["好"], "end": "成交"},
        },
    }
    diagram = scenario_diagram(data)
    svg = render_to_string("scenarios/_diagram.svg", {"diagram": diagram})
    assert "<script>" not in svg and "<b>" not in svg
    assert "关键词:&lt;script&gt;/买一送一" in svg
    long = diagram.edges[1]
    assert len(long.lines) > 1
    for line in long.lines:
        assert f'<tspan x="{line.x}" y="{line.y}">{line.text}</tspan>' in svg
    assert f'<svg xmlns="http://www.w3.org/2000/svg" width="{diagram.width}"' in svg
    assert f'height="{diagram.height}"' in svg


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_has_its_labels_in_full_clear_of_each_other_and_the_steps(
    path, context
):
    diagram = scenario_diagram(scenario_from_file(path, context).data)
    assert diagram.edges
    assert _layout_problems(diagram) == []


def test_the_largest_scenario_the_format_allows_is_laid_out_cleanly_and_quickly():
    """60 steps of 20 branches each (the schema's limits). Steps no path from the start
    reaches share one column, so here 1,180 labels share one gap; the layout still has to
    answer while a trainer types."""
    steps = {
        "start": {"buyer": ["在吗"], "branches": [{"when": {"tries": 1}, "end": "流失"}]},
        **{
            f"s{i}": {
                "buyer": ["嗯"],
                "branches": [
                    {"when": {"keywords": [f"词{i}_{j}", "另一个说法"]}, "goto": f"s{(i + j) % 59}"}
                    for j in range(20)
                ],
            }
            for i in range(59)
        },
    }
    started = time.perf_counter()
    diagram = scenario_diagram({"start": "start", "steps": steps})
    assert time.perf_counter() - started < RUNAWAY_S
    assert len(diagram.edges) == 1 + 59 * 20
    # Pairwise checks of 1,181 boxes are slow: in one gap, where labels share a band across,
    # each label clearing the next one down is enough.
    lefts = sorted({n.x for n in diagram.nodes})
    by_gap: dict[int, list[tuple]] = {}
    for edge in diagram.edges:
        gap = max(i for i, left in enumerate(lefts) if left < edge.label_x)
        by_gap.setdefault(gap, []).append(_box(edge))
    assert sorted(len(stack) for stack in by_gap.values()) == [1, 59 * 20]
    for stack in by_gap.values():
        stack.sort(key=lambda box: box[1])
        for upper, lower in zip(stack, stack[1:], strict=False):
            assert upper[1] + upper[3] < lower[1]
    assert max(e.label_y + e.label_height for e in diagram.edges) + MARGIN == diagram.height


def test_the_documented_example(fixture_text, context):
    spec = scenario_from_text(fixture_text, "s.yaml", context)
    diagram = scenario_diagram(spec.data)
    columns = sorted({n.x for n in diagram.nodes})
    assert [(n.id, n.kind, columns.index(n.x)) for n in diagram.nodes] == [
        ("ask", "start", 0),
        ("size", "step", 1),
        ("doubt", "end", 1),
        ("deal", "end", 2),
        ("outcome:流失", "outcome", 3),
    ]
    assert [(e.source, e.target, e.label) for e in diagram.edges] == [
        ("ask", "size", "intent:proof_of_genuine"),
        ("ask", "doubt", "rule:negative_language"),
        ("ask", "outcome:流失", "沉默45s"),
        ("ask", "outcome:流失", "第3次"),
        ("size", "deal", "intent:size_advice 且 非(rule:absolute_promise)"),
        ("size", "deal", "第2次"),
    ]
    assert _layout_problems(diagram) == []
