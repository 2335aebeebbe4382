"""One-off: convert ../shared/data/hk into the registry format of data/registry/hk.

Kept so the conversion can be reviewed and re-run; the product never reads ../shared.
Every value comes from the source rows; the only additions are the organisation rows for the
government as a whole and the Secretary for Security (named by the account rows themselves),
and the per-account status decisions written in SOURCES.md.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from govsocial.registry.records import AccountRecord, FactRecord, OrganisationRecord

SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared"
OUT = Path(__file__).resolve().parents[1] / "data" / "registry" / "hk"

ORG_COLUMNS = list(OrganisationRecord.columns)
ACC_COLUMNS = list(AccountRecord.columns)
FACT_COLUMNS = list(FactRecord.columns)

EXTRA_ORGS = [
    {
        "code": "hksarg",
        "org_type": "government",
        "parent_code": "",
        "name_en": "Government of the Hong Kong Special Administrative Region",
        "name_zh_hant": "香港特別行政區政府",
        "name_zh_hans": "",
        "website": "",
        "source": 'news.gov.hk 2020-02-22 https://www.news.gov.hk/eng/2020/02/20200222/20200222_124304_138.html?type=ticker ("the Government\'s Telegram channel")',
    },
    {
        "code": "post-ss",
        "org_type": "official_post",
        "parent_code": "hk-sb",
        "name_en": "Secretary for Security",
        "name_zh_hant": "保安局局長",
        "name_zh_hans": "",
        "website": "",
        "source": "https://prologuejournal.com/salute-hong-kong-police-officials-launch-accounts-on-chinese-social-media-platforms (names the Secretary for Security's accounts); code post-ss is ours",
    },
]

# url -> (status, org_codes, display names, archived_reason, notes)
DECISIONS: dict[str, dict[str, str]] = {
    "https://www.instagram.com/cyberdefenderhk/": {
        "status": "under_review",
        "notes": "Linked once from cyberdefender.hk but not in its schema sameAs; may be an old or alternate handle.",
    },
    "https://www.youtube.com/channel/UC67ZoAyxc5C_DebyxveemLQ": {
        "status": "under_review",
        "notes": "Channel-id link on cyberdefender.hk; probably the same channel as youtube.com/c/CyberDefenderHK - confirm.",
    },
}
ALIASES = {"https://www.youtube.com/c/CyberDefenderHK/": ["https://www.youtube.com/cyberdefenderhk/"]}
SKIP = {"https://www.youtube.com/cyberdefenderhk/"}  # merged into the /c/ row as an alias
PLATFORM_KEYS = {
    "Facebook": "facebook",
    "Instagram": "instagram",
    "YouTube": "youtube",
    "X (Twitter)": "x",
    "Weibo": "weibo",
    "WeChat": "wechat",
    "Douyin": "douyin",
    "WhatsApp Channel": "whatsapp",
    "Xiaohongshu": "xiaohongshu",
    "Telegram": "telegram",
}


def first_url(text: str) -> str:
    match = re.search(r"https?://[^\s\"')]+", text)
    return match.group(0).rstrip(".,;") if match else ""


def iso_date(text: str) -> str:
    match = re.match(r"^(\d{4}-\d{2}-\d{2})\b", text.strip())
    return match.group(1) if match else ""


def evidence_note(row: dict[str, str]) -> str:
    parts = [f"Source: {row['source']}"]
    if row["source_date"]:
        parts.append(f"Date: {row['source_date']}")
    if row["evidence_quote"]:
        parts.append(f"Quote: {row['evidence_quote']}")
    return " | ".join(parts)


def org_code(row: dict[str, str]) -> str:
    if row["org_code"]:
        return row["org_code"]
    return "post-ss" if row["org_en"].startswith("Secretary for Security") else "hksarg"


def account_row(row: dict[str, str]) -> dict[str, str]:
    url = row["url"]
    decision = DECISIONS.get(url, {})
    historical = row["historical"] == "yes"
    return {
        "org_codes": org_code(row),
        "platform": PLATFORM_KEYS[row["platform"]],
        "url": url,
        "handle": "",
        "platform_id": "",
        "aliases": "|".join(ALIASES.get(url, [])),
        "status": "archived" if historical else decision.get("status", "published"),
        "display_name_en": row["org_en"],
        "display_name_zh_hant": row["org_zh"],
        "display_name_zh_hans": "",
        "languages": "",
        "tags": "",
        "evidence_url": first_url(row["source"]),
        "evidence_note": evidence_note(row),
        "evidence_date": iso_date(row["source_date"]),
        "reviewed_on": "",
        "first_seen_on": "",
        "last_seen_on": "",
        "archived_on": "",
        "archived_reason": "Account of a former office-holder or a closed campaign (marked historical in the source data)."
        if historical
        else "",
        "notes": decision.get("notes", ""),
    }


def fact_row(row: dict[str, str]) -> dict[str, str]:
    handle = row["handle"]
    note = ""
    if handle.startswith("page id "):
        note = f"Numeric Facebook Page ID {handle[8:]} claimed by the organisation's site; page address not shown."
        handle = ""
    if row["evidence_quote"]:
        note = (note + " " if note else "") + f"Quote: {row['evidence_quote']}"
    return {
        "org_code": org_code(row),
        "platform": PLATFORM_KEYS[row["platform"]],
        "claimed_handle": handle,
        "historical": "yes" if row["historical"] == "yes" else "",
        "note": (f"Listed as: {row['org_en']} / {row['org_zh']}. " + note).strip(),
        "source": row["source"],
        "source_date": row["source_date"],
    }


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    orgs = list(csv.DictReader((SHARED / "data/hk/organisations.csv").open(encoding="utf-8")))
    org_rows = [{**{c: row.get(c, "") for c in ORG_COLUMNS}} for row in orgs] + EXTRA_ORGS
    write(OUT / "organisations.csv", ORG_COLUMNS, sorted(org_rows, key=lambda r: r["code"]))
    rows = list(csv.DictReader((SHARED / "data/hk/accounts.csv").open(encoding="utf-8")))
    accounts = [account_row(r) for r in rows if r["url"] and r["url"] not in SKIP]
    facts = [fact_row(r) for r in rows if not r["url"]]
    write(OUT / "accounts.csv", ACC_COLUMNS, accounts)
    write(OUT / "unconfirmed.csv", FACT_COLUMNS, facts)
    print(f"{len(org_rows)} organisations, {len(accounts)} accounts, {len(facts)} unconfirmed facts")


if __name__ == "__main__":
    main()
