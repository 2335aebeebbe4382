"""Telegram Desktop JSON import: message mapping, local times, reactions, bad items, batching.

The fixture ``tests/fixtures/payloads/telegram/channel_result.json`` is hand-written from the
documented export shape (see its ``.source.txt``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from govsocial.collect.imports import telegram
from govsocial.collect.imports.base import ImportContext
from govsocial.collect.imports.telegram import TelegramImporter
from govsocial.collect.records import Batch, PostFormat, PostRecord
from govsocial.errors import ImportFileError

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "telegram" / "channel_result.json"
HONG_KONG = ZoneInfo("Asia/Hong_Kong")


def read(path: Path, **context: Any) -> list[Batch]:
    return list(TelegramImporter().read(path, ImportContext(timezone=HONG_KONG, **context)))


def posts(batches: list[Batch]) -> dict[str, PostRecord]:
    return {post.post_id: post for batch in batches for post in batch.posts}


def write(tmp_path: Path, data: Any, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_every_message_field_is_mapped() -> None:
    batches = read(FIXTURE)
    found = posts(batches)
    assert sorted(found, key=int) == ["2", "3", "4", "5", "8"]  # 1 is a service message: skipped
    photo = found["2"]
    assert photo.platform == "telegram" and photo.account_ref == "1234567890"
    assert photo.created_at == dt.datetime(2024, 10, 1, 2, 30, tzinfo=dt.UTC)
    assert photo.created_at_raw == "2024-10-01T10:30:00"
    assert photo.format is PostFormat.IMAGE and photo.text == "National Day reception held this morning."
    assert photo.media == ["photos/photo_1@01-10-2024_10-30-00.jpg"]
    assert photo.counts is not None and photo.counts.views is None
    assert photo.counts.reactions == {"👍": 11, "❤": 3, "custom_emoji:5368324170671202286": 2, "paid": 5}
    assert photo.counts.taken_at == dt.datetime.fromtimestamp(FIXTURE.stat().st_mtime, dt.UTC)
    assert photo.url is None  # the export does not give the channel's username
    rich = found["3"]
    assert rich.text == "Typhoon signal No. 8 will be issued at 9 pm. Details: weather warnings #typhoon"
    assert rich.format is PostFormat.LINK and rich.link == "https://www.example.gov.hk/warnings"
    assert rich.extra == {"edited_at": "2024-10-02T10:20:00+00:00"} and rich.counts is None
    video = found["4"]
    assert video.format is PostFormat.VIDEO and video.text == "颱風簡報"
    assert video.counts is not None and video.counts.views == 5321 and video.counts.reactions is None
    assert video.media == ["video_files/typhoon_briefing.mp4"]
    # Forwarded from an origin this (older) export does not name the kind of: no name kept.
    assert video.extra == {"forwarded_from_kind": "unknown", "media_type": "video_file",
                           "mime_type": "video/mp4", "duration_seconds": 95}  # fmt: skip
    voice = found["5"]
    # No date_unixtime: the local "date" is read in the import's zone (Hong Kong, UTC+8).
    assert voice.created_at == dt.datetime(2024, 10, 4, 4, 0, tzinfo=dt.UTC)
    assert voice.format is PostFormat.OTHER and voice.text is None and voice.media == []
    reply = found["8"]
    assert reply.link == "https://www.example.gov.hk/news" and reply.extra == {"reply_to_message_id": 3}


def test_unreadable_items_are_bad_records_with_their_index() -> None:
    bad = [record for batch in read(FIXTURE) for record in batch.bad]
    assert [record.location for record in bad] == [
        "channel_result.json, messages[5]",
        "channel_result.json, messages[6]",
        "channel_result.json, messages[8]",
    ]
    assert "could not export this message (type 'unsupported')" in bad[0].reason
    assert "date_unixtime 'not-a-time'" in bad[1].reason and '"id": 7' in bad[1].content
    assert "not a message object" in bad[2].reason
    assert all(record.source == "import:telegram" for record in bad)


def test_batches_follow_the_batch_size_and_keep_their_raw_messages() -> None:
    batches = read(FIXTURE, batch_size=4)
    assert [len(batch.posts) + len(batch.bad) for batch in batches] == [3, 4, 1]
    assert batches[0].raw is not None and batches[0].raw.location == "channel_result.json, messages[0..3]"
    assert [m["id"] for m in json.loads(batches[1].raw.body if batches[1].raw else "[]")[:3]] == [5, 6, 7]
    assert all(batch.edge == "posts" for batch in batches)


def test_the_account_given_to_the_import_wins_and_gives_post_urls(tmp_path: Path) -> None:
    found = posts(read(FIXTURE, account_ref="https://t.me/examplegovnews"))
    assert found["2"].account_ref == "https://t.me/examplegovnews"
    assert found["2"].url == "https://t.me/examplegovnews/2"
    assert posts(read(FIXTURE, account_ref="@examplegovnews"))["3"].url == "https://t.me/examplegovnews/3"


def test_reactors_are_not_kept_in_the_raw_payload(tmp_path: Path) -> None:
    recent = [{"from": "Citizen 1", "from_id": "user42", "date": "2024-10-01T10:31:00"}]
    reaction = {"type": "emoji", "count": 1, "emoji": "👍", "recent": recent}
    message = {
        "id": 9,
        "type": "message",
        "date_unixtime": "1727749800",
        "text": "x",
        "reactions": [reaction],
    }
    path = write(tmp_path, {"name": "C", "type": "public_channel", "id": 1, "messages": [message]})
    [batch] = read(path)
    assert batch.raw is not None and "Citizen 1" not in batch.raw.body and "user42" not in batch.raw.body
    assert batch.posts[0].counts is not None and batch.posts[0].counts.reactions == {"👍": 1}


@pytest.mark.parametrize(
    ("origin", "kept"),
    [
        ("channel1000000001", {"forwarded_from": "Example Observatory", "forwarded_from_kind": "channel"}),
        ("user42", {"forwarded_from_kind": "user"}),
        (None, {"forwarded_from_kind": "unknown"}),
    ],
)
def test_a_forwarded_message_keeps_a_channels_name_and_never_a_persons(
    tmp_path: Path, origin: str | None, kept: dict[str, str]
) -> None:
    """A channel forwarding a citizen's message names them (``forwarded_from``, and their Telegram id
    in ``forwarded_from_id``): neither is stored, in the post nor in its raw payload; a channel's
    name is."""
    name = "Example Observatory" if origin != "user42" else "陳大文"
    message = {"id": 9, "type": "message", "date_unixtime": "1727749800", "text": "x", "forwarded_from": name}
    if origin is not None:
        message["forwarded_from_id"] = origin
    path = write(tmp_path, {"name": "C", "type": "public_channel", "id": 1, "messages": [message]})
    [batch] = read(path)
    assert batch.posts[0].extra == kept
    assert batch.raw is not None
    assert (name in batch.raw.body) is (origin is not None and origin.startswith("channel"))
    assert ("user42" in batch.raw.body) is False


def test_a_full_account_export_yields_only_its_channels(tmp_path: Path) -> None:
    data = {
        "personal_information": {"first_name": "Officer"},
        "chats": {"list": [
            {"name": "Friend", "type": "personal_chat", "id": 5, "messages": [
                {"id": 1, "type": "message", "date_unixtime": "1727749800", "text": "private"}]},
            {"name": "Gov", "type": "public_channel", "id": 77, "messages": [
                {"id": 3, "type": "message", "date_unixtime": "1727749800", "text": "public"},
                {"id": 4, "type": "message", "text": "no time"}]},
        ]},
    }  # fmt: skip
    batches = read(write(tmp_path, data))
    [post] = [post for batch in batches for post in batch.posts]
    assert (post.account_ref, post.text) == ("77", "public")
    [bad] = [record for batch in batches for record in batch.bad]
    assert (
        bad.location == "result.json, chats.list[1], messages[1]"
        and "no date_unixtime and no date" in bad.reason
    )
    assert all("private" not in (batch.raw.body if batch.raw else "") for batch in batches)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Friend", "type": "personal_chat", "id": 5, "messages": []}, "only channel exports"),
        ({"chats": {"list": [{"type": "personal_chat", "messages": []}]}}, "holds no channel"),
        ({"something": "else"}, "not a Telegram Desktop JSON export"),
        ({"type": "public_channel", "messages": []}, "names no channel"),
    ],
)
def test_files_that_are_no_channel_export_are_refused(tmp_path: Path, data: Any, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read(write(tmp_path, data))


def test_broken_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "C", "type": "public_channel", "messages": [', encoding="utf-8")
    with pytest.raises(ImportFileError, match="not JSON"):
        read(path)


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    shutil.copy(FIXTURE, path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(posts(read(path))) == 5


def test_sniff() -> None:
    head = FIXTURE.read_text(encoding="utf-8")[:4096]
    assert TelegramImporter.sniff("result.json", head)
    assert TelegramImporter.sniff("result.json", '{\n "about": "x",\n "personal_information": {')
    assert not TelegramImporter.sniff("result.csv", head)
    assert not TelegramImporter.sniff("data.json", '{"type": "personal_chat", "messages": []}')


def test_text_flattening_and_the_plugin() -> None:
    assert telegram.flatten_text(["a ", {"type": "bold", "text": "b"}]) == "a b"
    with pytest.raises(ValueError, match="entity with text"):
        telegram.flatten_text(["a", {"type": "bold"}])
    assert telegram.govsocial_importers() == [TelegramImporter]
