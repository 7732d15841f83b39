"""Bulk commands: ``batch`` (Dask), ``export`` and ``import`` (GDELT, JSON Lines, CSV, Parquet)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from diplowatch.cli._common import (
    knowledge_base, DbOption, NO_EVENTS, PublishedOption, QuietOption, _check_format, _error, _iso_date, app, err, out,
)
from diplowatch.errors import DiplowatchError


@app.command()
def batch(
    inputs: Annotated[list[str], typer.Argument(help="JSON Lines, text or Parquet article files, or directories.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory (a finished or crashed run there is "
                                                        "resumed).")],
    scheduler: Annotated[str, typer.Option(
        "--scheduler", help="local (a LocalCluster), tcp://HOST:PORT (an existing Dask scheduler), "
                            "or serial (no Dask).")] = "local",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes of a local cluster.")] = 2,
    partition_size: Annotated[int, typer.Option("--partition-size", min=1, help="Articles per partition.")] = 50,
    published: PublishedOption = None,
    no_prefilter: Annotated[bool, typer.Option("--no-prefilter", help="Parse every block (slower; same events).")]
    = False,
    connect_timeout: Annotated[float, typer.Option(
        "--connect-timeout", min=0.1, help="Seconds a tcp:// scheduler has to accept the connection.")] = 30.0,
    quiet: QuietOption = False,
) -> None:
    """Extract events at scale on Dask: one Parquet file of events (and one of articles) per partition.

    Finished partitions are recorded in DIR/manifest.json; running the same
    command again resumes after a crash and writes no partition twice. Load
    the result with `diplowatch ingest DIR`. When no article can be read,
    nothing is written (exit 1).
    """
    from diplowatch.batch import run_batch

    when = _iso_date(published, "--published")
    try:
        report = run_batch(inputs, out_dir, scheduler=scheduler, workers=workers, partition_size=partition_size,
                           published=when, prefilter=not no_prefilter, connect_timeout=connect_timeout,
                           progress=None if quiet else (lambda line: err.print(Text(line))))
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    for e in report.input_errors:
        _error(e)
    for f in report.failed:
        _error(f"article {f['id']} (partition {f['pid']}): extraction failed: {f['reason']}")
    if report.partitions == 0:
        _error(f"no article could be read from the inputs: nothing written to {out_dir}")
        raise typer.Exit(1)
    if report.stale:
        err.print(Text(f"warning: {len(report.stale)} recorded partition(s) are not part of these inputs"))
    if not quiet:
        peak = max((m["peak_rss"] for m in report.memory.values()), default=0)
        rate = report.articles / report.seconds if report.seconds else 0.0
        out.print(f"{report.partitions} partition(s): {report.done} done, {report.skipped} already done; "
                  f"{report.articles} article(s), {report.events} event(s) in {report.seconds:.1f} s "
                  f"({rate:.1f} articles/s); peak worker memory {peak / 2**20:.0f} MiB; output in {out_dir}")
    raise typer.Exit(1 if report.input_errors or report.failed else 0)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="gdelt, jsonl, csv or parquet.")] = "jsonl",
    db: DbOption = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Output file (default: stdout; "
                                                                   "parquet needs one).")] = None,
) -> None:
    """Export every stored event: GDELT 2.0 event rows (asserted events), DESIGN §2 JSON Lines, CSV or Parquet.

    A --out file is written whole or not at all (via a temporary file beside it).
    """
    from diplowatch.files import check_output_file
    from diplowatch.interchange import EXPORT_FORMATS, export_events

    _check_format(format, tuple(EXPORT_FORMATS))
    if format == "parquet" and out_file is None:
        _error("--format parquet needs --out FILE")
        raise typer.Exit(2)
    try:
        if out_file is not None:
            check_output_file(out_file)  # before reading the store
        with knowledge_base(db, create=False) as kb:
            events = kb.events()
        if not events:
            err.print(Text(NO_EVENTS))
        n = export_events(events, format, out_file if out_file is not None else sys.stdout)
    except DiplowatchError as exc:  # the file is written whole or not at all
        _error(exc)
        raise typer.Exit(2) from None
    err.print(Text(f"exported {n} of {len(events)} event(s) as {format}"
                   + (f" to {out_file}" if out_file is not None else "")))


@app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="GDELT 2.0 event files (*.export.CSV, .zip or .gz), or "
                                                      "files written by diplowatch export.")],
    format: Annotated[str, typer.Option("--format", "-f", help="gdelt, or jsonl, csv or parquet as written "
                                                               "by diplowatch export.")] = "gdelt",
    db: DbOption = None,
) -> None:
    """Seed the knowledge base from GDELT 2.0 event files, or load a diplowatch export (idempotent).

    --format jsonl, csv or parquet reads what diplowatch export wrote: every
    event comes back as it was, with its article's date and URL (a lossless
    copy of the events; the article texts are not exported). A file with an
    invalid record stores nothing.

    GDELT: events whose CAMEO code maps to the ontology are stored with extractor
    gdelt/2.0 and article gdelt:<GLOBALEVENTID>; other rows are skipped and counted.

    Skipped on purpose: EventCodes 054 (grant recognition) and 161 (reduce or
    break relations), because each covers several of our event types and
    importing them would invent events; the vague 050 and 160; rows without an
    Actor1 (or Actor2) code, or whose actors are not a state, a government or a
    known organisation; rows without a date or GLOBALEVENTID.
    """
    from diplowatch.interchange import IMPORT_FORMATS, import_events, import_gdelt
    from diplowatch.write import Writer

    _check_format(format, IMPORT_FORMATS)
    with knowledge_base(db) as kb:
        if format != "gdelt":
            report = import_events(Writer(kb), files, format, on_error=_error)
            out.print(f"read {report.read} event(s): {report.imported} imported, {report.already} already stored"
                      + (f", {len(report.errors)} file(s) or article(s) refused" if report.errors else ""))
            raise typer.Exit(1 if report.errors else 0)
        report = import_gdelt(Writer(kb), files, on_error=_error)
    skipped = sum(report.skipped.values())
    out.print(f"read {report.read} GDELT record(s): {report.imported} imported, {report.already} already stored, "
              f"{skipped} skipped" + (f", {len(report.errors)} unreadable" if report.errors else ""))
    if report.skipped:
        out.print("skipped: " + ", ".join(f"{k} ×{v}" for k, v in report.skipped.most_common(12))
                  + (" …" if len(report.skipped) > 12 else ""))
    raise typer.Exit(1 if report.errors else 0)
