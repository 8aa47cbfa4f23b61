"""The step diagram of a scenario: steps laid out in columns by their distance from the
start, the outcomes branches end in last, and an arrow per branch carrying its condition as
a label. Pure layout (no database): the editor's first render (templates/scenarios/
_diagram.svg) and its live redraw from the diagram API (static/scenarios/editor.js) draw the
same coordinates, so the two cannot disagree.

Labels are written in full, wrapped onto lines. Each sits in the gap between two columns,
where no node is, and is stacked clear of the other labels there; each gap is as wide as its
widest label needs (within bounds), and the drawing grows to hold what it carries. Text
widths are estimated (the labels are drawn in a monospaced face: ASCII 0.6 em, CJK 1 em)."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class DiagramNode:
    id: str
    label: str  # the step's name, shortened with … only when the box cannot hold it
    detail: str  # the buyer's first line, fitted to the box likewise
    title: str  # both in full: the node's tooltip
    x: int
    y: int
    kind: str  # start | step | end | outcome | unreachable


@dataclass(frozen=True)
class LabelLine:
    text: str
    x: int
    y: int  # the baseline


@dataclass(frozen=True)
class DiagramEdge:
    source: str
    target: str
    label: str  # the branch's condition in full (also the label's tooltip)
    # The arrow: from the source through its label (entering on one side, leaving on the
    # other) to the target, so the eye can follow a label to its arrow.
    points: tuple[tuple[int, int], ...] = ()
    label_x: int = 0  # the label's box (its background), which no node and no other label
    label_y: int = 0  # overlaps
    label_width: int = 0
    label_height: int = 0
    lines: tuple[LabelLine, ...] = ()


@dataclass(frozen=True)
class Diagram:
    nodes: list[DiagramNode]
    edges: list[DiagramEdge]
    width: int
    height: int


# The node size is also written in _diagram.svg and editor.js (the rect's width and height).
NODE_W, NODE_H, GAP_Y, MARGIN = 180, 56, 30, 20
# Font sizes in px, also written in _diagram.svg and editor.js.
NODE_FONT, DETAIL_FONT, LABEL_FONT = 13, 11, 10
LINE_H = 13  # a label's line height
LABEL_PAD = 3  # text to the edge of its label box
GAP_PAD = 10  # label box to the nodes on either side of its gap
LABEL_SPACING = 4  # between two labels stacked in one gap
MIN_GAP = 120  # room for the arrows even where no label needs it
MAX_LINE_W = 220  # a label's text wraps at this width (or at its gap's, when narrower)
MAX_LINES = 8  # beyond this a label is cut with …; its tooltip still holds all of it
TOP = 4  # labels go no higher than this
OUTCOME = "outcome:"  # node ids of outcomes; step names cannot contain ':'


def scenario_diagram(data: dict) -> Diagram:
    """Steps laid out in columns by distance from the start; outcomes in the last column;
    edge labels placed in the gaps between columns."""
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
    column_of = {name: column for column, names in columns.items() for name in names}
    gaps = _gap_widths(edges, column_of, outcome_column)
    lefts = [MARGIN]
    for column in range(outcome_column):
        lefts.append(lefts[-1] + NODE_W + gaps[column])
    nodes = [
        _node(name, lefts[column], row, steps, start=start, unreachable=name in unreachable)
        for column, names in sorted(columns.items())
        for row, name in enumerate(names)
    ]
    placed = _placed(edges, {node.id: node for node in nodes}, column_of, lefts, gaps)
    # No room is kept for an outcome column no branch ends in, nor for an empty gap.
    rights = [node.x + NODE_W for node in nodes] + [e.label_x + e.label_width for e in placed]
    bottoms = [node.y + NODE_H for node in nodes] + [e.label_y + e.label_height for e in placed]
    width = max(rights, default=MARGIN + NODE_W) + MARGIN
    height = max(bottoms, default=MARGIN + NODE_H) + MARGIN
    return Diagram(nodes, placed, width, height)


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


def _node(name: str, x: int, row: int, steps: dict, *, start, unreachable: bool) -> DiagramNode:
    y = MARGIN + row * (NODE_H + GAP_Y)
    room = NODE_W - 20  # the text starts 10 px in and keeps 10 px off the right side
    if name.startswith(OUTCOME):
        outcome = name.removeprefix(OUTCOME)
        return DiagramNode(name, _fitted(outcome, room, NODE_FONT), "", outcome, x, y, "outcome")
    step = steps[name]
    kind = "start" if name == start else ("end" if step.get("end") else "step")
    if unreachable:
        kind = "unreachable"
    first = (step.get("buyer") or [""])[0]
    detail = " / ".join(first) if isinstance(first, list) else str(first)  # a burst of lines
    label = name + (f" → {step['end']}" if step.get("end") else "")
    return DiagramNode(
        name,
        _fitted(label, room, NODE_FONT),
        _fitted(detail, room, DETAIL_FONT),
        f"{label}\n{detail}" if detail else label,
        x,
        y,
        kind,
    )


def _condition_label(condition: dict, *, nested: bool = False) -> str:
    """A Chinese label for a branch's condition, written in full on its arrow. A compound
    inside another is bracketed, so 且 and 或 read unambiguously."""
    key, value = next(iter(condition.items()))
    if key in ("all", "any"):
        joined = f" {'且' if key == 'all' else '或'} ".join(
            _condition_label(c, nested=True) for c in value
        )
        return f"({joined})" if nested and len(value) > 1 else joined
    if key == "not":
        return f"非({_condition_label(value)})"
    if key == "keywords":
        return "关键词:" + "/".join(str(word) for word in value)
    if key == "silence_s":
        return f"沉默{value:g}s"
    if key == "tries":
        return f"第{value}次"
    if isinstance(value, list):  # covered: [a, b], mood: [annoyed, angry]
        value = "/".join(str(item) for item in value)
    return f"{key}:{value}"


def text_width(text: str, size: int) -> float:
    """The estimated width of ``text`` at font ``size`` (px): ASCII 0.6 em, anything else
    (CJK, full-width punctuation) 1 em."""
    return sum(0.6 if ord(char) < 128 else 1.0 for char in text) * size


def _fitted(text: str, width: float, size: int) -> str:
    """``text``, or as much of it as fits ``width`` followed by …"""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def wrapped(text: str, width: float, size: int = LABEL_FONT) -> list[str]:
    """``text`` in lines no wider than ``width``: broken at spaces, and inside a word only
    when the word alone is wider than a line. Joining the lines with spaces (or nothing,
    where a word was broken) gives the text back."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if text_width(joined, size) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
            line = ""
        for piece in _pieces(word, width, size):
            if line and text_width(line + piece, size) > width:
                lines.append(line)
                line = ""
            line += piece
    if line:
        lines.append(line)
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], _fitted(lines[MAX_LINES - 1] + "…", width, size)]
    return lines or [""]


