"""Redaction of other places' identity and phone numbers, everywhere, and of no money amount.

A UK or Singapore citizen may comment on a Hong Kong page: their numbers are redacted whatever
the jurisdiction (``govsocial.collect.redaction_patterns``), and amounts, dates and percentages are
not (docs/privacy.md).
"""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from govsocial.collect.privacy import Pseudonymiser, redact, scrub_payload, without_secrets

#: Text around the personal data, as comments have it: Chinese runs straight into it, English has spaces.
AROUND = [("", ""), ("請聯絡", "唔該"), ("Call ", " thanks"), ("我的電話是", "。"), ("(", ")")]
#: ASCII digits, signs and capitals as Chinese input methods type them (U+FF01 on).
FULL_WIDTH = {code: code + 0xFEE0 for code in map(ord, string.digits + "+()-" + string.ascii_uppercase)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The reviewer's report: UK, Singapore and Taiwan numbers, each whole.
        ("Ring me on 07700 900123 or +44 20 7946 0018", "Ring me on [PHONE] or [PHONE]"),
        ("my NI is QQ123456C", "my NI is [ID]"),
        ("NRIC S1234567D", "NRIC [ID]"),
        ("+65 8123 4567", "[PHONE]"),
        ("TW mobile 0912-345-678", "TW mobile [PHONE]"),
        # International numbers with a "+", whole, however they are split.
        ("+1 (202) 555-0143", "[PHONE]"),
        ("+886 912 345 678", "[PHONE]"),
        ("+44 (0)20 7946 0018", "[PHONE]"),
        ("+853 6612 3456", "[PHONE]"),
        ("+86 138 1234 5678", "[PHONE]"),
        ("請致電+44 20 7946 0018查詢", "請致電[PHONE]查詢"),
        ("＋４４ ７７００ ９００１２３", "[PHONE]"),
        ("+852 2019 2020", "[PHONE]"),  # with a country code, not two years
        ("+1 123-45-6789", "[PHONE]"),  # not a US Social Security number
        # National numbers: UK, Taiwan, mainland, Singapore, North America.
        ("07700900123", "[PHONE]"),
        ("07700 900 123", "[PHONE]"),
        ("London 020 7946 0018", "London [PHONE]"),
        ("(020) 7946 0018", "[PHONE]"),
        ("台北(02) 2345-6789", "台北[PHONE]"),
        ("手機0912345678", "手機[PHONE]"),
        ("０９１２－３４５－６７８", "[PHONE]"),
        ("0912345678,0987654321", "[PHONE],[PHONE]"),
        ("內地手機13812345678", "內地手機[PHONE]"),
        ("138-1234-5678", "[PHONE]"),
        ("SG 8123 4567", "SG [PHONE]"),
        ("call 202-555-0143", "call [PHONE]"),
        ("(202) 555-0143", "[PHONE]"),
        # Identity numbers of other places become [ID].
        ("QQ 12 34 56 C", "[ID]"),
        ("ni: ab123456d", "ni: [ID]"),
        ("FIN G1234567X", "FIN [ID]"),
        ("s1234567d", "[ID]"),
        ("身分證A123456789", "身分證[ID]"),
        ("居留證AB12345678", "居留證[ID]"),
        ("ＡＢ１２３４５６Ｃ", "[ID]"),
        ("身份證號110101199003074573", "身份證號[ID]"),
        ("11010519491231002x。", "[ID]。"),
        ("SSN 123-45-6789", "SSN [ID]"),
        ("澳門身份證1234567(8)", "澳門身份證[ID]"),
        ("AB123456A", "[ID]"),  # its HKID check digit would be 3: a National Insurance number
    ],
)
def test_other_places_numbers_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # The reviewer's report: amounts kept whole.
        "£91234567",
        "€ 91234567",
        "Budget of 61234567 pounds",
        # Currency signs and codes before, currency words and units after, a percentage.
        "HK$ 91234567",
        "HKD 91234567",
        "hkd91234567",
        "USD 91234567",
        "RMB 91234567",
        "¥91234567",
        "￥９１２３４５６７",
        "RM 91234567",
        "港幣 91234567",
        "預算91234567元",
        "9123 4567元",
        "91234567港元",
        "91234567 HKD",
        "撥款 91234567萬",
        "91234567億",
        "61234567 dollars",
        "spent 9123 4567 euros",
        "增長91234567%",
    ],
)
def test_amounts_are_kept(text: str) -> None:
    assert redact(text) == text


