"""Personal data in comment texts is redacted before storage: true positives, false positives, and
properties over generated HKID numbers, phone numbers and emails in Chinese and English text."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govsocial.collect.privacy import Pseudonymiser, hkid_check_digit, redact, scrub_payload

#: Text around the personal data, as comments have it: Chinese runs straight into it, English has spaces.
AROUND = [("", ""), ("請聯絡", "唔該"), ("Call ", " thanks"), ("我的身份證是", "。"), ("(", ")")]
FULL_WIDTH = str.maketrans("0123456789+()", "０１２３４５６７８９＋（）")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # HKID numbers with a valid check digit, in every way people write them.
        ("身份證A123456(3)", "身份證[HKID]"),
        ("身份證A1234563號", "身份證[HKID]號"),
        ("HKID: a123456(3)", "HKID: [HKID]"),
        ("A123456（3）", "[HKID]"),
        ("AB987654(3)", "[HKID]"),
        ("G123456(A)", "[HKID]"),
        # Hong Kong phone numbers: mobiles and fixed lines, +852 in its forms, full-width digits.
        ("致電91234567查詢", "致電[PHONE]查詢"),
        ("+852 9123 4567", "[PHONE]"),
        ("+852-2345-6789", "[PHONE]"),
        ("852 6123 4567", "[PHONE]"),
        ("tel:+85251234567", "tel:[PHONE]"),
        ("電話：3123-4567", "電話：[PHONE]"),
        ("請致電９１２３４５６７", "請致電[PHONE]"),
        ("＋８５２ ７１２３ ４５６７", "[PHONE]"),
        # Emails, including inside Chinese text and with a local part in Chinese.
        ("請電郵至abc@example.com查詢", "請電郵至[EMAIL]查詢"),
        ("電郵：chan.tai-man+hk@mail.gov.hk。", "電郵：[EMAIL]。"),
        ("張三@example.hk", "[EMAIL]"),
        ("x@y.com, z@w.org", "[EMAIL], [EMAIL]"),
        ("Tel.91234567", "Tel.[PHONE]"),
        ("電話:91234567,98765432", "電話:[PHONE],[PHONE]"),
    ],
)
def test_personal_data_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A123456(4) 身份證號碼錯咗",  # an HKID-shaped string with a wrong check digit
        "AB987654(2)",
        "2019 2020 兩年",  # years
        "日期 20240315",  # a date written YYYYMMDD
        "金額 HK$91234567",  # amounts
        "$12,345,678 budget",
        "3.91234567",
        "91234567.50元",
        "訂單編號 91234567890",  # too many digits
        "ref 12345678",  # eight digits that no Hong Kong number starts with (0, 1, 4, 8)
        "case 41234567",
        "80001234 hotline",
        "1823 熱線",
        "@hkgov 你好",  # handles and hosts are not addresses
        "user@localhost",
        "see www.gov.hk @ 10am",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert redact(text) == text


letters = st.sampled_from(string.ascii_uppercase)
six_digits = st.text(alphabet=string.digits, min_size=6, max_size=6)


@given(prefix=st.lists(letters, min_size=1, max_size=2).map("".join), digits=six_digits,
       around=st.sampled_from(AROUND), brackets=st.booleans(), lower=st.booleans())  # fmt: skip
def test_every_valid_hkid_is_redacted(
    prefix: str, digits: str, around: tuple[str, str], brackets: bool, lower: bool
) -> None:
    check = hkid_check_digit(prefix, digits)
    number = f"{prefix.lower() if lower else prefix}{digits}" + (f"({check})" if brackets else check)
    before, after = around
    assert redact(before + number + after) == f"{before}[HKID]{after}"


@given(prefix=st.lists(letters, min_size=1, max_size=2).map("".join), digits=six_digits,
       wrong=st.sampled_from("0123456789A"))  # fmt: skip
def test_no_hkid_with_a_wrong_check_digit_is_redacted(prefix: str, digits: str, wrong: str) -> None:
    if wrong == hkid_check_digit(prefix, digits):
        return
    text = f"編號 {prefix}{digits}({wrong}) 完"
    assert "[HKID]" not in (redact(text) or "")


@given(first=st.sampled_from("235679"), rest=st.text(alphabet=string.digits, min_size=7, max_size=7),
       code=st.sampled_from(["", "+852 ", "852 ", "+852-", "+852"]), split=st.sampled_from(["", " ", "-"]),
       around=st.sampled_from(AROUND), full_width=st.booleans())  # fmt: skip
def test_every_hong_kong_phone_number_is_redacted(
    first: str, rest: str, code: str, split: str, around: tuple[str, str], full_width: bool
) -> None:
    digits = first + rest
    if not code and not split and (digits[:2] in ("19", "20")):
        return  # eight bare digits that read as a date (YYYYMMDD) may be kept: tested apart
    if digits[:2] in ("19", "20") and digits[4:6] in ("19", "20"):
        return  # two years ("2019 2020") are kept: tested apart
    number = code + digits[:4] + split + digits[4:]
    if full_width:
        number = number.translate(FULL_WIDTH)
    before, after = around
    assert redact(before + number + after) == f"{before}[PHONE]{after}"


@given(first=st.sampled_from("0148"), rest=st.text(alphabet=string.digits, min_size=7, max_size=7))
def test_eight_digits_no_hong_kong_number_starts_with_are_kept(first: str, rest: str) -> None:
    text = f"編號{first}{rest}號"
    assert redact(text) == text


local = st.text(alphabet=string.ascii_letters + string.digits + "._+-", min_size=1, max_size=12).filter(
    lambda s: s[0] not in ".-+" and s[-1] not in ".-+"
)
domain = st.lists(st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=8),
                  min_size=1, max_size=3).map(".".join)  # fmt: skip


@given(local=local, domain=domain, tld=st.sampled_from(["com", "hk", "org", "gov.hk"]),
       around=st.sampled_from(AROUND))  # fmt: skip
def test_every_email_is_redacted(local: str, domain: str, tld: str, around: tuple[str, str]) -> None:
    before, after = around
    address = f"{local}@{domain}.{tld}"
    assert redact(before + address + after) == f"{before}[EMAIL]{after}"


def test_identities_and_personal_data_leave_a_payload_before_it_is_kept() -> None:
    payload = {
        "data": [
            {
                "id": "1_2",
                "message": "請致電９１２３４５６７或電郵至abc@example.com查詢",
                "from": {"id": "100012345678901", "name": "陳大文"},
                "paging": {
                    "next": "https://graph.facebook.com/v23.0/1_2/comments?access_token=EAAsecret&after=x"
                },
            }
        ]
    }
    kept = str(scrub_payload(payload, "facebook", Pseudonymiser("k")))
    for secret in ("９１２３４５６７", "abc@example.com", "100012345678901", "陳大文", "EAAsecret"):
        assert secret not in kept
    assert "[PHONE]" in kept and "[EMAIL]" in kept and "access_token=***" in kept
