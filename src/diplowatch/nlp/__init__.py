"""The spaCy side of diplowatch: loading the English pipeline and cutting text into blocks."""

from diplowatch.nlp.pipeline import Block, SentenceSplitter, load_nlp, segment, sentence_case, split_block

__all__ = ["Block", "SentenceSplitter", "load_nlp", "segment", "sentence_case", "split_block"]
