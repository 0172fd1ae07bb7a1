"""Sending and receiving audits between laptops, and the conflicts window."""
