"""Deliver alerts: a JSON POST to the rule's webhook (httpx, a timeout, three tries), at once, and
an email to its address (``mail``: at most ``alert_email_max_per_hour`` per recipient, the rest in a
digest by a later run).

``run`` first asks the platforms about their tokens when a ``token_expiry`` rule needs it
(``tokens``), evaluates every enabled rule, stores the new events and then delivers everything a
channel has not taken yet, new or left over from a failed run: a channel's delivery time is set when
it succeeds and ``last_error`` records why it did not, so the next run retries without a second alert.
Each delivery is committed as soon as the channel took it, so a run that stops half way (a crash, a
killed process, a database error) never sends what it already sent again. One run at a time stores
and delivers (``store.alerts.run_lock``): a run that finds another under way does nothing and says so.
Errors never carry a setting's secret: the SMTP password is only handed to ``smtplib``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.orm import Session

from govsocial.analyze.alerts import tokens
from govsocial.analyze.alerts.mail import Mailer, safe, send_email
from govsocial.analyze.alerts.message import masked_url, payload, readers
from govsocial.analyze.alerts.rules import evaluate_all, token_platforms
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.times import utc

__all__ = ["BACKOFF", "BUSY", "TRIES", "RunReport", "deliver", "payload", "post_webhook", "run", "send_email"]

log = logging.getLogger(__name__)
TRIES = 3
#: Seconds before the second and third webhook tries.
BACKOFF = (0.5, 2.0)
#: What a run says when another run holds the lock (``store.alerts.run_lock``).
BUSY = "another alerts run is storing and delivering alerts: this one did nothing (the next run will)"


@dataclass
class RunReport:
    """What one run did."""

    found: int = 0
    new: list[t.Alert] = field(default_factory=list)
    webhooks: int = 0
    emails: int = 0
    digests: int = 0
    held: int = 0
    failures: list[str] = field(default_factory=list)
    tokens: list[tokens.Outcome] = field(default_factory=list)


def webhook_error(exc: Exception, url: str) -> str:
    """``safe(exc)`` with the webhook's address masked: httpx names the full URL in its errors."""
    text = safe(exc)
    for spelling in {url, str(httpx.URL(url))}:
        text = text.replace(spelling, masked_url(url))
    return text


def post_webhook(url: str, body: dict[str, Any], timeout: float) -> None:
    """POST ``body`` as JSON; retries a network error or a 5xx answer; raises the last failure."""
    last: Exception | None = None
    for attempt in range(TRIES):
        if attempt:
            time.sleep(BACKOFF[attempt - 1])
        try:
            response = httpx.post(url, json=body, timeout=timeout)
            if response.status_code < 300:
                return
            last = RuntimeError(f"webhook answered {response.status_code}")
            if response.status_code < 500:
                break  # a 4xx will not change by asking again
        except httpx.HTTPError as exc:
            last = RuntimeError(f"webhook failed: {type(exc).__name__}")
    assert last is not None
    raise last


def deliver(session: Session, settings: Settings, now: dt.datetime, report: RunReport) -> None:
    """Deliver every alert a channel of its rule has not taken yet: webhooks at once, emails within
    the cap per recipient."""
    pending = store.undelivered(session)
    hooked = [(a, r) for a, r in pending if r.webhook_url and a.delivered_webhook_at is None]
    written = readers(session, settings, hooked) if hooked else {}
    errors: dict[int, list[str]] = defaultdict(list)
    recipients: dict[str, list[tuple[t.Alert, t.AlertRule]]] = defaultdict(list)
    for alert, rule in pending:
        if rule.webhook_url and alert.delivered_webhook_at is None:
            try:
                body = payload(alert, rule, written[rule.id])
                post_webhook(rule.webhook_url, body, settings.alert_webhook_timeout_seconds)
                alert.delivered_webhook_at = now
                session.commit()  # kept at once: a run that stops later must not post it again
                report.webhooks += 1
            except Exception as exc:  # one failed channel must not stop the others
                errors[alert.id].append(f"webhook: {webhook_error(exc, rule.webhook_url)}")
        if rule.email and alert.delivered_email_at is None:
            recipients[rule.email.strip().lower()].append((alert, rule))
    mailer = Mailer(session, settings, now, send=send_email)
    for recipient, items in recipients.items():
        mailer.deliver(recipient, items)
    for alert_id, found in mailer.tally.errors.items():
        errors[alert_id].extend(found)
    report.emails, report.digests, report.held = mailer.tally.emails, mailer.tally.digests, mailer.tally.held
    for alert, _rule in pending:
        alert.last_error = "; ".join(errors.get(alert.id, [])) or None
        if alert.last_error:
            log.warning("alert %s not delivered: %s", alert.id, alert.last_error)
            report.failures.append(f"alert {alert.id}: {alert.last_error}")
    session.flush()


def check_tokens(
    session: Session, settings: Settings, now: dt.datetime, transport: httpx.AsyncBaseTransport | None
) -> list[tokens.Outcome]:
    """Ask the platforms about the tokens that enabled ``token_expiry`` rules without a date need."""
    platforms = token_platforms(list(store.list_rules(session, enabled_only=True)))
    return tokens.check(session, settings, platforms, now, transport) if platforms else []


def run(
    session: Session,
    settings: Settings,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> RunReport:
    """Check the tokens rules need, evaluate every enabled rule, store the new events and deliver
    what is undelivered (``transport``: how the platforms are reached, for tests).

    ``dry_run`` stores and sends nothing: the report's ``new`` lists what would be stored (the
    tokens are still asked about, and their answers not stored either). A run that finds another
    one under way does nothing: its report's only failure is ``BUSY``.
    """
    now = utc(now or dt.datetime.now(dt.UTC))
    if dry_run:
        return _run(session, settings, now, dry_run, transport)
    with store.run_lock(session) as held:
        if not held:  # two runs would both send what neither had delivered when it started
            return RunReport(failures=[BUSY])
        return _run(session, settings, now, dry_run, transport)


def _run(
    session: Session,
    settings: Settings,
    now: dt.datetime,
    dry_run: bool,
    transport: httpx.AsyncBaseTransport | None,
) -> RunReport:
    """``run``'s work, in UTC, with the run lock held unless it is a dry run."""
    checked = check_tokens(session, settings, now, transport)
    report = RunReport(tokens=checked)
    report.failures += [f"token {o.platform}: {o.failure}" for o in checked if o.failure]
    fired = evaluate_all(session, now, report.failures)
    report.found = len(fired)
    if dry_run:
        report.new = store.add_new(session, fired, now)
        # The report shows the answers just got: kept out of the rollback, which would expire a
        # stored check it replaced and leave it unreadable once the caller's session closes.
        for outcome in checked:
            if outcome.check is not None and outcome.check in session:
                session.expunge(outcome.check)
        session.rollback()
        return report
    report.new = store.add_new(session, fired, now)
    session.commit()  # stored before any delivery: a crash mid-delivery never loses an event
    deliver(session, settings, now, report)
    session.commit()
    return report
