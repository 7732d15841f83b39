"""Commands that query the knowledge base: ``status``, ``who-recognizes``, ``timeline``, ``changes``.

They open the store with ``create=False``: a mistyped ``--db`` is an error (exit 2), not a new
empty database; an empty store says "no events stored" instead of printing an empty table.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated, Optional

import typer
from rich.table import Table

from diplowatch.model import shown_date
from diplowatch.state import shown_since
from diplowatch.cli._common import (
    knowledge_base, AsOfOption, DbOption, FormatOption, _check_format, _error, _iso_date, _nothing_about, _sources,
    _target_code, app, out,
)


def _status(target: str, as_of: str | None, db: str | None, facets: tuple[str, ...] | None = None):  # noqa: ANN202
    """``(ISO3 code, TargetStatus, empty)``: ``empty`` is the line to print instead of an empty
    table when no event towards the target is stored, else ``None``. ``facets``: fold only
    these (see ``KnowledgeBase.state_rows``)."""
    code = _target_code(target)
    when = _iso_date(as_of, "--as-of")
    with knowledge_base(db, create=False) as kb:
        st = kb.status(code, when, facets=facets)
        found = st.observers or st.intentions or st.unattributed or st.undated or kb.state_rows(code, limit=1)
        empty = None if found else _nothing_about(kb, f"towards {code}")
    return code, st, empty


@app.command()
def status(
    target: Annotated[str, typer.Argument(help="Target state: ISO3 code or name (AFG, Afghanistan, Kabul).")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    format: FormatOption = "table",
    include_intentions: Annotated[bool, typer.Option("--include-intentions",
                                                     help="Also list negated and hypothetical reports.")] = False,
) -> None:
    """Relations of every state towards TARGET: recognition, ambassadors, missions, talks, designations."""
    _check_format(format)
    code, st, empty = _status(target, as_of, db)
    if format == "json":
        sys.stdout.write(json.dumps(st.to_dict(), ensure_ascii=False, default=str) + "\n")
        return
    if empty:
        out.print(empty)
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
            return "" if f.value == "none" else f"{f.value} {shown_since(f.since, f.events)}"
        talks = ", ".join(sorted({shown_date(s.date, s.published) for s in obs.contacts}))
        desig = "; ".join(f"{org.split(':')[-1]} {f.value} {shown_since(f.since, f.events)}"
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
    if st.as_of and st.undated:  # left out of an as-of fold: say so, the JSON lists them
        out.print(f"{len(st.undated)} undated report(s) not placed in time (see --format json)")
    if include_intentions and st.intentions:
        it = Table(title="Reported intentions (negated or hypothetical; no effect on state)")
        for col in ("source", "event", "polarity", "date", "evidence"):
            it.add_column(col, overflow="fold")
        for s in st.intentions:
            it.add_row(s.observer or "—", s.event, s.polarity, shown_date(s.date, s.published), s.evidence)
        out.print(it)


@app.command("who-recognises", hidden=True)  # the British spelling, an alias
@app.command("who-recognizes")
def who_recognizes(
    target: Annotated[str, typer.Argument(help="Target state: ISO3 code or name.")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    format: FormatOption = "table",
) -> None:
    """States that formally recognise TARGET (or its government), the earliest first."""
    from diplowatch.state import recognizers

    _check_format(format)
    code, st, empty = _status(target, as_of, db, facets=("recognition",))
    recs = recognizers(st)
    if format == "json":
        rows = [{"observer": r.observer, "since": r.since, "first_date": r.first.effective,
                 "first_reported": r.first_reported, "event": r.first.event, "sources": [s.url or s.doc for s in r.events],
                 "evidence": r.first.evidence} for r in recs]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    if not recs:
        out.print(empty or f"no formal recognition of {code} on record")
        return
    table = Table(title=f"Who recognises {code}" + (f" as of {st.as_of}" if st.as_of else ""))
    for col in ("#", "state", "since", "first reported", "event", "sources", "evidence"):
        table.add_column(col, overflow="fold")
    for n, r in enumerate(recs, 1):
        table.add_row(str(n), r.observer, shown_since(r.since, r.events), r.first_reported or "",
                      r.first.event, _sources(r.events), r.first.evidence)
    out.print(table)


def _actor(a) -> str:  # noqa: ANN001
    return "—" if a is None else f"{a.name} ({a.state or a.id})"


@app.command()
def timeline(
    actor: Annotated[str, typer.Argument(help="State: ISO3 code or name (AFG, Afghanistan, Kabul).")],
    db: DbOption = None,
    format: FormatOption = "table",
) -> None:
    """Every stored event where ACTOR is source or target, in date order, with evidence and sources.

    JSON: a list of DESIGN §2 event objects plus effective_date (ISO; the
    date used for ordering), published, url and real_event (its real-world
    event with n_reports and n_sources, or null).
    """

    _check_format(format)
    code = _target_code(actor)
    with knowledge_base(db, create=False) as kb:
        entries = kb.timeline(code)
        empty = None if entries else _nothing_about(kb, f"of {code}")
    if format == "json":
        rows = [{**t.event.to_dict(), "effective_date": t.date,
                 "published": t.event.published.isoformat() if t.event.published else None,
                 "url": t.event.url, "real_event": t.real_event.to_dict() if t.real_event else None}
                for t in entries]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    if empty:
        out.print(empty)
        return
    table = Table(title=f"Timeline of {code}", show_lines=True)
    for col in ("date", "event", "source", "target", "polarity", "sources", "evidence", "article"):
        table.add_column(col, overflow="fold")
    for t in entries:
        e, r = t.event, t.real_event
        table.add_row(shown_date(e.date, e.published), e.event, _actor(e.source), _actor(e.target), e.polarity,
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

    _check_format(format)
    lo, hi = _iso_date(since, "--since"), _iso_date(until, "--until")
    if hi is not None and lo > hi:
        _error(f"--since is after --until ({lo} > {hi}): no day can be in that period")
        raise typer.Exit(2)
    code = _target_code(target) if target is not None else None
    with knowledge_base(db, create=False) as kb:
        events = kb.events_for_actor(code) if code else kb.events()
        empty = None if events else _nothing_about(kb, f"of {code}")
    found = transitions(events, lo, hi, target=code)
    if format == "json":
        sys.stdout.write(json.dumps([t.to_dict() for t in found], ensure_ascii=False) + "\n")
        return
    if empty or not found:
        out.print(empty or "0 change(s)")
        return
    table = Table(title=f"Changes since {lo}" + (f" until {hi}" if hi else "") + (f" towards {code}" if code else ""),
                  show_lines=True)
    for col in ("date", "observer", "target", "facet", "change", "sources", "evidence"):
        table.add_column(col, overflow="fold")
    for t in found:
        table.add_row(t.date_shown, t.observer, t.target, t.facet, f"{t.old} → {t.new}",
                      _sources(t.events), t.events[0].evidence if t.events else "")
    out.print(table)
    out.print(f"{len(found)} change(s)")
