"""Near-duplicate articles: MinHash signatures of 5-word shingles (``datasketch``).

Two articles are near-duplicates when the estimated Jaccard similarity of
their sets of 5-word shingles is at least :data:`THRESHOLD` (0.8): the same
wire story with other boilerplate lines, or the same text under two URLs.

Signatures (128 permutations, scheme ``affine32``, seed 1: deterministic) are
stored in the ``article_minhash`` table, one row per article, in insertion
order (``seq``). The LSH index (:class:`NearDuplicateIndex`) holds only the
*roots* of near-duplicate groups (the first article of each; a copy is linked
to the root it matches, so a story copied a thousand times is one entry and
one candidate). It lives in memory:
it is filled lazily, on the first write of a :class:`~diplowatch.store.KnowledgeBase`,
from the stored signatures, then kept up to date incrementally by reading the
rows whose ``seq`` is above the last one seen, inside each write transaction
(so articles written by other processes are seen too). LSH candidates are
verified against their stored signatures before they count. Memory grows with
the number of articles (the LSH band tables, not the signatures); a
persistent LSH (``storage_config`` with Redis or Cassandra) is the way on past
a few million articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = ["NUM_PERM", "SHINGLE_WORDS", "THRESHOLD", "NearDuplicateIndex", "shingles", "signature"]

NUM_PERM = 128
"""Permutations per MinHash signature (stored as ``NUM_PERM`` little-endian uint32)."""
SHINGLE_WORDS = 5
"""Words per shingle."""
THRESHOLD = 0.8
"""Estimated Jaccard similarity from which two articles are near-duplicates."""
SCHEME = "affine32"
_DTYPE = "<u4"
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of ``size``-word shingles of ``text`` (lower-cased ``\\w+`` words).

    A text of fewer than ``size`` words is one shingle; an empty text none.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return set()
    if len(words) < size:
        return {" ".join(words)}
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations  # drawn once (seed 1)


def signature(text: str) -> bytes | None:
    """The MinHash signature of ``text`` as bytes, or ``None`` for a text without words."""
    sh = shingles(text)
    if not sh:
        return None
    m = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_PERMUTATIONS)
    m.update_batch([s.encode("utf-8", "surrogatepass") for s in sorted(sh)])
    return np.asarray(m.hashvalues, dtype=_DTYPE).tobytes()


def _minhash(sig: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_PERMUTATIONS,
                   hashvalues=np.frombuffer(sig, dtype=_DTYPE).astype(np.uint32))


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures from :func:`signature` (0..1):
    the share of equal MinHash values (as ``MinHash.jaccard``)."""
    return float(np.mean(np.frombuffer(a, dtype=_DTYPE) == np.frombuffer(b, dtype=_DTYPE)))


class NearDuplicateIndex:
    """An in-memory MinHash LSH index over stored signatures.

    Attributes:
        last_seq: the highest ``article_minhash.seq`` added so far (0: none).
    """

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.last_seq = 0

    def add(self, rows: Iterable[tuple[int, str, bytes | None]]) -> None:
        """Add ``(seq, article id, signature)`` rows; a ``None`` signature only advances ``last_seq``
        (a near-duplicate, whose root is indexed already); ids already present are skipped."""
        for seq, art, sig in rows:
            if sig is not None and art not in self._lsh:
                self._lsh.insert(art, _minhash(sig))
            self.last_seq = max(self.last_seq, seq)

    def candidates(self, sig: bytes) -> list[str]:
        """Article ids whose signatures may be near ``sig`` (unverified; sorted)."""
        return sorted(self._lsh.query(_minhash(sig)))
