"""NUL characters and lone surrogates in what platforms and files send, on SQLite and PostgreSQL.

JSON may carry ``\\u0000`` and ``\\ud800`` in a post's message or a comment's text, and export files
NUL bytes. PostgreSQL refuses NUL in text, and neither driver can send a lone surrogate (it has no
UTF-8 form), so one such post used to fail its whole page or file on PostgreSQL (everything after it
lost) while SQLite stored it; a lone surrogate failed both. Now texts lose their NULs and have lone
surrogates replaced by U+FFFD where records are made (``encodings.storable_text``), an id that
holds either is quarantined with the field named, raw payloads keep the escapes as received (a text
body that holds a NUL is kept as a JSON string), the two stores hold the same rows, and collecting or
importing again is all ``noop``. Every case goes through the real connectors and importers with the
recorded payloads, into both stores.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, delete, select
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.collect import payload_json
from govsocial.collect.base import Target
from govsocial.collect.importing import import_activity
from govsocial.collect.imports.base import ImportContext
from govsocial.collect.instagram.client import InstagramConnector
from govsocial.collect.privacy import Pseudonymiser, redact, redact_payload, scrub_payload
from govsocial.collect.records import UNSTORABLE_ID, Batch, CommentRecord, comment_record
from govsocial.collect.runs import RunSummary
from govsocial.collect.storage import LOCATION_CHARS, BatchWriter, StoreCounts, storable_body, store_batch
from govsocial.encodings import escaped_text, is_storable, storable_text
from govsocial.plugins import importers
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t
from govsocial.store.db import session_factory, transaction
from tests.collect import test_facebook, test_instagram, test_threads, test_x, test_youtube
from tests.collect.harness import ConnectorHarness, Handler
from tests.collect.test_end_to_end import COMMENTS, KEY, POSTS, collect, counts, fake, registry, targets, url
from tests.fakeplatform import FakeGraph, graph

# The end-to-end tests' fixtures, which pytest finds by name: the registry loaded, its Facebook
# accounts and the fake Graph API serving them on loopback.
__all__ = ["fake", "registry", "targets", "url"]

NUL, SURROGATE = "\x00", "\ud800"
#: What no store keeps, anywhere in a stored string.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
PAYLOADS = PROJECT_ROOT / "tests" / "fixtures" / "payloads"
HK = ZoneInfo("Asia/Hong_Kong")
PSEUDONYMS = Pseudonymiser(KEY)


def _unstorable_in(value: Any) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable_in(k) or _unstorable_in(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable_in(v) for v in value)
    return False


#: Every stored column a platform's or a file's text reaches.
TEXT_COLUMNS = (
    t.Post.text,
    t.Post.url,
    t.Post.link,
    t.Post.created_at_raw,
    t.Post.media,
    t.Post.extra,
    t.Comment.text,
    t.Comment.author,
    t.ProfileSnapshot.name,
    t.RawPayloadRow.body,
    t.RawPayloadRow.location,
    t.QuarantinedRecord.content,
    t.QuarantinedRecord.reason,
    t.QuarantinedRecord.location,
    t.CollectionRun.scope,
    t.CollectionRun.errors,
    t.CollectionRun.gaps,
)


def unstorable_values(engine: Engine) -> list[str]:
    """``table.column`` of every stored value holding a NUL or a surrogate (SQLite stores them)."""
    found = []
    with session_factory(engine)() as session:
        for column in TEXT_COLUMNS:
            found += [f"{column}" for value in session.scalars(select(column)) if _unstorable_in(value)]
    return found


def account_id(engine: Engine) -> int:
    """The bundled registry loaded; the id of the Facebook account cfs.hk (rows are filed under it)."""
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    with session_factory(engine)() as session:
        return session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one()


# --- API payloads --------------------------------------------------------------------------------

#: Keys whose strings the poisoned answers change: texts, names, links and what ``extra`` keeps (not
#: ``name``: Threads names its insights with it, which are keys, not text).
POISONED_KEYS = frozenset(
    {
        "message",
        "story",
        "text",
        "textOriginal",
        "textDisplay",
        "caption",
        "description",
        "title",
        "authorDisplayName",
        "permalink_url",
        "permalink",
        "media_url",
        "expanded_url",
        "duration",
        "status_type",
    }
)


def poison(text: str) -> str:
    """``text`` with a NUL after its second character and a lone surrogate at its end."""
    return f"{text[:2]}{NUL}{text[2:]}{SURROGATE}"


def poisoned(value: Any, key: str | None = None) -> Any:
    """Decoded JSON with every non-empty string under ``POISONED_KEYS`` poisoned."""
    if isinstance(value, dict):
        return {k: poisoned(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poisoned(v, key) for v in value]
    if isinstance(value, str) and value and key in POISONED_KEYS:
        return poison(value)
    return value


def poisoning(handler: Handler) -> Handler:
    """``handler`` whose JSON answers are poisoned, written as a platform writes them: ASCII, with
    ``\\u0000`` and ``\\ud800`` escapes (JSON has no other way to send either)."""

    def answer(request: httpx.Request) -> httpx.Response:
        response = handler(request)
        try:
            data = json.loads(response.content)
        except ValueError:
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length",)}
        body = json.dumps(poisoned(data)).encode("ascii")
        return httpx.Response(response.status_code, headers=headers, content=body)

    return answer


def _harness(module: Any, handler: Handler, target: Target) -> Callable[[Handler], list[Batch]]:
    return lambda wrap: module.Harness(wrap(handler)).run(target)


def _instagram(wrap: Callable[[Handler], Handler]) -> list[Batch]:
    handler = wrap(test_facebook.FakeGraph(test_instagram.OWN_ROUTES))
    base = "https://graph.example"
    harness = ConnectorHarness(handler, InstagramConnector, test_facebook.TOKEN, base, test_instagram.NOW)
    return harness.run(test_instagram.OWN)


#: Each connector's full run over its recorded payloads (the connector tests' fakes).
CONNECTORS: dict[str, Callable[[Callable[[Handler], Handler]], list[Batch]]] = {
    "youtube": _harness(test_youtube, test_youtube.channel_handler, test_youtube.target()),
    "x": _harness(test_x, test_x.account_handler, test_x.target()),
    "threads": _harness(test_threads, test_threads.account_handler, test_threads.target()),
    "instagram": _instagram,
}


def shape(batch: Batch) -> tuple[str, list[str], list[str], int]:
    """What a batch holds: its edge, its posts' and comments' ids, how many bad records."""
    return (
        batch.edge,
        [p.post_id for p in batch.posts],
        [c.comment_id for c in batch.comments],
        len(batch.bad),
    )


def store_all(engine: Engine, batches: list[Batch], account: int, source: str) -> dict[str, int]:
    """Store ``batches`` as the runner does (one transaction each); the non-zero counts."""
    writer = BatchWriter(None, source, lambda _p, _r: account, PSEUDONYMS, account)
    stored = StoreCounts()
    for batch in batches:
        store_batch(engine, session_factory(engine), writer, batch, stored)
    return {k: v for k, v in stored.as_dict().items() if v}


@pytest.mark.parametrize("platform", sorted(CONNECTORS))
def test_poisoned_answers_lose_nothing_and_collecting_again_changes_nothing(
    engine: Engine, platform: str
) -> None:
    account = account_id(engine)
    clean = CONNECTORS[platform](lambda handler: handler)
    batches = CONNECTORS[platform](poisoning)
    posts = {p.post_id for b in batches for p in b.posts}
    comments = {c.comment_id for b in batches for c in b.comments}
    # The connector reads every item of the poisoned answers, as of the clean ones.
    assert [shape(b) for b in batches] == [shape(b) for b in clean]
    assert posts

    first = store_all(engine, batches, account, f"api:{platform}")

    assert first.get("posts.insert") == len(posts) and first.get("comments.insert", 0) == len(comments)
    assert "quarantined" not in first
    assert unstorable_values(engine) == []
    with session_factory(engine)() as session:
        texts = list(session.scalars(select(t.Post.text))) + list(session.scalars(select(t.Comment.text)))
        bodies = list(session.scalars(select(t.RawPayloadRow.body)))
    assert any(text and "\ufffd" in text for text in texts)  # the surrogate reached the rows, replaced
    assert any("\\u0000" in body for body in bodies)  # the payloads keep what was received, escaped

    # Each page stored again right after itself changes nothing (the same post collected again is
    # not "changed"). Page by page: X's fake answers the same replies under every post.
    for batch in batches:
        store_all(engine, [batch], account, f"api:{platform}")
        again = store_all(engine, [batch], account, f"api:{platform}")
        assert again.get("posts.noop", 0) == len(batch.posts), batch.edge
        assert again.get("comments.noop", 0) == len(batch.comments), batch.edge
        assert not {"posts.insert", "posts.update", "comments.insert", "comments.update"} & again.keys()


def test_a_listing_item_whose_id_holds_a_surrogate_is_quarantined_naming_it_and_its_page_kept(
    engine: Engine,
) -> None:
    account = account_id(engine)
    good = test_facebook.one_post(comments=0)["data"][0]
    bad = {**good, "id": f"{test_facebook.PAGE_ID}_1{SURROGATE}", "message": f"9123{NUL}4567"}
    page = httpx.Response(200, content=json.dumps({"data": [bad, good]}).encode("ascii"))
    profile = f"/{test_facebook.PAGE_ID}"
    batches, _, _ = test_facebook.collect(
        {(profile, None): test_facebook.PROFILE, (f"{profile}/posts", None): page}
    )

    stored = store_all(engine, batches, account, "api:facebook")
    again = store_all(engine, batches, account, "api:facebook")

    assert (stored["posts.insert"], stored["quarantined"]) == (1, 1)
    assert (again["posts.noop"], again["quarantined"]) == (1, 1)
    with session_factory(engine)() as session:
        [record] = session.scalars(select(t.QuarantinedRecord))
    assert record.reason.startswith("ValidationError: PostRecord: post_id: holds a NUL character")
    assert record.location.startswith("https://graph.example/") and record.times_seen == 2
    item = json.loads(record.content)  # as read: the id with its surrogate; the number redacted
    assert item["id"] == bad["id"] and item["message"] == "[PHONE]"
    assert unstorable_values(engine) == []


def test_a_bad_item_of_a_graph_page_is_quarantined_with_its_long_url_on_both_stores(engine: Engine) -> None:
    """A Graph listing's URL (its ``fields``) is longer than ``quarantine.location`` holds: on
    PostgreSQL the bad item failed its whole page (``value too long for type character
    varying(500)``); its location is now kept as its start and end, the same each time."""
    account = account_id(engine)
    page = {"data": ["not an object", test_facebook.one_post(comments=0)["data"][0]]}
    profile = f"/{test_facebook.PAGE_ID}"
    batches, _, _ = test_facebook.collect(
        {(profile, None): test_facebook.PROFILE, (f"{profile}/posts", None): page}
    )
    [url] = [b.raw.location for b in batches if b.raw and b.edge == "posts"]
    assert len(url) > LOCATION_CHARS

    stored = store_all(engine, batches, account, "api:facebook")
    again = store_all(engine, batches, account, "api:facebook")

    assert (stored["posts.insert"], stored["quarantined"], again["quarantined"]) == (1, 1, 1)
    with session_factory(engine)() as session:
        [record] = session.scalars(select(t.QuarantinedRecord))
    assert len(record.location) == LOCATION_CHARS and record.times_seen == 2
    head, tail = record.location.split("…")
    assert url.startswith(head) and url.endswith(tail) and "limit=100" in tail


def test_a_facebook_collection_end_to_end_keeps_every_post_and_comment(
    engine: Engine, targets: list[Target], fake: FakeGraph, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner and the Facebook connector against the fake Graph API on loopback: one post's
    message, its URL and ``story`` (kept in ``extra``), a comment's text and a commenter's name hold
    a NUL and a lone surrogate; a phone number in a comment is split by a NUL."""
    # Graph writes what is not ASCII as escapes; a lone surrogate can only be sent so.
    monkeypatch.setattr(
        graph, "_json", lambda data: graph.Response(json.dumps(data), 200, media_type="application/json")
    )
    page = fake.pages[targets[0].handle]
    post = page.posts[0]
    post.data.update(
        message=f"颱風{NUL}消息{SURROGATE}",
        story=f"story{NUL}",
        permalink_url=post.data["permalink_url"] + NUL,
    )
    phone, other = post.comments[0], post.comments[1]
    phone["message"] = f"請致電 9123{NUL}4567 查詢"
    other["message"] = f"多謝{SURROGATE}{NUL}"
    other["from"] = {**other["from"], "name": f"Commenter{NUL}{SURROGATE}"}
    n = len(targets)

    summary = collect(engine, url, targets)

    assert summary.status == "ok", summary.as_dict()
    assert counts(summary) == {
        "comments.insert": n * COMMENTS,
        "post_snapshots.insert": n * POSTS,
        "posts.insert": n * POSTS,
        "profiles.insert": n,
    }
    assert unstorable_values(engine) == []
    with session_factory(engine)() as session:
        row = session.scalars(select(t.Post).where(t.Post.post_id == post.post_id)).one()
        texts = dict(session.execute(select(t.Comment.comment_id, t.Comment.text)).all())
        bodies = list(session.scalars(select(t.RawPayloadRow.body)))
    assert row.text == "颱風消息\ufffd" and row.url == post.data["permalink_url"][:-1]
    assert row.extra is not None and row.extra["story"] == "story"
    assert texts[post.expected[0].comment_id] == "請致電 [PHONE] 查詢"  # redacted as the text stored
    assert texts[post.expected[1].comment_id] == "多謝\ufffd"
    # The page of posts is kept as received: the escapes, not the characters.
    assert any("\\u0000" in body and "\\ud800" in body for body in bodies)
    # The kept comments page: the phone number split by a NUL is redacted there too; no name.
    assert not any("9123" in body and "4567" in body for body in bodies)
    assert not any("Commenter" in body for body in bodies)

    with transaction(session_factory(engine)) as session:  # forget every checkpoint: read it all again
        session.execute(delete(t.Checkpoint))
    again = collect(engine, url, targets)

    assert again.status == "ok"
    assert counts(again) == {
        "comments.noop": n * COMMENTS,
        "posts.noop": n * POSTS,
        "post_snapshots.insert": n * POSTS,
        "profiles.insert": n,
    }


