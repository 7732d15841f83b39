"""Counts of one reading/ingesting run, its Rich progress bar and its summary.

:class:`RunSummary` is filled by the readers (skipped, dates flagged) and by the
command that stores or analyses articles (new, duplicates, quarantined,
events); it prints as one human line or as JSON for scripts.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

__all__ = ["RunSummary", "make_progress"]


@dataclass
class RunSummary:
    """What happened to the inputs of one run.

    Attributes:
        read: articles read (before language and emptiness filters).
        new: articles stored for the first time (``ingest``/``follow``) or
            analysed (``analyze``).
        duplicates: articles already stored (same id), not extracted again.
        skipped_language: articles skipped because their language is not analysed,
            by language code.
        skipped_empty: records with no text (feed items with neither content
            nor summary, …).
        quarantined: inputs refused or not storable, by reason.
        events: events found in the new articles.
        failed: records that could not even be quarantined (``ingest``, ``follow``).
        dates_unknown: articles read with no publication date at all: none
            stated (or an unusable one) and no ``--published``; their events
            without a date of their own are undated.
        dates_unusable: articles whose stated date was unusable (two-digit
            year, year 0, far future, …): stored as unknown, or replaced by
            the ``--published`` date when one was given.
        dates_defaulted: of those, how many were replaced by the ``--published`` date.
        not_modified: feeds answered 304 Not Modified (``follow``).
        feed_errors: feeds that were down or malformed this round (``follow``).
        started: ``time.monotonic()`` at creation.
    """

    read: int = 0
    new: int = 0
    duplicates: int = 0
    skipped_language: Counter = field(default_factory=Counter)
    skipped_empty: int = 0
    quarantined: Counter = field(default_factory=Counter)
    events: int = 0
    failed: int = 0
    dates_unknown: int = 0
    dates_unusable: int = 0
    dates_defaulted: int = 0
    not_modified: int = 0
    feed_errors: int = 0
    started: float = field(default_factory=time.monotonic)

    def quarantine(self, reason: str) -> None:
        """Count one refused input; reasons are grouped by their text before any ``(``/``:`` detail."""
        key = reason.split(" (", 1)[0].split(": ", 1)[0].strip() or reason
        self.quarantined[key] += 1

    @property
    def n_quarantined(self) -> int:
        """Total refused inputs."""
        return sum(self.quarantined.values())

    @property
    def n_skipped(self) -> int:
        """Articles skipped for language or emptiness."""
        return sum(self.skipped_language.values()) + self.skipped_empty

    def merge(self, other: RunSummary) -> None:
        """Add the counts of ``other`` (a later round of ``follow``) into this one."""
        for name in ("read", "new", "duplicates", "skipped_empty", "events", "failed", "dates_unknown",
                     "dates_unusable", "dates_defaulted", "not_modified", "feed_errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped_language.update(other.skipped_language)
        self.quarantined.update(other.quarantined)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts: ``{"read", "new", "duplicates", "skipped": {"language": {code: n},
        "empty"}, "quarantined": {"total", "reasons": {reason: n}}, "events", "failed", "dates_unknown",
        "dates_unusable", "dates_defaulted", "not_modified", "feed_errors", "seconds"}``."""
        return {
            "read": self.read,
            "new": self.new,
            "duplicates": self.duplicates,
            "skipped": {"language": dict(self.skipped_language), "empty": self.skipped_empty},
            "quarantined": {"total": self.n_quarantined, "reasons": dict(self.quarantined)},
            "events": self.events,
            "failed": self.failed,
            "dates_unknown": self.dates_unknown,
            "dates_unusable": self.dates_unusable,
            "dates_defaulted": self.dates_defaulted,
            "not_modified": self.not_modified,
            "feed_errors": self.feed_errors,
            "seconds": round(time.monotonic() - self.started, 3),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as one line of JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)

    def line(self) -> str:
        """The one summary line of ``analyze``, ``ingest`` and ``follow``, e.g. ``read 12 article(s): 10 new,
        1 already stored, skipped 1 (language: fr 1; empty 0), quarantined 0, 31 event(s), 2 without a date``
        (failures, dates and feed counts only when there are any)."""
        langs = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped_language.items()))
        parts = [f"read {self.read} article(s): {self.new} new", f"{self.duplicates} already stored",
                 f"skipped {self.n_skipped} (language{': ' + langs if langs else ' 0'}; empty {self.skipped_empty})",
                 f"quarantined {self.n_quarantined}"
                 + (" (" + "; ".join(f"{r}: {n}" for r, n in self.quarantined.most_common()) + ")"
                    if self.quarantined else ""),
                 f"{self.events} event(s)"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.dates_unknown:
            parts.append(f"{self.dates_unknown} without a date")
        if self.dates_unusable:
            kept = self.dates_unusable - self.dates_defaulted
            parts.append(f"{self.dates_unusable} unusable date(s): " + ", ".join(
                ([f"{self.dates_defaulted} replaced by the --published date"] if self.dates_defaulted else [])
                + ([f"{kept} stored as unknown"] if kept else [])))
        if self.not_modified or self.feed_errors:
            parts.append(f"{self.not_modified} feed(s) not modified, {self.feed_errors} feed error(s)")
        return ", ".join(parts)


def make_progress(console: Console, *, quiet: bool = False) -> Progress:
    """A Rich progress bar (items done/total, rate, elapsed, time left) on ``console``.

    Disabled when ``quiet`` or when ``console`` is not a terminal, so scripts
    and logs get no control sequences. Use as a context manager.
    """

    class _Rate(TextColumn):
        def render(self, task: Any) -> Any:  # noqa: ANN401
            speed = task.finished_speed or task.speed
            self.text_format = f"{speed:.1f} items/s" if speed else "– items/s"
            return super().render(task)

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    _Rate(""), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=console, transient=True, disable=quiet or not console.is_terminal)
