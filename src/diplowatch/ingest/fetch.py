"""Fetch URLs safely: scheme and address checks, pinned connections, caps.

Every fetch goes through :class:`Fetcher`, which guards against server-side
request forgery and hostile servers (RELIABILITY.md, "Fetching URLs"):

* only ``http`` and ``https`` URLs;
* the host is resolved and **every** address it returns is checked (IPv4-mapped,
  6to4 and NAT64 IPv6 forms unwrapped) against loopback, private, link-local
  (169.254/16, cloud metadata), carrier-grade NAT 100.64/10, unique-local
  fc00::/7, multicast, unspecified and reserved ranges; numeric host forms such
  as ``0x7f000001`` or ``2130706433`` are caught because the resolver turns them
  into the address they mean;
* the connection goes to the address that was checked (an httpcore network
  backend pins host → address), so a second DNS answer cannot swap it; the URL,
  ``Host`` header, TLS SNI and certificate check keep the original name;
* redirects are followed by hand, at most ``max_redirects``, each target checked
  again;
* the body is counted *after* decompression (gzip/deflate are decoded here in
  bounded steps) and the fetch fails past ``max_fetch_bytes``;
* one deadline covers the whole fetch (connect, every read, every redirect), so
  a server that drips one byte at a time is cut off.

Proxies from the environment are ignored (``trust_env=False``): a proxy would
make the address check meaningless.

:attr:`IngestSettings.allow_hosts <diplowatch.ingest.settings.IngestSettings>`
(off by default; ``$DIPLOWATCH_ALLOW_HOSTS``) lets named hosts or networks
through, which is how tests reach a server on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from diplowatch.errors import InputError
from diplowatch.ingest.settings import IngestSettings

log = logging.getLogger(__name__)

__all__ = ["FetchError", "FetchResult", "Fetcher", "RefusedURL", "blocked_reason", "check_url", "is_url",
           "parse_url"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_LIKE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://|^(?:https?|file|gopher|data|javascript|ftp|mailto):", re.I)
_HOST_NAME = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?)*$")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_ULA = ipaddress.ip_network("fc00::/7")


class FetchError(InputError):
    """A URL was refused or could not be fetched; ``source`` is the URL."""


class RefusedURL(FetchError):
    """A URL refused by policy before any request (:func:`parse_url`, :func:`check_url`): not http(s),
    malformed, or an address that is not public and not allowed. Unlike a fetch that failed
    (a host that does not resolve, a timeout, an HTTP error), asking again gives the same answer
    until the URL or ``$DIPLOWATCH_ALLOW_HOSTS`` changes."""


def is_url(value: str) -> bool:
    """True when ``value`` looks like a URL, not a path: ``scheme://…``, or any ``http:``/``https:``,
    ``file:``, ``gopher:`` … prefix (case-insensitive).

    A malformed URL such as ``http:/x`` or ``HTTP:\\\\host`` is a URL here, so it goes
    to :func:`parse_url` and is refused there, never opened as a path (a local
    file whose name starts with ``http:`` is named ``./http:…``).
    """
    return bool(_URL_LIKE.match(value.strip()))


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """Parse an absolute http(s) URL, once, or refuse it; no name is resolved here.

    Args:
        url: the URL as given (surrounding whitespace ignored).

    Returns:
        The parsed URL, whose scheme is ``http`` or ``https`` and whose host
        is an IP literal or a DNS name (letters, digits, ``-``, ``_``, dots;
        internationalised names in their IDNA form).

    Raises:
        RefusedURL: (``source`` = the URL) another scheme or none, a URL that
            does not parse, a URL without a host (``http:/x``, ``http:x``,
            ``http:///etc/passwd``, ``http:\\\\x``, ``http:%2f%2fx``), or a host
            holding other characters (a backslash, a percent sign, a space).
    """
    text = str(url).strip()
    m = _SCHEME.match(text)
    scheme = m.group(1).lower() if m else ""
    if scheme not in ("http", "https"):
        raise RefusedURL(text, f"refused: only http and https URLs are fetched, not {scheme or 'a relative'}"
                               f"{':' if scheme else ''} URL")
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as exc:
        raise RefusedURL(text, f"refused: invalid URL ({exc})") from None
    host = parsed.raw_host.decode("ascii", "replace").lower().rstrip(".")
    if not host or not text[len(scheme) + 1:].startswith("//"):
        raise RefusedURL(text, "refused: URL has no host (expected http://host/…)")
    try:
        ipaddress.ip_address(host.split("%", 1)[0] if ":" in host else host)
    except ValueError:
        if not _HOST_NAME.match(host):
            raise RefusedURL(text, f"refused: invalid host {host!r} in URL") from None
    return parsed


def _unwrap(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def blocked_reason(ip: IPAddress | str) -> str | None:
    """Why an address must not be fetched, or ``None`` when it is public.

    Args:
        ip: an IPv4/IPv6 address (object or string). IPv4-mapped
            (``::ffff:127.0.0.1``), 6to4 and NAT64 forms are judged by the IPv4
            address they carry.

    Returns:
        ``"loopback"``, ``"private"``, ``"link-local"``, ``"carrier-grade NAT"``,
        ``"unique-local"``, ``"multicast"``, ``"unspecified"``, ``"reserved"``,
        ``"not globally routable"`` or ``None``.
    """
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])
    ip = _unwrap(ip)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "carrier-grade NAT"
    if isinstance(ip, ipaddress.IPv6Address) and ip in _ULA:
        return "unique-local"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not globally routable"
    return None


def _resolve(host: str, port: int) -> list[str]:
    """All addresses of ``host`` (``socket.getaddrinfo``); tests monkeypatch this."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        addr = info[4][0]
        if addr not in seen:
            seen.append(addr)
    return seen


def _allowed(settings: IngestSettings, host: str, ip: IPAddress | None) -> bool:
    for entry in settings.allow_hosts:
        if isinstance(entry, str):
            if entry == host:
                return True
        elif ip is not None:
            for cand in {ip, _unwrap(ip)}:
                if cand.version == entry.version and cand in entry:
                    return True
    return False


def check_url(url: str | httpx.URL, settings: IngestSettings) -> tuple[httpx.URL, list[str]]:
    """Check a URL before fetching it and resolve its host.

    Args:
        url: absolute URL.
        settings: supplies ``allow_hosts``.

    Returns:
        ``(parsed URL, addresses)``: every address the host resolves to, all
        of them allowed; connect only to one of these.

    Raises:
        RefusedURL: refused by :func:`parse_url` (not http/https, no host or a
            malformed one), or a resolved address is not public (the reason
            names the address, its range and the ``$DIPLOWATCH_ALLOW_HOSTS``
            entry that would allow it), unless the host or address is in
            ``allow_hosts``.
        FetchError: the host does not resolve.
    """
    text = str(url).strip()
    parsed = parse_url(text)
    host = parsed.raw_host.decode("ascii").lower().rstrip(".")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if _allowed(settings, host, None):
        try:
            return parsed, _resolve(host, port)
        except OSError as exc:
            raise FetchError(text, f"cannot resolve host {host!r}: {exc}") from None
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addrs = [str(literal)]
    else:
        try:
            addrs = _resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(text, f"cannot resolve host {host!r}: {exc}") from None
        if not addrs:
            raise FetchError(text, f"cannot resolve host {host!r}: no address")
    for addr in addrs:
        try:
            ip = ipaddress.ip_address(addr.split("%", 1)[0])
        except ValueError:
            raise RefusedURL(text, f"refused: host {host!r} resolved to an unusable address {addr!r}") from None
        reason = blocked_reason(ip)
        if reason and not _allowed(settings, host, ip):
            shown = host if literal is not None else f"{host!r} resolves to {ip}, which"
            article = "an" if reason[0] in "aeiou" else "a"
            raise RefusedURL(text, f"refused: {shown} is {article} {reason} address "
                                   f"($DIPLOWATCH_ALLOW_HOSTS={host} allows it)")
    return parsed, addrs


# --------------------------------------------------------------------------- transport

class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write respects one fetch deadline."""

    def __init__(self, inner: httpcore.NetworkStream, backend: _PinnedBackend) -> None:
        self._inner = inner
        self._backend = backend

    def _timeout(self, timeout: float | None, exc: type[Exception]) -> float:
        left = self._backend.deadline - time.monotonic()
        if left <= 0:
            raise exc("total fetch time exceeded")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname,
                                      self._timeout(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.SyncBackend):
    """Connects only to addresses :func:`check_url` approved, under the fetch deadline."""

    def __init__(self) -> None:
        self.pins: dict[str, str] = {}
        self.deadline = float("inf")

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        pinned = self.pins.get(host.lower().rstrip("."))
        if pinned is None:
            raise httpcore.ConnectError(f"refused: no checked address for {host!r}")
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("total fetch time exceeded")
        timeout = left if timeout is None else min(timeout, left)
        inner = super().connect_tcp(pinned, port, timeout, local_address, socket_options)
        return _DeadlineStream(inner, self)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("refused: unix sockets are never used")


class _Decoder:
    """Bounded gzip/deflate decoding: never inflates more than ``room`` bytes at once."""

    def __init__(self, encoding: str, source: str) -> None:
        enc = encoding.strip().lower()
        self.source = source
        if enc in ("", "identity"):
            self._z = None
        elif enc in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_tried = False
        else:
            raise FetchError(source, f"unsupported Content-Encoding {encoding!r}")
        self.enc = enc
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; return at most ``room + 1`` bytes (one more means: over the cap)."""
        if self._z is None:
            return data[: room + 1]
        try:
            out = self._z.decompress(data, room + 1)
        except zlib.error as exc:
            if self.enc == "deflate" and not self._started:
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
                self._started = True
                return self.feed(data, room)
            raise FetchError(self.source, f"corrupt {self.enc} body: {exc}") from None
        self._started = True
        return out

    def pending(self) -> bool:
        return self._z is not None and bool(self._z.unconsumed_tail)

    def more(self, room: int) -> bytes:
        assert self._z is not None
        try:
            return self._z.decompress(self._z.unconsumed_tail, room + 1)
        except zlib.error as exc:
            raise FetchError(self.source, f"corrupt {self.enc} body: {exc}") from None


@dataclass(frozen=True)
class FetchResult:
    """What one fetch returned.

    Attributes:
        url: final URL, after redirects.
        status: HTTP status (200, or 304 for a conditional request answered
            "not modified", in which case ``content`` is empty).
        content: the body, decompressed, at most ``max_fetch_bytes`` bytes.
        content_type: media type, lower case, without parameters (``""`` if absent).
        charset: the ``charset`` parameter of ``Content-Type``, or ``None``.
        etag: the ``ETag`` header, or ``None``.
        last_modified: the ``Last-Modified`` header, or ``None``.
        redirects: URLs visited before ``url``.
    """

    url: str
    status: int
    content: bytes
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirects: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request."""
        return self.status == 304


class Fetcher:
    """An HTTP client that only reaches public addresses (see the module docstring).

    Use as a context manager, or call :meth:`close`. Not thread-safe: one
    fetcher per thread.

    Args:
        settings: caps, timeout and allow-list (default: :meth:`IngestSettings.from_env`).
    """

    def __init__(self, settings: IngestSettings | None = None) -> None:
        self.settings = settings or IngestSettings.from_env()
        self._backend = _PinnedBackend()
        transport = httpx.HTTPTransport(retries=0)
        # Replace the pool with one on the pinning backend (httpx keeps it in ``_pool``).
        old = transport._pool
        transport._pool = httpcore.ConnectionPool(
            ssl_context=old._ssl_context, max_connections=10, max_keepalive_connections=5,
            keepalive_expiry=5.0, http1=True, http2=False, retries=0, network_backend=self._backend)
        old.close()
        self._client = httpx.Client(transport=transport, follow_redirects=False, trust_env=False,
                                    headers={"User-Agent": self.settings.user_agent,
                                             "Accept-Encoding": "gzip, deflate"})

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def fetch(self, url: str, *, accept: str | None = None, etag: str | None = None,
              last_modified: str | None = None, headers: Mapping[str, str] | None = None) -> FetchResult:
        """GET ``url`` under the guards of this module.

        Args:
            url: absolute http(s) URL.
            accept: ``Accept`` header, or ``None``.
            etag: sent as ``If-None-Match`` (conditional request).
            last_modified: sent as ``If-Modified-Since``.
            headers: extra request headers.

        Returns:
            A :class:`FetchResult` with status 200-299 or 304.

        Raises:
            FetchError: refused URL or address (also after a redirect), too many
                redirects (> ``max_redirects``), HTTP status ≥ 400 or another
                unexpected one, body over ``max_fetch_bytes`` after
                decompression, total time over ``fetch_timeout`` seconds,
                connection or protocol error.
        """
        s = self.settings
        start = time.monotonic()
        deadline = start + s.fetch_timeout
        self._backend.deadline = deadline
        req_headers: dict[str, str] = dict(headers or {})
        if accept:
            req_headers["Accept"] = accept
        if etag:
            req_headers["If-None-Match"] = etag
        if last_modified:
            req_headers["If-Modified-Since"] = last_modified
        current = url.strip()
        visited: list[str] = []
        try:
            for _hop in range(s.max_redirects + 1):
                parsed, addrs = check_url(current, s)
                self._backend.pins[parsed.raw_host.decode("ascii").lower().rstrip(".")] = addrs[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise FetchError(url, f"timed out after {s.fetch_timeout:g} s")
                request = self._client.build_request("GET", parsed, headers=req_headers,
                                                     timeout=httpx.Timeout(left))
                response = self._client.send(request, stream=True)
                try:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        visited.append(current)
                        try:
                            current = str(parsed.join(response.headers["location"]))
                        except (httpx.InvalidURL, ValueError) as exc:
                            raise FetchError(url, f"bad redirect Location: {exc}") from None
                        continue
                    return self._finish(url, current, response, deadline, tuple(visited))
                finally:
                    response.close()
            raise FetchError(url, f"too many redirects (more than {s.max_redirects})")
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {s.fetch_timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"cannot fetch: {exc.__class__.__name__}: {exc}") from None
        except FetchError as exc:
            if exc.source != url:  # name the URL the user gave, and where it led
                raise FetchError(url, f"{exc.reason} (redirected to {exc.source})") from None
            raise

    def _finish(self, url: str, final: str, response: httpx.Response, deadline: float,
                visited: tuple[str, ...]) -> FetchResult:
        s = self.settings
        status = response.status_code
        ctype_full = response.headers.get("content-type", "")
        ctype = ctype_full.split(";", 1)[0].strip().lower()
        charset = None
        m = re.search(r"charset\s*=\s*\"?([\w.:\-]+)", ctype_full, re.I)
        if m:
            charset = m.group(1)
        etag = response.headers.get("etag")
        modified = response.headers.get("last-modified")
        if status == 304:
            return FetchResult(final, 304, b"", ctype, charset, etag, modified, visited)
        if not 200 <= status < 300:
            raise FetchError(url, f"HTTP {status} {response.reason_phrase}".rstrip())
        length = response.headers.get("content-length", "")
        enc = response.headers.get("content-encoding", "")
        if length.isdigit() and not enc and int(length) > s.max_fetch_bytes:
            raise FetchError(url, f"body too large: Content-Length {length} bytes "
                                  f"(limit {s.max_fetch_bytes})")
        decoder = _Decoder(enc, url)
        cap = s.max_fetch_bytes
        parts: list[bytes] = []
        total = 0

        def take(chunk: bytes) -> None:
            nonlocal total
            total += len(chunk)
            if total > cap:
                raise FetchError(url, f"body too large: over {cap} bytes after decompression")
            parts.append(chunk)

        for raw in response.iter_raw():
            if time.monotonic() > deadline:
                raise FetchError(url, f"timed out after {s.fetch_timeout:g} s")
            take(decoder.feed(raw, cap - total))
            while decoder.pending():
                take(decoder.more(cap - total))
        return FetchResult(final, status, b"".join(parts), ctype, charset, etag, modified, visited)
