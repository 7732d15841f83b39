"""The HTTP API: every route, auth (401/403), limits (413/422/429), idempotent ingest, the OpenAPI schema."""

from __future__ import annotations

import json
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from _api_support import XSS_ARTICLE, ScriptedExtractor, auth, make_app, token  # noqa: E402

ARTICLES = [
    {"id": "a1", "url": "https://news.example/a1", "published": "2024-01-31", "title": "China accredits",
     "text": "[CHN accredit_ambassador AFG:taliban 2024-01-30] China accepted the credentials of the envoy.\n"
             "[CHN high_level_talks AFG:taliban 2024-01-29] Talks were held in Beijing.\n"},
    {"id": "a2", "url": "https://news.example/a2", "published": "2025-07-04", "title": "Russia recognises",
     "text": "[RUS recognize_government AFG:taliban 2025-07-03] Russia recognised the Taliban government.\n"
             "[RUS accredit_ambassador AFG:taliban 2025-07-03] Moscow accepted the ambassador's credentials.\n"
             "[USA recognize_government AFG:taliban hypothetical] Washington may follow suit.\n"},
    {"id": "a3", "url": "https://news.example/a3", "published": "2023-05-01", "title": "Talks",
     "text": "[PAK open_embassy AFG:taliban 2023-04-30] Pakistan let the Taliban run the embassy.\n"
             "[QAT high_level_talks AFG:taliban 2023-04-29] Qatar hosted talks.\n"},
]


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return TestClient(app)


@pytest.fixture
def loaded(app, client):
    tok = token(app, "ingest")
    body = "\n".join(json.dumps(a) for a in ARTICLES)
    r = client.post("/api/ingest", content=body, headers={**auth(tok), "Content-Type": "application/x-ndjson"})
    assert r.status_code == 201, r.text
    return client


# -- reads -------------------------------------------------------------------------


def test_events_list_and_filters(loaded):
    r = loaded.get("/api/events")
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 7
    assert [i["effective"] for i in items] == sorted((i["effective"] for i in items), reverse=True)
    assert items[0]["context"]["evidence"] == items[0]["evidence"]["text"]
    assert {i["source"]["state"] for i in loaded.get("/api/events", params={"actor": "RUS"}).json()["items"]} == {"RUS"}
    ev = loaded.get("/api/events", params={"event": "recognize_government"}).json()["items"]
    assert {(i["source"]["id"], i["polarity"]) for i in ev} == {("RUS", "asserted"), ("USA", "hypothetical")}
    assert len(loaded.get("/api/events", params={"polarity": "hypothetical"}).json()["items"]) == 1
    dated = loaded.get("/api/events", params={"since": "2024-01-01", "until": "2024-12-31"}).json()["items"]
    assert {i["doc"] for i in dated} == {"a1"}
    found = loaded.get("/api/events", params={"q": "BEIJING"}).json()["items"]
    assert [i["event"] for i in found] == ["high_level_talks"]
    assert loaded.get("/api/events", params={"q": "100%_"}).json()["items"] == []


def test_events_cursor_pagination_is_complete_and_stable(loaded):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = loaded.get("/api/events", params=params).json()
        assert len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == 7
    assert seen == [i["id"] for i in loaded.get("/api/events", params={"limit": 500}).json()["items"]]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"since": "2024-13-01"}, {"cursor": "garbage!"},
                                    {"polarity": "maybe"}, {"event": "not_an_event"}, {"actor": "A\x00B"}])
def test_events_bad_parameters_are_422(loaded, params):
    r = loaded.get("/api/events", params=params)
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_event_detail_has_evidence_context_and_sources(loaded):
    ev = loaded.get("/api/events", params={"actor": "RUS", "event": "recognize_government"}).json()["items"][0]
    d = loaded.get(f"/api/events/{ev['id']}").json()
    assert d["event"]["id"] == ev["id"]
    assert d["context"]["evidence"] == ev["evidence"]["text"]
    assert d["context"]["after"].startswith("\n[RUS accredit_ambassador")
    assert d["article"] == {"doc": "a2", "url": "https://news.example/a2", "title": "Russia recognises",
                            "published": "2025-07-04", "near_duplicate_of": None}
    assert [s["doc"] for s in d["sources"]] == ["a2"]
    assert d["real_event"]["n_reports"] == 1
    assert loaded.get("/api/events/ev_nope").status_code == 404


