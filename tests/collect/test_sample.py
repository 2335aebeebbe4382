"""The demo dataset: deterministic files in the generic layouts, realistic shape, and a clean import.

The import goes through the command line exactly as ``make demo`` runs it (``collect import FILE
--format generic --sample``), into a temporary SQLite store with the bundled registry loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.collect import sample
from govsocial.collect.sample import (
    COMMENT_COLUMNS,
    FOLLOWER_COLUMNS,
    POST_COLUMNS,
    SampleAccount,
    SampleConfig,
    SampleData,
    generate,
    sample_accounts,
    write_sample,
)
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory

HK = PROJECT_ROOT / "data" / "registry" / "hk"
KEY = "test-only-pseudonym-key"
runner = CliRunner()


@pytest.fixture(scope="module")
def accounts() -> list[SampleAccount]:
    return sample_accounts(HK)


@pytest.fixture(scope="module")
def data(accounts: list[SampleAccount]) -> SampleData:
    """The default dataset: six months to 2026-09-30, seed 2024 (what ``make demo`` imports)."""
    return generate(accounts)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- Determinism and layout ------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(accounts: list[SampleAccount], tmp_path: Path) -> None:
    config = SampleConfig(seed=7, months=2)
    first = write_sample(generate(accounts, config), tmp_path / "a")
    second = write_sample(generate(accounts, config), tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.path.name == b.path.name
        assert a.path.read_bytes() == b.path.read_bytes()
    other = write_sample(generate(accounts, SampleConfig(seed=8, months=2)), tmp_path / "c")
    assert other[1].path.read_bytes() != first[1].path.read_bytes()


def test_account_order_does_not_change_an_accounts_data(accounts: list[SampleAccount]) -> None:
    config = SampleConfig(months=1)
    forward = generate(accounts, config)
    backward = generate(list(reversed(accounts)), config)
    assert forward.posts == backward.posts
    assert forward.followers != [] and sorted(map(str, forward.followers)) == sorted(
        map(str, backward.followers)
    )


def test_files_have_exactly_the_generic_layouts(data: SampleData, tmp_path: Path) -> None:
    files = {f.path.name: f for f in write_sample(data, tmp_path)}
    assert list(files) == ["followers.csv", "posts.csv", "comments.csv"]  # the order they are imported in
    headers = {name: f.path.read_text(encoding="utf-8").split("\n", 1)[0] for name, f in files.items()}
    assert (
        headers["posts.csv"]
        == ",".join(POST_COLUMNS)
        == (
            "platform,account,post_id,created_at,format,text,url,link,followers_at_posting,likes,comments,"
            "shares,views,reactions_like,reactions_love,reactions_haha,reactions_wow,reactions_sad,"
            "reactions_angry,reactions_care"
        )
    )
    assert (
        headers["comments.csv"]
        == ",".join(COMMENT_COLUMNS)
        == ("platform,account,post_id,comment_id,parent_id,created_at,author_id,is_page_reply,text,likes")
    )
    assert headers["followers.csv"] == ",".join(FOLLOWER_COLUMNS) == "platform,account,date,followers"
    assert rows(files["posts.csv"].path) == data.posts  # multi-line texts survive the CSV round trip
    assert not files["posts.csv"].path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_unchanged_files_are_not_rewritten_and_carry_the_export_time(
    accounts: list[SampleAccount], tmp_path: Path
) -> None:
    config = SampleConfig(months=1)
    data = generate(accounts, config)
    first = write_sample(data, tmp_path, config.export_time)
    again = write_sample(data, tmp_path, config.export_time)
    assert all(f.changed for f in first) and not any(f.changed for f in again)
    for f in again:
        assert f.path.stat().st_mtime == config.export_time.timestamp()


def test_period_and_months() -> None:
    assert SampleConfig().start == dt.date(2026, 4, 1)
    assert SampleConfig(end=dt.date(2026, 2, 28), months=12).start == dt.date(2025, 3, 1)
    assert SampleConfig(end=dt.date(2025, 12, 31), months=1).start == dt.date(2025, 12, 1)


# --- Shape ---------------------------------------------------------------------------------------


def test_only_published_and_under_review_accounts_with_a_url(accounts: list[SampleAccount]) -> None:
    assert {a.status for a in accounts} == {"published", "under_review"}
    handles = {(a.platform, a.handle) for a in accounts}
    assert ("facebook", "cfs.hk") in handles and ("instagram", "cyberdefenderhk") in handles
    assert ("facebook", "carrielam.hksar") not in handles  # archived
    assert all(a.url.startswith("https://") for a in accounts)


def test_every_account_posts_a_few_times_a_week(accounts: list[SampleAccount], data: SampleData) -> None:
    weeks = 26
    per_account = Counter(p["account"] for p in data.posts)
    assert set(per_account) == {a.url for a in accounts}
    for account in accounts:
        rate = per_account[account.url] / weeks
        assert 0.3 <= rate <= 10, (account.url, rate)
    assert len(set(per_account.values())) > len(accounts) // 2  # volumes vary by account
    assert 500 <= len(data.posts) <= 3000


def test_formats_fit_the_platform(data: SampleData) -> None:
    formats: dict[str, set[str]] = defaultdict(set)
    for post in data.posts:
        formats[post["platform"]].add(post["format"])
    assert formats["youtube"] <= {"video", "live"}
    assert formats["instagram"] <= {"image", "video"} and "image" in formats["instagram"]
    assert formats["douyin"] == {"video"}
    assert {"link", "text", "image", "video", "live"} <= formats["facebook"]
    links = [p for p in data.posts if p["format"] == "link"]
    assert links and all(p["link"].startswith("https://") for p in links)


def test_texts_sound_like_government_pages(data: SampleData) -> None:
    texts = [p["text"] for p in data.posts]
    assert all(texts)
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", x)) for x in texts) > len(texts) * 0.8
    assert sum(bool(re.search(r"[A-Za-z]{4,} [A-Za-z]{3,}", x)) for x in texts) > len(texts) * 0.5
    for topic in ("防騙", "天氣警告", "食物警報", "郵票", "流感"):
        assert any(topic in x for x in texts), topic
    rumours = [x for x in texts if re.search("澄清|失實|假消息", x)]
    assert 0.01 * len(texts) < len(rumours) < 0.1 * len(texts)
    assert not any(re.search(r"\d{4} \d{4}", x) for x in texts)  # hotlines are short numbers: not redacted


def test_counts_are_heavy_tailed_with_facebook_reactions(data: SampleData) -> None:
    likes = [int(p["likes"]) for p in data.posts if p["likes"]]
    assert max(likes) > 20 * statistics.median(likes)
    facebook = [p for p in data.posts if p["platform"] == "facebook"]
    assert all(p["reactions_like"] == p["likes"] for p in facebook)
    assert sum(int(p["reactions_angry"]) > int(p["reactions_love"]) for p in facebook) >= 3
    assert any(int(p["reactions_haha"]) > 0 for p in facebook)
    assert all(not p["reactions_like"] for p in data.posts if p["platform"] != "facebook")
    assert all(not p["shares"] for p in data.posts if p["platform"] in ("youtube", "instagram"))
    assert all(p["views"] for p in data.posts if p["platform"] == "youtube")


def test_followers_are_daily_and_grow_slowly(accounts: list[SampleAccount], data: SampleData) -> None:
    by_account: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in data.followers:
        by_account[row["account"]].append((row["date"], int(row["followers"])))
    assert len(by_account) == len(accounts)
    for series in by_account.values():
        assert len(series) == (dt.date(2026, 9, 30) - dt.date(2026, 4, 1)).days + 1
        assert [d for d, _ in series] == sorted(d for d, _ in series)
        first, last = series[0][1], series[-1][1]
        assert first < last < first * 1.25
    followers = {(r["account"], r["date"]): int(r["followers"]) for r in data.followers}
    for post in data.posts:
        assert int(post["followers_at_posting"]) == followers[(post["account"], post["created_at"][:10])]


@dataclass(frozen=True)
class CommentFacts:
    by_id: dict[str, dict[str, str]]
    posts: dict[tuple[str, str], dict[str, str]]


@pytest.fixture(scope="module")
def comment_facts(data: SampleData) -> CommentFacts:
    return CommentFacts(
        {c["comment_id"]: c for c in data.comments}, {(p["platform"], p["post_id"]): p for p in data.posts}
    )


def test_comments_mix_languages_questions_and_emoji(data: SampleData) -> None:
    texts = [c["text"] for c in data.comments if c["is_page_reply"] == "false"]
    for word in ("唔該", "冇", "咁", "嘅", "佢哋", "好正", "唔好"):
        assert any(word in x for x in texts), word
    assert any(x.isascii() for x in texts)  # English
    assert any("這個" in x or "感謝" in x for x in texts)  # standard written Chinese
    assert any(re.search(r"[A-Za-z]", x) and re.search(r"[\u4e00-\u9fff]", x) for x in texts)  # mixed
    assert any(re.search("[\U0001f300-\U0001faff]", x) for x in texts)  # emoji
    assert "幾時開放？" in texts and "how do I apply?" in texts
    assert all(re.fullmatch(r"u\d+", c["author_id"]) for c in data.comments if c["is_page_reply"] == "false")
    authors = Counter(c["author_id"] for c in data.comments if c["is_page_reply"] == "false")
    assert authors.most_common(1)[0][1] > 20 and sum(n == 1 for n in authors.values()) > 100  # heavy tail


def test_page_replies_answer_questions_later(
    accounts: list[SampleAccount], data: SampleData, comment_facts: CommentFacts
) -> None:
    handles = {a.url: a.handle for a in accounts}
    replies = [c for c in data.comments if c["is_page_reply"] == "true"]
    assert 0.03 * len(data.comments) < len(replies) < 0.3 * len(data.comments)
    delays = []
    for reply in replies:
        assert reply["author_id"] == handles[reply["account"]]
        question = comment_facts.by_id[reply["parent_id"]]
        assert question["text"].endswith(("？", "?"))
        delay = dt.datetime.fromisoformat(reply["created_at"]) - dt.datetime.fromisoformat(
            question["created_at"]
        )
        delays.append(delay)
    assert min(delays) < dt.timedelta(minutes=30) and max(delays) > dt.timedelta(days=1)


def test_comments_follow_their_post_and_platform(data: SampleData, comment_facts: CommentFacts) -> None:
    assert 5_000 <= len(data.comments) <= 40_000
    assert not any(c["platform"] == "whatsapp" for c in data.comments)  # channels have no comments
    stored: Counter[tuple[str, str]] = Counter()
    for comment in data.comments:
        post = comment_facts.posts[(comment["platform"], comment["post_id"])]
        assert comment["account"] == post["account"]
        assert comment["created_at"] > post["created_at"]
        assert comment["created_at"] <= "2026-09-30T23:59:00+08:00"
        if comment["parent_id"]:
            assert comment_facts.by_id[comment["parent_id"]]["post_id"] == comment["post_id"]
        stored[(comment["platform"], comment["post_id"])] += 1
    for key, n in stored.items():
        assert int(comment_facts.posts[key]["comments"]) >= n  # the count covers the rows
    assert len({c["comment_id"] for c in data.comments}) == len(data.comments)


def test_the_last_week_talks_about_a_typhoon(data: SampleData) -> None:
    zone = ZoneInfo("Asia/Hong_Kong")
    monday = sample.DEFAULT_END - dt.timedelta(days=sample.DEFAULT_END.weekday())
    last, earlier = [], []
    for row in data.comments:
        day = dt.datetime.fromisoformat(row["created_at"]).astimezone(zone).date()
        (last if day >= monday else earlier).append(row["text"])
    typhoon = [text for text in last if text in sample.TYPHOON]
    assert 0.15 * len(last) < len(typhoon) < 0.5 * len(last)  # a share of the ordinary comments
    assert not any(text in sample.TYPHOON for text in earlier)
    assert any(text in sample.QUESTIONS_ZH for text in last)  # questions are left as they were


def test_some_comments_carry_fake_personal_data(data: SampleData) -> None:
    texts = [c["text"] for c in data.comments]
    assert any("A123456(3)" in x and "9123 4567" in x for x in texts)
    assert any("@example.com" in x for x in texts)
    assert any(re.search(r"\b[A-Z]\d{6}\([0-9A]\)", x.replace("A123456(3)", "")) for x in texts)
    assert sum(bool(re.search(r"@example\.com|\d{4} \d{4}|\d{6}\(", x)) for x in texts) < 0.05 * len(texts)


# --- Import through the command line ----------------------------------------------------------------


def cli(url: str, *args: str) -> tuple[int, str]:
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def import_json(url: str, path: Path) -> dict[str, Any]:
    code, output = cli(
        url, "collect", "import", str(path), "--format", "generic", "--sample", "--json", "--no-metrics"
    )
    summary: dict[str, Any] = json.loads(output[output.index("{") :])
    assert code == 0, output
    return summary


@dataclass(frozen=True)
class Imported:
    url: str
    folder: Path
    data: SampleData
    first: list[dict[str, Any]]
    second: list[dict[str, Any]]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    """``make demo-data`` in-process: migrate, load the registry, write the sample, import it twice."""
    base = tmp_path_factory.mktemp("sample")
    url = f"sqlite:///{base / 'demo.db'}"
    assert cli(url, "db", "upgrade")[0] == 0
    assert cli(url, "registry", "load")[0] == 0
    code, output = cli(url, "collect", "sample", "--out", str(base / "sample"), "--json")
    assert code == 0, output
    files = [base / "sample" / name for name in ("followers.csv", "posts.csv", "comments.csv")]
    first = [import_json(url, f) for f in files]
    second = [import_json(url, f) for f in files]
    data = SampleData(rows(files[1]), rows(files[2]), rows(files[0]))
    yield Imported(url, base, data, first, second)


def test_import_stores_everything_without_quarantine(imported: Imported) -> None:
    followers, posts, comments = (summary["counts"] for summary in imported.first)
    assert all(summary["status"] == "ok" for summary in imported.first)
    assert followers == {"profiles.insert": len(imported.data.followers), "profiles.noop": 0}
    assert posts["posts.insert"] == posts["post_snapshots.insert"] == len(imported.data.posts)
    assert comments == {"comments.insert": len(imported.data.comments)}
    engine = make_engine(imported.url)
    with engine.connect() as connection:
        assert connection.scalar(text("select count(*) from quarantine")) == 0
        assert connection.scalar(text("select count(distinct source) from posts")) == 1
        assert connection.scalar(text("select min(source) from posts")) == "sample"
        assert connection.scalar(text("select count(*) from comments where source = 'sample'")) == len(
            imported.data.comments
        )
    engine.dispose()


def test_second_import_is_all_noop(imported: Imported) -> None:
    for summary in imported.second:
        assert summary["status"] == "ok"
        counts = summary["counts"]
        assert not any(n for name, n in counts.items() if not name.endswith(".noop")), counts
    assert imported.second[2]["counts"] == {"comments.noop": len(imported.data.comments)}


def test_personal_data_is_redacted_at_storage(imported: Imported) -> None:
    engine = make_engine(imported.url)
    with session_factory(engine)() as session:
        stored = list(session.scalars(select(t.Comment.text)))
        bodies = list(session.scalars(select(t.RawPayloadRow.body)))
    engine.dispose()
    joined = "\n".join(x or "" for x in stored)
    for secret in ("A123456(3)", "9123 4567", "@example.com"):
        assert secret in "\n".join(c["text"] for c in imported.data.comments)  # it was in the file
        assert secret not in joined
        assert not any(secret in body for body in bodies)
    assert "[HKID]" in joined and "[PHONE]" in joined and "[EMAIL]" in joined
    assert not re.search(r"[A-Z]\d{6}\(?[0-9A]\)?", joined)


def test_no_commenter_id_in_clear(imported: Imported) -> None:
    clear = {c["author_id"] for c in imported.data.comments}
    engine = make_engine(imported.url)
    with session_factory(engine)() as session:
        authors = set(session.scalars(select(t.Comment.author)))
        everything = session.execute(select(t.Comment)).scalars().all()
    engine.dispose()
    assert authors and all(a is not None and re.fullmatch(r"[0-9a-f]{32}", a) for a in authors)
    assert not authors & clear
    for comment in everything:
        values = {str(getattr(comment, column.key)) for column in t.Comment.__table__.columns}
        assert not values & clear


def test_command_reports_its_files(imported: Imported) -> None:
    code, output = cli(imported.url, "collect", "sample", "--out", str(imported.folder / "sample"), "--json")
    report = json.loads(output)
    assert code == 0
    assert report["start"] == "2026-04-01" and report["end"] == "2026-09-30"
    assert [Path(f["path"]).name for f in report["files"]] == ["followers.csv", "posts.csv", "comments.csv"]
    assert not any(f["changed"] for f in report["files"])  # the same seed wrote the same bytes
    assert [f["rows"] for f in report["files"]] == [
        len(imported.data.followers), len(imported.data.posts), len(imported.data.comments),
    ]  # fmt: skip
