"""The open datasets: whole tables of one jurisdiction, read in batches for bulk download.

A dataset is a fixed list of typed columns and a reader that yields its rows, oldest id first, in
batches (keyset paging on the primary key: each batch is its own short query, so a download never
holds a cursor or a lock while the client reads). The web layer turns the batches into CSV, JSON or
Parquet; the column kinds tell it which cells are text (spreadsheet formula safety applies to those
only) and what Parquet type each column gets.

What is open: the registry (organisations, accounts with their owners, status and evidence), the
stored scorecard values, and the posts of the published accounts with their latest counts and their
followers when posting, as the metrics take them (:func:`followers_at_posting`). Posts are the
government's own publications. Comments and anything about commenters are never part of a dataset.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from govsocial.store import tables as t
from govsocial.store.post_extra import public_extra
from govsocial.store.queries import ACCOUNT_LOADS, SAMPLE_SOURCE, latest_snapshots
from govsocial.store.times import utc

#: Rows per batch: large enough that the per-query cost vanishes, small enough to stay a few MB.
BATCH = 5000
#: How old (in seconds) a profile snapshot may be to stand in for a post's missing follower count at
#: posting: one rule for this download and the metrics' frames (``analyze.extract`` reads it here).
FOLLOWERS_AT_POSTING_REACH = 7 * 24 * 3600

Row = tuple[Any, ...]


class Kind(enum.StrEnum):
    """What a column holds; decides its CSV text, its JSON value and its Parquet type."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    #: A JSON document stored as text (the same text in every format).
    JSON = "json"


@dataclass(frozen=True)
class Column:
    """One column of a dataset: its name, its kind and what it means (English; the portal translates)."""

    name: str
    kind: Kind
    description: str


@dataclass(frozen=True)
class Scope:
    """Which rows a download holds: one jurisdiction, and for metric values one parameter digest."""

    jurisdiction: str
    params: str


@dataclass(frozen=True)
class Dataset:
    """A downloadable table: its name, what it is, its columns, and how to count and read it."""

    name: str
    description: str
    columns: tuple[Column, ...]
    count: Callable[[Session, Scope], int]
    batches: Callable[[Session, Scope, int], Iterator[list[Row]]]

    @property
    def column_names(self) -> list[str]:
        """The header row."""
        return [c.name for c in self.columns]


def _keyset(
    session: Session, query: Select[Any], key: Any, size: int, entities: bool = True
) -> Iterator[Sequence[Any]]:
    """``query``'s rows in batches of ``size``, ordered by the unique ``key`` column: ORM objects, or
    the selected columns as named rows when not ``entities`` (a large table reads faster that way)."""
    last: Any = None
    while True:
        page = (query if last is None else query.where(key > last)).order_by(key).limit(size)
        rows = session.scalars(page).all() if entities else session.execute(page).all()
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], key.key)


def _joined(values: Sequence[str] | None) -> str | None:
    """A list as one cell, ``;``-separated (no code, language or tag contains ``;``)."""
    return ";".join(values) if values else None


