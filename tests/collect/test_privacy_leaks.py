"""Three leaks a review found, each closed where every record passes: commenters' identities in
quarantined records (``storage._quarantine``), personal data in the kept raw payloads of profiles and
posts (``storage._kept_body``), and tokens in Graph error messages (``facebook.errors``), with the
JSON-escaped ``\\u0026access_token=`` that ``privacy.SECRET_IN_URL`` missed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.collect.errors import AuthError, CollectError, RateLimitedError, TransientError
from govsocial.collect.facebook import client as facebook_client
from govsocial.collect.facebook import errors
from govsocial.collect.facebook.client import FacebookConnector
from govsocial.collect.privacy import (
    Pseudonymiser,
    redact,
    redact_payload,
    scrub_payload,
    with_decoded,
    without_secrets,
)
from govsocial.collect.records import (
    BadRecord,
    Batch,
    CommentRecord,
    PostRecord,
    ProfileRecord,
    RawPayload,
)
from govsocial.collect.storage import BatchWriter, StoreCounts
from govsocial.collect.threads import client as threads_client
from govsocial.collect.x import client as x_client
from govsocial.collect.youtube import client as youtube_client
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t
from govsocial.store.forget import forget_comment
from tests.collect.test_facebook import (
    FB,
    PAGE_ID,
    PAYLOADS,
    PROFILE,
    TOKEN,
    collect,
    one_post,
    payload,
)

KEY = Pseudonymiser("k")
T0 = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
#: What the review's post said: each kind of personal data, and a Graph id holding a "phone number".
PERSONAL = "call 9123 4567 or a@b.com HKID A123456(3)"
PERSONAL_BITS = ("9123 4567", "a@b.com", "A123456(3)")
POST_ID = f"{PAGE_ID}_91234567"


def _account(engine: Engine, session: Session) -> int:
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    return session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one()


def _writer(account_id: int | None, source: str = "api:facebook") -> BatchWriter:
    return BatchWriter(None, source, lambda _p, _r: account_id, KEY, account_id)


def _store(session: Session, writer: BatchWriter, batches: list[Batch]) -> dict[str, int]:
    counts = StoreCounts()
    for batch in batches:
        writer.write(session, batch, counts)
    session.commit()
    return counts.as_dict()


def _quarantined(session: Session) -> list[t.QuarantinedRecord]:
    return list(session.scalars(select(t.QuarantinedRecord).order_by(t.QuarantinedRecord.id)))


# --- 1. quarantined records: commenters pseudonymised or removed, ids kept ------------------------------


def test_a_facebook_comment_quarantined_by_the_connector_keeps_no_identity(
    engine: Engine, session: Session
) -> None:
    account_id = _account(engine, session)
    page = payload("pyfacebook_comments_by_parent_p1.json")
    broken = dict(page["data"][0], created_time="not a time", message=f"broken: {PERSONAL}")
    author = broken["from"]
    page["data"][0] = broken
    post = f"{PAGE_ID}_77"
    routes: dict[tuple[str, str | None], Any] = {
        (f"/{PAGE_ID}", None): PROFILE,
        (f"/{PAGE_ID}/posts", None): one_post(2, post),
    }
    batches, _, _ = collect({**routes, (f"/{post}/comments", None): page})

    counts = _store(session, _writer(account_id), batches)

    assert counts["quarantined"] == 1
    (record,) = _quarantined(session)
    assert author["id"] not in record.content and author["name"] not in record.content
    assert not [bit for bit in PERSONAL_BITS if bit in record.content]
    kept = json.loads(record.content)
    assert kept["from"] == {"pseudonym": KEY("facebook", author["id"])}  # the pseudonym of its rows
    assert kept["id"] == broken["id"] and kept["created_time"] == "not a time"  # what to look for
    assert record.location.startswith("https://graph.example/") and "not a time" in record.reason


def _item(folder: str, name: str, *path: str | int) -> Any:
    value: Any = json.loads((PAYLOADS / folder / name).read_text(encoding="utf-8"))
    for step in path:
        value = value[step]
    return value


BadMaker = Callable[[RawPayload, Any, Exception], BadRecord]
# Each connector's bad-record helper, a recorded reply or comment of its platform, who wrote it, and
# an id that must be kept as it is.
HELPERS: list[tuple[str, BadMaker, Any, list[str], str]] = [
    (
        "facebook",
        lambda raw, item, exc: facebook_client.bad_record(raw.source, raw, item, exc),
        _item("facebook", "pyfacebook_comments_by_parent_p1.json", "data", 0),
        ["Citizen 1", "2711636948859886"],
        "id",
    ),
    (
        "instagram",  # reuses Facebook's helper; without the replies, which @mention the commenter
        lambda raw, item, exc: facebook_client.bad_record(raw.source, raw, item, exc),
        {
            k: v
            for k, v in _item("instagram", "handmade_owner_media_comments.json", "data", 0).items()
            if k != "replies"
        },
        ["citizen_handle_1", '"900000000000001"'],
        "id",
    ),
    (
        "x",
        x_client.bad_record,
        _item("x_twitter", "handwritten_search_conversation.json", "data", 0),
        ["1500000000000000001"],
        "conversation_id",
    ),
    (
        "youtube",
        youtube_client.bad_record,
        _item("youtube", "handwritten_comment_threads_with_replies.json", "items", 0),
        ["Citizen 1", "UCcitizen0000000000000001"],
        "id",
    ),
    (
        "threads",
        threads_client.bad_record,
        _item("threads", "handwritten_conversation.json", "data", 0),
        ["citizen_1"],
        "id",
    ),
]


@pytest.mark.parametrize(
    ("platform", "make", "item", "identities", "id_key"), HELPERS, ids=[h[0] for h in HELPERS]
)
def test_every_connectors_bad_records_are_stored_without_commenters(
    engine: Engine,
    session: Session,
    platform: str,
    make: BadMaker,
    item: Any,
    identities: list[str],
    id_key: str,
) -> None:
    account_id = _account(engine, session)
    assert all(identity in json.dumps(item, ensure_ascii=False) for identity in identities)
    raw = RawPayload(
        source=f"{platform}:/{{id}}/comments", location="https://api.example/x", fetched_at=T0, body="{}"
    )
    bad = make(raw, item, ValueError("bad time"))

    _store(session, _writer(account_id, f"api:{platform}"), [Batch(edge="comments:p1", bad=[bad])])

    (record,) = _quarantined(session)
    assert not [identity for identity in identities if identity in record.content]
    assert json.loads(record.content)[id_key] == item[id_key]
    assert (record.source, record.location, record.reason) == (bad.source, bad.location, bad.reason)


def test_x_reply_authors_get_the_pseudonym_of_their_rows(engine: Engine, session: Session) -> None:
    account_id = _account(engine, session)
    item = _item("x_twitter", "handwritten_search_conversation.json", "data", 0)
    raw = RawPayload(source="x:/2/tweets/search/recent", location="x", fetched_at=T0, body="{}")
    bad = x_client.bad_record(raw, item, KeyError("created_at"))

    _store(session, _writer(account_id, "api:x"), [Batch(edge="comments:p1", bad=[bad])])

    kept = json.loads(_quarantined(session)[0].content)
    assert kept["author_id"] == KEY("x", item["author_id"])


def test_posts_and_profiles_of_accounts_not_in_the_registry_keep_their_ids(
    engine: Engine, session: Session
) -> None:
    _account(engine, session)
    post = PostRecord(
        platform="facebook", post_id=POST_ID, account_ref="91234567", created_at=T0, text=PERSONAL
    )
    profile = ProfileRecord(platform="facebook", account_ref="91234567", taken_at=T0, platform_id=PAGE_ID)
    comment = CommentRecord(
        platform="facebook", comment_id=f"{POST_ID}_1", post_id=POST_ID, created_at=T0, author_id="citizen-9",
        text=PERSONAL,
    )  # fmt: skip

    _store(
        session,
        _writer(None, "import:test"),
        [Batch(edge="posts", posts=[post], profile=profile, comments=[comment])],
    )

    records = _quarantined(session)
    assert len(records) == 3  # the profile, the post, the comment (its post is not in the store)
    kept = [json.loads(record.content) for record in records]
    assert kept[0]["account_ref"] == "91234567" and kept[0]["platform_id"] == PAGE_ID
    assert kept[1]["post_id"] == POST_ID and kept[1]["account_ref"] == "91234567"
    assert kept[2]["comment_id"] == f"{POST_ID}_1" and kept[2]["post_id"] == POST_ID
    for record in records:
        assert not [bit for bit in PERSONAL_BITS if bit in record.content]
        assert "citizen-9" not in record.content
        assert "91234567" in record.location or POST_ID in record.location  # where: as it was
    assert kept[1]["text"] == kept[2]["text"] == redact(PERSONAL)


def test_a_quarantined_comment_can_be_forgotten_by_its_id(engine: Engine, session: Session) -> None:
    # ``privacy forget`` finds quarantined records by the id as a JSON string: an id redacted as a
    # phone number ("77_[PHONE]") could never be forgotten.
    account_id = _account(engine, session)
    item = {"id": "77_91234567", "message": "hi", "created_time": "never", "from": {"id": "10009999999"}}
    raw = RawPayload(source="facebook:/{post-id}/comments", location="x", fetched_at=T0, body="{}")
    bad = facebook_client.bad_record(raw.source, raw, item, ValueError("bad time"))
    _store(session, _writer(account_id), [Batch(edge="comments:77", bad=[bad])])

    with engine.begin() as connection:
        forgotten = forget_comment(connection, "facebook", "77_91234567")

    assert forgotten.quarantined == 1


def test_a_quarantined_line_that_is_not_json_is_redacted_as_text(engine: Engine, session: Session) -> None:
    _account(engine, session)
    line = f"p1,c1,2026-13-45,{PERSONAL},https://x.example/?access_token=EAAsecret"
    bad = BadRecord(source="import:generic", location="f.csv, line 2", reason="bad date", content=line)

    _store(session, _writer(None, "import:generic"), [Batch(edge="comments", bad=[bad])])

    (record,) = _quarantined(session)
    assert record.content == redact(without_secrets(line)) and "EAAsecret" not in record.content


# --- 2. raw payloads of profiles and posts: personal data redacted, ids kept, no secret ---------------


def _posts_page(escaped: bool) -> httpx.Response:
    """A page of the recorded posts with the review's text and id, and a ``paging.next`` with the
    token; as a JSON encoder that escapes "&" (and all but ASCII) writes it, if ``escaped``."""
    page = one_post(comments=0, post_id=POST_ID)
    page["data"][0]["message"] = PERSONAL
    page["paging"] = {"next": f"https://graph.example/{PAGE_ID}/posts?access_token={TOKEN}&after=QQ"}
    if not escaped:
        return httpx.Response(200, json=page)
    return httpx.Response(200, text=json.dumps(page).replace("&", "\\u0026"))


@pytest.mark.parametrize("escaped", [False, True])
def test_the_kept_copy_of_a_posts_page_holds_no_personal_data(
    engine: Engine, session: Session, escaped: bool
) -> None:
    account_id = _account(engine, session)
    routes: dict[tuple[str, str | None], Any] = {
        (f"/{PAGE_ID}", None): PROFILE,
        (f"/{PAGE_ID}/posts", None): _posts_page(escaped),
    }
    batches, _, _ = collect({**routes, (f"/{PAGE_ID}/posts", "QQ"): {"data": []}})
    assert any(PERSONAL in b.raw.body for b in batches if b.raw is not None and b.edge == "posts")

    _store(session, _writer(account_id), batches)

    body = session.scalars(
        select(t.RawPayloadRow.body)
        .where(t.RawPayloadRow.source.like("%/posts"))
        .order_by(t.RawPayloadRow.id)
    ).first()
    assert body is not None
    assert not [bit for bit in PERSONAL_BITS if bit in body]
    assert TOKEN not in body and "access_token=***" in body
    kept = json.loads(body)
    assert kept["data"][0]["id"] == POST_ID  # an id, not a phone number
    assert kept["data"][0]["message"] == redact(PERSONAL)
    assert kept["paging"]["next"].endswith("access_token=***&after=QQ")  # the cursor stays
    assert session.scalars(select(t.Post.text)).one() == kept["data"][0]["message"]  # as in the row


def _prepared_body(raw: RawPayload, edge: str = "posts") -> str:
    prepared = _writer(1).prepare(Batch(edge=edge, raw=raw))
    assert prepared.raw is not None
    return str(prepared.raw["body"])


def _raw(body: str, source: str = "facebook:/{page}/posts") -> RawPayload:
    return RawPayload(source=source, location="x", fetched_at=T0, body=body)


def test_the_decoded_page_and_the_body_give_the_same_kept_copy() -> None:
    body = _posts_page(escaped=True).text
    plain = _prepared_body(_raw(body))
    assert _prepared_body(with_decoded(_raw(body), json.loads(body))) == plain
    assert PERSONAL not in plain and TOKEN not in plain


def test_a_payload_with_nothing_to_remove_is_kept_as_received() -> None:
    body = (FB / "pyfacebook_pages_single_fields_page.json").read_text(encoding="utf-8")
    assert _prepared_body(_raw(body, "facebook:/{page}"), "profile") == body


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("rss_atom/govhk_style_press_releases.rss.xml", "rss:feed"),
        ("csv_exports/crowdtangle_hk_pages.csv", "import:crowdtangle"),
    ],
)
def test_a_posts_file_that_is_not_json_is_redacted_as_text(name: str, source: str) -> None:
    text = (PAYLOADS / name).read_text(encoding="utf-8")
    body = text.replace("\n", f"\n{PERSONAL} https://x.example/?key=AIzaSecret\n", 3)

    kept = _prepared_body(_raw(body, source))

    assert kept == redact(without_secrets(body))
    assert not [bit for bit in PERSONAL_BITS if bit in kept] and "AIzaSecret" not in kept
    assert kept.count("[PHONE]") == 3 and kept.count("[HKID]") == 3 and kept.count("[EMAIL]") == 3


def test_redact_payload_keeps_ids_and_keys_and_redacts_the_rest() -> None:
    data = {
        "id": POST_ID,
        "edit_history_tweet_ids": ["91234567"],
        "videoId": "A1234563",
        "author_id": "91234567",  # a person's id: never kept as an id
        "id_with_a_text": {"id": "call 9123 4567"},  # not an id's shape: redacted
        "91234567": PERSONAL,  # keys are not redacted
        "next?access_token=EAAsecret": 1,
    }
    assert redact_payload(data) == {
        "id": POST_ID,
        "edit_history_tweet_ids": ["91234567"],
        "videoId": "A1234563",
        "author_id": "[PHONE]",
        "id_with_a_text": {"id": "call [PHONE]"},
        "91234567": redact(PERSONAL),
        "next?access_token=***": 1,
    }


# --- 3. tokens in error messages ----------------------------------------------------------------------

APP_TOKEN = "123456789012345|AbCdEfGhIjKlMnOpQrStUvWxYz0"
APP_SECRET = APP_TOKEN.split("|")[1]


def _graph_190(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "OAuthException", "code": 190}}


def test_an_app_token_echoed_in_a_190_does_not_reach_the_error() -> None:
    body = _graph_190(f"Invalid OAuth access token - Cannot parse access token: {APP_TOKEN}")
    with pytest.raises(AuthError) as caught:
        collect(
            {(f"/{PAGE_ID}", None): httpx.Response(400, json=body)},
            make=lambda http: FacebookConnector(http, APP_TOKEN, base_url="https://graph.example"),
        )
    assert APP_SECRET not in str(caught.value) and "Cannot parse access token: ***" in str(caught.value)


def test_the_configured_token_is_removed_whatever_its_shape() -> None:
    token = "plain-configured-secret-42"  # like no known kind of token
    body = _graph_190(f"Bad token {token} (sent as {token.replace('-', '%2D')})")
    with pytest.raises(AuthError) as caught:
        collect(
            {(f"/{PAGE_ID}", None): httpx.Response(400, json=body)},
            make=lambda http: FacebookConnector(http, token, base_url="https://graph.example"),
        )
    assert token not in str(caught.value) and "Bad token ***" in str(caught.value)


@pytest.mark.parametrize(
    "message",
    [
        f"Cannot parse access token: {APP_TOKEN}",
        f"Cannot parse access token: {APP_TOKEN.replace('|', '%7C')}",
        f"client token {APP_TOKEN.split('|')[0]}|{APP_SECRET[::-1]} is not valid",
        f"Invalid link https://graph.facebook.com/v23.0/me?access_token={APP_SECRET}&fields=id",
        f"Malformed access token {TOKEN}",
    ],
)
def test_tokens_of_every_kind_are_scrubbed_from_graph_messages(message: str) -> None:
    error = FacebookConnector.classify(httpx.Response(400, json=_graph_190(message)))
    assert isinstance(error, AuthError)
    for secret in (APP_SECRET, APP_SECRET[::-1], TOKEN):
        assert secret not in str(error)
    assert "***" in str(error) and "Graph error 190" in str(error)


def test_a_message_of_no_token_is_kept() -> None:
    message = "(#100) Tried accessing nonexisting field (foo) on node type (Page) 2025|05"
    error = FacebookConnector.classify(httpx.Response(400, json={"error": {"message": message, "code": 100}}))
    assert error is not None and str(error).endswith(message)


def test_forget_token_scrubs_an_error_in_place_and_keeps_its_kind() -> None:
    retry_at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    errors_: list[CollectError] = [
        TransientError("facebook: ?: gave up on plain-configured-secret-42"),
        RateLimitedError("throttled plain-configured-secret-42", retry_at=retry_at),
    ]
    for error in errors_:
        errors.forget_token(error, "plain-configured-secret-42")
        assert "plain-configured-secret-42" not in str(error) and "***" in str(error)
    assert isinstance(errors_[1], RateLimitedError) and errors_[1].retry_at == retry_at
    errors.forget_token(errors_[0], None)  # no token configured: nothing to do


def test_a_json_escaped_ampersand_does_not_hide_a_token() -> None:
    body = '{"next":"https://graph.example/x?limit=1\\u0026access_token=EAAsecret\\u0026after=QQ"}'
    assert without_secrets(body) == (
        '{"next":"https://graph.example/x?limit=1\\u0026access_token=***\\u0026after=QQ"}'
    )
    assert without_secrets("?a=1&access_token=EAAsecret&b=2") == "?a=1&access_token=***&b=2"
    assert without_secrets("api_key=1 monkey=2 \\u0026key=3") == "api_key=*** monkey=2 \\u0026key=***"


# Pieces of escaped URLs: the shape test of payload strings must agree with ``without_secrets`` on them.
_PIECES = ["\\u0026", "\\u", "0026", "00", "9", "a", "access_token=", "key=", "&", "=", "x", "\\", "_", "/"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=10).map("".join))
def test_escaped_secrets_in_payload_strings_are_removed_as_in_text(text: str) -> None:
    expected = redact(without_secrets(text))
    for _ in range(2):  # the second time, the shape is known
        assert scrub_payload({"k": text}, "facebook", KEY) == {"k": expected}
        assert redact_payload({"k": text}) == {"k": expected}


def test_a_comment_whose_id_looks_like_a_phone_number_is_forgotten_from_its_kept_page(
    engine: Engine, session: Session
) -> None:
    # ``privacy forget`` takes the comment out of the kept raw page by its id: an id redacted in the
    # kept copy as a phone number ("77_[PHONE]") left the comment there for ever.
    account_id = _account(engine, session)
    post = f"{PAGE_ID}_77"
    page = payload("pyfacebook_comments_by_parent_p1.json")
    page["data"][0] = dict(page["data"][0], id="77_91234567", message=f"forget me: {PERSONAL}")
    routes: dict[tuple[str, str | None], Any] = {
        (f"/{PAGE_ID}", None): PROFILE,
        (f"/{PAGE_ID}/posts", None): one_post(2, post),
        (f"/{post}/comments", None): page,
    }
    batches, _, _ = collect(routes)
    _store(session, _writer(account_id), batches)
    body = t.RawPayloadRow.body
    kept = session.scalars(select(body).where(body.contains("forget me"))).all()
    assert len(kept) == 1 and '"77_91234567"' in kept[0]

    with engine.begin() as connection:
        forgotten = forget_comment(connection, "facebook", "77_91234567")

    assert forgotten.comments == 1 and forgotten.payloads == 1
    bodies = session.scalars(select(t.RawPayloadRow.body)).all()
    assert not [body for body in bodies if "forget me" in body or "77_91234567" in body]
