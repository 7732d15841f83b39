"""Scoring of extracted events against gold events (DESIGN §7).

Scoring is over sets of keys ``(doc, event, source, target)`` where source and
target are ISO 3166-1 alpha-3 codes or ``None``:

* event ``other`` is left out;
* for the mutual events of :data:`diplowatch.ontology.MUTUAL_EVENTS`
  (establish, restore, break relations) the pair is unordered;
* a gold role that is ``None`` is not compared (gold ``(d, e, KAZ, None)``
  matches any predicted ``(d, e, KAZ, *)``); a predicted ``None`` only matches
  a gold ``None``;
* precision = asserted predicted keys that match an asserted gold key / all
  asserted predicted keys; recall = asserted gold keys matched by some asserted
  predicted key / all asserted gold keys;
* false-event rate = gold keys marked negated or hypothetical (and not also
  asserted) that an asserted prediction matches / all such keys. A prediction
  that already matches an asserted gold key is not a false event, even if a
  wildcard hedged key matches it too;
* date accuracy = among matched asserted gold keys with a gold date, the share
  where some matching predicted date agrees at the gold's precision (gold
  ``2023`` accepts ``2023-05-02``; gold ``2024-01-30`` needs that day).

Only the documents evaluated count: pass their ids as ``docs``.

Positions (ontology kind ``position``: ``call_for_engagement``,
``call_for_isolation``, ``appeal``, ``demand``; issue 17) are scored only when
the gold annotates them, that is when some gold row has a position type. A gold
set made before positions were part of the ontology (``../shared/eval/dev``,
``dev2``) is silent on them, not saying they are absent: a predicted position is
then neither right nor wrong, and is left out of every count.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from diplowatch.errors import InputError
from diplowatch.model import POLARITIES, Event
from diplowatch.ontology import MUTUAL_EVENTS, POSITION_EVENTS

__all__ = ["DocMisses", "EventRow", "Key", "Score", "date_agrees", "event_key", "gold_key",
           "load_gold", "render_score", "score"]

Key = tuple[str, str, str | None, str | None]
"""A scoring key ``(doc, event, source ISO3 or None, target ISO3 or None)``."""

EXCLUDED_EVENTS: frozenset[str] = frozenset({"other"})
HEDGED: frozenset[str] = frozenset({"negated", "hypothetical"})
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


# --------------------------------------------------------------------------- loading

def load_gold(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read gold events from a JSON Lines file.

    Args:
        path: file with one object per line: ``{"doc", "event", "source",
            "target", "polarity", "date", ...}``; ``source``/``target`` ISO3
            strings or null; ``polarity`` one of asserted, negated,
            hypothetical; ``date`` ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or null.
            Blank lines are skipped; other fields are kept as they are.

    Returns:
        The rows, in file order.

    Raises:
        InputError: the file is missing, unreadable, not UTF-8 or holds no
            rows, or a line is not JSON, not an object or has a missing or
            malformed field (the error names the file and the line).
    """
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
    rows: list[dict[str, Any]] = []
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(source, f"invalid UTF-8 at byte offset {exc.start} of the line",
                             lineno) from None
        try:
            row = json.loads(text.lstrip("\ufeff"))
        except json.JSONDecodeError as exc:
            raise InputError(source, f"not valid JSON: {exc.msg} at column {exc.colno}",
                             lineno) from None
        problem = _gold_problem(row)
        if problem:
            raise InputError(source, problem, lineno)
        rows.append(row)
    if not rows:
        raise InputError(source, "no gold rows (empty file)")
    return rows


def _gold_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return f"expected a JSON object, got {type(row).__name__}"
    for name in ("doc", "event"):
        if not isinstance(row.get(name), str) or not row[name]:
            return f'field "{name}" must be a non-empty string'
    for name in ("source", "target"):
        if row.get(name) is not None and not isinstance(row[name], str):
            return f'field "{name}" must be an ISO3 string or null'
    if row.get("polarity") not in POLARITIES:
        return f'field "polarity" must be one of {", ".join(POLARITIES)}'
    date = row.get("date")
    if date is not None and not (isinstance(date, str) and _DATE.fullmatch(date)):
        return 'field "date" must be YYYY, YYYY-MM, YYYY-MM-DD or null'
    return None


