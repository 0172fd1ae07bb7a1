"""The export dialog: reports and the analyst dataset."""
