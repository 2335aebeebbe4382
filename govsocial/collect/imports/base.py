"""What an importer is: read one export file into ``Batch``es, quarantining bad rows.

Importers read the encodings people send (UTF-8 with or without BOM, UTF-16 with BOM, Big5-HKSCS,
GB18030/GBK) through ``decode_file``, interpret a time without an offset in the zone
``ImportContext.zone`` gives for the row's account (the import's ``--timezone`` when one is given,
else the time zone of the account's jurisdiction) and never stop at a bad row: it becomes a
``BadRecord`` with its line number and reason.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from govsocial.collect.records import Batch
from govsocial.encodings import decode
from govsocial.errors import ImportFileError
from govsocial.files import read_regular_file

#: Bytes of ASCII text: printable characters, tab and line ends.
_TEXT = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}


#: ``ImportContext.date_order``: how a numeric date such as ``6/5/2026`` is read.
DAY_FIRST, MONTH_FIRST = "day_first", "month_first"
#: The date-order options as an importer's refusal names them by default: the CLI's. A caller
#: whose options are named otherwise (the admin form) gives its own (``ImportContext.date_options``).
DATE_ORDER_OPTIONS = "--day-first or --month-first"

#: ``(platform, ref) -> zone``: the time zone of an account (``ref`` as the file names it) or of a
#: stored post's account (``ref`` the post's id).
ZoneOf = Callable[[str, str], ZoneInfo]
#: The zone of a row whose account is not known (not in the registry, or a comment whose post is
#: not stored): such a row is quarantined, and its time as written is kept with it.
UNKNOWN_ZONE = ZoneInfo("UTC")


def _unknown(platform: str, ref: str) -> ZoneInfo:
    return UNKNOWN_ZONE


@dataclass(frozen=True)
class ImportContext:
    """What the file does not say itself.

    ``timezone`` is the zone the import was told (``--timezone``): every row's time without an
    offset is read in it. When it is None, each row's time is read in the zone of its account's
    jurisdiction: ``zone_of`` gives it for an account, ``post_zone_of`` for the account of a stored
    post (comments name only their post). ``import_activity`` fills both from the store.
    """

    timezone: ZoneInfo | None = None
    platform: str | None = None
    account_ref: str | None = None
    batch_size: int = 1000
    #: How numeric dates such as ``6/5/2026`` are read (``DAY_FIRST`` or ``MONTH_FIRST``:
    #: ``--day-first`` / ``--month-first``); None: as the file's dates show, else as the format's.
    date_order: str | None = None
    #: How the caller's user gives ``date_order``, as a refusal that asks for it names it.
    date_options: str = DATE_ORDER_OPTIONS
    zone_of: ZoneOf = _unknown
    post_zone_of: ZoneOf = _unknown

    def zone(self, platform: str, account_ref: str) -> ZoneInfo:
        """The zone of a time without an offset in a row of ``account_ref``'s."""
        return self.timezone if self.timezone is not None else self.zone_of(platform, account_ref)

    def post_zone(self, platform: str, post_id: str) -> ZoneInfo:
        """The zone of a time without an offset in a row about the post ``post_id`` (a comment)."""
        return self.timezone if self.timezone is not None else self.post_zone_of(platform, post_id)


def decode_file(path: Path) -> str:
    """The text of ``path`` in whichever supported encoding it uses; ``ImportFileError`` if none, or
    if ``path`` is not a regular file of at most ``files.MAX_FILE_BYTES``."""
    raw = read_regular_file(path)
    if _utf16_without_bom(raw):
        raise ImportFileError(
            f"{path}: looks like UTF-16 without a byte order mark; save it as UTF-16 with BOM "
            "(Excel's 'Unicode Text') or as UTF-8"
        )
    return decode(raw, str(path))


def _utf16_without_bom(raw: bytes) -> bool:
    """Whether ``raw`` starts like UTF-16 text without a BOM: ASCII (a header) with a zero byte
    before or after each character. That is valid UTF-8 too (with NULs), so it would otherwise be
    read as a header no importer knows, or, with Chinese text further on, refused as not text:
    neither says what is wrong. (A zip, such as an .xlsx, has zeros too, but not such text.)"""
    head = raw[:256]
    if len(head) < 8 or head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    even, odd = head[0::2], head[1::2]
    return any(
        4 * zeros.count(0) >= 3 * len(zeros) and 4 * sum(map(_TEXT.__contains__, text)) >= 3 * len(text)
        for zeros, text in ((odd, even), (even, odd))
    )


class Importer(abc.ABC):
    """Base class of export-file importers."""

    #: Short name used on the command line (``--format``).
    format: ClassVar[str]
    #: One line for ``--help`` and the docs.
    description: ClassVar[str]

    @classmethod
    @abc.abstractmethod
    def sniff(cls, name: str, head: str) -> bool:
        """Whether a file named ``name`` starting with ``head`` (decoded text) is in this format."""

    @abc.abstractmethod
    def read(self, path: Path, context: ImportContext) -> Iterator[Batch]:
        """Yield batches of records (and bad rows) from the file."""
