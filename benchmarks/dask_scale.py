#!/usr/bin/env python
"""Serial versus a Dask LocalCluster for ``diplowatch batch``: same events, speed ratio, worker memory.

Usage::

    .venv/bin/python benchmarks/dask_scale.py [--corpus dev|mix] [--size N] [--workers 2]
                                              [--partition-size N]

The input is the ``dev`` or ``mix`` corpus of ``benchmarks/throughput.py``
(``--size`` articles; repeated articles get distinct ids), written to a
temporary JSON Lines file. Both runs go through :func:`diplowatch.batch.run_batch`
into fresh output directories:

* **serial**: ``scheduler="serial"`` (no Dask, this process);
* **cluster**: ``scheduler="local"`` with ``--workers`` worker processes of one
  thread each.

Processing time excludes loading the model (serial: before the clock starts;
cluster: the worker plugin loads it on every worker before the clock starts);
the cluster's start-up time is printed apart. Printed: both times, the speed
ratio, whether the events are identical (as DESIGN §2 objects, in input order),
and per worker process its largest resident set size and ``ru_maxrss`` peak,
against the 1 GiB target. The ratio is bounded by the cores the machine has
free: ``os.cpu_count()`` and the load average are printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import DEV, build_corpus  # noqa: E402

GIB = 2**30


def write_corpus(name: str, size: int, path: Path) -> int:
    """Write the corpus as JSON Lines with unique ids; return the number of articles."""
    seen: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as fh:
        for a in build_corpus(name, size):
            n = seen[a.id] = seen.get(a.id, 0) + 1
            a = replace(a, id=a.id if n == 1 else f"{a.id}#{n}")
            fh.write(json.dumps({"id": a.id, "url": a.url, "title": a.title, "text": a.text,
                                 "published": a.published.isoformat() if a.published else None}) + "\n")
    return size


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status (1 when the events differ)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", choices=("dev", "mix"), default="dev")
    ap.add_argument("--size", type=int, default=56)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partition-size", type=int, default=4)
    args = ap.parse_args(argv)
    if not DEV.is_file():
        print(f"dev corpus {DEV} not found; benchmark skipped")
        return 0
    from diplowatch.batch import batch_events, run_batch

    with tempfile.TemporaryDirectory(prefix="dw-dask-") as tmp:
        root = Path(tmp)
        src = root / "articles.jsonl"
        n = write_corpus(args.corpus, args.size, src)
        serial = run_batch([str(src)], root / "serial", scheduler="serial", partition_size=args.partition_size)
        t0 = time.perf_counter()
        cluster = run_batch([str(src)], root / "cluster", scheduler="local", workers=args.workers,
                            partition_size=args.partition_size)
        total = time.perf_counter() - t0
        same = [e.to_dict() for e in batch_events(root / "serial")] == \
               [e.to_dict() for e in batch_events(root / "cluster")]
    load = os.getloadavg()
    print(f"{n} articles ({args.corpus}), partitions of {args.partition_size}, {serial.events} events; "
          f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'run':28} {'seconds':>8} {'articles/s':>11}")
    print(f"{'serial (1 process)':28} {serial.seconds:>8.1f} {n / serial.seconds:>11.1f}")
    print(f"{f'LocalCluster ({args.workers} workers)':28} {cluster.seconds:>8.1f} {n / cluster.seconds:>11.1f}")
    print(f"cluster start-up and model loading: {total - cluster.seconds:.1f} s")
    print(f"speed ratio cluster/serial: {serial.seconds / cluster.seconds:.2f}×")
    print(f"identical events: {'yes' if same else 'NO'}")
    print(f"{'worker process':28} {'max RSS MiB':>12} {'peak (ru_maxrss) MiB':>21}")
    worst = 0
    for proc, mem in sorted(cluster.memory.items()):
        worst = max(worst, mem["peak_rss"], mem["rss"])
        print(f"{proc:28} {mem['rss'] / 2**20:>12.0f} {mem['peak_rss'] / 2**20:>21.0f}")
    print(f"peak memory per worker under 1 GiB: {'yes' if worst < GIB else 'NO'} ({worst / 2**20:.0f} MiB)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
