"""``govsocial collect``: collect from platform APIs, import export files, inspect runs."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govsocial.cli import known, sample
from govsocial.cli.common import (
    JsonOption,
    console,
    engine_of,
    errors,
    friendly_errors,
    print_json,
    read_session,
    schema_problem,
    settings_of,
    write_session,
)
from govsocial.collect import processes as in_processes
from govsocial.collect.importing import HEAD_CHARS, choose_importer, import_activity, refuse_unregistered
from govsocial.collect.imports.base import DAY_FIRST, MONTH_FIRST, ImportContext, decode_file
from govsocial.collect.records import Batch
from govsocial.collect.runs import RunSummary, run_jurisdictions, run_record
from govsocial.collect.storage import Resolver
from govsocial.collect.targets import collectable, collected_platforms, target_of
from govsocial.errors import ConfigurationError, NotFoundError
from govsocial.plugins import connectors, importers
from govsocial.registry.catalogue import load_catalogue
from govsocial.registry.verify import find_account, resolver
from govsocial.store import tables as t
from govsocial.store.queries import MAX_ID
from govsocial.store.times import utc

#: Typer's own Click's usage error (its classes are not ``click``'s): the command's usage and the
#: message on stderr, exit status 2.
UsageError: type[Exception] = typer.BadParameter.__bases__[0]
#: The most quarantined records ``collect quarantine`` lists (the newest).
QUARANTINE_LISTED = 1000

app = typer.Typer(help="Collect posts, comments and followers; import export files.", no_args_is_help=False)
app.command("sample")(sample.sample)

NoMetricsOption = typer.Option(
    False,
    "--no-metrics",
    help="Do not recompute the metrics after the run (`govsocial metrics refresh` can).",
)


def _changed(summary: RunSummary) -> bool:
    """Whether the run wrote anything (a re-import that is all noop leaves the metrics as they are)."""
    return any(n for name, n in summary.counts.as_dict().items() if name.endswith((".insert", ".update")))


def _refresh_metrics(
    ctx: typer.Context, summary: RunSummary, as_json: bool, jurisdiction: str | None = None
) -> dict[str, Any]:
    """Recompute the metrics of ``jurisdiction`` (default: the configured one) after a run; a
    failure is a warning, never the run's failure.

    Returns what ``--json`` shows under ``"metrics"``; in text mode it prints one line instead.
    """
    if not _changed(summary):
        if not as_json:
            errors.print("metrics: no rows changed, not recomputed", highlight=False)
        return {"skipped": "no rows changed"}
    try:
        from govsocial.analyze.pipeline import refresh  # DuckDB and Ibis load only when needed

        with errors.status("recomputing the metrics"):
            report = refresh(engine_of(ctx), settings_of(ctx), jurisdiction)
    except Exception as exc:  # the collected rows are stored whatever happens here
        reason = f"{type(exc).__name__}: {exc}"
        errors.print(
            f"[yellow]warning:[/yellow] the metrics were not recomputed ({reason}); the collected "
            "data is stored: run `govsocial metrics refresh` to try again",
            markup=True,
            highlight=False,
        )
        return {"error": reason}
    if not as_json:
        errors.print(report.summary(), highlight=False)
    for name, reason in sorted(report.failed.items()):
        errors.print(f"[yellow]warning:[/yellow] metric {name} failed: {reason}", markup=True)
    return report.as_dict()


def _refresh_touched(ctx: typer.Context, summary: RunSummary, as_json: bool) -> dict[str, Any]:
    """Recompute the metrics of each jurisdiction whose accounts the run (a collection or an
    import) stored rows under, whichever jurisdiction the settings name: ``--account`` of another
    jurisdiction's account refreshes that jurisdiction. ``--json``'s ``"metrics"``: the one report
    as before, or ``{"jurisdictions": {code: report}}`` when the run touched several."""
    with read_session(ctx) as session:
        codes = run_jurisdictions(session, summary)
    if len(codes) <= 1:  # also a run that stored nothing: "no rows changed", as before
        return _refresh_metrics(ctx, summary, as_json, codes[0] if codes else None)
    return {"jurisdictions": {code: _refresh_metrics(ctx, summary, as_json, code) for code in codes}}


def _print_summary(summary: RunSummary, as_json: bool, metrics: dict[str, Any] | None = None) -> None:
    if as_json:
        print_json({**summary.as_dict(), **({"metrics": metrics} if metrics is not None else {})})
        return
    table = Table("rows", "count", title=f"run {summary.run_id}: {summary.status}")
    for name, n in summary.counts.as_dict().items():
        table.add_row(name, str(n))
    console.print(table)
    for error in summary.errors:
        errors.print(f"[red]error[/red] {_entry(error, 'message')}", markup=True, highlight=False)
    for gap in summary.gaps:
        errors.print(f"[yellow]gap[/yellow] {_entry(gap, 'reason')}", markup=True, highlight=False)
    for hint in _next_steps(summary):
        errors.print(hint, highlight=False)


def _entry(entry: dict[str, Any], said: str) -> str:
    """A run's error or gap in one line: where (the account or the file), its kind, what it says,
    and until when, rather than a Python dict."""
    where = entry.get("account") or entry.get("file") or ""
    kind = entry.get("kind") or entry.get("edge")
    until = entry.get("until")
    text = f"{where}{f' ({kind})' if kind else ''}: {entry.get(said, '')}"
    return text + (f" (until {until})" if until else "")


def _next_steps(summary: RunSummary) -> list[str]:
    """What the operator can do about what the run met: the quarantine listing that names each bad
    record's file and line (or page and item) and why, and a credential to renew."""
    steps = []
    bad = summary.counts.as_dict().get("quarantined", 0)
    if bad:
        steps.append(
            f"{bad} record(s) quarantined: `govsocial collect quarantine --run {summary.run_id}` says where "
            "and why; correct them at the source and run again (what is stored already stays as it is)"
        )
    refused = [error for error in summary.errors if error.get("kind") == "auth"]
    if refused:
        where = sorted({str(error["credential"]) for error in refused if error.get("credential")})
        steps.append(
            "a credential was refused (expired or revoked): renew the platform's token "
            + (f"({'; '.join(where)}) " if where else "")
            + "(docs/collectors.md, Per platform) and collect again; the account resumes where it stopped"
        )
    return steps


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )


