"""The API's checks of its query parameters: one helper per kind of value, called by every endpoint
that takes it, so that a value the API cannot use is refused the same way everywhere (docs/api.md,
"Conventions"):

- a well-formed value that names nothing (a jurisdiction, organisation, platform, account, entity
  or parameter digest that is not in the store) is a **404**;
- an ill-formed one (a period label that is not one, or not of its kind; an account entity that is
  not an id) is a **422**.

Either way the answer is ``{"detail": "<parameter>: <reason>"}``, naming the parameter and the value.
FastAPI's own 422 (an unknown enum value, a number out of range) lists the parameters instead.

Whatever a request names is looked up in the jurisdiction in force (the one asked, or the configured
one): an organisation, an account or an entity of another jurisdiction is a 404 too.

An omitted value is never checked: the defaults (the configured jurisdiction, the configured metric
parameters, ``analyze.metrics.params.configured``) answer with empty data on a store without them,
as they always have. An empty one is omitted: ``web.inputs`` drops it from the query string before
any route reads it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Any

from fastapi import HTTPException
from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import Level
from govsocial.analyze.metrics.params import DIGEST_SHAPE, configured
from govsocial.errors import NotFoundError
from govsocial.settings import Settings
from govsocial.store import metric_queries as mq
from govsocial.store import queries
from govsocial.store import tables as t
from govsocial.web.schemas import ErrorBody, InvalidBody

#: Examples of each period kind's label, for the messages.
LABEL_EXAMPLES = {"day": "2026-10-01", "week": "2026-W40", "month": "2026-10", "year": "2026"}


class MetricPeriodKind(enum.StrEnum):
    """Calendar periods of the stored metric values (the analysis' ``PeriodKind``, under a name of its
    own in the OpenAPI document, where the topics' periods are another enum)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


#: The query parameter's description: day exists, but only where an operator stored it.
PERIOD_KIND_HELP = (
    "day, week, month or year. Days are stored only where the operator ran "
    "`govsocial metrics refresh --period-kind day`; the default refresh stores week, month and year."
)


def not_found(parameter: str, reason: str) -> NotFoundError:
    """The 404 of a value that names nothing."""
    return NotFoundError(f"{parameter}: {reason}")


def invalid(parameter: str, reason: str) -> HTTPException:
    """The 422 of an ill-formed value."""
    return HTTPException(422, f"{parameter}: {reason}")


def responses(not_found_means: str, invalid_means: str | None = None) -> dict[int | str, dict[str, Any]]:
    """The error answers to document for an endpoint that uses these checks (every status it can
    give must be in the OpenAPI document: tests/web/test_api_contract.py)."""
    out: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": not_found_means}}
    out[422] = {"model": InvalidBody, "description": invalid_means or "An invalid parameter."}
    return out


# --- what the store names --------------------------------------------------------------------------


def jurisdiction(session: Session, settings: Settings, given: str | None) -> str:
    """The jurisdiction asked for (it must be in the registry), or the configured one."""
    if not given:
        return settings.jurisdiction
    if session.get(t.Jurisdiction, given) is None:
        raise not_found("jurisdiction", f"no jurisdiction {given!r} in the registry")
    return given


def organisation(session: Session, code: str, given: str | None) -> str | None:
    """An organisation code of jurisdiction ``code``, or None when none was asked."""
    return organisation_row(session, code, given).code if given else None


def organisation_row(session: Session, code: str, given: str) -> t.Organisation:
    """The organisation with code ``given`` in jurisdiction ``code``, which must be there."""
    try:
        return queries.get_organisation(session, code, given)
    except NotFoundError:
        raise not_found("organisation", f"no organisation {given!r} in jurisdiction {code!r}") from None


def platform(session: Session, given: str | None) -> str | None:
    """A platform key of the catalogue, or None when none was asked."""
    if not given:
        return None
    if session.get(t.Platform, given) is None:
        raise not_found("platform", f"no platform {given!r}; the list is at /api/v1/platforms")
    return given


def account(session: Session, code: str, given: int | None) -> int | None:
    """An account id of jurisdiction ``code`` in the registry, or None when none was asked."""
    if given is None:
        return None
    row = session.get(t.Account, given)
    if row is None:
        raise not_found("account", f"no account {given}")
    if row.jurisdiction != code:
        raise not_found(
            "account", f"no account {given} in jurisdiction {code!r} (it is in {row.jurisdiction!r})"
        )
    return given


def entity(session: Session, code: str, level: Level | None, given: str) -> str:
    """An entity of jurisdiction ``code``'s metric values (at ``level``, or at any level), as the
    values key it.

    An account is keyed by its id: at the account level anything but an id is a 422, and leading
    zeros are dropped ("007" is account 7), at any level (``mq.entity_key``).
    """
    if level is Level.ACCOUNT and queries.parse_id(given) is None:
        raise invalid("entity", f"{given!r} is not an account id (a number from 1 to {queries.MAX_ID})")
    key = mq.entity_key(session, level and str(level), given, code)
    if key is None:
        where = f"in jurisdiction {code!r} (neither in the registry nor in the stored metrics)"
        raise not_found("entity", f"no {level or 'entity'} {given!r} {where}")
    return key


def params(session: Session, settings: Settings, code: str, given: str | None) -> str:
    """The parameter digest asked for, in either case (values of ``code`` must have been computed
    under it), or the digest of the configured parameters (the ``metric_params`` setting over the
    documented defaults), which the refresh stores values under. Digests are written in lower case."""
    default = configured(settings).digest()
    if not given:
        return default
    if not DIGEST_SHAPE.fullmatch(given):
        raise invalid("params", f"{given!r} is not a parameter digest (12 hexadecimal digits)")
    digest = given.lower()
    if digest != default and not mq.has_params(session, code, digest):
        raise not_found("params", f"no values of jurisdiction {code!r} computed with parameters {given!r}")
    return digest


# --- period labels ---------------------------------------------------------------------------------


def period_kind(
    kind: MetricPeriodKind | None, labels: Sequence[tuple[str, str | None]], default: str | None = None
) -> str | None:
    """The period kind of a request, with its labels (``(parameter, label)``; None: not given) checked.

    Every label must be the label of a calendar period (``2026-13`` is not) and of ``kind`` when it
    is given. Without ``kind``, the labels say it (their shapes differ: ``2026-10-01``, ``2026-W40``,
    ``2026-10``, ``2026``), so ``from=2026-01`` compares months with months; labels of two kinds
    are a 422. With neither, ``default``.
    """
    wanted = str(kind) if kind is not None else None
    for parameter, label in labels:
        if label is None:
            continue
        found = mq.label_kind(label)
        if found is None:
            examples = ", ".join(LABEL_EXAMPLES.values())
            raise invalid(parameter, f"{label!r} is not a period label (such as {examples})")
        if wanted is None:
            wanted = found
        elif found != wanted:
            given = "period_kind is" if kind is not None else "the other labels are"
            raise invalid(parameter, f"{label!r} is a {found} label, but {given} {wanted}")
    return wanted or default


def post_window(since: dt.date | None, until: dt.date | None) -> queries.PostWindow:
    """The posts created from ``since`` to ``until`` (days of the jurisdiction's calendar, both
    included); a 422 when ``since`` comes after ``until``, whose empty answer would read as "no
    posts"."""
    if since is not None and until is not None and since > until:
        raise invalid("since", f"{since} comes after until {until}: since is the first day, until the last")
    return queries.PostWindow(since, until)


def period_range(since: str | None, until: str | None) -> None:
    """A 422 when ``from`` comes after ``to``: such a range holds no period, and its empty answer
    would read as "no values stored" rather than as the swapped bounds it is. Call it after
    :func:`period_kind`, which makes the labels of one kind, whose text order is their time order."""
    if since is not None and until is not None and since > until:
        raise invalid("from", f"{since!r} comes after to {until!r}: from is the first period, to the last")
