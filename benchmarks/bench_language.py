"""Language scan: precision and recall on the labelled sentences in
tests/data/language_labelled.toml, and scan throughput over synthetic notes against a bare
baseline timed in the same run (one lower-case copy and one `in` test per note).

With --audits N (issue 22): the language summary a report makes over an N-audit demo
database, cold (every note scanned and its flags kept) and warm (kept flags read), against
a bare SELECT of every note and summary in the same run, and one audit's flags as the
editor reads them. The database is the benchmark's own (not shared with other benchmarks).

    python -m benchmarks.bench_language [--notes 150000] [--audits 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from audit_tool.filters import AuditFilter
from audit_tool.findings.language import Scanner, scanner, summarise
from audit_tool.findings.language_cache import audit_flags
from audit_tool.store import Database

from .common import PASSPHRASE

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "language_labelled.toml"

# Fictional note fragments, some with flagged wording, most without (as in real notes).
_SENTENCES = (
    "Chronology sets out the perpetrator's pattern of control over several months.",
    "Assessment records the mother's daily protective steps for the children.",
    "Plan names what is expected of the father and how it will be checked.",
    "Harm statement names the perpetrator and the specific behaviour.",
    "Contact risks considered before arrangements were agreed.",
    "Record focuses on one incident; no pattern described.",
    "Case note refers to a volatile relationship and mutual violence.",
    "Plan says mother must call the police; nothing asked of the father.",
    "Child described as exposed to domestic violence; impact not described.",
    "Separation treated as ending the risk; contact not assessed.",
    "The worker met the child at school and recorded her views in her own words.",
    "Health visitor shared concerns at the core group meeting in good time.",
    "The father's use of financial control is set out with dates and examples.",
    "Mother was described as having failed to engage with the service.",
    "Notes mention a chaotic lifestyle but do not say who supplied the drugs.",
    "The referral was discussed at MARAC and actions were allocated.",
    "Risk assessment completed and shared with the specialist women's service.",
    "There was an argument at the door and the police were called.",
)


def synthetic_notes(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(_SENTENCES, rng.randint(1, 4))) for _ in range(n)]


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def labelled(path: Path = LABELLED) -> list[tuple[str, list[str]]]:
    """(sentence, expected term phrases) pairs; a phrase flagged twice is listed twice."""
    data = tomllib.loads(path.read_text("utf-8"))
    return [(c["text"], [p.lower() for p in c.get("expect", [])]) for c in data["cases"]]


def evaluate(sc: Scanner, cases: list[tuple[str, list[str]]]) -> tuple[Score, list[str]]:
    """Counts per sentence and term: a flag of the wrong term is a false positive and a miss."""
    tp = fp = fn = 0
    misses = []
    for text, expect in cases:
        want = Counter(expect)
        got = Counter(f.term.phrase.lower() for f in sc.scan(text))
        hit = sum((want & got).values())
        tp, fp, fn = tp + hit, fp + got.total() - hit, fn + want.total() - hit
        if want != got:
            misses.append(
                f"    expected {sorted(want.elements())}, got {sorted(got.elements())}: {text}"
            )
    return Score(tp, fp, fn), misses


def throughput(sc: Scanner, notes: list[str]) -> tuple[float, float]:
    """Notes per second for the scanner and for the bare baseline, best of three. CPU time
    of this process, so other work on a shared machine does not skew the ratio."""

    def best(fn) -> float:
        times = []
        for _ in range(3):
            t = time.process_time()
            fn()
            times.append(time.process_time() - t)
        return len(notes) / min(times)

    scan_rate = best(lambda: [sc.count(n) for n in notes])
    base_rate = best(lambda: ["volatile relationship" in n.lower() for n in notes])
    return scan_rate, base_rate


BARE = """SELECT audit_id, note FROM answers WHERE note <> ''
           UNION ALL SELECT id, summary || ' ' || strengths || ' ' || improvements FROM audits"""
BARE_GROUP = "SELECT audit_id, count(*), sum(length(note)) FROM answers GROUP BY audit_id"


def _db(audits: int) -> Path:
    from audit_tool.demo import generate

    path = Path(tempfile.gettempdir()) / f"audit-bench-language-{audits}.db"
    if not path.exists():
        t = time.perf_counter()
        with Database.create(path, PASSPHRASE) as db:
            generate(db, audits, 7)
        print(f"(made {audits:,}-audit demo database in {time.perf_counter() - t:.1f} s)")
    return path


def _best(fn, n: int = 3) -> float:
    """CPU time of this process (SQLCipher's reading and decrypting included), best of n:
    other work on a shared machine does not skew the ratios."""
    times = []
    for _ in range(n):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def _summarise_before(db: Database, sc: Scanner) -> list:
    """The summary's pass before flags were kept: every text scanned by a SQL function in
    the report's own query (its words and term tallies counted as it went)."""
    tally: dict[str, int] = {}

    def flags(text: str | None) -> int:
        found = sc.scan(text or "")
        sc.words(text)
        for f in found:
            tally[f.term.phrase] = tally.get(f.term.phrase, 0) + 1
        return len(found)

    db.conn.create_function("lang_flags_before", 1, flags)
    where, params = AuditFilter().where()
    return db.query(
        f"""SELECT a.phase, count(DISTINCT a.id), sum(lang_flags_before(t.note)) FROM audits a
            JOIN cases c ON c.id = a.case_id JOIN ({BARE}) t ON t.audit_id = a.id
            WHERE {where} GROUP BY a.phase""", params)


def kept_flags(audits: int) -> None:
    """Cold against warm language summary over a demo database, with a bare pass over the
    same texts timed in the same run (wall time, best of 3; the machine's load printed)."""
    path = _db(audits)
    with Database.open(path, PASSPHRASE) as db:
        texts = db.query(BARE)
        sc = scanner()

        def cold() -> None:
            db.conn.execute("DELETE FROM language_flags")
            db.conn.commit()
            summarise(db)

        bare = _best(lambda: db.query(BARE))
        grouped = _best(lambda: db.query(BARE_GROUP))
        where, params = AuditFilter().where()
        joined = _best(lambda: db.query(
            f"SELECT a.id, t.note FROM audits a JOIN cases c ON c.id = a.case_id JOIN ({BARE}) t"
            f" ON t.audit_id = a.id WHERE {where}", params))
        scan_only = _best(lambda: [sc.scan(t or "") for _, t in texts], 1)
        before = _best(lambda: _summarise_before(db, sc))
        cold_s = _best(cold)
        warm_s = _best(lambda: summarise(db))
        ids = [r[0] for r in db.query("SELECT id FROM audits ORDER BY id LIMIT 200")]
        one = statistics.median(_best(lambda a=a: audit_flags(db, sc, a), 1) for a in ids)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Language flags over {audits:,} audits ({len(texts):,} texts), load average {load:.2f}"
          " (CPU time, best of 3):")
    rows = [("bare SELECT of every note and summary (baseline)", bare),
            ("bare GROUP BY over every answer (no text to Python)", grouped),
            ("the same, joined to the report's selection", joined),
            ("scan every text, nothing kept", scan_only),
            ("summary as before issue 22 (scan in the report's SQL)", before),
            ("summary, cold: scan every text and keep the flags", cold_s),
            ("summary, warm: kept flags read", warm_s)]
    for label, secs in rows:
        print(f"  {label:<56} {secs:7.3f} s   {secs / bare:6.1f}x baseline")
    print(f"  {'one audit' + chr(39) + 's flags, warm (editor), median of 200':<56} {one * 1000:7.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=150_000)
    ap.add_argument("--audits", type=int, default=0, help="also time cold and warm kept flags")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    sc = scanner()
    cases = labelled()
    score, misses = evaluate(sc, cases)
    print(f"Labelled set: {len(cases)} sentences, {score.tp + score.fn} expected flags")
    print(
        f"  precision {score.precision:.3f}   recall {score.recall:.3f}   F1 {score.f1:.3f}"
        f"   (tp {score.tp}, fp {score.fp}, fn {score.fn})"
    )
    if args.show_misses:
        print("\n".join(misses) or "    no misses")
    notes = synthetic_notes(args.notes)
    scan_rate, base_rate = throughput(sc, notes)
    print(f"Throughput over {len(notes):,} synthetic notes (CPU time, best of 3):")
    print(
        f"  scan (count with context rules)  {scan_rate:>12,.0f} notes/s  ({len(notes) / scan_rate:.2f} s)"
    )
    print(
        f"  baseline (lower() + one 'in')    {base_rate:>12,.0f} notes/s  ({len(notes) / base_rate:.2f} s)"
    )
    print(f"  scan takes {base_rate / scan_rate:.1f}x the baseline's time")
    if args.audits:
        kept_flags(args.audits)


if __name__ == "__main__":
    main()
