"""The analyst dataset for SPSS and Stata (issue 23 item 1): labelled files, and label syntax
for CSV users.

Built from the same `dataset.Dataset` the XLSX and CSV are written from (same audits, same
disclosure rules), laid out the way SPSS and Stata users work: one row per audit, the audits
table's columns first, then one numeric variable per checklist item. Each item variable has

- a variable label: the item's question (cut to Stata's 80 characters in .dta);
- value labels: the scale's levels, coded by their place on the scale (1 = first, the best);
- user-missing codes: -1 "not asked" (hidden because an earlier answer fell short; the
  report counts it as not meeting the standard) and -2, -3... for a rating scale's
  not-applicable levels. SPSS declares -99 thru -1 missing; Stata stores them as .a, .b...

Variable names are the item ids with "-" and "." as "_" (and "q_" before a leading digit);
when the selection holds more than one checklist, each is prefixed by its checklist's
initials (safe-together-case-file-audit: stcfa_pe_03), since item ids repeat across
checklists. An audit that has no row for an item (left unrated, or hidden without effect) is blank
(system-missing). A multiple-choice item becomes one 0/1 variable per option (ITEM_OPTION,
labelled "question: option"; 1 ticked, 0 not ticked, blank when the item has no answer).

.sav and .dta are written with pyreadstat, which needs pandas: both are left out of the
frozen app (with NumPy they added 71 MiB to a trial bundle), so there the native formats are refused with one
line and the CSV with its .sps and .do files is the way. The CSV export also writes the
wide table as FILE_wide.csv with FILE_wide.sps and FILE_wide.do beside it, which read it and
apply every label above.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .dataset_columns import NOT_ASKED
from .errors import InvalidInput
from .fileio import write_atomic

STATS_FORMATS = ("sav", "dta")
NOT_ASKED_CODE = -1
MISSING_RANGE = (-99, -1)  # SPSS: every negative code is user-missing
STATA_LABEL = 80  # Stata's limit for a variable label
SPSS_LABEL = 255
STATA_STR = 2045  # longest str# in a .dta (strL is not written)
NATIVE_UNAVAILABLE = (
    "SPSS (.sav) and Stata (.dta) files are written by the Python install of the tool only "
    "(the standalone app leaves out the library they need): export CSV instead; its "
    "_wide.sps and _wide.do files give SPSS and Stata every label."
)
Progress = Callable[[float], None] | None

# the audits table's columns (Dataset.audit_columns()) that are whole numbers
_INT_COLUMNS = {"small_group", "answered"}


@dataclass
class Variable:
    """One item's variable: name, label, codes of its rating values and their labels."""

    name: str
    question: str
    codes: dict[str, int] = field(default_factory=dict)  # rating value -> code
    labels: dict[int, str] = field(default_factory=dict)  # code -> label
    option: str = ""  # a multiple-choice option's 0/1 variable: the option's value


@dataclass
class Wide:
    """The wide table: columns (name, label, kind) and one row per audit."""

    columns: list[tuple[str, str, str]]  # kind: "text", "int" or "item"
    rows: list[list[Any]]
    variables: dict[str, Variable]  # by name, item columns only
    notes: list[str]

    def value_labels(self) -> dict[str, dict[int, str]]:
        out = {v.name: dict(sorted(v.labels.items())) for v in self.variables.values()}
        out["small_group"] = {0: "as recorded", 1: "coarsened, suppressed or shown as 'Other'"}
        return out

    def missing_codes(self, name: str) -> list[int]:
        return sorted((c for c in self.variables[name].labels if c < 0), reverse=True)


def _stata_letter(code: int) -> str:
    return chr(ord("a") - code - 1)  # -1 -> a, -2 -> b ...


_NAME_BAD = re.compile(r"[^A-Za-z0-9_]")


def checklist_prefix(checklist_id: str) -> str:
    """safe-together-case-file-audit -> stcfa: put before item ids when the selection holds
    audits of more than one checklist (their item ids overlap)."""
    return "".join(w[0] for w in re.split(r"[-_.]+", checklist_id) if w)


_MAX_NAME = 28


def _var_name(item_id: str, taken: set[str]) -> str:
    """A name SPSS and Stata both accept: letters, digits, _; starts with a letter; at
    most 28 characters; unique (case-insensitively, as SPSS compares them)."""
    base = _NAME_BAD.sub("_", item_id)
    if not base[:1].isalpha():
        base = "q_" + base
    # 28, not 32: pyreadstat names a Stata value-label set after its variable plus a running
    # count ("name" + "123"), and that name too must fit in 32 characters.
    base = base[:_MAX_NAME]
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[: _MAX_NAME - len(str(n)) - 1]}_{n}"
    taken.add(name.lower())
    return name


