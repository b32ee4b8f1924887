"""Check stage: the maintainers' report of what is still pending, what is due, and what was replaced.

One function decides which steps are pending (`pending_parts`), and both `policypack
review` and the pack's draft notice use it, so the count a school sees on its cover is
the count the maintainers' report lists for that nation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from policypack.check.nations import applies
from policypack.load.flows import FlowSet
from policypack.model.checks import RULE, fingerprint
from policypack.model.flow import Citation, Flow, Source, WatchItem
from policypack.model.route import number_steps, steps_in_order
from policypack.model.rules import Rule

WATCH_AHEAD_DAYS = 60  # watch items due within this many days are listed as coming up


@dataclass(frozen=True)
class PendingClaim:
    """One citation whose supporting passage nobody has yet read and recorded."""

    flow: str
    nation: str
    number: int
    step: str
    title: str
    source: str
    read: str  # what a maintainer must read
    text: str = ""  # the fingerprint of the part's text, for a trust's checks file


@dataclass
class PendingReport:
    today: dt.date
    pending: list[PendingClaim] = field(default_factory=list)
    overdue: list[Source] = field(default_factory=list)
    superseded: list[tuple[Source, list[str]]] = field(default_factory=list)
    watch: list[WatchItem] = field(default_factory=list)
    checked: list[tuple[str, str, Citation]] = field(default_factory=list)  # (flow, part, citation) a trust checked
    verified: int = 0  # claims a maintainer verified

    def parts(self, nation: str) -> list[tuple[str, str]]:
        """The steps of one nation's flows that rest on at least one pending claim."""
        return list(dict.fromkeys((c.flow, c.step) for c in self.pending if c.nation == nation))

    def nations(self) -> list[str]:
        return sorted({c.nation for c in self.pending})


def pending_parts(flows: Iterable[Flow]) -> list[tuple[str, str]]:
    """(flow id, step id) of every step with a pending citation, in route order, then its rules
    with one (as (flow id, "rule:" + rule id))."""
    parts = []
    for flow in flows:
        parts += [(flow.id, step.id) for step in steps_in_order(flow) if _pending(step.cites)]
        parts += [(flow.id, RULE + rule.id) for rule in own_rules(flow) if _pending(rule.cites)]
    return parts


def own_rules(flow: Flow) -> list[Rule]:
    """The rules that are parts of the text in their own right: those no step quotes (a step
    that quotes one carries its sources, so the step is the part)."""
    return [rule for rule in flow.rules if not any(rule.text in step.text for step in flow.steps)]


def _pending(cites: list[Citation]) -> bool:
    return any(c.is_pending for c in cites)


def pending_report(flow_set: FlowSet, today: dt.date) -> PendingReport:
    """Everything a maintainer must read or act on, for every flow in the set."""
    sources = flow_set.source_map()
    review = PendingReport(today)
    citing: dict[str, list[str]] = {}
    for doc in sorted(flow_set.flows, key=lambda d: (d.model.nation, d.model.id)):
        flow = doc.model
        numbers = number_steps(flow)
        for step in steps_in_order(flow):
            for citation in step.cites:
                citing.setdefault(citation.source, []).append(flow.id)
                if citation.is_pending:
                    read = citation.pending or _default_reading(citation, sources.get(citation.source))
                    text = fingerprint(f"{step.title}\n{step.text}")
                    claim = PendingClaim(
                        flow.id, flow.nation, numbers[step.id], step.id, step.title, citation.source, read, text
                    )
                    review.pending.append(claim)
                _tally(review, flow.id, step.id, citation)
        for rule in own_rules(flow):
            for citation in rule.cites:
                citing.setdefault(citation.source, []).append(flow.id)
                if citation.is_pending:
                    read = citation.pending or _default_reading(citation, sources.get(citation.source))
                    part = RULE + rule.id
                    text = fingerprint(rule.text)
                    claim = PendingClaim(flow.id, flow.nation, 0, part, rule.id, citation.source, read, text)
                    review.pending.append(claim)
                _tally(review, flow.id, RULE + rule.id, citation)
    for source in sources.values():
        if source.check_by < today:
            review.overdue.append(source)
        if source.superseded and source.superseded.on <= today and source.id in citing:
            review.superseded.append((source, sorted(set(citing[source.id]))))
    registry = flow_set.sources.model if flow_set.sources else None
    ahead = watch_horizon(today)
    nations = {doc.model.nation for doc in flow_set.flows}  # a school's review: its nation's watch items only
    watch = registry.watch if registry else []
    due = [w for w in watch if w.due <= ahead and any(applies(w.jurisdiction, nation) for nation in nations)]
    review.watch = sorted(due, key=lambda w: w.due)
    return review


