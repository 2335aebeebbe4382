"""Whatever a request names is looked up in the jurisdiction in force (web/api/checks.py,
store/metric_queries.py ``entity_key``), and an entity without a level is keyed as the values key it.

Over a store with two jurisdictions (the bundled registry's ``hk`` and ``us-doc``) and stored values
in both, on SQLite and PostgreSQL: an entity, organisation or account of one jurisdiction asked
with the other's code is a 404 naming it, never a 200 full of nulls or an answer about the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from govsocial.analyze.metrics.params import MetricParams
from govsocial.registry.load import load_registry
from govsocial.settings import Settings
from govsocial.store import metric_queries as mq
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade
from govsocial.web.app import create_app
from tests.conftest import postgres_database

DIGEST = MetricParams().digest()
AT = dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)
#: An account id that only the stored values name (an account since removed from the registry).
GONE = "999999"


@dataclass(frozen=True)
class Site:
    client: TestClient
    url: str
    hk_account: int  #: cfs.hk, an account of hk


def _databases(kind: str, folder: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder}/store.db"
    else:
        yield from postgres_database()


def _values(hk_account: int) -> list[dict[str, object]]:
    rows = [
        ("hk", "government", "hk", "2026-09", 10.0),
        ("hk", "organisation", "cfs", "2026-09", 3.0),
        ("hk", "account", str(hk_account), "2026-09", 3.0),
        ("hk", "account", GONE, "2026-09", 2.0),
        ("hk", "organisation", "007", "2026-09", 1.0),  # an organisation coded "007", in the values only
        ("us-doc", "government", "us-doc", "2026-08", 5.0),
        ("us-doc", "organisation", "usdr-1161", "2026-08", 4.0),
    ]
    fixed = {"metric": "post_volume", "period_kind": "month", "params": DIGEST, "computed_at": AT}
    return [
        {**fixed, "jurisdiction": j, "level": level, "entity": entity, "period": period, "value": value,
         "inputs": {"posts": int(value)}}
        for j, level, entity, period, value in rows
    ]  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for url in _databases(request.param, str(tmp_path_factory.mktemp("jurisdictions"))):
        engine = make_engine(url)
        upgrade(engine)
        assert not load_registry(engine, Settings.load(database_url=url).registry_dir, actor="tests").problems
        with session_factory(engine)() as session:
            where = (t.Account.platform == "facebook", t.Account.handle == "cfs.hk")
            hk_account = session.scalars(select(t.Account.id).where(*where)).one()
            session.execute(insert(t.MetricValue), _values(hk_account))
            session.commit()
        with TestClient(create_app(Settings.load(database_url=url), engine)) as client:
            yield Site(client, url, hk_account)
        engine.dispose()


def _detail(site: Site, path: str, **params: object) -> tuple[int, str]:
    answer = site.client.get(path, params=params)
    body = answer.json()
    return answer.status_code, body.get("detail", "") if isinstance(body, dict) else ""


# --- entities ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "entity", "jurisdiction"),
    [
        ("organisation", "cfs", "us-doc"),
        ("government", "hk", "us-doc"),
        ("government", "us-doc", "hk"),
        ("organisation", "usdr-1161", "hk"),
        ("account", "{hk}", "us-doc"),
        ("account", GONE, "us-doc"),  # known from hk's values only
    ],
)
def test_an_entity_of_another_jurisdiction_is_a_404(
    site: Site, level: str, entity: str, jurisdiction: str
) -> None:
    entity = entity.format(hk=site.hk_account)
    for path in ("/api/v1/scorecard", "/api/v1/metrics/post_volume"):
        status, detail = _detail(site, path, level=level, entity=entity, jurisdiction=jurisdiction)
        assert status == 404, (path, detail)
        assert detail == (
            f"entity: no {level} {entity!r} in jurisdiction {jurisdiction!r} "
            "(neither in the registry nor in the stored metrics)"
        )


def test_an_entity_of_its_own_jurisdiction_is_answered(site: Site) -> None:
    card = site.client.get("/api/v1/scorecard", params={"level": "organisation", "entity": "usdr-1161",
                                                        "jurisdiction": "us-doc"}).json()  # fmt: skip
    assert card["jurisdiction"] == "us-doc" and card["period"] == "2026-08"
    values = {m["metric"]["name"]: m["value"] for goal in card["goals"] for m in goal["metrics"]}
    assert values["post_volume"] == 4.0
    government = site.client.get("/api/v1/scorecard", params={"jurisdiction": "us-doc"}).json()
    assert (government["jurisdiction"], government["entity"], government["period"]) == (
        "us-doc",
        "us-doc",
        "2026-08",
    )
    hk = site.client.get("/api/v1/scorecard", params={"level": "organisation", "entity": "cfs"}).json()
    assert (hk["jurisdiction"], hk["period"]) == ("hk", "2026-09")
    gone = site.client.get("/api/v1/metrics/post_volume", params={"level": "account", "entity": GONE}).json()
    assert gone["count"] == 1


def test_the_scorecard_names_its_jurisdiction_in_the_document(site: Site) -> None:
    schema = site.client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ScorecardPublic"]
    assert "jurisdiction" in schema["required"] and schema["properties"]["jurisdiction"]["description"]


# --- accounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/topics", "/api/v1/events", "/api/v1/clarifications"])
def test_an_account_of_another_jurisdiction_is_a_404(site: Site, path: str) -> None:
    status, detail = _detail(site, path, account=site.hk_account, jurisdiction="us-doc")
    assert status == 404
    assert detail == f"account: no account {site.hk_account} in jurisdiction 'us-doc' (it is in 'hk')"
    assert site.client.get(path, params={"account": site.hk_account}).status_code == 200


def test_topics_answer_for_the_jurisdiction_asked(site: Site) -> None:
    view = site.client.get("/api/v1/topics", params={"account": site.hk_account}).json()
    assert view["subject"] == {"level": "account", "jurisdiction": "hk", "entity": str(site.hk_account)}


# --- an entity without a level -------------------------------------------------------------------


def test_an_account_id_with_leading_zeros_is_the_account_at_any_level(site: Site) -> None:
    plain = site.client.get("/api/v1/metrics/post_volume", params={"entity": str(site.hk_account)}).json()
    padded = site.client.get("/api/v1/metrics/post_volume", params={"entity": f"00{site.hk_account}"}).json()
    assert plain["count"] == 1 and padded == plain
    gone = site.client.get("/api/v1/metrics/post_volume", params={"entity": f"0{GONE}"}).json()
    assert [v["entity"] for v in gone["data"]] == [GONE]


def test_an_entity_is_first_read_as_written(site: Site) -> None:
    """An organisation may be coded "007": without a level, the code wins over account 7."""
    found = site.client.get("/api/v1/metrics/post_volume", params={"entity": "007"}).json()["data"]
    assert [(v["level"], v["entity"]) for v in found] == [("organisation", "007")]


def test_entity_keys_in_the_store(site: Site) -> None:
    engine = make_engine(site.url)
    with session_factory(engine)() as session:
        hk = str(site.hk_account)
        assert mq.entity_key(session, None, f"0{hk}", "hk") == hk
        assert mq.entity_key(session, "account", f"0{hk}", "hk") == hk
        assert mq.entity_key(session, "account", hk, "us-doc") is None
        assert mq.entity_key(session, None, "007", "hk") == "007"
        assert mq.entity_key(session, "organisation", "cfs", "us-doc") is None
        assert mq.entity_key(session, "government", "us-doc", "us-doc") == "us-doc"
        assert (
            mq.entity_key(session, "platform", "facebook", "us-doc") == "facebook"
        )  # platforms are everyone's
        # Without a jurisdiction, any (the former signature, still used by the store's tests).
        assert mq.entity_known(session, "organisation", "cfs") and mq.entity_known(session, "account", GONE)
    engine.dispose()
