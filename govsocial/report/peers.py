"""Where an organisation stands among all organisations of its jurisdiction, on the leaderboards' measures.

The measures, the ranks and which direction is better are the leaderboards' own
(``store.rankings``: ``LEADERBOARD_METRICS``, competition ranks, ``LOWER_IS_BETTER``), read for the
report's period kind and period. Organisations without a value are not ranked (no data is not a bad
score), and neither are those whose value is too small a sample (``rankings.SAMPLES``), so ``count``
is how many had one large enough. The median is that of the ranked organisations' values
(the mean of the two middle ones when their number is even); the best is the first rank's value.
"""

from __future__ import annotations

import dataclasses
import statistics

from sqlalchemy.orm import Session

from govsocial.analyze.metrics.model import Metric, registry
from govsocial.report.periods import Period
from govsocial.store import rankings

#: More organisations than any jurisdiction has: one page holds the whole board.
BOARD_LIMIT = 100_000


@dataclasses.dataclass(frozen=True)
class PeerRow:
    """One measure: the organisation's value and rank of ``count``, the median and the best value."""

    metric: Metric
    value: float | None
    rank: int | None
    count: int
    median: float | None
    best: float | None

    @property
    def lower_is_better(self) -> bool:
        """Whether a smaller value is the better one (the leaderboards' single definition)."""
        return rankings.lower_is_better(self.metric.name)


def peer_row(session: Session, board: rankings.Board, code: str) -> PeerRow:
    """The organisation ``code``'s place on ``board``: its value even when too small a sample to
    rank (``rank`` None); the count, median and best are the ranked organisations' only."""
    listed = rankings.ranking(session, board, limit=BOARD_LIMIT).items
    mine = next((r for r in listed if r.entity == code), None)
    ranked = [r for r in listed if r.rank is not None]
    values = [r.value for r in ranked]
    return PeerRow(
        registry()[board.metric],
        None if mine is None else mine.value,
        None if mine is None else mine.rank,
        len(ranked),
        statistics.median(values) if values else None,
        ranked[0].value if ranked else None,
    )


def peers(session: Session, jurisdiction: str, params: str, code: str, period: Period) -> list[PeerRow]:
    """The organisation's place on each leaderboard measure in ``period`` (none has it: left out)."""
    rows = []
    for metric in rankings.LEADERBOARD_METRICS:
        board = rankings.Board(jurisdiction, params, metric, "organisation", period.kind, period.label)
        row = peer_row(session, board, code)
        if row.count or row.value is not None:  # its own value, even unranked, is worth reading
            rows.append(row)
    return rows
