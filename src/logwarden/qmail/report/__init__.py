"""``qmail report``: the one-pass report of qmail-send logs, as text, JSON, CSV, HTML, Parquet."""
