"""Passphrase rules: NFC-normalised, at least 15 characters, no composition rules.

Following NCSC (three random words) and NIST SP 800-63B-4: length is what matters,
any character (spaces, any script) is allowed, nothing is stored or logged.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from .errors import WeakPassphrase

MIN_LENGTH = 15
MAX_LENGTH = 1024  # guards against pasting a whole document by accident


def normalise(passphrase: str) -> str:
    """The form used as the key: NFC, so the same words typed on another keyboard match."""
    return unicodedata.normalize("NFC", passphrase)


def length(passphrase: str) -> int:
    """Length in user-perceived characters (code points after NFC)."""
    return len(normalise(passphrase))


def check(passphrase: str) -> str:
    """Return the normalised passphrase, or raise WeakPassphrase with a one-line reason."""
    p = normalise(passphrase)
    if "\x00" in p:
        raise WeakPassphrase("The passphrase cannot contain a NUL character.")
    if len(p) < MIN_LENGTH:
        raise WeakPassphrase(
            f"The passphrase needs at least {MIN_LENGTH} characters "
            f"(it has {len(p)}); three or four random words work well."
        )
    if len(p) > MAX_LENGTH:
        raise WeakPassphrase(f"The passphrase is longer than {MAX_LENGTH} characters.")
    return p


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    label: str
    hint: str


_COMMON = {"password", "passphrase", "123456", "qwerty", "letmein", "welcome", "council"}


def strength(passphrase: str) -> Strength:
    """Rough, explainable feedback for the create dialog (not a gate beyond MIN_LENGTH)."""
    p = normalise(passphrase)
    n = len(p)
    if n == 0:
        return Strength(0, "Empty", f"Use at least {MIN_LENGTH} characters, e.g. three random words.")
    if n < MIN_LENGTH:
        return Strength(
            0, "Too short", f"{MIN_LENGTH - n} more character(s) needed; three random words work well."
        )
    lowered = p.lower()
    if len(set(p)) <= 3 or any(w in lowered for w in _COMMON):
        return Strength(1, "Weak", "Avoid repeated characters and common words like 'password'.")
    words = [w for w in p.replace("-", " ").split() if w]
    pool = len(set(p))
    bits = n * math.log2(max(pool, 2))
    if len(words) >= 4 or bits >= 90:
        return Strength(4, "Strong", "Good. Write it down somewhere safe and separate from the laptop.")
    if len(words) >= 3 or bits >= 70:
        return Strength(3, "Good", "Good. A fourth random word would make it stronger.")
    return Strength(2, "Fair", "Long enough. Random, unrelated words make it harder to guess.")
