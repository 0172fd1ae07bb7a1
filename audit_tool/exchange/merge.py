"""Receiving a bundle, as one name: the steps live in their own modules.

parse      decrypt, check the manifest, checksum and every record (schema, checks);
plan       what importing would do against this laptop (amendment: finalised audits);
apply      the one transaction that writes it;
conflicts  received versions waiting for a person's choice.
Kept so `from audit_tool.exchange.merge import ...` (benchmarks, older scripts) still works.
"""

from __future__ import annotations

from .apply import IMPORT_CACHE_KIB, RECEIVED_CONCERN_BY, import_bundle
from .conflicts import Conflict, Difference, compare, conflicts, resolve
from .parse import Bundle, parse, read_bundle
from .plan import Plan, plan, version_of

__all__ = [
    "IMPORT_CACHE_KIB",
    "RECEIVED_CONCERN_BY",
    "Bundle",
    "Conflict",
    "Difference",
    "Plan",
    "compare",
    "conflicts",
    "import_bundle",
    "parse",
    "plan",
    "read_bundle",
    "resolve",
    "version_of",
]
