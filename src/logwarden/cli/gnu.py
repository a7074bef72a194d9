"""Message conventions of the GNU programs (coreutils, GNU acct) that logwarden reproduces."""

from __future__ import annotations

import locale


def quote(text: str) -> str:
    """gnulib's ``quote()``: ‘text’ in a UTF-8 locale, 'text' otherwise."""
    if locale.getencoding().lower().replace("-", "") == "utf8":
        return f"\u2018{text}\u2019"
    return f"'{text}'"


def try_help(prog: str) -> str:
    """The hint coreutils and util-linux print after a usage error."""
    return f"Try '{prog} --help' for more information."
