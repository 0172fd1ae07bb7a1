"""Notes search (issue 23 item 4): a command, not a test.

    python -m benchmarks.bench_search [--audits 50000] [--n 300]

1. Autosave with and without the search triggers, interleaved in one run on a copy of the
   10,000-audit demo database (the shared cached file is never changed).
2. The 50,000-audit list (tests/ui/bigdb.py, plus four synthetic notes per audit): first
   paint, a keystroke on the existing search, and a keystroke whose words are in notes, to
   the rows matched by the notes being painted (the reader thread's answer included).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "ui")]

from benchmarks.common import PASSPHRASE, demo_db, summary, timings  # noqa: E402

WORDS = ["chronology", "shows", "repeated", "incidents", "plan", "names", "actions", "safety", "visit", "school", "health", "partner", "child", "mother", "worker", "referral", "assessment", "contact", "police"]


def autosave(n: int) -> None:
    from audit_tool import audits
    from audit_tool.filters import AuditFilter
    from audit_tool.records import get_audit
    from audit_tool.selection import list_audits
    from audit_tool.store import Database

    path = Path(tempfile.mkdtemp(prefix="bench-search-")) / "copy.db"
    shutil.copy(demo_db(10_000), path)
    t = time.perf_counter()
    db = Database.open(path, PASSPHRASE)  # runs the search step: the backfill
    print(f"(upgrade with the notes index backfill of 10,000 audits: {time.perf_counter() - t:.1f} s)")
    draft = list_audits(db, AuditFilter(status="draft", checklist_id="safe-together-case-file-audit"), 1)[0]
    d = get_audit(db, draft.id).checklist.definition
    item = next(i for _, i in d.items() if i.scale == "quality" and not i.show_when)
    notes = itertools.cycle(["Chronology shows the pattern (bench).", "Plan names his actions (bench)."])
    levels = itertools.cycle(["3", "4", "5", "2"])
    triggers = db.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'")

    def note() -> None:
        audits.answer(db, draft.id, item.id, note=next(notes))

    def rating() -> None:
        audits.answer(db, draft.id, item.id, rating=next(levels))

    conn = db.conn

    def statement() -> None:  # the SQL alone, no commit: what the triggers add to the CPU
        conn.execute(
            "UPDATE answers SET note = ? WHERE audit_id = ? AND item_id = ?",
            (next(notes), draft.id, item.id),
        )

    def set_triggers(on: bool) -> None:
        with db.conn:
            for name, sql in triggers:
                db.conn.execute(sql if on else f"DROP TRIGGER {name}")

    timings(note, 10)
    timings(rating, 10)
    with_n, without_n, with_r, without_r, with_s, without_s = [], [], [], [], [], []
    for _ in range(max(1, n // 50)):  # interleaved: disk noise on a shared machine hits both
        with_n += timings(note, 50)
        with_r += timings(rating, 50)
        conn.execute("SAVEPOINT bench")
        with_s += timings(statement, 50)
        conn.execute("ROLLBACK TO bench")
        conn.execute("RELEASE bench")
        set_triggers(False)
        without_n += timings(note, 50)
        without_r += timings(rating, 50)
        conn.execute("SAVEPOINT bench")
        without_s += timings(statement, 50)
        conn.execute("ROLLBACK TO bench")
        conn.execute("RELEASE bench")
        set_triggers(True)
    print("Answer save on a 10,000-audit database, same run:")
    a = summary("evidence note, without the search triggers", without_n)
    b = summary("evidence note, with the search triggers", with_n)
    c = summary("rating, without the search triggers", without_r)
    e = summary("rating, with the search triggers", with_r)
    f = summary("note UPDATE alone (no commit), without triggers", without_s)
    g = summary("note UPDATE alone (no commit), with triggers", with_s)
    print(f"  note: +{(b - a) * 1000:.2f} ms ({b / a:.2f}x); rating: +{(e - c) * 1000:.2f} ms ({e / c:.2f}x);"
          f" the UPDATE alone: +{(g - f) * 1000:.3f} ms")
    db.close()


def big_database(n: int) -> Path:
    from bigdb import make

    from audit_tool.store import Database

    path = Path(tempfile.gettempdir()) / f"bench-search-{n}.db"
    if path.exists():
        return path
    t = time.perf_counter()
    make(path, PASSPHRASE, n)
    rng = random.Random(5)
    with Database.open(path, PASSPHRASE) as db, db.conn as conn:
        conn.execute("INSERT INTO meta VALUES ('migrating', 'bench')")  # finalised audits too
        ids = [r[0] for r in conn.execute("SELECT id FROM audits")]
        rows = [
            (aid, f"bench-{k}", " ".join(rng.choice(WORDS) for _ in range(14)) + ".", "2026-01-01")
            for aid in ids for k in range(4)
        ]
        conn.executemany(
            "INSERT INTO answers (audit_id, item_id, note, updated_at) VALUES (?,?,?,?)", rows
        )
        conn.execute("DELETE FROM meta WHERE key = 'migrating'")
    print(f"(made {n:,} audits with {4 * n:,} notes in {time.perf_counter() - t:.1f} s)")
    return path


def rare_word(path: Path) -> None:
    """30 notes with a word no other note has (a name, a place), as most searches are."""
    from audit_tool.store import Database

    with Database.open(path, PASSPHRASE) as db, db.conn as conn:
        if conn.execute("SELECT 1 FROM answers WHERE item_id = 'bench-rare'").fetchone():
            return
        conn.execute("INSERT INTO meta VALUES ('migrating', 'bench')")
        ids = [r[0] for r in conn.execute("SELECT id FROM audits ORDER BY random() LIMIT 30")]
        conn.executemany(
            "INSERT INTO answers (audit_id, item_id, note, updated_at) VALUES (?,?,?,?)",
            [(a, "bench-rare", "The kingfisher visit is recorded.", "2026-01-01") for a in ids],
        )
        conn.execute("DELETE FROM meta WHERE key = 'migrating'")


def gui(n: int, repeats: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bench-search-cfg-")
    from PySide6.QtWidgets import QApplication

    from audit_tool.search import search_notes
    from audit_tool.settings import Settings
    from benchmarks.bench_gui import _paint_waiter, _until
    from ui.main_window import MainWindow
    from ui.session import Session

    path = big_database(n)
    rare_word(path)
    app = QApplication(["bench"])
    session = Session(path)
    session.unlock(PASSPHRASE)
    window = MainWindow(session, Settings(Path(os.environ["XDG_CONFIG_HOME"]) / "s.json"))
    window.resize(1200, 800)
    window.show()
    model, page = window.list_model, window.list_page
    _until(app, lambda: not model.partial and not window.loader.loading(), timeout=120)
    viewport = page.table.viewport()
    painted = _paint_waiter(viewport)
    first, plain, before, notes, query, rare, rare_query = [], [], [], [], [], [], []

    def type_plain(into: list[float]) -> None:
        for text in ("g", "gl", "gle", "glen", "glenm", ""):
            painted.painted = False
            t = time.perf_counter()
            page.search.setText(text)
            viewport.update()
            _until(app, lambda: painted.painted)
            into.append(time.perf_counter() - t)
        _until(app, lambda: not window.loader._search_job)

    def type_notes(texts: tuple[str, ...], into: list[float], queries: list[float]) -> None:
        for text in texts:
            painted.painted = False
            t = time.perf_counter()
            page.search.setText(text)
            _until(app, lambda: model.has_note_matches() and not window.loader._search_job)
            viewport.update()
            _until(app, lambda: painted.painted)
            into.append(time.perf_counter() - t)
            t = time.perf_counter()
            search_notes(session.db, text)
            queries.append(time.perf_counter() - t)

    for _ in range(repeats):
        painted.painted = False
        t = time.perf_counter()
        window.loader.load()
        viewport.update()
        _until(app, lambda: painted.painted)
        first.append(time.perf_counter() - t)
        _until(app, lambda: not model.partial and not window.loader.loading(), timeout=120)
        type_plain(plain)
        page.search.textChanged.disconnect(window.loader.search_notes)  # as before issue 23
        type_plain(before)
        page.search.textChanged.connect(window.loader.search_notes)
        type_notes(("kin", "king", "kingf", "kingfisher"), rare, rare_query)
        page.clear_filters()
        type_notes(("chr", "chro", "chron", "chronology", "chronology sch"), notes, query)
        page.clear_filters()
        app.processEvents()

    def line(label: str, xs: list[float], target: float | None = None) -> None:
        ok = "" if target is None else f"  [{'ok' if max(xs) < target else 'OVER'} < {target * 1000:.0f} ms]"
        print(f"  {label:<46} median {statistics.median(xs) * 1000:7.1f} ms  max {max(xs) * 1000:7.1f} ms"
              f"  (n={len(xs)}){ok}")

    print(f"The list on {model.total():,} audits with {4 * n:,} notes:")
    line("first paint", first, 0.3)
    line("keystroke, existing search, notes not searched", before, 0.05)
    line("keystroke, existing search, notes searched too", plain, 0.05)
    line("keystroke, a word in 30 notes, to rows painted", rare)
    line("  of which the FTS5 query (search_notes)", rare_query)
    line("keystroke, words in half of all notes, painted", notes)
    line("  of which the FTS5 query (search_notes)", query)
    window.close()
    session.lock()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audits", type=int, default=50_000)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", choices=("autosave", "gui"))
    args = ap.parse_args()
    if args.only != "gui":
        autosave(args.n)
    if args.only != "autosave":
        gui(args.audits, args.repeats)


if __name__ == "__main__":
    main()
