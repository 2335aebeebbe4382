"""The serving benchmark's store: a large government in SQLite, with its precomputed scorecard.

    .venv/bin/python -m bench.serve_data [--organisations 1000] [--accounts 10000] [--months 12]
                                         [--comments 10000000] [--posts-per-account 20] [--quick]

Built on the real schema (``store.db.upgrade``) with bulk inserts through SQLAlchemy Core, and
cached under ``var/bench/`` by its parameters (and the schema's newest migration), so a second run
takes no time. Deterministic (one seed). What it holds:

* the bundled Hong Kong registry (``registry load``: the jurisdiction, the platform catalogue and
  the real organisations and accounts), topped up with invented organisations (bilingual names,
  parents, sources) and accounts (Facebook, Instagram, X, YouTube, Threads, RSS, LinkedIn, Flickr;
  bilingual display names, evidence URL, note and date, one address each; mostly published, some
  under review or archived) to the sizes asked for;
* ``metric_values`` as ``metrics refresh`` would leave them after a year of collection with
  ``--comments`` comments: every registered metric for every account, organisation, platform and
  the government, for each of ``--months`` months, under the default parameters' digest. Each
  account-month gets a heavy-tailed share of the posts and comments, kept in each row's inputs;
  organisation, platform and government rows add up their accounts'. Values follow each metric's
  unit (counts, percentages, hours, scores), a few undefined (null);
* a moderate number of posts (``--posts-per-account`` per published account) with one engagement
  snapshot each, for the pages' recent-posts tables. No comments are stored: pages read the
  scorecard, not the comments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Connection, Engine, func, insert, select, text

from govsocial.analyze.metrics.model import Metric, Unit, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.registry.load import load_registry
from govsocial.registry.names import to_simplified
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t
from govsocial.store.db import make_engine, upgrade

console = Console()
SEED = 20261127
#: Bump when the generated content changes, so cached stores are rebuilt.
VERSION = 2
JURISDICTION = "hk"
OUT = PROJECT_ROOT / "var" / "bench"
YEAR = 2025
PLATFORMS = ("facebook", "instagram", "x", "youtube", "threads", "rss", "linkedin", "flickr")
PLATFORM_SHARE = (0.34, 0.18, 0.15, 0.09, 0.08, 0.08, 0.05, 0.03)
URLS = {
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}/",
    "x": "https://x.com/{}",
    "youtube": "https://www.youtube.com/@{}",
    "threads": "https://www.threads.net/@{}",
    "rss": "https://www.info.gov.hk/rss/{}.xml",
    "linkedin": "https://www.linkedin.com/company/{}",
    "flickr": "https://www.flickr.com/photos/{}",
}
TOPICS = (
    ("Transport", "運輸"),
    ("Housing", "房屋"),
    ("Water Supplies", "水務"),
    ("Drainage Services", "渠務"),
    ("Environmental Protection", "環境保護"),
    ("Food Safety", "食物安全"),
    ("Health", "衞生"),
    ("Social Welfare", "社會福利"),
    ("Education", "教育"),
    ("Labour", "勞工"),
    ("Fire Services", "消防"),
    ("Civil Aviation", "民航"),
    ("Marine", "海事"),
    ("Lands", "地政"),
    ("Planning", "規劃"),
    ("Buildings", "屋宇"),
    ("Highways", "路政"),
    ("Leisure and Cultural Services", "康樂及文化事務"),
    ("Tourism", "旅遊"),
    ("Innovation and Technology", "創新科技"),
    ("Trade and Industry", "工業貿易"),
    ("Immigration", "入境事務"),
    ("Customs and Excise", "海關"),
    ("Correctional Services", "懲教"),
    ("Census and Statistics", "統計"),
    ("Information Services", "新聞"),
    ("Youth", "青年"),
    ("Sports", "體育"),
    ("Heritage", "文物"),
    ("Agriculture and Fisheries", "漁農"),
    ("Electrical and Mechanical Services", "機電工程"),
    ("Architectural Services", "建築"),
    ("Legal Aid", "法律援助"),
    ("Intellectual Property", "知識產權"),
    ("Observatory", "天文"),
    ("Post", "郵政"),
    ("Rating and Valuation", "差餉物業估價"),
    ("Treasury", "庫務"),
    ("Employment", "就業"),
    ("Elderly Services", "安老服務"),
)
KINDS = (
    ("Department", "署", t.OrgType.DEPARTMENT),
    ("Office", "辦事處", t.OrgType.OFFICE),
    ("Board", "委員會", t.OrgType.STATUTORY_BODY),
    ("Authority", "管理局", t.OrgType.STATUTORY_BODY),
    ("Advisory Council", "諮詢委員會", t.OrgType.OTHER),
    ("Centre", "中心", t.OrgType.OTHER),
)
DISTRICTS = (
    ("Central and Western", "中西區"),
    ("Wan Chai", "灣仔"),
    ("Eastern", "東區"),
    ("Southern", "南區"),
    ("Yau Tsim Mong", "油尖旺"),
    ("Sham Shui Po", "深水埗"),
    ("Kowloon City", "九龍城"),
    ("Wong Tai Sin", "黃大仙"),
    ("Kwun Tong", "觀塘"),
    ("Tsuen Wan", "荃灣"),
    ("Tuen Mun", "屯門"),
    ("Yuen Long", "元朗"),
    ("North", "北區"),
    ("Tai Po", "大埔"),
    ("Sai Kung", "西貢"),
    ("Sha Tin", "沙田"),
    ("Kwai Tsing", "葵青"),
    ("Islands", "離島"),
)
POST_TEXTS = (
    (
        "Service notice: counters close early today for the typhoon signal.",
        "服務通告：因颱風信號，櫃位今日提早關閉。",
    ),
    ("Join our public consultation on the new district plan.", "歡迎參與新地區規劃公眾諮詢。"),
    ("Photos from this morning's open day. Thank you for coming!", "今早開放日花絮，多謝各位參與！"),
    ("Apply online: the new e-service is now live at gov.hk.", "網上申請：新電子服務現已於 gov.hk 推出。"),
)


@dataclass(frozen=True)
class Size:
    """What to build; the cache key is made of these."""

    organisations: int = 1000
    accounts: int = 10_000
    months: int = 12
    comments: int = 10_000_000
    posts_per_account: int = 20

    @property
    def posts(self) -> int:
        """Posts behind the scorecard: one for every ten comments, as in ``bench.metrics``."""
        return self.comments // 10

    def key(self) -> str:
        """A short digest of the size and the generator's version (a cached store is migrated to the
        newest schema when it is used, not rebuilt)."""
        blob = json.dumps([asdict(self), VERSION], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:10]


QUICK = Size(organisations=200, accounts=1000, months=12, comments=1_000_000, posts_per_account=5)


def metric_rows(size: Size, entities: int) -> int:
    """How many ``metric_values`` rows a store of ``size`` holds for ``entities`` scored entities."""
    return len(registry()) * entities * size.months


def build(size: Size, out: Path = OUT, force: bool = False) -> Path:
    """The store's file for ``size``: built now, or the cached one."""
    path = out / f"serve-{size.key()}.db"
    if path.exists() and not force:
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine)  # migrations added since it was built
        finally:
            engine.dispose()
        console.print(f"bench store: {path} (cached)")
        return path
    partial = path.with_suffix(".building")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    try:
        _fill(engine, size)
    finally:
        engine.dispose()
    partial.replace(path)
    console.print(f"bench store: {path} ({path.stat().st_size / 1e6:,.0f} MB)")
    return path