def test_actor_route(loaded):
    d = loaded.get("/api/actors/AFG").json()
    assert d["actor"]["id"] == "AFG" and d["government"]["id"] == "AFG:taliban"
    towards = {t["observer"]: t["category"] for t in d["towards"]}
    assert towards == {"CHN": "accredited", "RUS": "recognized", "PAK": "contacts", "QAT": "contacts", "USA": "none"}
    rus = loaded.get("/api/actors/RUS").json()
    assert [(b["target"], b["category"]) for b in rus["by"]] == [("AFG", "recognized")]
    assert loaded.get("/api/actors/AFG:taliban").json()["code"] == "AFG"
    assert loaded.get("/api/actors/XXX").status_code == 404


def test_relations_and_as_of(loaded):
    now = loaded.get("/api/relations/AFG").json()
    assert now["observers"]["RUS"]["facets"]["recognition"]["value"] == "recognized"
    assert now["intentions"][0]["observer"] == "USA"
    before = loaded.get("/api/relations/Afghanistan", params={"as_of": "2024-12-31"}).json()
    assert "RUS" not in before["observers"] and before["as_of"] == "2024-12-31"
    assert loaded.get("/api/relations/Narnia").status_code == 404
    assert loaded.get("/api/relations/AFG", params={"as_of": "yesterday"}).status_code == 422


def test_recognitions_first_first(loaded):
    r = loaded.get("/api/recognitions/AFG").json()
    assert [x["observer"] for x in r["recognizers"]] == ["RUS"]
    assert r["recognizers"][0]["first"]["url"] == "https://news.example/a2"
    assert loaded.get("/api/recognitions/AFG", params={"as_of": "2025-01-01"}).json()["recognizers"] == []


def test_changes(loaded):
    ch = loaded.get("/api/changes", params={"since": "2025-01-01"}).json()["changes"]
    assert {(c["observer"], c["facet"], c["new"]) for c in ch} == {("RUS", "recognition", "recognized"),
                                                                   ("RUS", "ambassador", "accredited")}
    everything = loaded.get("/api/changes").json()["changes"]
    assert ("CHN", "ambassador", "accredited") in {(c["observer"], c["facet"], c["new"]) for c in everything}
    r = loaded.get("/api/changes", params={"since": "2025-01-02", "until": "2025-01-01"})
    assert r.status_code == 422


def test_timeline_actor_and_dyad(loaded):
    tl = loaded.get("/api/timeline/AFG").json()
    assert [e["date"] for e in tl["entries"]] == sorted(e["date"] for e in tl["entries"])
    dyad = loaded.get("/api/timeline/AFG", params={"with": "CHN"}).json()
    assert dyad["other"] == "CHN" and {e["event"]["source"]["id"] for e in dyad["entries"]} == {"CHN"}


def test_map_defaults_to_latest_recognition_target(loaded):
    m = loaded.get("/api/map").json()
    assert m["target"] == {"code": "AFG", "name": "Taliban-led government of Afghanistan"}
    assert m["states"]["RUS"]["category"] == "recognized"
    assert m["states"]["RUS"]["first_source"]["url"] == "https://news.example/a2"
    assert m["states"]["CHN"]["category"] == "accredited"
    assert m["states"]["PAK"]["category"] == "contacts"
    assert m["features"]["643"] == "RUS" and m["features"]["156"] == "CHN" and m["features"]["Kosovo"] == "XKX"
    assert [c["key"] for c in m["categories"]] == ["recognized", "accredited", "contacts", "withdrawn", "none"]
    early = loaded.get("/api/map", params={"as_of": "2024-06-01"}).json()
    assert "RUS" not in early["states"] and early["states"]["CHN"]["category"] == "accredited"
    assert (m["date_min"], m["date_max"]) == ("2023-04-29", "2025-07-04")