def _pieces(word: str, width: float, size: int, marks: str = "/:,") -> list[str]:
    """A word too wide for a line, in pieces that fit: cut after its / : or , first (between
    the names of intent:a/b), then after its _ (inside a name), then between characters."""
    if text_width(word, size) <= width:
        return [word]
    if not marks:
        return list(word)
    finer = "_" if marks != "_" else ""
    pieces = [p for p in re.findall(rf"[^{marks}]*[{marks}]?", word) if p]
    return [cut for piece in pieces for cut in _pieces(piece, width, size, finer)]


def _gap_of(edge: DiagramEdge, column_of: dict[str, int]) -> int:
    """The gap an edge's label sits in (gap g lies between column g and column g + 1): right
    of the source for a forward or same-column arrow, left of it for a backward one."""
    source, target = column_of[edge.source], column_of[edge.target]
    return source - 1 if target < source else source


def _gap_widths(
    edges: list[DiagramEdge], column_of: dict[str, int], outcome_column: int
) -> list[int]:
    """Each gap as wide as its widest label needs, up to a line of MAX_LINE_W."""
    text = dict.fromkeys(range(outcome_column), 0.0)
    for edge in edges:
        gap = _gap_of(edge, column_of)
        text[gap] = max(text[gap], min(text_width(edge.label, LABEL_FONT), MAX_LINE_W))
    return [
        max(MIN_GAP, math.ceil(text[gap]) + 2 * (LABEL_PAD + GAP_PAD))
        for gap in range(outcome_column)
    ]


