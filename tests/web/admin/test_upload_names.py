"""An uploaded file's name never leaves its temporary folder, names the folder itself, or hides."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from govsocial.web.admin.actions import save_upload, upload_name


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("posts.csv", "posts.csv"),
        ("../../etc/passwd", "passwd"),
        ("..", "upload.."),
        (".", "upload"),
        ("", "upload"),
        (".env", "upload.env"),
        ("a\x00b.csv", "ab.csv"),
    ],
)
def test_upload_names(sent: str, kept: str) -> None:
    assert upload_name(sent) == kept


def test_a_parent_directory_name_is_saved_inside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "upload"
    folder.mkdir()
    saved = save_upload(io.BytesIO(b"a,b\n"), "..", folder, limit=100)
    assert saved.parent == folder and saved.read_bytes() == b"a,b\n"
