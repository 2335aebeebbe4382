"""A view: the frames cut for one level (who) and one period kind (when).

Every frame in a view has an ``entity`` column (the account id, organisation key, platform key or
jurisdiction code) and, where it has a time, a ``period`` column (the day, ISO week, month or year
in the jurisdiction's time zone). Metrics group by ``entity`` and ``period`` and know nothing else
about levels, which is what lets one definition serve every level.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import ibis

from govsocial.analyze.metrics.model import Level, PeriodKind

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

#: Tables with a time, which get a ``period`` column.
TIMED = ("posts", "comments", "followers", "matches")


@dataclasses.dataclass(frozen=True)
class View:
    """The frames of one level and period kind, as Ibis tables on one backend."""

    level: Level
    period_kind: PeriodKind
    jurisdiction: str
    population: int | None
    accounts: ir.Table
    posts: ir.Table
    comments: ir.Table
    followers: ir.Table
    matches: ir.Table
    periods: ir.Table

    def table(self, name: str) -> ir.Table:
        """A frame of this view by name."""
        value: ir.Table = getattr(self, name)
        return value


def make_view(
    con: BaseBackend, level: Level, period_kind: PeriodKind, jurisdiction: str, population: int | None
) -> View:
    """Cut the frames on ``con`` (tables named as in ``frames.SCHEMAS``) for a level and period kind."""
    owners = con.table("owners") if level is Level.ORGANISATION else None
    accounts = con.table("accounts")
    tables = {
        name: _with_entity(con.table(name), level, jurisdiction, owners, accounts)
        for name in (*TIMED, "accounts")
    }
    for name in TIMED:
        tables[name] = tables[name].mutate(period=tables[name][str(period_kind)])
    periods = con.table("periods").filter(ibis._.kind == str(period_kind)).drop("kind")
    return View(level, period_kind, jurisdiction, population, periods=periods, **tables)


def _with_entity(
    table: ir.Table,
    level: Level,
    jurisdiction: str,
    owners: ir.Table | None,
    platforms: ir.Table | None = None,
) -> ir.Table:
    """Add ``entity``: a join only for organisations (an account may have several owners)."""
    if level is Level.ORGANISATION:
        assert owners is not None
        pairs = owners.select("account_id", entity=owners.organisation)
        return table.inner_join(pairs, "account_id")
    if level is Level.ACCOUNT:
        return table.mutate(entity=table.account_id.cast("string"))
    if level is Level.PLATFORM:
        if "platform" in table.columns:
            return table.mutate(entity=table.platform)
        assert platforms is not None  # followers and matches: the platform comes from the account
        return table.inner_join(platforms.select("account_id", entity=platforms.platform), "account_id")
    return table.mutate(entity=ibis.literal(jurisdiction))
