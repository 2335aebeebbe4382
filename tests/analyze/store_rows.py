"""Store rows written directly (ORM inserts), for extraction tests on SQLite and PostgreSQL.

``Store`` adds the registry rows activity needs (a jurisdiction, platforms, organisations,
accounts) and then posts, snapshots, comments and follower counts, with UTC times given as Hong
Kong local time (``hk(...)``), the way collectors store them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from govsocial.store import tables as t

HK = ZoneInfo("Asia/Hong_Kong")


def hk(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A Hong Kong local time, as the UTC datetime the store holds."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=HK).astimezone(dt.UTC)


def epoch(value: dt.datetime) -> int:
    """Epoch seconds of a stored time."""
    return int(value.timestamp())


class Store:
    """Writes rows through ``session`` and remembers nothing but counters for ids."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def jurisdiction(
        self, code: str = "hk", population: int | None = 7_524_100, domains: list[str] | None = None
    ) -> None:
        self.session.add(
            t.Jurisdiction(
                code=code,
                name_en=code.upper(),
                timezone="Asia/Hong_Kong",
                # As the bundled Hong Kong registry says: the portal's default language.
                default_locale="zh-hant",
                population=population,
                eservice_domains=["gov.hk"] if domains is None else domains,
            )
        )
        self.session.flush()

    def platforms(self, *keys: str) -> None:
        for key in keys:
            if self.session.get(t.Platform, key) is None:
                self.session.add(t.Platform(key=key, name_en=key, definition={}))
        self.session.flush()

    def organisation(
        self, code: str, kind: t.OrgType = t.OrgType.DEPARTMENT, jurisdiction: str = "hk"
    ) -> int:
        row = t.Organisation(jurisdiction=jurisdiction, code=code, org_type=kind, name_en=code)
        self.session.add(row)
        self.session.flush()
        return row.id

    def account(
        self,
        platform: str,
        owners: list[int],
        jurisdiction: str = "hk",
        status: t.AccountStatus = t.AccountStatus.PUBLISHED,
    ) -> int:
        self.platforms(platform)
        handle = f"{platform}-{self._next()}"
        row = t.Account(
            jurisdiction=jurisdiction,
            platform=platform,
            kind="handle",
            handle=handle,
            key=handle,
            status=status,
        )
        self.session.add(row)
        self.session.flush()
        for position, owner in enumerate(owners):
            self.session.add(
                t.AccountOrganisation(account_id=row.id, organisation_id=owner, position=position)
            )
        self.session.flush()
        return row.id

    def followers(self, account_id: int, at: dt.datetime, followers: int | None) -> None:
        self.session.add(
            t.ProfileSnapshot(account_id=account_id, taken_at=at, followers=followers, source="test")
        )
        self.session.flush()

    def post(self, account_id: int, at: dt.datetime, text: str | None = None, **fields: Any) -> int:
        account = self.session.get(t.Account, account_id)
        assert account is not None
        row = t.Post(
            account_id=account_id,
            platform=account.platform,
            post_id=f"p{self._next()}",
            created_at=at,
            format=fields.pop("format", "text"),
            text=text,
            source="test",
            first_seen_at=at,
            last_seen_at=at,
            content_hash="x",
            **fields,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def snapshot(self, post_id: int, at: dt.datetime, **counts: Any) -> None:
        self.session.add(t.PostSnapshot(post_id=post_id, taken_at=at, **counts))
        self.session.flush()

    def comment(self, post_id: int, at: dt.datetime, text: str | None = None, **fields: Any) -> int:
        post = self.session.get(t.Post, post_id)
        assert post is not None
        row = t.Comment(
            post_id=post_id,
            platform=post.platform,
            comment_id=fields.pop("comment_id", f"c{self._next()}"),
            created_at=at,
            text=text,
            source="test",
            content_hash="x",
            **fields,
        )
        self.session.add(row)
        self.session.flush()
        return row.id
