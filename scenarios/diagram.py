"""The step diagram of a scenario: steps laid out in columns by their distance from the
start, the outcomes branches end in last, and an arrow per branch. Pure layout (no database);
the editor draws it as SVG (templates/scenarios/_diagram.svg) and the diagram API returns it
as JSON."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiagramNode:
    id: str
    label: str
    detail: str
    x: int
    y: int
    kind: str  # start | step | end | outcome | unreachable


@dataclass(frozen=True)
class DiagramEdge:
    source: str
    target: str
    label: str
    x1: int = 0
    y1: int = 0
    x2: int = 0
    y2: int = 0
    label_x: int = 0
    label_y: int = 0


@dataclass(frozen=True)
class Diagram:
    nodes: list[DiagramNode]
    edges: list[DiagramEdge]
    width: int
    height: int


# The node size is also written in _diagram.svg (the rect's width and height).
NODE_W, NODE_H, GAP_X, GAP_Y = 180, 56, 170, 30
OUTCOME = "outcome:"  # node ids of outcomes; step names cannot contain ':'


def scenario_diagram(data: dict) -> Diagram:
    """Steps laid out in columns by distance from the start; outcomes in the last column."""
    steps = data.get("steps") or {}
    start = data.get("start")
    depth = _distances(steps, start)
    unreachable = [name for name in steps if name not in depth]
    last = max(depth.values(), default=0) + 1
    depth.update(dict.fromkeys(unreachable, last))
    edges, outcomes = _branch_edges(steps)
    columns: dict[int, list[str]] = {}
    for name in steps:
        columns.setdefault(depth[name], []).append(name)
    outcome_column = max(columns, default=0) + 1
    columns[outcome_column] = outcomes
    nodes = [
        _node(name, column, row, steps, start=start, unreachable=name in unreachable)
        for column, names in sorted(columns.items())
        for row, name in enumerate(names)
    ]
    width = 40 + (outcome_column + 1) * (NODE_W + GAP_X)
    height = 40 + max((len(n) for n in columns.values()), default=1) * (NODE_H + GAP_Y)
    return Diagram(nodes, _placed(edges, {node.id: node for node in nodes}), width, height)


def _distances(steps: dict, start) -> dict[str, int]:
    """The steps reachable from the start, each with its distance (breadth first, so a step
    sits in the column of its shortest path)."""
    if start not in steps:
        return {}
    depth = {start: 0}
    frontier = [start]
    while frontier:
        current = frontier.pop(0)
        for branch in steps[current].get("branches") or []:
            target = branch.get("goto")
            if target in steps and target not in depth:
                depth[target] = depth[current] + 1
                frontier.append(target)
    return depth


def _branch_edges(steps: dict) -> tuple[list[DiagramEdge], list[str]]:
    """An edge per branch (not yet placed), and the outcome nodes branches end in, in the
    order they are first met."""
    edges: list[DiagramEdge] = []
    outcomes: list[str] = []
    for name, step in steps.items():
        if step.get("end"):
            continue
        for branch in step.get("branches") or []:
            label = _condition_label(branch.get("when") or {"?": ""})
            if branch.get("goto"):
                edges.append(DiagramEdge(name, branch["goto"], label))
            elif branch.get("end"):
                outcome = f"{OUTCOME}{branch['end']}"
                if outcome not in outcomes:
                    outcomes.append(outcome)
                edges.append(DiagramEdge(name, outcome, label))
    return edges, outcomes


def _node(
    name: str, column: int, row: int, steps: dict, *, start, unreachable: bool
) -> DiagramNode:
    x = 20 + column * (NODE_W + GAP_X)
    y = 20 + row * (NODE_H + GAP_Y)
    if name.startswith(OUTCOME):
        return DiagramNode(name, name.removeprefix(OUTCOME), "", x, y, "outcome")
    step = steps[name]
    kind = "start" if name == start else ("end" if step.get("end") else "step")
    if unreachable:
        kind = "unreachable"
    detail = (step.get("buyer") or [""])[0]
    label = name + (f" → {step['end']}" if step.get("end") else "")
    return DiagramNode(name, label, detail[:16], x, y, kind)


def _condition_label(condition: dict) -> str:
    """A short Chinese label for a branch's condition, written on its arrow."""
    key, value = next(iter(condition.items()))
    if key in ("all", "any"):
        return f" {'且' if key == 'all' else '或'} ".join(_condition_label(c) for c in value)
    if key == "not":
        return f"非({_condition_label(value)})"
    if key == "keywords":
        return "关键词:" + "/".join(value[:2])
    if key == "silence_s":
        return f"沉默{value:g}s"
    if key == "tries":
        return f"第{value}次"
    return f"{key}:{value}"


def _placed(edges: list[DiagramEdge], nodes: dict[str, DiagramNode]) -> list[DiagramEdge]:
    """Coordinates for each edge; labels of one source are stacked so they do not overlap."""
    placed = []
    per_source: dict[str, int] = {}
    for edge in edges:
        source, target = nodes[edge.source], nodes[edge.target]
        index = per_source.get(edge.source, 0)
        per_source[edge.source] = index + 1
        if target.x > source.x:  # forward: right side to left side, label in the gap
            x1, y1 = source.x + NODE_W, source.y + NODE_H // 2
            x2, y2 = target.x, target.y + NODE_H // 2
            label_x, label_y = x1 + 6, source.y + 10 + index * 12
        elif target.x == source.x:  # same column: bottom to top (or top to bottom)
            down = target.y > source.y
            x1 = x2 = source.x + NODE_W - 30
            y1 = source.y + (NODE_H if down else 0)
            y2 = target.y + (0 if down else NODE_H)
            label_x, label_y = x1 + 4, (y1 + y2) // 2 + 4
        else:  # backward: from the bottom of the source to the bottom of the target
            x1, y1 = source.x + NODE_W // 2, source.y + NODE_H
            x2, y2 = target.x + NODE_W // 2, target.y + NODE_H
            label_x, label_y = (x1 + x2) // 2, max(y1, y2) + 12
        placed.append(
            DiagramEdge(edge.source, edge.target, edge.label, x1, y1, x2, y2, label_x, label_y)
        )
    return placed
