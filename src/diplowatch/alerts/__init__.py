"""Watch rules and alerts: "tell me when another state recognises the Taliban government" (issue 7).

- :mod:`~diplowatch.alerts.rules`: :class:`Rule`, stored in the knowledge base
  (``add_rule``, ``list_rules``, ``remove_rule``, ``load_rules`` from TOML/YAML).
- :mod:`~diplowatch.alerts.evaluate`: run by the write path of every ingest
  (:class:`diplowatch.write.Writer`) inside the transaction that stores
  events; rules match state transitions, and each (rule, transition) fires
  once (the alert id is its idempotency key).
- :mod:`~diplowatch.alerts.deliver`: the outbox, delivered at least once to
  stdout, a JSON Lines file or a signed webhook, with exponential backoff;
  ``list_alerts`` for what fired.
"""

from __future__ import annotations

from diplowatch.alerts.deliver import (
    AlertRecord, Delivery, DeliveryError, DeliveryPolicy, DeliveryReport, deliver, deliver_loop, list_alerts, sign,
)
from diplowatch.alerts.evaluate import alert_id, evaluate
from diplowatch.alerts.rules import (
    Rule, add_rule, get_rule, list_rules, load_rules, parse_channel, read_rules_file, remove_rule,
)

__all__ = ["AlertRecord", "Delivery", "DeliveryError", "DeliveryPolicy", "DeliveryReport", "Rule", "add_rule",
           "alert_id", "deliver", "deliver_loop", "evaluate", "get_rule", "list_alerts", "list_rules",
           "load_rules", "parse_channel", "read_rules_file", "remove_rule", "sign"]
