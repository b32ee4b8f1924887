"""Contact details a school gives are ones staff can dial, write to and type in: checked, located, plain."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from policypack.cli import main
from policypack.load.profile import load_school
from policypack.model.contacts import check_email, check_phone, check_website
from policypack.render.proof import contact_entries
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "oakfield" / "school.yaml"


def edited_example(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    shutil.copy(EXAMPLE.parent / "crest.svg", tmp_path / "crest.svg")
    (tmp_path / "school.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "school.yaml"


def errors_by_place(output: str) -> dict[str, str]:
    """'line:col' -> message, for each error line of `validate`'s output."""
    found = {}
    for line in output.splitlines():
        if ": error: " in line:
            where, message = line.split(": error: ", 1)
            found[":".join(where.rsplit(":", 2)[-2:])] = message
    return found


def test_the_reviews_seven_digit_number_and_comma_email_fail_at_their_line_and_column(tmp_path: Path) -> None:
    profile = edited_example(
        tmp_path,
        ("phone: 01632 960 101", "phone: 01328 87"),
        ("email: p.raman@oakfield.example.org", "email: sarah.jones@stmarys,norfolk.sch.uk"),
    )
    result = CliRunner().invoke(main, ["validate", str(profile)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = errors_by_place(result.output)
    assert errors["16:5"].startswith("'people.dsl.phone': '01328 87' is too short to dial: it has 7 digits")
    assert errors["17:5"].startswith("'people.dsl.email': 'sarah.jones@stmarys,norfolk.sch.uk' is not an e-mail")
    assert "','" in errors["17:5"]
    assert len(errors) == 2


@pytest.mark.parametrize(
    "number",
    [
        "01632 960 101",  # Ofcom's range for drama, as the example uses
        "01328 878 124",
        "+44 (0)1328 878 124",
        "(029) 2000 1234",
        "029 2000 1234 ext 22",
        "0800-1111",  # Childline, nine digits
        "0344 800 8020",
        "0300 123 1111",
        "999",
        "101",
        "111",
        "116 123",
        "116000",
    ],
)
def test_numbers_people_really_call_are_accepted_as_written(number: str) -> None:
    assert check_phone(f" {number} ") == number


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("01328 87", "it has 7 digits"),
        ("01632 96O 101", "the letter 'O' at character 9"),
        ("0999 123 4567", "not a UK number in use"),
        ("01328 878 124 0122", "is it two numbers?"),
        ("12345", "has no area code"),
        ("+33 1 23 45 67 89", "is not a UK number"),
        ("116 12", "has no area code"),
    ],
)
def test_numbers_nobody_can_dial_say_what_is_wrong(number: str, says: str) -> None:
    with pytest.raises(ValueError, match="for example 01632 960 101") as caught:
        check_phone(number)
    assert says in str(caught.value)


def test_email_form_is_checked_without_the_network() -> None:
    assert check_email("mash@anyshire.example.gov.uk ") == "mash@anyshire.example.gov.uk"
    for bad, says in [
        ("sarah.jones@stmarys,norfolk.sch.uk", "invalid characters: ','"),
        ("p.raman at oakfield", "must have an @"),
        ("dsl@school", "should have a period"),
        ("dsl@@school.org", "not an e-mail address"),
    ]:
        with pytest.raises(ValueError, match=r"for example dsl@school\.example\.org") as caught:
            check_email(bad)
        assert says in str(caught.value), caught.value


def test_web_addresses_name_a_secure_site_a_reader_can_type() -> None:
    assert check_website("https://oakfield.example.org/safeguarding") == "https://oakfield.example.org/safeguarding"
    for bad, says in [
        ("http://oakfield.example.org", "must start with https://"),
        ("https://oakfield", "does not name a web site"),
        ("https://oak field.org", "has a space"),
        ("https://admin:secret@oakfield.example.org", "user name or password"),
        ("www.oakfield.example.org", "must start with https://"),
    ]:
        with pytest.raises(ValueError, match="for example https://") as caught:
            check_website(bad)
        assert says in str(caught.value)


def test_a_bad_agency_website_and_out_of_hours_number_are_located(tmp_path: Path) -> None:
    profile = edited_example(
        tmp_path,
        ("website: https://ascp.example.gov.uk", "website: ascp.example.gov.uk"),
        ("out_of_hours: 01632 960 299", "out_of_hours: 0800 12"),
    )
    result = CliRunner().invoke(main, ["validate", str(profile)], catch_exceptions=False)
    assert result.exit_code == 1
    errors = errors_by_place(result.output)
    assert errors["36:5"].startswith("'contacts.childrens_social_care.out_of_hours': '0800 12' is too short")
    assert errors["49:5"].startswith("'contacts.safeguarding_partnership.website': 'ascp.example.gov.uk' must")


# --- the contacts proof: every name and number the pack prints, and where ------------------


def proof_rows(text: str) -> str:
    return " ".join(text.split())


def test_the_pack_has_a_one_page_contacts_proof_with_every_detail_and_where_it_prints(example_pack: Path) -> None:
    proof = example_pack / "contacts-proof.pdf"
    reader = PdfReader(proof)
    assert len(reader.pages) == 1
    text = proof_rows(reader.pages[0].extract_text())
    profile = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    people = profile["people"]
    for person in [people["dsl"], *people["deputies"]]:
        for value in (person["name"], person["phone"], person["email"]):
            assert value in text, value
    for agency in profile["contacts"].values():
        assert agency["name"] in text and agency["phone"] in text, agency
    # where: the DSL's number is on the staff card and every poster, the LADO's in the policy alone
    assert f"Phone {people['dsl']['phone']} * policy, staff card, parent leaflet, posters E-mail" in text
    assert f"Phone {profile['contacts']['lado']['phone']} * policy E-mail" in text
    assert "nobody answers it" in text, "the example's drama numbers are pointed out"


def test_where_a_detail_prints_is_read_from_the_documents_whole_numbers_only() -> None:
    profile = load_school(EXAMPLE)[0]
    assert profile is not None
    documents = [
        ("staff-card", "<p>Call <a>01632 960 101</a> now</p><p>Ms Priya Raman</p>"),
        ("poster-staff-response-a4", "<td>Ms Priya Ramanathan</td><td>0163 2960 101</td>"),
        ("policy", "<p>Police: <b>101</b></p><p>See oakfield.example.<wbr>org</p>"),
    ]
    entries = {entry.role: entry for entry in contact_entries(profile.model, documents)}
    dsl = {detail.kind: detail.where for detail in entries["dsl"].details}
    assert dsl == {"name": ["staff-card"], "phone": ["staff-card"], "email": []}
    police = {detail.kind: detail.where for detail in entries["police"].details}
    assert police["phone"] == ["policy"], "'101' is not found inside '01632 960 101'"
    school = {detail.kind: detail.where for detail in entries["school"].details}
    assert school["website"] == ["policy"]


def test_a_name_in_bold_before_its_role_and_a_name_before_a_number_are_found() -> None:
    profile = load_school(EXAMPLE)[0]
    assert profile is not None
    card = "<p><strong>Ms Priya Raman</strong>Designated Safeguarding Lead<br>01632 960 101</p>"
    policy = "<td>Anyshire Police, Safer Schools Team</td><td>101</td>"
    entries = {e.role: e for e in contact_entries(profile.model, [("staff-card", card), ("policy", policy)])}
    assert entries["dsl"].details[0].where == ["staff-card"]
    assert entries["police"].details[0].where == ["policy"], "a name followed by a number is still whole"
    assert entries["police"].details[1].where == ["policy"]