@app.callback(invoke_without_command=True)
@friendly_errors
def collect(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option(help="Address of one account to collect.")] = None,
    org: Annotated[
        str | None, typer.Option(help="Code of an organisation: collect all its accounts.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Collect every account that has a connector.")] = False,
    platform: Annotated[
        str | None, typer.Option(help="Only accounts on this platform (with --org or --all).")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Collect in this many processes, each a share of the accounts (default: collect_processes).",
        ),
    ] = None,
    no_metrics: bool = NoMetricsOption,
    as_json: bool = JsonOption,
) -> None:
    """Collect from the platform APIs (one account, an organisation, or all), for cron."""
    if ctx.invoked_subcommand is not None:
        return
    _one_target(account, org, all_, platform)
    settings = settings_of(ctx)
    _migrated(ctx)
    with read_session(ctx) as session:
        if platform is not None:
            _collected_platform(session, platform)
        if account:
            found = find_account(session, load_catalogue(session).parse(account))
            if found is None:
                raise NotFoundError(f"{account}: not in the registry")
            targets = [target_of(found)]
        else:
            if org is not None:  # a mistyped code would otherwise collect nothing and say "ok"
                known.organisation(session, settings.jurisdiction, org)
            # A platform named here is collected even if the settings leave it out of whole runs.
            platforms = {platform} if platform else collected_platforms(settings)
            targets = collectable(session, platforms, settings.jurisdiction, org)
    with _progress() as bar:
        task = bar.add_task(f"collecting {len(targets)} account(s)", total=len(targets))
        done: set[int] = set()

        def tick(target: object, batch: Batch) -> None:
            bar.update(task, description=f"{getattr(target, 'platform', '')} {batch.edge}")
            if batch.edge == "profile" and id(target) not in done:
                done.add(id(target))
                bar.advance(task)

        count = processes or settings.collect_processes
        scope = account or org or "all"
        summary = asyncio.run(
            in_processes.collect(engine_of(ctx), settings, targets, scope, count, progress=tick)
        )
    metrics = None if no_metrics else _refresh_touched(ctx, summary, as_json)
    _print_summary(summary, as_json, metrics)
    raise typer.Exit(0 if summary.status == "ok" else 1)


def _migrated(ctx: typer.Context) -> None:
    """Refuse a database behind the migrations before a run starts: the run's record would be
    written, its first query of a newer table or column fail, and the record stay ``running``."""
    if problem := schema_problem(engine_of(ctx)):
        raise problem


