"""``registry import`` / ``export``: bad rows reported by line, good rows kept, re-import is a no-op,
every encoding people send is read, and exports re-import unchanged."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govsocial.errors import ImportFileError
from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.registry.sync import Outcome
from govsocial.registry.tables_io import read_rows, write_csv, write_json
from govsocial.registry.transfer import Kind, export_records, import_file
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t

REGISTRY = PROJECT_ROOT / "data" / "registry"
CATALOGUE = PlatformCatalogue.default()
HEADER = "org_codes,platform,url,handle,status,evidence_url"
GOOD = [
    "hk-hko,Facebook,https://www.facebook.com/HongKongObservatory.example,,under_review,https://www.hko.gov.hk",
    "hk-hko,X (Twitter),,hko_example,under_review,https://www.hko.gov.hk",
]
BAD = [
    "hk-hko,Facebook,https://faceb00k.com/x,,published,https://www.hko.gov.hk",  # look-alike host
    "no-such-org,Facebook,https://www.facebook.com/nobody.example,,published,https://example.org",
    "hk-hko,Facebook,https://www.facebook.com/another.example,,maybe,https://www.hko.gov.hk",  # bad status
]


@pytest.fixture
def loaded(engine: Engine, session: Session) -> Session:
    load_registry(engine, REGISTRY, actor="test", only="hk")
    return session


def _import(session: Session, path: Path) -> tuple[dict[str, int], list[str]]:
    report = import_file(session, path, CATALOGUE, "hk", actor="test")
    session.commit()
    return {o.value: report.total(o) for o in Outcome}, [str(p) for p in report.problems]


def test_bad_rows_are_reported_with_line_numbers_and_good_rows_kept(loaded: Session, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join([HEADER, GOOD[0], BAD[0], BAD[1], GOOD[1], BAD[2]]) + "\n", encoding="utf-8")
    counts, problems = _import(loaded, path)
    assert counts["insert"] == 2
    assert [p.split(":")[0] for p in problems] == [
        "accounts.csv, line 3",
        "accounts.csv, line 4",
        "accounts.csv, line 6",
    ]
    assert "faceb00k.com" in problems[0]
    assert "no-such-org" in problems[1]
    assert "status" in problems[2]

    counts, problems = _import(loaded, path)  # the same file again changes nothing
    assert counts == {"insert": 0, "update": 0, "noop": 2}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "big5hkscs"])
def test_encodings(loaded: Session, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "accounts.csv"
    row = "hk-hko,Facebook,https://www.facebook.com/hko.example,,under_review,https://www.hko.gov.hk"
    text = "\r\n".join([HEADER + ",display_name_zh_hant", row + ",香港天文台"]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    counts, problems = _import(loaded, path)
    assert problems == [] and counts["insert"] == 1
    name = loaded.scalars(
        select(t.Account.display_name_zh_hant).where(t.Account.handle == "hko.example")
    ).one()
    assert name == "香港天文台"


def test_undecodable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b"org_codes\n" + bytes([0x81, 0x20, 0xFF, 0xFF]))
    with pytest.raises(ImportFileError, match=r"broken\.csv"):
        read_rows(path)


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text('[{"org_codes": ["cfs"],\n "platform": }]', encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"accounts.json, line 2"):
        read_rows(path)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_reimports_as_noop(loaded: Session, tmp_path: Path, fmt: str) -> None:
    for kind in Kind:
        records = export_records(loaded, "hk", kind)
        if not records:  # hk has no clarifications.csv: test_transfer_folder_files.py has marks
            assert kind is Kind.CLARIFICATIONS
            continue
        path = tmp_path / f"{kind.value}.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as out:
            if fmt == "csv":
                write_csv((r.to_row() for r in records), type(records[0]).columns, out, bom=True)
            else:
                write_json([r.model_dump(mode="json") for r in records], out)
        counts, problems = _import(loaded, path)
        assert problems == [], problems
        assert counts["insert"] == counts["update"] == 0, (kind, counts)
        assert counts["noop"] == len(records)


def test_export_protects_spreadsheets_from_formulas() -> None:
    out = io.StringIO()
    write_csv([{"a": '=HYPERLINK("http://evil")', "b": "+1", "c": "ok"}], ["a", "b", "c"], out)
    assert out.getvalue().splitlines()[1] == '"\'=HYPERLINK(""http://evil"")",\'+1,ok'


def test_formula_protection_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv([{"note": "=1+1", "other": "'quoted"}], ["note", "other"], out)
    assert read_rows(path)[0].data == {"note": "=1+1", "other": "'quoted"}


def test_json_envelope_is_accepted(loaded: Session, tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    item = {
        "org_codes": ["hk-hko"],
        "platform": "instagram",
        "url": "https://www.instagram.com/hko.example",
        "status": "under_review",
        "evidence_url": "https://www.hko.gov.hk",
    }
    path.write_text(json.dumps({"data": [item], "count": 1}), encoding="utf-8")
    counts, problems = _import(loaded, path)
    assert problems == [] and counts["insert"] == 1
    total = loaded.scalar(
        select(func.count()).select_from(t.Account).where(t.Account.platform == "instagram")
    )
    assert total and total >= 1
