#!/usr/bin/env python
"""Time of one sentence against its length: a hostile run of coordinated clauses (issue 13).

Usage::

    .venv/bin/python benchmarks/sentence_length.py [--sizes 1,2,5,10,20,50] [--rounds R]

Each size (in KB, 1 KB = 1,000 characters) is one article holding one
sentence: coordinated clauses ("Russia recognised the Taliban government and
Belarus opened an embassy in Kabul and ...") repeated to that many characters,
without a full stop. The extractor (``Extractor()``, the default time budget)
is loaded and warmed up once; each size is then analysed ``--rounds`` times
and its best time counts, so load from other processes on a shared machine
hurts no size more than another.

Printed per size: seconds, seconds per KB, and the ratio of the time per KB
to that of the smallest size (the baseline of the same run: 1.0 means cost
exactly linear in length). Then the growth exponent ``k`` of ``time ∝ size^k``
fitted between the smallest and the largest size (1.0: linear; 2.0:
quadratic). Exit status 0 when the largest size finishes inside the
per-article time budget and ``k`` is at most 1.3 ("about linear"), 1
otherwise.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

CLAUSES = ("Russia recognised the Taliban government and ",
           "Belarus opened an embassy in Kabul and ",
           "Hungary expelled two Iranian diplomats and ",
           "Chile recalled its ambassador from Caracas and ")


def hostile_text(chars: int) -> str:
    """One sentence of coordinated clauses, ``chars`` characters long, no full stop."""
    unit = "".join(CLAUSES)
    return (unit * (chars // len(unit) + 1))[:chars]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module doc for what is printed and the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,5,10,20,50", help="sizes in KB, comma separated")
    parser.add_argument("--rounds", type=int, default=2, help="runs per size; the best counts")
    args = parser.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",")]

    from diplowatch.extract.pipeline import TIME_BUDGET, Extractor
    from diplowatch.model import Article

    extractor = Extractor()
    extractor.extract(Article(id="warm-up", text=hostile_text(2_000)))
    best: dict[float, float] = {}
    events: dict[float, int] = {}
    for _ in range(args.rounds):
        for kb in sizes:
            article = Article(id=f"hostile-{kb:g}kb", text=hostile_text(int(kb * 1000)))
            started = time.perf_counter()
            found = extractor.extract(article)
            spent = time.perf_counter() - started
            best[kb] = min(best.get(kb, math.inf), spent)
            events[kb] = len(found)
    base = best[sizes[0]] / sizes[0]
    print(f"{'KB':>6} {'seconds':>9} {'s/KB':>8} {'ratio':>7} {'events':>7}")
    for kb in sizes:
        print(f"{kb:>6g} {best[kb]:>9.2f} {best[kb] / kb:>8.3f} {best[kb] / kb / base:>7.2f} {events[kb]:>7}")
    lo, hi = sizes[0], sizes[-1]
    k = math.log(best[hi] / best[lo]) / math.log(hi / lo) if hi != lo else 1.0
    inside = best[hi] < TIME_BUDGET
    print(f"growth exponent k = {k:.2f} (time ∝ size^k between {lo:g} and {hi:g} KB; 1 = linear)")
    print(f"{hi:g} KB in {best[hi]:.1f} s: {'inside' if inside else 'OVER'} the {TIME_BUDGET:.0f} s budget")
    return 0 if inside and k <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
