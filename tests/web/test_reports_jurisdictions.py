"""``/{lang}/reports`` over a folder of several jurisdictions' published reports
(``govsocial.web.pages.reports``).

The portal is the configured jurisdiction's: it lists that jurisdiction's reports only, names an
organisation as that jurisdiction does (Hong Kong's ``cfs`` is the Centre for Food Safety, the
United Kingdom's the Central Finance Service), has one "Whole government" row, its own, serves
another jurisdiction's file as a 404, and leaves out a period that has not ended in its time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from govsocial.settings import Settings
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade
from govsocial.web.app import create_app
from govsocial.web.pages import reports as reports_page

#: The files of the reviewer's folder: each government's September, and two organisations coded cfs.
FILES = (
    "government-uk-2026-09-en.html",
    "government-sg-2026-09-en.html",
    "government-hk-2026-09-en.html",
    "uk~cfs-2026-09-en.html",
    "hk~cfs-2026-09-en.html",
)
#: Every row of the page: its heading, its period and its first link.
ROW = re.compile(r'<th scope="row">(.*?)</th>\s*<td[^>]*>(.*?)</td>.*?href="([^"]+)"', re.S)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Hong Kong, Singapore and the United Kingdom, with an organisation coded ``cfs`` in two."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        zones = {"hk": "Asia/Hong_Kong", "sg": "Asia/Singapore", "uk": "Europe/London"}
        session.add_all(
            t.Jurisdiction(code=code, name_en=code, timezone=zone) for code, zone in zones.items()
        )
        session.flush()
        names = {"hk": "Centre for Food Safety", "uk": "Central Finance Service"}
        session.add_all(
            t.Organisation(jurisdiction=code, code="cfs", org_type=t.OrgType.DEPARTMENT, name_en=name)
            for code, name in names.items()
        )
        session.commit()
    engine.dispose()
    return url


def _folder(folder: Path, *names: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text(name)
    return folder


def _portal(store: str, jurisdiction: str, folder: Path) -> TestClient:
    settings = Settings.load(database_url=store, reports_dir=folder, jurisdiction=jurisdiction)
    return TestClient(create_app(settings))


def _rows(page: str) -> list[tuple[str, str, str]]:
    return [(title, period, href) for title, period, href in ROW.findall(page)]


@pytest.mark.parametrize(
    ("jurisdiction", "expected"),
    [
        (
            "uk",
            [
                ("Whole government", "2026-09", "/en/reports/government-uk-2026-09-en.html"),
                ("Central Finance Service", "2026-09", "/en/reports/uk~cfs-2026-09-en.html"),
            ],
        ),
        ("sg", [("Whole government", "2026-09", "/en/reports/government-sg-2026-09-en.html")]),
        (
            "hk",
            [
                ("Whole government", "2026-09", "/en/reports/government-hk-2026-09-en.html"),
                ("Centre for Food Safety", "2026-09", "/en/reports/hk~cfs-2026-09-en.html"),
            ],
        ),
    ],
)
def test_a_portal_lists_its_own_jurisdictions_reports(
    store: str, tmp_path: Path, jurisdiction: str, expected: list[tuple[str, str, str]]
) -> None:
    with _portal(store, jurisdiction, _folder(tmp_path / "reports", *FILES)) as client:
        page = client.get("/en/reports")
    assert page.status_code == 200
    assert _rows(page.text) == expected


@pytest.mark.parametrize("jurisdiction", ["uk", "sg", "hk"])
def test_another_jurisdictions_file_is_a_404(store: str, tmp_path: Path, jurisdiction: str) -> None:
    with _portal(store, jurisdiction, _folder(tmp_path / "reports", *FILES)) as client:
        for name in FILES:
            answer = client.get(f"/en/reports/{name}")
            own = name.startswith((f"{jurisdiction}~", f"government-{jurisdiction}-"))
            assert answer.status_code == (200 if own else 404), name
            assert not own or answer.content == name.encode()


def test_an_old_name_is_the_configured_jurisdictions(store: str, tmp_path: Path) -> None:
    """A file published before names carried the jurisdiction: listed, titled and served as the
    configured jurisdiction's; once the report is published again, the new file is offered."""
    folder = _folder(tmp_path / "reports", "cfs-2026-09-en.html", "cfs-2026-08-en.html")
    with _portal(store, "uk", folder) as client:
        assert _rows(client.get("/en/reports").text) == [
            ("Central Finance Service", "2026-09", "/en/reports/cfs-2026-09-en.html"),
            ("Central Finance Service", "2026-08", "/en/reports/cfs-2026-08-en.html"),
        ]
        assert client.get("/en/reports/cfs-2026-09-en.html").status_code == 200
    _folder(folder, "uk~cfs-2026-09-en.html")
    with _portal(store, "uk", folder) as client:
        assert _rows(client.get("/en/reports").text) == [
            ("Central Finance Service", "2026-09", "/en/reports/uk~cfs-2026-09-en.html"),
            ("Central Finance Service", "2026-08", "/en/reports/cfs-2026-08-en.html"),
        ]
        assert client.get("/en/reports/cfs-2026-09-en.html").status_code == 200  # a link someone kept


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime]]:
    """The portal's clock, set by the test."""
    now = [dt.datetime(2026, 11, 29, tzinfo=dt.UTC)]
    monkeypatch.setattr(reports_page, "_now", lambda: now[0])
    yield now


def test_a_period_not_ended_in_the_jurisdictions_zone_is_neither_listed_nor_served(
    store: str, tmp_path: Path, clock: list[dt.datetime]
) -> None:
    folder = _folder(
        tmp_path / "reports",
        "government-hk-2030-01-en.html",  # published before `--publish` refused a future period
        "government-hk-2026-11-en.html",
        "government-uk-2026-11-en.html",
        "government-hk-2026-10-en.html",
        "government-uk-2026-10-en.html",
    )
    # 16:00 UTC on 30 November is midnight in Hong Kong, where November has ended; not yet in London.
    for now, hk, uk in (
        (dt.datetime(2026, 11, 30, 15, 59, tzinfo=dt.UTC), ["2026-10"], ["2026-10"]),
        (dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC), ["2026-11", "2026-10"], ["2026-10"]),
        (dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC), ["2026-11", "2026-10"], ["2026-11", "2026-10"]),
    ):
        clock[0] = now
        for jurisdiction, listed in (("hk", hk), ("uk", uk)):
            with _portal(store, jurisdiction, folder) as client:
                assert [period for _, period, _ in _rows(client.get("/en/reports").text)] == listed, now
                for period in ("2030-01", "2026-11", "2026-10"):
                    answer = client.get(f"/en/reports/government-{jurisdiction}-{period}-en.html")
                    assert answer.status_code == (200 if period in listed else 404), (now, period)
