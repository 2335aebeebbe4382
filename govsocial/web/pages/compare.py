"""``/{lang}/compare``: two to four organisations side by side, the leaderboard metrics of one period.

The organisations are chosen with select lists in a plain GET form (``?org=cfs&org=chp``), so the
page works without JavaScript and a comparison is a link to share. The best value of each row is
marked in words, not only by colour; the better direction of a metric is
``rankings.lower_is_better``, and a value of too small a sample is never the best and says why
(``rankings.SAMPLES``), as on the leaderboards. The values come from
``rankings.comparison``, the query behind ``/api/v1/compare``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import registry
from govsocial.analyze.metrics.params import configured
from govsocial.errors import NotFoundError
from govsocial.store import queries, rankings
from govsocial.store import tables as t
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages import metric_text
from govsocial.web.pages.leaderboards import PERIOD_KINDS, input_text, inputs_of, sample_of
from govsocial.web.pages.render import LangDep, clean, name, render

router = APIRouter()

#: How many organisations the form offers to compare (the table stays readable on a phone).
SLOTS = 4
METRICS = rankings.LEADERBOARD_METRICS


@dataclass(frozen=True)
class Value:
    """One cell of the table: the value's text, whether it is the best of its row, and its inputs;
    ``sample`` is the size of its sample, printed, when it is too small to rank (else None)."""

    text: str
    best: bool
    inputs: list[tuple[str, str]]
    sample: str | None = None


@dataclass(frozen=True)
class Line:
    """One metric across the organisations: its name, title, direction and a cell per organisation."""

    metric: str
    title: str
    lower_is_better: bool
    values: list[Value]
    #: The smallest sample the metric is ranked on: (input label message id, minimum), or None.
    sample: tuple[str, int] | None = None


@dataclass(frozen=True)
class Side:
    """The comparison the page shows (``lines`` is empty until two organisations are chosen)."""

    organisations: list[t.Organisation]
    unknown: list[str]
    period_kind: str
    period: str | None
    periods: list[str]
    lines: list[Line]


def chosen_codes(raw: list[str] | None) -> list[str]:
    """The organisation codes asked for: cleaned, without blanks or repeats, at most ``SLOTS``."""
    codes = [clean(code)[:64] for code in raw or []]
    return list(dict.fromkeys(code for code in codes if code))[:SLOTS]


def find(session: Session, jurisdiction: str, codes: list[str]) -> tuple[list[t.Organisation], list[str]]:
    """The organisations of ``codes`` that exist, and the codes that name none."""
    found, unknown = [], []
    for code in codes:
        try:
            found.append(queries.get_organisation(session, jurisdiction, code))
        except NotFoundError:
            unknown.append(code)
    return found, unknown


def lines(result: rankings.Comparison, codes: list[str], lang: str) -> list[Line]:
    """The table's rows: each metric with every organisation's value, the best ones marked."""
    out = []
    for metric in METRICS:
        cells = [result.cells[code].get(metric) for code in codes]
        best = rankings.best_of(dict(zip(codes, cells, strict=True)), metric)
        values = [value_of(metric, cell, code in best, lang) for code, cell in zip(codes, cells, strict=True)]
        title, lower = metric_text.title(metric), rankings.lower_is_better(metric)
        out.append(Line(metric, title, lower, values, sample_of(metric)))
    return out


def value_of(metric: str, cell: rankings.Cell | None, best: bool, lang: str) -> Value:
    """One cell of the table, with the size of its sample when it is too small to rank."""
    text = metric_text.format_value(cell.value if cell else None, registry()[metric].unit, lang)
    if cell is None:
        return Value(text, best, [])
    rule = rankings.sample(metric)
    small = rule is not None and cell.value is not None and not rankings.rankable(metric, cell.inputs)
    size = input_text(cell.inputs.get(rule.input, 0)) if rule and small else None
    return Value(text, best, inputs_of(cell.inputs), size)


def side_by_side(
    session: Session,
    jurisdiction: str,
    digest: str,
    codes: list[str],
    period_kind: str,
    period: str,
    lang: str,
) -> Side:
    """The comparison of ``codes`` in ``period`` (the latest with values if it has none), under the
    parameters of ``digest`` (the configured ones)."""
    orgs, unknown = find(session, jurisdiction, codes)
    found = [o.code for o in orgs]
    available = rankings.periods(session, jurisdiction, digest, METRICS, "organisation", period_kind)
    if len(orgs) < 2:
        return Side(orgs, unknown, period_kind, None, available, [])
    asked = period if period in available else None
    result = rankings.comparison(session, jurisdiction, digest, found, METRICS, period_kind, asked)
    return Side(orgs, unknown, period_kind, result.period, available, lines(result, found, lang))


@router.get("/{lang}/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(
    request: Request,
    lang: LangDep,
    session: SessionDep,
    settings: SettingsDep,
    org: Annotated[list[str] | None, Query()] = None,
    period_kind: str | None = None,
    period: str | None = None,
) -> HTMLResponse:
    """Organisations side by side, with the form to choose them."""
    kind = period_kind if period_kind in PERIOD_KINDS else "month"
    codes = chosen_codes(org)
    digest = configured(settings).digest()
    side = side_by_side(session, settings.jurisdiction, digest, codes, kind, clean(period)[:16], lang.code)
    options = rankings.comparable(session, settings.jurisdiction, digest, METRICS, kind)
    listed = {o.code for o in options}
    options += [o for o in side.organisations if o.code not in listed]
    options.sort(key=lambda o: name(lang.code, o))
    slots = [side.organisations[i].code if i < len(side.organisations) else "" for i in range(SLOTS)]
    api = [("organisation", o.code) for o in side.organisations] + [("period_kind", kind)]
    return render(
        request,
        lang,
        "compare.html",
        section="leaderboards",
        side=side,
        options=options,
        slots=slots,
        period_kinds=PERIOD_KINDS,
        sample=bool(side.lines) and rankings.has_sample_data(session, settings.jurisdiction),
        api_url="/api/v1/compare?" + urlencode(api + ([("period", side.period)] if side.period else [])),
    )
