"""What an alert says: the JSON body of its webhook, and the subject and text of its email, alone or
in a digest of several."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from govsocial.store import tables as t

SUBJECT_PREFIX = "[govsocial] "


def masked_url(url: str) -> str:
    """``url`` without its path and query: a webhook's address is often its secret (Slack's, Teams'),
    so pages and errors show only where it goes (``https://hooks.example.org/…``)."""
    try:
        parsed = urlsplit(url)
        host, port = parsed.hostname, parsed.port
    except ValueError:
        return "…"
    if not (parsed.scheme and host):
        return "…"
    return f"{parsed.scheme}://{host}{f':{port}' if port else ''}/…"


def payload(alert: t.Alert, rule: t.AlertRule) -> dict[str, Any]:
    """The JSON an alert is sent as (the webhook body; the email's text shows the same)."""
    return {
        "id": alert.id, "rule_id": rule.id, "jurisdiction": rule.jurisdiction, "level": rule.level,
        "scope": rule.entity, "kind": alert.kind, "entity": alert.entity, "event_key": alert.event_key,
        "title": alert.title, "details": alert.details,
        "fired_at": alert.fired_at.isoformat() if alert.fired_at else None,
    }  # fmt: skip


def one_line(text: str) -> str:
    """A header is one line: a handle or a title with a line break must not add headers."""
    return " ".join(text.split())


def subject(alert: t.Alert) -> str:
    """The subject of an alert's own email."""
    return one_line(f"{SUBJECT_PREFIX}{alert.title}")


def text(body: dict[str, Any]) -> str:
    """The text of an alert's email: its title, details, rule and event."""
    lines = [body["title"], ""]
    lines += [f"{k}: {v}" for k, v in body["details"].items()]
    lines += ["", f"rule {body['rule_id']} ({body['kind']}, {body['level']} {body['scope']})",
              f"event {body['event_key']}", f"fired {body['fired_at']}"]  # fmt: skip
    return "\n".join(lines)


def digest_subject(count: int) -> str:
    """The subject of a digest email."""
    return f"{SUBJECT_PREFIX}{count} alert(s) in one digest"


def digest_text(items: Sequence[tuple[t.Alert, t.AlertRule]], why: str) -> str:
    """The text of a digest: why it is one, then every alert as its own email would say it."""
    parts = [f"{len(items)} alert(s), {why}."]
    for n, (alert, rule) in enumerate(items, 1):
        parts += ["", f"--- {n} of {len(items)} ---", text(payload(alert, rule))]
    return "\n".join(parts)
