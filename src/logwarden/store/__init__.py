"""The event store: a DuckDB file (or a Parquet dataset), loaded incrementally."""
