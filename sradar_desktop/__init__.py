"""SRADAR Desktop: offline evaluation of regional reception and integration action plans."""

__version__ = "0.1.0"

APP_NAME = "SRADAR Desktop"
