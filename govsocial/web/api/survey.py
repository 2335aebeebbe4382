"""``/api/v1/survey``: the citizen survey's results, and its anonymised responses as CSV.

The results are those of the portal's results page (``govsocial.analyze.survey``): means with
Student's t 95 % intervals and counts, shares with Wilson intervals, for everyone and by age band,
with the 2020 baseline on Hong Kong's portal only (``analysis.baseline_for``: the study asked young
people in Hong Kong; another jurisdiction's ``baseline`` is null), and the released responses by
district with the names of the jurisdiction's districts (``store.districts_of``). The export has one row per
response with the answers only: no token or its hash, no address, no row id, the month instead of
the day, and rows in the order of the token hashes (random), so neither the order nor the date
tells when one person answered.

Both publish ``analysis.release``: every combination of month, age band and district in the export is
shared by at least ``analysis.MIN_GROUP`` rows (cells generalised away say ``analysis.SUPPRESSED``),
and the results are computed from exactly those rows and published bands, so none of their figures
can be subtracted from the export to undo a suppression. While there are fewer than
``MIN_GROUP`` responses nothing is published; the header ``X-Withheld-Rows`` and the results'
``withheld`` say how many responses are held back.

Both publish only the released responses (``store.survey.responses``): what is sent waits until a
batch of at least ``MIN_GROUP`` new or changed responses is released together, so that comparing
two downloads never shows one person's answers. The results say when the last batch was released
(``released_on``) and how many responses wait for the next (``pending``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from govsocial.analyze import survey as analysis
from govsocial.csvsafe import protect
from govsocial.store import survey as store
from govsocial.web.deps import SessionDep, get_state
from govsocial.web.schemas import Names, names

router = APIRouter(tags=["survey"])

CACHE_CONTROL = "public, max-age=60"
#: The export's header saying how many responses it holds back.
WITHHELD_HEADER = "X-Withheld-Rows"
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
    """The 2020 study's figures: a sample of 1,028 young people (aged 15-34) in Hong Kong."""

    source: dict[str, Any]
    ratings: dict[str, BaselineRatingPublic]
    shares: dict[str, dict[str, float]] = Field(description="Per cent of the study's respondents.")


class DistrictCountPublic(BaseModel):
    """How many released responses the export shows with one district, with its names."""

    district: str = Field(
        description="The district's code, as in the export's district column; \"*\" for the responses whose "
        'district the export leaves out; "" for those that gave none.'
    )
    name: Names | None = Field(
        description='The district\'s name in the three scripts; null for "*", "" and a code the '
        "jurisdiction's districts.csv no longer lists."
    )
    respondents: int


class SurveyResultsPublic(BaseModel):
    """The survey's results by group, and the 2020 baseline where the portal's survey is compared with it."""

    groups: list[GroupPublic] = Field(
        description='"all", then each age band with at least min_group responses published in the export.'
    )
    min_group: int = Field(description="The fewest responses a group or an export combination describes (k).")
    withheld: int = Field(
        description="Responses in no figure and no export row: those not released yet, and all while fewer "
        "than min_group are released."
    )
    released_on: dt.date | None = Field(
        description="The day the figures and the export were last released (in the jurisdiction's time "
        "zone); null before the first release."
    )
    pending: int = Field(
        description="New or changed responses waiting for the next release, made once at least min_group "
        "wait; until then a changed response's earlier answers stay in the figures."
    )
    districts: list[DistrictCountPublic] = Field(
        description="The released responses by district: every district of the jurisdiction's registry "
        '(its districts.csv) in its order, then stored codes it no longer lists, then "*" and "" where '
        "there are any. Empty where the jurisdiction has no districts and no response gave one."
    )
    baseline: BaselinePublic | None = Field(
        description="The 2020 study's figures, of young people in Hong Kong (source.population, "
        "source.respondents): given on Hong Kong's portal (jurisdiction hk) only, null elsewhere."
    )


