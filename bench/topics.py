"""Topics benchmark: segmentation throughput and topic-view latency on the demo database.

    make demo-data && .venv/bin/python -m bench.topics [--database sqlite:///var/demo.db] [--repeat 3]

Segmentation: every citizen comment text of the store (with its repeats; the demo has about
12,000) through govsocial's segmenter (fold, jieba with the Hong Kong dictionary, filters; no
per-text cache), against the baseline in the same run: jieba's global tokenizer with its default
dictionary (``jieba.lcut`` on the raw text, no folding or filtering). Best of ``--repeat`` runs,
after loading. View latency: ``topics()`` for the whole jurisdiction and for the busiest account,
week and month, cold (every cache emptied, texts segmented again) and warm (kept views).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from govsocial.analyze.topics import terms as tt
from govsocial.analyze.topics import view as tv
from govsocial.analyze.topics.segment import default_segmenter
from govsocial.store import tables as t


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default=os.environ.get("GOVSOCIAL_DATABASE_URL", "sqlite:///var/demo.db")
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine = create_engine(args.database)
    with Session(engine) as session:
        rows = session.execute(
            select(t.Comment.text).where(t.Comment.is_page_reply.is_(False), t.Comment.text.is_not(None))
        )
        texts = [text for (text,) in rows if text]
        busiest = session.execute(
            select(t.Post.account_id, func.count())
            .join(t.Comment, t.Comment.post_id == t.Post.id)
            .group_by(t.Post.account_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()[0]
        jurisdiction = session.scalars(select(t.Account.jurisdiction).where(t.Account.id == busiest)).one()
        result: dict[str, object] = {"comments": len(texts), "distinct_texts": len(set(texts))}

        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        segmenter = default_segmenter()
        ours = best(lambda: [segmenter.words(text) for text in texts], args.repeat)
        base = best(lambda: [jieba.lcut(text) for text in texts], args.repeat)
        result["segment_comments_per_second"] = round(len(texts) / ours)
        result["baseline_jieba_default_comments_per_second"] = round(len(texts) / base)

        views: dict[str, float] = {}
        subjects = {
            "jurisdiction": tv.resolve_subject(session, jurisdiction),
            "account": tv.resolve_subject(session, jurisdiction, account=busiest),
        }
        for name, subject in subjects.items():
            for kind in tv.PeriodKind:
                tv.clear_cache()
                tt._cached_terms.cache_clear()
                start = time.perf_counter()
                tv.topics(session, subject, kind)
                cold = time.perf_counter() - start
                warm = best(lambda s=subject, k=kind: tv.topics(session, s, k), args.repeat)  # type: ignore[misc]
                views[f"{name}_{kind}_cold_ms"] = round(cold * 1000, 1)
                views[f"{name}_{kind}_warm_ms"] = round(warm * 1000, 2)
        result["view"] = views
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
