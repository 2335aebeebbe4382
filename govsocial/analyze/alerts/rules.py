"""Evaluate alert rules against the store: each kind turns what the store holds into events, each
named by an ``event_key`` that stays the same however often the rule is evaluated, so the store
keeps each event once (``store.alerts.add_new``).

Kinds and their parameters (``params`` of a rule; defaults in ``DEFAULTS``):

- ``comment_volume`` / ``negative_share``: the spikes the metrics refresh found (``opinion_events``)
  in periods that ended no earlier than the start of the period the rule was made in: a new rule
  tells of the last complete period and later ones, not of every spike in the store's history.
- ``post_overperforming`` / ``post_underperforming``: a post at least ``min_age_hours`` old and at
  most ``days`` old whose interactions are ``ratio`` times the median of the account's posts of the
  last ``baseline_days`` (or at most that median divided by ``ratio``); needs ``min_posts`` posts.
- ``unanswered_comments``: a post with citizens' comments of the last ``days`` that no page reply
  has answered after ``hours``.
- ``token_expiry``: the ``platform`` token expires in ``days`` days or less, or has: on ``expires_on``
  (YYYY-MM-DD) when the rule says, else on the earlier of the platform's ``expires_at`` and
  ``data_access_expires_at`` as last checked (``alerts.tokens``); at once when the platform said the
  token is not valid.
- ``account_dormant``: no post for ``days`` days; the title says how long the silence has been.
- ``account_missing``: a collection run of the last ``days`` days said the account is gone.

Dates (the last post's day, days left before an expiry) are the jurisdiction's, in its time zone,
as the portal's and the reports' are; event keys keep the UTC day they always had, so an alert
stored before does not fire again.

An event's key is its identity and never changes; its details hold what the message shows, and its
title is written from them (``message.title``: in English to be stored, in the rule's language when
delivered), naming the account by its display name and its platform's. Accounts are matched to the
collection runs' errors by ``platform handle``, as the runs name them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from govsocial.analyze.alerts import message
from govsocial.analyze.alerts.params import DEFAULTS, KINDS, ParamError, params_of
from govsocial.analyze.excerpt import excerpt
from govsocial.store import alerts as store
from govsocial.store import queries, tokens
from govsocial.store import tables as t
from govsocial.store.alerts import Fired
from govsocial.store.times import utc


def _address(account: t.Account) -> str:
    """How collection runs name an account in their errors (``collect.runner``)."""
    return f"{account.platform} {account.handle}"


#: How much of a post's text its alert quotes: enough to tell its posts apart in an inbox.
EXCERPT_CHARS = 100


def _excerpt(post: t.Post) -> str:
    return excerpt(post.text, EXCERPT_CHARS)


Evaluator = Callable[[Session, t.AlertRule, dict[str, Any], dt.datetime], Iterator[Fired]]


def _today(session: Session, rule: t.AlertRule, moment: dt.datetime) -> dt.date:
    """The day ``moment`` falls on in the rule's jurisdiction."""
    return utc(moment).astimezone(queries.jurisdiction_zone(session, rule.jurisdiction)).date()


def _spikes(session: Session, rule: t.AlertRule, p: dict[str, Any], now: dt.datetime) -> Iterator[Fired]:
    accounts = {a.id: a for a in store.accounts_in_scope(session, rule)}
    # A rule not stored yet (``created_at`` unset) is as new as ``now``.
    made = _today(session, rule, rule.created_at or now)
    for e in store.opinion_events(session, list(accounts), rule.kind, made):
        yield Fired(
            rule.id, rule.kind, str(e.account_id),
            f"{rule.kind}:account:{e.account_id}:{e.period_kind}:{e.period}", "",
            {"account_id": e.account_id, "period_kind": e.period_kind, "period": e.period,
             "value": e.value, "baseline": e.baseline, "score": e.score},
        )  # fmt: skip


