"""The citizen survey's results: means with 95 % confidence intervals, shares and counts, by age band,
beside the study's 2020 baseline (``data/survey/baseline_2020.toml``) where it applies: the study
asked young people in Hong Kong, so only Hong Kong's survey is compared with it (``baseline_for``).

The interval of a mean is Student's t: mean ± t(0.975, n-1) · s / √n, with s the sample standard
deviation (n-1 in the denominator). The t quantile comes from a table (``T_975``); between two
tabulated degrees of freedom the smaller one is used, which widens the interval slightly (never
narrows it), and from 1,000 on the normal 1.96. With one answer there is no interval. Shares are
of the people who answered that question, with the Wilson score interval (better than the normal
approximation for small n and for shares near 0 or 100 %).

What is published is k-anonymous (``release``, k = ``MIN_GROUP``): a response's month, age band and
district together could single a respondent out, so where fewer than k responses share them the
export generalises them (district, then age band, then the month to its year, then everything) until
every published combination is shared by at least k rows. The results are computed from exactly
those rows and their published age bands, so no figure can be subtracted from the export to undo a
generalisation (docs/survey.md, "Anonymous by design").

What is sent is published in batches (``release_due``): the store keeps a sent version waiting
until at least ``MIN_GROUP`` responses have one, then releases them together and records the
release with its figures (``store.survey``). Comparing the results before and after one person
answers then shows nothing, and comparing two releases shows a batch of at least ``MIN_GROUP``.
Whether a release is due can be asked without writing (``due_release``), as a reader of a read-only
store must.

Responses are counted by district (``district_counts``, ``by_district``) as the export publishes
them: the released rows by their published district, a district left out counted as left out, so
the counts follow from the export and undo none of its generalisations. The districts are the
jurisdiction's (``store.districts_of``, from its registry folder's ``districts.csv``); a stored code
the list no longer has is counted under that code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from govsocial.settings import PROJECT_ROOT
from govsocial.store import queries
from govsocial.store import survey as store
from govsocial.store import tables as t

_DATA_CANDIDATES = (
    PROJECT_ROOT / "data" / "survey",
    Path(__file__).resolve().parents[1] / "_bundled" / "survey",
)
BASELINE_FILE = "baseline_2020.toml"
# A table, laid out by hand: the formatter would give each pair a line of its own.
# fmt: off
#: t(0.975, df): two-sided 95 % critical values of Student's t for the tabulated degrees of freedom.
T_975 = (
    (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (6, 2.447), (7, 2.365), (8, 2.306),
    (9, 2.262), (10, 2.228), (11, 2.201), (12, 2.179), (13, 2.160), (14, 2.145), (15, 2.131),
    (16, 2.120), (17, 2.110), (18, 2.101), (19, 2.093), (20, 2.086), (21, 2.080), (22, 2.074),
    (23, 2.069), (24, 2.064), (25, 2.060), (26, 2.056), (27, 2.052), (28, 2.048), (29, 2.045),
    (30, 2.042), (40, 2.021), (50, 2.009), (60, 2.000), (80, 1.990), (100, 1.984), (120, 1.980),
    (200, 1.972), (500, 1.965), (1000, 1.962),
)
# fmt: on
Z_975 = 1.96
#: The age band key for everyone, whether or not they gave a band.
EVERYONE = "all"


def t_975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (conservative between rows)."""
    if df < 1:
        raise ValueError("a t quantile needs at least one degree of freedom")
    if df > T_975[-1][0]:
        return Z_975
    return next(value for top, value in reversed(T_975) if top <= df)


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95 % interval (``None`` below two answers) and how many answered."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


