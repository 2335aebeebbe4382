"""Read queries shared by the HTML pages and the JSON API (templates never query).

Each list query takes a filter object and returns a ``Page``: the rows of one page and the
total count, which is what the API's ``{"data": [...], "count": N}`` envelope needs.
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Select, String, and_, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from govsocial.errors import NotFoundError
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import UNICODE_LOWER
from govsocial.store.times import utc

T = TypeVar("T")

#: The largest id a query takes: PostgreSQL's ``integer``, the type of every id column (a larger
#: number is an error on PostgreSQL, and above 2**63 - 1 on SQLite too).
MAX_ID = 2**31 - 1


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits.

    ``str.isdigit`` alone never checks input: it is also true of "²" (which ``int`` refuses) and of
    the full-width "５" (which ``int`` reads as 5, so "３" would name account 3).
    """
    return text.isascii() and text.isdigit()


def parse_id(text: str) -> int | None:
    """``text`` as a row id: ASCII digits from 1 to ``MAX_ID``; None for anything else."""
    if not ascii_digits(text) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the total number of matches."""

    items: list[T]
    count: int


class Activity(enum.StrEnum):
    """Whether an official account has posted lately (the directory's active/dormant filter)."""

    ACTIVE = "active"
    DORMANT = "dormant"


@dataclass(frozen=True)
class ActivityWindow:
    """Official accounts that posted (``ACTIVE``) or did not (``DORMANT``) at or after ``since``."""

    activity: Activity
    since: dt.datetime


@dataclass(frozen=True)
class AccountFilter:
    """Which accounts to list; every field narrows, None means any."""

    jurisdiction: str | None = None
    platform: str | None = None
    org_type: t.OrgType | None = None
    organisation: str | None = None
    status: t.AccountStatus | None = None
    q: str | None = None
    activity: ActivityWindow | None = None


@dataclass(frozen=True)
class OrganisationFilter:
    """Which organisations to list; ``platform`` keeps those with an account there, ``activity``
    those with an official account that is active (or dormant)."""

    jurisdiction: str | None = None
    org_type: t.OrgType | None = None
    platform: str | None = None
    q: str | None = None
    with_accounts: bool = False
    activity: ActivityWindow | None = None


def activity_since(session: Session, jurisdiction: str, days: int) -> dt.datetime:
    """The start of the activity window: ``days`` before the jurisdiction's newest collected post.

    Measured from the newest post rather than from today, so that a collection that stopped (or
    the demo's fixed dataset) does not turn every account dormant at once.
    """
    newest = session.scalar(
        select(func.max(t.Post.created_at)).join(t.Account).where(t.Account.jurisdiction == jurisdiction)
    )
    end = newest if newest is not None else dt.datetime.now(dt.UTC)
    return end - dt.timedelta(days=days)


def accounts_in_window(session: Session, account_ids: Sequence[int], window: ActivityWindow) -> set[int]:
    """Which of ``account_ids`` are active (or dormant) in ``window``."""
    query = select(t.Account.id).where(t.Account.id.in_(account_ids), activity_clause(window))
    return set(session.scalars(query))


def activity_clause(window: ActivityWindow) -> ColumnElement[bool]:
    """Official accounts (``t.Account`` rows) that did, or did not, post in ``window``."""
    posted = exists(
        select(t.Post.id).where(t.Post.account_id == t.Account.id, t.Post.created_at >= window.since)
    )
    official = t.Account.status == t.AccountStatus.PUBLISHED
    return and_(official, posted if window.activity is Activity.ACTIVE else ~posted)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.strip().lstrip('@')}%"


class unicode_lower(FunctionElement[str]):
    """``lower()`` of every letter on every store: PostgreSQL's own; on SQLite the function that
    ``db.make_engine`` registers (SQLite's own changes ASCII letters only)."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower)
def _lower_default(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{UNICODE_LOWER}({compiler.process(element.clauses, **kw)})"


def text_match(q: str, *columns: Any) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``q`` (a leading "@" dropped), whatever the case of any letter;
    ``%``, ``_`` and ``\\`` in ``q`` are plain characters, on both stores.

    Full-width letters and digits ("ＰＯＬＩＣＥ") match as their plain forms: ``q`` matches as given
    or in Unicode NFKC form. Both, because the stored names are kept as written, not NFKC-normalised:
    a name with a full-width bracket "（" is still found by a query that has one. (Only NFKC, not
    casefold: names are compared lowered, and "ß" lowered stays "ß" where casefold makes it "ss".)
    """
    forms = dict.fromkeys((q, unicodedata.normalize("NFKC", q)))
    return or_(*(_contains(form, columns) for form in forms))


