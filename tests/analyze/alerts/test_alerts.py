"""Alerts end to end: each kind fires once on a prepared demo store, arrives once by webhook and by
email on loopback receivers, and never again; a failing webhook is retried without a second alert;
the SMTP password is used but never printed or stored."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from govsocial.analyze.alerts import deliver
from govsocial.analyze.alerts.rules import KINDS, evaluate
from govsocial.cli.main import app
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from tests.analyze.alerts import rows
from tests.analyze.alerts.loopback import WEBHOOK_SECRET, smtp, webhook
from tests.conftest import postgres_database
from tests.demo_store import KEY, demo_store

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
#: Today in Hong Kong: rules count days in the jurisdiction's time zone, which is a day ahead of
#: UTC from 16:00 UTC on (a UTC date here made the expiry "2 days left" in the evening).
TODAY = NOW.astimezone(ZoneInfo("Asia/Hong_Kong")).date()
#: The week the spikes are in: this week, which a rule made now tells of (an older one it would not).
WEEK = "{}-W{:02d}".format(*TODAY.isocalendar()[:2])
PASSWORD = "smtp-secret-never-shown-9431"


def _account(session: Session, handle: str) -> t.Account:
    return rows.account(session, handle)


def _post(session: Session, account: t.Account, n: int, age: dt.timedelta, interactions: int) -> t.Post:
    return rows.post(session, account, n, NOW - age, interactions, seen=NOW)


def _comment(session: Session, post: t.Post, cid: str, age: dt.timedelta, parent: str | None = None) -> None:
    session.add(
        t.Comment(
            post_id=post.id, platform="facebook", comment_id=cid, parent_comment_id=parent,
            created_at=NOW - age, is_page_reply=parent is not None, source="test", content_hash="x",
        )
    )  # fmt: skip


def _prepare(session: Session) -> tuple[t.Account, t.Account]:
    """An active account with one event of every account kind, and a silent account that is gone."""
    busy, silent = _account(session, "alerts_busy"), _account(session, "alerts_silent")
    day = dt.timedelta(days=1)
    for n in range(6):  # the usual: 10 interactions, 20 to 40 days ago
        _post(session, busy, n, day * (20 + n), 10)
    _post(session, busy, 10, day * 2, 100)  # overperforming
    quiet = _post(session, busy, 11, day * 3, 1)  # underperforming
    _comment(session, quiet, "c1", dt.timedelta(hours=30))  # unanswered after 24 hours
    _comment(session, quiet, "c2", dt.timedelta(hours=40))
    _comment(session, quiet, "c3", dt.timedelta(hours=50))  # answered by the page:
    _comment(session, quiet, "r3", dt.timedelta(hours=49), parent="c3")
    _comment(session, quiet, "c4", dt.timedelta(hours=2))  # too recent to count
    for kind in ("comment_volume", "negative_share"):
        session.add(
            t.OpinionEvent(
                jurisdiction="hk", account_id=busy.id, kind=kind, period_kind="week", period=WEEK,
                value=90.0, baseline=10.0, spread=2.0, score=40.0, details={}, detected_at=NOW,
            )
        )  # fmt: skip
    gone = {"account": "facebook alerts_silent", "kind": "gone", "message": "page not found"}
    session.add(t.CollectionRun(kind="collect", trigger="cli", scope="all", status="partial",
                                started_at=NOW - day, errors=[gone]))  # fmt: skip
    session.flush()
    return busy, silent


def cli(url: str, smtp_port: int, *args: str) -> tuple[int, str]:
    env = {
        "GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY, "GOVSOCIAL_SMTP_HOST": "127.0.0.1",
        "GOVSOCIAL_SMTP_PORT": str(smtp_port), "GOVSOCIAL_SMTP_STARTTLS": "false",
        "GOVSOCIAL_SMTP_USER": "alerts", "GOVSOCIAL_SMTP_PASSWORD": PASSWORD,
        "GOVSOCIAL_SMTP_FROM": "alerts@govsocial.test",
    }  # fmt: skip
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def _no_database() -> Generator[str | None]:
    yield None  # demo_store makes a SQLite file


def _stored(url: str) -> str:
    """Every alert and rule as stored (and the whole file of a SQLite store)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = [
            *connection.execute(select(t.Alert.__table__)),
            *connection.execute(select(t.AlertRule.__table__)),
        ]
    engine.dispose()
    raw = (
        Path(url.removeprefix("sqlite:///")).read_bytes().decode("latin-1")
        if url.startswith("sqlite")
        else ""
    )
    return repr(rows) + raw


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int, int]]:
    """The demo store (on each backend) with the prepared rows: its URL and the two accounts' ids."""
    folder = tmp_path_factory.mktemp("alerts")
    # conftest's generator drops its database when closed
    databases = (
        cast(Generator[str | None], postgres_database()) if request.param == "postgresql" else _no_database()
    )
    url = demo_store(folder, url=next(databases), kinds=("posts",))
    engine = make_engine(url)
    with session_factory(engine)() as session:
        busy, silent = _prepare(session)
        ids = busy.id, silent.id
        session.commit()
    engine.dispose()
    yield url, *ids
    databases.close()  # drops the PostgreSQL database


