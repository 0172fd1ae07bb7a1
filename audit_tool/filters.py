"""Which audits are meant: the filter as a value (its SQL condition and its description in
words), apart from the queries that use it (selection.list_audits, findings, reports), so a
screen that only holds a filter imports no store."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .domain import AuditType, Phase, Status


@dataclass(frozen=True)
class AuditFilter:
    area: str | None = None
    agency: str | None = None
    checklist_id: str | None = None
    phase: str | None = None
    audit_type: str | None = None
    status: str | None = None
    date_from: str | None = None  # ISO date, inclusive, on the audit's last change
    date_to: str | None = None  # ISO date, inclusive
    audit_id: str | None = None
    # Double reading (issue 10): findings and reports count a finalised moderation IN PLACE
    # OF the readings it agrees, and leave out a moderation of readings still in draft (its
    # readings count meanwhile), so a case file is counted once. (An audit merely typed
    # "moderation", linked to no readings, counts as any audit does.) True keeps every
    # audit: the audit list, and agreement statistics that compare the readings themselves.
    # A filter on one audit (audit_id) always finds it.
    include_superseded: bool = False

    def where(self, audit: str = "a", case: str = "c") -> tuple[str, list]:
        """SQL condition and parameters over the audits (a) joined to cases (c)."""
        clauses, params = [], []
        counted_once = not (self.include_superseded or self.audit_id)
        if counted_once:
            clauses.append(
                f"NOT EXISTS (SELECT 1 FROM moderation_sources ms_ JOIN audits m_"
                f" ON m_.id = ms_.moderation_id AND m_.status = 'finalised'"
                f" WHERE ms_.reading_id = {audit}.id)"
            )
            clauses.append(  # a moderation of readings counts once finalised, not before
                f"({audit}.status = 'finalised' OR NOT EXISTS (SELECT 1 FROM moderation_sources"
                f" ms_ WHERE ms_.moderation_id = {audit}.id))"
            )
        # counted once, a moderation stands for its readings and is of their type: else a
        # moderated file would drop out of a report on (say) case file audits altogether
        type_of_readings = counted_once and self.audit_type not in (None, "", "moderation")
        if type_of_readings:
            clauses.append(
                f"({audit}.audit_type = ? OR ({audit}.audit_type = 'moderation' AND EXISTS ("
                f"SELECT 1 FROM moderation_sources ms_ JOIN audits r_ ON r_.id = ms_.reading_id"
                f" WHERE ms_.moderation_id = {audit}.id AND r_.audit_type = ?)))"
            )
            params += [self.audit_type, self.audit_type]
        for column, value in (
            (f"{case}.area", self.area),
            (f"{case}.agency", self.agency),
            (f"{audit}.checklist_id", self.checklist_id),
            (f"{audit}.phase", self.phase),
            (f"{audit}.audit_type", None if type_of_readings else self.audit_type),
            (f"{audit}.status", self.status),
            (f"{audit}.id", self.audit_id),
        ):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.date_from:
            clauses.append(f"{audit}.updated_at >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"{audit}.updated_at < ?")
            params.append(self.date_to + "\uffff")  # inclusive of the whole day
        return (" AND ".join(clauses) or "1"), params

    def describe(self, brief: bool = False) -> str:
        """The selection in plain words, labels not stored values: 'status finalised, phase
        Post-training' in a report's method notes and the command line; brief ('finalised,
        post-training') where a window has one line for it (the findings view, the export
        and send dialogs). 'all audits' when nothing is chosen."""
        if brief:  # status, phase, area, checklist: what the list page's filters set
            parts = [
                Status(self.status).label.lower() if self.status else "",
                Phase(self.phase).label.lower() if self.phase else "",
                f"area {self.area}" if self.area else "",
                f"checklist {self.checklist_id}" if self.checklist_id else "",
            ]
            return ", ".join(p for p in parts if p) or "all audits"
        parts = [
            f"{label} {shown_value(k, v)}"
            for k, v in asdict(self).items()
            if v and (label := _LABELS.get(k))
        ]
        return ", ".join(parts) if parts else "all audits"


_LABELS = {
    "area": "area",
    "agency": "agency",
    "checklist_id": "checklist",
    "phase": "phase",
    "audit_type": "audit type",
    "status": "status",
    "date_from": "from",
    "date_to": "to",
}


def shown_value(key: str, value: str) -> str:
    """A filter value as a reader sees it: 'Post-training', never 'post_training'."""
    try:
        if key == "phase":
            return Phase(value).label
        if key == "audit_type":
            return AuditType(value).label.lower()
    except ValueError:
        pass
    return value
