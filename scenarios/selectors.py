"""Reads for scenarios: lists, versions, diffs and the step diagram."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from scenarios.models import Scenario, ScenarioVersion


def scenarios_filtered(*, query: str = "", shop: str = "", tag: str = "", status: str = ""
                       ) -> QuerySet[Scenario]:
    scenarios = Scenario.objects.select_related("published_version")
    if query:
        scenarios = scenarios.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    if shop:
        scenarios = scenarios.filter(shop_slug=shop)
    if status == "published":
        scenarios = scenarios.filter(published_version__isnull=False)
    elif status == "unpublished":
        scenarios = scenarios.filter(published_version__isnull=True)
    if tag:
        # Tags are a short JSON list; matching in Python keeps this portable (SQLite, PG).
        return scenarios.filter(pk__in=[s.pk for s in scenarios if tag in (s.tags or [])])
    return scenarios


def scenarios_published() -> QuerySet[Scenario]:
    return Scenario.objects.filter(published_version__isnull=False).select_related(
        "published_version")


def versions_of(scenario: Scenario) -> QuerySet[ScenarioVersion]:
    return scenario.versions.select_related("created_by").order_by("-number")


def version_diff(old: ScenarioVersion, new: ScenarioVersion) -> list[tuple[str, str]]:
    """Lines of a unified diff as (kind, text): kind is add, remove, hunk or same."""
    lines = []
    for line in difflib.unified_diff(
        old.yaml.splitlines(), new.yaml.splitlines(),
        fromfile=f"v{old.number}", tofile=f"v{new.number}", lineterm="", n=3,
    ):
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "same"
        lines.append((kind, line))
    return lines


@dataclass(frozen=True)
class DiagramNode:
    id: str
    label: str
    detail: str
    x: int
    y: int
    kind: str  # start | step | end | outcome


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


NODE_W, NODE_H, GAP_X, GAP_Y = 180, 56, 170, 30


def _condition_label(condition: dict) -> str:
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
        placed.append(DiagramEdge(edge.source, edge.target, edge.label, x1, y1, x2, y2,
                                  label_x, label_y))
    return placed


def scenario_diagram(data: dict) -> Diagram:
    """Steps laid out in columns by distance from the start; outcomes in the last column."""
    steps = data.get("steps") or {}
    start = data.get("start")
    depth: dict[str, int] = {}
    if start in steps:
        depth[start] = 0
        frontier = [start]
        while frontier:
            current = frontier.pop(0)
            for branch in steps[current].get("branches") or []:
                target = branch.get("goto")
                if target in steps and target not in depth:
                    depth[target] = depth[current] + 1
                    frontier.append(target)
    unreachable = [name for name in steps if name not in depth]
    last = max(depth.values(), default=0) + 1
    for name in unreachable:
        depth[name] = last
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
                outcome = f"outcome:{branch['end']}"
                if outcome not in outcomes:
                    outcomes.append(outcome)
                edges.append(DiagramEdge(name, outcome, label))
    columns: dict[int, list[str]] = {}
    for name in steps:
        columns.setdefault(depth[name], []).append(name)
    outcome_column = max(columns, default=0) + 1
    columns[outcome_column] = outcomes
    nodes = []
    for column, names in sorted(columns.items()):
        for row, name in enumerate(names):
            x = 20 + column * (NODE_W + GAP_X)
            y = 20 + row * (NODE_H + GAP_Y)
            if name.startswith("outcome:"):
                nodes.append(DiagramNode(name, name.split(":", 1)[1], "", x, y, "outcome"))
                continue
            step = steps[name]
            kind = "start" if name == start else ("end" if step.get("end") else "step")
            if name in unreachable:
                kind = "unreachable"
            detail = (step.get("buyer") or [""])[0]
            label = name + (f" → {step['end']}" if step.get("end") else "")
            nodes.append(DiagramNode(name, label, detail[:16], x, y, kind))
    edges = _placed(edges, {node.id: node for node in nodes})
    width = 40 + (outcome_column + 1) * (NODE_W + GAP_X)
    height = 40 + max((len(n) for n in columns.values()), default=1) * (NODE_H + GAP_Y)
    return Diagram(nodes, edges, width, height)