def withheld(session: SessionDep, published: analysis.Release) -> int:
    """Stored responses in no figure and no export row: never released yet, or held back while fewer
    than ``MIN_GROUP`` are released. (A response whose new answers wait is in them with its old.)"""
    return store.count(session) - len(published.rows)


def _estimate(e: analysis.Estimate) -> EstimatePublic:
    return EstimatePublic(mean=e.mean, low=e.low, high=e.high, n=e.n)


@router.get("/survey/results", summary="Results of the citizen survey", response_model=SurveyResultsPublic)
def survey_results(request: Request, session: SessionDep) -> SurveyResultsPublic:
    """Means with 95 % intervals and counts, for everyone and by age band, and the 2020 baseline
    (Hong Kong's portal only)."""
    published = analysis.release(store.responses(session))
    groups = analysis.by_age_band(published)
    jurisdiction = get_state(request).settings.jurisdiction
    base = analysis.baseline_for(jurisdiction)
    last = store.latest_release(session)
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
        min_group=analysis.MIN_GROUP,
        withheld=withheld(session, published),
        released_on=last.made_on if last is not None else None,
        pending=store.waiting_count(session),
        districts=_districts(published, store.districts_of(session, jurisdiction)),
        baseline=_baseline(base) if base is not None else None,
    )


def _districts(published: analysis.Release, districts: list[store.District]) -> list[DistrictCountPublic]:
    rows = analysis.by_district(analysis.district_counts(published), districts)
    if not analysis.names_districts(rows):
        return []  # a jurisdiction without districts whose responses give none
    return [
        DistrictCountPublic(
            district=row.key,
            name=_names(row.district) if row.district else None,
            respondents=row.respondents,
        )
        for row in rows
    ]


def _names(district: store.District) -> Names:
    return names(district.name_en, district.name_zh_hant, district.name_zh_hans)


def _baseline(base: analysis.Baseline) -> BaselinePublic:
    return BaselinePublic(
        source=base.source,
        ratings={k: BaselineRatingPublic(mean=m, n=n) for k, (m, n) in base.ratings.items()},
        shares=base.shares,
    )


def export_row(published: analysis.Published) -> list[str]:
    """One released response as CSV cells, in ``COLUMNS`` order (text cells formula-safe): its month,
    age band and district as released, its answers as given."""
    row = published.response
    ratings = ["" if (v := getattr(row, name)) is None else str(v) for name in store.RATINGS]
    reactions = [row.reactions.get(kind, "") for kind in store.REACTIONS]
    text = [
        published.month,
        published.age_band or "",
        published.district or "",
        *ratings,
        ";".join(row.channels),
        *reactions,
        row.expectation or "",
        row.consideration or "",
    ]
    return [protect(cell) for cell in text]


def export_csv(rows: list[analysis.Published]) -> str:
    """The released responses as CSV text, in the order of the (random) token hashes, after a byte
    order mark: Excel, as used in Hong Kong, reads a UTF-8 file without one in the local code page,
    and the answers' Chinese comes out garbled (as the open data downloads, docs/api.md)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(export_row(p) for p in sorted(rows, key=lambda p: p.response.token_hash))
    return buffer.getvalue()


@router.get(
    "/survey/responses.csv",
    summary="The citizen survey's anonymised responses",
    response_class=Response,
    responses={
        200: {
            "description": f"One row per released response; none while fewer than {analysis.MIN_GROUP}.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "headers": {
                WITHHELD_HEADER: {
                    "description": "How many responses the file holds back (not released yet, or too few).",
                    "schema": {"type": "integer"},
                }
            },
        }
    },
)
def survey_responses(session: SessionDep) -> Response:
    """Every released response's answers, k-anonymous: no token, no address, no id, the month at most."""
    published = analysis.release(store.responses(session))
    headers = {
        "Content-Disposition": 'attachment; filename="govsocial-survey-responses.csv"',
        "Cache-Control": CACHE_CONTROL,
        WITHHELD_HEADER: str(withheld(session, published)),
    }
    body = export_csv(published.rows)
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
