"""The analyst dataset: anonymised, long-format rows for Excel, R or SPSS (issue 11).

One row per rated item ("answers"), one row per audit ("audits") and a "codebook" that says
what every column means and how each scale's levels map to "meets the standard". Written as
one XLSX workbook (a sheet per table) or as three CSV files (UTF-8 with a byte-order mark, so
Excel reads the characters right).

The disclosure rules are the aggregate report's (disclosure/rules.py):
- finalised audits only; drafts are counted and the count is in the codebook;
- a selection that differs from a wider one by 1 to 4 audits is refused, as is a selection of
  1 to 4 audits;
- by default the file carries no area, agency or team (counting its rows by area and phase
  would give back the cells the report hides; dataset_columns.GEOGRAPHY_NOTE) and is
  k-anonymous (disclosure/kanon.py, k = 5) on phase, audit type, checklist and month, which
  are coarsened and locally suppressed until every combination holds at least 5 audits; the
  codebook says how many values were changed. Case pseudonyms are drawn afresh for every
  export, so no key links two exports;
- the unprotected record-level file is a deliberate choice (restricted=True: for a named
  analyst under a data-sharing agreement): it has area and agency, an area or agency with
  fewer than SUPPRESS_BELOW audits is shown as OTHER, keys are stable, and every sheet and
  the file name say "Restricted";
- no case reference, ever (there is no flag for it: this file is for analysts); evidence notes
  only when asked, with every case reference in the database removed;
- months, not dates.

Audits are keyed "<case pseudonym>/<n>", n counting the case's audits in the order they were
created; no internal id leaves the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .dataset_answers import AnswerTable, read_answers
from .dataset_columns import (  # noqa: F401 (OTHER and AUDIT_COLUMNS: tests read them here)
    ANSWER_COLUMNS,
    AUDIT_COLUMNS,
    CODEBOOK_HEADER,
    COMMON_COLUMNS,
    GEOGRAPHY_NOTE,
    NOT_ASKED,
    NOTE_COLUMN,
    OTHER,
    XLSX_MAX_ROWS,
    released,
)
from .dataset_stats import STATS_FORMATS, require_native, write_native, write_syntax
from .dataset_write import Part, Sheet, csv_cell, whole_rows, write_csv, write_xlsx
from .disclosure import kanon
from .disclosure.rules import SUPPRESS_BELOW, DisclosureRisk
from .domain import Status
from .errors import InvalidInput
from .fileio import write_atomic
from .filters import AuditFilter
from .findings.census import refuse_differencing
from .findings.records import all_references
from .progress import Progress
from .reports.redact import Redactor
from .store import Database
from .store.flat import HIDDEN_FAILS

FORMATS = ("xlsx", "csv", *STATS_FORMATS)  # sav, dta: dataset_stats.py


@dataclass
class Dataset:
    """What a writer needs, built from the database on one connection. Answers are kept
    compact (dataset_answers.AnswerTable) and expanded as they are written."""

    selection: str
    audits: list[tuple] = field(default_factory=list)  # rows of the audits sheet
    # the answers rows (dataset_answers.py); a list of (audit index, key, rating, note) will do
    answers: AnswerTable | list = field(default_factory=AnswerTable)
    items: dict[tuple[str, str], tuple] = field(default_factory=dict)  # (sha, item) -> columns
    levels: dict[tuple[str, str, str], tuple] = field(default_factory=dict)  # -> label, pos, meets
    scales: list[tuple] = field(default_factory=list)  # codebook level rows
    notes: list[str] = field(default_factory=list)  # codebook notes
    free_text: bool = False
    restricted: bool = False  # the record-level file: every sheet and the file name say so
    audit_ids: list[str] = field(default_factory=list)  # for the release register only
    # multiple-choice scales: (sha, scale) -> ((option value, label), ...) in the scale's order
    options: dict[tuple[str, str], tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def answer_columns(self) -> list[tuple]:
        return released(ANSWER_COLUMNS, self.restricted) + ([NOTE_COLUMN] if self.free_text else [])

    def audit_columns(self) -> list[tuple]:
        """The audits sheet's columns: area and agency in a Restricted file only."""
        return released(AUDIT_COLUMNS, self.restricted)

    def answer_header(self) -> list[str]:
        return [c[0] for c in self.answer_columns()]

    def table(self) -> AnswerTable:
        """The answers as an AnswerTable (answers given as a list of rows become one)."""
        a = self.answers
        if not isinstance(a, AnswerTable) or (a.note is not None) != self.free_text:
            self.answers = AnswerTable.of(a, self.free_text)
        return self.answers  # type: ignore[return-value]

    def answer_parts(self) -> Iterator[tuple[int, ...]]:
        """Each answers row as the codes of its parts (answer_sheet_parts): the audit, the
        item with its rating, and the note; the writers format each distinct part once."""
        return self.table().codes()

    def answer_sheet_parts(self) -> list[Part]:
        """What the codes of answer_parts() stand for."""
        table = self.table()
        common = len(released(COMMON_COLUMNS, self.restricted))
        audits, items, levels, pairs, notes = self.audits, self.items, self.levels, table.pairs, table.notes

        def rated(code: int) -> tuple:
            key, rating = pairs[code]
            item = items[key]
            label, order, meets = levels.get((key[0], item[4], rating), ("", None, None))
            return (*item, rating, label, order, meets)

        parts = [Part(lambda ix: audits[ix][:common], common, 16),  # an audit's rows come together
                 Part(rated, 9)]
        if self.free_text:
            parts.append(Part(lambda code: (notes[code],), 1, 0))
        return parts

    def answer_rows(self) -> Iterator[list]:
        """Each answers row, its cells' values in the order of answer_header()."""
        parts = self.answer_sheet_parts()
        for codes in self.answer_parts():
            yield [v for part, code in zip(parts, codes, strict=True) for v in part.values(code)]

    def audit_header(self) -> list[str]:
        return [c[0] for c in self.audit_columns()]

    def codebook_rows(self) -> list[list]:
        blank = [None] * 8
        rows: list[list] = []
        for sheet, cols in (("answers", self.answer_columns()), ("audits", self.audit_columns())):
            rows += [["column", sheet, *c, *blank] for c in cols]
        rows += [["scale level", "answers", None, s[8], None, None, *s[:8]] for s in self.scales]
        rows += [["note", None, None, n, None, None, *blank] for n in self.notes]
        return rows

    def parts(self) -> list[Sheet]:
        """The tables, in the order they are written."""
        mark = "Restricted " if self.restricted else ""
        return [
            Sheet(f"{mark}answers", self.answer_header(), self.answer_parts,
                  self.answer_sheet_parts(), len(self.table())),
            whole_rows(f"{mark}audits", self.audit_header(), self.audits),
            whole_rows(f"{mark}codebook", CODEBOOK_HEADER, self.codebook_rows()),
        ]


