"""Stance of observers towards a target (issue 17): the fold, its store read, CLI, API and alerts.

Sentences are invented. The seed and development-set tests read ``../shared/`` and
skip when it is absent.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.ontology import EVENT_TYPES, QUAD_CLASSES, goldstein
from diplowatch.stance import StanceRow, classify, stance, stance_row
from diplowatch.store import KnowledgeBase
from diplowatch.store.stance import stance_of, stance_rows

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed" / "000_2073b2f2a0237912.txt"

RUS = Actor("RUS", "Russia", "state", "RUS")
USA = Actor("USA", "United States", "state", "USA")
FRA = Actor("FRA", "France", "state", "FRA")
UZB = Actor("UZB", "Uzbekistan", "state", "UZB")
TAL = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")
ORG = Actor("ORG:taliban", "Taliban", "organization", "AFG")


def ev(kind: str, src: Actor | None, tgt: Actor, date: str | None, polarity: str = "asserted", doc: str = "d1",
       n: int = 0, issues: tuple[str, ...] = ()) -> Event:
    et = EVENT_TYPES[kind]
    text = f"report {n} of {kind}"
    return Event(id=event_id(doc, "t/1", n, n + 1, kind, src.id if src else None, tgt.id), doc=doc, event=kind,
                 source=src, target=tgt, polarity=polarity, date=date, date_precision="day" if date else None,
                 cameo=et.cameo, plover=et.plover, evidence=Evidence(text, n, n + len(text)), extractor="t/1",
                 issues=issues)


def row(e: Event, real: int | None = None, published: str | None = None) -> StanceRow:
    return stance_row(e, real)._replace(published=published)


def refold(obs) -> None:  # noqa: ANN001
    """Every value of an observer's stance, folded again from the events it lists."""
    for cell in (obs.window, *obs.series):
        weights = [w.weight for w in cell.events]
        assert cell.n == len(cell.events)
        assert cell.cooperation == pytest.approx(sum(x for x in weights if x > 0))
        assert cell.conflict == pytest.approx(-sum(x for x in weights if x < 0))
        assert cell.balance == pytest.approx(cell.cooperation - cell.conflict)
        for w in cell.events:
            assert w.weight == goldstein(w.cameo) and w.quad == QUAD_CLASSES[w.plover]
            assert w.reports and all(r.polarity == "asserted" for r in w.reports)
        quads: dict[int, int] = {}
        for w in cell.events:
            quads[w.quad] = quads.get(w.quad, 0) + 1
        assert cell.quads == quads
    assert classify(obs.window.cooperation, obs.window.conflict) == obs.stance


def test_classes_follow_the_written_rule() -> None:
    assert classify(0, 0) == "no record"
    assert classify(6.0, 3.0) == "engaging"  # cooperation exactly twice conflict
    assert classify(3.0, 6.0) == "isolating"
    assert classify(5.0, 4.0) == "mixed"
    assert classify(0, 2.0) == "isolating" and classify(1.0, 0) == "engaging"


def test_weights_periods_and_what_does_not_count() -> None:
    events = [
        ev("recognize_government", RUS, TAL, "2025-07-03", n=1),  # +6.0
        ev("delist_organization", RUS, ORG, "2025-07-03", n=2),  # +5.0 (an actor of AFG)
        ev("criticize", RUS, TAL, "2025-06-10", n=3),  # -2.0
        ev("impose_sanctions", USA, TAL, "2024-11-02", n=4),  # -8.0
        ev("demand", USA, TAL, "2025-02-01", n=5),  # -5.0
        ev("recognize_government", USA, TAL, "2025-03-01", polarity="negated", n=6),
        ev("recognize_government", None, TAL, "2025-04-01", polarity="negated", n=7),
        ev("praise", None, TAL, None, n=8),  # undated: left out of a fold as of a date
    ]
    st = stance(events, "AFG", "2025-07-31")
    rus, usa = st.observers["RUS"], st.observers["USA"]
    assert (rus.stance, rus.window.cooperation, rus.window.conflict) == ("engaging", 11.0, 2.0)
    assert [(c.period, c.balance) for c in rus.series] == [("2025-06", -2.0), ("2025-07", 11.0)]
    assert (usa.stance, usa.window.conflict, usa.window.n) == ("isolating", 13.0, 2)
    assert [i.event for i in usa.intentions] == ["recognize_government"], "denied: listed apart"
    assert [u.polarity for u in st.unattributed] == ["negated"]
    assert (rus.since, rus.until) == ("2024-08-01", "2025-07-31")
    by_year = stance(events, "AFG", "2025-07-31", by="year").observers["USA"]
    assert [(c.period, c.balance) for c in by_year.series] == [("2024", -8.0), ("2025", -5.0)]
    # as of an earlier day the later events are left out
    early = stance(events, "AFG", "2025-01-01")
    assert "RUS" not in early.observers and early.observers["USA"].window.conflict == 8.0
    for obs in st.observers.values():
        refold(obs)


