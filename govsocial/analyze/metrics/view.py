"""A view: the frames cut for levels (who) and one period kind (when).

Every frame in a view has an ``entity`` column (the account id, organisation key, platform key or
jurisdiction code) and, where it has a time, a ``period`` column (the day, ISO week, month or year
in the jurisdiction's time zone). Metrics group by ``entity`` and ``period`` and know nothing else
about levels, which is what lets one definition serve every level.

``make_view`` cuts the frames for one level, ``entity`` being the entity's text. The scorecard's
view (``register_view``) holds every level at once: each account's rows are there once per
entity it counts in (itself, each owner, its platform, the government), and ``entity`` is a whole
number standing for a level and an entity (``ENTITIES``), so that one query computes a metric at
every level and the frames are read once, not once per level.

Which accounts an entity counts is decided here, once, for every metric on every engine
(``_with_entity``): an account counts at its own level whatever its status, and at the levels
above it (organisation, platform, government) only if it is official, published or archived
(``OFFICIAL_STATUSES``). An account under review may be an old or alternate handle of an account
already counted, or not the government's at all: its posts, comments and followers are its own
page's, never an organisation's, a platform's or the government's.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import ibis
import pyarrow as pa
import sqlglot as sg
from ibis.common.exceptions import TableNotFound

from govsocial.analyze.metrics.common import OFFICIAL_STATUSES
from govsocial.analyze.metrics.model import Level, PeriodKind

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

    from govsocial.analyze.metrics.params import MetricParams

#: Tables with a time, which get a ``period`` column. The last five are not frames but derived
#: from them once per engine (``DERIVED``), and cut like frames.
TIMED = (
    "posts",
    "comments",
    "followers",
    "matches",
    "threads",
    "fan_days",
    "comment_days",
    "thread_days",
    "live_days",
)
#: Derived tables: the View's name -> the engine table ``engines.derive`` makes when the frames are
#: loaded, and the frames (or the derived table before it) it is derived from (see ``derived``).
DERIVED = {
    "threads": ("comment_threads", ("comments",)),
    "fan_days": ("fan_days", ("followers", "posts", "accounts")),
    "comment_days": ("comment_days", ("comments",)),
    "thread_days": ("thread_days", ("comment_threads",)),
    "live_days": ("live_days", ("posts", "comments")),
}
#: Platforms whose items are press releases, not social media posts.
RELEASE_PLATFORMS = ("rss",)


@dataclasses.dataclass(frozen=True)
class View:
    """The frames of some levels and one period kind, as Ibis tables on one backend."""

    levels: tuple[Level, ...]
    period_kind: PeriodKind
    jurisdiction: str
    population: int | None
    accounts: ir.Table
    posts: ir.Table
    comments: ir.Table
    followers: ir.Table
    matches: ir.Table
    periods: ir.Table
    #: Press releases: the items of the jurisdiction's RSS/Atom feeds. They are official
    #: publications, not social media: ``posts`` and ``accounts`` leave them out, and the
    #: timeliness metrics read them here.
    releases: ir.Table
    #: One row per citizen top-level comment with the page's first reply (``purpose.threads``).
    threads: ir.Table
    #: Each account's follower count and interactions per day (``penetration.fan_days``).
    fan_days: ir.Table
    #: The comments counted per account and day (``sums.comment_days``).
    comment_days: ir.Table
    #: The threads counted per account and day (``purpose.thread_days``).
    thread_days: ir.Table
    #: The comments on live posts counted per account and day of the post
    #: (``attractiveness.live_days``).
    live_days: ir.Table
    #: Which entity each account counts in (``account_id``, ``entity``; several rows for an
    #: account in several entities), for what is added up per account first (``add_up``).
    entities: ir.Table
    #: The posts of those accounts, once each, with ``period`` but no ``entity``.
    account_posts: ir.Table
    #: Their follower counts, once each, with ``period`` but no ``entity``.
    account_followers: ir.Table
    #: The overperforming benchmarks of every account and format (``penetration.benchmarks``),
    #: computed once for all levels (stored at load, or in the scorecard's query:
    #: ``frame_benchmarks``), and the digest of the parameters they were computed with; None in
    #: other views, whose metrics compute them.
    benchmarks: ir.Table | None = None
    benchmark_params: str | None = None

    def table(self, name: str) -> ir.Table:
        """A frame of this view by name."""
        value: ir.Table = getattr(self, name)
        return value


def make_view(
    con: BaseBackend, level: Level, period_kind: PeriodKind, jurisdiction: str, population: int | None
) -> View:
    """Cut the frames on ``con`` (tables named as in ``frames.SCHEMAS``) for a level and period kind."""
    base = _tables(con)
    owners = base["owners"] if level is Level.ORGANISATION else None

    def cut(table: ir.Table) -> ir.Table:
        return _with_entity(table, level, jurisdiction, owners, base["accounts"])

    entities = cut(base["accounts"]).select("account_id", "entity")
    return _make_view(con, (level,), period_kind, jurisdiction, population, cut, entities)


def _make_view(
    con: BaseBackend,
    levels: tuple[Level, ...],
    period_kind: PeriodKind,
    jurisdiction: str,
    population: int | None,
    cut: Callable[[ir.Table], ir.Table],
    entities: ir.Table,
) -> View:
    """The frames with ``entity`` (added by ``cut``, as ``entities`` pairs accounts and entities)
    and ``period``, releases apart from posts."""
    base = _tables(con)
    tables = {name: cut(base[name]) for name in (*TIMED, "accounts")}
    for name in TIMED:
        tables[name] = tables[name].mutate(period=tables[name][str(period_kind)])
    own = {
        name: base[name].filter(base[name].account_id.isin(entities.account_id))
        for name in ("posts", "followers")
    }
    for name, table in own.items():
        tables[f"account_{name}"] = table.mutate(period=table[str(period_kind)])
    posts = tables["account_posts"]
    tables["account_posts"] = _social(posts)
    tables["entities"] = entities
    posts, accounts = tables["posts"], tables["accounts"]
    tables["releases"] = posts.filter(posts.platform.isin(RELEASE_PLATFORMS))
    tables["posts"] = _social(posts)
    tables["accounts"] = _social(accounts)
    periods = base["periods"].filter(ibis._.kind == str(period_kind)).drop("kind")
    return View(levels, period_kind, jurisdiction, population, periods=periods, **tables)


#: Names of the engine views ``register_view`` creates: the frame name after this prefix.
VIEW_PREFIX = "_scorecard_"


#: The engine table of the entities of the levels ``register_view`` holds: ``account_id``, ``level``,
#: ``entity`` (its text: the account id, organisation key, platform key or jurisdiction code) and
#: ``code``, the whole number the view's ``entity`` column holds for that level and entity.
ENTITIES = VIEW_PREFIX + "entity_codes"


def register_view(
    con: BaseBackend,
    levels: Sequence[Level],
    period_kind: PeriodKind,
    jurisdiction: str,
    population: int | None,
    benchmarks: tuple[ir.Table, str] | None = None,
) -> tuple[View, pa.Table]:
    """The frames cut for every level of ``levels`` at once, as views in the engine; a View that
    reads those views, and what its entity codes stand for.

    Each frame's rows are there once per entity their account counts in at each level: the account
    itself, each of its owners (an account may have several), its platform, the government. The
    ``entity`` column is the entity's code (``ENTITIES``): a whole number, numbered in the order of
    level and then entity text (bytewise), so that sorting by code sorts by level and entity, and
    grouping by it groups by both. So one query computes a metric at every level: measured, one
    query over the four levels took 1.5-1.6 s against 2.4-2.5 s for four, one per level, as each
    frame is read and joined once, not four times (docs/performance.md, "Metrics").

    Whatever levels and period kind they hold, the views have the same names and columns, so a
    metric expression built on the returned View compiles to the same SQL every time: the
    scorecard compiles its query once and re-points the views (cheap: a view is a name for a
    query, nothing is copied; the statements are compiled once too). Registering again replaces
    the views: one scorecard at a time per connection.

    Returns the View and the entities as Arrow: ``code``, ``level``, ``entity`` (text), sorted by
    code, to turn codes back into levels and entities. ``benchmarks``: the table
    ``frame_benchmarks`` returns and the digest of its parameters, for the View to carry.
    """
    chosen = tuple(sorted(set(levels), key=str))
    key = (con.name, chosen, period_kind, jurisdiction)
    base = _tables(con)  # once per connection: derives the tables ``DERIVED`` names if they are missing
    entities = _register(con, ENTITIES, _entities(base, chosen, jurisdiction))
    statements = _VIEW_SQL.get(key)
    if statements is None:
        pairs = entities.select("account_id", entity=entities.code)

        def cut(table: ir.Table) -> ir.Table:
            return table.inner_join(pairs, "account_id")

        view = _make_view(con, chosen, period_kind, jurisdiction, population, cut, pairs)
        statements = [_create_view(con, VIEW_PREFIX + name, view.table(name)) for name in _VIEWED]
        _VIEW_SQL[key] = statements
    for statement in statements:
        con.raw_sql(statement)  # DDL: DuckDB and Spark run it at once, nothing to fetch
    table, digest = benchmarks or (None, None)
    registered = View(
        chosen,
        period_kind,
        jurisdiction,
        population,
        **_tables(con, VIEW_PREFIX),
        benchmarks=table,
        benchmark_params=digest,
    )
    codes = entities.select("code", "level", "entity").distinct().order_by("code").to_pyarrow()
    return registered, codes


def release_view(con: BaseBackend) -> None:
    """Free what ``register_view`` holds beyond its views once the scorecard's query has run:
    Spark's cache of the entity codes (``_register``), which would otherwise stay in the memory
    its sessions share."""
    if con.name == "pyspark":
        con._session.sql(f"UNCACHE TABLE IF EXISTS `{ENTITIES}`")


def _entities(base: dict[str, ir.Table], levels: tuple[Level, ...], jurisdiction: str) -> ir.Table:
    """Every account's entity at each of ``levels`` (as ``make_view`` finds it, ``_with_entity``:
    accounts not official have their own entity only), with the entity's code (see ``ENTITIES``)."""
    accounts = base["accounts"]
    text = (
        _with_entity(accounts, level, jurisdiction, base["owners"], accounts).select(
            "account_id", "entity", level=ibis.literal(str(level), "string")
        )
        for level in levels
    )
    every = ibis.union(*text, distinct=False)
    # Both engines compare text bytewise by default, as the scorecard promises to sort it.
    code = ibis.dense_rank().over(order_by=["level", "entity"]).cast("int32")
    return every.mutate(code=code)


