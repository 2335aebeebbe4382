"""``GET /api/v1/accounts/{id}/posts`` and the per-post comment labels on the account page.

The store is written row by row (``tests.analyze.store_rows``) on SQLite and PostgreSQL, with
sentiment rows of which one is stale (scored from an older text of its comment): it must not count.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.collect.x import types as x_types
from govsocial.collect.youtube import types as youtube_types
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.web.app import create_app
from tests.analyze.store_rows import Store, hk
from tests.web.test_pages import main_text


def _label(session: Session, comment: int, label: str, scored_hash: str) -> None:
    """A stored label, scored from the text whose hash is ``scored_hash`` (the comments' is "x")."""
    row = t.CommentSentiment(comment_id=comment, analyser="t", content_hash=scored_hash, label=label, score=0)
    session.add(row)


def _seed(session: Session) -> tuple[int, int, int]:
    """An official account with two posts and an account under review with one; labelled comments."""
    s = Store(session)
    s.jurisdiction()
    org = s.organisation("cfs")
    official = s.account("facebook", [org])
    review = s.account("facebook", [org], status=t.AccountStatus.UNDER_REVIEW)
    old = s.post(official, hk(2026, 9, 1), "舊帖", url="https://www.facebook.com/p/1")
    new = s.post(official, hk(2026, 9, 2), "澄清：網上流傳的消息失實", url="https://www.facebook.com/p/2")
    s.snapshot(new, hk(2026, 9, 3), likes=40, comments=4, shares=3, reactions={"like": 30, "angry": 10})
    s.post(review, hk(2026, 9, 2), "未確認", url="https://www.facebook.com/p/3")
    for label, scored_hash in [("negative", "x"), ("negative", "x"), ("positive", "x"), ("neutral", "old")]:
        _label(session, s.comment(new, hk(2026, 9, 2, 13), "留言"), label, scored_hash)
    _label(session, s.comment(new, hk(2026, 9, 2, 14), "多謝留言", is_page_reply=True), "positive", "x")
    session.commit()
    return official, review, old


def _client(engine: Engine) -> TestClient:
    url = engine.url.render_as_string(hide_password=False)
    return TestClient(create_app(Settings.load(database_url=url)))


def test_posts_of_an_account_newest_first_with_counts_and_labels(engine: Engine) -> None:
    with session_factory(engine)() as session:
        official, _, old = _seed(session)
    with _client(engine) as client:
        body = client.get(f"/api/v1/accounts/{official}/posts").json()
        assert body["count"] == 2
        newest, oldest = body["data"]
        assert newest["text"] == "澄清：網上流傳的消息失實" and oldest["id"] == old
        assert newest["url"] == "https://www.facebook.com/p/2" and newest["deleted"] is False
        assert newest["counts"]["likes"] == 40 and newest["counts"]["reactions"] == {"like": 30, "angry": 10}
        # The stale label and the page's own reply do not count.
        assert newest["comment_sentiment"] == {"positive": 1, "neutral": 0, "negative": 2, "scored": 3}
        assert oldest["counts"] is None and oldest["comment_sentiment"]["scored"] == 0
        paged = client.get(f"/api/v1/accounts/{official}/posts", params={"limit": 1, "offset": 1}).json()
        assert paged["count"] == 2 and [p["id"] for p in paged["data"]] == [old]


def test_posts_of_an_account_under_review_never_link(engine: Engine) -> None:
    with session_factory(engine)() as session:
        _, review, _ = _seed(session)
    with _client(engine) as client:
        body = client.get(f"/api/v1/accounts/{review}/posts").json()
        assert body["count"] == 1 and body["data"][0]["url"] is None
        missing = client.get("/api/v1/accounts/999999/posts")
        assert missing.status_code == 404 and "999999" in missing.text


def test_account_page_shows_each_posts_comment_labels(engine: Engine) -> None:
    with session_factory(engine)() as session:
        official, _, _ = _seed(session)
    with _client(engine) as client:
        main = main_text(client.get(f"/en/accounts/{official}"))
    assert "Comments labelled: 1 positive · 0 neutral · 2 negative" in main
    assert len(re.findall("Comments labelled", main)) == 1  # the post without labelled comments says nothing


# -- extra: what the source says beyond the common fields ------------------------------------------


def test_posts_carry_their_public_extra_and_null_without_one(engine: Engine) -> None:
    with session_factory(engine)() as session:
        s = Store(session)
        s.jurisdiction()
        account = s.account("youtube", [s.organisation("cfs")])
        video = {"title": "施政報告 2026", "duration": "PT3M2S", "live": {"concurrentViewers": "120"}}
        s.post(account, hk(2026, 9, 2), "片", format="video", extra=video)
        s.post(account, hk(2026, 9, 1), "冇 extra")
        session.commit()
    with _client(engine) as client:
        newest, oldest = client.get(f"/api/v1/accounts/{account}/posts").json()["data"]
        timeline = client.get("/api/v1/timeline").json()["data"]
    assert newest["extra"] == video and oldest["extra"] is None
    assert [p["extra"] for p in timeline] == [video, None]  # the timeline gives the same posts


def test_extra_that_could_name_a_person_is_never_given(engine: Engine) -> None:
    # An X reply of the account: its references and conversation point at the citizen's post.
    tweet = {
        "id": "1790000000000000009",
        "created_at": "2024-05-13T09:00:00.000Z",
        "text": "@someone 多謝查詢",
        "conversation_id": "1790000000000000001",
        "referenced_tweets": [{"type": "replied_to", "id": "1790000000000000001"}],
        "public_metrics": {"bookmark_count": 2},
    }
    record = x_types.post_from_tweet(tweet, "hkgov", hk(2024, 5, 14), {})
    assert {"references", "conversation_id"} <= set(record.extra)  # stored, for the metrics
    withheld = {
        "story": "政府新聞處 is with 陳大文.",
        "forwarded_from": "陳大文",
        "custom_labels": "投訴 - 陳先生",
    }
    with session_factory(engine)() as session:
        s = Store(session)
        s.jurisdiction()
        account = s.account("x", [s.organisation("isd")])
        s.post(account, hk(2024, 5, 13), record.text, extra={**record.extra, **withheld})
        s.post(account, hk(2024, 5, 12), "只有私人資料", extra=withheld)
        session.commit()
    with _client(engine) as client:
        body = client.get(f"/api/v1/accounts/{account}/posts").json()
    assert [p["extra"] for p in body["data"]] == [{"bookmarks": 2}, None]
    assert "1790000000000000001" not in str(body) and "陳" not in str(body)


LIVE_VIDEO = Path(__file__).parents[1] / "fixtures/payloads/youtube/handwritten_videos_live_hidden_likes.json"


def test_a_live_video_gives_its_times_and_viewers_but_not_its_chat(engine: Engine) -> None:
    # ``live`` is an object: a part YouTube adds to it later must stay private like a new key, and
    # activeLiveChatId leads to the chat where viewers write under their own channels.
    [item] = json.loads(LIVE_VIDEO.read_text(encoding="utf-8"))["items"]
    record = youtube_types.post_from_video(item, "UCaaaaaaaaaaaaaaaaaaaaaa", hk(2026, 5, 1))
    assert record.extra["live"]["activeLiveChatId"] == "handwritten-chat-id"  # stored
    with session_factory(engine)() as session:
        s = Store(session)
        s.jurisdiction()
        account = s.account("youtube", [s.organisation("isd")])
        s.post(account, hk(2026, 5, 1), record.text, format="live", extra=record.extra)
        s.post(account, hk(2026, 4, 30), "只有聊天室", extra={"live": {"activeLiveChatId": "chat"}})
        session.commit()
    with _client(engine) as client:
        body = client.get(f"/api/v1/accounts/{account}/posts").json()
    live = {"actualStartTime": "2026-05-01T02:00:05Z", "scheduledStartTime": "2026-05-01T02:00:00Z"}
    assert [p["extra"] for p in body["data"]] == [
        {"title": "Press conference (live)", "duration": "P0D", "live": {**live, "concurrentViewers": "321"}},
        None,
    ]
    assert "chat" not in json.dumps(body)


def test_the_extra_field_is_documented_in_the_openapi_document(engine: Engine) -> None:
    with _client(engine) as client:
        schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    extra = schemas["PostPublic"]["properties"]["extra"]
    assert {"type": "object", "additionalProperties": True} in extra["anyOf"]
    assert {"type": "null"} in extra["anyOf"] and "docs/collectors.md" in extra["description"]
    assert "extra" in schemas["PostPublic"]["required"]
