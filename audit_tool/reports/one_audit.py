"""The report on one audit (no SQL: it takes the audit and its findings)."""

from __future__ import annotations

from datetime import UTC, datetime

from ..audits import progress, status_text
from ..checklists.phases import phase_words
from ..domain import Audit, Status
from ..findings import Findings, GroupFinding
from ..findings.language import scanner
from ..formatting import NO_VALUE, day, percent
from .facts_section import audit_facts_blocks, rating_text
from .model import BarChart, Heading, KeyValue, Paragraph, Report, Series, Table
from .redact import Redactor, keep

# A death review is about one person who died: the report is marked restricted, and without
# identifiers it leaves out what could point to them (exact dates, area, gender identity).
RESTRICTED = "Restricted: contains details that could identify the person who died"
DEATH_REVIEW = "drug_alcohol_death_review"
WITHHELD = "Left out (restricted)"


def is_death_review(audit: Audit) -> bool:
    d = audit.checklist.definition
    return audit.audit_type.value == DEATH_REVIEW or DEATH_REVIEW in d.audit_types


def _distribution(g: GroupFinding) -> str:
    return ", ".join(f"{b.label} {b.count}" for b in g.distribution) or NO_VALUE




def build_audit_report(audit: Audit, f: Findings, references: list[str],
                       include_identifiers: bool = False) -> Report:
    """The report on one audit, from the audit and its findings. references: every case
    reference in the database, removed from free text unless identifiers are included."""
    d = audit.checklist.definition
    ref = audit.case.reference
    scrub = keep if include_identifiers else Redactor(references)
    answered, applicable = progress(audit)
    case_label = f"{ref} ({audit.case.pseudonym})" if include_identifiers else audit.case.pseudonym
    reviewer = audit.reviewer.role or "Reviewer"
    if include_identifiers:
        reviewer = f"{audit.reviewer.name}, {reviewer}"
    concern = (
        f"Yes: {len(audit.concerns)} matter(s) of concern raised and recorded separately "
        "(details are not part of the audit)."
        if audit.concerns
        else "No matter of concern was recorded."
    )
    restricted = is_death_review(audit)
    withhold = restricted and not include_identifiers
    meta = [
        ("Case", case_label),
        ("Area", audit.case.area),
        ("Agency", audit.case.agency or NO_VALUE),
        ("Checklist", f"{d.title}, version {d.version}"),
        ("Audit type", audit.audit_type.label),
        ("Phase", phase_words(d).name(audit.phase.value)),
        ("Reviewer", reviewer),
        ("Started", day(audit.created_at)),
        ("Last changed", day(audit.updated_at)),
        ("Status", scrub(status_text(audit))),  # an amendment's reason may name the case
        ("Items answered", f"{answered} of {applicable}"),
        ("Matter of concern", concern),
    ]
    if include_identifiers and audit.case.team:
        meta.insert(3, ("Team", audit.case.team))
    if withhold:
        meta = [(k, WITHHELD if k in ("Area", "Started", "Last changed") else v) for k, v in meta]
    blocks: list = [Paragraph(RESTRICTED)] if restricted else []
    blocks += [Heading("About this audit", 1), KeyValue(meta)]
    facts = audit_facts_blocks(audit)  # facts read as facts: "Sex: Female"
    if withhold and facts:
        gender = {i.question for _, i in d.items() if i.scale == "gender_identity"}
        facts[1] = KeyValue([(q, WITHHELD if q in gender else a) for q, a in facts[1].rows])
    blocks += facts
    if audit.summary.strip():
        blocks += [Heading("Overall summary", 2), Paragraph(scrub(audit.summary))]

    blocks.append(Heading("Summary by theme", 1))
    blocks.append(
        Table(
            ["Theme", "Rated items", "Meeting the standard", "Share", "Ratings given"],
            [[g.label, str(g.rated), str(g.meets), percent(g.share), _distribution(g)] for g in f.by_theme],
            align=["l", "r", "r", "r", "l"],
            widths=[3, 1, 1.2, 1, 3.5],
        )
    )
    charted = [g for g in f.by_theme if g.share is not None]
    if charted:
        blocks.append(
            BarChart(
                "Share of rated items meeting the standard, by theme",
                [g.label for g in charted],
                [Series("Meeting the standard", [g.share * 100 for g in charted])],
                unit="%",
                max_value=100,
                alt_text="Share meeting the standard by theme: "
                + "; ".join(f"{g.label} {percent(g.share)}" for g in charted) + ".",
            )
        )
    blocks.append(
        Paragraph(
            "The share counts rated items only; answers of 'Not applicable' and facts are left "
            "out. An item not asked because an earlier answer fell short counts as not meeting "
            "the standard; other items hidden by a condition are not counted.",
            "note",
        )
    )

    blocks.append(Heading("Ratings and evidence", 1))
    blocks.append(Paragraph(
        f"Each question is numbered as in the editor and the checklist '{d.title}', version "
        f"{d.version}, where its guidance on good practice is.", "note"))
    numbers = d.numbers()
    for theme in d.themes:
        rows = []
        for item in theme.items:
            rating = rating_text(audit, item)  # None: a fact, or hidden and not counted
            if rating is None:
                continue
            ans = audit.answers.get(item.id)
            note = scrub(ans.note) if ans and ans.note else NO_VALUE
            rows.append([numbers[item.id], item.question, rating, note])
        if rows:
            blocks.append(Heading(theme.title, 2))
            blocks.append(Table(["No.", "Question", "Rating", "Evidence"], rows, widths=[0.8, 4.2, 1.3, 3.7]))

    blocks += _audit_language(audit)
    blocks.append(Heading("Strengths, areas for improvement and recommendations", 1))
    blocks.append(Heading("Strengths", 2))
    blocks.append(Paragraph(scrub(audit.strengths) or "None recorded."))
    blocks.append(Heading("Areas for improvement", 2))
    blocks.append(Paragraph(scrub(audit.improvements) or "None recorded."))
    blocks.append(Heading("Recommendations", 2))
    if audit.recommendations:
        blocks.append(
            Table(
                ["Recommendation", "Owner", "By when"],
                [[scrub(r.text), scrub(r.owner) or "Not assigned",
                  (r.due[:7] if withhold else r.due) or NO_VALUE]  # month only
                 for r in audit.recommendations],
                widths=[5, 2, 1.2],
            )
        )
    else:
        blocks.append(Paragraph("No recommendations recorded."))
    return Report(
        title=f"{audit.audit_type.label}: {d.title}",
        subtitle=f"{phase_words(d).name(audit.phase.value)} · {WITHHELD if withhold else audit.case.area}"
        + (" · DRAFT" if audit.status is Status.DRAFT else "") + (" · RESTRICTED" if restricted else ""),
        author=reviewer,
        subject="Audit findings",
        created=datetime.now(UTC),
        identifiable=include_identifiers,
        draft=audit.status is Status.DRAFT,
        blocks=blocks,
    )



def _audit_language(audit) -> list:
    sc = scanner()
    found: dict[str, tuple] = {}
    texts = [a.note for a in audit.answers.values()] + [audit.summary, audit.strengths, audit.improvements]
    for text in texts:
        for f in sc.scan(text):
            term, n = found.get(f.term.phrase, (f.term, 0))
            found[f.term.phrase] = (term, n + 1)
    out: list = [Heading("Language to look at again", 1)]
    if not found:
        out.append(Paragraph("No wording from the language list was found in this audit's notes."))
        return out
    out.append(Paragraph(
        "These phrases in the evidence notes can hide who did what. A flag is a prompt to look "
        "again, not a finding. Uses in quotation marks (quoted from the file), or negated or "
        "challenged in the same sentence, are not counted."
    ))
    out.append(Table(
        ["Phrase", "Times", "Why it matters", "Suggested reframe"],
        [[t.phrase, str(n), t.why, t.reframe] for t, n in sorted(found.values(), key=lambda x: -x[1])],
        align=["l", "r", "l", "l"], widths=[1.6, 0.6, 3, 3.5],
    ))
    return out


__all__ = ["build_audit_report"]
