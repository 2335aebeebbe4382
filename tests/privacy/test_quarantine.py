"""Refused rows keep no personal data in clear, and a refused comment can be forgotten.

A bad row is quarantined with its reason, which quotes the value refused: the reason is shown by
``govsocial collect quarantine`` and the admin pages, so it is redacted as the row's content is,
and a purge redacts the reasons kept in clear by earlier versions.
A bad row of a comments file without an author column is kept as the line it was: ``govsocial
privacy forget`` finds it by the comment's id among its fields.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, insert, select

from govsocial.store import tables as t
from govsocial.store.retention import PURGED
from tests.collect.test_end_to_end import registry
from tests.demo_store import cli

__all__ = ["registry"]

POSTS_CSV = """platform,account,post_id,created_at,format,text,url,likes
facebook,cfs.hk,q-post-1,2026-03-01T09:00:00+08:00,text,A post,https://fb.example/1,3
facebook,cfs.hk,q-post-2,2026-03-01T09:00:00+08:00,text,A post,https://fb.example/2,call 9222 3333
"""
COMMENTS_CSV = """platform,account,post_id,comment_id,created_at,author_id,is_page_reply,text,likes
facebook,cfs.hk,q-post-1,q-1,2026-03-01T10:00:00+08:00,100077777777771,maybe A123456(3),hi,1
facebook,cfs.hk,q-post-1,q-2,not a date 98765432 x@example.com,100077777777772,false,hi,0
"""
#: A comments file without an author column: its bad rows are quarantined as the lines they are.
LINES_CSV = """platform,account,post_id,comment_id,created_at,text,likes
facebook,cfs.hk,q-post-1,q-line-1,2026-03-01T10:00:00+08:00,fine,1
facebook,cfs.hk,q-post-1,q-line-2,bad-date,my phone 9345 6789 please,1
facebook,cfs.hk,q-post-1,q-line-3,bad-date,another reader's words,1
"""
PERSONAL = ("9222 3333", "A123456(3)", "a123456(3)", "98765432", "x@example.com")


def _import(database_url: str, folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    code, output = cli(database_url, "collect", "import", str(path), "--format", "generic", "--no-metrics")
    assert code in (0, 1) and "partial" in output, output  # every file holds a bad row


def _quarantined(engine: Engine) -> list[t.QuarantinedRecord]:
    with engine.connect() as connection:
        return list(connection.execute(select(t.QuarantinedRecord).order_by(t.QuarantinedRecord.id)))


def _forget(database_url: str, comment_id: str) -> tuple[int, str]:
    return cli(database_url, "privacy", "forget", "--platform", "facebook", "--comment-id", comment_id)


def test_the_reason_of_a_quarantined_row_is_redacted(
    registry: Engine, database_url: str, tmp_path: Path
) -> None:
    _import(database_url, tmp_path, "posts.csv", POSTS_CSV)
    _import(database_url, tmp_path, "comments.csv", COMMENTS_CSV)

    records = _quarantined(registry)
    assert len(records) == 3
    reasons = "\n".join(record.reason for record in records)
    # Each reason still says which column and why, with the personal data replaced.
    assert "likes: 'call [PHONE]' is not a whole number" in reasons
    assert "is_page_reply: 'maybe [HKID]' is not true or false" in reasons
    assert "created_at: 'not a date [PHONE] [EMAIL]'" in reasons
    assert [bit for bit in PERSONAL if bit in reasons] == []
    code, listing = cli(database_url, "collect", "quarantine", "--json")
    assert code == 0 and [bit for bit in PERSONAL if bit in listing] == []


def test_a_quarantined_line_of_a_comments_file_is_forgotten_by_its_id(
    registry: Engine, database_url: str, tmp_path: Path
) -> None:
    _import(database_url, tmp_path, "posts.csv", POSTS_CSV)
    _import(database_url, tmp_path, "lines.csv", LINES_CSV)
    assert any("q-line-2" in record.content for record in _quarantined(registry))

    code, output = _forget(database_url, "q-line-2")

    assert code == 0, output
    assert "1 quarantined record(s)" in " ".join(output.split())
    contents = [record.content for record in _quarantined(registry)]
    assert not any("q-line-2" in content for content in contents)
    assert any("q-line-3" in content for content in contents)  # another reader's row stays
    # An id that is only part of a field ("q-line" of "q-line-3") names no record.
    code, output = _forget(database_url, "q-line")
    assert code == 1, output


def test_a_purge_redacts_the_reasons_recorded_in_clear_before(registry: Engine, database_url: str) -> None:
    # Records quarantined by earlier versions quote the refused value as it was: every purge (every
    # metrics refresh) redacts them, whatever the retention period, and keeps what is not personal.
    reasons = {
        "clear": "likes: 'call 9222 3333' is not a whole number",
        # A Facebook page id the store names is an id (not a mainland phone number): it stays.
        "plain": "facebook account '19292868552' is not in the registry",
    }
    with registry.begin() as connection:
        for name, reason in reasons.items():
            connection.execute(
                insert(t.QuarantinedRecord).values(
                    source="import:generic", location=name, reason=reason, content=PURGED, fingerprint=name
                )
            )

    code, output = cli(database_url, "privacy", "purge", "--days", "0")

    assert code == 0 and "1 quarantine reasons redacted" in " ".join(output.split()), output
    kept = {record.location: record.reason for record in _quarantined(registry)}
    assert kept == {"clear": "likes: 'call [PHONE]' is not a whole number", "plain": reasons["plain"]}
    code, output = cli(database_url, "privacy", "purge", "--days", "0")
    assert code == 0 and "redacted" not in output  # nothing left to redact


def test_a_comment_quarantined_for_want_of_its_post_is_forgotten_after_its_content_is_purged(
    registry: Engine, database_url: str, tmp_path: Path
) -> None:
    # Its location names the comment first, then where the file held it; once a purge has emptied
    # its content, that location is what still names it.
    orphan = "platform,account,post_id,comment_id,created_at,author_id,text\n"
    orphan += "facebook,cfs.hk,never-imported,q-orphan,2026-03-01T10:00:00+08:00,100077777777779,my words\n"
    _import(database_url, tmp_path, "orphans.csv", orphan)
    [record] = _quarantined(registry)
    assert record.location == "comment q-orphan (orphans.csv, line 2)"
    with registry.begin() as connection:
        connection.execute(t.QuarantinedRecord.__table__.update().values(content=PURGED))

    code, output = _forget(database_url, "q-orphan")

    assert code == 0 and "1 quarantined record(s)" in " ".join(output.split()), output
    assert _quarantined(registry) == []