def _one_target(account: str | None, org: str | None, all_: bool, platform: str | None) -> None:
    """Refuse a run that names no target, or several (one would silently win over the others), and
    a ``--platform`` with ``--account`` (the account's address says its platform)."""
    given = [name for name, value in (("--account", account), ("--org", org), ("--all", all_)) if value]
    if not given:
        raise UsageError("say what to collect: --account URL, --org CODE or --all (or a command: see --help)")
    if len(given) > 1:
        raise UsageError(f"give one of --account, --org and --all, not {' and '.join(given)}")
    if platform is not None and account:
        raise UsageError("--platform goes with --org or --all: an account's address names its platform")


def _collected_platform(session: Session, key: str) -> str:
    """``key``, if it is a platform of the catalogue with a connector to collect it with."""
    known.platform(session, key)
    if key not in connectors():
        raise NotFoundError(
            f"platform {key!r} has no connector to collect it with; the connectors are "
            f"{', '.join(sorted(connectors()))} (`govsocial collect import` imports its export files)"
        )
    return key


def _resolver(ctx: typer.Context) -> Resolver:
    with read_session(ctx) as session:
        catalogue = load_catalogue(session)
    return resolver(lambda: read_session(ctx), catalogue)


@app.command("import")
@friendly_errors
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The export file.", exists=True, dir_okay=False)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="Format (default: recognised from the file).")
    ] = None,
    account: Annotated[str | None, typer.Option(help="The account, for exports that do not name it.")] = None,
    platform: Annotated[str | None, typer.Option(help="Platform, for formats that serve several.")] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="Zone of every time without an offset, e.g. Europe/London "
            "(default: each row's account's jurisdiction's zone)."
        ),
    ] = None,
    day_first: Annotated[
        bool | None,
        typer.Option(
            "--day-first/--month-first",
            help="Read numeric dates such as 6/5/2026 day first or month first (default: as the file's "
            "dates show, else as the platform writes them; a re-saved file that shows neither is refused).",
        ),
    ] = None,
    sample: Annotated[bool, typer.Option(help="Label the rows as sample data (the demo).")] = False,
    no_metrics: bool = NoMetricsOption,
    as_json: bool = JsonOption,
) -> None:
    """Import an export file: CrowdTangle, Meta Business Suite, YouTube Studio, Telegram, generic CSV."""
    settings = settings_of(ctx)
    _migrated(ctx)
    if platform is not None:
        with read_session(ctx) as session:
            known.platform(session, platform)
    importer = choose_importer(file, decode_file(file)[:HEAD_CHARS], fmt)
    if account is not None:
        with read_session(ctx) as session:  # before the run: exit status 2, nothing recorded
            refuse_unregistered(session, account, platform)
    # Without --timezone each row's time is read in its account's jurisdiction's zone.
    zone = None if timezone is None else _zone(timezone)
    order = None if day_first is None else DAY_FIRST if day_first else MONTH_FIRST
    context = ImportContext(timezone=zone, platform=platform, account_ref=account, date_order=order)
    key = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None
    engine, resolve = engine_of(ctx), _resolver(ctx)  # before the progress bar, as their errors
    with _progress() as bar:
        task = bar.add_task(f"importing {file.name}", total=None)
        summary = import_activity(
            engine,
            file,
            importer,
            context,
            resolve,
            key,
            source="sample" if sample else None,
            progress=lambda b: bar.advance(task, len(b.posts) + len(b.comments) + len(b.bad)),
        )
    metrics = None if no_metrics else _refresh_touched(ctx, summary, as_json)
    _print_summary(summary, as_json, metrics)
    raise typer.Exit(0 if summary.status == "ok" else 1)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Hong_Kong)"
        ) from exc


@app.command()
@friendly_errors
def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many recent runs.")] = 20,
    as_json: bool = JsonOption,
) -> None:
    """Recent collection and import runs with their counts, errors and gaps."""
    with read_session(ctx) as session:
        rows = session.scalars(select(t.CollectionRun).order_by(t.CollectionRun.id.desc()).limit(limit)).all()
        data = [run_record(r) for r in rows]
    if as_json:
        print_json({"data": data, "count": len(data)})
        return
    table = Table("id", "kind", "scope", "status", "started", "errors", "gaps", title="collection runs")
    for r in data:
        table.add_row(
            str(r["id"]),
            str(r["kind"]),
            str(r["scope"]),
            str(r["status"]),
            _shown(r["started_at"]),
            str(len(r["errors"])),
            str(len(r["gaps"])),
        )
    console.print(table)


