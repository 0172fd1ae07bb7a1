"""The one step between exact findings and an anonymised release: cell-key perturbation.

build.aggregate_report gathers the exact findings and, for an anonymised report, the cells
behind them (findings/cells.py: who is behind each figure, as counts and record-key sums);
`perturb_findings` returns the same findings with every published count replaced by its
perturbed value (disclosure/cellkey.py), so the section builders print released figures
without knowing it. No SQL here.

- Counts of audits of 5 or more take the p-table's noise (never below 5). Counts of 1 to 4
  stay as they are in rows and cells the builders hide ('<5'): the small-number rules
  (disclosure/rules.py) still decide on them. The census behind the report's totals takes the
  whole table (1 to 4 become 0 or 5), so a total never moves by exactly one audit.
- Counts of items (rated, meeting, answers on a rating) take the noise of the row for the
  audits they rest on, times the most items one audit adds (cellkey.item_count).
- Shares are worked out by the builders from the perturbed counts; a share whose audits
  meeting (or not meeting) number 1 to 4, or that says all or none of fewer than 10 audits,
  is withheld (disclosure/suppress.py), shown as '–'.
- Intervals: the moments behind each audit-level interval are rescaled to the perturbed
  counts, so an interval is centred on the printed share and gives back nothing exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..disclosure.cellkey import (
    AUDITS,
    ITEMS_MET,
    ITEMS_RATED,
    PTable,
    default_table,
    key_from_sum,
)
from ..disclosure.rules import SUPPRESS_BELOW, Census
from ..disclosure.suppress import suppression_reason
from ..domain import Phase
from ..findings import Comparison, Findings, GroupFinding
from ..findings.aggregate import Bucket
from ..findings.audit_level import AuditLevel
from ..findings.cells import AuditSet, Cell, Cells
from ..findings.clustered import Moments, PairMoments
from ..findings.facts import FactFindings
from ..findings.language import LanguageSummary
from ..findings.over_time import NOT_FINALISED, QuarterRow
from .aggregate import AggregateFindings

CASES_OFFSET = 41  # case files: the key of their audits, shifted (not the audit count's noise)
BUCKET_OFFSET = 211  # answers on one rating: shifted from the theme's items rated


def _noise(count: int, key_sum: int, offset: int, t: PTable) -> int:
    return t.noise(count, (key_sum + offset) % t.parameters.key_range)


def audits_shown(count: int, key_sum: int, t: PTable, whole_table: bool = False) -> int:
    """A count of audits as released. Below SUPPRESS_BELOW it stays (the builders hide it)
    unless `whole_table`: then 1 to 4 become 0 or 5 as the p-table says."""
    if count <= 0 or (count < SUPPRESS_BELOW and not whole_table):
        return count
    return count + t.noise(count, key_from_sum(key_sum, AUDITS, t))


def _items(items: int, audits: int, key_sum: int, per_audit: int, kind: str, t: PTable) -> int:
    if items <= 0 or audits < SUPPRESS_BELOW:
        return items
    # never below SUPPRESS_BELOW: items of 5 or more audits are at least 5, and a step of
    # several items must not print a count that reads as 1 to 4 audits
    return max(SUPPRESS_BELOW, items + max(1, per_audit) * t.noise(audits, key_from_sum(key_sum, kind, t)))


def withheld(c: Cell) -> bool:
    """A share resting on 1 to 4 audits meeting or falling short, or all or none of < 10."""
    return suppression_reason(c.met_audits, c.short_audits, c.audits) is not None


def cell_counts(c: Cell, t: PTable) -> tuple[int, int, int]:
    """(audits, items rated, items meeting) as released. One item per audit (a single item's
    cell): its items are its audits, so they are released as the audit count and its
    audits meeting, as an audit share is (cellkey.audit_share)."""
    if c.per_audit <= 1 and c.rated == c.audits and c.met == c.met_audits:
        audits = audits_shown(c.audits, c.key_sum, t)
        return audits, audits, min(audits, audits_shown(c.met_audits, c.met_key_sum, t))
    rated = _items(c.rated, c.audits, c.key_sum, c.per_audit, ITEMS_RATED, t)
    met = _items(c.met, c.met_audits, c.met_key_sum, c.per_audit, ITEMS_MET, t)
    return audits_shown(c.audits, c.key_sum, t), rated, min(rated, met)


def _group(g: GroupFinding, c: Cell | None, buckets: Mapping, t: PTable) -> GroupFinding:
    if c is None or c.audits < SUPPRESS_BELOW:  # the builders hide the row: nothing to print
        return g
    audits, rated, met = cell_counts(c, t)
    dist = []
    for b in g.distribution:
        bc = buckets.get((g.checklist_id, g.key, b.scale, b.value))
        count = b.count if bc is None else _items(
            b.count, bc.audits, bc.key_sum + BUCKET_OFFSET, bc.per_audit, ITEMS_RATED, t)
        dist.append(Bucket(b.scale, b.value, b.label, count, b.pos))
    return replace(g, audits=audits, rated=rated, meets=met, distribution=tuple(dist),
                   withheld=withheld(c))


def moments(m: Moments, c: Cell | None, t: PTable) -> Moments:
    """Moments rescaled to the released counts: the ratio is the printed share, and the
    interval around it is the exact one's width (no figure behind it is exact)."""
    if c is None or c.audits < SUPPRESS_BELOW:
        return m
    audits, rated, met = cell_counts(c, t)
    sx = rated / m.x if m.x else 0.0
    sy = met / m.y if m.y else 0.0
    return Moments(audits, met, rated, m.yy * sy * sy, m.xy * sx * sy, m.xx * sx * sx,
                   withheld=withheld(c))


