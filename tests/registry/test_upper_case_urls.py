"""An address's scheme and host are case-insensitive (RFC 3986): ``HTTPS://WWW.Facebook.com/...``
is accepted wherever the registry takes a URL (lint, import, load, the admin's add-account), with
its scheme and host kept in lower case and its path as written (a handle in a path may be
case-sensitive on some platforms)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue, http_url
from govsocial.registry.bundle import load_bundle
from govsocial.registry.lint import errors_only, lint_bundle
from govsocial.registry.load import load_registry
from govsocial.registry.records import AccountRecord
from govsocial.registry.transfer import import_file
from govsocial.registry.verify import VerifyStatus, verify
from govsocial.store import tables as t
from tests.registry.folders import REGISTRY

CATALOGUE = PlatformCatalogue.default()
HEADER = "org_codes,platform,url,aliases,status,evidence_url\n"
ROW = (
    "cfs,facebook,HTTPS://WWW.Facebook.com/CFS.Upper.Example,Http://FB.com/CFS.Upper.Example,published,"
    "HTTPS://WWW.CFS.GOV.HK/English/About.HTML\n"
)


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("HTTPS://WWW.Facebook.com/CFS.hk", "https://www.facebook.com/CFS.hk"),
        ("Http://Example.ORG:8080/Feed.XML?Lang=EN#Top", "http://example.org:8080/Feed.XML?Lang=EN#Top"),
        ("https://User.Name@Example.org/A", "https://User.Name@example.org/A"),  # a user name is not the host
        ("https://www.cfs.gov.hk/", "https://www.cfs.gov.hk/"),
    ],
)
def test_the_scheme_and_host_are_lowered_and_the_rest_kept(written: str, kept: str) -> None:
    assert http_url(written) == kept


@pytest.mark.parametrize(
    "written", ["ftp://facebook.com/cfs.hk", "www.facebook.com/cfs.hk", "HTTPS:///cfs.hk"]
)
def test_what_is_no_http_url_is_still_refused(written: str) -> None:
    with pytest.raises(ValueError, match="is not an http"):
        http_url(written)


def test_an_account_row_in_upper_case_is_read_in_lower_case() -> None:
    record = AccountRecord.model_validate(
        {
            "org_codes": "cfs",
            "platform": "facebook",
            "url": "HTTPS://WWW.Facebook.com/CFS.Upper.Example",
            "aliases": "Http://FB.com/CFS.Upper.Example",
            "evidence_url": "HTTPS://WWW.CFS.GOV.HK/English/About.HTML",
        }
    )
    assert record.url == "https://www.facebook.com/CFS.Upper.Example"
    assert record.aliases == ["http://fb.com/CFS.Upper.Example"]
    assert record.evidence_url == "https://www.cfs.gov.hk/English/About.HTML"


def test_lint_accepts_an_upper_case_scheme_and_host(tmp_path: Path) -> None:
    folder = tmp_path / "hk"
    shutil.copytree(REGISTRY / "hk", folder)
    (folder / "accounts.csv").write_text(HEADER + ROW, encoding="utf-8")
    assert [str(p) for p in errors_only(lint_bundle(load_bundle(folder), CATALOGUE))] == []


def _appended(folder: Path, row: str) -> None:
    """Add ``row`` (in ``HEADER``'s columns) to the accounts file of ``folder``, in its columns."""
    path = folder / "accounts.csv"
    names = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    values = next(csv.DictReader(io.StringIO(HEADER + row)))
    line = io.StringIO()
    csv.DictWriter(line, names, lineterminator="\n").writerow(values)
    path.write_text(path.read_text(encoding="utf-8") + line.getvalue(), encoding="utf-8")


def test_load_and_import_store_it_in_lower_case(engine: Engine, session: Session, tmp_path: Path) -> None:
    root = tmp_path / "registry"
    shutil.copytree(REGISTRY / "hk", root / "hk")
    _appended(root / "hk", ROW)
    report = load_registry(engine, root, actor="tests", only="hk")
    assert report.problems == []
    account = session.scalars(select(t.Account).where(t.Account.handle == "CFS.Upper.Example")).one()
    assert account.evidence_url == "https://www.cfs.gov.hk/English/About.HTML"
    verdict = verify(session, CATALOGUE, "HTTPS://M.FACEBOOK.COM/cfs.upper.example", jurisdiction="hk")
    assert verdict.status is VerifyStatus.OFFICIAL

    path = tmp_path / "accounts.csv"
    path.write_text(HEADER + ROW.replace("CFS.Upper", "CFS.Imported"), encoding="utf-8")
    imported = import_file(session, path, CATALOGUE, "hk", actor="tests")
    session.commit()
    assert [str(p) for p in imported.problems] == []
    account = session.scalars(select(t.Account).where(t.Account.handle == "CFS.Imported.Example")).one()
    assert account.evidence_url == "https://www.cfs.gov.hk/English/About.HTML"
