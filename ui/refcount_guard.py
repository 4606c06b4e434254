"""Keep ``None``, ``True`` and ``False`` alive under PySide6 6.12 on Python 3.10 and 3.11.

PySide6 6.12's stable-ABI wheels return ``None`` from every void method (``setText``,
``show``, ``drawText``, ...) and an empty ``QVariant`` as ``None`` without counting the
reference: they rely on ``None`` being immortal, which it is only from Python 3.12.
On 3.10 and 3.11 each such call lowers ``None``'s reference count by one; after some
tens of thousands of calls it reaches zero and the interpreter aborts ("Fatal Python
error: none_dealloc: deallocating None"), during a session or on exit. (Measured
here: ``QLineEdit().setText("")`` costs ``None`` one reference per call.)

The lost references are never given back, so holding spare ones in a container does
not help: the container is freed at exit and the count reaches zero then. Instead the
guard does what 3.12 does: it raises the three counts by a margin no session can use
up, once, with no owner that would ever release it. On Python 3.12 and later (where
these objects are immortal) it does nothing. Remove it when PySide counts correctly.
"""

from __future__ import annotations

import ctypes
import sys

#: Added once to each count (a void call costs one); re-added if a count ever falls
#: below ``LOW``.
MARGIN = 1 << 40
LOW = 1 << 30

_VALUES = (None, True, False)


def needed() -> bool:
    return sys.version_info < (3, 12)


def _add(value: object, count: int) -> None:
    # ob_refcnt is the first field of every object in CPython's release builds.
    ctypes.c_ssize_t.from_address(id(value)).value += count


def top_up() -> None:
    """Raise any of the three counts that is below ``LOW`` (cheap; safe to call often)."""
    if not needed():
        return
    for value in _VALUES:
        if sys.getrefcount(value) < LOW:
            _add(value, MARGIN)


def install(_app: object = None) -> None:
    """Protect the process; call once when the application starts (idempotent)."""
    top_up()
