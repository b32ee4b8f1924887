"""The bundled England and Wales flows: the route they must take, pinned by structure.

These tests pin what a safeguarding lead relies on (where each answer leads, what every
route passes through, what must never be said), not the exact wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from policypack.check.flows import check_flow_set
from policypack.load.flows import load_flow_file, load_flow_set
from policypack.load.variants import RawFlow
from policypack.model.flow import Flow, Step
from policypack.model.route import number_steps, successors
from tests.conftest import FLOWS, TODAY

FLOW_SET = load_flow_set(FLOWS)
NATIONS = ["england", "wales"]
NAMES = ("staff-response", "dsl-review", "dsl-response", "police-records")


def flow(flow_id: str) -> Flow:
    doc = FLOW_SET.find(flow_id)
    assert doc is not None, flow_id
    return doc.model


def step(flow_: Flow, step_id: str) -> Step:
    return next(s for s in flow_.steps if s.id == step_id)


def paths_to_ends(flow_: Flow, start: str, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every path from `start` to an end step (the flows have no loops)."""
    here = step(flow_, start)
    path = (*path, start)
    if here.kind == "end":
        yield path
    for target in successors(here):
        yield from paths_to_ends(flow_, target, path)


def all_text(flow_: Flow) -> str:
    return "\n".join([flow_.title, *(f"{s.title}\n{s.text}" for s in flow_.steps)])


def test_all_bundled_flows_are_valid() -> None:
    problems = check_flow_set(FLOW_SET, TODAY)
    # the only findings are the registry's dated watch items, due on the pinned date
    assert [p.severity.value for p in problems] == ["warning", "warning"]
    assert all(p.message.startswith("watch item") for p in problems)
    assert sorted(d.model.id for d in FLOW_SET.flows) == [
        f"{nation}-{name}" for nation in NATIONS for name in sorted(NAMES)
    ]


@pytest.mark.parametrize("nation", NATIONS)
def test_every_step_cites_a_registered_source(nation: str) -> None:
    sources = FLOW_SET.source_map()
    for name in NAMES:
        for s in flow(f"{nation}-{name}").steps:
            assert s.cites, s.id
            assert all(c.source in sources for c in s.cites), s.id


@pytest.mark.parametrize("nation", NATIONS)
def test_the_staff_response_fits_one_page_and_hands_over_to_the_lead(nation: str) -> None:
    staff = flow(f"{nation}-staff-response")
    assert len(staff.steps) <= 10, "the staff response must print as a one-page A4 chart"
    titles = [s.title for s in staff.steps]
    for rule in (r"^Do not view, copy, print, share, store or save", r"^Never ask a child to show", r"^Do not delete"):
        assert any(re.search(rule, t) for t in titles), rule
    end = next(s for s in staff.steps if s.kind == "end")
    assert end.continues == f"{nation}-dsl-review"


@pytest.mark.parametrize("nation", NATIONS)
def test_each_of_the_five_criteria_is_its_own_decision_whose_yes_refers(nation: str) -> None:
    route = flow(f"{nation}-dsl-review")
    criteria = [s for s in route.steps if s.kind == "decision" and s.title.startswith("Criterion")]
    assert [c.title.split(":")[0] for c in criteria] == [f"Criterion {n}" for n in range(1, 6)]
    for criterion in criteria:
        yes = next(b for b in criterion.branches if b.label.startswith("Yes"))
        assert step(route, yes.to).title.startswith("Refer to police"), criterion.id
    last_no = next(b.to for b in criteria[-1].branches if b.label == "No")
    assert step(route, last_no).continues == f"{nation}-dsl-response"


@pytest.mark.parametrize("nation", NATIONS)
def test_an_adult_or_sextortion_goes_urgently_to_police_outside_the_peer_route(nation: str) -> None:
    route = flow(f"{nation}-dsl-review")
    adult = step(route, "adult-involved")
    assert "adult" in adult.title and "sextortion" in adult.text.lower()
    urgent = step(route, next(b.to for b in adult.branches if b.label.startswith("Yes")))
    assert "urgently" in urgent.title
    for path in paths_to_ends(route, urgent.id):
        end = step(route, path[-1])
        assert end.continues == f"{nation}-police-records"
        assert "no-criterion" not in path, "adult cases never join the peer route"


@pytest.mark.parametrize("nation", NATIONS)
def test_when_no_criterion_applies_every_route_handled_in_school_passes_parents_support_and_records(
    nation: str,
) -> None:
    route = flow(f"{nation}-dsl-response")
    start = route.steps[0]
    assert start.kind == "start" and start.id == "assess-risks"
    in_school = [p for p in paths_to_ends(route, start.id) if "respond-in-school" in p]
    assert in_school
    for path in in_school:
        assert {"tell-parents", "delete-imagery", "offer-support", "record-decisions"} <= set(path)
        assert path.index("assess-risks") < path.index("respond-in-school") < path.index("record-decisions")
    referrals = [p for p in paths_to_ends(route, start.id) if "refer-after-assessment" in p]
    assert referrals, "the assessment can still lead to a referral"
    assert all(step(route, p[-1]).continues == f"{nation}-police-records" for p in referrals)


