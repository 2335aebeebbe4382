"""The store -> the analytic frames of one jurisdiction (``frames.Frames``).

Reads with SQLAlchemy Core, in chunks (``yield_per``; a server-side cursor on PostgreSQL), and
turns each chunk into Arrow columns at once, so a million posts and ten million comments pass
through without ever being Python objects all at the same time. Times are converted to epoch
seconds by the database (SQLite ``strftime('%s')``, PostgreSQL ``extract(epoch)``); the calendar
columns are cut afterwards, in the jurisdiction's time zone, by ``frames.calendar``.

What each frame takes from the store:

- ``accounts``: every account of the jurisdiction, whatever its status. Press-release feeds
  (platform ``rss``) are accounts too, and their items are rows of ``posts`` with platform
  ``rss``: the share of releases followed on social media counts them, by the feed's owner.
  Metrics about social media posts leave them out (``View.posts`` excludes them; ``View.releases``).
- ``owners``: ``account_organisations`` with the organisation's code and kind.
- ``followers``: every ``profile_snapshots`` row with a follower count, account by account in
  time order.
- ``posts``: each post with its latest ``post_snapshots`` row. Facebook's reactions are spread
  into ``like`` ... ``care``, and ``reactions`` is their sum; where a platform has no reaction
  types, ``reactions`` and ``like`` are its likes. Where the store has no follower count at
  posting (most APIs do not give one), it is taken from the latest profile snapshot of the
  account taken at most ``FOLLOWERS_AT_POSTING_REACH`` before the post (never one taken after:
  a later count is what the ``latest`` basis is for). Deleted posts are kept: they were
  published. ``text_length``, ``has_link``, ``links_eservice`` and ``invites_response`` come
  from ``signals``, with the jurisdiction's ``eservice_domains``.
- ``comments``: every comment and reply on those posts, account by account in time order, with
  ``key`` (the platform's comment id), ``parent`` (the id of the comment it answers),
  ``is_page_reply``, ``deleted`` and ``is_question`` (from ``signals``), and ``sentiment`` /
  ``sentiment_score`` from ``comment_sentiments`` where the stored score is of the comment's
  current text (``comment_sentiment.score_comments`` keeps them up to date; the refresh calls it
  first).
- ``matches``: ``matching.match`` of the jurisdiction's press releases against the social posts
  of its official accounts (published or archived: ``OFFICIAL_STATUSES``), with the parameters'
  ``timeliness_max_hours`` and ``timeliness_similarity``. A post of an account under review is
  not the government retelling a release: counted first, it would stand in for the official
  post that came after it, which the timeliness metrics of every level above the account measure.
- ``periods``: ``frames.periods`` of all of it.

Every frame comes in an order set here, never the store's: SQLite and PostgreSQL return unordered
rows differently, and sums of floats depend on the order they are added in, so the same activity
would give values that differ in the last digits from one store to the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import BigInteger, ColumnElement, Connection, Engine, Select, and_, cast, func, select

from govsocial.analyze import frames as F
from govsocial.analyze import matching, signals
from govsocial.analyze.metrics.params import MetricParams
from govsocial.errors import NotFoundError
from govsocial.store import tables as t
from govsocial.store.open_data import FOLLOWERS_AT_POSTING_REACH  # one rule with the posts download

#: Platforms whose "posts" are press releases, not social media posts.
RELEASE_PLATFORMS = ("rss",)
#: The statuses of the accounts whose posts may retell a press release (``matches``): the official
#: ones, as the metrics count them above the account level (``metrics.common.OFFICIAL_STATUSES``).
OFFICIAL_STATUSES = (t.AccountStatus.PUBLISHED, t.AccountStatus.ARCHIVED)
#: Rows read and converted at a time.
CHUNK = 50_000
REACTIONS = ("like", "love", "haha", "wow", "sad", "angry", "care")
_COUNTS = ("comments", "shares", "views", "quotes", "replies", "clicks")

_accounts = t.Account.__table__
_owners = t.AccountOrganisation.__table__
_organisations = t.Organisation.__table__
_profiles = t.ProfileSnapshot.__table__
_posts = t.Post.__table__
_snapshots = t.PostSnapshot.__table__
_comments = t.Comment.__table__
_sentiments = t.CommentSentiment.__table__


@dataclass(frozen=True)
class Place:
    """What extraction needs to know about the jurisdiction."""

    code: str
    timezone: str
    population: int | None
    eservice_domains: tuple[str, ...]


def extract(
    engine: Engine, jurisdiction: str, params: MetricParams | None = None, chunk: int = CHUNK
) -> F.Frames:
    """The analytic frames of ``jurisdiction``'s activity in the store (see the module docstring)."""
    params = params or MetricParams()
    with engine.connect() as connection:
        place = jurisdiction_of(connection, jurisdiction)
        reader = _Reader(connection, place, chunk)
        tables = {
            "accounts": reader.accounts(),
            "owners": reader.owners(),
            "followers": reader.followers(),
        }
        tables["posts"] = reader.posts(tables["followers"])
        tables["comments"] = reader.comments()
        tables["matches"] = reader.matches(params)
    tables["periods"] = F.periods(tables, place.timezone)
    frames = F.Frames(place.code, place.population, tables)
    frames.validate()
    return frames


