"""Opening a lastlog2 database read-only, as ``lastlog2`` does for its reports.

Read-only (``mode=ro``): a report never creates, changes or journals the database. SQLite
still reads a write-ahead log beside the file, as the real tool would.
"""

from __future__ import annotations

import os
import sqlite3
from urllib.parse import quote


def open_lastlog2(path: str) -> sqlite3.Connection:
    """A read-only connection to the database at ``path``; sqlite3.Error if it cannot be
    opened (a missing file is not created)."""
    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    return sqlite3.connect(uri, uri=True)
