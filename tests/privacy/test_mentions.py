"""A commenter's @handle in what is written to them is their platform identity: never stored.

A reply starts with the handle of the person it answers ("@citizen_handle_1 Yes, admission is
free"), on Instagram, Threads, X and YouTube, whether a citizen or the page itself writes it. The
comment's row, the kept copy of its page and a quarantined comment hold ``[USER]`` instead, and
topics do not count that mark as a word.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.analyze.topics.segment import clean_text
from govsocial.collect.instagram import types as ig
from govsocial.collect.privacy import Pseudonymiser, handles, redact, redact_comment, redact_reason
from govsocial.collect.records import BadRecord, Batch, PostRecord, RawPayload
from govsocial.collect.storage import BatchWriter, StoreCounts
from govsocial.store import tables as t
from tests.collect.test_end_to_end import registry
from tests.security.test_privacy_proof import stored_text

__all__ = ["registry"]

FIXTURE = Path(__file__).parents[1] / "fixtures/payloads/instagram/handmade_owner_media_comments.json"
#: The handles the fixture's replies name: a citizen's, and the page's own (kept where the writer
#: knows it, as a collection's does).
CITIZEN, OWNER = "citizen_handle_1", "owner_handle_1"
MEDIA_ID = "17896622936197745"
T0 = dt.datetime(2021, 8, 14, tzinfo=dt.UTC)


def test_mentions_become_user_marks_in_comments_only() -> None:
    assert redact_comment("@citizen_1 Yes, from today.") == "[USER] Yes, from today."
    assert redact_comment("＠citizen_1多謝") == "[USER]多謝"  # full-width "@", Chinese right after
    assert redact_comment("請@陳大文 回覆，電話 9123 4567") == "請[USER] 回覆，電話 [PHONE]"
    assert redact_comment("thanks @a.b.") == "thanks [USER]."  # the sentence's full stop stays
    # Not mentions: an address (redacted as one), a name at a host, an "@" on its own.
    assert redact_comment("a@b.com, user@localhost, 5 @ $2") == "[EMAIL], user@localhost, 5 @ $2"
    # Posts are the government's own words: their handles (@hkgov) are kept.
    assert redact("@hkgov 你好") == "@hkgov 你好"
    # In comments, the collected account's own handle stays: citizens reply to it.
    own = handles("@HKGov")
    assert redact_comment("@hkgov @citizen_1 ＠HKGOV 多謝", own) == "@hkgov [USER] ＠HKGOV 多謝"


def test_topics_do_not_count_redaction_marks_as_words() -> None:
    assert clean_text("[USER] [ID] [PHONE] ok").split(",") == ["", " ", " ", " ok"]


def _batch(page: dict[str, Any], account_ref: str) -> Batch:
    comments = [c for item in page["data"] for c in ig.comment_records(item, MEDIA_ID, "own-id", None)]
    post = PostRecord(platform="instagram", post_id=MEDIA_ID, account_ref=account_ref, created_at=T0)
    raw = RawPayload(source="instagram:/{media}/comments", location="x", fetched_at=T0, body=json.dumps(page))
    broken = dict(page["data"][0]["replies"]["data"][0], timestamp="not a time")
    bad = BadRecord(source="api:instagram", location="x", reason="bad time", content=json.dumps(broken))
    return Batch(edge=f"comments:{MEDIA_ID}", raw=raw, posts=[post], comments=comments, bad=[bad])


def test_no_handle_of_a_commenter_is_stored(registry: Engine) -> None:
    page = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert f"@{CITIZEN} Yes" in FIXTURE.read_text(encoding="utf-8")
    with Session(registry) as session:
        account_id = session.scalars(select(t.Account.id).where(t.Account.platform == "instagram")).first()
        assert account_id is not None
        writer = BatchWriter(
            None, "api:instagram", lambda _p, _r: account_id, Pseudonymiser("k"), account_id,
            own_handles=handles(OWNER),
        )  # fmt: skip
        counts = StoreCounts()
        writer.write(session, _batch(page, "any"), counts)
        session.commit()
        texts = set(session.scalars(select(t.Comment.text)))
        quarantined = session.scalars(select(t.QuarantinedRecord.content)).one()

    assert counts.counts["comments.insert"] == 4 and counts.counts["quarantined"] == 1
    assert "[USER] Yes, admission is free every Sunday." in texts and f"@{OWNER} thanks" in texts
    assert "[USER] Yes" in quarantined
    stored = stored_text(registry)
    assert "[USER]" in stored
    assert CITIZEN not in stored


def test_the_reason_a_record_was_refused_for_names_no_one_it_quotes() -> None:
    """A reason quotes the value refused, which may be a comment's words: its @handles go as the
    comment's own do; the account a reason names for the operator to register stays."""
    quoted = redact_reason("likes: 'ask @peter_chan or ＠陳大文' is not a whole number")
    assert quoted == "likes: 'ask [USER] or [USER]' is not a whole number"
    named = "instagram account '@cfs.hk' is not in the registry"
    assert redact_reason(named) == named
