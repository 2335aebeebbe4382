"""Values longer than their columns, on SQLite and PostgreSQL.

SQLite enforces no ``VARCHAR(n)`` length; PostgreSQL does. A 2,100-character link (``posts.link``
was ``String(2000)``), a 1,200-character URL, a long raw time or profile name was stored on SQLite
and failed its whole batch on PostgreSQL (``value too long for type character varying(2000)``): a
connector's page, whose account then stopped there on every run, or up to 1,000 rows of an import.
Now free texts are ``TEXT`` (migration 0018) and stored whole on both stores, and an id longer than
its column is refused where records are made (``collect.records``), so that record is quarantined
naming the field and its length and the rest of the page or file is stored, the same on both.
Every case goes through a real importer or connector with the recorded payloads.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, String, delete, select
from sqlalchemy.dialects import postgresql

from govsocial.collect.base import Target
from govsocial.collect.records import (
    ID_CHARS,
    PLATFORM_CHARS,
    CommentRecord,
    PostRecord,
    ProfileRecord,
    comment_record,
)
from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from tests.collect import test_facebook
from tests.collect.test_end_to_end import COMMENTS, POSTS, collect, counts, fake, registry, targets, url
from tests.collect.test_unstorable_text import PAYLOADS, account_id, import_file, store_all
from tests.fakeplatform import FakeGraph
from tests.fakeplatform.graph import COMMENT_PATTERN

# The end-to-end tests' fixtures, which pytest finds by name: the registry loaded, its Facebook
# accounts and the fake Graph API serving them on loopback.
__all__ = ["fake", "registry", "targets", "url"]

WHEN = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def long_url(base: str, length: int) -> str:
    """``base`` with a query that makes it ``length`` characters long (a link with its tracking)."""
    url = f"{base}?utm_source=share&ref=" + "0123456789abcdef" * (length // 16 + 1)
    return url[:length]


LINK = long_url("https://www.example.gov.hk/news/1002", 2100)
URL = long_url("https://www.facebook.com/examplegovhk/posts/1001", 1200)
#: A raw time ``fromisoformat`` reads (it takes any number of digits after the second).
RAW_TIME = "2024-05-03 20:00:00." + "0" * 80
NAME = "食物安全中心 Centre for Food Safety " * 12  # 360 characters: profile_snapshots.name was 300
LONG_ID = "1" * 250


def _one(engine: Engine, column: Any, where: Any) -> Any:
    with session_factory(engine)() as session:
        return session.scalars(select(column).where(where)).one()


def _quarantined(engine: Engine) -> list[t.QuarantinedRecord]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(t.QuarantinedRecord).order_by(t.QuarantinedRecord.id)))


# --- the limits ------------------------------------------------------------------------------------


def test_the_id_limits_are_the_columns_and_free_texts_are_text_on_postgresql() -> None:
    def length(column: Any) -> int | None:
        return cast(String, column.type).length

    ids = (t.Post.post_id, t.Comment.comment_id, t.Comment.parent_comment_id)
    assert {length(column) for column in ids} == {ID_CHARS}
    assert {length(t.Post.platform), length(t.Comment.platform)} == {PLATFORM_CHARS}
    free = (t.Post.url, t.Post.link, t.Post.created_at_raw, t.ProfileSnapshot.name)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    assert {str(column.type.compile(dialect=dialect)) for column in free} == {"TEXT"}


@pytest.mark.parametrize("field", ["comment_id", "post_id", "parent_id", "platform"])
def test_a_comment_with_a_long_id_is_refused_by_the_fast_path_as_by_validation(field: str) -> None:
    limit = PLATFORM_CHARS if field == "platform" else ID_CHARS
    given: dict[str, Any] = {"platform": "facebook", "comment_id": "1_2", "post_id": "1", "created_at": WHEN}
    fits = comment_record(**{**given, field: "a" * limit})
    assert fits == CommentRecord(**{**given, field: "a" * limit})
    with pytest.raises(
        ValidationError, match=rf"{field}\n.*{limit + 1} characters long, more than the {limit}"
    ):
        comment_record(**{**given, field: "a" * (limit + 1)})


def test_a_post_or_profile_with_a_long_id_is_refused_and_long_texts_are_kept() -> None:
    post = PostRecord(
        platform="facebook", post_id="1", account_ref="cfs.hk", created_at=WHEN, url=URL, link=LINK
    )
    assert (post.url, post.link) == (URL, LINK)
    with pytest.raises(ValidationError, match=r"post_id\n.*250 characters long, more than the 200"):
        PostRecord(platform="facebook", post_id=LONG_ID, account_ref="cfs.hk", created_at=WHEN)
    with pytest.raises(ValidationError, match=r"platform\n.*33 characters long, more than the 32"):
        ProfileRecord(platform="p" * 33, account_ref="cfs.hk", taken_at=WHEN)
    assert ProfileRecord(platform="facebook", account_ref="cfs.hk", taken_at=WHEN, name=NAME).name == NAME


# --- export files ----------------------------------------------------------------------------------


def test_a_csv_with_a_long_link_url_and_time_is_stored_whole_and_a_long_post_id_quarantined(
    engine: Engine, tmp_path: Path
) -> None:
    account = account_id(engine)
    original = (PAYLOADS / "generic" / "posts.csv").read_text(encoding="utf-8")
    changed = (
        original.replace("/posts/1001,,", f"/posts/1001,{LINK},", 1)
        .replace("https://www.facebook.com/examplegovhk/posts/1002", URL, 1)
        .replace("1785000000000000001,2024-05-02T01:05:00Z", f"{LONG_ID},2024-05-02T01:05:00Z", 1)
        .replace("2024-05-03 20:00", RAW_TIME, 1)
    )
    assert changed.count(LINK) == changed.count(URL) == changed.count(LONG_ID) == changed.count(RAW_TIME) == 1
    path = tmp_path / "posts.csv"
    path.write_text(changed, encoding="utf-8")

    first = import_file(engine, path, "generic", account)
    again = import_file(engine, path, "generic", account)

    assert not first.errors and first.status == "partial", first.as_dict()
    assert (first.counts.counts["posts.insert"], first.counts.counts["quarantined"]) == (3, 1)
    assert (again.counts.counts["posts.noop"], again.counts.counts["quarantined"]) == (3, 1)
    assert _one(engine, t.Post.link, t.Post.post_id == "123456789_1001") == LINK
    assert _one(engine, t.Post.url, t.Post.post_id == "123456789_1002") == URL
    assert _one(engine, t.Post.created_at_raw, t.Post.post_id == "abcDEF12345") == RAW_TIME
    [record] = _quarantined(engine)
    assert record.location == "posts.csv, line 5" and record.times_seen == 2
    assert record.reason.startswith("post_id: is 250 characters long, more than the 200 the store keeps")
    assert LONG_ID in record.content


def test_comments_with_a_long_id_or_parent_id_are_quarantined_and_the_others_stored(
    engine: Engine, tmp_path: Path
) -> None:
    account = account_id(engine)
    import_file(engine, PAYLOADS / "generic" / "posts.csv", "generic", account)
    original = (PAYLOADS / "generic" / "comments.csv").read_text(encoding="utf-8")
    path = tmp_path / "comments.csv"
    path.write_text(
        original.replace(",1001_2,1001_1,", f",1001_2,{'9' * 201},").replace(",1002_1,", f",{'8' * 300},")
    )

    first = import_file(engine, path, "generic", account)
    again = import_file(engine, path, "generic", account)

    assert (first.counts.counts["comments.insert"], first.counts.counts["quarantined"]) == (1, 2)
    assert (again.counts.counts["comments.noop"], again.counts.counts["quarantined"]) == (1, 2)
    with session_factory(engine)() as session:
        assert list(session.scalars(select(t.Comment.comment_id))) == ["1001_1"]
    reasons = [record.reason for record in _quarantined(engine)]
    assert "parent_id: is 201 characters long" in reasons[0]
    assert "comment_id: is 300 characters long" in reasons[1]


# --- platform APIs ---------------------------------------------------------------------------------


def _graph_post(post_id: str, **data: Any) -> dict[str, Any]:
    return {**test_facebook.one_post(comments=0, post_id=post_id)["data"][0], **data}


def test_a_graph_page_with_long_values_keeps_them_and_quarantines_only_its_long_id(engine: Engine) -> None:
    account = account_id(engine)
    link = {"data": [{"media_type": "link", "type": "share", "unshimmed_url": LINK, "url": LINK}]}
    good = _graph_post(f"{test_facebook.PAGE_ID}_1", permalink_url=URL, attachments=link)
    bad = _graph_post(f"{test_facebook.PAGE_ID}_".ljust(250, "7"))
    page = httpx.Response(200, json={"data": [bad, good]})
    profile = f"/{test_facebook.PAGE_ID}"
    batches, _, _ = test_facebook.collect(
        {(profile, None): {**test_facebook.PROFILE, "name": NAME}, (f"{profile}/posts", None): page}
    )

    stored = store_all(engine, batches, account, "api:facebook")
    again = store_all(engine, batches, account, "api:facebook")

    assert (stored["posts.insert"], stored["profiles.insert"], stored["quarantined"]) == (1, 1, 1)
    assert (again["posts.noop"], again["quarantined"]) == (1, 1)
    with session_factory(engine)() as session:
        row = session.scalars(select(t.Post)).one()
        name = session.scalars(select(t.ProfileSnapshot.name)).one()
        checkpoint = session.get(t.Checkpoint, (account, "posts"))
    assert (row.url, row.link, row.format, name) == (URL, LINK, "link", NAME)
    assert checkpoint is not None and checkpoint.state.get("complete")  # the listing went on past it
    [record] = _quarantined(engine)
    assert record.reason.startswith("ValidationError: PostRecord: post_id: is 250 characters long")
    assert json.loads(record.content)["id"] == bad["id"] and record.times_seen == 2


def test_a_facebook_collection_with_long_values_completes_and_collecting_again_changes_nothing(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str
) -> None:
    """The runner and the Facebook connector against the fake Graph API on loopback: one post links
    to a 2,100-character address and has a 1,200-character permalink, another has a 250-character
    id, a Page's name is 360 characters long."""
    page = fake.pages[targets[0].handle]
    page.name = NAME
    first, second = page.posts[0], page.posts[1]
    first.data.update(
        permalink_url=URL,
        attachments={"data": [{"media_type": "link", "type": "share", "unshimmed_url": LINK}]},
    )
    second.data["id"] = LONG_ID
    lost = COMMENT_PATTERN[1]  # the quarantined post's comments are not read
    n = len(targets)

    summary = collect(engine, url, targets)

    assert not summary.errors, summary.as_dict()
    assert counts(summary) == {
        "comments.insert": n * COMMENTS - lost,
        "post_snapshots.insert": n * POSTS - 1,
        "posts.insert": n * POSTS - 1,
        "profiles.insert": n,
        "quarantined": 1,
    }
    with session_factory(engine)() as session:
        row = session.scalars(select(t.Post).where(t.Post.post_id == first.post_id)).one()
        names = set(session.scalars(select(t.ProfileSnapshot.name)))
        listings = [
            c.state for c in session.scalars(select(t.Checkpoint).where(t.Checkpoint.edge == "posts"))
        ]
    assert (row.url, row.link) == (URL, LINK) and NAME in names
    assert len(listings) == n and all(state.get("complete") for state in listings)  # every account done
    [record] = _quarantined(engine)
    assert "post_id: is 250 characters long" in record.reason

    with transaction(session_factory(engine)) as session:  # forget every checkpoint: read it all again
        session.execute(delete(t.Checkpoint))
    again = collect(engine, url, targets)

    assert not again.errors
    assert counts(again) == {
        "comments.noop": n * COMMENTS - lost,
        "posts.noop": n * POSTS - 1,
        "post_snapshots.insert": n * POSTS - 1,
        "profiles.insert": n,
        "quarantined": 1,
    }
