"""The ``diplowatch`` command line end to end (typer's CliRunner, plus one real subprocess).

Model-using tests are marked ``slow`` and share the session ``extractor``
fixture (tests/conftest.py): the CLI's own ``_extractor()`` is patched to hand
it out, so spaCy is loaded once for the whole file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import diplowatch.cli as cli
from diplowatch.cli import app
from diplowatch.model import Article
from diplowatch.store import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_NAME = "russia-recognises-taliban.txt"
EXAMPLE = Path(str(resources.files("diplowatch") / "examples" / EXAMPLE_NAME))
DOC = "russia-recognises-taliban"

EVENT_KEYS = ["id", "doc", "event", "source", "target", "polarity", "date", "date_precision",
              "cameo", "plover", "evidence", "attribution", "confidence", "extractor", "issues"]
ACTOR_KEYS = {"id", "name", "kind", "state"}
EVIDENCE_KEYS = {"text", "start", "end"}

runner = CliRunner()


# --------------------------------------------------------------------------- helpers

def run(*args: str):
    """Invoke the CLI in-process with ``args``; return click's ``Result`` (stdout and stderr apart)."""
    return runner.invoke(app, [str(a) for a in args])


def json_events(stdout: str) -> list[dict]:
    """Parse ``analyze --format json`` output: one DESIGN §2 object per non-empty line."""
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def command_names() -> list[str]:
    """Names of every command registered on the typer app, as typed on the command line (aliases,
    which are hidden, left out)."""
    return sorted(n for n, c in typer.main.get_command(app).commands.items() if not c.hidden)


