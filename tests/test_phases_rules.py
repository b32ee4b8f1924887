"""Issue 17, items 2-4: a pack fits its school's phase, and one rule reads the same in every document.

Rendered documents are read as text (fast); `test_pack.py` reads whole PDF packs.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from policypack.check.flows import check_flow_set
from policypack.load.flows import bundled_flow_set, load_flow_set
from policypack.model.phases import applies, flow_for_phase
from policypack.validate import validate_paths
from tests.conftest import DATA, PackHtml
from tests.test_content import school, visible_text

TODAY = dt.date(2026, 11, 24)
OLDER = ("secondary", "college", "sixth-form", "special", "alternative-provision")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory, pack_html: PackHtml) -> Callable[[str, str], dict[str, str]]:
    """Every printed document of a school of a nation and phase, posters included, as visible text."""
    tmp = tmp_path_factory.mktemp("phases")
    cache: dict[tuple[str, str], dict[str, str]] = {}

    def render(nation: str, phase: str) -> dict[str, str]:
        if (nation, phase) not in cache:
            html = pack_html(school(tmp, nation, phase))
            cache[nation, phase] = {name: visible_text(text) for name, text in html.items()}
        return cache[nation, phase]

    return render


def everything(texts: dict[str, str]) -> str:
    return "\n".join(texts.values())


# --- Item 2: phase is content ----------------------------------------------------------------


@pytest.mark.parametrize("phase", ["primary", "nursery"])
def test_a_primary_pack_has_no_secondary_matter(docs: Callable[[str, str], dict[str, str]], phase: str) -> None:
    text = everything(docs("england", phase))
    for secondary_only in ("turned 18", "18-year-old", "age of consent", "couples", "StopNCII", "sex education"):
        assert secondary_only not in text, secondary_only
    assert "relationships education and health education" in docs("england", phase)["policy"]
    assert "no clothes on" in docs("england", phase)["parent-leaflet"]  # the plain leaflet


def test_a_primary_pack_says_what_happens_to_a_suspect_under_10(docs: Callable[[str, str], dict[str, str]]) -> None:
    policy = docs("england", "primary")["policy"]
    assert "below the age of criminal responsibility, not with Outcome 21 or 22" in policy
    assert "below the age of criminal responsibility" not in docs("england", "secondary")["policy"]
    assert "Outcome 21 is by far" not in policy and "Most cases between children" not in everything(
        docs("england", "primary")
    )


@pytest.mark.parametrize("phase", ["nursery", "primary", "middle", "all-through", "special", "secondary"])
def test_the_police_chart_of_a_school_with_under_10s_has_their_outcome(phase: str) -> None:
    """Review P36: a suspect under 10 is on the chart a primary DSL follows, not only in the policy's prose."""
    doc = bundled_flow_set(phase).find("england-police-records")
    assert doc is not None
    flow = flow_for_phase(doc.model, phase)
    decision = next(step for step in flow.steps if step.id == "police-outcome")
    young = phase != "secondary"
    assert ("Suspect under 10" in [b.label for b in decision.branches]) is young
    steps = {step.id: step for step in flow.steps}
    assert ("under-10-suspect" in steps) is young
    if young:
        assert "below the age of criminal responsibility" in steps["under-10-suspect"].text
        assert steps["under-10-suspect"].next == "local-records"


def test_a_middle_school_is_not_told_about_16_and_17_year_olds(docs: Callable[[str, str], dict[str, str]]) -> None:
    text = everything(docs("england", "middle"))
    assert "16 or 17" not in text and "below the age of criminal responsibility" in text


@pytest.mark.parametrize("phase", ["secondary", "college", "sixth-form"])
def test_an_older_pack_covers_the_18_year_old_pupil(docs: Callable[[str, str], dict[str, str]], phase: str) -> None:
    policy = docs("england", phase)["policy"]
    assert "who has turned 18 is an adult in law" in policy  # as suspect: adult records
    assert "adult caution or conviction is dealt with under the adult rules" in policy
    assert "creating an intimate image of an adult without consent" in policy  # as victim
    assert "StopNCII" in policy and "age of consent" in policy


@pytest.mark.parametrize("phase", ["college", "sixth-form"])
def test_a_college_pack_names_the_colleges_search_power_not_the_schools(
    docs: Callable[[str, str], dict[str, str]], phase: str
) -> None:
    college, school_ = everything(docs("england", phase)), everything(docs("england", "secondary"))
    assert "Further and Higher Education Act 1992" in college and "Education Act 1996" not in college
    assert "Education Act 1996" in school_ and "Further and Higher Education Act 1992" not in school_


def test_an_all_through_pack_covers_both_and_a_special_school_capacity(
    docs: Callable[[str, str], dict[str, str]],
) -> None:
    policy = docs("england", "all-through")["policy"]
    assert "below the age of criminal responsibility" in policy and "turned 18 is an adult in law" in policy
    assert "relationships education in the primary years" in policy
    law = (
        docs("england", "special")["policy"].rsplit("The law and guidance", 1)[1].split("Roles and responsibilities")[0]
    )
    assert "capacity to consent" in law


