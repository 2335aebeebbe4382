"""Instagram Graph API payloads -> records. Pure functions, tolerant of absent and extra keys.

``like_count`` is omitted when the owner hid like counts and the media is read indirectly
(business discovery, field expansion): that is "unknown" (None), never 0 (PLATFORMS.md §2.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from govsocial.collect import records
from govsocial.collect.facebook.types import parse_time
from govsocial.collect.records import CommentRecord, PostCounts, PostFormat, PostRecord, ProfileRecord

PLATFORM = "instagram"

_MEDIA_FORMATS = {
    "IMAGE": PostFormat.IMAGE,
    "CAROUSEL_ALBUM": PostFormat.IMAGE,
    "VIDEO": PostFormat.VIDEO,
    "REELS": PostFormat.VIDEO,
}


def profile_record(data: Mapping[str, Any], account_ref: str, taken_at: dt.datetime) -> ProfileRecord:
    """An IG user (own, or the ``business_discovery`` object of another account) as a snapshot."""
    return ProfileRecord(
        platform=PLATFORM,
        account_ref=account_ref,
        taken_at=taken_at,
        followers=_count(data.get("followers_count")),
        following=_count(data.get("follows_count")),
        posts_count=_count(data.get("media_count")),
        name=_str(data.get("name")) or _str(data.get("username")),
        platform_id=_str(data.get("id")),
    )


def post_record(data: Mapping[str, Any], account_ref: str, taken_at: dt.datetime) -> PostRecord:
    """An IG media object with its like and comment counts at ``taken_at``."""
    return PostRecord(
        platform=PLATFORM,
        post_id=str(data["id"]),
        account_ref=account_ref,
        created_at=parse_time(data["timestamp"]),
        created_at_raw=str(data["timestamp"]),
        format=media_format(data),
        text=_str(data.get("caption")),
        url=_str(data.get("permalink")),
        media=_media_urls(data),
        counts=PostCounts(
            taken_at=taken_at,
            likes=_count(data.get("like_count")),
            comments=_count(data.get("comments_count")),
        ),
        extra={key: data[key] for key in ("media_type", "media_product_type") if data.get(key)},
    )


def media_format(data: Mapping[str, Any]) -> PostFormat:
    """Reels are videos whatever ``media_type`` says; carousels count as images."""
    if data.get("media_product_type") == "REELS":
        return PostFormat.VIDEO
    return _MEDIA_FORMATS.get(str(data.get("media_type") or ""), PostFormat.OTHER)


def comment_records(
    data: Mapping[str, Any], media_id: str, own_id: str | None, own_username: str | None
) -> list[CommentRecord]:
    """A top-level comment followed by the replies nested in it (``replies{...}``)."""
    top = comment_record(data, media_id, own_id, own_username)
    replies = [
        comment_record(reply, media_id, own_id, own_username, parent_id=top.comment_id)
        for reply in listing(data.get("replies"))
    ]
    return [top, *replies]


def comment_record(
    data: Mapping[str, Any],
    media_id: str,
    own_id: str | None,
    own_username: str | None,
    parent_id: str | None = None,
) -> CommentRecord:
    """One IG comment or reply. The author is ``from.id`` (an IGSID) when given, else the username."""
    author = _mapping(data.get("from"))
    username = _str(data.get("username")) or _str(author.get("username"))
    # Checked by type, validated only where a value is not of its field's exact type.
    return records.comment_record(
        platform=PLATFORM,
        comment_id=str(data["id"]),
        post_id=media_id,
        parent_id=_str(data.get("parent_id")) or parent_id,
        created_at=parse_time(data["timestamp"]),
        created_at_raw=str(data["timestamp"]),
        author_id=_str(author.get("id")) or username,
        is_page_reply=_is_own(data, author, username, own_id, own_username),
        text=_str(data.get("text")),
        likes=_count(data.get("like_count")),
    )


def _is_own(
    data: Mapping[str, Any],
    author: Mapping[str, Any],
    username: str | None,
    own_id: str | None,
    own_username: str | None,
) -> bool:
    """Written by the account itself: by id (``from.id``, or ``user``, given only for the app user's
    own comments), else by user name, which is unique on Instagram."""
    ids = {_str(author.get("id")), _str(_mapping(data.get("user")).get("id"))} - {None}
    if own_id and own_id in ids:
        return True
    return bool(own_username and username and username.lower() == own_username.lstrip("@").lower())


def items(block: Any) -> list[Any]:
    """The ``data`` items of a listing object (``{"data": [...], "paging": ...}``), as they came."""
    found = block.get("data") if isinstance(block, Mapping) else None
    return found if isinstance(found, list) else []


def listing(block: Any) -> list[Mapping[str, Any]]:
    """The object items of a listing nested in a record (carousel children, first replies)."""
    return [item for item in items(block) if isinstance(item, Mapping)]


def _media_urls(data: Mapping[str, Any]) -> list[str]:
    """The media file (a video's thumbnail rather than the video), or each carousel child's."""
    children = [url for child in listing(data.get("children")) if (url := _media_url(child))]
    own = _media_url(data)
    return list(dict.fromkeys(children)) or ([own] if own else [])


def _media_url(data: Mapping[str, Any]) -> str | None:
    if data.get("media_type") == "VIDEO":
        return _str(data.get("thumbnail_url")) or _str(data.get("media_url"))
    return _str(data.get("media_url"))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