def jurisdiction_of(connection: Connection, code: str) -> Place:
    """The jurisdiction's time zone, population and e-service domains; NotFoundError if absent."""
    row = connection.execute(
        select(
            t.Jurisdiction.code,
            t.Jurisdiction.timezone,
            t.Jurisdiction.population,
            t.Jurisdiction.eservice_domains,
        ).where(t.Jurisdiction.code == code)
    ).first()
    if row is None:
        raise NotFoundError(f"jurisdiction {code!r} is not in the store (run `govsocial registry load`)")
    return Place(row.code, row.timezone, row.population, tuple(row.eservice_domains or ()))


# --- Reading --------------------------------------------------------------------------------------


class _Reader:
    """Chunked reads of one jurisdiction's rows, each chunk turned into Arrow columns."""

    def __init__(self, connection: Connection, place: Place, chunk: int) -> None:
        self.connection = connection
        self.place = place
        self.chunk = chunk
        self.dialect = connection.dialect.name

    def _ours(self) -> ColumnElement[bool]:
        return _accounts.c.jurisdiction == self.place.code

    def _epoch(self, column: Any) -> Any:
        """Epoch seconds of a stored time, computed by the database."""
        if self.dialect == "sqlite":  # times are stored as UTC text: 'YYYY-MM-DD HH:MM:SS.ffffff'
            return cast(func.strftime("%s", column), BigInteger).label("ts")
        return cast(func.floor(func.extract("epoch", column)), BigInteger).label("ts")

    def _columns(self, statement: Select[Any]) -> Iterator[list[Sequence[Any]]]:
        """The result in chunks, each as a list of columns."""
        result = self.connection.execution_options(stream_results=True, yield_per=self.chunk).execute(
            statement
        )
        width = len(result.keys())
        for part in result.partitions():
            yield list(zip(*part, strict=True)) if part else [() for _ in range(width)]

    def _table(self, name: str, statement: Select[Any], convert: Any) -> pa.Table:
        batches = [convert(columns) for columns in self._columns(statement)]
        if not batches:
            return F.empty(name)
        table = pa.concat_tables(batches)
        if "day" in F.SCHEMAS[name].names:
            table = _with_calendar(table, self.place.timezone)
        return table.select(F.SCHEMAS[name].names).cast(F.SCHEMAS[name])

    def accounts(self) -> pa.Table:
        statement = select(
            _accounts.c.id,
            _accounts.c.platform,
            _accounts.c.handle,
            _accounts.c.status,
            _accounts.c.jurisdiction,
        ).where(self._ours())

        def convert(c: list[Sequence[Any]]) -> pa.Table:
            return pa.table(
                {
                    "account_id": pa.array(c[0], pa.int64()),
                    "platform": pa.array(c[1], pa.string()),
                    "handle": pa.array(c[2], pa.string()),
                    "status": pa.array([str(s) for s in c[3]], pa.string()),
                    "jurisdiction": pa.array(c[4], pa.string()),
                }
            )

        return self._table("accounts", statement.order_by(_accounts.c.id), convert)

    def owners(self) -> pa.Table:
        statement = (
            select(_owners.c.account_id, _organisations.c.code, _organisations.c.org_type)
            .join(_organisations, _organisations.c.id == _owners.c.organisation_id)
            .join(_accounts, _accounts.c.id == _owners.c.account_id)
            .where(self._ours())
            .order_by(_owners.c.account_id, _owners.c.position)
        )

        def convert(c: list[Sequence[Any]]) -> pa.Table:
            return pa.table(
                {
                    "account_id": pa.array(c[0], pa.int64()),
                    "organisation": pa.array(c[1], pa.string()),
                    "organisation_kind": pa.array([str(k) for k in c[2]], pa.string()),
                }
            )

        return self._table("owners", statement, convert)

    def followers(self) -> pa.Table:
        statement = (
            select(_profiles.c.account_id, self._epoch(_profiles.c.taken_at), _profiles.c.followers)
            .join(_accounts, _accounts.c.id == _profiles.c.account_id)
            .where(self._ours(), _profiles.c.followers.is_not(None))
            # A defined order, the same on every store: without one SQLite gives the rows in the
            # order of its join and PostgreSQL in that of its heap, and DuckDB's sums of floats
            # (and the follower count at posting, to the second) would differ in the last digits.
            .order_by(_profiles.c.account_id, _profiles.c.taken_at)
        )

        def convert(c: list[Sequence[Any]]) -> pa.Table:
            return pa.table(
                {
                    "account_id": pa.array(c[0], pa.int64()),
                    "ts": pa.array(c[1], pa.int64()),
                    "followers": pa.array(c[2], pa.int64()),
                }
            )

        return self._table("followers", statement, convert)

    def releases(self) -> list[matching.Item]:
        """The jurisdiction's press releases (posts of its ``rss`` accounts), oldest first."""
        statement = (
            select(_posts.c.id, _posts.c.account_id, self._epoch(_posts.c.created_at), _posts.c.text)
            .join(_accounts, _accounts.c.id == _posts.c.account_id)
            .where(_accounts.c.jurisdiction == self.place.code, _accounts.c.platform.in_(RELEASE_PLATFORMS))
        )
        items = [
            matching.Item(int(i), int(a), int(ts), text)
            for c in self._columns(statement)
            for i, a, ts, text in zip(*c, strict=True)
        ]
        return sorted(items, key=lambda item: (item.ts, item.post_id))

    def posts(self, followers: pa.Table) -> pa.Table:
        """The posts frame: each post with its latest snapshot and its text signals."""
        latest = (
            select(_snapshots.c.post_id, func.max(_snapshots.c.taken_at).label("taken_at"))
            .group_by(_snapshots.c.post_id)
            .subquery("latest")
        )
        statement = (
            select(
                _posts.c.id,
                _posts.c.account_id,
                _posts.c.platform,
                self._epoch(_posts.c.created_at),
                _posts.c.format,
                _posts.c.text,
                _posts.c.url,
                _posts.c.link,
                _posts.c.followers_at_posting,
                _snapshots.c.reactions,
                _snapshots.c.likes,
                *(_snapshots.c[name] for name in _COUNTS),
            )
            .join(_accounts, _accounts.c.id == _posts.c.account_id)
            .outerjoin(latest, latest.c.post_id == _posts.c.id)
            .outerjoin(
                _snapshots,
                and_(_snapshots.c.post_id == latest.c.post_id, _snapshots.c.taken_at == latest.c.taken_at),
            )
            .where(self._ours())
            # Each account's posts together, in time order (index ix_posts_account_created): the
            # metrics group posts by account, which DuckDB does faster over rows kept together
            # (measured: the full scorecard 0.05-0.1 s faster; docs/performance.md, "Metrics").
            .order_by(_posts.c.account_id, _posts.c.created_at, _posts.c.id)
        )
        domains = self.place.eservice_domains
        table = self._table("posts", statement, lambda c: _post_chunk(c, domains))
        return _fill_followers_at_posting(table, followers)

    def matches(self, params: MetricParams) -> pa.Table:
        """Each press release matched to the first social post on its subject (``matching``)."""
        releases = self.releases()
        if not releases:
            return F.empty("matches")
        found = matching.match(
            releases,
            self._retellings(releases, int(params.timeliness_max_hours * 3600)),
            params.timeliness_max_hours,
            params.timeliness_similarity,
            presorted=True,
        )
        return matching.to_frame(found, self.place.timezone)

    def _retellings(self, releases: list[matching.Item], seconds: int) -> Iterator[matching.Item]:
        """Social posts with text that fall in a release's window, in time order, streamed."""
        times = [r.ts for r in releases]
        epoch = self._epoch(_posts.c.created_at)
        statement = (
            select(_posts.c.id, _posts.c.account_id, epoch, _posts.c.text)
            .join(_accounts, _accounts.c.id == _posts.c.account_id)
            .where(
                self._ours(),
                _accounts.c.platform.not_in(RELEASE_PLATFORMS),
                _accounts.c.status.in_(OFFICIAL_STATUSES),
                _posts.c.text.is_not(None),
            )
            .order_by(_posts.c.created_at, _posts.c.id)
        )
        for c in self._columns(statement):
            for i, a, ts, text in zip(*c, strict=True):
                if matching.in_windows(times, ts, seconds):
                    yield matching.Item(int(i), int(a), int(ts), text[: matching.TEXT_CHARS])

    def comments(self) -> pa.Table:
        statement = (
            select(
                _comments.c.id,
                _comments.c.post_id,
                _posts.c.account_id,
                _comments.c.platform,
                self._epoch(_comments.c.created_at),
                _comments.c.comment_id,
                _comments.c.parent_comment_id,
                _comments.c.is_page_reply,
                _comments.c.text,
                _comments.c.deleted_at.is_not(None),
                _comments.c.author,
                _sentiments.c.label,
                _sentiments.c.score,
                _comments.c.is_question,
            )
            .join(_posts, _posts.c.id == _comments.c.post_id)
            .join(_accounts, _accounts.c.id == _posts.c.account_id)
            # A score of an older text of the comment is no score: it waits for the next scoring.
            .outerjoin(
                _sentiments,
                and_(
                    _sentiments.c.comment_id == _comments.c.id,
                    _sentiments.c.content_hash == _comments.c.content_hash,
                ),
            )
            .where(self._ours())
            # Each account's comments together, in time order, the same on every store (see
            # ``followers``): the sums of sentiment scores and response times follow this order.
            .order_by(_posts.c.account_id, _comments.c.created_at, _comments.c.id)
        )

        def convert(c: list[Sequence[Any]]) -> pa.Table:
            texts = pa.array(c[8], pa.string())
            return pa.table(
                {
                    "comment_id": pa.array(c[0], pa.int64()),
                    "post_id": pa.array(c[1], pa.int64()),
                    "account_id": pa.array(c[2], pa.int64()),
                    "platform": pa.array(c[3], pa.string()),
                    "ts": pa.array(c[4], pa.int64()),
                    "key": pa.array(c[5], pa.string()),
                    "parent": pa.array(c[6], pa.string()),
                    "is_page_reply": _bools(c[7]),
                    # A purged text (docs/privacy.md) left its is_question behind; others are read.
                    "is_question": _questions(c[13], texts),
                    "deleted": _bools(c[9]),
                    "author": pa.array(c[10], pa.string()),
                    "sentiment": pa.array(c[11], pa.string()),
                    "sentiment_score": pa.array(c[12], pa.float64()),
                }
            )

        return self._table("comments", statement, convert)


