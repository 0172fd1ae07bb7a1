"""Shared helpers for the benchmark commands: a cached demo database and timing."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from audit_tool.demo import generate
from audit_tool.store import Database

PASSPHRASE = "benchmark passphrase, fictional data only"


def demo_db(audits: int, seed: int = 7) -> Path:
    """A demo database of `audits` audits, made once and reused from the temp folder."""
    path = Path(tempfile.gettempdir()) / f"audit-bench-{audits}-{seed}.db"
    if not path.exists():
        t = time.perf_counter()
        with Database.create(path, PASSPHRASE) as db:
            generate(db, audits, seed)
        print(f"(made {audits:,}-audit demo database in {time.perf_counter() - t:.1f} s)")
    return path


def timings(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def summary(label: str, samples: list[float]) -> float:
    med = statistics.median(samples)
    p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
    print(f"  {label:<44} median {med * 1000:8.2f} ms   p95 {p95 * 1000:8.2f} ms   (n={len(samples)})")
    return med
