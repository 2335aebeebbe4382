"""Generic CSV import: the three layouts, encodings, delimiters, bad rows kept apart from good ones.

Example files are in ``tests/fixtures/payloads/generic/`` (the layouts of
``docs/collectors.md, Generic CSV``); the encodings are made from them here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from govsocial.collect.imports import generic
from govsocial.collect.imports.base import ImportContext
from govsocial.collect.imports.generic import GenericCsvImporter
from govsocial.collect.records import BadRecord, Batch, CommentRecord, PostFormat, PostRecord, ProfileRecord
from govsocial.errors import ImportFileError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "generic"
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
POSTS_HEADER = (FIXTURES / "posts.csv").read_text(encoding="utf-8").splitlines()[0]


def read(path: Path, **context: Any) -> list[Batch]:
    return list(GenericCsvImporter().read(path, ImportContext(timezone=HONG_KONG, **context)))


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def posts(batches: list[Batch]) -> list[PostRecord]:
    return [post for batch in batches for post in batch.posts]


def bad(batches: list[Batch]) -> list[BadRecord]:
    return [record for batch in batches for record in batch.bad]


def post_row(ident: str = "p1", **cells: str) -> str:
    """A posts-layout line with post id ``ident`` and the given cells (the rest empty)."""
    values = {
        "platform": "facebook",
        "account": "examplegovhk",
        "post_id": ident,
        "created_at": "2024-05-01 14:30",
    }
    values.update(cells)
    return ",".join(values.get(name, "") for name in POSTS_HEADER.split(","))


# --- the three layouts -------------------------------------------------------------------------


def test_every_column_of_the_posts_layout_is_mapped() -> None:
    path = FIXTURES / "posts.csv"
    batches = read(path)
    assert bad(batches) == []
    image, chinese, tweet, video = posts(batches)
    assert (image.platform, image.account_ref, image.post_id) == (
        "facebook",
        "https://www.facebook.com/examplegovhk",
        "123456789_1001",
    )
    assert image.created_at == dt.datetime(2024, 5, 1, 6, 30, tzinfo=dt.UTC)  # 14:30 in Hong Kong
    assert image.created_at_raw == "2024-05-01 14:30"
    assert (
        image.format is PostFormat.IMAGE
        and image.text == 'Lantau trail reopens, with new "way-finding" signs.'
    )
    assert image.url == "https://www.facebook.com/examplegovhk/posts/1001" and image.link is None
    assert image.followers_at_posting == 250000
    counts = image.counts
    assert counts is not None and counts.taken_at == dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    assert (counts.likes, counts.comments, counts.shares, counts.views) == (1200, 35, 12, None)
    assert counts.reactions == {
        "like": 1100,
        "love": 80,
        "haha": 3,
        "wow": 10,
        "sad": 2,
        "angry": 1,
        "care": 4,
    }
    assert chinese.text == "政府今日公布新措施。\n詳情請瀏覽網頁。"
    assert chinese.created_at == dt.datetime(2024, 5, 2, 1, 0, tzinfo=dt.UTC)
    assert chinese.link == "https://www.example.gov.hk/news/1002" and chinese.format is PostFormat.LINK
    assert chinese.counts is not None and chinese.counts.likes == 1234 and chinese.counts.comments is None
    assert chinese.counts.reactions is None and chinese.followers_at_posting is None
    assert (
        tweet.created_at == dt.datetime(2024, 5, 2, 1, 5, tzinfo=dt.UTC)
        and tweet.account_ref == "@examplegovhk"
    )
    assert tweet.counts is not None and tweet.counts.views == 15000
    assert video.format is PostFormat.VIDEO and video.platform == "youtube"
    [batch] = batches
    assert batch.edge == "posts" and batch.raw is not None
    assert batch.raw.location == "posts.csv, lines 2-6" and batch.raw.source == "import:generic"


def test_the_comments_layout() -> None:
    batches = read(FIXTURES / "comments.csv")
    comments: list[CommentRecord] = [comment for batch in batches for comment in batch.comments]
    question, reply, thanks = comments
    assert (question.platform, question.post_id, question.comment_id, question.parent_id) == (
        "facebook",
        "123456789_1001",
        "1001_1",
        None,
    )
    assert question.created_at == dt.datetime(2024, 5, 1, 7, 0, tzinfo=dt.UTC)
    assert question.author_id == "10001" and not question.is_page_reply and question.likes == 4
    assert (
        reply.parent_id == "1001_1"
        and reply.is_page_reply
        and reply.text == "It is open every day, 7 am to 7 pm."
    )
    assert thanks.author_id == "Citizen 2" and thanks.likes is None and thanks.text == "多謝！"
    assert [batch.edge for batch in batches] == ["comments"] and bad(batches) == []


def test_the_followers_layout_gives_one_snapshot_per_batch() -> None:
    batches = read(FIXTURES / "followers.csv")
    profiles: list[ProfileRecord] = [batch.profile for batch in batches if batch.profile]
    assert [(p.platform, p.account_ref, p.followers) for p in profiles] == [
        ("facebook", "https://www.facebook.com/examplegovhk", 250000),
        ("facebook", "https://www.facebook.com/examplegovhk", 250310),
        ("x", "@examplegovhk", 88000),
        ("x", "@examplegovhk", None),  # an empty count is unknown, not 0
    ]
    assert profiles[0].taken_at == dt.datetime(
        2024, 4, 30, 16, 0, tzinfo=dt.UTC
    )  # the day starts in Hong Kong
    assert profiles[2].taken_at == dt.datetime(2024, 5, 2, 15, 59, tzinfo=dt.UTC)
    assert all(batch.edge == "profile" for batch in batches)
    assert batches[0].raw is not None and all(batch.raw is None for batch in batches[1:])


# --- encodings and delimiters ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "big5hkscs"])
def test_encodings_are_read(tmp_path: Path, encoding: str) -> None:
    text = (FIXTURES / "posts.csv").read_text(encoding="utf-8")
    batches = read(write(tmp_path, text, encoding))
    assert [post.post_id for post in posts(batches)][:2] == ["123456789_1001", "123456789_1002"]
    assert posts(batches)[1].text == "政府今日公布新措施。\n詳情請瀏覽網頁。"
    assert bad(batches) == []


def test_big5_hkscs_characters_survive(tmp_path: Path) -> None:
    # 𨋢 (lift) and 噉 are HKSCS characters, absent from plain Big5.
    path = write(tmp_path, POSTS_HEADER + "\n" + post_row(text="𨋢 噉 維修") + "\n", "big5hkscs")
    assert posts(read(path))[0].text == "𨋢 噉 維修"


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_separated_files(tmp_path: Path, delimiter: str) -> None:
    text = f"platform{delimiter}account{delimiter}date{delimiter}followers\r\n"
    text += delimiter.join(["facebook", "examplegovhk", "2024-05-01", "1,000"]) + "\r\n"
    [batch] = read(write(tmp_path, text, "utf-16", name="followers.txt"))
    assert batch.profile is not None and batch.profile.followers == 1000


def test_header_names_ignore_case_spaces_and_order(tmp_path: Path) -> None:
    text = "Created At,Post ID,Platform,Account,Likes\n2024-05-01 10:00,9,Facebook,examplegovhk,3\n"
    [post] = posts(read(write(tmp_path, text)))
    assert (post.post_id, post.platform, post.counts.likes if post.counts else None) == ("9", "facebook", 3)


# --- bad rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (
            {"created_at": "2024-13-01 10:00"},
            "created_at: '2024-13-01 10:00' is not an ISO 8601 date and time",
        ),
        ({"created_at": "05/01/2024 10:00"}, "is not an ISO 8601 date and time"),
        ({"created_at": "2024-05-01"}, "is not an ISO 8601 date and time"),
        ({"created_at": ""}, "created_at is empty"),
        ({"created_at": "1985-01-01 10:00"}, "created_at: 1985-01-01T02:00:00+00:00 is not a plausible time"),
        ({"created_at": "2099-01-01 10:00"}, "created_at: 2099-01-01T02:00:00+00:00 is not a plausible time"),
        ({"post_id": ""}, "post_id is empty"),
        ({"likes": "-3"}, "likes: -3 is negative"),
        ({"views": "12.5"}, "views: '12.5' is not a whole number"),
        ({"reactions_love": "many"}, "reactions_love: 'many' is not a whole number"),
        ({"format": "carousel"}, "format: 'carousel' is not one of text, image, video, link, live, other"),
        ({"platform": "X (Twitter)"}, "platform: 'x (twitter)' is not a platform key"),
        ({"platform": ""}, "platform is empty and the import was given no --platform"),
        ({"account": ""}, "account is empty and the import was given no --account"),
        ({"url": "www.example.com/p/1"}, "url: 'www.example.com/p/1' is not an http(s) URL"),
    ],
)
def test_each_bad_cell_makes_a_bad_row_and_the_good_rows_around_it_are_kept(
    tmp_path: Path, cells: dict[str, str], reason: str
) -> None:
    lines = [POSTS_HEADER, post_row("before"), post_row("bad", **cells), post_row("after")]
    batches = read(write(tmp_path, "\n".join(lines) + "\n"))
    assert [post.post_id for post in posts(batches)] == ["before", "after"]
    [record] = bad(batches)
    assert record.location == "data.csv, line 3" and reason in record.reason
    assert record.content == lines[2] and record.source == "import:generic"


def test_an_unterminated_quote_loses_only_its_own_line(tmp_path: Path) -> None:
    lines = [
        POSTS_HEADER,
        post_row("one"),
        post_row("broken", text='"This quote is never closed'),
        post_row("two"),
        post_row("three", text='"a caption, with a comma"'),
    ]
    batches = read(write(tmp_path, "\n".join(lines) + "\n"))
    assert [post.post_id for post in posts(batches)] == ["one", "two", "three"]
    assert posts(batches)[2].text == "a caption, with a comma"
    [record] = bad(batches)
    assert record.location == "data.csv, line 3" and "quot" in record.reason
    assert record.content == lines[2]


def test_a_quote_opened_on_the_last_line(tmp_path: Path) -> None:
    lines = [POSTS_HEADER, post_row("one"), post_row("broken", text='"never closed')]
    batches = read(write(tmp_path, "\n".join(lines)))
    assert [post.post_id for post in posts(batches)] == ["one"]
    assert [record.location for record in bad(batches)] == ["data.csv, line 3"]


def test_rows_with_too_many_or_too_few_fields(tmp_path: Path) -> None:
    text = "platform,account,date,followers\nfacebook,a,2024-05-01,1\n"
    text += "facebook,a,2024-05-02\nfacebook,a,2024-05-03,3,x\n"
    batches = read(write(tmp_path, text))
    assert [batch.profile.followers for batch in batches if batch.profile] == [1]
    assert [(r.location, r.reason) for r in bad(batches)] == [
        ("data.csv, line 3", "3 fields where the header has 4"),
        ("data.csv, line 4", "5 fields where the header has 4"),
    ]


def test_comment_and_follower_bad_cells(tmp_path: Path) -> None:
    text = (
        "platform,post_id,comment_id,created_at,is_page_reply,likes\n"
        "facebook,p1,c1,2024-05-01 10:00,maybe,1\n"
        "facebook,p1,,2024-05-01 10:00,,\n"
        "facebook,p1,c3,2024-05-01 10:00,,\n"
    )
    batches = read(write(tmp_path, text))
    assert [comment.comment_id for batch in batches for comment in batch.comments] == ["c3"]
    assert [r.reason for r in bad(batches)] == [
        "is_page_reply: 'maybe' is not true or false",
        "comment_id is empty",
    ]
    followers = "platform,account,date,followers\nfacebook,a,May 1 2024,5\nfacebook,a,2024-05-02,-5\n"
    reasons = [r.reason for r in bad(read(write(tmp_path, followers, name="f.csv")))]
    assert reasons[0] == "date: 'May 1 2024' is not an ISO 8601 date (e.g. 2024-05-01)"
    assert reasons[1].startswith("followers: -5 is negative")


# --- context, batching, headers ----------------------------------------------------------------


def test_platform_and_account_may_come_from_the_import(tmp_path: Path) -> None:
    text = "post_id,created_at,counted_at,likes\np1,2024-05-01T10:00:00+00:00,2024-06-01 12:00,7\n"
    [post] = posts(read(write(tmp_path, text), platform="weibo", account_ref="https://weibo.com/u/1"))
    assert (post.platform, post.account_ref) == ("weibo", "https://weibo.com/u/1")
    assert post.counts is not None and post.counts.taken_at == dt.datetime(2024, 6, 1, 4, 0, tzinfo=dt.UTC)
    late = write(tmp_path, text + "p2,2024-05-01 10:00,yesterday,1\n", name="late.csv")
    [record] = bad(read(late, platform="weibo", account_ref="a"))
    assert record.reason.startswith("counted_at: 'yesterday' is not an ISO 8601 date and time")
    with pytest.raises(ImportFileError, match="no platform column; add one or pass --platform"):
        read(write(tmp_path, text))
    with pytest.raises(ImportFileError, match="no account column"):
        read(write(tmp_path, text), platform="weibo")


def test_batches_hold_batch_size_rows_good_or_bad(tmp_path: Path) -> None:
    rows = [post_row(f"p{n}") for n in range(5)] + [post_row("x", likes="-1")] + [post_row("p6")]
    batches = read(write(tmp_path, "\n".join([POSTS_HEADER, *rows]) + "\n"), batch_size=3)
    assert [(len(batch.posts), len(batch.bad)) for batch in batches] == [(3, 0), (2, 1), (1, 0)]
    assert [batch.raw.location for batch in batches if batch.raw] == [
        "data.csv, lines 2-4",
        "data.csv, lines 5-7",
        "data.csv, lines 8-8",
    ]
    assert batches[1].raw is not None and batches[1].raw.body.startswith(POSTS_HEADER + "\n")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("platform,account,post_id,created_at,like", "unknown columns for the posts layout: like"),
        ("platform,account,post_id,text", "missing columns: created_at"),
        ("platform,account,post_id,created_at,post_id", "columns named twice: post_id"),
        ("Page Name,User Name,Facebook Id,Post Created", "not a generic CSV header"),
    ],
)
def test_headers_that_match_no_layout_are_refused(tmp_path: Path, header: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read(write(tmp_path, header + "\n"))


def test_blank_lines_and_an_empty_file(tmp_path: Path) -> None:
    assert read(write(tmp_path, "")) == []
    text = "\n" + POSTS_HEADER + "\n\n" + post_row("p1") + "\n\n"
    batches = read(write(tmp_path, text))
    assert [post.post_id for post in posts(batches)] == ["p1"] and bad(batches) == []


def test_sniff_and_the_plugin() -> None:
    for name in ("posts.csv", "comments.csv", "followers.csv"):
        assert GenericCsvImporter.sniff(name, (FIXTURES / name).read_text(encoding="utf-8"))
    assert GenericCsvImporter.sniff("f.tsv", "\ufeffplatform\taccount\tdate\tfollowers\n")
    assert not GenericCsvImporter.sniff("posts.json", POSTS_HEADER)
    assert not GenericCsvImporter.sniff("ct.csv", "Page Name,User Name,Facebook Id,Post Created,Type,URL\n")
    assert not GenericCsvImporter.sniff("mbs.csv", '"Post ID","Page ID","Page name",Title,"Publish time"\n')
    assert generic.govsocial_importers() == [GenericCsvImporter]