@pytest.mark.parametrize("nation", NATIONS)
def test_viewing_is_only_by_the_lead_and_is_recorded(nation: str) -> None:
    route = flow(f"{nation}-dsl-response")
    view = step(route, "dsl-views")
    lead = route.terms["lead"]
    assert view.title.startswith(f"Only the {lead}")
    assert "Record who viewed it" in view.text


@pytest.mark.parametrize("nation", NATIONS)
def test_the_police_route_covers_reporting_recording_outcomes_records_and_dbs(nation: str) -> None:
    police = flow(f"{nation}-police-records")
    report = police.steps[0]
    assert "999" in report.title and "101" in report.title
    assert "National Crime Recording Standard" in step(police, "crime-recorded").text
    outcome = step(police, "police-outcome")
    assert [b.label for b in outcome.branches] == [
        "Outcome 21",
        "Outcome 22",
        "Community resolution",
        "Youth caution",
        "Charge",
        "Suspect under 10",  # a branch only packs of schools with under-10s print
    ]
    numbers = number_steps(police)
    # what is not a caution or conviction stays off the PNC as such; cautions and convictions go on it
    for label, record in [("Outcome 21", "local-records"), ("Youth caution", "pnc-record"), ("Charge", "pnc-record")]:
        target = next(b.to for b in outcome.branches if b.label == label)
        assert all(record in p for p in paths_to_ends(police, target)), label
    assert all("chief-officer-decides" in p for p in paths_to_ends(police, report.id))
    assert numbers["outcome-21"] < numbers["outcome-22"] < numbers["community-resolution"]


@pytest.mark.parametrize("nation", NATIONS)
def test_outcome_21_is_explained_exactly(nation: str) -> None:
    police = flow(f"{nation}-police-records")
    o21 = step(police, "outcome-21")
    assert "crime record remains" in o21.text
    assert "not a caution, a conviction or a charge" in o21.text
    disclosure = step(police, "chief-officer-decides").text
    assert "aged 16 or over" in disclosure
    assert "reasonably believes it relevant" in disclosure and "ought to be included" in disclosure
    assert "28 November 2020" in step(police, "filtering-rules").text


@pytest.mark.parametrize("nation", NATIONS)
def test_no_flow_says_what_the_guidance_does_not(nation: str) -> None:
    text = "\n".join(all_text(flow(f"{nation}-{n}")) for n in NAMES)
    forbidden = [
        r"must always (report|refer)[^.]*police",
        r"nothing (is|will be) recorded",
        r"no record",
        r"(never|cannot|can not|won't|will not) (appear|show|be disclosed)",
        r"delete[^.]*(immediately|straight away|at once)",
        r"(?<!not )(?<!Never )ask (a|the|any) (child|pupil|learner) to show",
    ]
    for pattern in forbidden:
        assert not re.search(pattern, text, flags=re.IGNORECASE), pattern


def raw_variant(flow_id: str) -> RawFlow:
    doc = FLOW_SET.find(flow_id)
    assert doc is not None
    raw, problems = load_flow_file(doc.path)
    assert raw is not None and not problems
    return raw


@pytest.mark.parametrize("name", NAMES)
def test_wales_differs_from_england_only_where_it_should(name: str) -> None:
    england, wales = flow(f"england-{name}"), flow(f"wales-{name}")
    raw = raw_variant(f"wales-{name}")
    assert getattr(raw.model, "extends", None) == f"england-{name}", "Wales inherits, it does not copy"

    # same route: the same steps, kinds, lanes and wiring
    def shape(f: Flow) -> list[tuple[str, str, str, list[str]]]:
        return [(s.id, s.kind, s.lane, successors(s)) for s in f.steps]

    assert shape(wales) == shape(england)
    # Wales patches only wording (phase sentences included), citations and where a step applies, never the route
    for patch in getattr(raw.model, "steps", []):
        assert patch.model_fields_set <= {"id", "title", "text", "more", "cites", "jurisdiction"}, patch.id
    # the lead is the DSP, the guidance is Welsh, and nothing English is left behind
    wales_text, england_text = all_text(wales), all_text(england)
    assert "DSL" not in wales_text and "Designated Safeguarding Lead" not in str(wales.lanes)
    assert "DSP" in wales_text or name == "police-records"
    assert "DSP" not in england_text
    welsh_sources = {c.source for s in wales.steps for c in s.cites}
    assert not welsh_sources & {
        "ukcis-2024",
        "ukcis-2024-overview",
        "kcsie-2025",
        "dfe-searching-2022",
        "fhea-1992-search",
    }
    assert all(s.continues is None or s.continues.startswith("wales-") for s in wales.steps)
