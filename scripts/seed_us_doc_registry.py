"""One-off: convert the U.S. Digital Registry snapshot in ../shared/data/us_usdr_2017 into
data/registry/us-doc (the Department of Commerce part of the registry, June 2017).

Kept so the conversion can be reviewed and re-run (``python scripts/seed_us_doc_registry.py
[SHARED_DIR]``); the product never reads ../shared. Every value comes from the source records;
the decisions (status, owners, merged duplicates, left-out records) are written to SOURCES.md by
this script, so the counts there always match the files.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere

from govsocial.errors import AddressError  # noqa: E402
from govsocial.registry.addresses import PlatformCatalogue  # noqa: E402
from govsocial.registry.records import AccountRecord, OrganisationRecord  # noqa: E402

SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared"
SOURCE = SHARED / "data" / "us_usdr_2017"
OUT = ROOT / "data" / "registry" / "us-doc"

CODE = "us-doc"
REPOSITORY = "github.com/abigailbowman/USDR-Project"
REPOSITORY_HEAD = "f71e6abb29f6b1d0296349d45735c714d0b500de"
API = "U.S. Digital Registry API v1 /social_media (GSA)"
DEPARTMENT_ID = 81  # "Department of Commerce" in the registry's agency list
SNAPSHOT = "2017-06"

LANGUAGES = {  # the registry's free-text language -> BCP 47
    "english": ["en"],
    "english(uk)": ["en-GB"],
    "english & german": ["en", "de"],
    "spanish": ["es"],
}
STATUS_NOTE = (
    "From a June 2017 snapshot of the U.S. Digital Registry, which closed in 2024: listed for "
    "research, not verified as official today."
)
FACEBOOK_CHECK = (
    "A Facebook Graph API look-up of this URL in June 2017 (USDR-Project, "
    "Facebook_API_Results_by_URL.json) answered 'page is not available'."
)


@dataclass
class Merged:
    """One account: the first record with its address, and every record of the same address."""

    platform: str
    url: str
    records: list[dict[str, Any]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


def org_code(agency_id: int) -> str:
    return f"usdr-{agency_id}"


def day(timestamp: str) -> str:
    return timestamp[:10]


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def languages(text: str) -> list[str]:
    key = clean(text).lower()
    if key not in LANGUAGES:
        raise SystemExit(f"unknown language {text!r}: add it to LANGUAGES")
    return LANGUAGES[key]


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def organisation_rows(records: list[dict[str, Any]]) -> list[dict[str, str]]:
    agencies: dict[int, dict[str, Any]] = {}
    for record in records:
        for agency in record["agencies"]:
            agencies.setdefault(agency["id"], agency)
    if DEPARTMENT_ID not in agencies:
        raise SystemExit("the records name no Department of Commerce (agency 81)")
    rows = []
    for agency_id, agency in sorted(agencies.items()):
        website = agency.get("info_url") or ""
        is_department = agency_id == DEPARTMENT_ID
        row = {
            "code": org_code(agency_id),
            "org_type": "department" if is_department else "office",
            "parent_code": "" if is_department else org_code(DEPARTMENT_ID),
            "name_en": clean(agency["name"]),
            "name_zh_hant": "",
            "name_zh_hans": "",
            "website": website if website.startswith(("http://", "https://")) else "",
            "source": f"U.S. Digital Registry API /social_media, agency id {agency_id} (snapshot {SNAPSHOT})",
        }
        OrganisationRecord.model_validate(row)  # fail here rather than in lint
        rows.append(row)
    return rows


def merge(
    records: list[dict[str, Any]], catalogue: PlatformCatalogue
) -> tuple[list[Merged], list[tuple[dict[str, Any], str]]]:
    """Accounts in source order, duplicates folded into the first; and the records left out."""
    accounts: dict[tuple[str, str, str], Merged] = {}
    left_out: list[tuple[dict[str, Any], str]] = []
    for record in records:
        platform = catalogue.resolve_name(record["service_key"]).key
        url = record["service_url"].strip()
        try:
            address = catalogue.parse(url, platform=platform)
        except AddressError as exc:
            left_out.append((record, str(exc).removeprefix(f"{url}: ")))
            continue
        merged = accounts.setdefault(address.identity, Merged(platform, url))
        merged.records.append(record)
        if url != merged.url and url not in merged.aliases:
            merged.aliases.append(url)
    return list(accounts.values()), left_out


def facebook_failures(catalogue: PlatformCatalogue) -> dict[tuple[str, str, str], str]:
    """Facebook addresses the source repository's June 2017 Graph API check found unavailable."""
    path = SOURCE / "Facebook_API_Results_by_URL_flat.csv"
    failed: dict[tuple[str, str, str], str] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["is_valid"] != "False":
                continue
            try:
                failed[catalogue.parse(row["url"], platform="facebook").identity] = row["error"]
            except AddressError:
                continue
    return failed