def _performing(session: Session, rule: t.AlertRule, p: dict[str, Any], now: dt.datetime) -> Iterator[Fired]:
    over = rule.kind == "post_overperforming"
    ratio = float(p["ratio"])
    recent_from = now - dt.timedelta(days=float(p["days"]))
    youngest = now - dt.timedelta(hours=float(p["min_age_hours"]))
    for account in store.accounts_in_scope(session, rule):
        posts = store.post_interactions(
            session, account.id, now - dt.timedelta(days=float(p["baseline_days"]))
        )
        if len(posts) < int(p["min_posts"]):
            continue
        median = statistics.median(n for _, n in posts)
        for post, n in posts:
            created = utc(post.created_at)
            if not recent_from <= created <= youngest:
                continue
            # Under a median of 0 nothing can do worse than usual: "0 interactions, usually 0" is no news.
            hit = n >= ratio * max(median, 1) if over else median > 0 and n * ratio <= median
            if hit:
                yield Fired(
                    rule.id, rule.kind, str(account.id), f"{rule.kind}:post:{post.id}", "",
                    {"account_id": account.id, "post_id": post.id, "url": post.url, "interactions": n,
                     "median": median, "posted_at": created.isoformat(), "text": _excerpt(post)},
                )  # fmt: skip


def _unanswered(session: Session, rule: t.AlertRule, p: dict[str, Any], now: dt.datetime) -> Iterator[Fired]:
    accounts = {a.id: a for a in store.accounts_in_scope(session, rule)}
    since = now - dt.timedelta(days=float(p["days"]))
    before = now - dt.timedelta(hours=float(p["hours"]))
    for post, count, first in store.unanswered_comments(session, list(accounts), since, before):
        account = accounts[post.account_id]
        yield Fired(
            rule.id, rule.kind, str(account.id), f"unanswered_comments:post:{post.id}", "",
            {"account_id": account.id, "post_id": post.id, "url": post.url, "comments": count,
             "oldest": utc(first).isoformat(), "hours": p["hours"],
             "posted_at": utc(post.created_at).isoformat(), "text": _excerpt(post)},
        )  # fmt: skip


def _token(session: Session, rule: t.AlertRule, p: dict[str, Any], now: dt.datetime) -> Iterator[Fired]:
    platform = str(p["platform"])
    today = _today(session, rule, now)
    if p["expires_on"] is not None:
        expires = dt.date.fromisoformat(str(p["expires_on"]))
        yield from _expiring(rule, platform, expires, expires, int(p["days"]), today, {"source": "rule"})
        return
    check = tokens.latest(session, platform)
    if check is None:
        return  # never checked: ``alerts run`` reports why the check failed
    if not check.is_valid:
        invalid = check.invalid_since or check.checked_at
        key = utc(invalid).date().isoformat()
        since = _today(session, rule, invalid).isoformat()
        yield Fired(
            rule.id, rule.kind, platform, f"token_expiry:{platform}:invalid:{key}", "",
            {"platform": platform, "is_valid": False, "error": check.error, "invalid_since": since,
             "checked_at": utc(check.checked_at).isoformat(), "source": "platform"},
        )  # fmt: skip
        return
    ends = [(utc(at), name) for at, name in ((check.expires_at, "expires_at"),
            (check.data_access_expires_at, "data_access_expires_at")) if at is not None]  # fmt: skip
    if ends:
        at, which = min(ends)
        details = {"source": "platform", "which": which, "checked_at": utc(check.checked_at).isoformat()}
        expires = _today(session, rule, at)
        yield from _expiring(rule, platform, expires, at.date(), int(p["days"]), today, details)


def _expiring(
    rule: t.AlertRule,
    platform: str,
    expires: dt.date,
    key: dt.date,
    days: int,
    today: dt.date,
    details: dict[str, Any],
) -> Iterator[Fired]:
    """``expires`` and ``today`` are the jurisdiction's days; ``key`` is the day the event is keyed
    by (the UTC day of a platform's expiry, as stored alerts name it)."""
    left = (expires - today).days
    if left <= days:
        yield Fired(
            rule.id, rule.kind, platform, f"token_expiry:{platform}:{key.isoformat()}", "",
            {"platform": platform, "expires_on": expires.isoformat(), "days_left": left, **details},
        )  # fmt: skip


