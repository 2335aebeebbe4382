"""Every importer given bad input by Hypothesis: random bytes, valid exports re-encoded, truncated,
with rows of the wrong width and cells that are not dates or numbers.

The properties, for every registered importer and every example file of it:

* reading never raises anything but ``ImportFileError``, whose message names the file;
* a re-encoded export (UTF-8 with or without BOM, UTF-16, Big5-HKSCS) reads as the UTF-8 one does;
* one damaged row loses at most that row: every record of the other rows is still read, and a row
  that cannot be read is a ``BadRecord`` located in the file ("posts.csv, line 3");
* through the store, importing a damaged file twice quarantines each bad row once, seen by both
  runs (each run still counts the bad rows it met), and the second run changes nothing else
  (``noop`` only).

Example counts stay modest for ``make test``; ``make soak`` runs the same properties with
``GOVSOCIAL_FUZZ_EXAMPLES`` set higher.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from govsocial.collect.importing import import_activity
from govsocial.collect.imports.base import ImportContext, Importer
from govsocial.collect.records import MAX_COUNT, Batch
from govsocial.errors import ImportFileError
from govsocial.plugins import importers
from govsocial.registry.load import load_registry
from govsocial.settings import PROJECT_ROOT
from govsocial.store import tables as t
from govsocial.store.db import session_factory
from tests.reliability.tally import TALLY

PAYLOADS = PROJECT_ROOT / "tests" / "fixtures" / "payloads"
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
EXAMPLES = int(os.environ.get("GOVSOCIAL_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "big5hkscs"]
#: Cell values that are not what a column wants, or are hostile.
BAD_CELLS = [
    "",
    "N/A",
    "yesterday",
    "2024-13-45 25:61",
    "31/02/2024",
    "1,2,3",
    "-1",
    "1e309",
    "NaN",
    "９９",
    "12abc",
    "\x00",
    '=HYPERLINK("http://x")',
    "😀😀😀",
    "9" * 40,
    "99999999999",
    "-99999999999",
    "\u202e",
    '"',
    "\r\n",
]


@dataclass(frozen=True)
class Case:
    """An importer and one of its example files."""

    format: str
    fixture: Path
    account: str | None = None

    @property
    def id(self) -> str:
        return f"{self.format}:{self.fixture.name}"


CSV_EXPORTS = PAYLOADS / "csv_exports"
CASES = [
    Case("generic", PAYLOADS / "generic" / "posts.csv"),
    Case("generic", PAYLOADS / "generic" / "comments.csv"),
    Case("generic", PAYLOADS / "generic" / "followers.csv"),
    Case("crowdtangle", CSV_EXPORTS / "crowdtangle_hk_pages.csv"),
    Case("crowdtangle", CSV_EXPORTS / "crowdtangle_hk_instagram.csv"),
    Case("meta_business_suite", CSV_EXPORTS / "meta_business_suite_facebook_content.csv"),
    Case("meta_business_suite", CSV_EXPORTS / "meta_business_suite_instagram_content.csv"),
    Case(
        "youtube_studio", CSV_EXPORTS / "youtube_studio_aggregated_metrics.csv", "UCfakeHKObservatory000001"
    ),
    Case("youtube_studio", CSV_EXPORTS / "youtube_studio_table_data.csv", "UCfakeHKObservatory000001"),
    Case("telegram", PAYLOADS / "telegram" / "channel_result.json"),
]
CASE = pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])


def importer_of(case: Case) -> Importer:
    return importers()[case.format]()


def context_of(case: Case) -> ImportContext:
    return ImportContext(timezone=HONG_KONG, account_ref=case.account, batch_size=3)


def read(case: Case, path: Path) -> list[Batch] | ImportFileError:
    """The batches read from ``path``, or the file error; anything else raised fails the test."""
    try:
        return list(importer_of(case).read(path, context_of(case)))
    except ImportFileError as exc:
        assert path.name in str(exc), f"the error does not name the file: {exc}"
        return exc


def keys(batches: list[Batch] | ImportFileError) -> set[str]:
    """What was read, as comparable keys (ids, and each profile snapshot's account and count)."""
    if isinstance(batches, ImportFileError):
        return set()
    found: set[str] = set()
    for batch in batches:
        found |= {f"post {p.platform} {p.account_ref} {p.post_id}" for p in batch.posts}
        found |= {f"comment {c.platform} {c.post_id} {c.comment_id}" for c in batch.comments}
        if batch.profile is not None:
            found.add(f"profile {batch.profile.account_ref} {batch.profile.followers}")
    return found


def check_bad_records(batches: list[Batch] | ImportFileError, name: str) -> int:
    """Every bad record says where it was in the file, and why, and every good one fits the store;
    returns how many bad records there were."""
    if isinstance(batches, ImportFileError):
        return 0
    bad = [b for batch in batches for b in batch.bad]
    for record in bad:
        assert record.location.startswith(f"{name}, "), record
        assert record.reason.strip(), record
    for batch in batches:
        records = batch.model_dump(exclude={"raw", "bad"})
        assert all(math.isfinite(n) for n in numbers(records)), records  # JSON columns refuse the rest
        for record in [records["profile"], *records["posts"], *records["comments"]]:
            counts = {k: v for k, v in (record or {}).items() if k != "extra"}
            too_large = [n for n in numbers(counts) if abs(n) > MAX_COUNT]
            assert too_large == [], f"counts the store cannot hold: {too_large}"
    return len(bad)


def numbers(value: Any) -> Iterator[int | float]:
    """Every number inside a dumped record."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from numbers(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield value


# --- the example files as data, to damage one part at a time -----------------------------------


def text_of(case: Case) -> str:
    return case.fixture.read_text(encoding="utf-8-sig")


def csv_rows(case: Case) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_of(case), newline="")))


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def messages(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text_of(case))
    return data


def units(case: Case) -> int:
    """How many rows (CSV, after the header) or messages (JSON) the example has."""
    return len(messages(case)["messages"]) if is_json(case) else len(csv_rows(case)) - 1


def is_json(case: Case) -> bool:
    return case.fixture.suffix == ".json"


def with_unit(case: Case, index: int, change: Callable[[Any], Any]) -> str:
    """The example's text with row or message ``index`` replaced by ``change(it)``."""
    if is_json(case):
        data = messages(case)
        data["messages"][index] = change(data["messages"][index])
        return json.dumps(data, ensure_ascii=False, indent=1)
    rows = csv_rows(case)
    rows[index + 1] = change(rows[index + 1])
    return csv_text(rows)


def only_unit(case: Case, index: int) -> str:
    """The example with nothing but row or message ``index`` (and the header)."""
    if is_json(case):
        data = messages(case)
        data["messages"] = [data["messages"][index]]
        return json.dumps(data, ensure_ascii=False)
    rows = csv_rows(case)
    return csv_text([rows[0], rows[index + 1]])


def write(folder: Path, case: Case, text: str | bytes, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / case.fixture.name
    # Big5 lacks a few characters of the examples (emoji, soft hyphens): they are left out, as a
    # Big5 system exporting the file would have had to.
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding, errors="ignore"))
    return path


