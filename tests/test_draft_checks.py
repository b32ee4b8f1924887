"""Issue 17, items 5-7: an honest draft, the overdue guidance named, and checks a trust records.

A draft says so in every document and counts exactly the marks it prints; a first edition
has no changelog and no signature table; a trust's checks file turns pending parts into
checked ones, named in the review history, until the flows change them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from pypdf import PdfReader

from tests.conftest import PackHtml, copy_school
from tests.test_content import school, visible_text

Cli = Callable[..., Result]
NOTICE = re.compile(r"Draft — (\d+) parts of this text await checking against the current guidance \(marked †\)")


def policy_and_others(pack_html: PackHtml, profile: Path) -> dict[str, str]:
    return {name: visible_text(html) for name, html in pack_html(profile).items()}


@pytest.mark.parametrize(("nation", "phase"), [("england", "secondary"), ("england", "primary"), ("wales", "college")])
def test_the_notice_counts_the_marks_it_prints(
    pack_html: PackHtml, cli: Cli, tmp_path: Path, nation: str, phase: str
) -> None:
    profile = school(tmp_path, nation, phase)
    docs = policy_and_others(pack_html, profile)
    found = NOTICE.search(docs["policy"])
    assert found, "a draft says so on its cover"
    count = int(found.group(1))
    assert docs["policy"].count("†") - 1 == count, "one mark per part, besides the one in the notice"
    review = json.loads(cli("review", "--format", "json", "--profile", str(profile)).stdout)
    assert review["parts"][nation] == count
    assert "not for signature" in docs["policy"] and "Signature" not in docs["policy"]


def test_every_document_of_a_draft_shows_its_draft_state(pack_html: PackHtml, tmp_path: Path) -> None:
    docs = policy_and_others(pack_html, school(tmp_path, "england", "secondary"))
    for name in ("staff-card", "parent-leaflet", "incident-form"):
        assert "Draft for checking, not yet for use" in docs[name], name
    posters = [name for name in docs if name.startswith("poster-")]
    assert len(posters) == 4 and all("draft for checking, not yet adopted" in docs[name] for name in posters)
    assert not [name for name in posters if "policy adopted" in docs[name]], "a draft's poster never claims adoption"
    cover = docs["policy"].split("Contents")[0]
    assert "Status Draft for checking, not yet adopted." in cover and "Adopted 1 September" not in cover
    assert "policy adopted" not in docs["contacts-proof"]


def test_overdue_guidance_is_named_in_plain_words(pack_html: PackHtml, tmp_path: Path) -> None:
    england = policy_and_others(pack_html, school(tmp_path, "england", "secondary"))["policy"]
    assert "Keeping children safe in education 2026 was due to apply from 1 September 2026" in england
    assert "We could not confirm that it has started" in england
    assert "could not confirm that the duty had come into force" in england  # the law section, marked
    wales = policy_and_others(pack_html, school(tmp_path / "w", "wales", "secondary"))["policy"]
    assert "Keeping children safe in education 2026" not in wales and "Crime and Policing Act" not in wales


@pytest.mark.allow_warnings  # the approved version differs, as it would after a new edition
def test_a_first_edition_has_no_changelog(pack_html: PackHtml, tmp_path: Path) -> None:
    first = policy_and_others(pack_html, school(tmp_path, "england", "secondary"))["policy"]
    assert "What changed" not in first
    approved_earlier = copy_school(
        tmp_path / "approved",
        {"  review_interval_months: 12": "  review_interval_months: 12\n  approved_version: 0badc0de"},
    )
    later = policy_and_others(pack_html, approved_earlier)["policy"]
    assert "What changed since the approved edition" in later
    assert "The governing board approved version 0badc0de" in later


# --- Item 7: checks a trust records ----------------------------------------------------------


def checks_for_everything_pending(cli: Cli, profile: Path, by: str = "Ann Example") -> list[dict[str, object]]:
    review = json.loads(cli("review", "--format", "json", "--profile", str(profile)).stdout)
    return [
        {
            "flow": claim["flow"],
            "step": claim["step"],
            "source": claim["source"],
            "checked_on": "2026-12-02",
            "by": {"role": "Trust safeguarding lead", "name": by},
            "edition": "The edition in force on 2 December 2026",
            "place": "The passage the claim rests on",
            "text": claim["text"],
        }
        for claim in review["pending"]
    ]


def with_checks(tmp_path: Path, cli: Cli) -> Path:
    profile = copy_school(
        tmp_path / "checked",
        {"  review_interval_months: 12": "  review_interval_months: 12\n  checks: school-checks.yaml"},
    )
    (profile.parent / "school-checks.yaml").write_text("checks: []\n")
    checks = checks_for_everything_pending(cli, profile)
    (profile.parent / "school-checks.yaml").write_text(yaml.safe_dump({"checks": checks}, sort_keys=False))
    return profile


@pytest.mark.parametrize("nation", ["england", "wales"])
def test_every_pending_claim_of_a_schools_review_says_what_to_read(cli: Cli, tmp_path: Path, nation: str) -> None:
    """A Wales school's claims were once just "read <the Welsh advice>", with nothing to look for in it."""
    profile = school(tmp_path, nation, "secondary")
    data = json.loads(cli("review", "--format", "json", "--profile", str(profile)).stdout)
    registry = {source["id"]: source for source in yaml.safe_load(Path("flows/sources.yaml").read_text())["sources"]}
    vague = []
    for claim in data["pending"]:
        source = registry[claim["source"]]
        bare = f"read {source['title']} ({source['edition']})"
        if len(claim["read"].removeprefix(bare).strip(" :,.")) < 12:  # the source's name, and next to nothing
            vague.append((claim["flow"], claim["step"], claim["read"]))
    assert data["pending"] and not vague, vague
    watch = {item["id"] for item in data["watch"]}
    assert ("kcsie-2026" in watch) is (nation == "england"), "a watch item of England alone is not a Welsh school's"


