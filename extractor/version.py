"""The extractor's version: it enters every output's `run` block, so a new version redoes old outputs."""

__version__ = "0.2.0"
