"""The `policypack` command line. Commands stay thin; `_Group.invoke` maps errors to exit codes."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click

from policypack import __version__
from policypack.batch import (
    PLAN_TIME_LIMIT_SECONDS,
    SCHOOL_TIME_LIMIT_SECONDS,
    Interrupted,
    Outcome,
    Progress,
    build_many,
    default_jobs,
)
from policypack.build import PosterRequest, build_flowchart, school_flow_set
from policypack.check.flows import check_flow_file
from policypack.check.nations import registry_date_problems
from policypack.check.pending import pending_report, pending_report_data, pending_report_text, where
from policypack.cli_portal import register as register_portal_commands
from policypack.cli_signoff import register as register_signoff_commands
from policypack.diff import diff_data, diff_flows, diff_text, flow_version
from policypack.errors import (
    InvalidInput,
    Location,
    PolicypackError,
    Problem,
    Severity,
    has_errors,
    os_error_message,
    printable,
)
from policypack.interview import write_profile
from policypack.layout.sheet import PAPER_MM
from policypack.load.flows import bundled_flow_set, bundled_registry, find_flow
from policypack.model.schema import SCHEMAS, json_schema
from policypack.render.outline import outline_data, outline_text
from policypack.resources import bundled_path
from policypack.validate import validate_paths
from policypack.workers import MEMORY_LIMIT_BYTES, TimeLimitReached, run_here
from policypack.write.pack import OutputRefused, check_output_root
from policypack.write.pdf import BuildFailed

log = logging.getLogger("policypack")

EXIT_BUG = 1  # other codes come with the exceptions (errors.py); 2 is Click's own for usage
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class _EchoHandler(logging.Handler):
    """Log records to whatever stderr is now (so tests and pipes see them too)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"policypack: {self.format(record)}", err=True)  # format() adds a traceback


def _log_to_stderr(name: str, level: int, echo: bool = True) -> None:
    logger = logging.getLogger(name)
    logger.setLevel(level)
    logger.propagate = False
    for handler in [h for h in logger.handlers if isinstance(h, _EchoHandler)]:
        logger.removeHandler(handler)
    if echo:
        logger.addHandler(_EchoHandler())


class _Group(click.Group):
    """Turns policypack's exceptions into messages and exit codes, in this one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            if not exc.reported:
                for problem in exc.problems:
                    click.echo(problem.format(), err=True)
                click.echo(f"policypack: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except PolicypackError as exc:
            click.echo(f"policypack: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except Interrupted as exc:
            _print_outcomes(exc.outcomes)
            how = "interrupted" if exc.signum == signal.SIGINT else f"stopped by {signal.Signals(exc.signum).name}"
            click.echo(f"policypack: {how}; every pack not built is as it was before", err=True)
            ctx.exit(128 + exc.signum)  # as shells report it: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP
        except KeyboardInterrupt:
            click.echo("\npolicypack: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:  # e.g. `policypack validate | head -1`: the reader has gone
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_BUG)
        except OSError as exc:  # a full disk, a read-only folder, a name too long: said in plain words
            click.echo(f"policypack: error: {os_error_message(exc)}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug, not bad input: one clear line, details with -vv
            log.debug("internal error", exc_info=True)
            click.echo(f"policypack: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("This is a bug in policypack; please report it with the output of -vv.", err=True)
            ctx.exit(EXIT_BUG)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policypack")
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Turn the UK guidance on pupils sharing nudes into a school's policy pack.

    Flows (the route as YAML data) are validated, laid out as flowcharts and printed
    as branded PDFs. Run `policypack COMMAND --help` for each command.

    \b
    Example:
      policypack validate
      policypack build
    """
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    _log_to_stderr("policypack", level)
    # WeasyPrint's warnings are collected per document by pdf.write_pdf and reported once;
    # its own progress messages are shown only with -vv.
    _log_to_stderr("weasyprint", logging.DEBUG if verbose > 1 else logging.WARNING, echo=verbose > 1)
    ctx.obj = _today()


def _today() -> dt.date:
    """Today, or POLICYPACK_TODAY (YYYY-MM-DD) so that checks of dates are reproducible.

    Read once here; every check takes the date as a parameter.
    """
    fixed = os.environ.get("POLICYPACK_TODAY")
    if not fixed:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError:
        raise click.UsageError(f"POLICYPACK_TODAY must be a date such as 2026-11-25, not '{fixed}'") from None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (such as a review date that has passed).")
