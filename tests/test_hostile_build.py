"""Hostile inputs and faults against the build: templates that try to run code or read files,
folders that are not what they seem, schools that collide, builds that are killed or hang.

Each case checks what a user or an attacker would see: the exit code, a located message
without a traceback, nothing read or written outside the allowed folders, and every
previous pack byte-for-byte intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import jinja2
import pytest

from policypack import batch
from policypack.batch import build_many
from policypack.render.templating import TemplateRefused, template_environment
from policypack.write.pack import is_intact, pack_folder_name, slug
from tests.conftest import ROOT, TODAY, PackHtml, copy_school, pdf_words, run_cli

EXAMPLE = ROOT / "examples" / "oakfield"
SECRET = "TOP-SECRET-CANARY-7f3a"


def make_school(folder: Path, name: str = "Oakfield Academy", documents: str = "staff-card") -> Path:
    """A copy of the example school with its own name, building only the given documents (fast)."""
    documents_line = "documents: [policy, staff-card, incident-form, parent-leaflet, posters]"
    edits = {"name: Oakfield Academy": f"name: {json.dumps(name)}", documents_line: f"documents: [{documents}]"}
    return copy_school(folder, edits)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def with_templates(profile: Path, files: dict[str, str]) -> None:
    templates = profile.parent / "templates"
    templates.mkdir(exist_ok=True)
    for name, text in files.items():
        (templates / name).write_text(text, encoding="utf-8")
    profile.write_text(profile.read_text(encoding="utf-8") + "\ntemplates: templates\n", encoding="utf-8")


# --- Templates a school sends -----------------------------------------------------------------

CODE = '{{ cycler.__init__.__globals__.os.popen("echo owned > PWNED").read() }}'


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize(
    "body",
    [
        CODE,
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self._TemplateReference__context }}",
        "{% set x = [] %}{{ x.append(1) }}",  # the immutable sandbox: no changing data either
        "{{ 'a' * 100000000 }}",
        # pydantic's old class methods unpickle and read files: a model shows only its data
        "{{ school.parse_raw(\"cposix\\nsystem\\n(S'echo owned > PWNED'\\ntR.\", proto='pickle', allow_pickle=True) }}",
        "{{ policy.parse_file('/etc/passwd') }}",
        "{{ people.dsl.model_validate_json('{}') }}",
        "{% set f = school.parse_raw %}{{ f('{}') }}",
        "{{ 9 ** 9999999 }}",
    ],
)
def test_a_school_template_cannot_run_code_or_exhaust_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = make_school(tmp_path / "school")
    block = "{% extends 'documents/staff-card.html.j2' %}{% block title %}" + body + "{% endblock %}"
    with_templates(profile, {"staff-card.html.j2": block})
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "staff-card.html.j2:1" in result.stderr, result.stderr
    assert not (tmp_path / "PWNED").exists()
    assert not (tmp_path / "out" / "oakfield-academy").exists()


def test_validate_reports_a_template_that_reaches_for_internals_at_its_line(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "school")
    with_templates(profile, {"staff-card.html.j2": "{% extends 'documents/staff-card.html.j2' %}\n\n" + CODE})
    result = run_cli("validate", str(profile))
    assert result.exit_code == 1
    assert "staff-card.html.j2:3:1: error: '__init__' is not allowed in a template" in result.stdout


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_symlink_in_the_templates_folder_cannot_print_another_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    profile = make_school(tmp_path / "school")
    include = "{% extends 'documents/staff-card.html.j2' %}{% block title %}{% include 'leak.txt' %}{% endblock %}"
    with_templates(profile, {"staff-card.html.j2": include})
    (profile.parent / "templates" / "leak.txt").symlink_to(secret)
    assert (
        "leak.txt: error: this is a link to a file outside the templates folder"
        in run_cli("validate", str(profile)).stdout
    )
    out = tmp_path / "out"
    result = run_cli("build", str(profile), "-o", str(out))
    assert result.exit_code == 1
    assert "link to a file outside the templates folder" in result.stderr
    assert not any(SECRET.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())
    # and should a link appear after loading, the renderer's own loader refuses it too
    environment = template_environment(profile.parent / "templates")
    with pytest.raises(TemplateRefused, match="leads outside its folder"):
        environment.get_template("leak.txt")
    with pytest.raises(jinja2.TemplateNotFound):
        environment.get_template("../secret.txt")


def test_a_fifo_in_the_templates_folder_cannot_hang_the_build(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "school")
    with_templates(profile, {})
    os.mkfifo(profile.parent / "templates" / "staff-card.html.j2")
    result = run_cli("validate", str(profile))
    assert result.exit_code == 1
    assert "not a regular file" in result.stdout


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_school_override_of_the_poster_is_used(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "school", documents="posters")
    marker = "Poster override from the school's own folder"
    block = "{% extends 'documents/poster.html.j2' %}{% block heading %}<h1>" + marker + "</h1>{% endblock %}"
    with_templates(profile, {"poster.html.j2": block})
    out = tmp_path / "out"
    assert run_cli("build", str(profile), "-o", str(out)).exit_code == 0
    assert marker in pdf_words(out / "oakfield-academy" / "poster-staff-response-a4.pdf")


# --- Folders that are not what they seem ------------------------------------------------------


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_pack_folder_that_is_a_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "staff-card.pdf").write_text("not yours")
    out = tmp_path / "out"
    out.mkdir()
    (out / "oakfield-academy").symlink_to(victim)
    result = run_cli("build", str(make_school(tmp_path / "school")), "-o", str(out))
    assert result.exit_code == 1
    assert "is a symbolic link" in result.stderr
    assert (victim / "staff-card.pdf").read_text() == "not yours"


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize(
    "manifest", ["[]", '{"files": ["x"]}', '{"files": [{"name": "../../victim.txt", "sha256": "0"}]}']
)
def test_a_folder_some_other_tool_made_is_never_written_or_deleted(tmp_path: Path, manifest: str) -> None:
    (tmp_path / "victim.txt").write_text("keep me")
    folder = tmp_path / "out" / "oakfield-academy"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(manifest)
    (folder / "report.docx").write_text("someone's work")
    before = snapshot(tmp_path / "out")
    result = run_cli("build", str(make_school(tmp_path / "school")), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "was not made by policypack" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(tmp_path / "out") == before
    assert (tmp_path / "victim.txt").read_text() == "keep me"


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_forged_manifest_cannot_make_a_build_delete_outside_its_folder(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    sha = hashlib.sha256(b"keep me").hexdigest()
    folder = tmp_path / "out" / "oakfield-academy"
    folder.mkdir(parents=True)
    forged = {
        "tools": {"policypack": "0.1.0"},
        "files": [{"name": n, "sha256": sha} for n in ("../../victim.txt", str(victim))],
    }
    (folder / "manifest.json").write_text(json.dumps(forged))
    assert run_cli("build", str(make_school(tmp_path / "school")), "-o", str(tmp_path / "out")).exit_code == 0
    assert victim.read_text() == "keep me"
    assert is_intact(folder)


@pytest.mark.usefixtures("needs_dot")
def test_a_pack_folder_that_is_a_file_and_an_output_that_is_a_file_are_errors(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "school")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "oakfield-academy").write_text("a file")
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "is a file, not a folder" in result.stderr
    (tmp_path / "plain").write_text("a file")
    result = run_cli("build", str(profile), "-o", str(tmp_path / "plain"))
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert (tmp_path / "plain").read_text() == "a file"


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_rebuild_removes_only_files_it_made_and_nobody_changed(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "school", documents="staff-card, parent-leaflet")
    out = tmp_path / "out"
    assert run_cli("build", str(profile), "-o", str(out)).exit_code == 0
    folder = out / "oakfield-academy"
    (folder / "notes.txt").write_text("the DSL's own notes")
    with (folder / "parent-leaflet.pdf").open("ab") as handle:
        handle.write(b"% edited by hand\n")
    profile.write_text(
        profile.read_text().replace("documents: [staff-card, parent-leaflet]", "documents: [staff-card]")
    )
    assert run_cli("build", str(profile), "-o", str(out)).exit_code == 0
    assert (folder / "notes.txt").is_file(), "a file policypack did not write is never removed"
    assert (folder / "parent-leaflet.pdf").is_file(), "a file changed since the build is never removed"
    assert is_intact(folder)


# --- Schools that collide ---------------------------------------------------------------------


def test_two_schools_with_one_name_in_a_batch_both_fail_and_nothing_is_written(tmp_path: Path) -> None:
    first = make_school(tmp_path / "a", "St Mary's Primary School")
    second = make_school(tmp_path / "b", "St Mary’s Primary School")  # typographic apostrophe
    out = tmp_path / "out"
    result = run_cli("build", str(first), str(second), "-o", str(out))
    assert result.exit_code == 1
    assert f"{first}: this school and {second} would both be written to" in result.stderr
    assert f"{second}: this school and {first} would both be written to" in result.stderr
    assert not (out / "st-marys-primary-school").exists()


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_school_never_writes_into_another_schools_existing_pack(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = make_school(tmp_path / "a", "St Mary's Primary School")
    assert run_cli("build", str(first), "-o", str(out)).exit_code == 0
    before = snapshot(out)
    second = make_school(tmp_path / "b", "ST MARY'S PRIMARY SCHOOL")  # another school, the same folder
    result = run_cli("build", str(second), "-o", str(out))
    assert result.exit_code == 1
    assert "belongs to the school of" in result.stderr
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("St Mary's Primary School", "st-marys-primary-school"),
        ("École Saint-Éloi", "ecole-saint-eloi"),
        ("..", "ysgol-y-graig"),
        ("مدرسة النور", "ysgol-y-graig"),
        ("🏫🏫", "ysgol-y-graig"),
    ],
)
def test_folder_names_transliterate_or_fall_back_to_the_profiles_folder(name: str, expected: str) -> None:
    assert pack_folder_name(name, Path("/schools/ysgol-y-graig/school.yaml")) == expected
    assert slug("a/../../b") == "a-b"


# --- Builds that are killed, hang or are interrupted -----------------------------------------

# The renames of the swap itself, counted from its start. The two-document pack has five files
# (two PDFs, two Word files, the contacts proof): (1) the old manifest set aside, then for each
# file (2, 4, …) the old copy set aside and (3, 5, …) the new one put in place, (12) the new
# manifest last. "before" dies once everything is staged, "after" once the build has finished.
SWAP_STEPS = ["before", 1, 2, 3, 7, 11, 12, "after"]


@pytest.fixture(scope="module")
def built_two_documents(tmp_path_factory: pytest.TempPathFactory, needs_weasyprint: None) -> Path:
    """A school with a two-document pack already built (copied by each test that kills a rebuild)."""
    root = tmp_path_factory.mktemp("built")
    profile = make_school(root / "school", documents="staff-card, parent-leaflet")
    assert run_cli("build", str(profile), "-o", str(root / "out")).exit_code == 0
    return root


@pytest.mark.parametrize("kill_at", SWAP_STEPS)
def test_a_build_killed_at_any_point_of_the_swap_is_repaired_by_the_next(
    tmp_path: Path, kill_at: object, built_two_documents: Path
) -> None:
    """The child process dies (os._exit: no cleanup runs) at one rename of putting the pack in place."""
    shutil.copytree(built_two_documents, tmp_path, dirs_exist_ok=True, symlinks=True)
    profile, out = tmp_path / "school" / "school.yaml", tmp_path / "out"
    manifest = json.loads((out / "oakfield-academy" / "manifest.json").read_text())
    manifest["profile"] = str(profile.resolve())  # the copy is the same school, moved
    (out / "oakfield-academy" / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    folder = out / "oakfield-academy"
    old_card = (folder / "staff-card.pdf").read_bytes()
    profile.write_text(profile.read_text().replace("Ms Priya Raman", "Ms Newly Appointed"))
    script = f"""
