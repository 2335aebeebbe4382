"""What an alert says: the JSON body of its webhook, and the subject and text of its email, alone or
in a digest of several, in the language of the rule's recipient.

An alert's identity is its ``event_key`` (``alerts.event_key``, unique per rule): it never changes,
so an event stored once is never stored or sent again. What is *shown* is written when the alert is
delivered, from its kind and details: the title and text in the rule's language (its ``lang``
parameter, else the jurisdiction's default language, as reports choose it), the account named by
its display name in that language and its platform by the platform's display name (``Names``), as
reports and the portal name them. The stored ``title`` is the English one (the admin area and
``govsocial alerts list`` are in English); an alert stored by an older version whose details lack
what a title needs is shown with its stored title.

The webhook's JSON keeps times in UTC (ISO 8601 with their offset), for programs; an email is read
by a person in the jurisdiction, so its text shows every time in the jurisdiction's zone, named
(``2026-10-01 02:30 HKT (Asia/Hong_Kong)``). With the ``portal_url`` setting, both link to the
account's page on the portal and to the admin area's alerts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from govsocial.analyze.alerts import words
from govsocial.registry.catalogue import display_names
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import queries
from govsocial.store import tables as t
from govsocial.store.times import utc

SUBJECT_PREFIX = "[govsocial] "
UTC_ZONE = ZoneInfo("UTC")
Item = tuple[t.Alert, t.AlertRule]


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


# --- Names ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountName:
    """An account as alerts name it: its display names by language, its platform and handle."""

    platform: str
    handle: str
    names: dict[str, str]


def account_name(account: t.Account) -> AccountName:
    """The display names of ``account``: each language's, else the nearest one stored, else the
    handle (the fallbacks the reports use)."""
    en = account.display_name_en or account.handle
    hant = account.display_name_zh_hant or en
    hans = account.display_name_zh_hans or hant
    return AccountName(account.platform, account.handle, {"en": en, "zh-hant": hant, "zh-hans": hans})


@dataclass
class Names:
    """Display names of accounts (by id) and platforms (by key, per language)."""

    accounts: dict[int, AccountName] = field(default_factory=dict)
    platforms: dict[str, dict[str, str]] = field(default_factory=dict)

    def platform(self, key: str, lang: str) -> str:
        """The platform's display name in ``lang`` (its key when unknown)."""
        return self.platforms.get(key, {}).get(lang) or key

    def account(self, account_id: Any, lang: str) -> str | None:
        """``Name (Platform)`` in ``lang``; None for an account not known."""
        found = self.accounts.get(account_id) if isinstance(account_id, int) else None
        if found is None:
            return None
        return words.ACCOUNT[lang].format(
            name=found.names[lang], platform=self.platform(found.platform, lang)
        )


def names_of(session: Session, accounts: Iterable[t.Account]) -> Names:
    """The names of ``accounts`` and of every platform."""
    return Names({a.id: account_name(a) for a in accounts}, display_names(session))


# --- Titles --------------------------------------------------------------------------------------


def period_text(kind: str, period: str, lang: str) -> str:
    """A period as a person says it (``2026-W47``: "week 47 of 2026", "2026 年第 47 週")."""
    week = re.fullmatch(r"(\d{4})-W(\d{2})", period) if kind == "week" else None
    month = re.fullmatch(r"(\d{4})-(\d{2})", period) if kind == "month" else None
    if week:
        return words.PERIODS["week"][lang].format(year=week[1], week=int(week[2]))
    if month and 1 <= int(month[2]) <= 12:
        name = words.MONTHS[int(month[2]) - 1]
        return words.PERIODS["month"][lang].format(year=month[1], month=int(month[2]), name=name)
    if kind == "year" and re.fullmatch(r"\d{4}", period):
        return words.PERIODS["year"][lang].format(year=period)
    return period


def _token_title(d: dict[str, Any], lang: str, names: Names) -> str:
    platform = names.platform(str(d["platform"]), lang)
    if d.get("is_valid") is False:
        return words.TITLES["token_invalid"][lang].format(platform=platform, since=d["invalid_since"])
    left, date = int(d["days_left"]), d["expires_on"]
    key = "token_expired" if left < 0 else "token_expires_today" if left == 0 else "token_expiring"
    return words.TITLES[key][lang].format(platform=platform, left=left, date=date)


