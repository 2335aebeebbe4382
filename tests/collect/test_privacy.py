"""Pseudonyms and redaction: true and false positives."""

from __future__ import annotations

import pytest

from govsocial.collect.privacy import Pseudonymiser, hkid_check_digit, redact, scrub_payload
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
