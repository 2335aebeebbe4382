"""Personal data of other places than Hong Kong, and the money amounts that only look like it.

govsocial is for Hong Kong by default and for any government by configuration, but a citizen of
one place may comment on the page of another, so these patterns apply everywhere, whatever the
jurisdiction (privacy by default). ``privacy.redact`` runs them after its Hong Kong patterns:

- ``NATIONAL_ID``: a UK National Insurance number, a Singapore NRIC/FIN, a Taiwan national ID or
  resident certificate, a mainland China resident ID (18 characters, a valid check character), a
  US Social Security number, a Macau ID with its bracketed check digit. It becomes ``[ID]``.
- ``PHONE``: a number with a ``+`` country code (written with spaces, hyphens or brackets,
  redacted whole), a national number with a trunk ``0`` (UK, Taiwan and most of the world), a
  mainland China mobile number, a Singapore number starting 8 written 4-4 and a North American
  number with its separators. It becomes ``[PHONE]``.

A number right after a currency sign or code (``£``, ``€``, ``HK$``, ``RMB``, ``USD``...) or right
before a currency word, a unit of Chinese numerals or a percent sign (``元``, ``萬``, ``億``,
``pounds``, ``%``...) is an amount, not a phone number (``is_amount``, which the Hong Kong
pattern asks too). Full-width digits, letters and signs are read as their ASCII forms
(``redact_international``). ``docs/privacy.md`` lists what is kept on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# --- national identity numbers --------------------------------------------------------------------

# Each alternative stands alone between letters, digits and the "_", "/" and "=" that join ids,
# paths and parameters ("19292868552_10158407654328553", "facebook.com/19292868552/posts"). The UK
# National Insurance number's prefix letters are not checked against HMRC's list: "QQ 12 34 56 C"
# (HMRC's own example) is what someone writes when they mean one, and over-redaction is the safer
# error.
_NINO = r"[A-Za-z]{2}(?:\s?\d\d){3}\s?[A-Da-d]"
_NRIC = r"[STFGMstfgm]\d{7}[A-Za-z]"  # Singapore NRIC and FIN; the checksum is not needed
_TAIWAN_ID = r"[A-Za-z][1289A-Da-d]\d{8}"  # national ID (1, 2), resident certificates (8, 9, A-D)
# A mainland resident ID: region, birth date, sequence and a check character (``mainland_id_check``),
# which is required as an HKID's is: 18 digits are also what platforms' ids are made of.
_MAINLAND_ID = (
    r"(?P<mainland>[1-9]\d{5}(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?P<check>[\dXx])"
)
_MACAU_ID = r"[1578]\d{6}\(\d\)"  # a bare 8 digits is a Macau or Hong Kong phone number instead
_SSN = r"(?!000|666|9)\d{3}-(?!00)\d\d-(?!0000)\d{4}"
NATIONAL_ID = re.compile(
    r"(?<![A-Za-z\d_/=-])(?:"
    + "|".join((_NINO, _NRIC, _TAIWAN_ID, _MAINLAND_ID, _MACAU_ID, _SSN))
    + r")(?![A-Za-z\d_/])"
)

# --- phone numbers ---------------------------------------------------------------------------------

# "+", then at least 8 digits (E.164 numbers have 8 to 15) with at most two separators between
# two digits: "+44 20 7946 0018", "+1 (202) 555-0143", "+44 (0)20 7946 0018", "+85291234567". The
# groups after the first need a separator or a bracket before them, so a run of digits is split
# in one way only (no backtracking over the ways). "UTC+8", "1+1" and "+5%" are not numbers; Chinese
# may run straight into one ("請致電+44 20 7946 0018"). A dot does not separate groups: "+12345678.9"
# is a change in an amount.
_INTERNATIONAL = (
    r"(?<![A-Za-z0-9+])\+(?=(?:[\s()-]{0,2}\d){8})\s?(?:\(\d{1,4}\)|\d+)"
    r"(?:[ -]?\(\d{1,5}\)|[ -]\d+|(?<=\))\d+)*(?!\d)(?!\.\d)"
)
# What an international number must hold: the look-ahead above also counts digits past the match
# ("+22.3193, 114.1694" is a place).
INTERNATIONAL_DIGITS = 8
# A national number after a trunk "0": 10 or 11 digits, a space or hyphen between any two, or an area
# code in brackets: UK "07700 900123", "020 7946 0018", Taiwan "0912-345-678", "(02) 2345-6789".
_TRUNK = r"(?:\(0[1-9]\d{0,3}\)\s?\d(?:[ -]?\d){5,7}|0[1-9](?:[ -]?\d){8,9})"
_MAINLAND_MOBILE = r"1[3-9]\d(?:[ -]?\d{4}){2}"  # 11 digits, "138 1234 5678"
_SINGAPORE_8 = r"8\d{3}[ -]\d{4}"  # bare 8xxxxxxx is a Hong Kong service number: kept
_NORTH_AMERICA = r"(?:\([2-9]\d\d\)\s?|[2-9]\d\d[ -])[2-9]\d\d-\d{4}"  # not with dots, as "+" numbers
# Not inside a longer number, a decimal or a time ("0.0912345678", "0912345678.5", "01 02 2024 15:30"),
# nor an id, a path, a parameter or a code: a Facebook page id is 11 digits that often start 1[3-9]
# ("19292868552_10158407654328553", "facebook.com/19292868552/posts", "%2F19292868552",
# "?id=19292868552"). Chinese may
# run straight into a number ("手機13812345678"); Latin letters may not.
_NATIONAL = (
    r"(?<![A-Za-z\d+_/=])(?<!\d\.)(?:"
    + "|".join((_TRUNK, _MAINLAND_MOBILE, _SINGAPORE_8, _NORTH_AMERICA))
    + r")(?![A-Za-z\d_/])(?![.:]\d)"
)
PHONE = re.compile(rf"(?P<international>{_INTERNATIONAL})|{_NATIONAL}")

# --- amounts ---------------------------------------------------------------------------------------

# What comes right before an amount (the end of the text before a number), and right after one;
# case is ignored ("usd", "Rmb"). "元朗" (Yuen Long) after a number is a district, not yuan.
_CURRENCY_BEFORE = re.compile(
    r"(?:[$£€¥₩₹₱฿₫₽＄￡￥]|(?<![A-Za-z])(?:RM|HKD|USD|GBP|EUR|SGD|CNY|RMB|JPY|TWD|NTD|MOP|AUD|CAD)"
    r"|人民幣|人民币|港幣|港币|港元|美元|美金|英鎊|英镑|歐元|欧元|日圓|日元|新台幣|澳門幣|澳门币)\s?\Z",
    re.IGNORECASE,
)
_CURRENCY_AFTER = re.compile(
    r"\s?(?:元(?!朗)|[%％圓圆円萬万億亿兆蚊鎊镑塊块]|港元|港幣|港币|美元|美金|人民幣|人民币|歐元|欧元|英鎊|英镑"
    r"|(?:HKD|USD|GBP|EUR|SGD|CNY|RMB|JPY|TWD|MOP|AUD|CAD|pounds?|dollars?|euros?|yuan|renminbi|pence"
    r"|million|billion|bn)(?![A-Za-z]))",
    re.IGNORECASE,
)
# Enough text before a number to hold the longest currency word, a space and the letter before it
# (" MOP ", "澳門幣 ").
_BEFORE_REACH = 6


def is_amount(text: str, start: int, end: int) -> bool:
    """Whether the number at ``text[start:end]`` is a money amount or a percentage by what is
    written around it: "£91234567", "€ 91234567", "HKD 91234567", "91234567元", "61234567 pounds"."""
    if _CURRENCY_BEFORE.search(text, max(0, start - _BEFORE_REACH), start) is not None:
        return True
    return _CURRENCY_AFTER.match(text, end) is not None


# --- redaction -------------------------------------------------------------------------------------

_MAINLAND_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def mainland_id_check(digits: str) -> str:
    """The check character of a mainland resident ID's first 17 digits (GB 11643, ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(digits, _MAINLAND_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _national_id(match: re.Match[str]) -> str:
    digits = match.group("mainland")
    if digits is not None and mainland_id_check(digits) != match.group("check").upper():
        return match.group(0)
    return "[ID]"