# --------------------------------------------------------------------------- keys

def _code(value: Any) -> str | None:
    """ISO3 code of a gold string or a predicted actor dict (its ``state``)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("state")
        if value is None:
            return None
    code = str(value).strip().upper()
    return code or None


def _canon(doc: str, event: str, src: str | None, tgt: str | None) -> Key:
    if event in MUTUAL_EVENTS:
        a, b = sorted((src, tgt), key=lambda x: (x is None, x or ""))
        return (doc, event, a, b)
    return (doc, event, src, tgt)


def gold_key(row: Mapping[str, Any]) -> Key:
    """Scoring key of a gold row (mutual events with a canonical pair order).

    Args:
        row: gold row with ``doc``, ``event``, ``source``, ``target`` (ISO3 or None).

    Returns:
        ``(doc, event, source, target)``.
    """
    return _canon(str(row["doc"]), str(row["event"]), _code(row.get("source")),
                  _code(row.get("target")))


def event_key(ev: Mapping[str, Any] | Event) -> Key:
    """Scoring key of a predicted event (DESIGN §2 dict or :class:`Event`).

    The source and target codes are the actors' ``state`` fields.

    Returns:
        ``(doc, event, source state, target state)``.
    """
    d = ev.to_dict() if isinstance(ev, Event) else ev
    return _canon(str(d["doc"]), str(d["event"]), _code(d.get("source")), _code(d.get("target")))


def _role_ok(gold: str | None, pred: str | None) -> bool:
    return gold is None or gold == pred


def _matches(g: Key, p: Key) -> bool:
    """Does predicted key ``p`` match gold key ``g`` (gold None = not compared)?"""
    if g[0] != p[0] or g[1] != p[1]:
        return False
    if _role_ok(g[2], p[2]) and _role_ok(g[3], p[3]):
        return True
    return g[1] in MUTUAL_EVENTS and _role_ok(g[2], p[3]) and _role_ok(g[3], p[2])


def date_agrees(gold: str, predicted: str | None) -> bool:
    """Does ``predicted`` agree with ``gold`` at the gold's precision?

    Args:
        gold: ISO 8601 ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
        predicted: ISO 8601 date at any precision (a date-time keeps its date
            part), or ``None``.

    Returns:
        True when the predicted date is at least as precise as the gold and
        equal on the gold's components (gold ``2023`` accepts ``2023-05-02``;
        gold ``2024-01`` rejects ``2024``).
    """
    if not predicted:
        return False
    pred = predicted.strip()[:10]
    if not _DATE.fullmatch(pred) or not _DATE.fullmatch(gold):
        return False
    return len(pred) >= len(gold) and pred[:len(gold)] == gold


# --------------------------------------------------------------------------- score

@dataclass(frozen=True, slots=True)
class EventRow:
    """Figures for one event type.

    Attributes:
        event: event type.
        gold: distinct asserted gold keys.
        predicted: distinct asserted predicted keys.
        tp: predicted keys that match a gold key (precision numerator).
        found: gold keys matched (recall numerator; differs from ``tp`` only
            where a gold role is null and several predictions match it).
        precision, recall, f1: ratios in 0..1 (0.0 when undefined).
    """

    event: str
    gold: int
    predicted: int
    tp: int
    found: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class DocMisses:
    """Errors in one document.

    Attributes:
        doc: document id.
        missed: asserted gold keys no prediction matched.
        spurious: asserted predicted keys matching no asserted gold key.
        false_events: hedged gold keys predicted as asserted.
    """

    doc: str
    missed: list[Key]
    spurious: list[Key]
    false_events: list[Key] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Score:
    """Result of :func:`score`.

    Attributes:
        precision, recall, f1: 0..1 (0.0 when the denominator is zero).
        false_event_rate: 0..1, or ``None`` when the gold has no hedged key.
        date_accuracy: 0..1, or ``None`` when no matched gold key has a date.
        counts: ``gold`` (asserted gold keys), ``predicted`` (asserted predicted
            keys), ``tp`` (predicted keys matched), ``fp``, ``found`` (gold keys
            matched), ``fn``, ``hedged`` (negated/hypothetical gold keys not
            also asserted), ``false_events``, ``dated`` (matched gold keys with
            a date), ``date_correct``, ``n`` (documents evaluated).
        per_event: one :class:`EventRow` per event type seen in gold or
            predictions, in name order.
        per_doc: one :class:`DocMisses` per document with any error, by doc id.
    """

    precision: float
    recall: float
    f1: float
    false_event_rate: float | None
    date_accuracy: float | None
    counts: dict[str, int]
    per_event: list[EventRow]
    per_doc: list[DocMisses]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; keys become ``{"doc", "event", "source", "target"}`` objects."""
        def k(key: Key) -> dict[str, Any]:
            return dict(zip(("doc", "event", "source", "target"), key, strict=True))
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "false_event_rate": self.false_event_rate,
            "date_accuracy": self.date_accuracy,
            "counts": dict(self.counts),
            "per_event": [asdict(r) for r in self.per_event],
            "per_doc": [{"doc": d.doc, "missed": [k(x) for x in d.missed],
                         "spurious": [k(x) for x in d.spurious],
                         "false_events": [k(x) for x in d.false_events]} for d in self.per_doc],
        }


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _sort_key(key: Key) -> tuple[str, str, str, str]:
    return (key[0], key[1], key[2] or "", key[3] or "")


