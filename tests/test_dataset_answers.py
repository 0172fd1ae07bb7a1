"""The dataset's answers read a few audits at a time (issue 22): the rows, their order and the
per-audit counts do not depend on where the chunks fall. Synthetic, fictional data only."""

from __future__ import annotations

import pytest

from audit_tool import dataset_answers
from audit_tool.dataset import build_dataset
from audit_tool.dataset_answers import AnswerTable
from audit_tool.filters import AuditFilter
from tests.test_dataset import AUDITS, ROWS, _build


@pytest.fixture
def populated(db, mini):
    _build(db, mini)
    return db


def test_chunks_of_any_size_give_the_same_rows_in_the_same_order(populated, monkeypatch):
    whole = build_dataset(populated, AuditFilter(), include_free_text=True, restricted=True)
    assert len(whole.audits) == AUDITS and len(whole.answers) == ROWS
    for size in (1, 2, 3, 7):
        monkeypatch.setattr(dataset_answers, "_CHUNK", size)
        chunked = build_dataset(populated, AuditFilter(), include_free_text=True, restricted=True)
        assert list(chunked.answer_rows()) == list(whole.answer_rows()), size
        assert chunked.audits == whole.audits, size
    # each audit's rows together, in the audits sheet's order, and in the checklist's order
    keys = [r[0] for r in whole.answer_rows()]
    assert keys == sorted(keys, key=[a[0] for a in whole.audits].index)
    items = [r[12] for r in whole.answer_rows() if r[0] == whole.audits[0][0]]
    assert items == ["p1", "p2", "p3", "q1", "q2"][: len(items)]


def test_a_list_of_rows_and_the_table_are_the_same_answers():
    rows = [(0, ("s", "i"), "3", None), (0, ("s", "j"), "3", "a note"), (1, ("s", "i"), "3", None)]
    table = AnswerTable.of(rows, free_text=True)
    assert list(table) == rows and len(table) == 3
    assert len(table.pairs) == 2 and table.notes == [None, "a note"]
    assert list(AnswerTable.of(rows, free_text=False)) == [(*r[:3], None) for r in rows]
