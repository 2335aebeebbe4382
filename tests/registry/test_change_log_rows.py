"""The change log a registry load writes, row by row: entity, key, action, and the values before and
after (only the changed fields of an update, every field of an insert or a delete), in their JSON
forms (dates and times as ISO text, enums as their values), on both backends.

Every writer of the registry (jurisdictions, platforms, organisations, accounts, facts,
``clarifications.csv``, ``districts.csv``) logs through one upsert (``registry.changelog``): these
rows are what the portal's history and an auditor read, so they must not drift when it changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govsocial.registry.addresses import PlatformCatalogue
from govsocial.registry.load import load_registry
from govsocial.store import tables as t

POST = "https://www.facebook.com/xx/posts/1"
#: A post URL longer than ``changes.entity_key`` (300 characters): the key is cut to fit.
LONG_POST = "https://www.facebook.com/xx/posts/" + "9" * 400

Row = tuple[str, str, str, str, list[tuple[str, Any]] | None, list[tuple[str, Any]] | None]


def _write(root: Path, version: int) -> Path:
    """Jurisdiction ``xx`` with one row in each file, as first written (1), edited (2), edited again
    (3)."""
    xx = root / "xx"
    xx.mkdir(parents=True, exist_ok=True)
    name = "Example" if version == 1 else "Example Gov"
    (xx / "jurisdiction.toml").write_text(
        f'code = "xx"\nname_en = "{name}"\ntimezone = "Asia/Hong_Kong"\n', encoding="utf-8"
    )
    website = "https://mo.example" if version == 1 else "https://mo.example/en"
    (xx / "organisations.csv").write_text(
        "code,org_type,parent_code,name_en,name_zh_hant,website,source\n"
        f"xx-mo,department,,Met Office,天文台,{website},test\n",
        encoding="utf-8",
    )
    status, evidence_date, aliases = (
        ("published", "2024-01-02", "")
        if version == 1
        else ("archived", "2024-03-04", "https://www.facebook.com/xxmo.hk")
    )
    (xx / "accounts.csv").write_text(
        "org_codes,platform,url,handle,aliases,status,evidence_url,evidence_date,reviewed_on\n"
        f"xx-mo,facebook,https://www.facebook.com/xxmo,,{aliases},{status},https://example.org/xx,{evidence_date},\n",
        encoding="utf-8",
    )
    note = "a note" if version == 1 else "another note"
    (xx / "unconfirmed.csv").write_text(
        f"org_code,platform,claimed_handle,historical,note,source,source_date\n"
        f"xx-mo,instagram,xxmo,,{note},a source,2020-01-01\n",
        encoding="utf-8",
    )
    districts = {
        1: "north,North,北區,\ncentral,Central,,\n",
        2: "west,West,,\ncentral,Central District,,\n",  # one new, one name changed, one left the file
        3: "central,Central,中區,\n",  # every field changed, one left the file
    }[version]
    (xx / "districts.csv").write_text(
        "code,name_en,name_zh_hant,name_zh_hans\n" + districts, encoding="utf-8"
    )
    marks = (
        f"{POST},2026-08-24T09:30+08:00,https://forum.example/t/1,masks,reviewer A\n"
        f"{LONG_POST},,,,reviewer B\n"
        if version == 1
        else f"{POST},2026-08-24T08:00+08:00,https://forum.example/t/1,masks,reviewer A\n"
    )
    (xx / "clarifications.csv").write_text(
        "post_url,rumour_first_seen,rumour_url,note,source\n" + marks, encoding="utf-8"
    )
    return root


def _changes(engine: Engine, actor: str) -> list[Row]:
    """The change log rows ``actor`` wrote, in order, with their fields in their stored order."""
    with Session(engine) as session:
        rows = session.scalars(select(t.Change).where(t.Change.actor == actor).order_by(t.Change.id))
        return [
            (
                r.actor,
                r.entity,
                r.entity_key,
                r.action,
                None if r.before is None else list(r.before.items()),
                None if r.after is None else list(r.after.items()),
            )
            for r in rows
        ]


def _load(engine: Engine, root: Path, version: int, actor: str) -> list[Row]:
    report = load_registry(engine, _write(root, version), actor=actor)
    assert report.problems == []
    return _changes(engine, actor)


def test_a_first_load_logs_every_field_of_every_insert(engine: Engine, tmp_path: Path) -> None:
    changes = _load(engine, tmp_path / "registry", 1, "first")
    catalogue = PlatformCatalogue.default()
    platforms = [row for row in changes if row[1] == "platform"]
    assert [row[2] for row in platforms] == [p.key for p in catalogue]
    for position, (row, platform) in enumerate(zip(platforms, catalogue, strict=True)):
        assert row[:5] == ("first", "platform", platform.key, "insert", None)
        assert row[5] == [
            ("name_en", platform.name_en),
            ("name_zh_hant", platform.name_zh_hant),
            ("name_zh_hans", platform.name_zh_hans),
            ("position", position),
            ("definition", platform.model_dump(mode="json")),
        ]
    long_key = f"xx:{LONG_POST}"[:300]
    assert len(long_key) == 300
    assert [row for row in changes if row[1] != "platform"] == [
        ("first", "jurisdiction", "xx", "insert", None, [
            ("name_en", "Example"), ("name_zh_hant", None), ("name_zh_hans", None), ("default_locale", "en"),
            ("timezone", "Asia/Hong_Kong"), ("population", None), ("population_year", None),
            ("population_source", None), ("eservice_domains", []), ("source", None),
        ]),
        ("first", "organisation", "xx:xx-mo", "insert", None, [
            ("org_type", "department"), ("parent_id", None), ("name_en", "Met Office"),
            ("name_zh_hant", "天文台"), ("name_zh_hans", "天文台"), ("website", "https://mo.example"),
            ("source", "test"),
        ]),
        ("first", "account", "facebook:handle:xxmo", "insert", None, [
            ("status", "published"), ("display_name_en", None), ("display_name_zh_hant", None),
            ("languages", []), ("tags", []), ("evidence_url", "https://example.org/xx"),
            ("evidence_note", None), ("evidence_date", "2024-01-02"), ("reviewed_on", None),
            ("archived_on", None), ("archived_reason", None), ("notes", None), ("jurisdiction", "xx"),
            ("platform", "facebook"), ("kind", "handle"), ("handle", "xxmo"), ("key", "xxmo"),
            ("url", "https://www.facebook.com/xxmo"), ("platform_id", None), ("display_name_zh_hans", None),
            ("owner_ids", [_organisation_id(engine)]), ("address_keys", ["facebook:handle:xxmo"]),
        ]),
        ("first", "organisation_fact", "xx:xx-mo:instagram:xxmo", "insert", None, [
            ("historical", False), ("note", "a note"), ("source_date", "2020-01-01"),
        ]),
        ("first", "clarification_mark", f"xx:{POST}", "insert", None, [
            ("rumour_first_seen_at", "2026-08-24T01:30:00+00:00"), ("rumour_url", "https://forum.example/t/1"),
            ("note", "masks"), ("source", "reviewer A"),
        ]),
        ("first", "clarification_mark", long_key, "insert", None, [
            ("rumour_first_seen_at", None), ("rumour_url", None), ("note", None), ("source", "reviewer B"),
        ]),
        ("first", "district", "xx:north", "insert", None, [
            ("position", 0), ("name_en", "North"), ("name_zh_hant", "北區"), ("name_zh_hans", "北区"),
        ]),
        ("first", "district", "xx:central", "insert", None, [
            ("position", 1), ("name_en", "Central"), ("name_zh_hant", None), ("name_zh_hans", None),
        ]),
    ]  # fmt: skip


def _organisation_id(engine: Engine) -> int:
    with Session(engine) as session:
        query = select(t.Organisation.id).where(t.Organisation.code == "xx-mo")
        return session.scalars(query).one()


def test_a_reload_logs_nothing_and_edits_log_only_the_changed_fields(engine: Engine, tmp_path: Path) -> None:
    root = tmp_path / "registry"
    _load(engine, root, 1, "first")
    assert _load(engine, root, 1, "again") == []
    long_key = f"xx:{LONG_POST}"[:300]
    assert [row for row in _load(engine, root, 2, "edit") if row[1] != "platform"] == [
        ("edit", "jurisdiction", "xx", "update", [("name_en", "Example")], [("name_en", "Example Gov")]),
        ("edit", "organisation", "xx:xx-mo", "update",
         [("website", "https://mo.example")], [("website", "https://mo.example/en")]),
        ("edit", "account", "facebook:handle:xxmo", "update",
         [("status", "published"), ("evidence_date", "2024-01-02"),
          ("address_keys", ["facebook:handle:xxmo"])],
         [("status", "archived"), ("evidence_date", "2024-03-04"),
          ("address_keys", ["facebook:handle:xxmo", "facebook:handle:xxmohk"])]),
        ("edit", "organisation_fact", "xx:xx-mo:instagram:xxmo", "update",
         [("note", "a note")], [("note", "another note")]),
        ("edit", "clarification_mark", f"xx:{POST}", "update",
         [("rumour_first_seen_at", "2026-08-24T01:30:00+00:00")],
         [("rumour_first_seen_at", "2026-08-24T00:00:00+00:00")]),
        ("edit", "clarification_mark", long_key, "delete",
         [("rumour_first_seen_at", None), ("rumour_url", None), ("note", None), ("source", "reviewer B")],
         None),
        ("edit", "district", "xx:west", "insert", None,
         [("position", 0), ("name_en", "West"), ("name_zh_hant", None), ("name_zh_hans", None)]),
        ("edit", "district", "xx:central", "update",
         [("name_en", "Central")], [("name_en", "Central District")]),
        ("edit", "district", "xx:north", "delete",
         [("position", 0), ("name_en", "North"), ("name_zh_hant", "北區"), ("name_zh_hans", "北区")], None),
    ]  # fmt: skip
    assert _load(engine, root, 2, "edit again") == []
    assert _load(engine, root, 3, "third") == [
        ("third", "district", "xx:central", "update",
         [("position", 1), ("name_en", "Central District"), ("name_zh_hant", None), ("name_zh_hans", None)],
         [("position", 0), ("name_en", "Central"), ("name_zh_hant", "中區"), ("name_zh_hans", "中区")]),
        ("third", "district", "xx:west", "delete",
         [("position", 0), ("name_en", "West"), ("name_zh_hant", None), ("name_zh_hans", None)], None),
    ]  # fmt: skip
