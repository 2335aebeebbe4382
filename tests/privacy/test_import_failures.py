"""An import that fails keeps no personal data in its error: the message may quote the exception,
which may quote a cell of the file (a line of a citizen's comment), and the run record keeps it,
``collect import`` prints it and the admin pages show it; so it is redacted as a quarantine reason
is (``privacy.redact_reason``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tests.collect.test_import_robustness import _Breaks, _import, assert_finished, engine_of_store, store

__all__ = ["engine_of_store", "store"]

PERSONAL = ("9123 4567", "someone@example.com", "A123456(3)", "EAABsecrettoken123")


def test_the_message_of_a_failed_import_is_redacted(
    engine_of_store: Engine, store: str, tmp_path: Path
) -> None:
    breaks = _Breaks()
    breaks.error = ValueError(
        "cannot read 'call 9123 4567 or write to someone@example.com, my HKID is A123456(3)' "
        "(from https://graph.example/x?access_token=EAABsecrettoken123)"
    )

    summary = _import(engine_of_store, breaks, tmp_path)

    [error] = summary.errors
    assert error["kind"] == "unexpected"
    # What went wrong is still said, with the personal data and the token replaced.
    assert error["message"].startswith(
        "the import stopped: ValueError: cannot read 'call [PHONE] or write to [EMAIL], my HKID is [HKID]'"
    )
    assert [bit for bit in PERSONAL if bit in error["message"]] == []
    assert assert_finished(store, "failed").errors == summary.errors  # as stored


def test_a_long_message_is_redacted_before_it_is_cut(
    engine_of_store: Engine, store: str, tmp_path: Path
) -> None:
    # A phone number across the cut would lose its end, and a part of it is no longer a number
    # the redaction recognises: the whole message is redacted first.
    prefix = "the import stopped: ValueError: "
    breaks = _Breaks()
    breaks.error = ValueError("x" * (998 - len(prefix) - 5) + " 9123 4567 and more")

    summary = _import(engine_of_store, breaks, tmp_path)

    [error] = summary.errors
    assert "9123" not in error["message"] and error["message"].endswith("…")
    assert assert_finished(store, "failed").errors == summary.errors
