"""Bearer tokens of the HTTP API, kept hashed in the knowledge base (migration 0003).

A token reads ``dwt_<id>_<secret>``: ``id`` (12 hex digits) names its row,
``secret`` is 32 random bytes (URL-safe base64). Only the SHA-256 of the whole
token is stored; :func:`verify_token` compares hashes with
:func:`hmac.compare_digest`, so neither the token nor its hash can be learnt
from the store or from response times. The token itself is shown once, by
:func:`create_token`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, String, Table, Text, select, update

from diplowatch.errors import StoreError
from diplowatch.store.schema import metadata

if TYPE_CHECKING:
    from diplowatch.store.db import KnowledgeBase

__all__ = ["API_TOKENS", "SCOPES", "ApiToken", "create_token", "list_tokens", "revoke_token", "verify_token"]

SCOPES: tuple[str, ...] = ("ingest", "watch")
"""Scopes a token may carry: ``ingest`` (POST /api/ingest), ``watch`` (watch rules)."""

API_TOKENS = Table(
    "api_tokens", metadata,
    Column("id", String(32), primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("scopes", Text, nullable=False),  # space-separated
    Column("label", Text, nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
)

_TOKEN = re.compile(r"dwt_([0-9a-f]{12})_[A-Za-z0-9_-]{20,128}")
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A stored token (without its secret).

    Attributes:
        id: public id (the part after ``dwt_``).
        scopes: the scopes it grants.
        label: free text given when it was made, or ``None``.
        created_at: ISO 8601 UTC time stamp.
        revoked_at: when it was revoked, or ``None`` while valid.
    """

    id: str
    scopes: tuple[str, ...]
    label: str | None
    created_at: str
    revoked_at: str | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def create_token(kb: KnowledgeBase, scopes: Iterable[str], label: str | None = None) -> tuple[str, ApiToken]:
    """Make a new token with ``scopes`` and store its hash.

    Args:
        kb: an open :class:`~diplowatch.store.KnowledgeBase`.
        scopes: one or more of :data:`SCOPES`.
        label: free text to recognise the token by later.

    Returns:
        ``(token, record)``: the token (shown once; only its hash is kept) and
        its stored record.

    Raises:
        ValueError: no scope, or an unknown one.
        StoreError: the token cannot be stored.
    """
    wanted = tuple(dict.fromkeys(s.strip() for s in scopes if s and s.strip()))
    if not wanted:
        raise ValueError(f"give at least one scope ({', '.join(SCOPES)})")
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}; scopes are {', '.join(SCOPES)}")
    tid = secrets.token_hex(6)
    token = f"dwt_{tid}_{secrets.token_urlsafe(32)}"
    record = ApiToken(tid, wanted, label, _now())
    try:
        with kb.transaction() as conn:
            conn.execute(API_TOKENS.insert().values(id=tid, hash=_hash(token), scopes=" ".join(wanted),
                                                    label=label, created_at=record.created_at))
    except Exception as exc:
        raise StoreError(f"cannot store the token: {exc}".splitlines()[0]) from exc
    return token, record


def verify_token(kb: KnowledgeBase, token: str) -> ApiToken | None:
    """The stored, unrevoked token that ``token`` is, or ``None``.

    The hash of ``token`` is compared with the stored hash in constant time
    (:func:`hmac.compare_digest`); a malformed or unknown token costs the same
    comparison.
    """
    m = _TOKEN.fullmatch(token or "")
    row = None
    if m:
        with kb.connect() as conn:
            row = conn.execute(select(API_TOKENS).where(API_TOKENS.c.id == m.group(1))).mappings().first()
    stored = row["hash"] if row is not None else _DUMMY_HASH
    ok = hmac.compare_digest(stored.encode("ascii"), _hash(token or "").encode("ascii"))
    if not ok or row is None or row["revoked_at"] is not None:
        return None
    return _record(row)


def list_tokens(kb: KnowledgeBase) -> list[ApiToken]:
    """Every stored token (without secrets), oldest first."""
    with kb.connect() as conn:
        rows = conn.execute(select(API_TOKENS).order_by(API_TOKENS.c.created_at, API_TOKENS.c.id)).mappings()
        return [_record(r) for r in rows]


def revoke_token(kb: KnowledgeBase, token_id: str) -> bool:
    """Revoke the token with this public id; ``True`` when one was revoked now."""
    with kb.transaction() as conn:
        res = conn.execute(update(API_TOKENS)
                           .where((API_TOKENS.c.id == token_id) & API_TOKENS.c.revoked_at.is_(None))
                           .values(revoked_at=_now()))
        return bool(res.rowcount)


def _record(row: Any) -> ApiToken:
    return ApiToken(row["id"], tuple(row["scopes"].split()), row["label"], row["created_at"], row["revoked_at"])
