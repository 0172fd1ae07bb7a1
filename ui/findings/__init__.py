"""The findings view (the figures behind a selection, on screen)."""
