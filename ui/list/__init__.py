"""The audit list: its table model, view and background loading."""
