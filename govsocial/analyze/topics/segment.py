"""Cantonese-aware word segmentation: a comment's words, as keys to count and as people wrote them.

Comments on Hong Kong government pages mix Cantonese (佢哋, 唔該, 咗), standard written Chinese,
English and emoji. jieba segments them with its bundled dictionary plus ``data/topics/hk_words.txt``
(Cantonese words and Hong Kong public-life terms: 公屋, 屯馬綫, 食環署 …). jieba's dictionary is
Simplified, so each comment is first folded to Simplified characters one character at a time
(OpenCC ``hk2s``): the fold keeps every offset, so each word is also cut out of the text as it was
written, and the Traditional and Simplified spellings of one word become one key.

:class:`Segmenter` owns a private ``jieba.Tokenizer`` (never jieba's global one, which other code
may configure), built once per process by :func:`default_segmenter`, with jieba's prefix cache in
a writable cache folder rather than inside the installed package, and with jieba's logging quiet.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from govsocial.settings import PROJECT_ROOT

#: Where the dictionary and word lists live: the checkout's ``data/topics``, else the copy bundled
#: into the wheel.
_DATA_CANDIDATES = (
    PROJECT_ROOT / "data" / "topics",
    Path(__file__).resolve().parents[2] / "_bundled" / "topics",
)

#: Web addresses, @mentions and #hashtag marks are removed before segmenting (a hashtag's words stay).
_NOISE = re.compile(r"https?://\S+|www\.\S+|@[\w.]+|#", re.IGNORECASE)
#: The marks that replaced personal data before the text was stored (``collect.privacy.redact``).
#: They are no words of the commenter's: "[PHONE]" must not count as the English word "phone".
_REDACTED = re.compile(r"\[(?:PHONE|EMAIL|HKID|ID|USER)\]")
_ASCII_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
_NUMBER = re.compile(r"[\d.,:/%\-+]+")
#: Counted amounts written in Chinese numerals (六年, 八個, 兩次, 幾日; folded): no topic of their own.
_CHINESE_AMOUNT = re.compile("[零一二三四五六七八九十百千万两几半]+[年个日天月次号点分钟岁元蚊位间条只架周]?")
#: Emoji variation selectors, joiners and skin tones: dropped so 👍🏻 and 👍 are one term.
_INVISIBLE = "\ufe0e\ufe0f\u200d\u200b\u200c" + "".join(chr(c) for c in range(0x1F3FB, 0x1F400))


def data_dir() -> Path:
    """The folder holding ``hk_words.txt``, ``stopwords.txt`` and ``single_chars.txt``."""
    for candidate in _DATA_CANDIDATES:
        if (candidate / "hk_words.txt").is_file():
            return candidate
    raise FileNotFoundError("data/topics/hk_words.txt is missing from this installation")


def cache_dir() -> Path:
    """A writable folder for jieba's prefix cache: ``$XDG_CACHE_HOME/govsocial``, else the temp folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (Path(base) / "govsocial", Path(tempfile.gettempdir()) / "govsocial"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    return Path(tempfile.gettempdir())


