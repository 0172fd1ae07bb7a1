"""Passphrase rules: NFC-normalised, at least 15 characters, no composition rules.

Following NCSC (three random words) and NIST SP 800-63B-4: length is what matters,
any character (spaces, any script) is allowed, nothing is stored or logged. Length is
counted as the passphrase looks: characters that show nothing (zero-width, controls,
fillers) do not count, and a run of spaces counts as one space between words, so twenty
spaces or one word padded out with zero-width characters is not a 15-character passphrase.
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


# Letters that render as blank space although Unicode does not call them spaces
_BLANK = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}


def _shows(ch: str) -> bool:
    return not ch.isspace() and ch not in _BLANK and unicodedata.category(ch) not in ("Cc", "Cf")


def length(passphrase: str) -> int:
    """Length as the passphrase looks (after NFC): visible characters, plus one for each
    gap of spaces between them."""
    n = 0
    gap = False
    for ch in normalise(passphrase):
        if _shows(ch):
            n += 1 + (gap and n > 0)
            gap = False
        elif ch.isspace() or ch in _BLANK:
            gap = True
    return n


def check(passphrase: str) -> str:
    """Return the normalised passphrase, or raise WeakPassphrase with a one-line reason."""
    p = normalise(passphrase)
    if "\x00" in p:
        raise WeakPassphrase("The passphrase cannot contain a NUL character.")
    if length(p) < MIN_LENGTH:
        raise WeakPassphrase(
            f"The passphrase needs at least {MIN_LENGTH} characters "
            f"(it has {length(p)}, counting what shows); three or four random words work well."
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
    n = length(p)
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
