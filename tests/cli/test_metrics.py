"""``govsocial metrics``: list, show (stored values), compute (DuckDB and Spark, on Parquet frames or
the store), refresh and export-frames, run in-process with Typer's runner."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from govsocial.analyze.metrics.model import registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.cli.main import app
from govsocial.store import tables as t
from govsocial.store.db import make_engine, upgrade
from tests.analyze.builders import build, hk
from tests.cli.sample_store import cli, refresh, sample_store

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, standard output (where JSON goes) and everything printed."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.output


@pytest.fixture
def frames_dir(tmp_path: Path) -> Path:
    """Parquet frames: a Facebook page (2 posts in October 2026, 1 in November) and an X account."""
    posts = [
        {
            "post_id": 1,
            "account_id": 1,
            "platform": "facebook",
            "ts": hk(2026, 10, 1),
            "reactions": 10,
            "comments": 1,
        },
        {
            "post_id": 2,
            "account_id": 1,
            "platform": "facebook",
            "ts": hk(2026, 10, 2),
            "reactions": 20,
            "shares": 1,
        },
        {"post_id": 3, "account_id": 1, "platform": "facebook", "ts": hk(2026, 11, 1), "reactions": 5},
        {
            "post_id": 4,
            "account_id": 2,
            "platform": "x",
            "ts": hk(2026, 10, 3),
            "reactions": 10,
            "shares": 2,
            "replies": 3,
        },
    ]
    accounts = [
        {"account_id": 1, "platform": "facebook", "handle": "page", "status": "active", "jurisdiction": "hk"},
        {"account_id": 2, "platform": "x", "handle": "tweets", "status": "active", "jurisdiction": "hk"},
    ]
    owners = [{"account_id": 1, "organisation": "isd", "organisation_kind": "department"}]
    folder = tmp_path / "frames"
    build(posts=posts, accounts=accounts, owners=owners, population=7_500_000).write_parquet(folder)
    return folder


def compute(frames_dir: Path, *args: str) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    code, out, everything = run("metrics", "compute", "--frames", str(frames_dir), "--json", *args)
    assert code == 0, everything
    return {(r["metric"], r["level"], r["entity"], r["period"]): r for r in json.loads(out)}


def test_list_names_every_metric_with_its_goal_and_formula() -> None:
    code, out, _ = run("metrics", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [m["name"] for m in listed] == list(registry())
    volume = next(m for m in listed if m["name"] == "post_volume")
    assert volume["goal"] == "presence" and volume["formula"] == registry()["post_volume"].formula
    code, _, text = run("metrics", "list")
    assert code == 0 and "post_volume" in text and "presence" in text


def test_compute_on_parquet_frames_at_every_level(frames_dir: Path) -> None:
    rows = compute(frames_dir, "--metric", "post_volume")
    assert rows[("post_volume", "account", "1", "2026-10")]["value"] == 2.0
    assert rows[("post_volume", "organisation", "isd", "2026-10")]["inputs"] == {"posts": 2}
    assert rows[("post_volume", "platform", "x", "2026-10")]["value"] == 1.0
    assert rows[("post_volume", "government", "hk", "2026-10")]["value"] == 3.0
    assert {r[0] for r in rows} == {"post_volume"}
    weekly = compute(frames_dir, "--metric", "post_volume", "--level", "government", "--period-kind", "week")
    assert {key[3] for key in weekly} == {"2026-W40", "2026-W44"}
    assert {key[1] for key in weekly} == {"government"}


def test_compute_parameters_change_the_numbers(frames_dir: Path) -> None:
    args = ("--metric", "interactions_per_post", "--level", "account")
    key = ("interactions_per_post", "account", "2", "2026-10")
    assert compute(frames_dir, *args)[key]["value"] == 12.0  # X: reposts + likes
    assert compute(frames_dir, *args, "--x-replies")[key]["value"] == 15.0  # + replies
    assert compute(frames_dir, *args, "--param", "x_count_replies=true")[key]["value"] == 15.0
    # each value names the digest of the parameters it was computed with, as `metrics show` does
    assert compute(frames_dir, *args)[key]["params"] == MetricParams().digest()
    replies = compute(frames_dir, *args, "--x-replies")[key]["params"]
    assert replies == MetricParams(x_count_replies=True).digest() != MetricParams().digest()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--param", "active_days=0"), ["active_days"]),
        (("--param", "no_such_parameter=1"), ["no_such_parameter"]),
        (("--param", "likes"), ["NAME=VALUE"]),
        (("--metric", "klout"), ["klout", "metrics list"]),
        (("--engine", "pandas"), ["pandas"]),
        (("--out", "values.xlsx"), ["values.xlsx", ".parquet"]),
    ],
)
def test_compute_refuses_bad_options_with_the_reason(
    frames_dir: Path, args: tuple[str, ...], words: list[str]
) -> None:
    code, _, text = run("metrics", "compute", "--frames", str(frames_dir), *args)
    assert code == 2
    assert all(word in text for word in words), text


def test_compute_writes_parquet_and_csv(frames_dir: Path, tmp_path: Path) -> None:
    for name in ("values.parquet", "values.csv"):
        out = tmp_path / name
        code, _, text = run(
            "metrics", "compute", "--frames", str(frames_dir), "-m", "post_volume", "--out", str(out)
        )
        assert code == 0, text
        if name.endswith(".parquet"):
            rows = pq.read_table(out).to_pylist()
        else:
            with out.open(encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        government = [r for r in rows if r["level"] == "government" and r["period"] == "2026-10"]
        assert float(government[0]["value"]) == 3.0 and json.loads(government[0]["inputs"]) == {"posts": 3}
        # each value names the digest of its parameters, as the stored ones do (`metrics show`)
        assert {r["params"] for r in rows} == {MetricParams().digest()}


def test_compute_refuses_frames_of_another_jurisdiction(frames_dir: Path) -> None:
    # The frames are Hong Kong's (meta.json): computing them as us-doc's would label HK's numbers
    # with the other government's name.
    code, _, text = run("metrics", "compute", "--frames", str(frames_dir), "--jurisdiction", "us-doc")
    flat = " ".join(text.split())
    assert code == 2 and "frames of 'hk'" in flat and "not of 'us-doc'" in flat, text
    assert compute(frames_dir, "--jurisdiction", "hk", "-m", "post_volume", "--level", "government")


def _under_review_frames(tmp_path: Path) -> Path:
    """Frames of a government whose only account is still under review (as us-doc's registry)."""
    accounts = [
        {"account_id": 1, "platform": "x", "handle": "a", "status": "under_review", "jurisdiction": "us"}
    ]
    posts = [{"post_id": 1, "account_id": 1, "platform": "x", "ts": hk(2026, 10, 1), "reactions": 3}]
    folder = tmp_path / "review"
    build("us", posts=posts, accounts=accounts).write_parquet(folder)
    return folder


def test_compute_says_why_it_found_no_value(tmp_path: Path) -> None:
    folder = _under_review_frames(tmp_path)
    code, out, text = run("metrics", "compute", "--frames", str(folder), "--level", "government", "--json")
    assert code == 0 and json.loads(out) == []  # stdout stays JSON; the reason goes to stderr
    flat = " ".join(text.split())
    assert "none of the 1 accounts of us is official" in flat and "account level only" in flat, text
    # the account level has the values
    assert compute(folder, "--level", "account", "-m", "post_volume")
    empty = tmp_path / "empty"
    build().write_parquet(empty)
    code, _, text = run("metrics", "compute", "--frames", str(empty))
    assert code == 0 and "hold no post, comment or follower count" in " ".join(text.split()), text


def test_compute_on_spark_gives_the_duckdb_numbers(frames_dir: Path) -> None:
    args = (
        "--metric",
        "post_volume",
        "--metric",
        "interactions_per_post",
        "--level",
        "account",
        "--level",
        "platform",
    )
    duck = compute(frames_dir, *args)
    spark = compute(frames_dir, *args, "--engine", "spark", "--spark-master", "local[2]")
    assert spark.keys() == duck.keys() and len(duck) >= 6
    for key, row in duck.items():
        assert spark[key]["value"] == pytest.approx(row["value"]) and spark[key]["inputs"] == row["inputs"], (
            key
        )


# --- Stored values -------------------------------------------------------------------------------


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty migrated store with a few ``metric_values`` rows."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("GOVSOCIAL_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    digest = MetricParams().digest()
    at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    rows = [
        ("post_volume", "government", "hk", "2026-09", 10.0, {"posts": 10}, digest),
        ("post_volume", "government", "hk", "2026-10", 12.0, {"posts": 12}, digest),
        ("post_volume", "organisation", "cfs", "2026-10", 1234.5, {"posts": 4}, digest),
        ("interactions_per_post", "government", "hk", "2026-10", None, {"posts": 0}, digest),
        ("post_volume", "government", "hk", "2026-10", 99.0, {"posts": 99}, "0123456789ab"),
    ]
    keys = ("metric", "level", "entity", "period", "value", "inputs", "params")
    with engine.begin() as connection:
        connection.execute(
            insert(t.MetricValue),
            [
                {
                    **dict(zip(keys, row, strict=True)),
                    "jurisdiction": "hk",
                    "period_kind": "month",
                    "computed_at": at,
                }
                for row in rows
            ],
        )
    engine.dispose()
    return url


def test_show_filters_stored_values(stored: str) -> None:
    code, out, text = run("metrics", "show", "--level", "government", "--metric", "post_volume", "--json")
    assert code == 0, text
    assert [(r["period"], r["value"]) for r in json.loads(out)] == [("2026-10", 12.0), ("2026-09", 10.0)]
    code, out, _ = run("metrics", "show", "--entity", "cfs", "--json")
    assert [r["inputs"] for r in json.loads(out)] == [{"posts": 4}]
    code, out, _ = run("metrics", "show", "--digest", "0123456789ab", "--json")
    assert [r["value"] for r in json.loads(out)] == [99.0]
    code, out, _ = run("metrics", "show", "--period", "2026-W39", "--period-kind", "week", "--json")
    assert code == 0 and json.loads(out) == []
    # A month's label with --period-kind week names no period: refused, as the API refuses it.
    code, _, text = run("metrics", "show", "--period", "2026-09", "--period-kind", "week", "--json")
    assert code == 2 and "'2026-09' is a month label" in " ".join(text.split())


def test_show_prints_a_table_with_inputs(stored: str) -> None:
    code, _, text = run("metrics", "show", "--period", "2026-10")
    assert code == 0, text
    assert "3 of 3 values" in text
    assert "1,234" in text and "posts 4" in text  # large numbers grouped, inputs beside the value
    assert "—" in text  # an undefined value is shown as such, not as 0
    code, _, text = run("metrics", "show", "--metric", "klout")
    assert code == 2 and "klout" in text


def test_show_refuses_a_digest_or_an_entity_that_names_nothing(stored: str) -> None:
    # As the API answers 422/404: an empty table would read as "nothing stored".
    code, _, text = run("metrics", "show", "--digest", "zz")
    assert code == 2 and "not a parameter digest" in " ".join(text.split()), text
    code, _, text = run("metrics", "show", "--digest", "abcdefabcdef")
    assert code == 2 and "no values of jurisdiction 'hk' are stored under params abcdefabcdef" in " ".join(
        text.split()
    ), text
    code, out, text = run("metrics", "show", "--digest", "0123456789AB", "--json")  # either case
    assert code == 0 and [r["value"] for r in json.loads(out)] == [99.0], text
    code, _, text = run("metrics", "show", "--level", "organisation", "--entity", "nosuch")
    assert code == 2 and "no organisation 'nosuch'" in text, text


# --- The store: export-frames, compute and refresh on sample data -------------------------------


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_store(tmp_path_factory.mktemp("sample"))


def _government_volume(url: str, *args: str) -> dict[str, float]:
    live = ("metrics", "compute", "-m", "post_volume", "--level", "government", "--json")
    code, out = cli(url, *live, *args)
    assert code == 0, out
    return {r["period"]: r["value"] for r in json.loads(out)}


def test_compute_from_the_store_equals_compute_from_exported_frames(sample_db: str, tmp_path: Path) -> None:
    frames = tmp_path / "frames"
    code, out = cli(sample_db, "metrics", "export-frames", str(frames))
    assert code == 0, out
    meta = json.loads((frames / "meta.json").read_text(encoding="utf-8"))
    assert meta["jurisdiction"] == "hk" and pq.read_table(frames / "posts.parquet").num_rows > 0
    from_store = _government_volume(sample_db)
    assert from_store and all(v > 0 for v in from_store.values())
    assert _government_volume(sample_db, "--frames", str(frames)) == from_store


def test_refresh_stores_what_compute_gives_and_is_idempotent(sample_db: str) -> None:
    # Two metrics of integer sums: every rerun must be an exact no-op (float means may differ in
    # the last bit between runs of a parallel engine, which is materialise's business).
    chosen = ("--metric", "post_volume", "--metric", "interactions_per_post", "--period-kind", "month")
    first = refresh(sample_db, *chosen)
    assert first["counts"]["insert"] > 0 and not first["failed"], first
    assert first["period_kinds"] == ["month"]
    again = refresh(sample_db, *chosen)["counts"]
    assert again == {"insert": 0, "update": 0, "noop": first["counts"]["insert"], "delete": 0}
    show = (
        "metrics",
        "show",
        "--level",
        "government",
        "--period-kind",
        "month",
        "-m",
        "post_volume",
        "--json",
    )
    code, out = cli(sample_db, *show)
    assert code == 0, out
    stored = {r["period"]: r["value"] for r in json.loads(out)}
    assert stored == _government_volume(sample_db)
