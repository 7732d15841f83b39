"""The ``diplowatch`` command line: thin commands over the library.

Each command parses its options, calls one library function, and turns library
errors into a clear message and a non-zero exit. Exit codes: 0 success; 1 some
input could not be read or stored (``ingest`` quarantines it; the others were
processed); 2 usage or configuration error (bad option, no model, unknown
target, store cannot be opened).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from diplowatch.errors import DiplowatchError, InputError
from diplowatch.model import Article, Event

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Diplomatic events from the news: who recognises whom, coded in CAMEO and PLOVER.")
out = Console(soft_wrap=False)
err = Console(stderr=True, emoji=False, highlight=False, soft_wrap=True)


def _error(message: object) -> None:
    """Print ``error: MESSAGE`` on stderr, the message verbatim (no markup, no emoji codes)."""
    err.print(Text.assemble(("error: ", "red"), str(message)))

DbOption = Annotated[Optional[str], typer.Option(
    "--db", help="SQLAlchemy URL of the knowledge base (default: $DIPLOWATCH_DB or "
                 "~/.local/share/diplowatch/diplowatch.db).")]
PublishedOption = Annotated[Optional[str], typer.Option(
    "--published", help="Publication date YYYY-MM-DD for inputs that have none.")]
AsOfOption = Annotated[Optional[str], typer.Option("--as-of", help="Relation state as of this date (YYYY-MM-DD).")]


def _iso_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _error(f"{option} {value!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


FieldOption = Annotated[Optional[list[str]], typer.Option(
    "--field", help="Corpus field name: FIELD=KEY, e.g. --field text=body --field published=date "
                    "(fields: id, url, title, published, text, lang; KEY may be dotted: meta.date).")]
FetchLinkedOption = Annotated[bool, typer.Option(
    "--fetch-linked", help="For feed items that hold only a summary, fetch and extract the linked page.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary line.")]
SummaryJsonOption = Annotated[Optional[str], typer.Option(
    "--summary-json", help="Write the run summary as JSON to this file (- for stdout).")]
INPUTS_HELP = ("Files (.txt .html .rss .atom .xml .jsonl .csv .tsv), directories, http(s) URLs, "
               "or - for stdin; the format is chosen by extension, content type or content.")


def _ingest_settings(fields: list[str] | None = None, fetch_linked: bool = False):  # noqa: ANN202
    """Reader settings from the environment and the command's options (exit 2 when invalid)."""
    from diplowatch.ingest import IngestSettings, parse_field_map

    try:
        return IngestSettings.from_env(fields=parse_field_map(fields), fetch_linked=fetch_linked)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None


def _write_summary(summary, path: str | None, quiet: bool) -> None:  # noqa: ANN001
    """Print the run summary on stderr (unless quiet) and as JSON to ``path`` (``-``: stdout)."""
    if not quiet:
        err.print(Text(summary.line()))
    if path == "-":
        sys.stdout.write(summary.to_json() + "\n")
    elif path:
        Path(path).write_text(summary.to_json() + "\n", encoding="utf-8")


def _articles(paths: list[str], published: dt.date | None, settings=None,  # noqa: ANN001
              summary=None) -> tuple[list[Article], int]:  # noqa: ANN001
    """Read every input (any format, :func:`diplowatch.ingest.read_inputs`); report each bad
    one on stderr. Returns (articles, number of errors)."""
    from diplowatch.ingest import read_inputs

    articles: list[Article] = []
    errors = 0
    for item in read_inputs(paths, published=published, settings=settings, summary=summary):
        if isinstance(item, InputError):
            errors += 1
            _error(item)
        else:
            articles.append(item)
    return articles, errors


def _extractor():  # noqa: ANN202 - imported lazily: loading spaCy takes a second
    from diplowatch.extract import Extractor

    try:
        return Extractor()
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None


def _actor_text(actor) -> str:  # noqa: ANN001
    if actor is None:
        return "—"
    code = actor.state or "∅"
    return f"{actor.name} [dim]({code})[/]"


