"""Stance rules: alert when an observer's stance towards a target changes class (issue 17).

A rule with ``event = "stance"`` (:data:`diplowatch.alerts.rules.STANCE`)
watches the stance of :func:`diplowatch.stance.stance`. Called by
:func:`diplowatch.alerts.evaluate.evaluate` inside the write transaction:

1. The dyads touched are (observer, target) of the new asserted events that
   weigh (every event type: praise, criticism, positions, talks included); the
   observer is the source's state, and for mutual events and talks also the
   other way round. A rule with a ``target`` or ``source`` keeps only those.
2. For each target, its stance rows are read through the write connection and
   folded twice, as of the latest effective date of the observer's new events
   (``None`` when they are undated): without the new events and with them.
3. The rule fires when the class differs (``isolating`` → ``engaging``,
   ``no record`` → ``mixed`` …). The alert carries both classes and balances,
   and as evidence the new events that moved it.

The alert id is ``al_`` + 32 hex digits of SHA-256 over the rule name and
``(observer, target, "stance", old, new, date)``: a rule fires once per change
of class on a date, whatever the retries.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection

from diplowatch.alerts.rules import Rule
from diplowatch.model import Event
from diplowatch.ontology import EVENT_TYPES, MUTUAL_EVENTS
from diplowatch.stance import ObserverStance, effective_day, stance
from diplowatch.store import KnowledgeBase
from diplowatch.store.stance import stance_rows
from diplowatch.store.watch import ALERT_OUTBOX, ALERTS

__all__ = ["evaluate_stance", "stance_payload"]

_BOTH_WAYS = MUTUAL_EVENTS | {n for n, t in EVENT_TYPES.items() if t.facet == "contacts"}


def _party(actor: Any) -> str | None:
    return (actor.state or actor.id) if actor is not None else None


def _dyads(events: list[Event]) -> dict[tuple[str, str], list[Event]]:
    """(observer, target state or id) → the new asserted events of that dyad."""
    out: dict[tuple[str, str], list[Event]] = {}
    for e in events:
        if e.polarity != "asserted" or e.source is None or e.target is None or e.event not in EVENT_TYPES:
            continue
        pairs = [(_party(e.source), _party(e.target))]
        if e.event in _BOTH_WAYS:
            pairs.append((_party(e.target), _party(e.source)))
        for obs, tgt in pairs:
            if obs and tgt and obs != tgt:
                out.setdefault((obs, tgt), []).append(e)
    return out


def stance_payload(aid: str, rule: Rule, observer: str, target: str, date: str | None,
                   before: ObserverStance | None, after: ObserverStance, moved: list[Event],
                   created_at: str) -> dict[str, Any]:
    """The JSON body of a stance alert::

        {"id", "rule", "event": "stance", "created_at",
         "transition": {"date", "observer", "target", "facet": "stance", "old", "new"},
         "balance": {"before": float, "after": float},
         "evidence": [{"event_id", "event", "source_id", "target_id", "date", "doc", "text", "issues"}, …]}
    """
    old = before.stance if before is not None else "no record"
    return {"id": aid, "rule": rule.name, "event": "stance", "created_at": created_at,
            "transition": {"date": date, "observer": observer, "target": target, "facet": "stance",
                           "old": old, "new": after.stance},
            "balance": {"before": before.window.balance if before is not None else 0.0,
                        "after": after.window.balance},
            "evidence": [{"event_id": e.id, "event": e.event, "source_id": e.source.id if e.source else None,
                          "target_id": e.target.id if e.target else None, "date": e.date, "doc": e.doc,
                          "text": e.evidence.text, "issues": list(e.issues)} for e in moved]}


def evaluate_stance(conn: Connection, kb: KnowledgeBase, events: list[Event], rules: list[Rule],
                    now: str) -> list[str]:
    """Write the alerts of stance rules that ``events`` (just stored through ``conn``) fire.

    Args:
        conn: the connection of the write transaction.
        kb: the knowledge base.
        events: the article's events, just stored.
        rules: the stance rules.
        now: ISO 8601 UTC time stamp of the alerts.

    Returns:
        Ids of the alerts written now.
    """
    if not rules:
        return []
    dyads = _dyads(events)
    new_ids = {e.id for e in events}
    fired: list[str] = []
    folded: dict[str, list[Any]] = {}
    for (obs, tgt), moved in sorted(dyads.items()):
        for rule in rules:
            if rule.source is not None and rule.source != obs:
                continue
            code = rule.target if rule.target is not None else tgt
            if code != tgt and not any(e.target is not None and e.target.id == code for e in moved):
                continue  # a rule on another target
            rows = folded.get(code)
            if rows is None:
                rows = folded[code] = stance_rows(kb, code, connection=conn)
            as_of = _latest(moved, rows)
            after = stance(rows, code, as_of, observer=obs).observers.get(obs)
            prior = stance([r for r in rows if r.id not in new_ids], code, as_of, observer=obs).observers.get(obs)
            if after is None or (prior.stance if prior is not None else "no record") == after.stance:
                continue
            old = prior.stance if prior is not None else "no record"
            basis = json.dumps([rule.name, obs, code, "stance", old, after.stance, as_of], separators=(",", ":"))
            aid = "al_" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
            payload = stance_payload(aid, rule, obs, code, as_of, prior, after, moved, now)
            row = {"id": aid, "rule": rule.name, "event": "stance", "observer": obs, "target": code,
                   "facet": "stance", "old": old, "new": after.stance, "date": as_of, "n_sources":
                   len({e.doc for e in moved}), "created_at": now,
                   "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True)}
            if conn.execute(kb.insert_ignore(ALERTS).returning(ALERTS.c.id), row).first() is None:
                continue
            conn.execute(ALERT_OUTBOX.insert(), [
                {"alert_id": aid, "channel": ch, "status": "pending", "attempts": 0,
                 "next_attempt_at": now[:19] + "+00:00", "last_error": None, "delivered_at": None}
                for ch in rule.notify])
            fired.append(aid)
    return fired


def _latest(moved: list[Event], rows: list[Any]) -> str | None:
    """The latest effective day of the new events (their rows carry the publication date), or ``None``."""
    ids = {e.id for e in moved}
    days = [d for r in rows if r.id in ids and (d := effective_day(r.date, r.published)) is not None]
    return max(days) if days else None