def _phone(match: re.Match[str]) -> str:
    if match.group("international") is not None:
        digits = sum(char.isdigit() for char in match.group(0))
        return "[PHONE]" if digits >= INTERNATIONAL_DIGITS else match.group(0)
    return match.group(0) if is_amount(match.string, match.start(), match.end()) else "[PHONE]"


# Full-width forms, as Chinese input methods type them ("＋４４ ７７００ ９００１２３"), read as ASCII:
# one character for one, so what matches in the read copy is replaced at the same place in the text.
_FULL_WIDTH = str.maketrans(
    {chr(0xFF01 + code - 0x21): chr(code) for code in range(0x21, 0x7F)} | {"\u3000": " "}
)
# A text may need ``_FULL_WIDTH`` only if it holds one of these.
_HAS_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
# What every match holds, in ASCII or full-width forms, tested first because most texts with
# numbers hold none (dates, times, amounts, "2024年3月15日 10:30", the ids, paths and hex digests in
# links): a digit, then either seven more with at most two spaces, hyphens or brackets between two,
# the first not right after a letter, a digit, "_", "/" or "=" (every phone number, and every
# identity number without letters); or five more, the first right after one or two letters that
# start a word, maybe after a space (a National Insurance number, an NRIC/FIN, a Taiwan ID). It
# starts with a character class, which the regex engine skips to quickly, and looks behind only at
# a digit that starts a run: one search costs a tenth of the two substitutions. It tests no digit's
# value, so it holds for a string's shape too (``shape_risk``).
_L = "A-Za-zＡ-Ｚａ-ｚ"
_W = rf"{_L}\d_/=-"  # what a word or an id is made of
CANDIDATE = re.compile(
    r"\d(?<![\d_/=]\d)(?:(?<![A-Za-z]\d)(?:[\s()\-（）－]{0,2}\d){7}"
    rf"|(?:(?<=[{_L}]\d)(?<![{_W}][{_L}]\d)|(?<=[{_L}][{_L}]\d)(?<![{_W}][{_L}][{_L}]\d)"
    rf"|(?<=[{_L}][{_L}]\s\d)(?<![{_W}][{_L}][{_L}]\s\d))\d\s?\d\d\s?\d\d)"
)


