"""diplowatch: diplomatic events from the news, coded and kept as relation state.

The public face (DESIGN §6)::

    import diplowatch

    events = diplowatch.analyze("Russia recognised the Taliban government on Thursday.",
                                published="2025-07-04")
    with diplowatch.KnowledgeBase("sqlite:///kb.db") as kb:
        kb.add(diplowatch.Article(id="doc", text="…"), events)

``KnowledgeBase`` is imported on first use (SQLAlchemy and Alembic are not
loaded by ``import diplowatch``); the extractor behind :func:`analyze` (spaCy)
is loaded once per process, on the first call.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING, Any

from diplowatch.model import Actor, Article, Event

if TYPE_CHECKING:
    from diplowatch.store import KnowledgeBase

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"

__all__ = ["Actor", "Article", "Event", "KnowledgeBase", "__version__", "analyze"]

_extractor: Any = None
_extractor_lock = threading.Lock()


def analyze(text: str, published: dt.date | str | None = None, title: str | None = None,
            doc: str = "doc") -> list[Event]:
    """Extract the diplomatic events of one article's text.

    The extractor (spaCy pipeline, gazetteer, lexicon) is loaded on the first
    call and kept for the process: the first call takes a second or two, the
    next ones only the analysis. Safe to call from several threads (one runs
    at a time).

    Args:
        text: the article body (plain text, any length).
        published: publication date, as a :class:`datetime.date` or an ISO
            ``YYYY-MM-DD`` string; relative dates in the text ("on Thursday")
            are resolved against it. ``None``: unknown (such dates stay unresolved).
        title: headline, or ``None``; when given it is analysed before the
            body and evidence offsets count it (see :attr:`Article.content`).
        doc: document id put in every event's ``doc`` and hashed into its ``id``.

    Returns:
        The events, in text order: :class:`Event` objects (DESIGN §2; see
        ``Event.to_dict()``), each with its evidence span as character offsets
        into ``title + "\\n\\n" + text`` (or ``text`` alone without a title).
        An empty list when the text reports no diplomatic event.

    Raises:
        TypeError: ``text`` is not a ``str``.
        ValueError: ``published`` is a string that is not an ISO date.
        ConfigurationError: no spaCy model is installed or a data file is invalid
            (:class:`diplowatch.errors.ConfigurationError`).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if isinstance(published, dt.datetime):
        published = published.date()
    elif isinstance(published, str):
        try:
            published = dt.date.fromisoformat(published.strip())
        except ValueError:
            raise ValueError(f"published must be an ISO date YYYY-MM-DD, not {published!r}") from None
    article = Article(id=doc, text=text, title=title, published=published)
    global _extractor
    with _extractor_lock:
        if _extractor is None:
            from diplowatch.extract import Extractor

            _extractor = Extractor()
        return _extractor.extract(article)


def __getattr__(name: str) -> Any:
    """Import :class:`~diplowatch.store.KnowledgeBase` on first use (PEP 562)."""
    if name == "KnowledgeBase":
        from diplowatch.store import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"KnowledgeBase"})
