"""The HTTP API under a hostile article (issue 13, part 1): a real uvicorn server on 127.0.0.1.

The analysis runs off the event loop in a pool of real extractors
(:class:`diplowatch.api.ingest.Pipeline`), within a time limit per request
(``ApiSettings.ingest_time_limit``), and is abandoned when the client goes
away. The hostile article is one sentence of coordinated clauses, the shape
that once took minutes (``benchmarks/sentence_length.py`` times it).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from _api_support import served, token
from diplowatch.api import ApiSettings
from diplowatch.web import create_app

pytestmark = pytest.mark.slow

CLAUSE = "Russia recognised the Taliban government and "
NORMAL = ("Kazakhstan recognised the Taliban government on Tuesday, the foreign ministry in Astana said. "
          "The decision followed months of talks in Kabul.")


def hostile(chars: int) -> str:
    """One sentence of ``chars`` characters: the clause repeated, no full stop."""
    return (CLAUSE * (chars // len(CLAUSE) + 1))[:chars]


def _app(tmp_path, **settings):
    return create_app(ApiSettings(db_url=f"sqlite:///{tmp_path / 'api.db'}", **settings))


def _post(base: str, tok: str, article: dict, timeout: float = 120):
    import httpx

    return httpx.post(f"{base}/api/ingest", json=article, timeout=timeout, trust_env=False,
                      headers={"Authorization": f"Bearer {tok}"})


def _raw_post(base: str, tok: str, article: dict) -> socket.socket:
    """Send ``POST /api/ingest`` on a socket of its own and return the socket, unread (to close it early)."""
    parts = urlsplit(base)
    body = json.dumps(article).encode()
    sock = socket.create_connection((parts.hostname, parts.port), timeout=120)
    sock.sendall(b"POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 + f"Authorization: Bearer {tok}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    return sock


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.05)


def test_normal_article_is_answered_while_a_hostile_one_runs_and_the_hostile_one_is_dropped_on_disconnect(
        tmp_path, caplog):
    app = _app(tmp_path, ingest_workers=2, ingest_time_limit=120)
    pipeline = app.state.pipeline
    hostile_tok, normal_tok = token(app, "ingest"), token(app, "ingest")
    caplog.set_level(logging.WARNING, logger="diplowatch.api.app")
    with served(app) as base:
        # one sentence of 400 KB: alone, minutes of analysis without the limits of issue 13
        sock = _raw_post(base, hostile_tok, {"id": "hostile", "text": hostile(400_000)})
        _wait(lambda: pipeline.busy == 1, 60, "the hostile article's analysis started")
        seconds = []
        for n, day in enumerate(("Tuesday", "Monday")):  # the first loads its worker's models, the second not
            started = time.monotonic()
            r = _post(base, normal_tok, {"id": f"normal-{n}", "text": NORMAL.replace("Tuesday", day),
                                         "published": "2025-07-08"})
            seconds.append(time.monotonic() - started)
            assert r.status_code == 201, r.text
        assert pipeline.busy == 1, "the hostile article was no longer in flight when the normal one was answered"
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            sock.recv(1)  # no answer to the hostile request yet
        sock.close()  # its client gives up
        _wait(lambda: pipeline.busy == 0, 30, "the hostile analysis abandoned after its client went away")
        import httpx

        stored = [httpx.get(f"{base}/api/events/{i}", trust_env=False).json()
                  for i in r.json()["articles"][0]["events"]]
    print("normal articles answered 201 in " + ", ".join(f"{t:.2f} s" for t in seconds) + " while the hostile one ran")
    assert [(e["event"]["event"], e["event"]["source"]["id"], e["event"]["date"]) for e in stored] == [
        ("recognize_government", "KAZ", "2025-07-07")]
    assert app.state.kb.counts()["articles"] == 2  # the hostile article: not stored, not half-written
    assert app.state.kb.quarantined() == []
    assert any("client went away" in rec.getMessage() for rec in caplog.records)


def test_request_past_its_time_limit_gets_503_and_stores_nothing(tmp_path):
    app = _app(tmp_path, ingest_workers=1, ingest_time_limit=1)
    tok = token(app, "ingest")
    lines = "\n".join(json.dumps(a) for a in ({"id": "first", "text": NORMAL, "published": "2025-07-08"},
                                               {"id": "hostile", "text": hostile(100_000)}))
    import httpx

    with served(app) as base:
        r = httpx.post(f"{base}/api/ingest", content=lines.encode(), timeout=120, trust_env=False,
                       headers={"Authorization": f"Bearer {tok}", "Content-Type": "application/x-ndjson"})
        assert r.status_code == 503, r.text
        assert "time limit of 1 s" in r.json()["detail"] and "nothing was stored" in r.json()["detail"]
        assert "article hostile" in r.json()["detail"]
        single = _post(base, tok, {"id": "alone", "text": hostile(100_000)})
        assert single.status_code == 503, single.text
    # the normal article of the batch was analysed before the limit passed, and is not stored either
    assert app.state.kb.counts() == {"articles": 0, "events": 0, "actors": 0}
    assert app.state.kb.quarantined() == []
    assert app.state.pipeline.busy == 0
