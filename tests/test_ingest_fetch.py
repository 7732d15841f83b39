"""URL fetching: SSRF guards, pinning, redirect/byte/time caps (RELIABILITY.md "Fetching URLs").

Offline: every server is a loopback ``ThreadingHTTPServer`` started here,
reached only through the explicit allow-list (off by default).
"""

from __future__ import annotations

import gzip
import time
import tracemalloc

import pytest

from diplowatch.errors import InputError
from diplowatch.ingest import fetch as fetch_mod
from diplowatch.ingest import read_inputs
from diplowatch.ingest.fetch import Fetcher, FetchError, blocked_reason, check_url
from diplowatch.ingest.settings import IngestSettings, parse_field_map
from loopback import Loopback, drip

DEFAULT = IngestSettings()
LOOPBACK_OK = IngestSettings(allow_hosts=("127.0.0.1",), fetch_timeout=5)


@pytest.fixture
def server():
    srv = Loopback()
    yield srv
    srv.close()


@pytest.fixture
def sentinel():
    """A loopback server that must never be reached."""
    srv = Loopback()
    srv.route("/secret", (200, {"Content-Type": "text/plain"}, b"secret"))
    yield srv
    srv.close()
    # the assertion lives in each test, this is only the finaliser


# --------------------------------------------------------------------------- address checks

@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1/", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://017700000001/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:7f00:1]/", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://10.0.0.1/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://[fd00::1]/", "unique-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://224.0.0.1/", "multicast"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://[2002:7f00:1::]/", "loopback"),       # 6to4 wrapping 127.0.0.1
    ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64 wrapping 169.254.169.254
    ("http://localhost:8080/", "loopback"),
])
def test_non_public_addresses_are_refused(url, reason, sentinel):
    t0 = time.monotonic()
    with pytest.raises(FetchError) as info:
        check_url(url, DEFAULT)
    assert reason in info.value.reason and "refused" in info.value.reason
    assert time.monotonic() - t0 < 2
    # the same URL through the whole reader: an InputError, never a request
    items = list(read_inputs([url], settings=DEFAULT))
    assert len(items) == 1 and isinstance(items[0], InputError)
    assert sentinel.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://example.com/a",
                                 "data:text/html,<p>x</p>", "javascript:alert(1)"])
def test_only_http_and_https(url):
    with pytest.raises(FetchError, match="only http and https"):
        check_url(url, DEFAULT)
    (item,) = list(read_inputs([url], settings=DEFAULT))
    assert isinstance(item, InputError) and "only http and https" in item.reason


def test_loopback_port_of_a_real_server_is_refused_without_allow_list(sentinel):
    (item,) = list(read_inputs([sentinel.url("/secret")], settings=DEFAULT))
    assert isinstance(item, InputError) and "loopback" in item.reason
    assert sentinel.requests == []


def test_name_resolving_to_private_address_is_refused(monkeypatch):
    monkeypatch.setattr(fetch_mod, "_resolve", lambda host, port: ["93.184.216.34", "10.0.0.7"])
    with pytest.raises(FetchError, match=r"resolves to 10\.0\.0\.7, which is a private address"):
        check_url("https://news.example/", DEFAULT)
    monkeypatch.setattr(fetch_mod, "_resolve", lambda host, port: ["::ffff:169.254.169.254"])
    with pytest.raises(FetchError, match="link-local"):
        check_url("https://metadata.example/", DEFAULT)


def test_public_addresses_pass():
    assert blocked_reason("93.184.216.34") is None
    assert blocked_reason("2606:2800:220:1:248:1893:25c8:1946") is None


def test_allow_list_is_off_by_default_and_read_from_env():
    assert IngestSettings().allow_hosts == ()
    s = IngestSettings.from_env({"DIPLOWATCH_ALLOW_HOSTS": "127.0.0.1, Feeds.Local"})
    check_url("http://127.0.0.1:9/", s)
    assert "feeds.local" in s.allow_hosts


def test_connection_is_pinned_to_the_checked_address(server, monkeypatch):
    """The host name is resolved once, by the check; the connection goes to that address
    while the Host header keeps the name (so a second DNS answer cannot swap the target)."""
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(fetch_mod, "_resolve", resolver)
    server.route("/a", (200, {"Content-Type": "text/plain"}, b"hello"))
    with Fetcher(IngestSettings(allow_hosts=("127.0.0.1",))) as f:
        got = f.fetch(f"http://pinned.invalid:{server.port}/a")
    assert got.content == b"hello"
    assert calls == ["pinned.invalid"]
    assert server.requests[0][2]["host"] == f"pinned.invalid:{server.port}"


# --------------------------------------------------------------------------- redirects

