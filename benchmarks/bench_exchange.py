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
from audit_tool.exchange.merge import IMPORT_CACHE_KIB
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


def _bare(c, plain: bytes) -> None:
    """The same rows, json.loads + executemany, no checks: the floor for this work."""
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
        [(r["id"], r["name"], r["role"], r["agency"], r["created_at"]) for r in p["reviewers"]],
    )
    drafts = [{**e["audit"], "status": "draft"} for e in p["audits"]]  # answers first, as the core
    tables = [("cases", [{"reference": "", **k} for k in p["cases"]]), ("audits", drafts)]
    for name in ("answers", "history"):
        tables.append(
            (name, [{**r, "audit_id": e["audit"]["id"]} for e in p["audits"] for r in e[name]])
        )
    for table, rows in tables:
        keys = list(rows[0])
        c.executemany(
            f"INSERT INTO {table} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",  # noqa: S608
            [tuple(r[k] for k in keys) for r in rows],
        )
    c.executemany(
        "UPDATE audits SET status = 'finalised' WHERE id = ?",
        [(e["audit"]["id"],) for e in p["audits"] if e["audit"]["status"] == "finalised"],
    )
    c.execute("COMMIT")


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
        # the baseline runs file by file between the real imports, so both meet the same load
        with (
            Database.create(lead_path, PASSPHRASE) as lead,
            Database.create(folder / "bare.db", PASSPHRASE) as bare,
        ):
            bare.conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")  # as the import has
            total = opened = floor = 0.0
            for f in files:
                t = time.perf_counter()
                bundle = read_bundle(f, identities=[secret])
                t1 = time.perf_counter()
                import_bundle(lead, bundle)
                t2 = time.perf_counter()
                opened += t1 - t
                total += t2 - t
                plain = unseal(read_file(f), identities=[secret])
                t3 = time.perf_counter()
                _bare(bare.conn, plain)
                floor += time.perf_counter() - t3
            count = lead.query_one("SELECT count(*) FROM audits")[0]
            print(
                f"  import, all {args.laptops} files into one lead database     {total:8.2f} s   target < 30 s"
            )
            print(f"    of which decrypt + check                       {opened:8.2f} s")
            print(f"    of which merge (one transaction per file)      {total - opened:8.2f} s")
            print(f"  baseline: bare json.loads + executemany, same rows {floor:8.2f} s")
            print(
                f"  ratio merge / baseline                           {(total - opened) / floor:8.2f}x"
            )
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

        plain = unseal(read_file(files[0]), identities=[secret])
        t = time.perf_counter()
        sealed = pyrage.passphrase.encrypt(plain, PASSPHRASE)
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
