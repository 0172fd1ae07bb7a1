"""Disclosure control for anonymised outputs (issue 18)."""
