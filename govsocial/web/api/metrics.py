"""``/api/v1/metrics`` and ``/api/v1/scorecard``: the metric definitions and their materialised values.

Values are read from the store (``metric_values``), never computed per request: the pipeline
materialises them after each collection run. Every value is shown under one parameter set, the
configured one (the ``metric_params`` setting) unless ``params`` names another digest.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import Goal, Level, Metric, registry
from govsocial.errors import NotFoundError
from govsocial.store import metric_queries as mq
from govsocial.store import queries
from govsocial.web.api import checks
from govsocial.web.api.checks import PERIOD_KIND_HELP, MetricPeriodKind
from govsocial.web.api.paging import PagerDep, paged
from govsocial.web.deps import SessionDep, SettingsDep
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
    str | None,
    Query(description="Digest of a parameter set (12 hex digits); the configured parameters' if omitted."),
]
MetricName = Annotated[
    str, Path(description="The metric's name, as /api/v1/metrics lists them.", examples=["post_volume"])
]
VALUE_ERRORS = checks.responses(
    "No such metric, jurisdiction, entity or parameter digest.",
    "An invalid parameter: a period label that is not one, or not of period_kind; from after to; "
    "an account entity that is not an id.",
)
SCORECARD_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "No entity below the government level."},
    **checks.responses(
        "No such jurisdiction, entity or parameter digest.",
        "An invalid parameter: a period that is not a label of period_kind; an account entity that "
        "is not an id.",
    ),
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


def time_zone(session: Session, code: str) -> str:
    """The IANA name of jurisdiction ``code``'s time zone, whose calendar periods the metrics count in
    (``UTC`` for a jurisdiction not in the store, which has no values to cut)."""
    return queries.jurisdiction_zone(session, code).key


def value_public(row: mq.MetricRow) -> MetricValuePublic:
    """A stored value for the API."""
    return MetricValuePublic(**dataclasses.asdict(row))


def known_metric(name: str) -> Metric:
    """The metric called ``name``; a 404 if there is none, naming the metrics it may have meant."""
    found = registry().get(name)
    if found is None:
        near = similar_metrics(name)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise NotFoundError(f"no metric {name!r}{hint}; the list is at /api/v1/metrics")
    return found


def similar_metrics(name: str, most: int = 5) -> list[str]:
    """Metric names that start with ``name`` or are spelt much like it: ``interaction_rate`` is
    ``interaction_rate_post`` or ``interaction_rate_account``, ``post_volumes`` is ``post_volume``."""
    names = list(registry())
    key = name.strip().lower()
    started = [n for n in names if key and n.startswith(key)]
    close = difflib.get_close_matches(key, names, n=most, cutoff=0.75)
    return list(dict.fromkeys(started + close))[:most]


@router.get("/metrics", summary="List metrics")
def list_metrics() -> ListEnvelope[MetricPublic]:
    """Every metric: its goal, plain-language definition, formula, source and inputs."""
    data = [metric_public(m) for m in registry().values()]
    return ListEnvelope(data=data, count=len(data))


@router.get("/metrics/{name}", summary="One metric and its values", responses=paged(VALUE_ERRORS))
def get_metric(
    session: SessionDep,
    settings: SettingsDep,
    paging: PagerDep,
    name: MetricName,
    level: Annotated[
        Level | None, Query(description="account, organisation, platform or government.")
    ] = None,
    entity: Annotated[
        str | None, Query(description="Account id, organisation code, platform key or jurisdiction code.")
    ] = None,
    period_kind: Annotated[
        MetricPeriodKind | None,
        Query(description=PERIOD_KIND_HELP + " If omitted, the kind of period, from and to's labels."),
    ] = None,
    period: Annotated[
        str | None, Query(max_length=16, description="One period, e.g. 2026-10 or 2026-W40.")
    ] = None,
    since: Annotated[
        str | None, Query(alias="from", max_length=16, description="First period (inclusive).")
    ] = None,
    until: Annotated[
        str | None, Query(alias="to", max_length=16, description="Last period (inclusive).")
    ] = None,
    params: ParamsQuery = None,
    jurisdiction: JurisdictionQuery = None,
) -> MetricValuesPage:
    """A metric's definition and its stored values, newest period first, one page at a time."""
    metric = known_metric(name)
    code = checks.jurisdiction(session, settings, jurisdiction)
    labels = (("period", period), ("from", since), ("to", until))
    f = mq.MetricFilter(
        jurisdiction=code,
        params=checks.params(session, settings, code, params),
        metrics=(name,),
        level=level and str(level),
        entity=entity and checks.entity(session, code, level, entity),
        # Labels compare as text only within one kind: from=2026-01 alone means months.
        period_kind=checks.period_kind(period_kind, labels),
        period=period,
        since=since,
        until=until,
    )
    checks.period_range(f.since, f.until)
    page = mq.list_values(session, f, paging.limit, paging.offset)
    paging.link(page.count)
    return MetricValuesPage(
        metric=metric_public(metric),
        time_zone=time_zone(session, code),
        data=[value_public(r) for r in page.items],
        count=page.count,
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
    period_kind: Annotated[
        MetricPeriodKind | None,
        Query(description=PERIOD_KIND_HELP + " If omitted, the kind of period's label, or month."),
    ] = None,
    period: Annotated[
        str | None,
        Query(max_length=16, description="The period; the latest with values if omitted."),
    ] = None,
    params: ParamsQuery = None,
    jurisdiction: JurisdictionQuery = None,
) -> ScorecardPublic:
    """Every metric's value about one entity in one period, with its inputs and definition, by goal."""
    if entity is None and level is not Level.GOVERNMENT:
        raise HTTPException(400, f"give the {level} with entity=...")
    code = checks.jurisdiction(session, settings, jurisdiction)
    entity = checks.entity(session, code, level, entity or code)
    kind = checks.period_kind(period_kind, [("period", period)], default=str(MetricPeriodKind.MONTH))
    digest = checks.params(session, settings, code, params)
    card = mq.scorecard(session, code, digest, str(level), entity, str(kind), period)
    return ScorecardPublic(
        jurisdiction=code,
        level=card.level,
        entity=card.entity,
        period_kind=card.period_kind,
        period=card.period,
        time_zone=time_zone(session, code),
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