def read_list(path: Path) -> list[str]:
    """The lines of a word list without comments and blank lines."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def script_fold() -> dict[int, str]:
    """Traditional -> Simplified one character at a time, for every CJK ideograph (a ``str.translate``
    table). Character by character, so the folded text has the original's offsets."""
    import opencc

    chars = [chr(c) for c in range(0x4E00, 0xA000)] + [chr(c) for c in range(0x3400, 0x4DC0)]
    converted = str(opencc.OpenCC("hk2s").convert("\n".join(chars))).split("\n")
    table = {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}
    table.update({ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
    return table


def fold(text: str) -> str:
    """``text`` in Simplified characters and lower-case ASCII letters, same length and offsets."""
    return text.translate(script_fold())


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a Chinese character (unified ideographs and extension A)."""
    code = ord(char)
    return 0x4E00 <= code < 0xA000 or 0x3400 <= code < 0x4DC0


def is_emoji(char: str) -> bool:
    """Whether ``char`` is a pictograph (emoji blocks and the older symbol blocks they use)."""
    code = ord(char)
    return 0x1F000 <= code < 0x1FB00 or 0x2600 <= code < 0x27C0


@dataclass(frozen=True)
class Word:
    """A word of a comment: its ``key`` (Simplified, lower case: what is counted) and its ``surface``
    (as written: what is shown). ``single`` marks a lone Chinese character, which can join a phrase
    but is not a term by itself; ``emoji`` marks a pictograph, a term that joins no phrase."""

    key: str
    surface: str
    single: bool = False
    emoji: bool = False


class Segmenter:
    """jieba with the Hong Kong dictionary and the stopword lists; thread-safe after construction."""

    def __init__(self, folder: Path | None = None, cache: Path | None = None) -> None:
        import jieba

        folder = folder or data_dir()
        # jieba logs to stderr at DEBUG level from import; the command line and the portal stay quiet.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.tmp_dir = str(cache or cache_dir())
        self._tokenizer.cache_file = "govsocial-jieba.cache"
        self._lock = threading.Lock()
        with self._lock:
            self._tokenizer.initialize()
            for line in read_list(folder / "hk_words.txt"):
                self._add(line)
        self.stopwords = frozenset(fold(w).lower() for w in read_list(folder / "stopwords.txt"))
        self.single_chars = frozenset(fold(w) for w in read_list(folder / "single_chars.txt"))

    def _add(self, line: str) -> None:
        parts = line.split()
        word = fold(parts[0]).lower()
        freq = int(parts[1]) if len(parts) > 1 else None
        self._tokenizer.add_word(word, freq, parts[2] if len(parts) > 2 else None)

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        """jieba's tokens of the folded text: ``(token, start, end)``, every character included."""
        folded = fold(text)
        # jieba's tokenizer keeps state only while initialising; cutting is read-only.
        return [(word, start, end) for word, start, end in self._tokenizer.tokenize(folded, HMM=True)]

    def words(self, text: str) -> list[Word | None]:
        """The comment's words in order; ``None`` marks a break (punctuation, a number, a stopword),
        which a phrase never spans."""
        clean = clean_text(text)
        out: list[Word | None] = []
        for token, start, end in self.tokens(clean):
            if token.isspace():
                continue  # words of English are separated by spaces; only punctuation breaks a phrase
            out.append(self._word(token, clean[start:end]))
        return out

    def _word(self, key: str, surface: str) -> Word | None:
        if not key:
            return None
        if key.isascii():
            if not _ASCII_WORD.fullmatch(key) or key in self.stopwords or len(key) < 2:
                return None
            return Word(key, key)
        if key in self.stopwords:
            return None
        if len(key) == 1:
            if is_emoji(key):
                return Word(key, key, emoji=True)
            if is_cjk(key):
                return Word(key, surface, single=key not in self.single_chars)
            return None
        if _NUMBER.fullmatch(key) or _CHINESE_AMOUNT.fullmatch(key):
            return None
        if not any(is_cjk(c) or c.isalpha() for c in key):
            return None
        return Word(key, surface)


def clean_text(text: str) -> str:
    """Full-width forms to ASCII (NFKC), no redaction marks, web addresses or mentions, no emoji
    modifiers."""
    text = unicodedata.normalize("NFKC", text)
    text = _REDACTED.sub(",", text)  # a break: no phrase spans what was removed
    text = _NOISE.sub(" ", text)
    return text.translate({ord(c): None for c in _INVISIBLE})


_DEFAULT: Segmenter | None = None
_DEFAULT_LOCK = threading.Lock()


def default_segmenter() -> Segmenter:
    """The process's segmenter, built on first use (about a second: jieba loads its dictionary)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Segmenter()
        return _DEFAULT


def keys(words: Iterable[Word | None]) -> list[str]:
    """The keys of the words that are terms by themselves (no breaks, no lone characters)."""
    return [w.key for w in words if w is not None and not w.single]
