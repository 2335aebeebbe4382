"""Collectors: platform connectors and file importers that yield typed records, and the runner
that stores them with their raw payloads, checkpoints and a record of each run.

Connector packages (``collect/<platform>/``) never import ``store``, ``web`` or ``cli``: they turn
platform responses into ``collect.records`` and the runner does the rest.
"""
