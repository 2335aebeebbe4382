"""Telegram Desktop JSON exports of a channel ("Export chat history" -> "Machine-readable JSON").

The file is ``result.json``: ``{"name", "type", "id", "messages": [...]}`` for one chat, or a full
account export whose ``chats.list`` holds such chats (only its channels are read; the exporter's
private chats are never touched). Each ``type == "message"`` becomes a post; service messages
(channel created, message pinned...) are skipped; anything unreadable becomes a ``BadRecord``
named by its index in ``messages``.

Times: ``date`` is the exporting computer's local time without an offset, so ``date_unixtime``
(epoch seconds, as a string, in exports since 2022) is used when present, else ``date`` in the
import's time zone (``--timezone``, else the zone of the channel's jurisdiction). Telegram
Desktop exports no view, forward or comment counts; reactions (since September 2024) are kept by
emoji. Counts are those at export time, which the file does not state: they are time-stamped with
the file's modification time. See ``docs/collectors/telegram.md``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govsocial.collect.imports.base import ImportContext, Importer, decode_file
from govsocial.collect.records import (
    MAX_COUNT,
    BadRecord,
    Batch,
    PostCounts,
    PostFormat,
    PostRecord,
    RawPayload,
)
from govsocial.errors import ImportFileError
from govsocial.hookspecs import hookimpl

SOURCE = "import:telegram"
PLATFORM = "telegram"
CHANNEL_TYPES = frozenset({"public_channel", "private_channel"})
VIDEO_MEDIA = frozenset({"video_file", "video_message", "animation"})
LINK_ENTITIES = frozenset({"link", "text_link"})
#: Keys of content that is neither a photo nor a video (a document, voice note, poll, place...).
OTHER_CONTENT = ("file", "media_type", "poll", "location_information", "contact_information", "place_name")
#: Kept in place of a message too deeply nested to write back as JSON.
TOO_DEEP = "[not kept: nested too deeply to write as JSON]"
_SNIFF = re.compile(r'"type"\s*:\s*"(?:public|private)_channel"|"personal_information"\s*:')
# A public channel's username, as the registry or the command line may give it.
_USERNAME = re.compile(r"(?:(?:https?://)?(?:www\.)?t\.me/(?:s/)?|@)?([A-Za-z][A-Za-z0-9_]{4,31})/?")


class _BadMessage(ValueError):
    """A message that cannot become a post; the message is the ``BadRecord`` reason."""


@dataclass(frozen=True)
class _Chat:
    """One channel of the file: where it sits, how its posts name their account, its messages."""

    where: str
    kind: str
    account_ref: str
    messages: list[Any]


def flatten_text(text: Any) -> str:
    """A message's text: a plain string, or a list of strings and ``{"type", "text"}`` entities."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else _entity_text(part) for part in text)
    raise _BadMessage(f"text is neither a string nor a list of parts: {type(text).__name__}")


def _entity_text(part: Any) -> str:
    text = part.get("text") if isinstance(part, Mapping) else None
    if isinstance(text, str):
        return text
    raise _BadMessage(f"a text part is not a string or an entity with text: {part!r}")


