"""Alert rules and alerts in the store (``alert_rules``, ``alerts``), and the reads the rules need.

An alert is stored once per rule and event: ``event_key`` names the event and is unique per rule
(``uq_alerts_rule_event``), so ``add_new`` skips what is already there and a later run never repeats
it. Delivery times stay empty until a channel took the alert, so a failed delivery is retried by the
next run without a second alert. ``alert_emails`` counts the emails each recipient was sent, for the
hourly cap; an alert the cap held back has ``email_held_at`` until its digest goes out.
``run_lock`` lets one alerts run at a time store and deliver.
"""

from __future__ import annotations

import datetime as dt
import fcntl
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from govsocial.store import tables as t
from govsocial.store.events import period_end

LEVELS = ("account", "organisation", "government")
#: The PostgreSQL advisory lock that one alerts run holds at a time (any number kept for this use).
RUN_LOCK_KEY = 0x676F76616C7274


@dataclass(frozen=True)
class Fired:
    """An event a rule found, before it is stored."""

    rule_id: int
    kind: str
    entity: str
    event_key: str
    title: str
    details: dict[str, Any] = field(default_factory=dict)


@contextmanager
def run_lock(session: Session) -> Iterator[bool]:
    """The lock of alerts runs, held while the block runs: True when this run holds it, False when
    another run does (this one must then store and send nothing, or both would send the same alerts).

    PostgreSQL: a session advisory lock on a connection of its own (a run commits as it delivers,
    which hands its session's connection back to the pool). SQLite: an exclusive ``flock`` on a file
    beside the database (an in-memory database has one process). Either goes when the process ends,
    however it ends, so a killed run never leaves the lock behind.
    """
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            held = bool(connection.scalar(select(func.pg_try_advisory_lock(RUN_LOCK_KEY))))
            connection.commit()  # the lock outlives the transaction: do not sit idle in one
            try:
                yield held
            finally:
                if held:
                    connection.scalar(select(func.pg_advisory_unlock(RUN_LOCK_KEY)))
                    connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True
        return
    with open(f"{database}.alerts-lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held = False
        else:
            held = True
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)


def add_rule(
    session: Session,
    jurisdiction: str,
    level: str,
    entity: str,
    kind: str,
    params: dict[str, Any],
    webhook_url: str | None,
    email: str | None,
) -> t.AlertRule:
    """Store a new rule (enabled) and return it."""
    rule = t.AlertRule(
        jurisdiction=jurisdiction, level=level, entity=entity, kind=kind, params=params,
        webhook_url=webhook_url, email=email, enabled=True,
    )  # fmt: skip
    session.add(rule)
    session.flush()
    return rule


def list_rules(session: Session, enabled_only: bool = False) -> Sequence[t.AlertRule]:
    """Rules by id."""
    query = select(t.AlertRule).order_by(t.AlertRule.id)
    if enabled_only:
        query = query.where(t.AlertRule.enabled.is_(True))
    return session.scalars(query).all()


def get_rule(session: Session, rule_id: int) -> t.AlertRule | None:
    """One rule, if it exists."""
    return session.get(t.AlertRule, rule_id)


def remove_rule(session: Session, rule_id: int) -> bool:
    """Delete a rule and its alerts; whether it existed."""
    rule = session.get(t.AlertRule, rule_id)
    if rule is None:
        return False
    session.execute(t.Alert.__table__.delete().where(t.Alert.rule_id == rule_id))  # type: ignore[attr-defined]
    session.delete(rule)
    return True


