"""Scoring and aggregation over audits (SQL does the counting)."""

from .aggregate import (
    Comparison,
    Findings,
    GroupFinding,
    compare_phases,
    findings,
)
from .stats import newcombe, wilson

__all__ = ["Comparison", "Findings", "GroupFinding", "compare_phases", "findings", "newcombe", "wilson"]
