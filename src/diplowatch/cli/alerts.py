"""Watch rules (``watch …``) and the alerts they fire (``alerts``, ``alerts deliver``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from diplowatch.cli._common import (
    knowledge_base, DbOption, FormatOption, _check_format, _error, _iso_date, _target_code, app, err, out,
)


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

    rule = Rule(name=name, event=event, notify=tuple(notify), target=_party_code(target, "--target"),
                source=_party_code(source, "--source"), min_sources=min_sources, secret=secret)
    with knowledge_base(db) as kb:
        stored = add_rule(kb, rule)
    out.print(f"rule {stored.name}: {stored.event} → {stored.target or 'any target'}"
              f"{f' by {stored.source}' if stored.source else ''}, min {stored.min_sources} source(s), "
              f"notify {', '.join(stored.notify)}")


@watch_app.command("list")
def watch_list(db: DbOption = None, format: FormatOption = "table") -> None:
    """List the watch rules (secrets shown as ***)."""
    from diplowatch.alerts import list_rules

    _check_format(format)
    with knowledge_base(db, create=False) as kb:
        rules = list_rules(kb)
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

    with knowledge_base(db, create=False) as kb:
        done = remove_rule(kb, name)
    if not done:
        _error(f"no rule named {name!r}")
        raise typer.Exit(1)
    out.print(f"rule {name} removed")


@watch_app.command("load")
def watch_load(file: Annotated[Path, typer.Argument(help="Rules file: TOML ([[rule]] tables) or YAML.")],
               db: DbOption = None) -> None:
    """Add or replace the rules of a TOML or YAML file (all or none)."""
    from diplowatch.alerts import load_rules

    with knowledge_base(db) as kb:
        rules = load_rules(kb, file)
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

    _check_format(format)
    day = _iso_date(since, "--since")
    with knowledge_base(db, create=False) as kb:
        found = list_alerts(kb, since=day, rule=rule)
    if format == "json":
        sys.stdout.write(json.dumps([a.to_dict() for a in found], ensure_ascii=False) + "\n")
        return
    if not found:
        out.print("0 alert(s)")
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
    """Send the alerts that are due in the outbox and print what was sent, failed and left pending.

    A failed attempt is retried with exponential backoff; an address the
    checks refuse, or a 4xx answer other than 408 and 429, fails at once.
    Exit code 1 when an attempt failed.
    """
    from diplowatch.alerts import deliver, deliver_loop

    def show(report, always: bool = True) -> None:  # noqa: ANN001
        for aid, channel, reason in report.errors:
            _error(f"alert {aid} to {channel}: {reason}")
        if always or report.delivered or report.retrying or report.failed:
            out.print(Text(report.line()))

    with knowledge_base(db, create=False) as kb:
        if loop:
            try:
                deliver_loop(kb, interval=interval, on_report=lambda r: show(r, always=False))
            except KeyboardInterrupt:
                return
        report = deliver(kb)
    show(report)
    raise typer.Exit(1 if report.errors else 0)
