"""Registry folders of two jurisdictions for tests: Hong Kong's bundled folder beside a small
jurisdiction ``xx`` (one organisation, the accounts the test gives)."""

from __future__ import annotations

import shutil
from pathlib import Path

from govsocial.settings import PROJECT_ROOT

REGISTRY = PROJECT_ROOT / "data" / "registry"
#: The columns of ``xx``'s accounts.csv.
HEADER = "org_codes,platform,url,handle,aliases,status,evidence_url\n"


def account_row(url: str, aliases: str = "") -> str:
    """A published Facebook account of ``xx``'s organisation ``xx-mo``."""
    return f"xx-mo,facebook,{url},,{aliases},published,https://example.org/xx\n"


def with_xx(parent: Path, *rows: str) -> Path:
    """A registry root under ``parent`` holding ``hk`` and ``xx``, whose accounts are ``rows``
    (``account_row``)."""
    root = parent / "registry"
    shutil.copytree(REGISTRY / "hk", root / "hk")
    xx = root / "xx"
    xx.mkdir()
    (xx / "jurisdiction.toml").write_text('code = "xx"\nname_en = "Example Government"\n', encoding="utf-8")
    (xx / "organisations.csv").write_text(
        "code,org_type,parent_code,name_en,source\nxx-mo,department,,Example Met Office,test\n",
        encoding="utf-8",
    )
    (xx / "accounts.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    return root