def _register(con: BaseBackend, name: str, expr: ir.Table) -> ir.Table:
    """``expr`` stored as engine table ``name`` (replaced if there).

    DuckDB makes a temporary table (replacing a table of the in-memory database on every call
    makes DuckDB checkpoint the whole database now and then: measured, one scorecard in four took
    twice as long). Spark keeps a view and caches it: a view alone is computed again at each of
    the query's references to it (for the entity codes, a union of the levels and a ranking
    window, each with a shuffle), the cached rows are read instead (measured: a scorecard on the
    benchmark's tenth 4 % faster; docs/performance.md, "Spark"), until ``release_view``.
    """
    if con.name == "duckdb":
        con.create_table(name, expr, overwrite=True, temp=True)
    elif con.name == "pyspark":
        session = con._session
        session.sql(f"UNCACHE TABLE IF EXISTS `{name}`")  # the rows of the view it replaces
        con.create_view(name, expr, overwrite=True)
        session.sql(f"CACHE TABLE `{name}`")
    else:
        con.create_view(name, expr, overwrite=True)
    return con.table(name)


def frame_benchmarks(con: BaseBackend, params: MetricParams) -> ir.Table:
    """The overperforming benchmarks of every account and format for ``params``, over the frames.

    A benchmark depends on the account's posts and the parameters, not on the level or the period
    kind. ``engines.derive`` computes them when the frames are loaded, for the parameters the
    engine is loaded with (``store_benchmarks``); a scorecard run with those parameters reads that
    table, and one run with others computes them in its query, once for every level (as part of
    the query rather than a table made before it, they run beside its other parts).
    """
    stored = _BENCHMARKS.get(id(con), {}).get(params.digest())
    return stored if stored is not None else _benchmarks_of(_tables(con)["posts"], params)


