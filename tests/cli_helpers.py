"""Helpers for tests that drive the command line as a person would."""

from __future__ import annotations


def with_review(cli, *args):
    """Run an export with --include-free-text as a person would: the texts are listed with
    a code (nothing written), then run again with --free-text-reviewed CODE."""
    listed = cli(*args)
    assert listed.returncode == 1 and "--free-text-reviewed" in listed.stdout, listed
    code = listed.stdout.strip().splitlines()[-1].rsplit(" ", 1)[1].rstrip(".")
    return cli(*args, "--free-text-reviewed", code)
