"""Bad input to ``govsocial collect import``: a clear error naming what and where, and nothing good lost.

Each case goes through the command, as an operator runs it (``--no-metrics --json``), into a copy of
the registry store, and checks what is stored, what is quarantined (with its location), the exit
status and message, and that the run record is finished; importing the same file again stores
nothing new (the second run meets and counts the same bad rows, which stay one record each). The
cases are those a review found crashing the import, leaving its run ``running`` for ever,
swallowing rows after a broken quote, storing negative counts, keeping one of two columns of the
same name, keeping a commenter's id in clear in quarantine, or calling an empty file ``ok``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.collect.importing import import_activity
from govsocial.collect.imports.base import ImportContext, Importer
from govsocial.collect.imports.youtube_studio import YouTubeStudioImporter
from govsocial.collect.records import Batch, PostFormat, PostRecord
from govsocial.registry.catalogue import load_catalogue
from govsocial.registry.verify import resolver
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from tests.demo_store import KEY

HK = "Asia/Hong_Kong"
YOUTUBE = "UC7RQjGU3P6fPKoe74Vw2uXg"  # the Hong Kong Observatory's channel, in the bundled registry
TELEGRAM = "HKFIGHTCOVID19"
SECRET_AUTHOR = "CitizenSecretId888"

# Minimal files of each CSV format, with rows for facebook cfs.hk (or the channel above).
GENERIC = "platform,account,post_id,created_at,text,likes\n"
CROWDTANGLE = "Page Name,User Name,Facebook Id,Post Created,Type,URL,Message,Likes,Comments\n"
MBS = "Post ID,Page ID,Publish time,Title,Views\n"
STUDIO = "Content,Video title,Video publish time,Views,Likes,Subscribers\n"


def generic_row(ident: str, when: str = "2024-05-01 10:00", text: str = "hello", likes: str = "1") -> str:
    return f"facebook,cfs.hk,{ident},{when},{text},{likes}\n"


def ct_row(number: int, when: str = "2024-05-01 10:00:00", message: str = "hello", likes: str = "3") -> str:
    url = f"https://www.facebook.com/cfs.hk/posts/{number}"
    return f"CFS,cfs.hk,cfs.hk,{when},Status,{url},{message},{likes},1\n"


def mbs_row(number: int, when: str = "05/01/2024 10:00", title: str = "hello", views: str = "9") -> str:
    return f"{number},cfs.hk,{when},{title},{views}\n"


def studio_row(number: int, when: str = "2024-05-01", title: str = "hello", views: str = "40") -> str:
    return f"vid{number:08d},{title},{when},{views},2,-3\n"


# --- running the command and reading the store ---------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What ``govsocial collect import`` did: exit status, the JSON summary (if printed), all output."""

    code: int
    summary: dict[str, Any] | None
    output: str


@pytest.fixture
def store(registry_db: str, tmp_path: Path) -> str:
    """A copy of the session's registry store, to import into."""
    copy = tmp_path / "store.db"
    copy.write_bytes(Path(registry_db.removeprefix("sqlite:///")).read_bytes())
    return f"sqlite:///{copy}"


