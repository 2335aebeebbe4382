"""The checks of a rule before it is stored: numbers must be finite and at most ``NUMBER_MAX``
(a larger one would overflow when a run evaluates the rule) and an account rule's scope an account
id the store can hold."""

from __future__ import annotations

import datetime as dt

import pytest

from govsocial.analyze.alerts import manage
from govsocial.analyze.alerts.params import NUMBER_MAX, ParamError, clean_params

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("kind", "name", "value"),
    [
        ("account_dormant", "days", "1e308"),
        ("account_dormant", "days", "inf"),
        ("account_dormant", "days", float("inf")),
        ("account_dormant", "days", 10**30),
        ("unanswered_comments", "hours", NUMBER_MAX + 1),
        ("post_overperforming", "ratio", float("inf")),
        ("post_overperforming", "ratio", "NaN"),
        ("post_overperforming", "ratio", -1),
        ("post_overperforming", "baseline_days", True),
        ("token_expiry", "days", [1]),
    ],
)
def test_numbers_out_of_range_are_refused_with_the_range(kind: str, name: str, value: object) -> None:
    with pytest.raises(ParamError, match=f"{name} must be a number from 0 to 100,000"):
        clean_params(kind, {name: value})


def test_numbers_up_to_the_largest_are_kept() -> None:
    assert clean_params("account_dormant", {"days": NUMBER_MAX}) == {"days": NUMBER_MAX}
    assert clean_params("post_overperforming", {"ratio": "2.5"}) == {"ratio": 2.5}


@pytest.mark.parametrize("entity", ["²", "١٢", "0", "2147483648", "99999999999999999999999", "9" * 5000])
def test_an_account_rule_needs_an_account_id_the_store_can_hold(entity: str) -> None:
    new = manage.NewRule("hk", "account_dormant", "account", entity, {}, None, "desk@gov.test")
    with pytest.raises(manage.RuleError) as refused:
        manage.checked(new)
    assert refused.value.field == "entity"
    assert manage.checked(manage.NewRule("hk", "account_dormant", "account", "2147483647", email="a@b.c"))
