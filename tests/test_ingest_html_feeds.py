"""HTML pages and RSS/Atom feeds (RELIABILITY.md input catalogue: HTML and XML rows).

Each hostile input has an expected result and a bound on time (and memory
where expansion is the threat). Offline; the only servers are on loopback.
"""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc

import pytest

from diplowatch.errors import InputError
from diplowatch.ingest import IngestSettings, RunSummary, read_inputs
from diplowatch.ingest.feeds import feed_date, parse_feed
from diplowatch.ingest.fetch import Fetcher
from diplowatch.ingest.html import fragment_text, html_article
from diplowatch.model import Article
from loopback import Loopback

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Russia recognises Taliban - Example News</title>
<link rel="canonical" href="https://news.example/world/russia-taliban"/>
<meta property="article:published_time" content="2025-07-03T10:00:00Z"/>
<meta property="og:title" content="Russia recognises Taliban government"/>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Russia recognises Taliban government</h1>
<p>Russia on Thursday became the first country to formally recognise the Taliban government of Afghanistan,
the Russian Foreign Ministry said in a statement.</p>
<p>The ministry said it had accepted the credentials of the new Afghan ambassador, Gul Hassan Hassan, in Moscow.</p>
<p>"We believe that the act of official recognition will give impetus to the development of productive
bilateral cooperation," the ministry said.</p></article>
<div class="share">Share this on Facebook Twitter WhatsApp</div>
<aside><h3>Related stories</h3><ul><li><a href="/x">Football results from the weekend</a></li></ul></aside>
<footer>Copyright 2025 Example News. All rights reserved. Cookie settings.</footer>
</body></html>"""

GERMAN = ("<html lang='de'><body><article><p>Russland hat am Donnerstag als erstes Land die Regierung der "
          "Taliban in Afghanistan offiziell anerkannt, teilte das russische Außenministerium in einer "
          "Erklärung mit.</p></article></body></html>")


def _one(items):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


# --------------------------------------------------------------------------- HTML

def test_html_page_main_text_and_metadata(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(PAGE, encoding="utf-8")
    art = _one(read_inputs([p]))
    assert isinstance(art, Article)
    assert art.title == "Russia recognises Taliban government"
    assert art.url == "https://news.example/world/russia-taliban"
    assert art.published == dt.date(2025, 7, 3)
    assert art.lang == "en"
    assert "first country to formally recognise the Taliban government" in art.text
    for boilerplate in ("Share this", "Related stories", "Football", "Copyright", "Sport"):
        assert boilerplate not in art.text


def test_html_file_with_canonical_url_uses_file_name_as_id(tmp_path):
    p = tmp_path / "moscow-kabul.html"
    p.write_text(PAGE, encoding="utf-8")
    art = _one(read_inputs([p]))
    assert art.url == "https://news.example/world/russia-taliban" and art.id == "moscow-kabul"


def test_html_without_canonical_url_uses_file_name_as_id(tmp_path):
    p = tmp_path / "saved-page.htm"
    p.write_text(PAGE.replace('<link rel="canonical" href="https://news.example/world/russia-taliban"/>', ""),
                 encoding="utf-8")
    art = _one(read_inputs([p]))
    assert art.url is None and art.id == "saved-page"


def test_html_wrong_declared_charset_is_decoded_as_utf8(tmp_path):
    p = tmp_path / "wrong.html"
    p.write_bytes(PAGE.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
                  .replace("in Moscow", "in Moscow and Zürich").encode("utf-8"))
    art = _one(read_inputs([p]))
    assert "Zürich" in art.text and "Ã¼" not in art.text


def test_html_latin1_page_with_its_charset(tmp_path):
    p = tmp_path / "latin.html"
    p.write_bytes(PAGE.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
                  .replace("in Moscow", "in Moscow and Zürich").encode("latin-1"))
    art = _one(read_inputs([p]))
    assert "Zürich" in art.text


def test_html_nested_100000_divs_no_recursion_error(tmp_path):
    p = tmp_path / "deep.html"
    p.write_text("<html><body>" + "<div>" * 100_000 + "<p>deep text</p>" + "</div>" * 100_000 + "</body></html>")
    t0 = time.monotonic()
    item = _one(read_inputs([p]))
    assert time.monotonic() - t0 < 10
    assert isinstance(item, (InputError, Article))  # refused or handled; never RecursionError
    if isinstance(item, InputError):
        assert "deep.html" in str(item)


def test_html_50mb_is_refused_fast_without_reading_it(tmp_path):
    p = tmp_path / "huge.html"
    with p.open("wb") as fh:
        fh.write(b"<html><body>")
        fh.seek(50 * 1024 * 1024)
        fh.write(b"</body></html>")
    t0 = time.monotonic()
    tracemalloc.start()
    try:
        item = _one(read_inputs([p]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(item, InputError) and "too large" in item.reason and "huge.html" in str(item)
    assert time.monotonic() - t0 < 1 and peak < 5 * 1024 * 1024


def test_html_byte_cap_is_configurable():
    small = IngestSettings(max_html_bytes=1000)
    assert isinstance(html_article(PAGE.encode(), source="x.html", settings=small), InputError)
    assert isinstance(html_article(PAGE.encode(), source="x.html"), Article)
    assert IngestSettings.from_env({"DIPLOWATCH_MAX_HTML_BYTES": "1234"}).max_html_bytes == 1234


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"   \n\t ", "whitespace"),
                                          (b"<html><head><title>t</title></head><body><script>var x = 1;</script></body></html>", "no article text")])
def test_html_empty_or_textless(tmp_path, data, reason):
    p = tmp_path / "x.html"
    p.write_bytes(data)
    item = _one(read_inputs([p]))
    assert isinstance(item, InputError) and reason in item.reason and "x.html" in str(item)


@pytest.mark.parametrize("value", ["0000-00-00", "0000-01-01T00:00:00Z", "9999-12-31", "2999-01-01"])
def test_html_absurd_date_becomes_unknown(value):
    page = PAGE.replace("2025-07-03T10:00:00Z", value)
    art = html_article(page.encode(), source="d.html", published=None)
    assert isinstance(art, Article)
    assert art.published is None or (dt.date(1800, 1, 1) <= art.published <= dt.date.today()
                                     + dt.timedelta(days=366))


def test_html_published_override_only_when_missing():
    page = PAGE.replace('<meta property="article:published_time" content="2025-07-03T10:00:00Z"/>', "")
    art = html_article(page.encode(), source="d.html", published=dt.date(2025, 7, 4))
    assert art.published in (dt.date(2025, 7, 4),)
    art = html_article(PAGE.encode(), source="d.html", published=dt.date(2020, 1, 1))
    assert art.published == dt.date(2025, 7, 3)


def test_html_in_a_language_not_analysed_is_skipped_and_counted(tmp_path):
    (tmp_path / "de.html").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "en.html").write_text(PAGE, encoding="utf-8")
    summary = RunSummary()
    items = list(read_inputs([tmp_path], summary=summary))
    assert [a.lang for a in items] == ["en"]
    assert summary.skipped_language == {"de": 1} and summary.read == 2


def test_fragment_text_drops_markup_and_scripts():
    assert fragment_text("<p>A &amp; B</p><script>alert(1)</script><p>C</p>") == "A & B\nC"


# --------------------------------------------------------------------------- feeds

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Diplomacy</title><link>https://news.example/</link><language>en</language>
<item><title>China accepts Taliban envoy</title><link>https://news.example/cn</link>
<pubDate>Tue, 30 Jan 2024 08:00:00 GMT</pubDate>
<description>&lt;p&gt;China accepted the credentials of the Taliban ambassador.&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>China accepted the credentials of the Taliban ambassador in Beijing on Tuesday,
without formally recognising the government in Kabul.</p><script>alert(1)</script>]]></content:encoded></item>
<item><title>Kazakhstan delists Taliban</title><link>https://news.example/kz</link>
<pubDate>Fri, 29 Dec 23 09:00:00 GMT</pubDate>
<description>Kazakhstan removed the Taliban from its list of banned organisations on Friday.</description></item>
<item><title>Title only</title><link>https://news.example/empty</link></item>
</channel></rss>"""