def _placed(
    edges: list[DiagramEdge],
    nodes: dict[str, DiagramNode],
    column_of: dict[str, int],
    lefts: list[int],
    gaps: list[int],
) -> list[DiagramEdge]:
    """Each label where its arrow crosses the middle of its gap, or the nearest place there
    free of the labels already placed; then the arrow through it."""
    taken: dict[int, list[tuple[int, int]]] = {}  # per gap: (top, bottom) of its labels, sorted
    placed = []
    for edge in edges:
        source, target = nodes[edge.source], nodes[edge.target]
        gap = _gap_of(edge, column_of)
        gap_left = lefts[gap] + NODE_W
        room = gaps[gap] - 2 * (LABEL_PAD + GAP_PAD)
        lines = wrapped(edge.label, room)
        box_w = math.ceil(max(text_width(line, LABEL_FONT) for line in lines)) + 2 * LABEL_PAD
        box_h = len(lines) * LINE_H + 2 * LABEL_PAD
        backward = column_of[edge.target] < column_of[edge.source]
        start = (source.x if backward else source.x + NODE_W, source.y + NODE_H // 2)
        end = (target.x + NODE_W if target.x <= source.x else target.x, target.y + NODE_H // 2)
        middle = gap_left + gaps[gap] / 2
        if start[0] == end[0]:  # same column: beside the two steps, halfway between them
            wanted = (start[1] + end[1]) / 2
        else:  # where the straight line between them crosses the middle of the gap
            wanted = start[1] + (end[1] - start[1]) * (middle - start[0]) / (end[0] - start[0])
        top = _free_top(taken.setdefault(gap, []), round(wanted) - box_h // 2, box_h)
        bisect.insort(taken[gap], (top, top + box_h))
        box_x = gap_left + (gaps[gap] - box_w) // 2
        centre = top + box_h // 2
        near, far = (box_x + box_w, box_x) if backward else (box_x, box_x + box_w)
        through = ((near, centre),) if start[0] == end[0] else ((near, centre), (far, centre))
        placed.append(
            DiagramEdge(
                edge.source,
                edge.target,
                edge.label,
                (start, *through, end),
                box_x,
                top,
                box_w,
                box_h,
                tuple(
                    LabelLine(line, box_x + LABEL_PAD, top + LABEL_PAD + i * LINE_H + LABEL_FONT)
                    for i, line in enumerate(lines)
                ),
            )
        )
    return placed


def _free_top(taken: list[tuple[int, int]], wanted: int, height: int) -> int:
    """The top nearest ``wanted`` at which a label of ``height`` keeps LABEL_SPACING from
    every (top, bottom) in ``taken`` (sorted, disjoint) and stays below TOP."""
    best = math.inf
    lower = TOP
    for top, bottom in [*taken, (math.inf, math.inf)]:
        if lower - wanted >= abs(best - wanted):
            break  # every place from here on is further away
        upper = top - LABEL_SPACING - height  # the last top that keeps clear of this one
        if upper >= lower:
            candidate = min(max(wanted, lower), upper)
            if abs(candidate - wanted) < abs(best - wanted):
                best = candidate
        lower = max(lower, bottom + LABEL_SPACING)
    return int(best)
