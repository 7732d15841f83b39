"""The dashboard: every page renders, has its JSON twin, escapes article text, links only http(s)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from _api_support import SEED, XSS_ARTICLE, auth, make_app, token
from test_api import ARTICLES


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.script_text.append(data)


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def assert_inert(html: str) -> None:
    """No inline script, no event-handler attribute, no javascript: URL, scripts only from /static."""
    p = _parse(html)
    assert p.script_text == []
    for tag, attrs in p.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action"):
                assert value is not None
                assert value.startswith(("/", "http://", "https://", "?")), (tag, name, value)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    c = TestClient(app)
    tok = token(app, "ingest")
    body = "\n".join(json.dumps(a) for a in [*ARTICLES, XSS_ARTICLE])
    r = c.post("/api/ingest", content=body, headers={**auth(tok), "Content-Type": "application/x-ndjson"})
    assert r.status_code == 201, r.text
    return c


def _event_id(client, actor="CHN"):
    return client.get("/api/events", params={"actor": actor}).json()["items"][0]["id"]


@pytest.mark.parametrize("page, twin", [
    ("/", "/api/map?target=AFG"),
    ("/?target=AFG&as_of=2024-06-01", "/api/map?target=AFG&amp;as_of=2024-06-01"),
    ("/events", "/api/events?limit=50"),
    ("/events?actor=RUS&polarity=asserted", "/api/events?actor=RUS&amp;polarity=asserted&amp;limit=50"),
    ("/actors/AFG", "/api/actors/AFG"),
    ("/relations/AFG", "/api/relations/AFG"),
    ("/timeline/AFG", "/api/timeline/AFG"),
    ("/timeline/AFG?with=CHN", "/api/timeline/AFG?with=CHN"),
    ("/changes?since=2024-01-01", "/api/changes?since=2024-01-01"),
])
def test_pages_render_with_their_json_twin(client, page, twin):
    r = client.get(page)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert f'href="{twin}"' in r.text
    assert client.get(twin.replace("&amp;", "&")).status_code == 200
    assert_inert(r.text)


def test_event_page_highlights_the_evidence_and_links_sources(client):
    eid = _event_id(client, "CHN")
    r = client.get(f"/events/{eid}")
    assert r.status_code == 200
    detail = client.get(f"/api/events/{eid}").json()
    assert f"<mark>{detail['context']['evidence']}</mark>" in r.text
    assert 'href="https://news.example/a1"' in r.text
    assert f'href="/api/events/{eid}"' in r.text


def test_map_page_lists_states_by_relation_and_has_the_legend(client):
    html = client.get("/").text
    p = _parse(html)
    rows = {a["data-code"]: a["data-category"] for t, a in p.tags if t == "tr" and "data-code" in a}
    assert rows["RUS"] == "recognized" and rows["CHN"] == "accredited" and rows["PAK"] == "contacts"
    legend = [a["data-category"] for t, a in p.tags if t == "li" and "data-category" in a]
    assert legend == ["target", "recognized", "accredited", "contacts", "withdrawn", "none"]
    scripts = [a["src"] for t, a in p.tags if t == "script"]
    assert scripts == ["/static/vendor/topojson-client.min.js", "/static/map.js"]


def test_static_assets_are_served_locally(client):
    topo = client.get("/static/vendor/countries-110m.json")
    assert topo.status_code == 200 and topo.json()["type"] == "Topology"
    assert len(topo.json()["objects"]["countries"]["geometries"]) == 177
    js = client.get("/static/map.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "innerHTML" not in js.text and "http://" not in js.text.replace("http://www.w3.org/2000/svg", "")
    assert client.get("/static/vendor/LICENSE.world-atlas").status_code == 200
    assert client.get("/static/vendor/LICENSE.topojson-client").status_code == 200
    css = client.get("/static/style.css").text
    assert "@import" not in css and "url(" not in css


def test_xss_article_renders_inert_everywhere(client):
    eid = client.get("/api/events", params={"q": "pwned"}).json()["items"][0]["id"]
    pages = [f"/events/{eid}", "/events", "/events?q=pwned", "/timeline/AFG", "/relations/AFG", "/",
             "/actors/AFG", "/changes"]
    for page in pages:
        r = client.get(page)
        assert r.status_code == 200, page
        assert_inert(r.text)
        assert "<script>alert" not in r.text and "<img" not in r.text, page
        assert 'href="javascript:' not in r.text.lower(), page
    html = client.get(f"/events/{eid}").text
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert "onerror=alert(1)&gt;" in html  # shown as text, not an attribute
    assert "javascript:alert(6)" in html  # the URL is shown as text, never as a link


def test_unsafe_urls_are_never_links():
    from diplowatch.dashboard.pages import safe_href

    assert safe_href("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_href("http://example.org") == "http://example.org"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:x",
                "data:text/html,<script>", "vbscript:x", "//evil.example/x", "/relative", "https://",
                "http://exa mple.org", "file:///etc/passwd", None, ""):
        assert safe_href(bad) is None, bad


def test_error_pages_are_html_for_pages_and_json_for_api(client):
    r = client.get("/relations/Narnia")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "unknown target" in r.text
    r = client.get("/events/<script>")
    assert r.status_code in (404, 422) and "<script>" not in r.text
    assert client.get("/api/relations/Narnia").headers["content-type"].startswith("application/json")


def test_categories():
    from diplowatch.api.views import categorize
    from diplowatch.state import relation_state

    from _api_support import ScriptedExtractor
    from diplowatch.model import Article

    text = ("[CHN high_level_talks AFG:taliban 2024-01-01] talks\n[CHN open_embassy AFG:taliban 2024-01-02] mission\n"
            "[IRN open_embassy AFG:taliban 2024-01-02] mission only\n"
            "[TUR recognize_government AFG:taliban 2020-01-01] rec\n"
            "[TUR withdraw_recognition AFG:taliban 2021-01-01] withdrawn\n"
            "[IND break_relations AFG 2022-01-01] broken\n"
            "[UZB accredit_ambassador AFG:taliban 2023-01-01] accredited\n"
            "[KAZ recognize_government AFG:taliban negated 2023-01-01] refused\n")
    events = ScriptedExtractor().extract(Article("t", text))
    st = relation_state(events, "AFG")
    got = {code: categorize(obs)[0] for code, obs in st.observers.items()}
    assert got == {"CHN": "contacts", "IRN": "contacts", "TUR": "withdrawn", "IND": "withdrawn",
                   "UZB": "accredited", "KAZ": "none"}
    cat, since, first, detail = categorize(st.observers["CHN"])
    assert since == "2024-01-01" and first.event == "high_level_talks" and any("mission" in d for d in detail)


@pytest.mark.slow
def test_seed_article_with_the_real_extractor(tmp_path, extractor):
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    app = make_app(tmp_path, extractor=extractor)
    client = TestClient(app)
    tok = token(app, "ingest")
    r = client.post("/api/ingest", content=SEED.read_bytes(), params={"published": "2025-07-04", "id": SEED.stem},
                    headers={**auth(tok), "Content-Type": "text/plain"})
    assert r.status_code == 201, r.text
    m = client.get("/api/map").json()
    assert m["target"]["code"] == "AFG"
    assert m["states"]["RUS"]["category"] == "recognized"
    assert m["states"]["CHN"]["category"] == "contacts"


class _Text(HTMLParser):
    """The text a reader sees in the page: everything outside <title>, <script> and <style>, tags stripped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("title", "script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("title", "script", "style")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def test_no_page_has_doubled_words_or_literal_backticks(client):
    """Every page as a reader sees it, and the API's own descriptions: no 'first first', no ``code``."""
    import re

    eid = _event_id(client, "CHN")
    pages = ["/", "/events", f"/events/{eid}", "/actors/AFG", "/relations/AFG", "/relations/PSE", "/timeline/AFG",
             "/timeline/AFG?with=CHN", "/changes?since=2024-01-01", "/stance/AFG", "/no/such/page"]
    doubled = re.compile(r"\b([A-Za-z]{2,})\s+\1\b", re.I)
    for page in pages:
        r = client.get(page)
        assert r.status_code in (200, 404), page
        p = _Text()
        p.feed(r.text)
        for part in p.parts:  # one text node at a time: table cells may repeat a value
            assert "``" not in part, (page, part)
            assert not doubled.search(part), (page, part)
    schema = json.dumps(client.get("/openapi.json").json())
    assert "first first" not in schema