@pytest.fixture
def engine_of_store(store: str) -> Iterator[Engine]:
    engine = make_engine(store)
    yield engine
    engine.dispose()


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def import_file(url: str, path: Path, *options: str, key: str | None = KEY) -> Outcome:
    """Run ``govsocial collect import PATH OPTIONS --no-metrics --json`` on the store at ``url``."""
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": key}
    args = ["collect", "import", str(path), *options, "--no-metrics", "--json"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    start = result.stdout.find("{")
    summary = json.loads(result.stdout[start:]) if start >= 0 else None
    return Outcome(result.exit_code, summary, " ".join(result.output.split()))


def stored(url: str) -> dict[str, Any]:
    """The activity rows of the store, comparable across runs."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            posts = session.execute(select(t.Post.platform, t.Post.post_id).order_by(t.Post.id)).all()
            comments = session.execute(select(t.Comment.comment_id, t.Comment.author).order_by(t.Comment.id))
            return {
                "posts": [tuple(row) for row in posts],
                "post_snapshots": session.scalar(select(func.count()).select_from(t.PostSnapshot)),
                "comments": [tuple(row) for row in comments],
            }
    finally:
        engine.dispose()


def quarantined(url: str, run_id: int) -> list[tuple[str, str, str]]:
    """The run's quarantined records (those it met first or last: a record met again is the same
    row, counted): location, reason, content."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            q = t.QuarantinedRecord
            query = select(q).where((q.run_id == run_id) | (q.last_run_id == run_id))
            return [
                (q.location, q.reason, q.content)
                for q in session.scalars(query.order_by(t.QuarantinedRecord.id))
            ]
    finally:
        engine.dispose()


def runs(url: str) -> list[t.CollectionRun]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(t.CollectionRun).order_by(t.CollectionRun.id)))
    finally:
        engine.dispose()


def assert_finished(url: str, status: str) -> t.CollectionRun:
    """The latest run is finished (not left ``running``) with ``status``."""
    run = runs(url)[-1]
    assert (run.status, run.finished_at is not None) == (status, True), (run.status, run.errors)
    return run


def assert_second_run_changes_nothing(url: str, path: Path, first: Outcome, *options: str) -> None:
    """Importing the file again: the same exit status, nothing new stored, the same rows quarantined."""
    before = stored(url)
    again = import_file(url, path, *options)
    assert again.code == first.code and again.summary is not None and first.summary is not None
    assert stored(url) == before
    changed = {k: v for k, v in again.summary["counts"].items() if v and not k.endswith(".noop")}
    assert changed == {k: v for k, v in first.summary["counts"].items() if k == "quarantined"}
    same = [(location, reason) for location, reason, _ in quarantined(url, first.summary["run_id"])]
    assert [(location, reason) for location, reason, _ in quarantined(url, again.summary["run_id"])] == same


# --- 1. a bad value is a bad row, in every format -------------------------------------------------

YEAR_ONE = [
    pytest.param(
        "generic",
        GENERIC + generic_row("p1") + generic_row("y1", "0001-01-01 00:00") + generic_row("p2"),
        "created_at: '0001-01-01 00:00' is out of the range of dates",
        [("facebook", "p1"), ("facebook", "p2")],
        id="generic",
    ),
    pytest.param(
        "crowdtangle",
        CROWDTANGLE + ct_row(1) + ct_row(2, "0001-01-01 00:00:00") + ct_row(3),
        "Post Created: '0001-01-01 00:00:00' is out of the range of dates",
        [("facebook", "cfs.hk_1"), ("facebook", "cfs.hk_3")],
        id="crowdtangle",
    ),
    pytest.param(
        "meta_business_suite",
        MBS + mbs_row(1) + mbs_row(2, "01/01/0001 00:00") + mbs_row(3),
        "Publish time: '01/01/0001 00:00' is out of the range of dates",
        [("facebook", "cfs.hk_1"), ("facebook", "cfs.hk_3")],
        id="meta_business_suite",
    ),
    pytest.param(
        "youtube_studio",
        STUDIO + studio_row(1) + studio_row(2, '"Jan 1, 0001"') + studio_row(3),
        "Video publish time: 'Jan 1, 0001' is out of the range of dates",
        [("youtube", "vid00000001"), ("youtube", "vid00000003")],
        id="youtube_studio",
    ),
]


