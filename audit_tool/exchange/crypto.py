"""Seal and open the age-format file that carries audits between laptops (pyrage).

Either a passphrase (scrypt; slow on purpose, about two seconds each way) or X25519 keys:
the receiving laptop makes a key pair (`bundle keygen`) and hands out the public half.
Nothing here touches the database or the disk beyond the key files named by the user.
"""

from __future__ import annotations

from pathlib import Path

import pyrage

from ..errors import AuditToolError, InvalidInput
from ..fileio import write_atomic
from ..passphrase import check as check_passphrase
from ..passphrase import normalise

MAGIC = b"age-encryption.org/v1\n"
MAX_FILE = 1 << 30  # a bundle of 10,000 audits is a few MB; a gigabyte is not a bundle
_KEY_LIMIT = 64 * 1024  # a key file is a few lines


class BundleRefused(AuditToolError):
    """The file cannot be imported (damaged, altered, replayed, newer, hostile)."""


def refused(why: str) -> BundleRefused:
    """The one form a refusal of a received file takes: what is wrong, and that nothing changed."""
    return BundleRefused(f"This file cannot be imported: {why}; nothing was changed.")


class WrongKey(AuditToolError):
    """The passphrase or key does not open the file."""

    exit_code = 3


def seal(data: bytes, passphrase: str | None = None, recipients: list[str] | None = None) -> bytes:
    """Encrypt to a passphrase (at least 15 characters) or to the given public keys."""
    if recipients:
        keys = [_recipient(r) for r in recipients]
        return pyrage.encrypt(data, keys)
    if passphrase is None:
        raise InvalidInput("Give a passphrase or a recipients file to protect the file.")
    return pyrage.passphrase.encrypt(data, check_passphrase(passphrase))


def unseal(
    data: bytes, passphrase: str | None = None, identities: list[str] | None = None
) -> bytes:
    """Decrypt; one line for a file that is not ours, damaged, altered, or the wrong key."""
    if not data.startswith(MAGIC):
        raise BundleRefused(
            "This is not an audit file from another laptop (not an age-encrypted file)."
        )
    try:
        if identities:
            return pyrage.decrypt(data, [_identity(i) for i in identities])
        if passphrase is None:
            raise InvalidInput("Give the passphrase or the key file that opens this file.")
        return pyrage.passphrase.decrypt(data, normalise(passphrase))
    except pyrage.DecryptError as exc:
        reason = str(exc).lower()
        # age checks the key first (header), then each 64 KiB chunk of the payload: a wrong key,
        # or an altered header, fails before any payload; a cut or altered payload after
        if "no matching keys" in reason or "decryption failed" in reason:
            raise WrongKey(
                "The passphrase or key does not open this file (or its opening lines were altered); "
                "nothing was changed."
            ) from None
        raise BundleRefused(
            "The file is damaged, cut short or has been altered since it was made; nothing was changed."
        ) from None


def _recipient(text: str) -> pyrage.x25519.Recipient:
    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except Exception:  # pyrage raises its own RecipientError, or ValueError
        raise InvalidInput(
            f"'{text.strip()[:70]}' is not a public key (it should start with age1)."
        ) from None


def _identity(text: str) -> pyrage.x25519.Identity:
    try:
        return pyrage.x25519.Identity.from_str(text.strip())
    except Exception:
        raise InvalidInput(
            "The key file does not hold a private key (a line starting AGE-SECRET-KEY-1)."
        ) from None


def _key_lines(path: Path, what: str) -> list[str]:
    path = Path(path)
    try:
        if path.stat().st_size > _KEY_LIMIT:
            raise InvalidInput(f"{path} is too large to be a {what}.")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"There is no {what} at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"{path} cannot be read as a {what} ({getattr(exc, 'strerror', None) or 'not text'})."
        ) from None
    lines = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not lines:
        raise InvalidInput(f"{path} holds no key.")
    return lines


def read_recipients(path: Path) -> list[str]:
    """Public keys, one a line (# comments allowed), each checked."""
    lines = _key_lines(path, "recipients file")
    for line in lines:
        _recipient(line)
    return lines


def read_identities(path: Path) -> list[str]:
    lines = _key_lines(path, "key file")
    for line in lines:
        _identity(line)
    return lines


def keygen(out: Path) -> str:
    """Write a new private key (0600, never over an existing file); return its public key."""
    out = Path(out)
    if out.exists():
        raise InvalidInput(f"{out} already exists; it was left as it is. Choose another file name.")
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    text = (
        "# Private key for receiving audits (audit-tool bundle). Keep it on this laptop only.\n"
        f"# public key: {public}\n{identity}\n"
    )
    write_atomic(out, lambda f: f.write(text.encode("utf-8")))
    return public


def read_file(path: Path) -> bytes:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise BundleRefused(f"{path.name} is too large to be an audit file ({size:,} bytes).")
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not an audit file.") from None
    except OSError as exc:
        raise InvalidInput(f"{path} cannot be read ({exc.strerror}).") from None