@functools.cache
def baseline(case: Case, folder: Path) -> frozenset[str]:
    """What the example reads as, written back the way the damaged copies are (csv.writer quoting)."""
    text = text_of(case) if is_json(case) else csv_text(csv_rows(case))
    return frozenset(keys(read(case, write(folder / "base", case, text))))


@functools.cache
def keys_of_unit(case: Case, index: int, folder: Path) -> frozenset[str]:
    return frozenset(keys(read(case, write(folder / f"unit{index}", case, only_unit(case, index)))))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def test_every_registered_importer_is_fuzzed() -> None:
    assert {case.format for case in CASES} == set(importers())


# --- the properties ------------------------------------------------------------------------------


@CASE
@FUZZ
@given(
    data=st.builds(
        bytes.__add__,
        st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),  # no BOM, or one that lies
        st.binary(max_size=4000) | st.text(max_size=2000).map(str.encode),
    )
)
def test_random_bytes_give_records_or_a_file_error_naming_the_file(
    case: Case, scratch: Path, data: bytes
) -> None:
    check_bad_records(read(case, write(scratch / "try", case, data)), case.fixture.name)
    TALLY.add(f"fuzzed inputs: {case.format}")


@CASE
@FUZZ
@given(encoding=st.sampled_from(ENCODINGS), cut=st.none() | st.floats(0, 1))
def test_re_encoded_and_truncated_exports(
    case: Case, scratch: Path, encoding: str, cut: float | None
) -> None:
    text = text_of(case) if is_json(case) else csv_text(csv_rows(case))
    if cut is not None:
        text = text[: int(len(text) * cut)]
    batches = read(case, write(scratch / "try", case, text, encoding))
    check_bad_records(batches, case.fixture.name)
    if cut is None:
        assert keys(batches) == baseline(case, scratch)
    TALLY.add(f"fuzzed inputs: {case.format}")


def damage_csv(draw: st.DrawFn, row: list[str]) -> list[str]:
    kind = draw(st.sampled_from(["bad cell", "extra field", "missing field", "empty row", "one field"]))
    if kind == "bad cell":
        column = draw(st.integers(0, len(row) - 1))
        value = draw(st.sampled_from(BAD_CELLS) | st.text(max_size=12))
        return [*row[:column], value, *row[column + 1 :]]
    if kind == "extra field":
        return [*row, draw(st.sampled_from(BAD_CELLS))]
    if kind == "missing field":
        return row[:-1]
    return [] if kind == "empty row" else [row[0]]


