"""``govsocial collect import`` as a department's social-media officer meets it (an operator review).

Export files as a Hong Kong office saves them, and the messages an officer acts on, through the
command (``--no-metrics``) into a copy of the registry store:

* Excel's "Unicode Text" (the UTF-16 with BOM that docs/collectors.md says every import reads) is
  tab-separated: the Meta Business Suite, CrowdTangle and YouTube Studio importers read only
  commas, so such a file was "cannot tell the format" or "not a YouTube Studio export";
* a row whose account is not in the registry was quarantined as "facebook account 123" with no
  file or line, every row of a file alike, and told to "add it" when the page was in the registry
  by its address and only its numeric id (which the export names it by) was missing;
* an ``--account`` the registry does not have quarantined every row of the file, one by one;
* the text summary printed errors as Python dicts and never said where to find what was refused.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.store import tables as t
from govsocial.store.db import downgrade, make_engine, session_factory
from tests.collect.test_import_robustness import (
    YOUTUBE,
    assert_finished,
    assert_second_run_changes_nothing,
    import_file,
    quarantined,
    runs,
    store,
    stored,
    write,
)
from tests.demo_store import KEY

__all__ = ["store"]  # the fixture, shared with test_import_robustness

# Headers with a column whose name holds a comma (Meta Business Suite's), as each export writes them.
MBS_ROWS = [
    ["Post ID", "Page ID", "Publish time", "Title", "Reactions, comments and shares", "Reactions", "Views"],
    ["1", "cfs.hk", "05/01/2024 10:00", "Lantau, trail reopens", "1,204", "1,100", "48,200"],
    ["2", "cfs.hk", "05/02/2024 11:00", "Second", "5", "4", "90"],
]
CT_ROWS = [
    ["Page Name", "User Name", "Facebook Id", "Post Created", "Type", "URL", "Message", "Likes", "Comments"],
    ["CFS", "cfs.hk", "cfs.hk", "2024-05-01 10:00:00", "Status", "https://www.facebook.com/cfs.hk/posts/1",
     "hello, world", "1,234", "1"],
]  # fmt: skip
STUDIO_ROWS = [
    ["Content", "Video title", "Video publish time", "Views", "Likes"],
    ["Total", "", "", "50", "3"],
    ["vid00000001", "How to thaw food, safely", "May 8, 2024", "1,040", "3"],
]


def unicode_text(rows: list[list[str]]) -> bytes:
    """``rows`` as Excel saves "Unicode Text": UTF-16 with a BOM, tab-separated, CRLF."""
    written = io.StringIO()
    csv.writer(written, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return written.getvalue().encode("utf-16")


@pytest.mark.parametrize(
    ("rows", "options", "expected"),
    [
        pytest.param(
            MBS_ROWS, (), [("facebook", "cfs.hk_1"), ("facebook", "cfs.hk_2")], id="meta_business_suite"
        ),
        pytest.param(CT_ROWS, (), [("facebook", "cfs.hk_1")], id="crowdtangle"),
        pytest.param(STUDIO_ROWS, ("--account", YOUTUBE), [("youtube", "vid00000001")], id="youtube_studio"),
    ],
)
def test_excel_unicode_text_exports_are_recognised_and_read(
    store: str,
    tmp_path: Path,
    rows: list[list[str]],
    options: tuple[str, ...],
    expected: list[tuple[str, str]],
) -> None:
    path = write(tmp_path, "export.txt", unicode_text(rows))
    outcome = import_file(store, path, *options)  # no --format: recognised from the header
    assert outcome.code == 0 and outcome.summary is not None, outcome.output
    assert stored(store)["posts"] == expected
    assert_finished(store, "ok")
    assert_second_run_changes_nothing(store, path, outcome, *options)


def test_the_comma_in_a_tab_separated_header_is_not_a_separator(store: str, tmp_path: Path) -> None:
    """The column "Reactions, comments and shares" stays one column (and the counts with it)."""
    path = write(tmp_path, "export.txt", unicode_text(MBS_ROWS))
    assert import_file(store, path).code == 0
    engine = make_engine(store)
    try:
        with session_factory(engine)() as session:
            extra = session.scalar(select(t.Post.extra).where(t.Post.post_id == "cfs.hk_1"))
            views = session.scalar(
                select(t.PostSnapshot.views).join(t.Post).where(t.Post.post_id == "cfs.hk_1")
            )
    finally:
        engine.dispose()
    assert extra is not None and (extra["interactions"], extra["reactions_total"]) == (1204, 1100)
    assert views == 48200


GENERIC = (
    "platform,account,post_id,created_at,text,likes\n"
    "facebook,cfs.hk,p1,2024-05-01 10:00,hello,1\n"
    "facebook,100000000000001,p2,2024-05-02 10:00,unknown page,2\n"
    "facebook,100000000000001,p3,2024-05-03 10:00,unknown page,3\n"
    "facebook,cfs.hk,p4,2024-05-04 10:00,hello,4\n"
)


def test_a_row_of_an_account_not_in_the_registry_is_quarantined_with_its_file_and_line(
    store: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "posts.csv", GENERIC)
    first = import_file(store, path)
    assert first.code == 1 and first.summary is not None, first.output
    assert stored(store)["posts"] == [("facebook", "p1"), ("facebook", "p4")]
    records = quarantined(store, first.summary["run_id"])
    assert [location for location, _, _ in records] == ["posts.csv, line 3", "posts.csv, line 4"]
    reason = records[0][1]
    assert "'100000000000001' is not in the registry" in reason and "platform_id" in reason
    assert_second_run_changes_nothing(store, path, first)


def test_a_meta_business_suite_row_of_an_unknown_page_names_its_line(store: str, tmp_path: Path) -> None:
    rows = [MBS_ROWS[0], MBS_ROWS[1], ["3", "100000000000001", "05/03/2024 10:00", "x", "1", "1", "1"]]
    written = io.StringIO()
    csv.writer(written, lineterminator="\n").writerows(rows)
    path = write(tmp_path, "Content.csv", written.getvalue())
    outcome = import_file(store, path)
    assert outcome.code == 1 and outcome.summary is not None, outcome.output
    assert [loc for loc, _, _ in quarantined(store, outcome.summary["run_id"])] == ["Content.csv, line 3"]


def test_an_account_option_not_in_the_registry_is_refused_before_the_run(store: str, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Table data.csv",
        "Content,Video title,Video publish time,Views\nvid00000001,a,2024-05-01,1\n",
    )
    before = len(runs(store))
    account = "https://www.youtube.com/@not-a-government-channel"
    outcome = import_file(store, path, "--format", "youtube_studio", "--account", account)
    assert outcome.code == 2 and outcome.summary is None, outcome.output
    assert "--account https://www.youtube.com/@not-a-government-channel: no youtube account" in outcome.output
    assert "registry verify" in outcome.output and "Traceback" not in outcome.output
    assert len(runs(store)) == before and stored(store)["posts"] == []


def test_the_text_summary_says_where_to_find_what_was_refused(store: str, tmp_path: Path) -> None:
    path = write(tmp_path, "posts.csv", GENERIC)
    env = {"GOVSOCIAL_DATABASE_URL": store, "GOVSOCIAL_PSEUDONYM_KEY": KEY, "COLUMNS": "300"}
    result = CliRunner().invoke(app, ["collect", "import", str(path), "--no-metrics"], env=env)
    run_id = runs(store)[-1].id
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert (
        f"2 record(s) quarantined: `govsocial collect quarantine --run {run_id}` says where and why" in said
    )


def test_a_refused_file_is_one_readable_error_line(store: str, tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "Content,Video title,Video publish time\n")
    env = {"GOVSOCIAL_DATABASE_URL": store, "GOVSOCIAL_PSEUDONYM_KEY": KEY, "COLUMNS": "300"}
    args = ["collect", "import", str(path), "--format", "youtube_studio", "--no-metrics"]
    result = CliRunner().invoke(app, args, env=env)
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "error export.csv (file): export.csv: YouTube Studio exports do not name the channel" in said
    assert "{'" not in said


def test_follower_counts_and_telegram_messages_of_unknown_accounts_name_where_they_are(
    store: str, tmp_path: Path
) -> None:
    followers = (
        "platform,account,date,followers\nfacebook,cfs.hk,2024-05-01,10\nfacebook,nosuchpage,2024-05-01,20\n"
    )
    outcome = import_file(store, write(tmp_path, "followers.csv", followers))
    assert outcome.code == 1 and outcome.summary is not None, outcome.output
    assert [loc for loc, _, _ in quarantined(store, outcome.summary["run_id"])] == ["followers.csv, line 3"]

    message = {"id": 7, "type": "message", "date_unixtime": "1714528800", "text": "hello"}
    export = {"type": "public_channel", "name": "HK", "id": 1, "messages": [message]}
    path = write(tmp_path, "result.json", json.dumps(export))
    outcome = import_file(store, path, "--format", "telegram", "--account", "nosuchchannel")
    assert outcome.code == 1 and outcome.summary is not None, outcome.output
    assert [loc for loc, _, _ in quarantined(store, outcome.summary["run_id"])] == [
        "result.json, messages[0]"
    ]


@pytest.mark.parametrize(
    ("rows", "options"),
    [
        pytest.param(MBS_ROWS, (), id="meta_business_suite"),
        pytest.param(CT_ROWS, (), id="crowdtangle"),
        pytest.param(STUDIO_ROWS, ("--account", YOUTUBE), id="youtube_studio"),
        pytest.param([["platform", "account", "post_id", "created_at", "likes"],
                      ["facebook", "cfs.hk", "p1", "2024-05-01 10:00", "1"]], (), id="generic"),
    ],
)  # fmt: skip
def test_rows_of_empty_cells_that_excel_writes_are_skipped_not_quarantined(
    store: str, tmp_path: Path, rows: list[list[str]], options: tuple[str, ...]
) -> None:
    written = io.StringIO()
    csv.writer(written, lineterminator="\r\n").writerows(rows)
    blank = "," * (len(rows[0]) - 1) + "\r\n"
    path = write(tmp_path, "export.csv", "\ufeff" + written.getvalue() + blank * 3)
    outcome = import_file(store, path, *options)
    assert outcome.code == 0 and outcome.summary is not None, outcome.output
    assert outcome.summary["status"] == "ok" and "quarantined" not in outcome.summary["counts"]
    assert len(stored(store)["posts"]) == len(rows) - 1 - (rows is STUDIO_ROWS)  # Studio: less its Total row


def test_a_database_behind_the_migrations_is_refused_before_a_run_is_recorded(
    store: str, tmp_path: Path
) -> None:
    """It used to start the run, fail on a newer column, and leave the run ``running`` for ever."""
    engine = make_engine(store)
    try:
        downgrade(engine, "0019")
        with engine.connect() as connection:
            before = connection.execute(text("SELECT count(*) FROM collection_runs")).scalar_one()
    finally:
        engine.dispose()
    outcome = import_file(store, write(tmp_path, "posts.csv", GENERIC))
    assert outcome.code == 2 and "run `govsocial db upgrade`" in outcome.output, outcome.output
    engine = make_engine(store)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM collection_runs")).scalar_one() == before
    finally:
        engine.dispose()


def test_a_comment_on_a_post_not_stored_names_its_file_and_line(store: str, tmp_path: Path) -> None:
    assert import_file(store, write(tmp_path, "posts.csv", GENERIC)).code == 1  # p1 and p4 stored
    comments = (
        "platform,post_id,comment_id,created_at,author_id,text\n"
        "facebook,p1,c1,2024-05-01 11:00,citizen1,thanks\n"
        "facebook,not-imported,c2,2024-05-01 12:00,citizen2,when?\n"
    )
    path = write(tmp_path, "comments.csv", comments)
    outcome = import_file(store, path)
    assert outcome.code == 1 and outcome.summary is not None, outcome.output
    [(location, reason, content)] = quarantined(store, outcome.summary["run_id"])
    assert (location, reason) == (
        "comment c2 (comments.csv, line 3)",
        "post 'not-imported' is not in the store (import its posts first)",
    )
    assert "citizen2" not in content
    assert_second_run_changes_nothing(store, path, outcome)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        pytest.param(
            [["platform", "account", "post_id", "created_at", "likes"],
             ["facebook", "cfs.hk", "p1", "2024-05-01 10:00", "5"],
             ["facebook", "cfs.hk", "p1", "2024-05-01 10:00", "9"],
             ["facebook", "cfs.hk", "p1", "2024-05-01 10:00", "5"]],
            "post 'p1' is on line 2 too, with other counts for the same time",
            id="generic",
        ),
        pytest.param(
            [MBS_ROWS[0], MBS_ROWS[1], [*MBS_ROWS[1][:-1], "50,000"], MBS_ROWS[1]],
            "post 'cfs.hk_1' is on line 2 too, with other counts for the same time",
            id="meta_business_suite",
        ),
    ],
)  # fmt: skip
def test_a_post_given_twice_with_other_counts_is_quarantined_not_silently_dropped(
    store: str, tmp_path: Path, rows: list[list[str]], reason: str
) -> None:
    """The second row's counts were a ``noop`` of the first's snapshot, and the run said ``ok``; a
    row copied twice with the same counts is no conflict."""
    written = io.StringIO()
    csv.writer(written, lineterminator="\n").writerows(rows)
    path = write(tmp_path, "export.csv", written.getvalue())
    outcome = import_file(store, path)
    assert outcome.code == 1 and outcome.summary is not None, outcome.output
    [(location, said, _)] = quarantined(store, outcome.summary["run_id"])
    assert location == "export.csv, line 3" and said.startswith(reason)
    assert stored(store)["post_snapshots"] == 1
    assert_second_run_changes_nothing(store, path, outcome)