def _event_table(events: list[Event], explain: bool) -> Table:
    table = Table(show_lines=True)
    for col in ("doc", "event", "source", "target", "polarity", "date", "CAMEO", "PLOVER", "evidence"):
        table.add_column(col, overflow="fold")
    if explain:
        table.add_column("why", overflow="fold")
    colours = {"asserted": "green", "negated": "red", "hypothetical": "yellow"}
    for e in events:
        row = [e.doc, e.event, _actor_text(e.source), _actor_text(e.target),
               f"[{colours.get(e.polarity, 'white')}]{e.polarity}[/]", e.date or "", e.cameo, e.plover,
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
    explain: Annotated[bool, typer.Option("--explain", help="Show trigger, frame and parse paths of each event.")] = False,
    field: FieldOption = None,
    fetch_linked: FetchLinkedOption = False,
    quiet: QuietOption = False,
    summary_json: SummaryJsonOption = None,
) -> None:
    """Extract diplomatic events from articles and print them."""
    from diplowatch.ingest import RunSummary
    from diplowatch.ingest.summary import make_progress

    if format not in ("table", "json"):
        _error(f"--format must be table or json, not {format!r}")
        raise typer.Exit(2)
    settings = _ingest_settings(field, fetch_linked)
    summary = RunSummary()
    articles, errors = _articles(paths, _iso_date(published, "--published"), settings, summary)
    for _ in range(errors):
        summary.quarantine("input error")
    extractor = _extractor() if articles else None
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
            out.print(_event_table(all_events, explain))
        out.print(f"{len(articles)} article(s), {len(all_events)} event(s)"
                  f"{f', {errors} input error(s)' if errors else ''}")
    if summary_json or (summary.n_skipped and not quiet):
        _write_summary(summary, summary_json, quiet)
    raise typer.Exit(1 if errors else 0)


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
) -> None:
    """Extract events from articles and store both in the knowledge base (idempotent).

    Records that cannot be read or stored are quarantined in the knowledge base
    with their reason; the rest of the batch goes on (exit code 1 at the end).
    Articles in a language other than English are skipped and counted.
    A directory written by ``diplowatch batch`` (it holds a manifest.json) is
    bulk-loaded with the events the batch extracted.
    """
    from diplowatch.batch import batch_inputs, is_batch_dir
    from diplowatch.ingest import RunSummary, read_inputs
    from diplowatch.ingest.pipeline import store_items
    from diplowatch.ingest.sources import estimate_total
    from diplowatch.ingest.summary import make_progress
    from diplowatch.store import KnowledgeBase

    when = _iso_date(published, "--published")
    settings = _ingest_settings(field, fetch_linked)
    batch_dirs = [p for p in paths if is_batch_dir(p)]
    paths = [p for p in paths if p not in batch_dirs]
    try:
        kb = KnowledgeBase(db, window_days=window)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    summary = RunSummary()
    with kb, make_progress(err, quiet=quiet) as progress:
        task = progress.add_task("ingesting", total=estimate_total(paths) if progress.live.is_started else None)
        failed = store_items(read_inputs(paths, published=when, settings=settings, summary=summary), kb,
                             _extractor, summary, on_error=_error,
                             on_item=lambda: progress.advance(task)) if paths else 0
        if batch_dirs:
            items, precomputed = batch_inputs(batch_dirs, summary)
            failed += store_items(items, kb, lambda: precomputed, summary, on_error=_error,
                                  on_item=lambda: progress.advance(task))
    if not quiet:
        out.print(f"read {summary.read} article(s): {summary.new} new, {summary.duplicates} already stored, "
                  f"quarantined {summary.n_quarantined}, {failed} failed; {summary.events} event(s) "
                  f"stored in {kb.url}")
        if summary.n_skipped or summary.dates_unknown:
            err.print(Text(summary.line()))
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

    A feed that is down or malformed is reported and tried again next round.
    ETag/Last-Modified validators are kept next to the database
    (KB.db.follow.json). Ctrl-C stops cleanly; everything stored is kept.
    """
    from diplowatch.ingest.follow import Follower, parse_interval
    from diplowatch.store import KnowledgeBase

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
        if not quiet:
            err.print(Text(f"{dt.datetime.now().isoformat(timespec='seconds')} {summary.line()}"))

    with kb:
        follower = Follower(urls, kb, _extractor, settings=settings, on_error=_error)
        try:
            total = follower.run(seconds, once=once, on_round=each_round)
        finally:
            follower.close()
    if summary_json:
        _write_summary(total, summary_json, True)
    if not quiet:
        out.print(f"followed {len(follower.urls)} URL(s): {total.line()}")
    raise typer.Exit(0)


def _target_code(target: str) -> str:
    """Resolve a target given as ISO3, a name, a capital or a government name to its ISO3 code."""
    from diplowatch.actors import Gazetteer

    gaz = Gazetteer.default()
    if len(target) == 3 and target.isalpha() and target.isupper() and gaz.is_state(target):
        return target
    found = gaz.lookup(target)
    if found is None or not found.actor.state:
        _error(f"unknown target {target!r}: give an ISO 3166-1 alpha-3 code or a state name")
        raise typer.Exit(2)
    return found.actor.state


def _status(target: str, as_of: str | None, db: str | None):  # noqa: ANN202
    from diplowatch.state import relation_state
    from diplowatch.store import KnowledgeBase

    code = _target_code(target)
    when = _iso_date(as_of, "--as-of")
    try:
        with KnowledgeBase(db) as kb:
            events = kb.events(target_state=code, state_only=True)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    return code, relation_state(events, code, when)


def _sources(supports) -> str:  # noqa: ANN001
    urls = []
    for s in supports:
        ref = s.url or s.doc
        if ref not in urls:
            urls.append(ref)
    return ", ".join(urls)


@app.command()
def status(
    target: Annotated[str, typer.Argument(help="Target state: ISO3 code or name (AFG, Afghanistan, Kabul).")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    include_intentions: Annotated[bool, typer.Option("--include-intentions",
                                                     help="Also list negated and hypothetical reports.")] = False,
) -> None:
    """Relations of every state towards TARGET: recognition, ambassadors, missions, talks, designations."""
    code, st = _status(target, as_of, db)
    if format == "json":
        sys.stdout.write(json.dumps(st.to_dict(), ensure_ascii=False, default=str) + "\n")
        return
    from diplowatch.actors import Gazetteer

    gaz = Gazetteer.default()
    gov = gaz.government(code, dt.date.fromisoformat(st.as_of) if st.as_of else None)
    title = f"Relations towards {gov.name if gov else gaz.state(code).name} ({code})" + \
            (f" as of {st.as_of}" if st.as_of else "")
    table = Table(title=title, show_lines=True)
    for col in ("state", "recognition", "ambassador", "mission", "relations", "talks", "designation", "sources"):
        table.add_column(col, overflow="fold")
    for obs_code, obs in st.observers.items():
        def cell(f) -> str:  # noqa: ANN001
            return "" if f.value == "none" else f"{f.value} {f.since or ''}".strip()
        talks = ", ".join(sorted({s.effective or "undated" for s in obs.contacts}))
        desig = "; ".join(f"{org.split(':')[-1]} {f.value} {f.since or ''}".strip()
                          for org, f in obs.designations.items())
        supports = [s for f in obs.facets.values() for s in f.events] + list(obs.contacts) + \
                   [s for f in obs.designations.values() for s in f.events]
        if not supports:
            continue
        mission = cell(obs.mission)
        own = cell(obs.own_ambassador)
        table.add_row(obs_code, cell(obs.recognition), cell(obs.ambassador),
                      "; ".join(x for x in (mission, f"own ambassador {own}" if own else "") if x),
                      cell(obs.relations), talks, desig, _sources(supports))
    out.print(table)
    if include_intentions and st.intentions:
        it = Table(title="Reported intentions (negated or hypothetical; no effect on state)")
        for col in ("source", "event", "polarity", "date", "evidence"):
            it.add_column(col, overflow="fold")
        for s in st.intentions:
            it.add_row(s.observer or "—", s.event, s.polarity, s.date or "", s.evidence)
        out.print(it)


@app.command("who-recognizes")
def who_recognizes(
    target: Annotated[str, typer.Argument(help="Target state: ISO3 code or name.")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """States that formally recognise TARGET (or its government), first first."""
    from diplowatch.state import recognizers

    code, st = _status(target, as_of, db)
    recs = recognizers(st)
    if format == "json":
        rows = [{"observer": r.observer, "since": r.since, "first_date": r.first.effective,
                 "first_reported": r.first_reported, "event": r.first.event, "sources": [s.url or s.doc for s in r.events],
                 "evidence": r.first.evidence} for r in recs]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"Who recognises {code}" + (f" as of {st.as_of}" if st.as_of else ""))
    for col in ("#", "state", "since", "first reported", "event", "sources", "evidence"):
        table.add_column(col, overflow="fold")
    for n, r in enumerate(recs, 1):
        table.add_row(str(n), r.observer, r.since or "undated", r.first_reported or "", r.first.event,
                      _sources(r.events), r.first.evidence)
    out.print(table)
    if not recs:
        out.print(f"no formal recognition of {code} on record")


FormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


def _check_format(format: str) -> None:
    if format not in ("table", "json"):
        _error(f"--format must be table or json, not {format!r}")
        raise typer.Exit(2)


def _actor(a) -> str:  # noqa: ANN001
    return "—" if a is None else f"{a.name} ({a.state or a.id})"


@app.command()
def timeline(
    actor: Annotated[str, typer.Argument(help="State: ISO3 code or name (AFG, Afghanistan, Kabul).")],
    db: DbOption = None,
    format: FormatOption = "table",
) -> None:
    """Every stored event where ACTOR is source or target, in date order, with evidence and sources.

    JSON: a list of DESIGN §2 event objects plus ``effective_date`` (ISO; the
    date used for ordering), ``published``, ``url`` and ``real_event`` (its
    real-world event with ``n_reports`` and ``n_sources``, or ``null``).
    """
    from diplowatch.store import KnowledgeBase

    _check_format(format)
    code = _target_code(actor)
    try:
        with KnowledgeBase(db) as kb:
            entries = kb.timeline(code)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    if format == "json":
        rows = [{**t.event.to_dict(), "effective_date": t.date,
                 "published": t.event.published.isoformat() if t.event.published else None,
                 "url": t.event.url, "real_event": t.real_event.to_dict() if t.real_event else None}
                for t in entries]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"Timeline of {code}", show_lines=True)
    for col in ("date", "event", "source", "target", "polarity", "sources", "evidence", "article"):
        table.add_column(col, overflow="fold")
    for t in entries:
        e, r = t.event, t.real_event
        table.add_row(t.date or "undated", e.event, _actor(e.source), _actor(e.target), e.polarity,
                      str(r.n_sources) if r else "", e.evidence.text, e.url or e.doc)
    out.print(table)
    out.print(f"{len(entries)} event(s)")


@app.command()
def changes(
    since: Annotated[str, typer.Option("--since", help="First day (YYYY-MM-DD).")],
    until: Annotated[Optional[str], typer.Option("--until", help="Last day (YYYY-MM-DD).")] = None,
    target: Annotated[Optional[str], typer.Option("--target", help="Only changes towards this state.")] = None,
    db: DbOption = None,
    format: FormatOption = "table",
) -> None:
    """Every state transition since a date: recognitions, withdrawals, ambassadors, missions, relations, listings."""
    from diplowatch.state import transitions
    from diplowatch.store import KnowledgeBase

    _check_format(format)
    lo, hi = _iso_date(since, "--since"), _iso_date(until, "--until")
    code = _target_code(target) if target is not None else None
    try:
        with KnowledgeBase(db) as kb:
            events = kb.events_for_actor(code) if code else kb.events()
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    found = transitions(events, lo, hi, target=code)
    if format == "json":
        sys.stdout.write(json.dumps([t.to_dict() for t in found], ensure_ascii=False) + "\n")
        return
    table = Table(title=f"Changes since {lo}" + (f" until {hi}" if hi else "") + (f" towards {code}" if code else ""),
                  show_lines=True)
    for col in ("date", "observer", "target", "facet", "change", "sources", "evidence"):
        table.add_column(col, overflow="fold")
    for t in found:
        table.add_row(t.date or "undated", t.observer, t.target, t.facet, f"{t.old} → {t.new}",
                      _sources(t.events), t.events[0].evidence if t.events else "")
    out.print(table)
    out.print(f"{len(found)} change(s)")


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Argument(help="Gold events, JSON Lines (DESIGN §7).")],
    articles: Annotated[list[str], typer.Argument(help="Articles: JSON Lines corpora or .txt files.")],
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    published: PublishedOption = None,
) -> None:
    """Score extraction against gold events: precision, recall, F1, false-event rate, date accuracy."""
    from diplowatch.evaluate import load_gold, render_score, score

    try:
        gold_rows = load_gold(gold)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    arts, errors = _articles(articles, _iso_date(published, "--published"))
    extractor = _extractor() if arts else None
    predicted = [e for a in arts for e in extractor.extract(a)]
    result = score(gold_rows, predicted, docs=[a.id for a in arts])
    if format == "json":
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        render_score(result, out)
    raise typer.Exit(1 if errors else 0)



@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API (/api/…) and the dashboard (/) with uvicorn."""
    import uvicorn

    from diplowatch.api import ApiSettings, create_app

    try:
        application = create_app(ApiSettings(db_url=db))
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    err.print(f"serving {application.state.kb.url} on http://{host}:{port}/ (API under /api, schema /openapi.json)")
    uvicorn.run(application, host=host, port=port, log_level="info")


