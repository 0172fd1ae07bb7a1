"""Undo/redo steps for the audit editor. Each step saves through the core when it is done
or undone, so what is on screen is always what is stored.

Typing is one step per box: a text step merges with the step before it when both change
the same box, so a paragraph typed in bursts undoes in one go.
"""

from __future__ import annotations

import sys
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from audit_tool.domain import Recommendation

RATING_ID = -1  # ratings never merge (Qt: -1 means "no merging")
TEXT_ID = 1001
RECOMMENDATIONS_ID = -1

Target = tuple[str, str]  # ("note", item id) or ("summary", field name)


class EditorApi(Protocol):
    """What the steps need from the editor (kept small so they can be tested alone)."""

    def apply_rating(self, item_id: str, value: str | None, navigate: bool) -> bool: ...

    def save_text(self, target: Target, text: str, update_widget: bool, navigate: bool) -> bool: ...

    def save_recommendations(
        self, recs: tuple[Recommendation, ...], update_widget: bool, navigate: bool
    ) -> bool: ...


class SavingStep(QUndoCommand):
    """A step that saves when done or undone (subclasses write _redo and _undo).

    Qt calls redo() and undo() from C++ (QUndoStack.push, undo, redo). In PySide6 an
    exception escaping such an override stays pending while Qt goes on emitting signals, so
    the next Python slot fails with a confusing SystemError. A bug here (an AuditToolError is
    handled by the editor and never gets this far) goes to sys.excepthook at once instead:
    ui.excepthook says so and marks the save indicator; a first redo that failed leaves no
    step to undo."""

    _first = True

    def redo(self) -> None:
        try:
            self._redo()
        except Exception:
            if self._first:
                self.setObsolete(True)
                self._first = False
            sys.excepthook(*sys.exc_info())

    def undo(self) -> None:
        try:
            self._undo()
        except Exception:
            sys.excepthook(*sys.exc_info())

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


class RateCommand(SavingStep):
    def __init__(self, editor: EditorApi, item_id: str, old: str | None, new: str | None) -> None:
        super().__init__("rating")
        self.editor, self.item_id, self.old, self.new = editor, item_id, old, new
        self._first = True

    def _redo(self) -> None:
        ok = self.editor.apply_rating(self.item_id, self.new, navigate=not self._first)
        if self._first and not ok:
            self.setObsolete(True)  # nothing was saved: no step to undo
        self._first = False

    def _undo(self) -> None:
        self.editor.apply_rating(self.item_id, self.old, navigate=True)

    def id(self) -> int:
        return RATING_ID


class TextCommand(SavingStep):
    """An evidence note or a summary field; the box already shows the new text when pushed."""

    def __init__(self, editor: EditorApi, target: Target, old: str, new: str) -> None:
        super().__init__("evidence note" if target[0] == "note" else "summary text")
        self.editor, self.target, self.old, self.new = editor, target, old, new
        self._first = True
        self._mergeable = True  # closed once undone or redone: new typing is a new step

    def _redo(self) -> None:
        ok = self.editor.save_text(
            self.target, self.new, update_widget=not self._first, navigate=not self._first
        )
        if self._first and not ok:
            self.setObsolete(True)
        if not self._first:
            self._mergeable = False
        self._first = False

    def _undo(self) -> None:
        self._mergeable = False
        self.editor.save_text(self.target, self.old, update_widget=True, navigate=True)

    def id(self) -> int:
        return TEXT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not self._mergeable or not isinstance(other, TextCommand) or other.target != self.target:
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)  # typed and deleted again: no step left
        return True


class RecommendationsCommand(SavingStep):
    def __init__(
        self, editor: EditorApi, old: tuple[Recommendation, ...], new: tuple[Recommendation, ...]
    ) -> None:
        super().__init__("recommendations")
        self.editor, self.old, self.new = editor, old, new
        self._first = True

    def _redo(self) -> None:
        ok = self.editor.save_recommendations(
            self.new, update_widget=not self._first, navigate=not self._first
        )
        if self._first and not ok:
            self.setObsolete(True)
        self._first = False

    def _undo(self) -> None:
        self.editor.save_recommendations(self.old, update_widget=True, navigate=True)

    def id(self) -> int:
        return RECOMMENDATIONS_ID  # each committed table edit is its own step
