"""Issue 18 item 7: a page to publish.

Only a pack whose text the governing board approved, with nothing awaiting checking, has a
web page under the public name `policy.html`: no draft box, no signature table, no
fingerprint, one plain line for its approval. Any other pack's web page is a preview, named
`policy-preview.html` and marked so on its face, and a public page left by an earlier
approved build never survives beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest
from click.testing import Result

from policypack.check.approval import approval_of
from policypack.load.pack import load_pack
from tests.test_draft_checks import with_checks

Cli = Callable[..., Result]
HEX_FINGERPRINT = re.compile(r"\b[0-9a-f]{8}\b|\b[0-9a-f]{64}\b")
APPROVED_LINE = "Approved by the governing board on 1 September 2026 · next review by 1 September 2027"


def set_approved(profile: Path, version: str | None) -> None:
    """The profile's policy.approved_version set to `version` (or taken out)."""
    text = re.sub(r"\n  approved_version: \w+", "", profile.read_text(encoding="utf-8"))
    if version is not None:
        text = text.replace(
            "  review_interval_months: 12", f"  review_interval_months: 12\n  approved_version: {version}"
        )
    profile.write_text(text, encoding="utf-8")


def web_only(profile: Path) -> None:
    """The profile asks for the web page alone (the other formats are tested elsewhere)."""
    profile.write_text(re.sub(r"\n  formats: .*", "\n  formats: [html]", profile.read_text(encoding="utf-8")))


def visible(page: Path) -> str:
    tree = lxml.html.document_fromstring(page.read_text(encoding="utf-8"))
    return " ".join(tree.body.text_content().split())


def manifest_names(folder: Path) -> set[str]:
    return {entry["name"] for entry in json.loads((folder / "manifest.json").read_text())["files"]}


@pytest.fixture
def approved_school(cli: Cli, tmp_path: Path, needs_dot: None) -> Path:
    """The example school with every part checked and this very text approved."""
    profile = with_checks(tmp_path, cli)
    web_only(profile)
    loaded, problems = load_pack(profile)
    assert loaded is not None, problems
    set_approved(profile, approval_of(loaded).version)
    return profile


def test_an_approved_final_pack_publishes_a_plain_policy_html(cli: Cli, approved_school: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("build", str(approved_school), "-o", str(out))
    assert result.exit_code == 0, result.output
    folder = out / "oakfield-academy"
    assert sorted(p.name for p in folder.glob("*.html")) == ["policy.html"]
    text = visible(folder / "policy.html")
    assert APPROVED_LINE in text
    assert "Draft" not in text and "Preview" not in text and "†" not in text
    assert "Signature" not in text and "Approval of this text" not in text, "no signature table on the web"
    assert "fingerprint" not in text and not HEX_FINGERPRINT.search(text), HEX_FINGERPRINT.search(text)
    assert "Edition 1, September 2026 (approved)" in text
    html = (folder / "policy.html").read_text(encoding="utf-8")
    assert "noindex" not in html and "<title>Oakfield Academy: " in html
    assert manifest_names(folder) == {"policy.html"}


def test_a_contact_change_keeps_the_published_page(cli: Cli, approved_school: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", str(approved_school), "-o", str(out)).exit_code == 0
    approved_school.write_text(approved_school.read_text().replace("phone: 01632 960 102", "phone: 029 2000 1234"))
    result = cli("build", str(approved_school), "-o", str(out))
    assert result.exit_code == 0 and "re-approval" not in result.output + result.stderr
    folder = out / "oakfield-academy"
    assert sorted(p.name for p in folder.glob("*.html")) == ["policy.html"]
    text = visible(folder / "policy.html")
    assert APPROVED_LINE in text and "029 2000 1234" in text and "01632 960 102" not in text


@pytest.mark.allow_warnings  # the changed text needs re-approval, and validate says so
@pytest.mark.parametrize("becomes", ["changed", "unapproved", "pending"])
def test_a_pack_that_is_no_longer_approved_and_final_is_only_a_preview(
    cli: Cli, approved_school: Path, tmp_path: Path, becomes: str
) -> None:
    out = tmp_path / "out"
    assert cli("build", str(approved_school), "-o", str(out)).exit_code == 0
    folder = out / "oakfield-academy"
    assert (folder / "policy.html").is_file()
    text = approved_school.read_text(encoding="utf-8")
    if becomes == "changed":  # the text changed (its review interval), so the approval no longer holds
        approved_school.write_text(text.replace("review_interval_months: 12", "review_interval_months: 24"))
    elif becomes == "unapproved":
        set_approved(approved_school, None)
    else:  # the trust's checks were emptied: parts await checking again, though the text is the approved one
        (approved_school.parent / "school-checks.yaml").write_text("checks: []\n", encoding="utf-8")
    result = cli("build", str(approved_school), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.glob("*.html")) == ["policy-preview.html"], "the public page must go"
    assert manifest_names(folder) == {"policy-preview.html"}
    html = (folder / "policy-preview.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "<title>Preview, not for publishing: " in html
    tree = lxml.html.document_fromstring(html)
    (banner,) = tree.find_class("preview")
    words = " ".join(banner.text_content().split())
    assert words.startswith("Preview, not for publishing.")
    assert ("Parts of its text still await checking" in words) == (becomes == "pending")
    assert "has not approved this text" in words or becomes == "pending"  # the checks are part of the text too
    assert APPROVED_LINE not in visible(folder / "policy-preview.html")


def test_the_example_a_draft_writes_only_the_preview(pack: Path) -> None:
    assert sorted(p.name for p in pack.glob("*.html")) == ["policy-preview.html"]
    text = visible(pack / "policy-preview.html")
    assert text.startswith("Skip to the policy Preview, not for publishing.")
    assert "Draft — " in text and "fingerprint" in text  # a preview is for checking: it keeps all of it
