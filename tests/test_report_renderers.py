"""The report model rendered to PDF and DOCX, read back; and atomic writing of exports."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from audit_tool.errors import ExportProblem
from audit_tool.fileio import write_atomic
from audit_tool.reports import render
from audit_tool.reports.charts import layout_chart, to_drawing, to_png
from audit_tool.reports.model import (
    ANONYMISED_BANNER,
    IDENTIFIABLE_BANNER,
    BarChart,
    Heading,
    KeyValue,
    PageBreak,
    Paragraph,
    Report,
    Series,
    Table,
)

GAELIC = "Ùna Mhàiri Dùn Èideann"
IRISH = "Siobhán Ó Dónaill"
HEADINGS = [
    (1, "Summary"),
    (2, "About this audit"),
    (1, "Findings by theme"),
    (2, "Item ratings"),
    (3, "Charts"),
    (1, "Recommendations"),
]
CREATED = datetime(2025, 3, 14, 10, 30)


def sample_report(*, draft: bool = True, identifiable: bool = False, rows: int = 120) -> Report:
    themes = [
        "Pattern of coercive control",
        "Partnering with the non-offending parent",
        "Perpetrator accountability",
        "Child's experience",
        "Multi-agency working",
    ]
    table_rows = [
        [
            f"{themes[i % 5]} {i + 1}",
            ["Good", "Adequate", "Weak", "Very good"][i % 4],
            f"{(i * 7) % 100}%",
            "Evidence recorded in the chronology; " * (1 + i % 3) + f"reviewer {IRISH}.",
        ]
        for i in range(rows)
    ]
    blocks = [
        Heading(HEADINGS[0][1], 1),
        Paragraph(f"Case files in {GAELIC} were read by {IRISH} in March."),
        Paragraph("Please treat figures based on fewer than 5 files with caution.", "note"),
        Heading(HEADINGS[1][1], 2),
        KeyValue(
            [
                ("Area", GAELIC),
                ("Reviewer", IRISH),
                ("Checklist", "Safe & Together case file audit, version 1.2"),
            ]
        ),
        Paragraph("Overall: the file shows the perpetrator's pattern <clearly> & fully.", "banner"),
        Heading(HEADINGS[2][1], 1),
        Heading(HEADINGS[3][1], 2),
        Table(
            ["Item", "Rating", "Meeting the standard", "Evidence"],
            table_rows,
            caption="Table 1: item ratings",
            align=["l", "l", "r", "l"],
        ),
        Heading(HEADINGS[4][1], 3),
        BarChart(
            "Share of files meeting the standard, by theme",
            themes,
            [
                Series("Baseline", [42, 35, 18, 60, None]),
                Series("Post-training", [71, 64, 45, 77, 3], labels=["", "", "", "", "<5"]),
            ],
            unit="%",
            alt_text="Share meeting the standard rose in every theme after training.",
            intervals=[(30, 55), (22, 49), (8, 31), (45, 73), None],
        ),
        BarChart(
            "Language flags per audit", ["2023", "2024", "2025"], [Series("Flags", [3.5, 2.25, 1])]
        ),
        PageBreak(),
        Heading(HEADINGS[5][1], 1),
        Paragraph("Record the perpetrator's pattern of behaviour.\nOwner: team leader."),
    ]
    return Report(
        title="Case file audit: Safe & Together",
        subtitle=f"Area: {GAELIC}",
        author=IRISH,
        subject="Case file audit findings",
        created=CREATED,
        identifiable=identifiable,
        draft=draft,
        blocks=blocks,
    )


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def _docx_part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


# ---------------------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    render(sample_report(draft=True), "pdf", path)
    return path


def test_pdf_text_headings_names_and_page_numbers(pdf_path: Path) -> None:
    pages = _pdf_pages(pdf_path)
    assert len(pages) >= 3
    text = "\n".join(pages)
    for _, heading in HEADINGS:
        assert heading in text
    assert GAELIC in text and IRISH in text
    assert "Page 1 of" in pages[0]
    total = len(pages)
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {total}" in page
        assert "DRAFT" in page
    assert ANONYMISED_BANNER in re.sub(r"\s+", " ", pages[0])
    assert "<clearly> & fully" in text  # markup characters escaped, not lost


def test_pdf_long_table_repeats_its_header(pdf_path: Path) -> None:
    pages = _pdf_pages(pdf_path)
    with_rows = [p for p in pages if re.search(r"Perpetrator accountability \d+", p)]
    assert len(with_rows) >= 2, "120 rows should run over pages"
    for page in with_rows:
        assert "Meeting the standard" in " ".join(page.split())  # the header, on every page
    text = "\n".join(pages)
    assert all(f"{i} " in text or f"{i}\n" in text for i in (1, 60, 120))


def test_pdf_metadata(pdf_path: Path) -> None:
    from pypdf import PdfReader

    meta = PdfReader(pdf_path).metadata
    assert meta.title == "Case file audit: Safe & Together"
    assert meta.author == IRISH
    assert meta.subject == "Case file audit findings"


def _outline(reader, entries=None) -> list:
    """The PDF outline as (title, page number, [children]) tuples."""
    out: list = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            out[-1][2].extend(_outline(reader, entry))
        else:
            out.append((entry.title, reader.get_destination_page_number(entry) + 1, []))
    return out


def test_pdf_outline_mirrors_the_headings(pdf_path: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    tree = _outline(reader)
    strip = [(t, [(c, [g for g, _, _ in cc]) for c, _, cc in kids]) for t, _, kids in tree]
    assert strip == [
        ("Summary", [("About this audit", [])]),
        ("Findings by theme", [("Item ratings", ["Charts"])]),
        ("Recommendations", []),
    ]
    pages = [n for _, n, _ in tree]
    assert pages[0] == 1 and pages == sorted(pages) and pages[-1] > 1
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"  # the sidebar opens with it


def test_pdf_outline_nests_a_heading_that_skips_a_level(tmp_path: Path) -> None:
    from pypdf import PdfReader

    report = Report(
        title="Skips",
        subtitle="",
        author="",
        subject="",
        created=CREATED,
        identifiable=False,
        blocks=[
            Heading("Summary", 1),
            Heading("First checklist", 3),
            Heading("Second checklist", 3),
            Heading("About", 1),
        ],
    )
    path = tmp_path / "skips.pdf"
    render(report, "pdf", path)
    tree = _outline(PdfReader(str(path)))
    assert [(t, [c for c, _, _ in kids]) for t, _, kids in tree] == [
        ("Summary", ["First checklist", "Second checklist"]),
        ("About", []),
    ]


def test_pdf_embeds_the_unicode_font(pdf_path: Path) -> None:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(pdf_path).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            names.add(str(font.get_object().get("/BaseFont")))
    assert any(n.endswith("+DejaVuSans") for n in names), names  # embedded subset
    assert not any("Helvetica" in n or "Times" in n for n in names), names


def test_pdf_identifiable_and_final(tmp_path: Path) -> None:
    path = tmp_path / "final.pdf"
    render(sample_report(draft=False, identifiable=True, rows=5), "pdf", path)
    pages = _pdf_pages(path)
    assert IDENTIFIABLE_BANNER in re.sub(r"\s+", " ", pages[0])
    assert not any("DRAFT" in p for p in pages)


def test_pdf_cell_taller_than_a_page_splits(tmp_path: Path) -> None:
    long_note = "Evidence. " * 900
    report = Report(
        "Long",
        "",
        "A",
        "S",
        CREATED,
        False,
        False,
        [Table(["Item", "Evidence"], [["1", long_note], ["2", "short"]])],
    )
    render(report, "pdf", tmp_path / "long.pdf")
    assert len(_pdf_pages(tmp_path / "long.pdf")) >= 2


# ---------------------------------------------------------------------------- DOCX


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    render(sample_report(draft=True), "docx", path)
    return path


def test_docx_headings_in_order(docx_path: Path, pdf_path: Path) -> None:
    import docx

    d = docx.Document(str(docx_path))
    found = [
        (int(p.style.name.split()[-1]), p.text)
        for p in d.paragraphs
        if p.style.name.startswith("Heading ")
    ]
    assert found == HEADINGS
    assert d.paragraphs[0].style.name == "Title"
    pdf_text = "\n".join(_pdf_pages(pdf_path))
    assert all(text in pdf_text for _, text in found)  # the same content in both


def test_docx_text_banner_and_names(docx_path: Path) -> None:
    import docx

    d = docx.Document(str(docx_path))
    text = "\n".join(p.text for p in d.paragraphs)
    assert ANONYMISED_BANNER in text
    assert GAELIC in text and IRISH in text
    assert "<clearly> & fully" in text
    assert "Owner: team leader." in text


def test_docx_tables_repeat_header_and_have_a_style(docx_path: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(str(docx_path))
    data = [t for t in d.tables if len(t.rows) == 121]
    assert len(data) == 1
    table = data[0]
    assert table.style is not None and table.style.name == "Table Grid"
    first_tr = table.rows[0]._tr
    assert first_tr.trPr is not None and first_tr.trPr.find(qn("w:tblHeader")) is not None
    for row in table.rows[1:]:  # only the header repeats
        assert row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None
    assert [c.text for c in table.rows[0].cells] == [
        "Item",
        "Rating",
        "Meeting the standard",
        "Evidence",
    ]
    assert table.rows[120].cells[0].text == "Multi-agency working 120"


def test_docx_charts_are_images_with_alt_text(docx_path: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(str(docx_path))
    assert len(d.inline_shapes) == 2
    descrs = []
    for shape in d.inline_shapes:
        doc_pr = shape._inline.find(qn("wp:docPr"))
        descrs.append(doc_pr.get("descr"))
        assert doc_pr.get("title")
        assert shape.width > 0
    assert descrs[0] == "Share meeting the standard rose in every theme after training."
    assert descrs[1].startswith("Bar chart: Language flags per audit. 2023: 3.5; 2024: 2.25")


def test_docx_core_properties(docx_path: Path) -> None:
    import docx

    cp = docx.Document(str(docx_path)).core_properties
    assert cp.title == "Case file audit: Safe & Together"
    assert cp.author == IRISH and cp.author != "python-docx"
    assert cp.last_modified_by == IRISH
    assert cp.subject == "Case file audit findings"
    assert cp.created.year == 2025 and cp.modified.year == 2025


def test_docx_footer_page_fields_and_draft_header(docx_path: Path) -> None:
    with zipfile.ZipFile(docx_path) as z:
        footers = [n for n in z.namelist() if re.match(r"word/footer\d*\.xml", n)]
        headers = [n for n in z.namelist() if re.match(r"word/header\d*\.xml", n)]
    footer = "".join(_docx_part(docx_path, n) for n in footers)
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer)
    assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", footer)
    assert "Anonymised" in footer
    header = "".join(_docx_part(docx_path, n) for n in headers)
    assert "DRAFT" in header
    document = _docx_part(docx_path, "word/document.xml")
    assert 'w:w="11906"' in document and 'w:h="16838"' in document  # A4


def test_docx_final_has_no_draft(tmp_path: Path) -> None:
    path = tmp_path / "final.docx"
    render(sample_report(draft=False, identifiable=True, rows=3), "docx", path)
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
    assert "DRAFT" not in xml
    import docx

    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert IDENTIFIABLE_BANNER in text


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice is not installed",
)
def test_docx_opens_in_libreoffice(docx_path: Path, tmp_path: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pages = _pdf_pages(tmp_path / "report.pdf")
    text = "\n".join(pages)
    for _, heading in HEADINGS:
        assert heading in text
    assert GAELIC in text
    assert len(pages) >= 3
    assert f"Page 2 of {len(pages)}" in pages[1]


# ---------------------------------------------------------------------------- charts


def test_chart_layout_drawing_and_png() -> None:
    chart = sample_report().blocks[10]
    assert isinstance(chart, BarChart)
    layout = layout_chart(chart, 400)
    texts = [it.text for it in layout.items if hasattr(it, "text")]
    assert "42%" in texts and "<5" in texts and "no data" in texts and "100%" in texts
    assert "Baseline" in texts and "Post-training" in texts  # legend for 2 series
    for it in layout.items:  # nothing drawn outside the canvas
        xs = [getattr(it, a) for a in ("x", "x1", "x2") if hasattr(it, a)]
        assert all(-0.01 <= x <= 400.01 for x in xs)
    drawing = to_drawing(layout)
    assert drawing.width == 400
    png = to_png(layout)
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.width > 1000


def test_chart_negative_values_extend_the_axis() -> None:
    chart = BarChart(
        "Change", ["A", "B"], [Series("Change", [12.0, -8.0])], intervals=[(2, 20), (-15, 1)]
    )
    texts = [it.text for it in layout_chart(chart).items if hasattr(it, "text")]
    assert "-8" in texts and "0" in texts and any(t.startswith("-") for t in texts)


def test_model_rejects_malformed_blocks() -> None:
    with pytest.raises(ValueError):
        Heading("x", 4)
    with pytest.raises(ValueError):
        Table(["a", "b"], [["only one"]])
    with pytest.raises(ValueError):
        BarChart("t", ["a", "b"], [Series("s", [1.0])])
    with pytest.raises(ValueError):
        Paragraph("x", "shout")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- speed


def test_one_audit_report_renders_quickly(tmp_path: Path) -> None:
    report = sample_report(rows=40)
    for fmt in ("pdf", "docx"):
        render(report, fmt, tmp_path / f"warm.{fmt}")  # imports and font loading
        start = time.perf_counter()
        render(report, fmt, tmp_path / f"r.{fmt}")
        assert time.perf_counter() - start < 1.0, fmt  # target 0.5 s; slack for slow CI


def test_progress_reaches_one(tmp_path: Path) -> None:
    for fmt in ("pdf", "docx"):
        seen: list[float] = []
        render(sample_report(rows=10), fmt, tmp_path / f"p.{fmt}", seen.append)
        assert seen and seen[-1] == 1.0 and seen == sorted(seen)


# ---------------------------------------------------------------------------- atomic


def test_atomic_failure_mid_write_leaves_nothing(tmp_path: Path) -> None:
    def boom(f: io.BufferedWriter) -> None:
        f.write(b"half a report")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "out.pdf", boom)
    assert list(tmp_path.iterdir()) == []


def test_atomic_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.docx"
    target.write_bytes(b"old version")

    def boom(f: io.BufferedWriter) -> None:
        f.write(b"new")
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportProblem, match="not enough space"):
        write_atomic(target, boom)
    assert target.read_bytes() == b"old version"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_writes_in_the_target_folder(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def write(f: io.BufferedWriter) -> None:
        f.write(b"data")
        seen.append([p.name for p in tmp_path.iterdir()])

    out = write_atomic(tmp_path / "r.pdf", write)
    assert out == tmp_path / "r.pdf" and out.read_bytes() == b"data"
    assert len(seen[0]) == 1 and seen[0][0].startswith(".r.pdf.")  # the temp file, beside it
    assert list(tmp_path.iterdir()) == [out]


def test_render_failure_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import audit_tool.reports.pdf as pdf

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        render(sample_report(rows=2), "pdf", tmp_path / "x.pdf")
    assert list(tmp_path.iterdir()) == []


def test_atomic_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no such folder"
    with pytest.raises(ExportProblem) as info:
        render(sample_report(rows=2), "pdf", missing / "r.pdf")
    assert str(info.value) == f"The folder {missing} does not exist."
    assert "\n" not in str(info.value)


def test_atomic_target_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "r.docx").mkdir()
    with pytest.raises(ExportProblem, match="is a folder"):
        render(sample_report(rows=2), "docx", tmp_path / "r.docx")
    assert [p.name for p in tmp_path.iterdir()] == ["r.docx"]


@pytest.mark.skipif(
    os.name == "nt" or os.geteuid() == 0,
    reason="root ignores folder permissions; Windows has no chmod 0o500",
)
def test_atomic_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportProblem, match="cannot be written"):
            render(sample_report(rows=2), "pdf", folder / "r.pdf")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_atomic_permission_denied_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Runs as root too: simulate the folder refusing new files.
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(ExportProblem) as info:
        write_atomic(tmp_path / "r.pdf", lambda f: None)
    assert str(info.value) == f"{tmp_path} cannot be written: permission denied."


def test_atomic_open_in_word_on_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import audit_tool.fileio as atomic

    def locked(src: str, dst: object) -> None:
        raise PermissionError(13, "The process cannot access the file", src)

    monkeypatch.setattr(atomic.os, "replace", locked)
    monkeypatch.setattr(atomic, "_WINDOWS", True)
    monkeypatch.setattr(atomic.time, "sleep", lambda s: None)
    with pytest.raises(ExportProblem) as info:
        write_atomic(tmp_path / "r.docx", lambda f: f.write(b"x"))
    assert (
        str(info.value) == "r.docx is open in another program (Word?). Close it and export again."
    )
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- odd input


def test_awkward_text_and_empty_parts_render(tmp_path: Path) -> None:
    pasted = "Pasted\x0bfrom\x00 Word\r\nnext line\ttab \x1f <b>not bold</b> & “quotes”"
    report = Report(
        title=f"Odd {pasted}",
        subtitle="",
        author="",
        subject=pasted,
        created=datetime(2024, 1, 2, tzinfo=UTC),
        identifiable=False,
        blocks=[
            Heading(pasted, 1),
            Paragraph(""),
            Paragraph(pasted, "note"),
            Table(["Only header"], []),
            Table(["A", "B"], [["", pasted], ["x" * 300, "y"]], caption=pasted),
            KeyValue([]),
            KeyValue([(pasted, pasted)]),
            BarChart(pasted, [], [Series(pasted, [])]),
            BarChart("All missing", ["a", "b"], [Series("s", [None, None])]),
            BarChart("Zeros", ["a"], [Series("s", [0.0])], unit="%"),
            BarChart("Above max", ["a"], [Series("s", [250.0])], max_value=100),
            BarChart("Tall", [f"Category {i}" for i in range(80)], [Series("s", list(range(80)))]),
        ],
    )
    for fmt in ("pdf", "docx"):
        out = render(report, fmt, tmp_path / f"odd.{fmt}")
        assert out.stat().st_size > 1000
    text = "\n".join(_pdf_pages(tmp_path / "odd.pdf"))
    assert "<b>not bold</b> & “quotes”" in text
    assert "\x00" not in text and "\x0b" not in text
    import docx

    d = docx.Document(str(tmp_path / "odd.docx"))
    assert any("<b>not bold</b>" in p.text for p in d.paragraphs)