# --- Converting -----------------------------------------------------------------------------------


def _questions(kept: Sequence[Any], texts: pa.Array) -> pa.Array:
    """Whether each comment asks something: what purging its text kept, else read from the text."""
    return pc.coalesce(pa.array(kept, pa.bool_()), signals.is_question_column(texts))


def _bools(values: Sequence[Any]) -> pa.Array:
    # SQLite gives 0/1, PostgreSQL True/False; a missing flag is False.
    return pc.fill_null(
        pc.cast(pa.array([None if v is None else int(v) for v in values], pa.int8()), pa.bool_()), False
    )


def _post_chunk(c: list[Sequence[Any]], domains: Sequence[str]) -> pa.Table:
    """One chunk of post rows (see ``_Reader.posts`` for the column order) as Arrow columns."""
    texts = pa.array(c[5], pa.string())
    links = pa.array(c[7], pa.string())
    counts = _reaction_columns(c[9], c[10])
    columns: dict[str, pa.Array] = {
        "post_id": pa.array(c[0], pa.int64()),
        "account_id": pa.array(c[1], pa.int64()),
        "platform": pa.array(c[2], pa.string()),
        "ts": pa.array(c[3], pa.int64()),
        "format": pa.array(c[4], pa.string()),
        "text_length": signals.text_length_column(texts),
        "has_link": signals.has_link_column(texts, links),
        "links_eservice": signals.links_eservice_column(texts, links, domains),
        "invites_response": signals.invites_response_column(texts),
        "url": pa.array(c[6], pa.string()),
        "followers_at_posting": pa.array(c[8], pa.int64()),
        **{name: pa.array(values, pa.int64()) for name, values in counts.items()},
        **{name: pa.array(c[11 + i], pa.int64()) for i, name in enumerate(_COUNTS)},
    }
    return pa.table(columns)


