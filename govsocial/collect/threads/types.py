"""Threads payloads -> records. Pure functions, tolerant of absent keys: ``text`` is absent on
posts without text, ``username`` on replies from private profiles, and counts are None unless the
insights endpoint gave them.

Times are ISO 8601 with a colon-less offset (``2026-05-03T09:00:00+0000``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from govsocial.collect import records
from govsocial.collect.records import CommentRecord, PostCounts, PostFormat, PostRecord, ProfileRecord

PLATFORM = "threads"
FORMATS = {
    "TEXT_POST": PostFormat.TEXT,
    "IMAGE": PostFormat.IMAGE,
    "CAROUSEL_ALBUM": PostFormat.IMAGE,
    "VIDEO": PostFormat.VIDEO,
}
#: A repost of someone else's post: it has no insights and no conversation of the account's own.
REPOST = "REPOST_FACADE"

Payload = Mapping[str, Any]


def parse_time(value: Any) -> dt.datetime:
    """An aware UTC datetime from ``2026-05-03T09:00:00+0000``."""
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 time, got {value!r}")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return parsed.astimezone(dt.UTC)


def metrics(data: Payload) -> dict[str, int]:
    """``{name: value}`` of an insights response: ``values[-1].value`` or ``total_value.value``."""
    found: dict[str, int] = {}
    for entry in data.get("data") or []:
        if not isinstance(entry, Mapping) or not entry.get("name"):
            continue
        values = entry.get("values")
        value = (entry.get("total_value") or {}).get("value")
        if value is None and isinstance(values, list) and values and isinstance(values[-1], Mapping):
            value = values[-1].get("value")
        if isinstance(value, int) and not isinstance(value, bool):
            found[str(entry["name"])] = value
    return found


def profile_from_me(
    me: Payload, account_ref: str, taken_at: dt.datetime, followers: int | None
) -> ProfileRecord:
    """The account's profile; the follower count comes from the insights endpoint, when permitted."""
    return ProfileRecord(
        platform=PLATFORM,
        account_ref=account_ref,
        taken_at=taken_at,
        followers=followers,
        name=me.get("name") or me.get("username"),
        platform_id=str(me["id"]),
    )


def post_counts(found: Mapping[str, int], taken_at: dt.datetime) -> PostCounts:
    """Media insights as counts; reposts are the shares. ``comments`` repeats ``replies``."""
    return PostCounts(
        taken_at=taken_at,
        views=found.get("views"),
        likes=found.get("likes"),
        replies=found.get("replies"),
        comments=found.get("replies"),
        shares=found.get("reposts"),
        quotes=found.get("quotes"),
    )


def post_from_thread(item: Payload, account_ref: str, counts: PostCounts | None) -> PostRecord:
    """A post of the account; ``extra`` keeps the raw media type (carousel, repost...)."""
    media_type = str(item.get("media_type") or "")
    media = item.get("media_url") or item.get("thumbnail_url")
    extra = {
        "media_type": media_type or None,
        "shortcode": item.get("shortcode"),
        "is_quote_post": item.get("is_quote_post") or None,
    }
    return PostRecord(
        platform=PLATFORM,
        post_id=str(item["id"]),
        account_ref=account_ref,
        created_at=parse_time(item.get("timestamp")),
        created_at_raw=item.get("timestamp"),
        format=FORMATS.get(media_type, PostFormat.OTHER),
        text=item.get("text"),
        url=item.get("permalink"),
        media=[str(media)] if media else [],
        counts=counts,
        extra={key: value for key, value in extra.items() if value is not None},
    )


def _ref_id(value: Any) -> str | None:
    return str(value["id"]) if isinstance(value, Mapping) and value.get("id") else None


def reply_from_item(item: Payload, root_id: str, own_username: str | None) -> CommentRecord:
    """A reply anywhere in the conversation of ``root_id``; the author is the username (if public)."""
    parent = _ref_id(item.get("replied_to"))
    username = item.get("username")
    owned = item.get("is_reply_owned_by_me") is True or (bool(username) and username == own_username)
    # Checked by type, validated only where a value is not of its field's exact type.
    return records.comment_record(
        platform=PLATFORM,
        comment_id=str(item["id"]),
        post_id=root_id,
        parent_id=parent if parent and parent != root_id else None,
        created_at=parse_time(item.get("timestamp")),
        created_at_raw=item.get("timestamp"),
        author_id=str(username) if username else None,
        is_page_reply=owned,
        text=item.get("text"),
    )


def next_after(data: Payload) -> str | None:
    """The ``after`` cursor of the next page; None on the last page (no ``paging.next``)."""
    paging = data.get("paging")
    if not isinstance(paging, Mapping) or not paging.get("next"):
        return None
    after = (paging.get("cursors") or {}).get("after")
    return str(after) if after else None
