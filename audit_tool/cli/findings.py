"""Findings and agreement between readers: findings, agreement."""

from __future__ import annotations

import argparse

from ..domain import Status
from ..formatting import percent
from ..jsonout import agreement_to_json, findings_to_json
from .common import Add, add_filters, audit_filter, open_db, plain, print_json


def cmd_findings(args: argparse.Namespace) -> int:
    from ..findings import findings

    with open_db(args) as db:
        f = findings(db, audit_filter(args))
    if args.json:
        print_json(findings_to_json(f))
        return 0
    print(plain(f"{f.audits} audits of {f.cases} cases ({f.filter.describe()})"))
    for g in f.by_theme:
        pct = percent(g.share)
        print(plain(f"  {g.label:<50} {pct:>5} meet the standard ({g.meets}/{g.rated})"))
    return 0


def _coef(e) -> str:
    """'0.52 (0.30, 0.74)': the value and its 95% interval, or a dash when it cannot be worked out."""
    if e is None:
        return "—"
    if e.low is None:
        return f"{e.value:.2f}"
    return f"{e.value:.2f} ({e.low:.2f}, {e.high:.2f})"


def _agreement_line(name: str, files: str, agreed: str, c) -> str:
    return plain(f"{name[:24]:<24} {files:>5} {agreed:>6}  {_coef(c.kappa):<20} "
                  f"{_coef(c.ac):<20} {_coef(c.alpha)}")


def _agreement_group(g, depth: int, name: str, min_files: int) -> list[str]:
    indent = "  " * depth
    if g.nominal is None:
        return [plain(f"{indent + name:<24.24} {g.files:>5}  fewer than {min_files} files: no figures")]
    c = g.nominal
    out = [_agreement_line(indent + name, str(g.files), percent(c.percent.value if c.percent else None), c)]
    if g.weighted is not None:
        out.append(_agreement_line(indent + "  weighted", "", "", g.weighted))
    return out


def cmd_agreement(args: argparse.Namespace) -> int:
    """Agreement between readers of the same case files (double readings)."""
    from ..findings.agreement import MIN_FILES, agreement

    with open_db(args) as db:
        drafts = args.include_drafts or args.status == Status.DRAFT.value
        found = agreement(db, audit_filter(args), finalised_only=not drafts)
    if args.json:
        print_json(agreement_to_json(found))
        return 0
    which = "finalised audits only" if found.finalised_only else "drafts included"
    if not found.checklists:
        print(plain(f"No case files were read by two or more readers in this selection "
                     f"({found.filter.describe()}; {which})."))
        return 0
    print(plain(f"Agreement between readers: {found.files} case file(s) read by two or more "
                 f"readers ({found.filter.describe()}; {which})."))
    for c in found.checklists:
        print(plain(f"\n{c.title} ({c.checklist_id}): {c.files} file(s), {c.readings} readings, "
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


def register(sub, add: Add) -> None:
    p = add("findings", cmd_findings, "share meeting the standard by theme and tag")
    p.add_argument("--json", action="store_true")
    add_filters(p)

    p = add("agreement", cmd_agreement, "agreement between readers who read the same case files")
    p.add_argument("--json", action="store_true")
    p.add_argument("--include-drafts", action="store_true",
                   help="count draft audits too (reports count finalised audits only)")
    add_filters(p)