def _reaction_columns(reactions: Sequence[Any], likes: Sequence[Any]) -> dict[str, list[int | None]]:
    """``reactions`` (all of them), ``like`` and each reaction type, from the snapshot's JSON."""
    out: dict[str, list[int | None]] = {name: [] for name in ("reactions", *REACTIONS)}
    for by_type, n_likes in zip(reactions, likes, strict=True):
        if by_type:
            known = [by_type.get(kind) for kind in REACTIONS]
            given = [int(v) for v in known if v is not None]
            # All reactions without their types (Meta Business Suite's "Reactions").
            total = by_type.get(t.REACTIONS_TOTAL) if not given else None
            out["reactions"].append(sum(given) if total is None else int(total))
            for kind, value in zip(REACTIONS, known, strict=True):
                out[kind].append(value)
            if known[0] is None:  # no Like count by type: the platform's likes are the Likes
                out["like"][-1] = n_likes
        else:  # no reaction types on this platform (or not given): likes are the reactions
            out["reactions"].append(n_likes)
            out["like"].append(n_likes)
            for kind in REACTIONS[1:]:
                out[kind].append(None)
    return out


def _with_calendar(table: pa.Table, timezone: str) -> pa.Table:
    for name, column in F.calendar(table.column("ts"), timezone).items():
        table = table.append_column(name, column)
    return table


