"""Case File Audit Tool: the core. Nothing below this package imports Qt."""

__version__ = "0.1.0"
APP_NAME = "Case File Audit"
APP_SLUG = "case-file-audit"