def score(gold: Iterable[Mapping[str, Any]], predicted: Iterable[Mapping[str, Any] | Event],
          docs: Iterable[str] | None = None) -> Score:
    """Score predicted events against gold rows (DESIGN §7; see the module doc).

    Args:
        gold: gold rows as from :func:`load_gold` (``source``/``target`` ISO3 or None).
        predicted: DESIGN §2 event dicts (or :class:`Event` objects); their
            actors' ``state`` is the code compared; a missing ``polarity`` counts
            as asserted.
        docs: ids of the documents evaluated; gold rows and predictions of
            other documents are ignored. ``None``: every document in gold or
            predictions.

    Returns:
        A :class:`Score`.
    """
    gold_rows = list(gold)
    preds = [p.to_dict() if isinstance(p, Event) else p for p in predicted]
    doc_set = (set(docs) if docs is not None
               else {str(r["doc"]) for r in gold_rows} | {str(p["doc"]) for p in preds})

    g_asserted: dict[Key, list[str]] = {}  # key -> gold dates
    g_hedged: set[Key] = set()
    for row in gold_rows:
        if row.get("event") in EXCLUDED_EVENTS or str(row.get("doc")) not in doc_set:
            continue
        key = gold_key(row)
        if row.get("polarity", "asserted") == "asserted":
            dates = g_asserted.setdefault(key, [])
            if row.get("date"):
                dates.append(str(row["date"]))
        elif row.get("polarity") in HEDGED:
            g_hedged.add(key)
    g_hedged -= g_asserted.keys()
    unscored = EXCLUDED_EVENTS if any(r.get("event") in POSITION_EVENTS for r in gold_rows) \
        else EXCLUDED_EVENTS | POSITION_EVENTS

    p_asserted: dict[Key, list[str | None]] = {}  # key -> predicted dates
    for ev in preds:
        if ev.get("event") in unscored or str(ev.get("doc")) not in doc_set:
            continue
        if (ev.get("polarity") or "asserted") != "asserted":
            continue
        p_asserted.setdefault(event_key(ev), []).append(ev.get("date"))

    # Matching, indexed by (doc, event) to keep it linear in practice.
    by_de: dict[tuple[str, str], list[Key]] = {}
    for pk in p_asserted:
        by_de.setdefault(pk[:2], []).append(pk)
    gold_match: dict[Key, list[Key]] = {
        gk: [pk for pk in by_de.get(gk[:2], []) if _matches(gk, pk)] for gk in g_asserted}
    matched_preds = {pk for pks in gold_match.values() for pk in pks}
    found = {gk for gk, pks in gold_match.items() if pks}

    unjustified = {pk for pk in p_asserted if pk not in matched_preds}
    false_events = {hk for hk in g_hedged
                    if any(_matches(hk, pk) for pk in by_de.get(hk[:2], []) if pk in unjustified)}

    dated = date_ok = 0
    for gk in found:
        gdates = g_asserted[gk]
        if not gdates:
            continue
        dated += 1
        pdates = [d for pk in gold_match[gk] for d in p_asserted[pk]]
        if any(date_agrees(gd, pd) for gd in gdates for pd in pdates):
            date_ok += 1

    tp, n_pred, n_gold = len(matched_preds), len(p_asserted), len(g_asserted)
    precision, recall = _ratio(tp, n_pred), _ratio(len(found), n_gold)

    rows = []
    for name in sorted({k[1] for k in g_asserted} | {k[1] for k in p_asserted}):
        eg = sum(1 for k in g_asserted if k[1] == name)
        ep = sum(1 for k in p_asserted if k[1] == name)
        etp = sum(1 for k in matched_preds if k[1] == name)
        efound = sum(1 for k in found if k[1] == name)
        ep_, er_ = _ratio(etp, ep), _ratio(efound, eg)
        rows.append(EventRow(name, eg, ep, etp, efound, ep_, er_, _f1(ep_, er_)))

    per_doc = []
    for doc in sorted(doc_set):
        missed = sorted((k for k in g_asserted if k[0] == doc and k not in found), key=_sort_key)
        spur = sorted((k for k in unjustified if k[0] == doc), key=_sort_key)
        fev = sorted((k for k in false_events if k[0] == doc), key=_sort_key)
        if missed or spur or fev:
            per_doc.append(DocMisses(doc, missed, spur, fev))

    counts = {"gold": n_gold, "predicted": n_pred, "tp": tp, "fp": n_pred - tp,
              "found": len(found), "fn": n_gold - len(found), "hedged": len(g_hedged),
              "false_events": len(false_events), "dated": dated, "date_correct": date_ok,
              "n": len(doc_set)}
    return Score(
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        false_event_rate=len(false_events) / len(g_hedged) if g_hedged else None,
        date_accuracy=date_ok / dated if dated else None,
        counts=counts,
        per_event=rows,
        per_doc=per_doc,
    )


