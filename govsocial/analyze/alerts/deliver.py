"""Deliver alerts: a JSON POST to the rule's webhook (httpx, a timeout, three tries) and an email to
its address (smtplib, STARTTLS and sign-in as the SMTP settings say).

``run`` evaluates every enabled rule, stores the new events and then delivers everything a channel
has not taken yet, new or left over from a failed run: a channel's delivery time is set when it
succeeds and ``last_error`` records why it did not, so the next run retries without a second alert.
Errors never carry a setting's secret: the SMTP password is only handed to ``smtplib``.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy.orm import Session

from govsocial.analyze.alerts.rules import evaluate_all
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import tables as t

log = logging.getLogger(__name__)
TRIES = 3
#: Seconds before the second and third webhook tries.
BACKOFF = (0.5, 2.0)


@dataclass
class RunReport:
    """What one run did."""

    found: int = 0
    new: list[t.Alert] = field(default_factory=list)
    webhooks: int = 0
    emails: int = 0
    failures: list[str] = field(default_factory=list)


def payload(alert: t.Alert, rule: t.AlertRule) -> dict[str, Any]:
    """The JSON an alert is sent as (the webhook body; the email's text shows the same)."""
    return {
        "id": alert.id, "rule_id": rule.id, "jurisdiction": rule.jurisdiction, "level": rule.level,
        "scope": rule.entity, "kind": alert.kind, "entity": alert.entity, "event_key": alert.event_key,
        "title": alert.title, "details": alert.details,
        "fired_at": alert.fired_at.isoformat() if alert.fired_at else None,
    }  # fmt: skip


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


def send_email(settings: Settings, to: str, subject: str, text: str) -> None:
    """Send one email through the SMTP settings."""
    if not settings.smtp_host:
        raise RuntimeError("no SMTP server is set (GOVSOCIAL_SMTP_HOST)")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        smtp.send_message(message)


def _email_text(body: dict[str, Any]) -> str:
    lines = [body["title"], ""]
    lines += [f"{k}: {v}" for k, v in body["details"].items()]
    lines += ["", f"rule {body['rule_id']} ({body['kind']}, {body['level']} {body['scope']})",
              f"event {body['event_key']}", f"fired {body['fired_at']}"]  # fmt: skip
    return "\n".join(lines)


def _safe(exc: Exception) -> str:
    # smtplib errors name the server's answer, never the password; keep them short.
    return f"{type(exc).__name__}: {exc}"[:500]


def deliver(session: Session, settings: Settings, now: dt.datetime, report: RunReport) -> None:
    """Deliver every alert a channel of its rule has not taken yet."""
    for alert, rule in store.undelivered(session):
        body = payload(alert, rule)
        errors: list[str] = []
        if rule.webhook_url and alert.delivered_webhook_at is None:
            try:
                post_webhook(rule.webhook_url, body, settings.alert_webhook_timeout_seconds)
                alert.delivered_webhook_at = now
                report.webhooks += 1
            except Exception as exc:  # one failed channel must not stop the others
                errors.append(f"webhook: {_safe(exc)}")
        if rule.email and alert.delivered_email_at is None:
            try:
                # A header is one line: a handle or a title with a line break must not add headers.
                subject = " ".join(f"[govsocial] {alert.title}".split())
                send_email(settings, rule.email, subject, _email_text(body))
                alert.delivered_email_at = now
                report.emails += 1
            except Exception as exc:
                errors.append(f"email: {_safe(exc)}")
        alert.last_error = "; ".join(errors) or None
        if errors:
            log.warning("alert %s not delivered: %s", alert.id, alert.last_error)
            report.failures.append(f"alert {alert.id}: {alert.last_error}")
        session.flush()


def run(
    session: Session, settings: Settings, now: dt.datetime | None = None, dry_run: bool = False
) -> RunReport:
    """Evaluate every enabled rule, store the new events and deliver what is undelivered.

    ``dry_run`` stores and sends nothing: the report's ``new`` lists what would be stored.
    """
    now = now or dt.datetime.now(dt.UTC)
    fired = evaluate_all(session, now)
    report = RunReport(found=len(fired))
    if dry_run:
        report.new = store.add_new(session, fired, now)
        session.rollback()
        return report
    report.new = store.add_new(session, fired, now)
    session.commit()  # stored before any delivery: a crash mid-delivery never loses an event
    deliver(session, settings, now, report)
    session.commit()
    return report
