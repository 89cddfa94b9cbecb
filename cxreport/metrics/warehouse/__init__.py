"""Metrics read from a warehouse: one aggregating query per metric, only the tally comes back.

`urls` (the URL from the environment, masked wherever it is shown), `engines` (one connector per kind of
engine: PostgreSQL, Spark Connect, a DuckDB file, any SQLAlchemy URL), `query` (the SQL, built with sqlglot in the
engine's dialect, identifiers quoted), `tally` (the received tally judged and checked as a file's rows are) and
`fetch` (a metric's tally fetched or taken from the cache). Drivers are optional extras, imported only here.
"""
