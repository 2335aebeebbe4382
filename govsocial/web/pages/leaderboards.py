"""``/{lang}/leaderboards``: organisations or accounts ranked by one metric in one period.

A plain GET form chooses the metric, the level, the kind of period and the period (and narrows by
platform or type of organisation), so the page works without JavaScript and every board is a link.
Parameters are read leniently, as on the directory: a metric, level or period that makes no sense
falls back to the default rather than answering with an error. The rows come from
``store.rankings``, the same query as ``/api/v1/leaderboards/{metric}``; a value of too small a
sample (``rankings.SAMPLES``) is listed after the ranked ones with no rank, and the page says why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import Metric, Unit, registry
from govsocial.analyze.metrics.params import configured
from govsocial.settings import Settings
from govsocial.store import queries, rankings
from govsocial.store import tables as t
from govsocial.store.metric_queries import has_params
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages import charts, metric_text
from govsocial.web.pages.i18n import N_, translations
from govsocial.web.pages.render import (
    LangDep,
    PlatformView,
    clean,
    display_name,
    name,
    organisation_url,
    platform_of,
    platform_views,
    render,
)
from govsocial.web.pages.scorecard_view import INPUT_LABELS

router = APIRouter()

PAGE_SIZE = 25
#: The kinds of period a reader can choose (days are too short to rank fairly), in the form's order.
PERIOD_KINDS: dict[str, str] = {"month": N_("Month"), "week": N_("Week"), "year": N_("Year")}
LEVEL_LABELS: dict[str, str] = {"organisation": N_("Organisations"), "account": N_("Accounts")}
#: How many of the leaders the bar chart draws (the table lists every row of the page).
CHART_BARS = 10
CHART_TITLE = N_("%(measure)s in %(period)s: the first %(count)d")


def number_of(text: str | None, default: int = 1) -> int:
    """A page number from the query string; anything but a short run of digits is ``default``."""
    if text and queries.ascii_digits(text) and len(text) <= 6:
        return max(int(text), 1)
    return default


@dataclass(frozen=True)
class Choice:
    """The board the reader asked for, cleaned; ``period`` is empty until resolved against the store."""

    metric: str = rankings.LEADERBOARD_METRICS[0]
    level: str = "organisation"
    period_kind: str = "month"
    period: str = ""
    platform: str = ""
    type: str = ""
    page: int = 1

    @classmethod
    def parse(cls, raw: dict[str, str | None]) -> Choice:
        """Read the raw parameters; anything unknown falls back to the default."""
        metric = raw.get("metric") or ""
        level, kind = raw.get("level") or "", raw.get("period_kind") or ""
        org_type = raw.get("type") or ""
        return cls(
            metric=metric if metric in registry() else cls.metric,
            level=level if level in rankings.LEVELS else cls.level,
            period_kind=kind if kind in PERIOD_KINDS else cls.period_kind,
            period=clean(raw.get("period"))[:16],
            platform=clean(raw.get("platform"))[:32],
            type=org_type if org_type in set(t.OrgType) else "",
            page=number_of(raw.get("page")),
        )

    def params(self, page: int | None = None) -> dict[str, str | int | None]:
        """The query string of this board (on ``page``); the platform only where it applies."""
        return {
            "metric": self.metric,
            "level": self.level,
            "period_kind": self.period_kind,
            "period": self.period,
            "platform": self.platform if self.level == "account" else None,
            "type": self.type,
            "page": page if page and page > 1 else None,
        }


@dataclass(frozen=True)
class Row:
    """A leaderboard row as the table shows it: text ready to print, and links."""

    rank: int | None
    name: str
    url: str
    value: str
    number: float
    inputs: list[tuple[str, str]]
    organisation: t.Organisation | None
    account: t.Account | None
    #: The size of the value's sample, printed, when it is too small to rank (None when ranked).
    sample: str | None = None


def inputs_of(inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """A value's inputs for a table: (label message id, number as text), in the stored order."""
    return [(INPUT_LABELS.get(key, key), input_text(value)) for key, value in inputs.items()]


def input_text(value: Any) -> str:
    """An input of a value, printed: whole numbers with separators, others to two decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def row_of(code: str, ranked: rankings.Ranked, unit: Any, rule: rankings.Sample | None = None) -> Row:
    """A ranked entity for the table, in language ``code``; ``rule`` is the board's smallest sample."""
    inputs = inputs_of(ranked.inputs)
    value = metric_text.format_value(ranked.value, unit, code)
    if ranked.account is not None:
        shown = display_name(code, ranked.account) or ranked.account.handle
        url = f"/{code}/accounts/{ranked.account.id}"
    else:
        org = ranked.organisation
        shown, url = (name(code, org), organisation_url(code, org)) if org else (ranked.entity, "")
    size = input_text(ranked.inputs.get(rule.input, 0)) if rule and ranked.rank is None else None
    return Row(
        ranked.rank, shown, url, value, ranked.value, inputs, ranked.organisation, ranked.account, size
    )


