"""Deliver alerts from the outbox, at least once, and list what fired.

Every alert has one ``alert_outbox`` row per channel of its rule, written in
the transaction that stored the events (:mod:`diplowatch.alerts.evaluate`).
:func:`deliver` sends the rows that are due:

- **claim**: in its own transaction, a due row (``status = 'pending'`` and
  ``next_attempt_at`` not later than now) gets ``attempts + 1`` and
  ``next_attempt_at = now + backoff`` *before* it is sent, guarded by the
  attempt count it was read with, so two deliverers never send the same
  attempt, and a process killed while sending leaves a row that is due again
  after the backoff: nothing is lost, at worst sent twice (receivers drop
  repeats by the ``Idempotency-Key``);
- **send** (channels):

  * ``stdout``: the JSON body and a newline on standard output;
  * ``jsonl:PATH``: the JSON body as one line appended to ``PATH``, flushed
    and ``fsync``-ed;
  * ``webhook:URL``: ``POST`` of the JSON body (``Content-Type:
    application/json``) with headers ``Idempotency-Key: <alert id>``,
    ``X-Diplowatch-Timestamp: <Unix time of this attempt, whole seconds>``,
    ``X-Diplowatch-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + body,
    keyed with the rule's secret>`` (left out when the rule has no secret; see
    :func:`sign`) and ``X-Diplowatch-Attempt: <n>``. A receiver recomputes the
    HMAC and refuses a timestamp older than a few minutes, so a captured
    delivery cannot be replayed later. Any 2xx answer is success; redirects are
    not followed. Webhook requests of one pass run concurrently, at most
    ``DeliveryPolicy.concurrency`` at a time, so one slow or hanging receiver
    does not hold back the alerts of other rules. The URL goes through the SSRF guard of
    :mod:`diplowatch.ingest.fetch` (public addresses only, the connection
    pinned to the checked address) with its allow-list
    (``$DIPLOWATCH_ALLOW_HOSTS``, how tests reach 127.0.0.1);

- **record**: success sets ``delivered`` and ``delivered_at``; a failure keeps
  ``pending`` with ``last_error``, or sets ``failed`` after
  ``max_attempts`` attempts, and at once when another attempt would get the
  same answer: an address the checks refuse, or a 4xx answer other than 408
  and 429 (:data:`RETRIED_4XX`). Backoff before attempt ``n + 1``:
  ``min(base_delay * 2 ** (n - 1), max_delay)`` seconds.

All time stamps are ISO 8601 UTC with seconds (``2025-07-04T10:00:00+00:00``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import IO, Any

import httpcore
import httpx
from sqlalchemy import func, select, update

from diplowatch.errors import DiplowatchError
from diplowatch.store import KnowledgeBase
from diplowatch.store.watch import ALERT_OUTBOX, ALERTS, WATCH_RULES

__all__ = ["AlertRecord", "Delivery", "DeliveryError", "DeliveryPolicy", "DeliveryReport", "deliver",
           "deliver_loop", "list_alerts", "sign"]


class DeliveryError(DiplowatchError):
    """One delivery attempt failed (the reason is recorded in the outbox as ``last_error``).

    Attributes:
        permanent: asking again would give the same answer (the address is
            refused, or the receiver answered 4xx other than 408 and 429): the
            row is ``failed`` at once instead of retried.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