def _tally(review: PendingReport, flow: str, part: str, citation: Citation) -> None:
    if citation.verified:
        review.verified += 1
    elif citation.checked:
        review.checked.append((flow, part, citation))


def _default_reading(citation: Citation, source: Source | None) -> str:
    name = f"{source.title} ({source.edition})" if source else citation.source
    where = f", {citation.section}" if citation.section else ""
    about = f": {citation.note}" if citation.note else ""
    return f"read {name}{where}{about}"


def pending_report_text(review: PendingReport) -> str:
    """The report as plain text, for a terminal or a CI log."""
    lines = [f"policypack review, {review.today.isoformat()}", ""]
    for nation in review.nations():
        parts = review.parts(nation)
        claims = [c for c in review.pending if c.nation == nation]
        lines.append(f"{nation.title()}: {len(parts)} parts of the text await checking ({len(claims)} claims)")
    if review.checked or review.verified:
        lines.append(
            f"Verified by a maintainer: {review.verified} claims; checked by the school or trust: "
            f"{len(review.checked)} claims"
        )
    if not review.pending:
        lines.append("No claims are pending.")
    lines.append("")
    current = None
    for claim in review.pending:
        if claim.flow != current:
            current = claim.flow
            lines += ["", f"Pending in {claim.flow}:"]
        lines.append(f"  {where(claim)}, {claim.source}: {claim.read}")
    if review.checked:
        lines += ["", "Checked by the school or trust:"]
        for flow, part, c in review.checked:
            assert c.checked is not None
            who = f"{c.checked.by.role}, {c.checked.by.name}"
            lines.append(
                f"  {flow}, {part}, {c.source}: {c.checked.checked_on.isoformat()} by {who} ({c.checked.place})"
            )
    if review.overdue:
        lines += ["", "Sources past their check_by date:"]
        lines += [f"  {s.id}: due {s.check_by.isoformat()} ({s.edition})" for s in review.overdue]
    if review.superseded:
        lines += ["", "Cited sources that have been replaced:"]
        for source, flows in review.superseded:
            assert source.superseded is not None
            lines.append(
                f"  {source.id}: replaced by {source.superseded.by} from {source.superseded.on.isoformat()};"
                f" cited in {', '.join(flows)}"
            )
    if review.watch:
        lines += ["", f"Watch items due (by {watch_horizon(review.today).isoformat()}):"]
        lines += [f"  {w.id}, due {w.due.isoformat()}: {w.title}. {w.action}" for w in review.watch]
    return "\n".join(lines).rstrip() + "\n"


def where(claim: PendingClaim) -> str:
    """'step 3 (adult-involved)', or 'rule no-dsl' for a rule."""
    if claim.step.startswith(RULE):
        return f"rule {claim.step.removeprefix(RULE)}"
    return f"step {claim.number} ({claim.step})"


def pending_report_data(review: PendingReport) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "today": review.today.isoformat(),
        "parts": {nation: len(review.parts(nation)) for nation in review.nations()},
        "pending": [claim.__dict__ for claim in review.pending],
        "verified": review.verified,
        "checked": [
            {"flow": flow, "step": part, "source": c.source, **c.checked.model_dump(mode="json")}
            for flow, part, c in review.checked
            if c.checked
        ],
        "overdue": [{"id": s.id, "check_by": s.check_by.isoformat()} for s in review.overdue],
        "superseded": [
            {"id": s.id, "by": s.superseded.by, "from": s.superseded.on.isoformat(), "cited_in": flows}
            for s, flows in review.superseded
            if s.superseded
        ],
        "watch": [{"id": w.id, "title": w.title, "due": w.due.isoformat(), "action": w.action} for w in review.watch],
    }


def watch_horizon(today: dt.date) -> dt.date:
    """The last day a watch item counts as coming up; the calendar's end when today is near it."""
    try:
        return today + dt.timedelta(days=WATCH_AHEAD_DAYS)
    except OverflowError:
        return dt.date.max