def damage_message(draw: st.DrawFn, message: Any) -> Any:
    if not isinstance(message, dict) or draw(st.booleans()):
        return draw(st.sampled_from(["a string", 42, None, [], {"id": "x"}]))
    key = draw(st.sampled_from(sorted(message)))
    value = draw(
        st.sampled_from([None, "", "garbage", -1, 1e309, 10**12, "²", [], {}, True]) | st.text(max_size=12)
    )
    return {**message, key: value}


@CASE
@FUZZ
@given(data=st.data())
def test_one_damaged_row_loses_at_most_that_row(case: Case, scratch: Path, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, units(case) - 1), label="row")
    damage = damage_message if is_json(case) else damage_csv
    text = with_unit(case, index, lambda unit: damage(data.draw, unit))

    batches = read(case, write(scratch / "try", case, text))

    bad = check_bad_records(batches, case.fixture.name)
    assert not isinstance(batches, ImportFileError), batches
    kept = baseline(case, scratch) - keys_of_unit(case, index, scratch)
    assert kept <= keys(batches), f"lost: {sorted(kept - keys(batches))}"
    TALLY.add(f"fuzzed inputs: {case.format}")
    TALLY.add("bad rows quarantined by the fuzzed importers", bad)


# --- through the store: quarantined once, a second import changes nothing else -----------------


@pytest.fixture
def resolve(engine: Engine) -> Callable[[str, str], int | None]:
    """Every record goes to one registry account, so that rows are stored, not quarantined for it."""
    load_registry(engine, PROJECT_ROOT / "data" / "registry", actor="test", only="hk")
    with session_factory(engine)() as session:
        account = session.scalars(select(t.Account.id).where(t.Account.handle == "cfs.hk")).one()
    return lambda _platform, _ref: account


def damaged_twice(case: Case) -> str:
    """The example with its last row given a bad date/number cell and its first row one field too many
    (CSV), or its first message made a string and its last one given an unreadable date (JSON)."""
    if is_json(case):
        data = messages(case)
        data["messages"][0] = "not a message"
        last = max(
            i for i, m in enumerate(data["messages"]) if isinstance(m, dict) and m.get("type") == "message"
        )
        data["messages"][last] = {**data["messages"][last], "date": "never", "date_unixtime": "never"}
        return json.dumps(data, ensure_ascii=False)
    rows = csv_rows(case)
    rows[1] = [*rows[1], "surplus"]
    if len(rows) > 3:  # keep at least one good row
        rows[-1] = ["yesterday" if cell[:2].isdigit() else cell for cell in rows[-1]]
    return csv_text(rows)


def stored(engine: Engine) -> dict[str, int]:
    with session_factory(engine)() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (t.Post, t.PostSnapshot, t.Comment, t.ProfileSnapshot, t.QuarantinedRecord)
        }


@CASE
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_importing_a_damaged_file_twice_keeps_the_good_rows_once(
    case: Case, engine: Engine, resolve: Callable[[str, str], int | None], tmp_path: Path
) -> None:
    if case.fixture.name == "comments.csv":  # comments need their posts in the store
        posts = CASES[0]
        import_activity(engine, posts.fixture, importer_of(posts), context_of(posts), resolve, "fuzz-key")
    before = stored(engine)["quarantine"]
    path = write(tmp_path, case, damaged_twice(case))
    runs = []
    for _ in range(2):
        runs.append(import_activity(engine, path, importer_of(case), context_of(case), resolve, "fuzz-key"))
    first, second = (run.counts.as_dict() for run in runs)

    assert runs[0].errors == [] and first.get("quarantined", 0) >= 1, runs[0].as_dict()
    assert any(k.endswith(".insert") and v for k, v in first.items()), first
    assert {k: v for k, v in second.items() if v and not k.endswith(".noop")} == {
        "quarantined": first["quarantined"]
    }
    counts = stored(engine)
    assert counts["quarantine"] - before <= first["quarantined"]  # one record per bad row, not per run
    with session_factory(engine)() as session:
        q = t.QuarantinedRecord
        met = session.execute(select(q.times_seen, q.last_run_id).where(q.run_id == runs[0].run_id)).all()
    assert len(met) == counts["quarantine"] - before  # the second run added no row
    assert sum(times for times, _ in met) == 2 * first["quarantined"]  # each met by both runs
    assert {last for _, last in met} == {runs[1].run_id}
    TALLY.add("damaged files imported twice through the store")
