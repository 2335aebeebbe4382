"""What of a post's ``extra`` may be published: the keys, and the function that keeps only them.

``Post.extra`` holds what a source says beyond the common fields (``PostRecord.extra``). Most of it
is about the post itself, but a few keys can point at a person who is not the account, so the open
API (``web.schemas``) and the downloads (``store.open_data``) publish an allow-list of keys and
nothing else. The store keeps every key: a key may be looked at and added here later.
"""

from __future__ import annotations

from typing import Any

#: The keys of ``Post.extra`` that are published (docs/collectors.md says which source writes which).
#: An allow-list, so that a key a collector adds later stays private until someone has looked at it.
#: Left out on purpose, because they can name or point at a person who is not the account: X's
#: ``references`` and ``conversation_id`` (the post a government reply answers, which may be a
#: citizen's), Facebook's ``story`` ("... is with <name>"), Telegram's ``forwarded_from`` (the sender
#: a message was forwarded from, perhaps a private user); and Meta Business Suite's ``custom_labels``,
#: free text the account's own team wrote, never published.
PUBLIC_POST_EXTRA = frozenset(
    {
        # connectors: the post's type, title and length, and figures beyond the common counts
        *("media_type", "media_types", "media_product_type", "status_type", "shortcode", "is_quote_post"),
        *("title", "duration", "live", "bookmarks", "reactions_total", "updated_time"),
        *("categories", "comments_url", "updated_at"),  # RSS/Atom
        # CrowdTangle
        *("type", "page_name", "group_name", "page_category", "account_name", "video_share_status"),
        *("is_video_owner", "video_length", "final_link", "image_text", "link_text", "link_description"),
        *("sponsor_id", "sponsor_name", "sponsor_category", "total_interactions", "total_views"),
        *("total_views_all_crossposts", "overperforming_score"),
        # Meta Business Suite
        *("reach", "interactions", "impressions", "link_clicks", "other_clicks", "saves", "follows"),
        *("duration_s", "seconds_viewed", "average_seconds_viewed", "account_username", "post_type"),
        *("is_share", "is_crosspost", "caption_type", "languages"),
        *("funded_content_status", "period", "data_comment", "description"),
        # YouTube Studio
        *("dislikes", "subscribers", "subscribers_gained", "subscribers_lost", "watch_time_hours"),
        *("impressions_ctr_percent", "average_percentage_viewed", "stayed_to_watch_percent"),
        "average_view_duration_s",
        # Telegram
        *("reply_to_message_id", "mime_type", "duration_seconds", "edited_at"),
    }
)


#: The parts of a YouTube video's ``live`` (its ``liveStreamingDetails``) that are published: its
#: times and viewers. The only key whose value is an object is allow-listed inside too, so that a part
#: YouTube adds later stays private like a new key; ``activeLiveChatId`` (the chat where viewers write
#: under their own channels) is not published.
PUBLIC_LIVE_DETAILS = frozenset(
    {"actualStartTime", "actualEndTime", "scheduledStartTime", "scheduledEndTime", "concurrentViewers"}
)


def public_extra(extra: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a post's ``extra`` that may be published (``PUBLIC_POST_EXTRA``, and of ``live``
    ``PUBLIC_LIVE_DETAILS``); None when empty."""
    kept = {key: value for key, value in (extra or {}).items() if key in PUBLIC_POST_EXTRA}
    if isinstance(kept.get("live"), dict):
        live = {key: value for key, value in kept["live"].items() if key in PUBLIC_LIVE_DETAILS}
        if live:
            kept["live"] = live
        else:
            del kept["live"]
    return kept or None
