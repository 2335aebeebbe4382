"""``govsocial collect sample``: write the demo dataset as generic CSV files.

The files (``followers.csv``, ``posts.csv``, ``comments.csv``) hold invented activity of the
published and under-review accounts of one jurisdiction's registry folder (``--jurisdiction``, by
default the configured one), in its time zone, so that importing them stores rows under that
jurisdiction's accounts only; ``make demo`` imports them with
``govsocial collect import FILE --format generic --sample``. The same seed, months and end date
write the same bytes, and a file that would not change is not rewritten.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from govsocial.cli.common import (
    JsonOption,
    console,
    errors,
    friendly_errors,
    output_folder,
    print_json,
    settings_of,
    writing,
)
from govsocial.collect.sample import (
    DEFAULT_END,
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    SampleAccount,
    SampleConfig,
    WrittenFile,
    generate,
    sample_accounts,
    write_sample,
)
from govsocial.errors import ConfigurationError
from govsocial.registry.bundle import load_jurisdiction


def _print_files(files: list[WrittenFile], config: SampleConfig, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "start": config.start.isoformat(),
                "end": config.end.isoformat(),
                "seed": config.seed,
                "files": [
                    {"path": str(f.path), "rows": f.rows, "bytes": f.size, "changed": f.changed}
                    for f in files
                ],
            }
        )
        return
    title = f"sample data {config.start.isoformat()} to {config.end.isoformat()} (seed {config.seed})"
    table = Table("file", "rows", "bytes", "written", title=title)
    for f in files:
        table.add_row(str(f.path), f"{f.rows:,}", f"{f.size:,}", "yes" if f.changed else "unchanged")
    console.print(table)


@friendly_errors
def sample(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option(help="Folder for followers.csv, posts.csv and comments.csv.", file_okay=False)
    ] = Path("var/sample"),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same files.")] = DEFAULT_SEED,
    months: Annotated[int, typer.Option(min=1, max=36, help="How many months of activity.")] = DEFAULT_MONTHS,
    end: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help=f"Last day of the data (default {DEFAULT_END.isoformat()}, fixed so re-runs match).",
        ),
    ] = None,
    jurisdiction: Annotated[
        str | None,
        typer.Option(help="Whose registry folder's accounts get the activity (default: the setting)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Write invented demo activity (posts, comments, followers) of a jurisdiction's accounts as CSV."""
    output_folder(out)
    settings = settings_of(ctx)
    code = jurisdiction or settings.jurisdiction
    folder = settings.registry_dir / code
    if not folder.is_dir():
        raise ConfigurationError(f"no registry folder {folder} for jurisdiction {code!r}")
    config = SampleConfig(
        seed=seed,
        end=end.date() if end else DEFAULT_END,
        months=months,
        timezone=load_jurisdiction(folder).timezone,
    )
    accounts = sample_accounts(folder)
    if not accounts:  # empty files would import as "nothing changed", and say nothing of why
        raise ConfigurationError(
            f"registry folder {folder} has no published or under-review account with an address: "
            "there is no account to invent activity for"
        )
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=errors, transient=True
    )
    with progress:
        task = progress.add_task("generating", total=len(accounts))

        def tick(account: SampleAccount) -> None:
            progress.update(task, advance=1, description=f"{account.platform} {account.handle}")

        data = generate(accounts, config, progress=tick)
    with writing(out):
        written = write_sample(data, out, config.export_time)
    _print_files(written, config, as_json)
