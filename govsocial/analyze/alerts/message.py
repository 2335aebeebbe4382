"""What an alert says: the JSON body of its webhook, and the subject and text of its email, alone or
in a digest of several.

The webhook's JSON keeps times in UTC (ISO 8601 with their offset), for programs; an email is read
by a person in the jurisdiction, so its text shows every time in the jurisdiction's zone, named
(``2026-10-01 02:30 HKT (Asia/Hong_Kong)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from govsocial.store import tables as t
from govsocial.store.times import utc

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


UTC_ZONE = ZoneInfo("UTC")


def local_time(moment: dt.datetime, zone: ZoneInfo) -> str:
    """``moment`` in ``zone`` to the minute, the zone named by its abbreviation and IANA name."""
    local = moment.astimezone(zone)
    name = local.tzname() or zone.key
    return f"{local:%Y-%m-%d %H:%M} {name}" + (f" ({zone.key})" if zone.key != name else "")


def shown(value: Any, zone: ZoneInfo) -> Any:
    """A detail as an email shows it: a time (ISO 8601, as the details keep it; without an offset it
    is UTC, as the store keeps times) in ``zone``; anything else as it is."""
    if not isinstance(value, str) or "T" not in value:
        return value
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return local_time(utc(moment), zone)


def text(body: dict[str, Any], zone: ZoneInfo = UTC_ZONE) -> str:
    """The text of an alert's email: its title, details, rule and event; times in ``zone`` (the
    rule's jurisdiction's)."""
    lines = [body["title"], ""]
    lines += [f"{k}: {shown(v, zone)}" for k, v in body["details"].items()]
    lines += ["", f"rule {body['rule_id']} ({body['kind']}, {body['level']} {body['scope']})",
              f"event {body['event_key']}", f"fired {shown(body['fired_at'], zone)}"]  # fmt: skip
    return "\n".join(lines)


def digest_subject(count: int) -> str:
    """The subject of a digest email."""
    return f"{SUBJECT_PREFIX}{count} alert(s) in one digest"


def digest_text(
    items: Sequence[tuple[t.Alert, t.AlertRule]], why: str, zones: dict[str, ZoneInfo] | None = None
) -> str:
    """The text of a digest: why it is one, then every alert as its own email would say it
    (``zones``: the time zone of each rule's jurisdiction; UTC for one not there)."""
    parts = [f"{len(items)} alert(s), {why}."]
    for n, (alert, rule) in enumerate(items, 1):
        zone = (zones or {}).get(rule.jurisdiction, UTC_ZONE)
        parts += ["", f"--- {n} of {len(items)} ---", text(payload(alert, rule), zone)]
    return "\n".join(parts)