def _json_text(value: Any) -> str:
    """A JSON document as compact text with sorted keys, so equal values give equal text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


# --- organisations ------------------------------------------------------------------------------

ORGANISATION_COLUMNS = (
    Column("jurisdiction", Kind.TEXT, "Code of the government the organisation belongs to."),
    Column("code", Kind.TEXT, "The organisation's code, unique within its jurisdiction."),
    Column("org_type", Kind.TEXT, "bureau, department, office, official_post, statutory_body, ..."),
    Column("name_en", Kind.TEXT, "Name in English."),
    Column("name_zh_hant", Kind.TEXT, "Name in Traditional Chinese."),
    Column("name_zh_hans", Kind.TEXT, "Name in Simplified Chinese."),
    Column("parent", Kind.TEXT, "Code of the organisation it belongs to, if any."),
    Column("website", Kind.TEXT, "The organisation's website."),
    Column("source", Kind.TEXT, "Where the registry took the organisation from."),
)


def _organisations(jurisdiction: str) -> Select[Any]:
    return select(t.Organisation).where(t.Organisation.jurisdiction == jurisdiction)


def _organisation_batches(session: Session, scope: Scope, size: int) -> Iterator[list[Row]]:
    # Codes of every organisation, to name parents: the table is small (hundreds of rows).
    rows = session.execute(select(t.Organisation.id, t.Organisation.code))
    parents = {org_id: code for org_id, code in rows}
    for orgs in _keyset(session, _organisations(scope.jurisdiction), t.Organisation.id, size):
        yield [_organisation_row(o, parents) for o in orgs]


def _organisation_row(o: t.Organisation, parents: dict[int, str]) -> Row:
    parent = parents.get(o.parent_id) if o.parent_id is not None else None
    return (
        o.jurisdiction, o.code, str(o.org_type), o.name_en, o.name_zh_hant, o.name_zh_hans,
        parent, o.website, o.source,
    )  # fmt: skip


# --- accounts -----------------------------------------------------------------------------------

ACCOUNT_COLUMNS = (
    Column("id", Kind.INTEGER, "The account's id in this directory and its API."),
    Column("jurisdiction", Kind.TEXT, "Code of the government the account belongs to."),
    Column("platform", Kind.TEXT, "Platform key, e.g. facebook."),
    Column("kind", Kind.TEXT, "What the handle is on its platform: handle, id, custom, user, ..."),
    Column("handle", Kind.TEXT, "The account's handle on its platform."),
    Column("url", Kind.TEXT, "The account's address on its platform."),
    Column("platform_id", Kind.TEXT, "The platform's own id for the account, where known."),
    Column("status", Kind.TEXT, "published (official), under_review or archived."),
    Column("display_name_en", Kind.TEXT, "Display name in English."),
    Column("display_name_zh_hant", Kind.TEXT, "Display name in Traditional Chinese."),
    Column("display_name_zh_hans", Kind.TEXT, "Display name in Simplified Chinese."),
    Column(
        "organisations", Kind.TEXT, "Codes of the owning organisations, main owner first, separated by ;."
    ),
    Column("languages", Kind.TEXT, "Languages the account posts in, separated by ;."),
    Column("tags", Kind.TEXT, "The registry's tags, separated by ;."),
    Column("evidence_url", Kind.TEXT, "The public record that shows the account is official."),
    Column("evidence_note", Kind.TEXT, "What that record says."),
    Column("evidence_date", Kind.DATE, "The date of that record."),
    Column("reviewed_on", Kind.DATE, "When the registry last checked the account."),
    Column("first_seen_on", Kind.DATE, "When the account was first seen."),
    Column("last_seen_on", Kind.DATE, "When the account was last seen."),
    Column("archived_on", Kind.DATE, "When the account was archived, if it was."),
    Column("archived_reason", Kind.TEXT, "Why it was archived."),
)


def _accounts(jurisdiction: str) -> Select[Any]:
    return select(t.Account).where(t.Account.jurisdiction == jurisdiction)


def _account_batches(session: Session, scope: Scope, size: int) -> Iterator[list[Row]]:
    query = _accounts(scope.jurisdiction).options(*ACCOUNT_LOADS)
    for accounts in _keyset(session, query, t.Account.id, size):
        yield [_account_row(a) for a in accounts]


def _account_row(a: t.Account) -> Row:
    owners = [link.organisation.code for link in a.organisations]
    return (
        a.id, a.jurisdiction, a.platform, a.kind, a.handle, a.url, a.platform_id, str(a.status),
        a.display_name_en, a.display_name_zh_hant, a.display_name_zh_hans,
        _joined(owners), _joined(a.languages), _joined(a.tags),
        a.evidence_url, a.evidence_note, a.evidence_date,
        a.reviewed_on, a.first_seen_on, a.last_seen_on, a.archived_on, a.archived_reason,
    )  # fmt: skip


# --- metric values ------------------------------------------------------------------------------

METRIC_VALUE_COLUMNS = (
    Column("jurisdiction", Kind.TEXT, "Code of the government."),
    Column("metric", Kind.TEXT, "The metric's name, as on the How we measure page."),
    Column("level", Kind.TEXT, "account, organisation, platform or government."),
    Column("entity", Kind.TEXT, "Account id, organisation code, platform key or jurisdiction code."),
    Column("period_kind", Kind.TEXT, "day, week, month or year."),
    Column("period", Kind.TEXT, "The calendar period, e.g. 2026-10 or 2026-W40, in the local time zone."),
    Column("value", Kind.NUMBER, "The number; empty where it is undefined (e.g. a division by zero)."),
    Column("inputs", Kind.JSON, "The numbers the value was computed from, as a JSON object."),
    Column("params", Kind.TEXT, "Digest of the parameter set the value was computed with."),
    Column("computed_at", Kind.DATETIME, "When the value was computed (UTC)."),
)


def _metric_values(scope: Scope) -> Select[Any]:
    v = t.MetricValue
    return select(v).where(v.jurisdiction == scope.jurisdiction, v.params == scope.params)


def _metric_value_batches(session: Session, scope: Scope, size: int) -> Iterator[list[Row]]:
    v = t.MetricValue
    # Columns, not ORM objects: the largest dataset, read about twice as fast this way.
    query = select(
        v.id, v.jurisdiction, v.metric, v.level, v.entity, v.period_kind, v.period, v.value,
        v.inputs, v.params, v.computed_at,
    ).where(v.jurisdiction == scope.jurisdiction, v.params == scope.params)  # fmt: skip
    for values in _keyset(session, query, v.id, size, entities=False):
        yield [_metric_value_row(row) for row in values]


def _metric_value_row(row: Any) -> Row:
    _id, *head, inputs, params, computed_at = row
    return (*head, _json_text(inputs or {}), params, utc(computed_at))


# --- posts --------------------------------------------------------------------------------------

POST_COLUMNS = (
    Column("id", Kind.INTEGER, "The post's id in this directory."),
    Column("account_id", Kind.INTEGER, "The id of the account that published it (see accounts)."),
    Column("platform", Kind.TEXT, "Platform key, e.g. facebook."),
    Column("platform_post_id", Kind.TEXT, "The platform's own id for the post."),
    Column("created_at", Kind.DATETIME, "When it was published (UTC)."),
    Column("format", Kind.TEXT, "text, photo, video, link, ..."),
    Column("text", Kind.TEXT, "The post's text, with personal data such as phone numbers removed."),
    Column("url", Kind.TEXT, "The post on its platform."),
    Column("counts_taken_at", Kind.DATETIME, "When the counts below were read (UTC)."),
    Column("likes", Kind.INTEGER, "Likes, or all reactions where the platform has several."),
    Column("comments", Kind.INTEGER, "Comments, as the platform counts them."),
    Column("shares", Kind.INTEGER, "Shares or reposts."),
    Column("views", Kind.INTEGER, "Views, where the platform gives them."),
    Column("reactions", Kind.JSON, "Reactions by type, as a JSON object, where the platform has types."),
    Column("sample", Kind.BOOLEAN, "true for invented demo data, not real activity."),
    # Columns added after the first release come last, each after the one before, so that a reader
    # that takes the columns by position keeps working.
    Column("extra", Kind.JSON, "What the source says beyond these columns, as a JSON object (see the API)."),
    Column(
        "followers_at_posting",
        Kind.INTEGER,
        "The account's followers when it published the post, as the metrics take them: the count the "
        "source gave, else the account's latest count taken at most 7 days before; empty where unknown.",
    ),
)


def _posts(jurisdiction: str) -> Select[Any]:
    """The timeline's posts: not deleted, of the jurisdiction's published accounts only."""
    published = select(t.Account.id).where(
        t.Account.jurisdiction == jurisdiction, t.Account.status == t.AccountStatus.PUBLISHED
    )
    return select(t.Post).where(t.Post.account_id.in_(published), t.Post.deleted_at.is_(None))


def _post_batches(session: Session, scope: Scope, size: int) -> Iterator[list[Row]]:
    for posts in _keyset(session, _posts(scope.jurisdiction), t.Post.id, size):
        counts = latest_snapshots(session, [p.id for p in posts])
        followers = followers_at_posting(session, posts)
        yield [_post_row(p, counts.get(p.id), followers.get(p.id)) for p in posts]


def _post_row(p: t.Post, s: t.PostSnapshot | None, followers: int | None) -> Row:
    counts: Row = (None,) * 6
    if s is not None:
        reactions = _json_text(s.reactions) if s.reactions else None
        counts = (utc(s.taken_at), s.likes, s.comments, s.shares, s.views, reactions)
    return (
        p.id, p.account_id, p.platform, p.post_id, utc(p.created_at), p.format, p.text, p.url,
        *counts, p.source == SAMPLE_SOURCE, _json_text(kept) if (kept := public_extra(p.extra)) else None,
        followers,
    )  # fmt: skip


def followers_at_posting(session: Session, posts: Sequence[t.Post]) -> dict[int, int]:
    """Each post's followers when it was published, by post id, where known, as the metrics take
    them (``analyze.extract``): the count the source gave (``posts.followers_at_posting``), else
    that of the account's latest profile snapshot with a follower count taken at or before the post
    and at most :data:`FOLLOWERS_AT_POSTING_REACH` before it (never a later one).

    One query for the posts without a count of their own (most APIs give none), which finds each
    one's snapshot through the ``(account_id, taken_at)`` index, and one that reads those snapshots.
    """
    found = {p.id: p.followers_at_posting for p in posts if p.followers_at_posting is not None}
    missing = {p.id: p for p in posts if p.followers_at_posting is None}
    if not missing:
        return found
    ps = t.ProfileSnapshot
    latest = (
        select(ps.id)
        .where(
            ps.account_id == t.Post.account_id, ps.followers.is_not(None), ps.taken_at <= t.Post.created_at
        )
        .order_by(ps.taken_at.desc())
        .limit(1)
        .correlate(t.Post)
        .scalar_subquery()
    )
    latest_rows = session.execute(select(t.Post.id, latest).where(t.Post.id.in_(missing)))
    chosen: dict[int, int | None] = {post_id: snapshot for post_id, snapshot in latest_rows}
    ids = [i for i in chosen.values() if i is not None]
    snapshots = (
        session.execute(select(ps.id, ps.taken_at, ps.followers).where(ps.id.in_(ids))).all() if ids else []
    )
    by_id = {row.id: row for row in snapshots}
    for post_id, snapshot_id in chosen.items():
        snapshot = by_id.get(snapshot_id) if snapshot_id is not None else None
        if (
            snapshot is not None
            and _age(missing[post_id].created_at, snapshot.taken_at) <= FOLLOWERS_AT_POSTING_REACH
        ):
            found[post_id] = snapshot.followers
    return found


def _age(posted: dt.datetime, taken: dt.datetime) -> int:
    """Seconds from a snapshot to a post, in whole epoch seconds as the metrics count them."""
    return math.floor(utc(posted).timestamp()) - math.floor(utc(taken).timestamp())


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "organisations",
            "Bureaux, departments, offices and other bodies of the government.",
            ORGANISATION_COLUMNS,
            lambda session, scope: _count(session, _organisations(scope.jurisdiction)),
            _organisation_batches,
        ),
        Dataset(
            "accounts",
            "Every account in the registry, with its owners, status and the evidence that it is official.",
            ACCOUNT_COLUMNS,
            lambda session, scope: _count(session, _accounts(scope.jurisdiction)),
            _account_batches,
        ),
        Dataset(
            "metric_values",
            "Every stored value of the scorecard, with the inputs it was computed from.",
            METRIC_VALUE_COLUMNS,
            lambda session, scope: _count(session, _metric_values(scope)),
            _metric_value_batches,
        ),
        Dataset(
            "posts",
            "What the official accounts published, with the latest counts. Never comments or commenters.",
            POST_COLUMNS,
            lambda session, scope: _count(session, _posts(scope.jurisdiction)),
            _post_batches,
        ),
    )
}


def has_sample(session: Session, jurisdiction: str) -> bool:
    """Whether the posts dataset of ``jurisdiction`` holds invented demo posts."""
    query = _posts(jurisdiction).where(t.Post.source == SAMPLE_SOURCE)
    return bool(session.scalar(select(exists(query))))
