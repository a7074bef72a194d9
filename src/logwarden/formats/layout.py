"""What every fixed-size binary record format shares: a named layout of the record on disk."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Layout:
    """One way a machine lays out a record type on disk: its numpy dtype, with byte order.

    Names end in ``le`` or ``be`` (``384le``, ``296be``): the size, then the byte order.
    """

    name: str
    description: str
    dtype: np.dtype[np.void]

    @property
    def size(self) -> int:
        return int(self.dtype.itemsize)

    @property
    def big_endian(self) -> bool:
        return self.name.endswith("be")
