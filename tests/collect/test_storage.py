"""BatchWriter: idempotent upserts on both backends, snapshots, quarantine, checkpoints, privacy."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from govsocial.collect.privacy import Pseudonymiser, with_decoded
from govsocial.collect.records import (
    BadRecord,
    Batch,
    CommentRecord,
    PostCounts,
    PostRecord,
    ProfileRecord,
    RawPayload,
)
from govsocial.collect.storage import NOT_KEPT, BatchWriter, StoreCounts, store_batch
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store import activity
from govsocial.store import tables as t
from govsocial.store.db import session_factory

T0 = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)


def _account(engine: Engine, session: Session) -> int:
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    return session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one()


def _batch(taken: dt.datetime, text: str = "食物安全提示") -> Batch:
    post = PostRecord(
        platform="facebook",
        post_id="p1",
        account_ref="cfs.hk",
        created_at=T0,
        text=text,
        counts=PostCounts(taken_at=taken, likes=10, comments=2, reactions={"like": 8, "haha": 2}),
    )
    comments = [
        CommentRecord(
            platform="facebook",
            comment_id="c1",
            post_id="p1",
            created_at=T0 + dt.timedelta(minutes=5),
            author_id="citizen-42",
            text="我電話 9123 4567，身份證 A123456(3)",
        ),
        CommentRecord(
            platform="facebook",
            comment_id="c2",
            post_id="p1",
            parent_id="c1",
            is_page_reply=True,
            created_at=T0 + dt.timedelta(minutes=30),
            author_id="page-1",
            text="唔該你嘅意見",
        ),
    ]
    raw = RawPayload(
        source="facebook:/posts",
        location="https://g.example/p1/comments?access_token=***",
        fetched_at=taken,
        status=200,
        body=json.dumps({"data": [{"id": "c1", "from": {"id": "citizen-42", "name": "Chan Tai Man"}}]}),
    )
    return Batch(
        edge="comments:p1",
        raw=raw,
        posts=[post],
        comments=comments,
        profile=ProfileRecord(platform="facebook", account_ref="cfs.hk", taken_at=taken, followers=1000),
        bad=[BadRecord(source="test", location="line 9", reason="broken", content="x")],
        checkpoint={"after": "CURSOR2"},
    )


def _write(session: Session, writer: BatchWriter, batch: Batch) -> dict[str, int]:
    counts = StoreCounts()
    writer.write(session, batch, counts)
    session.commit()
    return counts.as_dict()


def test_first_write_inserts_and_the_same_batch_again_is_noop(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    first = _write(session, writer, _batch(T0))
    assert (
        first["posts.insert"] == 1 and first["comments.insert"] == 2 and first["post_snapshots.insert"] == 1
    )
    assert first["profiles.insert"] == 1 and first["quarantined"] == 1
    again = _write(session, writer, _batch(T0))
    assert again["posts.noop"] == 1 and again["comments.noop"] == 2 and again["post_snapshots.noop"] == 1
    assert "posts.insert" not in again and "comments.insert" not in again


def test_changed_text_is_an_update_and_new_snapshot_time_adds_history(
    engine: Engine, session: Session
) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    _write(session, writer, _batch(T0))
    later = _write(session, writer, _batch(T0 + dt.timedelta(hours=6), text="食物安全提示（更新）"))
    assert later["posts.update"] == 1 and later["post_snapshots.insert"] == 1
    snapshots = session.scalar(select(func.count()).select_from(t.PostSnapshot))
    assert snapshots == 2


def test_privacy_at_storage(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    _write(session, writer, _batch(T0))
    comment = session.scalars(select(t.Comment).where(t.Comment.comment_id == "c1")).one()
    assert comment.text == "我電話 [PHONE]，身份證 [HKID]"
    assert comment.author == Pseudonymiser("k")("facebook", "citizen-42")
    raw = session.scalars(select(t.RawPayloadRow)).one()
    assert "Chan Tai Man" not in raw.body and "citizen-42" not in raw.body
    everything = " ".join(
        str(v) for row in session.execute(select(t.Comment)).all() for v in row[0].__dict__.values()
    )
    assert "citizen-42" not in everything


def test_checkpoint_is_saved_with_the_rows(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    _write(session, writer, _batch(T0))
    assert activity.load_checkpoints(session, account_id) == {"comments:p1": {"after": "CURSOR2"}}


def test_records_of_unknown_accounts_and_posts_are_quarantined(engine: Engine, session: Session) -> None:
    _account(engine, session)
    writer = BatchWriter(None, "import:test", lambda p, r: None, Pseudonymiser("k"))
    counts = _write(session, writer, _batch(T0))
    assert counts["quarantined"] == 1 + 1 + 1 + 2  # the bad row, the post, the profile, both comments
    reasons = session.scalars(select(t.QuarantinedRecord.reason)).all()
    assert any("not in the registry" in r for r in reasons)
    assert any("is not in the store" in r for r in reasons)
    stored = " ".join(session.scalars(select(t.QuarantinedRecord.content)).all())
    assert "citizen-42" not in stored and "9123 4567" not in stored


def test_profile_marks_the_account_alive(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    _write(session, writer, _batch(T0))
    account = session.get(t.Account, account_id)
    assert account is not None and account.last_seen_on == T0.date() == account.first_seen_on


FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "payloads" / "facebook"
COMMENT_PAGES = ("handmade_comments_stream_page_token.json", "pyfacebook_comments_by_parent_p1.json")
PAGE_AUTHORS = {"Facebook", "20531316728"}  # the Page itself answers in one fixture: not a citizen
NEXT = '"paging": {"next": "https://g.example/x?access_token=EAAtok123&after=Q", '


def _comments_page(name: str, decoded: bool) -> Batch:
    body = (FIXTURES / name).read_text(encoding="utf-8").replace('"paging": {', NEXT, 1)
    raw = RawPayload(source="facebook:/{post-id}/comments", location="x", fetched_at=T0, body=body)
    kept = with_decoded(raw, json.loads(body)) if decoded else raw
    return Batch(edge="comments:p1", raw=kept, checkpoint={"after": "Q"})


def _citizens(name: str) -> set[str]:
    """Every commenter id and name in a fixture page (replies' authors included), the Page's aside."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            author = value.get("from")
            if isinstance(author, dict):
                found.update(str(v) for k, v in author.items() if k in ("id", "name"))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads((FIXTURES / name).read_text(encoding="utf-8")))
    return found - PAGE_AUTHORS