@dataclass(frozen=True)
class Board:
    """What the page shows: the resolved choice, the periods to choose from and one page of rows."""

    choice: Choice
    periods: list[str]
    rows: list[Row]
    count: int
    #: The digest of the parameters the values were read under (the configured ones).
    digest: str
    #: How many of the ``count`` rows have a rank (the others' samples are too small).
    ranked: int = 0
    #: The smallest sample the board's metric is ranked on: (input label message id, minimum).
    sample: tuple[str, int] | None = None

    @property
    def pages(self) -> int:
        """How many pages the board has (at least one)."""
        return max(1, -(-self.count // PAGE_SIZE))


def board(session: Session, settings: Settings, choice: Choice, code: str) -> Board:
    """Resolve ``choice`` against the configured jurisdiction's values under the configured parameters
    (an unknown period becomes the latest) and read a page."""
    jurisdiction, digest = settings.jurisdiction, configured(settings).digest()
    available = rankings.periods(
        session, jurisdiction, digest, choice.metric, choice.level, choice.period_kind
    )
    period = choice.period if choice.period in available else (available[0] if available else "")
    choice = replace(choice, period=period)
    if not period:
        return Board(choice, available, [], 0, digest)
    query = rankings.Board(
        jurisdiction,
        digest,
        choice.metric,
        choice.level,
        choice.period_kind,
        period,
        platform=(choice.platform or None) if choice.level == "account" else None,
        org_type=t.OrgType(choice.type) if choice.type else None,
    )
    page = rankings.ranking(session, query, PAGE_SIZE, (choice.page - 1) * PAGE_SIZE)
    unit = registry()[choice.metric].unit
    rows = [row_of(code, r, unit, rankings.sample(choice.metric)) for r in page.items]
    return Board(choice, available, rows, page.count, digest, page.ranked, sample_of(choice.metric))


def sample_of(metric: str) -> tuple[str, int] | None:
    """The smallest sample ``metric`` is ranked on, for the page: (input label message id, minimum)."""
    rule = rankings.sample(metric)
    return (INPUT_LABELS.get(rule.input, rule.input), rule.minimum) if rule else None


def metric_options(chosen: str) -> list[tuple[str, str]]:
    """The metrics of the form (name, title message id): the leaderboard ones, and the chosen one."""
    names = list(rankings.LEADERBOARD_METRICS)
    if chosen not in names:
        names.append(chosen)
    return [(each, metric_text.title(each)) for each in names]


def api_url(choice: Choice) -> str:
    """The API address of the board the page shows (its first page)."""
    # The metric is in the path; the page number and the form's "type" name are the page's own.
    params = {k: v for k, v in choice.params().items() if k not in ("page", "type", "metric") and v}
    if choice.type:
        params["org_type"] = choice.type
    return f"/api/v1/leaderboards/{quote(choice.metric, safe='')}?" + urlencode(params)


def board_chart(
    shown: Board, metric: Metric, views: dict[str, PlatformView], lang: str
) -> charts.Chart | None:
    """Bars of the first ``CHART_BARS`` of the board, on its first page only (None elsewhere or if empty)."""
    # Only ranked rows are drawn: a bar is a place on the board.
    rows = [row for row in shown.rows if row.rank is not None][:CHART_BARS]
    if not rows or shown.choice.page > 1:
        return None
    gettext = translations(lang).gettext
    measure, unit = gettext(metric_text.title(metric.name)), metric.unit
    # The rank leads each label, so a bar whose name is cut still finds its row in the table.
    labels = [f"{row.rank}. {row.name}" for row in rows]
    labels = [
        f"{label} ({platform_of(views, row.account.platform).name})" if row.account else label
        for label, row in zip(labels, rows, strict=True)
    ]
    title = gettext(CHART_TITLE) % {"measure": measure, "period": shown.choice.period, "count": len(rows)}
    return charts.bar_chart(
        "chart-board",
        title,
        [(label, row.number) for label, row in zip(labels, rows, strict=True)],
        gettext(N_("Account") if shown.choice.level == "account" else N_("Organisation")),
        measure,
        fmt=lambda v: metric_text.format_value(v, unit, lang),
        suffix="%" if unit is Unit.PERCENT else "",
    )


@router.get("/{lang}/leaderboards", response_class=HTMLResponse, include_in_schema=False)
def leaderboards_page(
    request: Request,
    lang: LangDep,
    session: SessionDep,
    settings: SettingsDep,
    metric: str | None = None,
    level: str | None = None,
    period_kind: str | None = None,
    period: str | None = None,
    platform: str | None = None,
    org_type: Annotated[str | None, Query(alias="type")] = None,
    page: str | None = None,
) -> HTMLResponse:
    """A leaderboard, with the form to choose another."""
    raw = {
        "metric": metric,
        "level": level,
        "period_kind": period_kind,
        "period": period,
        "platform": platform,
        "type": org_type,
        "page": page,
    }
    shown = board(session, settings, Choice.parse(raw), lang.code)
    views = platform_views(session, lang.code)
    chosen = registry()[shown.choice.metric]
    chart = board_chart(shown, chosen, views, lang.code)
    return render(
        request,
        lang,
        "leaderboards.html",
        section="leaderboards",
        board=shown,
        choice=shown.choice,
        metric=chosen,
        metric_title=metric_text.title(chosen.name),
        lower_is_better=rankings.lower_is_better(chosen.name),
        metric_options=metric_options(chosen.name),
        levels=LEVEL_LABELS,
        period_kinds=PERIOD_KINDS,
        platforms=list(views.values()),
        platform=partial(platform_of, views),
        org_types=list(t.OrgType),
        sample=bool(shown.rows) and rankings.has_sample_data(session, settings.jurisdiction),
        pending=not shown.periods and not has_params(session, settings.jurisdiction, shown.digest),
        page_size=PAGE_SIZE,
        chart=chart,
        api_url=api_url(shown.choice),
    )
