"""Commenters' platform ids and names never reach the store, the logs or the open data.

Comments are collected through the real connectors from the loopback fake platforms (Facebook,
YouTube and X, with faults injected) and imported from a generic CSV; then every column of every
table (reflected from the database, so a table added later is scanned too), every log record at
DEBUG and every open-data download in every format are searched for the raw identities, on SQLite
and PostgreSQL. Personal data in the comments' texts (phone numbers, emails, HKID numbers) is
searched for the same way.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, select

from govsocial.collect.base import Target
from govsocial.settings import Settings
from govsocial.web.app import create_app
from tests.collect.test_end_to_end import (
    channels,
    collect,
    fake,
    registry,
    targets,
    url,
    x_accounts,
    x_fake,
    x_url,
    youtube,
    youtube_url,
)
from tests.demo_store import cli
from tests.fakeplatform import FakeGraph, ServerError, Truncated
from tests.fakeplatform.x import FakeX
from tests.fakeplatform.youtube import FakeYouTube

__all__ = [
    "channels",
    "fake",
    "registry",
    "targets",
    "url",
    "x_accounts",
    "x_fake",
    "x_url",
    "youtube",
    "youtube_url",
]

#: Personal data the fakes put in comment texts (see tests/fakeplatform/payloads.py).
PERSONAL = ("9123 4567", "citizen1@example.com")


def stored_text(engine: Engine) -> str:
    """Every value of every column of every table, as text (tables reflected from the database)."""
    metadata = MetaData()
    metadata.reflect(engine)
    assert {"comments", "raw_payloads", "collection_runs"} <= set(metadata.tables)
    parts: list[str] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            parts.extend(str(value) for row in connection.execute(select(table)) for value in row)
    return "\n".join(parts)


def downloads_text(engine: Engine, database_url: str, jurisdictions: tuple[str, ...]) -> str:
    """Every open-data download, in every format, of each jurisdiction, as text."""
    client = TestClient(create_app(Settings.load(database_url=database_url), engine))
    parts: list[str] = []
    for jurisdiction in jurisdictions:
        catalogue = client.get("/api/v1/downloads", params={"jurisdiction": jurisdiction}).json()
        assert catalogue["count"] >= 4
        for dataset in catalogue["data"]:
            for file in dataset["files"]:
                response = client.get(file["url"])
                assert response.status_code == 200, file["url"]
                if file["format"] == "parquet":
                    parts.append(str(pq.read_table(io.BytesIO(response.content)).to_pylist()))
                else:
                    parts.append(response.text)
    return "\n".join(parts)


def found_in(identities: set[str], text: str) -> set[str]:
    """The identities that ``text`` holds."""
    return {identity for identity in identities if identity in text}


def test_no_commenter_identity_in_store_logs_or_downloads_after_collection(
    engine: Engine,
    database_url: str,
    targets: list[Target],
    fake: FakeGraph,
    url: str,
    channels: list[Target],
    youtube: FakeYouTube,
    youtube_url: str,
    x_accounts: list[Target],
    x_fake: FakeX,
    x_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.control.add(ServerError(), account=targets[0].handle, calls=[4])
    fake.control.add(Truncated(), account=targets[1].handle, calls=[5])
    identities = fake.citizen_identities() | youtube.viewer_identities() | x_fake.citizen_ids()
    assert len(identities) > 20
    caplog.set_level(logging.DEBUG)

    summary = collect(engine, url, targets + channels + x_accounts, youtube_url=youtube_url, x_url=x_url)

    assert summary.status == "ok", summary.as_dict()
    stored = stored_text(engine)
    assert "[PHONE]" in stored and "[EMAIL]" in stored  # the texts are there, redacted
    assert found_in(identities, stored) == set()
    assert found_in(set(PERSONAL), stored) == set()
    assert found_in(identities | set(PERSONAL), caplog.text) == set()
    assert found_in(identities | set(PERSONAL), json.dumps(summary.as_dict(), default=str)) == set()
    downloads = downloads_text(engine, database_url, ("hk", "us-doc"))
    assert "facebook" in downloads and "youtube" in downloads
    assert found_in(identities | set(PERSONAL), downloads) == set()


#: A generic CSV of comments as an export tool writes them: raw author ids, personal data in texts.
COMMENTS_CSV = """platform,account,post_id,comment_id,parent_id,created_at,author_id,is_page_reply,text,likes
facebook,cfs.hk,cfs-post-1,c-1,,2026-03-01T10:00:00+08:00,100012345678901,false,請致電91234567或電郵至chan.tai.man@example.com查詢,2
facebook,cfs.hk,cfs-post-1,c-2,c-1,2026-03-01T11:00:00+08:00,citizen-raw-id-xyz,false,我身份證係A123456(3)，唔該,0
facebook,cfs.hk,cfs-post-1,c-3,,2026-03-01T12:00:00+08:00,100012345678901,false,"Call +852 2345 6789",1
"""
POSTS_CSV = """platform,account,post_id,created_at,format,text,url
facebook,cfs.hk,cfs-post-1,2026-03-01T09:00:00+08:00,text,A post,https://www.facebook.com/cfs.hk/posts/1
"""
IMPORT_IDS = {"100012345678901", "citizen-raw-id-xyz"}
IMPORT_PERSONAL = {"91234567", "chan.tai.man@example.com", "A123456(3)", "2345 6789"}


def test_no_commenter_identity_in_store_logs_or_downloads_after_an_import(
    registry: Engine, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name, text in (("posts.csv", POSTS_CSV), ("comments.csv", COMMENTS_CSV)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        code, output = cli(database_url, "collect", "import", str(path), "--format", "generic", "--json")
        assert code == 0, output
        assert found_in(IMPORT_IDS | IMPORT_PERSONAL, output) == set()

    stored = stored_text(registry)
    assert stored.count("[PHONE]") == 2 and "[EMAIL]" in stored and "[HKID]" in stored
    assert found_in(IMPORT_IDS | IMPORT_PERSONAL, stored) == set()
    assert found_in(IMPORT_IDS | IMPORT_PERSONAL, caplog.text) == set()
    assert found_in(IMPORT_IDS | IMPORT_PERSONAL, downloads_text(registry, database_url, ("hk",))) == set()
