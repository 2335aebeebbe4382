"""``govsocial registry``: lint, load, import, export and verify the registry of official accounts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.markup import escape
from rich.table import Table

from govsocial.cli import known
from govsocial.cli.common import (
    JsonOption,
    console,
    engine_of,
    errors,
    friendly_errors,
    output_file,
    print_json,
    read_session,
    settings_of,
    write_session,
    writing,
)
from govsocial.errors import RegistryError
from govsocial.registry import review
from govsocial.registry.bundle import JURISDICTION_FILE, Problem, load_bundle, registry_folders
from govsocial.registry.catalogue import load_catalogue, read_platform_file, save_platforms
from govsocial.registry.lint import errors_only, lint_bundles
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome, SyncReport
from govsocial.registry.tables_io import write_csv, write_json
from govsocial.registry.transfer import MODELS, Kind, export_records, import_file
from govsocial.registry.verify import VerifyStatus, verify

app = typer.Typer(help="The registry of official accounts.", no_args_is_help=True)

#: ``registry verify`` exit codes, so scripts can act on the answer.
VERIFY_EXIT = {VerifyStatus.OFFICIAL: 0, VerifyStatus.ARCHIVED: 3, VerifyStatus.UNKNOWN: 4}


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        colour = "yellow" if problem.severity == "warning" else "red"
        # The problem's text is escaped: a reason quoting a pattern ("[a-z0-9]") is not markup.
        errors.print(f"[{colour}]{problem.severity}[/{colour}] {escape(str(problem))}", highlight=False)


def _print_report(report: SyncReport, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    table = Table("what", *(o.value for o in Outcome), title="registry changes")
    for entity in sorted({entity for entity, _ in report.counts}):
        table.add_row(entity, *(str(report.counts[(entity, o)]) for o in Outcome))
    console.print(table)
    _print_problems(report.problems)


@app.command()
@friendly_errors
def lint(
    ctx: typer.Context,
    folder: Annotated[Path | None, typer.Argument(help="Registry folder (default: the bundled one).")] = None,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    as_json: bool = JsonOption,
) -> None:
    """Check registry files: fields, platforms, URLs, duplicates, evidence, names."""
    root = folder or settings_of(ctx).registry_dir
    folders = _registry_folders(root)
    catalogue = None
    if _has_store(ctx):  # checked before opening a session, which would make the SQLite folder
        with read_session(ctx) as session:
            catalogue = load_catalogue(session)
    from govsocial.registry.addresses import PlatformCatalogue

    catalogue = catalogue or PlatformCatalogue.default()
    # Together, not one by one: an address two jurisdictions list is a problem of neither alone.
    problems = lint_bundles([load_bundle(f) for f in folders], catalogue)
    failing = errors_only(problems, strict)
    if as_json:
        print_json(
            {
                "problems": [
                    {"severity": p.severity, "where": p.where, "line": p.line, "message": p.message}
                    for p in problems
                ],
                "ok": not failing,
            }
        )
    else:
        _print_problems(problems)
        console.print(f"{len(problems)} problem(s), {len(failing)} failing in {root}")
    raise typer.Exit(1 if failing else 0)


def _registry_folders(root: Path) -> list[Path]:
    """The jurisdiction folders to lint: a folder that is not there, or holds no registry, is an
    error (checking nothing would pass as "0 problems")."""
    if not root.is_dir():
        raise RegistryError(f"{root}: no such folder")
    folders = registry_folders(root)
    if not folders:
        raise RegistryError(
            f"{root} holds no registry: no {JURISDICTION_FILE} in it or in a sub-folder "
            "(see docs/registry.md)"
        )
    return folders


def _has_store(ctx: typer.Context) -> bool:
    from govsocial.store.db import current_revision, sqlite_file_missing

    # Connecting would create an empty SQLite file (and its folder) where there was none.
    if sqlite_file_missing(settings_of(ctx).database_url):
        return False
    try:
        return current_revision(engine_of(ctx)) is not None
    except Exception:  # no database yet: lint must still work on a fresh checkout
        return False


@app.command()
@friendly_errors
def load(
    ctx: typer.Context,
    jurisdiction: Annotated[str | None, typer.Option(help="Only this jurisdiction's folder.")] = None,
    folder: Annotated[Path | None, typer.Option(help="Registry root (default: the bundled one).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Load the bundled registry into the database (idempotent)."""
    root = folder or settings_of(ctx).registry_dir
    report = load_registry(engine_of(ctx), root, actor="cli:registry load", only=jurisdiction)
    _print_report(report, as_json)
    raise typer.Exit(1 if report.problems else 0)


