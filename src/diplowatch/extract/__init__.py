"""Doc → events: mentions, triggers, roles, polarity, dates and coding."""

from diplowatch.extract.pipeline import EXTRACTOR, Extractor

__all__ = ["EXTRACTOR", "Extractor"]