def _add_rules(url: str, port: int, hook: str, busy: int, silent: int) -> None:
    expires = (TODAY + dt.timedelta(days=3)).isoformat()
    rules = [
        ("comment_volume", "account", str(busy), []),
        ("negative_share", "account", str(busy), []),
        ("post_overperforming", "account", str(busy), ["ratio=3"]),
        ("post_underperforming", "account", str(busy), ["ratio=3"]),
        ("unanswered_comments", "account", str(busy), ["hours=24"]),
        ("token_expiry", "government", "hk", ["platform=facebook", f"expires_on={expires}"]),
        ("account_dormant", "account", str(silent), ["days=30"]),
        ("account_missing", "account", str(silent), []),
    ]
    assert sorted(r[0] for r in rules) == sorted(KINDS)  # every kind is exercised
    for kind, level, entity, params in rules:
        args = [
            "alerts",
            "rules",
            "add",
            kind,
            "--level",
            level,
            "--webhook",
            hook,
            "--email",
            "ops@gov.test",
        ]
        if level != "government":
            args += ["--entity", entity]
        for p in params:
            args += ["--param", p]
        code, out = cli(url, port, *args)
        assert code == 0, out


def test_each_alert_fires_once_by_webhook_and_email(
    store: tuple[str, int, int], caplog: pytest.LogCaptureFixture
) -> None:
    url, busy, silent = store
    with webhook() as hook, smtp() as box:
        _add_rules(url, box.port, hook.url, busy, silent)
        code, dry = cli(url, box.port, "alerts", "run", "--dry-run", "--json")
        assert code == 0, dry
        assert len(json.loads(dry)["new"]) == len(KINDS)
        assert hook.received == [] and box.messages == []  # a dry run sends nothing

        code, out = cli(url, box.port, "alerts", "run", "--json")
        assert code == 0, out
        report = json.loads(out)
        assert (len(report["new"]), report["webhooks"], report["emails"]) == (8, 8, 8)
        assert Counter(b["kind"] for b in hook.received) == Counter(KINDS)
        subjects = sorted(str(m["Subject"]).strip() for m in box.messages)
        assert len(subjects) == len(KINDS) and all(s.startswith("[govsocial] ") for s in subjects)
        assert {str(m["To"]) for m in box.messages} == {"ops@gov.test"}
        assert set(box.logins) == {PASSWORD}  # the password reached the server...

        by_kind = {b["kind"]: b for b in hook.received}
        assert by_kind["unanswered_comments"]["details"]["comments"] == 2  # c1, c2; not c3 (answered), c4
        assert by_kind["post_overperforming"]["details"]["interactions"] == 100
        assert by_kind["post_underperforming"]["details"]["interactions"] == 1
        assert by_kind["account_missing"]["entity"] == str(silent)
        assert by_kind["token_expiry"]["details"]["days_left"] == 3
        assert by_kind["comment_volume"]["event_key"] == f"comment_volume:account:{busy}:week:{WEEK}"

        code, again = cli(url, box.port, "alerts", "run", "--json")  # never repeated
        assert code == 0, again
        second = json.loads(again)
        assert (second["new"], second["webhooks"], second["emails"]) == ([], 0, 0)
        assert len(hook.received) == len(KINDS) and len(box.messages) == len(KINDS)

        code, listed = cli(url, box.port, "alerts", "list", "--json")
        assert code == 0
        rows = json.loads(listed)["data"]
        assert len(rows) == len(KINDS)
        assert all(
            r["delivered_webhook_at"] and r["delivered_email_at"] and not r["last_error"] for r in rows
        )
        # UTC with its offset on both stores (SQLite hands times back without their zone).
        times = [r[key] for r in rows for key in ("fired_at", "delivered_webhook_at", "delivered_email_at")]
        assert all(value.endswith("+00:00") for value in times), times
    # ...and was never printed, logged or stored.
    text = out + again + listed + dry + caplog.text + _stored(url)
    assert PASSWORD not in text


