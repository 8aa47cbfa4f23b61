"""The steps of a scenario as a graph: which step a branch leads to, what the start reaches,
which steps form loops. Pure; the validator's reachability and loop checks build on it."""

from __future__ import annotations

from collections.abc import Iterator


def step_edges(steps: dict) -> dict[str, set[str]]:
    """Each step's successors: the existing steps its branches `goto` (malformed steps and
    branches, and gotos to missing steps, add nothing; the validator reports them)."""
    edges: dict[str, set[str]] = {name: set() for name in steps}
    for name, step in steps.items():
        branches = step.get("branches") if isinstance(step, dict) else None
        if not isinstance(branches, list):
            continue
        for branch in branches:
            if not isinstance(branch, dict):
                continue
            target = branch.get("goto")
            if isinstance(target, str) and target in steps:
                edges[name].add(target)
    return edges


def reached_from(start: str, edges: dict[str, set[str]]) -> set[str]:
    """Every step a conversation starting at ``start`` can come to (``start`` included)."""
    reached = {start}
    frontier = [start]
    while frontier:
        for target in edges.get(frontier.pop(), ()):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    return reached


def is_cycle(component: set[str], edges: dict[str, set[str]]) -> bool:
    """A strongly connected component is a loop when it has two steps or a step leading
    to itself."""
    return len(component) > 1 or any(name in edges[name] for name in component)


class _Tarjan:
    """Tarjan's algorithm, iterative (a deep scenario must not hit the recursion limit)."""

    def __init__(self, edges: dict[str, set[str]]) -> None:
        self.edges = edges
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.components: list[set[str]] = []

    def _visit(self, node: str) -> tuple[str, Iterator[str]]:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)
        return node, iter(sorted(self.edges.get(node, ())))

    def _unvisited_child(self, node: str, children: Iterator[str]) -> str | None:
        """The next child not yet visited; children on the stack lower ``node``'s link."""
        for child in children:
            if child not in self.index:
                return child
            if child in self.on_stack:
                self.low[node] = min(self.low[node], self.index[child])
        return None

    def _pop_component(self, root: str) -> None:
        component = set()
        while True:
            member = self.stack.pop()
            self.on_stack.discard(member)
            component.add(member)
            if member == root:
                break
        self.components.append(component)

    def run(self, root: str) -> None:
        work = [self._visit(root)]
        while work:
            node, children = work[-1]
            child = self._unvisited_child(node, children)
            if child is not None:
                work.append(self._visit(child))
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                self.low[parent] = min(self.low[parent], self.low[node])
            if self.low[node] == self.index[node]:
                self._pop_component(node)


def strongly_connected(nodes: list[str], edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of the graph, in the order Tarjan's algorithm
    completes them, visiting ``nodes`` and each node's successors in sorted order."""
    tarjan = _Tarjan(edges)
    for root in nodes:
        if root not in tarjan.index:
            tarjan.run(root)
    return tarjan.components