def _fill(engine: Engine, size: Size) -> None:
    upgrade(engine)
    load_registry(engine, PROJECT_ROOT / "data" / "registry", "bench", only=JURISDICTION)
    rng = np.random.default_rng(SEED)
    with engine.begin() as conn:
        # A throwaway build: no need to survive a power cut while it is written.
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-400000")
        org_ids = _organisations(conn, size, rng)
        _accounts(conn, size, rng, org_ids)
        _posts(conn, size, rng)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-400000")
        _metric_values(conn, size, rng)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# --- The registry, topped up ---------------------------------------------------------------------


def _org_names(count: int) -> Iterator[tuple[str, str]]:
    """Distinct bilingual names: topic × kind, then the same in each district."""
    for district_en, district_zh in (("", ""), *DISTRICTS):
        for topic_en, topic_zh in TOPICS:
            for kind_en, kind_zh, _ in KINDS:
                if count <= 0:
                    return
                count -= 1
                prefix_en = f"{district_en} District " if district_en else ""
                yield f"{prefix_en}{topic_en} {kind_en}", f"{district_zh}{topic_zh}{kind_zh}"


def _organisations(conn: Connection, size: Size, rng: np.random.Generator) -> list[int]:
    """Invented organisations up to ``size.organisations``; the ids of every organisation."""
    existing = list(conn.scalars(select(t.Organisation.id).order_by(t.Organisation.id)))
    missing = max(0, size.organisations - len(existing))
    now = dt.datetime(YEAR + 1, 1, 5, tzinfo=dt.UTC)
    rows = []
    for n, (en, zh) in enumerate(_org_names(missing)):
        kind = KINDS[n % len(KINDS)][2]
        rows.append(
            {
                "jurisdiction": JURISDICTION,
                "code": f"bench-{n:04d}",
                "org_type": kind,
                "parent_id": int(rng.choice(existing)) if existing and rng.random() < 0.5 else None,
                "name_en": en,
                "name_zh_hant": zh,
                "name_zh_hans": to_simplified(zh),
                "website": f"https://www.bench-{n:04d}.gov.hk/",
                "source": "Invented for the serving benchmark (bench/serve_data.py)",
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        conn.execute(insert(t.Organisation), rows)
    return list(conn.scalars(select(t.Organisation.id).where(t.Organisation.jurisdiction == JURISDICTION)))


def _accounts(conn: Connection, size: Size, rng: np.random.Generator, org_ids: list[int]) -> None:
    """Invented accounts up to ``size.accounts``, owned by organisations with a heavy tail."""
    have = conn.scalar(
        select(func.count()).select_from(t.Account).where(t.Account.jurisdiction == JURISDICTION)
    )
    missing = max(0, size.accounts - (have or 0))
    first_id = (conn.scalar(select(func.max(t.Account.id))) or 0) + 1
    # Heavy-tailed but bounded: the busiest organisations have a few dozen accounts, as in Hong Kong.
    weights = np.minimum(rng.pareto(1.2, len(org_ids)) + 1, 8)
    owners = rng.choice(org_ids, missing, p=weights / weights.sum())
    platforms = rng.choice(len(PLATFORMS), missing, p=PLATFORM_SHARE)
    status = rng.choice(list(t.AccountStatus), missing, p=[0.9, 0.06, 0.04])
    names = dict(conn.execute(select(t.Organisation.id, t.Organisation.name_zh_hant)).all())
    names_en = dict(conn.execute(select(t.Organisation.id, t.Organisation.name_en)).all())
    accounts, links, addresses = [], [], []
    for n in range(missing):
        account_id, platform, owner = first_id + n, PLATFORMS[platforms[n]], int(owners[n])
        handle = f"hkgov.bench{n:05d}"
        accounts.append(
            _account(account_id, platform, handle, str(status[n]), names_en[owner], names[owner], n)
        )
        links.append({"account_id": account_id, "organisation_id": owner, "position": 0})
        if rng.random() < 0.05:  # some accounts are shared by two organisations
            second = int(rng.choice(org_ids))
            if second != owner:
                links.append({"account_id": account_id, "organisation_id": second, "position": 1})
        addresses.append(
            {
                "account_id": account_id,
                "platform": platform,
                "kind": "handle",
                "key": handle,
                "value": handle,
                "url": URLS[platform].format(handle),
            }
        )
    for table, rows in (
        (t.Account, accounts),
        (t.AccountOrganisation, links),
        (t.AccountAddressRow, addresses),
    ):
        if rows:
            conn.execute(insert(table), rows)


def _account(
    account_id: int, platform: str, handle: str, status: str, owner_en: str, owner_zh: str | None, n: int
) -> dict[str, Any]:
    day = dt.date(2015, 1, 1) + dt.timedelta(days=n % 3650)
    evidence = f"https://www.info.gov.hk/gia/general/{day:%Y%m}/{day:%d}/P{day:%Y%m%d}{n % 1000:04d}.htm"
    zh = f"{owner_zh or owner_en} {n % 7 or ''}".strip()
    now = dt.datetime(YEAR + 1, 1, 5, tzinfo=dt.UTC)
    return {
        "id": account_id,
        "jurisdiction": JURISDICTION,
        "platform": platform,
        "kind": "handle",
        "handle": handle,
        "key": handle,
        "url": URLS[platform].format(handle),
        "display_name_en": f"{owner_en} {n % 7 or ''}".strip(),
        "display_name_zh_hant": zh,
        "display_name_zh_hans": to_simplified(zh),
        "languages": ["zh-hant", "en"],
        "tags": [],
        "status": status,
        "evidence_url": evidence,
        "evidence_note": f"Source: press release announcing the account | Date: {day:%Y-%m-%d}",
        "evidence_date": day,
        "reviewed_on": dt.date(YEAR, 6, 1),
        "archived_on": dt.date(YEAR, 3, 1) if status == t.AccountStatus.ARCHIVED else None,
        "archived_reason": "Closed by its owner" if status == t.AccountStatus.ARCHIVED else None,
        "created_at": now,
        "updated_at": now,
    }


def _posts(conn: Connection, size: Size, rng: np.random.Generator) -> None:
    """``posts_per_account`` posts for each published account, each with one snapshot of its counts."""
    published = list(
        conn.execute(
            select(t.Account.id, t.Account.platform).where(t.Account.status == t.AccountStatus.PUBLISHED)
        )
    )
    start = dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC)
    posts: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    post_id = (conn.scalar(select(func.max(t.Post.id))) or 0) + 1
    for account_id, platform in published:
        for seconds in np.sort(rng.integers(0, 365 * 86_400, size.posts_per_account)):
            created = start + dt.timedelta(seconds=int(seconds))
            en, zh = POST_TEXTS[post_id % len(POST_TEXTS)]
            posts.append(
                {
                    "id": post_id,
                    "account_id": account_id,
                    "platform": platform,
                    "post_id": f"bench-{post_id}",
                    "created_at": created,
                    "format": "image",
                    "text": f"{zh}\n{en}",
                    "url": f"https://example.invalid/{platform}/posts/{post_id}",
                    "media": [],
                    "source": "bench",
                    "first_seen_at": created,
                    "last_seen_at": created,
                    "content_hash": f"{post_id:032x}",
                }
            )
            likes = int(rng.pareto(1.5) * 40)
            snapshots.append(
                {
                    "post_id": post_id,
                    "taken_at": created + dt.timedelta(days=2),
                    "likes": likes,
                    "comments": likes // 10,
                    "shares": likes // 20,
                }
            )
            post_id += 1
    for table, rows in ((t.Post, posts), (t.PostSnapshot, snapshots)):
        for chunk in _chunks(rows, 20_000):
            conn.execute(insert(table), chunk)


# --- The scorecard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """Posts, comments and followers per entity and month (rows: entities; columns: months)."""

    entities: list[tuple[str, str]]  # (level, entity)
    posts: np.ndarray
    comments: np.ndarray
    followers: np.ndarray


def _activity(conn: Connection, size: Size, rng: np.random.Generator) -> Activity:
    """Account-months with a heavy-tailed share of the posts and comments; owners, platforms and the
    government add up their accounts'."""
    accounts = list(conn.execute(select(t.Account.id, t.Account.platform).order_by(t.Account.id)))
    owner_of = dict(
        conn.execute(
            select(t.AccountOrganisation.account_id, t.Organisation.code)
            .join(t.Organisation)
            .where(t.AccountOrganisation.position == 0)
        ).all()
    )
    share = (rng.pareto(1.1, len(accounts)) + 0.05)[:, None] * rng.gamma(
        4, 0.25, (len(accounts), size.months)
    )
    share /= share.sum()
    comments = rng.poisson(share * size.comments)
    posts = rng.poisson(share * size.posts)
    growth = np.linspace(1, 1.1, size.months)[None, :]
    followers = ((rng.pareto(1.0, len(accounts)) * 2_000 + 100)[:, None] * growth).astype(np.int64)
    groups: dict[tuple[str, str], list[int]] = {}
    for row, (account_id, platform) in enumerate(accounts):
        for key in (
            ("organisation", owner_of.get(account_id)),
            ("platform", platform),
            ("government", JURISDICTION),
        ):
            if key[1] is not None:
                groups.setdefault((key[0], str(key[1])), []).append(row)
    codes = conn.scalars(select(t.Organisation.code).where(t.Organisation.jurisdiction == JURISDICTION))
    for code in codes:  # organisations without accounts have a (zero) scorecard too
        groups.setdefault(("organisation", code), [])
    entities = [("account", str(account_id)) for account_id, _ in accounts] + sorted(groups)

    def total(values: np.ndarray) -> np.ndarray:
        return np.vstack(
            [values, *(values[rows].sum(axis=0, keepdims=True) for _, rows in sorted(groups.items()))]
        )

    return Activity(entities, total(posts), total(comments), total(followers))


def _value(metric: Metric, posts: int, comments: int, rng: np.random.Generator) -> float | None:
    """A plausible value of ``metric`` for an entity-month with this activity; None when undefined."""
    if metric.unit is not Unit.COUNT and posts == 0:
        return None
    match metric.unit:
        case Unit.COUNT:
            return float(comments if "comment" in metric.name else posts)
        case Unit.PERCENT:
            return round(float(rng.beta(2, 5)) * 100, 3)
        case Unit.PER_MILLE:
            return round(float(rng.gamma(2, 3)), 3)
        case Unit.HOURS:
            return round(float(rng.lognormal(2, 1)), 2)
        case _:
            return round(float(rng.beta(2, 2)) * 100, 2)


def _metric_values(conn: Connection, size: Size, rng: np.random.Generator) -> None:
    """Every metric for every entity and month, in key order (so the indexes grow at their ends)."""
    activity = _activity(conn, size, rng)
    metrics = sorted(registry().values(), key=lambda m: m.name)
    periods = [f"{YEAR}-{month:02d}" for month in range(13 - size.months, 13)]
    params, computed = MetricParams().digest(), dt.datetime(YEAR + 1, 1, 5, tzinfo=dt.UTC)
    order = sorted(range(len(activity.entities)), key=lambda i: activity.entities[i])
    total = metric_rows(size, len(order))
    console.print(
        f"metric_values: {len(metrics)} metrics × {len(order):,} entities × {size.months} months "
        f"= {total:,} rows"
    )
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("metric_values", total=total)
        rows: list[dict[str, Any]] = []
        for i in order:
            level, entity = activity.entities[i]
            for m, period in enumerate(periods):
                p, c = int(activity.posts[i, m]), int(activity.comments[i, m])
                inputs = {"posts": p, "comments": c, "followers": int(activity.followers[i, m])}
                for metric in metrics:
                    rows.append(
                        {
                            "jurisdiction": JURISDICTION,
                            "metric": metric.name,
                            "level": level,
                            "entity": entity,
                            "period_kind": "month",
                            "period": period,
                            "value": _value(metric, p, c, rng),
                            "inputs": inputs,
                            "params": params,
                            "computed_at": computed,
                        }
                    )
            if len(rows) >= 50_000:
                conn.execute(insert(t.MetricValue), rows)
                progress.advance(task, len(rows))
                rows = []
        if rows:
            conn.execute(insert(t.MetricValue), rows)


def _chunks(rows: Sequence[dict[str, Any]], n: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), n):
        yield rows[start : start + n]