def mean_ci(values: Sequence[float]) -> Estimate:
    """The mean of ``values`` with Student's t 95 % interval."""
    n = len(values)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(mean, None, None, 1)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_975(n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def share_ci(hits: int, n: int) -> Estimate:
    """A share in per cent with the Wilson score 95 % interval."""
    if n == 0:
        return Estimate(None, None, None, 0)
    p = hits / n
    centre = (p + Z_975**2 / (2 * n)) / (1 + Z_975**2 / n)
    half = Z_975 * math.sqrt(p * (1 - p) / n + Z_975**2 / (4 * n * n)) / (1 + Z_975**2 / n)
    return Estimate(100 * p, 100 * max(0.0, centre - half), 100 * min(1.0, centre + half), n)


@dataclass(frozen=True)
class Baseline:
    """The study's 2020 figures: rating means and counts, and shares in per cent."""

    source: dict[str, Any]
    ratings: dict[str, tuple[float, int]]
    shares: dict[str, dict[str, float]]


@lru_cache(maxsize=1)
def baseline() -> Baseline:
    """The 2020 baseline, read once from ``data/survey`` (or the copy bundled into the wheel)."""
    folder = next((p for p in _DATA_CANDIDATES if (p / BASELINE_FILE).is_file()), _DATA_CANDIDATES[0])
    data = tomllib.loads((folder / BASELINE_FILE).read_text(encoding="utf-8"))
    ratings = {k: (float(v["mean"]), int(v["n"])) for k, v in data["ratings"].items()}
    shares = {
        section: {k: float(v) for k, v in data[section].items() if k != "n"}
        for section in ("channels", "reactions", "expectation", "consideration")
    }
    return Baseline(data["source"], ratings, shares)


#: The jurisdiction the 2020 study describes (1,028 people aged 15-34 in Hong Kong): its figures are a
#: baseline for that jurisdiction's survey only. Another government's citizens are not Hong Kong's
#: young people, so their results are shown without it.
BASELINE_JURISDICTION = "hk"


def baseline_for(jurisdiction: str) -> Baseline | None:
    """The 2020 baseline when the survey of ``jurisdiction`` (the portal's) is compared with it: only
    Hong Kong's (``BASELINE_JURISDICTION``); None for any other."""
    return baseline() if jurisdiction == BASELINE_JURISDICTION else None


@dataclass(frozen=True)
class Results:
    """The survey's results for one group of respondents (everyone, or one age band)."""

    respondents: int
    ratings: dict[str, Estimate]
    #: Shares in per cent of those who answered the question: channels, reactions ("often or
    #: sometimes"), expectation, consideration.
    shares: dict[str, dict[str, Estimate]] = field(default_factory=dict)


def summarise(rows: Iterable[t.SurveyResponse]) -> Results:
    """Means, intervals and shares of ``rows``."""
    rows = list(rows)
    ratings = {
        name: mean_ci([float(v) for r in rows if (v := getattr(r, name)) is not None])
        for name in store.RATINGS
    }
    with_channels = [r for r in rows if r.channels]
    channels = {
        c: share_ci(sum(c in r.channels for r in with_channels), len(with_channels)) for c in store.CHANNELS
    }
    reactions = {}
    for kind in store.REACTIONS:
        answered = [r.reactions[kind] for r in rows if r.reactions.get(kind, "dont_know") != "dont_know"]
        reactions[kind] = share_ci(sum(a in store.ACTIVE_FREQUENCIES for a in answered), len(answered))
    return Results(
        len(rows),
        ratings,
        {
            "channels": channels,
            "reactions": reactions,
            "expectation": _single([r.expectation for r in rows], store.EXPECTATIONS),
            "consideration": _single([r.consideration for r in rows], store.CONSIDERATIONS),
        },
    )


def _single(answers: list[str | None], choices: tuple[str, ...]) -> dict[str, Estimate]:
    given = [a for a in answers if a is not None]
    return {c: share_ci(given.count(c), len(given)) for c in choices}


# --- Publishing without singling anyone out (k-anonymity) ---------------------------------------

#: k: every combination of month, age band and district the export publishes is shared by at least
#: this many rows, and every published group (everyone, an age band) has at least this many
#: responses. Five is common practice (statistics offices' threshold rules use 3 to 10). A constant,
#: not a setting: it is the guarantee docs/survey.md makes, the same in every deployment.
MIN_GROUP = 5
#: What an export cell says when its value was left out to protect a respondent (ARX's mark). An
#: empty cell keeps its meaning, "not answered".
SUPPRESSED = "*"

#: A response's month (YYYY-MM), age band and district: what, together, could single someone out.
#: The answers are not among them: they are what is protected, and nobody outside can observe them.
QuasiIdentifiers = tuple[str, str | None, str | None]


def quasi_identifiers(row: t.SurveyResponse) -> QuasiIdentifiers:
    """The month, age band and district of a response, as the export would show them unprotected."""
    return row.submitted_on.strftime("%Y-%m"), row.age_band, row.district


def _keep(q: QuasiIdentifiers) -> QuasiIdentifiers:
    return q


def _no_district(q: QuasiIdentifiers) -> QuasiIdentifiers:
    return q[0], q[1], SUPPRESSED


def _no_band(q: QuasiIdentifiers) -> QuasiIdentifiers:
    return q[0], SUPPRESSED, SUPPRESSED


def _year(q: QuasiIdentifiers) -> QuasiIdentifiers:
    return q[0][:4], SUPPRESSED, SUPPRESSED


def _nothing(q: QuasiIdentifiers) -> QuasiIdentifiers:
    return SUPPRESSED, SUPPRESSED, SUPPRESSED


#: The generalisation hierarchy, least lost first. District goes first (18 values, the finest);
#: then the age band before the month, because the published reports' figures up to the end of each
#: week and month give away when responses were sent, so a month shortened to its year could be
#: worked out again, and the band with it; a band left out cannot.
LEVELS: tuple[Callable[[QuasiIdentifiers], QuasiIdentifiers], ...] = (
    _keep,
    _no_district,
    _no_band,
    _year,
    _nothing,
)


@dataclass(frozen=True)
class Published:
    """A response as the export publishes it: its month (``YYYY-MM``, ``YYYY`` or ``SUPPRESSED``), age
    band and district (a code, ``None`` for not answered, or ``SUPPRESSED``), and its answers."""

    month: str
    age_band: str | None
    district: str | None
    response: t.SurveyResponse


@dataclass(frozen=True)
class Release:
    """The responses as published, in the (random) order of their token hashes, and how many were
    withheld: all of them while there are fewer than ``MIN_GROUP``, none otherwise."""

    rows: list[Published]
    withheld: int


@dataclass
class _Class:
    """Responses published with the same quasi-identifiers, and how far those were generalised."""

    level: int
    members: list[t.SurveyResponse]


def release(responses: Iterable[t.SurveyResponse], k: int = MIN_GROUP) -> Release:
    """The responses with their month, age band and district generalised until every published
    combination is shared by at least ``k`` of them (suppressed cells counting as a value of their
    own); nothing is published while there are fewer than ``k`` responses in all."""
    rows = sorted(responses, key=lambda r: r.token_hash)
    if len(rows) < k:
        return Release([], len(rows))
    classes, leftover = _generalise(rows, k)
    if leftover:
        _top_up(classes, leftover, k)
    published = [Published(*key, r) for key, c in classes.items() for r in c.members]
    return Release(sorted(published, key=lambda p: p.response.token_hash), 0)


def _generalise(
    rows: list[t.SurveyResponse], k: int
) -> tuple[dict[QuasiIdentifiers, _Class], list[t.SurveyResponse]]:
    """Classes of at least ``k`` responses, each response at the first level of ``LEVELS`` where it
    has that company; and the responses that have it at none (fewer than ``k``)."""
    classes: dict[QuasiIdentifiers, _Class] = {}
    pending = rows
    for level, generalise in enumerate(LEVELS):
        groups: defaultdict[QuasiIdentifiers, list[t.SurveyResponse]] = defaultdict(list)
        for row in pending:
            groups[generalise(quasi_identifiers(row))].append(row)
        pending = []
        for key, members in groups.items():
            if len(members) >= k:
                classes[key] = _Class(level, members)
            else:
                pending.extend(members)
    return classes, pending


def _donor_order(row: t.SurveyResponse) -> str:
    return hashlib.sha256(row.token_hash.encode()).hexdigest()


def _top_up(classes: dict[QuasiIdentifiers, _Class], leftover: list[t.SurveyResponse], k: int) -> None:
    """Make the fewer than ``k`` responses left over, with nothing published, a class of ``k`` by
    moving others into it: rows a class can spare (it keeps ``k``), the most generalised first, or
    else the smallest class whole. Publishing every response keeps the results equal to the export."""
    need = k - len(leftover)
    donors = sorted(classes, key=lambda key: (-classes[key].level, -len(classes[key].members)))
    if sum(len(classes[key].members) - k for key in donors) >= need:
        for key in donors:
            take = min(need, len(classes[key].members) - k)
            if take > 0:
                # Which rows a class gives must not follow the export's order (the token hashes):
                # rows given from its end would all come after the class's last row there, and the
                # rows before that could then only be the ones protected. A second hash is another
                # random order, and the same one at every download.
                members = sorted(classes[key].members, key=_donor_order)
                leftover.extend(members[:take])
                classes[key].members = members[take:]
                need -= take
    else:
        smallest = min(classes, key=lambda key: (len(classes[key].members), -classes[key].level))
        leftover.extend(classes.pop(smallest).members)
    classes[_nothing(quasi_identifiers(leftover[0]))] = _Class(len(LEVELS) - 1, leftover)


def by_age_band(published: Release) -> dict[str, Results]:
    """Results for everyone (``EVERYONE``) and for each age band published for at least ``MIN_GROUP``
    responses: of the released rows only, by their published band, so that every figure follows from
    the export and none reveals a band the export left out (docs/survey.md)."""
    rows = [p.response for p in published.rows]
    groups = {EVERYONE: summarise(rows)}
    for band in store.AGE_BANDS:
        members = [p.response for p in published.rows if p.age_band == band]
        if len(members) >= MIN_GROUP:
            groups[band] = summarise(members)
    return groups


# --- By district ----------------------------------------------------------------------------------

#: A district count's key for the responses that gave no district.
NO_DISTRICT = ""


def district_counts(published: Release) -> dict[str, int]:
    """The released responses by their published district: a code, ``SUPPRESSED`` (left out so that
    no one is singled out) or ``NO_DISTRICT``; what a release records (``survey_releases.districts``)."""
    return dict(Counter(p.district or NO_DISTRICT for p in published.rows))


@dataclass(frozen=True)
class DistrictCount:
    """How many released responses show one district (``key``: its code), or left it out
    (``SUPPRESSED``) or gave none (``NO_DISTRICT``). ``district`` is the jurisdiction's district of
    that code: None for those two, and for a code the jurisdiction's list no longer has (a district
    removed from ``districts.csv`` after answers named it: they stay counted, under their code)."""

    key: str
    district: store.District | None
    respondents: int

    def label(self, locale: str) -> str:
        """The district's name in ``locale``; the code itself for a district no longer listed."""
        return self.district.name(locale) if self.district is not None else self.key


def by_district(counts: dict[str, int], districts: Sequence[store.District]) -> list[DistrictCount]:
    """Every district of the list in its order (those nobody gave too), then codes no longer listed
    (alphabetically), then the left-out and the not-given ones where there are any."""
    listed = {district.code for district in districts}
    rows = [DistrictCount(d.code, d, counts.get(d.code, 0)) for d in districts]
    unlisted = sorted(key for key in counts if key not in listed | {SUPPRESSED, NO_DISTRICT})
    rows += [DistrictCount(key, None, counts[key]) for key in unlisted]
    rows += [DistrictCount(key, None, counts[key]) for key in (SUPPRESSED, NO_DISTRICT) if counts.get(key)]
    return rows


def names_districts(rows: Sequence[DistrictCount]) -> bool:
    """Whether ``rows`` have a district at all (listed, or a code no longer listed): a jurisdiction
    without districts whose responses give none has only the left-out and not-given counts."""
    return any(row.key not in (SUPPRESSED, NO_DISTRICT) for row in rows)


# --- Released in batches ----------------------------------------------------------------------------


def due_release(session: Session) -> int | None:
    """How many waiting versions a release would publish now: 0 when it would only record the
    figures of what an upgrade found published (``release_due``); None when no release is due.

    Reads only (no lock, no locked read), so a reader may ask on a store it cannot write. The
    answer may be out of date by the time the caller acts on it: ``release_due`` asks it first and
    then decides again under the release lock."""
    waiting = store.waiting_count(session)
    if waiting >= MIN_GROUP:
        return waiting
    if store.latest_release(session) is None and store.released_count(session) >= MIN_GROUP:
        return 0  # release_due's record after an upgrade: ``release`` publishes k rows or none
    return None


def release_due(session: Session, jurisdiction: str, now: dt.datetime) -> t.SurveyRelease | None:
    """Release every waiting version when at least ``MIN_GROUP`` responses have one, and record the
    release with the six ratings as everyone can then read them; the release, or None when none
    is due. In the caller's transaction: when ``due_release`` finds one due, it takes the store's
    release lock, held to the transaction's end, and decides again under it, so two callers never
    both release one batch; calling it again at once does nothing. When none is due it only reads,
    so a reader of a read-only store can call it (a release due there fails with the store's error,
    ``store.refused_as_read_only``). ``jurisdiction`` is the one whose time zone gives the release's
    day (``made_on``).

    Reading before the lock misses no batch: a submitter writes its version holding the lock and
    calls this before it lets go, so the batch its version completes is found by that call.

    After an upgrade (migration 0015) the responses published before it have no recorded release:
    the first call records their figures, as a release of no new responses."""
    if due_release(session) is None:
        return None
    store.lock_releases(session)
    waiting = store.waiting(session)
    if len(waiting) >= MIN_GROUP:
        store.publish(session, waiting, now)
        changed = len(waiting)
    elif store.latest_release(session) is None:
        changed = 0  # nothing due, but what an upgrade found published may need its record
    else:
        return None
    published = release(store.responses(session))
    if not published.rows:  # fewer than MIN_GROUP published in all (only after an upgrade)
        return None
    everyone = summarise(p.response for p in published.rows)
    made_on = now.astimezone(queries.jurisdiction_zone(session, jurisdiction)).date()
    ratings = {name: asdict(e) for name, e in everyone.ratings.items()}
    districts = district_counts(published)
    return store.add_release(session, now, made_on, len(published.rows), changed, ratings, districts)


#: A rating a release has no figure for.
NO_ESTIMATE = Estimate(None, None, None, 0)


def release_ratings(made: t.SurveyRelease | None) -> dict[str, Estimate]:
    """The six ratings' estimates a release recorded; none before the first release."""
    recorded = made.ratings if made is not None else {}
    return {name: _estimate(recorded[name]) if name in recorded else NO_ESTIMATE for name in store.RATINGS}


def _estimate(figures: dict[str, float | int | None]) -> Estimate:
    mean, low, high, n = (figures.get(key) for key in ("mean", "low", "high", "n"))
    return Estimate(mean, low, high, int(n or 0))