@pytest.mark.parametrize(("fmt", "text", "reason", "posts"), YEAR_ONE)
def test_a_date_before_year_one_in_utc_is_a_bad_row_and_the_rows_around_it_are_kept(
    store: str, tmp_path: Path, fmt: str, text: str, reason: str, posts: list[tuple[str, str]]
) -> None:
    path = write(tmp_path, "year1.csv", text)
    options = (
        "--format",
        fmt,
        "--timezone",
        HK,
        *(("--account", YOUTUBE) if fmt == "youtube_studio" else ()),
    )
    first = import_file(store, path, *options)
    assert first.code == 1 and first.summary is not None and first.summary["status"] == "partial"
    assert stored(store)["posts"] == posts
    [(location, why, _content)] = quarantined(store, first.summary["run_id"])
    assert location == "year1.csv, line 3" and why.startswith(reason)
    assert_finished(store, "partial")
    assert_second_run_changes_nothing(store, path, first, *options)


def test_a_date_after_year_9999_in_utc_is_a_bad_row(store: str, tmp_path: Path) -> None:
    path = write(
        tmp_path, "y9999.csv", GENERIC + generic_row("p1") + generic_row("late", "9999-12-31T23:00-08:00")
    )
    outcome = import_file(store, path, "--format", "generic")
    assert outcome.code == 1 and stored(store)["posts"] == [("facebook", "p1")]
    assert outcome.summary is not None
    [(location, why, _)] = quarantined(store, outcome.summary["run_id"])
    assert location == "y9999.csv, line 3" and "out of the range of dates" in why


# --- 2. an unclosed quote loses only its own row, in every format ---------------------------------

#: A caption that opens a quote and never closes it.
OPEN_QUOTE = '"a caption with a quote left open'


def _unclosed(fmt: str, good_after: int) -> tuple[str, list[str]]:
    """A file of ``fmt``: a good row, a row whose caption opens a quote it never closes, then
    ``good_after`` good rows (one with a properly quoted caption); and the post ids kept."""
    if fmt == "crowdtangle":
        rows = [ct_row(1), ct_row(2, message=OPEN_QUOTE), ct_row(3, message='"quoted, properly"')]
        rows += [ct_row(n) for n in range(4, good_after + 3)]
        return CROWDTANGLE + "".join(rows), [f"cfs.hk_{n}" for n in range(1, good_after + 3) if n != 2]
    if fmt == "meta_business_suite":
        rows = [mbs_row(1), mbs_row(2, title=OPEN_QUOTE), mbs_row(3, title='"quoted, properly"')]
        rows += [mbs_row(n) for n in range(4, good_after + 3)]
        return MBS + "".join(rows), [f"cfs.hk_{n}" for n in range(1, good_after + 3) if n != 2]
    rows = [studio_row(1), studio_row(2, title=OPEN_QUOTE), studio_row(3, title='"quoted, properly"')]
    rows += [studio_row(n) for n in range(4, good_after + 3)]
    return STUDIO + "".join(rows), [f"vid{n:08d}" for n in range(1, good_after + 3) if n != 2]


@pytest.mark.parametrize("fmt", ["crowdtangle", "meta_business_suite", "youtube_studio"])
def test_an_unclosed_quote_loses_only_its_own_row(store: str, tmp_path: Path, fmt: str) -> None:
    # The open quote runs on to the next row's opening quote: csv then finds a field going on
    # after its closing quote, and reading starts again on the line after the broken one.
    text, kept = _unclosed(fmt, 3)
    path = write(tmp_path, "quote.csv", text)
    options = ("--format", fmt, *(("--account", YOUTUBE) if fmt == "youtube_studio" else ()))
    first = import_file(store, path, *options)
    assert first.code == 1 and first.summary is not None and first.summary["status"] == "partial", (
        first.output
    )
    assert [post_id for _, post_id in stored(store)["posts"]] == kept
    [(location, why, content)] = quarantined(store, first.summary["run_id"])
    assert location == "quote.csv, line 3" and OPEN_QUOTE in content
    assert why.startswith("a closing quote is followed by more of the field")
    assert_second_run_changes_nothing(store, path, first, *options)


