"""Settings of the Python interpreter that long work changes while it runs.

A setting is held by a count of the tasks that need it: the first one changes it, and the last
one to end puts it back as it was, unless someone else changed it meanwhile (their change is
theirs to keep). Two tasks at once (a workbook written while another one is) change it once.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

_T = TypeVar("_T")


class HeldSetting(Generic[_T]):
    """A setting read by ``read`` and written by ``write``, held at ``held(usual)`` while at
    least one task holds it (``hold`` … ``release``, or ``with setting.held()``)."""

    def __init__(
        self, read: Callable[[], _T], write: Callable[[_T], None], held: Callable[[_T], _T]
    ) -> None:
        self._read = read
        self._write = write
        self._held_value = held
        # Re-entrant: a workbook given up is freed by the collector on whatever thread it runs,
        # which may be a thread holding the lock (another workbook starting); its finaliser
        # releases its hold there, without waiting for itself.
        self._lock = threading.RLock()
        self.holders = 0
        self._usual: _T | None = None
        self._held: _T | None = None

    def hold(self) -> None:
        with self._lock:
            if self.holders == 0:
                self._usual = self._read()
                self._write(self._held_value(self._usual))
                self._held = self._read()  # as the interpreter keeps it (rounded)
            self.holders += 1

    def release(self) -> None:
        with self._lock:
            assert self.holders > 0, "released more often than held"
            self.holders -= 1
            if self.holders == 0 and self._read() == self._held:
                assert self._usual is not None
                self._write(self._usual)

    @contextmanager
    def held(self) -> Iterator[None]:
        self.hold()
        try:
            yield
        finally:
            self.release()


# Threads take turns every half millisecond while a workbook is written: the thread that
# compresses it takes the interpreter back several times for each block, from the thread making
# the rows, which lets go only every 5 ms by default (see ``workbook.xlsx.Packer``).
TURN = 0.0005  # seconds
SHORT_TURNS: HeldSetting[float] = HeldSetting(
    sys.getswitchinterval, sys.setswitchinterval, lambda usual: min(TURN, usual)
)


def _threshold() -> tuple[int, ...]:
    return gc.get_threshold()


def _set_threshold(thresholds: tuple[int, ...]) -> None:
    gc.set_threshold(*thresholds)


# The collector of cyclic garbage looks at the youngest objects each time 700 more have been
# made than freed (by default), and now and then at every object of the program. A batch
# (consolidating files, writing its reports) makes hundreds of thousands of objects that live
# until its end, and little cyclic garbage: those passes found nothing to free, and took 5 % of
# a consolidation of a hundred files (0.03 s of 0.60 s), 8 % in a program holding three times
# as many objects. While a batch runs, they come every 50,000: cyclic garbage is still freed, a
# little later.
FEW_COLLECTIONS_AFTER = 50_000
FEW_COLLECTIONS: HeldSetting[tuple[int, ...]] = HeldSetting(
    _threshold,
    _set_threshold,
    # A threshold of 0 turns the collector off: left so.
    lambda usual: (max(usual[0], FEW_COLLECTIONS_AFTER), *usual[1:]) if usual[0] else usual,
)
