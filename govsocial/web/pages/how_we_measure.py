"""``/{lang}/how-we-measure``: every metric explained in plain words, grouped by goal.

Each metric has an anchor named after it (``#interaction_rate_post``), so any number elsewhere can
link to its definition; ``/how-we-measure`` (no language) redirects to the default language, which
is the address the metrics API gives as each metric's ``docs``. The page reads the metric registry
and the deployment's metric parameters (office hours, the reply target...: the ``metric_params``
setting), never the store: what a metric means does not depend on the data collected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from govsocial.analyze.metrics.model import Goal, Metric, registry
from govsocial.analyze.metrics.params import MetricParams, configured
from govsocial.web.deps import SettingsDep
from govsocial.web.pages import metric_text as text
from govsocial.web.pages.i18n import translations
from govsocial.web.pages.render import LangDep, default_language, render

router = APIRouter()

PATH = "how-we-measure"
METRICS_API = "/api/v1/metrics"
#: Macro-F1 of the default sentiment analyser against human labels (docs/sentiment.md, "Figures"):
#: held-out comments written for the project in the style of government pages (by the hand that
#: wrote its training comments: the most favourable test), held-out Hong Kong restaurant and shop
#: reviews, and Hong Kong forum posts it never trained on (the hardest).
SENTIMENT_F1_COMMENTS = "0.88–0.90"
SENTIMENT_F1_REVIEWS = "0.68–0.70"
SENTIMENT_F1_FORUM = "0.52"


@dataclass(frozen=True)
class MetricEntry:
    """One metric as the page shows it: message ids to translate, and code to show as it is (the
    definition is already in the page's language, with the deployment's parameters)."""

    name: str
    title: str
    definition: str
    formula: str
    unit: str
    levels: tuple[str, ...]
    inputs: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class GoalSection:
    """A goal with its plain explanation and its metrics, in registry order."""

    goal: Goal
    label: str
    explanation: str
    metrics: tuple[MetricEntry, ...]

    @property
    def anchor(self) -> str:
        """The section's id; prefixed so it can never clash with a metric's name."""
        return f"goal-{self.goal.value}"


def entry(metric: Metric, gettext: Callable[[str], str], params: MetricParams) -> MetricEntry:
    """``metric`` as the page shows it, its definition stating ``params``."""
    return MetricEntry(
        name=metric.name,
        title=text.TITLES.get(metric.name, metric.title),
        definition=text.definition_text(metric.name, gettext, params) or metric.definition,
        formula=metric.formula,
        unit=text.UNIT_LABELS[metric.unit],
        levels=tuple(text.LEVEL_LABELS[level] for level in metric.levels),
        inputs=metric.inputs,
        source=metric.source,
    )


def sections(
    metrics: dict[str, Metric], gettext: Callable[[str], str], params: MetricParams
) -> list[GoalSection]:
    """Every goal that has metrics, in ``Goal`` order."""
    found = []
    for goal in Goal:
        entries = tuple(entry(m, gettext, params) for m in metrics.values() if m.goal is goal)
        if entries:
            found.append(GoalSection(goal, text.GOAL_LABELS[goal], text.GOAL_EXPLANATIONS[goal], entries))
    return found


@router.get(f"/{{lang}}/{PATH}", response_class=HTMLResponse, include_in_schema=False)
def how_we_measure(request: Request, lang: LangDep, settings: SettingsDep) -> HTMLResponse:
    """The page: an introduction, a table of contents, then each goal and its metrics."""
    gettext = translations(lang.code).gettext
    return render(
        request,
        lang,
        "how_we_measure.html",
        section=PATH,
        goals=sections(registry(), gettext, configured(settings)),
        metrics_api=METRICS_API,
        f1_comments=SENTIMENT_F1_COMMENTS,
        f1_reviews=SENTIMENT_F1_REVIEWS,
        f1_forum=SENTIMENT_F1_FORUM,
        # The figures are the built-in model's: a portal set to another analyser says so.
        other_analyser=settings.sentiment_analyser,
    )


@router.get(f"/{PATH}", include_in_schema=False)
def how_we_measure_default(request: Request) -> RedirectResponse:
    """The page in the default language: the API's ``docs`` links point here, language-free."""
    # 307, as for ``/``: the language is the reader's choice, never a permanent answer. The
    # fragment (#metric_name) never reaches the server; browsers keep it across the redirect.
    return RedirectResponse(f"/{default_language(request).code}/{PATH}", status_code=307)
