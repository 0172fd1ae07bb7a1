"""Export times: one audit and the 10,000-audit aggregate, per format, with the time spent
building the report (SQL) and rendering it. Targets: one audit < 0.5 s, aggregate < 5 s.

    python -m benchmarks.bench_reports [--audits 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from audit_tool.export import export_audit, export_report
from audit_tool.filters import AuditFilter
from audit_tool.reports.build import aggregate_report, audit_report
from audit_tool.selection import list_audits
from audit_tool.store import Database

from .common import PASSPHRASE, demo_db


def _best(fn, n: int) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audits", type=int, default=10_000)
    args = ap.parse_args()
    path = demo_db(args.audits)
    out = Path(tempfile.mkdtemp(prefix="audit-bench-out-"))
    with Database.open(path, PASSPHRASE) as db:
        audit_id = list_audits(db, AuditFilter(status="finalised"), 1)[0].id
        print(f"Exports on a {args.audits:,}-audit database (best of runs):")
        build1 = _best(lambda: audit_report(db, audit_id), 5)
        print(f"  one audit: build report (SQL)          {build1 * 1000:8.1f} ms")
        for fmt in ("pdf", "docx"):
            t = _best(lambda fmt=fmt: export_audit(db, audit_id, fmt, out / f"one.{fmt}"), 3)
            print(f"  one audit: {fmt.upper():<4} export (build + render)  {t * 1000:8.1f} ms   target < 500 ms")
        build = _best(lambda: aggregate_report(db, AuditFilter()), 2)
        print(f"  aggregate: build report (SQL)          {build * 1000:8.1f} ms")
        for fmt in ("pdf", "docx"):
            t = _best(lambda fmt=fmt: export_report(db, AuditFilter(), fmt, out / f"all.{fmt}"), 2)
            print(f"  aggregate: {fmt.upper():<4} export (build + render)  {t * 1000:8.1f} ms   target < 5000 ms")
    for f in out.iterdir():
        f.unlink()
    out.rmdir()


if __name__ == "__main__":
    main()
