"""X payloads -> records. Pure functions, tolerant of absent keys: newer payloads add
``impression_count`` and ``bookmark_count``, older ones lack them, and any count not given is None.

Ids are strings (snowflakes exceed 2^53); times are UTC with milliseconds (``...T16:59:18.000Z``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from govsocial.collect import records
from govsocial.collect.records import CommentRecord, PostCounts, PostFormat, PostRecord, ProfileRecord

PLATFORM = "x"
POST_URL = "https://x.com/i/web/status/{}"
#: Twitter's snowflake epoch (2010-11-04T01:42:54.657Z), in milliseconds.
SNOWFLAKE_EPOCH_MS = 1288834974657
#: Links to these hosts are X's own (media pages, quoted posts), not links out.
OWN_HOSTS = frozenset({"twitter.com", "x.com", "www.twitter.com", "www.x.com", "mobile.twitter.com"})

Payload = Mapping[str, Any]


def parse_time(value: Any) -> dt.datetime:
    """An aware UTC datetime from ``2021-03-23T16:59:18.000Z``."""
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 time, got {value!r}")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return parsed.astimezone(dt.UTC)


def snowflake_time(post_id: str) -> dt.datetime:
    """When a post with this id was created: X ids carry their creation time in milliseconds."""
    return dt.datetime.fromtimestamp(((int(post_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, dt.UTC)


def _int(metrics: Any, key: str) -> int | None:
    value = metrics.get(key) if isinstance(metrics, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def profile_from_user(user: Payload, account_ref: str, taken_at: dt.datetime) -> ProfileRecord:
    """The account's follower snapshot (None when ``public_metrics`` was not returned)."""
    metrics = user.get("public_metrics")
    return ProfileRecord(
        platform=PLATFORM,
        account_ref=account_ref,
        taken_at=taken_at,
        followers=_int(metrics, "followers_count"),
        following=_int(metrics, "following_count"),
        posts_count=_int(metrics, "tweet_count"),
        name=user.get("name"),
        platform_id=str(user["id"]),
    )


def media_index(data: Payload) -> dict[str, Payload]:
    """``includes.media`` by media key, to resolve a post's ``attachments.media_keys``."""
    media = (data.get("includes") or {}).get("media") or []
    return {str(m["media_key"]): m for m in media if isinstance(m, Mapping) and m.get("media_key")}


def _media(tweet: Payload, media: Mapping[str, Payload]) -> list[Payload]:
    keys = (tweet.get("attachments") or {}).get("media_keys") or []
    return [media[key] for key in keys if key in media]


def _references(tweet: Payload) -> dict[str, str]:
    """``{type: id}`` of the posts this one retweets, quotes or replies to."""
    found = tweet.get("referenced_tweets") or []
    return {str(r["type"]): str(r["id"]) for r in found if isinstance(r, Mapping) and r.get("type")}


def external_link(tweet: Payload) -> str | None:
    """The first link out of X in the post's text (expanded from t.co), if any."""
    for url in (tweet.get("entities") or {}).get("urls") or []:
        expanded = (url.get("unwound_url") or url.get("expanded_url")) if isinstance(url, Mapping) else None
        if expanded and urlsplit(str(expanded)).hostname not in OWN_HOSTS:
            return str(expanded)
    return None


def tweet_format(tweet: Payload, media: Mapping[str, Payload]) -> PostFormat:
    """OTHER for a plain repost, else by its media (video, GIF, photo), a link out, or TEXT."""
    if "retweeted" in _references(tweet):
        return PostFormat.OTHER
    kinds = {str(m.get("type")) for m in _media(tweet, media)}
    if kinds & {"video", "animated_gif"}:
        return PostFormat.VIDEO
    if "photo" in kinds:
        return PostFormat.IMAGE
    return PostFormat.LINK if external_link(tweet) else PostFormat.TEXT


def tweet_counts(tweet: Payload, taken_at: dt.datetime) -> PostCounts:
    """Public metrics. ``comments`` repeats ``replies`` so cross-platform comment metrics see them."""
    metrics = tweet.get("public_metrics")
    return PostCounts(
        taken_at=taken_at,
        likes=_int(metrics, "like_count"),
        shares=_int(metrics, "retweet_count"),
        replies=_int(metrics, "reply_count"),
        comments=_int(metrics, "reply_count"),
        quotes=_int(metrics, "quote_count"),
        views=_int(metrics, "impression_count"),
    )


def post_from_tweet(
    tweet: Payload, account_ref: str, taken_at: dt.datetime, media: Mapping[str, Payload]
) -> PostRecord:
    """A post of the account, with its media URLs and the posts it references in ``extra``."""
    attached = _media(tweet, media)
    extra = {
        "conversation_id": tweet.get("conversation_id"),
        "references": _references(tweet) or None,
        "bookmarks": _int(tweet.get("public_metrics"), "bookmark_count"),
        "media_types": [m.get("type") for m in attached] or None,
    }
    return PostRecord(
        platform=PLATFORM,
        post_id=str(tweet["id"]),
        account_ref=account_ref,
        created_at=parse_time(tweet.get("created_at")),
        created_at_raw=tweet.get("created_at"),
        format=tweet_format(tweet, media),
        text=tweet.get("text"),
        url=POST_URL.format(tweet["id"]),
        link=external_link(tweet),
        media=[str(u) for m in attached if (u := m.get("url") or m.get("preview_image_url"))],
        counts=tweet_counts(tweet, taken_at),
        extra={key: value for key, value in extra.items() if value is not None},
    )


def reply_from_tweet(tweet: Payload, root_id: str, account_id: str) -> CommentRecord:
    """A post in the conversation of ``root_id``: parent is the post it replies to (None: the root)."""
    parent = _references(tweet).get("replied_to")
    author = tweet.get("author_id")
    metrics = tweet.get("public_metrics")
    # Checked by type, validated only where a value is not of its field's exact type.
    return records.comment_record(
        platform=PLATFORM,
        comment_id=str(tweet["id"]),
        post_id=root_id,
        parent_id=parent if parent and parent != root_id else None,
        created_at=parse_time(tweet.get("created_at")),
        created_at_raw=tweet.get("created_at"),
        author_id=str(author) if author else None,
        is_page_reply=author is not None and str(author) == account_id,
        text=tweet.get("text"),
        likes=_int(metrics, "like_count"),
        replies=_int(metrics, "reply_count"),
    )