def db_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a fresh SQLite knowledge base inside ``tmp_path``."""
    return f"sqlite:///{tmp_path / 'kb.db'}"


def write_bad(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """Create a bad input of ``kind``; return its path and the text stderr must name."""
    if kind == "empty":
        p = tmp_path / "empty.txt"
        p.write_bytes(b"")
    elif kind == "whitespace":
        p = tmp_path / "blank.txt"
        p.write_bytes(b"  \n\t\n   \r\n")
    elif kind == "binary":
        p = tmp_path / "image.txt"
        p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    elif kind == "invalid-utf8":
        p = tmp_path / "latin1.txt"
        p.write_bytes("Moscow and Kabul restored ties, said the minister of Côte d’Ivoire.".encode("latin-1",
                                                                                                  "replace"))
    elif kind == "missing":
        p = tmp_path / "does-not-exist.txt"
    else:  # pragma: no cover - test bug
        raise ValueError(kind)
    return p, p.name


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    """Make Rich print wide, so cells and error lines are not folded at 80 columns."""
    monkeypatch.setattr(cli.out, "width", 1000)
    monkeypatch.setattr(cli.err, "width", 1000)


@pytest.fixture
def model(monkeypatch, extractor):
    """Let the CLI use the session extractor instead of building its own."""
    monkeypatch.setattr(cli, "_extractor", lambda: extractor)
    return extractor


@pytest.fixture
def corpus(tmp_path) -> tuple[Path, list[Article]]:
    """A two-article JSON Lines corpus (one with a headline, a blank line between them)."""
    records = [
        {"id": "kz-1", "url": "https://example.org/kz", "published": "2023-12-29",
         "title": "Kazakhstan delists Taliban",
         "text": "Kazakhstan removed the Taliban from its list of banned organisations on Friday."},
        {"id": "cn-1", "url": "https://example.org/cn", "published": "2024-01-30", "title": None,
         "text": "China accepted the credentials of the Taliban ambassador on Tuesday."},
    ]
    p = tmp_path / "corpus.jsonl"
    p.write_text(json.dumps(records[0]) + "\n\n" + json.dumps(records[1]) + "\n", encoding="utf-8")
    arts = [Article(id=r["id"], text=r["text"], title=r["title"], url=r["url"]) for r in records]
    return p, arts


# --------------------------------------------------------------------------- packaging, help, README

def test_example_is_shipped_in_package_and_matches_repo_copy():
    assert EXAMPLE.is_file()
    repo_copy = REPO / "examples" / EXAMPLE_NAME
    if repo_copy.is_file():  # absent in an installed (non-repo) test run
        assert repo_copy.read_bytes() == EXAMPLE.read_bytes()


@pytest.mark.parametrize("name", command_names())
def test_help_of_every_command(name):
    result = run(name, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout


def test_top_level_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for name in command_names():
        assert name in result.stdout


def test_every_command_is_documented_in_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [n for n in command_names() if f"diplowatch {n}" not in readme]
    assert not missing, f"commands not shown in README.md: {missing}"


def test_usage_errors_exit_2(tmp_path):
    assert run("analyze", str(EXAMPLE), "--format", "xml").exit_code == 2
    assert run("analyze", str(EXAMPLE), "--published", "yesterday").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_status_unknown_target_exits_2(tmp_path):
    result = run("status", "Atlantis", "--db", db_url(tmp_path))
    assert result.exit_code == 2
    assert "Atlantis" in result.stderr
    assert run("who-recognizes", "Atlantis", "--db", db_url(tmp_path)).exit_code == 2


# --------------------------------------------------------------------------- analyze

@pytest.mark.slow
def test_analyze_table(model):
    result = run("analyze", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "recognize_government" in result.stdout
    assert "Russia" in result.stdout
    assert "1 article(s)" in result.stdout


@pytest.mark.slow
def test_analyze_table_has_one_line_per_event_at_80_columns(model):
    import io
    import re

    from rich.console import Console

    from diplowatch.cli.analysis import _compact_table
    from diplowatch.ingest import read_path

    [article] = read_path(EXAMPLE)
    events = model.extract(article)
    buf = io.StringIO()
    console = Console(file=buf, width=80, color_system=None, soft_wrap=False)
    console.print(_compact_table(events, console.width))
    lines = buf.getvalue().rstrip("\n").split("\n")
    assert len(lines) == 1 + len(events)  # a header, then one line per event: nothing folded
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split() == ["event", "source", "→", "target", "polarity", "date", "evidence"]
    for event, line in zip(events, lines[1:]):
        assert line.startswith(event.event + " ")  # the event type whole, not "recogn/ize_go/vernme/nt"
        src, tgt = (a.state if a else "—" for a in (event.source, event.target))
        assert f" {src} → {tgt} " in line and f" {event.polarity} " in line
        snippet = line[line.index(event.date or "—", 45) + len(event.date or "—"):].strip()
        assert len(snippet) >= 10
        words = snippet.rstrip("…").split()
        evidence_words = event.evidence.text.split()
        assert words == evidence_words[:len(words)]  # cut between words, never inside one
        assert snippet.endswith("…") == (len(words) < len(evidence_words))
    assert not any(re.search(r"\w…\w", line) for line in lines)


@pytest.mark.slow
def test_analyze_and_ingest_end_with_the_same_summary_line(model, tmp_path):
    bad, _ = write_bad(tmp_path, "empty")
    analyzed = run("analyze", EXAMPLE, bad)
    ingested = run("ingest", EXAMPLE, bad, "--db", db_url(tmp_path))
    expected = ("read 1 article(s): 1 new, 0 already stored, skipped 0 (language 0; empty 0), "
                "quarantined 1 (empty file: 1), 23 event(s)")
    assert analyzed.stdout.splitlines()[-1] == expected
    assert ingested.stdout.splitlines()[-1] == f"{expected}; stored in {db_url(tmp_path)}"
    assert not ingested.stderr.replace(f"error: {bad}: empty file", "").strip()  # the line is printed once


@pytest.mark.slow
def test_analyze_wide_shows_the_whole_evidence(model):
    result = run("analyze", EXAMPLE, "--wide")
    assert result.exit_code == 0, result.output
    assert "CAMEO" in result.stdout and "more than two decades ago" in result.stdout


@pytest.mark.slow
def test_the_sample_ships_its_publication_date(model):
    # the README's first command: "on Thursday" resolved against the sample's own date, 2025-07-04
    result = run("analyze", REPO / "examples" / EXAMPLE_NAME, "--format", "json")
    assert result.exit_code == 0, result.output
    [rec] = [e for e in json_events(result.stdout) if e["event"] == "recognize_government"
             and e["polarity"] == "asserted"]
    assert (rec["date"], rec["date_precision"]) == ("2025-07-03", "day")
    assert (REPO / "examples" / EXAMPLE_NAME).read_bytes() == EXAMPLE.read_bytes()  # one sample, two places


@pytest.mark.slow
def test_analyze_explain(model):
    result = run("analyze", EXAMPLE, "--explain")
    assert result.exit_code == 0, result.output
    assert "trigger" in result.stdout and "why" in result.stdout
    result = run("analyze", EXAMPLE, "--format", "json", "--explain")
    assert result.exit_code == 0, result.output
    assert all("explanation" in e for e in json_events(result.stdout))


@pytest.mark.slow
def test_analyze_json_follows_the_event_contract(model):
    result = run("analyze", EXAMPLE, "--format", "json")
    assert result.exit_code == 0, result.output
    from diplowatch.ingest.readers import split_front_matter

    meta, text = split_front_matter(str(EXAMPLE), EXAMPLE.read_text(encoding="utf-8"))  # offsets: the body
    events = json_events(result.stdout)
    assert events, "no events extracted from the bundled example"
    for ev in events:
        assert list(ev) == EVENT_KEYS
        assert ev["doc"] == DOC  # .txt doc id = file stem
        for role in ("source", "target"):
            assert ev[role] is None or set(ev[role]) == ACTOR_KEYS
        assert set(ev["evidence"]) == EVIDENCE_KEYS
        ev_text, start, end = ev["evidence"]["text"], ev["evidence"]["start"], ev["evidence"]["end"]
        assert text[start:end] == ev_text
        assert ev["polarity"] in ("asserted", "negated", "hypothetical")
        assert 0.0 <= ev["confidence"] <= 1.0
    assert any(e["event"] == "recognize_government" and e["source"]["state"] == "RUS"
               and e["target"]["state"] == "AFG" and e["polarity"] == "asserted" for e in events)


@pytest.mark.slow
def test_analyze_jsonl_corpus(model, corpus):
    path, arts = corpus
    result = run("analyze", path, "--format", "json")
    assert result.exit_code == 0, result.output
    events = json_events(result.stdout)
    by_doc = {a.id: a for a in arts}
    assert {e["doc"] for e in events} == set(by_doc)
    for ev in events:
        content = by_doc[ev["doc"]].content  # headline + blank line + body when there is a title
        assert content[ev["evidence"]["start"]:ev["evidence"]["end"]] == ev["evidence"]["text"]
    kinds = {(e["doc"], e["event"]) for e in events}
    assert ("kz-1", "delist_organization") in kinds
    assert ("cn-1", "accredit_ambassador") in kinds


@pytest.mark.slow
def test_analyze_published_anchors_relative_dates(model, tmp_path):
    p = tmp_path / "thursday.txt"
    p.write_text("Russia recognised the Taliban government on Thursday.\n", encoding="utf-8")
    result = run("analyze", p, "--format", "json", "--published", "2025-07-04")
    assert result.exit_code == 0, result.output
    [ev] = [e for e in json_events(result.stdout) if e["event"] == "recognize_government"]
    assert ev["date"] == "2025-07-03"
    assert ev["date_precision"] == "day"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["empty", "whitespace", "binary", "invalid-utf8", "missing"])
def test_analyze_bad_input_is_reported_and_good_input_still_processed(model, tmp_path, kind):
    bad, name = write_bad(tmp_path, kind)
    result = run("analyze", bad, EXAMPLE, "--format", "json")
    assert result.exit_code == 1, result.output
    assert name in result.stderr
    events = json_events(result.stdout)
    assert any(e["doc"] == DOC and e["event"] == "recognize_government" for e in events)


@pytest.mark.slow
def test_analyze_jsonl_with_one_broken_line(model, tmp_path, corpus):
    good, _ = corpus
    lines = good.read_text(encoding="utf-8").splitlines()
    p = tmp_path / "mixed.jsonl"
    # line 1 good, line 2 broken JSON, line 3 blank, line 4 good
    p.write_text("\n".join([lines[0], '{"id": "broken", "text": "Russia recog', lines[1], lines[2]]) + "\n",
                 encoding="utf-8")
    result = run("analyze", p, "--format", "json")
    assert result.exit_code == 1, result.output
    assert "mixed.jsonl:2" in result.stderr
    assert {e["doc"] for e in json_events(result.stdout)} == {"kz-1", "cn-1"}


@pytest.mark.parametrize("name", ["[red]bracketed.txt", "a:smile:b.txt"])
def test_error_names_the_file_verbatim(tmp_path, name):
    # Rich must not read file names as markup ("[red]") or emoji codes (":smile:").
    p = tmp_path / name
    p.write_bytes(b"")
    result = run("analyze", p)
    assert result.exit_code == 1, result.output
    assert str(p) in result.stderr


def test_error_names_the_jsonl_line_verbatim(tmp_path):
    # ":100:" is a Rich emoji code; the line number must survive as it is.
    p = tmp_path / "long.jsonl"
    p.write_text("\n" * 99 + "{broken\n", encoding="utf-8")  # 99 blank lines, then a bad one
    result = run("analyze", p, "--format", "json")
    assert result.exit_code == 1
    assert "long.jsonl:100:" in result.stderr


@pytest.mark.slow
def test_analyze_table_reports_errors_and_events(model, tmp_path):
    bad, name = write_bad(tmp_path, "empty")
    result = run("analyze", EXAMPLE, bad)
    assert result.exit_code == 1
    assert name in result.stderr
    assert "recognize_government" in result.stdout
    assert "quarantined 1 (empty file: 1)" in result.stdout


# --------------------------------------------------------------------------- ingest, status, who-recognizes

@pytest.fixture
def ingested(model, tmp_path) -> str:
    """A knowledge base holding the bundled example, published 2025-07-04; returns its URL."""
    url = db_url(tmp_path)
    result = run("ingest", EXAMPLE, "--published", "2025-07-04", "--db", url)
    assert result.exit_code == 0, result.output
    return url


@pytest.mark.slow
def test_ingest_twice_adds_nothing(ingested):
    with KnowledgeBase(ingested) as kb:
        first = kb.counts()
    assert first["articles"] == 1 and first["events"] > 0
    result = run("ingest", EXAMPLE, "--published", "2025-07-04", "--db", ingested)
    assert result.exit_code == 0, result.output
    assert "0 new" in result.stdout and "1 already stored" in result.stdout
    with KnowledgeBase(ingested) as kb:
        assert kb.counts() == first


@pytest.mark.slow
def test_ingest_bad_file_alongside_good_one(model, tmp_path):
    url = db_url(tmp_path)
    bad, name = write_bad(tmp_path, "binary")
    result = run("ingest", bad, EXAMPLE, "--db", url)
    assert result.exit_code == 1, result.output
    assert name in result.stderr
    with KnowledgeBase(url) as kb:
        counts = kb.counts()
        assert counts["articles"] == 1 and counts["events"] > 0
        assert kb.has_article(DOC)


@pytest.mark.slow
def test_status_shows_russian_recognition(ingested):
    result = run("status", "AFG", "--db", ingested)
    assert result.exit_code == 0, result.output
    rus = [line for line in result.stdout.splitlines() if "RUS" in line]
    assert rus and "recognized" in rus[0]
    result = run("status", "AFG", "--db", ingested, "--format", "json")
    st = json.loads(result.stdout)
    assert st["observers"]["RUS"]["facets"]["recognition"]["value"] == "recognized"


@pytest.mark.slow
def test_status_accepts_a_name(ingested):
    result = run("status", "Afghanistan", "--db", ingested, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["observers"]["RUS"]["facets"]["recognition"]["value"] == "recognized"


@pytest.mark.slow
def test_who_recognizes_lists_russia_first(ingested):
    result = run("who-recognizes", "AFG", "--db", ingested, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and rows[0]["observer"] == "RUS"
    table = run("who-recognizes", "AFG", "--db", ingested)
    assert table.exit_code == 0
    first = next(line for line in table.stdout.splitlines() if line.startswith("│ 1 "))
    assert "RUS" in first


@pytest.mark.slow
def test_status_as_of_before_the_event(ingested):
    before = run("status", "AFG", "--as-of", "2025-01-01", "--db", ingested, "--format", "json")
    assert before.exit_code == 0, before.output
    obs = json.loads(before.stdout)["observers"]
    assert obs.get("RUS", {}).get("facets", {}).get("recognition", {}).get("value", "none") != "recognized", \
        "RUS shown as recognising AFG on 2025-01-01, before the July 2025 recognition"
    who = json.loads(run("who-recognizes", "AFG", "--as-of", "2025-01-01", "--db", ingested,
                         "--format", "json").stdout)
    assert "RUS" not in [r["observer"] for r in who]
    after = run("status", "AFG", "--as-of", "2025-07-31", "--db", ingested, "--format", "json")
    assert json.loads(after.stdout)["observers"]["RUS"]["facets"]["recognition"]["value"] == "recognized"


# --------------------------------------------------------------------------- reported by a new user (fast: no spaCy)

class NoEvents:
    """Stands in for the extractor: finds nothing, so these tests need no model."""

    def extract(self, article: Article) -> list:
        return []


def test_two_files_of_one_name_do_not_lose_the_second(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_extractor", lambda: NoEvents())
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first, second = tmp_path / "x" / "news.txt", tmp_path / "y" / "news.txt"
    first.write_text("Russia recognised the Taliban government on Thursday.\n", encoding="utf-8")
    second.write_text("China accepted the credentials of the Afghan ambassador.\n", encoding="utf-8")
    url = db_url(tmp_path)
    result = run("ingest", first, second, "--db", url)
    assert result.exit_code == 1, result.output
    assert "1 new" in result.stdout and "0 already stored" in result.stdout and "quarantined 1" in result.stdout
    assert "article news: a different article" in result.stderr and "distinct file names" in result.stderr
    with KnowledgeBase(url) as kb:
        (q,) = kb.quarantined()
        assert "different article" in q.reason and "China accepted" in json.loads(q.raw)["text"]
    again = run("ingest", first, "--db", url)  # the same file again: silent, exit 0
    assert again.exit_code == 0 and "1 already stored" in again.stdout and not again.stderr


def test_lone_surrogate_record_is_reported_and_the_rest_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_extractor", lambda: NoEvents())
    corpus = tmp_path / "feed.jsonl"
    corpus.write_text('{"id": "bad", "title": "Half \\ud83d an emoji", "text": "Kabul said so."}\n'
                      '{"id": "good", "text": "Moscow said so."}\n', encoding="utf-8")
    analyzed = run("analyze", corpus)
    assert analyzed.exit_code == 1, analyzed.output
    assert f"{corpus}:1: field \"title\": lone surrogate \\ud83d at offset 5: not valid Unicode" in analyzed.stderr
    assert "read 1 article(s): 1 new, 0 already stored" in analyzed.stdout
    assert "quarantined 1 (field \"title\": 1), 0 event(s)" in analyzed.stdout
    url = db_url(tmp_path)
    ingested = run("ingest", corpus, "--db", url)
    assert ingested.exit_code == 1 and "1 new" in ingested.stdout and "quarantined 1" in ingested.stdout
    with KnowledgeBase(url) as kb:
        assert kb.has_article("good") and not kb.has_article("bad")
        assert [(q.source, q.line) for q in kb.quarantined()] == [(str(corpus), 1)]


@pytest.mark.parametrize("args", [
    ("analyze", "EXAMPLE", "--published", "0001-01-01"),
    ("analyze", "EXAMPLE", "--published", "9999-12-31"),
    ("ingest", "EXAMPLE", "--published", "1799-12-31"),
    ("status", "AFG", "--as-of", "2201-01-01"),
    ("who-recognizes", "AFG", "--as-of", "0001-01-01"),
    ("changes", "--since", "0001-01-01"),
    ("changes", "--since", "2025-01-01", "--until", "9999-12-31"),
    ("alerts", "--since", "0001-01-01"),
])
def test_absurd_dates_are_refused_with_exit_2(tmp_path, args):
    argv = [str(EXAMPLE) if a == "EXAMPLE" else a for a in args]
    result = run(*argv) if args[0] == "analyze" else run(*argv, "--db", db_url(tmp_path))
    assert result.exit_code == 2, result.output
    assert "out of range" in result.stderr and "1800-01-01 to 2200-12-31" in result.stderr
    assert not (tmp_path / "kb.db").exists()


@pytest.mark.parametrize("args", [
    ("status", "AFG"), ("who-recognizes", "AFG"), ("timeline", "AFG"), ("changes", "--since", "2025-01-01"),
    ("alerts",), ("export",), ("watch", "list"), ("token", "list"),
])
def test_read_commands_do_not_create_a_mistyped_db(tmp_path, args):
    missing = tmp_path / "no-such-dir" / "kb.db"
    result = run(*args, "--db", f"sqlite:///{missing}")
    assert result.exit_code == 2, result.output
    assert f"no knowledge base at {missing}" in result.stderr and "diplowatch ingest" in result.stderr
    assert not missing.parent.exists()


@pytest.mark.parametrize("args", [("status", "AFG"), ("who-recognizes", "AFG"), ("timeline", "AFG"),
                                  ("changes", "--since", "2025-01-01")])
def test_empty_store_says_so_instead_of_an_empty_table(tmp_path, args):
    url = db_url(tmp_path)
    KnowledgeBase(url).close()
    result = run(*args, "--db", url)
    assert result.exit_code == 0, result.output
    assert "no events stored" in result.stdout and "┃" not in result.stdout


@pytest.mark.parametrize("args", [
    ("analyze", "EXAMPLE"), ("status", "AFG"), ("who-recognizes", "AFG"), ("timeline", "AFG"),
    ("changes", "--since", "2025-01-01"), ("alerts",), ("watch", "list"), ("eval", "EXAMPLE", "EXAMPLE"),
    ("export",), ("import", "EXAMPLE"),
])
def test_unknown_format_exits_2_everywhere(tmp_path, args):
    result = run(*[str(EXAMPLE) if a == "EXAMPLE" else a for a in args], "--format", "yaml")
    assert result.exit_code == 2, result.output
    assert "--format must be" in result.stderr and "'yaml'" in result.stderr


READ_COMMANDS = [("status", "AFG"), ("who-recognizes", "AFG"), ("timeline", "AFG"),
                 ("changes", "--since", "2025-01-01"), ("alerts",), ("export",), ("watch", "list"),
                 ("token", "list")]


def foreign_sqlite(path: Path) -> bytes:
    """Someone else's SQLite database at ``path`` (a table of its own, rollback journal); its bytes."""
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("args", READ_COMMANDS)
def test_read_commands_refuse_a_foreign_sqlite_file_and_leave_it_alone(tmp_path, args):
    other = tmp_path / "other.db"
    before = foreign_sqlite(other)
    result = run(*args, "--db", f"sqlite:///{other}")
    assert result.exit_code == 2, result.output
    assert f"{other} is not a diplowatch knowledge base" in result.stderr and "invoices" in result.stderr
    assert other.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


