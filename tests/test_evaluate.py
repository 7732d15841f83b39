"""Scoring (DESIGN §7) on hand-made gold and predictions, with exact figures."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from diplowatch.errors import InputError
from diplowatch.evaluate import date_agrees, load_gold, render_score, score
from diplowatch.model import Actor, Event, Evidence


def g(doc, event, source, target, polarity="asserted", date=None):
    return {"doc": doc, "event": event, "source": source, "target": target,
            "polarity": polarity, "date": date}


def actor(code, kind="state"):
    if code is None:
        return None
    if isinstance(code, tuple):  # (id, state)
        return {"id": code[0], "name": code[0], "kind": "organization", "state": code[1]}
    return {"id": code, "name": code, "kind": kind, "state": code}


def p(doc, event, source, target, polarity="asserted", date=None):
    return {"id": "ev_x", "doc": doc, "event": event, "source": actor(source),
            "target": actor(target), "polarity": polarity, "date": date,
            "date_precision": None, "cameo": "", "plover": "",
            "evidence": {"text": "", "start": 0, "end": 0}}


GOLD = [
    g("d1", "recognize_government", "RUS", "AFG", date="2025-07-03"),
    g("d1", "accredit_ambassador", "CHN", "AFG", date="2024-01"),
    g("d1", "open_embassy", "CHN", "AFG"),
    g("d1", "recognize_government", None, "AFG", "negated"),
    g("d1", "recognize_government", "CHN", "AFG", "hypothetical"),
    g("d2", "break_relations", "DZA", "MAR", date="2021"),
    g("d2", "designate_organization", "KAZ", None, date=None),
    g("d2", "other", "DZA", "FRA"),
    g("d3", "expel_diplomats", "POL", "RUS", date="2022-04-04"),  # d3 not evaluated
]

PRED = [
    p("d1", "recognize_government", "RUS", "AFG", date="2025-07-03"),   # tp, date ok
    p("d1", "recognize_government", "RUS", "AFG", date="2025-07-03"),   # duplicate key
    p("d1", "accredit_ambassador", "CHN", "AFG", date="2024-02-01"),    # tp, date wrong
    p("d1", "recognize_government", "CHN", "AFG"),                      # fp + false events
    p("d1", "praise", "USA", "AFG", "hypothetical"),                    # not asserted: ignored
    p("d2", "break_relations", "MAR", "DZA", date="2021-08-24"),        # tp (unordered), date ok
    p("d2", "designate_organization", "KAZ", ("ORG:taliban", None)),    # tp (null gold target)
    p("d2", "other", "DZA", "FRA"),                                     # excluded
    p("d2", "high_level_talks", "DZA", "FRA"),                          # fp
    p("d3", "expel_diplomats", "POL", "RUS"),                           # doc not evaluated
]


def test_overall_figures():
    s = score(GOLD, PRED, docs=["d1", "d2"])
    assert s.counts == {"gold": 5, "predicted": 6, "tp": 4, "fp": 2, "found": 4, "fn": 1,
                        "hedged": 2, "false_events": 2, "dated": 3, "date_correct": 2, "n": 2}
    assert s.precision == pytest.approx(4 / 6)
    assert s.recall == pytest.approx(4 / 5)
    assert s.f1 == pytest.approx(16 / 22)
    assert s.false_event_rate == 1.0
    assert s.date_accuracy == pytest.approx(2 / 3)


def test_per_event_rows():
    s = score(GOLD, PRED, docs=["d1", "d2"])
    rows = {r.event: r for r in s.per_event}
    assert set(rows) == {"accredit_ambassador", "break_relations", "designate_organization",
                         "high_level_talks", "open_embassy", "recognize_government"}
    rg = rows["recognize_government"]
    assert (rg.gold, rg.predicted, rg.tp, rg.found) == (1, 2, 1, 1)
    assert (rg.precision, rg.recall, rg.f1) == (0.5, 1.0, pytest.approx(2 / 3))
    oe = rows["open_embassy"]
    assert (oe.gold, oe.predicted, oe.tp, oe.precision, oe.recall, oe.f1) == (1, 0, 0, 0.0, 0.0, 0.0)
    hl = rows["high_level_talks"]
    assert (hl.gold, hl.predicted, hl.tp, hl.precision, hl.recall) == (0, 1, 0, 0.0, 0.0)
    assert rows["break_relations"].tp == 1


def test_per_document_misses():
    s = score(GOLD, PRED, docs=["d1", "d2"])
    by_doc = {d.doc: d for d in s.per_doc}
    assert set(by_doc) == {"d1", "d2"}
    assert by_doc["d1"].missed == [("d1", "open_embassy", "CHN", "AFG")]
    assert by_doc["d1"].spurious == [("d1", "recognize_government", "CHN", "AFG")]
    assert by_doc["d1"].false_events == [("d1", "recognize_government", None, "AFG"),
                                         ("d1", "recognize_government", "CHN", "AFG")]
    assert by_doc["d2"].missed == []
    assert by_doc["d2"].spurious == [("d2", "high_level_talks", "DZA", "FRA")]


def test_docs_default_is_every_doc_seen():
    s = score(GOLD, PRED)
    assert s.counts["n"] == 3
    assert s.counts["gold"] == 6 and s.counts["predicted"] == 7 and s.counts["tp"] == 5
    assert s.counts["dated"] == 4 and s.counts["date_correct"] == 2  # d3 predicted no date


def test_mutual_pair_is_unordered_other_pairs_are_not():
    gold = [g("d", "establish_relations", "SAU", "IRN"), g("d", "recall_ambassador", "SAU", "IRN")]
    pred = [p("d", "establish_relations", "IRN", "SAU"), p("d", "recall_ambassador", "IRN", "SAU")]
    s = score(gold, pred, docs=["d"])
    assert (s.counts["tp"], s.counts["fp"], s.counts["fn"]) == (1, 1, 1)
    assert s.precision == 0.5 and s.recall == 0.5
    # both orders predicted: one distinct key after canonicalisation
    s = score(gold[:1], [p("d", "restore_relations", "A", "B"), p("d", "restore_relations", "B", "A"),
                         p("d", "establish_relations", "IRN", "SAU"),
                         p("d", "establish_relations", "SAU", "IRN")], docs=["d"])
    assert s.counts["predicted"] == 2 and s.counts["tp"] == 1


def test_null_gold_role_is_not_compared():
    gold = [g("d", "designate_organization", "KAZ", None),
            g("d", "recognize_state", None, "PSE"),
            g("d", "break_relations", None, "ISR")]
    pred = [p("d", "designate_organization", "KAZ", "AFG"),
            p("d", "designate_organization", "KAZ", ("ORG:hamas", None)),
            p("d", "designate_organization", "RUS", None),     # source differs: fp
            p("d", "recognize_state", "ESP", "PSE"),
            p("d", "break_relations", "ISR", "BOL")]          # mutual + null role, swapped
    s = score(gold, pred, docs=["d"])
    assert s.counts["gold"] == 3 and s.counts["found"] == 3 and s.recall == 1.0
    assert s.counts["predicted"] == 5 and s.counts["tp"] == 4
    assert s.precision == pytest.approx(4 / 5)


def test_null_predicted_role_does_not_match_a_gold_state():
    s = score([g("d", "recall_ambassador", "FRA", "NER")],
              [p("d", "recall_ambassador", "FRA", None)], docs=["d"])
    assert s.counts["tp"] == 0 and s.recall == 0.0 and s.precision == 0.0 and s.f1 == 0.0


def test_false_event_rate():
    gold = [
        g("d", "recognize_state", "DEU", "PSE", "hypothetical"),   # predicted asserted: false
        g("d", "recognize_state", "FRA", "PSE", "hypothetical"),   # predicted hypothetical: fine
        g("d", "recognize_state", "ITA", "PSE", "negated"),        # not predicted: fine
        g("d", "recognize_state", "ESP", "PSE", "hypothetical"),   # also asserted: not counted
        g("d", "recognize_state", "ESP", "PSE", "asserted"),
        g("d", "recognize_state", None, "XKX", "negated"),         # any source asserted: false
    ]
    pred = [
        p("d", "recognize_state", "DEU", "PSE"),
        p("d", "recognize_state", "FRA", "PSE", "hypothetical"),
        p("d", "recognize_state", "ESP", "PSE"),
        p("d", "recognize_state", "SRB", "XKX"),
    ]
    s = score(gold, pred, docs=["d"])
    assert s.counts["hedged"] == 4
    assert s.counts["false_events"] == 2
    assert s.false_event_rate == 0.5
    assert s.precision == pytest.approx(1 / 3) and s.recall == 1.0


def test_prediction_matching_asserted_gold_is_not_a_false_event():
    gold = [g("d", "recognize_government", None, "AFG", "negated"),
            g("d", "recognize_government", "RUS", "AFG", "asserted")]
    s = score(gold, [p("d", "recognize_government", "RUS", "AFG")], docs=["d"])
    assert s.counts["false_events"] == 0 and s.false_event_rate == 0.0
    assert s.precision == 1.0


def test_no_hedged_gold_gives_no_rate():
    s = score([g("d", "praise", "USA", "FRA")], [], docs=["d"])
    assert s.false_event_rate is None and s.date_accuracy is None
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("gold, pred, ok", [
    ("2023", "2023-05-02", True),
    ("2023", "2023", True),
    ("2023", "2024-01-01", False),
    ("2024-01", "2024-01-30", True),
    ("2024-01", "2024", False),
    ("2024-01-30", "2024-01-30", True),
    ("2024-01-30", "2024-01-30T10:00:00Z", True),
    ("2024-01-30", "2024-01-31", False),
    ("2024-01-30", "2024-01", False),
    ("2024-01-30", None, False),
    ("2024-01-30", "", False),
    ("2024-01-30", "Tuesday", False),
])
def test_date_agrees(gold, pred, ok):
    assert date_agrees(gold, pred) is ok


def test_date_accuracy_at_gold_precision():
    gold = [g("d", "recall_ambassador", "A", "B", date="2023"),
            g("d", "recall_ambassador", "B", "A", date="2024-01-30"),
            g("d", "expel_diplomats", "A", "B", date="2024-01"),
            g("d", "expel_diplomats", "B", "A", date=None)]       # undated: not counted
    pred = [p("d", "recall_ambassador", "A", "B", date="2023-05-02"),
            p("d", "recall_ambassador", "B", "A", date="2024-01"),
            p("d", "expel_diplomats", "A", "B", date="2024-01-15"),
            p("d", "expel_diplomats", "B", "A", date="1999")]
    s = score(gold, pred, docs=["d"])
    assert s.counts["dated"] == 3 and s.counts["date_correct"] == 2
    assert s.date_accuracy == pytest.approx(2 / 3)


def test_event_objects_are_accepted():
    ev = Event(id="ev_1", doc="d", event="recognize_government",
               source=Actor("RUS", "Russia", "state", "RUS"),
               target=Actor("AFG:taliban", "Taliban government", "government", "AFG"),
               polarity="asserted", date="2025-07-03", date_precision="day", cameo="054",
               plover="SUPPORT", evidence=Evidence("x", 0, 1))
    s = score([g("d", "recognize_government", "RUS", "AFG", date="2025-07")], [ev], docs=["d"])
    assert s.f1 == 1.0 and s.date_accuracy == 1.0


def test_to_dict_is_json():
    d = score(GOLD, PRED, docs=["d1", "d2"]).to_dict()
    again = json.loads(json.dumps(d))
    assert again["counts"]["tp"] == 4
    assert again["per_doc"][0]["missed"] == [
        {"doc": "d1", "event": "open_embassy", "source": "CHN", "target": "AFG"}]
    assert {r["event"] for r in again["per_event"]} >= {"open_embassy"}


def test_render_score():
    buf = io.StringIO()
    render_score(score(GOLD, PRED, docs=["d1", "d2"]), Console(file=buf, width=200))
    out = buf.getvalue()
    assert ("precision 0.667 recall 0.800 F1 0.727 false-event rate 1.000 "
            "date accuracy 0.667") in out
    assert "recognize_government" in out and "open_embassy" in out


def test_render_score_undefined_rates():
    buf = io.StringIO()
    render_score(score([g("d", "praise", "USA", "FRA")], [], docs=["d"]), Console(file=buf))
    assert "false-event rate n/a date accuracy n/a" in buf.getvalue()


# --------------------------------------------------------------------------- load_gold

def test_load_gold(tmp_path):
    f = tmp_path / "gold.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in GOLD[:3]) + "\n\n", encoding="utf-8")
    assert load_gold(f) == GOLD[:3]


@pytest.mark.parametrize("line, reason", [
    ("{broken", "not valid JSON"),
    ("[1]", "object"),
    (json.dumps({"event": "praise", "polarity": "asserted"}), '"doc"'),
    (json.dumps({"doc": "d", "event": "praise", "polarity": "maybe"}), '"polarity"'),
    (json.dumps({"doc": "d", "event": "praise", "polarity": "asserted", "source": 3}), '"source"'),
    (json.dumps({"doc": "d", "event": "praise", "polarity": "asserted", "date": "30/01/2024"}),
     '"date"'),
])
def test_load_gold_broken_line(tmp_path, line, reason):
    f = tmp_path / "gold.jsonl"
    f.write_text(json.dumps(GOLD[0]) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_gold(f)
    assert exc.value.source == str(f) and exc.value.line == 2
    assert reason in exc.value.reason
    assert f"{f}:2:" in str(exc.value)


def test_load_gold_missing_and_empty(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_gold(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(InputError, match="empty"):
        load_gold(tmp_path / "empty.jsonl")
