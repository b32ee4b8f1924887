"""A flow as a school of one phase prints it: pure, no I/O.

Steps, sentences (`more`), citations and rules may be limited to phases. A pack for a
phase keeps what applies to it; an all-through school is both primary and secondary.
A step left out is skipped: whatever led to it leads to its `next` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from policypack.model.basics import Citation
from policypack.model.flow import Flow, Step
from policypack.model.rules import Rule

COVERS = {"all-through": {"all-through", "primary", "secondary"}}


def applies(phases: Sequence[str] | None, phase: str) -> bool:
    """True when something limited to `phases` (None: every phase) belongs in a pack for `phase`."""
    return phases is None or bool(set(phases) & COVERS.get(phase, {phase}))


def flow_for_phase(flow: Flow, phase: str) -> Flow:
    """The flow with only what a school of this phase prints."""
    left_out = {step.id: step.next for step in flow.steps if not applies(step.phases, phase)}

    def onward(target: str | None) -> str | None:
        seen: set[str] = set()
        while target in left_out and target not in seen:
            seen.add(target)
            target = left_out[target]
        return target

    steps = [_step_for_phase(step, phase, onward) for step in flow.steps if step.id not in left_out]
    rules = [_rule_for_phase(rule, phase) for rule in flow.rules if applies(rule.phases, phase)]
    return flow.model_copy(update={"steps": steps, "rules": rules})


def _citations(cites: list[Citation], phase: str) -> list[Citation]:
    return [c for c in cites if applies(c.phases, phase)]


def _step_for_phase(step: Step, phase: str, onward: Callable[[str | None], str | None]) -> Step:
    text = " ".join([step.text, *(more.text for more in step.more if applies(more.phases, phase))])
    branches = [b.model_copy(update={"to": onward(b.to) or b.to}) for b in step.branches if applies(b.phases, phase)]
    update: dict[str, object] = {"text": text, "cites": _citations(step.cites, phase), "branches": branches, "more": []}
    if step.next:
        update["next"] = onward(step.next)
    return step.model_copy(update=update)


def _rule_for_phase(rule: Rule, phase: str) -> Rule:
    return rule.model_copy(update={"cites": _citations(rule.cites, phase)})