def test_map_on_an_empty_store(client):
    m = client.get("/api/map").json()
    assert m["target"] is None and m["states"] == {}


# -- ingest, auth and limits --------------------------------------------------------


def test_ingest_needs_a_token(app, client):
    r = client.post("/api/ingest", content="text", headers={"Content-Type": "text/plain"})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    r = client.post("/api/ingest", content="text", headers={**auth("dwt_000000000000_" + "x" * 43),
                                                            "Content-Type": "text/plain"})
    assert r.status_code == 401
    r = client.post("/api/ingest", content="text", headers={"Authorization": "Basic dXNlcjpwYXNz",
                                                            "Content-Type": "text/plain"})
    assert r.status_code == 401
    watch = token(app, "watch")
    r = client.post("/api/ingest", content="text", headers={**auth(watch), "Content-Type": "text/plain"})
    assert r.status_code == 403 and "ingest" in r.json()["detail"]


def test_revoked_token_is_refused(app, client):
    from diplowatch.store.tokens import revoke_token, verify_token

    tok = token(app, "ingest")
    assert verify_token(app.state.kb, tok) is not None
    assert revoke_token(app.state.kb, tok.split("_")[1])
    r = client.post("/api/ingest", content="x", headers={**auth(tok), "Content-Type": "text/plain"})
    assert r.status_code == 401


def test_tokens_are_stored_hashed(app):
    import hashlib

    from sqlalchemy import select

    from diplowatch.store.tokens import API_TOKENS

    tok = token(app, "ingest")
    with app.state.kb._engine.connect() as conn:
        rows = conn.execute(select(API_TOKENS)).mappings().all()
    assert len(rows) == 1
    assert tok not in json.dumps([dict(r) for r in rows])
    assert rows[0]["hash"] == hashlib.sha256(tok.encode()).hexdigest()