def store_benchmarks(con: BaseBackend, params: MetricParams) -> None:
    """Compute the benchmarks for ``params`` into a table of ``con`` that ``frame_benchmarks``
    returns from then on (DuckDB stores it; Spark keeps a view, as it does for ``DERIVED``).

    Measured: the full scorecard 0.3 s of CPU lighter, for 0.2 s more when loading
    (docs/performance.md, "Metrics"); a refresh computes them once instead of once per period kind.
    """
    name = f"post_benchmarks_{params.digest()}"
    expr = _benchmarks_of(con.table("posts"), params)
    if con.name == "duckdb":
        con.create_table(name, expr, overwrite=True)
    else:
        con.create_view(name, expr, overwrite=True)
    stored = _BENCHMARKS.get(id(con))
    if stored is None:
        stored = _BENCHMARKS[id(con)] = {}
        weakref.finalize(con, _BENCHMARKS.pop, id(con), None)
    stored[params.digest()] = con.table(name)


#: The benchmark tables ``store_benchmarks`` made, per connection and digest of the parameters.
_BENCHMARKS: dict[int, dict[str, ir.Table]] = {}


def _benchmarks_of(posts: ir.Table, params: MetricParams) -> ir.Table:
    """The benchmarks' expression over the ``posts`` frame (press releases left out)."""
    from govsocial.analyze.metrics.penetration import benchmarks, scored_posts

    posts = scored_posts(_social(posts), params)
    return benchmarks(posts, params)


#: The frames a View holds, as ``register_view`` names its views.
_VIEWED = (*TIMED, "accounts", "periods", "releases", "entities", "account_posts", "account_followers")

