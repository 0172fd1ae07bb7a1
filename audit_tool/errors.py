"""Errors the user can act on. Each carries a one-line message and a CLI exit code.

Anything not derived from AuditToolError is a bug and is reported as such.
"""

from __future__ import annotations


class AuditToolError(Exception):
    """A problem the user can understand and act on (one-line message)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WrongPassphrase(AuditToolError):
    exit_code = 3


class NotAnAuditDatabase(AuditToolError):
    exit_code = 3


class DamagedDatabase(AuditToolError):
    """The file is an audit database but its contents are broken (truncated, tampered)."""


class NewerSchema(AuditToolError):
    """The database was written by a newer version of this tool; it is left untouched."""


class StorageProblem(AuditToolError):
    """The environment, not the data: disk full, read-only, file busy or locked."""


class WeakPassphrase(AuditToolError):
    pass


class ChecklistError(AuditToolError):
    """A checklist definition is invalid; the message names file, line and field."""


class NotFound(AuditToolError):
    pass


class ReadOnlyAudit(AuditToolError):
    """The audit is finalised; amend it (with a reason) to change it."""


class InvalidInput(AuditToolError):
    pass


class ExportProblem(AuditToolError):
    pass


class Cancelled(AuditToolError):
    """The user cancelled a long operation; whatever it was writing is removed."""
