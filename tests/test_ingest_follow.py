"""``follow``: a loopback server serves a feed and its pages; conditional polling; Ctrl-C.

The extractor is a stub (no spaCy): what is tested here is fetching, storing
once, 304 handling, surviving broken feeds and stopping cleanly.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from typer.testing import CliRunner

import diplowatch.cli as cli
from diplowatch.ingest import IngestSettings
from diplowatch.ingest.follow import Follower, parse_interval, state_path_for
from diplowatch.store import KnowledgeBase
from loopback import Loopback

PAGE = """<html lang="en"><head><title>{title}</title></head><body><nav>Home | World</nav>
<article><h1>{title}</h1><p>{body}</p><p>Officials from both governments confirmed the decision on Thursday
in separate statements, and said further talks would follow in the coming weeks.</p></article>
<footer>Copyright Example</footer></body></html>"""


class StubExtractor:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def extract(self, article):  # noqa: ANN001
        self.seen.append(article.id)
        return []


def feed_xml(base: str, n: int) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{base}/story/{i}</link><guid>{base}/story/{i}</guid>"
        f"<pubDate>Thu, 0{i} Jul 2025 10:00:00 GMT</pubDate><description>Teaser {i}.</description></item>"
        for i in range(1, n + 1))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>{base}/</link>'
            f"{items}</channel></rss>").encode()


class Site:
    """A news site on loopback: /feed (with ETag and Last-Modified, 304 on a match) and /story/N."""

    def __init__(self, n: int = 2) -> None:
        self.srv = Loopback()
        self.n = n
        self.version = 1
        self.answers: list[int] = []
        self.srv.route("/feed", self._feed)
        for i in range(1, 10):
            self.srv.route(f"/story/{i}", (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.format(
                title=f"Embassy {i} reopens", body=f"Country {i} reopened its embassy in the capital after "
                                                  "years of closure, the foreign ministry said.").encode()))

    def _feed(self, req):  # noqa: ANN001
        etag = f'"v{self.version}"'
        modified = "Thu, 03 Jul 2025 10:00:00 GMT"
        if req.headers.get("If-None-Match") == etag:
            self.answers.append(304)
            return 304, {"ETag": etag}, b""
        self.answers.append(200)
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag, "Last-Modified": modified}, \
            feed_xml(self.srv.url("").rstrip("/"), self.n)

    def url(self, path: str) -> str:
        return self.srv.url(path)


@pytest.fixture
def site():
    s = Site()
    yield s
    s.srv.close()


@pytest.fixture
def kb(tmp_path):
    with KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}") as k:
        yield k


SETTINGS = IngestSettings(allow_hosts=("127.0.0.1",), fetch_linked=True, fetch_timeout=5)


def test_follow_round_trip_then_nothing_new(site, kb, tmp_path):
    stub = StubExtractor()
    f = Follower([site.url("/feed")], kb, lambda: stub, settings=SETTINGS)
    try:
        first = f.round()
        assert (first.read, first.new, first.duplicates, first.feed_errors) == (2, 2, 0, 0)
        stored = [kb.article(a) for a in stub.seen]
        assert [a.url for a in stored] == [site.url("/story/1"), site.url("/story/2")]
        assert "reopened its embassy" in stored[0].text  # the linked page, not the teaser
        second = f.round()
        assert (second.new, second.not_modified) == (0, 1)
        assert site.answers == [200, 304]
        conditional = [h for _, p, h in site.srv.requests if p == "/feed"][1]
        assert conditional["if-none-match"] == '"v1"'
        assert conditional["if-modified-since"] == "Thu, 03 Jul 2025 10:00:00 GMT"
        # the feed changes: one new item; known items are not fetched again
        site.version, site.n = 2, 3
        site.srv.requests.clear()
        third = f.round()
        assert (third.new, third.duplicates) == (1, 2)
        assert [p for _, p, _ in site.srv.requests] == ["/feed", "/story/3"]
    finally:
        f.close()
    state = json.loads(state_path_for(kb.url).read_text())
    assert state["feeds"][site.url("/feed")]["etag"] == '"v2"'


def test_follow_survives_down_and_malformed_feeds(site, kb):
    site.srv.route("/down", (503, {}, b"busy"))
    site.srv.route("/junk", (200, {"Content-Type": "application/rss+xml"}, b"<rss><channel><item><title>x"))
    site.srv.route("/evil", (200, {"Content-Type": "application/rss+xml"},
                             b'<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY a "aaaa">\n]><rss/>'))
    stub = StubExtractor()
    urls = [site.url("/down"), site.url("/junk"), site.url("/evil"), site.url("/feed"), "http://10.0.0.1/feed"]
    f = Follower(urls, kb, lambda: stub, settings=SETTINGS)
    try:
        got = f.round()
        assert got.new == 2 and got.feed_errors >= 3
        again = f.round()  # broken feeds are retried, the good one answers 304
        assert again.not_modified == 1 and again.new == 0
        assert [p for _, p, _ in site.srv.requests].count("/down") == 2
        assert f.state.get(site.url("/down")).failures == 2
    finally:
        f.close()


def test_parse_interval():
    assert parse_interval("15m") == 900 and parse_interval("30s") == 30 and parse_interval("1h") == 3600
    assert parse_interval("2") == 2
    with pytest.raises(Exception):
        parse_interval("soon")


def test_follow_command_once(site, tmp_path, monkeypatch):
    stub = StubExtractor()
    monkeypatch.setattr(cli, "_extractor", lambda: stub)
    monkeypatch.setenv("DIPLOWATCH_ALLOW_HOSTS", "127.0.0.1")
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    runner = CliRunner()
    summary = tmp_path / "s.json"
    r = runner.invoke(cli.app, ["follow", site.url("/feed"), "--once", "--db", db, "--fetch-linked",
                                "--summary-json", str(summary)])
    assert r.exit_code == 0, r.output
    assert json.loads(summary.read_text())["new"] == 2
    r = runner.invoke(cli.app, ["follow", site.url("/feed"), "--once", "--db", db, "--summary-json", "-", "-q"])
    assert r.exit_code == 0
    data = json.loads(r.stdout.strip().splitlines()[-1])
    assert data["new"] == 0 and data["not_modified"] == 1



def test_follow_once_whose_only_feed_is_refused_exits_1_and_says_so_once(site, tmp_path, monkeypatch):
    """A loopback feed without $DIPLOWATCH_ALLOW_HOSTS is refused: exit 1, one error line, no 'next round'."""
    monkeypatch.setattr(cli, "_extractor", lambda: StubExtractor())
    monkeypatch.delenv("DIPLOWATCH_ALLOW_HOSTS", raising=False)
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    r = CliRunner().invoke(cli.app, ["follow", site.url("/feed"), "--once", "--db", db])
    assert r.exit_code == 1, r.output
    text = " ".join(r.output.split())  # Rich folds long lines at the terminal width
    assert text.count("refused") == 1, r.output
    assert text.startswith(f"error: {site.url('/feed')}: refused: 127.0.0.1 is a loopback address "
                           "($DIPLOWATCH_ALLOW_HOSTS=127.0.0.1 allows it)")
    assert "next round" not in text
    assert "1 feed error(s)" in text
    assert site.answers == []  # refused before any request


def test_follow_once_with_a_good_and_a_down_feed_exits_1(site, tmp_path, monkeypatch):
    """Some feed could not be read in a --once run: exit 1, the good feed's items still stored."""
    site.srv.route("/down", (503, {}, b"busy"))
    monkeypatch.setattr(cli, "_extractor", lambda: StubExtractor())
    monkeypatch.setenv("DIPLOWATCH_ALLOW_HOSTS", "127.0.0.1")
    out = tmp_path / "s.json"
    r = CliRunner().invoke(cli.app, ["follow", site.url("/down"), site.url("/feed"), "--once",
                                     "--db", f"sqlite:///{tmp_path / 'kb.db'}", "--summary-json", str(out)])
    assert r.exit_code == 1, r.output
    got = json.loads(out.read_text())
    assert (got["new"], got["feed_errors"]) == (2, 1)