def _pair(m: PairMoments, base: Cell | None, post: Cell | None, t: PTable) -> PairMoments:
    """Case-file sums before and after training, each phase rescaled to its released counts."""
    def factors(c: Cell | None, y: float, x: float) -> tuple[float, float]:
        if c is None or c.audits < SUPPRESS_BELOW:
            return 1.0, 1.0
        _, rated, met = cell_counts(c, t)
        return (met / y if y else 0.0), (rated / x if x else 0.0)

    a1, b1 = factors(base, m.y1, m.x1)  # y1, x1
    a2, b2 = factors(post, m.y2, m.x2)
    return PairMoments(
        m.clusters, m.shared, m.y1 * a1, m.x1 * b1, m.y2 * a2, m.x2 * b2,
        m.y1y1 * a1 * a1, m.y1x1 * a1 * b1, m.x1x1 * b1 * b1,
        m.y2y2 * a2 * a2, m.y2x2 * a2 * b2, m.x2x2 * b2 * b2,
        m.y1y2 * a1 * a2, m.y1x2 * a1 * b2, m.x1y2 * b1 * a2, m.x1x2 * b1 * b2,
    )


def _comparison(c: Comparison, cells: Cells, t: PTable) -> Comparison:
    base = cells.theme_phase.get((c.checklist_id, c.key, Phase.BASELINE.value))
    post = cells.theme_phase.get((c.checklist_id, c.key, Phase.POST_TRAINING.value))
    out = c
    for cell, prefix in ((base, "base"), (post, "post")):
        if cell is None or cell.audits < SUPPRESS_BELOW:
            continue
        audits, rated, met = cell_counts(cell, t)
        if withheld(cell):  # no share: no rated items to work one out from
            rated = met = 0
        out = replace(out, **{f"{prefix}_audits": audits, f"{prefix}_rated": rated,
                              f"{prefix}_meets": met})
    return out


def _findings(f: Findings, cells: Cells, t: PTable) -> Findings:
    def groups(gs, where):
        return tuple(_group(g, where.get((g.checklist_id, g.key)), cells.bucket, t) for g in gs)

    return replace(
        f,
        by_theme=groups(f.by_theme, cells.theme),
        by_tag=groups(f.by_tag, cells.tag),
        by_item=groups(f.by_item, cells.item),
        by_area=groups(f.by_area, cells.area),
        by_agency=groups(f.by_agency, cells.agency),
        theme_change=tuple(_comparison(c, cells, t) for c in f.theme_change),
    )


def _level(lv: AuditLevel, cells: Cells, t: PTable) -> AuditLevel:
    def each(d, where):
        return {k: moments(m, where.get(k), t) for k, m in d.items()}

    base, post = Phase.BASELINE.value, Phase.POST_TRAINING.value
    return replace(
        lv,
        theme=each(lv.theme, cells.theme),
        tag=each(lv.tag, cells.tag),
        area_phase=each(lv.area_phase, cells.area_phase),
        agency_phase=each(lv.agency_phase, cells.agency_phase),
        quarter=each(lv.quarter, cells.quarter),
        overall={k: moments(m, cells.overall.get(k), t) for k, m in lv.overall.items()},
        change={k: _pair(m, cells.theme_phase.get((*k, base)), cells.theme_phase.get((*k, post)), t)
                for k, m in lv.change.items()},
        change_overall={k: _pair(m, cells.phase_overall.get((k, base)),
                                 cells.phase_overall.get((k, post)), t)
                        for k, m in lv.change_overall.items()},
        # case files read at both phases: keyed by the checklist's audits, shifted
        shared_cases={k: n if n < SUPPRESS_BELOW else n + _noise(
            n, cells.overall[k].key_sum if k in cells.overall else 0, CASES_OFFSET, t)
            for k, n in lv.shared_cases.items()},
    )


