"""Checklists written in a spreadsheet: import to validated TOML, export, the template.

Workbooks are real XLSX files written and edited with openpyxl, read back by the importer.
The items sheet of the template has a header on row 1 and ch-01, ch-02, cv-01 on rows 2-4,
in columns A theme_id .. K show_when.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_tool.checklists.loader import bundled, load_file
from audit_tool.checklists.spreadsheet import (
    SpreadsheetError,
    import_xlsx,
    parse_condition,
    template_definition,
    to_spreadsheet,
    toml_string,
    write_template,
)
from audit_tool.errors import ChecklistError

# items sheet columns in the template
THEME_ID, ID, QUESTION, GUIDANCE, SCALE, REQUIRED, SHOW_WHEN = "A", "D", "E", "F", "G", "H", "K"


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.xlsx"
    write_template(path)
    return path


def edited(path: Path, change: Callable) -> Path:
    """The workbook at path after change(workbook), saved under a new name."""
    wb = load_workbook(path)
    change(wb)
    out = path.with_name("edited.xlsx")
    wb.save(out)
    return out


def problem_of(path: Path) -> str:
    with pytest.raises(SpreadsheetError) as info:
        import_xlsx(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


# -- template and round trip -------------------------------------------------------


def test_template_imports_cleanly_with_notes_and_drop_downs(template):
    text, loaded = import_xlsx(template)
    assert loaded.definition == template_definition()
    d = loaded.definition
    assert d.title == "Local example: case recording" and len(d.themes) == 2 and d.item_count() == 4
    assert d.scales["seen_with"].is_multiple and d.scales["quality"].levels[0].anchor
    assert d.item("ch-02").show_when.item == "ch-01"
    assert d.item("ch-02").show_when.any_of == ("yes", "partly")
    assert d.item("ch-02").guidance.startswith("Good practice looks like:\n- events linked")
    assert d.item("cv-01").required is False
    assert tomllib.loads(text)["id"] == "local-example-case-recording"

    wb = load_workbook(template)
    items = wb["items"]
    assert (
        "earlier answer" in items["K1"].comment.text and "scales sheet" in items["G1"].comment.text
    )
    lists = {dv.formula1: str(dv.sqref) for dv in items.data_validations.dataValidation}
    assert lists['"evidence,quality,seen_with"'].startswith("G2:") and lists['"yes,no"'].startswith("H2:")
    meets = {dv.formula1 for dv in wb["scales"].data_validations.dataValidation}
    assert '"yes,no,not rated"' in meets


@pytest.mark.parametrize("original", bundled(), ids=lambda c: c.id)
def test_every_bundled_checklist_survives_export_and_import(tmp_path, original):
    path = tmp_path / f"{original.id}.xlsx"
    to_spreadsheet(original.definition, path)
    text, back = import_xlsx(path)
    assert back.definition == original.definition  # items, questions, scales, conditions, tags
    conditions = [(i.id, i.show_when) for _, i in back.definition.items() if i.show_when]
    assert conditions == [
        (i.id, i.show_when) for _, i in original.definition.items() if i.show_when
    ]
    assert (
        tomllib.loads(text)["themes"][0]["items"][0]["question"]
        == original.definition.themes[0].items[0].question
    )


def test_quotes_backslashes_and_line_breaks_survive(template):
    question = 'Does the note say "not known" where C:\\path\\to or \\n appears?\tTabbed'
    guidance = 'Line one\nLine "two"\n\nLine four with a trailing \\'
    path = edited(
        template,
        lambda wb: (
            wb["items"].__setitem__("E2", question),
            wb["items"].__setitem__("F2", guidance),
        ),
    )
    item = import_xlsx(path)[1].definition.item("ch-01")
    assert item.question == question and item.guidance == guidance
    assert tomllib.loads(f"x = {toml_string(chr(1) + 'é' + chr(127))}")["x"] == "\x01é\x7f"


def test_a_formula_looking_question_is_exported_as_text(tmp_path):
    definition = template_definition()
    theme = definition.themes[0]
    item = theme.items[0].model_copy(update={"question": "=SUM(A1:A2) is not a formula here"})
    changed = definition.model_copy(
        update={
            "themes": (
                theme.model_copy(update={"items": (item, *theme.items[1:])}),
                *definition.themes[1:],
            )
        }
    )
    path = tmp_path / "f.xlsx"
    to_spreadsheet(changed, path)
    assert (
        import_xlsx(path)[1].definition.item("ch-01").question
        == "=SUM(A1:A2) is not a formula here"
    )


# -- errors name sheet, row and column ------------------------------------------------


def test_unknown_scale_names_row_and_column(template):
    path = edited(template, lambda wb: wb["items"].__setitem__(f"{SCALE}3", "qualty"))
    msg = problem_of(path)
    assert "sheet 'items', row 3, column G (scale): unknown scale 'qualty'" in msg


def test_duplicate_item_id_names_the_second_row(template):
    path = edited(template, lambda wb: wb["items"].__setitem__(f"{ID}4", "ch-01"))
    assert "sheet 'items', row 4, column D (id): item id 'ch-01' is used twice" in problem_of(path)


def test_missing_question_names_the_cell(template):
    path = edited(template, lambda wb: wb["items"].__setitem__(f"{QUESTION}3", None))
    assert (
        "sheet 'items', row 3, column E (question): this cell is empty but must be filled in"
        in problem_of(path)
    )


def test_show_when_naming_an_unknown_item(template):
    path = edited(template, lambda wb: wb["items"].__setitem__(f"{SHOW_WHEN}3", "ch-99 = yes"))
    assert "sheet 'items', row 3, column K (show_when): unknown item 'ch-99'" in problem_of(path)


def test_show_when_that_is_not_a_condition(template):
    path = edited(
        template, lambda wb: wb["items"].__setitem__(f"{SHOW_WHEN}3", "when ch-01 says yes")
    )
    msg = problem_of(path)
    assert (
        "sheet 'items', row 3, column K (show_when): 'when ch-01 says yes' is not a condition"
        in msg
    )


def test_show_when_forms(template):
    assert parse_condition("ch-01 = yes, partly") == {"item": "ch-01", "any_of": ["yes", "partly"]}
    assert parse_condition("ch-01 is Yes or Partly") == {
        "item": "ch-01",
        "any_of": ["yes", "partly"],
    }
    assert parse_condition('{ item = "ch-01", any_of = ["yes"] }') == {
        "item": "ch-01",
        "any_of": ["yes"],
    }
    path = edited(
        template, lambda wb: wb["items"].__setitem__(f"{SHOW_WHEN}3", "ch-01 is Yes or Partly")
    )
    cond = import_xlsx(path)[1].definition.item("ch-02").show_when
    assert (cond.item, cond.any_of) == ("ch-01", ("yes", "partly"))


def test_merged_cells_are_refused_naming_the_range(template):
    path = edited(template, lambda wb: wb["items"].merge_cells("B2:B4"))
    msg = problem_of(path)
    assert (
        "sheet 'items', cells B2:B4 are merged; unmerge them: each row needs its own value" in msg
    )


def test_unknown_column_is_named_with_a_suggestion(template):
    path = edited(template, lambda wb: wb["items"].__setitem__(f"{GUIDANCE}1", "Guidence"))
    msg = problem_of(path)
    assert (
        "sheet 'items', row 1, column F: unknown column 'Guidence' (did you mean 'guidance'?)"
        in msg
    )


def test_headers_match_in_any_case_and_order(template):
    def shuffle(wb):
        ws = wb["items"]
        ws.move_range("A1:A4", cols=20)  # theme_id moves to column U
        ws["U1"] = "Theme ID"
        ws["B1"] = "THEME_TITLE"

    assert import_xlsx(edited(template, shuffle))[1].definition == template_definition()


def test_every_problem_is_counted_in_the_one_line(template):
    def two(wb):
        wb["items"][f"{REQUIRED}2"] = "maybe"
        wb["scales"]["F3"] = "sometimes"

    msg = problem_of(edited(template, two))
    assert "sheet 'scales', row 3, column F (meets): 'sometimes' is not yes, no" in msg
    assert msg.endswith("(and 1 more problem(s))")


def test_empty_rows_are_skipped(template):
    def spread(wb):
        ws = wb["items"]
        ws.insert_rows(3, amount=2)  # two empty rows between ch-01 and ch-02
        ws["A12"] = "   "  # whitespace only, far below
        wb["scales"].insert_rows(2)  # an empty row under the header

    d = import_xlsx(edited(template, spread))[1].definition
    assert [i.id for _, i in d.items()] == ["ch-01", "ch-02", "cv-01", "cv-02"]
    assert d == template_definition()


def test_numbers_typed_as_numbers_read_as_typed(template):
    def numbers(wb):
        wb["checklist"]["B3"] = 2.0  # version typed into a number cell: 2, not 2.0
        wb["scales"]["E2"] = 1  # a shortcut key

    d = import_xlsx(edited(template, numbers))[1].definition
    assert d.version == "2" and d.scales["evidence"].levels[0].key == "1"


def test_a_date_cell_is_named(template):
    import datetime as dt

    path = edited(template, lambda wb: wb["items"].__setitem__("I3", dt.datetime(2026, 1, 5)))
    assert "sheet 'items', row 3, column I (evidence_prompt): holds a date" in problem_of(path)


def test_sheets_missing_unknown_or_out_of_order(template):
    msg = problem_of(edited(template, lambda wb: setattr(wb["scales"], "title", "scaels")))
    assert (
        "sheet 'scaels' is not one of checklist, scales, tags, items (did you mean 'scales'?)"
        in msg
    )
    assert msg.endswith("(and 1 more problem(s))")  # the other: no sheet named 'scales'

    def split_theme(wb):
        wb["items"]["A4"] = "chronology"  # cv-01 joins chronology, then a 'voice' row goes above it
        wb["items"].insert_rows(4)
        wb["items"]["A4"], wb["items"]["D4"] = "voice", "cv-00"

    msg = problem_of(edited(template, split_theme))
    assert "sheet 'items', row 5, column A (theme_id): theme 'chronology' appears again" in msg


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_a_workbook_saved_by_libreoffice_imports(tmp_path, template):
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(template),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    saved = out / "template.xlsx"
    if not saved.exists():
        pytest.skip("LibreOffice could not convert (Calc not installed)")
    assert import_xlsx(saved)[1].definition == template_definition()


def test_not_a_workbook(tmp_path):
    fake = tmp_path / "list.xlsx"
    fake.write_text("theme,id,question\n", "utf-8")
    with pytest.raises(ChecklistError, match="not an Excel workbook"):
        import_xlsx(fake)


# -- the command line ---------------------------------------------------------------


def one_line(result, code: int) -> str:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result
    return lines[0]


def test_cli_import_writes_toml_into_the_local_folder(tmp_path, cli, template):
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    result = cli("checklist", "import", template, env=env)
    assert result.returncode == 0, result
    written = (
        tmp_path / "data" / "case-file-audit" / "checklists" / "local-example-case-recording.toml"
    )
    assert f"Wrote {written}" in result.stdout and "2 themes, 4 items" in result.stdout
    assert load_file(written).definition == template_definition()
    listed = cli("checklists", env=env)
    assert "Local example: case recording" in listed.stdout
    again = one_line(cli("checklist", "import", template, env=env), 1)
    assert "already exists; use --force" in again
    assert cli("checklist", "import", template, "--force", env=env).returncode == 0


def test_cli_import_error_writes_nothing(tmp_path, cli, template):
    bad = edited(template, lambda wb: wb["items"].__setitem__(f"{SCALE}3", "qualty"))
    out = tmp_path / "out" / "mine.toml"
    msg = one_line(cli("checklist", "import", bad, "--out", out), 1)
    assert "row 3, column G (scale): unknown scale 'qualty'" in msg
    assert not out.exists() and not (tmp_path / "out").exists()  # not even the folder


def test_cli_import_refuses_a_bundled_id(tmp_path, cli):
    xlsx = tmp_path / "st.xlsx"
    assert (
        cli("checklist", "export", "thematic-perpetrators-as-parents", "--out", xlsx).returncode
        == 0
    )
    out = tmp_path / "pp.toml"
    msg = one_line(cli("checklist", "import", xlsx, "--out", out), 1)
    assert "already used by the bundled checklist" in msg and not out.exists()


def test_cli_template_and_export(tmp_path, cli):
    t = tmp_path / "t.xlsx"
    result = cli("checklist", "template", "--out", t)
    assert result.returncode == 0 and "checklist import" in result.stdout, result
    assert import_xlsx(t)[1].definition == template_definition()
    assert "already exists" in one_line(cli("checklist", "template", "--out", t), 1)
    assert "no checklist with id 'nope'" in one_line(
        cli("checklist", "export", "nope", "--out", tmp_path / "n.xlsx"), 1
    )
    assert not (tmp_path / "n.xlsx").exists()


# -- issue 9: fact scales, breakdown, group labels ------------------------------------


FACTS_TOML = Path(__file__).resolve().parent / "data" / "facts_mini.toml"


def test_facts_breakdown_and_group_labels_survive_export_and_import(tmp_path):
    original = load_file(FACTS_TOML).definition
    path = tmp_path / "facts.xlsx"
    to_spreadsheet(original, path)
    wb = load_workbook(path)
    scales = [[c.value for c in row] for row in wb["scales"].iter_rows()]
    head = scales[0]
    first_sex = scales[1]
    assert first_sex[head.index("kind")] == "fact" and first_sex[head.index("meets")] is None
    assert first_sex[head.index("group_label")] == "women's deaths"
    items = [[c.value for c in row] for row in wb["items"].iter_rows()]
    sex_row = next(r for r in items if r[items[0].index("id")] == "sex")
    assert sex_row[items[0].index("breakdown")] == "yes"
    text, back = import_xlsx(path)
    assert back.definition == original
    assert back.definition.scales["sex"].kind == "fact" and back.definition.item("sex").breakdown
    assert back.definition.scales["sex"].level("male").group_label == "men's deaths"
    assert tomllib.loads(text)["scales"]["sex"]["kind"] == "fact"


def test_a_fact_scale_with_a_meets_answer_names_the_cell(tmp_path):
    path = tmp_path / "facts.xlsx"
    to_spreadsheet(load_file(FACTS_TOML).definition, path)

    def score_a_fact(wb):
        ws = wb["scales"]
        col = [c.value for c in ws[1]].index("meets") + 1
        ws.cell(row=2, column=col, value="yes")

    message = problem_of(edited(path, score_a_fact))
    assert "sheet 'scales', row 2, column F (meets)" in message
    assert "never scored: leave meets blank" in message


def test_an_unknown_scale_kind_is_named(tmp_path):
    path = tmp_path / "facts.xlsx"
    to_spreadsheet(load_file(FACTS_TOML).definition, path)

    def misspell(wb):
        ws = wb["scales"]
        col = [c.value for c in ws[1]].index("kind") + 1
        ws.cell(row=2, column=col, value="facts")

    message = problem_of(edited(path, misspell))
    assert "column H (kind)" in message and "'facts' is not rating, fact or multiple" in message


# -- issue 19: multiple choice and anchored levels --------------------------------------


MA_TOML = Path(__file__).resolve().parent / "data" / "multi_anchor.toml"


def test_multiple_choice_and_anchors_survive_export_and_import(tmp_path):
    original = load_file(MA_TOML).definition
    path = tmp_path / "ma.xlsx"
    to_spreadsheet(original, path)
    wb = load_workbook(path)
    rows = [[c.value for c in row] for row in wb["scales"].iter_rows()]
    head = rows[0]
    opts = [r for r in rows[1:] if r[head.index("value")] in ("opioids", "none")]
    assert opts[0][head.index("kind")] == "multiple" and opts[0][head.index("meets")] is None
    assert opts[1][head.index("exclusive")] == "yes"
    strong = next(r for r in rows if r[head.index("label")] == "Strong")
    assert strong[head.index("anchor")].startswith("The record names who harmed")
    assert "tick-all-that-apply" in wb["scales"].cell(1, head.index("kind") + 1).comment.text or (
        "multiple" in wb["scales"].cell(1, head.index("kind") + 1).comment.text
    )
    text, back = import_xlsx(path)
    assert back.definition == original
    assert back.definition.scales["substances"].is_multiple
    assert back.definition.scales["substances"].level("none").exclusive
    data = tomllib.loads(text)
    assert data["scales"]["substances"]["kind"] == "multiple"
    assert data["scales"]["language4"]["levels"][3]["anchor"].startswith("The record frames")


def test_exclusive_must_be_yes_or_no_and_only_on_multiple_choice(tmp_path):
    path = tmp_path / "ma.xlsx"
    to_spreadsheet(load_file(MA_TOML).definition, path)

    def garble(wb):
        ws = wb["scales"]
        col = [c.value for c in ws[1]].index("exclusive") + 1
        ws.cell(row=2, column=col, value="perhaps")

    message = problem_of(edited(path, garble))
    assert "column K (exclusive)" in message and "'perhaps' is not yes or no" in message

    def exclusive_on_a_rating(wb):
        ws = wb["scales"]
        head = [c.value for c in ws[1]]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, head.index("label") + 1).value == "Strong")
        ws.cell(row=row, column=head.index("exclusive") + 1, value="yes")

    message = problem_of(edited(path, exclusive_on_a_rating))
    assert "only an option of a multiple-choice scale can be exclusive" in message
