"""Issue 22 in one run: every row of the issue's table with its bare baseline and ratio, and
a scaling table for the analyst dataset at 1,000, 10,000 and 50,000 audits.

    python -m benchmarks.issue22 [--db1k P --db10k P --db50k P --passphrase X]
                                 [--before-code ROOT --before-db1k P ...] [--report-scaling]

Every figure is taken in a child process (peak memory is the child's maximum resident set),
running the code under --code (default: this checkout). With --before-code, the whole table
is measured for that checkout first, then for this one, and printed side by side: a
before/after table from one run (the load average is printed at each stage). The databases default to the cached demo databases of
benchmarks/common.py (made on first use: minutes at 50,000). An older checkout cannot open
a database a newer one has upgraded: give it copies made before (--before-db...).
The aggregate report rows come from benchmarks/bench_reports.rows() where it exists.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"1k": 1_000, "10k": 10_000, "50k": 50_000}


# -- children: one measure each, printed as JSON ----------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _open(path: str, passphrase: str):
    """The database as the window opens it (the page check beside the window if the code
    has it: store/verify.py)."""
    import inspect

    from audit_tool.store import Database

    if "verify_later" in inspect.signature(Database.open).parameters:
        return Database.open(path, passphrase, verify_later=True)
    return Database.open(path, passphrase)


def child_dataset(path: str, passphrase: str, fmt: str) -> dict:
    from audit_tool.dataset import export_dataset
    from audit_tool.errors import AuditToolError
    from audit_tool.filters import AuditFilter
    from audit_tool.store import Database

    out = Path(tempfile.mkdtemp(prefix="issue22-dataset-"))
    try:
        with Database.open(path, passphrase) as db:
            t = time.perf_counter()
            try:
                export_dataset(db, AuditFilter(), fmt, out / f"d.{fmt}")
            except AuditToolError as exc:
                return {"refused": str(exc).split(";")[0][:70]}
            return {"s": time.perf_counter() - t, "peak_mb": _peak_mb()}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def child_unlock(path: str, passphrase: str, empty: str) -> dict:
    import sqlcipher3

    def kdf() -> None:  # key derivation and one read of an empty database: the floor
        conn = sqlcipher3.connect(empty)
        conn.execute("PRAGMA key = '" + passphrase.replace("'", "''") + "'")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.close()

    base, run = [], []
    for _ in range(3):
        t = time.perf_counter()
        kdf()
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        db = _open(path, passphrase)  # what the reviewer waits for
        run.append(time.perf_counter() - t)
        if getattr(db, "verification", None) is not None:
            db.verification.wait()  # the check beside the window ends before the next run
        db.close()
    return {"s": statistics.median(run), "base": statistics.median(base)}


def child_list(path: str, passphrase: str) -> dict:
    from audit_tool.filters import AuditFilter
    from audit_tool.selection import list_audits

    db = _open(path, passphrase)
    bare_sql = ("SELECT a.id, c.pseudonym, c.area, a.status, a.answered, a.updated_at FROM audits a"
                " JOIN cases c ON c.id = a.case_id ORDER BY a.updated_at DESC")

    def med(fn, n: int = 7) -> float:
        fn()
        out = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
        return statistics.median(out)

    r = {
        "page": med(lambda: list_audits(db, AuditFilter(), 200)),
        "page_base": med(lambda: db.query(bare_sql + " LIMIT 200")),
        "all": med(lambda: list_audits(db, AuditFilter()), 3),
        "all_base": med(lambda: db.query(bare_sql), 3),
    }
    db.close()
    return r


def child_answer(path: str, passphrase: str) -> dict:
    import itertools

    from audit_tool import audits, records
    from audit_tool.filters import AuditFilter
    from audit_tool.selection import list_audits

    db = _open(path, passphrase)
    draft = list_audits(db, AuditFilter(status="draft", checklist_id="safe-together-case-file-audit"), 1)[0]
    definition = records.get_audit(db, draft.id).checklist.definition
    item = next(i for _, i in definition.items() if i.scale == "quality" and not i.show_when)
    levels = itertools.cycle(["3", "4", "5", "2"])
    conn = db.conn

    def bare() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO answers (audit_id, item_id, rating, note, applies, updated_at)"
            " VALUES (?, ?, ?, '', 1, '2026-01-01') ON CONFLICT (audit_id, item_id) DO UPDATE SET"
            " rating = excluded.rating, updated_at = excluded.updated_at",
            (draft.id, item.id, next(levels)),
        )
        conn.execute("COMMIT")

    def core() -> None:
        audits.answer(db, draft.id, item.id, rating=next(levels))

    b, c = [], []
    for _ in range(6):  # interleaved, so disk noise falls on both alike
        for fn, out in ((bare, b), (core, c)):
            for _ in range(25):
                t = time.perf_counter()
                fn()
                out.append(time.perf_counter() - t)
    db.close()
    return {"s": statistics.median(c), "base": statistics.median(b)}


def child_editor(path: str, passphrase: str) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="issue22-editor-")
    from PySide6.QtWidgets import QApplication

    app = QApplication(["issue22"])
    from audit_tool.settings import Settings
    from ui.main_window import MainWindow
    from ui.session import Session

    session = Session(Path(path))
    session.unlock(passphrase)
    window = MainWindow(session, Settings(Path(os.environ["XDG_CONFIG_HOME"]) / "s.json"))
    window.resize(1200, 800)
    window.show()
    end = time.perf_counter() + 120
    while (window.list_model.partial or window.loader.loading()) and time.perf_counter() < end:
        app.processEvents()
    ids = [window.list_model.audit_id(i) for i in range(0, 40, 3)]
    times = []
    for audit_id in ids:
        t = time.perf_counter()
        window.controller.open_audit(audit_id)
        app.processEvents()
        times.append(time.perf_counter() - t)
        window.controller.show_list()
        app.processEvents()
    out = {"first": times[0], "later": statistics.median(times[1:])}
    os._exit(print(json.dumps(out)) or 0)  # the figure is taken; skip the orderly shutdown


def child_start(path: str, passphrase: str) -> dict:
    """Launch to a usable window (shown, list painted); '-' for a bare PySide6 window."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="issue22-start-")
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from benchmarks.bench_gui import _paint_waiter, _until

    app = QApplication(["issue22"])
    unlock_s = 0.0
    if path == "-":
        window = QMainWindow()
        target = QLabel("Baseline")
        window.setCentralWidget(target)
    else:
        from audit_tool.settings import Settings
        from ui.main_window import MainWindow
        from ui.session import Session

        session = Session(Path(path))
        t = time.perf_counter()
        session.unlock(passphrase)
        unlock_s = time.perf_counter() - t
        window = MainWindow(session, Settings(Path(os.environ["XDG_CONFIG_HOME"]) / "s.json"))
        rows = window.list_model.rowCount()
        target = window.list_page.table.viewport() if rows else window.list_page.empty
    window.resize(1200, 800)
    waiter = _paint_waiter(target)
    window.show()
    _until(app, lambda: waiter.painted)
    os._exit(print(json.dumps({"unlock_s": unlock_s})) or 0)


