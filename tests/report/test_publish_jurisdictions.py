"""Published reports of several jurisdictions in one folder (``govsocial.report.publish``).

An organisation's code is unique only within its jurisdiction, so its published file's name carries
the jurisdiction (``uk~cfs-2026-09-en.html``), as the government's always did
(``government-uk-2026-09-en.html``): two jurisdictions' ``cfs`` no longer write the same file. An
old name (``cfs-2026-09-en.html``) is read as the configured jurisdiction's; a folder lists, for one
jurisdiction, its files of ended periods only (docs/reports.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from typer.testing import CliRunner

from govsocial.cli.main import app
from govsocial.report.build import Report
from govsocial.report.periods import parse
from govsocial.report.publish import FileName, Published, listed, published, read_name, stem
from govsocial.store import tables as t
from govsocial.store.db import make_engine, session_factory, upgrade

#: The day the folder is listed on: 2026-09 has ended, 2026-11 and 2030-01 have not.
TODAY = dt.date(2026, 11, 29)


def _report(jurisdiction: str, level: str, entity: str, period: str = "2026-09") -> Report:
    """A report as far as its file name reads it."""
    fields = SimpleNamespace(jurisdiction=jurisdiction, level=level, entity=entity, period=period)
    return cast(Report, fields)


def test_an_organisations_file_name_carries_its_jurisdiction() -> None:
    uk, hk = _report("uk", "organisation", "cfs"), _report("hk", "organisation", "cfs")
    assert stem(uk, "en") == "uk~cfs-2026-09-en" and stem(hk, "en") == "hk~cfs-2026-09-en"
    assert stem(_report("us-doc", "organisation", "usdr-1161", "2026-W05"), "zh-hant") == (
        "us-doc~usdr-1161-2026-W05-zh-hant"
    )
    # The government's name carried its jurisdiction already, and links to it keep working.
    assert stem(_report("hk", "government", "hk"), "en") == "government-hk-2026-09-en"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("uk~cfs-2026-09-en.html", FileName("uk", "organisation", "cfs", parse("2026-09"), "en", "html")),
        (
            "us-doc~usdr-1161-2026-W05-zh-hant.pdf",
            FileName("us-doc", "organisation", "usdr-1161", parse("2026-W05"), "zh-hant", "pdf"),
        ),
        ("cfs-2026-09-en.html", FileName(None, "organisation", "cfs", parse("2026-09"), "en", "html")),
        (
            "government-us-doc-2026-en.pdf",
            FileName("us-doc", "government", "us-doc", parse("2026"), "en", "pdf"),
        ),
        # An organisation coded like a government's file, under its new name, is the organisation.
        (
            "hk~government-x-2026-09-en.html",
            FileName("hk", "organisation", "government-x", parse("2026-09"), "en", "html"),
        ),
        ("UK~cfs-2026-09-en.html", None),  # a code is lower case
        ("uk~~cfs-2026-09-en.html", None),
        ("uk~cfs-2026-13-en.html", None),  # no such month
        ("notes.txt", None),
    ],
)
def test_a_file_name_is_read_back(name: str, expected: FileName | None) -> None:
    assert read_name(name) == expected


def test_an_old_name_is_the_configured_jurisdictions_only() -> None:
    old = read_name("cfs-2026-09-en.html")
    assert old is not None and old.belongs_to("uk") and old.belongs_to("hk")
    new = read_name("hk~cfs-2026-09-en.html")
    assert new is not None and new.belongs_to("hk") and not new.belongs_to("uk")
    government = read_name("government-sg-2026-09-en.html")
    assert government is not None and government.belongs_to("sg") and not government.belongs_to("uk")


def test_a_period_is_listed_from_the_day_after_its_last() -> None:
    month = read_name("government-hk-2026-11-en.html")
    assert month is not None
    assert not listed(month, "hk", dt.date(2026, 11, 30)) and listed(month, "hk", dt.date(2026, 12, 1))


def _folder(tmp_path: Path, *names: str) -> Path:
    for name in names:
        (tmp_path / name).write_text(name)
    return tmp_path


def test_a_folder_lists_one_jurisdictions_reports_of_ended_periods(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        *(f"government-{j}-2026-09-en.html" for j in ("uk", "sg", "hk")),
        "uk~cfs-2026-09-en.html",
        "hk~cfs-2026-09-en.html",
        "hk~cfs-2026-09-en.pdf",
        "government-uk-2030-01-en.html",  # published before `--publish` refused a future period
        "uk~cfs-2026-11-en.html",  # a month under way
    )
    assert published(folder, "uk", TODAY) == [
        Published("government", "uk", "2026-09", "month", {("en", "html"): "government-uk-2026-09-en.html"}),
        Published("organisation", "cfs", "2026-09", "month", {("en", "html"): "uk~cfs-2026-09-en.html"}),
    ]
    hk = published(folder, "hk", TODAY)
    assert [(p.level, p.entity) for p in hk] == [("government", "hk"), ("organisation", "cfs")]
    assert hk[1].files == {("en", "html"): "hk~cfs-2026-09-en.html", ("en", "pdf"): "hk~cfs-2026-09-en.pdf"}
    assert [p.entity for p in published(folder, "sg", TODAY)] == ["sg"]


def test_an_old_name_is_listed_until_the_report_is_published_again(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "cfs-2026-09-en.html", "cfs-2026-09-en.pdf", "cfs-2026-08-en.html")
    assert [(p.period, p.files) for p in published(folder, "uk", TODAY)] == [
        ("2026-09", {("en", "html"): "cfs-2026-09-en.html", ("en", "pdf"): "cfs-2026-09-en.pdf"}),
        ("2026-08", {("en", "html"): "cfs-2026-08-en.html"}),
    ]
    _folder(tmp_path, "uk~cfs-2026-09-en.html")
    # One row, with the new name where there is one; the old names of the jurisdiction stay listed.
    assert [(p.period, p.files) for p in published(folder, "uk", TODAY)] == [
        ("2026-09", {("en", "html"): "uk~cfs-2026-09-en.html", ("en", "pdf"): "cfs-2026-09-en.pdf"}),
        ("2026-08", {("en", "html"): "cfs-2026-08-en.html"}),
    ]


@pytest.fixture
def two_jurisdictions(tmp_path: Path) -> str:
    """A store with Hong Kong's and the United Kingdom's organisation, both coded ``cfs``."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        session.add_all(
            [
                t.Jurisdiction(code="hk", name_en="Hong Kong", timezone="Asia/Hong_Kong"),
                t.Jurisdiction(code="uk", name_en="United Kingdom", timezone="Europe/London"),
            ]
        )
        session.flush()
        session.add_all(
            [
                t.Organisation(
                    jurisdiction="hk",
                    code="cfs",
                    org_type=t.OrgType.DEPARTMENT,
                    name_en="Centre for Food Safety",
                ),
                t.Organisation(
                    jurisdiction="uk",
                    code="cfs",
                    org_type=t.OrgType.DEPARTMENT,
                    name_en="Central Finance Service",
                ),
            ]
        )
        session.commit()
    engine.dispose()
    return url


def test_two_jurisdictions_reports_of_one_code_are_two_files(two_jurisdictions: str, tmp_path: Path) -> None:
    """The reviewer's case: the UK's ``cfs`` and then Hong Kong's, published to one folder."""
    reports = tmp_path / "reports"
    env = {"GOVSOCIAL_DATABASE_URL": two_jurisdictions, "GOVSOCIAL_REPORTS_DIR": str(reports)}
    for jurisdiction in ("uk", "hk"):
        args = [
            "report",
            "--org",
            "cfs",
            "--jurisdiction",
            jurisdiction,
            "--period",
            "2026-09",
            "--lang",
            "en",
        ]
        args += ["--no-pdf", "--out", str(tmp_path / "out"), "--publish"]
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in reports.iterdir()) == ["hk~cfs-2026-09-en.html", "uk~cfs-2026-09-en.html"]
    assert "Central Finance Service" in (reports / "uk~cfs-2026-09-en.html").read_text()
    assert "Centre for Food Safety" in (reports / "hk~cfs-2026-09-en.html").read_text()
