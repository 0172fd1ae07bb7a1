"""The findings view: worked out off the GUI thread, by theme and by tag, chart and table."""

from __future__ import annotations

from audit_tool import audits


def test_findings_for_one_audit_and_the_selection(qtbot, window, session, audit_id, mini):
    for item, rating in (("p1", "5"), ("p2", "no"), ("q1", "2"), ("q2", "na")):
        audits.answer(session.db, audit_id, item, rating=rating)
    window.loader.load()
    window.controller.open_audit(audit_id)
    window.controller.findings_for_audit()
    view = window.findings
    assert window.stack.currentWidget() is view
    qtbot.waitUntil(lambda: view.by_theme.model.rowCount() == 2, timeout=5000)
    table = view.by_theme.model
    rows = [[table.index(r, c).data() for c in range(6)] for r in range(table.rowCount())]
    # p1 Very good ok, p2 No x, p3 not asked after that "No": counts as not met -> 1 of 3
    assert rows[0][:5] == ["Pattern", "1", "3", "1", "33%"]
    assert "Very good 1" in rows[0][5] and "No 1" in rows[0][5]
    assert "Not asked (an earlier answer fell short) 1" in rows[0][5]
    assert rows[1][:5] == ["Planning", "1", "1", "0", "0%"]  # 'not applicable' is left out
    assert "Pattern: 33% (1 of 3)" in view.by_theme.chart.accessibleDescription()
    assert view.by_tag.model.rowCount() == 2
    window.actions.back.trigger()
    assert window.stack.currentWidget() is window.editor

    other = audits.add_case(session.db, "REF-2", "Elsewhere (fictional)")
    second = audits.new_audit(session.db, other.id, mini, phase="post_training")
    audits.answer(session.db, second, "p1", rating="6")
    window.controller.show_list()
    window.loader.refresh(second)
    page = window.list_page
    page.phase_filter.setCurrentIndex(page.phase_filter.findData("post_training"))
    window.controller.findings_for_selection()
    qtbot.waitUntil(
        lambda: view.by_theme.model.rowCount() >= 1 and not view.busy.isVisible(), timeout=5000
    )
    assert view.scope.text().startswith("1 audit of 1 case: post-training")
    assert view.by_theme.model.index(0, 4).data() == "100%"


def test_tags_show_principles_before_components_and_patterns(qtbot, window, session):
    """The 'By principle and component' tab lists principles first, then components, practice
    areas and the rest, patterns seen at baseline last: the order the report uses."""
    from audit_tool.checklists.loader import bundled

    st = next(c for c in bundled() if c.id == "safe-together-case-file-audit")
    case = audits.add_case(session.db, "REF-ST", "Glenmorven (fictional)")
    aid = audits.new_audit(session.db, case.id, st, phase="baseline")
    audits.answer(session.db, aid, "pr-01", rating="5")  # a principle, a component, a practice area
    audits.answer(session.db, aid, "bl-02", rating="no")  # a pattern seen at baseline
    window.loader.load()
    window.controller.open_audit(aid)
    window.controller.findings_for_audit()
    view = window.findings
    qtbot.waitUntil(lambda: view.by_tag.model.rowCount() >= 4 and not view.busy.isVisible(),
                    timeout=5000)
    model = view.by_tag.model
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    kind_of = {t.label: t.kind for t in st.definition.tags.values()}
    kinds = [kind_of[label] for label in labels]
    assert kinds[0] == "principle", labels
    order = ["principle", "component", "practice_area"]
    shown = [k for k in dict.fromkeys(kinds) if k in order]
    assert shown == order, labels  # principles, then components, then practice areas
    assert kinds[-1] == "baseline" and "baseline" not in kinds[: kinds.index("component")]