def test_the_window_decides_the_class_and_the_series_keeps_history() -> None:
    events = [ev("impose_sanctions", FRA, TAL, "2022-01-10", n=1), ev("high_level_talks", FRA, TAL, "2025-05-02", n=2)]
    fra = stance(events, "AFG", "2025-06-01").observers["FRA"]
    assert fra.stance == "engaging", "the 2022 sanctions are older than the 365-day window"
    assert [c.period for c in fra.series] == ["2022-01", "2025-05"]
    assert stance(events, "AFG", "2022-06-01").observers["FRA"].stance == "isolating"


def test_a_real_world_event_weighs_once_and_lists_every_report() -> None:
    a = ev("accredit_ambassador", RUS, TAL, "2025-07-03", doc="a", n=1)
    b = ev("accredit_ambassador", RUS, TAL, "2025-07-04", doc="b", n=1)
    rus = stance([row(a, real=7), row(b, real=7)], "AFG").observers["RUS"]
    assert rus.window.n == 1 and rus.window.cooperation == 3.5
    assert [r.doc for r in rus.window.events[0].reports] == ["a", "b"]
    unlinked = stance([row(a), row(b)], "AFG").observers["RUS"]
    assert unlinked.window.n == 2, "without corroboration each report is its own"


def test_talks_count_for_both_parties_once() -> None:
    there = ev("high_level_talks", UZB, TAL, "2025-03-01", n=1)
    back = ev("high_level_talks", TAL, UZB, "2025-03-01", n=1)
    towards_uzb = stance([there, back], "UZB").observers["AFG"]
    assert towards_uzb.window.n == 1, "talks coded both ways in one article are one act"
    only_one_way = stance([there], "UZB").observers["AFG"]
    assert only_one_way.window.n == 1 and only_one_way.window.cooperation == 1.0
    assert stance([there], "AFG").observers["UZB"].window.n == 1


def test_issues_are_counted_per_observer_and_for_the_target() -> None:
    events = [ev("criticize", FRA, TAL, "2025-03-01", n=1, issues=("womens_rights",)),
              ev("call_for_isolation", None, TAL, "2025-03-02", polarity="hypothetical", n=2,
                 issues=("human_rights", "womens_rights"))]
    st = stance(events, "AFG")
    assert st.observers["FRA"].issues == {"womens_rights": 1}
    assert st.issues == {"womens_rights": 2, "human_rights": 1}


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="month"):
        stance([], "AFG", by="week")
    with pytest.raises(ValueError, match="ISO date"):
        stance([], "AFG", "July 2025")
    with pytest.raises(ValueError, match="target"):
        stance([], " ")


def _store(url: str) -> KnowledgeBase:
    kb = KnowledgeBase(url)
    art = Article(id="d1", text="x" * 80, published=dt.date(2025, 7, 4), url="https://news.example/d1")
    kb.add(art, [ev("recognize_government", RUS, TAL, "2025-07-03", n=1, issues=("trade_economy",)),
                 ev("high_level_talks", UZB, RUS, "2025-07-01", n=2),
                 ev("high_level_talks", TAL, UZB, "2025-07-02", n=3),
                 ev("impose_sanctions", USA, ORG, None, n=4)])
    return kb


def test_store_rows_fold_to_the_same_stance_as_the_events(kb_url: str) -> None:
    with _store(kb_url) as kb:
        rows = stance_rows(kb, "AFG")
        assert {r.id for r in rows} == {e.id for e in kb.events() if e.event != "high_level_talks"
                                        or e.source.state == "AFG"}
        st = stance_of(kb, "AFG")
        assert st.observers["RUS"].window.cooperation == 6.0
        assert st.observers["USA"].window.events[0].effective == "2025-07-04", "undated: the publication date"
        assert st.observers["UZB"].window.n == 1, "talks of which AFG is the source count for UZB"
        assert st.observers["RUS"].window.events[0].reports[0].issues == ("trade_economy",)
        assert all(r.real_event is not None for r in rows), "the store links every report to a real-world event"
        assert stance_of(kb, "AFG", observer="RUS").observers.keys() == {"RUS"}


