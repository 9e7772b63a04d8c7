"""Tongxin (同心): a county command post's platform for public-health emergency response."""

__version__ = "0.1.0"
