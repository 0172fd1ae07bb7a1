"""Audits passed between laptops in one encrypted file (age format), merged by uuid.

bundle: what a file holds and how it is built; crypto: sealing and opening it;
merge: checking a received file, previewing it, importing it, and the conflicts it leaves.
"""

from .bundle import FORMAT, VERSION, Sent, collect, export_bundle, write_bundle
from .crypto import BundleRefused, WrongKey, keygen, read_identities, read_recipients
from .merge import (
    Bundle,
    Conflict,
    Difference,
    Plan,
    compare,
    conflicts,
    import_bundle,
    plan,
    read_bundle,
    resolve,
)

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
    "read_bundle",
    "read_identities",
    "read_recipients",
    "resolve",
]
