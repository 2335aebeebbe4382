"""docs/cli.md names every option of every command in that command's row, so an option added to
the code cannot stay undocumented (``--jurisdiction`` on four commands and ``--no-metrics`` on
two did)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from typer.main import get_command

from govsocial.cli.main import app
from govsocial.settings import PROJECT_ROOT

CLI_MD = PROJECT_ROOT / "docs" / "cli.md"
#: Where the rows of commands that take the metric parameters (``[PARAMETERS]``) list them.
PARAMETERS = "Parameters of `compute`"


def _options(command: Any) -> list[list[str]]:
    """The names of each option of ``command`` (Typer's own Click: its classes are not ``click``'s)."""
    options = [[*p.opts, *p.secondary_opts] for p in command.params if p.param_type_name == "option"]
    return [names for names in options if "--help" not in names]


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command, and every group that takes options of its own (``govsocial collect``)."""
    subs: dict[str, Any] = getattr(command, "commands", {})
    if path and (not subs or _options(command)):
        yield "govsocial " + " ".join(path), command
    for name, sub in subs.items():
        yield from _commands(sub, (*path, name))


def _row(text: str, usage: str) -> str:
    """The synopsis cell of the table row that documents ``usage``."""
    for line in text.splitlines():
        if line.startswith((f"| `{usage} ", f"| `{usage}`")):
            return line.split("` |")[0]
    raise AssertionError(f"docs/cli.md has no row for `{usage}`")


def test_every_option_is_in_its_commands_row() -> None:
    text = CLI_MD.read_text(encoding="utf-8")
    parameters = text[text.index(PARAMETERS) :].split("\n\n")[0]
    missing = []
    for usage, command in _commands(get_command(app)):
        row = _row(text, usage)
        where = row + (parameters if "[PARAMETERS]" in row else "")
        for names in _options(command):
            if not any(re.search(rf"{re.escape(name)}(?![\w-])", where) for name in names):
                missing.append(f"{usage} {names[0]}")
    assert not missing, f"options not in their row of docs/cli.md: {missing}"