def add_new(session: Session, fired: Iterable[Fired], now: dt.datetime) -> list[t.Alert]:
    """Store the events not stored before (per rule and ``event_key``); the new alerts."""
    new: list[t.Alert] = []
    seen: dict[int, set[str]] = {}
    for f in fired:
        keys = seen.get(f.rule_id)
        if keys is None:
            stored = session.scalars(select(t.Alert.event_key).where(t.Alert.rule_id == f.rule_id))
            keys = seen[f.rule_id] = set(stored)
        if f.event_key in keys:
            continue
        keys.add(f.event_key)
        alert = t.Alert(
            rule_id=f.rule_id, kind=f.kind, entity=f.entity, event_key=f.event_key, title=f.title[:500],
            details=f.details, fired_at=now,
        )  # fmt: skip
        session.add(alert)
        new.append(alert)
    session.flush()
    return new


def undelivered(session: Session) -> Sequence[tuple[t.Alert, t.AlertRule]]:
    """Alerts a channel of their rule has not taken yet, oldest first."""
    query = (
        select(t.Alert, t.AlertRule)
        .join(t.AlertRule, t.AlertRule.id == t.Alert.rule_id)
        .where(
            ((t.AlertRule.webhook_url.is_not(None)) & (t.Alert.delivered_webhook_at.is_(None)))
            | ((t.AlertRule.email.is_not(None)) & (t.Alert.delivered_email_at.is_(None)))
        )
        .order_by(t.Alert.id)
    )
    return [(a, r) for a, r in session.execute(query)]


def emails_since(session: Session, recipient: str, since: dt.datetime) -> int:
    """How many alert emails (single or digest) ``recipient`` was sent since ``since``."""
    query = select(func.count()).where(t.AlertEmail.recipient == recipient, t.AlertEmail.sent_at > since)
    return session.scalar(query) or 0


def last_email_at(session: Session, recipient: str) -> dt.datetime | None:
    """When ``recipient`` was last sent an alert email, if ever."""
    return session.scalar(select(func.max(t.AlertEmail.sent_at)).where(t.AlertEmail.recipient == recipient))


def record_email(session: Session, recipient: str, alerts: int, digest: bool, now: dt.datetime) -> None:
    """Count an email sent to ``recipient`` (what the hourly cap counts)."""
    session.add(t.AlertEmail(recipient=recipient, sent_at=now, alerts=alerts, digest=digest))
    session.flush()


def recent(session: Session, limit: int = 100, offset: int = 0) -> Sequence[t.Alert]:
    """Alerts, newest first."""
    query = select(t.Alert).order_by(t.Alert.fired_at.desc(), t.Alert.id.desc()).limit(limit).offset(offset)
    return session.scalars(query).all()


# --- What the rules read -------------------------------------------------------------------------


def accounts_in_scope(session: Session, rule: t.AlertRule) -> list[t.Account]:
    """The accounts a rule watches: one account, an organisation's, or a government's (not archived)."""
    query = select(t.Account).where(
        t.Account.jurisdiction == rule.jurisdiction, t.Account.status != t.AccountStatus.ARCHIVED
    )
    if rule.level == "account":
        query = query.where(t.Account.id == int(rule.entity))
    elif rule.level == "organisation":
        owned = (
            select(t.AccountOrganisation.account_id)
            .join(t.Organisation, t.Organisation.id == t.AccountOrganisation.organisation_id)
            .where(t.Organisation.jurisdiction == rule.jurisdiction, t.Organisation.code == rule.entity)
        )
        query = query.where(t.Account.id.in_(owned))
    return list(session.scalars(query.order_by(t.Account.id)).all())


def opinion_events(
    session: Session, account_ids: Sequence[int], kind: str, made_on: dt.date | None = None
) -> list[t.OpinionEvent]:
    """The stored spikes of ``kind`` of these accounts; with ``made_on`` (the day a rule was made),
    only those of periods that ended on or after the start of the period holding that day: the last
    complete period, the current one and later ones. A new rule tells of recent spikes, not of every
    one the metrics ever found."""
    query = select(t.OpinionEvent).where(
        t.OpinionEvent.account_id.in_(account_ids), t.OpinionEvent.kind == kind
    )
    found = session.scalars(query.order_by(t.OpinionEvent.id)).all()
    if made_on is None:
        return list(found)
    return [
        e for e in found if period_end(e.period_kind, e.period) >= _period_start_of(e.period_kind, made_on)
    ]


