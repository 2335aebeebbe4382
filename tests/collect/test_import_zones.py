"""A time without an offset is read in the zone of its account's jurisdiction, not the configured one.

The reviewer's set-up: one database holding Hong Kong (``Asia/Hong_Kong``) and the UK
(``Europe/London``), the settings naming a third jurisdiction (Singapore). Without ``--timezone`` a
generic CSV row of a UK account is read in London time and one of a Hong Kong account in Hong Kong
time (posts, their ``counted_at``, follower dates and comments, which take their post's account's
zone); with ``--timezone`` every row is read in it. A row of an account not in the registry is
quarantined as before. ``run_jurisdictions`` names the jurisdictions whose accounts got rows, so
each can be recomputed. The admin import does the same. On SQLite and PostgreSQL; the other
importers (one account per file or per row) are checked without a store.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from govsocial.collect.importing import import_activity
from govsocial.collect.imports.base import ImportContext, Importer
from govsocial.collect.imports.crowdtangle import CrowdTangleImporter
from govsocial.collect.imports.meta_business_suite import MetaBusinessSuiteImporter
from govsocial.collect.imports.telegram import TelegramImporter
from govsocial.collect.imports.youtube_studio import YouTubeStudioImporter
from govsocial.collect.records import PostRecord
from govsocial.collect.runs import RunSummary, run_jurisdictions
from govsocial.plugins import importers
from govsocial.registry.catalogue import load_catalogue
from govsocial.registry.load import load_registry
from govsocial.registry.verify import resolver
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store import users
from govsocial.store.db import session_factory, transaction
from govsocial.web.admin.actions import run_import
from govsocial.web.admin.auth import Principal
from tests.demo_store import KEY

UK_X = "https://x.com/DHSCgovuk"
HK_X = "https://x.com/hkgov_example"
ACCOUNTS_HEADER = "org_codes,platform,url,handle,aliases,status,evidence_url\n"
POSTS = (
    "platform,account,post_id,created_at,text,likes,counted_at\n"
    f"x,{UK_X},review-post-1,2026-10-05 10:00,from London,1,2026-10-06 10:00\n"
    f"x,{HK_X},review-post-2,2026-10-05 10:00,from Hong Kong,1,2026-10-06 10:00\n"
    "x,https://x.com/not_listed,review-post-3,2026-10-05 10:00,nobody's,1,\n"
    f"x,{UK_X},review-post-4,2026-10-05T10:00:00+08:00,an offset wins,1,\n"
)
FOLLOWERS = f"platform,account,date,followers\nx,{UK_X},2026-10-05,100\nx,{HK_X},2026-10-05,200\n"
COMMENTS = (
    "platform,post_id,comment_id,created_at,text\n"
    "x,review-post-1,c1,2026-10-05 11:00,a reply in London\n"
    "x,review-post-2,c2,2026-10-05 11:00,a reply in Hong Kong\n"
)
NOW = dt.datetime(2026, 10, 7, tzinfo=dt.UTC)


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def _jurisdiction(root: Path, code: str, zone: str, account: str) -> None:
    folder = root / code
    folder.mkdir(parents=True)
    (folder / "jurisdiction.toml").write_text(
        f'code = "{code}"\nname_en = "{code.upper()} Government"\ntimezone = "{zone}"\n', encoding="utf-8"
    )
    (folder / "organisations.csv").write_text(
        f"code,org_type,parent_code,name_en,source\n{code}-gov,department,,{code} office,test\n",
        encoding="utf-8",
    )
    row = f"{code}-gov,x,{account},,,published,https://example.org/{code}\n"
    (folder / "accounts.csv").write_text(ACCOUNTS_HEADER + row, encoding="utf-8")


@pytest.fixture
def two(engine: Engine, tmp_path: Path) -> Engine:
    """A store holding Hong Kong and the UK, one X account each."""
    root = tmp_path / "registry"
    _jurisdiction(root, "hk", "Asia/Hong_Kong", HK_X)
    _jurisdiction(root, "uk", "Europe/London", UK_X)
    report = load_registry(engine, root, actor="test")
    assert not report.problems, report.problems
    return engine


def _import(engine: Engine, tmp_path: Path, name: str, text: str, zone: str | None = None) -> RunSummary:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    sessions = session_factory(engine)
    with sessions() as session:
        resolve = resolver(sessions, load_catalogue(session))
    context = ImportContext(timezone=ZoneInfo(zone) if zone else None)
    return import_activity(engine, path, importers()["generic"](), context, resolve, KEY)


def _posts(engine: Engine) -> dict[str, dt.datetime]:
    with session_factory(engine)() as session:
        return {post.post_id: _utc(post.created_at) for post in session.scalars(select(t.Post))}


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _taken(engine: Engine, model: type[t.PostSnapshot] | type[t.ProfileSnapshot]) -> list[dt.datetime]:
    with session_factory(engine)() as session:
        return sorted(_utc(value) for value in session.scalars(select(model.taken_at)))


def _comments(engine: Engine) -> dict[str, dt.datetime]:
    with session_factory(engine)() as session:
        rows = session.execute(select(t.Post.post_id, t.Comment.created_at).join(t.Post))
        return {post_id: _utc(created_at) for post_id, created_at in rows}


def test_each_rows_time_without_an_offset_is_read_in_its_accounts_zone(two: Engine, tmp_path: Path) -> None:
    summary = _import(two, tmp_path, "posts.csv", POSTS)

    assert _posts(two) == {
        "review-post-1": at(2026, 10, 5, 9),  # London is on BST (UTC+1)
        "review-post-2": at(2026, 10, 5, 2),  # Hong Kong is UTC+8
        "review-post-4": at(2026, 10, 5, 2),  # a time with an offset is that time
    }
    assert _taken(two, t.PostSnapshot)[:2] == [at(2026, 10, 6, 2), at(2026, 10, 6, 9)]  # counted_at
    assert summary.counts.counts["quarantined"] == 1  # the unlisted account's row, as before
    with session_factory(two)() as session:
        reason = session.scalars(select(t.QuarantinedRecord.reason)).one()
        assert run_jurisdictions(session, summary) == ["hk", "uk"]
    assert "'https://x.com/not_listed' is not in the registry" in reason


def test_follower_dates_and_comments_take_their_accounts_zone(two: Engine, tmp_path: Path) -> None:
    _import(two, tmp_path, "posts.csv", POSTS)
    followers = _import(two, tmp_path, "followers.csv", FOLLOWERS)
    _import(two, tmp_path, "comments.csv", COMMENTS)

    # Midnight of 5 October in Hong Kong, then in London.
    assert _taken(two, t.ProfileSnapshot) == [at(2026, 10, 4, 16), at(2026, 10, 4, 23)]
    assert _comments(two) == {"review-post-1": at(2026, 10, 5, 10), "review-post-2": at(2026, 10, 5, 3)}
    with session_factory(two)() as session:
        assert run_jurisdictions(session, followers) == ["hk", "uk"]


def test_an_explicit_zone_is_every_rows(two: Engine, tmp_path: Path) -> None:
    summary = _import(two, tmp_path, "posts.csv", POSTS, zone="Asia/Singapore")

    assert _posts(two) == {
        "review-post-1": at(2026, 10, 5, 2),
        "review-post-2": at(2026, 10, 5, 2),
        "review-post-4": at(2026, 10, 5, 2),
    }
    with session_factory(two)() as session:
        assert run_jurisdictions(session, summary) == ["hk", "uk"]


def test_only_the_jurisdictions_that_got_rows_are_named(two: Engine, tmp_path: Path) -> None:
    header, uk_row = POSTS.splitlines()[:2]
    uk_only = _import(two, tmp_path, "uk.csv", f"{header}\n{uk_row}\n")
    nobody = "platform,account,post_id,created_at\nx,nobody,p9,2026-10-05 10:00\n"
    unlisted = _import(two, tmp_path, "none.csv", nobody)

    with session_factory(two)() as session:
        assert run_jurisdictions(session, uk_only) == ["uk"]
        assert run_jurisdictions(session, unlisted) == []


def _editor(engine: Engine) -> Principal:
    with transaction(session_factory(engine)) as session:
        user = users.create_user(session, "editor", "editor", "a long enough password", NOW)
        return Principal(user.id, user.username, user.role, "token", None, None)


def test_the_admin_import_reads_times_in_the_accounts_zone_unless_told_one(
    two: Engine, database_url: str
) -> None:
    settings = Settings.load(database_url=database_url, jurisdiction="sg")  # neither jurisdiction held
    editor = _editor(two)
    told = POSTS.replace("review-post-", "told-")

    def upload(name: str, text: str, zone: str) -> RunSummary:
        return run_import(two, settings, editor, io.BytesIO(text.encode()), name, {"timezone": zone}, NOW)

    summary = upload("posts.csv", POSTS, "")
    upload("told.csv", told, "Asia/Singapore")

    assert summary.counts.counts["posts.insert"] == 3
    posts = _posts(two)
    assert (posts["review-post-1"], posts["review-post-2"]) == (at(2026, 10, 5, 9), at(2026, 10, 5, 2))
    assert (posts["told-1"], posts["told-2"]) == (at(2026, 10, 5, 2), at(2026, 10, 5, 2))


# --- the importers of one account per row or per file, without a store ----------------------------

ZONES = {"uk-page": ZoneInfo("Europe/London"), "@uk-channel": ZoneInfo("Europe/London")}


def _read(importer: Importer, tmp_path: Path, name: str, text: str, **context: str) -> list[PostRecord]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    asked: list[tuple[str, str]] = []

    def zone_of(platform: str, ref: str) -> ZoneInfo:
        asked.append((platform, ref))
        return ZONES.get(ref, ZoneInfo("Asia/Hong_Kong"))

    found = importer.read(path, ImportContext(zone_of=zone_of, **context))
    posts = [post for batch in found for post in batch.posts]
    assert asked, "the account's zone was never asked"
    return posts


def _times(posts: list[PostRecord]) -> dict[str, dt.datetime]:
    return {post.account_ref: post.created_at for post in posts}


def test_meta_business_suite_reads_each_pages_rows_in_its_zone(tmp_path: Path) -> None:
    text = (
        "Page ID,Post ID,Publish time,Title\n"
        "uk-page,1,10/05/2026 10:00,from London\n"
        "hk-page,2,10/05/2026 10:00,from Hong Kong\n"
    )
    posts = _read(MetaBusinessSuiteImporter(), tmp_path, "Content.csv", text)
    assert _times(posts) == {"uk-page": at(2026, 10, 5, 9), "hk-page": at(2026, 10, 5, 2)}


def test_crowdtangle_reads_each_accounts_rows_in_its_zone(tmp_path: Path) -> None:
    text = (
        "Page Name,Facebook Id,Post Created,Type,URL\n"
        "UK,uk-page,2026-10-05 10:00:00,Status,https://www.facebook.com/uk/posts/1\n"
        "UK,uk-page,2026-10-05 10:00:00 BST,Status,https://www.facebook.com/uk/posts/2\n"
        "HK,hk-page,2026-10-05 10:00:00,Status,https://www.facebook.com/hk/posts/3\n"
    )
    posts = _read(CrowdTangleImporter(), tmp_path, "ct.csv", text)
    assert [post.created_at for post in posts] == [at(2026, 10, 5, 9), at(2026, 10, 5, 9), at(2026, 10, 5, 2)]


def test_youtube_studio_reads_dates_in_the_channels_zone(tmp_path: Path) -> None:
    text = 'Content,Video title,Video publish time,Views\nTotal,,,10\nabcdefghijk,A video,"Oct 5, 2026",10\n'
    posts = _read(YouTubeStudioImporter(), tmp_path, "Table data.csv", text, account_ref="@uk-channel")
    assert _times(posts) == {"@uk-channel": at(2026, 10, 4, 23)}


def test_telegram_reads_local_dates_in_the_channels_zone(tmp_path: Path) -> None:
    message = {"id": 1, "type": "message", "date": "2026-10-05T10:00:00", "text": "hello"}
    export = {"name": "UK", "type": "public_channel", "id": 1, "messages": [message]}
    posts = _read(TelegramImporter(), tmp_path, "result.json", json.dumps(export), account_ref="@uk-channel")
    assert _times(posts) == {"@uk-channel": at(2026, 10, 5, 9)}


def test_an_explicit_zone_is_never_asked_for_an_accounts(tmp_path: Path) -> None:
    path = tmp_path / "Content.csv"
    path.write_text("Page ID,Post ID,Publish time\nuk-page,1,10/05/2026 10:00\n", encoding="utf-8")

    def zone_of(platform: str, ref: str) -> ZoneInfo:
        raise AssertionError("asked")

    context = ImportContext(timezone=ZoneInfo("Asia/Singapore"), zone_of=zone_of)
    posts = [post for batch in MetaBusinessSuiteImporter().read(path, context) for post in batch.posts]
    assert _times(posts) == {"uk-page": at(2026, 10, 5, 2)}