token_app = typer.Typer(no_args_is_help=True, help="Bearer tokens of the HTTP API (stored hashed).")
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    scope: Annotated[list[str], typer.Option("--scope", help="Scope to grant: ingest or watch (repeatable).")],
    label: Annotated[Optional[str], typer.Option("--label", help="A note to recognise the token by.")] = None,
    db: DbOption = None,
) -> None:
    """Make a token and print it once (only its hash is stored)."""
    from diplowatch.store import KnowledgeBase
    from diplowatch.store.tokens import create_token

    try:
        with KnowledgeBase(db) as kb:
            token, record = create_token(kb, scope, label)
    except (DiplowatchError, ValueError) as exc:
        _error(exc)
        raise typer.Exit(2) from None
    sys.stdout.write(token + "\n")
    err.print(f"token {record.id} with scope {' '.join(record.scopes)}: shown once, keep it now")


@token_app.command("list")
def token_list(db: DbOption = None) -> None:
    """List tokens (ids, scopes, labels; never the secrets)."""
    from diplowatch.store import KnowledgeBase
    from diplowatch.store.tokens import list_tokens

    try:
        with KnowledgeBase(db) as kb:
            tokens = list_tokens(kb)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    table = Table()
    for col in ("id", "scopes", "label", "created", "revoked"):
        table.add_column(col)
    for t in tokens:
        table.add_row(t.id, " ".join(t.scopes), t.label or "", t.created_at, t.revoked_at or "")
    out.print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The token's id (as listed).")], db: DbOption = None) -> None:
    """Revoke a token by its id."""
    from diplowatch.store import KnowledgeBase
    from diplowatch.store.tokens import revoke_token

    try:
        with KnowledgeBase(db) as kb:
            done = revoke_token(kb, token_id)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    if not done:
        _error(f"no valid token with id {token_id!r}")
        raise typer.Exit(1)
    out.print(f"token {token_id} revoked")


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
    quiet: QuietOption = False,
) -> None:
    """Extract events at scale on Dask: one Parquet file of events (and one of articles) per partition.

    Finished partitions are recorded in DIR/manifest.json; running the same
    command again resumes after a crash and writes no partition twice. Load
    the result with `diplowatch ingest DIR`.
    """
    from diplowatch.batch import run_batch

    when = _iso_date(published, "--published")
    try:
        report = run_batch(inputs, out_dir, scheduler=scheduler, workers=workers, partition_size=partition_size,
                           published=when, prefilter=not no_prefilter,
                           progress=None if quiet else (lambda line: err.print(Text(line))))
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    for e in report.input_errors:
        _error(e)
    for f in report.failed:
        _error(f"article {f['id']} (partition {f['pid']}): extraction failed: {f['reason']}")
    if report.stale:
        err.print(Text(f"warning: {len(report.stale)} recorded partition(s) are not part of these inputs"))
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
    """Export every stored event: GDELT 2.0 event rows (asserted events), DESIGN §2 JSON Lines, CSV or Parquet."""
    from diplowatch.interchange import EXPORT_FORMATS, export_events
    from diplowatch.store import KnowledgeBase

    if format not in EXPORT_FORMATS:
        _error(f"--format must be one of {', '.join(EXPORT_FORMATS)}, not {format!r}")
        raise typer.Exit(2)
    if format == "parquet" and out_file is None:
        _error("--format parquet needs --out FILE")
        raise typer.Exit(2)
    try:
        with KnowledgeBase(db) as kb:
            events = kb.events()
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    n = export_events(events, format, out_file if out_file is not None else sys.stdout)
    err.print(Text(f"exported {n} of {len(events)} event(s) as {format}"
                   + (f" to {out_file}" if out_file is not None else "")))


