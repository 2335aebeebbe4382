"""The government timeline: ``/{lang}/timeline``, ``/{lang}/timeline.atom`` and ``GET /api/v1/timeline``.

The store is written row by row (``tests.analyze.store_rows``) on SQLite and PostgreSQL: two
organisations, official accounts on two platforms, and accounts under review and archived whose
posts must never appear. One post's text holds markup, which must come out as text everywhere.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from govsocial.settings import Settings
from govsocial.store import queries
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from govsocial.web.app import create_app
from govsocial.web.pages import timeline
from tests.analyze.store_rows import Store, hk

A = "{http://www.w3.org/2005/Atom}"
SCRIPT = "<script>alert(1)</script> & 公告"


def _seed(session: Session) -> dict[str, int]:
    """Posts of two official accounts (facebook: cfs, instagram: td), and of hidden accounts."""
    s = Store(session)
    s.jurisdiction()
    cfs, td = s.organisation("cfs"), s.organisation("td")
    fb = s.account("facebook", [cfs])
    ig = s.account("instagram", [td])
    review = s.account("facebook", [cfs], status=t.AccountStatus.UNDER_REVIEW)
    archived = s.account("facebook", [td], status=t.AccountStatus.ARCHIVED)
    ids = {
        "fb_old": s.post(fb, hk(2026, 9, 1), "食物安全提示", url="https://www.facebook.com/p/1"),
        "ig_mid": s.post(ig, hk(2026, 9, 2), SCRIPT, url="https://www.instagram.com/p/2"),
        "fb_new": s.post(fb, hk(2026, 9, 3, 9, 30), "澄清：消息失實", url="https://www.facebook.com/p/3"),
    }
    s.snapshot(ids["fb_new"], hk(2026, 9, 4), likes=40, comments=4, shares=3)
    s.post(review, hk(2026, 9, 5), "未確認帳戶", url="https://www.facebook.com/p/4")
    s.post(archived, hk(2026, 9, 5), "已封存帳戶", url="https://www.facebook.com/p/5")
    s.post(fb, hk(2026, 9, 6), "已刪除", url="https://www.facebook.com/p/6", deleted_at=hk(2026, 9, 7))
    session.commit()
    return ids


def _parse(document: bytes) -> ET.Element:
    """The feed's root element; a parse error fails the test (the document is our own)."""
    return ET.fromstring(document)  # noqa: S314


def _client(engine: Engine) -> TestClient:
    url = engine.url.render_as_string(hide_password=False)
    return TestClient(create_app(Settings.load(database_url=url, jurisdiction="hk")))


def test_timeline_query_orders_pages_filters_and_keeps_to_published_accounts(engine: Engine) -> None:
    with session_factory(engine)() as session:
        ids = _seed(session)
        everything = queries.timeline(session, queries.TimelineFilter("hk"), 10)
        assert [v.post.id for v in everything.items] == [ids["fb_new"], ids["ig_mid"], ids["fb_old"]]
        assert everything.count == 3
        assert all(v.account.status == t.AccountStatus.PUBLISHED for v in everything.items)
        second = queries.timeline(session, queries.TimelineFilter("hk"), 2, 2)
        assert [v.post.id for v in second.items] == [ids["fb_old"]] and second.count == 3
        facebook = queries.timeline(session, queries.TimelineFilter("hk", platform="facebook"), 10)
        assert [v.post.id for v in facebook.items] == [ids["fb_new"], ids["fb_old"]]
        td = queries.timeline(session, queries.TimelineFilter("hk", organisation="td"), 10)
        assert [v.post.id for v in td.items] == [ids["ig_mid"]]  # td's archived account left out
        assert queries.timeline(session, queries.TimelineFilter("mo"), 10).count == 0


def test_timeline_page_escapes_pages_and_filters(engine: Engine) -> None:
    with session_factory(engine)() as session:
        _seed(session)
    with _client(engine) as client:
        page = client.get("/en/timeline")
        assert page.status_code == 200
        html = page.text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "未確認帳戶" not in html and "已封存帳戶" not in html and "已刪除" not in html
        # Newest first, in Hong Kong time, with a link to the original and to the account page.
        assert html.index("澄清：消息失實") < html.index("食物安全提示")
        assert '<time datetime="2026-09-03T09:30:00+08:00">2026-09-03 09:30</time>' in html
        assert 'href="https://www.facebook.com/p/3"' in html
        assert re.search(r'href="/en/accounts/\d+"', html)
        feed_link = r'<link rel="alternate" type="application/atom\+xml"[^>]*href="/en/timeline.atom"'
        assert re.search(feed_link, html)
        assert 'aria-current="page">Government timeline' in html
        filtered = client.get("/en/timeline", params={"organisation": "td"}).text
        assert "公告" in filtered and "食物安全提示" not in filtered
        assert 'href="/en/timeline.atom?organisation=td"' in filtered
        assert "食物安全提示" not in client.get("/zh-hant/timeline?platform=instagram").text
        assert client.get("/en/timeline?page=abc").status_code == 200


