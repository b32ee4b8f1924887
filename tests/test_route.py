"""Step numbering follows the route; reachability and loops."""

from __future__ import annotations

from policypack.model.flow import Flow
from policypack.model.route import loops_without_exit, number_steps, reachable


def make_flow(steps: list[dict[str, object]]) -> Flow:
    base = {"lane": "x", "title": "t", "text": "t", "cites": ["s"]}
    return Flow.model_validate(
        {
            "id": "f",
            "title": "F",
            "nation": "england",
            "edition": "1",
            "reviewed": "2026-01-01",
            "lanes": {"x": "X"},
            "steps": [{**base, **step} for step in steps],
        }
    )


def decision(step_id: str, *targets: str) -> dict[str, object]:
    return {"id": step_id, "kind": "decision", "branches": [{"label": t, "to": t} for t in targets]}


def test_numbers_follow_the_route_not_the_file_order() -> None:
    flow = make_flow(
        [
            {"id": "end", "kind": "end"},
            {"id": "middle", "kind": "action", "next": "end"},
            {"id": "start", "kind": "start", "next": "middle"},
        ]
    )
    assert number_steps(flow) == {"start": 1, "middle": 2, "end": 3}


def test_branches_that_meet_again_are_numbered_before_the_meeting_step() -> None:
    flow = make_flow(
        [
            {"id": "start", "kind": "start", "next": "pick"},
            decision("pick", "a", "b", "c"),
            {"id": "a", "kind": "action", "next": "shared"},
            {"id": "b", "kind": "action", "next": "shared"},
            {"id": "c", "kind": "end"},
            {"id": "shared", "kind": "end"},
        ]
    )
    numbers = number_steps(flow)
    assert sorted(numbers, key=numbers.__getitem__) == ["start", "pick", "a", "b", "shared", "c"]


def test_a_loop_back_does_not_stop_numbering() -> None:
    flow = make_flow(
        [
            {"id": "start", "kind": "start", "next": "ask"},
            decision("ask", "again", "done"),
            {"id": "again", "kind": "action", "next": "ask"},
            {"id": "done", "kind": "end"},
        ]
    )
    assert number_steps(flow) == {"start": 1, "ask": 2, "again": 3, "done": 4}
    assert loops_without_exit(flow) == []


def test_unreachable_steps_are_numbered_last_and_not_reachable() -> None:
    flow = make_flow(
        [
            {"id": "orphan", "kind": "end"},
            {"id": "start", "kind": "start", "next": "end"},
            {"id": "end", "kind": "end"},
        ]
    )
    assert number_steps(flow) == {"start": 1, "end": 2, "orphan": 3}
    assert reachable(flow, "start") == {"start", "end"}


def test_a_loop_with_no_exit_is_found_once() -> None:
    flow = make_flow(
        [
            {"id": "start", "kind": "start", "next": "a"},
            {"id": "a", "kind": "action", "next": "b"},
            {"id": "b", "kind": "action", "next": "a"},
            {"id": "spin", "kind": "action", "next": "spin"},
        ]
    )
    assert loops_without_exit(flow) == [["a", "b"], ["spin"]]
