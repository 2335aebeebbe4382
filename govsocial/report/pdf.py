"""The report's HTML as a PDF, through WeasyPrint (Pango lays out the text with the system fonts).

Chinese needs a CJK font installed from Debian (``fonts-noto-cjk``, scripts/system-deps.sh); the
style names it by family ("Noto Sans CJK TC") and nothing is fetched from the network: the only
URL fetcher allowed reads nothing.
"""

from __future__ import annotations

from typing import Any, NoReturn


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    # A report is self-contained; a link to a post must never make the renderer go online.
    raise ValueError(f"reports load no external resources ({url})")


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document."""
    # Imported here: it loads Pango, which only report commands need. WeasyPrint ships no type hints.
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf
