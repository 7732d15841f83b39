"""``GET /api/stance/{target}``: the JSON twin of ``diplowatch stance`` and of the dashboard's stance page.

Registered on :data:`diplowatch.api.app.router` when :mod:`diplowatch.api` is imported.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Query, Request

from diplowatch.api import views
from diplowatch.api.app import AsOf, Code, _errors, _kb, router
from diplowatch.stance import Stance
from diplowatch.store import KnowledgeBase
from diplowatch.store.stance import stance_of

__all__ = ["get_stance", "stance_view"]


def stance_view(kb: KnowledgeBase, target: str, as_of: dt.date | None, by: str = "month",
                observer: str | None = None) -> Stance:
    """Every observer's stance towards ``target`` (a code, actor id or name), as of a date.

    Args:
        kb: the knowledge base read.
        target: the target's ISO 3166-1 alpha-3 code, actor id or name.
        as_of: the date of the view (``None``: today).
        by: ``"month"`` or ``"year"`` periods.
        observer: only this observer (a code, actor id or name), or every one.

    Raises:
        NotFoundError: unknown target or observer.
    """
    code = views.resolve_target(target)
    who = views.resolve_target(observer) if observer else None
    return stance_of(kb, code, as_of, by=by, observer=who)


@router.get("/api/stance/{target}", response_model=Stance, tags=["relations"], responses=_errors(404, 422))
def get_stance(
    request: Request, target: Code, as_of: AsOf = None,
    by: Annotated[Literal["month", "year"], Query(description="Periods of each observer's series.")] = "month",
    observer: Annotated[str | None, Query(max_length=255, description="Only this observer state.")] = None,
) -> Stance:
    """Engage or isolate: each observer's weighed events towards the target per period, its stance
    (engaging / mixed / isolating / no record, by the rule in ``rule``) and the events behind every value."""
    return stance_view(_kb(request), target, as_of, by, observer or None)
