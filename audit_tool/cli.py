"""The command line: `audit-tool [--db PATH] COMMAND ...` (see README and docs/cli-json.md).

Exit codes: 0 success; 1 a clear one-line error on stderr; 2 wrong usage;
3 wrong passphrase or not an audit database. The passphrase comes from
AUDIT_TOOL_PASSPHRASE or a prompt, never from an argument.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from getpass import getpass
from pathlib import Path

from . import __version__, audits
from .checklists.loader import available, validate_local
from .checklists.local import install_from_spreadsheet
from .checklists.spreadsheet import save_workbook, to_spreadsheet, write_template
from .domain import AuditType, Phase, Status
from .errors import AuditToolError, InvalidInput, NotFound
from .jsonout import audit_to_json, row_to_json
from .passphrase import check as check_passphrase
from .paths import default_db_path, user_checklists_dir
from .selection import AuditFilter, list_audits
from .store import SCHEMA_VERSION, Database
from .store.connection import check_writable

PASS_ENV = "AUDIT_TOOL_PASSPHRASE"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit code 2 with a one-line message
        self.exit(2, f"{self.prog}: {message}\n")


def _passphrase(prompt: str = "Passphrase: ") -> str:
    env = os.environ.get(PASS_ENV)
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise InvalidInput(f"No passphrase: set {PASS_ENV} or run in a terminal to be asked.")
    return getpass(prompt)


def _new_passphrase(env_name: str = PASS_ENV) -> str:
    """A new passphrase from the environment or typed twice at a prompt."""
    env = os.environ.get(env_name)
    if env is not None:
        return check_passphrase(env)
    if not sys.stdin.isatty():
        raise InvalidInput(f"No new passphrase: set {env_name} or run in a terminal to be asked.")
    first = check_passphrase(getpass("New passphrase (at least 15 characters; three or four random words): "))
    if check_passphrase(getpass("Type it again: ")) != first:
        raise InvalidInput("The two passphrases do not match; nothing was changed.")
    return first


def _open(args: argparse.Namespace) -> Database:
    db = Database.open(args.db, _passphrase())
    if db.read_only_notice:  # said once, on stderr: stdout stays what scripts parse
        print(f"audit-tool: {db.read_only_notice}", file=sys.stderr)
    return db


# Control characters (ESC, BEL, CR, the C1 CSI...) and bidi overrides in stored text could
# recolour, retitle or rewrite the terminal; plain output shows them as escapes instead.
# Newline and tab are kept. JSON output is escaped by json itself.
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SHOWN = {
    c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}")
    for c in (*range(0x20), *range(0x7F, 0xA0), *_BIDI)
    if c not in (0x09, 0x0A)
}


def _plain(text: object) -> str:
    """`text` safe to print to a terminal: control characters shown as e.g. \\x1b."""
    return str(text).translate(_SHOWN)


def _not_text(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse an argument that is not valid text (undecodable bytes, a lone surrogate):
    it could never be stored. File paths are exempt: such names are valid on Linux."""
    for dest, value in vars(args).items():
        if isinstance(value, str) and not _encodes(value):
            name = _option_names(parser).get(dest, dest)
            raise InvalidInput(f"{name} contains characters that are not valid text (invalid UTF-8).")


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _option_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """dest -> what the user typed (--from for date_from, audit_id for a positional)."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names.update(_option_names(sub))
        elif action.option_strings:
            names[action.dest] = max(action.option_strings, key=len)
        else:
            names[action.dest] = action.dest
    return names


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _iso_date(text: str) -> str:
    """--from/--to: a calendar date, YYYY-MM-DD."""
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-31") from None


def _filter(args: argparse.Namespace) -> AuditFilter:
    return AuditFilter(
        area=getattr(args, "area", None),
        agency=getattr(args, "agency", None),
        checklist_id=getattr(args, "checklist", None),
        phase=getattr(args, "phase", None),
        audit_type=getattr(args, "type", None),
        status=getattr(args, "status", None),
        date_from=getattr(args, "date_from", None),
        date_to=getattr(args, "date_to", None),
    )


# -- commands ------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    db = Database.create(args.db, _new_passphrase())
    audits.local_reviewer(db)
    db.close()
    print(f"Created an encrypted audit database at {args.db}")
    print("Keep the passphrase safe: nobody can recover it or the records without it.")
    return 0


def cmd_checklists(args: argparse.Namespace) -> int:
    items, problems = available()
    if args.json:
        _print_json([
            {"id": c.id, "version": c.version, "title": c.title, "items": c.definition.item_count(),
             "origin": c.origin, "sha256": c.sha256}
            for c in items
        ])
    else:
        width = max(len(c.id) for c in items)
        for c in items:
            print(_plain(f"{c.id:<{width}}  {c.version:<6} {c.definition.item_count():>3} items  {c.title}"))
        print(f"\nLocal checklists folder: {user_checklists_dir()}")
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    return 0


def cmd_checklist_validate(args: argparse.Namespace) -> int:
    c = validate_local(args.file)
    d = c.definition
    print(f"{args.file}: valid. {d.id} version {d.version}, {len(d.themes)} themes, "
          f"{d.item_count()} items, sha256 {c.sha256[:12]}")
    return 0


def cmd_checklist_import(args: argparse.Namespace) -> int:
    plan = install_from_spreadsheet(args.file, args.out, force=args.force)
    d = plan.checklist.definition
    print(f"Wrote {plan.out}: {d.id} version {d.version}, {len(d.themes)} themes, {d.item_count()} items")
    return 0


def cmd_checklist_export(args: argparse.Namespace) -> int:
    items, _ = available()
    c = next((x for x in items if x.id == args.id), None)
    if c is None:
        raise NotFound(f"no checklist with id '{args.id}' (see `audit-tool checklists`)")
    _save_workbook(args.out, args.force, lambda path: to_spreadsheet(c.definition, path))
    print(f"Wrote {args.out}: {c.id} version {c.version}, {c.definition.item_count()} items")
    return 0


def cmd_checklist_template(args: argparse.Namespace) -> int:
    _save_workbook(args.out, args.force, write_template)
    print(f"Wrote {args.out}: fill it in, then run `audit-tool checklist import {args.out}`")
    return 0


def _save_workbook(out: Path, force: bool, write: Callable[[Path], None]) -> None:
    save_workbook(out, write, force)


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import generate

    if args.audits < 1 or args.audits > 1_000_000:
        raise InvalidInput("--audits must be between 1 and 1,000,000.")
    if Path(args.db).exists():
        db = _open(args)
    else:
        db = Database.create(args.db, _new_passphrase())
        print(f"Created an encrypted audit database at {args.db}", file=sys.stderr)
    with db:
        def show(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\r{done:,} of {total:,} fictional audits", end="", file=sys.stderr, flush=True)

        n = generate(db, args.audits, args.seed, show)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    print(f"Added {n:,} fictional demo audits (seed {args.seed}).")
    return 0


def cmd_reviewer(args: argparse.Namespace) -> int:
    with _open(args) as db:
        if args.name or args.role is not None or args.agency is not None:
            me = audits.local_reviewer(db)
            me = audits.set_local_reviewer(
                db, args.name or me.name,
                me.role if args.role is None else args.role,
                me.agency if args.agency is None else args.agency,
            )
        else:
            me = audits.local_reviewer(db)
    print(_plain(f"{me.name}, {me.role or 'no role set'}, {me.agency or 'no agency set'}"))
    return 0


def cmd_case_add(args: argparse.Namespace) -> int:
    with _open(args) as db:
        case = audits.add_case(db, args.ref, args.area, args.agency or "", args.team or "")
    print(case.id)
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    with _open(args) as db:
        cases = audits.list_cases(db)
    if args.json:
        _print_json([c.__dict__ for c in cases])
    else:
        for c in cases:
            print(_plain(f"{c.id}  {c.pseudonym}  {c.reference}  {c.area}  {c.agency}"))
    return 0


def cmd_audit_new(args: argparse.Namespace) -> int:
    with _open(args) as db:
        audit_id = audits.new_audit(db, args.case, args.checklist, args.type, args.phase)
    print(audit_id)
    return 0


def cmd_audit_answer(args: argparse.Namespace) -> int:
    if args.rating is None and args.note is None:
        raise UsageError("give --rating and/or --note")
    with _open(args) as db:
        rating = audits.UNSET if args.rating is None else (None if args.rating == "" else args.rating)
        note = audits.UNSET if args.note is None else args.note
        change = audits.answer(db, args.audit_id, args.item_id, rating, note)
    extra = ""
    if change.shown:
        extra += f"; now shown: {', '.join(change.shown)}"
    if change.hidden:
        extra += f"; now hidden: {', '.join(change.hidden)}"
    print(f"Saved {args.item_id}{extra}" if change.changed else f"{args.item_id} unchanged")
    return 0


def cmd_audit_finalise(args: argparse.Namespace) -> int:
    with _open(args) as db:
        audits.finalise(db, args.audit_id)
    print("Finalised: the audit is now read-only.")
    return 0


def cmd_audit_amend(args: argparse.Namespace) -> int:
    with _open(args) as db:
        audits.amend(db, args.audit_id, args.reason)
    print("Reopened for amendment; the reason is in the history.")
    return 0


def cmd_audit_delete(args: argparse.Namespace) -> int:
    with _open(args) as db:
        audits.delete_draft(db, args.audit_id)
    print("Draft deleted.")
    return 0


def cmd_audit_show(args: argparse.Namespace) -> int:
    with _open(args) as db:
        audit = audits.get_audit(db, args.audit_id)
    data = audit_to_json(audit)
    if args.json:
        _print_json(data)
        return 0
    print(_plain(f"{data['checklist']['title']} (version {data['checklist']['version']})"))
    print(_plain(f"Case {audit.case.reference} [{audit.case.pseudonym}], {audit.case.area}"))
    print(_plain(f"{audit.audit_type.label}, {audit.phase.label}, {audits.status_text(audit)}; "
          f"{data['progress']['answered']} of {data['progress']['applicable']} items answered"))
    for theme in data["themes"]:
        print(_plain(f"\n{theme['title']}"))
        for item in theme["items"]:
            if not item["visible"] and item["counts_as"] != "fails":
                continue
            label = next((lv["label"] for lv in item["levels"] if lv["value"] == item["rating"]), "—")
            if not item["visible"]:  # not asked after a failing answer
                label = "Not asked (counts as not met)"
            req = "*" if item["required"] else " "
            print(_plain(f" {req}{item['id']:<8} {label:<15} {item['text']}"))
            if item["note"]:
                indent = " " * 12
                print(indent + _plain(item["note"]).replace("\n", "\n" + indent))
    return 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    with _open(args) as db:
        rows = list_audits(db, _filter(args), args.limit)
    if args.json:
        _print_json([row_to_json(r) for r in rows])
        return 0
    if not rows:
        print("No audits match.")
    for r in rows:
        print(_plain(f"{r.id}  {r.status:<9} {r.phase:<13} {r.checklist_id:<36} {r.area:<24} "
                     f"{r.answered}/{r.total}  {r.updated_at[:10]}"))
    return 0


def cmd_audit_history(args: argparse.Namespace) -> int:
    with _open(args) as db:
        entries = audits.history(db, args.audit_id, args.item)
    if args.json:
        _print_json([e.__dict__ for e in entries])
        return 0
    for e in entries:
        print(f"{e.at}  {e.who:<20} {e.action:<15} {e.field:<10} {e.old!r} -> {e.new!r}")
    return 0


def cmd_findings(args: argparse.Namespace) -> int:
    from .findings import findings

    with _open(args) as db:
        f = findings(db, _filter(args))

    def share(g) -> float | None:
        return None if g.share is None else round(g.share, 4)

    data = {
        "audits": f.audits,
        "cases": f.cases,
        "filter": f.filter.describe(),
        "by_theme": [
            {"checklist": g.checklist_id, "id": g.key, "title": g.label, "audits": g.audits,
             "rated": g.rated, "meets": g.meets, "share": share(g),
             "distribution": [{"scale": b.scale, "value": b.value, "label": b.label, "count": b.count}
                              for b in g.distribution]}
            for g in f.by_theme
        ],
        "by_tag": [
            {"checklist": g.checklist_id, "id": g.key, "label": g.label, "kind": g.kind,
             "rated": g.rated, "meets": g.meets, "share": share(g)}
            for g in f.by_tag
        ],
        "change": [
            {"checklist": c.checklist_id, "theme": c.key, "baseline": c.base_share,
             "post_training": c.post_share, "difference": c.change and c.change[0],
             "interval95": c.change and [c.change[1], c.change[2]]}
            for c in f.theme_change
        ],
    }
    if args.json:
        _print_json(data)
        return 0
    print(_plain(f"{f.audits} audits of {f.cases} cases ({data['filter']})"))
    for g in f.by_theme:
        pct = "—" if g.share is None else f"{g.share:.0%}"
        print(_plain(f"  {g.label:<50} {pct:>5} meet the standard ({g.meets}/{g.rated})"))
    return 0


def _coef(e) -> str:
    """'0.52 (0.30, 0.74)': the value and its 95% interval, or a dash when it cannot be worked out."""
    if e is None:
        return "—"
    if e.low is None:
        return f"{e.value:.2f}"
    return f"{e.value:.2f} ({e.low:.2f}, {e.high:.2f})"


def _agreement_line(name: str, files: str, agreed: str, c) -> str:
    return _plain(f"{name[:24]:<24} {files:>5} {agreed:>6}  {_coef(c.kappa):<20} "
                  f"{_coef(c.ac):<20} {_coef(c.alpha)}")


def _agreement_group(g, depth: int, name: str, min_files: int) -> list[str]:
    indent = "  " * depth
    if g.nominal is None:
        return [_plain(f"{indent + name:<24.24} {g.files:>5}  fewer than {min_files} files: no figures")]
    c = g.nominal
    out = [_agreement_line(indent + name, str(g.files), f"{c.percent.value:.0%}" if c.percent else "—", c)]
    if g.weighted is not None:
        out.append(_agreement_line(indent + "  weighted", "", "", g.weighted))
    return out


def cmd_agreement(args: argparse.Namespace) -> int:
    """Agreement between readers of the same case files (double readings)."""
    from .findings.agreement import MIN_FILES, agreement, to_json

    with _open(args) as db:
        drafts = args.include_drafts or args.status == Status.DRAFT.value
        found = agreement(db, _filter(args), finalised_only=not drafts)
    if args.json:
        _print_json(to_json(found))
        return 0
    which = "finalised audits only" if found.finalised_only else "drafts included"
    if not found.checklists:
        print(_plain(f"No case files were read by two or more readers in this selection "
                     f"({found.filter.describe()}; {which})."))
        return 0
    print(_plain(f"Agreement between readers: {found.files} case file(s) read by two or more "
                 f"readers ({found.filter.describe()}; {which})."))
    for c in found.checklists:
        print(_plain(f"\n{c.title} ({c.checklist_id}): {c.files} file(s), {c.readings} readings, "
                     f"up to {c.most_readers} readers of a file"))
        print(f"{'':<24} {'Files':>5} {'Agreed':>6}  {'Cohen kappa':<20} {'Gwet AC1 / AC2':<20} "
              "Krippendorff alpha")
        lines = _agreement_group(c.overall, 0, "All items", MIN_FILES)
        for theme in c.themes:
            lines += _agreement_group(theme, 1, theme.label, MIN_FILES)
            for item in (i for i in c.items if i.theme == theme.key):
                lines += _agreement_group(item, 2, item.key, MIN_FILES)
        print("\n".join(lines))
    print("\nEach figure: value (95% interval). Kappa needs every file to have two readers. "
          "'weighted' lines\n(quadratic: weighted kappa, AC2, interval alpha) cover the "
          "six-point quality scale's items only.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_audit, export_report

    def progress(fraction: float) -> None:
        if sys.stderr.isatty():
            print(f"\rExporting… {fraction:.0%}", end="", file=sys.stderr, flush=True)

    if args.what == "dataset":
        return cmd_export_dataset(args)
    with _open(args) as db:
        if args.what == "audit":
            out = export_audit(db, args.audit_id, args.format, args.out, args.include_identifiers, progress)
        else:
            out = export_report(db, _filter(args), args.format, args.out, args.include_identifiers, progress,
                                include_free_text=args.include_free_text)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Wrote {out}")
    return 0


def cmd_export_dataset(args: argparse.Namespace) -> int:
    from .dataset import check_format, export_dataset

    check_format(args.format)  # before the passphrase prompt
    with _open(args) as db:
        written = export_dataset(db, _filter(args), args.format, args.out, args.include_free_text)
    for path in written:
        print(f"Wrote {path}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with _open(args) as db:
        problems = db.integrity_problems()
        version = db.schema_version()
    if problems:
        for p in problems[:20]:
            print(p, file=sys.stderr)
        raise AuditToolError(f"Integrity check failed: {len(problems)} problem(s). Restore from a backup.")
    print(f"OK: encryption and database structure intact; schema version {version} "
          f"(this tool: {SCHEMA_VERSION}).")
    return 0


def cmd_passphrase_change(args: argparse.Namespace) -> int:
    check_writable(Path(args.db))  # before opening: a read-only file is left as it is
    db = _open(args)
    with db:
        db.change_passphrase(_new_passphrase(PASS_ENV + "_NEW"))
    print("Passphrase changed. Use the new one from now on.")
    return 0


def cmd_selftest(args: argparse.Namespace) -> int:
    from .selftest import run

    return run(print)


def cmd_sample_draw(args: argparse.Namespace) -> int:
    """Draw a sample from a case list; create its cases and draft audits (unless --dry-run).
    References reach stdout only with --show-references."""
    from .sampling import Columns, create_sample, draw, eligible_files, read_case_list

    if args.size < 1:
        raise InvalidInput("--size must be at least 1.")
    cols = Columns(args.ref_column, args.area_column, args.agency_column, args.team_column,
                   args.strata)
    caselist = read_case_list(args.list, args.sheet)
    elig = eligible_files(caselist, cols)
    drawn = draw(elig, args.size, args.seed, stratified=bool(args.strata))
    where = caselist.source_name + (f", sheet '{caselist.sheet}'" if caselist.sheet else "")
    print(_plain(f"{where}: {len(caselist.rows):,} rows ({caselist.encoding}"
                 f"{'; ' + str(caselist.empty_rows) + ' blank rows skipped' if caselist.empty_rows else ''})"))
    if elig.excluded:
        print(_plain("Left out: " + ", ".join(f"{n:,} with {r}" for r, n in elig.exclusions.items())))
    print(_plain(f"Sample: {drawn.summary(args.strata)} (seed {args.seed})"))
    if args.show_references:
        for f in drawn.chosen:
            print(_plain(f"  row {f.row}: {f.reference}"))
    if args.dry_run:
        print("Dry run: nothing was created.")
        return 0
    with _open(args) as db:
        made = create_sample(db, caselist, cols, elig, drawn, args.checklist, args.phase)
    print(_plain(f"Created {len(made.case_ids):,} cases with draft audits ({made.sampling.checklist_id}, "
                 f"{made.sampling.phase}); sampling record {made.sampling.id}."))
    return 0


def cmd_sample_list(args: argparse.Namespace) -> int:
    from .sampling import list_samplings

    with _open(args) as db:
        found = list_samplings(db)
    if args.json:
        _print_json([s.__dict__ for s in found])
        return 0
    if not found:
        print("No samples drawn yet.")
    for s in found:
        print(_plain(f"{s.id}  {s.created_at[:10]}  {s.who}  {s.source_name}: {s.describe()}; "
                     f"{s.checklist_id}, {s.phase}, {s.cases} cases"))
    return 0


def cmd_reading_second(args: argparse.Namespace) -> int:
    from .moderation import reviewer_named, start_second_reading

    with _open(args) as db:
        reader = reviewer_named(db, args.reviewer) if args.reviewer else audits.local_reviewer(db)
        new_id = start_second_reading(db, args.audit_id, reader.id)
    print(new_id)
    return 0


def cmd_moderation_start(args: argparse.Namespace) -> int:
    from .moderation import reviewer_named, start_moderation

    with _open(args) as db:
        lead = reviewer_named(db, args.lead) if args.lead else audits.local_reviewer(db)
        mod_id = start_moderation(db, args.audit_ids, lead.id)
    print(mod_id)
    return 0


def cmd_moderation_show(args: argparse.Namespace) -> int:
    from .moderation import get_moderation

    with _open(args) as db:
        m = get_moderation(db, args.moderation_id)
        audit = audits.get_audit(db, args.moderation_id)
    if args.json:
        _print_json({
            "id": m.id, "status": m.status, "lead": m.lead.name,
            "case": audit.case.pseudonym, "checklist": audit.checklist.id, "phase": audit.phase.value,
            "readings": [{"audit_id": r.audit_id, "reviewer": r.reviewer.name, "status": r.status}
                         for r in m.readings],
            "disagreements": m.disagreements,
            "items": [
                {"theme": i.theme_title, "id": i.item_id, "question": i.question,
                 "ratings": list(i.ratings), "labels": list(i.labels), "agreed": i.agreed,
                 "agreed_label": i.agreed_label, "reason": i.reason, "disagree": i.disagree,
                 "needs_reason": i.needs_reason, "applies": i.applies}
                for i in m.items
            ],
        })
        return 0
    print(_plain(f"Moderation of {audit.case.pseudonym}, {audit.checklist.title}, {audit.phase.label}: "
                 f"{audits.status_text(audit)}; lead reader {m.lead.name}"))
    letters = [chr(ord("A") + n) for n in range(len(m.readings))]
    for letter, r in zip(letters, m.readings, strict=True):
        print(_plain(f"  Reading {letter}: {r.reviewer.name} ({r.audit_id}, {r.status})"))
    print(f"{m.disagreements} item(s) where the readings differ (marked DIFFERS)\n")
    for i in m.items:
        side = "  ".join(f"{x}: {lab:<15}" for x, lab in zip(letters, i.labels, strict=True))
        mark = "DIFFERS" if i.disagree else "same   "
        print(_plain(f" {i.item_id:<8} {mark} {side} agreed: {i.agreed_label}"))
        if i.reason:
            print(_plain(f"          reason: {i.reason}"))
        elif i.needs_reason:
            print("          reason: (needed before finalising)")
BUNDLE_PASS_ENV = "AUDIT_TOOL_BUNDLE_PASSPHRASE"


def _bundle_passphrase(new: bool) -> str:
    """The passphrase that protects a bundle file: from the environment or a prompt."""
    env = os.environ.get(BUNDLE_PASS_ENV)
    if env is not None:
        return check_passphrase(env) if new else env
    if not sys.stdin.isatty():
        raise InvalidInput(
            f"No passphrase for the file: set {BUNDLE_PASS_ENV} or run in a terminal to be asked."
        )
    if not new:
        return getpass("Passphrase for the file: ")
    first = check_passphrase(
        getpass("Passphrase for the file (at least 15 characters; tell the receiver another way): ")
    )
    if check_passphrase(getpass("Type it again: ")) != first:
        raise InvalidInput("The two passphrases do not match; no file was written.")
    return first


def cmd_bundle_export(args: argparse.Namespace) -> int:
    from .exchange import export_bundle, read_recipients

    recipients = read_recipients(args.recipients) if args.recipients else None
    passphrase = None if recipients else _bundle_passphrase(new=True)
    with _open(args) as db:
        sent = export_bundle(
            db, args.out, _filter(args), args.include_identifiers, passphrase, recipients
        )
    ids = "with case references" if args.include_identifiers else "without case references"
    print(
        f"Wrote {sent.path}: {sent.audits:,} audits of {sent.cases:,} cases, {ids} (bundle {sent.bundle_id[:8]})"
    )
    return 0


def cmd_bundle_import(args: argparse.Namespace) -> int:
    from .exchange import import_bundle, plan, read_bundle, read_identities

    identities = read_identities(args.identity) if args.identity else None
    passphrase = None if identities else _bundle_passphrase(new=False)
    bundle = read_bundle(args.file, passphrase, identities)
    with _open(args) as db:
        result = plan(db, bundle) if args.dry_run else import_bundle(db, bundle)
    for line in result.lines():
        print(_plain(line))
    for audit_id in result.ids("conflict"):
        print(_plain(f"  conflict: {audit_id}"))
    print("Dry run: nothing was changed." if args.dry_run else "Imported.")
    return 0


def cmd_bundle_keygen(args: argparse.Namespace) -> int:
    from .exchange import keygen

    public = keygen(args.out)
    print(
        f"Wrote a private key to {args.out}: keep it on this laptop. Give senders this public key:"
    )
    print(public)
    return 0


def cmd_bundle_conflicts(args: argparse.Namespace) -> int:
    from .exchange import conflicts

    with _open(args) as db:
        found = conflicts(db)
    if args.json:
        _print_json([c.__dict__ for c in found])
        return 0
    if not found:
        print("No conflicts.")
    for c in found:
        print(
            _plain(
                f"{c.audit_id}  {c.version[:12]}  {c.pseudonym}  {c.area}  {c.checklist}  "
                f"here: {c.local_status}, received: {c.received_status}"
            )
        )
    return 0


def cmd_bundle_resolve(args: argparse.Namespace) -> int:
    from .exchange import resolve

    with _open(args) as db:
        resolve(db, args.audit_id, args.take_received, args.version)
    print("Took the received version." if args.take_received else "Kept this laptop's version.")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    """No command: open the desktop window, through the launcher the caller passed in
    (the core never imports the GUI itself)."""
    if args.open_gui is None:
        raise UsageError("give a command (see --help); `audit-tool` alone or `python main.py` opens the window")
    return args.open_gui([sys.argv[0], "--db", str(args.db)])


# -- parser ----------------------------------------------------------------------------------

def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--area")
    p.add_argument("--agency")
    p.add_argument("--checklist", help="checklist id")
    p.add_argument("--phase", choices=[x.value for x in Phase])
    p.add_argument("--type", choices=[x.value for x in AuditType])
    p.add_argument("--status", choices=[x.value for x in Status])
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", type=_iso_date)
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", type=_iso_date)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="audit-tool", description="Case File Audit Tool (offline, encrypted).")
    parser.add_argument("--db", type=Path, default=None, help="database file (default: user data folder or $AUDIT_TOOL_DB)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def add(name: str, func: Callable, help: str, parent=sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    add("init", cmd_init, "create a new encrypted database")
    p = add("checklists", cmd_checklists, "list checklists: id, version, title, item count")
    p.add_argument("--json", action="store_true")
    cl = sub.add_parser("checklist", help="checklist files: validate, import, export, template").add_subparsers(dest="sub", required=True, parser_class=_Parser)
    p = add("validate", cmd_checklist_validate, "validate a checklist definition file", cl)
    p.add_argument("file", type=Path)
    p = add("import", cmd_checklist_import, "check a checklist spreadsheet (XLSX) and write it as TOML", cl)
    p.add_argument("file", type=Path)
    p.add_argument("--out", type=Path, default=None, help="TOML file (default: the local checklists folder)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p = add("export", cmd_checklist_export, "write a checklist as a spreadsheet (XLSX) to start from", cl)
    p.add_argument("id")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p = add("template", cmd_checklist_template, "write the checklist spreadsheet template (XLSX)", cl)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p = add("demo", cmd_demo, "fill with synthetic, clearly fictional audits")
    p.add_argument("--audits", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)

    p = add("reviewer", cmd_reviewer, "show or set the reviewer profile for this laptop")
    p.add_argument("--name")
    p.add_argument("--role")
    p.add_argument("--agency")

    case = sub.add_parser("case", help="cases").add_subparsers(dest="sub", required=True, parser_class=_Parser)
    p = add("add", cmd_case_add, "add a case; prints its id", case)
    p.add_argument("--ref", required=True, help="local case reference (kept encrypted)")
    p.add_argument("--area", required=True)
    p.add_argument("--agency")
    p.add_argument("--team")
    p = add("list", cmd_case_list, "list cases", case)
    p.add_argument("--json", action="store_true")

    audit = sub.add_parser("audit", help="audits").add_subparsers(dest="sub", required=True, parser_class=_Parser)
    p = add("new", cmd_audit_new, "start an audit; prints its id", audit)
    p.add_argument("--case", required=True)
    p.add_argument("--checklist", required=True)
    p.add_argument("--phase", default=Phase.BASELINE.value, choices=[x.value for x in Phase])
    p.add_argument("--type", choices=[x.value for x in AuditType])
    p = add("answer", cmd_audit_answer, "rate an item and/or record its evidence note", audit)
    p.add_argument("audit_id")
    p.add_argument("item_id")
    p.add_argument("--rating", help="a level value or label; empty to clear")
    p.add_argument("--note")
    p = add("finalise", cmd_audit_finalise, "finalise (read-only from then on)", audit)
    p.add_argument("audit_id")
    p = add("amend", cmd_audit_amend, "reopen a finalised audit, with a reason", audit)
    p.add_argument("audit_id")
    p.add_argument("--reason", required=True)
    p = add("delete", cmd_audit_delete, "delete a draft audit", audit)
    p.add_argument("audit_id")
    p = add("show", cmd_audit_show, "show an audit", audit)
    p.add_argument("audit_id")
    p.add_argument("--json", action="store_true")
    p = add("list", cmd_audit_list, "list audits", audit)
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int)
    _add_filters(p)
    p = add("history", cmd_audit_history, "an audit's change history", audit)
    p.add_argument("audit_id")
    p.add_argument("--item")
    p.add_argument("--json", action="store_true")

    rd = sub.add_parser("reading", help="double reading of a case file").add_subparsers(
        dest="sub", required=True, parser_class=_Parser)
    p = add("second", cmd_reading_second, "start a second, blind reading of an audit's case file "
            "by another reader; prints its id", rd)
    p.add_argument("audit_id")
    p.add_argument("--reviewer", metavar="NAME",
                   help="the second reader (a new profile if nobody has this name; "
                        "default: this laptop's reviewer)")
    md = sub.add_parser("moderation", help="moderate two or more readings of a case file").add_subparsers(
        dest="sub", required=True, parser_class=_Parser)
    p = add("start", cmd_moderation_start, "start a moderation of finalised readings; prints its id "
            "(answer it with `audit answer ... --note REASON`, then `audit finalise`)", md)
    p.add_argument("audit_ids", nargs="+", metavar="AUDIT_ID")
    p.add_argument("--lead", metavar="NAME", help="the lead reader (default: this laptop's reviewer)")
    p = add("show", cmd_moderation_show, "a moderation's items: each reading side by side, "
            "differences marked", md)
    p.add_argument("moderation_id")
    p.add_argument("--json", action="store_true")

    p = add("findings", cmd_findings, "share meeting the standard by theme and tag")
    p.add_argument("--json", action="store_true")
    _add_filters(p)

    p = add("agreement", cmd_agreement, "agreement between readers who read the same case files")
    p.add_argument("--json", action="store_true")
    p.add_argument("--include-drafts", action="store_true",
                   help="count draft audits too (reports count finalised audits only)")
    _add_filters(p)

    exp = sub.add_parser("export", help="DOCX or PDF reports, analyst dataset").add_subparsers(dest="what", required=True, parser_class=_Parser)
    p = add("audit", cmd_export, "one audit", exp)
    p.add_argument("audit_id")
    for q in (p, add("report", cmd_export, "aggregate report for a steering group", exp)):
        q.add_argument("--format", required=True, choices=["pdf", "docx"])
        q.add_argument("--out", required=True, type=Path)
        q.add_argument("--include-identifiers", action="store_true",
                       help="include case references (only for a named recipient)")
    q.add_argument("--include-free-text", action="store_true",
                   help="show recommendation texts recorded in 5 or more audits, references removed "
                        "(read them for names first)")
    _add_filters(q)
    p = add("dataset", cmd_export, "anonymised analyst dataset: answers, audits, codebook", exp)
    p.add_argument("--format", required=True, help="xlsx (one workbook) or csv (a file per table)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--include-free-text", action="store_true",
                   help="add evidence notes, case references removed (read them for names first)")
    _add_filters(p)

    smp = sub.add_parser("sample", help="sample case files from a case list").add_subparsers(
        dest="sub", required=True, parser_class=_Parser)
    p = add("draw", cmd_sample_draw, "draw a sample from a CSV/XLSX case list; create its cases "
            "and draft audits", smp)
    p.add_argument("--list", required=True, type=Path, help="the case list (CSV or XLSX)")
    p.add_argument("--sheet", help="XLSX: the sheet (default: the first)")
    p.add_argument("--ref-column", required=True, help="heading of the case reference column")
    p.add_argument("--area-column", required=True)
    p.add_argument("--agency-column")
    p.add_argument("--team-column")
    p.add_argument("--strata", metavar="COLUMN", help="stratify by this column (e.g. the team)")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--seed", type=int, required=True, help="record it: the same seed draws the same files")
    p.add_argument("--checklist", required=True, help="checklist id for the draft audits")
    p.add_argument("--phase", default=Phase.BASELINE.value, choices=[x.value for x in Phase])
    p.add_argument("--dry-run", action="store_true", help="show the sample; create nothing")
    p.add_argument("--show-references", action="store_true", help="print the drawn references")
    p = add("list", cmd_sample_list, "list sampling records", smp)
    p.add_argument("--json", action="store_true")

    bnd = sub.add_parser(
        "bundle", help="send audits to another laptop in one encrypted file"
    ).add_subparsers(dest="sub", required=True, parser_class=_Parser)
    p = add(
        "export",
        cmd_bundle_export,
        f"write the chosen audits to one encrypted file (passphrase from "
        f"{BUNDLE_PASS_ENV} or a prompt, or --recipients)",
        bnd,
    )
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--recipients", type=Path, help="file of public keys (age1...), one a line")
    p.add_argument(
        "--include-identifiers",
        action="store_true",
        help="include case references (only for a named recipient)",
    )
    _add_filters(p)
    p = add(
        "import", cmd_bundle_import, "merge a received file (shows what it adds and changes)", bnd
    )
    p.add_argument("file", type=Path)
    p.add_argument("--identity", type=Path, help="private key file (from bundle keygen)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p = add(
        "keygen",
        cmd_bundle_keygen,
        "make a key pair for receiving files; prints the public key",
        bnd,
    )
    p.add_argument("--out", required=True, type=Path)
    p = add(
        "conflicts",
        cmd_bundle_conflicts,
        "audits changed here and elsewhere, waiting for a choice",
        bnd,
    )
    p.add_argument("--json", action="store_true")
    p = add(
        "resolve",
        cmd_bundle_resolve,
        "choose between this laptop's version and the received one",
        bnd,
    )
    p.add_argument("audit_id")
    p.add_argument("--version", help="which received version (when more than one waits)")
    way = p.add_mutually_exclusive_group(required=True)
    way.add_argument("--keep-local", dest="take_received", action="store_false")
    way.add_argument("--take-received", dest="take_received", action="store_true")

    add("check", cmd_check, "integrity: encryption, database structure, schema version")
    pw = sub.add_parser("passphrase", help="passphrase").add_subparsers(dest="sub", required=True, parser_class=_Parser)
    add("change", cmd_passphrase_change, f"change the passphrase (new one from {PASS_ENV}_NEW or a prompt)", pw)
    add("selftest", cmd_selftest, "round trip in a temporary encrypted database")
    return parser


def main(
    argv: Sequence[str] | None = None, open_gui: Callable[[list[str]], int] | None = None
) -> int:
    """Run the command line. open_gui starts the window when no command is given."""
    # JSON and names in any script reach a pipe or file intact, whatever the console's code page
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    args.open_gui = open_gui
    if args.db is None:
        args.db = default_db_path()
    func = getattr(args, "func", cmd_gui)
    try:
        _not_text(parser, args)
        return func(args)
    except AuditToolError as exc:
        print(f"audit-tool: {exc}", file=sys.stderr)
        return exc.exit_code
    except UsageError as exc:
        print(f"audit-tool: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `audit list --json | head`: the reader has all it wanted
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stdout must stay open at exit)
        return 0
    except KeyboardInterrupt:
        print("audit-tool: interrupted; everything saved before this point is kept.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line for the user, no traceback
        print(f"audit-tool: unexpected error (please report it): {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("AUDIT_TOOL_DEBUG"):
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())