@app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="GDELT 2.0 event files (*.export.CSV, .zip or .gz).")],
    format: Annotated[str, typer.Option("--format", "-f", help="gdelt (the only one so far).")] = "gdelt",
    db: DbOption = None,
) -> None:
    """Seed the knowledge base from GDELT 2.0 event files (idempotent).

    Events whose CAMEO code maps to the ontology are stored with extractor
    gdelt/2.0 and article gdelt:<GLOBALEVENTID>; other rows are skipped and counted.
    """
    from diplowatch.interchange import import_gdelt
    from diplowatch.store import KnowledgeBase

    if format != "gdelt":
        _error(f"--format must be gdelt, not {format!r}")
        raise typer.Exit(2)
    try:
        with KnowledgeBase(db) as kb:
            report = import_gdelt(kb, files, on_error=_error)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    skipped = sum(report.skipped.values())
    out.print(f"read {report.read} GDELT record(s): {report.imported} imported, {report.already} already stored, "
              f"{skipped} skipped" + (f", {len(report.errors)} unreadable" if report.errors else ""))
    if report.skipped:
        out.print("skipped: " + ", ".join(f"{k} ×{v}" for k, v in report.skipped.most_common(12))
                  + (" …" if len(report.skipped) > 12 else ""))
    raise typer.Exit(1 if report.errors else 0)