@pytest.mark.parametrize("fmt", ["crowdtangle", "meta_business_suite", "youtube_studio"])
def test_a_quote_open_to_the_end_of_a_long_file_loses_only_its_row(
    store: str, tmp_path: Path, fmt: str
) -> None:
    # No quote after the open one in over 128 KiB: csv reads on until its field limit, which used to
    # stop the whole import.
    text, kept = _unclosed(fmt, 5000)
    text = text.replace('"quoted, properly"', "unquoted")
    path = write(tmp_path, "big.csv", text)
    options = ("--format", fmt, *(("--account", YOUTUBE) if fmt == "youtube_studio" else ()))
    outcome = import_file(store, path, *options)
    assert outcome.code == 1 and outcome.summary is not None, outcome.output
    assert [post_id for _, post_id in stored(store)["posts"]] == kept
    [(location, why, _)] = quarantined(store, outcome.summary["run_id"])
    assert location == "big.csv, line 3" and why.startswith("a field longer than 131,072 characters")


def test_a_quote_open_to_the_end_of_the_file(store: str, tmp_path: Path) -> None:
    path = write(tmp_path, "end.csv", CROWDTANGLE + ct_row(1) + ct_row(2, message=OPEN_QUOTE) + ct_row(3))
    outcome = import_file(store, path, "--format", "crowdtangle")
    assert outcome.code == 1 and outcome.summary is not None
    assert [post_id for _, post_id in stored(store)["posts"]] == ["cfs.hk_1", "cfs.hk_3"]
    assert [(loc, why) for loc, why, _ in quarantined(store, outcome.summary["run_id"])] == [
        ("end.csv, line 3", "a quote is opened and not closed before the end of the file")
    ]


# --- 3. negative counts and columns named twice ---------------------------------------------------

NEGATIVE = "is negative (a count cannot be; leave the cell empty if unknown)"


@pytest.mark.parametrize(
    ("fmt", "text", "reason"),
    [
        ("crowdtangle", CROWDTANGLE + ct_row(1, likes="-5"), f"Likes: -5 {NEGATIVE}"),
        ("meta_business_suite", MBS + mbs_row(1, views="-9"), f"Views: -9 {NEGATIVE}"),
        ("youtube_studio", STUDIO + studio_row(1, views="-40"), f"Views: -40 {NEGATIVE}"),
        ("generic", GENERIC + generic_row("p1", likes="-5"), f"likes: -5 {NEGATIVE}"),
    ],
)
def test_negative_counts_are_refused_in_every_format(
    store: str, tmp_path: Path, fmt: str, text: str, reason: str
) -> None:
    path = write(tmp_path, "negative.csv", text)
    options = ("--format", fmt, *(("--account", YOUTUBE) if fmt == "youtube_studio" else ()))
    first = import_file(store, path, *options)
    assert first.code == 1 and first.summary is not None
    assert stored(store) == {"posts": [], "post_snapshots": 0, "comments": []}
    assert [(loc, why) for loc, why, _ in quarantined(store, first.summary["run_id"])] == [
        ("negative.csv, line 2", reason)
    ]
    assert_second_run_changes_nothing(store, path, first, *options)


def test_studio_subscribers_are_a_net_change_and_may_be_negative(tmp_path: Path) -> None:
    path = write(tmp_path, "Table data.csv", STUDIO + studio_row(1))
    context = ImportContext(timezone=dt.UTC, account_ref=YOUTUBE)
    [batch] = list(YouTubeStudioImporter().read(path, context))
    assert batch.bad == [] and batch.posts[0].extra["subscribers"] == -3