def build_wide(ds: Any) -> Wide:
    """The wide table of a `dataset.Dataset`: audits' columns, then one variable per item
    (in the order the answers list them, which is the checklist's order)."""

    audit_columns = ds.audit_columns()  # area and agency in a Restricted file only
    taken = {c[0].lower() for c in audit_columns}
    at = [c[0] for c in audit_columns].index("checklist_id")
    table = ds.table()  # dataset_answers.AnswerTable: rows as codes of distinct (item, rating)
    # each pair's first row (a dict of the rows reversed keeps the first): pairs are numbered
    # in the order first met, so their keys in code order are the keys in the answers' order
    first = dict(zip(reversed(table.pair), reversed(table.audit), strict=True))
    sha_checklist: dict[str, str] = {}
    for code, ((sha, _item), _rating) in enumerate(table.pairs):
        if code in first:
            sha_checklist.setdefault(sha, ds.audits[first[code]][at])
    several = len(set(sha_checklist.values())) > 1
    by_key: dict[tuple[str, str], Variable] = {}
    ticks: dict[tuple[str, str], dict[str, Variable]] = {}  # multiple choice: option -> 0/1
    variables: list[Variable] = []
    for sha, item in dict.fromkeys(k for c, (k, _r) in enumerate(table.pairs) if c in first):
        cid = sha_checklist[sha]
        theme, _title, item_id, question, scale = ds.items[(sha, item)]
        name = f"{checklist_prefix(cid)}_{item_id}" if several else item_id
        options = getattr(ds, "options", {}).get((sha, scale))
        if options is not None:
            per = ticks.setdefault((cid, item_id), {})
            for value, label in options:
                if value not in per:
                    per[value] = Variable(
                        _var_name(f"{name}_{value}", taken), f"{question}: {label}",
                        labels={0: "not ticked", 1: "ticked"}, option=value,
                    )
                    variables.append(per[value])
            continue
        var = by_key.get((cid, item_id))
        if var is None:
            var = by_key[(cid, item_id)] = Variable(_var_name(name, taken), question)
            variables.append(var)
        _add_levels(var, ds, sha, scale)
    columns = [(c[0], c[1], "int" if c[0] in _INT_COLUMNS else "text") for c in audit_columns]
    columns += [(v.name, v.question, "item") for v in variables]
    notes_on = ds.free_text
    if notes_on:
        columns += [(f"{v.name[:27]}_note", f"Evidence note: {v.question}", "text") for v in variables]
    rows = [[*a] + [None] * (len(columns) - len(a)) for a in ds.audits]
    position = {id(v): len(audit_columns) + i for i, v in enumerate(variables)}
    # what each distinct (item, rating) puts in an audit's row, worked out once: a value in
    # its column; a multiple-choice option: 0 in every option's column still blank, then 1 in
    # its own; the note goes in the column after the item's (the first option's)
    zeros: list[list[int]] = []
    sets: list[tuple[int | None, int | None, int]] = []  # (column or None, value, note column)
    for (sha, item), rating in table.pairs:
        key = (sha_checklist.get(sha), ds.items[(sha, item)][2])
        if key in ticks:
            options = ticks[key]
            zeros.append([position[id(opt)] for opt in options.values()])
            col = position[id(next(iter(options.values())))]
            own = position[id(options[rating])] if rating in options else None
            sets.append((own, 1, col + len(variables)))
        else:
            var = by_key[key]
            zeros.append([])
            sets.append((position[id(var)], var.codes.get(rating), position[id(var)] + len(variables)))
    notes = table.notes
    for ix, code, *note in table.codes():
        row = rows[ix]
        for c in zeros[code]:
            if row[c] is None:
                row[c] = 0
        col, value, note_col = sets[code]
        if col is not None:
            row[col] = value
        if notes_on:
            row[note_col] = notes[note[0]] if note else None
    return Wide(columns, rows, {v.name: v for v in variables}, list(ds.notes))


def _add_levels(var: Variable, ds: Any, sha: str, scale: str) -> None:
    """Codes of a scale's levels: their place (1 = best); -1 not asked; -2, -3... a rating
    scale's levels left out of the share (not applicable). A second version of the checklist
    that moved a level keeps the first code and gets a free one for a new level."""
    levels = [(v, lv) for (s, sc, v), lv in ds.levels.items() if s == sha and sc == scale]
    rating = any(lv[2] is not None for _v, lv in levels)
    for value, (label, order, meets) in sorted(levels, key=lambda x: x[1][1]):
        if value in var.codes:
            continue
        if value == NOT_ASKED:
            code = NOT_ASKED_CODE
        elif rating and meets is None:
            code = min([c for c in var.labels if c < 0] + [NOT_ASKED_CODE]) - 1
        else:
            code = order if order not in var.labels else max(var.labels) + 1
        var.codes[value], var.labels[code] = code, label
    if rating and NOT_ASKED not in var.codes:
        var.codes[NOT_ASKED] = NOT_ASKED_CODE
        var.labels[NOT_ASKED_CODE] = "Not asked: an earlier answer fell short (counts as not met)"


