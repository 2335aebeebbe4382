"""Interface languages and their gettext catalogues.

The catalogues are the ``.po`` files under ``web/locale``, compiled in memory when a language
is first used (no ``.mo`` build step to forget). Simplified Chinese is written only where the
mainland wording differs (搜索 for 搜尋); every other message is the Traditional Chinese one
converted with OpenCC, so a new message needs translating once, not twice. OpenCC converts
character by character where a word needs another character on the mainland (帳戶 comes out as
帐户, but mainland writes 账户), so :data:`MAINLAND_WORDS` corrects those words after conversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from govsocial.registry.names import to_simplified

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    """One interface language: its URL segment, its HTML language tag and its catalogue."""

    code: str
    html: str
    catalogue: str
    label: str


#: In the order the language switcher lists them.
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("zh-hant", "zh-Hant-HK", "zh_Hant", "繁體中文"),
        Language("zh-hans", "zh-Hans", "zh_Hans", "简体中文"),
        Language("en", "en", "en", "English"),
    )
}


#: Words OpenCC's character-by-character conversion gets wrong for the mainland, with the word
#: mainland usage writes: 帳 becomes 帐 (a curtain, as in 蚊帐), but an account is 账.
MAINLAND_WORDS = {"帐户": "账户", "帐号": "账号"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; templates translate it when they show it."""
    return message


def po_path(catalogue: str) -> Path:
    """The ``.po`` file of a catalogue folder (``zh_Hant``)."""
    return LOCALE_DIR / catalogue / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(catalogue: str) -> Catalog:
    """Parse the ``.po`` file of ``catalogue``."""
    with po_path(catalogue).open("rb") as f:
        return read_po(f, locale=catalogue, domain=DOMAIN)


def _translated(string: Any) -> bool:
    if isinstance(string, tuple | list):
        return any(string)
    return bool(string)


def simplify_message(text: str) -> str:
    """``text`` (Hong Kong Traditional Chinese) as a Simplified message, in mainland words."""
    simplified = to_simplified(text)
    for word, mainland in MAINLAND_WORDS.items():
        simplified = simplified.replace(word, mainland)
    return simplified


def _simplify(string: Any) -> Any:
    if isinstance(string, tuple | list):
        return tuple(simplify_message(s) for s in string)
    return simplify_message(string)


def derive_simplified(simplified: Catalog, traditional: Catalog) -> Catalog:
    """Fill every message ``simplified`` leaves untranslated from ``traditional``, via OpenCC."""
    for message in traditional:
        if not message.id or message.fuzzy or not _translated(message.string):
            continue
        own = simplified.get(message.id, context=message.context)
        if own is None or not _translated(own.string) or own.fuzzy:
            simplified.add(message.id, _simplify(message.string), context=message.context)
    return simplified


def compile_catalogue(catalog: Catalog) -> Translations:
    """``catalog`` as gettext translations, compiled in memory."""
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


@lru_cache(maxsize=len(LANGUAGES))
def translations(code: str) -> Translations:
    """The translations of language ``code``, compiled on first use and kept for the process."""
    language = LANGUAGES[code]
    catalog = read_catalogue(language.catalogue)
    if language.catalogue == "zh_Hans":
        catalog = derive_simplified(catalog, read_catalogue("zh_Hant"))
    return compile_catalogue(catalog)
