"""Audits passed between laptops in one encrypted file (age format), merged by uuid.

bundle: what a file holds and how it is built; crypto: sealing and opening it;
parse (with schema and checks): reading a received file and checking every record;
plan (with amendment): what importing it would do; apply: importing it in one transaction;
conflicts: the received versions left for a person to choose; merge: all of these, one name.
"""

from .apply import import_bundle
from .bundle import (
    FORMAT,
    VERSION,
    Sent,
    collect,
    export_bundle,
    plan_bundle_release,
    release_bundle,
    write_bundle,
)
from .conflicts import Conflict, Difference, compare, conflicts, resolve
from .crypto import BundleRefused, WrongKey, keygen, read_identities, read_recipients
from .parse import Bundle, read_bundle
from .plan import Plan, plan

__all__ = [
    "FORMAT",
    "VERSION",
    "Bundle",
    "BundleRefused",
    "Conflict",
    "Difference",
    "Plan",
    "Sent",
    "WrongKey",
    "collect",
    "write_bundle",
    "compare",
    "conflicts",
    "export_bundle",
    "import_bundle",
    "keygen",
    "plan",
    "plan_bundle_release",
    "read_bundle",
    "read_identities",
    "read_recipients",
    "release_bundle",
    "resolve",
]
