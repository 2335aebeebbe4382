"""Feed entries, as ``feedparser`` gives them, turned into records: pure functions.

Every key may be absent. An item is a post of format ``link`` (a press release page): its id is
the ``guid`` (RSS) or ``id`` (Atom), else its link; its time is ``published``, else ``updated``,
which feedparser has already parsed into UTC. Engagement is rarely in a feed: ``slash:comments``
or ``thr:total`` give a comment count and ``media:statistics`` a view count; anything else is
unknown (None), never 0.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import time
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from govsocial.collect.records import BadRecord, PostCounts, PostFormat, PostRecord, ProfileRecord

PLATFORM = "rss"
SOURCE = "rss:feed"
#: Elements that end a line of text; any other tag is inline and leaves no gap.
_BLOCK_TAGS = frozenset(
    {"address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "footer", "h1", "h2",
     "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "td", "th", "tr",
     "ul"}
)  # fmt: skip


class BadItem(ValueError):
    """An entry that cannot become a post; the message is the ``BadRecord`` reason."""


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment, a line break at each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def strip_html(fragment: str) -> str:
    """The text of an HTML fragment: entities decoded, spaces collapsed, one line per block."""
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _plain(entry: Mapping[str, Any], key: str) -> str | None:
    """``entry[key]`` as plain text, stripped of HTML when its ``{key}_detail`` says it is HTML."""
    value = entry.get(key)
    if not isinstance(value, str):
        return None
    detail = entry.get(f"{key}_detail") or {}
    text = strip_html(value) if "html" in str(detail.get("type", "text/html")) else value.strip()
    return text or None


def entry_id(entry: Mapping[str, Any]) -> str | None:
    """The item's ``guid``/``id`` (feedparser calls both ``id``), else its link."""
    for key in ("id", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _get(entry: Mapping[str, Any], key: str) -> Any:
    # ``in`` first: feedparser's ``get("updated...")`` falls back to ``published...`` with a warning.
    return entry[key] if key in entry else None  # noqa: SIM401


def _utc(parsed: time.struct_time) -> dt.datetime:
    # feedparser's *_parsed are UTC struct_times: timegm, not mktime (which assumes local time).
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)


def entry_time(entry: Mapping[str, Any]) -> tuple[dt.datetime, str | None] | None:
    """When the item was published (else last updated), in UTC, with the feed's own string."""
    for key in ("published", "updated", "created"):
        parsed = _get(entry, f"{key}_parsed")
        if parsed:
            raw = _get(entry, key)
            return _utc(parsed), raw if isinstance(raw, str) else None
    return None


def entry_text(entry: Mapping[str, Any]) -> str | None:
    """Title and summary (or the first content block), as plain text."""
    title = _plain(entry, "title")
    body = _plain(entry, "summary")
    if body is None and entry.get("content"):
        block = entry["content"][0]
        body = _plain({"value": block.get("value"), "value_detail": block}, "value")
    parts = [part for part in (title, body) if part]
    if len(parts) == 2 and parts[1] == parts[0]:
        parts.pop()  # some feeds repeat the title as the description
    return "\n\n".join(parts) or None


def _count(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def entry_counts(entry: Mapping[str, Any], taken_at: dt.datetime) -> PostCounts | None:
    """Comment and view counts when the feed gives them; None when it gives neither."""
    comments = _count(entry.get("slash_comments"))
    if comments is None:
        comments = _count(entry.get("thr_total"))
    views = _count((entry.get("media_statistics") or {}).get("views"))
    if comments is None and views is None:
        return None
    return PostCounts(taken_at=taken_at, comments=comments, views=views)


def entry_media(entry: Mapping[str, Any]) -> list[str]:
    """URLs of enclosures and Media RSS content, in feed order, without repeats."""
    found = [item.get("href") for item in entry.get("enclosures") or []]
    found += [item.get("url") for item in entry.get("media_content") or []]
    return list(dict.fromkeys(url for url in found if isinstance(url, str) and url))


def entry_extra(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Categories, the comments page and the last-update time, when present."""
    extra: dict[str, Any] = {}
    categories = [tag.get("term") for tag in entry.get("tags") or [] if tag.get("term")]
    if categories:
        extra["categories"] = categories
    if isinstance(entry.get("comments"), str):
        extra["comments_url"] = entry["comments"]
    published, updated = _get(entry, "published_parsed"), _get(entry, "updated_parsed")
    if published and updated and updated != published:  # RSS has one date; feedparser copies it
        extra["updated_at"] = _utc(updated).isoformat()
    return extra


def entry_post(
    entry: Mapping[str, Any], account_ref: str, taken_at: dt.datetime, base: str = ""
) -> PostRecord:
    """The post an item is; ``BadItem`` when it has no id and no link, or no readable time.

    ``base`` (the feed's URL) resolves a relative link; the id stays as the feed wrote it, so that
    a feed moved to another address still names its items the same way.
    """
    post_id = entry_id(entry)
    if post_id is None:
        raise BadItem("item has no guid/id and no link, so it cannot be told apart from others")
    when = entry_time(entry)
    if when is None:
        shown = _get(entry, "published") or _get(entry, "updated")
        raise BadItem(f"item has no readable published/updated time (found {shown!r})")
    link = urljoin(base, entry["link"]) if isinstance(entry.get("link"), str) else None
    return PostRecord(
        platform=PLATFORM,
        post_id=post_id,
        account_ref=account_ref,
        created_at=when[0],
        created_at_raw=when[1],
        format=PostFormat.LINK,
        text=entry_text(entry),
        url=link,
        media=entry_media(entry),
        counts=entry_counts(entry, taken_at),
        extra=entry_extra(entry),
    )


def bad_item(entry: Mapping[str, Any], location: str, reason: str) -> BadRecord:
    """A quarantined item with its content as JSON (feedparser's time tuples as text)."""
    content = json.dumps(entry, default=str, ensure_ascii=False, sort_keys=True)
    return BadRecord(source=SOURCE, location=location, reason=reason, content=content)


def feed_profile(feed: Mapping[str, Any], account_ref: str, taken_at: dt.datetime) -> ProfileRecord:
    """The feed as an account: its title; a feed has no followers (None, unknown)."""
    name = _plain(feed, "title")
    return ProfileRecord(platform=PLATFORM, account_ref=account_ref, taken_at=taken_at, name=name)