def test_review_shows_verified_checked_and_pending_separately(cli: Cli, tmp_path: Path) -> None:
    profile = with_checks(tmp_path, cli)
    report = cli("review", "--profile", str(profile)).stdout
    assert "No claims are pending." in report
    assert re.search(r"Verified by a maintainer: \d+ claims; checked by the school or trust: \d+ claims", report)
    assert "2026-12-02 by Trust safeguarding lead, Ann Example" in report
    data = json.loads(cli("review", "--format", "json", "--profile", str(profile)).stdout)
    assert data["pending"] == [] and data["checked"] and data["verified"] > 0


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_pack_checked_in_full_is_final(cli: Cli, tmp_path: Path) -> None:
    profile = with_checks(tmp_path, cli)
    out = tmp_path / "out"
    result = cli("build", "--final", str(profile), "-o", str(out))
    assert result.exit_code == 0, result.output
    folder = next(out.iterdir())
    policy = " ".join(" ".join(p.extract_text() for p in PdfReader(folder / "policy.pdf").pages).split())
    assert "Draft" not in policy and "†" not in policy
    assert "Signature" in policy  # the approval table is back
    assert "not yet adopted" not in policy and "Adopted 1 September 2026" in policy
    assert re.search(r"Checked \d+ parts of the text against the guidance Ann Example, Trust safeguarding lead", policy)
    card = " ".join(PdfReader(folder / "staff-card.pdf").pages[0].extract_text().split())
    assert "Draft" not in card and "policy adopted" in card
    for poster in folder.glob("poster-*.pdf"):
        words = " ".join(PdfReader(poster).pages[0].extract_text().split())
        assert "Draft" not in words and "policy adopted" in words, poster.name


@pytest.mark.allow_warnings
def test_a_check_lapses_when_the_flows_change_its_part(cli: Cli, tmp_path: Path) -> None:
    profile = with_checks(tmp_path, cli)
    checks = yaml.safe_load((profile.parent / "school-checks.yaml").read_text())
    checks["checks"][0]["text"] = "00000000"  # as if the part had been reworded since it was checked
    (profile.parent / "school-checks.yaml").write_text(yaml.safe_dump(checks, sort_keys=False))
    result = cli("validate", str(profile))
    assert "has lapsed: the part's text changed" in result.output
    assert re.search(r"school-checks\.yaml:\d+:\d+: warning", result.output)
    refused = cli("build", "--final", str(profile), "-o", str(tmp_path / "out"))
    assert refused.exit_code == 1 and "nothing was built" in refused.output
    assert not (tmp_path / "out").exists()


def test_a_checks_file_outside_the_profiles_folder_is_refused(cli: Cli, tmp_path: Path) -> None:
    profile = copy_school(
        tmp_path / "s", {"  review_interval_months: 12": "  review_interval_months: 12\n  checks: ../checks.yaml"}
    )
    (tmp_path / "checks.yaml").write_text("checks: []\n")
    result = cli("validate", str(profile))
    assert result.exit_code == 1 and "is not a .yaml file beside the profile" in result.output
