"""Facebook Graph API payloads -> records. Pure functions, tolerant of absent and extra keys.

Counts Facebook does not return are ``None``: ``shares`` is absent on posts nobody shared and on
posts the token may not see, so "absent" cannot be told from "0" (PLATFORMS.md §1.3, §12).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from govsocial.collect import records
from govsocial.collect.records import CommentRecord, PostCounts, PostFormat, PostRecord, ProfileRecord

PLATFORM = "facebook"
#: Reaction types requested one by one through field aliases (``reactions.type(LIKE)...as(like)``).
REACTION_TYPES = ("LIKE", "LOVE", "HAHA", "WOW", "SAD", "ANGRY", "CARE")

_ATTACHMENT_FORMATS = {
    "photo": PostFormat.IMAGE,
    "album": PostFormat.IMAGE,
    "video": PostFormat.VIDEO,
    "link": PostFormat.LINK,
}
_STATUS_TYPE_FORMATS = {
    "added_photos": PostFormat.IMAGE,
    "added_video": PostFormat.VIDEO,
    "shared_story": PostFormat.LINK,
    "mobile_status_update": PostFormat.TEXT,
    "created_note": PostFormat.TEXT,
    "published_story": PostFormat.TEXT,
}
#: The ``type`` field of posts before Graph v3.3 (still in old payloads and exports).
_LEGACY_TYPE_FORMATS = {
    "photo": PostFormat.IMAGE,
    "video": PostFormat.VIDEO,
    "link": PostFormat.LINK,
    "status": PostFormat.TEXT,
}


#: Graph's own time form, ASCII digits only and offset minutes under 60: for these strings
#: ``datetime.fromisoformat`` (under 0.1 µs) gives what ``strptime(..., "%Y-%m-%dT%H:%M:%S%z")``
#: gives (5 µs); anything else goes to ``strptime``, so what is accepted or refused is unchanged.
_GRAPH_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}[0-5][0-9]")


def parse_time(value: str | int) -> dt.datetime:
    """A Graph time (``2021-07-04T19:50:58+0000``, or epoch seconds with ``date_format=U``) in UTC."""
    if not isinstance(value, int | str) or isinstance(value, bool):
        raise TypeError(f"not a time: {value!r}")
    if isinstance(value, int) or value.isdigit():
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    parsed = None
    if _GRAPH_TIME.fullmatch(value):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:  # an impossible date or time: strptime says so, in its own words
            parsed = None
    if parsed is None:
        parsed = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    return parsed.astimezone(dt.UTC)


def format_time(value: dt.datetime) -> str:
    """The ISO form kept in checkpoints."""
    return value.astimezone(dt.UTC).isoformat()


def profile_record(data: Mapping[str, Any], account_ref: str, taken_at: dt.datetime) -> ProfileRecord:
    """A Page node as a profile snapshot: followers from ``followers_count``, else ``fan_count``."""
    followers = _count(data.get("followers_count"))
    return ProfileRecord(
        platform=PLATFORM,
        account_ref=account_ref,
        taken_at=taken_at,
        followers=followers if followers is not None else _count(data.get("fan_count")),
        name=_str(data.get("name")),
        platform_id=_str(data.get("id")),
    )


def post_record(data: Mapping[str, Any], account_ref: str, taken_at: dt.datetime) -> PostRecord:
    """A Page post with its engagement counts at ``taken_at``."""
    attachments = _attachments(data)
    post_format = post_format_of(data, attachments)
    return PostRecord(
        platform=PLATFORM,
        post_id=str(data["id"]),
        account_ref=account_ref,
        created_at=parse_time(data["created_time"]),
        created_at_raw=str(data["created_time"]),
        format=post_format,
        text=_str(data.get("message")),
        url=_str(data.get("permalink_url")),
        link=_link(attachments) if post_format is PostFormat.LINK else None,
        media=_media(data, attachments),
        counts=post_counts(data, taken_at),
        extra=_post_extra(data),
    )


def post_counts(data: Mapping[str, Any], taken_at: dt.datetime) -> PostCounts:
    """Reactions by type, comments (with replies: ``filter(stream)``) and shares; absent -> None."""
    reactions = {
        kind.lower(): count
        for kind in REACTION_TYPES
        if (count := _summary_count(data.get(kind.lower()))) is not None
    }
    shares = data.get("shares")
    return PostCounts(
        taken_at=taken_at,
        reactions=reactions or None,
        likes=reactions.get("like"),
        comments=_summary_count(data.get("comments")),
        shares=_count(shares.get("count")) if isinstance(shares, Mapping) else None,
    )


def post_format_of(data: Mapping[str, Any], attachments: list[Mapping[str, Any]] | None = None) -> PostFormat:
    """The format, from the first attachment, else ``status_type``, else the legacy ``type``."""
    attachments = _attachments(data) if attachments is None else attachments
    if attachments:
        first = attachments[0]
        if "live" in str(first.get("type") or ""):
            return PostFormat.LIVE
        found = _ATTACHMENT_FORMATS.get(str(first.get("media_type") or ""))
        if found is not None:
            return found
    found = _STATUS_TYPE_FORMATS.get(str(data.get("status_type") or ""))
    found = found or _LEGACY_TYPE_FORMATS.get(str(data.get("type") or ""))
    if found is not None:
        return found
    return PostFormat.TEXT if data.get("message") and not attachments else PostFormat.OTHER


def comment_record(data: Mapping[str, Any], post_id: str, page_id: str | None) -> CommentRecord:
    """A comment or reply; under PPCA ``id`` and ``from`` may be absent (see ``comment_ids``)."""
    comment_id, parent_id = comment_ids(data, post_id)
    author = _mapping(data.get("from"))
    author_key = _str(author.get("id"))
    author_id = author_key or _str(author.get("name"))
    # Every value below is made here with its field's type, so the record is checked by type and
    # not validated again (``records.comment_record``); a wrong ``post_id`` is still refused.
    return records.comment_record(
        platform=PLATFORM,
        comment_id=comment_id,
        post_id=post_id,
        parent_id=parent_id,
        created_at=parse_time(data["created_time"]),
        created_at_raw=str(data["created_time"]),
        author_id=author_id,
        is_page_reply=page_id is not None and author_key == page_id,
        text=_str(data.get("message")),
        likes=_count(data.get("like_count")),
        replies=_count(data.get("comment_count")),
    )


def comment_ids(data: Mapping[str, Any], post_id: str) -> tuple[str, str | None]:
    """The comment's id and its parent's, however much of them the response gives.

    Since Graph v11, apps using Page Public Content Access get no ``id`` (nor ``from``) on comments.
    The ``permalink_url`` still carries them (``?comment_id=C`` or ``?comment_id=P&reply_comment_id=C``)
    and the id is ``{object-id}_{comment-id}``, the form Graph itself returns. When even the permalink
    is missing, the id is derived from what identifies the comment in the response: a hash of the
    post id, the creation time and the text. It is stable across runs, so re-reading a post does not
    duplicate its comments; two identical texts posted in the same second on one post would merge.
    """
    parent = data.get("parent")
    parent_id = _str(parent.get("id")) if isinstance(parent, Mapping) else None
    comment_id = _str(data.get("id"))
    permalink = _str(data.get("permalink_url"))
    if comment_id and _permalink_adds_nothing(permalink, parent_id):
        return comment_id, parent_id
    from_link = _ids_from_permalink(permalink, post_id)
    if from_link is not None:
        comment_id = comment_id or from_link[0]
        parent_id = parent_id or from_link[1]
    return comment_id or derived_comment_id(data, post_id), parent_id


def derived_comment_id(data: Mapping[str, Any], post_id: str) -> str:
    """A stable stand-in id for a comment the API returned without one (see ``comment_ids``)."""
    key = "\x1f".join((post_id, str(data.get("created_time") or ""), str(data.get("message") or "")))
    return f"derived:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}"


def _permalink_adds_nothing(permalink: str | None, parent_id: str | None) -> bool:
    """Whether parsing ``permalink`` (6 µs) can change nothing for a comment that has its ``id``.

    It can give only a parent, and only through a ``reply_comment_id`` (which, unless percent-encoded,
    is there to see); and ``urlsplit`` can refuse it (``ValueError``, so the comment is quarantined)
    only for brackets or non-ASCII characters in the host. Without these, the result is known.
    """
    if permalink is None:
        return True
    if not permalink.isascii() or "[" in permalink or "]" in permalink:
        return False
    return parent_id is not None or ("reply_comment_id" not in permalink and "%" not in permalink)


def _ids_from_permalink(permalink: str | None, post_id: str) -> tuple[str, str | None] | None:
    if not permalink:
        return None
    parts = urlsplit(permalink)
    query = parse_qs(parts.query)
    top = query.get("comment_id", [None])[0]
    if not top:
        return None
    digits = [segment for segment in parts.path.split("/") if re.fullmatch(r"\d+", segment)]
    # The object the comment hangs on is the last numeric path segment (a post or a photo id).
    obj = digits[-1] if digits else post_id.rsplit("_", 1)[-1]
    reply = query.get("reply_comment_id", [None])[0]
    if reply:
        return f"{obj}_{reply}", f"{obj}_{top}"
    return f"{obj}_{top}", None


def _attachments(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    block = data.get("attachments")
    items = block.get("data") if isinstance(block, Mapping) else None
    return [item for item in items if isinstance(item, Mapping)] if isinstance(items, list) else []


def _media(data: Mapping[str, Any], attachments: Iterable[Mapping[str, Any]]) -> list[str]:
    """Image URLs of the attachments and their sub-attachments (albums); else ``full_picture``."""
    found = [url for item in attachments for url in _attachment_images(item)]
    picture = _str(data.get("full_picture"))
    # An album's cover is also its first sub-attachment: keep each URL once, in order.
    return list(dict.fromkeys(found)) or ([picture] if picture else [])


def _attachment_images(item: Mapping[str, Any]) -> list[str]:
    images = []
    media = item.get("media")
    image = media.get("image") if isinstance(media, Mapping) else None
    if isinstance(image, Mapping) and _str(image.get("src")):
        images.append(str(image["src"]))
    for sub in _attachments({"attachments": item.get("subattachments")}):
        images.extend(_attachment_images(sub))
    return images


def _link(attachments: list[Mapping[str, Any]]) -> str | None:
    """The shared link's real target: ``unshimmed_url`` is the URL before Facebook's redirector."""
    for item in attachments:
        url = _str(item.get("unshimmed_url")) or _str(item.get("url"))
        if url:
            return url
    return None


def _post_extra(data: Mapping[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for key in ("status_type", "updated_time", "story"):
        if data.get(key) is not None:
            extra[key] = data[key]
    total = _summary_count(data.get("reactions"))
    if total is not None:
        extra["reactions_total"] = total
    return extra


def _summary_count(edge: Any) -> int | None:
    """``total_count`` of an edge requested with ``.summary(...)``; None when not given."""
    summary = edge.get("summary") if isinstance(edge, Mapping) else None
    return _count(summary.get("total_count")) if isinstance(summary, Mapping) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