@pytest.mark.parametrize(
    ("fmt", "header", "row", "named"),
    [
        ("crowdtangle", CROWDTANGLE.replace("Comments", "Likes"), ct_row(1), "Likes"),
        ("meta_business_suite", "Post ID,Page ID,Publish time,Comments,Kommentarer,Views\n",
         "1,cfs.hk,05/01/2024 10:00,5,7,9\n", "Comments (as Comments and Kommentarer)"),
        ("youtube_studio", "Content,Video title,Video publish time,Views,Video views\n",
         'vid00000001,t,"May 1, 2024",1,2\n', "Views (as Views and Video views)"),
        ("generic", "platform,account,post_id,created_at,likes,Likes\n",
         "facebook,cfs.hk,p1,2024-05-01 10:00,1,2\n", "likes (as likes and Likes)"),
    ],
)  # fmt: skip
def test_a_header_naming_a_column_twice_is_refused(
    store: str, tmp_path: Path, fmt: str, header: str, row: str, named: str
) -> None:
    path = write(tmp_path, "twice.csv", header + row)
    options = ("--format", fmt, *(("--account", YOUTUBE) if fmt == "youtube_studio" else ()))
    outcome = import_file(store, path, *options)
    assert outcome.code == 1 and outcome.summary is not None and outcome.summary["status"] == "failed"
    assert [error["message"] for error in outcome.summary["errors"]] == [
        f"twice.csv: columns named twice: {named}"
    ]
    assert stored(store)["posts"] == []
    run = assert_finished(store, "failed")
    assert run.errors == outcome.summary["errors"]


# --- 4. a quarantined comment keeps no commenter id -----------------------------------------------


def test_a_bad_comment_row_is_quarantined_without_its_authors_id(store: str, tmp_path: Path) -> None:
    assert import_file(store, write(tmp_path, "posts.csv", GENERIC + generic_row("p1"))).code == 0
    comments = (
        "platform,post_id,comment_id,created_at,author_id,text,likes\n"
        f"facebook,p1,c1,2024-05-01 11:00,Citizen111,fine,1\n"
        f"facebook,p1,c2,notadate,{SECRET_AUTHOR},call 91234567,1\n"
        f'facebook,p1,c3,2024-05-01 11:00,{SECRET_AUTHOR},"never closed,1\n'
        f"facebook,p1,c4,2024-05-01 11:00,{SECRET_AUTHOR},too,many,fields\n"
        "facebook,p1,c5,2024-05-01 11:00,Citizen555,fine too,2\n"
    )
    path = write(tmp_path, "comments.csv", comments)
    first = import_file(store, path, "--format", "generic")
    assert first.code == 1 and first.summary is not None, first.output
    assert [comment_id for comment_id, _ in stored(store)["comments"]] == ["c1", "c5"]
    bad = quarantined(store, first.summary["run_id"])
    assert [(location, why[:24]) for location, why, _ in bad] == [
        ("comments.csv, line 3", "created_at: 'notadate' i"),
        ("comments.csv, line 4", "a quote is opened and no"),
        ("comments.csv, line 5", "8 fields where the heade"),
    ]
    assert all(SECRET_AUTHOR not in content for _, _, content in bad)
    # Enough to find and fix the row: every other field, by column (the text redacted as ever).
    kept = json.loads(bad[0][2])
    assert set(kept) == {"platform", "post_id", "comment_id", "created_at", "text", "likes"}
    assert (kept["comment_id"], kept["created_at"], kept["text"]) == ("c2", "notadate", "call [PHONE]")
    assert bad[1][2].startswith("[not kept:") and bad[2][2].startswith("[not kept:")
    assert_second_run_changes_nothing(store, path, first, "--format", "generic")


# --- 1. (cont.) file-level problems are file errors, and the run is finished ----------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("chats.json", '{"personal_information": {}, "chats": []}', "not a Telegram Desktop JSON export"),
        ("deep.json", '{"type": "public_channel", "messages": ' + "[" * 100_000 + "]" * 100_000 + "}",
         "JSON nested too deeply to read"),
        ("typed.json", '{"type": ["public_channel"], "messages": []}', "only channel exports are imported"),
        ("nameless.json", '{"type": "public_channel", "messages": []}', "the export names no channel"),
    ],
)  # fmt: skip
def test_telegram_files_that_are_no_channel_export_fail_their_run(
    store: str, tmp_path: Path, name: str, content: str, message: str
) -> None:
    outcome = import_file(store, write(tmp_path, name, content), "--format", "telegram")
    assert outcome.code == 1 and outcome.summary is not None and outcome.summary["status"] == "failed"
    [error] = outcome.summary["errors"]
    assert error["kind"] == "file" and error["message"].startswith(f"{name}") and message in error["message"]
    assert_finished(store, "failed")