def namesakes(accounts: list[Merged], catalogue: PlatformCatalogue) -> dict[str, list[str]]:
    """URL -> other accounts' URLs with the same name in another namespace (YouTube /user/x and /x)."""
    by_name: dict[tuple[str, str], list[str]] = {}
    for account in accounts:
        address = catalogue.parse(account.url, platform=account.platform)
        by_name.setdefault((address.platform, address.value.casefold()), []).append(account.url)
    return {url: [u for u in urls if u != url] for urls in by_name.values() if len(urls) > 1 for url in urls}


def account_row(
    account: Merged,
    catalogue: PlatformCatalogue,
    unavailable: set[tuple[str, str, str]],
    same_name: dict[str, list[str]],
) -> dict[str, str]:
    records = account.records
    agency_ids = unique([str(a["id"]) for r in records for a in r["agencies"]])
    specific = [i for i in agency_ids if i != str(DEPARTMENT_ID)]
    owners = specific + ([str(DEPARTMENT_ID)] if str(DEPARTMENT_ID) in agency_ids else [])
    updated = max(day(r["updated_at"]) for r in records)
    evidence = "; ".join(
        f"U.S. Digital Registry API record {r['id']}, "
        f"created {day(r['created_at'])}, updated {day(r['updated_at'])}"
        for r in records
    )
    notes = [STATUS_NOTE]
    if len(records) > 1:
        ids = ", ".join(str(r["id"]) for r in records)
        notes.append(f"Merged registry records {ids}: the same account address.")
    if catalogue.parse(account.url, platform=account.platform).identity in unavailable:
        notes.append(FACEBOOK_CHECK)
    for other in same_name.get(account.url, []):
        notes.append(f"May be the same account as {other} (same name, another kind of address).")
    row = {
        "org_codes": "|".join(org_code(int(i)) for i in owners),
        "platform": account.platform,
        "url": account.url,
        "handle": "",
        "platform_id": "",
        "aliases": "|".join(account.aliases),
        "status": "under_review",
        "display_name_en": next((clean(r["organization"]) for r in records if clean(r["organization"])), ""),
        "display_name_zh_hant": "",
        "display_name_zh_hans": "",
        "languages": "|".join(unique([code for r in records for code in languages(r["language"])])),
        "tags": "|".join(unique([clean(t["tag_text"]) for r in records for t in r["tags"]])),
        "evidence_url": "",
        "evidence_note": evidence,
        "evidence_date": updated,
        "reviewed_on": updated,
        "first_seen_on": "",
        "last_seen_on": "",
        "archived_on": "",
        "archived_reason": "",
        "notes": " ".join(notes),
    }
    if any("|" in t["tag_text"] for r in records for t in r["tags"]):
        raise SystemExit(f"a tag of record {records[0]['id']} holds '|', the list separator")
    AccountRecord.model_validate(row)
    return row


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


TOML_SOURCE = (
    f"{API} records of Department of Commerce agencies, as saved in June 2017 by {REPOSITORY} "
    f"(commit {REPOSITORY_HEAD[:12]}, data/DOC_accts.txt; MIT). See SOURCES.md."
)


def jurisdiction_toml() -> str:
    return f"""# U.S. Department of Commerce accounts from the U.S. Digital Registry (June 2017 snapshot).
# Written by scripts/seed_us_doc_registry.py; see SOURCES.md.
code = "{CODE}"
name_en = "U.S. Department of Commerce (U.S. Digital Registry, June 2017 snapshot)"
default_locale = "en"
timezone = "America/New_York"
# Lint reports an organisation without a name in each of these.
required_name_languages = ["en"]
source = "{TOML_SOURCE}"
# No population: these are one department's accounts, and the U.S. population estimate for 2017
# (U.S. Census Bureau, Vintage 2017) should be added here with its source once checked; until then
# follower-share metrics are empty for this jurisdiction.
# Hosts of the Department's and its bureaus' online services (matched by host suffix: doc.gov
# covers bis.doc.gov, census.gov covers data.census.gov).
eservice_domains = [
  "commerce.gov", "doc.gov", "census.gov", "noaa.gov", "weather.gov", "nist.gov", "uspto.gov",
  "bea.gov", "trade.gov", "export.gov", "eda.gov", "mbda.gov", "ntia.gov", "ntis.gov", "selectusa.gov",
]
"""


