"""``govsocial metrics``: the metric definitions, the stored scorecard, and computing it (DuckDB or Spark).

``refresh`` materialises every metric into the store, where the portal and the API read it;
``compute`` runs metrics live without storing, on the store or on Parquet frames (the open-data
export that ``export-frames`` writes, which is also what a Spark cluster reads).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import Level, PeriodKind, registry
from govsocial.analyze.metrics.params import (
    DIGEST_SHAPE,
    Aggregation,
    FollowerBasis,
    LikesMeaning,
    MetricParams,
    configured,
    overridden,
    problems,
)
from govsocial.cli import known
from govsocial.cli.common import (
    JsonOption,
    console,
    engine_of,
    errors,
    friendly_errors,
    output_file,
    output_folder,
    print_json,
    read_session,
    settings_of,
    write_session,
    writing,
)
from govsocial.collect import runs
from govsocial.csvsafe import protect
from govsocial.errors import GovsocialError, NotFoundError
from govsocial.store import metric_queries as mq
from govsocial.store.db import session_factory

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends import BaseBackend

    from govsocial.analyze.frames import Frames

app = typer.Typer(
    help="The metrics: definitions, stored values, computing and refreshing them.", no_args_is_help=True
)


class Engine(enum.StrEnum):
    """Where ``compute`` runs."""

    DUCKDB = "duckdb"
    SPARK = "spark"


MetricOption = Annotated[
    list[str] | None, typer.Option("--metric", "-m", help="Only this metric (repeat for several).")
]
PeriodKindOption = Annotated[PeriodKind, typer.Option(help="day, week, month or year.")]
JurisdictionOption = Annotated[
    str | None, typer.Option(help="Jurisdiction code (default: the configured one).")
]
ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        help="Any metric parameter as NAME=VALUE (JSON values: business_hours=[8,18]), over the "
        "metric_params setting.",
    ),
]


@app.command("list")
def list_(as_json: bool = JsonOption) -> None:
    """Every metric: name, goal, title, unit and formula (definitions: docs/metrics.md)."""
    metrics = list(registry().values())
    if as_json:
        keys = ("name", "goal", "title", "unit", "formula", "definition", "source", "inputs", "levels")
        print_json([{key: getattr(m, key) for key in keys} for m in metrics])
        return
    table = Table("name", "goal", "title", "unit", "formula", title=f"{len(metrics)} metrics")
    for m in metrics:
        table.add_row(m.name, str(m.goal), m.title, str(m.unit), m.formula)
    console.print(table)


@app.command()
@friendly_errors
def show(
    ctx: typer.Context,
    level: Annotated[
        Level | None, typer.Option(help="account, organisation, platform or government.")
    ] = None,
    entity: Annotated[
        str | None, typer.Option(help="Account id, organisation code, platform key or jurisdiction code.")
    ] = None,
    period: Annotated[str | None, typer.Option(help="One period, e.g. 2026-10 or 2026-W40.")] = None,
    period_kind: Annotated[PeriodKind | None, typer.Option(help="day, week, month or year.")] = None,
    metric: MetricOption = None,
    digest: Annotated[
        str | None,
        typer.Option(
            help="Parameter digest (default: the configured parameters, the metric_params setting)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Most values to print.")] = 100,
    jurisdiction: JurisdictionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """Values stored by `metrics refresh`, newest period first (by end date, across kinds)."""
    _known(metric)
    _period_label(period, period_kind)
    _digest_shape(digest)
    code = jurisdiction or settings_of(ctx).jurisdiction
    with read_session(ctx) as session:
        known.metrics_jurisdiction(session, code)
        f = mq.MetricFilter(
            jurisdiction=code,
            params=_stored_digest(session, code, digest, configured(settings_of(ctx)).digest()),
            metrics=tuple(metric or ()),
            level=level and str(level),
            entity=entity and _stored_entity(session, code, level, entity),
            period_kind=period_kind and str(period_kind),
            period=period,
        )
        values, count = _newest_first(session, f, limit)
    rows = [{k: v for k, v in r.__dict__.items() if k != "computed_at"} for r in values]
    _print_rows(rows, as_json, f"{len(rows)} of {count} values (params {f.params})")


def _digest_shape(digest: str | None, hint: str = "--digest") -> None:
    """Refuse a digest that is no digest, as the API refuses its ``params``."""
    if digest is not None and not DIGEST_SHAPE.fullmatch(digest):
        raise typer.BadParameter(
            f"{digest!r} is not a parameter digest (12 hexadecimal digits; `govsocial metrics digests` "
            "lists those stored)",
            param_hint=hint,
        )


def _stored_digest(session: Session, code: str, digest: str | None, current: str) -> str:
    """The digest to show (``current``, the configured one, by default), in lower case as stored.

    A digest nothing of ``code`` is stored under is an error, as in the API: an empty table would
    read as "no values", when the digest is mistyped or of another jurisdiction."""
    if not digest:
        return current
    wanted = digest.lower()
    if wanted != current and not mq.has_params(session, code, wanted):
        raise NotFoundError(
            f"no values of jurisdiction {code!r} are stored under params {digest}; "
            "`govsocial metrics digests` lists those that are"
        )
    return wanted


def _stored_entity(session: Session, code: str, level: Level | None, entity: str) -> str:
    """``entity`` as the values key it (an account's id without leading zeros), if it names an
    entity of ``code``'s registry or stored values (at ``level``): one that names nothing is an
    error, as in the API, not an empty table."""
    key = mq.entity_key(session, level and str(level), entity, code)
    if key is None:
        where = f"in jurisdiction {code!r} (neither in the registry nor in the stored metrics)"
        raise NotFoundError(f"no {level or 'entity'} {entity!r} {where}")
    return key


def _period_label(period: str | None, kind: PeriodKind | None) -> None:
    """Refuse a ``--period`` that is no period's label (``2026-13``, ``2026-W54``, ``Oct``), or not
    one of ``--period-kind``, as the API does: it would match nothing and print an empty table."""
    if period is None:
        return
    found = mq.label_kind(period)
    if found is None:
        raise typer.BadParameter(
            f"{period!r} is not a period label (such as 2026-10-01, 2026-W40, 2026-10 or 2026)",
            param_hint="--period",
        )
    if kind is not None and found != str(kind):
        raise typer.BadParameter(
            f"{period!r} is a {found} label, but --period-kind is {kind}", param_hint="--period"
        )


def _newest_first(session: Session, f: mq.MetricFilter, limit: int) -> tuple[list[mq.MetricRow], int]:
    """The first ``limit`` values of ``f`` and how many there are: newest first by the period's end,
    across kinds too (periods that end on the same day: the shortest first), as the store orders them
    (``metric_queries.list_values``, the API's order)."""
    page = mq.list_values(session, f, limit)
    return list(page.items), page.count


@app.command()
@friendly_errors
def compute(
    ctx: typer.Context,
    engine: Annotated[Engine, typer.Option(help="duckdb (in memory) or spark.")] = Engine.DUCKDB,
    spark_master: Annotated[str, typer.Option(help="Spark master: local[N] or a cluster URL.")] = "local[2]",
    frames: Annotated[
        Path | None,
        typer.Option(
            help="Read Parquet frames from this folder instead of the store.", file_okay=False, exists=True
        ),
    ] = None,
    jurisdiction: JurisdictionOption = None,
    level: Annotated[
        list[Level] | None, typer.Option(help="Level (repeat for several; default all).")
    ] = None,
    period_kind: PeriodKindOption = PeriodKind.MONTH,
    metric: MetricOption = None,
    likes: Annotated[
        LikesMeaning | None, typer.Option(help="Facebook likes: like only, or all reactions.")
    ] = None,
    follower_basis: Annotated[FollowerBasis | None, typer.Option(help="Followers that divide.")] = None,
    aggregation: Annotated[Aggregation | None, typer.Option(help="Ratio of sums or mean of ratios.")] = None,
    x_replies: Annotated[bool | None, typer.Option(help="X interactions include replies.")] = None,
    x_quotes: Annotated[bool | None, typer.Option(help="X interactions include quotes.")] = None,
    active_days: Annotated[int | None, typer.Option(help="Days without a post before dormant.")] = None,
    response_hours: Annotated[
        float | None, typer.Option(help="Reply target in hours (replied_within_target).")
    ] = None,
    param: ParamOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write a .parquet or .csv file.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Compute metrics now, without storing them (see `metrics refresh` for that)."""
    from govsocial.analyze.metrics import scorecard

    params = _params(
        ctx,
        param,
        likes=likes,
        follower_basis=follower_basis,
        aggregation=aggregation,
        x_count_replies=x_replies,
        x_count_quotes=x_quotes,
        active_days=active_days,
        response_hours=response_hours,
    )
    _known(metric)
    _check_out(out, as_json)
    levels = level or list(Level)
    with _backend(ctx, engine, spark_master, frames, jurisdiction, params) as (con, code, population):
        table = scorecard.compute(con, code, population, params, levels, period_kind, metric)
        if table.num_rows == 0:  # say why, on stderr: "0 values" alone reads as a failure or as zeros
            errors.print(_why_empty(con, code, levels), highlight=False, soft_wrap=True)
    # Each value names the digest of its parameters, as the stored ones `show` and the API give do.
    table = _with_params(table, params.digest())
    if out is not None:
        with writing(out):
            _write(table, out)
        console.print(f"{table.num_rows} values written to {out} (params {params.digest()})")
        return
    rows = [{**row, "inputs": json.loads(row["inputs"])} for row in table.to_pylist()]
    _print_rows(rows, as_json, f"{len(rows)} values (params {params.digest()})")


def _why_empty(con: BaseBackend, code: str, levels: list[Level]) -> str:
    """Why ``compute`` found no value: no activity at all, or (above the account level) no official
    account, as when every account of a registry is still under review; else nothing to measure."""
    from govsocial.analyze.metrics.common import OFFICIAL_STATUSES

    if int(con.table("periods").count().execute()) == 0:
        return f"no values: the frames of {code} hold no post, comment or follower count"
    accounts = con.table("accounts")
    official = int(accounts.filter(accounts.status.isin(OFFICIAL_STATUSES)).count().execute())
    if official == 0 and Level.ACCOUNT not in levels:
        total = int(accounts.count().execute())
        return (
            f"no values: none of the {total:,} accounts of {code} is official (published or archived), "
            "and accounts under review count at the account level only (--level account; "
            'docs/metrics.md, "Levels")'
        )
    return (
        "no values: nothing to measure for these metrics, levels and period kind (no row means "
        'nothing to measure: docs/metrics.md, "How to read a metric")'
    )


def _with_params(table: pa.Table, digest: str) -> pa.Table:
    """``table`` with the column ``params``: ``digest`` on every row (after ``inputs``, as in
    ``metrics show --json``)."""
    import pyarrow as pa

    return table.append_column("params", pa.array([digest] * table.num_rows, type=pa.string()))


@app.command()
@friendly_errors
def refresh(
    ctx: typer.Context,
    jurisdiction: JurisdictionOption = None,
    period_kind: Annotated[
        list[PeriodKind] | None, typer.Option(help="Period kind (repeat; default week, month, year).")
    ] = None,
    metric: MetricOption = None,
    param: ParamOption = None,
    as_json: bool = JsonOption,
) -> None:
    """Recompute the metrics from the store and save them for the portal and the API (idempotent)."""
    from govsocial.analyze import pipeline

    _known(metric)
    settings = settings_of(ctx)
    kinds = period_kind or pipeline.DEFAULT_PERIOD_KINDS
    started = dt.datetime.now(dt.UTC)
    with errors.status(f"computing the metrics of {jurisdiction or settings.jurisdiction}"):
        report = pipeline.refresh(engine_of(ctx), settings, jurisdiction, kinds, _params(ctx, param), metric)
    # The refresh the portal runs after an import, done whole: runs a stopped portal left waiting
    # for it are covered (their rows were stored before it read the store).
    if not (report.failed or metric or param or set(kinds) != set(pipeline.DEFAULT_PERIOD_KINDS)):
        runs.metrics_covered(session_factory(engine_of(ctx)), report.jurisdiction, started, report.summary())
    if as_json:
        print_json(report.as_dict())
    else:
        table = Table(
            "values", "count", title=f"metrics refresh: {report.jurisdiction} (params {report.params})"
        )
        for outcome, n in report.counts.as_dict().items():
            table.add_row(outcome, f"{n:,}")
        console.print(table)
        console.print(report.summary(), highlight=False)
    for name, reason in report.failed.items():
        errors.print(f"[red]failed[/red] {name}: {reason}", markup=True, highlight=False)
    raise typer.Exit(1 if report.failed else 0)


@app.command()
@friendly_errors
def digests(ctx: typer.Context, jurisdiction: JurisdictionOption = None, as_json: bool = JsonOption) -> None:
    """The parameter digests values are stored under: how many, which period kinds, when computed."""
    current = configured(settings_of(ctx)).digest()
    defaults = MetricParams().digest()
    marks = {defaults: "defaults", current: "configured" + (" (the defaults)" if current == defaults else "")}
    with read_session(ctx) as session:
        if jurisdiction is not None:
            known.metrics_jurisdiction(session, jurisdiction)
        found = mq.stored_digests(session, jurisdiction)
    rows = [
        {**_digest_row(d), "configured": d.params == current, "note": marks.get(d.params, "")} for d in found
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("jurisdiction", "params", "values", "period kinds", "last computed", "note",
                  title="metric values by parameter digest")  # fmt: skip
    for r in rows:
        table.add_row(r["jurisdiction"], r["params"], f"{r['values']:,}", ", ".join(r["period_kinds"]),
                      r["last_computed"], r["note"])  # fmt: skip
    console.print(table)


def _digest_row(d: mq.StoredDigest) -> dict[str, Any]:
    return {
        "jurisdiction": d.jurisdiction,
        "params": d.params,
        "values": d.values,
        "period_kinds": list(d.period_kinds),
        "last_computed": d.last_computed.isoformat(timespec="seconds"),
    }


@app.command()
@friendly_errors
def forget(
    ctx: typer.Context,
    digest: Annotated[str, typer.Argument(help="The parameter digest whose values to delete.")],
    jurisdiction: JurisdictionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """Delete the values stored under parameters no longer used (never the configured ones)."""
    from govsocial.analyze import materialise

    settings = settings_of(ctx)
    code = jurisdiction or settings.jurisdiction
    _digest_shape(digest, "DIGEST")
    digest = digest.lower()  # stored in lower case, as the API reads either
    if digest == configured(settings).digest():
        raise typer.BadParameter(
            f"{digest} is the digest of the configured parameters (the metric_params setting): the "
            "portal, the API and reports read it. Change metric_params first.",
            param_hint="DIGEST",
        )
    with write_session(ctx) as session:
        known.metrics_jurisdiction(session, code)
        deleted = materialise.forget(session.connection(), code, digest)
    if as_json:
        print_json({"jurisdiction": code, "params": digest, "deleted": deleted})
    elif deleted:
        console.print(f"{deleted:,} values of {code} under params {digest} deleted")
    else:
        console.print(
            f"no values of {code} are stored under params {digest} (see `govsocial metrics digests`)"
        )


@app.command("export-frames")
@friendly_errors
def export_frames(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder for the Parquet files.", file_okay=False)],
    jurisdiction: JurisdictionOption = None,
    param: ParamOption = None,
) -> None:
    """Write the analytic frames as Parquet (open data; what `compute --frames` and Spark read)."""
    output_folder(folder)
    frames = _extract(ctx, jurisdiction, _params(ctx, param))
    with writing(folder):
        frames.write_parquet(folder)
    sizes = ", ".join(f"{name} {table.num_rows:,}" for name, table in frames.tables.items())
    console.print(f"frames written to {folder}: {sizes}")


def _known(names: list[str] | None) -> None:
    unknown = sorted(set(names or ()) - set(registry()))
    if unknown:
        raise typer.BadParameter(f"unknown metric(s) {', '.join(unknown)}; see `govsocial metrics list`")


def _params(ctx: typer.Context, pairs: list[str] | None, **named: Any) -> MetricParams:
    """The parameters: the named options, then any ``NAME=VALUE``, over the configured ones (the
    ``metric_params`` setting over the documented defaults)."""
    values = {key: value for key, value in named.items() if value is not None}
    for pair in pairs or ():
        name, sep, text = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r}: expected NAME=VALUE", param_hint="--param")
        try:
            values[name.strip()] = json.loads(text)
        except json.JSONDecodeError:
            values[name.strip()] = text  # a bare word, e.g. likes=like
    base = configured(settings_of(ctx))  # a bad setting is its own error, before any option's
    try:
        return overridden(base, values)
    except ValidationError as exc:
        raise typer.BadParameter(problems(exc), param_hint="--param") from None


@contextmanager
def _backend(
    ctx: typer.Context,
    engine: Engine,
    master: str,
    folder: Path | None,
    jurisdiction: str | None,
    params: MetricParams,
) -> Iterator[tuple[BaseBackend, str, int | None]]:
    """The engine holding the frames, with the jurisdiction and population they are about."""
    from govsocial.analyze.frames import Frames
    from govsocial.analyze.metrics import engines

    with tempfile.TemporaryDirectory(prefix="govsocial-frames-") as scratch:
        if folder is None:
            frames = _extract(ctx, jurisdiction, params)
            if engine is Engine.DUCKDB:
                yield engines.duckdb(frames, params=params), frames.jurisdiction, frames.population
                return
            folder = Path(scratch)  # Spark reads Parquet files, not Python objects
            frames.write_parquet(folder)
        meta = _frames_meta(folder)
        if jurisdiction is not None and jurisdiction != meta["jurisdiction"]:
            # The frames are one jurisdiction's: computing them under another's name would give
            # that government's numbers labelled as the one asked for.
            raise GovsocialError(
                f"--frames {folder} holds the frames of {meta['jurisdiction']!r} (meta.json), not of "
                f"{jurisdiction!r}: export {jurisdiction}'s with `govsocial metrics export-frames DIR "
                f"--jurisdiction {jurisdiction}`, or leave --jurisdiction out"
            )
        if engine is Engine.DUCKDB:
            con = engines.duckdb(Frames.read_parquet(folder), params=params)
        else:
            con = engines.spark(folder, master, params)
        yield con, meta["jurisdiction"], meta["population"]


def _frames_meta(folder: Path) -> dict[str, Any]:
    """What ``meta.json`` of a frames folder says (its jurisdiction and population), once the
    folder is known to hold every file ``export-frames`` writes: a folder that does not is
    refused by name instead of with the first file an engine fails to open."""
    from govsocial.analyze.frames import SCHEMAS

    written = ["meta.json", *(f"{name}.parquet" for name in SCHEMAS)]
    missing = [name for name in written if not (folder / name).is_file()]
    hint = "`govsocial metrics export-frames DIR` writes a frames folder"
    if missing:
        raise GovsocialError(f"--frames {folder}: not a frames folder, it lacks {', '.join(missing)}; {hint}")
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or "jurisdiction" not in meta or "population" not in meta:
            raise ValueError("no jurisdiction or population")
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
        raise GovsocialError(
            f"--frames {folder}: meta.json is not valid (no jurisdiction and population); {hint}"
        ) from None
    return meta


def _extract(ctx: typer.Context, jurisdiction: str | None, params: MetricParams) -> Frames:
    """The frames from the store (``params`` decide which press releases match which posts)."""
    from govsocial.analyze.extract import extract

    code = jurisdiction or settings_of(ctx).jurisdiction
    with errors.status(f"extracting the frames of {code} from the store"):
        return extract(engine_of(ctx), code, params)


def _check_out(out: Path | None, as_json: bool) -> None:
    if out is not None and as_json:  # --json would be ignored: the values go to the file
        raise typer.BadParameter(
            "give --json (print the values) or --out (write them), not both", param_hint="--out"
        )
    if out is not None and out.suffix not in (".parquet", ".csv"):
        raise typer.BadParameter(f"{out.name}: write .parquet or .csv", param_hint="--out")
    if out is not None:
        output_file(out)  # before the work: a folder not there is said at once, not after it


def _write(table: pa.Table, out: Path) -> None:
    if out.suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, out)
    else:
        import pyarrow.csv as pcsv

        pcsv.write_csv(_formula_safe(table), out)


def _formula_safe(table: pa.Table) -> pa.Table:
    """``table`` with every text cell through ``csvsafe.protect``: names and handles come from the
    registry and the platforms, and a spreadsheet must not run them as formulas."""
    import pyarrow as pa

    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            cells = [None if v is None else protect(v) for v in table.column(index).to_pylist()]
            table = table.set_column(index, field, pa.array(cells, type=field.type))
    return table


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 1000 or value == int(value) else f"{value:.4g}"


def _print_rows(rows: list[dict[str, Any]], as_json: bool, title: str) -> None:
    if as_json:
        print_json(rows)
        return
    table = Table("metric", "level", "entity", "period", "value", "inputs", title=title)
    for r in rows:
        inputs = ", ".join(
            f"{k} {_number(v) if isinstance(v, int | float) else v}" for k, v in r["inputs"].items()
        )
        table.add_row(r["metric"], r["level"], r["entity"], r["period"], _number(r["value"]), inputs)
    console.print(table)
