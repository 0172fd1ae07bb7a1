"""Stand-alone dialogs: cases, checklists, passphrases, settings, sampling, unlock."""