#: ``CREATE VIEW`` statements by engine dialect, levels, period kind and jurisdiction.
_VIEW_SQL: dict[tuple[str, tuple[Level, ...], PeriodKind, str], list[str]] = {}


def _create_view(con: BaseBackend, name: str, table: ir.Table) -> str:
    """The statement that (re)creates view ``name`` as ``table`` (Spark's views live in its session)."""
    kind = "TEMPORARY VIEW" if con.name == "pyspark" else "VIEW"
    identifier = sg.to_identifier(name, quoted=True).sql(con.dialect)
    return f"CREATE OR REPLACE {kind} {identifier} AS {con.compile(table)}"


#: The frames' Ibis tables per connection: looking a table up asks the engine for its schema (a
#: query each time on DuckDB, a catalog call on Spark), and a scorecard makes many views.
_TABLES: dict[tuple[int, str], dict[str, ir.Table]] = {}


def _tables(con: BaseBackend, prefix: str = "") -> dict[str, ir.Table]:
    """The frames of ``con`` (or the views of them named with ``prefix``) as Ibis tables, looked
    up once per connection."""
    key = (id(con), prefix)  # backends compare equal by database (every in-memory DuckDB is ":memory:")
    cached = _TABLES.get(key)
    if cached is None:
        if prefix:
            cached = {name: con.table(prefix + name) for name in _VIEWED}
        else:
            names = (*(name for name in TIMED if name not in DERIVED), "accounts", "owners", "periods")
            cached = {name: con.table(name) for name in names}
            for name, (table, _sources) in DERIVED.items():
                try:
                    cached[name] = con.table(table)
                except TableNotFound:  # frames loaded without ``engines``: derive them now
                    from govsocial.analyze.metrics.engines import derive

                    derive(con)
                    cached[name] = con.table(table)
        _TABLES[key] = cached
        weakref.finalize(con, _TABLES.pop, key, None)
    return cached


def derived(name: str, *sources: ir.Table) -> ir.Table:
    """The expression of derived table ``name`` (a key of ``DERIVED``) over its source frames.

    Each does, once for all levels, work that does not depend on the level: which page reply
    answers which citizen comment, each account's follower count and interactions day by day, how
    many comments and threads of each kind an account had each day, how many comments citizens
    wrote on its live posts of each day. Defined with the metrics that use them, and imported when
    called (importing a metric module registers its metrics).
    """
    from govsocial.analyze.metrics.attractiveness import live_days
    from govsocial.analyze.metrics.penetration import fan_days
    from govsocial.analyze.metrics.purpose import comment_threads, thread_days
    from govsocial.analyze.metrics.sums import comment_days

    build: dict[str, Callable[..., ir.Table]] = {
        "threads": comment_threads,
        "fan_days": lambda followers, posts, accounts: fan_days(followers, _social(posts), accounts),
        "comment_days": comment_days,
        "thread_days": thread_days,
        "live_days": lambda posts, comments: live_days(_social(posts), comments),
    }
    return build[name](*sources)


def _social(table: ir.Table) -> ir.Table:
    """The rows of ``table`` (posts or accounts) on social media: press releases left out."""
    return table.filter(~table.platform.isin(RELEASE_PLATFORMS))


def _with_entity(
    table: ir.Table, level: Level, jurisdiction: str, owners: ir.Table | None, accounts: ir.Table
) -> ir.Table:
    """Add ``entity``, the entity's text, to the rows of the accounts that count at ``level``: at
    the account level every account, above it the official ones only (``OFFICIAL_STATUSES``). A
    join only for organisations (an account may have several owners) and for the rows of frames
    without a platform at the platform level; a semi-join for the others (a filter for
    ``accounts`` itself)."""
    if level is Level.ACCOUNT:
        return table.mutate(entity=table.account_id.cast("string"))
    official = accounts.filter(accounts.status.isin(OFFICIAL_STATUSES))
    if level is Level.ORGANISATION:
        assert owners is not None
        owned = owners.semi_join(official.select("account_id"), "account_id")
        return table.inner_join(owned.select("account_id", entity=owned.organisation), "account_id")
    if level is Level.PLATFORM and "platform" not in table.columns:
        # followers and matches: the platform comes from the account
        return table.inner_join(official.select("account_id", entity=official.platform), "account_id")
    if "status" in table.columns:  # the accounts frame: a semi-join with itself would be a filter
        counted = table.filter(table.status.isin(OFFICIAL_STATUSES))
    else:
        counted = table.semi_join(official.select("account_id"), "account_id")
    entity = counted.platform if level is Level.PLATFORM else ibis.literal(jurisdiction)
    return counted.mutate(entity=entity)
