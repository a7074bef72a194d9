"""A function run in a second thread, for the vectorized ac engine's independent steps.

numpy lets go of the GIL inside its loops, so two array computations on different data run
side by side on two cores. ``concurrent.futures`` would do, but importing it (and the
``logging`` it pulls in) costs more than a short-lived command saves; this is all ac needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``function(*args)`` started now in another thread; :meth:`result` waits for it."""

    def __init__(self, function: Callable[..., T], *args: object) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., T], args: tuple[object, ...]) -> None:
        try:
            self._value = function(*args)
        except BaseException as e:  # handed to the waiting thread, which raises it
            self._error = e

    def result(self) -> T:
        """The function's value (or its exception, raised here) once it has finished."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
