"""Shared pieces every screen uses: palette, styles, small widgets, messages, accessibility."""