def _entities(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    parts = message.get("text_entities")
    if not isinstance(parts, list):
        text = message.get("text")
        parts = text if isinstance(text, list) else []
    return [part for part in parts if isinstance(part, Mapping)]


def links(message: Mapping[str, Any]) -> list[str]:
    """URLs the text links to: ``text_link`` targets and bare ``link`` entities, in order."""
    found = [part.get("href") if part.get("type") == "text_link" else part.get("text")
             for part in _entities(message) if part.get("type") in LINK_ENTITIES]  # fmt: skip
    return list(dict.fromkeys(url for url in found if isinstance(url, str) and url))


def message_time(message: Mapping[str, Any], zone: ZoneInfo) -> tuple[dt.datetime, str]:
    """When the message was posted, in UTC, and the string the file wrote."""
    unix, local = message.get("date_unixtime"), message.get("date")
    if unix is not None:
        try:
            if isinstance(unix, bool):  # an int to Python: true would be 1970-01-01 00:00:01
                raise TypeError(unix)
            when = dt.datetime.fromtimestamp(int(unix), dt.UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            raise _BadMessage(f"date_unixtime {unix!r} is not a number of seconds") from None
        return when, local if isinstance(local, str) else str(unix)
    if not isinstance(local, str):
        raise _BadMessage("no date_unixtime and no date")
    try:
        naive = dt.datetime.fromisoformat(local)
    except ValueError:
        raise _BadMessage(f"date {local!r} is not an ISO date and time") from None
    # Without date_unixtime (exports before mid-2022) the exporter's local time is all there is.
    aware = naive if naive.tzinfo else naive.replace(tzinfo=zone)
    return aware.astimezone(dt.UTC), local


def message_format(message: Mapping[str, Any], text: str) -> PostFormat:
    """Photo, video, other media, a text with links, or plain text."""
    mime = str(message.get("mime_type") or "")
    if "photo" in message or mime.startswith("image/"):
        return PostFormat.IMAGE
    if str(message.get("media_type")) in VIDEO_MEDIA or mime.startswith("video/"):
        return PostFormat.VIDEO
    if any(key in message for key in OTHER_CONTENT):
        return PostFormat.OTHER
    if links(message):
        return PostFormat.LINK
    return PostFormat.TEXT if text else PostFormat.OTHER


def media(message: Mapping[str, Any]) -> list[str]:
    """Relative paths of the exported photo or file (not placeholders like "(File not included...)")."""
    found = [message.get(key) for key in ("photo", "file")]
    return [path for path in found if isinstance(path, str) and path and not path.startswith("(")]


def reactions(message: Mapping[str, Any]) -> dict[str, int] | None:
    """Reaction counts by emoji; custom emoji as ``custom_emoji:{document_id}``, paid stars as ``paid``."""
    found: dict[str, int] = {}
    listed = message.get("reactions")
    for reaction in listed if isinstance(listed, list) else []:  # a hand-edited file may hold anything
        if not isinstance(reaction, Mapping):
            continue
        kind, count = reaction.get("type"), reaction.get("count")
        key = {"emoji": reaction.get("emoji"), "paid": "paid",
               "custom_emoji": f"custom_emoji:{reaction.get('document_id')}"}.get(str(kind))  # fmt: skip
        # bool is an int to Python: "count": true is no count.
        if isinstance(key, str) and type(count) is int and 0 <= count <= MAX_COUNT:
            found[key] = min(found.get(key, 0) + count, MAX_COUNT)
    return found or None


def _count(value: Any) -> int | None:
    """A count of zero or more the store can hold; None for anything else."""
    if isinstance(value, str) and value.isascii() and value.isdigit():  # "²".isdigit(), but int() refuses it
        value = int(value)
    is_count = isinstance(value, int) and not isinstance(value, bool)
    return value if is_count and 0 <= value <= MAX_COUNT else None


def counts(message: Mapping[str, Any], taken_at: dt.datetime) -> PostCounts | None:
    """Reactions, and views where a tool other than Telegram Desktop added them; None if neither."""
    by_type, views = reactions(message), _count(message.get("views"))
    if by_type is None and views is None:
        return None
    return PostCounts(taken_at=taken_at, reactions=by_type, views=views)


#: The keys naming where a forwarded message came from: a channel's, or a private person's.
FORWARDED = ("forwarded_from", "forwarded_from_id")


def forwarded_from_channel(message: Mapping[str, Any]) -> bool:
    """Whether a forwarded message names a channel as its origin (``forwarded_from_id`` is
    ``channel...``), not a person (``user...``) nor an origin the export does not say."""
    origin = message.get("forwarded_from_id")
    return isinstance(origin, str) and origin.startswith("channel")


def forwarding(message: Mapping[str, Any]) -> dict[str, Any]:
    """Where a forwarded message came from, as kept: a channel's name (``forwarded_from``), or only
    the kind of origin (``forwarded_from_kind``: ``user``, or ``unknown`` in exports without
    ``forwarded_from_id``). A channel that forwards a citizen's message names that citizen, who is
    no account of the registry: their name and Telegram id are never stored (docs/privacy.md)."""
    if message.get("forwarded_from") is None and message.get("forwarded_from_id") is None:
        return {}
    if forwarded_from_channel(message):
        return {"forwarded_from": message.get("forwarded_from"), "forwarded_from_kind": "channel"}
    origin = message.get("forwarded_from_id")
    return {
        "forwarded_from_kind": "user" if isinstance(origin, str) and origin.startswith("user") else "unknown"
    }


def extra(message: Mapping[str, Any]) -> dict[str, Any]:
    """Forwarding (``forwarding``), reply, edit time and media details, when present."""
    found = forwarding(message) | {
        key: message.get(key)
        for key in ("reply_to_message_id", "media_type", "mime_type", "duration_seconds")
    }
    edited = message.get("edited_unixtime")
    if isinstance(edited, str) and edited.isascii() and edited.isdigit():  # "²".isdigit() too
        # Absent, or not a time: the edit time is a detail, not a reason to refuse the message.
        with contextlib.suppress(ValueError, OverflowError, OSError):
            found["edited_at"] = dt.datetime.fromtimestamp(int(edited), dt.UTC).isoformat()
    return {key: value for key, value in found.items() if _plain(value)}


def _plain(value: Any) -> bool:
    """A string or a finite number: what these fields hold in an export, and what a JSON column
    stores on every backend (PostgreSQL refuses ``Infinity``, which ``json`` reads from ``1e999``)."""
    return isinstance(value, str | int) or (isinstance(value, float) and math.isfinite(value))


def post_url(chat: _Chat, message_id: str) -> str | None:
    """``https://t.me/{username}/{id}`` for a public channel whose username the import was given."""
    match = _USERNAME.fullmatch(chat.account_ref)
    if chat.kind != "public_channel" or match is None:
        return None
    return f"https://t.me/{match.group(1)}/{message_id}"


def message_post(message: Any, chat: _Chat, zone: ZoneInfo, taken_at: dt.datetime) -> PostRecord | None:
    """The post a message is; None for a service message; ``_BadMessage`` when it cannot be read."""
    if not isinstance(message, Mapping):
        raise _BadMessage(f"not a message object but a {type(message).__name__}")
    kind = message.get("type")
    if kind == "service":
        return None
    if kind != "message":
        raise _BadMessage(f"Telegram Desktop could not export this message (type {kind!r})")
    ident = message.get("id")
    # type(), not isinstance(): bool is an int to Python, and "id": true would become post "True".
    if type(ident) is not int or ident < 1:
        raise _BadMessage(f"message id {ident!r} is not a positive whole number" if "id" in message
                          else "message has no id")  # fmt: skip
    post_id = str(ident)
    created_at, raw_time = message_time(message, zone)
    text = flatten_text(message.get("text", ""))
    found_links = links(message)
    return PostRecord(
        platform=PLATFORM,
        post_id=post_id,
        account_ref=chat.account_ref,
        created_at=created_at,
        created_at_raw=raw_time,
        format=message_format(message, text),
        text=text.strip() or None,
        url=post_url(chat, post_id),
        link=found_links[0] if found_links else None,
        media=media(message),
        counts=counts(message, taken_at),
        extra=extra(message),
    )


def _account_ref(chat: Mapping[str, Any], where: str, context: ImportContext) -> str:
    """The account the import names (``--account``), else the channel's id, else its name."""
    if context.account_ref:
        return context.account_ref
    for key in ("id", "name"):
        if isinstance(chat.get(key), str | int) and chat[key] != "":
            return str(chat[key])
    raise ImportFileError(f"{where}: the export names no channel (no id or name); pass --account")


def _chat(data: Mapping[str, Any], where: str, context: ImportContext) -> _Chat:
    if not isinstance(data.get("messages"), list):
        raise ImportFileError(f"{where}: no list of messages")
    return _Chat(where, str(data.get("type", "")), _account_ref(data, where, context), data["messages"])


def _is_channel(chat: Any) -> bool:
    """Whether ``chat`` is a channel's export (an object whose ``type`` is a channel type)."""
    # "type" may be any JSON in a hand-edited file: a list is not hashable, so no ``in CHANNEL_TYPES``.
    return isinstance(chat, Mapping) and isinstance(chat.get("type"), str) and chat["type"] in CHANNEL_TYPES


def _listed(data: Any) -> list[Any] | None:
    """``chats.list`` of a full-account export; None when the file has no such list."""
    found = data.get("chats") if isinstance(data, Mapping) else None
    listed = found.get("list") if isinstance(found, Mapping) else None
    return listed if isinstance(listed, list) else None


def chats(data: Any, name: str, context: ImportContext) -> list[_Chat]:
    """The channels in a single-chat or full-account export; ``ImportFileError`` when there are none."""
    if isinstance(data, Mapping) and "messages" in data:
        if not _is_channel(data):
            raise ImportFileError(
                f"{name}: an export of a {data.get('type')!r} chat; only channel exports are imported"
            )
        return [_chat(data, name, context)]
    listed = _listed(data)
    if listed is None:
        raise ImportFileError(f"{name}: not a Telegram Desktop JSON export (no messages, no chats.list)")
    found = [_chat(chat, f"{name}, chats.list[{index}]", context)
             for index, chat in enumerate(listed) if _is_channel(chat)]  # fmt: skip
    if not found:
        raise ImportFileError(f"{name}: the export holds no channel")
    return found


def _without_reactors(message: Any) -> Any:
    """The message as stored raw: without the ``recent`` reactors, who are private people, nor
    the person a message was forwarded from (``forwarding``)."""
    if not isinstance(message, Mapping):
        return message
    if not forwarded_from_channel(message):
        message = {k: v for k, v in message.items() if k not in FORWARDED}
    if not isinstance(message.get("reactions"), list):
        return message
    kept = [{k: v for k, v in r.items() if k != "recent"} if isinstance(r, Mapping) else r
            for r in message["reactions"]]  # fmt: skip
    return {**message, "reactions": kept}


def _shown(message: Any) -> str:
    """The message as JSON text, as kept raw (without reactors). ``json`` nests by recursion: a
    message it could read near its depth limit may be too deep to write again from here."""
    try:
        return json.dumps(_without_reactors(message), ensure_ascii=False)
    except RecursionError:
        return json.dumps(TOO_DEEP)


def _batch(chat: _Chat, start: int, chunk: list[Any], context: ImportContext, taken_at: dt.datetime) -> Batch:
    posts: list[PostRecord] = []
    bad: list[BadRecord] = []
    located: dict[str, str] = {}  # where each post is, should its channel not be in the registry
    shown = [_shown(message) for message in chunk]
    zone = context.zone(PLATFORM, chat.account_ref)  # the channel's, unless --timezone
    for index, message in enumerate(chunk, start):
        try:
            post = message_post(message, chat, zone, taken_at)
        except (_BadMessage, TypeError, ValueError, KeyError, OverflowError) as exc:
            # A hand-edited export can hold any JSON where a field belongs: a shape the readers
            # above do not expect quarantines that message, never the import.
            kind = "" if isinstance(exc, _BadMessage) else f"unreadable message: {type(exc).__name__}: "
            reason = f"{kind}{exc}"
            bad.append(BadRecord(source=SOURCE, location=f"{chat.where}, messages[{index}]",
                                 reason=reason, content=shown[index - start]))  # fmt: skip
        else:
            if post is not None:
                posts.append(post)
                located.setdefault(post.post_id, f"{chat.where}, messages[{index}]")
    body = "[" + ", ".join(shown) + "]"  # what json.dumps of the list writes, each message once
    location = f"{chat.where}, messages[{start}..{start + len(chunk) - 1}]"
    raw = RawPayload(source=SOURCE, location=location, fetched_at=taken_at, body=body)
    return Batch(edge="posts", raw=raw, posts=posts, bad=bad, post_locations=located)


class TelegramImporter(Importer):
    """Telegram Desktop machine-readable JSON export of a channel."""

    format = "telegram"
    description = "Telegram Desktop JSON export (result.json) of a channel: posts and reactions"

    @classmethod
    def sniff(cls, name: str, head: str) -> bool:
        return name.lower().endswith(".json") and _SNIFF.search(head) is not None

    def read(self, path: Path, context: ImportContext) -> Iterator[Batch]:
        try:
            data = json.loads(decode_file(path))
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{path.name}: not JSON ({exc.msg} at line {exc.lineno})") from None
        except RecursionError:
            raise ImportFileError(
                f"{path.name}: JSON nested too deeply to read (a Telegram export is a few levels deep)"
            ) from None
        taken_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        for chat in chats(data, path.name, context):
            size = max(context.batch_size, 1)
            for start in range(0, len(chat.messages), size):
                yield _batch(chat, start, chat.messages[start : start + size], context, taken_at)


@hookimpl
def govsocial_importers() -> list[type[Importer]]:
    """The Telegram Desktop importer."""
    return [TelegramImporter]
