"""``diplowatch stance``: each state's stance towards a target over time (issue 17).

A thin command over :func:`diplowatch.store.stance.stance_of`; the rule that
decides a stance is :data:`diplowatch.stance.STANCE_RULE`.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from rich.table import Table

from diplowatch.cli._common import (
    AsOfOption, DbOption, FormatOption, _check_format, _error, _iso_date, _nothing_about, _target_code, app,
    knowledge_base, out,
)


@app.command()
def stance(
    target: Annotated[str, typer.Argument(help="Target state: ISO3 code or name (AFG, Afghanistan, Kabul).")],
    as_of: AsOfOption = None,
    by: Annotated[str, typer.Option("--by", help="Periods of the series: month or year.")] = "month",
    observer: Annotated[Optional[str], typer.Option(
        "--observer", help="Only this observer state: ISO3 code or name.")] = None,
    db: DbOption = None,
    format: FormatOption = "table",
) -> None:
    """Engage or isolate: each state's cooperative and conflictual events towards TARGET, weighed on the
    Goldstein scale, per month or year, with its stance (engaging / mixed / isolating / no record)."""
    _check_format(format)
    if by not in ("month", "year"):
        _error(f"--by must be month or year, not {by!r}")
        raise typer.Exit(2)
    code = _target_code(target)
    who = _target_code(observer) if observer else None
    when = _iso_date(as_of, "--as-of")
    from diplowatch.store.stance import stance_of

    with knowledge_base(db, create=False) as kb:
        st = stance_of(kb, code, when, by=by, observer=who)
        empty = None if (st.observers or st.unattributed) else _nothing_about(kb, f"towards {code}")
    if format == "json":
        sys.stdout.write(json.dumps(st.to_dict(), ensure_ascii=False, default=str) + "\n")
        return
    if empty:
        out.print(empty)
        return
    window = next(iter(st.observers.values())).since if st.observers else None
    until = next(iter(st.observers.values())).until if st.observers else None
    table = Table(title=f"Stance towards {code}" + (f", {window} to {until}" if window else "")
                  + (f" (as of {st.as_of})" if st.as_of else ""), show_lines=True)
    for col in ("state", "stance", "cooperation", "conflict", "balance", "events", "series", "issues"):
        table.add_column(col, overflow="fold")
    for obs, s in st.observers.items():
        series = ", ".join(f"{c.period} {c.balance:+.1f}" for c in s.series)
        issues = ", ".join(f"{k} {n}" for k, n in s.issues.items())
        table.add_row(obs, s.stance, f"{s.window.cooperation:.1f}", f"{s.window.conflict:.1f}",
                      f"{s.window.balance:+.1f}", f"{s.window.n} ({len(s.intentions)} planned or denied)",
                      series, issues)
    out.print(table)
    out.print(f"rule: {st.rule}")
    if st.issues:
        out.print("issues: " + ", ".join(f"{k} {n}" for k, n in st.issues.items()))
    if st.unattributed:
        out.print(f"{len(st.unattributed)} report(s) with no source (see --format json)")
