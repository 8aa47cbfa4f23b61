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


@dataclass(frozen=True)
class Diagram:
    nodes: list[DiagramNode]
    edges: list[DiagramEdge]
    width: int
    height: int


NODE_W, NODE_H, GAP_X, GAP_Y = 180, 56, 70, 26


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
    width = 40 + (outcome_column + 1) * (NODE_W + GAP_X)
    height = 40 + max((len(n) for n in columns.values()), default=1) * (NODE_H + GAP_Y)
    return Diagram(nodes, edges, width, height)
