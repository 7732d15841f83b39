"""Settings of input reading and fetching: caps, allow-list, languages, field names.

One frozen :class:`IngestSettings` is passed down to every reader and to the
fetcher. :meth:`IngestSettings.from_env` reads overrides from the environment:

==============================  ============================================  ==========
variable                        meaning                                       default
==============================  ============================================  ==========
``DIPLOWATCH_ALLOW_HOSTS``      comma-separated host names, IP addresses or   empty (off)
                                networks (CIDR) that may be fetched even
                                though they are loopback/private
``DIPLOWATCH_MAX_HTML_BYTES``   largest HTML document extracted (bytes)       10 MB
``DIPLOWATCH_MAX_FETCH_BYTES``  largest body fetched, after decompression     10 MB
``DIPLOWATCH_FETCH_TIMEOUT``    total time of one fetch, redirects included   20 s
``DIPLOWATCH_LANGUAGES``        comma-separated ISO 639-1 codes analysed      ``en``
==============================  ============================================  ==========
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from diplowatch.errors import ConfigurationError

__all__ = ["CANONICAL_FIELDS", "IngestSettings", "parse_field_map"]

CANONICAL_FIELDS: tuple[str, ...] = ("id", "url", "title", "published", "text", "lang")
"""Article fields a corpus column or JSON key can be mapped to."""

MB = 1024 * 1024


def parse_field_map(specs: Mapping[str, str] | list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """Parse field-name overrides for corpora.

    Args:
        specs: ``["text=body", "published=date"]`` (CLI ``--field`` values) or a
            mapping ``{"text": "body"}``; ``None`` for none.

    Returns:
        ``{article field: corpus key}`` for the overridden fields only.

    Raises:
        ConfigurationError: a spec without ``=``, an empty key, or an article
            field not in :data:`CANONICAL_FIELDS`.
    """
    if not specs:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(specs, Mapping):
        pairs = [(str(k), str(v)) for k, v in specs.items()]
    else:
        for spec in specs:
            name, sep, key = str(spec).partition("=")
            if not sep:
                raise ConfigurationError(f"--field {spec!r}: expected FIELD=KEY, e.g. text=body")
            pairs.append((name, key))
    out: dict[str, str] = {}
    for name, key in pairs:
        name, key = name.strip(), key.strip()
        if name not in CANONICAL_FIELDS:
            raise ConfigurationError(f"--field {name}={key}: {name!r} is not one of "
                                     f"{', '.join(CANONICAL_FIELDS)}")
        if not key:
            raise ConfigurationError(f"--field {name}=: the corpus key is empty")
        out[name] = key
    return out


def _allow_entry(entry: str) -> str | ipaddress.IPv4Network | ipaddress.IPv6Network:
    entry = entry.strip().strip("[]").lower()
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return entry.rstrip(".")


@dataclass(frozen=True)
class IngestSettings:
    """Limits and choices of the readers and the fetcher.

    Attributes:
        max_html_bytes: HTML documents larger than this (bytes) are refused
            with an :class:`~diplowatch.errors.InputError` before parsing.
        max_feed_bytes: feeds larger than this (bytes) are refused.
        max_fetch_bytes: a fetched body is cut off (and the fetch fails) once
            this many bytes have been received *after* decompression.
        fetch_timeout: total seconds of one fetch, connecting, redirects and
            body included.
        max_redirects: redirects followed per fetch (each target re-checked).
        allow_hosts: host names (lower case), IP networks that may be fetched
            although they are not public (tests use ``127.0.0.1``). Empty by
            default: only public addresses are fetched.
        languages: ISO 639-1 codes kept; an article detected in another
            language is skipped and counted. Empty = keep every language.
            Default: the languages the extractor reads (English and French).
        force_language: when set, every article is taken to be in this
            language (ISO 639-1), whatever it declares or is detected as.
        fields: corpus key overrides ``{article field: key}`` (see
            :func:`parse_field_map`).
        fetch_linked: fetch and extract the page an RSS/Atom item links to when
            the item holds only a summary.
        user_agent: ``User-Agent`` header of fetches.
    """

    max_html_bytes: int = 10 * MB
    max_feed_bytes: int = 10 * MB
    max_fetch_bytes: int = 10 * MB
    fetch_timeout: float = 20.0
    max_redirects: int = 5
    allow_hosts: tuple[Any, ...] = ()
    languages: frozenset[str] = frozenset({"en", "fr"})
    force_language: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    fetch_linked: bool = False
    user_agent: str = "diplowatch/0.1 (+https://github.com/diplowatch)"

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow_hosts", tuple(
            _allow_entry(e) if isinstance(e, str) else e for e in self.allow_hosts))
        object.__setattr__(self, "languages", frozenset(x.lower() for x in self.languages))

    def with_(self, **changes: Any) -> IngestSettings:
        """Return a copy with ``changes`` applied (``dataclasses.replace``)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> IngestSettings:
        """Settings from ``DIPLOWATCH_*`` environment variables, then ``overrides``.

        Raises:
            ConfigurationError: a numeric variable that is not a positive number.
        """
        env = os.environ if env is None else env
        kw: dict[str, Any] = {}

        def number(name: str, kind: type) -> Any:
            raw = env.get(name, "").strip()
            if not raw:
                return None
            try:
                value = kind(raw)
            except ValueError:
                raise ConfigurationError(f"${name}={raw!r} is not a number") from None
            if value <= 0:
                raise ConfigurationError(f"${name}={raw!r} must be positive")
            return value

        for key, var, kind in (("max_html_bytes", "DIPLOWATCH_MAX_HTML_BYTES", int),
                               ("max_fetch_bytes", "DIPLOWATCH_MAX_FETCH_BYTES", int),
                               ("fetch_timeout", "DIPLOWATCH_FETCH_TIMEOUT", float)):
            value = number(var, kind)
            if value is not None:
                kw[key] = value
        hosts = [h for h in env.get("DIPLOWATCH_ALLOW_HOSTS", "").split(",") if h.strip()]
        if hosts:
            kw["allow_hosts"] = tuple(hosts)
        langs = env.get("DIPLOWATCH_LANGUAGES")
        if langs is not None and langs.strip():
            kw["languages"] = frozenset(x.strip() for x in langs.split(",") if x.strip() and x.strip() != "*")
        kw.update(overrides)
        return cls(**kw)
