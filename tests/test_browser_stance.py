"""The stance page in a real browser (issue 17): Debian's chromium via Playwright, the app on loopback.

Uses the ``server`` and ``browser_page`` fixtures of ``test_browser.py`` (every request that leaves
loopback fails the test); skips without chromium, playwright or the seed article.
"""

from __future__ import annotations

import pytest

from _api_support import SEED
from test_browser import _post, browser_page, server  # noqa: F401 - fixtures shared with the map test

pytestmark = pytest.mark.slow


def test_stance_map_and_charts(server, browser_page):  # noqa: F811
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    base, _app, tok = server
    page, _base, _outside, _dialogs, errors = browser_page
    _post(base, tok, SEED.read_bytes(), "text/plain", f"?published=2025-07-04&id={SEED.stem}")
    page.goto(base + "/stance/AFG")
    page.wait_for_selector("#stance-map[data-loaded]", timeout=20000)
    assert page.get_attribute('path[data-code="RUS"]', "data-stance") == "engaging"
    assert page.get_attribute('path[data-code="USA"]', "data-stance") == "", "no events: not 'no record'"

    def fill(selector: str) -> str:
        return page.eval_on_selector(selector, "e => getComputedStyle(e).fill")

    engaging = page.eval_on_selector('#stance-legend li[data-stance="engaging"] .swatch',
                                     "e => getComputedStyle(e).backgroundColor")
    assert fill('path[data-code="RUS"]') == engaging
    assert fill('path[data-code="USA"]') != fill('path[data-code="RUS"]')
    assert page.get_attribute('.stance-chart[data-observer="RUS"]', "data-bars") == "1"
    bars = page.eval_on_selector_all('.stance-chart[data-observer="RUS"] rect.bar',
                                     "els => els.map(e => [e.getAttribute('data-series'), e.getAttribute('data-value')])")
    assert bars == [["cooperation", "18.3"]], "the chart's bar is the API's value (no conflict: no rect)"
    assert "human rights" in page.text_content("#stance-issues")
    assert errors == []