# -- building ------------------------------------------------------------------------------------


def _finalised_only(db: Database, flt: AuditFilter) -> tuple[AuditFilter, int]:
    """Anonymised outputs describe finalised audits only (as the aggregate report); the
    drafts left out are counted for the codebook."""
    if flt.status == Status.DRAFT.value:
        raise DisclosureRisk(
            "The analyst dataset covers finalised audits only; draft audits are still being "
            "completed. Choose the status Finalised (or all)."
        )
    where, params = replace(flt, status=Status.DRAFT.value).where()
    drafts = db.query_one(
        f"SELECT count(*) FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}", params
    )[0]
    return replace(flt, status=Status.FINALISED.value), drafts


_AUDITS_SQL = """
SELECT a.id, c.pseudonym, c.area, c.agency, a.phase, a.audit_type, a.status, a.checklist_id,
       d.version, d.title, substr(a.created_at, 1, 7),
       (SELECT count(*) FROM audits o WHERE o.case_id = a.case_id
          AND (o.created_at < a.created_at OR (o.created_at = a.created_at AND o.id <= a.id))),
       c.team, a.checklist_sha
FROM audits a
JOIN cases c ON c.id = a.case_id
JOIN checklist_defs d ON d.sha256 = a.checklist_sha
WHERE {where}
ORDER BY c.pseudonym, a.created_at, a.id
"""