# --------------------------------------------------------------------------- watch rules and alerts (issue 7)

watch_app = typer.Typer(no_args_is_help=True, help="Watch rules: be told once when the knowledge base shows a "
                                                   "state transition (a first recognition, relations broken …).")
app.add_typer(watch_app, name="watch")


def _party_code(value: str | None, option: str) -> str | None:
    """ISO3 code, actor id (``AFG:taliban``, ``UN``) or a state name resolved to its ISO3 code."""
    if value is None:
        return None
    value = value.strip()
    if ":" in value or (len(value) == 3 and value.isalpha()) or value.isupper():
        return value.upper() if len(value) == 3 and value.isalpha() else value
    return _target_code(value)


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="Name of the rule (letters, digits, _ . -).")],
    event: Annotated[str, typer.Option("--event", help="Event type whose state transition to watch "
                                                       "(recognize_government, withdraw_recognition, "
                                                       "break_relations, designate_organization …).")],
    notify: Annotated[list[str], typer.Option("--notify", help="stdout, jsonl:PATH or webhook:URL (repeatable).")],
    target: Annotated[Optional[str], typer.Option("--target", help="Target state (ISO3 or name) or actor id; "
                                                                   "default: any.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Observer state (ISO3 or name); "
                                                                   "default: any.")] = None,
    min_sources: Annotated[int, typer.Option("--min-sources", min=1, help="Fire once the real-world event has "
                                                                          "this many independent sources.")] = 1,
    secret: Annotated[Optional[str], typer.Option("--secret", help="Key of the X-Diplowatch-Signature HMAC of "
                                                                   "webhook bodies.")] = None,
    db: DbOption = None,
) -> None:
    """Add a watch rule (evaluated on every ingest, in the transaction that stores the events)."""
    from diplowatch.alerts import Rule, add_rule
    from diplowatch.store import KnowledgeBase

    rule = Rule(name=name, event=event, notify=tuple(notify), target=_party_code(target, "--target"),
                source=_party_code(source, "--source"), min_sources=min_sources, secret=secret)
    try:
        with KnowledgeBase(db) as kb:
            stored = add_rule(kb, rule)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    out.print(f"rule {stored.name}: {stored.event} → {stored.target or 'any target'}"
              f"{f' by {stored.source}' if stored.source else ''}, min {stored.min_sources} source(s), "
              f"notify {', '.join(stored.notify)}")