@app.command()
@friendly_errors
def quarantine(
    ctx: typer.Context,
    run: Annotated[
        int | None,
        typer.Option(
            min=1, max=MAX_ID, help="Only the records this run met first or last (see `collect runs`)."
        ),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Records that could not be read: where they came from and why, how often and when last met."""
    q = t.QuarantinedRecord
    with read_session(ctx) as session:
        query = select(q)
        if run is not None:
            # A record is one row however many runs met it: the runs between its first and its
            # last are only counted (``times_seen``, and each run's own "quarantined" count).
            query = query.where((q.run_id == run) | (q.last_run_id == run))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        # The newest records (what the last import or collection refused), listed oldest first: the
        # first ones, once a store had more, hid every record met since.
        newest = session.scalars(query.order_by(q.id.desc()).limit(QUARANTINE_LISTED)).all()
        rows = [_quarantined(record) for record in reversed(newest)]
    if as_json:
        print_json({"data": rows, "count": len(rows), "total": total})
        return
    for row in rows:
        console.print(_quarantined_line(row), highlight=False)
    if total > len(rows):
        errors.print(
            f"{total - len(rows)} older record(s) not listed (the {len(rows)} newest are); "
            "`--run ID` lists those one run met",
            highlight=False,
        )
    elif not rows:
        errors.print("no quarantined records" + (f" met by run {run}" if run is not None else ""))


def _iso(moment: dt.datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC, the same text from either store (``store.times``)."""
    return None if moment is None else utc(moment).isoformat()


def _shown(iso: str | None) -> str:
    """An ``_iso`` time for a table: to the second, saying its zone."""
    return f"{iso[:19].replace('T', ' ')} UTC" if iso else ""


def _quarantined(record: t.QuarantinedRecord) -> dict[str, Any]:
    """What the listing says of a record (never its content, which may hold commenters' words)."""
    return {
        "id": record.id,
        "run": record.run_id,
        "source": record.source,
        "location": record.location,
        "reason": record.reason,
        "times_seen": record.times_seen,
        "first_seen_at": _iso(record.created_at),
        "last_run": record.last_run_id,
        "last_seen_at": _iso(record.last_seen_at),
    }


def _quarantined_line(row: dict[str, Any]) -> str:
    """One record as a line; a record met more than once says how often, and when last."""
    line = f"run {row['run']} {row['source']} {row['location']}: {row['reason']}"
    if row["times_seen"] > 1:
        last = _shown(row["last_seen_at"])
        line += f" (seen {row['times_seen']} times, last by run {row['last_run']} at {last})"
    return line


@app.command()
@friendly_errors
def formats() -> None:
    """The connectors and import formats available (built-in and plugins)."""
    console.print("connectors: " + ", ".join(sorted(connectors())))
    for name, cls in sorted(importers().items()):
        console.print(f"import --format {name}: {cls.description}")


@app.command()
@friendly_errors
def schedule(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Address of the account.")],
    every: Annotated[int | None, typer.Option(help="Collect every N minutes (and on again).", min=5)] = None,
    off: Annotated[bool, typer.Option("--off", help="Stop scheduled collection of this account.")] = False,
) -> None:
    """Show or set how often `govsocial serve --collect` collects an account (or turn it off)."""
    if every is not None and off:
        raise typer.BadParameter("give --every MINUTES or --off, not both", param_hint="--every")
    settings = settings_of(ctx)
    with write_session(ctx) as session:
        found = find_account(session, load_catalogue(session).parse(account))
        if found is None:
            raise NotFoundError(f"{account}: not in the registry")
        row = session.get(t.CollectionSchedule, found.id)
        if every is None and not off:  # only asked: say what is set, change nothing
            state = _schedule_state(row, settings.collect_interval_minutes)
        else:
            row = row or t.CollectionSchedule(
                account_id=found.id,
                next_due_at=dt.datetime.now(dt.UTC),
                interval_minutes=settings.collect_interval_minutes,
            )
            row.interval_minutes = every or row.interval_minutes
            row.enabled = not off
            session.add(row)
            state = _schedule_state(row, settings.collect_interval_minutes)
    console.print(f"{found.platform} {found.handle}: {state}")


def _schedule_state(row: t.CollectionSchedule | None, default_minutes: int) -> str:
    """An account's schedule in words: off, or how often (the default when it has none yet)."""
    if row is None:
        return f"every {default_minutes} minutes (the default)"
    return "off" if not row.enabled else f"every {row.interval_minutes} minutes"