@pytest.mark.parametrize("content, message", [(b"", "no knowledge base at {path}"),
                                              (b"hello, world\n", "{path} is not a diplowatch knowledge base")])
def test_read_commands_refuse_an_empty_or_non_sqlite_file(tmp_path, content, message):
    path = tmp_path / "kb.db"
    path.write_bytes(content)
    result = run("status", "AFG", "--db", f"sqlite:///{path}")
    assert result.exit_code == 2, result.output
    assert message.format(path=path) in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == content


def test_ingest_refuses_a_foreign_sqlite_file_but_initialises_an_empty_one(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_extractor", lambda: NoEvents())
    news = tmp_path / "news.txt"
    news.write_text("Russia recognised the Taliban government on Thursday.\n", encoding="utf-8")
    other = tmp_path / "other.db"
    before = foreign_sqlite(other)
    refused = run("ingest", news, "--db", other)
    assert refused.exit_code == 2, refused.output
    assert f"{other} is not a diplowatch knowledge base" in refused.stderr and other.read_bytes() == before
    empty = tmp_path / "empty.db"
    empty.touch()
    assert run("ingest", news, "--db", empty).exit_code == 0
    with KnowledgeBase(f"sqlite:///{empty}", create=False) as kb:
        assert kb.has_article("news")


def test_db_takes_a_plain_path_like_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_extractor", lambda: NoEvents())
    monkeypatch.chdir(tmp_path)
    Path("news.txt").write_text("Russia recognised the Taliban government on Thursday.\n", encoding="utf-8")
    stored = run("ingest", "news.txt", "--db", "kb.db")  # relative: made absolute, as $DIPLOWATCH_DB is
    assert stored.exit_code == 0, stored.output
    assert f"sqlite:///{tmp_path / 'kb.db'}" in stored.stdout
    for db in (str(tmp_path / "kb.db"), f"sqlite:///{tmp_path / 'kb.db'}"):
        result = run("status", "AFG", "--db", db)
        assert result.exit_code == 0 and "no events stored" in result.stdout, result.output
    monkeypatch.setenv("DIPLOWATCH_DB", str(tmp_path / "elsewhere.db"))
    assert run("timeline", "AFG", "--db", "kb.db").exit_code == 0  # --db wins over the variable
    assert not (tmp_path / "elsewhere.db").exists()
    help_text = " ".join(run("status", "--help").stdout.split())
    assert "a file path" in help_text and "SQLAlchemy URL" in help_text


def test_changes_refuses_since_after_until(tmp_path):
    url = db_url(tmp_path)
    KnowledgeBase(url).close()
    result = run("changes", "--since", "2025-01-01", "--until", "2024-01-01", "--db", url)
    assert result.exit_code == 2, result.output
    assert "--since is after --until" in result.stderr and "0 change(s)" not in result.stdout
    assert run("changes", "--since", "2025-01-01", "--until", "2025-01-01", "--db", url).exit_code == 0


def test_status_as_of_says_how_many_undated_reports_it_left_out(tmp_path):
    import datetime as dt

    from diplowatch.model import Actor, Evidence, Event, event_id

    rus, chn = Actor("RUS", "Russia", "state", "RUS"), Actor("CHN", "China", "state", "CHN")
    gov = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")

    def stored(doc: str, source: Actor, published, date) -> tuple[Article, list[Event]]:
        text = f"{source.name} recognised the Taliban government."
        ev = Event(id=event_id(doc, "rules/1", 0, len(text), "recognize_government", source.id, gov.id),
                   doc=doc, event="recognize_government", source=source, target=gov, polarity="asserted",
                   date=date, date_precision="day" if date else None, cameo="054", plover="SUPPORT",
                   evidence=Evidence(text, 0, len(text)), attribution=None, confidence=0.9, extractor="rules/1")
        return Article(id=doc, text=text, published=published), [ev]

    url = db_url(tmp_path)
    with KnowledgeBase(url) as kb:
        kb.add(*stored("dated", rus, dt.date(2025, 7, 4), "2025-07-03"))
        kb.add(*stored("undated", chn, None, None))
    result = run("status", "AFG", "--as-of", "2025-12-31", "--db", url)
    assert result.exit_code == 0, result.output
    assert "RUS" in result.stdout and "CHN" not in result.stdout
    assert "1 undated report(s) not placed in time (see --format json)" in result.stdout
    as_json = json.loads(run("status", "AFG", "--as-of", "2025-12-31", "--db", url, "--format", "json").stdout)
    assert [u["observer"] for u in as_json["undated"]] == ["CHN"]
    everything = run("status", "AFG", "--db", url)  # no --as-of: undated reports are folded, no note
    assert "CHN" in everything.stdout and "undated report(s)" not in everything.stdout


def test_ingest_of_only_missing_inputs_is_a_usage_error_and_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_extractor", lambda: NoEvents())
    new = tmp_path / "new.db"
    result = run("ingest", tmp_path / "no-such-file.txt", tmp_path / "nor-this.jsonl", "--db", new)
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'no-such-file.txt'}: no such file" in result.stderr
    assert f"{tmp_path / 'nor-this.jsonl'}: no such file" in result.stderr
    assert not new.exists()
    news = tmp_path / "news.txt"  # one readable input: the missing one is quarantined as before
    news.write_text("Russia recognised the Taliban government on Thursday.\n", encoding="utf-8")
    mixed = run("ingest", tmp_path / "no-such-file.txt", news, "--db", new)
    assert mixed.exit_code == 1 and "1 new" in mixed.stdout and "quarantined 1" in mixed.stdout, mixed.output