@watch_app.command("list")
def watch_list(db: DbOption = None, format: FormatOption = "table") -> None:
    """List the watch rules (secrets shown as ***)."""
    from diplowatch.alerts import list_rules
    from diplowatch.store import KnowledgeBase

    _check_format(format)
    try:
        with KnowledgeBase(db) as kb:
            rules = list_rules(kb)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    if format == "json":
        sys.stdout.write(json.dumps([r.to_dict() for r in rules], ensure_ascii=False) + "\n")
        return
    table = Table()
    for col in ("name", "event", "target", "source", "min sources", "notify", "secret", "created"):
        table.add_column(col, overflow="fold")
    for r in rules:
        table.add_row(r.name, r.event, r.target or "any", r.source or "any", str(r.min_sources),
                      "\n".join(r.notify), "***" if r.secret else "", r.created_at or "")
    out.print(table)


@watch_app.command("remove")
def watch_remove(name: Annotated[str, typer.Argument(help="Name of the rule.")], db: DbOption = None) -> None:
    """Remove a watch rule; its undelivered alerts are cancelled (what fired stays listed)."""
    from diplowatch.alerts import remove_rule
    from diplowatch.store import KnowledgeBase

    try:
        with KnowledgeBase(db) as kb:
            done = remove_rule(kb, name)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    if not done:
        _error(f"no rule named {name!r}")
        raise typer.Exit(1)
    out.print(f"rule {name} removed")


