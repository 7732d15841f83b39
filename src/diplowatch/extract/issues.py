"""Issue tags: the issues an event's sentence or paragraph names (issue 17).

The lexicon is data (``data/issues.yaml``: issue id → label, phrases,
exclusions). Rules, from the header of that file:

- an event carries every issue its evidence sentence names; when the sentence
  names none, the issues of its paragraph (the line of the article content
  that holds the evidence);
- matching is on lower-cased text with typographic apostrophes made plain,
  whole words only (no letter or digit just before or after a phrase);
- ``exclude`` phrases are blanked out first ("the Security Council" is no
  security issue);
- issues are listed in lexicon order.

Tags are topical, not polar: "did not raise human rights" still names human
rights.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from importlib import resources

import yaml

from diplowatch.errors import ConfigurationError
from diplowatch.model import Event

__all__ = ["Issue", "IssueTagger", "issue_labels", "load_issues", "tag_events"]

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True, slots=True)
class Issue:
    """One issue of the lexicon.

    Attributes:
        id: issue id (``womens_rights``).
        label: display label ("women's and girls' rights").
        pattern: compiled whole-word pattern of its phrases.
        exclude: compiled pattern of its exclusions, or ``None``.
    """

    id: str
    label: str
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None


def _words(phrases: list[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(p.lower().translate(_APOSTROPHES)) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alts})(?![\w])")


@functools.lru_cache(maxsize=1)
def load_issues() -> tuple[Issue, ...]:
    """The packaged issue lexicon, in file order.

    Raises:
        ConfigurationError: ``data/issues.yaml`` is malformed (names the issue and the field).
    """
    raw = yaml.safe_load(resources.files("diplowatch.data").joinpath("issues.yaml").read_text("utf-8"))
    out: list[Issue] = []
    for iid, spec in ((raw or {}).get("issues") or {}).items():
        phrases = (spec or {}).get("phrases")
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise ConfigurationError(f"data/issues.yaml: issue {iid!r} needs a non-empty list of phrases")
        excl = spec.get("exclude") or []
        out.append(Issue(str(iid), str(spec.get("label") or iid), _words(phrases), _words(excl) if excl else None))
    if not out:
        raise ConfigurationError("data/issues.yaml: no issues")
    return tuple(out)


def issue_labels() -> dict[str, str]:
    """Issue id → label, in lexicon order."""
    return {i.id: i.label for i in load_issues()}


class IssueTagger:
    """Finds the issues a text names.

    Args:
        issues: the lexicon (default: :func:`load_issues`).
    """

    def __init__(self, issues: tuple[Issue, ...] | None = None) -> None:
        self.issues = issues if issues is not None else load_issues()

    def named(self, text: str) -> tuple[str, ...]:
        """Ids of the issues ``text`` names, in lexicon order (empty when none)."""
        low = text.lower().translate(_APOSTROPHES)
        found = []
        for issue in self.issues:
            t = issue.exclude.sub(" ", low) if issue.exclude is not None else low
            if issue.pattern.search(t):
                found.append(issue.id)
        return tuple(found)

    def for_event(self, content: str, start: int, end: int) -> tuple[str, ...]:
        """Issues of the evidence ``content[start:end]``, else of the paragraph (line) that holds it.

        Args:
            content: the article content (``Article.content``).
            start, end: character offsets of the evidence sentence into ``content``.
        """
        own = self.named(content[start:end])
        if own:
            return own
        lo = content.rfind("\n", 0, start) + 1
        hi = content.find("\n", end)
        return self.named(content[lo:hi if hi >= 0 else len(content)])


def tag_events(events: list[Event], content: str, tagger: IssueTagger | None = None) -> list[Event]:
    """The events with their ``issues`` set from the article ``content`` (see :meth:`IssueTagger.for_event`)."""
    tagger = tagger or _default()
    return [replace(e, issues=tagger.for_event(content, e.evidence.start, e.evidence.end)) for e in events]


@functools.lru_cache(maxsize=1)
def _default() -> IssueTagger:
    return IssueTagger()