RETRIED_4XX = frozenset({408, 429})
"""4xx answers that are retried (Request Timeout, Too Many Requests); other 4xx fail the delivery at once."""


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """Retry and timeout settings of delivery.

    Attributes:
        base_delay: seconds before the second attempt; doubled after each failure.
        max_delay: longest wait between attempts, in seconds.
        max_attempts: attempts before a row is marked ``failed``.
        timeout: total seconds of one webhook request.
        concurrency: webhook requests of one :func:`deliver` pass in flight at once (>= 1).
    """

    base_delay: float = 30.0
    max_delay: float = 3600.0
    max_attempts: int = 15
    timeout: float = 10.0
    concurrency: int = 8

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after attempt number ``attempts`` (1-based)."""
        return min(self.base_delay * 2 ** max(attempts - 1, 0), self.max_delay)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row: an alert on one channel.

    Attributes:
        channel: ``stdout``, ``jsonl:PATH`` or ``webhook:URL``.
        status: ``pending``, ``delivered``, ``failed`` or ``cancelled``.
        attempts: attempts made (started) so far.
        next_attempt_at: ISO 8601 UTC time of the next attempt (for ``pending``).
        last_error: reason of the last failure, or ``None``.
        delivered_at: ISO 8601 UTC time of the delivery, or ``None``.
    """

    channel: str
    status: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    delivered_at: str | None


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """An alert that fired, with its delivery status on each channel.

    Attributes:
        id: the idempotency key (``al_`` + 32 hex digits).
        rule, event: the rule and the event type it watches.
        observer, target, facet, old, new, date: the transition (ISO date or ``None``).
        n_sources: independent sources when it fired.
        created_at: ISO 8601 UTC time it fired.
        deliveries: one :class:`Delivery` per channel.
        payload: the JSON body sent.
    """

    id: str
    rule: str
    event: str
    observer: str
    target: str
    facet: str
    old: str
    new: str
    date: str | None
    n_sources: int
    created_at: str
    deliveries: tuple[Delivery, ...]
    payload: dict[str, Any]

    @property
    def status(self) -> str:
        """``delivered`` when every channel is, else the first other status (``pending``, ``failed`` …)."""
        for d in self.deliveries:
            if d.status != "delivered":
                return d.status
        return "delivered"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the payload included)."""
        return {"id": self.id, "rule": self.rule, "event": self.event, "observer": self.observer,
                "target": self.target, "facet": self.facet, "old": self.old, "new": self.new,
                "date": self.date, "n_sources": self.n_sources, "created_at": self.created_at,
                "status": self.status,
                "deliveries": [{f: getattr(d, f) for f in d.__dataclass_fields__} for d in self.deliveries],
                "payload": self.payload}


@dataclass
class DeliveryReport:
    """What one :func:`deliver` pass did.

    Attributes:
        delivered: rows sent this pass.
        retrying: rows that failed this pass and will be tried again.
        failed: rows that failed this pass for good (status ``failed``).
        pending: rows left pending in the outbox after the pass (those
            retried, and those not due yet).
        errors: the failures of this pass, ``[(alert id, channel, reason)]``.
    """

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    pending: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def line(self) -> str:
        """``sent 1, failed 1, left pending 2``: the outcome in words."""
        return f"sent {self.delivered}, failed {self.failed}, left pending {self.pending}"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The ``X-Diplowatch-Signature`` of a webhook request.

    Args:
        body: the request body (UTF-8 JSON).
        secret: the rule's secret (UTF-8).
        timestamp: the ``X-Diplowatch-Timestamp`` sent with it (Unix seconds).

    Returns:
        ``sha256=`` + hex HMAC-SHA256, keyed with ``secret``, of the ASCII
        timestamp, a ``.`` and the body: the timestamp cannot be changed
        without breaking the signature.
    """
    signed = str(int(timestamp)).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _now(now: dt.datetime | None) -> dt.datetime:
    t = now or dt.datetime.now(dt.timezone.utc)
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def _post(url: str, body: bytes, headers: dict[str, str], settings: Any, timeout: float) -> None:
    """POST through the SSRF guard of :mod:`diplowatch.ingest.fetch`; raise DeliveryError unless 2xx."""
    from diplowatch.ingest.fetch import FetchError, RefusedURL, _PinnedBackend, check_url

    try:
        parsed, addrs = check_url(url, settings)  # the check of watch add (alerts.rules.check_webhook)
    except FetchError as exc:
        raise DeliveryError(exc.reason, permanent=isinstance(exc, RefusedURL)) from None
    backend = _PinnedBackend()
    backend.pins[parsed.raw_host.decode("ascii").lower().rstrip(".")] = addrs[0]
    backend.deadline = time.monotonic() + timeout
    transport = httpx.HTTPTransport(retries=0)
    old = transport._pool  # noqa: SLF001 - same seam as diplowatch.ingest.fetch.Fetcher
    transport._pool = httpcore.ConnectionPool(ssl_context=old._ssl_context, max_connections=1,  # noqa: SLF001
                                              retries=0, network_backend=backend)
    old.close()
    try:
        with httpx.Client(transport=transport, follow_redirects=False, trust_env=False,
                          timeout=httpx.Timeout(timeout)) as client:
            response = client.post(parsed, content=body, headers=headers)
    except httpx.TimeoutException:
        raise DeliveryError(f"timed out after {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{exc.__class__.__name__}: {exc}".splitlines()[0]) from None
    code = response.status_code
    if not 200 <= code < 300:
        raise DeliveryError(f"HTTP {code} {response.reason_phrase}".rstrip(),
                            permanent=400 <= code < 500 and code not in RETRIED_4XX)


