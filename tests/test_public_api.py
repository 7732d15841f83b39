"""The package's public face (DESIGN §6): ``diplowatch.analyze`` and the re-exported classes."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys

import pytest

import diplowatch


def test_all_is_sorted_and_every_name_imports():
    assert diplowatch.__all__ == sorted(diplowatch.__all__)
    assert {"analyze", "KnowledgeBase", "Event", "Actor", "Article"} <= set(diplowatch.__all__)
    module = importlib.import_module("diplowatch")
    for name in diplowatch.__all__:
        assert getattr(module, name) is not None, name
    from diplowatch import Actor, Article, Event, KnowledgeBase, analyze  # noqa: F401
    from diplowatch.model import Event as ModelEvent
    from diplowatch.store import KnowledgeBase as StoreKnowledgeBase

    assert Event is ModelEvent and KnowledgeBase is StoreKnowledgeBase and callable(analyze)
    with pytest.raises(AttributeError):
        diplowatch.no_such_name  # noqa: B018


def test_import_is_light():
    """``import diplowatch`` loads neither SQLAlchemy nor spaCy (both come on first use)."""
    code = "import sys, diplowatch; print('sqlalchemy' in sys.modules, 'spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_analyze_rejects_bad_arguments():
    with pytest.raises(TypeError, match="text must be a str"):
        diplowatch.analyze(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ISO date"):
        diplowatch.analyze("Russia recognised the Taliban.", published="last Thursday")


@pytest.mark.slow
def test_analyze_returns_events_with_the_doc_id(monkeypatch, extractor):
    monkeypatch.setattr(diplowatch, "_extractor", extractor)  # the session's, loaded once
    events = diplowatch.analyze("Russia recognised the Taliban government on Thursday.",
                                published=dt.date(2025, 7, 4), doc="wire-1")
    assert [e.event for e in events] == ["recognize_government"]
    assert events[0].doc == "wire-1" and events[0].date == "2025-07-03"
    assert isinstance(events[0], diplowatch.Event)
    titled = diplowatch.analyze("The ministry said so.", published="2025-07-04",
                                title="Russia recognises the Taliban government")
    assert titled and titled[0].evidence.start == 0  # offsets count the headline