def _kept_bodies(session: Session) -> list[str]:
    return list(session.scalars(select(t.RawPayloadRow.body).order_by(t.RawPayloadRow.id.desc())))


def test_the_kept_copy_of_a_comments_page_holds_no_commenter(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    for name in COMMENT_PAGES:
        citizens = _citizens(name)
        assert citizens, name
        for decoded in (True, False):
            _write(session, writer, _comments_page(name, decoded))
            body = _kept_bodies(session)[0]
            assert not [citizen for citizen in citizens if citizen in body], name
            assert "EAAtok123" not in body and "access_token=***" in body
            kept = json.loads(body)
            assert all("from" not in item or set(item["from"]) == {"pseudonym"} for item in kept["data"])


def test_the_decoded_page_and_the_body_give_the_same_kept_copy(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    for name in COMMENT_PAGES:
        _write(session, writer, _comments_page(name, True))
        _write(session, writer, _comments_page(name, False))
        first, second = _kept_bodies(session)[:2]
        assert first == second


def test_a_comments_body_that_is_not_json_is_not_kept(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    raw = RawPayload(source="import:x", location="f.csv", fetched_at=T0, body="name,comment\nChan Tai Man,hi")
    _write(session, writer, Batch(edge="comments:p1", raw=raw))
    assert _kept_bodies(session) == [NOT_KEPT]


def test_a_first_load_gives_postgresql_statistics_for_its_comments(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(
        None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id, analyze_after=2
    )
    if engine.dialect.name != "postgresql":
        _write(session, writer, _batch(T0))
        assert not activity.analyze_if_stale(session, t.Comment, 10**6)  # nothing to do on SQLite
        return
    estimate = text("SELECT reltuples FROM pg_class WHERE relname = 'comments'")
    assert session.execute(estimate).scalar_one() < 0  # never analysed: the planner guesses
    _write(session, writer, _batch(T0))
    assert session.execute(estimate).scalar_one() == 2  # analysed with the two comments just written
    assert not activity.analyze_if_stale(session, t.Comment, 4)  # known well enough: not again


def test_prepare_does_the_privacy_work_without_a_database() -> None:
    # No engine, no session: what prepare does must not need one (it runs before the write lock).
    writer = BatchWriter(None, "api:facebook", lambda p, r: 1, Pseudonymiser("k"), 1)

    prepared = writer.prepare(_batch(T0))

    assert prepared.raw is not None and prepared.raw["account_id"] == 1
    assert "Chan Tai Man" not in prepared.raw["body"] and "citizen-42" not in prepared.raw["body"]
    rows = {comment.comment_id: row for comment, row in prepared.comments}
    assert rows["c1"]["text"] == "我電話 [PHONE]，身份證 [HKID]"
    assert rows["c1"]["author"] == Pseudonymiser("k")("facebook", "citizen-42")
    assert rows["c1"]["post_id"] is None  # the post's row is known only when it is written


def test_store_batch_writes_what_write_writes(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    counts = StoreCounts()

    store_batch(engine, session_factory(engine), writer, _batch(T0), counts)

    assert {k: n for k, n in counts.as_dict().items() if n} == {
        "comments.insert": 2, "post_snapshots.insert": 1, "posts.insert": 1, "profiles.insert": 1,
        "quarantined": 1,
    }  # fmt: skip
    session.expire_all()
    post_id = session.scalars(select(t.Post.id).where(t.Post.post_id == "p1")).one()
    stored = session.execute(select(t.Comment.comment_id, t.Comment.post_id, t.Comment.text)).all()
    assert sorted(stored) == [
        ("c1", post_id, "我電話 [PHONE]，身份證 [HKID]"),
        ("c2", post_id, "唔該你嘅意見"),
    ]
    assert _write(session, writer, _batch(T0))["comments.noop"] == 2  # write() agrees: nothing new


def _post_with(extra: dict[str, object]) -> Batch:
    post = PostRecord(
        platform="facebook", post_id="p9", account_ref="cfs.hk", created_at=T0, text="通告", extra=extra
    )
    return Batch(edge="posts", posts=[post])


def test_what_a_source_says_beyond_the_common_fields_is_kept_in_extra(
    engine: Engine, session: Session
) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "import:meta_business_suite", lambda p, r: account_id, Pseudonymiser("k"))
    extra = {
        "reach": 9310,
        "link_clicks": 40,
        "type": "Photos",
        "page_id": "91234567",
        "story": "call 9123 4567",
    }
    assert _write(session, writer, _post_with(extra))["posts.insert"] == 1
    stored = session.scalars(select(t.Post.extra).where(t.Post.post_id == "p9")).one()
    # Numbers as given, ids kept, texts redacted like the post's text.
    assert stored == {**extra, "story": "call [PHONE]"}
    assert _write(session, writer, _post_with(extra))["posts.noop"] == 1
    # A later export with a larger reach updates the post: extra is the latest the source said.
    assert _write(session, writer, _post_with({**extra, "reach": 12000}))["posts.update"] == 1
    session.expire_all()
    assert session.scalars(select(t.Post.extra).where(t.Post.post_id == "p9")).one()["reach"] == 12000


def test_a_post_without_extra_stores_null(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    writer = BatchWriter(None, "api:facebook", lambda p, r: account_id, Pseudonymiser("k"), account_id)
    _write(session, writer, _post_with({}))
    assert session.scalars(select(t.Post.extra).where(t.Post.post_id == "p9")).one() is None