# -- native files ---------------------------------------------------------------------------------


def _pyreadstat():
    try:
        import pandas  # noqa: F401  (pyreadstat writes pandas frames)
        import pyreadstat
    except ImportError:
        raise InvalidInput(NATIVE_UNAVAILABLE) from None
    return pyreadstat


def require_native() -> None:
    """Raise InvalidInput (one line: use CSV) where .sav and .dta cannot be written."""
    _pyreadstat()


def native_available() -> bool:
    """Whether .sav and .dta can be written here (not in the frozen app)."""
    try:
        _pyreadstat()
    except InvalidInput:
        return False
    return True


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame(wide: Wide, stata: bool):
    import pandas as pd

    data: dict[str, Any] = {}
    for i, (name, _label, kind) in enumerate(wide.columns):
        values = [r[i] for r in wide.rows]
        if kind == "text":
            values = ["" if v is None else _cut(str(v), STATA_STR) if stata else str(v) for v in values]
            data[name] = pd.Series(values, dtype=object)
        elif kind == "item" and stata:
            # Stata's user-missing values are .a, .b...: written as the letters
            data[name] = pd.Series(
                [_stata_letter(v) if v is not None and v < 0 else v for v in values], dtype=object
            )
        else:
            data[name] = pd.Series([float("nan") if v is None else v for v in values], dtype=float)
    return pd.DataFrame(data)


