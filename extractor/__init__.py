"""extractor: Chinese government information-disclosure annual reports to verified, structured data."""

__version__ = "0.1.0"