RSS091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://old.example/</link><description>d</description>
<item><title>Embassy reopens</title><link>http://old.example/1</link>
<description>Saudi Arabia reopened its embassy in Damascus after more than a decade.</description></item>
</channel></rss>"""

RSS10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example/"><title>RDF</title><link>http://rdf.example/</link><description>d</description></channel>
<item rdf:about="http://rdf.example/1"><title>Ambassador recalled</title><link>http://rdf.example/1</link>
<dc:date>2023-10-05T10:00:00Z</dc:date>
<description>Colombia recalled its ambassador from Israel on Thursday, the foreign ministry said.</description></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:x</id><updated>2024-02-01T00:00:00Z</updated>
<entry><title>Relations restored</title><link href="https://atom.example/1"/><id>urn:1</id>
<published>2023-03-10T12:00:00Z</published><updated>2023-03-11T12:00:00Z</updated>
<content type="html">&lt;p&gt;Saudi Arabia and Iran agreed to restore diplomatic relations, state media said.&lt;/p&gt;</content>
</entry></feed>"""


def test_rss20_items_become_articles():
    summary = RunSummary()
    arts = list(parse_feed(RSS20, source="f.rss", summary=summary))
    assert [a.title for a in arts] == ["China accepts Taliban envoy", "Kazakhstan delists Taliban"]
    cn, kz = arts
    assert cn.url == "https://news.example/cn" and cn.published == dt.date(2024, 1, 30)
    assert "without formally recognising" in cn.text and "alert" not in cn.text  # content preferred
    assert kz.published is None  # two-digit year: unknown, flagged
    assert summary.dates_unusable == 1 and summary.skipped_empty == 1


