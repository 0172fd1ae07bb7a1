"""A blank checklist to print (issue 23 item 2): every bundled checklist and a local one, as
PDF (read back with pypdf, page 1 drawn with pdftoppm) and DOCX (read back with python-docx),
through the core, the command line and the File menu's dialog."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from audit_tool.checklists.loader import bundled
from audit_tool.paths import user_checklists_dir
from audit_tool.reports.blank import find_checklist, item_numbers, page_mark, write_blank

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _pdf_pages(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("checklist", bundled(), ids=lambda c: c.id)
def test_pdf_has_every_numbered_question_and_the_version_on_every_page(checklist, tmp_path):
    out = write_blank(checklist, "pdf", tmp_path / "blank.pdf")
    pages = _pdf_pages(out)
    text = " ".join(pages)
    d = checklist.definition
    numbers = item_numbers(d)
    for _theme, item in d.items():
        # numbered as the editor numbers it: theme.item
        assert f"{numbers[item.id]} {_flat(item.question)}" in text, numbers[item.id]
        assert _flat(item.guidance)[:60] in text
        for level in d.scale_of(item).levels:
            assert _flat(level.label) in text
    assert numbers[d.themes[1].items[0].id] == "2.1"
    mark = _flat(page_mark(checklist))
    assert len(pages) > 2
    for n, page in enumerate(pages, 1):
        assert mark in page and f"page {n}" in page, n  # version and hash on every page
        assert checklist.sha256[:16] in page


def test_docx_has_every_question_guidance_levels_and_the_mark_in_header(tmp_path):
    checklist = bundled()[0]
    out = write_blank(checklist, "docx", tmp_path / "blank.docx")
    doc = Document(out)
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    d = checklist.definition
    numbers = item_numbers(d)
    for _theme, item in d.items():
        assert f"{numbers[item.id]}  {item.question}" in text
        assert item.guidance in text
        for level in d.scale_of(item).levels:
            assert level.label in cells
    # one header for every page of the single section, with version and hash
    assert len(doc.sections) == 1
    assert doc.sections[0].header.paragraphs[0].text == page_mark(checklist)
    assert checklist.version in page_mark(checklist) and checklist.sha256[:16] in page_mark(checklist)
    # an evidence box (a one-cell grid table) per item
    boxes = [t for t in doc.tables if len(t.rows) == 1 and len(t.columns) == 1]
    assert len(boxes) == d.item_count()


def test_a_local_checklist_prints_the_same_way(tmp_path):
    folder = user_checklists_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "mini.toml", folder / "mini.toml")
    local = find_checklist("mini-test")
    assert local.origin == "user"
    text = " ".join(_pdf_pages(write_blank(local, "pdf", tmp_path / "mini.pdf")))
    for _theme, item in local.definition.items():
        assert _flat(item.question) in text
    # a conditional question says when it is asked
    assert "Answer only if 1.2 is:" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_page_one_renders(tmp_path):
    out = write_blank(bundled()[0], "pdf", tmp_path / "blank.pdf")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", out, tmp_path / "p"],
                   check=True, timeout=60)
    png = next(tmp_path.glob("p*.png"))
    assert png.stat().st_size > 10_000  # a real page of text, not a blank image


def test_cli_checklist_print(cli, tmp_path):
    checklist = bundled()[0]
    out = tmp_path / "form.docx"
    r = cli("checklist", "print", checklist.id, "--format", "docx", "--out", out, passphrase=None)
    assert r.returncode == 0, r
    assert r.stdout.startswith(f"Wrote {out}: blank {checklist.id} version {checklist.version}")
    assert Document(out).sections[0].header.paragraphs[0].text == page_mark(checklist)
    r = cli("checklist", "print", "no-such-list", "--format", "pdf", "--out", tmp_path / "x.pdf")
    assert r.returncode == 1 and "no checklist with id 'no-such-list'" in r.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_anchors_and_tick_all_that_apply_are_printed(tmp_path):
    """Issue 19: each level's anchor (what it looks like in a file) under its label; a
    multiple-choice item says tick all that apply, and a question shown when an option is
    ticked says so."""
    from audit_tool.checklists.loader import load_file

    checklist = load_file(Path(__file__).resolve().parent / "data" / "multi_anchor.toml")
    anchors = [_flat(lv.anchor) for lv in checklist.definition.scales["language4"].levels]
    text = " ".join(_pdf_pages(write_blank(checklist, "pdf", tmp_path / "blank.pdf")))
    assert "1.1 Which substances were found? Tick all that apply. Tick all that apply." in text
    assert "Answer only if Opioids is ticked at 1.1." in text
    for anchor in anchors:
        assert f"In the file: {anchor}" in text
    doc = Document(write_blank(checklist, "docx", tmp_path / "blank.docx"))
    paras = [p.text for p in doc.paragraphs]
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Tick all that apply." in paras
    for anchor in checklist.definition.scales["language4"].levels:
        assert f"In the file: {anchor.anchor}" in cells