def test_a_telegram_message_id_that_is_not_a_number_is_a_bad_message(store: str, tmp_path: Path) -> None:
    messages = [
        {"id": 1, "type": "message", "date_unixtime": "1714528800", "text": "one"},
        {"id": True, "type": "message", "date_unixtime": "1714528800", "text": "true"},
        {"id": 3, "type": "message", "date_unixtime": "1714528800", "text": "three",
         "reactions": [{"type": "emoji", "emoji": "👍", "count": True}]},
    ]  # fmt: skip
    export = {"type": "public_channel", "name": "HK", "id": 1, "messages": messages}
    path = write(tmp_path, "result.json", json.dumps(export))
    first = import_file(store, path, "--format", "telegram", "--account", TELEGRAM)
    assert first.code == 1 and first.summary is not None
    assert stored(store)["posts"] == [("telegram", "1"), ("telegram", "3")]
    assert stored(store)["post_snapshots"] == 0  # "count": true is no count
    assert [(loc, why) for loc, why, _ in quarantined(store, first.summary["run_id"])] == [
        ("result.json, messages[1]", "message id True is not a positive whole number")
    ]
    assert_second_run_changes_nothing(store, path, first, "--format", "telegram", "--account", TELEGRAM)


@pytest.mark.parametrize("fmt", ["generic", "crowdtangle", "meta_business_suite", "youtube_studio"])
@pytest.mark.parametrize("content", [b"", b"\n \r\n", b"\xef\xbb\xbf"], ids=["0 bytes", "blank", "BOM only"])
def test_an_empty_file_is_a_file_error(store: str, tmp_path: Path, fmt: str, content: bytes) -> None:
    options = ("--format", fmt, *(("--account", YOUTUBE) if fmt == "youtube_studio" else ()))
    outcome = import_file(store, write(tmp_path, "empty.csv", content), *options)
    assert outcome.code == 1 and outcome.summary is not None and outcome.summary["status"] == "failed"
    assert [e["message"] for e in outcome.summary["errors"]] == [
        "empty.csv: the file is empty (not even a header row)"
    ]
    assert_finished(store, "failed")


def test_a_header_without_rows_is_an_empty_export_not_an_error(store: str, tmp_path: Path) -> None:
    outcome = import_file(store, write(tmp_path, "header.csv", GENERIC), "--format", "generic")
    assert outcome.code == 0 and outcome.summary is not None and outcome.summary["status"] == "ok"