@app.command("import")
@friendly_errors
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or JSON file.", exists=True, dir_okay=False)],
    kind: Annotated[
        Kind | None, typer.Option(help="What the file holds (default: from its columns).")
    ] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Jurisdiction (default from settings).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Import accounts, organisations or unconfirmed facts; bad rows are reported, good rows kept."""
    code = jurisdiction or settings_of(ctx).jurisdiction
    with write_session(ctx) as session:
        report = import_file(session, file, load_catalogue(session), code, f"cli:import {file.name}", kind)
    _print_report(report, as_json)
    raise typer.Exit(1 if report.problems else 0)


@app.command()
@friendly_errors
def export(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Option(help="What to export.")] = Kind.ACCOUNTS,
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    bom: Annotated[bool, typer.Option(help="Start the CSV with a UTF-8 BOM, for Excel.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: stdout).")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Jurisdiction (default from settings).")] = None,
) -> None:
    """Export the registry in the import format."""
    if fmt not in {"csv", "json"}:
        raise typer.BadParameter("--format must be csv or json")
    if output is not None:
        output_file(output)
    with read_session(ctx) as session:
        code = known.jurisdiction(session, jurisdiction or settings_of(ctx).jurisdiction)
        records = export_records(session, code, kind)
    if output is None:
        _write_export(records, kind, fmt, bom, sys.stdout)
        return
    with writing(output), output.open("w", encoding="utf-8", newline="") as out:
        _write_export(records, kind, fmt, bom, out)


def _write_export(records: list[Any], kind: Kind, fmt: str, bom: bool, out: TextIO) -> None:
    if fmt == "json":
        write_json([r.model_dump(mode="json", exclude={"columns"}) for r in records], out)
    else:
        # The kind's header even with no rows: a file to fill in, which import can tell the kind of.
        write_csv((r.to_row() for r in records), MODELS[kind].columns, out, bom=bom)


@app.command("verify")
@friendly_errors
def verify_(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Argument(help="Any spelling of an account address, or @handle with --platform.")
    ],
    platform: Annotated[str | None, typer.Option(help="Platform of a bare handle.")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Jurisdiction (default from settings).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Is this account official? Exit status 0 official, 3 archived, 4 unknown, 2 not an address."""
    with read_session(ctx) as session:
        # Official for one government only: another's account is "unknown" here, and named.
        code = known.jurisdiction(session, jurisdiction or settings_of(ctx).jurisdiction)
        verdict = verify(session, load_catalogue(session), url, platform, jurisdiction=code)
        owners = [link.organisation for link in verdict.account.organisations] if verdict.account else []
        names = [f"{o.name_en} {o.name_zh_hant or ''}".strip() for o in owners]
        # The id alert rules (--level account --entity ID) and the API's /accounts/{id} take.
        account_id = verdict.account.id if verdict.account else None
    a = verdict.address
    if as_json:
        print_json(
            {
                "status": verdict.status.value,
                "message": verdict.message,
                "platform": a.platform,
                "kind": a.kind,
                "value": a.value,
                "canonical_url": a.canonical_url,
                "account_id": account_id,
                "organisations": names,
                "jurisdiction": code,
                "other_jurisdiction": verdict.other_jurisdiction,
                "other_status": verdict.other_status and verdict.other_status.value,
            }
        )
    else:
        console.print(f"[bold]{verdict.status.value}[/bold]: {a.platform} {a.kind} {a.value!r}")
        console.print(verdict.message)
        if verdict.other_status is not None:
            other = f"  {verdict.other_status.value} in jurisdiction {verdict.other_jurisdiction!r}"
            console.print(other, highlight=False)
        if account_id is not None:
            console.print(f"  account id: {account_id}", highlight=False)
        for name in names:
            console.print(f"  owner: {name}")
    raise typer.Exit(VERIFY_EXIT[verdict.status])


@app.command("review-due")
@friendly_errors
def review_due(
    ctx: typer.Context,
    jurisdiction: Annotated[str | None, typer.Option(help="Jurisdiction (default from settings).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Accounts not reviewed for longer than the review interval (six months by default)."""
    settings = settings_of(ctx)
    with read_session(ctx) as session:
        code = known.jurisdiction(session, jurisdiction or settings.jurisdiction)
        due = review.due_for_review(session, code, settings.review_interval_days)
        rows = [
            {
                "id": a.id,
                "platform": a.platform,
                "handle": a.handle,
                "url": a.url,
                "reviewed_on": a.reviewed_on,
            }
            for a in due
        ]
    if as_json:
        print_json({"data": rows, "count": len(rows)})
        return
    table = Table("id", "platform", "handle", "last reviewed", title=f"{len(rows)} account(s) due for review")
    for row in rows:
        table.add_row(
            str(row["id"]), str(row["platform"]), str(row["handle"]), str(row["reviewed_on"] or "never")
        )
    console.print(table)


@app.command()
@friendly_errors
def archive(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Address of the account to archive.")],
    reason: Annotated[str, typer.Option(help="Why it is archived (shown publicly).")],
    platform: Annotated[str | None, typer.Option(help="Platform of a bare handle.")] = None,
) -> None:
    """Archive an account: it stays listed as archived, and never verifies as official again."""
    with write_session(ctx) as session:
        catalogue = load_catalogue(session)
        account = review.archive(session, catalogue, url, reason, "cli:archive", platform)
        console.print(f"archived {account.platform} {account.handle!r} (since {account.archived_on})")
        row = review.row_in_folder(settings_of(ctx).registry_dir / account.jurisdiction, account, catalogue)
    if row is not None:
        # Else the next load publishes it again: a closed account would verify as official.
        errors.print(
            f"warning: the registry files list this account ({row}): set its status to archived there "
            "too, or the next `govsocial registry load` puts it back as the file says",
            highlight=False,
            markup=False,
        )


@app.command()
@friendly_errors
def platforms(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List the platform catalogue in force (with --json: the full definitions, editable)."""
    with read_session(ctx) as session:
        catalogue = load_catalogue(session)
    if as_json:
        print_json({"data": [p.model_dump(mode="json") for p in catalogue], "count": len(catalogue)})
        return
    table = Table("key", "name", "hosts", "kinds", title=f"{len(catalogue)} platforms")
    for p in catalogue:
        table.add_row(p.key, p.name_en, ", ".join(p.hosts), ", ".join(sorted(p.canonical)))
    console.print(table)


@app.command("platform-set")
@friendly_errors
def platform_set(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSON: one platform definition or a list.", exists=True)],
) -> None:
    """Add or replace platform definitions at run time (rules are checked before saving)."""
    definitions = read_platform_file(file)
    with write_session(ctx) as session:
        report = save_platforms(session, definitions, f"cli:platform-set {file.name}")
    _print_report(report, as_json=False)