def _contains(q: str, columns: Sequence[Any]) -> ColumnElement[bool]:
    pattern = _like(q)
    if not any(not c.isascii() and c.lower() != c.upper() for c in pattern):
        return or_(*(column.ilike(pattern, escape="\\") for column in columns))
    # A letter beyond ASCII (Ā, É, Ж): SQLite's ILIKE would match it in its own case only, where
    # PostgreSQL's matches either case. Both sides lowered by Python's rules on SQLite, PostgreSQL's
    # own elsewhere; ASCII-only queries keep the plain ILIKE (no Python call per row on SQLite).
    return or_(*(unicode_lower(column).like(pattern.lower(), escape="\\") for column in columns))


def _org_text(q: str) -> ColumnElement[bool]:
    o = t.Organisation
    return text_match(q, o.code, o.name_en, o.name_zh_hant, o.name_zh_hans)


def _account_text(q: str) -> ColumnElement[bool]:
    a = t.Account
    own = text_match(q, a.handle, a.url, a.display_name_en, a.display_name_zh_hant, a.display_name_zh_hans)
    owner = select(t.AccountOrganisation.account_id).join(t.Organisation).where(_org_text(q))
    return or_(own, a.id.in_(owner))


def _account_query(f: AccountFilter) -> Select[t.Account]:
    query = select(t.Account)
    if f.jurisdiction:
        query = query.where(t.Account.jurisdiction == f.jurisdiction)
    if f.platform:
        query = query.where(t.Account.platform == f.platform)
    if f.status:
        query = query.where(t.Account.status == f.status)
    if f.org_type or f.organisation:
        owners = select(t.AccountOrganisation.account_id).join(t.Organisation)
        if f.org_type:
            owners = owners.where(t.Organisation.org_type == f.org_type)
        if f.organisation:
            owners = owners.where(t.Organisation.code == f.organisation)
        query = query.where(t.Account.id.in_(owners))
    if f.q:
        query = query.where(_account_text(f.q))
    if f.activity:
        query = query.where(activity_clause(f.activity))
    return query


def _page(session: Session, query: Select[T], order: Sequence[Any], limit: int, offset: int) -> Page[T]:
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.order_by(*order).limit(limit).offset(offset)).all())
    return Page(items, count)


ACCOUNT_LOADS = (selectinload(t.Account.organisations).selectinload(t.AccountOrganisation.organisation),)


def list_accounts(session: Session, f: AccountFilter, limit: int = 50, offset: int = 0) -> Page[t.Account]:
    """Accounts matching ``f``, by platform and handle."""
    query = _account_query(f).options(*ACCOUNT_LOADS)
    return _page(session, query, (t.Account.platform, t.Account.key, t.Account.id), limit, offset)


def _organisation_query(f: OrganisationFilter) -> Select[t.Organisation]:
    query = select(t.Organisation)
    if f.jurisdiction:
        query = query.where(t.Organisation.jurisdiction == f.jurisdiction)
    if f.org_type:
        query = query.where(t.Organisation.org_type == f.org_type)
    if f.platform or f.with_accounts or f.activity:
        link = (
            select(t.AccountOrganisation)
            .join(t.Account)
            .where(t.AccountOrganisation.organisation_id == t.Organisation.id)
        )
        if f.platform:
            link = link.where(t.Account.platform == f.platform)
        if f.activity:
            link = link.where(activity_clause(f.activity))
        query = query.where(exists(link))
    if f.q:
        has_account = select(t.AccountOrganisation.organisation_id).join(t.Account).where(_account_text(f.q))
        query = query.where(or_(_org_text(f.q), t.Organisation.id.in_(has_account)))
    return query


def list_organisations(
    session: Session, f: OrganisationFilter, limit: int = 50, offset: int = 0
) -> Page[t.Organisation]:
    """Organisations matching ``f``, by English name."""
    query = _organisation_query(f).options(selectinload(t.Organisation.parent))
    return _page(session, query, (t.Organisation.name_en, t.Organisation.id), limit, offset)


def accounts_by_organisation(session: Session, organisation_ids: Sequence[int]) -> dict[int, list[t.Account]]:
    """The accounts of each organisation, published first, then by platform."""
    rows = session.execute(
        select(t.AccountOrganisation.organisation_id, t.Account)
        .join(t.Account, t.Account.id == t.AccountOrganisation.account_id)
        .where(t.AccountOrganisation.organisation_id.in_(organisation_ids))
        .order_by(t.Account.status != t.AccountStatus.PUBLISHED, t.Account.platform, t.Account.key)
    ).all()
    result: dict[int, list[t.Account]] = {oid: [] for oid in organisation_ids}
    for organisation_id, account in rows:
        result[organisation_id].append(account)
    return result