def _grouped(values: list[str]) -> dict[str, str]:
    """Each value as shown: OTHER when fewer than SUPPRESS_BELOW have it (blank is kept)."""
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return {v: (OTHER if v and n < SUPPRESS_BELOW else v) for v, n in counts.items()}


def _protected(raw: list[tuple]) -> tuple[list[list | None], kanon.Protected]:
    """The audits sheet's rows, k-anonymous (None: withheld), with fresh pseudonyms. Area,
    agency and team are not in the file, so they are not quasi-identifiers here (a constant
    costs kanon nothing)."""
    qi = [
        {"area": "", "agency": "", "team": "", "phase": r[4], "audit_type": r[5],
         "checklist": f"{r[7]} {r[8]}", kanon.PERIOD: r[10]}
        for r in raw
    ]
    result = kanon.protect(qi)
    fresh = kanon.fresh_pseudonyms(r[1] for r in raw)  # no pseudonym links two exports
    rows: list[list | None] = []
    for r, p in zip(raw, result.rows, strict=True):
        if p is None:
            rows.append(None)
            continue
        changed = int(any(p[v] != q for v, q in (("phase", r[4]), ("audit_type", r[5]),
                                                  (kanon.PERIOD, r[10]))))
        rows.append([f"{fresh[r[1]]}/{r[11]}", fresh[r[1]], changed,
                     p["phase"], p["audit_type"], *r[6:9], r[9], 0, p[kanon.PERIOD]])
    return rows, result


def _restricted(raw: list[tuple]) -> tuple[list[list | None], None]:
    """The record-level rows: area or agency of fewer than SUPPRESS_BELOW audits as OTHER."""
    area, agency = _grouped([r[2] for r in raw]), _grouped([r[3] for r in raw])
    return [
        [f"{r[1]}/{r[11]}", r[1], area[r[2]], agency[r[3]], int(OTHER in (area[r[2]], agency[r[3]])),
         *r[4:9], r[9], 0, r[10]]
        for r in raw
    ], None


def build_dataset(
    db: Database,
    flt: AuditFilter | None = None,
    include_free_text: bool = False,
    restricted: bool = False,
) -> Dataset:
    """The analyst dataset of the finalised audits `flt` selects: k-anonymous by default,
    record-level ("Restricted") only when `restricted`. Raises DisclosureRisk for a
    selection the aggregate report would refuse, or one of 1 to 4 audits."""
    flt, drafts = _finalised_only(db, flt or AuditFilter())
    if not restricted and (flt.area or flt.agency):
        # the anonymised file carries no place (dataset_columns.GEOGRAPHY_NOTE): one chosen by
        # the selection would name it, and its exact phase counts give back the report's
        # hidden area and phase cells
        raise DisclosureRisk(
            "An anonymised dataset cannot be chosen by area or agency: it would name the place "
            "and give back counts the report hides. Clear the area and agency, or export a "
            "restricted dataset for a named analyst.")
    refuse_differencing(db, flt)
    where, params = flt.where()
    raw = db.query(_AUDITS_SQL.format(where=where), params)
    if not raw:
        raise InvalidInput("No finalised audits match this selection; nothing was written.")
    if len(raw) < SUPPRESS_BELOW:
        raise DisclosureRisk(
            f"Only {len(raw)} finalised audits match this selection: rows about fewer than "
            f"{SUPPRESS_BELOW} audits could identify the people in them. Widen the selection."
        )
    ds = Dataset(selection=flt.describe(), free_text=include_free_text, restricted=restricted,
                 answers=AnswerTable(include_free_text))
    rows, protection = _restricted(raw) if restricted else _protected(raw)
    kept = [(r[0], r[-1]) for r, row in zip(raw, rows, strict=True) if row is not None]
    audits = [row for row in rows if row is not None]  # withheld: not in a group of 5
    rank = _load_checklists(db, list(dict.fromkeys(r[-1] for r in raw)), ds)
    del raw, rows
    scrub = Redactor(all_references(db)) if include_free_text else None
    counts = read_answers(db, kept, rank, ds.answers, scrub)
    at = len(ds.audit_columns()) - 2  # the answered column
    for row, n in zip(audits, counts, strict=True):
        row[at] = n
    ds.audits, ds.audit_ids = [tuple(a) for a in audits], [a for a, _sha in kept]
    small = ds.audit_header().index("small_group")
    ds.notes = _notes(flt, drafts, include_free_text, len(ds.audits), sum(r[small] for r in ds.audits),
                      protection)
    return ds


