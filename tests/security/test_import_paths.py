"""Import paths: only regular files are read, never more than a bounded size, nothing decompressed.

A FIFO or a device named as an import file would block the command forever; a directory cannot be
read; an enormous file would exhaust memory (the importers decode a whole file). Each is refused
with a clear error before a byte is read, by ``govsocial.files.read_regular_file``, which every
importer (activity and registry) reads through. Symbolic links are followed (the operator who names
a link means its target) and a relative path with ``..`` is an ordinary path: the CLI reads what
the person running it may read, and nothing an import file names is ever opened.
"""

from __future__ import annotations

import gzip
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govsocial import files
from govsocial.cli.main import app
from govsocial.collect.imports.base import decode_file
from govsocial.errors import ImportFileError
from govsocial.registry.tables_io import read_rows
from tests.demo_store import KEY

POSTS = (
    "platform,account,post_id,created_at,format,text\n"
    "facebook,cfs.hk,p1,2026-03-01T09:00:00+08:00,text,hello\n"
)
READERS: list[Callable[[Path], object]] = [decode_file, read_rows]


def finishes(call: Callable[[], object]) -> BaseException | None:
    """Run ``call`` in a thread; fail if it is still blocked after a minute (a FIFO read never ends)."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the read blocked"
    return outcome[0]


def govsocial(url: str, *args: str) -> tuple[int, str]:
    """Run the CLI; its exit code and output (the lines Rich wrapped joined again)."""
    env = {"GOVSOCIAL_DATABASE_URL": url, "GOVSOCIAL_PSEUDONYM_KEY": KEY}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def store(registry_db: str, tmp_path: Path) -> str:
    """A copy of the session's registry store, to import into."""
    copy = tmp_path / "store.db"
    copy.write_bytes(Path(registry_db.removeprefix("sqlite:///")).read_bytes())
    return f"sqlite:///{copy}"


@pytest.mark.parametrize("read", READERS)
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, read: Callable[[Path], object]) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    error = finishes(lambda: read(fifo))
    assert isinstance(error, ImportFileError) and "not a regular file" in str(error)


@pytest.mark.parametrize("read", READERS)
def test_a_directory_and_a_missing_file_are_refused(tmp_path: Path, read: Callable[[Path], object]) -> None:
    with pytest.raises(ImportFileError, match="is a directory"):
        read(tmp_path)
    with pytest.raises(ImportFileError, match="cannot be read"):
        read(tmp_path / "missing.csv")
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "gone.csv")
    with pytest.raises(ImportFileError, match="cannot be read"):
        read(dangling)


@pytest.mark.parametrize("read", READERS)
def test_a_file_larger_than_the_limit_is_refused_before_reading(
    tmp_path: Path, read: Callable[[Path], object]
) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:  # sparse: a size, no data written
        file.truncate(files.MAX_FILE_BYTES + 1)
    with pytest.raises(ImportFileError, match="larger than"):
        read(huge)


def test_the_limit_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_bytes(b"x" * 100)
    assert files.read_regular_file(path, limit=100) == b"x" * 100
    with pytest.raises(ImportFileError, match="larger than"):
        path.write_bytes(b"x" * 101)
        files.read_regular_file(path, limit=100)


def test_a_symlink_to_a_file_is_followed_and_one_to_a_fifo_refused(store: str, tmp_path: Path) -> None:
    real = tmp_path / "real" / "posts.csv"
    real.parent.mkdir()
    real.write_text(POSTS, encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, output = govsocial(store, "collect", "import", str(link), "--format", "generic", "--no-metrics")
    assert code == 0, output

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "to-fifo.csv").symlink_to(fifo)
    outcome: list[tuple[int, str]] = []
    finishes(lambda: outcome.append(govsocial(store, "collect", "import", str(tmp_path / "to-fifo.csv"),
                                              "--format", "generic")))  # fmt: skip
    code, output = outcome[0]
    assert code == 2 and "not a regular file" in output


def test_a_relative_path_with_dot_dot_is_an_ordinary_path(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "work").mkdir()
    (tmp_path / "exports" / "posts.csv").write_text(POSTS, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work")
    code, output = govsocial(store, "collect", "import", "../exports/posts.csv", "--format", "generic",
                             "--no-metrics", "--json")  # fmt: skip
    assert code == 0, output
    assert '"posts.insert": 1' in output, output


@pytest.mark.parametrize("command", [["collect", "import"], ["registry", "import"]])
def test_the_cli_refuses_fifos_directories_and_huge_files_with_a_clear_error(
    store: str, tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 64)
    big = tmp_path / "big.csv"
    big.write_text(POSTS * 2, encoding="utf-8")
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    extra = ["--format", "generic"] if command[0] == "collect" else []

    code, output = govsocial(store, *command, str(big), *extra)
    assert code == 2 and "larger than the 64 bytes" in output
    outcome: list[tuple[int, str]] = []
    finishes(lambda: outcome.append(govsocial(store, *command, str(fifo), *extra)))
    assert outcome[0][0] == 2 and "not a regular file" in outcome[0][1]
    code, output = govsocial(store, *command, str(tmp_path), *extra)
    assert code == 2 and "directory" in output.lower()


def test_compressed_files_are_not_decompressed(store: str, tmp_path: Path) -> None:
    # No importer accepts compressed input, so there is no zip bomb to defuse: a gzip file is
    # refused as unreadable text, never inflated.
    packed = tmp_path / "posts.csv.gz"
    packed.write_bytes(gzip.compress(POSTS.encode() * 1000))
    code, output = govsocial(store, "collect", "import", str(packed), "--format", "generic")
    assert code != 0
    assert "not UTF-8, UTF-16 or Big5-HKSCS text" in output, output
