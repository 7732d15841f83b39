"""Shared helpers of the API, dashboard and browser tests: a scripted extractor and an app factory.

:class:`ScriptedExtractor` stands in for the spaCy extractor (fast, offline):
every ``[SRC event TGT (polarity) (date)]`` tag in an article makes one event
whose evidence is the line that holds the tag, e.g.
``[RUS recognize_government AFG:taliban 2025-07-03] Russia recognised ...``.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from diplowatch.actors import Gazetteer
from diplowatch.errors import Cancelled
from diplowatch.model import Article, Event, Evidence, event_id
from diplowatch.ontology import EVENT_TYPES

TAG = re.compile(r"\[(?P<src>[A-Za-z:_-]+) (?P<ev>[a-z_]+) (?P<tgt>[A-Za-z:_-]+)"
                 r"(?: (?P<pol>asserted|negated|hypothetical))?(?: (?P<date>\d{4}(?:-\d{2}){0,2}))?\]")


class ScriptedExtractor:
    """Events from ``[SRC event TGT ...]`` tags; the evidence is the tag's line of the article content."""

    name = "scripted/1"

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, article: Article, cancelled: Any = None) -> list[Event]:
        """Events of the tags in ``article.content``, in text order (``cancelled`` is asked once)."""
        self.calls += 1
        if cancelled is not None and cancelled():
            raise Cancelled(f"article {article.id}: abandoned")
        gaz = Gazetteer.default()
        content = article.content
        out: list[Event] = []
        for m in TAG.finditer(content):
            start = content.rfind("\n", 0, m.start()) + 1
            end = content.find("\n", m.end())
            end = len(content) if end < 0 else end
            src, tgt = gaz.actor(m["src"], article.published), gaz.actor(m["tgt"], article.published)
            etype = EVENT_TYPES[m["ev"]]
            date = m["date"] or (article.published.isoformat() if article.published else None)
            precision = {4: "year", 7: "month", 10: "day"}.get(len(date)) if date else None
            out.append(Event(
                id=event_id(article.id, self.name, start, end, m["ev"], src.id, tgt.id), doc=article.id,
                event=m["ev"], source=src, target=tgt, polarity=m["pol"] or "asserted", date=date,
                date_precision=precision, cameo=etype.cameo, plover=etype.plover,
                evidence=Evidence(content[start:end], start, end), extractor=self.name, confidence=0.9))
        return out


XSS_TEXT = (
    '[RUS recognize_government AFG:taliban 2025-07-03] Russia recognised them <script>alert("pwned")</script> '
    '<img src=x onerror=alert(1)> <a href="javascript:alert(2)">click</a> </script><script>alert(3)</script>\n'
    "Second line with a javascript:alert(4) text and \"quotes\" & ampersands.\n"
)
XSS_ARTICLE = {"id": "xss-1", "title": '<b onmouseover="alert(5)">Headline</b>', "url": "javascript:alert(6)",
               "published": "2025-07-04", "text": XSS_TEXT}

SEED = Path(__file__).resolve().parents[1] / ".." / "shared" / "seed" / "000_2073b2f2a0237912.txt"


def make_app(tmp_path: Path, db_url: str | None = None, extractor: Any = None, **settings: Any) -> Any:
    """A fresh app on a SQLite file under ``tmp_path`` (or ``db_url``) with a scripted extractor."""
    from diplowatch.api import ApiSettings
    from diplowatch.web import create_app

    url = db_url or f"sqlite:///{tmp_path / 'api.db'}"
    return create_app(ApiSettings(db_url=url, **settings), extractor=extractor or ScriptedExtractor())


def token(app: Any, *scopes: str) -> str:
    """A new bearer token with ``scopes`` in the app's knowledge base."""
    from diplowatch.store.tokens import create_token

    return create_token(app.state.kb, scopes or ("ingest",))[0]


def auth(tok: str) -> dict[str, str]:
    """``Authorization`` header of a token."""
    return {"Authorization": f"Bearer {tok}"}


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        sock.close()