def child_reports(path: str, passphrase: str) -> dict:
    try:  # the checkout under measure (PYTHONPATH), not necessarily this one
        from benchmarks.bench_reports import rows
    except ImportError:
        # An older checkout has no rows(): this checkout's timing code, run over that
        # checkout's core (export_report and aggregate_report kept their signatures).
        import importlib.util

        spec = importlib.util.spec_from_file_location(
            "benchmarks.bench_reports_now", Path(__file__).with_name("bench_reports.py"))
        if spec is None or spec.loader is None:
            return {"missing": True}
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except ImportError:
            return {"missing": True}
        rows = module.rows
    return {"rows": rows(path, passphrase)}


CHILDREN = {
    "dataset": child_dataset, "unlock": child_unlock, "list": child_list,
    "answer": child_answer, "editor": child_editor, "start": child_start,
    "reports": child_reports,
}


# -- parent ---------------------------------------------------------------------------------------


def run_child(code: Path, measure: str, *args: str, passphrase: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code), "QT_QPA_PLATFORM": "offscreen"}
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", measure, *args],
        input=passphrase, capture_output=True, text=True, env=env, cwd=code,
    )
    wall = time.perf_counter() - t
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:100]}
    r = json.loads(done.stdout.strip().splitlines()[-1])
    r["wall"] = wall
    return r