def counts(path: Path) -> dict[str, int]:
    """Rows of the tables the benchmark reads."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return {
                name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608
                for name in ("organisations", "accounts", "posts", "metric_values")
            }
    finally:
        engine.dispose()


def size_arguments(parser: argparse.ArgumentParser) -> None:
    """The size options, shared with ``bench.serve``."""
    default = Size()
    parser.add_argument("--organisations", type=int, default=default.organisations)
    parser.add_argument("--accounts", type=int, default=default.accounts)
    parser.add_argument("--months", type=int, default=default.months, help="months of metric values")
    parser.add_argument(
        "--comments", type=int, default=default.comments, help="comments behind the scorecard (its inputs)"
    )
    parser.add_argument(
        "--posts-per-account",
        type=int,
        default=default.posts_per_account,
        help="stored posts per published account (recent-posts tables)",
    )
    parser.add_argument("--quick", action="store_true", help=f"a small store to try it: {QUICK}")
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")


def size_of(args: argparse.Namespace) -> Size:
    """The size the options ask for."""
    if args.quick:
        return QUICK
    return Size(args.organisations, args.accounts, args.months, args.comments, args.posts_per_account)


def main(argv: list[str] | None = None) -> None:
    """Build (or find) the store and print its path and row counts."""
    parser = argparse.ArgumentParser(prog="python -m bench.serve_data", description=__doc__.splitlines()[0])
    size_arguments(parser)
    args = parser.parse_args(argv)
    path = build(size_of(args), force=args.rebuild)
    console.print(counts(path))


if __name__ == "__main__":
    main()