@click.pass_obj
def validate(today: dt.date, paths: tuple[Path, ...], as_json: bool, strict: bool) -> None:
    """Check flows and school profiles, and report every problem with its line.

    A folder is checked as a whole: its flows with its own sources.yaml, and every school
    profile in it. A single flow file is checked within the folder of its nearest
    sources.yaml. With no PATHS, the bundled flows.
    Warnings (a source due to be re-checked, a policy due for review) do not fail
    unless --strict. Exit status 0 when clean, 1 when any error was found.

    \b
    Example:
      policypack validate flows/
      policypack validate --json my-flows/england/staff.yaml
      policypack validate --strict school.yaml
    """
    targets = list(paths) or [bundled_path("flows")]
    problems = validate_paths(targets, today)
    if as_json:
        click.echo(json.dumps([p.as_json() for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(problem.format())
        click.echo(_summary(problems, [str(p) for p in paths] or ["bundled flows"]))
    if has_errors(problems) or (strict and any(p.severity is Severity.WARNING for p in problems)):
        raise InvalidInput(problems, reported=True)


def _summary(problems: list[Problem], names: list[str]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    notes = len(problems) - errors - warnings
    if not problems:
        return f"ok: {', '.join(names)}: no problems found"
    kinds = ((errors, "error"), (warnings, "warning"), (notes, "note"))
    counts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in kinds if n]
    return " and ".join(counts) + " found"


@main.command()
@click.argument("flow")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
@click.option("--brief", is_flag=True, help="Titles and routes only, without the full text and sources.")
@click.pass_obj
def show(today: dt.date, flow: str, fmt: str, brief: bool) -> None:
    """Print a flow as a numbered outline that can be followed without the chart.

    FLOW is a path to a flow file or the id of a bundled flow. Step numbers follow
    the route and match the poster and the policy's procedure.

    \b
    Example:
      policypack show england-dsl-review
      policypack show flows/england/staff-response.yaml --format json
    """
    flow_set, doc = find_flow(flow)
    problems = check_flow_file(flow_set, doc.path, today)
    if has_errors(problems):
        raise InvalidInput(problems)
    if fmt == "json":
        click.echo(json.dumps(outline_data(doc.model, flow_set.source_map()), indent=2, ensure_ascii=False))
    else:
        text = outline_text(doc.model, flow_set.source_map(), brief=brief, flow_titles=flow_set.flow_titles())
        click.echo(text, nl=False)


@main.command()
@click.argument("flow")
@click.option(
    "--size",
    type=click.Choice(list(PAPER_MM), case_sensitive=False),
    default="A3",
    show_default=True,
    help="Paper size.",
)
@click.option(
    "--landscape/--portrait",
    default=None,
    help="Orientation. By default, whichever prints the chart's text larger.",
)
@click.option("--print-marks", is_flag=True, help="Add 3 mm bleed and crop marks for a print shop.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "svg", "png"]),
    default="pdf",
    show_default=True,
    help="pdf: the poster; svg: the chart alone; png: a preview of the poster.",
)
@click.option("--dpi", type=click.IntRange(20, 600), default=72, show_default=True, help="Resolution of a PNG preview.")
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A school profile: puts the school's name, logo, dates and colours on the poster.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it [default: output/FLOW-SIZE.FORMAT].",
)
@click.pass_obj
def flowchart(
    today: dt.date,
    flow: str,
    size: str,
    landscape: bool | None,
    print_marks: bool,
    fmt: str,
    dpi: int,
    profile: Path | None,
    output: Path | None,
) -> None:
    """Lay out a flow with Graphviz and print it as a poster, A4 to A1.

    The PDF is one page of exactly the paper size, with the chart as vector graphics
    scaled to fill it, a legend, and the numbered steps as its text alternative. The
    smallest text must reach 7 pt per metre of reading distance (14 pt on A2); a
    warning says when a chart is too big for the paper chosen.

    \b
    Example:
      policypack flowchart england-staff-response --size A4
      policypack flowchart england-dsl-review --size A2 -o dsl-review-a2.pdf
      policypack flowchart police-records --profile school.yaml --size a1

    With --profile, FLOW may be the chart's name without the nation (dsl-review), as a
    profile's posters name it: the profile's nation is used.
    """
    request = PosterRequest(size=size, landscape=landscape, print_marks=print_marks, fmt=fmt, dpi=dpi, profile=profile)
    try:  # the same limits as a school's pack, its loading included: a profile's logo or templates may be hostile
        poster, out = run_here(build_flowchart, (flow, request, output, today), SCHOOL_TIME_LIMIT_SECONDS)
    except TimeLimitReached:
        raise BuildFailed(f"stopped after {SCHOOL_TIME_LIMIT_SECONDS:g} seconds, the time limit") from None
    except MemoryError:
        raise BuildFailed(f"stopped: it needed more than {MEMORY_LIMIT_BYTES // 1024**3} GB of memory") from None
    orientation = "landscape" if poster.sheet.landscape else "portrait"
    if fmt == "svg":
        click.echo(f"wrote {out} (the chart of {poster.flow.id})")
    else:
        smallest = poster.chart.smallest_pt
        click.echo(f"wrote {out} ({size} {orientation}, smallest text {smallest:.1f} pt)")


@main.command()
@click.argument("profiles", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder to write each school's pack into (one folder per school).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    help="Schools built at once, in separate processes [default: one per core].",
)
@click.option("--final", is_flag=True, help="Refuse to build while any part of the text awaits checking.")
@click.pass_obj
def build(today: dt.date, profiles: tuple[Path, ...], output: Path, jobs: int | None, final: bool) -> None:
    """Build the pack for one school, or for hundreds, from their profiles.

    Each profile is validated first: a school with a problem gets nothing written and
    the others are still built. Each pack goes to OUTPUT/<school>/: the policy, staff
    card, fillable incident form, parent leaflet, posters and manifest.json. A school
    whose inputs have not changed since its last build is skipped. A failed build leaves
    the previous pack as it was. With no PROFILES, the bundled example school. Exit
    status 1 when any school failed. While parts of the text await checking, each pack
    says so on its cover; --final refuses to build then, and lists what is pending.

    \b
    Example:
      policypack build
      policypack build trust/schools/*.yaml -o packs/ -j 2
      policypack build --final school.yaml
    """
    targets = list(profiles) or [bundled_path("examples") / "oakfield" / "school.yaml"]
    try:
        check_output_root(output)
    except OutputRefused as exc:
        raise click.BadParameter(str(exc), param_hint="-o/--output") from None
    _warn_of_due_guidance(today)
    if final:
        _refuse_pending(targets, today)
    outcomes = build_many(
        targets,
        output,
        jobs or default_jobs(),
        today,
        _progress_reporter(len(targets)),
    )
    _print_outcomes(outcomes)
    if any(o.status == "failed" for o in outcomes):
        raise InvalidInput([], reported=True)


def _warn_of_due_guidance(today: dt.date) -> None:
    """Guidance that may have changed since the bundled flows were written: one plain line for a school.

    What to read and change is a maintainer's work: `policypack review` lists it.
    """
    registry = bundled_registry()  # the registry alone: a rebuild with nothing to do parses no flow
    due = [p for p in registry_date_problems(registry, today) if p.severity is Severity.WARNING] if registry else []
    if due:
        changes = f"{len(due)} expected change{'s' if len(due) != 1 else ''}"
        click.echo(
            f"policypack: note: the guidance may have changed since this version of policypack was written "
            f"({changes} fell due); the pack follows the guidance as written. `policypack review` lists them.",
            err=True,
        )


def _print_outcomes(outcomes: list[Outcome]) -> None:
    """Where each pack is, what failed and why, and the counts."""
    for outcome in outcomes:  # names and paths come from schools: never raw on the operator's terminal
        if outcome.status == "failed":
            message = "\n".join(printable(line) for line in outcome.message.splitlines())
            click.echo(f"failed: {printable(str(outcome.profile))}\n{message}", err=True)
        elif outcome.folder and outcome.status in ("built", "unchanged"):
            click.echo(f"{outcome.status}: {printable(outcome.school)} -> {printable(str(outcome.folder))}")
    counts = {status: sum(o.status == status for o in outcomes) for status in ("built", "unchanged", "failed")}
    summary = f"{counts['built']} built, {counts['unchanged']} unchanged, {counts['failed']} failed"
    stopped = sum(o.status == "stopped" for o in outcomes)
    click.echo(summary + (f", {stopped} stopped or not started" if stopped else ""))


def _refuse_pending(targets: list[Path], today: dt.date) -> None:
    """--final: stop, listing them, when any school's pack (its nation, phase and checks) has pending claims."""
    refused = []
    for target in targets:
        try:  # each profile read under the limits a build has (a batch's planning has them too)
            flows = run_here(school_flow_set, (target,), PLAN_TIME_LIMIT_SECONDS)
        except (TimeLimitReached, MemoryError):
            message = f"stopped: reading and checking it took more than {PLAN_TIME_LIMIT_SECONDS:g} s or 2 GB"
            raise InvalidInput([Problem(Location(target), message)]) from None
        review = pending_report(flows, today)
        for claim in review.pending:
            click.echo(f"pending: {claim.flow}, {where(claim)}, {claim.source}: {claim.read}", err=True)
        refused += [f"{target.name}: {len(review.parts(n))}" for n in review.nations()]
    if refused:
        counts = "; ".join(refused)
        click.echo(f"policypack: --final: parts of the text await checking ({counts}); nothing was built", err=True)
        raise InvalidInput([], reported=True)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
@click.option("--strict", is_flag=True, help="Exit 1 when any claim is pending (for release CI).")
@click.option(
    "--profile",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="PendingReport one school's pack: its nation and phase, and the checks its trust recorded.",
)
@click.pass_obj
def review(today: dt.date, fmt: str, strict: bool, profile: Path | None) -> None:
    """The maintainers' report: what must still be read before the text is final.

    Lists every pending claim with its step, its source and what to read; sources past
    their check_by date; cited sources that a newer edition has replaced; and watch
    items falling due. For each nation it prints how many parts of the text await
    checking: the number a pack built now prints on its cover.

    \b
    Example:
      policypack review
      policypack review --format json
      policypack review --strict
      policypack review --profile school.yaml
    """
    report = pending_report(school_flow_set(profile) if profile else bundled_flow_set(), today)
    if fmt == "json":
        click.echo(json.dumps(pending_report_data(report), indent=2, ensure_ascii=False))
    else:
        click.echo(pending_report_text(report), nl=False)
    if strict and report.pending:
        raise InvalidInput([], reported=True)


def _progress_reporter(total: int) -> Progress:
    """One updating line on a terminal (done/total, ETA); one line per school otherwise."""
    started = time.monotonic()
    live = sys.stderr.isatty()

    def report(outcome: Outcome, done: int, _: int) -> None:
        elapsed = time.monotonic() - started
        eta = elapsed / done * (total - done)
        if live:
            end = "\n" if done == total else ""
            click.echo(
                f"\r[{done}/{total}] {done * 100 // total}%  ETA {eta:.0f}s  {printable(outcome.school[:40]):<40}",
                nl=False,
                err=True,
            )
            click.echo(end, nl=False, err=True)
        else:
            click.echo(
                f"[{done}/{total}] {outcome.status} {printable(outcome.school)} ({outcome.seconds:.1f}s)", err=True
            )

    return report


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path())
@click.option("--force", is_flag=True, help="Overwrite an existing school.yaml.")
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask for the key fields [default: when run in a terminal].",
)
@click.pass_obj
def init(today: dt.date, directory: Path, force: bool, interactive: bool | None) -> None:
    """Write a commented school profile (school.yaml) to fill in.

    In a terminal it asks for the key fields; otherwise, and for anything left blank, it
    writes FILL-ME placeholders, which `policypack validate` lists with their lines.

    \b
    Example:
      policypack init my-school/
      policypack validate my-school/school.yaml
    """
    path = directory / "school.yaml"
    if path.exists() and not force:
        raise InvalidInput([Problem(Location(path), "already exists", "use --force to replace it")])
    asking = sys.stdin.isatty() if interactive is None else interactive
    write_profile(
        path,
        ask=(lambda question, default: click.prompt(question, default=default)) if asking else None,
        say=lambda problem: click.echo(f"  {problem}; please try again", err=True),
    )
    problems = validate_paths([path], today)
    left = sum(1 for p in problems if "placeholder" in p.message)
    click.echo(f"wrote {path}" + (f"; {left} field(s) still to fill in (policypack validate {path})" if left else ""))


