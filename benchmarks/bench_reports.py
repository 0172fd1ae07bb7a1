"""Export times: one audit and the aggregate report (build, PDF, DOCX), each against a bare
baseline timed in the same run: one GROUP BY over every answer joined to its audit (issue 22:
build within 2x of it; PDF and DOCX under 2.5 s at 10,000 audits). Runs are interleaved, so
the load of a shared machine falls on all measures alike; the best of the runs is kept.

    python -m benchmarks.bench_reports [--audits 10000] [--scaling 1000,10000,50000]

`rows(db_path, passphrase)` gives the aggregate rows as (measure, seconds, baseline seconds)
for benchmarks/issue22.py; `scaling(sizes)` the build's time and peak memory per size, each
size in a fresh process (peak memory is the process's maximum resident set).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from audit_tool.export import export_audit, export_report
from audit_tool.filters import AuditFilter
from audit_tool.reports.build import aggregate_report, audit_report
from audit_tool.selection import list_audits
from audit_tool.store import Database

from .common import PASSPHRASE, demo_db

# the bare pass: every answer read once, joined to its audit, counted in one GROUP BY
BARE_SQL = """SELECT a.checklist_id, an.item_id, an.rating, count(*) FROM audits a
              JOIN answers an ON an.audit_id = a.id GROUP BY 1, 2, 3"""


def bare_pass(db: Database) -> None:
    db.query(BARE_SQL)


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _best(fn: Callable[[], object], n: int) -> float:
    return min(_timed(fn) for _ in range(n))


def rows(db_path: str | Path, passphrase: str, runs: int = 3) -> list[tuple[str, float, float]]:
    """(measure, seconds, baseline seconds) for the anonymised aggregate report over every
    audit: build, PDF and DOCX export (build + render + write), each against the bare pass.
    Interleaved runs, best of `runs` each."""
    out = Path(tempfile.mkdtemp(prefix="audit-bench-out-"))
    try:
        with Database.open(Path(db_path), passphrase) as db:
            audits = db.query_one("SELECT count(*) FROM audits")[0]
            steps: dict[str, Callable[[], object]] = {
                "bare": lambda: bare_pass(db),
                "build": lambda: aggregate_report(db, AuditFilter()),
                "pdf": lambda: export_report(db, AuditFilter(), "pdf", out / "all.pdf"),
                "docx": lambda: export_report(db, AuditFilter(), "docx", out / "all.docx"),
            }
            steps["bare"](), steps["build"]()  # the page cache warmed for all
            times: dict[str, list[float]] = {k: [] for k in steps}
            for _ in range(runs):
                for k, fn in steps.items():
                    times[k].append(_timed(fn))
    finally:
        for f in out.iterdir():
            f.unlink()
        out.rmdir()
    best = {k: min(v) for k, v in times.items()}
    what = f"aggregate report, {audits:,} audits"
    return [
        (f"{what}: build", best["build"], best["bare"]),
        (f"{what}: PDF", best["pdf"], best["bare"]),
        (f"{what}: DOCX", best["docx"], best["bare"]),
    ]


def _child(path: str, passphrase: str) -> None:
    """In a fresh process: the bare pass and the build, best of two each, and the peak
    resident memory (MB) of the process after the build."""
    with Database.open(Path(path), passphrase) as db:
        bare = _best(lambda: bare_pass(db), 2)
        build = _best(lambda: aggregate_report(db, AuditFilter()), 2)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    print(json.dumps({"bare": bare, "build": build, "peak_mb": peak}))


def scaling(sizes: tuple[int, ...] = (1_000, 10_000, 50_000), passphrase: str = PASSPHRASE,
            db_for: Callable[[int], Path] = demo_db) -> list[tuple[int, float, float, float]]:
    """(audits, build seconds, bare pass seconds, peak MB) per size, each in its own process
    on the database `db_for(size)` opened with `passphrase`: by default the cached demo
    database of that size (made on first use: minutes at 50,000)."""
    table = []
    for n in sizes:
        path = db_for(n)
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_reports", "--child", str(path)],
            capture_output=True, text=True, check=True,
            input=passphrase, cwd=Path(__file__).resolve().parent.parent,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        table.append((n, r["build"], r["bare"], r["peak_mb"]))
    return table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audits", type=int, default=10_000)
    ap.add_argument("--scaling", default="", help="sizes, e.g. 1000,10000,50000")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, sys.stdin.read())
        return
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
    for f in out.iterdir():
        f.unlink()
    out.rmdir()
    for measure, s, base in rows(path, PASSPHRASE):
        print(f"  {measure:<44} {s:7.2f} s   bare pass {base:6.2f} s   {s / base:5.1f}x")
    if args.scaling:
        print("Scaling (aggregate build, each size in a fresh process):")
        print(f"  {'audits':>8} {'build s':>9} {'bare s':>8} {'ratio':>6} {'peak MB':>8}")
        for n, build, bare, peak in scaling(tuple(int(x) for x in args.scaling.split(","))):
            print(f"  {n:>8,} {build:9.2f} {bare:8.2f} {build / bare:6.1f} {peak:8.0f}")


if __name__ == "__main__":
    main()
