"""API schemas of the leaderboards and the comparison of organisations (``/api/v1/leaderboards``,
``/api/v1/compare``): stored metric values ranked, or side by side, with who they are about."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from govsocial.store import rankings
from govsocial.store import tables as t
from govsocial.web.schemas import (
    TIME_ZONE_HELP,
    ListEnvelope,
    MetricPublic,
    Names,
    OrganisationRef,
    names,
    organisation_ref,
)

BASE = "/api/v1"


class AccountRef(BaseModel):
    """An account as it appears inside another object."""

    model_config = ConfigDict(use_enum_values=True)

    id: int
    platform: str
    handle: str
    status: t.AccountStatus
    display_name: Names


class RankedPublic(BaseModel):
    """One row of a leaderboard."""

    rank: int | None = Field(
        description="Competition rank: equal values share a rank and the next one skips (1, 2, 2, 4); "
        "null when the value is not ranked (see unranked)."
    )
    unranked: str | None = Field(
        default=None,
        description="Why the value has no rank: small_sample (its sample input is below the board's "
        "sample minimum); null when ranked.",
    )
    entity: str = Field(description="The account id or the organisation code the value is about.")
    value: float
    inputs: dict[str, Any] = Field(description="The numbers the value was computed from.")
    organisation: OrganisationRef | None = Field(
        description="The ranked organisation, or the account's main owner."
    )
    account: AccountRef | None = Field(description="The ranked account (account level only).")
    url: str = Field(description="The account or organisation in the API.")


class SamplePublic(BaseModel):
    """The smallest sample a leaderboard ranks a value on."""

    input: str = Field(description="The input of each value that counts its sample, e.g. answered.")
    minimum: int = Field(description="The least that input must be for the value to be ranked.")


class LeaderboardPage(ListEnvelope[RankedPublic]):
    """One page of a leaderboard: who did best at one metric in one period, and by how much."""

    metric: MetricPublic
    level: str = Field(description="organisation or account.")
    period_kind: str
    period: str | None = Field(description="The period ranked: the latest with values unless one was asked.")
    periods: list[str] = Field(description="Every period of this kind with values, newest first.")
    time_zone: str = Field(description=TIME_ZONE_HELP, examples=["Asia/Hong_Kong"])
    params: str = Field(description="Digest of the metric parameters the values were computed with.")
    lower_is_better: bool = Field(description="Whether the smallest value ranks first (e.g. response time).")
    sample: SamplePublic | None = Field(
        default=None,
        description="The smallest sample a value is ranked on: values whose input `input` is below "
        "`minimum` are listed after the ranked ones, with rank null; null when every value is ranked.",
    )
    ranked: int = Field(default=0, description="How many of the `count` entities have a rank.")


class ComparedValue(BaseModel):
    """One metric of one organisation in a comparison."""

    metric: str
    value: float | None = Field(description="null when not computed or undefined in the period.")
    inputs: dict[str, Any] | None
    best: bool = Field(
        description="Whether this is the best value of the metric among the organisations (ties all "
        "count; false unless at least two of them have a value large enough a sample to rank)."
    )
    unranked: str | None = Field(
        default=None,
        description="small_sample when the value's sample is below the leaderboards' minimum, so it is "
        "never marked best; null otherwise.",
    )


class ComparedOrganisation(BaseModel):
    """An organisation and its values in a comparison, in the order of ``metrics``."""

    organisation: OrganisationRef
    values: list[ComparedValue]


class ComparisonPublic(ListEnvelope[ComparedOrganisation]):
    """Several organisations side by side: the same metrics, the same period."""

    metrics: list[MetricPublic]
    period_kind: str
    period: str | None = Field(
        description="The period compared: the latest in which any of them has a value, unless one was asked."
    )
    time_zone: str = Field(description=TIME_ZONE_HELP, examples=["Asia/Hong_Kong"])
    params: str = Field(description="Digest of the metric parameters the values were computed with.")


def account_ref(a: t.Account) -> AccountRef:
    """An account inside another object."""
    return AccountRef(
        id=a.id,
        platform=a.platform,
        handle=a.handle,
        status=a.status,
        display_name=names(a.display_name_en, a.display_name_zh_hant, a.display_name_zh_hans),
    )


def sample_public(metric: str) -> SamplePublic | None:
    """The smallest sample ``metric`` is ranked on, for the API; None where every value is ranked."""
    rule = rankings.sample(metric)
    return SamplePublic(input=rule.input, minimum=rule.minimum) if rule else None


def ranked_public(row: rankings.Ranked) -> RankedPublic:
    """A leaderboard row for the API."""
    if row.account is not None:
        url = f"{BASE}/accounts/{row.account.id}"
    else:
        org = row.organisation
        url = f"{BASE}/organisations/{org.jurisdiction}/{org.code}" if org else BASE
    return RankedPublic(
        rank=row.rank,
        unranked=None if row.rank is not None else rankings.SMALL_SAMPLE,
        entity=row.entity,
        value=row.value,
        inputs=row.inputs,
        organisation=organisation_ref(row.organisation) if row.organisation else None,
        account=account_ref(row.account) if row.account else None,
        url=url,
    )
