"""The dashboard in a real browser: Debian's chromium driven by Playwright, the app on loopback.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``) and the ``playwright``
Python package (its own browser downloads are never used); skips, saying
which is missing, otherwise. Every request the page makes is intercepted: any
that leaves loopback fails the test. The map screenshot is written to
``test-output/dashboard-map.png`` under the repository (or ``$DIPLOWATCH_TEST_OUTPUT``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from _api_support import SEED, TAG, XSS_ARTICLE, ScriptedExtractor, make_app, served, token

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
OUTPUT = Path(os.environ.get("DIPLOWATCH_TEST_OUTPUT") or Path(__file__).resolve().parents[1] / "test-output")

pytestmark = pytest.mark.slow


def _need_browser():
    if not CHROMIUM.exists():
        pytest.skip("browser test needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test needs the playwright Python package (pip install playwright; "
                    "no 'playwright install': /usr/bin/chromium is used)")
    return sync_playwright


class _Mixed:
    """The real extractor for real articles, the scripted one for tagged test articles."""

    def __init__(self, real):
        self.real, self.scripted = real, ScriptedExtractor()

    def extract(self, article, cancelled=None):
        return (self.scripted if TAG.search(article.content) else self.real).extract(article, cancelled)


@pytest.fixture
def server(tmp_path, extractor):
    """The app served by uvicorn on 127.0.0.1 (a free port) in a thread; yields (base URL, app, token)."""
    app = make_app(tmp_path, extractor=_Mixed(extractor))
    tok = token(app, "ingest")
    with served(app) as base:
        yield base, app, tok


def _post(base: str, tok: str, body: bytes, content_type: str, params: str = "") -> dict:
    import httpx

    r = httpx.post(f"{base}/api/ingest{params}", content=body, timeout=120, trust_env=False,
                   headers={"Authorization": f"Bearer {tok}", "Content-Type": content_type})
    assert r.status_code in (200, 201), r.text
    return r.json()


@pytest.fixture
def browser_page(server):
    sync_playwright = _need_browser()
    base = server[0]
    outside: list[str] = []
    dialogs: list[str] = []

    def guard(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost", "::1"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        context.route("**/*", guard)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page, base, outside, dialogs, errors
        context.close()
        browser.close()
    assert outside == [], f"requests left loopback: {outside}"


def test_map_colours_states_by_relation(server, browser_page):
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED} (../shared/seed relative to the repository)")
    base, _app, tok = server
    page, _base, _outside, dialogs, errors = browser_page
    _post(base, tok, SEED.read_bytes(), "text/plain", f"?published=2025-07-04&id={SEED.stem}")
    _post(base, tok, json.dumps(XSS_ARTICLE).encode(), "application/json")

    page.goto(base + "/")
    page.wait_for_selector("#map[data-loaded]", timeout=20000)
    category = {code: page.get_attribute(f'path[data-code="{code}"]', "data-category")
                for code in ("RUS", "CHN", "AFG", "USA")}
    assert category == {"RUS": "recognized", "CHN": "contacts", "AFG": "target", "USA": "none"}

    def fill(selector: str) -> str:
        return page.eval_on_selector(selector, "e => getComputedStyle(e).fill")

    def swatch(cat: str) -> str:
        return page.eval_on_selector(f'#legend li[data-category="{cat}"] .swatch',
                                     "e => getComputedStyle(e).backgroundColor")

    assert fill('path[data-code="RUS"]') == swatch("recognized")
    assert fill('path[data-code="CHN"]') == swatch("contacts")
    assert fill('path[data-code="RUS"]') != fill('path[data-code="CHN"]') != swatch("none")
    labels = page.eval_on_selector_all("#legend li", "els => els.map(e => e.textContent.trim())")
    assert len(labels) == 6 and "recognises" in labels

    page.dispatch_event('path[data-code="RUS"]', "mousemove", {"clientX": 700, "clientY": 150})
    tip = page.text_content("#tooltip")
    assert page.is_visible("#tooltip") and "recognises" in tip and "first source:" in tip

    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / "dashboard-map.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nmap screenshot: {shot}")
    assert shot.stat().st_size > 10000

    # the slider moves the date: on 2025-07-03 only the (tagged) recognition of that day is known
    page.eval_on_selector("#date-slider", "s => { s.value = s.min; s.dispatchEvent(new Event('change')); }")
    page.wait_for_selector('#map[data-loaded="2025-07-03"]', timeout=10000)
    assert page.get_attribute('path[data-code="CHN"]', "data-category") == "none"
    assert page.get_attribute('path[data-code="RUS"]', "data-category") == "recognized"
    assert dialogs == [] and errors == []


def test_xss_article_is_inert_in_the_dom(server, browser_page):
    base, _app, tok = server
    page, _base, _outside, dialogs, errors = browser_page
    out = _post(base, tok, json.dumps(XSS_ARTICLE).encode(), "application/json")
    eid = out["articles"][0]["events"][0]
    for path in (f"/events/{eid}", "/events?q=pwned", "/timeline/AFG", "/relations/AFG", "/"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        if path == "/":
            page.wait_for_selector("#map[data-loaded]", timeout=20000)
        scripts = page.eval_on_selector_all("script", "els => els.map(e => [e.getAttribute('src'), e.text])")
        assert all(src and src.startswith("/static/") and not text.strip() for src, text in scripts), scripts
        handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(
            e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))""")
        assert handlers == [], (path, handlers)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert all(h.startswith(("http://127.0.0.1", "https://")) for h in hrefs), (path, hrefs)
        assert page.eval_on_selector_all("img", "els => els.length") == 0
    page.goto(f"{base}/events/{eid}")
    mark = page.text_content("mark")
    assert '<script>alert("pwned")</script>' in mark and "onerror=alert(1)" in mark
    assert dialogs == [] and errors == []


