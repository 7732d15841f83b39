"""Language identification of article text (py3langid; the model ships in the wheel).

The extractor reads English and French: readers keep the language on
:attr:`Article.lang <diplowatch.model.Article>` and the input layer skips (and
counts) articles in other languages instead of mis-coding them.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["MIN_CHARS", "MIN_CONFIDENCE", "detect_language", "normalise_lang", "resolve_lang"]

MIN_CHARS = 40
"""Shorter texts are not classified: the guess would be noise."""

MIN_CONFIDENCE = 0.7
"""Normalised probability below which a guess is not trusted."""

_SAMPLE = 5000
_lock = threading.Lock()
_identifier: Any = None


def _ident() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def normalise_lang(code: str | None) -> str | None:
    """``"en-GB"``/``"EN_us"`` → ``"en"``; empty or non-alphabetic → ``None``."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def detect_language(text: str) -> tuple[str | None, float]:
    """Guess the language of ``text``.

    Args:
        text: any text; the first 5,000 characters are used.

    Returns:
        ``(ISO 639-1 code, probability 0..1)``, or ``(None, 0.0)`` when the
        text has fewer than :data:`MIN_CHARS` letters-and-spaces characters or
        the best guess is below :data:`MIN_CONFIDENCE`. Never raises on text.
    """
    sample = text[:_SAMPLE]
    if len(sample.strip()) < MIN_CHARS:
        return None, 0.0
    code, prob = _ident().classify(sample)
    prob = float(prob)
    if prob < MIN_CONFIDENCE:
        return None, prob
    return str(code), prob


def resolve_lang(text: str, declared: str | None) -> str | None:
    """Language of an article: a confident detection wins over the declared code.

    Args:
        text: the article content (headline and body).
        declared: language the source states (HTML ``lang``, feed
            ``language``, corpus ``lang``), or ``None``.

    Returns:
        ISO 639-1 code, or ``None`` when neither is known.
    """
    found, _ = detect_language(text)
    return found or normalise_lang(declared)
