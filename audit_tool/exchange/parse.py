"""Reading a received file: decrypt it, check its manifest and checksum, and check every
record it carries against the declared schema (schema.py) and the checklist copies it
carries (checks.py). Touches no database: a file refused here never reached one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .bundle import FORMAT, VERSION
from .crypto import BundleRefused, read_file, refused, unseal

SECTIONS = ("audits", "cases", "samplings", "reviewers", "checklists")


@dataclass
class Bundle:
    manifest: dict
    payload: dict
    source: str = ""
    # the carried checklist copies, parsed once (sha256 -> LoadedChecklist)
    checklists: dict = field(default_factory=dict, repr=False)

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle_id"]


def read_bundle(
    path: str | Path, passphrase: str | None = None, identities: list[str] | None = None
) -> Bundle:
    """Decrypt and check a bundle file; touches no database."""
    plain = unseal(read_file(Path(path)), passphrase, identities)
    return parse(plain, Path(path).name)


def parse(plain: bytes, source: str = "") -> Bundle:
    """The manifest line, then the payload exactly as hashed; every record checked."""
    from . import checks, schema  # pydantic loads when a file is received, not at start-up

    head, newline, body = plain.partition(b"\n")
    try:
        m = json.loads(head.decode("utf-8"))
    except (ValueError, RecursionError):
        raise refused("its contents are not audit data") from None
    if not isinstance(m, dict) or not newline:
        raise refused("it has no manifest")
    if m.get("format") != FORMAT:
        raise refused("it is not an audit bundle")
    version = m.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise refused("its format version is not a number")
    if version > VERSION:
        raise BundleRefused(
            f"This file was made by a newer version of the tool (bundle format {version}; this "
            f"version reads up to {VERSION}). Update the tool, then import it; nothing was changed."
        )
    schema.check_manifest(m)
    checks.not_future(m["created_at"], "its manifest has created_at")
    if hashlib.sha256(body).hexdigest() != m["payload_sha256"]:
        raise refused("its contents do not match their checksum")
    try:
        payload = json.loads(body.decode("utf-8"))
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # Python refuses numbers of 4,300+ digits
            raise refused("it holds a number far too long to be one this tool writes") from None
        raise refused("its contents are not audit data") from None
    except RecursionError:
        raise refused("its contents are not audit data") from None
    if not isinstance(payload, dict):
        raise refused("it has no payload")
    for section in SECTIONS:
        if not isinstance(payload.get(section), list):
            raise refused(f"its {section} are not a list")
    schema.check_payload(payload)
    bundle = Bundle(m, payload, source, checks.carried_checklists(payload))
    checks.check_contents(bundle.payload, bundle.checklists)
    return bundle
