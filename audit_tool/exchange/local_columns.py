"""Audit columns this laptop works out for itself (store/step_list_shown.py): never sent in a
bundle and never compared, so a received version is judged on what the reviewer wrote."""

from __future__ import annotations

LOCAL_ONLY = ("shown",)


def without_local(row: dict) -> dict:
    """The row without the local-only columns (changed in place and returned)."""
    for name in LOCAL_ONLY:
        row.pop(name, None)
    return row