def test_a_left_out_step_is_skipped_by_the_route() -> None:
    flow = bundled_flow_set().find("england-dsl-response")
    assert flow is not None
    limited = flow.model.model_copy(
        update={
            "steps": [
                s.model_copy(update={"phases": ["secondary"]}) if s.id == "delete-imagery" else s
                for s in flow.model.steps
            ]
        }
    )
    primary = flow_for_phase(limited, "primary")
    assert "delete-imagery" not in [s.id for s in primary.steps]
    before = next(s for s in primary.steps if s.next == "offer-support")
    assert before.id == "tell-parents"
    assert [s.id for s in flow_for_phase(limited, "all-through").steps] == [s.id for s in flow.model.steps]
    assert applies(["primary"], "all-through") and not applies(["primary"], "college")


def test_only_an_action_step_may_be_limited_to_phases(tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    shutil.copytree(DATA / "good", folder)
    small = folder / "small.yaml"
    text = small.read_text().replace(
        "    title: Does a referral criterion apply?\n",
        "    title: Does a referral criterion apply?\n    phases: [secondary]\n",
    )
    small.write_text(text)
    flow_set = load_flow_set(folder)
    messages = [p.message for p in check_flow_set(flow_set, TODAY)]
    assert "only an action step can be limited to phases; 'refer' is a decision" in messages
    tutor = "    cites: [advice]\n    phases: [tutor]\n    next: record"
    small.write_text(small.read_text().replace("    cites: [advice]\n    next: record", tutor))
    unknown = [p for p in load_flow_set(folder).problems if "phases[0]" in p.message]
    assert unknown and "secondary" in unknown[0].message  # the phases a value may be


# --- Item 3: one rule, every document ---------------------------------------------------------


RULES = [  # (chart, rule, documents stating it in the rule's own words, documents in the parents' words)
    ("staff-response", "no-dsl", ("policy", "staff-card"), ()),
    ("staff-response", "device", ("policy",), ("parent-leaflet",)),
    ("staff-response", "sextortion", ("policy",), ()),
    ("dsl-review", "unsure", ("policy", "incident-form"), ()),
    ("dsl-review", "families", ("policy",), ("parent-leaflet",)),
    ("police-records", "recording", ("policy",), ("parent-leaflet",)),
]


@pytest.mark.parametrize("nation", ["england", "wales"])
def test_each_rule_is_stated_in_its_one_wording_everywhere(
    docs: Callable[[str, str], dict[str, str]], nation: str
) -> None:
    texts = docs(nation, "secondary")
    flows = {doc.model.id: doc.model for doc in bundled_flow_set().flows}
    for chart, rule_id, full, plain in RULES:
        rule = next(r for r in flows[f"{nation}-{chart}"].rules if r.id == rule_id)
        words = " ".join(rule.text.split())
        for name in full:
            assert words in texts[name], (nation, rule_id, name)
        for name in plain:
            assert " ".join((rule.plain or rule.text).split()) in texts[name], (nation, rule_id, name)
    poster = texts["poster-staff-response-a4"]
    staff_rule = next(r for r in flows[f"{nation}-staff-response"].rules if r.id == "no-dsl")
    assert staff_rule.poster and staff_rule.poster in poster
    assert "999" in poster
    for brief in ("device", "sextortion"):  # the card's reminders, in staff's few words (sextortion: review S12)
        card_rule = next(r for r in flows[f"{nation}-staff-response"].rules if r.id == brief)
        assert card_rule.brief and card_rule.brief in texts["staff-card"], (nation, brief)


@pytest.mark.parametrize("nation", ["england", "wales"])
def test_no_document_gives_another_no_dsl_rule(docs: Callable[[str, str], dict[str, str]], nation: str) -> None:
    """The card once said 'call 999, then tell the DSL' while the policy said '999 yourself' (review S11)."""
    text = everything(docs(nation, "secondary"))
    assert "call 999 yourself" not in text
    assert "If no DSL can be reached and you are worried" not in text
    assert "unless the police or children's social care advise against it" not in text  # review R14
    assert "If the police are involved, they record" not in text  # review K1


def test_wales_documents_speak_of_wales(docs: Callable[[str, str], dict[str, str]]) -> None:
    texts = docs("wales", "secondary")
    text = everything(texts)
    for english in (
        "special educational needs",
        "relationships and sex education",
        "front door",
        "Safeguarding partnership",
    ):
        assert english not in text, english
    assert "additional learning needs" in texts["policy"] and "additional learning needs" in texts["parent-leaflet"]
    assert "Relationships and Sexuality Education" in texts["policy"]
    assert "Regional Safeguarding Board" in texts["policy"]
    assert "not every force still has one" in texts["policy"]  # SchoolBeat funding ended in 2024 (review WA1)
    assert "expect every practitioner to report a child" in texts["policy"]  # review WA11


def test_validate_warns_of_english_contacts_in_a_wales_profile(tmp_path: Path) -> None:
    profile = school(tmp_path, "wales", "secondary")
    profile.write_text(profile.read_text().replace("Safeguarding Team", "Local Authority Designated Officer"))
    problems = validate_paths([profile], TODAY)
    warned = [p for p in problems if "English contact" in p.message and "designated officer" in p.message]
    assert len(warned) == 1 and warned[0].severity.value == "warning"
    assert "Designated Officer for Safeguarding" in (warned[0].hint or "")
    assert not [
        p
        for p in validate_paths([school(tmp_path / "e", "england", "secondary")], TODAY)
        if "English contact" in p.message
    ]
    # an English council's "front door" and a force's Safer Schools team, copied into Wales
    copied = school(tmp_path / "w", "wales", "secondary")
    text = copied.read_text()
    for key, name in (
        ("childrens_social_care", "Anyshire front door (MASH)"),
        ("police", "Anyshire Safer Schools Team"),
    ):
        text = re.sub(rf"(  {key}:\n    name: )[^\n]*", rf"\g<1>{name}", text, count=1)
    copied.write_text(text)
    said = sorted(p.message for p in validate_paths([copied], TODAY) if "English contact" in p.message)
    assert len(said) == 2 and "'front door'" in said[1] and "'safer schools'" in said[0], said


# --- A college speaks of students and the college ------------------------------------------

# Names and phrases that say "school" of something other than this setting.
NOT_THIS_SETTING = re.compile(
    r"schools? protocol|safer schools|other schools|schools in england|schools and colleges"
    r"|for schools|school-based|schoolbeat|families or schools",
    re.IGNORECASE,
)


@pytest.mark.parametrize("phase", ["college", "sixth-form"])
def test_a_college_pack_speaks_of_students_and_the_college(
    docs: Callable[[str, str], dict[str, str]], phase: str
) -> None:
    """Every document says students and the college, and the principal holds the head's powers."""
    college = docs("england", phase)
    for name, text in college.items():
        words = NOT_THIS_SETTING.sub(" ", text)
        assert not re.search(r"\bpupils?\b", words, re.IGNORECASE), name
        setting = r"(?<![./-])\bschools?\b(?![./-])"  # not in a web address
        assert not re.search(setting, words, re.IGNORECASE), (name, re.findall(r".{40}" + setting, words, re.I))
    assert "The principal, " in college["policy"] and "headteacher" not in college["policy"].lower()
    assert "relationships and sex education" not in college["policy"]
    secondary = docs("england", "secondary")
    assert "If pupils share" in secondary["staff-card"] and "What happens at school" in secondary["parent-leaflet"]


def test_a_phase_term_must_be_a_term_of_the_flow(tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    shutil.copytree(DATA / "good", folder)
    small = folder / "small.yaml"
    text = small.read_text()
    assert text.splitlines()[5] == "terms: {lead: DSL}"
    with_phase_terms = "phase_terms:\n  college: {pupilz: students}\nterms: {lead: DSL}"
    small.write_text(text.replace("terms: {lead: DSL}", with_phase_terms))
    problems = [p for p in load_flow_set(folder).problems if "pupilz" in p.message]
    assert problems and problems[0].location.line == 7  # the line naming the term, in small.yaml
    assert "is not a term of this flow" in problems[0].message


@pytest.mark.parametrize(
    ("phase", "present", "absent"), [("college", "students", "pupils"), ("primary", "pupils", "18")]
)
def test_a_chart_printed_for_a_school_is_its_phases_chart(
    cli: Callable[..., Result], needs_dot: None, tmp_path: Path, phase: str, present: str, absent: str
) -> None:
    """`flowchart --profile` prints the chart the school's pack prints: its phase's steps and words."""
    profile = school(tmp_path, "england", phase)
    out = tmp_path / "chart.svg"
    options = ("--profile", str(profile), "--size", "A2", "--format", "svg", "-o", str(out))
    result = cli("flowchart", "dsl-review", *options)
    assert result.exit_code == 0, result.output
    words = " ".join(re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")).split())
    assert re.search(rf"\b{present}\b", words) and not re.search(rf"\b{absent}\b", words)


def test_the_references_list_the_sources_of_the_law_the_policy_states(
    docs: Callable[[str, str], dict[str, str]],
) -> None:
    """Review L5: the Act named in the law section was missing from the references, as only a rule cited it."""
    policy = docs("england", "secondary")["policy"]
    assert re.search(r"Crime and Policing Act 2026, Part 5[^.]*\..*?Cited in: section \d+ ?\.", policy)
    assert re.search(r"Sexual Offences Act 2003.*?Cited in: [^.]*step[^.]*; section \d+ ?\.", policy)


def test_the_policy_says_when_a_child_could_face_sex_offender_notification(
    docs: Callable[[str, str], dict[str, str]],
) -> None:
    """Review P37: parents' commonest fear, stated once (and marked while it awaits checking)."""
    secondary = docs("england", "secondary")["policy"]
    assert re.search(
        r'Sex offender notification \(often called "the register"\) is very unlikely.*?12 months or more\.\s*†',
        secondary,
    )
    assert "Sex offender notification" not in docs("england", "primary")["policy"]
