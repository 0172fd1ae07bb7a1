"""What the disclosure layer costs on the anonymised aggregate report (issue 18: under 10%).

The report is built twice over, interleaved on the same database in the same run: as it is
released (every figure through reports/release.py, with the cells behind them read in
audit_level's pass (keyed) and facts counted with their perturbation), and with those steps
switched off (the same exact findings, printed as they are). Interleaving puts the load of a
shared machine on both alike; the best of the runs is compared.

    python -m benchmarks.bench_disclosure [--audits 10000] [--runs 4]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from audit_tool.reports import build
from audit_tool.reports.tally import Tally
from audit_tool.store import Database

from .common import PASSPHRASE, demo_db


def overhead(db_path: str | Path, passphrase: str, runs: int = 4) -> tuple[float, float]:
    """(seconds with figures exact, seconds released) for the anonymised aggregate build,
    interleaved, best of `runs` each."""
    layer = (build._released, build._publish, build._keyed)
    off = (lambda db, flt, data, shown: data, lambda db: Tally(), lambda _: False)

    def timed(db: Database, on: bool) -> float:
        build._released, build._publish, build._keyed = layer if on else off
        t = time.perf_counter()
        build.aggregate_report(db)
        return time.perf_counter() - t

    try:
        with Database.open(Path(db_path), passphrase) as db:
            timed(db, True)  # the page cache warmed for both
            without, with_ = [], []
            for _ in range(runs):
                without.append(timed(db, False))
                with_.append(timed(db, True))
    finally:
        build._released, build._publish, build._keyed = layer
    return min(without), min(with_)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audits", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=4)
    args = ap.parse_args()
    a, b = overhead(demo_db(args.audits), PASSPHRASE, args.runs)
    print(f"Disclosure layer on a {args.audits:,}-audit database (best of {args.runs}, interleaved):")
    print(f"  anonymised report, figures exact       {a * 1000:8.1f} ms")
    print(f"  anonymised report, figures released    {b * 1000:8.1f} ms")
    print(f"  added by the layer                     {(b - a) * 1000:8.1f} ms = {100 * (b - a) / a:.1f}%"
          "   target < 10%")


if __name__ == "__main__":
    main()