SCRIPT = textwrap.dedent("""
    import sys, time
    from diplowatch.ingest import IngestSettings
    from diplowatch.ingest.follow import Follower
    from diplowatch.store import KnowledgeBase

    class Slow:
        def extract(self, article):
            time.sleep(0.2)
            return []

    with KnowledgeBase(sys.argv[2]) as kb:
        f = Follower([sys.argv[1]], kb, Slow, settings=IngestSettings(allow_hosts=("127.0.0.1",)))
        def report(s):
            print("round", s.new, flush=True)
        total = f.run(0.2, on_round=report)
        print("stopped", total.new, flush=True)
""")


def test_ctrl_c_stops_cleanly_and_keeps_what_was_stored(tmp_path):
    site = Site(n=8)
    try:
        db = f"sqlite:///{tmp_path / 'kb.db'}"
        script = tmp_path / "run.py"
        script.write_text(SCRIPT)
        proc = subprocess.Popen([sys.executable, str(script), site.url("/feed"), db], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # wait until some items are stored
                time.sleep(0.3)
                if (tmp_path / "kb.db").exists():
                    with KnowledgeBase(db) as k:
                        if k.counts()["articles"] >= 2:
                            break
            proc.send_signal(signal.SIGINT)
            out, errs = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, errs
        assert "Traceback" not in errs
        stopped = int(out.strip().splitlines()[-1].split()[1])
        with KnowledgeBase(db) as k:
            assert k.counts()["articles"] >= stopped >= 2  # every acknowledged write is there
            assert k.counts()["articles"] <= 8
    finally:
        site.srv.close()
