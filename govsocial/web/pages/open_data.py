"""``/{lang}/open-data``: what data is open, each dataset's columns and row count, and its files.

The datasets, their columns and their English descriptions are defined once, in
``govsocial.store.open_data``, and the API's catalogue (``/api/v1/downloads``) serves the same
ones. The descriptions are the message ids the page translates; ``DESCRIPTIONS`` below repeats
them inside ``N_()`` so that the message extractor, which reads only the page modules, finds them
(a test fails when the two lists differ).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govsocial.store.open_data import DATASETS, Column, Kind, has_sample
from govsocial.web.api import PREFIX
from govsocial.web.api.downloads import MEDIA_TYPES, file_url, scope_of
from govsocial.web.deps import SessionDep, SettingsDep
from govsocial.web.pages.i18n import N_
from govsocial.web.pages.render import LangDep, render

router = APIRouter()

TITLES = {
    "organisations": N_("Organisations"),
    "accounts": N_("Accounts"),
    "metric_values": N_("Scorecard values"),
    "posts": N_("Posts"),
}
FORMAT_LABELS = {"csv": "CSV", "json": "JSON", "parquet": "Parquet"}
KIND_LABELS = {
    Kind.TEXT: N_("text"),
    Kind.INTEGER: N_("whole number"),
    Kind.NUMBER: N_("number"),
    Kind.BOOLEAN: N_("true or false"),
    Kind.DATE: N_("date"),
    Kind.DATETIME: N_("date and time (UTC)"),
    Kind.JSON: N_("JSON text"),
}
#: The English descriptions of the datasets and their columns, as in ``store.open_data``, for extraction.
DESCRIPTIONS = (
    N_("Bureaux, departments, offices and other bodies of the government."),
    N_("Every account in the registry, with its owners, status and the evidence that it is official."),
    N_("Every stored value of the scorecard, with the inputs it was computed from."),
    N_("What the official accounts published, with the latest counts. Never comments or commenters."),
    N_("Code of the government the organisation belongs to."),
    N_("The organisation's code, unique within its jurisdiction."),
    N_("bureau, department, office, official_post, statutory_body, ..."),
    N_("Name in English."),
    N_("Name in Traditional Chinese."),
    N_("Name in Simplified Chinese."),
    N_("Code of the organisation it belongs to, if any."),
    N_("The organisation's website."),
    N_("Where the registry took the organisation from."),
    N_("The account's id in this directory and its API."),
    N_("Code of the government the account belongs to."),
    N_("Platform key, e.g. facebook."),
    N_("What the handle is on its platform: handle, id, custom, user, ..."),
    N_("The account's handle on its platform."),
    N_("The account's address on its platform."),
    N_("The platform's own id for the account, where known."),
    N_("published (official), under_review or archived."),
    N_("Display name in English."),
    N_("Display name in Traditional Chinese."),
    N_("Display name in Simplified Chinese."),
    N_("Codes of the owning organisations, main owner first, separated by ;."),
    N_("Languages the account posts in, separated by ;."),
    N_("The registry's tags, separated by ;."),
    N_("The public record that shows the account is official."),
    N_("What that record says."),
    N_("The date of that record."),
    N_("When the registry last checked the account."),
    N_("When the account was first seen."),
    N_("When the account was last seen."),
    N_("When the account was archived, if it was."),
    N_("Why it was archived."),
    N_("Code of the government."),
    N_("The metric's name, as on the How we measure page."),
    N_("account, organisation, platform or government."),
    N_("Account id, organisation code, platform key or jurisdiction code."),
    N_("day, week, month or year."),
    N_("The calendar period, e.g. 2026-10 or 2026-W40, in the local time zone."),
    N_("The number; empty where it is undefined (e.g. a division by zero)."),
    N_("The numbers the value was computed from, as a JSON object."),
    N_("Digest of the parameter set the value was computed with."),
    N_("When the value was computed (UTC)."),
    N_("The post's id in this directory."),
    N_("The id of the account that published it (see accounts)."),
    N_("The platform's own id for the post."),
    N_("When it was published (UTC)."),
    N_("text, photo, video, link, ..."),
    N_("The post's text, with personal data such as phone numbers removed."),
    N_("The post on its platform."),
    N_("When the counts below were read (UTC)."),
    N_("Likes, or all reactions where the platform has several."),
    N_("Comments, as the platform counts them."),
    N_("Shares or reposts."),
    N_("Views, where the platform gives them."),
    N_("Reactions by type, as a JSON object, where the platform has types."),
    N_("true for invented demo data, not real activity."),
    N_("What the source says beyond these columns, as a JSON object (see the API)."),
    N_(
        "The account's followers when it published the post, as the metrics take them: the count the "
        "source gave, else the account's latest count taken at most 7 days before; empty where unknown."
    ),
)


@dataclass(frozen=True)
class FileLink:
    """One file of a dataset: its format's label, its address and its media type."""

    label: str
    url: str
    media_type: str


@dataclass(frozen=True)
class DatasetView:
    """A dataset as the page shows it (the template translates title and descriptions)."""

    name: str
    title: str
    description: str
    count: int
    columns: tuple[Column, ...]
    files: tuple[FileLink, ...]


@router.get("/{lang}/open-data", response_class=HTMLResponse, include_in_schema=False)
def open_data_page(
    request: Request, lang: LangDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """Every open dataset with its columns, row count and download links, the terms, and the API."""
    scope = scope_of(session, settings, None)
    datasets = [
        DatasetView(
            name=d.name,
            title=TITLES[d.name],
            description=d.description,
            count=d.count(session, scope),
            columns=d.columns,
            files=tuple(FileLink(FORMAT_LABELS[f], file_url(d.name, f), m) for f, m in MEDIA_TYPES.items()),
        )
        for d in DATASETS.values()
    ]
    return render(
        request, lang, "open_data.html", section="open-data",
        datasets=datasets, kinds=KIND_LABELS, prefix=PREFIX, sample=has_sample(session, scope.jurisdiction),
        params=scope.params,
    )  # fmt: skip
