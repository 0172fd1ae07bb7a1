"""Second readings and the lead reader's moderation view."""