def _load_history(base: str, tok: str) -> None:
    from test_dashboard_time import HISTORY

    talks = {"id": "h-bhr", "published": "2025-06-02", "title": "Manama",
             "text": "[BHR high_level_talks AFG:taliban 2025-06-01] Bahrain received a delegation from Kabul.\n"}
    _post(base, tok, "\n".join(json.dumps(a) for a in [*HISTORY, talks]).encode(), "application/x-ndjson")


def test_map_fills_the_width_shows_small_states_and_colours_at_once(server, browser_page):
    from PIL import Image

    base, _app, tok = server
    page, _base, _outside, dialogs, errors = browser_page
    _load_history(base, tok)
    page.set_viewport_size({"width": 1400, "height": 900})
    map_requests: list[str] = []
    page.on("request", lambda r: map_requests.append(r.url) if "/api/map" in r.url else None)
    page.goto(base + "/?target=AFG", wait_until="load")
    page.wait_for_timeout(1500)  # a fixed short delay, then the screenshot: the colours must be there
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / "dashboard-map-1400.png"
    page.screenshot(path=str(shot))
    with Image.open(shot) as img:
        colours = {rgb: n for n, rgb in img.convert("RGB").getcolors(maxcolors=1 << 24)}
    counts = {"recognized": colours.get((26, 152, 80), 0), "contacts": colours.get((253, 216, 53), 0)}
    assert counts["recognized"] > 100 and counts["contacts"] > 100, counts  # Russia green, Pakistan yellow
    assert map_requests == [], "the first colours come with the page, not from a second request"

    # the content uses the full width, up to the JSON link
    width = page.evaluate("document.documentElement.clientWidth")
    right = page.eval_on_selector("#map", "e => e.getBoundingClientRect().right")
    json_right = page.eval_on_selector("#json-twin", "e => e.getBoundingClientRect().right")
    assert right > width - 40 and abs(json_right - right) < 40, (width, right, json_right)

    # Russia is whole: Chukotka ends inside the map's east edge, nothing of it wrapped to the west edge
    box = page.eval_on_selector('path[data-code="RUS"]', "p => { const b = p.getBBox(); return [b.x, b.width]; }")
    view_w = page.eval_on_selector("#map svg", "s => s.viewBox.baseVal.width")
    assert box[0] > view_w / 3 and view_w - 15 < box[0] + box[1] <= view_w, (box, view_w)
    torn = page.evaluate("""w => [...document.querySelectorAll('#map path')].filter(p =>
        p.getAttribute('d').split('M').some(ring => {
          const xs = ring.split('L').filter(Boolean).map(pt => parseFloat(pt));
          return xs.some((x, i) => i && Math.abs(x - xs[i - 1]) > w / 2);
        })).map(p => p.dataset.code || p.dataset.name)""", view_w)
    assert torn == [], torn  # no ring drawn across the whole map (Alaska's Cape Prince of Wales, Chukotka)

    # small states: a visible marker, coloured by relation, that opens the dyad's timeline when clicked
    for code in ("QAT", "BHR", "SGP"):
        rect = page.eval_on_selector(f'circle.marker[data-code="{code}"]',
                                     "c => { const r = c.getBoundingClientRect(); return [r.width, r.height]; }")
        assert min(rect) >= 5, (code, rect)
    fill = page.eval_on_selector('circle[data-code="BHR"]', "e => getComputedStyle(e).fill")
    assert fill == page.eval_on_selector('#legend li[data-category="contacts"] .swatch',
                                         "e => getComputedStyle(e).backgroundColor")

    # the slider spans the busy years; one tick reaches back to 1777
    assert page.get_attribute("#date-slider", "data-from") == "2021-09-08"
    page.check("#slider-all")
    assert page.get_attribute("#date-slider", "data-from") == "1777-01-01"

    page.click('circle[data-code="BHR"]', force=True)
    page.wait_for_url("**/timeline/AFG?with=BHR")
    page.wait_for_selector("#timeline-chart[data-loaded]", timeout=10000)
    assert page.get_attribute("#timeline-chart", "data-loaded") == "1"
    assert dialogs == [] and errors == []