def test_timeline_page_links_to_next_and_previous_pages(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_factory(engine)() as session:
        _seed(session)
    monkeypatch.setattr(timeline, "PAGE_SIZE", 2)
    with _client(engine) as client:
        first = client.get("/en/timeline?platform=").text
        assert 'href="/en/timeline?page=2" rel="next"' in first and 'rel="prev"' not in first
        assert "Page 1 of 2" in first
        second = client.get("/en/timeline?page=2").text
        assert 'href="/en/timeline" rel="prev"' in second and 'rel="next"' not in second
        assert "食物安全提示" in second and "澄清：消息失實" not in second


def test_atom_feed_is_well_formed_escaped_and_complete(engine: Engine) -> None:
    with session_factory(engine)() as session:
        _seed(session)
    with _client(engine) as client:
        answer = client.get("/en/timeline.atom")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
        assert b"<script>" not in answer.content and b"&lt;script&gt;" in answer.content
        feed = _parse(answer.content)
        assert feed.tag == f"{A}feed"
        for tag in ("id", "title", "updated"):
            assert (feed.findtext(f"{A}{tag}") or "").strip()
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
        assert links["self"] == "http://testserver/en/timeline.atom"
        assert links["alternate"] == "http://testserver/en/timeline"
        assert feed.findtext(f"{A}updated") == "2026-09-03T01:30:00Z"
        entries = feed.findall(f"{A}entry")
        assert len(entries) == 3
        newest, middle, _ = entries
        assert (newest.findtext(f"{A}id") or "").startswith("tag:govsocial,2026:facebook/")
        assert newest.findtext(f"{A}published") == newest.findtext(f"{A}updated") == "2026-09-03T01:30:00Z"
        link = newest.find(f"{A}link")
        assert link is not None and link.get("href") == "https://www.facebook.com/p/3"
        assert newest.findtext(f"{A}author/{A}name")
        assert (newest.findtext(f"{A}title") or "").endswith("澄清：消息失實")
        content = middle.find(f"{A}content")
        assert content is not None and content.get("type") == "text" and content.text == SCRIPT
        ids_seen = [e.findtext(f"{A}id") for e in entries]
        assert len(set(ids_seen)) == 3
        only_td = _parse(client.get("/en/timeline.atom?organisation=td").content)
        assert [e.findtext(f"{A}content") for e in only_td.findall(f"{A}entry")] == [SCRIPT]


def test_timeline_api_envelope_paging_and_filters(engine: Engine) -> None:
    with session_factory(engine)() as session:
        ids = _seed(session)
    with _client(engine) as client:
        body = client.get("/api/v1/timeline").json()
        assert body["count"] == 3
        assert [p["id"] for p in body["data"]] == [ids["fb_new"], ids["ig_mid"], ids["fb_old"]]
        assert body["data"][0]["url"] == "https://www.facebook.com/p/3"
        assert body["data"][0]["counts"]["likes"] == 40
        assert body["data"][1]["text"] == SCRIPT
        paged = client.get("/api/v1/timeline", params={"limit": 1, "offset": 1}).json()
        assert paged["count"] == 3 and [p["id"] for p in paged["data"]] == [ids["ig_mid"]]
        insta = client.get("/api/v1/timeline", params={"platform": "instagram"}).json()
        assert [p["id"] for p in insta["data"]] == [ids["ig_mid"]]
        cfs = client.get("/api/v1/timeline", params={"organisation": "cfs"}).json()
        assert [p["id"] for p in cfs["data"]] == [ids["fb_new"], ids["fb_old"]]
        # A jurisdiction the registry does not have is a 404, as on every endpoint (api/checks.py).
        elsewhere = client.get("/api/v1/timeline", params={"jurisdiction": "mo"})
        assert elsewhere.status_code == 404 and "jurisdiction" in elsewhere.json()["detail"]


def test_since_and_until_are_days_of_the_jurisdictions_calendar(engine: Engine) -> None:
    """``since`` / ``until`` on the timeline and an account's posts: Hong Kong's days, both included.
    A post at 00:30 in Hong Kong on 4 September is 16:30 UTC on the 3rd: it belongs to the 4th."""
    with session_factory(engine)() as session:
        ids = _seed(session)
        fb = session.get(t.Post, ids["fb_new"])
        assert fb is not None
        s = Store(session)
        ids["after_midnight"] = s.post(
            fb.account_id, hk(2026, 9, 4, 0, 30), "凌晨公告", url="https://www.facebook.com/p/7"
        )
        session.commit()
        account = fb.account_id

    def listed(path: str, **params: str) -> list[int]:
        answer = client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return [p["id"] for p in answer.json()["data"]]

    with _client(engine) as client:
        assert listed("/api/v1/timeline", since="2026-09-04") == [ids["after_midnight"]]
        assert listed("/api/v1/timeline", until="2026-09-03") == [ids["fb_new"], ids["ig_mid"], ids["fb_old"]]
        assert listed("/api/v1/timeline", since="2026-09-02", until="2026-09-02") == [ids["ig_mid"]]
        assert listed("/api/v1/timeline", since="2026-09-01", until="9999-12-31")[-1] == ids["fb_old"]
        posts = f"/api/v1/accounts/{account}/posts"
        assert listed(posts, since="2026-09-03", until="2026-09-03") == [ids["fb_new"]]
        assert listed(posts, since="2026-09-04", until="2026-09-04") == [ids["after_midnight"]]
        # A deleted post is still the account's (it was published): its day counts as any other.
        assert len(listed(posts, since="2026-09-06", until="2026-09-06")) == 1
        for path in ("/api/v1/timeline", posts):
            swapped = client.get(path, params={"since": "2026-09-04", "until": "2026-09-01"})
            assert swapped.status_code == 422 and "comes after until" in swapped.json()["detail"]
            compact = client.get(path, params={"since": "20260901"})
            assert compact.status_code == 422 and "YYYY-MM-DD" in compact.text
        header = client.get("/api/v1/timeline", params={"since": "2026-09-01", "limit": 1}).headers["link"]
        assert "since=2026-09-01" in header  # the next page keeps the window
