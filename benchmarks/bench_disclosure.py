"""What the disclosure layer costs on the aggregate report (issue 18: under 10%).

The report builders are not wired through the layer yet; this measures the layer's own
work for the cells such a report shows, on the same database in the same run:
- reading every record key once (load_keys);
- one SQL pass counting audits rated and meeting per item with their key sums (the shape a
  wired report query takes: KEY_JOIN / KEY_SUM next to its counts), then perturbing and
  suppressing every cell (share_from_sums);
against building the aggregate report itself.

    python -m benchmarks.bench_disclosure [--audits 10000]
"""

from __future__ import annotations

import argparse
import time

from audit_tool.disclosure import cellkey
from audit_tool.reports.build import aggregate_report
from audit_tool.selection import AuditFilter
from audit_tool.store import Database

from .common import PASSPHRASE, demo_db

# per item: audits rating it, their key sum, audits meeting it, their key sum
_CELLS = f"""
SELECT an.item_id, a.checklist_sha, count(*), {cellkey.KEY_SUM},
       sum(l.meets = 1), sum(CASE WHEN l.meets = 1 THEN k.record_key END)
FROM audits a {cellkey.KEY_JOIN}
JOIN answers an ON an.audit_id = a.id AND an.applies = 1 AND an.rating IS NOT NULL
JOIN checklist_items ci ON ci.sha256 = a.checklist_sha AND ci.item_id = an.item_id
JOIN checklist_levels l ON l.sha256 = a.checklist_sha AND l.scale = ci.scale AND l.value = an.rating
     AND l.meets IS NOT NULL
WHERE a.status = 'finalised'
GROUP BY a.checklist_sha, an.item_id
"""


def _best(fn, n: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audits", type=int, default=10_000)
    args = ap.parse_args()
    path = demo_db(args.audits)
    with Database.open(path, PASSPHRASE) as db:
        build, _ = _best(lambda: aggregate_report(db, AuditFilter()), 3)
        keys, _ = _best(lambda: cellkey.load_keys(db), 3)
        query, rows = _best(lambda: db.query(_CELLS), 3)
        perturb, shares = _best(lambda: [cellkey.share_from_sums(m, ms, n, ns)
                                         for _, _, n, ns, m, ms in rows], 3)
        # without keys: the same query's counts alone, as the report reads them today
        plain, _ = _best(lambda: db.query(_CELLS.replace(cellkey.KEY_JOIN, "")
                                          .replace(cellkey.KEY_SUM, "0")
                                          .replace("THEN k.record_key", "THEN 0")), 3)
    extra = keys + (query - plain) + perturb
    print(f"Disclosure layer on a {args.audits:,}-audit database (best of 3):")
    print(f"  aggregate report build                 {build * 1000:8.1f} ms")
    print(f"  read record keys (load_keys)           {keys * 1000:8.1f} ms")
    print(f"  item cells: SQL with key sums          {query * 1000:8.1f} ms  (without: {plain * 1000:.1f} ms)")
    print(f"  perturb + suppress {len(rows):,} item cells     {perturb * 1000:8.1f} ms")
    print(f"  added by the layer                     {extra * 1000:8.1f} ms = {100 * extra / build:.1f}% "
          f"of the build   target < 10%")
    shown = sum(s.percent is not None for s in shares)
    print(f"  cells shown {shown:,}, suppressed {len(shares) - shown:,}")


if __name__ == "__main__":
    main()
