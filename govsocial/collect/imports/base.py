"""What an importer is: read one export file into ``Batch``es, quarantining bad rows.

Importers read the encodings people send (UTF-8 with or without BOM, UTF-16 with BOM, Big5-HKSCS)
through ``decode_file``, interpret times in the file's own zone (``ImportContext.timezone``) and never
stop at a bad row: it becomes a ``BadRecord`` with its line number and reason.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
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


@dataclass(frozen=True)
class ImportContext:
    """What the file does not say itself."""

    timezone: ZoneInfo
    platform: str | None = None
    account_ref: str | None = None
    batch_size: int = 1000


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