def get_organisation(session: Session, jurisdiction: str, code: str) -> t.Organisation:
    """One organisation by code; ``NotFoundError`` if there is none."""
    query = select(t.Organisation).where(
        t.Organisation.jurisdiction == jurisdiction, t.Organisation.code == code
    )
    organisation = session.scalars(query.options(selectinload(t.Organisation.parent))).one_or_none()
    if organisation is None:
        raise NotFoundError(f"no organisation {code!r} in jurisdiction {jurisdiction!r}")
    return organisation


def get_account(session: Session, account_id: int) -> t.Account:
    """One account by id; ``NotFoundError`` if there is none."""
    account = session.get(t.Account, account_id, options=[*ACCOUNT_LOADS, selectinload(t.Account.addresses)])
    if account is None:
        raise NotFoundError(f"no account {account_id}")
    return account


def children(session: Session, organisation_id: int) -> list[t.Organisation]:
    """Organisations whose parent is ``organisation_id``."""
    query = select(t.Organisation).where(t.Organisation.parent_id == organisation_id)
    return list(session.scalars(query.order_by(t.Organisation.name_en)).all())


def facts(session: Session, organisation_id: int) -> list[t.OrganisationFact]:
    """Accounts a source says the organisation has, without a confirmed address."""
    query = select(t.OrganisationFact).where(t.OrganisationFact.organisation_id == organisation_id)
    return list(session.scalars(query.order_by(t.OrganisationFact.platform, t.OrganisationFact.id)).all())


def platforms(session: Session) -> list[t.Platform]:
    """The platform catalogue rows, in display order."""
    return list(session.scalars(select(t.Platform).order_by(t.Platform.position, t.Platform.key)).all())


def jurisdictions(session: Session) -> list[t.Jurisdiction]:
    """Every jurisdiction in the store."""
    return list(session.scalars(select(t.Jurisdiction).order_by(t.Jurisdiction.code)).all())


def get_jurisdiction(session: Session, code: str) -> t.Jurisdiction:
    """One jurisdiction; ``NotFoundError`` if absent."""
    row = session.get(t.Jurisdiction, code)
    if row is None:
        raise NotFoundError(f"no jurisdiction {code!r}; load the registry first (govsocial registry load)")
    return row


def headline(session: Session, jurisdiction: str) -> dict[str, int]:
    """Whole-government figures for the home page."""
    a = t.Account
    by_status = dict(
        session.execute(
            select(a.status, func.count()).where(a.jurisdiction == jurisdiction).group_by(a.status)
        ).all()
    )
    organisations = session.scalar(
        select(func.count()).select_from(t.Organisation).where(t.Organisation.jurisdiction == jurisdiction)
    )
    used = session.scalar(
        select(func.count(func.distinct(a.platform))).where(
            a.jurisdiction == jurisdiction, a.status == t.AccountStatus.PUBLISHED
        )
    )
    return {
        "organisations": organisations or 0,
        "published": by_status.get(t.AccountStatus.PUBLISHED, 0),
        "under_review": by_status.get(t.AccountStatus.UNDER_REVIEW, 0),
        "archived": by_status.get(t.AccountStatus.ARCHIVED, 0),
        "platforms": used or 0,
    }


# --- Activity: posts, their counts, comments and follower snapshots ---------------------------------

#: ``posts.source`` (and ``profile_snapshots.source``) of the demo dataset: pages label it as sample.
SAMPLE_SOURCE = "sample"


@dataclass(frozen=True)
class PostView:
    """A post with its account and its latest engagement counts (None when none were taken)."""

    post: t.Post
    account: t.Account
    counts: t.PostSnapshot | None

    @property
    def is_sample(self) -> bool:
        """Whether the post is invented demo data."""
        return self.post.source == SAMPLE_SOURCE


@dataclass(frozen=True)
class CommentCounts:
    """Comments stored for an account's posts: by the public, and replies by the account itself."""

    comments: int
    page_replies: int


def latest_snapshots(session: Session, post_ids: Sequence[int]) -> dict[int, t.PostSnapshot]:
    """The newest engagement snapshot of each post that has one."""
    if not post_ids:
        return {}
    s = t.PostSnapshot
    newest = (
        select(s.post_id, func.max(s.taken_at).label("taken_at"))
        .where(s.post_id.in_(post_ids))
        .group_by(s.post_id)
        .subquery()
    )
    rows = session.scalars(
        select(s).join(newest, (s.post_id == newest.c.post_id) & (s.taken_at == newest.c.taken_at))
    )
    return {row.post_id: row for row in rows}


