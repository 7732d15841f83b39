"""A URL is never a path: malformed ``http:`` forms given to the API, the CLI or found in a feed read no file.

Each test plants a sentinel file at every path the malformed URL would name if
it were opened as a file (next to a folder called ``http:`` in the working
directory) and asserts that nothing of it reaches the knowledge base, and that
the answer is a 4xx (API) or a non-zero exit (CLI) naming the URL.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from _api_support import auth, make_app, token  # noqa: E402
from diplowatch.ingest.fetch import FetchError, is_url, parse_url  # noqa: E402

SENTINEL = "SENTINEL-7f3a local file content"
SENTINEL_TEXT = f"[RUS praise AFG:taliban 2025-07-03] Moscow praised Kabul. {SENTINEL}\n"

# (URL as given, the path it names relative to the working directory if opened as a file)
MALFORMED = [
    ("http:/x", "http:/x"),
    ("http:x", "http:x"),
    ("http:///etc/passwd", "http:/etc/passwd"),
    ("HTTP:/x", "HTTP:/x"),
    ("https:/x", "https:/x"),
    ("http:\\\\x", "http:\\\\x"),
    ("http:\\x\\y", "http:\\x\\y"),
    ("http:%2f%2fnews.example%2fa", "http:%2f%2fnews.example%2fa"),
    ("http:/../sentinel.txt", "../sentinel.txt"),
    ("http:/../../../../../../../../../../..{root}", "{root}"),
    (" http:/x ", "http:/x"),
]


@pytest.fixture
def planted(tmp_path, monkeypatch) -> list[str]:
    """A working directory holding ``http:``, ``https:`` and ``HTTP:`` folders, sentinel files at every named path."""
    cwd = tmp_path / "srv"
    cwd.mkdir()
    root_target = tmp_path / "outside.txt"
    urls = []
    for url, rel in MALFORMED:
        rel = rel.format(root=root_target)
        url = url.format(root=root_target)
        target = (cwd / rel) if not Path(rel).is_absolute() else Path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(SENTINEL_TEXT, encoding="utf-8")
        assert target.read_text(encoding="utf-8") == SENTINEL_TEXT
        urls.append(url)
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("DIPLOWATCH_ALLOW_HOSTS", "127.0.0.1")  # even with loopback allowed: no file, no request
    return urls


def _assert_nothing_read(kb) -> None:
    counts = kb.counts()
    assert counts["articles"] == 0 and counts["events"] == 0
    for q in kb.quarantined():
        assert SENTINEL not in (q.raw or "") and SENTINEL not in q.reason


@pytest.mark.parametrize("url", [u for u, _ in MALFORMED])
def test_parse_url_refuses_every_malformed_form(url, tmp_path):
    url = url.format(root=tmp_path / "outside.txt")
    assert is_url(url)  # a URL, to be refused as one: never taken for a path
    with pytest.raises(FetchError, match="refused"):
        parse_url(url)


@pytest.mark.parametrize("url", ["http://ex\\ample.com/", "http://exa mple.com/", "http://a%2fb.example/",
                                 "https://\\\\evil.example/"])
def test_parse_url_refuses_hosts_with_other_characters(url):
    with pytest.raises(FetchError, match="refused"):
        parse_url(url)


def test_parse_url_keeps_good_urls():
    assert str(parse_url(" https://News.Example:8443/a?b=1 ")) == "https://news.example:8443/a?b=1"
    assert parse_url("http://[::1]:8000/x").host == "::1"
    assert parse_url("http://127.0.0.1/").host == "127.0.0.1"
    assert parse_url("https://xn--bcher-kva.example/").host == "bücher.example"


def test_api_never_reads_a_local_file(tmp_path, planted):
    app = make_app(tmp_path)
    client = TestClient(app)
    tok = token(app, "ingest")
    for url in planted:
        r = client.post("/api/ingest", json={"url": url}, headers=auth(tok))
        assert r.status_code == 422, (url, r.status_code, r.text)
        detail = r.json()["detail"]
        assert "refused" in detail and url.strip()[:20] in detail.replace("\\\\", "\\"), detail
        assert SENTINEL not in r.text
    _assert_nothing_read(app.state.kb)


def test_cli_ingest_refuses_malformed_urls_and_reads_no_file(tmp_path, planted):
    from typer.testing import CliRunner

    from diplowatch.cli import app as cli_app
    from diplowatch.store import KnowledgeBase

    db = tmp_path / "cli.db"
    result = CliRunner().invoke(cli_app, ["ingest", "--db", str(db), "--quiet", *planted])
    assert result.exit_code == 1, result.output
    assert "refused" in result.output
    kb = KnowledgeBase(f"sqlite:///{db}")
    try:
        _assert_nothing_read(kb)
    finally:
        kb.close()


def test_feed_item_links_that_are_paths_are_not_fetched(tmp_path, planted, monkeypatch):
    """--fetch-linked: an item whose link is ``http:/../sentinel.txt`` keeps its summary; the file is not read."""
    from diplowatch.ingest import IngestSettings, fetch, read_inputs

    resolved: list[str] = []

    def no_dns(host, port):
        resolved.append(host)
        raise OSError("no name resolution in tests")

    monkeypatch.setattr(fetch, "_resolve", no_dns)
    items = "".join(f"<item><title>Item {n}</title><link>{u}</link><guid>g{n}</guid>"
                    f"<description>Moscow praised Kabul on item {n}.</description></item>"
                    for n, u in enumerate(planted))
    feed = tmp_path / "feed.rss"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
                    encoding="utf-8")
    got = list(read_inputs([str(feed)], settings=IngestSettings(fetch_linked=True)))
    texts = [a.text for a in got if hasattr(a, "text")]
    assert len(texts) == len(planted)
    assert all(SENTINEL not in t for t in texts)
    for a in got:  # a link kept is a URL with a host (feedparser reads http:///etc/passwd as http://etc/passwd)
        assert a.url is None or parse_url(a.url).host
    assert set(resolved) <= {"etc"}


def test_api_lone_surrogate_gets_the_cli_reason_and_no_traceback(tmp_path, caplog):
    app = make_app(tmp_path)
    client = TestClient(app)
    tok = token(app, "ingest")
    cases = [
        (b'{"id": "s1", "text": "[RUS praise AFG:taliban] Moscow praised \\ud83d Kabul"}',
         'body: field "text": lone surrogate \\ud83d at offset 40: not valid Unicode'),
        (b'{"id": "s\\ud83d", "text": "[RUS praise AFG:taliban] Moscow praised Kabul"}',
         'body: field "id": lone surrogate \\ud83d at offset 1: not valid Unicode'),
        (b'{"title": "T\\udc00", "text": "[RUS praise AFG:taliban] Moscow praised Kabul"}',
         'body: field "title": lone surrogate \\udc00 at offset 1: not valid Unicode'),
        (b'{"url": "https://news.example/\\ud83d"}',
         'body: field "url": lone surrogate \\ud83d at offset 21: not valid Unicode'),
    ]
    with caplog.at_level("DEBUG"):
        for body, reason in cases:
            r = client.post("/api/ingest", content=body, headers={**auth(tok), "Content-Type": "application/json"})
            assert r.status_code == 422, r.text
            assert r.json()["detail"] == reason
    assert not [rec for rec in caplog.records if rec.exc_info], "a traceback was logged"
    assert "Traceback" not in caplog.text and "UnicodeEncodeError" not in caplog.text
    assert app.state.kb.counts()["articles"] == 0
    # quarantined with the same reason (the record kept, escaped)
    assert [q.reason for q in app.state.kb.quarantined()] == [c[1] for c in cases[:3]]
    lines = b'{"id": "ok", "text": "[RUS praise AFG:taliban] Moscow praised Kabul"}\n' + cases[0][0]
    r = client.post("/api/ingest", content=lines, headers={**auth(tok), "Content-Type": "application/x-ndjson"})
    assert r.status_code == 201
    assert r.json()["errors"] == [{"line": 2, "reason": cases[0][1].replace("body", "line 2")}]


@pytest.mark.parametrize("query", [
    "/api/relations/AFG?as_of=0", "/api/recognitions/AFG?as_of=0", "/api/map?as_of=0",
    "/api/changes?until=0", "/api/changes?since=0", "/api/events?since=0", "/api/events?until=1720000000",
    "/api/relations/AFG?as_of=2025-07-01T00:00", "/api/relations/AFG?as_of=20250701",
    "/api/relations/AFG?as_of=2025-02-30", "/api/relations/AFG?as_of=-1", "/api/map?as_of=1e9",
    "/changes?until=0", "/?as_of=0", "/relations/AFG?as_of=0", "/events?since=0",
])
def test_non_dates_are_422(tmp_path, query):
    client = TestClient(make_app(tmp_path))
    r = client.get(query, headers={"Accept": "application/json"})
    assert r.status_code == 422, (query, r.status_code, r.text[:200])
    if query.startswith("/api"):
        assert "YYYY-MM-DD" in r.json()["detail"] or "not a valid date" in r.json()["detail"]


def test_iso_dates_still_answer(tmp_path):
    client = TestClient(make_app(tmp_path))
    assert client.get("/api/relations/AFG?as_of=2025-07-01").json()["as_of"] == "2025-07-01"
    assert client.get("/api/changes?since=2025-01-01&until=2025-12-31").status_code == 200
    schema = client.get("/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/relations/{target}"]["get"]["parameters"]}
    assert json.dumps(params["as_of"]["schema"]).count('"format": "date"') == 1