def test_redirect_to_loopback_is_refused(server, sentinel, monkeypatch):
    """The first hop is allowed by name; its redirect to 127.0.0.1 is checked again and refused."""
    monkeypatch.setattr(fetch_mod, "_resolve", lambda host, port: ["127.0.0.1"])
    server.route("/start", (302, {"Location": sentinel.url("/secret")}, b""))
    with Fetcher(IngestSettings(allow_hosts=("allowed.test",))) as f:
        with pytest.raises(FetchError, match="loopback") as info:
            f.fetch(f"http://allowed.test:{server.port}/start")
    assert "redirected to" in info.value.reason
    assert server.paths() == ["/start"]
    assert sentinel.requests == []


def test_redirect_to_file_scheme_is_refused(server):
    server.route("/r", (301, {"Location": "file:///etc/passwd"}, b""))
    with Fetcher(LOOPBACK_OK) as f, pytest.raises(FetchError, match="only http and https"):
        f.fetch(server.url("/r"))


def test_redirects_are_capped(server):
    for i in range(10):
        server.route(f"/r{i}", (302, {"Location": f"/r{i + 1}"}, b""))
    with Fetcher(LOOPBACK_OK) as f, pytest.raises(FetchError, match="too many redirects"):
        f.fetch(server.url("/r0"))
    assert len(server.requests) == 6  # the first request and 5 redirects


def test_redirects_within_the_cap_are_followed(server):
    server.route("/r0", (302, {"Location": "/r1"}, b""))
    server.route("/r1", (307, {"Location": server.url("/end")}, b""))
    server.route("/end", (200, {"Content-Type": "text/plain; charset=utf-8", "ETag": '"v1"'}, b"done"))
    with Fetcher(LOOPBACK_OK) as f:
        got = f.fetch(server.url("/r0"))
    assert got.content == b"done" and got.url == server.url("/end") and got.etag == '"v1"'
    assert got.charset == "utf-8" and got.content_type == "text/plain" and len(got.redirects) == 2


def test_http_errors_are_input_errors(server):
    server.route("/down", (503, {}, b"busy"))
    with Fetcher(LOOPBACK_OK) as f, pytest.raises(FetchError, match="HTTP 503"):
        f.fetch(server.url("/down"))


# --------------------------------------------------------------------------- byte and time caps

def test_gzip_bomb_is_stopped_at_the_cap_after_decompression(server):
    inflated = 20 * 1024 * 1024
    bomb = gzip.compress(b"\0" * inflated, compresslevel=9)
    assert inflated / len(bomb) > 1000  # a 1000x bomb
    server.route("/bomb", (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb))
    cap = 1024 * 1024
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        with Fetcher(IngestSettings(allow_hosts=("127.0.0.1",), max_fetch_bytes=cap)) as f:
            with pytest.raises(FetchError, match="over 1048576 bytes after decompression"):
                f.fetch(server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - t0 < 3
    assert peak < 8 * cap  # never the 20 MB


def test_gzip_body_under_the_cap_is_decoded(server):
    server.route("/gz", (200, {"Content-Type": "text/plain", "Content-Encoding": "gzip"},
                         gzip.compress(b"small body")))
    with Fetcher(LOOPBACK_OK) as f:
        assert f.fetch(server.url("/gz")).content == b"small body"


def test_plain_body_over_the_cap_is_refused(server):
    server.route("/big", (200, {"Content-Type": "text/plain"}, b"x" * 300_000))
    with Fetcher(IngestSettings(allow_hosts=("127.0.0.1",), max_fetch_bytes=100_000)) as f:
        with pytest.raises(FetchError, match="too large"):
            f.fetch(server.url("/big"))


def test_slow_drip_body_is_stopped_at_the_time_cap(server):
    server.route("/drip", (200, {"Content-Type": "text/plain"}, drip(b"x" * 1000, 0.05)))
    t0 = time.monotonic()
    with Fetcher(IngestSettings(allow_hosts=("127.0.0.1",), fetch_timeout=1.0)) as f:
        with pytest.raises(FetchError, match="timed out after 1 s"):
            f.fetch(server.url("/drip"))
    assert time.monotonic() - t0 < 2.5


def test_slow_headers_are_stopped_at_the_time_cap(server):
    """A server that drips its status line: one deadline covers every read."""

    def slow(req):
        req.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(40):
            req.wfile.write(b"X-Pad: y\r\n")
            req.wfile.flush()
            time.sleep(0.05)
        req.close_connection = True
        return None, {}, b""

    server.route("/slowhead", slow)
    t0 = time.monotonic()
    with Fetcher(IngestSettings(allow_hosts=("127.0.0.1",), fetch_timeout=0.8)) as f:
        with pytest.raises(FetchError, match="timed out"):
            f.fetch(server.url("/slowhead"))
    assert time.monotonic() - t0 < 2


def test_field_map_parsing():
    assert parse_field_map(["text=body", "published=date"]) == {"text": "body", "published": "date"}
    from diplowatch.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        parse_field_map(["body"])
    with pytest.raises(ConfigurationError):
        parse_field_map(["nonsense=x"])
