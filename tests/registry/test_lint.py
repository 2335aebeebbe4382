"""``registry lint``: the bundled registry is clean, and every rule catches what it should."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.bundle import load_bundle
from govsocial.registry.lint import errors_only, lint_bundle
from govsocial.settings import PROJECT_ROOT

REGISTRY = PROJECT_ROOT / "data" / "registry"
CATALOGUE = PlatformCatalogue.default()
HEADER = (REGISTRY / "hk" / "accounts.csv").read_text(encoding="utf-8").splitlines()[0]


def test_bundled_registry_has_no_errors() -> None:
    for folder in sorted(p for p in REGISTRY.iterdir() if p.is_dir()):
        problems = lint_bundle(load_bundle(folder), CATALOGUE)
        assert errors_only(problems) == [], [str(p) for p in problems]


def test_missing_chinese_names_are_reported_as_warnings() -> None:
    problems = lint_bundle(load_bundle(REGISTRY / "hk"), CATALOGUE)
    warned = {p.message for p in problems if p.severity == "warning"}
    assert "'hk-hd' has no name_zh_hant" in warned  # the source gives no Chinese name: not invented


def _with_accounts(tmp_path: Path, *rows: str) -> list[str]:
    folder = tmp_path / "hk"
    shutil.copytree(REGISTRY / "hk", folder)
    (folder / "accounts.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return [str(p) for p in errors_only(lint_bundle(load_bundle(folder), CATALOGUE))]


def _row(
    org: str = "cfs",
    platform: str = "facebook",
    url: str = "https://www.facebook.com/cfs.hk",
    handle: str = "",
    evidence: str = "https://www.cfs.gov.hk",
    aliases: str = "",
) -> str:
    cells = [org, platform, url, handle, "", aliases, "published", "", "", "", "", "", evidence] + [""] * 8
    return ",".join(cells)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (_row(platform="myspace"), "myspace"),
        (_row(url="https://www.instagram.com/cfs.hk"), "accounts.csv, line 2"),
        (_row(handle="somebody.else"), "does not match"),
        (_row(evidence=""), "no evidence"),
        (_row(org="no-such-org"), "'no-such-org' is not an organisation"),
        (_row(url="", handle=""), "needs a url or a handle"),
        (_row(url="ftp://facebook.com/cfs.hk"), "not an http(s) URL"),
        (",".join(["cfs", "facebook", "https://www.facebook.com/cfs.hk"]), "line 2"),
    ],
)
def test_each_rule(tmp_path: Path, row: str, expected: str) -> None:
    problems = _with_accounts(tmp_path, row)
    assert any(expected in p for p in problems), problems


def test_duplicate_accounts_in_any_spelling(tmp_path: Path) -> None:
    problems = _with_accounts(tmp_path, _row(), _row(url="https://m.facebook.com/CFS.HK/"))
    assert any("duplicate account" in p and "line 2" in p for p in problems), problems


def test_duplicate_through_an_alias(tmp_path: Path) -> None:
    problems = _with_accounts(
        tmp_path, _row(), _row(url="https://www.facebook.com/other.page", aliases="https://fb.com/cfs.hk")
    )
    assert any("duplicate account" in p for p in problems), problems
