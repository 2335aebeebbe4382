"""What an importer is: read one export file into ``Batch``es, quarantining bad rows.

Importers read the encodings people send (UTF-8 with or without BOM, UTF-16, Big5-HKSCS) through
``decode_file``, interpret times in the file's own zone (``ImportContext.timezone``) and never
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
from govsocial.files import read_regular_file


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
    return decode(read_regular_file(path), str(path))


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
