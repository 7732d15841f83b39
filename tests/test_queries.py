"""State transitions, timelines and the query commands (issue 4; DESIGN §5). Fast: no spaCy."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from typer.testing import CliRunner

import diplowatch.cli as cli
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.ontology import EVENT_TYPES
from diplowatch.state import NONE, transitions
from diplowatch.store import KnowledgeBase, StoredEvent

RUS = Actor("RUS", "Russia", "state", "RUS")
CHN = Actor("CHN", "China", "state", "CHN")
UZB = Actor("UZB", "Uzbekistan", "state", "UZB")
PAK = Actor("PAK", "Pakistan", "state", "PAK")
AFG = Actor("AFG", "Afghanistan", "state", "AFG")
TALIBAN_GOV = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")
TALIBAN_ORG = Actor("ORG:taliban", "Taliban", "organization", "AFG")

_ids = itertools.count()
runner = CliRunner()


def ev(kind: str, source: Actor | None, target: Actor | None, date: str | None,
       published: str | None = None, *, polarity: str = "asserted") -> StoredEvent:
    n = next(_ids)
    et = EVENT_TYPES[kind]
    return StoredEvent(id=f"ev_{n:04d}", doc=f"a_{n:04d}", event=kind, source=source, target=target,
                       polarity=polarity, date=date,
                       date_precision={4: "year", 7: "month", 10: "day"}.get(len(date or "")),
                       cameo=et.cameo, plover=et.plover, evidence=Evidence(f"sentence {n}", 0, 10),
                       published=dt.date.fromisoformat(published) if published else None,
                       url=f"https://news.example/{n}")


HISTORY = [
    ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-03", "2025-07-04"),
    ev("recognize_government", RUS, TALIBAN_GOV, None, "2025-07-06"),  # a second report
    ev("withdraw_recognition", RUS, TALIBAN_GOV, "2026-02-10", "2026-02-10"),
    ev("recognize_government", RUS, TALIBAN_GOV, "2026-06", "2026-06-20"),
    ev("recognize_government", PAK, TALIBAN_GOV, "2026-03-01", "2026-03-01", polarity="hypothetical"),
    ev("accredit_ambassador", CHN, TALIBAN_GOV, "2024-01-30", "2024-01-31"),
    ev("establish_relations", UZB, AFG, "2025-09-01", "2025-09-02"),
    ev("designate_organization", RUS, TALIBAN_ORG, "2003-02-14", "2003-02-15"),
    ev("delist_organization", RUS, TALIBAN_ORG, "2025-04-17", "2025-04-17"),
    ev("high_level_talks", CHN, TALIBAN_GOV, "2025-05-01", "2025-05-01"),
    ev("praise", CHN, TALIBAN_GOV, "2025-05-02", "2025-05-02"),
]


def test_recognition_withdrawal_rerecognition_are_three_transitions():
    got = [t for t in transitions(HISTORY) if t.observer == "RUS" and t.facet == "recognition"]
    assert [(t.date, t.old, t.new) for t in got] == [
        ("2025-07-03", NONE, "recognized"),
        ("2026-02-10", "recognized", "withdrawn"),
        ("2026-06-01", "withdrawn", "recognized"),
    ]
    assert [s.event_id for s in got[0].events] == [HISTORY[0].id, HISTORY[1].id]  # the second report too
    assert [s.event_id for s in got[1].events] == [HISTORY[2].id]
    assert all(t.target == "AFG" for t in got)


def test_all_kinds_of_transition_and_what_is_not_one():
    got = {(t.observer, t.target, t.facet, t.new): t for t in transitions(HISTORY)}
    assert ("CHN", "AFG", "ambassador", "accredited") in got
    assert ("RUS", "ORG:taliban", "designation", "listed") in got
    assert got[("RUS", "ORG:taliban", "designation", "delisted")].date == "2025-04-17"
    relations = [t for t in transitions(HISTORY) if t.facet == "relations"]
    assert len(relations) == 1 and {relations[0].observer, relations[0].target} == {"AFG", "UZB"}
    assert not any(t.observer == "PAK" for t in transitions(HISTORY))  # hypothetical: no change
    assert not any(t.facet == "contacts" or t.observer == "CHN" and t.facet != "ambassador"
                   for t in transitions(HISTORY))


def test_since_and_until_filter_by_date():
    since = transitions(HISTORY, since="2026-01-01")
    assert [(t.date, t.observer, t.new) for t in since] == [("2026-02-10", "RUS", "withdrawn"),
                                                             ("2026-06-01", "RUS", "recognized")]
    assert since[0].old == "recognized"  # the value before `since` is known from the full history
    window = transitions(HISTORY, since="2025-04-01", until="2025-12-31")
    assert [(t.date, t.facet) for t in window] == [("2025-04-17", "designation"),
                                                   ("2025-07-03", "recognition"),
                                                   ("2025-09-01", "relations")]
    only = transitions(HISTORY, since="2000-01-01", target="UZB")
    assert [(t.observer, t.target, t.facet) for t in only] == [("AFG", "UZB", "relations")]
    with pytest.raises(ValueError):
        transitions(HISTORY, since="last week")


def test_undated_transitions_only_without_bounds():
    events = [ev("open_embassy", CHN, TALIBAN_GOV, None, None)]
    assert [(t.date, t.new) for t in transitions(events)] == [(None, "open")]
    assert transitions(events, since="2000-01-01") == []


# --------------------------------------------------------------------------- store and CLI


def _store(kb: KnowledgeBase, events: list[StoredEvent]) -> None:
    """Store each event in an article of its own (same doc id, published date and URL)."""
    for e in events:
        art = Article(id=e.doc, text=f"Article {e.doc} says {e.evidence.text}.", url=e.url, published=e.published)
        fields = {f: getattr(e, f) for f in Event.__dataclass_fields__ if f != "explanation"}
        fields["id"] = event_id(e.doc, "rules/1", 0, 10, e.event, e.source and e.source.id, e.target and e.target.id)
        stored = Event(**fields)
        assert kb.add(art, [stored])


@pytest.fixture
def history_url(kb_url) -> str:
    with KnowledgeBase(kb_url) as kb:
        _store(kb, HISTORY)
    return kb_url


def test_timeline_is_in_date_order(history_url):
    with KnowledgeBase(history_url) as kb:
        tl = kb.timeline("AFG")
        assert [t.date for t in tl] == sorted(t.date for t in tl)
        assert len(tl) == len(HISTORY)
        assert tl[0].event.event == "designate_organization" and tl[0].date == "2003-02-14"
        # an undated report counts at its publication date
        assert ("2025-07-06", "recognize_government") in [(t.date, t.event.event) for t in tl]
        rus = kb.timeline("RUS")
        assert {t.event.source.state for t in rus} == {"RUS"}
        assert [e.event for e in kb.events_for_actor("UZB")] == ["establish_relations"]
        recog = [t for t in tl if t.event.event == "recognize_government" and t.date.startswith("2025")]
        assert recog[0].real_event == recog[1].real_event and recog[0].real_event.n_sources == 2


def test_cli_timeline(history_url):
    result = runner.invoke(cli.app, ["timeline", "Afghanistan", "--db", history_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["effective_date"] for r in rows] == sorted(r["effective_date"] for r in rows)
    assert rows[0]["date"] == "2003-02-14" and rows[6]["date"] is None  # the event's own date, as reported
    assert rows[0]["event"] == "designate_organization" and rows[0]["url"].startswith("https://")
    assert rows[0]["evidence"]["text"] and rows[0]["real_event"]["n_sources"] == 1
    table = runner.invoke(cli.app, ["timeline", "AFG", "--db", history_url])
    assert table.exit_code == 0 and f"{len(HISTORY)} event(s)" in table.stdout
    assert runner.invoke(cli.app, ["timeline", "Atlantis", "--db", history_url]).exit_code == 2
    assert runner.invoke(cli.app, ["timeline", "AFG", "--db", history_url, "--format", "xml"]).exit_code == 2


def test_cli_changes(history_url):
    result = runner.invoke(cli.app, ["changes", "--since", "2026-01-01", "--db", history_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["date"], r["observer"], r["target"], r["facet"], r["old"], r["new"]) for r in rows] == [
        ("2026-02-10", "RUS", "AFG", "recognition", "recognized", "withdrawn"),
        ("2026-06-01", "RUS", "AFG", "recognition", "withdrawn", "recognized")]
    assert rows[0]["events"][0]["url"].startswith("https://")
    until = runner.invoke(cli.app, ["changes", "--since", "2025-01-01", "--until", "2025-12-31",
                                    "--target", "Uzbekistan", "--db", history_url, "--format", "json"])
    assert [(r["observer"], r["facet"]) for r in json.loads(until.stdout)] == [("AFG", "relations")]
    table = runner.invoke(cli.app, ["changes", "--since", "2025-01-01", "--db", history_url])
    assert table.exit_code == 0 and "withdrawn" in table.stdout and "5 change(s)" in table.stdout
    assert runner.invoke(cli.app, ["changes", "--since", "yesterday", "--db", history_url]).exit_code == 2
    assert runner.invoke(cli.app, ["changes", "--db", history_url]).exit_code == 2  # --since is required


def test_cli_status_include_intentions(history_url):
    plain = runner.invoke(cli.app, ["status", "AFG", "--db", history_url])
    assert plain.exit_code == 0, plain.output
    assert "Reported intentions" not in plain.stdout
    result = runner.invoke(cli.app, ["status", "AFG", "--db", history_url, "--include-intentions"])
    assert result.exit_code == 0, result.output
    assert "Reported intentions" in result.stdout and "hypothetical" in result.stdout and "PAK" in result.stdout
    who = json.loads(runner.invoke(cli.app, ["who-recognizes", "AFG", "--db", history_url,
                                             "--format", "json"]).stdout)
    assert [w["observer"] for w in who] == ["RUS"] and who[0]["since"] == "2026-06-01"


def test_cli_status_shows_a_since_date_at_its_own_precision(history_url, monkeypatch):
    """RUS re-recognised in "2026-06" (month precision): not "2026-06-01", a day nobody reported."""
    monkeypatch.setattr(cli.out, "width", 1000)  # one line per row
    table = runner.invoke(cli.app, ["status", "AFG", "--db", history_url])
    assert table.exit_code == 0, table.output
    rus = next(line for line in table.stdout.splitlines() if line.startswith("│ RUS"))
    assert "recognized 2026-06 " in rus and "2026-06-01" not in rus
    assert "delisted 2025-04-17" in rus  # a day-precision date stays a day
    who = runner.invoke(cli.app, ["who-recognizes", "AFG", "--db", history_url])
    assert "2026-06 " in who.stdout and "2026-06-01" not in who.stdout
    changes = runner.invoke(cli.app, ["changes", "--since", "2026-01-01", "--db", history_url])
    assert "│ 2026-06 " in changes.stdout and "2026-06-01" not in changes.stdout
    # JSON keeps the effective day used for ordering and as_of
    who_json = json.loads(runner.invoke(cli.app, ["who-recognizes", "AFG", "--db", history_url,
                                                  "--format", "json"]).stdout)
    assert who_json[0]["since"] == "2026-06-01"


def test_dates_are_shown_at_their_precision_and_undated_reports_say_so(kb_url, monkeypatch):
    """A year-only date reads "2005", not "2005-01-01"; a report with no date of its own reads
    "undated (reported …)", not its article's date as if it were the event's."""
    monkeypatch.setattr(cli.out, "width", 1000)  # one line per row
    history = [ev("designate_organization", RUS, TALIBAN_ORG, "2005", "2025-07-04"),
               ev("accredit_ambassador", UZB, TALIBAN_GOV, None, "2025-07-04"),
               ev("high_level_talks", UZB, TALIBAN_GOV, "2025-03", "2025-07-04")]
    with KnowledgeBase(kb_url) as kb:
        _store(kb, history)
    timeline = runner.invoke(cli.app, ["timeline", "AFG", "--db", kb_url])
    assert timeline.exit_code == 0, timeline.output
    lines = timeline.stdout.splitlines()
    assert any(line.startswith("│ 2005 ") and "designate_organization" in line for line in lines)
    assert any(line.startswith("│ 2025-03 ") and "high_level_talks" in line for line in lines)
    assert any(line.startswith("│ undated (reported 2025-07-04) ") and "accredit_ambassador" in line
               for line in lines)
    assert "2005-01-01" not in timeline.stdout and "2025-03-01" not in timeline.stdout
    changes = runner.invoke(cli.app, ["changes", "--since", "2000-01-01", "--db", kb_url, "--format", "json"])
    shown = {(r["observer"], r["facet"]): r["date_shown"] for r in json.loads(changes.stdout)}
    assert shown == {("RUS", "designation"): "2005", ("UZB", "ambassador"): "undated (reported 2025-07-04)"}
    table = runner.invoke(cli.app, ["changes", "--since", "2000-01-01", "--db", kb_url])
    assert "│ 2005 " in table.stdout and "│ undated (reported 2025-07-04) " in table.stdout
    status = runner.invoke(cli.app, ["status", "AFG", "--db", kb_url])
    uzb = next(line for line in status.stdout.splitlines() if line.startswith("│ UZB"))
    assert "accredited undated (reported 2025-07-04)" in uzb and "2025-03" in uzb
    from fastapi.testclient import TestClient

    from diplowatch.web import create_app

    with TestClient(create_app(kb_url)) as client:
        entries = client.get("/api/timeline/AFG").json()["entries"]
    assert [(e["event"]["date"], e["event"]["date_shown"]) for e in entries] == [
        ("2005", "2005"), ("2025-03", "2025-03"), (None, "undated (reported 2025-07-04)")]