def test_ingest_text_is_idempotent(app, client):
    tok = token(app, "ingest")
    text = "[RUS recognize_government AFG:taliban] Russia recognised the Taliban government."
    params = {"published": "2025-07-04", "url": "https://news.example/x", "title": "T"}
    first = client.post("/api/ingest", content=text, params=params, headers={**auth(tok), "Content-Type": "text/plain"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["articles"][0]["status"] == "stored" and len(body["articles"][0]["events"]) == 1
    again = client.post("/api/ingest", content=text, params=params, headers={**auth(tok), "Content-Type": "text/plain"})
    assert again.status_code == 200
    assert again.json()["articles"] == [{**body["articles"][0], "status": "already_stored"}]
    assert app.state.kb.counts()["events"] == 1
    ev = client.get(f"/api/events/{body['articles'][0]['events'][0]}").json()
    assert ev["event"]["date"] == "2025-07-04" and ev["article"]["url"] == "https://news.example/x"


def test_ingest_json_object_and_jsonl_with_a_bad_line(app, client):
    tok = token(app, "ingest")
    r = client.post("/api/ingest", json={"text": "[CHN high_level_talks AFG:taliban] Talks.", "published": "2024-02-02"},
                    headers=auth(tok))
    assert r.status_code == 201 and r.json()["articles"][0]["events"]
    lines = [json.dumps({"id": "ok", "text": "[QAT high_level_talks AFG:taliban] Qatar hosted talks."}),
             "{not json", json.dumps({"id": "no-text"}), json.dumps({"id": "n", "text": 5})]
    r = client.post("/api/ingest", content="\n".join(lines),
                    headers={**auth(tok), "Content-Type": "application/x-ndjson"})
    assert r.status_code == 201
    assert [a["id"] for a in r.json()["articles"]] == ["ok"]
    assert [e["line"] for e in r.json()["errors"]] == [2, 3, 4]


@pytest.mark.parametrize("content_type, body, status, words", [
    ("application/json", b"", 422, "empty"),
    ("application/json", b"{", 422, "not valid JSON"),
    ("application/json", b"[1, 2]", 422, "JSON object"),
    ("application/json", b'{"text": "   "}', 422, "empty"),
    ("application/json", b'{"text": "a\\u0000b"}', 422, "NUL"),
    ("application/json", b'{"text": "x", "published": "0000-00-00"}', 422, "published"),
    ("application/json", b'{"text": "x", "title": "a\\u0000b"}', 422, "NUL"),
    ("application/json", b'{"url": "file:///etc/passwd"}', 422, "http"),
    ("application/json", b'{"url": "gopher://127.0.0.1/"}', 422, "http"),
    ("text/plain", b"\xff\xfe bad", 422, "UTF-8"),
    ("text/plain; charset=latin-1", b"abc", 415, "charset"),
    ("application/xml", b"<a/>", 415, "Content-Type"),
    ("application/x-ndjson", b"\n\n", 422, "empty"),
    ("application/x-ndjson", b"\n \n{}", 422, "missing field"),
])
def test_ingest_bad_bodies_are_4xx_with_a_reason(app, client, content_type, body, status, words):
    tok = token(app, "ingest")
    r = client.post("/api/ingest", content=body, headers={**auth(tok), "Content-Type": content_type})
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]


@pytest.fixture
def text_server():
    """A loopback HTTP server answering one plain-text article."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = b"[RUS recognize_government AFG:taliban 2025-07-03] Russia recognised the Taliban government.\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/article.txt"
    srv.shutdown()
    srv.server_close()


def test_ingest_url_refuses_loopback_by_default(app, client, text_server, monkeypatch):
    monkeypatch.delenv("DIPLOWATCH_ALLOW_HOSTS", raising=False)
    tok = token(app, "ingest")
    r = client.post("/api/ingest", json={"url": text_server}, headers=auth(tok))
    assert r.status_code == 422, r.text
    assert "127.0.0.1" in r.json()["detail"]
    assert app.state.kb.counts()["articles"] == 0


def test_ingest_url_through_the_allow_list(app, client, text_server, monkeypatch):
    monkeypatch.setenv("DIPLOWATCH_ALLOW_HOSTS", "127.0.0.1")
    tok = token(app, "ingest")
    r = client.post("/api/ingest", json={"url": text_server, "published": "2025-07-04"}, headers=auth(tok))
    assert r.status_code == 201, r.text
    assert len(r.json()["articles"][0]["events"]) == 1
    again = client.post("/api/ingest", json={"url": text_server}, headers=auth(tok))
    assert again.status_code == 200 and again.json()["articles"][0]["status"] == "already_stored"


def test_lone_surrogate_is_quarantined_not_500(app, client):
    tok = token(app, "ingest")
    r = client.post("/api/ingest", content=b'{"id": "s1", "text": "[RUS praise AFG:taliban] bad \\ud83d here"}',
                    headers={**auth(tok), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert "surrogate" in r.json()["detail"]
    assert [q.source for q in app.state.kb.quarantined()] == ["api:" + tok.split("_")[1]]


def test_body_limit_413_with_and_without_content_length(tmp_path):
    app = make_app(tmp_path, max_body_bytes=1000)
    client = TestClient(app)
    tok = token(app, "ingest")
    big = b"x" * 1001
    r = client.post("/api/ingest", content=big, headers={**auth(tok), "Content-Type": "text/plain"})
    assert r.status_code == 413

    def chunks():
        for _ in range(20):
            yield b"y" * 100

    r = client.post("/api/ingest", content=chunks(), headers={**auth(tok), "Content-Type": "text/plain"})
    assert r.status_code == 413 and "1000 bytes" in r.json()["detail"]
    # a lying Content-Length does not help either
    r = client.post("/api/ingest", content=big, headers={**auth(tok), "Content-Type": "text/plain",
                                                         "Content-Length": "10"})
    assert r.status_code in (400, 413)


def test_json_depth_and_array_limits_are_422(tmp_path):
    app = make_app(tmp_path, max_json_depth=8, max_json_items=50)
    client = TestClient(app)
    tok = token(app, "ingest")
    deep = '{"text": "x", "extra": ' + "[" * 5000 + "]" * 5000 + "}"
    r = client.post("/api/ingest", content=deep, headers={**auth(tok), "Content-Type": "application/json"})
    assert r.status_code == 422 and "nested" in r.json()["detail"]
    wide = json.dumps({"text": "x", "extra": list(range(51))})
    r = client.post("/api/ingest", content=wide, headers={**auth(tok), "Content-Type": "application/json"})
    assert r.status_code == 422 and "array" in r.json()["detail"]
    deep_line = '{"text": "x", "e": ' + "[" * 100 + "]" * 100 + "}"
    r = client.post("/api/ingest", content=deep_line, headers={**auth(tok), "Content-Type": "application/x-ndjson"})
    assert r.status_code == 422 and "line 1" in r.json()["detail"]


def test_rate_limit_429_with_retry_after(tmp_path):
    app = make_app(tmp_path, rate_capacity=2, rate_per_second=0.01)
    client = TestClient(app)
    tok, other = token(app, "ingest"), token(app, "ingest")
    codes = [client.post("/api/ingest", json={"text": f"[RUS praise AFG:taliban] text {i}"}, headers=auth(tok)).status_code
             for i in range(3)]
    assert codes == [201, 201, 429]
    r = client.post("/api/ingest", json={"text": "more"}, headers=auth(tok))
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert client.post("/api/ingest", json={"text": "another token"}, headers=auth(other)).status_code == 201


def test_rate_limiter_refills():
    from diplowatch.api.security import RateLimiter

    now = [0.0]
    rl = RateLimiter(2, 0.5, clock=lambda: now[0])
    assert [rl.take("t"), rl.take("t")] == [0, 0]
    assert rl.take("t") == 2
    now[0] += 2.0
    assert rl.take("t") == 0


def test_extractor_is_loaded_once_and_lazily(tmp_path):
    from diplowatch.api import ApiSettings
    from diplowatch.web import create_app

    made = []

    def factory():
        made.append(1)
        return ScriptedExtractor()

    from diplowatch.api.ingest import Pipeline

    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path / 'x.db'}"))
    app.state.pipeline = Pipeline(factory)
    client = TestClient(app)
    assert made == []
    tok = token(app, "ingest")
    for i in range(3):
        client.post("/api/ingest", json={"text": f"[RUS praise AFG:taliban] t{i}"}, headers=auth(tok))
    assert made == [1]


# -- headers and schema ---------------------------------------------------------------


def test_security_headers_on_api_and_pages(client):
    for path in ("/api/events", "/", "/static/map.js", "/api/nothing-here"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_openapi_schema_lists_every_route_and_no_cdn_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/events", "/api/events/{event_id}", "/api/actors/{actor_id}", "/api/relations/{target}",
            "/api/recognitions/{target}", "/api/changes", "/api/ingest", "/api/map",
            "/api/timeline/{actor}"} <= set(spec["paths"])
    post = spec["paths"]["/api/ingest"]["post"]
    assert {"201", "401", "403", "413", "422", "429"} <= set(post["responses"])
    assert post["security"] == [{"HTTPBearer": []}]
    assert client.get("/docs").status_code == 404


def test_error_bodies_are_json_detail(client):
    r = client.get("/api/relations/Nowhere-land")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    assert "unknown target" in r.json()["detail"]


def test_xss_article_is_returned_verbatim_as_json(app, client):
    tok = token(app, "ingest")
    assert client.post("/api/ingest", json=XSS_ARTICLE, headers=auth(tok)).status_code == 201
    ev = client.get("/api/events").json()["items"][0]
    assert "<script>" in ev["evidence"]["text"]  # JSON carries the text as it is; pages escape it


def test_routes_on_each_backend(kb_url, tmp_path):
    app = make_app(tmp_path, db_url=kb_url)
    client = TestClient(app)
    tok = token(app, "ingest")
    body = "\n".join(json.dumps(a) for a in ARTICLES)
    assert client.post("/api/ingest", content=body,
                       headers={**auth(tok), "Content-Type": "application/x-ndjson"}).status_code == 201
    page = client.get("/api/events", params={"limit": 3, "q": "the"}).json()
    assert page["items"] and all("the" in i["evidence"]["text"].lower() for i in page["items"])
    nxt = client.get("/api/events", params={"limit": 3, "cursor": page["next_cursor"], "q": "the"}) \
        if page["next_cursor"] else None
    assert nxt is None or nxt.status_code == 200
    assert client.get("/api/map").json()["states"]["RUS"]["category"] == "recognized"
    assert client.get("/api/events", params={"since": "2025-01-01"}).json()["items"]
    assert client.get("/api/actors/AFG").status_code == 200
    app.state.kb.close()


# -- schemathesis ------------------------------------------------------------------------


def test_schemathesis_no_5xx_and_responses_match_schema(tmp_path):
    """Fuzz every operation of the OpenAPI schema in-process (bounded examples)."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import checks as sc

    app = make_app(tmp_path)
    client = TestClient(app)
    tok = token(app, "ingest")
    client.post("/api/ingest", content="\n".join(json.dumps(a) for a in ARTICLES),
                headers={**auth(tok), "Content-Type": "application/x-ndjson"})
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    wanted = [sc.not_a_server_error, sc.response_schema_conformance, sc.content_type_conformance,
              sc.status_code_conformance]
    failures: list[str] = []
    ops = 0
    calls: list[int] = []
    from schemathesis import GenerationMode

    for mode, examples in ((GenerationMode.POSITIVE, 25), (GenerationMode.NEGATIVE, 10)):
        for result in schema.get_all_operations():
            operation = result.ok()
            ops += mode == GenerationMode.POSITIVE

            @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                headers = auth(tok) if case.method.upper() == "POST" else None
                calls.append(1)
                try:
                    case.call_and_validate(headers=headers, checks=wanted)
                except Exception as exc:  # collect, report all at the end
                    failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:600]}")
                    raise

            try:
                run()
            except Exception:
                pass
    print(f"schemathesis: {ops} operations, {len(calls)} calls, {len(failures)} failure(s)")
    assert ops >= 9 and len(calls) >= 9 * 10
    assert not failures, "\n\n".join(failures[:5])


