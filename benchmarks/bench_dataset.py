"""Analyst dataset (XLSX and CSV, every finalised audit, k-anonymous): time and peak memory
at each size, each export in a fresh process (issue 22 target at 10,000 audits: XLSX under
8 s, CSV under 3 s, under 300 MB).

    python -m benchmarks.bench_dataset [--db1k P --db10k P --db50k P --passphrase X]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import PASSPHRASE, demo_db
from .issue22 import ROOT, SIZES, _fmt, scaling


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passphrase", default=PASSPHRASE)
    ap.add_argument("--code", type=Path, default=ROOT)
    for key in SIZES:
        ap.add_argument(f"--db{key}")
    args = ap.parse_args(argv)
    dbs = {k: getattr(args, f"db{k}") or str(demo_db(n)) for k, n in SIZES.items()}
    print(f"{'audits':>8} | {'format':<6} | {'time':>9} | {'peak memory':>11}")
    for n, fmt, r in scaling(args.code, dbs, args.passphrase):
        cells = f"{_fmt(r['s']):>9} | {r['peak_mb']:8.0f} MB" if "s" in r else r.get("refused") or r.get("error")
        print(f"{n:>8,} | {fmt:<6} | {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
