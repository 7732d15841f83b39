"""The reads of ``diplowatch stance`` (issue 17): the rows that :func:`diplowatch.stance.stance` folds.

One query over ``events`` (with its article's date and URL, both actors'
states and the real-world event of ``reports``): every event towards a state,
and the mutual events and talks of which the state is the source (they count
for both parties). Built straight into :class:`~diplowatch.stance.StanceRow`
tuples, no ``Event`` objects, as ``state_rows`` does for ``status``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, union_all

from diplowatch.ontology import EVENT_TYPES, MUTUAL_EVENTS
from diplowatch.stance import Stance, StanceRow, stance
from diplowatch.store.schema import ACTORS, ARTICLES, EVENTS, REPORTS

if TYPE_CHECKING:
    from diplowatch.store.db import KnowledgeBase

__all__ = ["stance_of", "stance_rows"]

_BOTH_WAYS = sorted(MUTUAL_EVENTS | {n for n, t in EVENT_TYPES.items() if t.facet == "contacts"})
_ISO3 = re.compile(r"^[A-Z]{3}$")


def stance_rows(kb: KnowledgeBase, target: str, *, connection: Connection | None = None) -> list[StanceRow]:
    """The stored events that make the stance of every observer towards ``target``.

    Args:
        kb: an open knowledge base.
        target: ISO3 code of a state (every actor of that state is a target:
            ``AFG``, ``AFG:taliban``, ``ORG:taliban``), or an actor id.
        connection: read through this connection (inside its transaction, as the
            watch-rule evaluation does); ``None``: a connection of the pool.

    Returns:
        :class:`~diplowatch.stance.StanceRow` tuples, in no particular order
        (the fold orders them).
    """
    e = EVENTS.c
    src, tgt = ACTORS.alias("src"), ACTORS.alias("tgt")
    if _ISO3.match(target):
        mine = select(ACTORS.c.id).where(ACTORS.c.state == target)
        towards, own = e.target_id.in_(mine), e.source_id.in_(mine)
        other_side = e.target_id.not_in(mine)
    else:
        towards, own, other_side = e.target_id == target, e.source_id == target, e.target_id != target

    def rows(side: Any) -> Any:
        return (select(e.id, e.doc, e.event, e.polarity, e.cameo, e.plover, e.date, ARTICLES.c.published,
                       ARTICLES.c.url, e.evidence_text, func.nullif(e.source_id, ""), src.c.state,
                       func.nullif(e.target_id, ""), tgt.c.state, REPORTS.c.real_event_id, e.issues)
                .join(ARTICLES, ARTICLES.c.id == e.doc)
                .outerjoin(src, src.c.id == e.source_id)
                .outerjoin(tgt, tgt.c.id == e.target_id)
                .outerjoin(REPORTS, REPORTS.c.event_id == e.id)
                .where(side))

    both = rows(own).where(e.event.in_(_BOTH_WAYS), e.target_id.is_not(None), other_side)
    q = union_all(rows(towards), both)
    if connection is not None:
        return list(map(StanceRow._make, connection.execute(q).all()))
    with kb.connect() as conn:
        return list(map(StanceRow._make, conn.execute(q).all()))


def stance_of(kb: KnowledgeBase, target: str, as_of: dt.date | str | None = None, *, by: str = "month",
              observer: str | None = None) -> Stance:
    """Every observer's stance towards ``target``: ``stance(stance_rows(kb, target), …)``.

    Args:
        kb: an open knowledge base.
        target: ISO3 code or actor id.
        as_of: ISO ``YYYY-MM-DD`` or ``date``; ``None``: everything known.
        by: ``month`` or ``year``.
        observer: only this observer (ISO3 code or body id).

    Raises:
        ValueError: as :func:`diplowatch.stance.stance`.
    """
    return stance(stance_rows(kb, target), target, as_of, by=by, observer=observer)