#: Look-alikes of one kind of number each that must be kept, and a number of that kind, redacted.
INTERNATIONAL, TRUNK, NATIONAL_ID = "+44 20 7946 0018", "0912345678", "QQ123456C"


@pytest.mark.parametrize(
    ("kept", "redacted"),
    [
        # Years, dates, times, percentages, changes, places: not international numbers.
        ("between 2019 2020 and 2021", "+852 2019 2020"),
        ("2025-03-01T00:00:00+0000", INTERNATIONAL),
        ("UTC+8 2024", INTERNATIONAL),
        ("增長12.5%", INTERNATIONAL),
        ("+12.5%", INTERNATIONAL),
        ("Budget rose by +1234567.89", INTERNATIONAL),
        ("+22.3193, 114.1694", INTERNATIONAL),
        ("1+1=2", INTERNATIONAL),
        # Decimals, times, counts, ISBNs and amounts: not national numbers.
        ("0.0912345678", TRUNK),
        ("0912345678.5", TRUNK),
        ("01 02 2024 15:30", "01 0200 2415"),
        ("population 7 413 100", TRUNK),
        ("ISBN 978-0-12-345678-9", TRUNK),
        ("$ 0912345678", TRUNK),
        ("£07700900123", "07700900123"),
        ("預算13812345678元", "13812345678"),  # a mainland mobile number's shape, in yuan
        ("case no. 41234567890", "13812345678"),
        ("1732867200", "13812345678"),
        # Ids, paths and parameters: a Facebook page id is 11 digits that often start 1[3-9].
        ("19292868552_10158407654328553", "13812345678"),
        ("https://www.facebook.com/19292868552/posts/10158407654328553/", "13812345678"),
        ("https://graph.facebook.com/v11.0/19292868552/feed?after=QQ", "13812345678"),
        ("?id=19292868552&x=07700900123", "07700900123"),
        ("in 2023 we spent 12,345,678", "13812345678"),
        ("81234567 hotline", "8123 4567"),  # bare 8xxxxxxx: a Hong Kong service number
        # Dates, case numbers, ordinances, wrong HKIDs: not identity numbers.
        ("2024-03-15", "123-45-6789"),
        ("15/03/2024", "123-45-6789"),
        ("HCAL 1234/2023", "123-45-6789"),
        ("Cap. 599 條例", NATIONAL_ID),
        ("110101199003074578", "110101199003074573"),  # a mainland ID's check character is required
        ("platform id 178414123456789012", "110101199003074573"),
        ("《2024年稅務(修訂)條例草案》", NATIONAL_ID),
        ("A123456(4)", NATIONAL_ID),
        ("AB987654(2)", NATIONAL_ID),
    ],
)
def test_numbers_of_government_business_are_kept(kept: str, redacted: str) -> None:
    assert redact(kept) == kept
    assert redact(redacted) in ("[PHONE]", "[ID]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("打 9123 4567 或 +44 20 7946 0018 搵我", "打 [PHONE] 或 [PHONE] 搵我"),
        ("HKD 91234567 to 9123 4567", "HKD 91234567 to [PHONE]"),  # an amount does not cover a number
        ("9123 4567 £91234567", "[PHONE] £91234567"),
        ("FORM 91234567, RM 91234567", "FORM [PHONE], RM 91234567"),  # "RM" only as a word of its own
        ("91234567元 電話91234567元朗", "91234567元 電話[PHONE]元朗"),  # 元朗 is Yuen Long, not yuan
        ("A123456(3) or QQ123456C", "[HKID] or [ID]"),
        ("+44 20 7946 0018 / 9123 4567", "[PHONE] / [PHONE]"),
    ],
)
def test_hong_kong_numbers_next_to_others_and_amounts(text: str, expected: str) -> None:
    assert redact(text) == expected


def _split(digits: str, cuts: list[int], separator: str) -> str:
    pieces, last = [], 0
    for cut in sorted(set(cuts)):
        pieces.append(digits[last:cut])
        last = cut
    return separator.join([*pieces, digits[last:]])


