"""The real ``govsocial`` command, pointed at fake platforms: ``python -m tests.fakeplatform.cli_shim
collect --all``.

The runner of a run in one process gets its options (API roots, no backoff between retries) from
the environment, and ``--all`` is limited to the platforms the fake serves; then the unchanged CLI
runs (with ``--processes``, the processes read their API roots from ``GOVSOCIAL_API_BASE_URLS``):

* ``FAKEPLATFORM_BASE_URLS``: JSON ``{"facebook": "http://127.0.0.1:PORT/v23.0", ...}``.
* ``FAKEPLATFORM_PLATFORMS``: comma-separated platforms to collect (default: every connector), so
  that ``--all`` does not reach for real platforms the fake does not serve.
* ``FAKEPLATFORM_TIMEOUT``: the HTTP timeout in seconds (default 10).

Everything else (database, token, pseudonym key, concurrency) comes from ``GOVSOCIAL_*`` as usual.
Retries do not back off (``base_backoff=0``), so a kill/resume test is not slowed by them.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from govsocial.cli import collect as collect_cli
from govsocial.cli.main import app
from govsocial.collect import processes, targets
from govsocial.collect.base import Connector
from govsocial.collect.http import RetryPolicy
from govsocial.collect.runner import Runner, RunOptions
from govsocial.plugins import connectors


def options_from_env() -> RunOptions:
    """Runner options from ``FAKEPLATFORM_*``."""
    return RunOptions(
        base_urls=json.loads(os.environ.get("FAKEPLATFORM_BASE_URLS", "{}")),
        policy=RetryPolicy(attempts=4, base_backoff=0),
        timeout=float(os.environ.get("FAKEPLATFORM_TIMEOUT", "10")),
        trigger="cli",
    )


class FakePlatformRunner(Runner):
    """The runner the CLI builds, with the options from the environment."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("options") is None:
            kwargs["options"] = options_from_env()
        super().__init__(*args, **kwargs)


def chosen_connectors() -> dict[str, type[Connector]]:
    """The connectors of ``FAKEPLATFORM_PLATFORMS`` (all when unset)."""
    wanted = os.environ.get("FAKEPLATFORM_PLATFORMS")
    found = connectors()
    return {k: v for k, v in found.items() if k in wanted.split(",")} if wanted else found


def main(argv: list[str]) -> None:
    """Run ``govsocial`` with ``argv``; exits with its status."""
    # The runner of a run in this one process (``collect.processes`` makes it); several
    # processes read their API roots from GOVSOCIAL_API_BASE_URLS instead.
    processes.Runner = FakePlatformRunner  # type: ignore[attr-defined]
    collect_cli.connectors = chosen_connectors  # type: ignore[attr-defined]
    targets.connectors = chosen_connectors  # type: ignore[attr-defined]  # whole runs' platforms
    app(argv, prog_name="govsocial")


if __name__ == "__main__":
    main(sys.argv[1:])
