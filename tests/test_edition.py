"""Versions people understand: an edition on the cover, a fingerprint of the procedure in small print.

A contact change (a phone number, an e-mail, a new person in a role) keeps the text's
fingerprint, so an approved pack stays approved; a change to the procedure or to the roles
it names makes a new fingerprint that needs re-approval.
"""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader

from policypack.check.approval import approval_of
from policypack.load.pack import load_pack
from tests.conftest import copy_school, run_cli


def approval(profile: Path):  # type: ignore[no-untyped-def]
    loaded, problems = load_pack(profile)
    assert loaded is not None, problems
    return approval_of(loaded)


def test_contact_details_do_not_change_the_fingerprint_but_the_procedure_and_roles_do(tmp_path: Path) -> None:
    base = approval(copy_school(tmp_path / "base"))
    contacts_changed = {
        "phone: 01632 960 102": "phone: 029 2000 1234",
        "email: t.ellis@oakfield.example.org": "email: tom.ellis@oakfield.example.org",
        "name: Mr Tom Ellis": "name: Mr Thomas Ellis",
        "phone: 01632 960 200": "phone: 0344 800 8020",
    }
    after = approval(copy_school(tmp_path / "contacts", contacts_changed))
    assert after.version == base.version, "a contact update never asks for re-approval"
    assert after.contacts != base.contacts, "the contacts have a fingerprint of their own"
    phase = approval(copy_school(tmp_path / "phase", {"phase: secondary": "phase: primary"}))
    assert phase.version != base.version, "the phase changes the text"
    roles = copy_school(
        tmp_path / "roles",
        {"    - name: Mrs Grace Okafor\n      phone: 01632 960 103\n      email: g.okafor@oakfield.example.org\n": ""},
    )
    assert approval(roles).version != base.version, "one deputy fewer is a change to the roles named"


def test_editions_count_the_reviews_that_changed_the_text_not_contact_updates(tmp_path: Path) -> None:
    history = (
        "  history:\n"
        "    - {date: 2027-01-10, change: DSL phone number, kind: contacts}\n"
        "    - {date: 2027-09-01, change: Annual review}\n"
        "    - {date: 2027-11-20, change: New deputy's e-mail, kind: contacts}\n"
    )
    profile = copy_school(tmp_path, {"  review_interval_months: 12\n": f"  review_interval_months: 12\n{history}"})
    result = approval(profile)
    assert (result.edition, str(result.edition_date)) == (2, "2027-09-01")
    assert approval(copy_school(tmp_path / "plain")).edition == 1


def test_an_approved_pack_stays_approved_through_a_contact_change(tmp_path: Path, needs_weasyprint: None) -> None:
    version = approval(copy_school(tmp_path / "first")).version
    history = "  history:\n    - {date: 2026-10-05, change: Deputy DSL's phone number, kind: contacts}\n"
    edits = {
        "  review_interval_months: 12\n": f"  review_interval_months: 12\n  approved_version: {version}\n{history}",
        "phone: 01632 960 102": "phone: 029 2000 1234",
    }
    out = tmp_path / "out"
    profile = copy_school(tmp_path / "school", edits)
    first = run_cli("build", str(profile), "-o", str(out))
    assert first.exit_code == 0 and "re-approval" not in first.output + first.stderr
    pack = out / "oakfield-academy"
    cover = " ".join(PdfReader(pack / "policy.pdf").pages[0].extract_text().split())
    assert "Edition Edition 1, September 2026 (approved)" in cover
    assert "Needs re-approval" not in cover
    assert f"Edition 1, September 2026 (approved) · text fingerprint {version}" in cover
    update = "Contact update: Deputy DSL's phone number (the text is unchanged; no re-approval needed)"
    assert f"5 October 2026 {update}" in cover
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["version"] == version and (manifest["edition"], manifest["edition_date"]) == (1, "2026-09-01")
    assert manifest["approved"] is True

    profile.write_text(profile.read_text().replace("phone: 029 2000 1234", "phone: 029 2000 1235"))
    second = run_cli("-v", "build", str(profile), "-o", str(out))
    assert second.exit_code == 0
    assert "contact details changed since the last build; the text and its approval are unchanged" in second.stderr
    assert "kind: contacts" in second.stderr and "re-approval" not in second.stderr