def _dormant(session: Session, rule: t.AlertRule, p: dict[str, Any], now: dt.datetime) -> Iterator[Fired]:
    days = float(p["days"])
    for account in store.accounts_in_scope(session, rule):
        last = store.last_post_at(session, account.id)
        if last is not None and utc(last) > now - dt.timedelta(days=days):
            continue
        # Keyed by the last post: an account that posts again and then falls silent fires again.
        key = utc(last).date().isoformat() if last else "never"
        # The title says how long the account has actually been silent (the threshold is only when
        # the rule fires) in the jurisdiction's days, counted from its last post's day there: two
        # accounts whose last posts fell on one day are silent as long.
        silent = (_today(session, rule, now) - _today(session, rule, last)).days if last else None
        silence = {"silent_days": silent, "days": p["days"]} if last else {}
        yield Fired(
            rule.id, rule.kind, str(account.id), f"account_dormant:account:{account.id}:{key}", "",
            {"account_id": account.id,
             "last_post": _today(session, rule, last).isoformat() if last else "never", **silence},
        )  # fmt: skip


def _missing(session: Session, rule: t.AlertRule, p: dict[str, Any], now: dt.datetime) -> Iterator[Fired]:
    accounts = {_address(a): a for a in store.accounts_in_scope(session, rule)}
    for run_id, error in store.gone_errors(session, now - dt.timedelta(days=float(p["days"]))):
        account = accounts.get(str(error.get("account")))
        if account is None:
            continue
        yield Fired(
            rule.id, rule.kind, str(account.id), f"account_missing:account:{account.id}", "",
            {"account_id": account.id, "run_id": run_id, "message": str(error.get("message", ""))[:500]},
        )  # fmt: skip


EVALUATORS: dict[str, Evaluator] = {
    "comment_volume": _spikes,
    "negative_share": _spikes,
    "post_overperforming": _performing,
    "post_underperforming": _performing,
    "unanswered_comments": _unanswered,
    "token_expiry": _token,
    "account_dormant": _dormant,
    "account_missing": _missing,
}


__all__ = ["DEFAULTS", "EVALUATORS", "KINDS", "evaluate", "evaluate_all", "params_of", "token_platforms"]


def token_platforms(rules: list[t.AlertRule]) -> list[str]:
    """The platforms whose token ``token_expiry`` rules without ``expires_on`` need checked."""
    found = []
    for r in rules:
        if r.kind == "token_expiry" and not (r.params or {}).get("expires_on"):
            with contextlib.suppress(ParamError):  # ``evaluate_all`` reports the rule
                found.append(str(params_of(r.kind, r.params or {})["platform"]))
    return list(dict.fromkeys(found))


def evaluate(session: Session, rule: t.AlertRule, now: dt.datetime) -> list[Fired]:
    """The events ``rule`` finds now (stored or not)."""
    params = params_of(rule.kind, rule.params or {})
    found = list(EVALUATORS[rule.kind](session, rule, params, now))
    return _titled(session, rule, found)


def _titled(session: Session, rule: t.AlertRule, found: list[Fired]) -> list[Fired]:
    """``found`` with their stored titles: English, the accounts and platforms by display name,
    days in the rule's jurisdiction."""
    if not found:
        return found
    ids = [f.details["account_id"] for f in found if isinstance(f.details.get("account_id"), int)]
    names = message.names_of(session, store.accounts_by_id(session, ids))
    zone = queries.jurisdiction_zone(session, rule.jurisdiction)
    return [
        replace(f, title=message.title(f.kind, f.details, "en", names, zone) or f.event_key) for f in found
    ]


def evaluate_all(session: Session, now: dt.datetime, failures: list[str] | None = None) -> list[Fired]:
    """The events every enabled rule finds now.

    With ``failures``, a rule that cannot be evaluated (a parameter stored before the checks of
    ``params`` refused it, an account id the store cannot hold) is named there and skipped: one bad
    rule must not keep every other rule's alerts from being stored and delivered.
    """
    found: list[Fired] = []
    for rule in store.list_rules(session, enabled_only=True):
        try:
            found += evaluate(session, rule, now)
        except (ValueError, OverflowError) as exc:  # ParamError is a ValueError
            if failures is None:
                raise
            failures.append(f"rule {rule.id}: not evaluated: {exc}")
    return found
