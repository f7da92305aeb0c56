"""reports: Chinese-language PDF briefings on CAR cell therapies from curated evidence."""

__version__ = "0.1.0"