def test_cli_and_api_answer_the_same(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from diplowatch.cli import app
    from diplowatch.web import create_app

    url = f"sqlite:///{tmp_path / 'kb.db'}"
    _store(url).close()
    res = CliRunner().invoke(app, ["stance", "Afghanistan", "--db", url, "--format", "json"])
    assert res.exit_code == 0, res.output
    cli = json.loads(res.stdout)
    assert cli["observers"]["RUS"]["stance"] == "engaging" and cli["observers"]["USA"]["stance"] == "isolating"
    table = CliRunner().invoke(app, ["stance", "AFG", "--db", url, "--by", "year"])
    assert table.exit_code == 0 and "engaging" in table.stdout and "2025 +6.0" in table.stdout
    bad = CliRunner().invoke(app, ["stance", "AFG", "--db", url, "--by", "week"])
    assert bad.exit_code == 2 and "--by must be month or year" in bad.output
    with TestClient(create_app(url)) as client:
        api = client.get("/api/stance/AFG").json()
        assert api["observers"].keys() == cli["observers"].keys()
        assert api["observers"]["RUS"]["window"]["cooperation"] == cli["observers"]["RUS"]["window"]["cooperation"]
        assert client.get("/api/stance/AFG", params={"as_of": "2025-07-01"}).json()["observers"] == {}
        assert client.get("/api/stance/Nowhereland").status_code == 404
        assert client.get("/api/stance/AFG", params={"by": "week"}).status_code == 422


def test_a_stance_rule_fires_when_the_class_changes(tmp_path: Path) -> None:
    from diplowatch.alerts.rules import Rule, add_rule
    from diplowatch.write import Writer

    url = f"sqlite:///{tmp_path / 'kb.db'}"
    with KnowledgeBase(url) as kb:
        add_rule(kb, Rule(name="fra-afg", event="stance", notify=("stdout",), target="AFG", source="FRA"))
        writer = Writer(kb)
        writer.add(Article(id="a", text="a" * 40, published=dt.date(2025, 1, 5)),
                   [ev("impose_sanctions", FRA, TAL, "2025-01-04", doc="a", n=1)])
        writer.add(Article(id="b", text="b" * 40, published=dt.date(2025, 3, 5)),
                   [ev("criticize", FRA, TAL, "2025-03-04", doc="b", n=1)])  # still isolating: no alert
        writer.add(Article(id="c", text="c" * 40, published=dt.date(2025, 6, 5)),
                   [ev("recognize_government", FRA, TAL, "2025-06-04", doc="c", n=1),
                    ev("open_embassy", FRA, TAL, "2025-06-04", doc="c", n=2),
                    ev("ease_sanctions", FRA, TAL, "2025-06-04", doc="c", n=3),
                    ev("high_level_talks", FRA, TAL, "2025-06-04", doc="c", n=4)])  # 20 against 10
        with kb.connect() as conn:
            from sqlalchemy import select

            from diplowatch.store.watch import ALERTS
            alerts = conn.execute(select(ALERTS).order_by(ALERTS.c.created_at)).mappings().all()
    assert [(a["old"], a["new"], a["date"]) for a in alerts] == [("no record", "isolating", "2025-01-04"),
                                                                 ("isolating", "engaging", "2025-06-04")]
    payload = json.loads(alerts[1]["payload"])
    assert {e["event"] for e in payload["evidence"]} == {"recognize_government", "open_embassy", "ease_sanctions",
                                                       "high_level_talks"}
    assert payload["balance"]["before"] == -10.0 and payload["balance"]["after"] == 10.0


@pytest.mark.slow
def test_seed_russia_engaging_and_the_western_division_tagged(extractor, tmp_path: Path) -> None:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    from diplowatch.write import Writer

    with KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}") as kb:
        art = Article(id=SEED.stem, text=SEED.read_text(encoding="utf-8"), published=dt.date(2025, 7, 4))
        Writer(kb).add(art, extractor.extract(art))
        st = stance_of(kb, "AFG")
    assert st.observers["RUS"].stance == "engaging"
    refold(st.observers["RUS"])
    west = [u for u in st.unattributed if "Western powers" in u.evidence]
    assert west and all(u.polarity == "hypothetical" for u in west)
    assert all({"human_rights", "womens_rights"} <= set(u.issues) for u in west)
    assert {e for u in west for e in [u.event]} == {"call_for_engagement", "call_for_isolation"}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dev", "dev2"])
def test_every_stance_value_of_the_dev_sets_folds_again_from_its_events(extractor, tmp_path: Path, name: str) -> None:
    path = SHARED / "eval" / name / "articles.jsonl"
    if not path.is_file():
        pytest.skip(f"development set not found at {path}")
    from diplowatch.ingest.sources import read_path
    from diplowatch.write import Writer

    with KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}") as kb:
        writer = Writer(kb)
        for art, events in extractor.extract_many([a for a in read_path(path) if isinstance(a, Article)]):
            writer.add(art, events)
        targets = sorted({e.target.state for e in kb.events() if e.target is not None and e.target.state})
        assert targets
        folded = 0
        for code in targets:
            for obs in stance_of(kb, code).observers.values():
                refold(obs)
                folded += 1
    assert folded > 10