# --- export files ----------------------------------------------------------------------------------


def import_file(
    engine: Engine, path: Path, fmt: str, account: int, account_ref: str | None = None
) -> RunSummary:
    """``path`` imported as ``govsocial collect import`` does, its rows filed under ``account``."""
    context = ImportContext(timezone=HK, account_ref=account_ref)
    return import_activity(engine, path, importers()[fmt](), context, lambda _p, _r: account, KEY)


def rows(engine: Engine) -> dict[str, Any]:
    """What an import stored, comparable across imports: posts and comments with their texts."""
    with session_factory(engine)() as session:
        posts = session.execute(
            select(t.Post.post_id, t.Post.text, t.Post.url, t.Post.link, t.Post.extra).order_by(
                t.Post.post_id
            )
        )
        comments = session.execute(
            select(t.Comment.comment_id, t.Comment.author, t.Comment.text).order_by(t.Comment.comment_id)
        )
        return {"posts": [tuple(r) for r in posts], "comments": [tuple(r) for r in comments]}


#: (fixture, format, account, the text changed, what it becomes): a NUL in a text, a URL, a name,
#: an author, a title kept in ``extra``; in UTF-8 and in UTF-16.
NUL_CELLS = [
    ("generic/posts.csv", "generic", None, "Lantau trail", f"Lan{NUL}tau trail"),
    ("generic/posts.csv", "generic", None, "examplegovhk/posts/1001", f"examplegovhk/posts/10{NUL}01"),
    ("csv_exports/crowdtangle_hk_pages.csv", "crowdtangle", None, "食物安全中心", f"食物{NUL}安全中心"),
    (
        "csv_exports/meta_business_suite_facebook_content.csv",
        "meta_business_suite",
        None,
        "【食物安全】",
        f"【食物{NUL}安全】",
    ),
    (
        "csv_exports/youtube_studio_table_data.csv",
        "youtube_studio",
        "https://www.youtube.com/@hkobservatory",
        "點樣安全",
        f"點樣{NUL}安全",
    ),
    (
        "telegram/channel_result.json",
        "telegram",
        "https://t.me/newsgovhk",
        "National Day",
        "National\\u0000 Day",
    ),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize(
    ("fixture", "fmt", "ref", "text", "changed"), NUL_CELLS, ids=[c[1] for c in NUL_CELLS]
)
def test_a_nul_in_a_file_is_dropped_and_the_file_imports_as_without_it(
    engine: Engine,
    tmp_path: Path,
    fixture: str,
    fmt: str,
    ref: str | None,
    text: str,
    changed: str,
    encoding: str,
) -> None:
    account = account_id(engine)
    original = (PAYLOADS / fixture).read_text(encoding="utf-8-sig")
    assert text in original
    clean, bad = tmp_path / f"clean-{Path(fixture).name}", tmp_path / f"bad-{Path(fixture).name}"
    clean.write_bytes(original.encode(encoding))
    bad.write_bytes(original.replace(text, changed, 1).encode(encoding))
    reference = import_file(engine, clean, fmt, account, ref)
    stored = rows(engine)

    first = import_file(engine, bad, fmt, account, ref)

    # The same rows as the file without the NUL: nothing lost, nothing changed, on both stores.
    assert first.status == reference.status and not first.errors, first.as_dict()
    assert first.counts.counts.get("posts.noop") == reference.counts.counts.get("posts.insert")
    assert not {"posts.insert", "posts.update"} & {k for k, v in first.counts.counts.items() if v}
    assert rows(engine) == stored and stored["posts"]
    assert unstorable_values(engine) == []
    if fmt != "telegram":  # a text body holding a NUL is kept as a JSON string of the text as read
        with session_factory(engine)() as session:
            body = session.scalars(select(t.RawPayloadRow.body).order_by(t.RawPayloadRow.id.desc())).first()
        assert body is not None and NUL in json.loads(body)


def test_a_surrogate_in_a_telegram_export_is_replaced_and_importing_again_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    account = account_id(engine)
    path = tmp_path / "result.json"
    original = (PAYLOADS / "telegram" / "channel_result.json").read_text(encoding="utf-8")
    path.write_text(original.replace("National Day", "National\\ud800\\u0000 Day", 1), encoding="utf-8")

    first = import_file(engine, path, "telegram", account, "https://t.me/newsgovhk")
    again = import_file(engine, path, "telegram", account, "https://t.me/newsgovhk")

    assert not first.errors and first.counts.counts["posts.insert"] == again.counts.counts["posts.noop"] > 0
    assert not again.counts.counts.get("posts.insert") and not again.counts.counts.get("posts.update")
    texts = [text for _id, text, *_ in rows(engine)["posts"]]
    assert any(text and text.startswith("National\ufffd Day") for text in texts)
    assert unstorable_values(engine) == []


def test_comments_with_a_nul_in_their_text_and_author_import_as_without_it(
    engine: Engine, tmp_path: Path
) -> None:
    account = account_id(engine)
    import_file(engine, PAYLOADS / "generic" / "posts.csv", "generic", account)
    original = (PAYLOADS / "generic" / "comments.csv").read_text(encoding="utf-8")
    import_file(engine, PAYLOADS / "generic" / "comments.csv", "generic", account)
    stored = rows(engine)
    path = tmp_path / "comments.csv"
    path.write_text(original.replace("When will", f"Wh{NUL}en will").replace("Citizen 2", f"Cit{NUL}izen 2"))

    summary = import_file(engine, path, "generic", account)

    assert summary.status == "ok" and summary.counts.as_dict() == {"comments.noop": len(stored["comments"])}
    assert rows(engine) == stored
    assert unstorable_values(engine) == []


def test_an_id_holding_a_nul_is_quarantined_naming_the_field_and_the_line(
    engine: Engine, tmp_path: Path
) -> None:
    account = account_id(engine)
    original = (PAYLOADS / "generic" / "posts.csv").read_text(encoding="utf-8")
    path = tmp_path / "posts.csv"
    path.write_text(original.replace("123456789_1001,", f"123456789_10{NUL}01,", 1), encoding="utf-8")

    first = import_file(engine, path, "generic", account)
    again = import_file(engine, path, "generic", account)

    assert (first.status, first.counts.counts["posts.insert"], first.counts.counts["quarantined"]) == (
        "partial",
        3,
        1,
    )
    assert again.counts.counts["posts.noop"] == 3 and again.counts.counts["quarantined"] == 1
    with session_factory(engine)() as session:
        [record] = session.scalars(select(t.QuarantinedRecord))
    assert record.location == "posts.csv, line 2" and record.times_seen == 2
    assert "post_id" in record.reason and UNSTORABLE_ID in record.reason
    assert f"123456789_10{NUL}01" in json.loads(record.content)  # as read, as a JSON string
    assert unstorable_values(engine) == []


def test_the_import_command_reports_the_bad_row_and_keeps_the_good_ones(
    engine: Engine, tmp_path: Path
) -> None:
    account_id(engine)
    path = tmp_path / "posts.csv"
    path.write_text(
        "platform,account,post_id,created_at,text,likes\n"
        f"facebook,cfs.hk,p1,2024-05-01 10:00,食物{NUL}安全,1\n"
        f"facebook,cfs.hk,p{NUL}2,2024-05-01 11:00,hello,2\n"
        "facebook,cfs.hk,p3,2024-05-01 12:00,bye,3\n",
        encoding="utf-8",
    )
    env = {
        "GOVSOCIAL_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "GOVSOCIAL_PSEUDONYM_KEY": KEY,
    }
    args = ["collect", "import", str(path), "--no-metrics", "--json"]

    outcomes = [CliRunner().invoke(app, args, env=env) for _ in range(2)]

    summaries = [json.loads(result.stdout[result.stdout.find("{") :]) for result in outcomes]
    assert [result.exit_code for result in outcomes] == [1, 1]  # partial: a row was quarantined
    assert summaries[0]["counts"]["posts.insert"] == 2 and summaries[0]["counts"]["quarantined"] == 1
    assert summaries[1]["counts"]["posts.noop"] == 2 and "posts.update" not in summaries[1]["counts"]
    assert rows(engine)["posts"][0][:2] == ("p1", "食物安全")
    assert unstorable_values(engine) == []


# --- the helpers, on their own ---------------------------------------------------------------------


def test_storable_text_drops_nul_and_replaces_lone_surrogates_only() -> None:
    text = "多謝 thanks 😀"
    assert storable_text(text) is text and is_storable(text)
    assert storable_text(f"a{NUL}b{SURROGATE}c") == "ab\ufffdc"
    assert storable_text("\ud83d\ude00") == "😀"  # a pair given as two code points is the character
    assert storable_text(f"\udc00{SURROGATE}") == "\ufffd\ufffd"
    assert escaped_text(f"file{NUL}\udcff.csv") == "file\\x00\\udcff.csv"


def test_a_comment_with_unstorable_strings_is_validated_not_made_as_given() -> None:
    when = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    made = comment_record(
        platform="facebook",
        comment_id="1_2",
        post_id="1",
        created_at=when,
        author_id=f"a{SURROGATE}",
        text=f"x{NUL}",
    )
    assert (made.author_id, made.text) == ("a\ufffd", "x")
    with pytest.raises(ValueError, match="comment_id"):
        comment_record(platform="facebook", comment_id=f"1_{NUL}", post_id="1", created_at=when)
    assert comment_record(
        platform="facebook", comment_id="1_2", post_id="1", created_at=when, text="ok"
    ) == CommentRecord(platform="facebook", comment_id="1_2", post_id="1", created_at=when, text="ok")


def test_payloads_with_lone_surrogates_are_written_with_their_escapes() -> None:
    value = {"message": f"a{SURROGATE}b{NUL}", "n": 10**30}
    written = payload_json.dumps(value)
    assert is_storable(written) and "\\ud800" in written and "\\u0000" in written
    assert payload_json.loads(written) == value


def test_a_nul_splitting_personal_data_does_not_hide_it_from_redaction() -> None:
    assert redact(f"call 9123{NUL}4567") == "call [PHONE]"
    assert redact(f"mail a{NUL}@example.com") == "mail [EMAIL]"
    kept = f"多謝{NUL}提醒"  # nothing hidden: kept as it is, NUL and all
    assert redact(kept) == kept
    assert redact_payload({"message": f"9123{NUL}4567", "id": "1_2"}) == {"message": "[PHONE]", "id": "1_2"}
    page = {"data": [{"message": f"9123{NUL}4567", "from": {"id": "42", "name": "A"}}]}
    assert scrub_payload(page, "facebook", PSEUDONYMS) == {
        "data": [{"message": "[PHONE]", "from": {"pseudonym": PSEUDONYMS("facebook", "42")}}]
    }


def test_a_text_body_holding_a_nul_is_kept_as_a_json_string_of_it() -> None:
    body = f"a,b\n1,x{NUL}y\n"
    assert storable_body("a,b\n1,xy\n") == "a,b\n1,xy\n"
    assert json.loads(storable_body(body)) == body and is_storable(storable_body(body))
