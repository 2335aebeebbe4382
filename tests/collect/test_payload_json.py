"""``payload_json``: orjson's speed with exactly what the standard library reads and writes."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govsocial.collect import payload_json

# Any JSON document: big integers (beyond 64 bits) included, floats finite as JSON requires.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_reads_what_json_reads(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert payload_json.loads(text) == json.loads(text)
    assert payload_json.loads(text.encode("utf-8")) == json.loads(text)


@given(JSON_VALUES)
def test_writes_what_json_reads_back(value: object) -> None:
    written = payload_json.dumps(value)
    assert json.loads(written) == value
    assert ", " not in written or ", " in json.dumps(value)  # compact: spaces only inside strings


def test_a_number_beyond_64_bits_keeps_every_digit() -> None:
    # orjson alone would read this id as 1.2345678901234568e+29.
    body = b'{"id": 123456789012345678901234567890, "text": "\xe6\x94\xbf\xe5\xba\x9c"}'
    value = payload_json.loads(body)
    assert value == {"id": 123456789012345678901234567890, "text": "政府"}
    assert payload_json.dumps(value) == '{"id":123456789012345678901234567890,"text":"政府"}'


def test_what_only_json_accepts_is_still_read() -> None:
    value = payload_json.loads('{"score": NaN, "name": "\\ud800"}')
    assert math.isnan(value["score"]) and value["name"] == "\ud800"


def test_broken_json_says_where() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        payload_json.loads('{"data": [1, 2')
    assert caught.value.pos == 14
