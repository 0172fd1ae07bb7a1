"""Many laptops, one picture: 50 bundles from 50 laptops (10,000 audits in all) imported into
one lead database. Target: all 50 imports under 30 s. Also: the same audits sent again change
nothing (findings compared before and after), and a replayed file is refused.

The baseline, in the same run: the same decrypted rows put into a fresh database of the same
schema by bare json.loads + executemany (no checks, no classification, no conflict detection).

    python -m benchmarks.bench_exchange [--laptops 50] [--audits 10000]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import tempfile
import time
from pathlib import Path

import pyrage

from audit_tool.demo import generate
from audit_tool.exchange import BundleRefused, export_bundle, import_bundle, read_bundle
from audit_tool.exchange.crypto import read_file, unseal
from audit_tool.findings import findings
from audit_tool.store import Database

from .common import PASSPHRASE


def _laptops(folder: Path, n: int, per: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = folder / f"laptop{i:02d}.db"
        with Database.create(path, PASSPHRASE) as db:
            generate(db, per, seed=100 + i)
        paths.append(path)
    return paths


def _send_all(laptops: list[Path], folder: Path, public: str, tag: str) -> tuple[list[Path], float]:
    files, spent = [], 0.0
    for i, path in enumerate(laptops):
        with Database.open(path, PASSPHRASE, verify=False) as db:
            t = time.perf_counter()
            out = folder / f"{tag}{i:02d}.age"
            export_bundle(db, out, recipients=[public])
            spent += time.perf_counter() - t
        files.append(out)
    return files, spent


def _bare(lead: Path, plains: list[bytes]) -> float:
    """The same rows, json.loads + executemany, no checks: the floor for this work."""
    with Database.create(lead, PASSPHRASE) as db:
        c = db.conn
        t = time.perf_counter()
        for plain in plains:
            p = json.loads(plain.partition(b"\n")[2])
            c.execute("BEGIN IMMEDIATE")
            c.executemany(
                "INSERT OR IGNORE INTO checklist_defs VALUES (?, ?, ?, ?, ?, '')",
                [
                    (x["sha256"], x["checklist_id"], x["version"], x["title"], x["source"])
                    for x in p["checklists"]
                ],
            )
            c.executemany(
                "INSERT OR IGNORE INTO reviewers VALUES (?, ?, ?, ?, 0, ?)",
                [
                    (r["id"], r["name"], r["role"], r["agency"], r["created_at"])
                    for r in p["reviewers"]
                ],
            )
            drafts = [
                {**e["audit"], "status": "draft"} for e in p["audits"]
            ]  # answers first, as the core
            for table, rows in (("cases", p["cases"]), ("audits", drafts)):
                keys = list(rows[0])
                c.executemany(
                    f"INSERT INTO {table} ({', '.join(keys)}, reference) VALUES "  # noqa: S608
                    f"({', '.join('?' * len(keys))}, '')"
                    if table == "cases"
                    else f"INSERT INTO {table} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
                    [tuple(r[k] for k in keys) for r in rows],
                )
            for name in ("answers", "history"):
                rows = [{**r, "audit_id": e["audit"]["id"]} for e in p["audits"] for r in e[name]]
                keys = list(rows[0])
                c.executemany(
                    f"INSERT INTO {name} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
                    [tuple(r[k] for k in keys) for r in rows],
                )
            c.executemany(
                "UPDATE audits SET status = 'finalised' WHERE id = ?",
                [(e["audit"]["id"],) for e in p["audits"] if e["audit"]["status"] == "finalised"],
            )
            c.execute("COMMIT")
        return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--laptops", type=int, default=50)
    ap.add_argument("--audits", type=int, default=10_000)
    args = ap.parse_args()
    per = args.audits // args.laptops
    folder = Path(tempfile.mkdtemp(prefix="audit-bench-exchange-"))
    try:
        t = time.perf_counter()
        laptops = _laptops(folder, args.laptops, per)
        print(
            f"(made {args.laptops} laptop databases of {per} demo audits in {time.perf_counter() - t:.1f} s)"
        )
        ident = pyrage.x25519.Identity.generate()
        secret, public = str(ident), str(ident.to_public())
        files, sent = _send_all(laptops, folder, public, "first")
        size = sum(f.stat().st_size for f in files)
        print(f"Exchange: {args.laptops} laptops x {per} audits = {args.laptops * per:,} audits")
        print(
            f"  export, all {args.laptops} files (build + seal + write)   {sent:8.2f} s   ({size / 1e6:.1f} MB in all)"
        )

        lead_path = folder / "lead.db"
        with Database.create(lead_path, PASSPHRASE) as lead:
            t = time.perf_counter()
            opened = 0.0
            for f in files:
                t1 = time.perf_counter()
                bundle = read_bundle(f, identities=[secret])
                opened += time.perf_counter() - t1
                import_bundle(lead, bundle)
            total = time.perf_counter() - t
            count = lead.query_one("SELECT count(*) FROM audits")[0]
            print(
                f"  import, all {args.laptops} files into one lead database     {total:8.2f} s   target < 30 s"
            )
            print(f"    of which decrypt + check                       {opened:8.2f} s")
            print(f"    of which merge (one transaction per file)      {total - opened:8.2f} s")
            assert count == args.laptops * per, count
            before = dataclasses.asdict(findings(lead))

            again, _ = _send_all(laptops, folder, public, "again")
            t = time.perf_counter()
            unchanged = 0
            for f in again:
                unchanged += import_bundle(lead, read_bundle(f, identities=[secret])).count(
                    "unchanged"
                )
            re_t = time.perf_counter() - t
            after = dataclasses.asdict(findings(lead))
            print(
                f"  re-import of the same audits (new files)         {re_t:8.2f} s   "
                f"{unchanged:,} of {count:,} unchanged; findings {'unchanged' if after == before else 'CHANGED'}"
            )
            assert unchanged == count and after == before
            assert lead.query_one("SELECT count(*) FROM audits")[0] == count
            try:
                import_bundle(lead, read_bundle(files[0], identities=[secret]))
                print("  replayed file: ACCEPTED (wrong)")
            except BundleRefused as exc:
                print(f"  replayed file: refused ({exc})")

        plains = [unseal(read_file(f), identities=[secret]) for f in files]
        bare = _bare(folder / "bare.db", plains)
        print(f"  baseline: bare json.loads + executemany, same rows {bare:8.2f} s")
        print(f"  ratio merge / baseline                           {(total - opened) / bare:8.2f}x")
        t = time.perf_counter()
        sealed = pyrage.passphrase.encrypt(plains[0], PASSPHRASE)
        enc = time.perf_counter() - t
        t = time.perf_counter()
        pyrage.passphrase.decrypt(sealed, PASSPHRASE)
        print(
            f"  (a passphrase instead of keys adds scrypt: seal {enc:.2f} s, open "
            f"{time.perf_counter() - t:.2f} s per file)"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