@pytest.mark.parametrize("data, title, url, day", [
    (RSS091, "Embassy reopens", "http://old.example/1", None),
    (RSS10, "Ambassador recalled", "http://rdf.example/1", dt.date(2023, 10, 5)),
    (ATOM, "Relations restored", "https://atom.example/1", dt.date(2023, 3, 10)),
])
def test_feed_versions(data, title, url, day):
    (art,) = list(parse_feed(data, source="feed"))
    assert (art.title, art.url, art.published) == (title, url, day)
    assert len(art.text) > 40


def test_feed_files_are_sniffed(tmp_path):
    (tmp_path / "a.xml").write_bytes(ATOM)
    (tmp_path / "b.atom").write_bytes(ATOM.replace(b"atom.example/1", b"atom.example/2"))
    (tmp_path / "c.rss").write_bytes(RSS10)
    arts = list(read_inputs([tmp_path]))
    assert sorted(a.url for a in arts) == ["http://rdf.example/1", "https://atom.example/1",
                                          "https://atom.example/2"]


def _billion_laughs() -> bytes:
    ents = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                      for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(ents) + "\n]>\n"
            '<rss version="2.0"><channel><title>t</title><item><title>&lol9;</title>'
            "<description>&lol9;</description></item></channel></rss>").encode()


def _quadratic() -> bytes:
    big = "A" * 50_000
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + big + '">\n]>\n'
            '<rss version="2.0"><channel><title>t</title><item><title>x</title><description>'
            + "&a;" * 20_000 + "</description></item></channel></rss>").encode()


