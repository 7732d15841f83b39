"""Watch rules: what a user watches, and where to be told.

A :class:`Rule` names an event type (``recognize_government``), optionally a
target and a source (observer), a minimum number of independent sources, and
one or more channels:

- ``stdout``: one JSON line on standard output;
- ``jsonl:PATH``: one JSON line appended to ``PATH`` (made absolute when the
  rule is stored);
- ``webhook:URL``: an HTTP POST of the JSON body to an ``http(s)`` URL, signed
  with the rule's ``secret`` (see :mod:`diplowatch.alerts.deliver`).

Rules are kept in the knowledge base (table ``watch_rules``); they can be
loaded from a TOML or YAML file (:func:`read_rules_file`)::

    [[rule]]
    name = "taliban-recognition"
    event = "recognize_government"
    target = "AFG"
    min_sources = 2
    notify = ["stdout", "webhook:https://hooks.example/diplowatch"]
    secret = "s3cret"

(YAML: a list of such mappings, or a mapping with a ``rules`` list.)

A rule whose ``event`` is ``"stance"`` (:data:`STANCE`) watches instead an
observer's stance towards a target (:mod:`diplowatch.stance`): it fires when
new events change the observer's stance class (for example from ``isolating``
to ``engaging``), with the events that moved it (see
:mod:`diplowatch.alerts.stance`). ``min_sources`` is not used by such rules.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from diplowatch.errors import ConfigurationError, StoreError
from diplowatch.ontology import EVENT_TYPES, canonical_event, unknown_event_message
from diplowatch.state import LOG_FACETS, Transition
from diplowatch.store import KnowledgeBase
from diplowatch.store.watch import ALERT_OUTBOX, ALERTS, WATCH_RULES

__all__ = ["STANCE", "Rule", "add_rule", "check_webhook", "get_rule", "list_rules", "load_rules", "parse_channel",
           "read_rules_file", "remove_rule"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_FIELDS = ("name", "event", "target", "source", "min_sources", "notify", "secret")
STANCE = "stance"
"""The ``event`` of a rule that watches stance classes, not state transitions."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One watch rule.

    Attributes:
        name: unique name (letters, digits, ``_ . -``; at most 128).
        event: the event type watched (:data:`~diplowatch.ontology.EVENT_TYPES`);
            it must change relation state (not talks, praise or criticism).
            The rule matches a state transition of that event's facet to that
            event's value (``recognition`` → ``recognized`` for
            ``recognize_government``) supported by at least one event of that type.
        notify: channel specs (``stdout``, ``jsonl:PATH``, ``webhook:URL``).
        target: ISO3 code of the target state (every actor of that state
            counts: ``AFG``, ``AFG:taliban``, ``ORG:taliban``) or an actor id;
            ``None``: any target.
        source: the observer (ISO3 code, or the id of a body of no single
            state: ``UN``); ``None``: any observer.
        min_sources: fire only once the real-world event behind the
            transition has at least this many independent sources
            (``real_events.n_sources``); then fire once.
        secret: key of the ``X-Diplowatch-Signature`` HMAC of webhook bodies,
            or ``None`` (then no signature is sent).
        created_at: ISO 8601 UTC time stamp, set when stored.
    """

    name: str
    event: str
    notify: tuple[str, ...]
    target: str | None = None
    source: str | None = None
    min_sources: int = 1
    secret: str | None = field(default=None, repr=False)
    created_at: str | None = None

    @property
    def facet(self) -> str:
        """The relation-state facet the event changes (``recognition``); ``"stance"`` for a stance rule."""
        return STANCE if self.event == STANCE else EVENT_TYPES[self.event].facet

    @property
    def value(self) -> str:
        """The value the event sets (``recognized``); ``""`` for a stance rule (any change of class)."""
        return "" if self.event == STANCE else EVENT_TYPES[self.event].effect

    def matches(self, t: Transition, bucket: str) -> bool:
        """Whether transition ``t``, found folding events of target ``bucket``, is one this rule watches."""
        if t.facet != self.facet or t.new != self.value:
            return False
        if self.target is not None and self.target not in (bucket, t.target):
            return False
        if self.source is not None and t.observer != self.source:
            return False
        return any(s.event == self.event for s in t.events)

    def to_dict(self, *, secret: bool = False) -> dict[str, Any]:
        """JSON-ready dict; the secret is shown as ``"***"`` unless ``secret``."""
        d = asdict(self)
        d["notify"] = list(self.notify)
        if not secret and self.secret is not None:
            d["secret"] = "***"
        return d


def parse_channel(spec: str) -> tuple[str, str]:
    """Split and check a channel spec.

    Args:
        spec: ``stdout``, ``jsonl:PATH`` or ``webhook:URL``.

    Returns:
        ``(kind, argument)``: ``("stdout", "")``, ``("jsonl", path)`` or
        ``("webhook", url)``.

    Raises:
        ConfigurationError: an unknown kind, an empty path, or a URL that is
            not ``http(s)://host…``.
    """
    spec = (spec or "").strip()
    if spec == "stdout":
        return "stdout", ""
    kind, _, arg = spec.partition(":")
    kind, arg = kind.strip().lower(), arg.strip()
    if kind == "jsonl":
        if not arg:
            raise ConfigurationError(f"channel {spec!r}: jsonl needs a file, as in jsonl:alerts.jsonl")
        return "jsonl", arg
    if kind == "webhook":
        from diplowatch.ingest.fetch import RefusedURL, parse_url

        try:
            parse_url(arg)  # the one URL parser of fetching and delivery
        except RefusedURL as exc:
            raise ConfigurationError(f"channel {spec!r}: a webhook needs an http:// or https:// URL with a host "
                                     f"({exc.reason})") from None
        return "webhook", arg
    raise ConfigurationError(f"unknown channel {spec!r}: use stdout, jsonl:PATH or webhook:URL")


def check_webhook(url: str, settings: Any = None) -> None:
    """Refuse at ``watch add`` a webhook URL that delivery would refuse on every attempt.

    The check is the one every delivery makes (:func:`diplowatch.ingest.fetch.check_url`:
    http(s) with a host, every address the host resolves to public unless allowed by
    ``$DIPLOWATCH_ALLOW_HOSTS``). A host that does not resolve now is accepted: that may
    change, and delivery retries it.

    Args:
        url: the webhook URL.
        settings: :class:`~diplowatch.ingest.IngestSettings` with the allow-list
            (default: from the environment).

    Raises:
        ConfigurationError: the URL is refused; the message says why and, for
            an address that is not public, which ``$DIPLOWATCH_ALLOW_HOSTS``
            entry would allow it.
    """
    from diplowatch.ingest.fetch import FetchError, RefusedURL, check_url
    from diplowatch.ingest.settings import IngestSettings

    try:
        check_url(url, settings or IngestSettings.from_env())
    except RefusedURL as exc:
        raise ConfigurationError(f"channel webhook:{url}: {exc.reason}") from None
    except FetchError:
        pass


def _check(rule: Rule, settings: Any = None) -> Rule:
    """``rule`` validated and normalised (codes upper-cased, jsonl paths absolute); webhook
    addresses checked with ``settings`` (:func:`check_webhook`)."""
    if not isinstance(rule.name, str) or not _NAME.match(rule.name):
        raise ConfigurationError(f"rule name {rule.name!r}: use 1-128 letters, digits, '_', '.' or '-'")
    event = rule.event if rule.event == STANCE else (
        canonical_event(rule.event) if isinstance(rule.event, str) else None)
    if event is None:
        watchable = [n for n, t in EVENT_TYPES.items() if t.facet and t.facet not in LOG_FACETS]
        raise ConfigurationError(f"rule {rule.name}: {unknown_event_message(str(rule.event), watchable)} "
                                 f"(or {STANCE!r} to watch stance classes)")
    et = EVENT_TYPES.get(event)
    if et is not None and (not et.facet or et.facet in LOG_FACETS):
        raise ConfigurationError(f"rule {rule.name}: {rule.event} changes no relation state; "
                                 "watch an event such as recognize_government or break_relations, "
                                 f"or {STANCE!r} for changes of stance")
    if isinstance(rule.min_sources, bool) or not isinstance(rule.min_sources, int) or rule.min_sources < 1:
        raise ConfigurationError(f"rule {rule.name}: min_sources must be a whole number >= 1, "
                                 f"not {rule.min_sources!r}")
    notify = (rule.notify,) if isinstance(rule.notify, str) else tuple(rule.notify or ())
    if not notify:
        raise ConfigurationError(f"rule {rule.name}: give at least one channel to notify")
    channels = []
    for spec in notify:
        kind, arg = parse_channel(spec)
        if kind == "jsonl":
            spec = f"jsonl:{Path(arg).expanduser().resolve()}"
        elif kind == "webhook":
            check_webhook(arg, settings)
            spec = f"webhook:{arg}"
        channels.append(spec)
    codes = {}
    for name in ("target", "source"):
        value = getattr(rule, name)
        if value is not None:
            value = str(value).strip()
            value = value.upper() if _ISO3.match(value.upper()) else value
            if not value:
                value = None
        codes[name] = value
    if rule.secret is not None and (not isinstance(rule.secret, str) or not rule.secret.strip()):
        raise ConfigurationError(f"rule {rule.name}: an empty secret signs nothing; give a key, "
                                 "or leave the secret out to send unsigned webhooks")
    return replace(rule, event=event, notify=tuple(dict.fromkeys(channels)), **codes)


def _row(rule: Rule) -> dict[str, Any]:
    return {"name": rule.name, "event": rule.event, "target": rule.target, "source": rule.source,
            "min_sources": rule.min_sources, "notify": json.dumps(list(rule.notify)), "secret": rule.secret,
            "created_at": rule.created_at}


def rule_of_row(r: Any) -> Rule:
    """A :class:`Rule` from a ``watch_rules`` row (mapping)."""
    return Rule(name=r["name"], event=r["event"], notify=tuple(json.loads(r["notify"])), target=r["target"],
                source=r["source"], min_sources=r["min_sources"], secret=r["secret"], created_at=r["created_at"])


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def add_rule(kb: KnowledgeBase, rule: Rule, *, replace_existing: bool = False, settings: Any = None) -> Rule:
    """Validate and store a rule.

    Args:
        kb: an open :class:`~diplowatch.store.KnowledgeBase`.
        rule: the rule (``created_at`` is set here).
        replace_existing: replace a rule of the same name instead of failing.
        settings: :class:`~diplowatch.ingest.IngestSettings` whose allow-list
            webhook addresses are checked against (default: from the environment).

    Returns:
        The stored rule (normalised: ISO3 codes upper-case, jsonl paths absolute).

    Raises:
        ConfigurationError: the rule is invalid, or one of that name exists
            and ``replace_existing`` is false.
        StoreError: the database cannot be written.
    """
    rule = replace(_check(rule, settings), created_at=_now())
    try:
        with kb.transaction() as conn:
            exists = conn.execute(select(WATCH_RULES.c.name).where(WATCH_RULES.c.name == rule.name)).first()
            if exists and not replace_existing:
                raise ConfigurationError(f"a rule named {rule.name!r} exists; remove it first "
                                         "(diplowatch watch remove) or load a rules file to replace it")
            if exists:
                conn.execute(WATCH_RULES.delete().where(WATCH_RULES.c.name == rule.name))
            conn.execute(WATCH_RULES.insert().values(**_row(rule)))
    except ConfigurationError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot store rule {rule.name}: {exc}".splitlines()[0]) from exc
    return rule


def list_rules(kb: KnowledgeBase) -> list[Rule]:
    """Every stored rule, by name."""
    with kb.connect() as conn:
        return [rule_of_row(r) for r in conn.execute(select(WATCH_RULES).order_by(WATCH_RULES.c.name)).mappings()]


def get_rule(kb: KnowledgeBase, name: str) -> Rule | None:
    """The stored rule named ``name``, or ``None``."""
    with kb.connect() as conn:
        r = conn.execute(select(WATCH_RULES).where(WATCH_RULES.c.name == name)).mappings().first()
    return rule_of_row(r) if r else None


def remove_rule(kb: KnowledgeBase, name: str) -> bool:
    """Remove a rule; its undelivered alerts are marked ``cancelled`` (the alerts stay listed).

    Returns:
        ``True`` when a rule of that name existed.
    """
    with kb.transaction() as conn:
        gone = conn.execute(WATCH_RULES.delete().where(WATCH_RULES.c.name == name)).rowcount
        if gone:
            conn.execute(update(ALERT_OUTBOX)
                         .where(ALERT_OUTBOX.c.status == "pending",
                                ALERT_OUTBOX.c.alert_id.in_(select(ALERTS.c.id).where(ALERTS.c.rule == name)))
                         .values(status="cancelled", last_error="rule removed"))
    return bool(gone)


def read_rules_file(path: str | Path, *, settings: Any = None) -> list[Rule]:
    """Parse the rules of a TOML (``.toml``) or YAML (``.yaml``, ``.yml``) file (not validated yet).

    Accepted shapes: ``[[rule]]`` / ``[[rules]]`` arrays of tables, or a
    ``[rules.NAME]`` table per rule (TOML); a list of mappings or a mapping
    with a ``rules`` list (YAML). Keys: ``name``, ``event``, ``target``,
    ``source``, ``min_sources``, ``notify`` (a string or a list), ``secret``.

    Raises:
        ConfigurationError: the file cannot be read or parsed, has no rules,
            or a rule has an unknown key or no name.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        if p.suffix.lower() == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        elif p.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(raw.decode("utf-8"))
        else:
            raise ConfigurationError(f"{p}: rules files are .toml, .yaml or .yml")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigurationError(f"{p}: cannot parse: {exc}") from None
    except Exception as exc:  # yaml.YAMLError
        if isinstance(exc, ConfigurationError):
            raise
        raise ConfigurationError(f"{p}: cannot parse: {exc}".splitlines()[0]) from None
    items: Any
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = data.get("rule", data.get("rules"))
        if isinstance(items, dict):  # [rules.NAME] tables
            items = [{"name": k, **v} if isinstance(v, dict) else v for k, v in items.items()]
    else:
        items = None
    if not isinstance(items, list) or not items:
        raise ConfigurationError(f"{p}: no rules found (use [[rule]] tables, or a YAML list of rules)")
    rules = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ConfigurationError(f"{p}: rule {n} is not a table/mapping")
        unknown = sorted(set(item) - set(_FIELDS))
        if unknown:
            raise ConfigurationError(f"{p}: rule {n}: unknown key {unknown[0]!r} (keys: {', '.join(_FIELDS)})")
        if not item.get("name") or not item.get("event"):
            raise ConfigurationError(f"{p}: rule {n}: 'name' and 'event' are required")
        notify = item.get("notify", ())
        rules.append(Rule(name=str(item["name"]), event=str(item["event"]),
                          notify=(notify,) if isinstance(notify, str) else tuple(notify),
                          target=item.get("target"), source=item.get("source"),
                          min_sources=item.get("min_sources", 1), secret=item.get("secret")))
    for rule in rules:
        _check(rule, settings)  # refuse the whole file before storing any of it
    return rules


def load_rules(kb: KnowledgeBase, path: str | Path, *, settings: Any = None) -> list[Rule]:
    """Store every rule of a TOML or YAML file, replacing rules of the same names.

    ``settings`` as for :func:`add_rule`.

    Returns:
        The stored rules.

    Raises:
        ConfigurationError: see :func:`read_rules_file` and :func:`add_rule`
            (no rule is stored when any is invalid).
        StoreError: the database cannot be written.
    """
    rules = read_rules_file(path, settings=settings)
    return [add_rule(kb, r, replace_existing=True, settings=settings) for r in rules]