@given(
    prefix=st.sampled_from(["07", "09", "13", "15", "18", "19"]),
    body=st.text(alphabet=string.digits, min_size=8, max_size=8),
    separator=st.sampled_from(["", " ", "-"]),
    around=st.sampled_from(AROUND),
    full_width=st.booleans(),
)
def test_every_national_mobile_number_is_redacted(
    prefix: str, body: str, separator: str, around: tuple[str, str], full_width: bool
) -> None:
    """UK (07, 11 digits), Taiwan (09, 10 digits) and mainland (1[3-9], 11 digits) mobiles."""
    digits = prefix + body + ("" if prefix == "09" else "1")
    cuts = [4, 7] if prefix == "09" else ([5] if prefix == "07" else [3, 7])
    number = _split(digits, cuts, separator)
    if full_width:
        number = number.translate(FULL_WIDTH)
    before, after = around
    assert redact(before + number + after) == f"{before}[PHONE]{after}"


# Found by this property in a full run: full-width hyphens between groups of two and three digits.
@example(code="1", groups=["00", "00", "000"], separator="-", around=("", ""), full_width=True)
@given(
    code=st.sampled_from(["1", "44", "65", "86", "852", "853", "886"]),
    groups=st.lists(st.text(alphabet=string.digits, min_size=2, max_size=4), min_size=3, max_size=4),
    separator=st.sampled_from([" ", "-", ""]),
    around=st.sampled_from(AROUND),
    full_width=st.booleans(),
)
def test_every_international_number_is_redacted_whole(
    code: str, groups: list[str], separator: str, around: tuple[str, str], full_width: bool
) -> None:
    number = f"+{code} " + separator.join(groups)
    if sum(c.isdigit() for c in number) < 8:
        return  # shorter than any E.164 number
    if full_width:
        number = number.translate(FULL_WIDTH)
    before, after = around
    assert redact(before + number + after) == f"{before}[PHONE]{after}"


@settings(max_examples=300)
@given(
    number=st.sampled_from(
        [
            "+442079460018",
            "+6581234567",
            "07700900123",
            "0912-345-678",
            "QQ123456C",
            "S1234567D",
            "A123456789",
            "110101199003074573",
            "123-45-6789",
            "1234567(8)",
            "13812345678",
            "(202)555-0143",
        ]
    ),
    before=st.sampled_from(["", "tel:", "電話", "("]),
    after=st.sampled_from(["", ",", ")", "&x=1"]),
)
def test_numbers_in_ids_and_links_are_redacted_like_texts(number: str, before: str, after: str) -> None:
    """Strings without spaces are first tested by their shape (``privacy._shape_risk``), which must
    not pass any of these."""
    text = before + number + after
    for _ in range(2):  # the second time, the shape is known
        scrubbed = scrub_payload({"k": text}, "facebook", Pseudonymiser("k"))
        assert scrubbed == {"k": redact(text)} and number not in str(scrubbed)


# Pieces of ids, times, links and texts, and of other places' numbers and amounts.
# fmt: off
_PIECES = [
    "0", "1", "2", "7", "8", "9", "07", "09", "13", "00", "123", "1234", "4567", "2019", "44", "+", "+44",
    "+1", "(", ")", "(0)", "Q", "QQ", "S", "A", "C", "X", " ", "-", ".", ":", "_", "/", "=", "%", "£", "$",
    "HKD", "元", "朗", "萬", "pounds", "中", "\t", "\x1c", "０", "９", "＋", "Ｑ", "１２３４", "https://",
]
# fmt: on


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_scrubbing_a_string_redacts_as_redact_does(text: str) -> None:
    """The shape test may pass a string only if ``redact`` would leave it as it is."""
    expected = redact(without_secrets(text))
    assert scrub_payload({"k": [text]}, "facebook", Pseudonymiser("k")) == {"k": [expected]}


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("call ９１２３－４５６７", "call [PHONE]"),  # Hong Kong's, with a full-width hyphen
        ("＋１ ００－００－０００", "[PHONE]"),
        ("＋８５２ ９１２３－４５６７", "[PHONE]"),
    ],
)
def test_full_width_hyphens_split_numbers_as_ascii_ones_do(text: str, redacted: str) -> None:
    assert redact(text) == redacted
