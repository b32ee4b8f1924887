"""The content of the second edition, pinned by meaning rather than wording.

Each test names the finding of the November 2026 content review it keeps fixed. Documents
are checked as rendered HTML (fast); `test_pack.py` reads the PDFs of whole packs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from click.testing import Result

from policypack.build import load_checked_pack
from policypack.check.flows import check_flow_set
from policypack.check.pack import check_pack
from policypack.check.pending import pending_report
from policypack.layout.pack import lay_out_pack
from policypack.load.flows import bundled_flow_set, load_flow_set
from policypack.load.pack import load_pack
from policypack.model.flow import Flow, Step
from policypack.render.pack import pack_context
from policypack.render.templating import render_document, template_environment
from policypack.validate import validate_paths
from tests.conftest import DATA, ROOT, PackHtml, copy_school, error_markers

Cli = Callable[..., Result]
EXAMPLE = ROOT / "examples" / "oakfield"
DOCUMENTS = ("policy", "staff-card", "incident-form", "parent-leaflet")
# Notes for maintainers that must never reach a school's documents (issue 9).
MAINTAINER_PHRASES = (
    "verify",
    "not read first-hand",
    "read from a copy",
    "first policypack edition",
    "pending",
    "check by",
    "not yet read",
    "confirm which edition",
    "date not shown",
    "copy read",
    "about 20",  # a guessed date
    "readkong",  # a document-sharing site is no reference for a school
)
ENGLAND_ONLY = ("LADO", "local authority designated officer", "children's social care", "550ZA", "KCSIE")
TODAY = dt.date(2026, 11, 24)


def flow(flow_id: str) -> Flow:
    doc = bundled_flow_set().find(flow_id)
    assert doc is not None, flow_id
    return doc.model


def step(flow_id: str, step_id: str) -> Step:
    return next(s for s in flow(flow_id).steps if s.id == step_id)


def school(tmp: Path, nation: str, phase: str) -> Path:
    """A copy of the example school in another nation and phase."""
    edits = {"nation: england": f"nation: {nation}", "phase: secondary": f"phase: {phase}"}
    if nation == "wales":  # the example's contacts carry English names
        edits |= {"Local Authority Designated Officer": "Safeguarding Team", "lado@": "team@"}
        edits |= {"Safeguarding Children Partnership": "Regional Safeguarding Board"}
        edits |= {"Children's Services front door (MASH)": "Council Social Services"}
        edits |= {"Police, Safer Schools Team": "Police, school police officer"}
    return copy_school(tmp / f"{nation}-{phase}", edits)


def visible_text(html: str) -> str:
    body = html.split("<body>", 1)[1]
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, pack_html: PackHtml) -> Callable[[str, str], dict[str, str]]:
    """The visible text of each document for a school of a nation and phase, rendered once."""
    tmp = tmp_path_factory.mktemp("schools")
    cache: dict[tuple[str, str], dict[str, str]] = {}

    def render(nation: str, phase: str) -> dict[str, str]:
        if (nation, phase) not in cache:
            html = pack_html(school(tmp, nation, phase))
            cache[nation, phase] = {name: visible_text(html[name]) for name in DOCUMENTS}
        return cache[nation, phase]

    return render


# --- Item 1-3, 18: Wales is a true variant ---------------------------------------------------


def test_wales_has_no_english_search_power(rendered: Callable[[str, str], dict[str, str]]) -> None:
    confiscate = step("wales-staff-response", "confiscate-device")
    assert "Education Act 1996" not in confiscate.text and "550ZA" not in confiscate.text
    assert "nobody in the school looks through it or examines it" in confiscate.text.lower()
    assert {c.source for c in confiscate.cites} == {"wg-nudes", "senedd-wq-94862"}
    assert "knife or other weapon" in rendered("wales", "secondary")["policy"]
    assert "550ZA" in rendered("england", "secondary")["policy"]


def test_wales_documents_use_wales_terms_throughout(rendered: Callable[[str, str], dict[str, str]]) -> None:
    for name, text in rendered("wales", "secondary").items():
        for term in ENGLAND_ONLY:
            assert term.casefold() not in text.casefold(), (name, term)
        assert "local local" not in text, name
    wales = rendered("wales", "secondary")
    assert "local authority social services" in wales["parent-leaflet"]
    assert "Referred to local authority social services" in wales["incident-form"]
    assert "Local authority social services" in wales["policy"]  # the contacts table
    assert flow("wales-dsl-review").lanes["agencies"].tag == "Police / social services"


def test_wales_flows_name_no_lado_and_follow_the_wales_procedures() -> None:
    for name in ("staff-response", "dsl-review", "dsl-response", "police-records"):
        words = " ".join(f"{s.title} {s.text}" for s in flow(f"wales-{name}").steps)
        for term in ENGLAND_ONLY:
            assert term.casefold() not in words.casefold(), (name, term)
    allegations = step("wales-dsl-review", "refer-police-urgently")
    assert "Wales Safeguarding Procedures" in allegations.text
    assert "wales-safeguarding-procedures" in {c.source for c in allegations.cites}
    police = step("wales-police-records", "contact-police")
    assert {c.source for c in police.cites} >= {"schoolbeat-protocol"}
    assert "npcc-when-to-call-police" not in {c.source for s in flow("wales-police-records").steps for c in s.cites}


def _variant_set(tmp_path: Path, patch: str) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(DATA / "good", folder)
    registry = folder / "sources.yaml"
    registry.write_text(registry.read_text() + "national_terms:\n  - {text: LADO, jurisdiction: England}\n")
    (folder / "small-wales.yaml").write_text(
        "id: small-wales\nextends: small\ntitle: A small flow (Wales)\nnation: wales\n"
        "edition: Hwb 2024\nreviewed: 2026-11-01\nterms: {lead: DSP}\n" + patch
    )
    return folder


def test_a_variant_inheriting_an_england_only_source_is_an_error_at_the_inheriting_line(tmp_path: Path) -> None:
    folder = _variant_set(tmp_path, "")  # no renames: 'advice' (England only) is inherited as it is
    problems = [p for p in check_flow_set(load_flow_set(folder), TODAY) if "applies in England only" in p.message]
    assert problems
    assert {(p.location.file.name, p.location.line) for p in problems} == {("small-wales.yaml", 2)}
    assert "small-wales inherits step" in problems[0].message
    assert re.match(r".*small-wales\.yaml:2:\d+: error: ", problems[0].format())


def test_a_variant_saying_an_england_only_term_is_an_error_at_its_own_line(tmp_path: Path) -> None:
    patch = "renames: {advice: statute}\nsteps:\n  - id: in-school\n    text: Contact the LADO.\n"
    folder = _variant_set(tmp_path, patch)
    problems = [p for p in check_flow_set(load_flow_set(folder), TODAY) if "LADO" in p.message]
    assert [(p.location.file.name, p.location.line) for p in problems] == [("small-wales.yaml", 10)]


def test_the_bundled_wales_flows_inherit_nothing_english() -> None:
    problems = check_flow_set(bundled_flow_set(), TODAY)
    assert not [p for p in problems if "only" in p.message and "wales" in p.message]


# --- Items 4-7, 17, 19: what the documents promise and the criteria -----------------------------


def test_the_leaflet_never_promises_a_record_can_only_appear_on_an_enhanced_check(
    rendered: Callable[[str, str], dict[str, str]],
) -> None:
    for nation, phase in [("england", "secondary"), ("england", "primary"), ("wales", "secondary")]:
        leaflet = rendered(nation, phase)["parent-leaflet"]
        assert not re.search(r"could only (appear|be)", leaflet), (nation, phase)
        assert "possible" in leaflet and "unlikely" in leaflet
        assert "if keeping it secret" not in leaflet
        assert "Promise to keep what a child tells us secret" in leaflet  # under "What we will not do"
    secondary = rendered("england", "secondary")["parent-leaflet"]
    assert "police vetting can see it" in secondary and "ought to be included" in secondary


CRITERIA = {
    "adult-involved": ("adult", "18"),
    "coercion": ("coerced", "blackmailed", "groomed", "capacity to consent"),
    "unusual-acts": ("developmental stage", "violent"),
    "under-13": ("sexual acts", "under 13"),
    "immediate-risk": ("immediate risk of harm", "suicidal", "self-harming"),
}


@pytest.mark.parametrize("nation", ["england", "wales"])
def test_the_five_criteria_are_five_decisions_with_the_sources_elements(nation: str) -> None:
    review = flow(f"{nation}-dsl-review")
    decisions = [s for s in review.steps if s.id in CRITERIA]
    assert [s.id for s in decisions] == list(CRITERIA)
    for decision in decisions:
        assert decision.kind == "decision"
        for element in CRITERIA[decision.id]:
            assert element in decision.text, (decision.id, element)
    assert "pressured" not in step(f"{nation}-dsl-review", "coercion").text.split(".")[0]
    adult = step(f"{nation}-dsl-review", "adult-involved")
    assert "sextortion" in adult.title.lower() or "example" in adult.text  # an example, not a new criterion
    assert "sextortion" not in adult.title.lower()


@pytest.mark.parametrize("nation", ["england", "wales"])
def test_referrals_are_immediate_not_the_same_day(nation: str) -> None:
    for flow_name, step_id in [("dsl-review", "refer-now"), ("dsl-response", "refer-after-assessment")]:
        referral = step(f"{nation}-{flow_name}", step_id)
        assert "immediately" in referral.text
        assert "same day" not in referral.text


def test_the_leaflet_lists_all_five_criteria(rendered: Callable[[str, str], dict[str, str]]) -> None:
    leaflet = rendered("england", "secondary")["parent-leaflet"]
    for element in (
        "adult is involved",
        "groomed",
        "capacity",
        "development",
        "violence",
        "under 13",
        "immediate risk",
    ):
        assert element in leaflet, element
    assert "serious harm" not in leaflet


def test_staff_are_not_told_that_seeing_an_image_is_an_offence(
    rendered: Callable[[str, str], dict[str, str]],
) -> None:
    card = rendered("england", "secondary")["staff-card"]
    assert not re.search(r"looking at[^.]*is an offence", card, flags=re.IGNORECASE)
    assert "by accident" in card and "did nothing wrong" in card
    assert "never ask a child to send it" in card.lower() or "ask a child to send it" in card


def test_viewing_safeguards_attach_to_the_viewer_and_cover_unavoidable_viewing() -> None:
    views = step("england-dsl-response", "dsl-views").text
    assert "headteacher has given that authority" in views
    assert re.search(r"View it [^.]*same sex as the child", views), "the preference is about who views"
    assert "unavoidable" in step("england-dsl-response", "need-to-view").text


# --- Items 8-14, 20-27: the police, the law, records and support ------------------------------


def test_the_police_section_is_exact(rendered: Callable[[str, str], dict[str, str]]) -> None:
    policy = rendered("england", "secondary")["policy"]
    assert "youth conditional cautions are shown until they are spent" in policy
    assert "in a relationship" in policy
    assert "not on the Police National Computer as such" not in policy
    assert "at least six years" in policy and "much longer" in policy
    assert "independent monitor" in policy
    assert "accept responsibility" in policy
    assert "sets out when it refers" in policy and "when they must" not in policy
    assert "come from the Education Act 1996" in policy and "guidance on searching" in policy
    assert "never used to look for or view suspected indecent images" in policy  # review S7
    assert "by far" not in policy  # review P10: no statistic was found


def test_police_steps_say_only_what_the_sources_support() -> None:
    records = step("england-police-records", "local-records").text
    assert "not on the Police National Computer" not in records
    assert "at least six years" in records and "usually for at least six years" not in records
    outcome = step("england-police-records", "police-outcome").text
    assert "prosecution may be appropriate" in outcome
    rules = {rule.id: rule for rule in flow("england-police-records").rules}
    # the prosecutors' guidance is the law section's sentence, marked there, not the outcome step's
    assert "in a relationship" in rules["public-interest"].text and "public interest." in outcome
    assert "the police take formal action" not in outcome
    assert "accept responsibility" in step("england-police-records", "community-resolution").text
    assert "independent monitor" in step("england-police-records", "certificate-issued").text
    contact = step("england-police-records", "contact-police").text
    assert "crime record naming that child" in contact
    assert "Tell the children and families as the DSL's review sets out" in contact  # review R14: its one rule
    families = next(r for r in flow("england-dsl-review").rules if r.id == "families")
    assert "children's social care" in families.text and "police" in families.text


def test_records_and_the_form_cover_transfer_deletion_and_police_outcomes(
    rendered: Callable[[str, str], dict[str, str]], tmp_path: Path, pack_html: PackHtml
) -> None:
    policy = rendered("england", "secondary")["policy"]
    assert "within five days of an in-year move" in policy and "Data Protection Act 2018" in policy
    assert "within five days of an in-year move" not in rendered("wales", "secondary")["policy"]  # KCSIE is England's
    html = pack_html(school(tmp_path, "england", "secondary"))["incident-form"]
    for field in ("police_reference", "police_outcome", "deletion_deadline", "deletion_confirmed", "cp_file_transfer"):
        assert f'name="{field}"' in html, field
    form = visible_text(html)
    assert "discussed with the headteacher" in form and "headteacher's agreement" not in form
    assert "other schools" in form


def test_support_names_every_service(rendered: Callable[[str, str], dict[str, str]]) -> None:
    policy = rendered("england", "secondary")["policy"]
    for service in ("0808 800 5000", "Take It Down", "StopNCII", "Internet Watch Foundation", "0800 1111", "CEOP"):
        assert service in policy, service
    support = rendered("england", "primary")["policy"].rsplit("Support", 1)[1].split("Training")[0]
    assert "StopNCII" not in support  # for people aged 18 and over: listed where pupils can be 18


def test_non_photographic_and_nudify_images_are_covered(rendered: Callable[[str, str], dict[str, str]]) -> None:
    policy = rendered("england", "secondary")["policy"]
    assert "drawings and cartoons" in policy and "nudify" in policy


# --- Items 22, 23, 28 and issue item 5: the pack fits the school -------------------------------


def test_every_pack_says_which_nation_it_covers(rendered: Callable[[str, str], dict[str, str]]) -> None:
    for nation, name in [("england", "England"), ("wales", "Wales")]:
        docs = rendered(nation, "secondary")
        for document in ("policy", "staff-card", "parent-leaflet"):
            assert f"schools and colleges in {name}" in docs[document], (nation, document)
            assert "Scotland and Northern Ireland" in docs[document], (nation, document)


def test_the_phase_changes_what_the_pack_says(rendered: Callable[[str, str], dict[str, str]]) -> None:
    secondary, primary = rendered("england", "secondary"), rendered("england", "primary")
    special = rendered("england", "special")

    def law(text: str) -> str:
        return text.rsplit("The law and guidance", 1)[1].split("Roles and responsibilities")[0]

    assert "age of consent" in law(secondary["policy"]) and "turned 18" in law(secondary["policy"])
    assert "age of consent" not in law(primary["policy"]) and "turned 18" not in law(primary["policy"])
    assert "A child under 10 cannot be guilty of a crime" in primary["policy"]
    assert "A child under 10 cannot be guilty of a crime" not in secondary["policy"]
    assert "capacity to consent" in law(special["policy"])
    assert "capacity to consent" not in law(secondary["policy"])
    assert "no clothes on" in primary["parent-leaflet"] and "no clothes on" not in secondary["parent-leaflet"]
    assert len(primary["parent-leaflet"]) < len(secondary["parent-leaflet"])


# --- Issue item 3: the review state, honestly shown -------------------------------------------


@pytest.mark.parametrize(
    ("nation", "phase"), [("england", "secondary"), ("england", "primary"), ("wales", "secondary")]
)
def test_no_school_document_carries_a_maintainer_note(
    rendered: Callable[[str, str], dict[str, str]], nation: str, phase: str
) -> None:
    for name, text in rendered(nation, phase).items():
        for phrase in MAINTAINER_PHRASES:
            assert phrase not in text.casefold(), (name, phrase)


def test_the_draft_notice_counts_what_review_lists(
    rendered: Callable[[str, str], dict[str, str]], cli: Cli, tmp_path: Path
) -> None:
    data = json.loads(cli("review", "--format", "json").stdout)
    for nation in ("england", "wales"):
        profile = school(tmp_path, nation, "secondary")
        count = json.loads(cli("review", "--format", "json", "--profile", str(profile)).stdout)["parts"][nation]
        assert count > 0
        policy = rendered(nation, "secondary")["policy"]
        notice = f"Draft — {count} parts of this text await checking against the current guidance (marked †)"
        assert policy.count(notice) == 1, "once, on the cover (the footer repeats it through the page margin)"
        assert "†" in policy.split(notice, 1)[1]
        for other in ("staff-card", "parent-leaflet", "incident-form"):  # their own draft line, no marks
            text = rendered(nation, "secondary")[other]
            assert "†" not in text and "Draft for checking, not yet for use" in text, other
    review = pending_report(bundled_flow_set(), TODAY)
    assert data["parts"]["england"] == len(review.parts("england"))
    assert all(claim.read.startswith("read ") for claim in review.pending)


@pytest.mark.usefixtures("needs_dot")
def test_with_nothing_pending_the_notice_and_marks_disappear(tmp_path: Path) -> None:
    pack = load_checked_pack(school(tmp_path, "england", "secondary"), TODAY)
    context = {**pack_context(pack, lay_out_pack(pack)), "pending_count": 0, "is_pending": lambda *_: False}
    environment = template_environment()
    for name in DOCUMENTS:
        text = visible_text(render_document(environment, f"{name}.html.j2", context))
        assert "Draft" not in text and "†" not in text, name


def test_review_lists_pending_claims_and_strict_fails(cli: Cli) -> None:
    result = cli("review")
    assert result.exit_code == 0
    assert re.search(r"England: \d+ parts of the text await checking \(\d+ claims\)", result.stdout)
    assert "step 3 (adult-involved), ukcis-2024: read UKCIS 2024 section 2" in result.stdout
    assert "mandatory-reporting-duty, due 2026-11-01" in result.stdout
    assert cli("review", "--strict").exit_code == 1


def test_build_final_refuses_while_anything_is_pending(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("build", "--final", str(EXAMPLE / "school.yaml"), "-o", str(out))
    assert result.exit_code == 1
    assert "pending: england-dsl-review, step 3 (adult-involved)" in result.stderr
    assert "nothing was built" in result.stderr
    assert not out.exists()


def test_a_verified_citation_records_when_who_what_and_where() -> None:
    verified = [c.verified for d in bundled_flow_set().flows for s in d.model.steps for c in s.cites if c.verified]
    assert verified
    for check in verified:
        assert check.place and check.edition and check.by and check.url.startswith("https://")
    # a check does not travel with a renamed source: Wales re-reads what England read
    wales_overview = [c for s in flow("wales-staff-response").steps for c in s.cites if c.source == "wg-nudes-overview"]
    assert wales_overview and all(c.is_pending for c in wales_overview)


# --- Issue item 4: successors and watch items -------------------------------------------------


def _registry_with(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(DATA / "good", folder)
    (folder / "small-wales.yaml").unlink()
    registry = folder / "sources.yaml"
    registry.write_text(
        registry.read_text().replace("    check_by: 2030-01-01\n", "    check_by: 2030-01-01\n" + extra, 1)
    )
    return folder


def test_a_source_superseded_before_today_warns_where_it_is_cited(tmp_path: Path) -> None:
    folder = _registry_with(tmp_path, "    superseded: {by: statute, on: 2026-09-01}\n")
    before = check_flow_set(load_flow_set(folder), dt.date(2026, 8, 31))
    assert not [p for p in before if "replaced" in p.message]
    after = [p for p in check_flow_set(load_flow_set(folder), dt.date(2026, 9, 1)) if "replaced" in p.message]
    assert after and all(p.severity.value == "warning" for p in after)
    assert {p.location.file.name for p in after} == {"small.yaml"}
    assert "'statute' replaced from 2026-09-01" in after[0].message


def test_a_profile_adopted_after_a_source_was_replaced_is_warned(tmp_path: Path) -> None:
    folder = _registry_with(tmp_path, "    superseded: {by: statute, on: 2026-08-01}\n")
    profile = school(tmp_path, "england", "secondary")
    pack, _ = load_pack(profile, load_flow_set(folder))
    assert pack is not None
    warned = [p for p in check_pack(pack, TODAY)[1] if "replaced" in p.message]
    assert len(warned) == 1
    assert warned[0].location.file == profile.resolve() and "adopted on 2026-09-01" in warned[0].message


def test_a_watch_item_is_surfaced_once_its_date_passes(tmp_path: Path) -> None:
    folder = _registry_with(tmp_path, "")
    registry = folder / "sources.yaml"
    registry.write_text(
        registry.read_text()
        + "watch:\n  - id: new-duty\n    title: A new duty\n    due: 2026-12-01  # error: watch item\n"
        + "    action: Read the Act.\n    jurisdiction: England\n"
    )
    assert not validate_paths([folder], dt.date(2026, 11, 30))
    due = validate_paths([folder], dt.date(2026, 12, 1))
    [(line, _)] = list(error_markers(registry))
    assert [(p.location.line, p.severity.value, p.hint) for p in due] == [(line, "warning", "Read the Act.")]


@pytest.mark.usefixtures("needs_weasyprint")
def test_build_tells_the_school_when_guidance_may_have_changed(cli: Cli, tmp_path: Path) -> None:
    """A school building its own pack hears of a watch item that fell due, not only a maintainer."""
    result = cli("build", "-o", str(tmp_path))
    assert result.exit_code == 0
    notes = [line for line in result.stderr.splitlines() if "guidance may have changed" in line]
    assert notes == [
        "policypack: note: the guidance may have changed since this version of policypack was written "
        "(2 expected changes fell due); the pack follows the guidance as written. `policypack review` lists them."
    ]
    assert "watch item" not in result.stderr and "sources.yaml" not in result.stderr, "the detail is in review"


def test_the_wales_leaflet_agrees_with_the_schoolbeat_protocol(rendered: Callable[[str, str], dict[str, str]]) -> None:
    """The police record a crime when asked to act, not when asked for advice (review K1): both leaflets say so."""
    for nation in ("england", "wales"):
        for phase in ("primary", "secondary"):
            leaflet = rendered(nation, phase)["parent-leaflet"]
            assert "If the police are asked to act (not just to advise)" in leaflet
