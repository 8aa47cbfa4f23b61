"""The step diagram's layout: columns by distance from the start, outcomes last, unreachable
steps set apart, edges placed by direction, short labels for conditions."""

from __future__ import annotations

from scenarios.diagram import (
    GAP_X,
    GAP_Y,
    NODE_H,
    NODE_W,
    DiagramEdge,
    DiagramNode,
    scenario_diagram,
)
from scenarios.validation import scenario_from_text

COLUMN = NODE_W + GAP_X  # 350
ROW = NODE_H + GAP_Y  # 86

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


def test_steps_sit_in_columns_by_distance_and_outcomes_come_last():
    diagram = scenario_diagram(SCENARIO)
    assert diagram.nodes == [
        DiagramNode("ask", "ask", "你好，这件大衣是正品吗？我想买一", 20, 20, "start"),
        DiagramNode("size", "size", "穿什么码？", 20 + COLUMN, 20, "step"),
        DiagramNode("deal", "deal → 成交", "好，那我拍了。", 20 + 2 * COLUMN, 20, "end"),
        # Not reached from the start: a column of its own after the reachable steps.
        DiagramNode("orphan", "orphan", "没人来这里", 20 + 3 * COLUMN, 20, "unreachable"),
        # Two branches end in 流失: one outcome node.
        DiagramNode("outcome:流失", "流失", "", 20 + 4 * COLUMN, 20, "outcome"),
    ]
    assert (diagram.width, diagram.height) == (40 + 5 * COLUMN, 40 + ROW)


def test_edges_are_placed_by_direction_and_labels_of_one_step_are_stacked():
    edges = {(e.source, e.target, e.label): e for e in scenario_diagram(SCENARIO).edges}
    assert list(edges) == [
        ("ask", "size", "intent:proof"),
        ("ask", "outcome:流失", "沉默45s"),
        ("ask", "outcome:流失", "第3次"),
        ("size", "deal", "intent:advice 且 非(rule:promise)"),
        ("size", "ask", "第2次"),
        ("orphan", "deal", "关键词:甲/乙"),
    ]
    # Forward: from the right side of the source to the left side of the target; the labels
    # of the source's branches go down one line each.
    assert edges["ask", "size", "intent:proof"] == DiagramEdge(
        "ask", "size", "intent:proof", 200, 48, 370, 48, 206, 30
    )
    assert edges["ask", "outcome:流失", "沉默45s"] == DiagramEdge(
        "ask", "outcome:流失", "沉默45s", 200, 48, 1420, 48, 206, 42
    )
    assert edges["ask", "outcome:流失", "第3次"].label_y == 54
    # Backward: bottom centre to bottom centre, the label below.
    assert edges["size", "ask", "第2次"] == DiagramEdge(
        "size", "ask", "第2次", 460, 76, 110, 76, 285, 88
    )
    assert edges["orphan", "deal", "关键词:甲/乙"] == DiagramEdge(
        "orphan", "deal", "关键词:甲/乙", 1160, 76, 810, 76, 985, 88
    )


def test_steps_in_one_column_are_joined_vertically():
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
    assert (b.x, b.y, c.x, c.y) == (370, 20, 370, 20 + ROW)
    edges = {(e.source, e.target): e for e in diagram.edges}
    # Down from the bottom of b to the top of c; up from the top of c to the bottom of b.
    assert edges["b", "c"] == DiagramEdge("b", "c", "regex:x+ 或 第1次", 520, 76, 520, 106, 524, 95)
    assert edges["c", "b"] == DiagramEdge("c", "b", "?:", 520, 106, 520, 76, 524, 95)
    assert (diagram.width, diagram.height) == (40 + 3 * COLUMN, 40 + 2 * ROW)


def test_the_documented_example(fixture_text, context):
    spec = scenario_from_text(fixture_text, "s.yaml", context)
    diagram = scenario_diagram(spec.data)
    assert [(n.id, n.kind, n.x // COLUMN) for n in diagram.nodes] == [
        ("ask", "start", 0),
        ("size", "step", 1),
        ("doubt", "end", 1),
        ("deal", "end", 2),
        ("outcome:流失", "outcome", 3),
    ]
    assert [(e.source, e.target) for e in diagram.edges] == [
        ("ask", "size"),
        ("ask", "doubt"),
        ("ask", "outcome:流失"),
        ("ask", "outcome:流失"),
        ("size", "deal"),
        ("size", "deal"),
    ]