def _dormant_title(account: str, d: dict[str, Any], lang: str) -> str:
    if d["last_post"] == "never":
        return words.TITLES["never_posted"][lang].format(account=account)
    silent, days = int(d["silent_days"]), float(d["days"])
    key, shown = ("dormant", f"{silent}") if silent >= days else ("dormant_over", f"{days:g}")
    return words.TITLES[key][lang].format(account=account, days=shown, date=d["last_post"])


def _post_day(details: dict[str, Any], zone: ZoneInfo) -> str:
    """The day the post was made, in the jurisdiction: what tells a page's posts apart."""
    return utc(dt.datetime.fromisoformat(str(details["posted_at"]))).astimezone(zone).date().isoformat()


def _unanswered_title(account: str, d: dict[str, Any], lang: str, zone: ZoneInfo) -> str:
    count, hours = d["comments"], f"{float(d['hours']):g}"
    if "posted_at" not in d:  # stored by an earlier version
        return words.TITLES["unanswered_comments_undated"][lang].format(
            account=account, count=count, hours=hours
        )
    day = _post_day(d, zone)
    return words.TITLES["unanswered_comments"][lang].format(
        account=account, count=count, hours=hours, day=day
    )


def title(
    kind: str, details: dict[str, Any], lang: str, names: Names, zone: ZoneInfo = UTC_ZONE
) -> str | None:
    """The title of an event of ``kind`` in ``lang``, days in ``zone``; None when ``details`` lack
    what it needs (an alert stored by an older version, shown with its stored title)."""
    try:
        if kind == "token_expiry":
            return _token_title(details, lang, names)
        account = names.account(details.get("account_id"), lang)
        if account is None:
            return None
        phrase = words.TITLES[kind][lang] if kind in words.TITLES else ""
        if kind in ("comment_volume", "negative_share"):
            return phrase.format(
                account=account, period=period_text(details["period_kind"], details["period"], lang)
            )
        if kind in ("post_overperforming", "post_underperforming"):
            n, median = f"{int(details['interactions']):,}", f"{float(details['median']):,.0f}"
            return phrase.format(account=account, n=n, median=median, day=_post_day(details, zone))
        if kind == "unanswered_comments":
            return _unanswered_title(account, details, lang, zone)
        if kind == "account_dormant":
            return _dormant_title(account, details, lang)
        return phrase.format(account=account) if phrase else None
    except (KeyError, TypeError, ValueError):
        return None


# --- Readers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """How one rule's alerts are written for its recipient: the language, the time zone of the
    rule's jurisdiction, the names, and the portal's address (None: no links)."""

    lang: str = "en"
    zone: ZoneInfo = UTC_ZONE
    names: Names = field(default_factory=Names)
    portal: str | None = None


def language(session: Session, settings: Settings, rule: t.AlertRule) -> str:
    """The language a rule's alerts are written in: its ``lang`` parameter, else the jurisdiction's
    default language (``queries.default_locale``, as reports choose theirs)."""
    chosen = (rule.params or {}).get("lang")
    if isinstance(chosen, str) and chosen in words.LANGUAGES:
        return chosen
    return queries.default_locale(session, settings, rule.jurisdiction)


def readers(session: Session, settings: Settings, items: Sequence[Item]) -> dict[int, Reader]:
    """A ``Reader`` for the rule of each of ``items``, by rule id."""
    ids = {a.details.get("account_id") for a, _ in items if isinstance(a.details, dict)}
    names = names_of(session, store.accounts_by_id(session, [i for i in ids if isinstance(i, int)]))
    zones = {r.jurisdiction: queries.jurisdiction_zone(session, r.jurisdiction) for _, r in items}
    portal = settings.portal_url.rstrip("/") if settings.portal_url else None
    return {
        r.id: Reader(language(session, settings, r), zones[r.jurisdiction], names, portal) for _, r in items
    }


def shown_title(alert: t.Alert, reader: Reader) -> str:
    """The alert's title for ``reader``: written from its details, else as stored."""
    return title(alert.kind, alert.details or {}, reader.lang, reader.names, reader.zone) or alert.title


def account_link(alert: t.Alert, reader: Reader) -> str | None:
    """The account's page on the portal, in the reader's language (None without ``portal_url``)."""
    account_id = (alert.details or {}).get("account_id")
    if reader.portal is None or not isinstance(account_id, int):
        return None
    return f"{reader.portal}/{reader.lang}/accounts/{account_id}"


