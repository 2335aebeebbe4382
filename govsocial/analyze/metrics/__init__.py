"""The metrics: every number of the scorecard, defined once as engine-neutral Ibis expressions.

``model`` says what a metric is, ``params`` where the field disagrees, ``view`` how the frames are
cut by level (account, organisation, platform, government) and period, one module per OECD goal
holds the definitions, ``engines`` runs them on DuckDB or Spark, and ``scorecard`` runs them all.
"""