def test_ingesting_the_same_bad_jsonl_twice_quarantines_each_record_once(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_extractor", lambda: NoEvents())
    corpus = tmp_path / "feed.jsonl"
    corpus.write_text('{"id": "good", "text": "Moscow said so."}\n{broken\n'
                      '{"id": "bad", "title": "Half \\ud83d an emoji", "text": "Kabul said so."}\n', encoding="utf-8")
    url = db_url(tmp_path)
    for _ in range(2):
        result = run("ingest", corpus, "--db", url)
        assert result.exit_code == 1 and "quarantined 2" in result.stdout, result.output
    with KnowledgeBase(url) as kb:
        assert sorted((q.source, q.line) for q in kb.quarantined()) == [(str(corpus), 2), (str(corpus), 3)]


def test_tables_are_wide_when_piped(monkeypatch):
    import io

    from rich.console import Console
    from rich.table import Table

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert cli._out_width() == cli.PIPED_WIDTH == 160
    monkeypatch.setenv("COLUMNS", "220")
    assert cli._out_width() == 220  # a wider $COLUMNS wins
    monkeypatch.setenv("COLUMNS", "80")
    assert cli._out_width() == 160  # never narrower than 160 in a pipe
    monkeypatch.setattr(sys, "stdout", Tty())
    assert cli._out_width() is None  # a terminal: its own width
    piped = io.StringIO()
    table = Table()
    for col in ("doc", "event", "source", "target", "evidence"):
        table.add_column(col, overflow="fold")
    table.add_row("russia-recognises-taliban", "recognize_government", "Russia (RUS)",
                  "Taliban-led government of Afghanistan (AFG)", "Russia recognised the Taliban government.")
    Console(file=piped, width=160, soft_wrap=False).print(table)
    assert len(piped.getvalue().splitlines()) == 5  # one line per row: nothing folded


# --------------------------------------------------------------------------- the installed script

def _console_script() -> str | None:
    """Path of the installed ``diplowatch`` script next to this interpreter, else on PATH."""
    here = Path(sys.executable).parent / "diplowatch"
    return str(here) if here.is_file() else shutil.which("diplowatch")


@pytest.mark.slow
def test_installed_console_script(tmp_path):
    script = _console_script()
    if script is None:
        pytest.skip("the diplowatch console script is not installed")
    missing = tmp_path / "nowhere.txt"
    env = dict(os.environ, COLUMNS="300")
    proc = subprocess.run([script, "analyze", str(EXAMPLE), str(missing), "--format", "json"],
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "nowhere.txt" in proc.stderr
    events = json_events(proc.stdout)
    assert any(e["event"] == "recognize_government" and e["doc"] == DOC for e in events)


# --------------------------------------------------------------------------- help, version, aliases

def _all_command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(cmd, prefix: list[str]) -> None:  # noqa: ANN001
        for name, sub in getattr(cmd, "commands", {}).items():
            paths.append(prefix + [name])
            walk(sub, prefix + [name])

    walk(root, [])
    return paths


def test_help_shows_no_python_types_markup_or_doubled_words():
    for path in [[]] + _all_command_paths():
        result = run(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        text = result.stdout
        for bad in ("<bool>", "<str>", "<list[", "<int", "<path>", "{", "``", "first first"):
            assert bad not in text, (path, bad, text)
    analyze = run("analyze", "--help").stdout
    assert "analyze [OPTIONS] PATHS..." in analyze
    assert "--published DATE" in analyze and "--field FIELD=KEY" in analyze
    assert "--explain " in analyze and "--explain <" not in analyze  # a flag takes no value
    assert "TOML ([[rule]] tables)" in run("watch", "load", "--help").stdout  # not eaten as markup


def test_version():
    from importlib.metadata import version

    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"diplowatch {version('diplowatch')}"


def test_british_spellings_are_aliases(tmp_path):
    url = db_url(tmp_path)
    added = run("watch", "add", "gb", "--event", "recognise_government", "--notify", "stdout", "--db", url)
    assert added.exit_code == 0, added.output
    assert "recognize_government" in added.stdout
    assert run("watch", "add", "gb2", "--event", "Designate-Organisation", "--notify", "stdout",
               "--db", url).exit_code == 0
    assert run("who-recognises", "AFG", "--db", url).exit_code == 0
    assert "who-recognises" not in run("--help").stdout  # an alias, not a second command in the list


def test_unknown_event_type_lists_the_valid_ones(tmp_path):
    result = run("watch", "add", "x", "--event", "recognition", "--notify", "stdout", "--db", db_url(tmp_path))
    assert result.exit_code == 2
    assert "unknown event type 'recognition'; valid: recognize_state, recognize_government" in result.stderr
    assert "break_relations" in result.stderr and "praise" not in result.stderr  # only the watchable ones


def test_a_missing_file_exits_2_from_analyze_and_ingest_alike(tmp_path):
    missing = tmp_path / "nowhere.txt"
    codes = {cmd: run(cmd, missing, *(("--db", db_url(tmp_path)) if cmd == "ingest" else ())) for cmd in
             ("analyze", "ingest")}
    assert {cmd: r.exit_code for cmd, r in codes.items()} == {"analyze": 2, "ingest": 2}
    assert all(f"error: {missing}: no such file or directory" in r.stderr for r in codes.values())
    assert not (tmp_path / "kb.db").exists()  # nothing opened or created
