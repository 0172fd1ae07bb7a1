"""The audit editor: items, ratings, notes, summary, undo, concerns, history."""
