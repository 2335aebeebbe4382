"""The blocks several metrics of a scorecard share, computed once before the query on engines that
would otherwise compute them once per reader.

Metrics share building blocks (``sums.post_sums``: the posts' sums per entity and period, read by
about thirty metrics; ``purpose.summary``; engagement's days...). Ibis writes a block used several
times as one common table expression, and DuckDB computes such an expression once. Spark does not:
it plans each reference to it again, so the scorecard's one query scanned the frames about a
thousand times. On those engines (``engines.SEPARATE_BLOCKS``) the scorecard has the shared blocks
computed first, each into a table of its own (Spark caches them), and the query reads those
tables: the same expressions, so the same numbers (docs/performance.md, "Spark").

A block here is a group-by (``ops.Aggregate``) that two or more metrics' expressions contain, and
that no other such group-by contains: the blocks inside it are computed with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import ibis.expr.operations as ops

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend


@dataclass(frozen=True)
class Separated:
    """Expressions that read their shared blocks from tables, and those tables' contents."""

    exprs: tuple[ir.Table, ...]
    blocks: tuple[tuple[str, str], ...]  # (table name, SQL in the engine's dialect), to compute first


def shared(exprs: Sequence[ir.Table]) -> list[ops.Aggregate]:
    """The group-bys that two or more of ``exprs`` contain and that no other such group-by contains,
    in the order they are first met."""
    uses: Counter[ops.Aggregate] = Counter()
    for expr in exprs:
        uses.update(list(dict.fromkeys(expr.op().find(ops.Aggregate, ordered=True))))
    common = [node for node, count in uses.items() if count >= 2]
    inner = {
        part for node in common for part in node.find(ops.Aggregate) if part is not node and uses[part] >= 2
    }
    return [node for node in common if node not in inner]


def separate(con: BaseBackend, exprs: Sequence[ir.Table], prefix: str) -> Separated:
    """``exprs`` with each shared block (``shared``) replaced by a table named ``{prefix}{n}``,
    and each block's SQL for ``con``. The tables carry the blocks' Ibis schemas, so the rest of
    each expression compiles as before."""
    mapping: dict[ops.Node, ops.Node] = {}
    blocks = []
    for number, node in enumerate(shared(exprs)):
        name = f"{prefix}{number}"
        blocks.append((name, str(con.compile(node.to_expr()))))
        mapping[node] = ibis.table(node.schema, name=name).op()
    replaced = tuple(expr.op().replace(mapping).to_expr() for expr in exprs) if mapping else tuple(exprs)
    return Separated(replaced, tuple(blocks))
