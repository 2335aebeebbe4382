"""``/api/v1/leaderboards/{metric}`` and ``/api/v1/compare``: the data of the portal's leaderboards
and comparison pages.

Both read the materialised values (``metric_values``) through ``store.rankings``, the same queries
the pages call, so a page and its API answer always agree. Ranks are competition ranks, entities
without a value are left out, values of too small a sample are listed after the ranked ones with no
rank (``rankings.SAMPLES``), and the better direction of each metric is ``rankings.lower_is_better``.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from govsocial.store import rankings
from govsocial.store.tables import OrgType
from govsocial.web.api import checks
from govsocial.web.api.checks import PERIOD_KIND_HELP, MetricPeriodKind
from govsocial.web.api.metrics import JurisdictionQuery, ParamsQuery, known_metric, metric_public, time_zone
from govsocial.web.api.paging import PagerDep, paged
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.schemas import ErrorBody, organisation_ref
from govsocial.web.schemas_rankings import (
    ComparedOrganisation,
    ComparedValue,
    ComparisonPublic,
    LeaderboardPage,
    ranked_public,
    sample_public,
)

router = APIRouter(tags=["leaderboards"])

#: How many organisations one comparison takes: two or more, and few enough to read side by side.
MAX_COMPARED = 10

PeriodQuery = Annotated[
    str | None,
    Query(max_length=16, description="One period, e.g. 2026-10 or 2026-W40; the latest if omitted."),
]
PeriodKindQuery = Annotated[
    MetricPeriodKind | None,
    Query(description=PERIOD_KIND_HELP + " If omitted, the kind of period's label, or month."),
]
MetricPath = Annotated[
    str, Path(description="The metric's name, as /api/v1/metrics lists them.", examples=["post_volume"])
]
PERIOD_INVALID = "An invalid parameter, or a period that is not a label of period_kind."
BOARD_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorBody,
        "description": "A platform given for organisations (it narrows accounts only).",
    },
    **checks.responses("No such metric, jurisdiction, platform or parameter digest.", PERIOD_INVALID),
}
COMPARE_ERRORS = checks.responses(
    "No such metric, jurisdiction, organisation or parameter digest.",
    "Fewer than two or more than ten different organisations, an invalid parameter, or a period "
    "that is not a label of period_kind.",
)


class RankLevel(enum.StrEnum):
    """What a leaderboard ranks."""

    ORGANISATION = "organisation"
    ACCOUNT = "account"


@router.get("/leaderboards/{metric}", summary="A leaderboard", responses=paged(BOARD_ERRORS))
def get_leaderboard(
    session: SessionDep,
    settings: SettingsDep,
    paging: PagerDep,
    metric: MetricPath,
    level: Annotated[RankLevel, Query(description="organisation or account.")] = RankLevel.ORGANISATION,
    period_kind: PeriodKindQuery = None,
    period: PeriodQuery = None,
    platform: Annotated[
        str | None, Query(description="Only accounts on this platform (account level).")
    ] = None,
    org_type: Annotated[
        OrgType | None, Query(description="Only organisations (or owners) of this type.")
    ] = None,
    params: ParamsQuery = None,
    jurisdiction: JurisdictionQuery = None,
) -> LeaderboardPage:
    """Accounts or organisations ranked by one metric in one period, best first, with each value's
    inputs. Equal values share a rank; entities without a value are left out; values of too small a
    sample (``sample``) follow the ranked ones with ``rank`` null."""
    found = known_metric(metric)
    if platform and level is RankLevel.ORGANISATION:
        raise HTTPException(400, "platform narrows accounts only: add level=account")
    code = checks.jurisdiction(session, settings, jurisdiction)
    platform = checks.platform(session, platform)
    kind = str(checks.period_kind(period_kind, [("period", period)], default=MetricPeriodKind.MONTH))
    digest = checks.params(session, settings, code, params)
    available = rankings.periods(session, code, digest, metric, str(level), kind)
    shown = period or (available[0] if available else None)
    board = rankings.Board(code, digest, metric, str(level), kind, shown or "", platform, org_type)
    page = rankings.ranking(session, board, paging.limit, paging.offset) if shown else None
    paging.link(page.count if page else 0)
    return LeaderboardPage(
        metric=metric_public(found),
        level=str(level),
        period_kind=kind,
        period=shown,
        periods=available,
        time_zone=time_zone(session, code),
        params=digest,
        lower_is_better=rankings.lower_is_better(metric),
        sample=sample_public(metric),
        ranked=page.ranked if page else 0,
        data=[ranked_public(row) for row in page.items] if page else [],
        count=page.count if page else 0,
    )


@router.get("/compare", summary="Organisations side by side", responses=COMPARE_ERRORS)
def get_comparison(
    session: SessionDep,
    settings: SettingsDep,
    organisation: Annotated[
        list[str],
        Query(description="Organisation codes: two to ten different ones (repeat it; a repeat counts once)."),
    ],
    metric: Annotated[
        list[str] | None,
        Query(max_length=20, description="Metric names (repeat it); the leaderboard metrics if omitted."),
    ] = None,
    period_kind: PeriodKindQuery = None,
    period: PeriodQuery = None,
    params: ParamsQuery = None,
    jurisdiction: JurisdictionQuery = None,
) -> ComparisonPublic:
    """The same metrics for several organisations in one period, each value marked when it is the
    best among them (the latest period in which any of them has a value, unless one is asked)."""
    metrics = list(dict.fromkeys(metric or rankings.LEADERBOARD_METRICS))
    definitions = [known_metric(name) for name in metrics]
    codes = _distinct(organisation)
    code = checks.jurisdiction(session, settings, jurisdiction)
    orgs = [checks.organisation_row(session, code, each) for each in codes]
    kind = str(checks.period_kind(period_kind, [("period", period)], default=MetricPeriodKind.MONTH))
    digest = checks.params(session, settings, code, params)
    result = rankings.comparison(session, code, digest, codes, metrics, kind, period)
    return ComparisonPublic(
        metrics=[metric_public(m) for m in definitions],
        period_kind=kind,
        period=result.period,
        time_zone=time_zone(session, code),
        params=digest,
        data=[
            ComparedOrganisation(organisation=organisation_ref(o), values=_values(result, o.code, metrics))
            for o in orgs
        ],
        count=len(orgs),
    )


def _distinct(codes: list[str]) -> list[str]:
    """The organisation codes of a comparison, each once, in the order given: two to ten of them.

    Repeats are dropped before counting, so ``cfs`` twice is one organisation (a 422), not two.
    """
    distinct = list(dict.fromkeys(codes))
    if not 2 <= len(distinct) <= MAX_COMPARED:
        raise checks.invalid(
            "organisation", f"compare two to {MAX_COMPARED} different organisations, not {len(distinct)}"
        )
    return distinct


def _values(result: rankings.Comparison, code: str, metrics: list[str]) -> list[ComparedValue]:
    """One organisation's values in ``result``, each marked when it is the best among the organisations."""
    out = []
    for name in metrics:
        column = {each: row.get(name) for each, row in result.cells.items()}
        cell = result.cells[code].get(name)
        small = cell is not None and cell.value is not None and not rankings.rankable(name, cell.inputs)
        out.append(
            ComparedValue(
                metric=name,
                value=cell.value if cell else None,
                inputs=cell.inputs if cell else None,
                best=code in rankings.best_of(column, name),
                unranked=rankings.SMALL_SAMPLE if small else None,
            )
        )
    return out