import os, pathlib, sys
from policypack.cli import main
from policypack.render.templating import TemplateRefused, template_environment
import policypack.write.pack as p
real, real_swap = pathlib.Path.replace, p.put_in_place
count = None
def dying(self, target):
    global count
    if count is not None:
        count += 1
        if {kill_at!r} == count:
            os._exit(137)
    return real(self, target)
def counted_swap(*args):
    global count
    if {kill_at!r} == "before":
        os._exit(137)
    count = 0
    return real_swap(*args)
p.put_in_place = counted_swap
pathlib.Path.replace = dying
try:
    main(["build", {str(profile)!r}, "-o", {str(out)!r}])
except SystemExit as exit:
    os._exit(exit.code or 0)
if {kill_at!r} == "after":
    os._exit(137)
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False, timeout=120)
    if is_intact(folder):  # a folder that claims to be whole is wholly old or wholly new, never mixed
        new = "Ms Newly Appointed" in pdf_words(folder / "staff-card.pdf")
        assert new or (folder / "staff-card.pdf").read_bytes() == old_card
        assert new == ("Ms Newly Appointed" in pdf_words(folder / "parent-leaflet.pdf"))
    result = run_cli("build", str(profile), "-o", str(out))
    assert result.exit_code == 0, result.output
    # rebuilt into the pack folder: a killed build's staging folder never passes for the pack
    status = "unchanged" if kill_at == "after" else "built"
    assert f"{status}: Oakfield Academy -> {folder}\n" in result.output
    assert is_intact(folder)
    assert "Ms Newly Appointed" in pdf_words(folder / "staff-card.pdf")
    assert not [p for p in out.iterdir() if ".staging-" in p.name], "leftovers of the killed build are cleaned up"
    assert not (folder / ".pending-manifest.json").exists()


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_school_that_hangs_is_stopped_at_its_time_limit_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = make_school(tmp_path / "slow", "Slow School")
    fine = make_school(tmp_path / "fine", "Fine School")
    real = batch.build_one

    def build_one(profile: Path, pack: object, output: Path) -> batch.Outcome:
        if profile == slow:
            time.sleep(60)
        return real(profile, pack, output)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "build_one", build_one)  # forked workers inherit it
    outcomes = build_many([slow, fine], tmp_path / "out", jobs=2, today=TODAY, time_limit=12)
    assert [o.status for o in outcomes] == ["failed", "built"]
    assert "time limit" in outcomes[0].message
    assert not (tmp_path / "out" / "slow-school").exists()


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_worker_killed_by_the_os_fails_its_school_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doomed = make_school(tmp_path / "doomed", "Doomed School")
    fine = make_school(tmp_path / "fine", "Fine School")
    real = batch.build_one

    def build_one(profile: Path, pack: object, output: Path) -> batch.Outcome:
        if profile == doomed:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(profile, pack, output)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "build_one", build_one)
    outcomes = build_many([doomed, fine], tmp_path / "out", jobs=2, today=TODAY)
    assert [o.status for o in outcomes] == ["failed", "built"]
    assert "killed by signal 9" in outcomes[0].message


