"""Pseudonyms and redaction: true and false positives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsocial.collect.privacy import (
    Pseudonymiser,
    Redactions,
    hkid_check_digit,
    redact,
    scrub_payload,
    without_secrets,
)
from govsocial.errors import ConfigurationError


@pytest.mark.parametrize(
    ("letters", "digits", "check"),
    [("A", "123456", "3"), ("AB", "987654", "3"), ("G", "123456", "A"), ("C", "668668", "9")],
)
def test_hkid_check_digit(letters: str, digits: str, check: str) -> None:
    assert hkid_check_digit(letters, digits) == check


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我身份證係A123456(3)，唔該幫手", "我身份證係[HKID]，唔該幫手"),
        ("ID: a1234563 thanks", "ID: [HKID] thanks"),
        ("AB987654(3)", "[HKID]"),
        ("打 9123 4567 或 +852 2345-6789 搵我", "打 [PHONE] 或 [PHONE] 搵我"),
        ("call 85291234567 now", "call [PHONE] now"),
        ("email me: chan.tai.man+hk@example.com.hk!", "email me: [EMAIL]!"),
    ],
)
def test_personal_data_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A123456(4) has a wrong check digit",  # not a valid HKID
        "between 2019 2020 and 2021",  # years, not a phone number
        "HK$12,345,678 budget",
        "case no. 41234567890",  # too many digits for a phone number
        "see www.gov.hk @ 10am",
        "1823 hotline",  # a four-digit government hotline stays
    ],
)
def test_no_false_positives(text: str) -> None:
    assert redact(text) == text


def test_pseudonyms_are_keyed_stable_and_platform_scoped() -> None:
    one, other = Pseudonymiser("key-1"), Pseudonymiser("key-2")
    assert one("facebook", "123") == one("facebook", "123")
    assert one("facebook", "123") != one("youtube", "123")
    assert one("facebook", "123") != other("facebook", "123")
    assert "123" not in (one("facebook", "123") or "") and len(one("facebook", "123") or "") == 32
    assert one("facebook", None) is None
    assert "key-1" not in repr(one)


def test_no_key_no_pseudonym() -> None:
    with pytest.raises(ConfigurationError, match="GOVSOCIAL_PSEUDONYM_KEY"):
        Pseudonymiser(None)("facebook", "123")


def test_scrub_payload_removes_identities_keeps_content() -> None:
    key = Pseudonymiser("k")
    payload = {
        "data": [
            {"id": "c1", "message": "call 9123 4567", "from": {"id": "99", "name": "Chan Tai Man"}},
            {
                "snippet": {
                    "authorDisplayName": "Wong",
                    "authorChannelId": {"value": "UCabc"},
                    "textDisplay": "hi",
                }
            },
        ],
        "includes": {"users": [{"id": "42", "name": "Lee", "username": "lee"}]},
    }
    scrubbed = str(scrub_payload(payload, "facebook", key))
    for identity in ("Chan Tai Man", "Wong", "UCabc", "Lee", "'lee'", "9123 4567"):
        assert identity not in scrubbed
    assert "c1" in scrubbed and "[PHONE]" in scrubbed and key("facebook", "99") in scrubbed


# Pieces of ids, times, links and texts, and the pieces of HKID and phone numbers (ASCII and not).
# A table, laid out by hand: the formatter would give each string a line of its own.
# fmt: off
_PIECES = [
    "0", "1", "2", "5", "9", "00", "1234", "9123", "4567", "2019", "852", "+852", "91234567", "123456",
    "A", "a", "AB", "x", "T", "Z", "(", ")", "（", "）", "3", "A)", " ", "-", "_", "/", ":", ".", "+", "?",
    "\t", "\x1c", "@", "e@x.hk", "=", "access_token=", "key=", "&", "９", "１２３４", "١٢٣٤", "中", "https://",
]
# fmt: on
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_TEXTS)
def test_scrubbing_a_string_redacts_as_redact_does(text: str) -> None:
    """Strings of a payload are tested by their shape first (ids, times, links); that test may pass
    a string only if ``redact`` would leave it as it is."""
    expected = redact(without_secrets(text))
    assert scrub_payload(text, "facebook", Pseudonymiser("k")) == expected
    assert scrub_payload({"k": [text]}, "facebook", Pseudonymiser("k")) == {"k": [expected]}


@pytest.mark.parametrize(
    "text",
    [
        "100000100000000_91234567",  # an id that holds what looks like a phone number
        "https://x.example/p/852-9123-4567/?comment_id=1",
        "2025-03-01T00:00:00+0000",
        "A1234563",
        "a123456(3)",
        "ref:AB987654(3)",
        "tel:+85291234567",
        "１２３４５６７８",
    ],
)
def test_ids_times_and_links_are_redacted_like_texts(text: str) -> None:
    for _ in range(2):  # the second time, the shape is known
        assert scrub_payload(text, "facebook", Pseudonymiser("k")) == redact(text)


def test_secrets_are_removed_from_every_string_and_key() -> None:
    payload = {
        "paging": {"next": "https://graph.example/v1/x?access_token=EAAsecret&after=QQ"},
        "data": [{"link?key=abc": "https://x.example/?key=AIzaSecret"}],
    }
    scrubbed = str(scrub_payload(payload, "facebook", Pseudonymiser("k")))
    assert "EAAsecret" not in scrubbed and "AIzaSecret" not in scrubbed and "abc" not in scrubbed
    assert "access_token=***&after=QQ" in scrubbed and "key=***" in scrubbed


def test_redactions_remember_each_text_object() -> None:
    redactions = Redactions()
    text = "".join(["call 9123 ", "4567 now"])  # made at run time: its own object
    first = redactions(text)
    assert first == redact(text) == "call [PHONE] now"
    assert redactions(text) is first  # the same object again: remembered
    assert redactions(None) is None and redactions("") == ""
    assert scrub_payload({"message": text}, "facebook", Pseudonymiser("k"), redactions) == {"message": first}