def launch(code: Path, path: str, passphrase: str, runs: int = 3) -> float:
    """Median wall time from starting python to a painted window, unlocking excluded."""
    times = []
    for _ in range(runs):
        r = run_child(code, "start", path, passphrase=passphrase)
        if "error" in r:
            raise RuntimeError(r["error"])
        times.append(r["wall"] - r["unlock_s"])
    return statistics.median(times)


def _fmt(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 0.01:
        return f"{s * 1000:.2f} ms"
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def table_rows(code: Path, dbs: dict[str, str], empty: str, pw: str) -> list[tuple]:
    """(measure, today s, baseline s or None, target text, ratio target or None, absolute target s)."""
    out: list[tuple] = []
    rep = run_child(code, "reports", dbs["10k"], passphrase=pw)
    if rep.get("rows"):
        for name, s, base in rep["rows"]:
            limit = (2.0, None) if name.endswith("build") else (None, 2.5)
            out.append((name, s, base, "within 2x bare pass" if limit[0] else "< 2.5 s", *limit))
    else:
        out.append(("aggregate report (bench_reports.rows not in this checkout)", None, None, "—",
                    None, None))
    for fmt, target in (("xlsx", 8.0), ("csv", 3.0)):
        r = run_child(code, "dataset", dbs["10k"], fmt, passphrase=pw)
        out.append((f"dataset 10,000 audits: {fmt.upper()}", r.get("s"), None, f"< {target:g} s",
                    None, target))
        out.append((f"dataset 10,000 audits: {fmt.upper()} peak memory (MB)",
                    r.get("peak_mb", 0) / 1000, None, "< 300 MB", None, 0.3))
    r = run_child(code, "editor", dbs["50k"], passphrase=pw)
    out.append(("open an audit, 50,000 audits: first", r.get("first"), None, "< 150 ms", None, 0.15))
    out.append(("open an audit, 50,000 audits: later", r.get("later"), None, "< 80 ms", None, 0.08))
    r = run_child(code, "unlock", dbs["50k"], empty, passphrase=pw)
    out.append(("unlock 50,000 audits (vs key derivation)", r.get("s"), r.get("base"),
                "within 1.3x", 1.3, None))
    bare = launch(code, "-", pw)
    for label, path in (("empty", empty), ("50,000 audits", dbs["50k"])):
        out.append((f"launch to usable window, {label} (vs bare PySide6)", launch(code, path, pw),
                    bare, "within 2x", 2.0, None))
    r = run_child(code, "list", dbs["10k"], passphrase=pw)
    out.append(("list 10,000: first 200 rows (vs bare query)", r.get("page"), r.get("page_base"),
                "was 23 ms", None, None))
    out.append(("list 10,000: every row (vs bare query)", r.get("all"), r.get("all_base"),
                "was 0.4 s", None, None))
    r = run_child(code, "answer", dbs["10k"], passphrase=pw)
    out.append(("answer save (vs bare upsert + commit)", r.get("s"), r.get("base"),
                "within 2x, < 5 ms", 2.0, 0.005))
    return out


def _verdict(s, base, ratio_target, abs_target) -> str:
    if s is None:
        return "—"
    ok = True
    if ratio_target and base:
        ok = ok and s / base <= ratio_target
    if abs_target:
        ok = ok and s <= abs_target
    return "met" if ok else "NOT MET"


def print_table(title: str, rows: list[tuple], before: list[tuple] | None) -> None:
    print(f"\n{title}")
    head = f"{'measure':<55} | {'today':>9} | {'baseline':>9} | {'ratio':>6} | {'target':<18} |"
    print(head + (f" {'before':>9} | {'ratio':>6} |" if before else "") + " verdict")
    print("-" * len(head))
    earlier = {b[0]: b for b in before or ()}
    for name, s, base, target, rt, at in rows:
        mb = "peak memory" in name
        show = (lambda v: "—" if v is None else f"{v * 1000:.0f} MB") if mb else _fmt
        ratio = f"{s / base:.2f}x" if s and base else "—"
        line = f"{name:<55} | {show(s):>9} | {_fmt(base):>9} | {ratio:>6} | {target:<18} |"
        if before:
            # by name: an older checkout may lack rows (the report rows came with issue 22)
            b = earlier.get(name, (name, None, None))
            bratio = f"{b[1] / b[2]:.2f}x" if b[1] and b[2] else "—"
            line += f" {show(b[1]):>9} | {bratio:>6} |"
        print(line + " " + _verdict(s, base, rt, at))


def scaling(code: Path, dbs: dict[str, str], pw: str) -> list[tuple]:
    table = []
    for key, n in SIZES.items():
        for fmt in ("xlsx", "csv"):
            r = run_child(code, "dataset", dbs[key], fmt, passphrase=pw)
            table.append((n, fmt, r))
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--passphrase", help="of the databases given (default: the benchmarks')")
    ap.add_argument("--before-code", type=Path)
    ap.add_argument("--report-scaling", action="store_true",
                    help="bench_reports.scaling() (the aggregate build at each size) even with --no-scaling")
    ap.add_argument("--no-scaling", action="store_true")
    for key in SIZES:
        ap.add_argument(f"--db{key}")
        ap.add_argument(f"--before-db{key}")
    ap.add_argument("--empty", help="an empty database (made if not given)")
    ap.add_argument("--before-empty", help="an empty database the older checkout can open")
    args = ap.parse_args(argv)
    if args.child:
        measure, *rest = args.child
        print(json.dumps(CHILDREN[measure](rest[0], sys.stdin.read(), *rest[1:])))
        return 0

    sys.path.insert(0, str(ROOT))
    from benchmarks.common import PASSPHRASE, demo_db

    pw = args.passphrase or PASSPHRASE
    dbs = {k: getattr(args, f"db{k}") or str(demo_db(n)) for k, n in SIZES.items()}
    empty = args.empty
    if not empty:
        from audit_tool.store import Database

        empty = str(Path(tempfile.mkdtemp(prefix="issue22-empty-")) / "empty.db")
        Database.create(empty, pw).close()
    print(f"issue 22, {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; code {args.code}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()} (before)")
    before = None
    if args.before_code:
        bdbs = {k: getattr(args, f"before_db{k}") or dbs[k] for k in SIZES}
        before = table_rows(args.before_code, bdbs, args.before_empty or empty, pw)
        print(f"(before measured with {args.before_code}; load now {os.getloadavg()})")
    rows = table_rows(args.code, dbs, empty, pw)
    print_table("The issue's table (today = this checkout; ratio = today / baseline)", rows, before)
    print(f"load average after the table: {os.getloadavg()}")
    if not args.no_scaling:
        print("\nScaling: the analyst dataset (all finalised audits, k-anonymous), each in a fresh process")
        print(f"{'audits':>8} | {'format':<6} | {'time':>9} | {'peak memory':>11}")
        for n, fmt, r in scaling(args.code, dbs, pw):
            what = (r.get("refused") or r.get("error")) if "s" not in r else None
            cells = f"{_fmt(r['s']):>9} | {r['peak_mb']:8.0f} MB" if what is None else what
            print(f"{n:>8,} | {fmt:<6} | {cells}")
    if args.report_scaling or not args.no_scaling:
        try:
            from benchmarks.bench_reports import scaling as report_scaling
        except ImportError:
            print("\n(bench_reports.scaling is not in this checkout)")
        else:
            print("\nScaling: the aggregate build")
            by_size = {n: Path(dbs[k]) for k, n in SIZES.items()}  # the databases given
            for n, build, bare, peak in report_scaling(passphrase=pw, db_for=by_size.__getitem__):
                print(f"{n:>8,} | build {_fmt(build):>9} | bare pass {_fmt(bare):>9} | {peak:6.0f} MB")
    print(f"\nload average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