@pytest.mark.parametrize("make", [_billion_laughs, _quadratic], ids=["billion-laughs", "quadratic-blowup"])
def test_entity_expansion_is_refused_fast_and_small(make):
    """feedparser keeps "safe" plain-text entities and its loose parser expands them: the
    quadratic feed took 2 minutes and 3 GB there. We refuse entity declarations first."""
    data = make()
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        items = list(parse_feed(data, source="evil.rss"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - t0 < 1
    assert peak < 10 * 1024 * 1024
    assert len(items) == 1 and isinstance(items[0], InputError) and "<!ENTITY>" in items[0].reason


def test_entity_declaration_in_utf16_feed_is_refused():
    data = _billion_laughs().decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>')
    (item,) = list(parse_feed(data.encode("utf-16"), source="evil16.rss"))
    assert isinstance(item, InputError) and "ENTITY" in item.reason


@pytest.fixture
def sentinel():
    srv = Loopback()
    srv.route("/evil.dtd", (200, {"Content-Type": "application/xml-dtd"}, b'<!ENTITY x "pwned">'))
    srv.route("/secret", (200, {"Content-Type": "text/plain"}, b"pwned"))
    yield srv
    srv.close()


def test_external_entities_are_never_resolved(tmp_path, sentinel):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LOCAL-FILE")
    for target in (secret.as_uri(), sentinel.url("/secret")):
        data = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY x SYSTEM "{target}">\n]>\n'
                '<rss version="2.0"><channel><title>t</title><item><title>x</title><link>https://e.example/1</link>'
                "<description>Officials said &x; today in a statement about the embassy.</description>"
                "</item></channel></rss>").encode()
        items = list(parse_feed(data, source="xxe.rss"))
        assert all("TOP-SECRET" not in str(i) and "pwned" not in str(i) for i in items)
        assert len(items) == 1 and isinstance(items[0], InputError)
    # parameter entity and an external DTD subset: not fetched either
    for data in ((f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "{sentinel.url("/evil.dtd")}">\n%p;\n]>\n'
                  '<rss version="2.0"><channel><title>t</title></channel></rss>').encode(),
                 (f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{sentinel.url("/evil.dtd")}">\n'
                  '<rss version="2.0"><channel><title>t</title><item><title>x</title><link>https://e.example/2</link>'
                  "<description>Officials met to discuss relations between the two states today.</description>"
                  "</item></channel></rss>").encode()):
        items = list(parse_feed(data, source="xxe.rss"))
        assert all("pwned" not in str(i) for i in items)
    assert sentinel.requests == []


def test_malformed_feed_is_an_input_error_not_a_crash():
    (item,) = list(parse_feed(b"<?xml version='1.0'?><notafeed><x>", source="bad.xml"))
    assert isinstance(item, InputError) and "bad.xml" in str(item)


@pytest.mark.parametrize("raw, parsed, expected, flagged", [
    ("Tue, 30 Jan 2024 08:00:00 GMT", (2024, 1, 30, 8, 0, 0, 1, 30, 0), dt.date(2024, 1, 30), False),
    ("Tue, 30 Jan 24 08:00:00 GMT", (2024, 1, 30, 8, 0, 0, 1, 30, 0), None, True),
    ("", None, None, False),
    ("yesterday", None, None, True),
    ("Fri, 01 Jan 9999 00:00:00 GMT", (9999, 1, 1, 0, 0, 0, 4, 1, 0), None, True),
    ("0000-00-00", None, None, True),
])
def test_feed_dates(raw, parsed, expected, flagged):
    assert feed_date(raw, time.struct_time(parsed) if parsed else None) == (expected, flagged)


# --------------------------------------------------------------------------- fetch-linked

@pytest.fixture
def site():
    srv = Loopback()
    yield srv
    srv.close()


def test_fetch_linked_page_when_item_has_only_a_summary(site):
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>Russia recognises Taliban government</title><link>" + site.url("/story").encode() +
            b"</link><pubDate>Thu, 03 Jul 2025 10:00:00 GMT</pubDate><description>Short teaser.</description>"
            b"</item></channel></rss>")
    site.route("/feed", (200, {"Content-Type": "application/rss+xml"}, feed))
    site.route("/story", (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()))
    s = IngestSettings(allow_hosts=("127.0.0.1",), fetch_linked=True)
    (art,) = list(read_inputs([site.url("/feed")], settings=s))
    assert "first country to formally recognise" in art.text
    assert art.url == site.url("/story") and art.published == dt.date(2025, 7, 3)
    # without --fetch-linked the summary is kept and the page is never requested
    site.requests.clear()
    (art,) = list(read_inputs([site.url("/feed")], settings=s.with_(fetch_linked=False)))
    assert art.text == "Short teaser." and site.paths() == ["/feed"]


def test_url_of_an_html_page(site):
    site.route("/page", (200, {"Content-Type": "text/html"}, PAGE.encode()))
    with Fetcher(IngestSettings(allow_hosts=("127.0.0.1",))) as f:
        (art,) = list(read_inputs([site.url("/page")], fetcher=f))
    assert art.url == "https://news.example/world/russia-taliban"
