"""Commands that read articles and extract events: ``analyze``, ``ingest``, ``follow``, ``eval``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from diplowatch.cli._common import (
    DbOption, FetchLinkedOption, FieldOption, ForceLangOption, FormatOption, INPUTS_HELP, LangOption,
    PublishedOption, QuietOption,
    SummaryJsonOption, _articles, _check_format, _error, _extractor_factory, _ingest_settings, _iso_date,
    _write_summary, app, err, out,
)
from diplowatch.errors import DiplowatchError, InputError
from diplowatch.model import Event


def _actor_text(actor) -> str:  # noqa: ANN001
    if actor is None:
        return "—"
    code = actor.state or "∅"
    return f"{actor.name} [dim]({code})[/]"


def _actor_code(actor) -> str:  # noqa: ANN001
    """The short name of an actor in the compact table: the ISO3 code of its state (``RUS`` for the Russian
    foreign ministry, ``AFG`` for the Taliban government), else its id (``UN``); ``—`` for none."""
    return "—" if actor is None else actor.state or actor.id


_COLOURS = {"asserted": "green", "negated": "red", "hypothetical": "yellow"}


def _snippet(text: str, width: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``width`` characters, with ``…`` when cut."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    if width <= 1:
        return "…"[:max(width, 0)]
    cut = flat[:width - 1]
    space = cut.rfind(" ")
    if space > 0:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def _compact_table(events: list[Event], width: int) -> Table:
    """One line per event, fitting ``width`` columns: event, source → target, polarity, date, and the
    start of the evidence cut at a word (the full sentence: ``--wide`` or ``--format json``).

    Several articles get a ``doc`` column first."""
    several = len({e.doc for e in events}) > 1
    rows = [[e.doc] * several + [e.event, f"{_actor_code(e.source)} → {_actor_code(e.target)}", e.polarity,
                                 e.date or "—"] for e in events]
    headers = ["doc"] * several + ["event", "source → target", "polarity", "date"]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    # no box, one space after each column: each costs its width plus 1; the evidence gets what is left
    room = max(width - sum(w + 1 for w in widths) - 1, len("evidence"))
    table = Table(box=None, padding=(0, 1, 0, 0), header_style="bold", show_edge=False)
    for h in headers:
        table.add_column(h, no_wrap=True)
    table.add_column("evidence", no_wrap=True, overflow="ellipsis", max_width=room)
    for e, row in zip(events, rows):
        colour = _COLOURS.get(e.polarity, "white")
        cells = [Text(c) for c in row]
        cells[-2].stylize(colour)
        table.add_row(*cells, Text(_snippet(e.evidence.text, room)))
    return table


def _event_table(events: list[Event], explain: bool) -> Table:
    """Every field of each event, the evidence in full (``--wide``; also with ``--explain``)."""
    table = Table(show_lines=True)
    for col in ("doc", "event", "source", "target", "polarity", "date", "CAMEO", "PLOVER", "evidence"):
        table.add_column(col, overflow="fold")
    if explain:
        table.add_column("why", overflow="fold")
    for e in events:
        row = [e.doc, e.event, _actor_text(e.source), _actor_text(e.target),
               f"[{_COLOURS.get(e.polarity, 'white')}]{e.polarity}[/]", e.date or "", e.cameo, e.plover,
               e.evidence.text]
        if explain:
            x = e.explanation
            row.append(f"trigger '{x.get('trigger')}' · frame {x.get('frame')} · source {x.get('source_path')}"
                       f" · target {x.get('target_path')} · polarity cue '{x.get('polarity_cue') or '-'}'"
                       f" · date '{x.get('date_text') or '-'}' · confidence {e.confidence}")
        table.add_row(*row)
    return table


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(help=INPUTS_HELP)],
    format: Annotated[str, typer.Option("--format", "-f", help="table or json (one DESIGN §2 object per line).")] = "table",
    published: PublishedOption = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show trigger, frame and parse paths of each event "
                                                          "(implies --wide).")] = False,
    wide: Annotated[bool, typer.Option("--wide", help="Every field and the full evidence sentence, folded over "
                                                      "several lines (default: one line per event).")] = False,
    field: FieldOption = None,
    fetch_linked: FetchLinkedOption = False,
    quiet: QuietOption = False,
    summary_json: SummaryJsonOption = None,
    lang: LangOption = None,
    force_lang: ForceLangOption = None,
) -> None:
    """Extract diplomatic events from articles and print them.

    Each article is read in the language detected (English or French); --lang restricts
    the languages read, --force-lang reads every article as one language.
    The table has one line per event (event, source → target, polarity, date,
    the start of the evidence); --wide shows every field and the whole
    evidence; --format json the DESIGN §2 objects.
    """
    from diplowatch.ingest import RunSummary
    from diplowatch.ingest.summary import make_progress

    _check_format(format)
    settings = _ingest_settings(field, fetch_linked, lang, force_lang)
    _exit_if_nothing_exists(paths)
    summary = RunSummary()
    articles, errors = _articles(paths, _iso_date(published, "--published"), settings, summary)
    extractor = _extractor_factory()() if articles else None
    all_events: list[Event] = []
    with make_progress(err, quiet=quiet) as progress:
        task = progress.add_task("analyzing", total=len(articles))
        for article in articles:
            events = extractor.extract(article)
            summary.new += 1
            summary.events += len(events)
            progress.advance(task)
            if format == "json":
                for e in events:
                    d = e.to_dict()
                    if explain:
                        d["explanation"] = e.explanation
                    sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")
            all_events.extend(events)
    if format == "table":
        if all_events:
            out.print(_event_table(all_events, explain) if wide or explain
                      else _compact_table(all_events, out.width))
        if not quiet:
            out.print(Text(summary.line()))
        if summary_json:
            _write_summary(summary, summary_json, True)
    elif summary_json or (summary.n_skipped and not quiet):  # JSON on stdout: the line goes to stderr
        _write_summary(summary, summary_json, quiet)
    raise typer.Exit(1 if errors else 0)


def _no_such_input(item: str) -> bool:
    """``item`` names a file or directory that does not exist (not ``-``, not a URL)."""
    from diplowatch.ingest.fetch import is_url
    from diplowatch.ingest.readers import STDIN

    if item == STDIN or is_url(item):
        return False
    try:
        return not Path(item).exists()
    except (OSError, ValueError):  # a name the OS refuses: the reader reports it
        return False


def _exit_if_nothing_exists(paths: list[str]) -> None:
    """When no input exists at all (every path mistyped), name each and exit 2 (a usage error: nothing is
    read, opened or created), the same for ``analyze`` and ``ingest``; some inputs missing is exit 1 later."""
    missing = [p for p in paths if _no_such_input(p)]
    if missing and len(missing) == len(paths):
        for p in missing:
            _error(InputError(p, "no such file or directory"))
        raise typer.Exit(2)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help=INPUTS_HELP)],
    published: PublishedOption = None,
    db: DbOption = None,
    window: Annotated[int, typer.Option(
        "--window", min=0, help="Reports of one event within this many days are one real-world event.")] = 7,
    field: FieldOption = None,
    fetch_linked: FetchLinkedOption = False,
    quiet: QuietOption = False,
    summary_json: SummaryJsonOption = None,
    lang: LangOption = None,
    force_lang: ForceLangOption = None,
) -> None:
    """Extract events from articles and store both in the knowledge base (idempotent).

    Records that cannot be read or stored are quarantined in the knowledge base
    with their reason; the rest of the batch goes on (exit code 1 at the end).
    When no input exists at all (every path mistyped), nothing is opened or
    created: exit code 2.
    Articles are read in the language detected (English or French; --lang restricts,
    --force-lang overrides); articles in other languages are skipped and counted.
    A directory written by `diplowatch batch` (it holds a manifest.json) is
    bulk-loaded with the events the batch extracted.
    """
    from diplowatch.batch import batch_inputs, is_batch_dir
    from diplowatch.ingest import RunSummary, read_inputs
    from diplowatch.ingest.pipeline import store_items
    from diplowatch.ingest.sources import estimate_total
    from diplowatch.ingest.summary import make_progress
    from diplowatch.store import KnowledgeBase
    from diplowatch.write import Writer

    when = _iso_date(published, "--published")
    settings = _ingest_settings(field, fetch_linked, lang, force_lang)
    batch_dirs = [p for p in paths if is_batch_dir(p)]
    paths = [p for p in paths if p not in batch_dirs]
    if not batch_dirs:
        _exit_if_nothing_exists(paths)
    try:
        kb = KnowledgeBase(db, window_days=window)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    summary = RunSummary()
    writer = Writer(kb)
    with kb, make_progress(err, quiet=quiet) as progress:
        task = progress.add_task("ingesting", total=estimate_total(paths) if progress.live.is_started else None)
        failed = store_items(read_inputs(paths, published=when, settings=settings, summary=summary), writer,
                             _extractor_factory(), summary, on_error=_error,
                             on_item=lambda: progress.advance(task)) if paths else 0
        if batch_dirs:
            items, precomputed = batch_inputs(batch_dirs, summary)
            failed += store_items(items, writer, lambda: precomputed, summary, on_error=_error,
                                  on_item=lambda: progress.advance(task))
    summary.failed = failed
    if not quiet:
        out.print(Text(f"{summary.line()}; stored in {kb.url}"))
    if summary_json:
        _write_summary(summary, summary_json, True)
    raise typer.Exit(1 if summary.n_quarantined or failed else 0)


@app.command()
def follow(
    urls: Annotated[list[str], typer.Argument(help="Feed (RSS/Atom) or page URLs to poll.")],
    every: Annotated[str, typer.Option("--every", help="Time between rounds: 30s, 15m, 1h.")] = "15m",
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit.")] = False,
    fetch_linked: FetchLinkedOption = False,
    quiet: QuietOption = False,
    summary_json: SummaryJsonOption = None,
) -> None:
    """Poll feeds with conditional requests and ingest only new items, until Ctrl-C.

    A feed that is down, refused or malformed is reported and tried again next round.
    ETag/Last-Modified validators are kept next to the database
    (KB.db.follow.json). Ctrl-C stops cleanly; everything stored is kept.
    With --once, exit code 1 when some feed or item could not be read.
    """
    from diplowatch.ingest.follow import Follower, parse_interval
    from diplowatch.store import KnowledgeBase
    from diplowatch.write import Writer

    try:
        seconds = parse_interval(every)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    settings = _ingest_settings(None, fetch_linked)
    try:
        kb = KnowledgeBase(db)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None

    def each_round(summary) -> None:  # noqa: ANN001
        if not quiet and not once:  # one round: the closing line says it all
            err.print(Text(f"{dt.datetime.now().isoformat(timespec='seconds')} {summary.line()}"))

    with kb:
        follower = Follower(urls, Writer(kb), _extractor_factory(), settings=settings, on_error=_error)
        try:
            total = follower.run(seconds, once=once, on_round=each_round)
        finally:
            follower.close()
    if summary_json:
        _write_summary(total, summary_json, True)
    if not quiet:
        out.print(Text(f"followed {len(follower.urls)} URL(s): {total.line()}"))
    raise typer.Exit(1 if once and (total.feed_errors or total.n_quarantined) else 0)


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Argument(help="Gold events, JSON Lines (DESIGN §7).")],
    articles: Annotated[list[str], typer.Argument(help="Articles: JSON Lines corpora or .txt files.")],
    format: FormatOption = "table",
    published: PublishedOption = None,
) -> None:
    """Score extraction against gold events: precision, recall, F1, false-event rate, date accuracy."""
    from diplowatch.evaluate import load_gold, render_score, score

    _check_format(format)
    when = _iso_date(published, "--published")
    try:
        gold_rows = load_gold(gold)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    arts, errors = _articles(articles, when)
    extractor = _extractor_factory()() if arts else None
    predicted = [e for _, events in extractor.extract_many(arts) for e in events]
    result = score(gold_rows, predicted, docs=[a.id for a in arts])
    if format == "json":
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        render_score(result, out)
    raise typer.Exit(1 if errors else 0)
