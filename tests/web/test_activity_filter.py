"""The active/dormant filter of the directory and the API, on SQLite and PostgreSQL.

The store is the registry and one month of the demo dataset, so some official accounts have posts and
others have none. Active is checked against the posts themselves: an active account has a post in the
30 days up to the newest post of the jurisdiction, a dormant one has none.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.web.app import create_app
from tests.demo_store import demo_store


def _age_posts(url: str) -> int:
    """Move every post of one official account 60 days back, so it has posts but is dormant."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        account = session.scalars(select(t.Post.account_id).order_by(t.Post.account_id).limit(1)).one()
        for post in session.scalars(select(t.Post).where(t.Post.account_id == account)):
            post.created_at -= dt.timedelta(days=60)
        session.commit()
    engine.dispose()
    return account


def _handle(url: str, account: int) -> str:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        handle = session.scalars(select(t.Account.handle).where(t.Account.id == account)).one()
    engine.dispose()
    return handle


def _last_posts(url: str) -> tuple[dict[int, dt.datetime], set[int]]:
    """Each account's newest post time (UTC), and the ids of the official accounts."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        newest = dict(
            session.execute(
                select(t.Post.account_id, func.max(t.Post.created_at)).group_by(t.Post.account_id)
            ).all()
        )
        official = set(
            session.scalars(select(t.Account.id).where(t.Account.status == t.AccountStatus.PUBLISHED))
        )
    engine.dispose()
    return {k: v.replace(tzinfo=v.tzinfo or dt.UTC) for k, v in newest.items()}, official


def _ids(client: TestClient, path: str, **params: str) -> list[object]:
    body = client.get(path, params={"limit": "500", **params}).json()
    assert body["count"] == len(body["data"])
    key = "id" if "accounts" in path else "code"
    return [item[key] for item in body["data"]]


def test_active_and_dormant_split_the_official_accounts(database_url: str, tmp_path: Path) -> None:
    url = demo_store(tmp_path, months=1, url=database_url)
    aged = _age_posts(url)
    newest, official = _last_posts(url)
    since = max(newest.values()) - dt.timedelta(days=30)
    expected_active = {a for a in official if a in newest and newest[a] >= since}
    with TestClient(create_app(Settings.load(database_url=url))) as client:
        active = set(_ids(client, "/api/v1/accounts", activity="active"))
        dormant = set(_ids(client, "/api/v1/accounts", activity="dormant"))
        assert active == expected_active and active  # the demo has active accounts...
        assert dormant == official - expected_active and aged in dormant  # posts, but old ones
        organisations = set(_ids(client, "/api/v1/organisations", activity="active"))
        owners = {
            o["code"] for a in active for o in client.get(f"/api/v1/accounts/{a}").json()["organisations"]
        }
        assert organisations == owners
        assert client.get("/api/v1/accounts", params={"activity": "sleeping"}).status_code == 422

        # The directory: the same split, on the page (links to account pages), and a bad value ignored.
        def listed(**params: str) -> set[int]:
            page = client.get("/en/", params={"all": "1", **params})
            assert page.status_code == 200
            return {int(i) for i in re.findall(r'href="/en/accounts/(\d+)"', page.text)}

        assert aged in listed(activity="dormant", q=_handle(url, aged))
        assert listed(activity="active") <= active and listed(activity="dormant") <= dormant
        assert 'value="dormant" selected' in client.get("/en/", params={"activity": "dormant"}).text
        assert listed(activity="sleeping") == listed()
