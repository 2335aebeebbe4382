"""Press release -> first social post on the same subject: similarity, time window, the sweep."""

from __future__ import annotations

import random

import pytest

from govsocial.analyze import matching as m

H = 3600
RELEASE = "天文台發出八號烈風或暴風信號，市民應留在安全地方，遠離海旁。"
RETOLD = "【八號烈風或暴風信號】天文台發出八號信號，請市民留在安全地方，遠離海旁！"
UNRELATED = "康文署將於下星期舉行社區音樂會，歡迎市民免費入場。"


def release(i: int, ts: int, text: str = RELEASE) -> m.Item:
    return m.Item(i, 100, ts, text)


def post(i: int, ts: int, text: str, account: int = 1) -> m.Item:
    return m.Item(i, account, ts, text)


def test_chinese_is_cut_into_character_bigrams_and_english_into_words() -> None:
    assert m.tokens("天文台") == {"天文", "文台"}
    assert m.tokens("The Observatory, the SIGNAL") == {"observatory", "signal"}  # no function words
    assert m.tokens("八號 No.8") == {"八號", "no", "8"}
    assert m.tokens("https://www.info.gov.hk/x 天文台") == {"天文", "文台"}  # links say nothing of a subject
    assert m.tokens(None) == frozenset()


def test_similarity_is_the_cosine_of_token_sets() -> None:
    assert m.similarity("天文台", "天文台") == pytest.approx(1.0)
    assert m.similarity("天文台", "天文") == pytest.approx(1 / 2**0.5)  # {天文} of {天文, 文台}
    assert m.similarity(RELEASE, RETOLD) >= 0.3
    assert m.similarity(RELEASE, UNRELATED) < 0.3
    assert m.similarity("", RELEASE) == 0.0


def test_the_first_similar_post_in_the_window_is_the_match() -> None:
    found = m.match(
        [release(1, 10 * H)],
        [
            post(2, 9 * H, RETOLD),  # before the release: not a retelling
            post(3, 11 * H, UNRELATED),  # first after it, but another subject
            post(4, 13 * H, RETOLD, account=7),  # the match
            post(5, 14 * H, RETOLD),  # later
        ],
        max_hours=72,
        threshold=0.3,
    )
    assert [(f.release_post_id, f.post_id, f.account_id, f.delay_s, f.ts) for f in found] == [
        (1, 4, 7, 3 * H, 13 * H)
    ]
    assert found[0].similarity == pytest.approx(m.similarity(RELEASE, RETOLD), abs=1e-6)


def test_a_post_after_the_window_or_below_the_threshold_is_no_match() -> None:
    assert m.match([release(1, 0)], [post(2, 73 * H, RETOLD)], max_hours=72, threshold=0.3) == []
    assert m.match([release(1, 0)], [post(2, H, RETOLD)], max_hours=72, threshold=0.99) == []
    assert m.match([], [post(2, H, RETOLD)], 72, 0.3) == [] and m.match([release(1, 0)], [], 72, 0.3) == []


def test_one_post_may_retell_several_releases() -> None:
    found = m.match([release(1, 0), release(2, H)], [post(3, 2 * H, RETOLD)], 72, 0.3)
    assert [(f.release_post_id, f.post_id, f.delay_s) for f in found] == [(1, 3, 2 * H), (2, 3, H)]


def _brute_force(
    releases: list[m.Item], posts: list[m.Item], hours: float, threshold: float
) -> list[m.Match]:
    """The definition, without the index: every post of every window, in time order."""
    found = []
    for r in sorted(releases, key=lambda x: (x.ts, x.post_id)):
        for p in sorted(posts, key=lambda x: (x.ts, x.post_id)):
            if r.ts <= p.ts <= r.ts + hours * H and m.similarity(r.text, p.text) >= threshold:
                found.append((r.post_id, p.post_id))
                break
    return found


@pytest.mark.parametrize("threshold", [0.2, 0.3, 0.5])
def test_the_sweep_finds_what_comparing_every_pair_finds(threshold: float) -> None:
    rng = random.Random(4)
    words = [RELEASE, RETOLD, UNRELATED, "政府公布最新防疫措施", "入境處延長辦公時間", "天文台預測明日有雨"]
    posts = [
        post(i, rng.randrange(0, 200 * H), "".join(rng.sample(words, 2))[: rng.randrange(10, 60)])
        for i in range(300)
    ]
    releases = [m.Item(1000 + i, 100, rng.randrange(0, 200 * H), rng.choice(words)) for i in range(60)]
    found = [(f.release_post_id, f.post_id) for f in m.match(releases, posts, 24, threshold)]
    assert found == _brute_force(releases, posts, 24, threshold)
    assert found  # the data has matches: the comparison is not vacuous


def test_matches_become_the_matches_frame_with_the_posts_calendar() -> None:
    found = [m.Match(1, 100, 4, 7, 1_790_805_600, 3 * H, 0.5)]  # 2026-10-01 06:00 HK
    table = m.to_frame(found, "Asia/Hong_Kong")
    row = table.to_pylist()[0]
    assert (row["release_post_id"], row["post_id"], row["delay_s"], row["day"]) == (1, 4, 3 * H, "2026-10-01")
    assert m.to_frame([], "Asia/Hong_Kong").num_rows == 0
