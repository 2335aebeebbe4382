"""``/api/v1/metrics`` and ``/api/v1/scorecard``: the metric definitions and their materialised values.

Values are read from the store (``metric_values``), never computed per request: the pipeline
materialises them after each collection run. Every value is shown under one parameter set, the
documented defaults unless ``params`` names another digest.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from govsocial.analyze.metrics.model import Goal, Level, Metric, PeriodKind, registry
from govsocial.analyze.metrics.params import MetricParams
from govsocial.errors import NotFoundError
from govsocial.store import metric_queries as mq
from govsocial.web.deps import PagingDep, SessionDep, SettingsDep
from govsocial.web.schemas import (
    ErrorBody,
    ListEnvelope,
    MetricPublic,
    MetricValuePublic,
    MetricValuesPage,
    ScorecardEntry,
    ScorecardGoal,
    ScorecardPublic,
)

router = APIRouter(tags=["metrics"])

#: Where the portal explains each metric (its section of "How we measure").
DOCS = "/how-we-measure#{name}"

JurisdictionQuery = Annotated[
    str | None, Query(description="Jurisdiction code; the portal's default jurisdiction if omitted.")
]
ParamsQuery = Annotated[
    str | None, Query(description="Digest of a parameter set; the documented defaults if omitted.")
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}
SCORECARD_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "No entity below the government level."},
    **NOT_FOUND,
}


def metric_public(m: Metric) -> MetricPublic:
    """A metric's definition for the API."""
    return MetricPublic(
        name=m.name,
        goal=str(m.goal),
        title=m.title,
        unit=str(m.unit),
        definition=m.definition,
        formula=m.formula,
        source=m.source,
        inputs=list(m.inputs),
        levels=[str(level) for level in m.levels],
        docs=DOCS.format(name=m.name),
    )


def value_public(row: mq.MetricRow) -> MetricValuePublic:
    """A stored value for the API."""
    return MetricValuePublic(**dataclasses.asdict(row))


def _metric(name: str) -> Metric:
    found = registry().get(name)
    if found is None:
        raise NotFoundError(f"no metric {name!r}; the list is at /api/v1/metrics")
    return found


def _check_entity(session: SessionDep, level: Level | None, entity: str | None) -> None:
    if entity is not None and not mq.entity_known(session, level and str(level), entity):
        raise NotFoundError(f"no {level or 'entity'} {entity!r} in the registry or the stored metrics")


@router.get("/metrics", summary="List metrics")
def list_metrics() -> ListEnvelope[MetricPublic]:
    """Every metric: its goal, plain-language definition, formula, source and inputs."""
    data = [metric_public(m) for m in registry().values()]
    return ListEnvelope(data=data, count=len(data))


@router.get("/metrics/{name}", summary="One metric and its values", responses=NOT_FOUND)
def get_metric(
    session: SessionDep,
    settings: SettingsDep,
    paging: PagingDep,
    name: str,
    level: Annotated[
        Level | None, Query(description="account, organisation, platform or government.")
    ] = None,
    entity: Annotated[
        str | None, Query(description="Account id, organisation code, platform key or jurisdiction code.")
    ] = None,
    period_kind: Annotated[PeriodKind | None, Query(description="day, week, month or year.")] = None,
    period: Annotated[str | None, Query(description="One period, e.g. 2026-10 or 2026-W40.")] = None,
    since: Annotated[str | None, Query(alias="from", description="First period (inclusive).")] = None,
    until: Annotated[str | None, Query(alias="to", description="Last period (inclusive).")] = None,
    params: ParamsQuery = None,
    jurisdiction: JurisdictionQuery = None,
) -> MetricValuesPage:
    """A metric's definition and its stored values, newest period first, one page at a time."""
    metric = _metric(name)
    _check_entity(session, level, entity)
    f = mq.MetricFilter(
        jurisdiction=jurisdiction or settings.jurisdiction,
        params=params or MetricParams().digest(),
        metrics=(name,),
        level=level and str(level),
        entity=entity,
        period_kind=period_kind and str(period_kind),
        period=period,
        since=since,
        until=until,
    )
    page = mq.list_values(session, f, paging.limit, paging.offset)
    return MetricValuesPage(
        metric=metric_public(metric), data=[value_public(r) for r in page.items], count=page.count
    )


@router.get("/scorecard", summary="The scorecard of one entity", responses=SCORECARD_ERRORS)
def get_scorecard(
    session: SessionDep,
    settings: SettingsDep,
    level: Annotated[
        Level, Query(description="account, organisation, platform or government.")
    ] = Level.GOVERNMENT,
    entity: Annotated[
        str | None, Query(description="Who the scorecard is about; the default jurisdiction for government.")
    ] = None,
    period_kind: Annotated[PeriodKind, Query(description="day, week, month or year.")] = PeriodKind.MONTH,
    period: Annotated[str | None, Query(description="The period; the latest with values if omitted.")] = None,
    params: ParamsQuery = None,
    jurisdiction: JurisdictionQuery = None,
) -> ScorecardPublic:
    """Every metric's value about one entity in one period, with its inputs and definition, by goal."""
    if entity is None and level is not Level.GOVERNMENT:
        raise HTTPException(400, f"give the {level} with entity=...")
    code = jurisdiction or settings.jurisdiction
    entity = entity or code
    _check_entity(session, level, entity)
    digest = params or MetricParams().digest()
    card = mq.scorecard(session, code, digest, str(level), entity, str(period_kind), period)
    return ScorecardPublic(
        level=card.level,
        entity=card.entity,
        period_kind=card.period_kind,
        period=card.period,
        params=digest,
        goals=_by_goal(card, level),
    )


def _by_goal(card: mq.Scorecard, level: Level) -> list[ScorecardGoal]:
    """Every metric that applies at ``level``, in goal order then definition order; gaps are null."""
    goals: dict[Goal, list[ScorecardEntry]] = {goal: [] for goal in Goal}
    for m in registry().values():
        if level in m.levels:
            row = card.values.get(m.name)
            goals[m.goal].append(
                ScorecardEntry(
                    metric=metric_public(m),
                    value=row.value if row else None,
                    inputs=row.inputs if row else None,
                    computed_at=row.computed_at if row else None,
                )
            )
    return [ScorecardGoal(goal=str(goal), metrics=entries) for goal, entries in goals.items() if entries]
