"""``records.comment_record``: the record ``CommentRecord(...)`` makes, without validating again values
that already have their fields' exact types, and the same validation errors for the rest."""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from govsocial.collect import records
from govsocial.collect.facebook import client, types
from govsocial.collect.records import CommentRecord, RawPayload

FB = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "facebook"
UTC_TIME = dt.datetime(2025, 3, 1, 8, 30, 7, 123, tzinfo=dt.UTC)
GOOD: dict[str, Any] = {
    "platform": "facebook",
    "comment_id": "1_2",
    "post_id": "1",
    "parent_id": None,
    "created_at": UTC_TIME,
    "created_at_raw": "2025-03-01T08:30:07+0000",
    "author_id": "42",
    "is_page_reply": False,
    "text": "多謝 9123 4567",
    "likes": 3,
    "replies": None,
}


class Text(str):
    """A ``str`` subclass: not the exact type, so it is validated."""


class Count(enum.IntEnum):
    THREE = 3


def same_record(made: CommentRecord, validated: CommentRecord) -> None:
    """``made`` is ``validated`` in every way a caller can see."""
    assert made == validated and hash(made) == hash(validated)
    assert list(made.__dict__) == list(validated.__dict__) == list(CommentRecord.model_fields)
    assert [type(v) for v in made.__dict__.values()] == [type(v) for v in validated.__dict__.values()]
    assert made.model_fields_set == validated.model_fields_set
    assert made.model_dump_json() == validated.model_dump_json()
    assert made.created_at.tzinfo is validated.created_at.tzinfo
    with pytest.raises(ValidationError):  # frozen, like every record
        made.text = "changed"  # type: ignore[misc]


def test_exact_types_make_the_record_validation_makes() -> None:
    same_record(records.comment_record(**GOOD), CommentRecord(**GOOD))
    bare: dict[str, Any] = {"platform": "x", "comment_id": "9", "post_id": "8", "created_at": UTC_TIME}
    full = {
        **GOOD,
        **bare,
        "parent_id": None,
        "created_at_raw": None,
        "author_id": None,
        "text": None,
        "likes": None,
        "replies": None,
    }
    same_record(records.comment_record(**bare), CommentRecord(**full))


def test_every_recorded_facebook_comment_is_the_record_validation_makes() -> None:
    count = 0
    for path in sorted(FB.glob("*comments*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data.get("data", []) if isinstance(data, dict) else []:
            for page_id in ("20531316728", "2121008874780932", None):
                made = types.comment_record(item, "20531316728_10158658756111729", page_id)
                same_record(made, CommentRecord(**made.model_dump()))
                count += 1
    assert count > 30


@pytest.mark.parametrize(
    "change",
    [
        {"created_at": dt.datetime(2025, 3, 1, 8, 30)},  # no time zone: refused
        {"created_at": dt.datetime(2025, 3, 1, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))},
        {"created_at": dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(0)))},  # not dt.UTC
        {"created_at": "2025-03-01T08:30:07+00:00"},
        {"post_id": 1},
        {"comment_id": None},
        {"text": Text("a str subclass")},
        {"text": 12},
        {"likes": True},
        {"likes": 3.0},
        {"likes": "3"},
        {"likes": Count.THREE},
        {"replies": -1.5},
        {"is_page_reply": 1},
        {"is_page_reply": "yes"},
        {"author_id": b"42"},
    ],
)
def test_other_values_are_validated_as_before(change: dict[str, Any]) -> None:
    arguments = {**GOOD, **change}
    try:
        validated = CommentRecord(**arguments)
    except ValidationError as exc:
        with pytest.raises(ValidationError) as raised:
            records.comment_record(**arguments)
        assert str(raised.value) == str(exc)  # the same errors, in the same words
        return
    made = records.comment_record(**arguments)
    assert made == validated and made.model_dump_json() == validated.model_dump_json()
    assert made.created_at.tzinfo is dt.UTC


def test_a_comment_that_cannot_be_read_is_quarantined_with_what_and_where() -> None:
    raw = RawPayload(
        source="facebook:/{post-id}/comments",
        location="https://graph.example/1_2/comments",
        fetched_at=UTC_TIME,
        body="{}",
    )
    good_item = {"id": "2_3", "created_time": "2025-03-01T08:30:07+0000", "message": "hi"}
    items = [good_item, {"id": "2_4", "created_time": "yesterday"}, {"id": "2_5"}, "?"]
    parse = lambda item: types.comment_record(item, "1_2", None)  # noqa: E731 (as the connector's own)
    good, bad = client.parse_items(items, parse, raw.source, raw)
    assert [r.comment_id for r in good] == ["2_3"] and good[0].created_at.tzinfo is dt.UTC
    assert [b.reason.split(":")[0] for b in bad] == ["ValueError", "KeyError", "TypeError"]
    assert all(b.location == raw.location and b.source == raw.source for b in bad)
    assert '"2_4"' in bad[0].content and "yesterday" in bad[0].content


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1989, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
        dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
    ],
)
def test_a_time_no_post_or_comment_can_have_is_refused(when: dt.datetime) -> None:
    # The fast path (exact types) must refuse it as validation does: a misread date would give the
    # metrics a period for every day between it and now.
    with pytest.raises(ValidationError, match="not a plausible time"):
        records.comment_record(**{**GOOD, "created_at": when})
    with pytest.raises(ValidationError, match="not a plausible time"):
        records.PostRecord(platform="x", post_id="1", account_ref="a", created_at=when)
    with pytest.raises(ValidationError, match="not a plausible time"):
        records.ProfileRecord(platform="x", account_ref="a", taken_at=when)


def test_times_from_1990_to_just_after_now_are_kept() -> None:
    for when in (records.EARLIEST, dt.datetime.now(dt.UTC) + dt.timedelta(days=1)):
        assert records.comment_record(**{**GOOD, "created_at": when}).created_at == when
        assert (
            records.PostRecord(platform="x", post_id="1", account_ref="a", created_at=when).created_at == when
        )


def test_a_refused_item_is_quarantined_without_the_values_pydantic_would_quote() -> None:
    raw = RawPayload(
        source="x:/2/tweets", location="https://api.x.example/2/tweets", fetched_at=UTC_TIME, body="{}"
    )
    # An author id that is not a string: the record refuses it, and pydantic's message quotes it.
    with pytest.raises(ValidationError) as caught:
        CommentRecord(**{**GOOD, "author_id": ["citizen-4242"]})
    bad = records.listing_bad_record(raw.source, raw.location, {"id": "1"}, caught.value)
    assert bad.reason.startswith("ValidationError: CommentRecord: author_id: ")
    assert "citizen-4242" not in bad.reason and "errors.pydantic.dev" not in bad.reason
