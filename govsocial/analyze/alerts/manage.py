"""Making, switching and removing alert rules: the checks every way in goes through
(``govsocial alerts rules`` and the admin page ``/admin/alerts``), the scope's among them checked
against the store, and the audit row of each change made by a signed-in user, written in the
caller's transaction.

A refused rule raises ``RuleError`` naming the form field at fault, so a page can show the message
beside that field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govsocial.analyze.alerts.message import masked_url
from govsocial.analyze.alerts.params import KINDS, ParamError, clean_params, parse_param
from govsocial.errors import GovsocialError
from govsocial.store import alerts as store
from govsocial.store import audit
from govsocial.store import tables as t
from govsocial.store.queries import parse_id

URL_MAX = 1000
EMAIL_MAX = 300
ENTITY_MAX = 200


class RuleError(GovsocialError, ValueError):
    """A rule that cannot be stored as asked; ``field`` names the form field at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Actor:
    """Who changes rules, for the audit log: a signed-in user and their address."""

    user_id: int | None
    address: str | None = None


@dataclass(frozen=True)
class NewRule:
    """What a rule is made of, as given."""

    jurisdiction: str
    kind: str
    level: str = "government"
    entity: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    webhook_url: str | None = None
    email: str | None = None


def parse_params(lines: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` lines (blank ones skipped) as parameters."""
    try:
        return dict(parse_param(line) for line in lines if line.strip())
    except ParamError as exc:
        raise RuleError("params", str(exc)) from None


def _channels(new: NewRule) -> NewRule:
    webhook, email = (new.webhook_url or "").strip() or None, (new.email or "").strip() or None
    if not webhook and not email:
        raise RuleError("webhook_url", "give a webhook URL, an email address or both")
    if webhook and (not webhook.startswith(("http://", "https://")) or len(webhook) > URL_MAX):
        raise RuleError("webhook_url", f"the webhook must be an http(s) URL of at most {URL_MAX} characters")
    if email and (
        email.count("@") != 1 or any(c.isspace() or c in ",;<>" for c in email) or len(email) > EMAIL_MAX
    ):
        raise RuleError("email", "the email must be one address such as desk@example.org")
    return replace(new, webhook_url=webhook, email=email)


def _account_id(entity: str) -> bool:
    """Whether ``entity`` is an account id the store can hold (``queries.parse_id``), so evaluating
    the rule cannot fail."""
    return parse_id(entity) is not None


def checked(new: NewRule) -> NewRule:
    """``new`` with its scope, parameters and channels checked and normalised."""
    if new.level not in store.LEVELS:
        raise RuleError("level", f"the scope must be one of: {', '.join(store.LEVELS)}")
    entity = (new.entity or "").strip() or None
    if new.level != "government" and not entity:
        raise RuleError("entity", f"a rule on an {new.level} needs the {new.level}'s id or code")
    if new.level == "account" and not _account_id(str(entity)):
        raise RuleError("entity", "an account rule's scope is the account's id (a number)")
    if entity and len(entity) > ENTITY_MAX:
        raise RuleError("entity", f"the scope is at most {ENTITY_MAX} characters")
    try:
        params = clean_params(new.kind, new.params)
    except ParamError as exc:
        raise RuleError("kind" if new.kind not in KINDS else "params", str(exc)) from None
    return _channels(replace(new, entity=entity or new.jurisdiction, params=params))


def _rule_details(rule: t.AlertRule) -> dict[str, Any]:
    return {"kind": rule.kind, "level": rule.level, "entity": rule.entity, "params": rule.params,
            "webhook_url": masked_url(rule.webhook_url) if rule.webhook_url else None,
            "email": rule.email, "enabled": rule.enabled}  # fmt: skip


def _log(session: Session, actor: Actor | None, action: str, rule_id: int, details: dict[str, Any],
         now: dt.datetime) -> None:  # fmt: skip
    if actor is not None:
        audit.record(session, actor.user_id, action, f"alert_rule:{rule_id}", details, actor.address, now)


def in_store(session: Session, new: NewRule) -> None:
    """Refuse a checked rule whose scope names nothing in the store: its jurisdiction, the account
    or organisation it watches, and for a whole government, that jurisdiction. Such a rule would
    be stored and never fire."""
    if session.get(t.Jurisdiction, new.jurisdiction) is None:
        raise RuleError("entity", f"no jurisdiction {new.jurisdiction!r} in the store")
    entity, where = str(new.entity), f"in jurisdiction {new.jurisdiction!r}"
    if new.level == "account":
        query = select(t.Account.id).where(
            t.Account.id == int(entity), t.Account.jurisdiction == new.jurisdiction
        )
        if session.scalar(query) is None:
            raise RuleError(
                "entity", f"no account {entity} {where} (`govsocial registry verify URL` prints an id)"
            )
    elif new.level == "organisation":
        query = select(t.Organisation.id).where(
            t.Organisation.code == entity, t.Organisation.jurisdiction == new.jurisdiction
        )
        if session.scalar(query) is None:
            listed = "`govsocial registry export --kind organisations` lists the codes"
            raise RuleError("entity", f"no organisation {entity!r} {where} ({listed})")
    elif entity != new.jurisdiction:
        raise RuleError(
            "entity", f"a government rule watches its jurisdiction {new.jurisdiction!r}, not {entity!r}"
        )


def add_rule(session: Session, new: NewRule, actor: Actor | None, now: dt.datetime) -> t.AlertRule:
    """Check and store a new, enabled rule; audited when an actor is given."""
    new = checked(new)
    assert new.entity is not None  # checked() fills it
    in_store(session, new)
    rule = store.add_rule(
        session, new.jurisdiction, new.level, new.entity, new.kind, new.params, new.webhook_url, new.email
    )
    _log(session, actor, "alert_rule.add", rule.id, _rule_details(rule), now)
    return rule


def set_enabled(
    session: Session, rule_id: int, enabled: bool, actor: Actor | None, now: dt.datetime
) -> t.AlertRule | None:
    """Enable or disable a rule (None: no such rule); audited when it changed and an actor is given."""
    rule = store.get_rule(session, rule_id)
    if rule is None:
        return None
    if rule.enabled != enabled:
        before = rule.enabled
        rule.enabled = enabled
        action = "alert_rule.enable" if enabled else "alert_rule.disable"
        _log(
            session,
            actor,
            action,
            rule.id,
            {"before": {"enabled": before}, "after": {"enabled": enabled}},
            now,
        )
    return rule


def remove_rule(session: Session, rule_id: int, actor: Actor | None, now: dt.datetime) -> bool:
    """Remove a rule and its alerts (False: no such rule); audited when an actor is given."""
    rule = store.get_rule(session, rule_id)
    if rule is None:
        return False
    details = _rule_details(rule)
    store.remove_rule(session, rule_id)
    _log(session, actor, "alert_rule.remove", rule_id, details, now)
    return True
