"""The text the extractor reads: invisible characters taken out, compatibility forms folded (NFKC).

A zero-width space or a bidi control inside a name ("Rus\\u200bsia") makes
the name another string: no gazetteer entry matches it and the event it
names is silently lost. So the extractor reads a *normalised view* of each
article (:func:`normalise`):

* format characters (Unicode category Cf: zero-width space, joiners, the
  bidi embeddings, overrides, isolates and marks, the soft hyphen, the
  byte-order mark, tag characters) and the other default-ignorable code
  points (``Default_Ignorable_Code_Point`` of Unicode's
  DerivedCoreProperties.txt that are not Cf: the combining grapheme joiner,
  variation selectors, Hangul fillers, :data:`IGNORABLE`) are removed;
* each remaining character, with the combining marks that follow it, is put
  in NFKC form: full-width and other compatibility letters become the plain
  ones ("Ｒｕｓｓｉａ" → "Russia"), ligatures are spelled out ("ﬁ" → "fi"), a
  no-break space is a space, a decomposed accent is composed ("e\\u0301" →
  "é").

Normalising a character with its marks at a time, rather than the whole text,
is what makes it safe: every character of the view comes from one known piece
of the original, so any span of the view maps back to a span of the original
(:meth:`TextView.span`). The stored article keeps the text as it was sent,
and evidence offsets point into that stored text: the extractor maps them
back (the alternative, storing the normalised text, would change the
article the user sent and every offset the user computed on it).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["IGNORABLE", "TextView", "normalise"]

IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE10)) + list(range(0xE0100, 0xE01F0)))
"""Default-ignorable code points that are not of category Cf (Unicode 15 DerivedCoreProperties.txt):
the combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian free variation
selectors and the variation selectors. Removed like the format characters."""

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class TextView:
    """A normalised view of a text and the way back to it.

    Attributes:
        text: the normalised text.
        edits: the pieces that differ, in order: ``(view start, view end,
            original start, original end)`` character offsets; ``view start
            == view end`` for characters removed. Between edits the two texts
            are the same, shifted.
    """

    text: str
    edits: tuple[tuple[int, int, int, int], ...] = ()
    _starts: list[int] = field(default_factory=list, repr=False, compare=False)
    _ends: list[int] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._starts.extend(e[0] for e in self.edits)
        self._ends.extend(e[1] for e in self.edits)

    @property
    def changed(self) -> bool:
        """Whether the view differs from the original."""
        return bool(self.edits)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the view's ``[start, end)`` comes from.

        A span that starts or ends inside a changed piece takes the whole
        piece; characters removed just before ``start`` or just after ``end``
        are left out of the span, those inside it are in it.

        Args:
            start, end: character offsets into :attr:`text`, ``start <= end``.

        Returns:
            ``(start, end)``: character offsets into the original text.
        """
        k = bisect.bisect_right(self._ends, start) - 1  # the last edit ending at or before start
        if k + 1 < len(self.edits) and self._starts[k + 1] < start < self._ends[k + 1]:
            o_start = self.edits[k + 1][2]
        else:
            o_start = start - self.edits[k][1] + self.edits[k][3] if k >= 0 else start
        k = bisect.bisect_left(self._starts, end) - 1  # the last edit starting before end
        if k < 0:
            o_end = end
        else:
            _, v_end, _, orig_end = self.edits[k]
            o_end = orig_end if end < v_end else end - v_end + orig_end
        return o_start, max(o_start, o_end)


def _ignorable(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or ord(char) in IGNORABLE


def normalise(text: str) -> TextView:
    """The normalised view of ``text`` (see the module doc).

    Args:
        text: any text.

    Returns:
        The :class:`TextView`; without edits (and the same string) when
        nothing changes, as for every ASCII text.
    """
    if text.isascii():
        return TextView(text)
    pieces: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    done = size = 0  # original characters consumed; characters of the view so far
    for run in _NON_ASCII.finditer(text):
        first, last = run.start(), run.end()
        if first > done and unicodedata.combining(text[first]):
            first -= 1  # a mark on the ASCII letter before it: "e\u0301"
        pieces.append(text[done:first])
        size += first - done
        i = first
        while i < last:
            j = i + 1
            while j < last and unicodedata.combining(text[j]):
                j += 1
            piece = text[i:j]
            kept = "".join(c for c in piece if not _ignorable(c))
            out = unicodedata.normalize("NFKC", kept) if kept else ""
            if out != piece:
                edits.append((size, size + len(out), i, j))
            pieces.append(out)
            size += len(out)
            i = j
        done = last
    if not edits:
        return TextView(text)
    pieces.append(text[done:])
    return TextView("".join(pieces), tuple(edits))