@watch_app.command("load")
def watch_load(file: Annotated[Path, typer.Argument(help="Rules file: TOML ([[rule]] tables) or YAML.")],
               db: DbOption = None) -> None:
    """Add or replace the rules of a TOML or YAML file (all or none)."""
    from diplowatch.alerts import load_rules
    from diplowatch.store import KnowledgeBase

    try:
        with KnowledgeBase(db) as kb:
            rules = load_rules(kb, file)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    out.print(f"loaded {len(rules)} rule(s): {', '.join(r.name for r in rules)}")


alerts_app = typer.Typer(help="Alerts that fired, with their delivery status; `alerts deliver` sends the outbox.")
app.add_typer(alerts_app, name="alerts")


@alerts_app.callback(invoke_without_command=True)
def alerts_list(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option("--since", help="Alerts that fired on or after this day "
                                                                 "(YYYY-MM-DD, UTC).")] = None,
    rule: Annotated[Optional[str], typer.Option("--rule", help="Only the alerts of this rule.")] = None,
    db: DbOption = None,
    format: FormatOption = "table",
) -> None:
    """List the alerts that fired, with their delivery status (JSON: with the payload sent)."""
    if ctx.invoked_subcommand is not None:
        return
    from diplowatch.alerts import list_alerts
    from diplowatch.store import KnowledgeBase

    _check_format(format)
    day = _iso_date(since, "--since")
    try:
        with KnowledgeBase(db) as kb:
            found = list_alerts(kb, since=day, rule=rule)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    if format == "json":
        sys.stdout.write(json.dumps([a.to_dict() for a in found], ensure_ascii=False) + "\n")
        return
    table = Table(show_lines=True)
    for col in ("fired", "rule", "date", "observer", "target", "change", "sources", "delivery", "evidence"):
        table.add_column(col, overflow="fold")
    for a in found:
        deliveries = "\n".join(f"{d.channel}: {d.status} ({d.attempts} attempt(s))"
                               + (f" {d.last_error}" if d.last_error and d.status != "delivered" else "")
                               for d in a.deliveries)
        evidence = a.payload.get("evidence") or [{}]
        table.add_row(a.created_at[:19].replace("T", " "), a.rule, a.date or "undated", a.observer, a.target,
                      f"{a.facet}: {a.old} → {a.new}", str(a.n_sources), deliveries, evidence[0].get("text", ""))
    out.print(table)
    out.print(f"{len(found)} alert(s)")


@alerts_app.command("deliver")
def alerts_deliver(
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering every --interval seconds until Ctrl-C.")]
    = False,
    interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between passes with --loop.")]
    = 5.0,
    db: DbOption = None,
) -> None:
    """Send the alerts that are due in the outbox (failed ones retried with exponential backoff)."""
    from diplowatch.alerts import deliver, deliver_loop
    from diplowatch.store import KnowledgeBase

    def show(report) -> None:  # noqa: ANN001
        for aid, channel, reason in report.errors:
            _error(f"alert {aid} to {channel}: {reason}")
        if report.delivered or report.retrying or report.failed:
            err.print(Text(f"delivered {report.delivered}, will retry {report.retrying}, gave up {report.failed}"))

    try:
        with KnowledgeBase(db, deliver_alerts=False) as kb:
            if loop:
                try:
                    deliver_loop(kb, interval=interval, on_report=show)
                except KeyboardInterrupt:
                    return
            report = deliver(kb)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    show(report)
    raise typer.Exit(1 if report.errors else 0)



def main() -> None:
    """Entry point of the ``diplowatch`` script (library warnings go to stderr as ``warning: …``)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    try:
        app()
    except DiplowatchError as exc:
        _error(exc)
        sys.exit(2)
