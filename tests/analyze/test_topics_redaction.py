"""Topic terms come from what commenters wrote, never from the marks that replaced personal data."""

from __future__ import annotations

from govsocial.analyze.topics.terms import comment_terms
from govsocial.collect.privacy import redact


def keys(text: str) -> set[str]:
    terms = comment_terms(text)
    return {k for k, _ in terms.words} | {k for k, _ in terms.phrases}


def test_redaction_marks_are_not_terms() -> None:
    stored = redact("打 9123 4567 搵佢 或者 a.b@example.com，身份證 A123456(3)")
    assert stored is not None and "[PHONE]" in stored and "[EMAIL]" in stored and "[HKID]" in stored
    found = keys(stored)
    assert not found & {"phone", "email", "hkid"}, found


def test_a_redaction_mark_breaks_phrases_and_real_words_stay() -> None:
    assert "phone" in keys("my phone is broken")
    assert not any("phone" in k or "email" in k for k in keys("call hotline [PHONE] staff [EMAIL] reply"))
    assert {"hotline", "staff", "reply"} <= keys("call hotline [PHONE] staff [EMAIL] reply")