def redact_international(text: str) -> str:
    """``text`` with ``NATIONAL_ID`` and ``PHONE`` matches replaced by ``[ID]`` and ``[PHONE]``."""
    if CANDIDATE.search(text) is None:
        return text
    # Phone numbers first: "+1 123-45-6789" is a phone number, not a US Social Security number.
    read = text.translate(_FULL_WIDTH) if _HAS_FULL_WIDTH.search(text) else text
    if read is text:
        return NATIONAL_ID.sub(_national_id, PHONE.sub(_phone, text))
    return _substitute(NATIONAL_ID, _national_id, _substitute(PHONE, _phone, (text, read)))[0]


Texts = tuple[str, str]


def _substitute(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str], texts: Texts) -> Texts:
    """``pattern.sub(replace, ...)`` on ``read`` of ``(text, read)``, replacing the same places in
    ``text``; both are returned, as they stand after it."""
    text, read = texts
    out: list[str] = []
    out_read: list[str] = []
    last = 0
    for match in pattern.finditer(read):
        replacement = replace(match)
        if replacement == match.group(0):
            continue
        out += (text[last : match.start()], replacement)
        out_read += (read[last : match.start()], replacement)
        last = match.end()
    if not out:
        return texts
    return "".join(out) + text[last:], "".join(out_read) + read[last:]


# The patterns with every digit class widened to any digit (their look-arounds kept where they
# test no digit's value): what a string's shape (ASCII without spaces, every digit made "5") holds
# where NATIONAL_ID or PHONE may change the string.
_SHAPE_RISK = re.compile(
    r"(?<![A-Za-z\d_/=-])(?:[A-Za-z]{2}(?:\s?\d\d){3}\s?[A-Da-d]|[A-Za-z]\d{7}[A-Za-z]|[A-Za-z][\dA-Da-d]\d{8}"
    r"|\d{17}[\dXx]|\d{7}\(\d\)|\d{3}-\d\d-\d{4})(?![A-Za-z\d_/])"
    rf"|{_INTERNATIONAL}"
    r"|(?<![A-Za-z\d+_/=])(?<!\d\.)(?:\(\d{2,5}\)\s?\d(?:-?\d){5,7}|\d\d(?:-?\d){8,9}|\d{4}-\d{4}"
    r"|(?:\(\d{3}\)\s?|\d{3}-)\d{3}-\d{4})(?![A-Za-z\d_/])"
)


def shape_risk(shape: str) -> bool:
    """Whether a string of this shape (``privacy``'s: ASCII without spaces, every digit made "5") may
    hold another place's identity or phone number. ``CANDIDATE`` tests no digit's value and costs
    half what the widened patterns do in a link, so it goes first. The tests check this over
    generated strings (``tests/collect/test_redaction_international.py``)."""
    return CANDIDATE.search(shape) is not None and _SHAPE_RISK.search(shape) is not None
