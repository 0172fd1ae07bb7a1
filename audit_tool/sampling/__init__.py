"""Sampling case files from a council's list of eligible cases (issue 11).

caselist reads the list (CSV or XLSX), draw picks a reproducible sample, record stores the
sampling record with its cases and draft audits in one transaction. No Qt here.
"""

from .caselist import CaseList, read_case_list
from .draw import Columns, Draw, Eligibility, allocate, draw, eligible_files
from .record import (
    Created,
    Sampling,
    create_sample,
    describe_sampling,
    list_samplings,
    sampling_note,
)

__all__ = [
    "CaseList",
    "Columns",
    "Created",
    "Draw",
    "Eligibility",
    "Sampling",
    "allocate",
    "create_sample",
    "describe_sampling",
    "draw",
    "eligible_files",
    "list_samplings",
    "read_case_list",
    "sampling_note",
]
