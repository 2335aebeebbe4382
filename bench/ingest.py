"""Ingest benchmark: posts and comments per second from raw Graph API JSON into the store.

    .venv/bin/python -m bench.ingest [--comments N] [--posts N] [--postgres URL] [--baseline N]
                                     [--processes N]

The workload is generated deterministically: ``--posts`` Facebook posts (pages of 100) and
``--comments`` comments spread evenly over them (pages of 100 per post), shaped like the recorded
Graph payloads under ``tests/fixtures/payloads/facebook/`` (commenter ``from``, ``permalink_url``,
replies with ``parent``; some texts carry phone numbers, emails and HKID numbers to redact). Each
page is the raw response bytes a connector receives.

The measured path is the real one, per page: ``payload_json.loads`` (orjson) -> the Facebook
connector's mapping (``facebook.types.post_record`` / ``comment_record``) -> a ``Batch`` with its
``RawPayload`` (for comments, with the decoded page, as the connector passes it: ``privacy.with_decoded``) ->
``storage.store_batch``, as the runner and the importer store batches: ``BatchWriter.prepare`` (the
kept copy of the page scrubbed of commenters, personal data and secrets; the rows pseudonymised and
redacted), then the store's write lock and one transaction per page with ``BatchWriter.apply``
(batched upsert, checkpoint), page after page. Parsing and writing are timed apart. The same run
also measures:

* the same path in ``--processes`` processes side by side (default: the CPUs; 1 skips it), as
  ``govsocial collect --processes`` runs it: posts dealt out in turn, each process storing its
  pages through ``store_batch`` into the one store;

* a breakdown of where the time goes: privacy (pseudonyms, redaction, scrubbing the raw payload),
  building the rows, and the writing itself (raw payload row, upsert, checkpoint, commit; rows
  prepared beforehand), each on its own;
* the same pages stored again (every row a noop: what a re-run costs);
* a naive baseline: the same parsing and privacy, then one ORM object per comment, looked up by its
  natural key first (to stay idempotent) and committed one by one -- what a first attempt writes.
  It runs on ``--baseline`` comments only (it is slow) and is reported per second.

SQLite is a file in WAL mode (``govsocial.store.db.make_engine``'s pragmas); PostgreSQL runs when
``--postgres URL`` or ``GOVSOCIAL_TEST_POSTGRES_URL`` is given, in a fresh database dropped after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import json
import multiprocessing
import os
import platform
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from govsocial.collect import payload_json
from govsocial.collect.facebook import types
from govsocial.collect.privacy import Pseudonymiser, Redactions, redact, with_decoded
from govsocial.collect.records import Batch, CommentRecord, RawPayload
from govsocial.collect.storage import BatchWriter, StoreCounts, store_batch
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store import activity
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "payloads" / "facebook"
KEY = "bench-pseudonym-key"
SEED = 20251127
PAGE = 100
BASE_TIME = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
PAGE_ID = "1000001000"
SOURCE = "api:facebook"
#: Distinct commenters in the workload (people come back: about four comments each at 200,000).
CITIZENS = 50_000


# --- the workload -------------------------------------------------------------------------------


@dataclass
class Workload:
    """Raw response bodies: pages of posts, and pages of comments with the post they belong to."""

    post_pages: list[bytes]
    comment_pages: list[tuple[str, bytes]]
    posts: int
    comments: int


def _texts() -> list[str]:
    """Comment texts: the recorded ones, and some carrying personal data to redact."""
    found: list[str] = []
    for name in (
        "pyfacebook_comments_by_parent_p1.json",
        "pyfacebook_v4_comments_with_summary_p1.json",
        "pyfacebook_comments_comments_p1.json",
        "pyfacebook_comments_comments_p2.json",
    ):
        data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        found += [item["message"] for item in data["data"] if item.get("message")]
    found += [
        "請問幾時開放預約？我嘅電話係 9123 4567，唔該回覆。",
        "Please contact me at citizen.one@example.com about the permit.",
        "My HKID is A123456(3), the form keeps rejecting it",
        "政府應該早啲公布資料，而唔係等到最後一刻先講。",
        "Thank you for the update! 多謝更新資訊 👍",
    ]
    return found


def _post_item(template: dict[str, Any], index: int, comments: int) -> dict[str, Any]:
    item = {k: v for k, v in template.items() if k not in ("id", "created_time", "comments")}
    obj = str(int(PAGE_ID) * 100_000 + index)
    created = BASE_TIME - dt.timedelta(minutes=30 * index)
    item.update(
        id=f"{PAGE_ID}_{obj}",
        created_time=created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        permalink_url=f"https://www.facebook.com/{PAGE_ID}/posts/{obj}/",
        comments={"data": [], "summary": {"order": "chronological", "total_count": comments}},
    )
    return item


def _comment_item(rng: random.Random, texts: list[str], post: dict[str, Any], k: int) -> dict[str, Any]:
    obj = post["id"].split("_", 1)[1]
    cid = str(int(obj) * 1000 + k)
    created = dt.datetime.strptime(post["created_time"], "%Y-%m-%dT%H:%M:%S%z") + dt.timedelta(seconds=7 * k)
    citizen = rng.randrange(CITIZENS)
    item: dict[str, Any] = {
        "id": f"{obj}_{cid}",
        "created_time": created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "from": {"name": f"Citizen {citizen}", "id": str(9_000_000_000 + citizen)},
        "message": rng.choice(texts),
        "like_count": rng.randrange(20),
        "comment_count": 0,
        "can_comment": True,
        "can_like": True,
        "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/{obj}/?comment_id={cid}",
    }
    if k % 4 == 3:  # every fourth is a reply to the first comment of the post
        item["parent"] = {"id": f"{obj}_{int(obj) * 1000}"}
    if k % 25 == 24:  # and now and then the page itself answers
        item["from"] = {"name": "The Page", "id": PAGE_ID}
    return item


def generate(comments: int, posts: int, seed: int = SEED) -> Workload:
    """A deterministic workload of ``posts`` posts and ``comments`` comments spread over them."""
    rng = random.Random(seed)
    texts = _texts()
    templates = []
    for name in (
        "pyfacebook_v4_posts_with_reactions_by_type_p1.json",
        "pyfacebook_posts_feeds_default_fields_p1.json",
    ):
        templates += json.loads((FIXTURES / name).read_text(encoding="utf-8"))["data"]
    per_post = [comments // posts + (1 if i < comments % posts else 0) for i in range(posts)]
    items = [_post_item(templates[i % len(templates)], i, per_post[i]) for i in range(posts)]
    post_pages = [_page(items[i : i + PAGE], i + PAGE < posts) for i in range(0, posts, PAGE)]
    comment_pages = []
    for post, count in zip(items, per_post, strict=True):
        stream = [_comment_item(rng, texts, post, k) for k in range(count)]
        for i in range(0, count, PAGE):
            comment_pages.append((post["id"], _page(stream[i : i + PAGE], i + PAGE < count)))
    return Workload(post_pages, comment_pages, posts, comments)


def _page(items: list[dict[str, Any]], more: bool) -> bytes:
    paging: dict[str, Any] = {"cursors": {"before": "QVFIUmJlZm9yZQ", "after": "QVFIUmFmdGVy"}}
    if more:
        paging["next"] = (
            "https://graph.facebook.com/v23.0/x/comments?access_token=EAAbench&after=QVFIUmFmdGVy"
        )
    return json.dumps({"data": items, "paging": paging}, ensure_ascii=False).encode("utf-8")


# --- the measured path --------------------------------------------------------------------------


def _raw(body: bytes, source: str) -> RawPayload:
    return RawPayload(
        source=source,
        location="https://graph.facebook.com/v23.0/...?access_token=***",
        fetched_at=dt.datetime.now(dt.UTC),
        status=200,
        body=body.decode("utf-8"),
    )


def parse_posts(body: bytes, taken_at: dt.datetime) -> Batch:
    """A page of posts as the connector yields it."""
    data = payload_json.loads(body)
    posts = [types.post_record(item, PAGE_ID, taken_at) for item in data["data"]]
    return Batch(
        edge="posts",
        # As the connector does since it redacts posts pages too: the decoded page goes with it.
        raw=with_decoded(_raw(body, "facebook:/{page}/posts"), data),
        posts=posts,
        checkpoint={"after": "QVFIUmFmdGVy"},
    )


def parse_comments(post_id: str, body: bytes) -> Batch:
    """A page of comments as the connector yields it."""
    data = payload_json.loads(body)
    comments = [types.comment_record(item, post_id, PAGE_ID) for item in data["data"]]
    # As the connector does: the decoded page goes with the raw payload (privacy.with_decoded).
    raw = with_decoded(_raw(body, "facebook:/{post-id}/comments"), data)
    return Batch(edge=f"comments:{post_id}", raw=raw, comments=comments, checkpoint={"complete": True})


@dataclass
class Store:
    """A migrated store with the registry loaded; ``account_id`` is the Facebook account written to."""

    name: str
    engine: Engine
    sessions: sessionmaker[Session]
    account_id: int

    def writer(self) -> BatchWriter:
        """The writer the runner would use for this account."""
        return BatchWriter(None, SOURCE, lambda _p, _r: self.account_id, Pseudonymiser(KEY), self.account_id)


@contextmanager
def sqlite_store(folder: Path, name: str) -> Iterator[Store]:
    """A fresh SQLite file (WAL) under ``folder``."""
    yield from _store(f"sqlite:///{folder / name}.db", f"SQLite ({name})")


@contextmanager
def postgres_store(url: str, name: str) -> Iterator[Store]:
    """A fresh database on the PostgreSQL server at ``url``; dropped afterwards."""
    database = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield from _store(url.rsplit("/", 1)[0] + f"/{database}", f"PostgreSQL ({name})")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def _store(url: str, name: str) -> Iterator[Store]:
    engine = make_engine(url)
    upgrade(engine)
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="bench", only="hk")
    sessions = session_factory(engine)
    with sessions() as session:
        account_id = session.scalars(
            select(t.Account.id).where(t.Account.platform == "facebook").order_by(t.Account.id)
        ).first()
    assert account_id is not None, "the bundled registry has no Facebook account"
    try:
        yield Store(name, engine, sessions, account_id)
    finally:
        engine.dispose()


# --- measurements -------------------------------------------------------------------------------


@dataclass
class Result:
    """One measured step: rows handled in seconds."""

    label: str
    rows: int
    seconds: float
    unit: str = "comments"
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


@dataclass
class Report:
    """Every result of one backend."""

    backend: str
    results: list[Result] = field(default_factory=list)

    def add(self, result: Result) -> Result:
        self.results.append(result)
        print(
            f"  {result.label:<46} {result.rows:>8} {result.unit:<8} {result.seconds:8.2f} s "
            f"{result.rate:>10,.0f} /s {result.note}",
            flush=True,
        )
        return result


def timed(func: Callable[[], Any]) -> tuple[Any, float]:
    """``func()`` and the seconds it took."""
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def write_all(store: Store, batches: list[Batch]) -> StoreCounts:
    """Store each batch in its own transaction, as the runner does."""
    writer, counts = store.writer(), StoreCounts()
    for batch in batches:
        store_batch(store.engine, store.sessions, writer, batch, counts)
    return counts


def ingest(store: Store, work: Workload, report: Report) -> None:
    """The real path from raw bytes, posts first (comments need their posts), then again (noops).

    Each page is parsed, then written, before the next is read, as the runner does. (Parsing every
    page first, as this benchmark did before, held 200,000 records at once, and the garbage
    collector's walks over them were charged to parsing: 11 µs a comment instead of 7.)
    """
    taken_at = dt.datetime.now(dt.UTC)
    pages = [lambda body=body: parse_posts(body, taken_at) for body in work.post_pages]
    counts, parse, write = read_and_write(store, pages)
    assert counts.counts["posts.insert"] == work.posts, counts.as_dict()
    report.add(Result("posts: raw JSON -> store (real path)", work.posts, parse + write, "posts"))
    comments(store, work, report, "comments: raw JSON -> store (real path)", "insert")
    comments(store, work, report, "comments: the same again (all noop)", "noop")


def read_and_write(store: Store, pages: Sequence[Callable[[], Batch]]) -> tuple[StoreCounts, float, float]:
    """Each page parsed, then written in its own transaction; the counts, and the seconds spent
    parsing and writing (timed apart, page by page)."""
    writer, counts = store.writer(), StoreCounts()
    parse = write = 0.0
    clock = time.perf_counter
    for page in pages:
        start = clock()
        batch = page()
        parsed = clock()
        store_batch(store.engine, store.sessions, writer, batch, counts)  # prepare; lock; transaction
        written = clock()
        parse += parsed - start
        write += written - parsed
    return counts, parse, write


def comments(store: Store, work: Workload, report: Report, label: str, outcome: str) -> None:
    """Every page of comments parsed and written; each comment must have ``outcome``."""
    pages = [functools.partial(parse_comments, p, body) for p, body in work.comment_pages]
    counts, parse, write = read_and_write(store, pages)
    assert counts.counts[f"comments.{outcome}"] == work.comments, counts.as_dict()
    report.add(Result(label, work.comments, parse + write))
    report.add(Result("  of which parse+map (payload_json.loads, types, Batch)", work.comments, parse))
    report.add(Result("  of which BatchWriter.write", work.comments, write))


def in_processes(store: Store, work: Workload, report: Report, count: int) -> None:
    """The real path in ``count`` processes side by side, as ``govsocial collect --processes`` runs
    it: posts dealt out in turn (as accounts are), each process parsing its pages and storing each
    with ``store_batch`` (prepared, then written holding the store's write lock). Timed from the
    moment every process is ready (each generates the same workload first) to the last one's end."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(count + 1), context.Queue()
    url = store.engine.url.render_as_string(hide_password=False)
    args = (url, store.account_id, work.comments, work.posts, count, ready, results)
    workers = [context.Process(target=_share, args=(k, *args)) for k in range(count)]
    for worker in workers:
        worker.start()
    ready.wait()
    start = time.perf_counter()
    inserted = sum(results.get() for _ in workers)
    seconds = time.perf_counter() - start
    for worker in workers:
        worker.join()
    assert inserted == work.comments, (inserted, work.comments)
    report.add(
        Result(
            f"comments: raw JSON -> store, {count} processes",
            work.comments,
            seconds,
            note="(the real path in each, posts dealt out in turn)",
        )
    )


def _share(
    index: int, url: str, account_id: int, comments: int, posts: int, count: int, ready: Any, results: Any
) -> None:
    """One process of ``in_processes``: the comment pages of every ``count``-th post, stored."""
    work = generate(comments, posts)
    order = {post: i for i, post in enumerate(dict.fromkeys(p for p, _ in work.comment_pages))}
    pages = [(p, body) for p, body in work.comment_pages if order[p] % count == index]
    engine = make_engine(url)
    store = Store(f"share {index}", engine, session_factory(engine), account_id)
    ready.wait()
    counts, _parse, _write = read_and_write(store, [partial(parse_comments, p, b) for p, b in pages])
    engine.dispose()
    results.put(counts.counts["comments.insert"])


def breakdown(store: Store, work: Workload, report: Report) -> None:
    """The parts of ``BatchWriter.write`` for comments, each measured on its own: privacy (pseudonyms,
    redaction, scrubbing the raw payload), building the rows, and then the writing into ``store``
    with all of that done beforehand (raw payload row, post ids, upsert, checkpoint, commit)."""
    batches = [parse_comments(p, body) for p, body in work.comment_pages]
    # Every page is held at once here (records and decoded pages: millions of objects), which the
    # page-by-page path never does; frozen, the garbage collector does not walk them each time
    # it runs (that would be charged to whichever part is being timed).
    gc.collect()
    gc.freeze()
    try:
        _breakdown(store, batches, report)
    finally:
        gc.unfreeze()


def _breakdown(store: Store, batches: list[Batch], report: Report) -> None:
    writer = store.writer()
    pseudonymise = Pseudonymiser(KEY)
    comments = [c for b in batches for c in b.comments]
    _, seconds = timed(lambda: [pseudonymise("facebook", c.author_id) for c in comments])
    report.add(Result("  privacy: pseudonyms (HMAC-SHA256)", len(comments), seconds))
    _, seconds = timed(lambda: [redact(c.text) for c in comments])
    report.add(Result("  privacy: redact comment texts", len(comments), seconds))
    # As ``BatchWriter.write`` does: one ``Redactions`` per page, for its kept copy and then its rows.
    redactions = [Redactions() for _ in batches]
    pages = list(zip(batches, redactions, strict=True))
    scrubbed, seconds = timed(lambda: [_scrub(b, writer, r) for b, r in pages])
    report.add(
        Result(
            "  privacy: scrub raw payloads",
            len(comments),
            seconds,
            note="(scrub_payload of the decoded page, encode)",
        )
    )
    with store.sessions() as session:
        post_keys = activity.post_ids(session, {("facebook", c.post_id) for c in comments})

    def rows_of(batch: Batch, redactions: Redactions) -> list[dict[str, Any]]:
        # As ``BatchWriter`` makes them (``prepare``), with the post's row as ``apply`` sets it.
        return [
            {**writer._comment_row(c, redactions), "post_id": post_keys[("facebook", c.post_id)]}
            for c in batch.comments
        ]

    rows, seconds = timed(lambda: [rows_of(b, r) for b, r in pages])
    report.add(
        Result(
            "  row dicts incl. pseudonym+redact",
            len(comments),
            seconds,
            note="(texts redacted for the kept copy already)",
        )
    )

    parts = dict.fromkeys(("raw payload row", "post ids", "upsert comments", "checkpoint", "commit"), 0.0)
    clock = time.perf_counter
    for batch, page_rows, body in zip(batches, rows, scrubbed, strict=True):
        assert batch.raw is not None
        raw = {"run_id": None, "account_id": store.account_id, **batch.raw.model_dump(), "body": body}
        with store.sessions() as session:
            with session.begin():
                start = clock()
                activity.insert_row(session, t.RawPayloadRow, raw)  # as BatchWriter._raw does
                raw_done = clock()
                activity.post_ids(session, {("facebook", batch.comments[0].post_id)})
                ids_done = clock()
                activity.upsert_comments(session, page_rows)
                upserted = clock()
                activity.save_checkpoint(session, store.account_id, batch.edge, {"complete": True})
                saved = clock()
            committed = clock()
        times = (
            raw_done - start,
            ids_done - raw_done,
            upserted - ids_done,
            saved - upserted,
            committed - saved,
        )
        for part, seconds in zip(parts, times, strict=True):
            parts[part] += seconds
    for part, seconds in parts.items():
        report.add(Result(f"  write: {part}", len(comments), seconds))
    report.add(Result("  write: all of these", len(comments), sum(parts.values())))


def _scrub(batch: Batch, writer: BatchWriter, redactions: Redactions) -> str:
    """The raw body as ``BatchWriter._raw`` stores it for a page of comments."""
    assert batch.raw is not None
    return writer._kept_comments(batch.raw, "facebook", redactions)


def baseline(store: Store, work: Workload, limit: int, report: Report) -> None:
    """The naive way: parse and protect the same, then one ORM insert and one commit per comment."""
    pseudonymise = Pseudonymiser(KEY)
    done = 0

    def run() -> None:
        nonlocal done
        with store.sessions() as session:
            post_ids = {p: i for p, i in session.execute(select(t.Post.post_id, t.Post.id))}
            for post_id, body in work.comment_pages:
                for item in json.loads(body)["data"]:
                    if done >= limit:
                        return
                    comment = types.comment_record(item, post_id, PAGE_ID)
                    _naive_insert(session, comment, post_ids, pseudonymise)
                    done += 1

    _, seconds = timed(run)
    report.add(
        Result(
            "baseline: row by row, commit per row",
            done,
            seconds,
            note="(same parse+privacy; ORM add + commit each)",
        )
    )


def _naive_insert(
    session: Session, c: CommentRecord, post_ids: dict[str, int], pseudonymise: Pseudonymiser
) -> None:
    exists = session.scalar(
        select(t.Comment.id).where(t.Comment.platform == c.platform, t.Comment.comment_id == c.comment_id)
    )
    if exists is None:
        session.add(
            t.Comment(
                post_id=post_ids[c.post_id],
                platform=c.platform,
                comment_id=c.comment_id,
                parent_comment_id=c.parent_id,
                created_at=c.created_at,
                author=pseudonymise(c.platform, c.author_id),
                is_page_reply=c.is_page_reply,
                text=redact(c.text),
                likes=c.likes,
                replies=c.replies,
                source=SOURCE,
                content_hash="",
            )
        )
    session.commit()


def run_backend(
    opener: Callable[[str], Any], label: str, work: Workload, baseline_rows: int, processes: int
) -> Report:
    """Every measurement on one backend, each in a fresh store."""
    report = Report(label)
    print(f"\n{label}", flush=True)
    with opener("ingest") as store:
        ingest(store, work, report)
    if processes > 1:
        with opener("processes") as store:
            write_all(store, [parse_posts(body, dt.datetime.now(dt.UTC)) for body in work.post_pages])
            in_processes(store, work, report, processes)
    with opener("breakdown") as store:
        write_all(store, [parse_posts(body, dt.datetime.now(dt.UTC)) for body in work.post_pages])
        breakdown(store, work, report)
    with opener("baseline") as store:
        write_all(store, [parse_posts(body, dt.datetime.now(dt.UTC)) for body in work.post_pages])
        baseline(store, work, baseline_rows, report)
    return report


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=200_000, help="comments to ingest (200000)")
    parser.add_argument("--posts", type=int, default=2_000, help="posts they are spread over (2000)")
    parser.add_argument("--baseline", type=int, default=5_000, help="comments for the naive baseline (5000)")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes side by side for the multi-process figure (CPUs; 1: skip)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("GOVSOCIAL_TEST_POSTGRES_URL"),
        help="PostgreSQL server URL (default: $GOVSOCIAL_TEST_POSTGRES_URL; none: skip)",
    )
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
    work, seconds = timed(lambda: generate(args.comments, args.posts))
    size = sum(len(b) for _, b in work.comment_pages) / 1e6
    print(
        f"workload: {work.posts} posts, {work.comments} comments in {len(work.comment_pages)} pages "
        f"({size:.0f} MB of JSON), generated in {seconds:.1f} s"
    )
    folder = Path(tempfile.mkdtemp(prefix="govsocial-bench-"))
    try:
        run_backend(
            lambda name: sqlite_store(folder, name), "SQLite (file, WAL)", work, args.baseline, args.processes
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.postgres:
        run_backend(
            lambda name: postgres_store(args.postgres, name),
            "PostgreSQL",
            work,
            args.baseline,
            args.processes,
        )


if __name__ == "__main__":
    main()