def recent_posts(session: Session, account_ids: Sequence[int], limit: int = 10) -> list[PostView]:
    """The newest posts of ``account_ids`` that are not deleted, each with its latest counts."""
    if not account_ids:
        return []
    posts = session.scalars(
        select(t.Post)
        .where(t.Post.account_id.in_(account_ids), t.Post.deleted_at.is_(None))
        .order_by(t.Post.created_at.desc(), t.Post.id.desc())
        .limit(limit)
    ).all()
    counts = latest_snapshots(session, [p.id for p in posts])
    owners = {p.account_id for p in posts}
    accounts = {a.id: a for a in session.scalars(select(t.Account).where(t.Account.id.in_(owners)))}
    return [PostView(p, accounts[p.account_id], counts.get(p.id)) for p in posts]


def default_locale(session: Session, settings: Settings, jurisdiction: str) -> str:
    """The interface language where none is asked for (the portal's ``/``, a report without
    ``--lang``): the ``default_locale`` setting where it is set (file, environment or argument),
    else ``jurisdiction``'s own (its ``jurisdiction.toml``, as loaded), else the built-in default."""
    if "default_locale" in settings.model_fields_set:
        return settings.default_locale
    row = session.get(t.Jurisdiction, jurisdiction)
    locales = get_args(Settings.model_fields["default_locale"].annotation)
    if row is not None and row.default_locale in locales:
        return row.default_locale
    return settings.default_locale


