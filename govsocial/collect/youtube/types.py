"""YouTube payloads -> records. Pure functions, tolerant of absent keys: YouTube leaves a count out
when the owner hides it (likes, subscribers) or turns it off (comments), and that is ``None``.

Counts arrive as strings (``"viewCount": "7920"``); times as RFC 3339 with or without milliseconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govsocial.collect import records
from govsocial.collect.records import CommentRecord, PostCounts, PostFormat, PostRecord, ProfileRecord

PLATFORM = "youtube"
WATCH_URL = "https://www.youtube.com/watch?v={}"
#: ``liveBroadcastContent`` values of a broadcast that is on air or scheduled.
LIVE_STATES = frozenset({"live", "upcoming"})

Payload = dict[str, Any]


def parse_time(value: Any) -> dt.datetime:
    """An aware UTC datetime from ``2021-09-30T23:56:42Z`` or ``2019-11-26T15:51:44.000Z``."""
    if not isinstance(value, str):
        raise ValueError(f"expected an RFC 3339 time, got {value!r}")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return parsed.astimezone(dt.UTC)


def count(stats: Any, key: str) -> int | None:
    """``stats[key]`` as an int; None when absent (hidden or disabled) or not a number."""
    value = stats.get(key) if isinstance(stats, dict) else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _snippet(item: Payload) -> Payload:
    snippet = item.get("snippet")
    return snippet if isinstance(snippet, dict) else {}


def profile_from_channel(item: Payload, account_ref: str, taken_at: dt.datetime) -> ProfileRecord:
    """The channel's subscriber snapshot; a hidden subscriber count is None, not 0."""
    stats = item.get("statistics") or {}
    hidden = bool(stats.get("hiddenSubscriberCount"))
    return ProfileRecord(
        platform=PLATFORM,
        account_ref=account_ref,
        taken_at=taken_at,
        followers=None if hidden else count(stats, "subscriberCount"),
        posts_count=count(stats, "videoCount"),
        name=_snippet(item).get("title"),
        platform_id=item["id"],
    )


def uploads_playlist(item: Payload) -> str:
    """The channel's uploads playlist: from ``contentDetails``, or by the UC -> UU convention."""
    related = (item.get("contentDetails") or {}).get("relatedPlaylists") or {}
    uploads = related.get("uploads")
    if isinstance(uploads, str) and uploads:
        return uploads
    channel_id: str = item["id"]
    return "UU" + channel_id[2:]


def playlist_entries(page: Payload) -> list[tuple[str, dt.datetime | None]]:
    """``(video id, published time)`` of each playlist item; the time is None when unreadable."""
    entries = []
    for item in page.get("items") or []:
        details = item.get("contentDetails") or {}
        snippet = _snippet(item)
        video_id = details.get("videoId") or (snippet.get("resourceId") or {}).get("videoId")
        if not video_id:
            continue
        try:
            published: dt.datetime | None = parse_time(
                details.get("videoPublishedAt") or snippet.get("publishedAt")
            )
        except ValueError:
            published = None
        entries.append((str(video_id), published))
    return entries


def video_format(item: Payload) -> PostFormat:
    """LIVE for broadcasts (on air, scheduled or past), VIDEO otherwise."""
    if _snippet(item).get("liveBroadcastContent") in LIVE_STATES or item.get("liveStreamingDetails"):
        return PostFormat.LIVE
    return PostFormat.VIDEO


def video_counts(item: Payload, taken_at: dt.datetime) -> PostCounts:
    """Views, likes and comments; each None when hidden or disabled (dislikes are private since 2021)."""
    stats = item.get("statistics")
    return PostCounts(
        taken_at=taken_at,
        views=count(stats, "viewCount"),
        likes=count(stats, "likeCount"),
        comments=count(stats, "commentCount"),
    )


def _thumbnail(snippet: Payload) -> list[str]:
    thumbnails = snippet.get("thumbnails") or {}
    for size in ("maxres", "standard", "high", "medium", "default"):
        url = (thumbnails.get(size) or {}).get("url")
        if url:
            return [str(url)]
    return []


def _video_extra(item: Payload) -> dict[str, Any]:
    snippet = _snippet(item)
    extra = {
        "title": snippet.get("title"),
        "duration": (item.get("contentDetails") or {}).get("duration"),
        "live": item.get("liveStreamingDetails"),
    }
    return {key: value for key, value in extra.items() if value}


def post_from_video(item: Payload, account_ref: str, taken_at: dt.datetime) -> PostRecord:
    """A ``videos.list`` item as a post: title and description as its text."""
    snippet = _snippet(item)
    text = "\n\n".join(part for part in (snippet.get("title"), snippet.get("description")) if part)
    return PostRecord(
        platform=PLATFORM,
        post_id=item["id"],
        account_ref=account_ref,
        created_at=parse_time(snippet.get("publishedAt")),
        created_at_raw=snippet.get("publishedAt"),
        format=video_format(item),
        text=text or None,
        url=WATCH_URL.format(item["id"]),
        media=_thumbnail(snippet),
        counts=video_counts(item, taken_at),
        extra=_video_extra(item),
    )


def comment(
    item: Payload, video_id: str, channel_id: str, parent_id: str | None = None, replies: int | None = None
) -> CommentRecord:
    """One ``youtube#comment`` (top-level or reply); the channel's own comments are page replies."""
    snippet = _snippet(item)
    author = (snippet.get("authorChannelId") or {}).get("value")
    # Checked by type, validated only where a value is not of its field's exact type.
    return records.comment_record(
        platform=PLATFORM,
        comment_id=item["id"],
        post_id=video_id,
        parent_id=snippet.get("parentId") or parent_id,
        created_at=parse_time(snippet.get("publishedAt")),
        created_at_raw=snippet.get("publishedAt"),
        author_id=author or snippet.get("authorDisplayName"),
        is_page_reply=bool(author) and author == channel_id,
        text=snippet.get("textOriginal") or snippet.get("textDisplay"),
        likes=snippet.get("likeCount"),
        replies=replies,
    )


def thread_time(thread: Payload) -> dt.datetime | None:
    """When a thread's top-level comment was written; None when unreadable."""
    top = _snippet(thread).get("topLevelComment") or {}
    try:
        return parse_time(_snippet(top).get("publishedAt"))
    except ValueError:
        return None


def embedded_replies(thread: Payload) -> list[Payload]:
    """The replies ``part=replies`` embedded in a thread (at most five of them)."""
    replies = (thread.get("replies") or {}).get("comments")
    return [reply for reply in replies if isinstance(reply, dict)] if isinstance(replies, list) else []


def has_more_replies(thread: Payload) -> bool:
    """Whether the thread has replies beyond those embedded (``comments.list`` must fetch them)."""
    total = _snippet(thread).get("totalReplyCount") or 0
    return isinstance(total, int) and total > len(embedded_replies(thread))


def thread_comments(
    thread: Payload, video_id: str, channel_id: str, with_replies: bool = True
) -> list[CommentRecord]:
    """A thread's top-level comment, then its embedded replies when ``with_replies``."""
    snippet = _snippet(thread)
    top = comment(snippet["topLevelComment"], video_id, channel_id, replies=snippet.get("totalReplyCount"))
    replies = embedded_replies(thread) if with_replies else []
    return [top, *(comment(reply, video_id, channel_id, parent_id=top.comment_id) for reply in replies)]