def _period_start_of(kind: str, day: dt.date) -> dt.date:
    """The first day of the period of ``kind`` that holds ``day``."""
    if kind == "week":
        return day - dt.timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "year":
        return day.replace(month=1, day=1)
    return day


def post_interactions(session: Session, account_id: int, since: dt.datetime) -> list[tuple[t.Post, int]]:
    """An account's live posts since ``since``, each with its interactions (reactions or likes,
    comments and shares) at its latest snapshot; posts without a snapshot are left out."""
    latest = (
        select(t.PostSnapshot.post_id, func.max(t.PostSnapshot.taken_at).label("taken_at"))
        .group_by(t.PostSnapshot.post_id)
        .subquery()
    )
    query = (
        select(t.Post, t.PostSnapshot)
        .join(latest, latest.c.post_id == t.Post.id)
        .join(
            t.PostSnapshot,
            (t.PostSnapshot.post_id == t.Post.id) & (t.PostSnapshot.taken_at == latest.c.taken_at),
        )
        .where(t.Post.account_id == account_id, t.Post.created_at >= since, t.Post.deleted_at.is_(None))
        .order_by(t.Post.created_at)
    )
    out: list[tuple[t.Post, int]] = []
    for post, snap in session.execute(query):
        reactions = sum(int(v) for v in (snap.reactions or {}).values() if isinstance(v, int | float))
        out.append((post, (reactions or snap.likes or 0) + (snap.comments or 0) + (snap.shares or 0)))
    return out


def unanswered_comments(
    session: Session, account_ids: Sequence[int], since: dt.datetime, before: dt.datetime
) -> list[tuple[t.Post, int, dt.datetime]]:
    """Posts with citizens' comments made between ``since`` and ``before`` that no page reply
    answers (a page reply whose ``parent_comment_id`` is the comment): the post, how many, the oldest."""
    reply = t.Comment.__table__.alias("reply")
    answered = select(reply.c.id).where(
        reply.c.parent_comment_id == t.Comment.comment_id,
        reply.c.platform == t.Comment.platform,
        reply.c.is_page_reply.is_(True),
    )
    query = (
        select(t.Post, func.count(t.Comment.id), func.min(t.Comment.created_at))
        .join(t.Comment, t.Comment.post_id == t.Post.id)
        .where(
            t.Post.account_id.in_(account_ids),
            t.Comment.is_page_reply.is_(False),
            t.Comment.deleted_at.is_(None),
            t.Comment.created_at >= since,
            t.Comment.created_at < before,
            ~answered.exists(),
        )
        .group_by(t.Post.id)
        .order_by(t.Post.id)
    )
    return [(p, n, first) for p, n, first in session.execute(query)]


def accounts_by_id(session: Session, account_ids: Sequence[int]) -> list[t.Account]:
    """The accounts of these ids (archived ones too: an alert may name one archived since)."""
    if not account_ids:
        return []
    return list(session.scalars(select(t.Account).where(t.Account.id.in_(set(account_ids)))).all())


def last_post_at(session: Session, account_id: int) -> dt.datetime | None:
    """When the account last posted (a live post), if ever."""
    query = select(func.max(t.Post.created_at)).where(
        t.Post.account_id == account_id, t.Post.deleted_at.is_(None)
    )
    return session.scalar(query)


def gone_errors(session: Session, since: dt.datetime) -> list[tuple[int, dict[str, Any]]]:
    """Errors of collection runs since ``since`` saying an account is gone: (run id, error)."""
    query = select(t.CollectionRun).where(t.CollectionRun.started_at >= since).order_by(t.CollectionRun.id)
    out: list[tuple[int, dict[str, Any]]] = []
    for run in session.scalars(query):
        for error in run.errors or []:
            if isinstance(error, dict) and error.get("kind") == "gone":
                out.append((run.id, error))
    return out