@main.command()
def flows() -> None:
    """List the bundled flows: the ids that show, flowchart and a profile's posters take.

    \b
    Example:
      policypack flows
    """
    for doc in sorted(bundled_flow_set().flows, key=lambda d: d.model.id):
        click.echo(f"{doc.model.id}  {doc.model.title}")


@main.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
def diff(old: str, new: str, fmt: str) -> None:
    """Show what changed between two versions of a flow; exit 1 when anything did.

    OLD and NEW are flow files, or REV:PATH for a file at a git revision. Steps are
    matched by id: added, removed, reworded (removed words in [-...-], added in {+...+}),
    rewired (where its answers lead), moved to another lane, or citing other sources.

    \b
    Example:
      policypack diff HEAD~1:flows/england/dsl-review.yaml flows/england/dsl-review.yaml
      policypack diff old/staff.yaml new/staff.yaml --format json
    """
    with flow_version(old) as before, flow_version(new) as after:
        result = diff_flows(before, after)
    if fmt == "json":
        click.echo(json.dumps(diff_data(result), indent=2, ensure_ascii=False))
    else:
        click.echo(diff_text(result), nl=False)
    if not result.empty:  # as `git diff --exit-code` does: scripts can tell
        click.get_current_context().exit(1)


@main.command()
@click.argument("kind", type=click.Choice(sorted(SCHEMAS)))
def schema(kind: str) -> None:
    """Print the JSON Schema of an input file, for editors and other tools.

    Point an editor at it with a first line such as
    `# yaml-language-server: $schema=../schemas/flow.schema.json`.

    \b
    Example:
      policypack schema flow > schemas/flow.schema.json
    """
    click.echo(json.dumps(json_schema(kind), indent=2))


register_portal_commands(main)  # serve, worker, schools, users: the portal's own module
register_signoff_commands(main)  # staff, audit, reminders
