"""The spaCy side of diplowatch: loading the English pipeline and cutting text into blocks."""

from diplowatch.nlp.pipeline import Block, load_nlp, segment, sentence_case

__all__ = ["Block", "load_nlp", "segment", "sentence_case"]