def licence_text() -> str:
    mit = (SOURCE / "LICENSE.txt").read_text(encoding="utf-8").rstrip("\n")
    return (
        f"The files of this folder were converted from data saved by {REPOSITORY}\n"
        f"(commit {REPOSITORY_HEAD}), under this licence:\n\n"
        f"{mit}\n\n"
        "The underlying records come from the public U.S. Digital Registry API (run by the U.S. General\n"
        "Services Administration): they are a work of the U.S. federal government.\n"
    )


def sources_md(
    records: list[dict[str, Any]],
    orgs: list[dict[str, str]],
    accounts: list[Merged],
    rows: list[dict[str, str]],
    left_out: list[tuple[dict[str, Any], str]],
    same_name: dict[str, list[str]],
) -> str:
    merged = [a for a in accounts if len(a.records) > 1]
    folded = sum(len(a.records) - 1 for a in merged)
    platforms: dict[str, int] = {}
    for row in rows:
        platforms[row["platform"]] = platforms.get(row["platform"], 0) + 1
    by_platform = ", ".join(
        f"{key} {n}" for key, n in sorted(platforms.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    doc_only = sum(1 for row in rows if row["org_codes"] == org_code(DEPARTMENT_ID))
    checked_out = sum(1 for row in rows if FACEBOOK_CHECK in row["notes"])
    org_lines = "\n".join(
        f"| `{o['code']}` | {o['name_en']} | {o['org_type']} | "
        f"{sum(1 for r in rows if o['code'] in r['org_codes'].split('|'))} |"
        for o in orgs
    )
    merge_lines = "\n".join(
        f"- `{a.url}` (record {a.records[0]['id']}) + "
        + ", ".join(f"record {r['id']} `{r['service_url'].strip()}`" for r in a.records[1:])
        for a in merged
    )
    left_lines = "\n".join(
        f"- record {r['id']} ({r['service_key']}, {clean(r['organization']) or 'no organization'}): "
        f"`{r['service_url']}`: {reason}"
        for r, reason in left_out
    )
    pairs = sorted({tuple(sorted([url, *others])) for url, others in same_name.items()})
    namesake_lines = "\n".join("  - " + " and ".join(f"`{u}`" for u in pair) for pair in pairs) or "  - none"
    same_dates = all(r["created_at"] == r["updated_at"] for r in records)
    no_department = sum(1 for r in records if DEPARTMENT_ID not in [a["id"] for a in r["agencies"]])
    return f"""# Sources of the U.S. Department of Commerce registry (`us-doc`)

Converted by `scripts/seed_us_doc_registry.py` from `../shared/data/us_usdr_2017/DOC_accts.json`:
the {len(records)} records of Department of Commerce agencies that the U.S. Digital Registry's public
API (`{API}`) returned in June 2017, as saved by {REPOSITORY} (commit `{REPOSITORY_HEAD}`,
`data/DOC_accts.txt`, last changed 2017-06-06; the repository is MIT-licensed, see
`LICENSE-DATA.txt`; the records themselves are a U.S. federal government work). Record dates run
from {min(day(r["created_at"]) for r in records)} to {max(day(r["updated_at"]) for r in records)}.

This folder is a second jurisdiction for govsocial, real data at a realistic size. It is **not** a
list of accounts the U.S. government confirms today: the U.S. Digital Registry closed in 2024 and
this is a 2017 snapshot.

## Organisations (`organisations.csv`): {len(orgs)}

One row per agency named in the records' `agencies` lists, code `usdr-<registry agency id>`,
`name_en` and `website` (`info_url`) as the registry gives them. The Department of Commerce
(agency 81) is a `department`; every other agency is an `office` whose parent is `usdr-81`. (They
are the Department's operating units — bureaus and administrations — but govsocial's `bureau` type
means a ministry-level policy bureau in Hong Kong's sense, so `office` is the closest type.)

| code | name | type | accounts |
|---|---|---|---|
{org_lines}

`usdr-2201` (Patent and Trademark Office (USPTO)) and `usdr-2636` (U.S. Patent and Trademark Office,
no `info_url`) are the same agency under two registry ids; both are kept, as the registry had them.

## Accounts (`accounts.csv`): {len(rows)} accounts from {len(records)} records

{len(records)} records − {len(left_out)} left out − {folded} merged into an earlier record = {len(rows)} rows.
By platform: {by_platform}.

- `status` is `under_review` for every account, with the reason in `notes`: a 2017 snapshot of
  a registry that has closed is listed for research, not verified as official today. The
  accounts verify as `unknown`, never `official`.
- Evidence: `evidence_note` names the registry record(s) with their creation and update dates;
  `evidence_url` is empty, because the registry's site gives no page per record.
  `evidence_date` and `reviewed_on` are the record's `updated_at` date (the registry's own last
  review; the latest one for merged rows).
- Owners (`org_codes`): the record's agencies, the specific agency first and `usdr-81` last.
  {doc_only} accounts name only the Department (`usdr-81`), although by their display names many
  are accounts of one of its agencies (NOAA offices, the Census Bureau, USPTO, ITA, NIST) or of
  agencies that are not in the registry's agency list at all (Economic Development
  Administration, NTIA, Minority Business Development Agency, NTIS): the registry's own
  attribution, kept as it is.
- `platform`: the registry's `service_key` mapped to the catalogue (`twitter` → `x`; the others
  have the same key). `url` is the record's `service_url` as written (trailing spaces removed).
- `display_name_en` is the record's `organization` (white space tidied); `languages` its
  `language` in BCP 47 (`English` → `en`, `English(UK)` → `en-GB`, `English & German` → `en|de`);
  `tags` its `tag_text` values (white space tidied, repeats dropped).
- {checked_out} Facebook accounts carry a note that the source repository's June 2017 Graph API check of
  their URL answered "page is not available" (`Facebook_API_Results_by_URL.json`).

### Duplicates merged ({len(merged)} accounts, {folded} records folded in)

Records whose URL normalises to the address of an earlier record (in the file's order) are the same
account: they were merged into the earlier record's row, with the union of owners, languages and
tags, the other URLs as `aliases` when they are spelt differently, and every record id in
`evidence_note` and `notes`.

{merge_lines}

### Records left out ({len(left_out)})

Their URL is not an account address that govsocial can verify:

{left_lines}

## Surprises in the data

- {"Every record's `updated_at` equals its `created_at`" if same_dates else "Some records were updated"}:
  the snapshot shows no review after an account was registered (so `reviewed_on` is the
  registration date).
- {no_department} records name an agency without the Department; the others name the Department,
  alone or with an agency.
- Addresses with the same name in two namespaces, kept as separate accounts (the registry lists
  both; each row's `notes` says they may be the same account):
{namesake_lines}
- Record 1 (`facebook.com/usnistgov`) has `account` `4nist`, perhaps an older page name.
- Record 45531's URL ends with a space; records 207292 and 207345 have no `organization`
  (207292 was merged into the NOAA Diving Program row, 207345 (`twitter.com/BISgov`) has no
  display name).
- Five NOAA Fisheries records are in `English(UK)`; one (`twitter.com/CSGermany`) in
  `English & German`.
"""


def main() -> None:
    catalogue = PlatformCatalogue.default()
    records: list[dict[str, Any]] = json.loads((SOURCE / "DOC_accts.json").read_text(encoding="utf-8"))
    OUT.mkdir(parents=True, exist_ok=True)
    orgs = organisation_rows(records)
    accounts, left_out = merge(records, catalogue)
    unavailable = set(facebook_failures(catalogue))
    same_name = namesakes(accounts, catalogue)
    rows = [account_row(a, catalogue, unavailable, same_name) for a in accounts]
    (OUT / "jurisdiction.toml").write_text(jurisdiction_toml(), encoding="utf-8")
    write_csv(OUT / "organisations.csv", OrganisationRecord.columns, orgs)
    write_csv(OUT / "accounts.csv", AccountRecord.columns, rows)
    (OUT / "SOURCES.md").write_text(
        sources_md(records, orgs, accounts, rows, left_out, same_name), encoding="utf-8"
    )
    (OUT / "LICENSE-DATA.txt").write_text(licence_text(), encoding="utf-8")
    merged = sum(len(a.records) - 1 for a in accounts)
    print(
        f"{len(orgs)} organisations, {len(rows)} accounts from {len(records)} records "
        f"({merged} merged, {len(left_out)} left out)"
    )


if __name__ == "__main__":
    main()
