"""How long work reports how far it has got: one callback type for the core and its clients."""

from __future__ import annotations

from collections.abc import Callable

# Called with the fraction done, 0.0 to 1.0, from the thread doing the work (a report being
# rendered, a dataset or a bundle being written). Work that counts items passes done / total.
Progress = Callable[[float], None]

__all__ = ["Progress"]
