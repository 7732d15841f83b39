"""Dashboard page ``/stance/{target}``: the stance map and each observer's monthly balance (issue 17).

Its JSON twin is ``GET /api/stance/{target}`` (the same view function,
:func:`diplowatch.api.stance.stance_view`). The page lists every observer in a
table (the map and the charts say the same); ``static/stance.js`` colours the
map (diverging: engaging blue, mixed pale yellow, isolating red; "no record",
an observer with only planned or denied events, dark grey, apart from
states with no event at all) and draws, for each observer, its cooperation
and conflict per period as stacked bars with the project's chart
(``static/chart.js``; served by diplowatch itself, nothing from elsewhere). Registered on :data:`diplowatch.dashboard.pages.router`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse

from diplowatch.api.stance import stance_view
from diplowatch.dashboard.pages import _TEXT, _kb, render, router
from diplowatch.stance import CLASSES

__all__ = ["stance_page"]


@router.get("/stance/{target}", response_class=HTMLResponse)
def stance_page(request: Request, target: Annotated[str, Path(max_length=255, pattern=_TEXT)],
                as_of: dt.date | None = None,
                by: Annotated[str, Query(pattern="^(month|year)$")] = "month") -> HTMLResponse:
    """Each state's stance towards ``target`` as of a date, on a map and in a chart per observer."""
    st = stance_view(_kb(request), target, as_of, by)
    rows = sorted(st.observers.values(), key=lambda o: (CLASSES.index(o.stance), -abs(o.window.balance),
                                                         o.observer))
    query = "?" + "&".join(f"{k}={v}" for k, v in (("as_of", st.as_of), ("by", by)) if v)
    return render(request, "stance.html", st=st, rows=rows, classes=CLASSES, by=by,
                  title=f"Stance towards {st.target}", json_url=f"/api/stance/{st.target}{query}")