def _census(cen: Census, cells: Cells, t: PTable) -> Census:
    """Every cell of a reported checklist takes the whole table; a checklist with fewer than
    SUPPRESS_BELOW audits stays as it is (the report leaves it out and says '<5')."""
    covered = cen.reported()
    rows = [(cid, phase, status, audits_shown(
                n, cells.census.get((cid, phase, status), AuditSet(n, 0)).key_sum, t, whole_table=True))
            if cid in covered else (cid, phase, status, n)
            for cid, phase, status, n in cen.rows]
    # a reported checklist whose released total fell below SUPPRESS_BELOW keeps its rows:
    # the sections were gathered for it, and its cells below 5 are hidden as '<5'
    low = {c for c in covered if Census(tuple(rows)).by(0).get(c, 0) < SUPPRESS_BELOW}
    return Census(tuple(o if o[0] in low else r for r, o in zip(rows, cen.rows, strict=True)))


def _quarters(rows: dict[str, list[QuarterRow]], cells: Cells, lang: Mapping,
              t: PTable) -> dict[str, list[QuarterRow]]:
    per = list(lang.values()) if lang else []
    most_words = max((w for w, _ in per), default=1)
    most_flags = max((f for _, f in per), default=1)
    out = {}
    for cid, qs in rows.items():
        new = []
        for r in qs:
            q = None if r.quarter == NOT_FINALISED else r.quarter
            s = cells.quarter_audits.get((cid, q), AuditSet(r.audits, 0))
            la = r.language
            if la.clusters >= SUPPRESS_BELOW:
                words = _items(int(la.x), la.clusters, s.key_sum, most_words, ITEMS_RATED, t)
                flags = min(words, _items(int(la.y), la.clusters, s.key_sum, most_flags, ITEMS_MET, t))
                sx, sy = (words / la.x if la.x else 0.0), (flags / la.y if la.y else 0.0)
                la = Moments(la.clusters, flags, words, la.yy * sy * sy, la.xy * sx * sy, la.xx * sx * sx)
            new.append(replace(r, audits=audits_shown(r.audits, s.key_sum, t),
                               rated=moments(r.rated, cells.quarter.get((cid, q)), t), language=la))
        out[cid] = new
    return out


def _language(lang: LanguageSummary | None, cells: Cells, covered: set[str],
              t: PTable) -> LanguageSummary | None:
    """The language table by phase: its audits as a count of audits, its words and flags as
    counts resting on those audits (times the most one audit holds)."""
    if lang is None:
        return None
    most_words = max((w for w, _ in lang.per_audit.values()), default=1)
    most_flags = max((f for _, f in lang.per_audit.values()), default=1)
    rows = []
    for p in lang.by_phase:
        key = sum(s.key_sum for (cid, phase, _), s in cells.census.items()
                  if phase == p.phase and cid in covered)
        words = _items(p.words, p.audits, key, most_words, ITEMS_RATED, t)
        flags = min(words, _items(p.flags, p.flagged_audits, key, most_flags, ITEMS_MET, t))
        rows.append(replace(p, audits=audits_shown(p.audits, key, t), words=words, flags=flags))
    return replace(lang, by_phase=tuple(rows))


def perturb_findings(data: AggregateFindings, cells: Cells,
                     facts: dict[str, tuple[FactFindings, ...]] | None = None,
                     table: PTable | None = None) -> AggregateFindings:
    """The findings an anonymised report prints: every count perturbed (see the module
    notes). `facts`: the fact findings worked out with the record keys (findings/facts.py),
    which replace the exact ones."""
    t = table or default_table()
    covered_key = sum(s.key_sum for (cid, _, _), s in cells.census.items()
                      if cid in data.census.reported())
    cases = data.cases
    if cases >= SUPPRESS_BELOW:
        cases = cases + _noise(cases, covered_key, CASES_OFFSET, t)
    lang = data.language.per_audit if data.language is not None else {}
    return replace(
        data,
        findings=_findings(data.findings, cells, t),
        level=_level(data.level, cells, t),
        census=_census(data.census, cells, t),
        cases=cases,
        quarters=_quarters(data.quarters, cells, lang, t),
        language=_language(data.language, cells, data.census.reported(), t),
        facts=facts if facts is not None else data.facts,
    )


__all__ = ["audits_shown", "cell_counts", "moments", "perturb_findings", "withheld"]