def test_retry_after_agrees_with_the_readme(tmp_path):
    """30 writes in a burst, then one per 2 s; Retry-After is the whole seconds until the next one (issue 13)."""
    import re
    from pathlib import Path

    from diplowatch.api import ApiSettings
    from diplowatch.api.security import RateLimiter

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    m = re.search(r"more than (\d+) writes in a burst per token \(the bucket then refills at one write per (\d+) s\)"
                  r" 429 with `Retry-After`: the whole seconds until the next write is allowed \(1 or 2", readme)
    assert m, "README no longer states the rate limit"
    burst, every = int(m.group(1)), int(m.group(2))
    defaults = ApiSettings()
    assert (defaults.rate_capacity, 1 / defaults.rate_per_second) == (burst, every)
    now = [1000.0]
    app = make_app(tmp_path)
    app.state.limiter = RateLimiter(defaults.rate_capacity, defaults.rate_per_second, clock=lambda: now[0])
    client = TestClient(app)
    tok = token(app, "ingest")

    def post(i):
        return client.post("/api/ingest", json={"text": f"[RUS praise AFG:taliban] burst {i}"}, headers=auth(tok))

    assert [post(i).status_code for i in range(burst)] == [201] * burst
    waits = []
    for step in (0.0, 0.4, 0.7):  # 0 s, 0.4 s and 1.1 s after the burst
        now[0] += step
        r = post(100)
        assert r.status_code == 429
        waits.append(int(r.headers["retry-after"]))
    assert waits == [2, 2, 1]
    for _ in range(3):  # waiting Retry-After seconds always suffices; then the next write waits up to 2 s again
        now[0] += waits[-1]
        assert post(1000 + len(waits)).status_code == 201
        r = post(200 + len(waits))
        assert r.status_code == 429
        waits.append(int(r.headers["retry-after"]))
        assert 1 <= waits[-1] <= every