def _load_checklists(db: Database, shas: list[str], ds: Dataset) -> dict[str, dict[str, int]]:
    """Items, levels and scales of the checklists `shas` into `ds`; returns each checklist's
    items with their places (the order of the answers rows)."""
    marks = ",".join("?" * len(shas)) or "NULL"
    rank: dict[str, dict[str, int]] = {sha: {} for sha in shas}
    for sha, item, theme, title, question, scale in db.query(
        f"""SELECT sha256, item_id, theme_id, theme_title, question, scale FROM checklist_items
            WHERE sha256 IN ({marks}) ORDER BY sha256, theme_pos, item_pos""",
        shas,
    ):
        ds.items[(sha, item)] = (theme, title, item, question, scale)
        rank[sha][item] = len(rank[sha])
    for sha, cid, version, scale, value, label, pos, meets in db.query(
        f"""SELECT l.sha256, d.checklist_id, d.version, l.scale, l.value, l.label, l.pos, l.meets
            FROM checklist_levels l JOIN checklist_defs d ON d.sha256 = l.sha256
            WHERE l.sha256 IN ({marks})
            ORDER BY d.checklist_id, d.version, l.scale, l.pos""",
        shas,
    ):
        meaning, anchor = None, None
        if value == HIDDEN_FAILS:  # '-hidden' would read as a formula in a spreadsheet
            value, label = NOT_ASKED, "Not asked: an earlier answer fell short (counts as not met)"
        else:
            sc = db.checklist(sha).definition.scales[scale]
            anchor = sc.level(value).anchor or None  # type: ignore[union-attr]
            if sc.is_multiple:
                ds.options.setdefault((sha, scale), tuple((lv.value, lv.label) for lv in sc.levels))
                meaning = "Option of a multiple-choice item (tick all that apply): one answers " \
                    "row per option ticked; in the wide files a 0/1 variable, 1 ticked, 0 not ticked"
        ds.levels[(sha, scale, value)] = (label, pos + 1, meets)
        ds.scales.append((cid, version, scale, value, label, pos + 1, meets, anchor, meaning))
    return rank


def _notes(
    flt: AuditFilter, drafts: int, free_text: bool, audits: int, small: int,
    protection: kanon.Protected | None = None,
) -> list[str]:
    produced = datetime.now(UTC).strftime("%Y-%m")
    if protection is None:
        disclosure = [
            "RESTRICTED record-level data, for a named analyst under a data-sharing "
            "agreement: not protected against identification. Do not pass it on.",
            f"An area or agency with fewer than {SUPPRESS_BELOW} audits in this selection is "
            f"shown as '{OTHER}' and its rows have small_group = 1 ({small:,} audits here).",
        ]
    else:
        disclosure = [
            GEOGRAPHY_NOTE,
            *protection.codebook_notes(),
            f"small_group = 1 where phase, audit type or period was coarsened "
            f"('{kanon.OTHER}', quarters, years) or suppressed ('{kanon.SUPPRESSED}') "
            f"({small:,} audits here).",
            "Case pseudonyms and audit keys are drawn afresh for every export: they do not "
            "link two exports.",
        ]
    notes = [
        f"Selection: {flt.describe()}. {audits:,} finalised audits; produced {produced}.",
        f"Finalised audits only: {drafts:,} draft audit(s) in the selection were left out.",
        *disclosure,
        "No case references: the tool has no option to include them in this file.",
        "One answers row per item rated, and one (rating 'not_asked', meets 0) per item not "
        "asked because an earlier answer fell short of the standard: the report counts those "
        "as not meeting it. Other hidden items and items left unrated have no row. 'Not "
        "applicable' ratings have a row with meets blank. A multiple-choice item (tick all "
        "that apply) has one row per option ticked, meets blank (a fact, never scored).",
        "CSV text starting with =, +, - or @ has a ' put before it so that a spreadsheet "
        "does not run it as a formula.",
    ]
    notes.append(
        "Evidence notes are included (column note) with case references removed; names and "
        "other details typed in them are NOT removed: read them before sharing."
        if free_text
        else "Free text (evidence notes, summaries, recommendations) is left out."
    )
    return notes