@pytest.mark.usefixtures("needs_weasyprint")
def test_ctrl_c_stops_a_batch_promptly_keeps_packs_and_prints_the_summary(tmp_path: Path) -> None:
    """Stopped after the first school: the rest never start (no clock involved, so no flakiness)."""
    profiles = [make_school(tmp_path / f"s{n}", f"School {n}", documents="policy") for n in range(10)]
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "policypack", "build", *map(str, profiles), "-o", str(out), "-j", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    while not first.startswith("["):  # warnings come first; the first progress line means the batch runs
        first = process.stderr.readline()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, (first, stdout, stderr)
    built = int(stdout.strip().splitlines()[-1].split()[0])
    assert 1 <= built <= 4 and "stopped or not started" in stdout, stdout
    assert "interrupted" in stderr and "Traceback" not in stderr
    folders = list(out.iterdir())
    assert not [p for p in folders if p.name.startswith(".")], "no staging folder is left"
    assert built <= len(folders) <= built + 2, "at most the two running builds finish as they are stopped"
    assert all(is_intact(folder) for folder in folders), "whatever is there is whole"


def test_build_exits_3_before_any_school_starts_when_dot_is_missing(tmp_path: Path) -> None:
    profiles = [make_school(tmp_path / f"s{n}", f"School {n}") for n in range(2)]
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    done = subprocess.run(
        [sys.executable, "-m", "policypack", "build", *map(str, profiles), "-o", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "'dot' was not found" in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.usefixtures("needs_weasyprint")
def test_the_profile_is_parsed_once_per_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policypack.load import located

    profile = make_school(tmp_path / "school")
    real = located.load_yaml_file  # type: ignore[attr-defined]
    parsed: list[Path] = []

    def counting(path: Path) -> object:
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(located, "load_yaml_file", counting)
    assert run_cli("build", str(profile), "-o", str(tmp_path / "out")).exit_code == 0
    assert parsed.count(profile.resolve()) == 1


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_single_school_that_hangs_is_stopped_at_its_time_limit_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hang(pack: object, output: Path) -> None:
        time.sleep(60)

    monkeypatch.setattr(batch, "make_pack", hang)
    started = time.monotonic()
    (outcome,) = build_many([make_school(tmp_path / "school")], tmp_path / "out", jobs=1, today=TODAY, time_limit=1)
    assert outcome.status == "failed" and "time limit" in outcome.message
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    "body",
    [
        "{{ policy.parse_raw('{}') }}",
        "{{ policy.model_validate_json('{}') }}",
        "{{ policy.__class__ }}",
        "{{ policy.model_copy() }}",
        "{% set k = policy.parse_file %}{{ k }}",
    ],
)
def test_the_sandbox_itself_shows_a_model_only_as_data(body: str) -> None:
    """Whatever the load-time check misses, the renderer refuses: a model's fields, never its methods."""
    from policypack.model.profile import PolicyDates

    policy = PolicyDates.model_validate({"adopted": "2026-09-01", "approved_by": "Board"})
    environment = template_environment()
    assert environment.from_string("{{ policy.adopted }} {{ policy.next_review }}").render(policy=policy) == (
        "2026-09-01 2027-09-01"
    )
    with pytest.raises(jinja2.exceptions.SecurityError):
        environment.from_string(body).render(policy=policy)


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize(
    "body",
    [
        '{{ "x"|center(2000000000) }}',
        '{{ "{:>3000000000}".format(1) }}',
        '{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}'
        "{{ ns.s|length }}",
    ],
)
def test_a_template_that_eats_memory_is_stopped_and_the_batch_goes_on(tmp_path: Path, body: str) -> None:
    greedy = make_school(tmp_path / "greedy", "Greedy School")
    block = "{% extends 'documents/staff-card.html.j2' %}{% block title %}" + body + "{% endblock %}"
    with_templates(greedy, {"staff-card.html.j2": block})
    fine = make_school(tmp_path / "fine", "Fine School")
    for jobs in (["-j", "1"], ["-j", "2"]):
        out = tmp_path / f"out{jobs[1]}"
        result = run_cli("build", str(greedy), str(fine), "-o", str(out), *jobs)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "more than 2 GB of memory" in result.stderr, result.stderr
        assert sorted(p.name for p in out.iterdir()) == ["fine-school"]
    (out := tmp_path / "alone").mkdir()
    result = run_cli("build", str(greedy), "-o", str(out))  # a single school is built in this process
    assert result.exit_code == 1 and "more than 2 GB of memory" in result.stderr


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_school_in_a_trust_cannot_attach_another_schools_files(tmp_path: Path) -> None:
    """The profile's folder may hold every school of a trust: documents load nothing from it."""
    trust = tmp_path / "trust"
    (trust / "b").mkdir(parents=True)
    (trust / "b" / "secret.txt").write_text(SECRET)
    profile = make_school(trust / "a")
    meta = "{% extends 'documents/staff-card.html.j2' %}{% block meta %}<link rel='attachment' href='{}'>{% endblock %}"
    for href in ("../../b/secret.txt", "../school.yaml", "file:///etc/passwd"):
        with_templates(profile, {"staff-card.html.j2": meta.replace("{}", href)})
        out = tmp_path / "out"
        result = run_cli("build", str(profile), "-o", str(out))
        refused = ("refused to load" in result.stderr) or ("which no document may carry" in result.stderr)
        assert result.exit_code == 1 and refused, (href, result.stderr)
        assert not (out / "oakfield-academy").exists()
        profile.write_text(profile.read_text().replace("\ntemplates: templates\n", "\n"))


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_fifo_or_a_huge_file_beside_a_template_cannot_hang_or_fill_the_build(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "school")
    image = "{% extends 'documents/staff-card.html.j2' %}{% block heading %}<img src='{}' alt='x'>{% endblock %}"
    with_templates(profile, {"staff-card.html.j2": image.replace("{}", "pipe.png")})
    os.mkfifo(profile.parent / "templates" / "pipe.png")
    with (profile.parent / "templates" / "big.png").open("wb") as handle:
        handle.truncate(20 * 1024**3)  # 20 GB, sparse
    for name in ("pipe.png", "big.png"):
        (profile.parent / "templates" / "staff-card.html.j2").write_text(image.replace("{}", name))
        started = time.monotonic()
        result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
        # found when the profile is read, at the file, before anything is rendered
        assert result.exit_code == 1 and f"templates/{name}: error: this file in the templates folder" in result.stderr
        assert time.monotonic() - started < 60


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{{ 1/0 }}", "ZeroDivisionError"),
        ('{{ "%s %s"|format(1) }}', "TypeError"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "RecursionError"),
    ],
)
def test_a_template_that_fails_while_rendering_is_reported_at_its_line(tmp_path: Path, body: str, error: str) -> None:
    profile = make_school(tmp_path / "school")
    with_templates(
        profile,
        {
            "staff-card.html.j2": "{% extends 'documents/staff-card.html.j2' %}\n{% block title %}"
            + body
            + "{% endblock %}"
        },
    )
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "internal error" not in result.output
    assert f"staff-card.html.j2:2:1: error: template error: {error}" in result.stderr, result.stderr


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_bug_while_planning_one_school_fails_that_school_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd, fine = make_school(tmp_path / "odd", "Odd School"), make_school(tmp_path / "fine", "Fine School")
    real = batch.load_checked_pack  # type: ignore[attr-defined]

    def load(profile: Path, today: object) -> object:
        if profile == odd:
            raise RuntimeError("something nobody expected")
        return real(profile, today)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "load_checked_pack", load)
    outcomes = build_many([odd, fine], tmp_path / "out", jobs=2, today=TODAY)
    assert [o.status for o in outcomes] == ["failed", "built"]
    assert "internal error: RuntimeError: something nobody expected" in outcomes[0].message


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_folder_where_a_document_goes_stops_the_build_before_anything_moves(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "school", documents="staff-card, parent-leaflet")
    out = tmp_path / "out"
    assert run_cli("build", str(profile), "-o", str(out)).exit_code == 0
    folder = out / "oakfield-academy"
    (folder / "staff-card.pdf").unlink()
    (folder / "staff-card.pdf").mkdir()
    before = snapshot(out)
    profile.write_text(profile.read_text().replace("Ms Priya Raman", "Ms Newly Appointed"))
    result = run_cli("build", str(profile), "-o", str(out))
    assert result.exit_code == 1 and "it is a folder or a link, not a file" in result.stderr
    assert snapshot(out) == before and (folder / "manifest.json").is_file()


