"""The graph of one flow: where each step leads, the reading order, reachability.

Used by the checks (is every step reachable? does every path end?) and by every
document, which must all number the steps the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from policypack.model.flow import Flow, Step


def successors(step: Step) -> list[str]:
    """The ids a step leads to, in the order a reader meets them."""
    if step.kind == "decision":
        return [branch.to for branch in step.branches]
    return [step.next] if step.next else []


def start_step(flow: Flow) -> Step | None:
    return next((step for step in flow.steps if step.kind == "start"), None)


def number_steps(flow: Flow) -> dict[str, int]:
    """Step numbers that follow the route, not the file order.

    Depth-first from the start, taking a decision's branches in the order written, but a
    step that several routes lead into is numbered only once every route into it has been
    numbered, so branches that meet again read as one block. (A loop back to an earlier
    step cannot wait, and is numbered when nothing else is ready.) Steps the route never
    reaches, which the checks report, are numbered last in file order.
    """
    by_id = {step.id: step for step in flow.steps}
    reached = reachable(flow, start.id) if (start := start_step(flow)) else set()
    waiting = dict.fromkeys(reached, 0)
    for step_id in reached:
        for target in successors(by_id[step_id]):
            if target in waiting:
                waiting[target] += 1
    order: list[str] = []
    stack = [start.id] if start else []
    discovered: dict[str, None] = {}
    while stack or len(order) < len(reached):
        if not stack:  # only loops are left waiting: take the first step found
            stack.append(next(step_id for step_id in discovered if step_id not in order))
        step_id = stack.pop()
        if step_id in order:
            continue
        order.append(step_id)
        ready = []
        for target in successors(by_id[step_id]):
            if target in waiting:
                discovered.setdefault(target)
                waiting[target] -= 1
                if waiting[target] == 0:
                    ready.append(target)
        stack.extend(reversed(ready))
    order += [step.id for step in flow.steps if step.id not in reached]
    return {step_id: number for number, step_id in enumerate(dict.fromkeys(order), start=1)}


def steps_in_order(flow: Flow) -> list[Step]:
    numbers = number_steps(flow)
    by_id = {step.id: step for step in flow.steps}
    return [by_id[step_id] for step_id in sorted(numbers, key=numbers.__getitem__) if step_id in by_id]


def reachable(flow: Flow, start_id: str) -> set[str]:
    return set(_depth_first(flow, start_id))


def _depth_first(flow: Flow, start_id: str) -> list[str]:
    by_id = {step.id: step for step in flow.steps}
    order: list[str] = []
    seen: set[str] = set()
    stack = [start_id]
    while stack:
        step_id = stack.pop()
        if step_id in seen or step_id not in by_id:
            continue
        seen.add(step_id)
        order.append(step_id)
        stack.extend(reversed(successors(by_id[step_id])))
    return order


def loops_without_exit(flow: Flow) -> list[list[str]]:
    """Cycles from which no path reaches an end step, each listed in file order."""
    ends_reachable = _can_reach_end(flow)
    components = _strongly_connected(flow)
    file_order = {step.id: index for index, step in enumerate(flow.steps)}
    loops = []
    for component in components:
        if component & ends_reachable:
            continue
        if len(component) > 1 or _has_self_loop(flow, component):
            loops.append(sorted(component, key=file_order.__getitem__))
    return sorted(loops, key=lambda loop: file_order[loop[0]])


def _can_reach_end(flow: Flow) -> set[str]:
    predecessors: dict[str, set[str]] = {step.id: set() for step in flow.steps}
    for step in flow.steps:
        for target in successors(step):
            predecessors.setdefault(target, set()).add(step.id)
    frontier = [step.id for step in flow.steps if step.kind == "end"]
    found = set(frontier)
    while frontier:
        for pred in predecessors.get(frontier.pop(), ()):
            if pred not in found:
                found.add(pred)
                frontier.append(pred)
    return found


def _has_self_loop(flow: Flow, component: Iterable[str]) -> bool:
    by_id = {step.id: step for step in flow.steps}
    return any(step_id in successors(by_id[step_id]) for step_id in component)


def _strongly_connected(flow: Flow) -> list[set[str]]:
    """Tarjan's algorithm, iterative so that long flows cannot hit the recursion limit."""
    graph = {step.id: list(successors(step)) for step in flow.steps}
    graph = {node: [t for t in targets if t in graph] for node, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if child < len(graph[node]):
                work.append((node, child + 1))
                target = graph[node][child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            for target in graph[node]:
                if target in on_stack:
                    low[node] = min(low[node], low[target])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                result.append(component)
    return result