def test_a_header_line_too_long_to_split_is_a_file_error(store: str, tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", '"' + "x" * 200_000 + "\n" + generic_row("p1"))
    outcome = import_file(store, path, "--format", "generic")
    assert outcome.code == 1 and outcome.summary is not None
    assert outcome.summary["errors"][0]["message"].startswith("long.csv, line 1: unreadable header")
    assert_finished(store, "failed")


def test_utf16_without_a_byte_order_mark_is_refused_with_a_clear_message(store: str, tmp_path: Path) -> None:
    path = write(tmp_path, "u16.csv", (GENERIC + generic_row("p1")).encode("utf-16-le"))
    outcome = import_file(store, path, "--format", "generic")
    assert outcome.code == 2 and "looks like UTF-16 without a byte order mark" in outcome.output
    assert "Traceback" not in outcome.output and stored(store)["posts"] == []


def test_a_comments_import_without_a_pseudonym_key_fails_its_run(store: str, tmp_path: Path) -> None:
    assert import_file(store, write(tmp_path, "posts.csv", GENERIC + generic_row("p1"))).code == 0
    comments = (
        "platform,post_id,comment_id,created_at,author_id,text\nfacebook,p1,c1,2024-05-01 11:00,Citizen1,hi\n"
    )
    outcome = import_file(store, write(tmp_path, "comments.csv", comments), "--format", "generic", key=None)
    assert outcome.code == 2 and "GOVSOCIAL_PSEUDONYM_KEY is not set" in outcome.output
    assert "Traceback" not in outcome.output and stored(store)["comments"] == []
    run = assert_finished(store, "failed")
    assert run.errors[0]["kind"] == "configuration" and "GOVSOCIAL_PSEUDONYM_KEY" in run.errors[0]["message"]


# --- 5. the summary counts the accounts the file touched ------------------------------------------


def test_the_summary_counts_the_accounts_the_file_touched(store: str, tmp_path: Path) -> None:
    posts = GENERIC + generic_row("p1") + generic_row("p2")
    posts += "instagram,cyberdefender.hk,i1,2024-05-01 10:00,hi,1\n"
    posts += "facebook,not.in.the.registry.example,x1,2024-05-01 10:00,hi,1\n"
    outcome = import_file(store, write(tmp_path, "posts.csv", posts), "--format", "generic")
    assert outcome.summary is not None and (
        outcome.summary["accounts"],
        outcome.summary["failed_accounts"],
    ) == (2, 0)
    comments = "platform,post_id,comment_id,created_at,text\nfacebook,p1,c1,2024-05-01 11:00,hi\n"
    outcome = import_file(store, write(tmp_path, "comments.csv", comments), "--format", "generic")
    assert outcome.code == 0 and outcome.summary is not None and outcome.summary["accounts"] == 1


# --- any run that starts is finished ----------------------------------------------------------------


class _Breaks(Importer):
    """Yields one good batch, then raises ``error``."""

    format = "breaks"
    description = "test importer"
    error: BaseException = RuntimeError("a bug")

    @classmethod
    def sniff(cls, name: str, head: str) -> bool:
        return False

    def read(self, path: Path, context: ImportContext) -> Iterator[Batch]:
        when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
        post = PostRecord(
            platform="facebook",
            post_id="good",
            account_ref="cfs.hk",
            created_at=when,
            created_at_raw="2024-05-01",
            format=PostFormat.TEXT,
        )
        yield Batch(edge="posts", posts=[post])
        raise self.error


def _import(engine: Engine, importer: Importer, tmp_path: Path) -> Any:
    sessions = session_factory(engine)
    with sessions() as session:
        catalogue = load_catalogue(session)
    resolve = resolver(sessions, catalogue)
    return import_activity(
        engine, write(tmp_path, "f.csv", "x"), importer, ImportContext(timezone=dt.UTC), resolve, KEY
    )


def test_an_unexpected_error_fails_the_run_and_keeps_what_was_stored(
    engine_of_store: Engine, store: str, tmp_path: Path
) -> None:
    summary = _import(engine_of_store, _Breaks(), tmp_path)
    assert summary.status == "failed" and summary.accounts == summary.failed_accounts == 1
    assert summary.errors == [
        {"file": "f.csv", "kind": "unexpected", "message": "the import stopped: RuntimeError: a bug"}
    ]
    assert stored(store)["posts"] == [("facebook", "good")]
    assert assert_finished(store, "failed").errors == summary.errors


def test_an_interrupted_import_fails_its_run_and_is_raised(
    engine_of_store: Engine, store: str, tmp_path: Path
) -> None:
    breaks = _Breaks()
    breaks.error = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        _import(engine_of_store, breaks, tmp_path)
    assert assert_finished(store, "failed").errors == [
        {"file": "f.csv", "kind": "interrupted", "message": "the import was interrupted"}
    ]
    assert stored(store)["posts"] == [("facebook", "good")]