def test_extends_reaches_only_beside_or_just_above_the_profile(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "trust" / "schools" / "a")
    sibling = tmp_path / "trust" / "schools" / "b"
    sibling.mkdir()
    (sibling / "shared.yaml").write_text("policy: {approved_by: Board}\n")
    profile.write_text("extends: ../b/shared.yaml\n" + profile.read_text())
    result = run_cli("validate", str(profile))
    assert result.exit_code == 1
    assert "'extends' must name a .yaml file in the profile's folder or the one above it" in result.stdout


def test_an_output_folder_that_cannot_be_one_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    for output in ("/dev/null", str(tmp_path / "file" / "packs"), "/proc/self/packs"):
        result = run_cli("build", str(make_school(tmp_path / "school")), "-o", output)
        assert result.exit_code == 2 and "Invalid value for -o/--output" in result.output, output


def test_a_fifo_or_a_link_to_a_device_in_a_folder_is_reported_not_skipped(tmp_path: Path) -> None:
    make_school(tmp_path)
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    result = run_cli("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "pipe.yaml: error: cannot read file: it is not a regular file" in result.stdout
    assert "zero.yaml: error: cannot read file: it is not a regular file" in result.stdout


def test_a_block_the_document_does_not_have_is_an_error_naming_the_blocks_it_has(tmp_path: Path) -> None:
    profile = make_school(tmp_path / "school")
    with_templates(
        profile,
        {
            "policy.html.j2": "{% extends 'documents/policy.html.j2' %}\n{% block suport %}Ours{% endblock %}",
            "staff-card.html.j2": "{% extends 'documents/staff-card.html.j2' %}\n{% block footnote %}x{% endblock %}",
        },
    )
    result = run_cli("validate", str(profile))
    assert result.exit_code == 1
    assert "policy.html.j2:2:1: error: block 'suport' is not in documents/policy.html.j2" in result.stdout
    assert "hint: did you mean 'support'?" in result.stdout
    assert "staff-card.html.j2:2:1: error: block 'footnote' is not in documents/staff-card.html.j2" in result.stdout
    assert "heading" in result.stdout.split("footnote", 1)[1], "the hint lists the blocks that exist"


def test_a_logo_whose_alt_text_is_its_own_name_is_no_circular_reference(pack_html: PackHtml, tmp_path: Path) -> None:
    """brand.yml reads a string naming an image as a reference: an alt text 'crest' stays text."""
    profile = make_school(tmp_path / "school")
    profile.write_text(profile.read_text().replace("alt: Oakfield Academy crest", "alt: crest"))
    result = run_cli("validate", str(profile))
    assert result.exit_code == 0, result.output
    card = pack_html(profile)["staff-card"]
    assert 'alt="crest"' in card and "\u2060" not in card


def test_compiled_templates_are_shared_but_never_one_schools_for_another(tmp_path: Path) -> None:
    """One process (a batch's parent, the portal) compiles a template once for every school,
    yet a school's own template, or one edited since, prints as its text is now."""
    first, second = tmp_path / "first" / "templates", tmp_path / "second" / "templates"
    for folder, words in ((first, "First School's card"), (second, "Second School's card")):
        folder.mkdir(parents=True)
        (folder / "card.html.j2").write_text(f"<p>{words}</p>")
    assert template_environment(first).get_template("card.html.j2").render() == "<p>First School's card</p>"
    assert template_environment(second).get_template("card.html.j2").render() == "<p>Second School's card</p>"
    (first / "card.html.j2").write_text("<p>First School's card, edited</p>")
    assert template_environment(first).get_template("card.html.j2").render() == "<p>First School's card, edited</p>"
    # a bundled template a school did not override is the bundled one, for either school
    bundled = template_environment().get_template("documents/staff-card.html.j2")
    assert template_environment(first).get_template("documents/staff-card.html.j2").filename == bundled.filename