# --------------------------------------------------------------------------- render

def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _key_text(key: Key) -> str:
    return f"{key[1]}({key[2] or '∅'} → {key[3] or '∅'})"


def render_score(score: Score, console: Any, *, misses: bool = True) -> None:
    """Print a score with Rich: per-event table, per-document misses, overall line.

    Args:
        score: result of :func:`score`.
        console: a :class:`rich.console.Console`.
        misses: also print the per-document table of missed, spurious and
            false events.

    The overall line reads ``precision P recall R F1 F false-event rate X date
    accuracy D`` (three decimals, ``n/a`` when undefined).
    """
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Per event type")
    for col in ("event", "gold", "predicted", "tp", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "event" else "right")
    for r in score.per_event:
        table.add_row(r.event, str(r.gold), str(r.predicted), str(r.tp),
                      _fmt(r.precision), _fmt(r.recall), _fmt(r.f1))
    console.print(table)
    if misses and score.per_doc:
        mt = Table(title="Per document errors")
        for col in ("doc", "missed", "spurious", "false events"):
            mt.add_column(col)
        for d in score.per_doc:
            mt.add_row(escape(d.doc), escape("\n".join(map(_key_text, d.missed))),
                       escape("\n".join(map(_key_text, d.spurious))),
                       escape("\n".join(map(_key_text, d.false_events))))
        console.print(mt)
    c = score.counts
    console.print(
        f"precision {_fmt(score.precision)} recall {_fmt(score.recall)} F1 {_fmt(score.f1)} "
        f"false-event rate {_fmt(score.false_event_rate)} "
        f"date accuracy {_fmt(score.date_accuracy)}",
        markup=False, highlight=False)
    console.print(
        f"(docs {c['n']}; gold keys {c['gold']}, predicted {c['predicted']}, tp {c['tp']}, "
        f"fp {c['fp']}, fn {c['fn']}; false events {c['false_events']}/{c['hedged']}; "
        f"dates {c['date_correct']}/{c['dated']})",
        markup=False, highlight=False)