@pytest.mark.parametrize("path", ["/timeline/AFG?by=year&span=all", "/timeline/AFG?with=RUS", "/timeline/USA?by=year"])
def test_timeline_chart_bars_match_the_api_counts(server, browser_page, path):
    import httpx

    base, _app, tok = server
    page, _base, _outside, dialogs, errors = browser_page
    _load_history(base, tok)
    page.goto(base + path)
    page.wait_for_selector("#timeline-chart[data-loaded]", timeout=10000)
    api_url = page.get_attribute("#timeline-chart", "data-api")
    counts = httpx.get(base + api_url, trust_env=False).json()
    bars = page.eval_on_selector_all("#timeline-chart rect.bar", """rs => rs.map(r => [
        r.getAttribute('data-category'), r.getAttribute('data-series'), +r.getAttribute('data-value'),
        r.getBBox().height, getComputedStyle(r).fill])""")
    expected = sorted((b["period"], k, v) for b in counts["bins"] for k, v in b["counts"].items() if v)
    assert sorted((p, s, v) for p, s, v, _h, _f in bars) == expected and expected
    per_event = {round(h / v, 3) for _p, _s, v, h, _f in bars}
    assert max(per_event) - min(per_event) < 0.01, per_event  # heights proportional to the counts
    fills = {s: f for _p, s, _v, _h, f in bars}
    assert len(set(fills.values())) == len(fills)  # one colour per family
    legend = page.eval_on_selector_all("#timeline-chart .chart-legend li", "ls => ls.map(l => l.dataset.series)")
    assert legend == [f["key"] for f in counts["families"]]
    if counts["earlier"]:
        assert "earlier event(s), from 1777" in page.text_content("#timeline-chart .chart-note")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"timeline-chart-{counts['actor']}-{counts['other'] or 'all'}.png"))
    assert dialogs == [] and errors == []
