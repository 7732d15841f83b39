"""Shared helpers of the extraction tests: run the extractor on an invented article, read its keys.

A key is ``(event, source state, target state, polarity)``, the unit of DESIGN
§7's scoring; for the mutual relations events the dyad is sorted.
"""

from __future__ import annotations

import datetime as dt

from diplowatch.model import Article, Event
from diplowatch.ontology import MUTUAL_EVENTS

PUBLISHED = "2024-05-22"  # a Wednesday


def extract(extractor, text: str, published: str | None = PUBLISHED, title: str | None = None,
            doc: str = "t") -> list[Event]:
    """Run the extractor on one invented article."""
    pub = dt.date.fromisoformat(published) if published else None
    return extractor.extract(Article(id=doc, text=text, title=title, published=pub))


def key(ev: Event) -> tuple:
    """(event, source state, target state, polarity); mutual dyads sorted."""
    src = ev.source.state if ev.source else None
    tgt = ev.target.state if ev.target else None
    if ev.event in MUTUAL_EVENTS and src and tgt:
        src, tgt = sorted((src, tgt))
    return (ev.event, src, tgt, ev.polarity)


def events(extractor, text: str, published: str | None = PUBLISHED, title: str | None = None) -> set[tuple]:
    """The set of scoring keys the extractor finds in ``text``."""
    return {key(ev) for ev in extract(extractor, text, published, title)}


def show(found) -> str:
    """Keys one per line, for assertion messages."""
    return "\n  ".join(sorted(map(str, found))) or "(nothing)"