def payload(alert: t.Alert, rule: t.AlertRule, reader: Reader | None = None) -> dict[str, Any]:
    """The JSON an alert is sent as (the webhook body): its title in the reader's language; times
    in UTC with their offset, as a program wants them."""
    reader = reader or Reader()
    links = {"account": account_link(alert, reader),
             "alerts": f"{reader.portal}/admin/alerts" if reader.portal else None}  # fmt: skip
    return {
        "id": alert.id, "rule_id": rule.id, "jurisdiction": rule.jurisdiction, "level": rule.level,
        "scope": rule.entity, "kind": alert.kind, "entity": alert.entity, "event_key": alert.event_key,
        "language": reader.lang, "title": shown_title(alert, reader), "details": alert.details,
        "links": {k: v for k, v in links.items() if v},
        "fired_at": utc(alert.fired_at).isoformat() if alert.fired_at else None,
    }  # fmt: skip


# --- Emails --------------------------------------------------------------------------------------


def one_line(text: str) -> str:
    """A header is one line: a handle or a title with a line break must not add headers."""
    return " ".join(text.split())


def subject(alert: t.Alert, reader: Reader | None = None) -> str:
    """The subject of an alert's own email."""
    return one_line(f"{SUBJECT_PREFIX}{shown_title(alert, reader or Reader())}")


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


def _value(kind: str, name: str, value: Any, reader: Reader) -> Any:
    """A detail's value as a person reads it: a share in per cent, a number with separators."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return shown(value, reader.zone)
    if kind == "negative_share" and name in ("value", "baseline"):
        return f"{value * 100:.1f} %"
    if isinstance(value, int) or value.is_integer():  # a count stored as a float is still a count
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _label(name: str, lang: str) -> str:
    """``name``'s label in ``lang`` with its colon (the language's own)."""
    return words.LABELS.get(name, {}).get(lang, name) + words.COLON[lang]


def _detail_lines(alert: t.Alert, reader: Reader) -> list[str]:
    """The account (by name, with its handle: several accounts of one organisation share a name),
    its portal page, then each detail a person reads, labelled."""
    details, lang = alert.details or {}, reader.lang
    lines = []
    account_id = details.get("account_id")
    account = reader.names.accounts.get(account_id) if isinstance(account_id, int) else None
    if account is not None:
        label = reader.names.account(account_id, lang)
        lines.append(f"{_label('account', lang)}{label}, {account.handle}")
    if link := account_link(alert, reader):
        lines.append(f"{_label('portal', lang)}{link}")
    for name, value in details.items():
        if name in words.HIDDEN:
            continue
        if name == "period" and "period_kind" in details:
            value = period_text(str(details["period_kind"]), str(value), lang)
        elif name == "platform":
            value = reader.names.platform(str(value), lang)
        lines.append(f"{_label(name, lang)}{_value(alert.kind, name, value, reader)}")
    return lines


def text(alert: t.Alert, rule: t.AlertRule, reader: Reader | None = None) -> str:
    """The text of an alert's email: its title, details, rule and event, in the reader's language,
    times in the reader's zone (the rule's jurisdiction's)."""
    reader = reader or Reader()
    lang = reader.lang
    lines = [shown_title(alert, reader), "", *_detail_lines(alert, reader), ""]
    lines += [f"{_label('rule', lang)}{rule.id} ({rule.kind}, {rule.level} {rule.entity})",
              f"{_label('event', lang)}{alert.event_key}",
              f"{_label('fired', lang)}{local_time(utc(alert.fired_at), reader.zone)}"]  # fmt: skip
    if reader.portal:
        lines.append(f"{_label('admin', lang)}{reader.portal}/admin/alerts")
    return "\n".join(lines)


def digest_subject(count: int, lang: str = "en") -> str:
    """The subject of a digest email."""
    return f"{SUBJECT_PREFIX}{words.DIGEST_SUBJECT[lang].format(count=count)}"


def digest_text(items: Sequence[Item], why: str, readers: dict[int, Reader] | None = None) -> str:
    """The text of a digest: why it is one, then every alert as its own email would say it
    (``readers``: by rule id; the first alert's reader's language says why)."""
    readers = readers or {}
    first = readers.get(items[0][1].id, Reader()) if items else Reader()
    parts = [words.DIGEST[first.lang].format(count=len(items), why=why)]
    for n, (alert, rule) in enumerate(items, 1):
        reader = readers.get(rule.id, Reader())
        of = words.OF[reader.lang].format(n=n, count=len(items))
        parts += ["", f"--- {of} ---", text(alert, rule, reader)]
    return "\n".join(parts)
