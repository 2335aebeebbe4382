"""The report's words in Traditional Chinese: the portal's ``.po`` catalogues, read as data.

The report layer must not import the web package, but its messages (metric titles, headings) are
the portal's too; keeping one catalogue means a translator fixes a word once. So this module reads
``govsocial/web/locale/<catalogue>/LC_MESSAGES/messages.po`` by path and compiles it in memory.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

#: The portal's catalogues (a data folder, not a code import).
LOCALE_DIR = Path(__file__).resolve().parent.parent / "web" / "locale"

#: The report's languages and their catalogue folders.
LANGUAGES = {"zh-hant": "zh_Hant", "en": "en"}


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> NullTranslations:
    """The gettext translations of ``lang`` (English gives the message ids back)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r} (use one of {', '.join(LANGUAGES)})")
    if lang == "en":
        return NullTranslations()
    with (LOCALE_DIR / LANGUAGES[lang] / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=LANGUAGES[lang], domain="messages")
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")
