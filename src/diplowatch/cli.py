"""The ``diplowatch`` command line: thin commands over the library.

Each command parses its options, calls one library function, and turns library
errors into a clear message and a non-zero exit. Exit codes: 0 success; 1 some
input could not be read (the others were processed); 2 usage or configuration
error (bad option, no model, unknown target, store cannot be opened).
"""

from __future__ import annotations

import datetime as dt
import json
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


def _articles(paths: list[str], published: dt.date | None) -> tuple[list[Article], int]:
    """Read every input; report each bad one on stderr. Returns (articles, number of errors)."""
    from diplowatch.ingest import read_paths

    articles: list[Article] = []
    errors = 0
    for item in read_paths(paths, published):
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
    paths: Annotated[list[str], typer.Argument(help=".txt files, JSON Lines corpora, directories, or - for stdin.")],
    format: Annotated[str, typer.Option("--format", "-f", help="table or json (one DESIGN §2 object per line).")] = "table",
    published: PublishedOption = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show trigger, frame and parse paths of each event.")] = False,
) -> None:
    """Extract diplomatic events from articles and print them."""
    if format not in ("table", "json"):
        _error(f"--format must be table or json, not {format!r}")
        raise typer.Exit(2)
    articles, errors = _articles(paths, _iso_date(published, "--published"))
    extractor = _extractor() if articles else None
    all_events: list[Event] = []
    for article in articles:
        events = extractor.extract(article)
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
    raise typer.Exit(1 if errors else 0)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help=".txt files, JSON Lines corpora, directories, or - for stdin.")],
    published: PublishedOption = None,
    db: DbOption = None,
) -> None:
    """Extract events from articles and store both in the knowledge base (idempotent)."""
    from diplowatch.store import KnowledgeBase

    articles, errors = _articles(paths, _iso_date(published, "--published"))
    try:
        kb = KnowledgeBase(db)
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    new = dup = failed = n_events = 0
    with kb:
        extractor = _extractor() if articles else None
        for article in articles:
            if kb.has_article(article.id):
                dup += 1
                continue
            events = extractor.extract(article)
            try:
                if kb.add(article, events):
                    new += 1
                    n_events += len(events)
                else:
                    dup += 1
            except DiplowatchError as exc:
                failed += 1
                _error(exc)
    out.print(f"read {len(articles)} article(s): {new} new, {dup} already stored, "
              f"{failed + errors} failed; {n_events} event(s) stored in {kb.url}")
    raise typer.Exit(1 if errors or failed else 0)


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
            events = kb.events(target_state=code)
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


def main() -> None:
    """Entry point of the ``diplowatch`` script."""
    try:
        app()
    except DiplowatchError as exc:
        _error(exc)
        sys.exit(2)
