"""Evaluate watch rules inside the transaction that stores new events.

The write path (:meth:`diplowatch.write.Writer.add`) calls :func:`evaluate`
with the connection of the open write transaction, after
:meth:`KnowledgeBase.storing <diplowatch.store.KnowledgeBase.storing>` has
written the article, its events and their corroboration links there. Rules match **state transitions**
(:func:`diplowatch.state.transitions`), not reports:

1. The targets touched are those of the new asserted events that change
   state (both parties of a mutual event) and that some rule watches.
2. For each, every stored event of that target is read *through the same
   connection* (the new ones included) and folded twice: without the new
   events and with them. A transition is a candidate when it is new (its key
   is absent from the fold without the new events), or when a real-world event
   behind it was corroborated by this write (its ``n_sources`` may have
   reached a rule's ``min_sources``).
3. (Stance rules, ``event = "stance"``, are evaluated by
   :func:`diplowatch.alerts.stance.evaluate_stance` in the same transaction.)
   A candidate fires a rule when the rule matches it
   (:meth:`Rule.matches <diplowatch.alerts.rules.Rule.matches>`) and the
   largest ``n_sources`` among the real-world events of its supporting events
   is at least ``min_sources``.

The transition key is ``(observer, target, facet, old, new, n)``, ``n``
counting earlier transitions of the dyad with the same ``old → new``: a second
recognition after a withdrawal is a new transition; another report of the same
recognition, even with a different date, is not (for a rule with no target, a
mutual change, relations, has one key whichever party it is seen from). The
alert id (idempotency
key) is ``al_`` + 32 hex digits of SHA-256 over the rule name and that key; it
is the primary key of ``alerts`` and is inserted with ``ON CONFLICT DO
NOTHING``, so a rule fires once per transition, whatever the number of
reports, processes or retries. Outbox rows (one per channel) are written only
with a new alert row. Nothing here commits: a rollback of the write takes the
alerts with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from diplowatch.alerts.rules import STANCE, Rule, rule_of_row
from diplowatch.alerts.stance import evaluate_stance
from diplowatch.model import Article, Event
from diplowatch.ontology import EVENT_TYPES, MUTUAL_EVENTS
from diplowatch.state import LOG_FACETS, Transition, transitions
from diplowatch.store import KnowledgeBase
from diplowatch.store.schema import REAL_EVENTS, REPORTS
from diplowatch.store.watch import ALERT_OUTBOX, ALERTS, WATCH_RULES

__all__ = ["alert_id", "build_payload", "evaluate", "transition_keys"]

TransitionKey = tuple[str, str, str, str, str, int]
_CHUNK = 500


def transition_keys(found: Iterable[Transition]) -> list[tuple[Transition, TransitionKey]]:
    """Each transition with its key ``(observer, target, facet, old, new, n)`` (see the module docstring)."""
    seen: Counter[tuple[str, str, str, str, str]] = Counter()
    out = []
    for t in found:
        base = (t.observer, t.target, t.facet, t.old, t.new)
        out.append((t, (*base, seen[base])))
        seen[base] += 1
    return out


_MUTUAL_FACETS = frozenset(EVENT_TYPES[e].facet for e in MUTUAL_EVENTS if e in EVENT_TYPES)


def _canonical(key: TransitionKey) -> TransitionKey:
    """A mutual change (relations) seen from either party is one transition: the pair sorted."""
    observer, target, facet, *rest = key
    if facet in _MUTUAL_FACETS and target < observer:
        observer, target = target, observer
    return (observer, target, facet, *rest)  # type: ignore[return-value]


def alert_id(rule: str, key: TransitionKey) -> str:
    """The idempotency key of rule ``rule`` firing on transition ``key``: ``al_`` + 32 hex digits."""
    basis = json.dumps([rule, *key], ensure_ascii=True, separators=(",", ":"))
    return "al_" + hashlib.sha256(basis.encode("ascii")).hexdigest()[:32]


def _watched(ev: Event) -> bool:
    et = EVENT_TYPES.get(ev.event)
    return ev.polarity == "asserted" and et is not None and bool(et.facet) and et.facet not in LOG_FACETS


def _codes(ev: Event) -> set[str]:
    """State codes and actor ids of the parties a new event touches as a target."""
    out: set[str] = set()
    for actor in ((ev.target, ev.source) if ev.event in MUTUAL_EVENTS else (ev.target,)):
        if actor is not None:
            out.add(actor.id)
            if actor.state:
                out.add(actor.state)
    return out


def _real_events(conn: Connection, event_ids: list[str]) -> dict[str, tuple[int, int]]:
    """``{event id: (real event id, n_sources)}`` read through ``conn``."""
    out: dict[str, tuple[int, int]] = {}
    for i in range(0, len(event_ids), _CHUNK):
        q = (select(REPORTS.c.event_id, REAL_EVENTS.c.id, REAL_EVENTS.c.n_sources)
             .join(REAL_EVENTS, REAL_EVENTS.c.id == REPORTS.c.real_event_id)
             .where(REPORTS.c.event_id.in_(event_ids[i:i + _CHUNK])))
        out.update({r.event_id: (r.id, r.n_sources) for r in conn.execute(q)})
    return out


def build_payload(aid: str, rule: Rule, t: Transition, n_sources: int, created_at: str) -> dict[str, Any]:
    """The JSON body of an alert, as sent to every channel.

    Shape::

        {"id": "al_…", "rule": "taliban-recognition", "event": "recognize_government",
         "created_at": "2025-07-04T10:00:00+00:00",
         "transition": {"date": "2025-07-03", "observer": "RUS", "target": "AFG",
                        "facet": "recognition", "old": "none", "new": "recognized"},
         "n_sources": 1,
         "evidence": [{"event_id", "event", "source_id", "target_id", "date", "published",
                       "doc", "url", "text", "attribution", "confidence"}, …],
         "sources": ["https://…" or doc id, …]}
    """
    evidence = [{"event_id": s.event_id, "event": s.event, "source_id": s.source_id, "target_id": s.target_id,
                 "date": s.date, "published": s.published, "doc": s.doc, "url": s.url, "text": s.evidence,
                 "attribution": s.attribution, "confidence": s.confidence} for s in t.events]
    return {"id": aid, "rule": rule.name, "event": rule.event, "created_at": created_at,
            "transition": {"date": t.date, "observer": t.observer, "target": t.target, "facet": t.facet,
                           "old": t.old, "new": t.new},
            "n_sources": n_sources, "evidence": evidence,
            "sources": list(dict.fromkeys(s.url or s.doc for s in t.events))}


def evaluate(conn: Connection, kb: KnowledgeBase, article: Article, events: list[Event],
             touched: set[int]) -> list[str]:
    """Write the alerts that new events fire, with their outbox rows, through ``conn``.

    Args:
        conn: the connection of the write transaction that stored ``events``.
        kb: the knowledge base (for its queries and dialect).
        article: the article just stored.
        events: its events, just stored.
        touched: ids of the real-world events their reports were linked to.

    Returns:
        Ids of the alerts written now (none for a transition that already fired).

    Raises:
        SQLAlchemyError: a database failure; the caller rolls back the whole write.
    """
    rules = [rule_of_row(r) for r in conn.execute(select(WATCH_RULES).order_by(WATCH_RULES.c.name)).mappings()]
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")  # orders alerts as they fired
    fired = evaluate_stance(conn, kb, events, [r for r in rules if r.event == STANCE], now)
    rules = [r for r in rules if r.event != STANCE]
    new = [e for e in events if _watched(e)]
    if not new or not rules:
        return fired
    codes: set[str] = set().union(*(_codes(e) for e in new))
    buckets: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.target is not None:
            if rule.target in codes:
                buckets.setdefault(rule.target, []).append(rule)
        else:
            for e in new:  # any target: the state (else the id) of each touched party
                for actor in ((e.target, e.source) if e.event in MUTUAL_EVENTS else (e.target,)):
                    if actor is not None:
                        buckets.setdefault(actor.state or actor.id, []).append(rule)
    new_ids = {e.id for e in events}
    for code in sorted(buckets):
        bucket_rules = list({r.name: r for r in buckets[code]}.values())
        stored = kb.events(actor=code, connection=conn)
        stored = [e for e in stored if EVENT_TYPES.get(e.event) and EVENT_TYPES[e.event].facet]
        after = transition_keys(transitions(stored, target=code))
        before = {k for _t, k in transition_keys(transitions([e for e in stored if e.id not in new_ids],
                                                             target=code))}
        links = _real_events(conn, sorted({s.event_id for t, _k in after for s in t.events}))
        for t, key in after:
            linked = [links[s.event_id] for s in t.events if s.event_id in links]
            if key in before and not any(rid in touched for rid, _n in linked):
                continue
            n_sources = max((n for _rid, n in linked), default=len({s.doc for s in t.events}))
            for rule in bucket_rules:
                if not rule.matches(t, code) or n_sources < rule.min_sources:
                    continue
                aid = alert_id(rule.name, _canonical(key) if rule.target is None else key)
                payload = build_payload(aid, rule, t, n_sources, now)
                row = {"id": aid, "rule": rule.name, "event": rule.event, "observer": t.observer,
                       "target": t.target, "facet": t.facet, "old": t.old, "new": t.new, "date": t.date,
                       "n_sources": n_sources, "created_at": now,
                       "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True)}
                if conn.execute(kb.insert_ignore(ALERTS).returning(ALERTS.c.id), row).first() is None:
                    continue  # fired before: same rule, same transition
                conn.execute(ALERT_OUTBOX.insert(), [
                    {"alert_id": aid, "channel": ch, "status": "pending", "attempts": 0,
                     "next_attempt_at": now[:19] + "+00:00", "last_error": None, "delivered_at": None} for ch in rule.notify])
                fired.append(aid)
    return fired
