"""Chinese files that are not UTF-8: Big5-HKSCS (Hong Kong systems) reads as it always did,
GB18030/GBK (mainland Chinese Excel) reads as what it says instead of as garbled Big5, and a file
that is neither is refused naming itself, the encodings tried and how to save it as UTF-8."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govsocial.collect.imports.base import ImportContext, decode_file
from govsocial.collect.imports.generic import GenericCsvImporter
from govsocial.collect.records import PostRecord
from govsocial.encodings import decode
from govsocial.errors import ImportFileError

HEADER = "platform,account,post_id,created_at,text,likes"
#: Simplified Chinese whose GBK bytes are also valid Big5-HKSCS: before, they were stored as
#: Big5 nonsense ("香港特别行政区…" as "眅誠杻梗…") without a word.
SIMPLIFIED = [
    "香港特别行政区政府新闻公报",
    "政府发布最新消息，欢迎关注",
    "政府呼吁市民注意天气，天文台发出黄色暴雨警告",
]
#: Traditional Chinese, Cantonese and HKSCS characters (𨋢, 噉) as Hong Kong systems write them.
TRADITIONAL = [
    "香港特別行政區政府新聞公報",
    "食物安全中心【食物安全】夏日炎炎，外出用膳要小心。",
    "衞生署：新型冠狀病毒",
    "佢哋今日嚟咗香港，冇問題嘅",
    "𨋢 噉 維修",
    "點樣安全解凍食物？",
]


def _file(tmp_path: Path, text: str, encoding: str) -> Path:
    path = tmp_path / "posts.csv"
    path.write_bytes(f"{HEADER}\nfacebook,examplegovhk,p1,2026-05-06 10:00,{text},3\n".encode(encoding))
    return path


def _posts(path: Path) -> list[PostRecord]:
    context = ImportContext(timezone=ZoneInfo("Asia/Hong_Kong"))
    return [post for batch in GenericCsvImporter().read(path, context) for post in batch.posts]


@pytest.mark.parametrize("text", SIMPLIFIED)
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_gbk_file_is_read_as_what_it_says(tmp_path: Path, text: str, encoding: str) -> None:
    raw = _file(tmp_path, text, encoding).read_bytes()
    raw.decode("big5hkscs")  # the trap: these bytes are valid Big5-HKSCS too
    assert [post.text for post in _posts(tmp_path / "posts.csv")] == [text]


@pytest.mark.parametrize("text", TRADITIONAL)
def test_big5_hkscs_files_read_as_before(tmp_path: Path, text: str) -> None:
    path = _file(tmp_path, text, "big5hkscs")
    assert decode_file(path) == path.read_bytes().decode("big5hkscs")
    assert [post.text for post in _posts(path)] == [text]


def test_traditional_text_saved_as_gbk_is_read(tmp_path: Path) -> None:
    # Mainland Excel saves traditional text in GBK too: its characters are the frequent Big5 ones.
    text = "食物回收：某批次急凍蝦，政府呼籲市民注意天氣"
    assert [post.text for post in _posts(_file(tmp_path, text, "gbk"))] == [text]


def test_a_file_neither_reads_as_is_refused_with_what_to_do(tmp_path: Path) -> None:
    # Cantonese in GBK: not Big5-HKSCS at all, and too rare in GBK's frequent characters to trust.
    path = _file(tmp_path, "佢哋今日嚟咗，冇嘢嘅", "gbk")
    with pytest.raises(ImportFileError) as refused:
        decode_file(path)
    message = str(refused.value)
    assert str(path) in message
    for named in ("UTF-8", "UTF-16", "Big5-HKSCS", "GB18030/GBK", "save it as UTF-8"):
        assert named in message


def test_bytes_no_encoding_reads_are_refused() -> None:
    refused = r"^x\.csv: not UTF-8, UTF-16 or Big5-HKSCS text \(first bad byte at offset 2\)"
    with pytest.raises(ImportFileError, match=refused):
        decode(b"ab\xff\x80\xff", "x.csv")
