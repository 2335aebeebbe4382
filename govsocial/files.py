"""Reading the files people hand to govsocial (imports of activity and of the registry) safely.

An import path comes from whoever runs the command or uploads the file, so reading it must not
hang or exhaust memory: a FIFO or a device would block ``read`` forever or never end, a directory
cannot be read, and the importers hold a file's text in memory, so a file larger than
``MAX_FILE_BYTES`` is refused before a byte is read. The file is opened without blocking and
checked on the opened descriptor, so a path swapped for a FIFO between the check and the read is
still refused. Symbolic links are followed: the operator who names a link means its target.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from govsocial.errors import ImportFileError

#: The largest file an import reads (1 GiB): the importers decode a whole file into memory, and
#: the largest real exports (CrowdTangle, a year of a busy page) are a few hundred megabytes.
MAX_FILE_BYTES = 2**30


def read_regular_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes
    (``MAX_FILE_BYTES`` if None).

    ``ImportFileError`` names the file and says why it cannot be read: missing, unreadable, a
    directory, a FIFO, socket or device, or too large.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        info = os.fstat(descriptor)
        _check_kind(path, info)
        if info.st_size > limit:
            raise ImportFileError(
                f"{path}: {info.st_size:,} bytes, larger than the {limit:,} bytes an import may read "
                "(split the export into several files)"
            )
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as file:
        data = file.read(limit + 1)  # a file that grew since fstat is caught here
    if len(data) > limit:
        raise ImportFileError(f"{path}: larger than the {limit:,} bytes an import may read")
    return data


def _check_kind(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ImportFileError(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ImportFileError(f"{path}: not a regular file (a FIFO, socket or device cannot be imported)")