def jurisdiction_zone(session: Session, jurisdiction: str) -> ZoneInfo:
    """The time zone a jurisdiction's times are shown and cut in (UTC if it is unknown)."""
    row = session.get(t.Jurisdiction, jurisdiction)
    try:
        return ZoneInfo(row.timezone if row else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class PostWindow:
    """Posts created from the start of ``since`` to the end of ``until`` (both days included), days
    of the jurisdiction's calendar (``jurisdictions.timezone``), as its metrics' periods are: "posts
    of 1 September" in Hong Kong start at 16:00 UTC the day before. ``None``: no bound."""

    since: dt.date | None = None
    until: dt.date | None = None

    def where(self, zone: ZoneInfo) -> list[ColumnElement[bool]]:
        """The conditions on ``posts.created_at``, the days' bounds in ``zone``."""
        conditions = [] if self.since is None else [t.Post.created_at >= _midnight(self.since, zone)]
        # The last day of the calendar has no next day: no upper bound, rather than an overflow.
        if self.until is not None and self.until < dt.date.max:
            conditions.append(t.Post.created_at < _midnight(self.until + dt.timedelta(days=1), zone))
        return conditions


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The start of ``day`` in ``zone``, in UTC (as the store compares times)."""
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)


def account_posts(
    session: Session, account_id: int, limit: int, offset: int = 0, window: PostWindow = PostWindow()
) -> Page[PostView]:
    """One page of an account's posts (deleted ones too: they were published) created in
    ``window``, newest first, each with its latest counts. Raises ``NotFoundError`` if there is no
    such account."""
    account = get_account(session, account_id)
    where = and_(
        t.Post.account_id == account_id, *window.where(jurisdiction_zone(session, account.jurisdiction))
    )
    count = session.scalar(select(func.count()).select_from(t.Post).where(where)) or 0
    newest_first = (t.Post.created_at.desc(), t.Post.id.desc())
    query = select(t.Post).where(where).order_by(*newest_first).limit(limit).offset(offset)
    posts = session.scalars(query).all()
    counts = latest_snapshots(session, [p.id for p in posts])
    return Page([PostView(p, account, counts.get(p.id)) for p in posts], count)


def post_times(session: Session, account_id: int, since: dt.datetime | None = None) -> list[dt.datetime]:
    """When the account's posts (not deleted) were created, oldest first; from ``since`` if given."""
    query = select(t.Post.created_at).where(t.Post.account_id == account_id, t.Post.deleted_at.is_(None))
    if since is not None:
        query = query.where(t.Post.created_at >= since)
    return list(session.scalars(query.order_by(t.Post.created_at)).all())


def follower_snapshots(
    session: Session, account_id: int, since: dt.datetime | None = None
) -> list[tuple[dt.datetime, int]]:
    """``(taken_at, followers)`` of the account's snapshots with a count, oldest first."""
    p = t.ProfileSnapshot
    query = select(p.taken_at, p.followers).where(p.account_id == account_id, p.followers.is_not(None))
    if since is not None:
        query = query.where(p.taken_at >= since)
    rows = session.execute(query.order_by(p.taken_at))
    return [(taken_at, followers) for taken_at, followers in rows if followers is not None]


def latest_activity(session: Session, account_id: int) -> dt.datetime | None:
    """The time of the account's newest post or follower snapshot, None if it has neither."""
    newest_post = session.scalar(select(func.max(t.Post.created_at)).where(t.Post.account_id == account_id))
    newest_snapshot = session.scalar(
        select(func.max(t.ProfileSnapshot.taken_at)).where(t.ProfileSnapshot.account_id == account_id)
    )
    found = [moment for moment in (newest_post, newest_snapshot) if moment is not None]
    return max(found, key=utc) if found else None


def count_posts(session: Session, account_id: int) -> int:
    """How many posts (not deleted) the store holds for the account."""
    query = select(func.count()).where(t.Post.account_id == account_id, t.Post.deleted_at.is_(None))
    return session.scalar(query) or 0


def comment_counts(session: Session, account_id: int) -> CommentCounts:
    """Comments on the account's posts, split into the public's and the page's own replies."""
    rows = session.execute(
        select(t.Comment.is_page_reply, func.count())
        .join(t.Post, t.Post.id == t.Comment.post_id)
        .where(t.Post.account_id == account_id, t.Comment.deleted_at.is_(None))
        .group_by(t.Comment.is_page_reply)
    ).all()
    by_kind = {bool(kind): n for kind, n in rows}
    return CommentCounts(comments=by_kind.get(False, 0), page_replies=by_kind.get(True, 0))


def has_sample_activity(session: Session, account_ids: Sequence[int]) -> bool:
    """Whether any post or follower snapshot of ``account_ids`` is demo data."""
    if not account_ids:
        return False
    posts = select(t.Post.id).where(t.Post.account_id.in_(account_ids), t.Post.source == SAMPLE_SOURCE)
    snapshots = select(t.ProfileSnapshot.id).where(
        t.ProfileSnapshot.account_id.in_(account_ids), t.ProfileSnapshot.source == SAMPLE_SOURCE
    )
    return bool(session.scalar(select(exists(posts))) or session.scalar(select(exists(snapshots))))


@dataclass(frozen=True)
class TimelineFilter:
    """Which posts the government timeline shows: those of published accounts of ``jurisdiction``,
    narrowed to a platform, to the accounts of one organisation (by code) and to a window of time
    when given."""

    jurisdiction: str
    platform: str | None = None
    organisation: str | None = None
    window: PostWindow = PostWindow()


def timeline(session: Session, f: TimelineFilter, limit: int, offset: int = 0) -> Page[PostView]:
    """One page of the posts (not deleted) of the jurisdiction's published accounts, newest first,
    each with its account and latest counts.

    Accounts under review or archived never appear: their posts may not be the government's. The
    order uses ``posts.created_at``; ``ix_posts_account_created`` (account_id, created_at) serves
    the per-account filter, and the sort of the matching rows is done by the database.
    """
    accounts = select(t.Account.id).where(
        t.Account.jurisdiction == f.jurisdiction, t.Account.status == t.AccountStatus.PUBLISHED
    )
    if f.platform:
        accounts = accounts.where(t.Account.platform == f.platform)
    if f.organisation:
        owners = (
            select(t.AccountOrganisation.account_id)
            .join(t.Organisation)
            .where(t.Organisation.jurisdiction == f.jurisdiction, t.Organisation.code == f.organisation)
        )
        accounts = accounts.where(t.Account.id.in_(owners))
    created = f.window.where(jurisdiction_zone(session, f.jurisdiction))
    where = (t.Post.account_id.in_(accounts), t.Post.deleted_at.is_(None), *created)
    count = session.scalar(select(func.count()).select_from(t.Post).where(*where)) or 0
    newest_first = (t.Post.created_at.desc(), t.Post.id.desc())
    query = select(t.Post).where(*where).order_by(*newest_first).limit(limit).offset(offset)
    posts = session.scalars(query).all()
    counts = latest_snapshots(session, [p.id for p in posts])
    owners_of = {p.account_id for p in posts}
    found = session.scalars(select(t.Account).where(t.Account.id.in_(owners_of)).options(*ACCOUNT_LOADS))
    by_id = {a.id: a for a in found}
    return Page([PostView(p, by_id[p.account_id], counts.get(p.id)) for p in posts], count)