def _fill_followers_at_posting(posts: pa.Table, followers: pa.Table) -> pa.Table:
    """Fill a missing follower count at posting from the account's latest earlier snapshot."""
    given = posts.column("followers_at_posting")
    if posts.num_rows == 0 or followers.num_rows == 0 or given.null_count == 0:
        return posts
    # One sorted key per snapshot, account first: a search finds the latest snapshot at or
    # before each post in the same account without a join.
    shift = np.int64(1) << 34  # epoch seconds stay below 2^34 until the year 2514
    snap_account = followers.column("account_id").to_numpy()
    snap_ts = followers.column("ts").to_numpy()
    snap_keys = snap_account * shift + snap_ts
    order = np.argsort(snap_keys, kind="stable")
    snap_keys, snap_account, snap_ts = snap_keys[order], snap_account[order], snap_ts[order]
    snap_followers = followers.column("followers").to_numpy()[order]
    post_account = posts.column("account_id").to_numpy()
    post_ts = posts.column("ts").to_numpy()
    at = np.searchsorted(snap_keys, post_account * shift + post_ts, side="right") - 1
    found = at >= 0
    at = np.where(found, at, 0)
    usable = (
        found & (snap_account[at] == post_account) & (post_ts - snap_ts[at] <= FOLLOWERS_AT_POSTING_REACH)
    )
    fill = pa.array(snap_followers[at], pa.int64(), mask=~usable)
    filled = pc.coalesce(given, fill)
    index = posts.schema.get_field_index("followers_at_posting")
    return posts.set_column(index, "followers_at_posting", filled)