def _send(channel: str, body: str, alert: str, secret: str | None, attempt: int, *, settings: Any,
          policy: DeliveryPolicy, stdout: IO[str]) -> None:
    from diplowatch.alerts.rules import parse_channel

    kind, arg = parse_channel(channel)
    if kind == "stdout":
        stdout.write(body + "\n")
        stdout.flush()
    elif kind == "jsonl":
        try:
            with open(arg, "a", encoding="utf-8") as f:
                f.write(body + "\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise DeliveryError(f"cannot append to {arg}: {exc.strerror or exc}") from None
    else:
        data = body.encode("utf-8")
        stamp = int(time.time())
        headers = {"Content-Type": "application/json", "Idempotency-Key": alert,
                   "X-Diplowatch-Attempt": str(attempt), "X-Diplowatch-Timestamp": str(stamp),
                   "User-Agent": "diplowatch-alerts/0.1"}
        if secret:
            headers["X-Diplowatch-Signature"] = sign(data, secret, stamp)
        _post(arg, data, headers, settings, policy.timeout)


def deliver(kb: KnowledgeBase, *, alert_ids: list[str] | None = None, now: dt.datetime | None = None,
            policy: DeliveryPolicy | None = None, settings: Any = None,
            stdout: IO[str] | None = None) -> DeliveryReport:
    """Send every due outbox row once (see the module docstring).

    Args:
        kb: an open :class:`~diplowatch.store.KnowledgeBase`.
        alert_ids: only the rows of these alerts; ``None``: every due row.
        now: the current time (tests move it forward); ``None``: the clock.
        policy: backoff, attempts and timeout (default :class:`DeliveryPolicy`).
        settings: :class:`~diplowatch.ingest.IngestSettings` for the webhook
            guard (default: from the environment, ``$DIPLOWATCH_ALLOW_HOSTS``).
        stdout: stream of the ``stdout`` channel (default ``sys.stdout``).

    Returns:
        A :class:`DeliveryReport`.

    Raises:
        StoreError, SQLAlchemyError: the outbox cannot be read or updated.
        ConfigurationError: invalid ``DIPLOWATCH_*`` fetch settings.
    """
    from diplowatch.ingest.settings import IngestSettings

    policy = policy or DeliveryPolicy()
    settings = settings or IngestSettings.from_env()
    stdout = stdout or sys.stdout
    t = _now(now)
    o = ALERT_OUTBOX.c
    q = (select(o.id, o.alert_id, o.channel, o.attempts, ALERTS.c.payload, WATCH_RULES.c.secret)
         .join(ALERTS, ALERTS.c.id == o.alert_id)
         .outerjoin(WATCH_RULES, WATCH_RULES.c.name == ALERTS.c.rule)
         .where(o.status == "pending", o.next_attempt_at <= _iso(t))
         .order_by(o.next_attempt_at, o.id))
    if alert_ids is not None:
        if not alert_ids:
            return DeliveryReport()
        q = q.where(o.alert_id.in_(list(alert_ids)))
    with kb.connect() as conn:
        rows = conn.execute(q).all()
    report = DeliveryReport()
    webhooks: list[tuple[Any, int]] = []
    for r in rows:
        attempt = r.attempts + 1
        with kb.transaction() as conn:  # claim this attempt
            claimed = conn.execute(
                update(ALERT_OUTBOX).where(o.id == r.id, o.status == "pending", o.attempts == r.attempts)
                .values(attempts=attempt,
                        next_attempt_at=_iso(t + dt.timedelta(seconds=policy.backoff(attempt))))).rowcount
        if claimed != 1:
            continue  # another deliverer took it
        if r.channel.startswith("webhook:"):
            webhooks.append((r, attempt))
            continue
        _record(kb, r, attempt, _attempt(r, attempt, settings, policy, stdout), policy, report)
    if webhooks:  # concurrently, bounded: a hanging receiver holds one worker, not the others' alerts
        with ThreadPoolExecutor(max_workers=max(1, min(policy.concurrency, len(webhooks))),
                                thread_name_prefix="diplowatch-webhook") as pool:
            futures = {pool.submit(_attempt, r, attempt, settings, policy, stdout): (r, attempt)
                       for r, attempt in webhooks}
            for fut in as_completed(futures):
                r, attempt = futures[fut]
                _record(kb, r, attempt, fut.result(), policy, report)
    report.pending = _pending(kb, alert_ids)
    return report


def _pending(kb: KnowledgeBase, alert_ids: list[str] | None) -> int:
    """Outbox rows still ``pending`` (of ``alert_ids`` when given)."""
    o = ALERT_OUTBOX.c
    q = select(func.count()).select_from(ALERT_OUTBOX).where(o.status == "pending")
    if alert_ids is not None:
        q = q.where(o.alert_id.in_(list(alert_ids)))
    with kb.connect() as conn:
        return int(conn.execute(q).scalar_one())


def _attempt(r: Any, attempt: int, settings: Any, policy: DeliveryPolicy,
             stdout: IO[str]) -> DiplowatchError | None:
    """Send one claimed outbox row; the failure, or ``None`` on success."""
    try:
        _send(r.channel, r.payload, r.alert_id, r.secret, attempt, settings=settings, policy=policy,
              stdout=stdout)
    except DiplowatchError as exc:
        return exc
    return None


def _record(kb: KnowledgeBase, r: Any, attempt: int, failure: DiplowatchError | None, policy: DeliveryPolicy,
            report: DeliveryReport) -> None:
    """Write the outcome of one attempt into the outbox and count it in ``report``."""
    o = ALERT_OUTBOX.c
    if failure is None:
        with kb.transaction() as conn:
            conn.execute(update(ALERT_OUTBOX).where(o.id == r.id)
                         .values(status="delivered", delivered_at=_iso(_now(None)), last_error=None))
        report.delivered += 1
        return
    error = str(failure)
    gave_up = attempt >= policy.max_attempts or getattr(failure, "permanent", False)
    with kb.transaction() as conn:
        conn.execute(update(ALERT_OUTBOX).where(o.id == r.id)
                     .values(status="failed" if gave_up else "pending", last_error=error[:2000]))
    report.errors.append((r.alert_id, r.channel, error))
    if gave_up:
        report.failed += 1
    else:
        report.retrying += 1


def deliver_loop(kb: KnowledgeBase, *, interval: float = 5.0, policy: DeliveryPolicy | None = None,
                 on_report: Callable[[DeliveryReport], None] | None = None,
                 stop: Callable[[], bool] | None = None) -> None:
    """Call :func:`deliver` every ``interval`` seconds until ``stop()`` is true (or Ctrl-C)."""
    while True:
        report = deliver(kb, policy=policy)
        if on_report is not None:
            on_report(report)
        if stop is not None and stop():
            return
        time.sleep(interval)


def list_alerts(kb: KnowledgeBase, *, since: dt.date | str | None = None, rule: str | None = None) -> list[AlertRecord]:
    """Alerts that fired, oldest first, with their deliveries.

    Args:
        kb: an open :class:`~diplowatch.store.KnowledgeBase`.
        since: a ``date`` or ISO ``YYYY-MM-DD``: alerts that fired on or after that day (UTC).
        rule: only the alerts of this rule.

    Raises:
        ValueError: ``since`` is not an ISO date.
    """
    a, o = ALERTS.c, ALERT_OUTBOX.c
    q = select(ALERTS)
    if since is not None:
        day = since if isinstance(since, dt.date) else dt.date.fromisoformat(str(since).strip())
        q = q.where(a.created_at >= day.isoformat())
    if rule is not None:
        q = q.where(a.rule == rule)
    q = q.order_by(a.created_at, a.id)
    with kb.connect() as conn:
        rows = conn.execute(q).mappings().all()
        ids = [r["id"] for r in rows]
        outbox: dict[str, list[Delivery]] = {}
        for i in range(0, len(ids), 500):
            for d in conn.execute(select(ALERT_OUTBOX).where(o.alert_id.in_(ids[i:i + 500])).order_by(o.id)):
                outbox.setdefault(d.alert_id, []).append(Delivery(d.channel, d.status, d.attempts,
                                                                  d.next_attempt_at, d.last_error, d.delivered_at))
    return [AlertRecord(id=r["id"], rule=r["rule"], event=r["event"], observer=r["observer"], target=r["target"],
                        facet=r["facet"], old=r["old"], new=r["new"], date=r["date"], n_sources=r["n_sources"],
                        created_at=r["created_at"], deliveries=tuple(outbox.get(r["id"], ())),
                        payload=json.loads(r["payload"])) for r in rows]