def test_a_failing_webhook_is_retried_without_a_second_alert(
    store: tuple[str, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = store[0]
    monkeypatch.setattr(deliver, "BACKOFF", (0.0, 0.0))
    expires = (TODAY + dt.timedelta(days=1)).isoformat()
    with webhook() as hook, smtp() as box:
        hook.fail = deliver.TRIES  # every try of the first run fails
        code, out = cli(url, box.port, "alerts", "rules", "add", "token_expiry", "--webhook", hook.url,
                        "--email", "ops@gov.test", "--param", "platform=youtube", "--param",
                        f"expires_on={expires}", "--json")  # fmt: skip
        assert code == 0, out
        rule_id = json.loads(out)["id"]
        code, out = cli(url, box.port, "alerts", "run", "--json")
        assert code == 1, out  # a delivery failed
        assert hook.refused == deliver.TRIES and hook.received == [] and len(box.messages) == 1
        engine = make_engine(url)
        with session_factory(engine)() as session:
            alert = session.scalars(select(t.Alert).where(t.Alert.rule_id == rule_id)).one()
            assert alert.delivered_webhook_at is None and alert.delivered_email_at is not None
            assert alert.last_error and "500" in alert.last_error
            assert WEBHOOK_SECRET not in alert.last_error and WEBHOOK_SECRET not in out

        code, out = cli(url, box.port, "alerts", "run", "--json")  # the receiver is back
        assert code == 0, out
        assert json.loads(out)["new"] == []
        assert [b["id"] for b in hook.received] == [alert.id]
        assert len(box.messages) == 1  # the email, delivered before, is not sent again
        with session_factory(engine)() as session:
            count = session.scalar(
                select(func.count()).select_from(t.Alert).where(t.Alert.rule_id == rule_id)
            )
            again = session.get(t.Alert, alert.id)
            assert count == 1 and again is not None
            assert again.delivered_webhook_at is not None and again.last_error is None
        engine.dispose()


def test_rules_are_checked_before_they_are_stored(store: tuple[str, int, int]) -> None:
    url = store[0]
    bad = [
        ["no_such_kind", "--webhook", "http://127.0.0.1:9/x"],
        ["account_dormant", "--level", "account", "--webhook", "http://127.0.0.1:9/x"],  # no --entity
        ["account_dormant", "--param", "weeks=3", "--webhook", "http://127.0.0.1:9/x"],
        ["token_expiry", "--param", "expires_on=soon", "--webhook", "http://127.0.0.1:9/x"],
        ["account_dormant"],  # nowhere to send it
    ]
    _, before = cli(url, 25, "alerts", "rules", "list", "--json")
    for args in bad:
        code, out = cli(url, 25, "alerts", "rules", "add", *args)
        assert code == 2, (args, out)
    _, after = cli(url, 25, "alerts", "rules", "list", "--json")
    assert json.loads(after)["count"] == json.loads(before)["count"]


def test_a_removed_rule_takes_its_alerts_with_it(store: tuple[str, int, int], tmp_path: Path) -> None:
    url, _, silent = store
    code, out = cli(url, 25, "alerts", "rules", "add", "account_dormant", "--level", "account", "--entity",
                    str(silent), "--webhook", "http://127.0.0.1:9/x", "--json")  # fmt: skip
    assert code == 0, out
    rule_id = json.loads(out)["id"]
    code, out = cli(url, 25, "alerts", "rules", "remove", str(rule_id))
    assert code == 0, out
    code, out = cli(url, 25, "alerts", "rules", "remove", str(rule_id))
    assert code == 2


def test_rules_watch_their_scope_only(store: tuple[str, int, int]) -> None:
    url, busy, silent = store
    engine = make_engine(url)
    with session_factory(engine)() as session:
        owned = session.execute(
            select(t.Organisation.code, t.AccountOrganisation.account_id)
            .join(t.AccountOrganisation, t.AccountOrganisation.organisation_id == t.Organisation.id)
            .join(t.Account, t.Account.id == t.AccountOrganisation.account_id)
            .where(t.Organisation.jurisdiction == "hk", t.Account.status != t.AccountStatus.ARCHIVED)
            .order_by(t.Organisation.id)
        ).first()
        assert owned is not None
        code, account_id = owned
        members = {
            a.id
            for a in session.scalars(
                select(t.Account)
                .join(t.AccountOrganisation, t.AccountOrganisation.account_id == t.Account.id)
                .join(t.Organisation, t.Organisation.id == t.AccountOrganisation.organisation_id)
                .where(t.Organisation.jurisdiction == "hk", t.Organisation.code == code)
                .where(t.Account.status != t.AccountStatus.ARCHIVED)
            )
        }

        def fired(level: str, entity: str, kind: str, **params: object) -> set[str]:
            rule = t.AlertRule(id=0, jurisdiction="hk", level=level, entity=entity, kind=kind, params=params)
            return {f.entity for f in evaluate(session, rule, NOW)}

        # With days=0 every account is dormant: the rule still names the organisation's accounts only.
        assert account_id in members
        assert fired("organisation", code, "account_dormant", days=0) == {str(i) for i in members}
        assert len(fired("government", "hk", "account_dormant", days=0)) > len(members)
        assert fired("account", str(busy), "account_dormant", days=30) == set()  # it posted 2 days ago
        assert fired("account", str(silent), "account_dormant", days=30) == {str(silent)}
        assert fired("government", "hk", "account_missing") == {str(silent)}
        assert fired("account", str(busy), "account_missing") == set()
    engine.dispose()


def test_a_webhook_error_names_where_it_goes_never_its_secret_path() -> None:
    """httpx names the whole URL in some errors; what is stored and shown keeps only its host."""
    url = f"https://hooks.example.org/services/{WEBHOOK_SECRET}?token=abc"
    for exc in (
        httpx.ConnectError(f"cannot connect to {url}"),
        httpx.HTTPStatusError(f"Server error '502' for url '{httpx.URL(url)}'",
                              request=httpx.Request("POST", url), response=httpx.Response(502)),
    ):  # fmt: skip
        text = deliver.webhook_error(exc, url)
        assert WEBHOOK_SECRET not in text and "abc" not in text
        assert "https://hooks.example.org/…" in text and type(exc).__name__ in text
