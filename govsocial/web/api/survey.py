"""``/api/v1/survey``: the citizen survey's results, and its anonymised responses as CSV.

The results are those of the portal's results page (``govsocial.analyze.survey``): means with
Student's t 95 % intervals and counts, shares with Wilson intervals, for everyone and by age band,
with the 2020 baseline. The export has one row per response with the answers only: no token or its
hash, no address, no row id, the month instead of the day, and rows in the order of the token
hashes (random), so neither the order nor the date tells when one person answered.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from govsocial.analyze import survey as analysis
from govsocial.csvsafe import protect
from govsocial.store import survey as store
from govsocial.store import tables as t
from govsocial.web.deps import SessionDep

router = APIRouter(tags=["survey"])

CACHE_CONTROL = "public, max-age=60"
COLUMNS = (
    "month",
    "age_band",
    "district",
    *store.RATINGS,
    "channels",
    *(f"reaction_{kind}" for kind in store.REACTIONS),
    "expectation",
    "consideration",
)


class EstimatePublic(BaseModel):
    """A mean (or a share in per cent) with its 95 % confidence interval and how many answered."""

    mean: float | None = Field(description="Null when nobody answered.")
    low: float | None = Field(description="Lower end of the 95 % interval; null below two answers.")
    high: float | None = Field(description="Upper end of the 95 % interval; null below two answers.")
    n: int


class GroupPublic(BaseModel):
    """The results of one group of respondents: everyone, or one age band."""

    group: str = Field(description='"all", or an age band such as "15-19".')
    respondents: int
    ratings: dict[str, EstimatePublic] = Field(description="The six 0-10 ratings.")
    shares: dict[str, dict[str, EstimatePublic]] = Field(
        description="channels, reactions (often or sometimes), expectation, consideration: per cent."
    )


class BaselineRatingPublic(BaseModel):
    """A rating of the 2020 study."""

    mean: float
    n: int


class BaselinePublic(BaseModel):
    """The 2020 study's figures."""

    source: dict[str, Any]
    ratings: dict[str, BaselineRatingPublic]
    shares: dict[str, dict[str, float]] = Field(description="Per cent of the study's respondents.")


class SurveyResultsPublic(BaseModel):
    """The survey's results by group, and the 2020 baseline."""

    groups: list[GroupPublic]
    baseline: BaselinePublic


def _estimate(e: analysis.Estimate) -> EstimatePublic:
    return EstimatePublic(mean=e.mean, low=e.low, high=e.high, n=e.n)


@router.get("/survey/results", summary="Results of the citizen survey", response_model=SurveyResultsPublic)
def survey_results(session: SessionDep) -> SurveyResultsPublic:
    """Means with 95 % intervals and counts, for everyone and by age band, and the 2020 baseline."""
    groups = analysis.by_age_band(store.responses(session))
    base = analysis.baseline()
    return SurveyResultsPublic(
        groups=[
            GroupPublic(
                group=name,
                respondents=results.respondents,
                ratings={k: _estimate(v) for k, v in results.ratings.items()},
                shares={s: {k: _estimate(v) for k, v in by.items()} for s, by in results.shares.items()},
            )
            for name, results in groups.items()
        ],
        baseline=BaselinePublic(
            source=base.source,
            ratings={k: BaselineRatingPublic(mean=m, n=n) for k, (m, n) in base.ratings.items()},
            shares=base.shares,
        ),
    )


def export_row(row: t.SurveyResponse) -> list[str]:
    """One response as CSV cells, in ``COLUMNS`` order (text cells formula-safe)."""
    ratings = ["" if (v := getattr(row, name)) is None else str(v) for name in store.RATINGS]
    reactions = [row.reactions.get(kind, "") for kind in store.REACTIONS]
    text = [
        row.submitted_on.strftime("%Y-%m"),
        row.age_band or "",
        row.district or "",
        *ratings,
        ";".join(row.channels),
        *reactions,
        row.expectation or "",
        row.consideration or "",
    ]
    return [protect(cell) for cell in text]


def export_csv(rows: list[t.SurveyResponse]) -> str:
    """The anonymised responses as CSV text, in the order of the (random) token hashes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(export_row(r) for r in sorted(rows, key=lambda r: r.token_hash))
    return buffer.getvalue()


@router.get(
    "/survey/responses.csv",
    summary="The citizen survey's anonymised responses",
    response_class=Response,
    responses={
        200: {"description": "One row per response.", "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
def survey_responses(session: SessionDep) -> Response:
    """Every response's answers: no token, no address, no id, the month only."""
    body = export_csv(list(store.responses(session)))
    headers = {
        "Content-Disposition": 'attachment; filename="govsocial-survey-responses.csv"',
        "Cache-Control": CACHE_CONTROL,
    }
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