# -- writing ---------------------------------------------------------------------------------------


def export_dataset(
    db: Database,
    flt: AuditFilter,
    fmt: str,
    out: str | Path,
    include_free_text: bool = False,
    progress: Progress | None = None,
    restricted: bool = False,
) -> list[Path]:
    """Build and write the dataset (k-anonymous; record-level and marked "Restricted" only
    when `restricted`); returns the files written."""
    fmt = check_format(fmt)
    ds = build_dataset(db, flt, include_free_text, restricted=restricted)
    return write_dataset(ds, fmt, Path(out), progress)


def restricted_path(out: Path) -> Path:
    """The file name says "Restricted" (added unless it does already)."""
    if "restricted" in out.stem.casefold():
        return out
    return out.with_name(f"{out.stem}_Restricted{out.suffix}")


def check_format(fmt: str) -> str:
    if fmt.lower() not in FORMATS:
        raise InvalidInput(f"Unknown format '{fmt}': use {', '.join(FORMATS)}.")
    if fmt.lower() in STATS_FORMATS:
        require_native()  # the frozen app says so before any work (and any passphrase prompt)
    return fmt.lower()


def csv_paths(out: Path) -> list[Path]:
    """FILE.csv -> FILE_answers.csv, FILE_audits.csv, FILE_codebook.csv."""
    return [out.with_name(f"{out.stem}_{name}.csv") for name in ("answers", "audits", "codebook")]


def write_dataset(ds: Dataset, fmt: str, out: Path, progress: Progress | None = None) -> list[Path]:
    """Write `ds` atomically: one XLSX file, or three CSV files (each swapped in whole)."""
    fmt = check_format(fmt)
    out = Path(out).expanduser()
    if ds.restricted:
        out = restricted_path(out)
    if fmt in STATS_FORMATS:  # SPSS, Stata: one row per audit, labelled (dataset_stats.py)
        return write_native(ds, fmt, out, progress)
    sheets = ds.parts()
    total = max(1, sum(s.count for s in sheets))
    every = max(1, min(5000, total // 100))  # about a hundred reports (a chance to cancel)
    done = [0, every]  # rows written, next report

    def step(n: int) -> None:
        done[0] += n
        if progress and done[0] >= done[1]:
            done[1] = done[0] + every
            progress(min(0.99, done[0] / total))

    if fmt == "xlsx":
        rows = sheets[0].count
        if rows + 1 > XLSX_MAX_ROWS:
            raise InvalidInput(
                f"{rows:,} answer rows do not fit in one Excel sheet "
                f"({XLSX_MAX_ROWS - 1:,} at most); choose CSV or a narrower selection."
            )
        written = [write_atomic(out, lambda f: write_xlsx(sheets, f, step))]
    else:
        written = [
            write_atomic(path, lambda f, s=sheet: write_csv(f, s, step))
            for path, sheet in zip(csv_paths(out), sheets, strict=True)
        ] + write_syntax(ds, out, csv_cell)  # the wide table, .sps and .do beside it
    if progress:
        progress(1.0)
    return written
