"""Text folding and the lexicon: Cantonese negation and its reach, intensifiers, emoji, English."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from govsocial.analyze.sentiment.lexicon import Lexicon, lexicon_counts, lexicon_features, read_lexicon
from govsocial.analyze.sentiment.text import base_table, fold_table, opencc_script_fold, tokens


@lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    return fold_table(opencc_script_fold())


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return Lexicon.build(read_lexicon(), _table())


def counts(text: str) -> dict[str, int]:
    return dict(lexicon_counts(tokens(text, _table()), _lexicon()))


def test_traditional_and_simplified_fold_to_one_form() -> None:
    assert tokens("發展唔錯", _table()) == tokens("发展唔错", _table())


def test_width_case_digits_repeats_and_emoji_modifiers_fold() -> None:
    table = base_table()
    assert tokens("ＧＯＯＤ！！！！ $92.5", table) == ["<s>", "good", "!", "!", "$", "00", ".", "0", "</s>"]
    assert tokens("哈哈哈哈哈\n好", table) == ["<s>", "哈", "哈", ".", "好", "</s>"]
    assert tokens("👍🏻❤️", table) == ["<s>", "👍", "❤", "</s>"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("呢個服務好好", {"pos": 1}),
        ("呢個服務唔好", {"npos": 1}),  # 唔 negates 好
        ("有用", {"pos": 1}),
        ("冇用", {"neg": 1}),  # 冇用 is its own (bad) term, not 冇 + 用
        ("唔係幾好", {"npos": 1}),  # negation reaches over the intensifier 幾
        ("冇問題", {"nneg": 1}),  # no problem: a negated bad word
        ("唔錯", {"nneg": 1}),
        ("唔該晒", {"pos": 1}),  # thanks: the longest term wins over 唔 + 該
        ("唔會唔支持", {"pos": 1}),  # a second negator cancels the first
        ("唔去，好開心", {"pos": 1, "ipos": 1}),  # a clause break ends the negation's reach
        ("唔知點解會咁開心", {"ask": 1, "pos": 1, "ipos": 1}),  # too far for 唔 to reach 開心
        ("好差", {"neg": 1, "ineg": 1}),  # 好 before a sentiment word intensifies it
        ("not very helpful", {"npos": 1, "ipos": 1}),
        ("Thanks, really useful", {"pos": 2, "ipos": 1}),
        ("食物唔錯但係服務好差", {"nneg": 1, "neg": 1, "ineg": 1, "bneg": 1}),
        ("好唔滿意", {"npos": 1, "ipos": 1}),  # 好 before a negator is "very", not praise
        ("好冇用", {"neg": 1, "ineg": 1}),
        ("冇鬼用", {"neg": 1}),  # a colloquial bad term wins over the negator 冇
    ],
)
def test_negation_scope_and_intensifiers(text: str, expected: dict[str, int]) -> None:
    assert counts(text) == expected


def test_sarcasm_cues_are_features_not_verdicts() -> None:
    found = lexicon_features(tokens("好嘢，又加價😂", _table()), _lexicon())
    assert {"\tpos", "\tneg", "\tlaugh", "\tagain", "\tmixed", "\tmock"} <= set(found)


def test_praise_in_scare_quotes_is_a_mockery_cue() -> None:
    quoted = lexicon_features(tokens("多謝晒你哋咁「用心」", _table()), _lexicon())
    plain = lexicon_features(tokens("多謝晒你哋咁用心", _table()), _lexicon())
    assert "\tqpos" in quoted and "\tmock" in quoted
    assert "\tqpos" not in plain and "\tmock" not in plain


def test_a_question_without_a_verdict_is_a_query() -> None:
    assert "\tquery" in lexicon_features(tokens("請問星期日幾點開門？", _table()), _lexicon())
    assert "\tquery" not in lexicon_features(tokens("點解咁差？", _table()), _lexicon())
    assert "\tquery" not in lexicon_features(tokens("星期日開門", _table()), _lexicon())


@pytest.mark.parametrize(
    ("term", "kind"),
    [
        ("咩料", "neg"),
        ("頂唔順", "neg"),
        ("踢皮球", "neg"),
        ("hea做", "neg"),
        ("smh", "neg"),
        ("辛苦你哋", "pos"),
        ("kudos", "pos"),
        ("同問", "ask"),
        ("🙃", "laugh"),
        ("依然", "again"),
    ],
)
def test_colloquial_terms(term: str, kind: str) -> None:
    assert counts(term) == {kind: 1}


@pytest.mark.parametrize(
    ("emoji", "kind"), [("👍", "pos"), ("😡", "neg"), ("😂", "laugh"), ("🤣", "laugh"), ("🤡", "neg")]
)
def test_emoji_kinds(emoji: str, kind: str) -> None:
    assert counts(f"今日{emoji}") == {kind: 1}


def test_every_lexicon_line_has_a_known_kind(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.tsv"
    path.write_text("# comment\n好\tpos\n壞\tterrible\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexicon\.tsv:3: unknown kind 'terrible'"):
        read_lexicon(path)
