"""store_items, the loop of ``ingest`` and ``follow``: each item ends as duplicate, stored, or refused and quarantined.

A store and an extractor stand-in (no database, no spaCy) make every branch happen once.
"""

from __future__ import annotations

import contextlib

from diplowatch.errors import InputError, StoreError
from diplowatch.ingest.pipeline import store_items
from diplowatch.ingest.summary import RunSummary
from diplowatch.model import Article


class FakeStore:
    """In memory; ``stored`` ids are known, ``clash`` ids belong to another article, ``refuse`` ids fail to store."""

    def __init__(self) -> None:
        self.stored: dict[str, int] = {"old": 0}
        self.clash = {"clash"}
        self.refuse = {"refused"}
        self.lost = {"lost"}  # added by someone else between is_stored and add
        self.quarantined: list[tuple[str, str, object, int | None]] = []

    def is_stored(self, article: Article) -> bool:
        if article.id in self.clash:
            raise StoreError(f"article {article.id}: a different article is already stored under this id")
        return article.id in self.stored

    def add(self, article: Article, events: list) -> bool:
        if article.id in self.refuse:
            raise StoreError(f"article {article.id}: cannot store: IntegrityError")
        if article.id in self.lost:
            return False
        self.stored[article.id] = len(events)
        return True

    def quarantine(self, source: str, reason: str, raw: object = None, line: int | None = None) -> int:
        if "unquarantinable" in source:
            raise StoreError(f"cannot quarantine a record of {source}: disk full")
        self.quarantined.append((source, reason, raw, line))
        return len(self.quarantined)


class FakeExtractor:
    def extract(self, article: Article) -> list:
        if article.id == "deep":
            raise RecursionError("maximum recursion depth exceeded")
        return ["e1", "e2"] if article.id == "new" else []


def art(doc: str) -> Article:
    return Article(id=doc, text=f"text of {doc}", url=f"https://news.example/{doc}")


def test_every_outcome_once():
    store, made, errors, items, writes = FakeStore(), [], [], [], []

    def extractor() -> FakeExtractor:
        made.append(1)
        return FakeExtractor()

    @contextlib.contextmanager
    def critical():
        writes.append(1)
        yield

    summary = RunSummary()
    bad = InputError("corpus.jsonl", "not valid JSON", 3)
    failed = store_items(
        [bad, art("old"), art("new"), art("deep"), art("refused"), art("clash"), art("lost"),
         InputError("unquarantinable.jsonl", "not valid JSON", 1)],
        store, extractor, summary, on_error=errors.append, on_item=lambda: items.append(1), critical=critical)
    assert failed == 1  # the record that could not even be quarantined
    assert made == [1] and len(items) == 8 and len(writes) == 3  # one extractor; each write inside critical()
    assert (summary.new, summary.events, summary.duplicates) == (1, 2, 2)  # "old" and "lost" are duplicates
    assert store.stored == {"old": 0, "new": 2}
    assert [(s, r.split(":")[0], raw.id if raw else None, line) for s, r, raw, line in store.quarantined] == [
        ("corpus.jsonl", "not valid JSON", None, 3),
        ("https://news.example/deep", "extraction failed", "deep", None),
        ("https://news.example/refused", "article refused", "refused", None),
        ("https://news.example/clash", "article clash", "clash", None),
    ]
    assert summary.n_quarantined == 4
    # reported: the input errors, the store's refusals and the failed quarantine; not the extraction failure
    assert [str(e).split(":")[0] for e in errors] == ["corpus.jsonl", "article refused", "article clash",
                                                      "unquarantinable.jsonl", "cannot quarantine a record of "
                                                      "unquarantinable.jsonl"]


def test_nothing_new_loads_no_extractor():
    store, made = FakeStore(), []
    summary = RunSummary()
    assert store_items([art("old"), art("old")], store, lambda: made.append(1), summary) == 0
    assert made == [] and summary.duplicates == 2 and summary.new == 0