def write_native(ds: Any, fmt: str, out: Path, progress: Progress = None) -> list[Path]:
    """Write `ds` as one .sav or .dta file, atomically; returns [the file]."""
    reader = _pyreadstat()
    wide = build_wide(ds)
    if progress:
        progress(0.3)
    stata = fmt == "dta"
    frame = _frame(wide, stata)
    items = [n for n, _l, k in wide.columns if k == "item"]
    limit = STATA_LABEL if stata else SPSS_LABEL
    labels = {n: _cut(label, limit) for n, label, _k in wide.columns}
    title = _cut(f"Case file audit dataset: {ds.selection}", 80 if stata else 64)
    values = wide.value_labels()
    out = Path(out).expanduser()
    # pyreadstat writes to a path: a private folder beside the target (never the system temp
    # folder: the rows are about people), its bytes then swapped in by write_atomic
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder {out.parent} does not exist.")
    scratch = Path(tempfile.mkdtemp(prefix=".dataset.", dir=out.parent))
    try:
        part = scratch / f"data.{fmt}"
        if stata:
            letters = {n: [_stata_letter(c) for c in wide.missing_codes(n)] for n in items}
            for n in items:
                values[n] = {
                    (_stata_letter(c) if c < 0 else c): lab for c, lab in values[n].items()
                }
            reader.write_dta(
                frame, str(part), file_label=title, column_labels=labels,
                variable_value_labels=values, missing_user_values={k: v for k, v in letters.items() if v},
            )
        else:
            lo, hi = MISSING_RANGE
            reader.write_sav(
                frame, str(part), file_label=title, column_labels=labels,
                note=[ln for n in wide.notes for ln in textwrap.wrap(n, 80)],  # SPSS: 80 a line
                variable_value_labels=values,
                missing_ranges={n: [{"lo": lo, "hi": hi}] for n in items if wide.missing_codes(n)},
                variable_measure={
                    n: "nominal" if wide.variables[n].option else "ordinal" for n in items
                },
            )
        if progress:
            progress(0.8)

        def copy(f: BinaryIO) -> None:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, f)

        written = [write_atomic(out, copy)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if progress:
        progress(1.0)
    return written


# -- CSV with SPSS syntax and a Stata do-file ----------------------------------------------------


def syntax_paths(out: Path) -> list[Path]:
    """FILE.csv -> FILE_wide.csv, FILE_wide.sps, FILE_wide.do."""
    return [out.with_name(f"{out.stem}_wide.{ext}") for ext in ("csv", "sps", "do")]


def write_syntax(ds: Any, out: Path, cell: Callable[[Any], Any]) -> list[Path]:
    """Beside a CSV export: the wide table as CSV, and the SPSS syntax and Stata do-file that
    read it and label it. `cell` is the CSV writer's cell rule (formula guard)."""
    wide = build_wide(ds)
    data, sps, do = syntax_paths(Path(out).expanduser())

    # only text can look like a formula; csv.writer writes None as nothing, as cell() does
    texts = [i for i, c in enumerate(wide.columns) if c[2] == "text"]

    def write_csv(f: BinaryIO) -> None:
        text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
        w = csv.writer(text)
        w.writerow([c[0] for c in wide.columns])
        for start in range(0, len(wide.rows), 500):
            rows = [list(r) for r in wide.rows[start : start + 500]]
            for row in rows:
                for i in texts:
                    row[i] = cell(row[i])
            w.writerows(rows)
        text.flush()
        text.detach()

    return [
        write_atomic(data, write_csv),
        write_atomic(sps, lambda f: f.write(spss_syntax(wide, data.name).encode("utf-8"))),
        write_atomic(do, lambda f: f.write(stata_do(wide, data.name).encode("utf-8"))),
    ]


def _widths(wide: Wide) -> list[int]:
    out = []
    for i, (_n, _l, kind) in enumerate(wide.columns):
        if kind != "text":
            out.append(0)
            continue
        longest = max((len(str(r[i]).encode("utf-8")) for r in wide.rows if r[i] is not None), default=1)
        out.append(max(1, longest + 1))  # +1: a formula-guarded cell gains a '
    return out


def _sq(text: str) -> str:
    return "'" + text.replace("'", "''").replace("\n", " ") + "'"


def spss_syntax(wide: Wide, csv_name: str) -> str:
    """SPSS (and PSPP) syntax: read the wide CSV from the syntax file's folder, label it."""
    widths = _widths(wide)
    spec = [
        f"  {n} {'A' + str(w) if kind == 'text' else 'F8.0'}"
        for (n, _l, kind), w in zip(wide.columns, widths, strict=True)
    ]
    lines = [
        "* Encoding: UTF-8.",
        "* Case file audit analyst dataset, one row per audit: reads the CSV beside this file.",
        "* Run it from this folder (File > Open > Syntax, then Run > All).",
        *[f"* {n}" for n in wide.notes],
        "GET DATA /TYPE=TXT",
        f"  /FILE={_sq(csv_name)}",
        "  /ENCODING='UTF8'",
        "  /ARRANGEMENT=DELIMITED",
        "  /DELCASE=LINE",
        "  /FIRSTCASE=2",
        "  /DELIMITERS=','",
        "  /QUALIFIER='\"'",
        "  /VARIABLES=",
        *spec,
        ".",
        "VARIABLE LABELS",
        "  " + "\n  /".join(f"{n} {_sq(_cut(label, SPSS_LABEL))}" for n, label, _k in wide.columns),
        ".",
        "VALUE LABELS",
        "  "
        + "\n  /".join(
            f"{n} " + " ".join(f"{c} {_sq(lab)}" for c, lab in labels.items())
            for n, labels in wide.value_labels().items()
        ),
        ".",
    ]
    missing = [n for n in wide.variables if wide.missing_codes(n)]
    if missing:
        lines += [f"MISSING VALUES {' '.join(missing)} ({MISSING_RANGE[0]} THRU {MISSING_RANGE[1]})."]
    lines += ["EXECUTE.", ""]
    return "\n".join(lines)


def _dq(text: str) -> str:
    """A Stata compound-quoted string: any character but a newline is safe inside."""
    return '`"' + text.replace("\n", " ").replace("\r", " ") + "\"'"


def stata_do(wide: Wide, csv_name: str) -> str:
    """A Stata do-file: import the wide CSV from the current folder and label it."""
    text_cols = [n for n, _l, k in wide.columns if k == "text"]
    lines = [
        "* Case file audit analyst dataset, one row per audit: reads the CSV beside this file.",
        "* cd to this folder, then: do " + csv_name.rsplit(".", 1)[0] + ".do",
        *[f"* {n}" for n in wide.notes],
        "version 14",
        f'import delimited using "{csv_name}", varnames(1) encoding("utf-8") '
        f"bindquote(strict) stringcols({' '.join(map(str, _positions(wide, text_cols)))}) clear",
    ]
    for name, label, _k in wide.columns:
        lines.append(f"label variable {name} {_dq(_cut(label, STATA_LABEL))}")
    for n, (name, labels) in enumerate(wide.value_labels().items(), 1):
        pairs = " ".join(
            f"{'.' + _stata_letter(c) if c < 0 else c} {_dq(lab)}" for c, lab in labels.items()
        )
        lab_name = f"lab{n}"  # a label name has at most 32 characters, as a variable's
        lines.append(f"label define {lab_name} {pairs}, replace")
        for c in labels:
            if c < 0:
                lines.append(f"replace {name} = .{_stata_letter(c)} if {name} == {c}")
        lines.append(f"label values {name} {lab_name}")
    lines.append("")
    return "\n".join(lines)


def _positions(wide: Wide, names: list[str]) -> list[int]:
    index = {c[0]: i + 1 for i, c in enumerate(wide.columns)}
    return [index[n] for n in names]
