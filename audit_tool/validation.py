"""The rules for text received from a person or a file: one place for the limits and words.

Every write in the core cleans its text here (a NUL byte dropped, a length bounded), so a
note, a name or a reason is refused in the same one line wherever it is typed.
"""

from __future__ import annotations

from .errors import InvalidInput

MAX_TEXT = 20_000  # an evidence note or summary field; generous, but bounded
MAX_SHORT = 200  # a name, reference, area, agency, team, owner or date
MAX_REASON = 2_000  # the reason for amending a finalised audit


def clean(text: str, what: str, limit: int = MAX_TEXT) -> str:
    """The text without NUL bytes, or InvalidInput naming `what` when it is not text or too long."""
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be text.")
    text = text.replace("\x00", "")
    if len(text) > limit:
        raise InvalidInput(
            f"{what} is too long ({len(text):,} characters; the limit is {limit:,})."
        )
    return text


def required(text: str, what: str) -> str:
    """A short text that must not be empty, stripped."""
    text = clean(text, what, MAX_SHORT).strip()
    if not text:
        raise InvalidInput(f"{what} cannot be empty.")
    return text


def optional(text: str, what: str) -> str:
    """A short text that may be empty, stripped."""
    return clean(text, what, MAX_SHORT).strip()
