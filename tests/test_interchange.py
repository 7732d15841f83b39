"""Interchange formats: GDELT 2.0 export → import round trip, import rules, flat CSV/Parquet/JSONL rows.

No spaCy: the events are built by hand from the packaged gazetteer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from diplowatch.actors import Gazetteer
from diplowatch.cli import app
from diplowatch.interchange import (
    GDELT_COLUMNS, GDELT_EXTRACTOR, event_from_row, event_row, export_events, gdelt_event, gdelt_row,
    import_gdelt, read_gdelt,
)
from diplowatch.model import Article, Event, Evidence, event_id
from diplowatch.ontology import event_type
from diplowatch.store import KnowledgeBase

runner = CliRunner()
PUBLISHED = dt.date(2025, 7, 4)
URL = "https://example.org/2025/07/russia-recognises-taliban"


def _event(doc: str, text: str, start: int, end: int, name: str, source, target,  # noqa: ANN001
           polarity: str = "asserted", date: str | None = "2025-07-03", precision: str | None = "day") -> Event:
    et = event_type(name)
    return Event(id=event_id(doc, "rules/1", start, end, name, source.id if source else None, target.id),
                 doc=doc, event=name, source=source, target=target, polarity=polarity, date=date,
                 date_precision=precision, cameo=et.cameo, plover=et.plover,
                 evidence=Evidence(text[start:end], start, end), attribution=None, confidence=0.9)


@pytest.fixture(scope="module")
def sample() -> tuple[Article, list[Event]]:
    """One article with events of every kind of actor the GDELT export codes."""
    gaz = Gazetteer.default()
    text = ("Russia recognised the Taliban government. The Russian Foreign Ministry hosted talks with Kabul. "
            "The UN criticised the move. Kazakhstan removed the Taliban from its list of banned groups. "
            "Russia may expel Afghan diplomats.")
    sents = []
    pos = 0
    for part in text.split(". "):
        end = pos + len(part) + (1 if not part.endswith(".") else 0)
        sents.append((pos, min(end, len(text))))
        pos = end + 1
    rus, kaz, afg = gaz.state("RUS"), gaz.state("KAZ"), gaz.government("AFG", PUBLISHED)
    mfa, un, taliban = gaz.body("RUS", "mfa"), gaz.actor("ORG:un"), gaz.actor("ORG:taliban")
    doc = "dev-art-1"
    events = [
        _event(doc, text, *sents[0], "recognize_government", rus, afg),
        _event(doc, text, *sents[1], "high_level_talks", mfa, afg, date=None, precision=None),
        _event(doc, text, *sents[2], "criticize", un, rus, date="2025-07", precision="month"),
        _event(doc, text, *sents[3], "delist_organization", kaz, taliban),
        _event(doc, text, *sents[4], "expel_diplomats", rus, afg, polarity="hypothetical"),
    ]
    return Article(id=doc, text=text, url=URL, published=PUBLISHED), events


def _kb(tmp_path: Path, name: str) -> KnowledgeBase:
    return KnowledgeBase(f"sqlite:///{tmp_path / name}")


def _gdelt_lines(kb: KnowledgeBase) -> list[str]:
    buf = io.StringIO()
    export_events(kb.events(), "gdelt", buf)
    return sorted(buf.getvalue().splitlines())


def test_gdelt_export_fields(tmp_path: Path, sample) -> None:  # noqa: ANN001
    article, events = sample
    with _kb(tmp_path, "a.db") as kb:
        kb.add(article, events)
        lines = _gdelt_lines(kb)
    assert len(lines) == 4, "the hypothetical event is not exported"
    rows = [dict(zip(GDELT_COLUMNS, line.split("\t"))) for line in lines]
    assert all(len(line.split("\t")) == 61 for line in lines)
    by_code = {r["EventCode"]: r for r in rows}
    rec = by_code["054"]
    assert (rec["Actor1Code"], rec["Actor1CountryCode"], rec["Actor2Code"], rec["Actor2CountryCode"]) == \
        ("RUS", "RUS", "AFGGOV", "AFG")
    assert (rec["SQLDATE"], rec["MonthYear"], rec["Year"]) == ("20250703", "202507", "2025")
    assert (rec["EventBaseCode"], rec["EventRootCode"], rec["QuadClass"], rec["GoldsteinScale"]) == \
        ("054", "05", "1", "6.0")
    assert rec["SOURCEURL"] == URL and rec["DATEADDED"] == "20250704000000"
    assert rec["GLOBALEVENTID"].isdigit() and rec["ActionGeo_Type"] == ""
    talks = by_code["040"]
    assert talks["Actor1Code"] == "RUSGOV" and talks["Actor1Name"] == "RUSSIAN FOREIGN MINISTRY"
    assert talks["SQLDATE"] == "20250704", "undated: the publication date"
    crit = by_code["111"]
    assert crit["Actor1Code"] == "IGOUNO" and crit["QuadClass"] == "3" and crit["GoldsteinScale"] == "-2.0"
    assert crit["SQLDATE"] == "20250701", "month precision: first day of the month"
    assert by_code["0812"]["Actor2Code"] == "TAL" and by_code["0812"]["Actor2KnownGroupCode"] == "TAL"
    # QuadClass is the PLOVER quad category of the event's PLOVER type (data/plover.csv): delisting is
    # CONCEDE, verbal cooperation; GoldsteinScale the published table's weight of the code (0812: 5.0)
    assert (by_code["0812"]["QuadClass"], by_code["0812"]["GoldsteinScale"]) == ("1", "5.0")


def test_weights_are_the_published_tables() -> None:
    """Goldstein weights from data/goldstein.tsv (GDELT's CAMEO.goldsteinscale.txt), PLOVER quad categories
    from data/plover.csv (PLOVER manual), with fallback to the base and root code."""
    from diplowatch.ontology import GOLDSTEIN, goldstein, quad_class

    assert len(GOLDSTEIN) == 311
    assert [goldstein(c) for c in ("054", "163", "1722", "024", "104", "053", "113")] == \
        [6.0, -8.0, -5.0, -0.3, -5.0, 3.8, -2.0]
    assert goldstein("0549") == 6.0 and goldstein("209") == -10.0
    with pytest.raises(KeyError, match="Goldstein"):
        goldstein("99")
    assert [quad_class(p) for p in ("CONSULT", "AID", "REQUEST", "SANCTION")] == [1, 2, 3, 4]
    with pytest.raises(KeyError, match="PLOVER"):
        quad_class("HUG")


def test_gdelt_round_trip(tmp_path: Path, sample) -> None:  # noqa: ANN001
    """Export to GDELT, import into an empty knowledge base, export again: the same records."""
    article, events = sample
    with _kb(tmp_path, "a.db") as kb:
        kb.add(article, events)
        first = _gdelt_lines(kb)
    path = tmp_path / "20250704.export.CSV"
    path.write_text("\n".join(first) + "\n", encoding="utf-8")
    with _kb(tmp_path, "b.db") as kb2:
        report = import_gdelt(kb2, [path])
        # 054 is skipped: in GDELT it may be a recognition, first relations or a mission (see the module)
        assert (report.read, report.imported, report.already, dict(report.skipped)) == \
            (4, 3, 0, {"EventCode 054": 1})
        again = import_gdelt(kb2, [path])
        assert (again.imported, again.already) == (0, 3), "import is idempotent"
        second = _gdelt_lines(kb2)
        imported = kb2.events()
    code = GDELT_COLUMNS.index("EventCode")
    assert second == [line for line in first if line.split("\t")[code] != "054"]
    assert {e.extractor for e in imported} == {GDELT_EXTRACTOR}
    assert all(e.doc.startswith("gdelt:") and e.polarity == "asserted" for e in imported)
    assert {e.event for e in imported} == {"high_level_talks", "criticize", "delist_organization"}


def _record(**fields: str) -> str:
    rec = dict.fromkeys(GDELT_COLUMNS, "")
    rec.update({"GLOBALEVENTID": "1234567890", "SQLDATE": "20240130", "MonthYear": "202401", "Year": "2024",
                "FractionDate": "2024.0795", "IsRootEvent": "1", "NumMentions": "10", "NumSources": "2",
                "NumArticles": "10", "AvgTone": "-1.5", "DATEADDED": "20240130101500", "SOURCEURL": URL})
    rec.update(fields)
    return "\t".join(rec[c] for c in GDELT_COLUMNS)


def test_gdelt_import_rules(tmp_path: Path) -> None:
    lines = [
        _record(GLOBALEVENTID="1", Actor1Code="CHN", Actor1Name="CHINA", Actor1CountryCode="CHN",
                Actor2Code="AFGGOV", Actor2Name="KABUL", Actor2CountryCode="AFG", Actor2Type1Code="GOV",
                EventCode="174", EventBaseCode="174", EventRootCode="17"),
        _record(GLOBALEVENTID="2", Actor1Code="USA", Actor1CountryCode="USA", Actor2Code="XKX",
                Actor2CountryCode="XKX", EventCode="054"),
        _record(GLOBALEVENTID="3", Actor1Code="USA", Actor1CountryCode="USA", Actor2Code="RUS",
                Actor2CountryCode="RUS", EventCode="057"),
        _record(GLOBALEVENTID="4", Actor1Code="USAMED", Actor1CountryCode="USA", Actor2Code="RUS",
                Actor2CountryCode="RUS", EventCode="111"),
        _record(GLOBALEVENTID="5", Actor1Code="FRA", Actor1CountryCode="FRA", Actor2Code="", EventCode="161"),
        "not\ta\tgdelt\trecord",
    ]
    path = tmp_path / "events.CSV"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with _kb(tmp_path, "kb.db") as kb:
        report = import_gdelt(kb, [path])
        assert report.read == 5 and report.imported == 1 and len(report.errors) == 1
        # 054 and 161 are ambiguous in our ontology and never imported (see diplowatch.interchange)
        assert report.skipped == {"EventCode 054": 1, "EventCode 057": 1, "actor1 USAMED": 1, "EventCode 161": 1}
        evs = {e.doc: e for e in kb.events()}
        # a real article at the GDELT source URL is not taken for the imported stub
        assert kb.add(Article(id="real", text="China accepted the credentials of the Taliban envoy.", url=URL,
                              published=dt.date(2024, 1, 30)), [])
    china = evs["gdelt:1"]
    assert (china.event, china.source.id, china.target.id, china.target.kind) == \
        ("expel_diplomats", "CHN", "AFG:taliban", "government")
    assert (china.date, china.date_precision, china.cameo, china.extractor) == \
        ("2024-01-30", "day", "174", GDELT_EXTRACTOR)
    assert china.published == dt.date(2024, 1, 30) and URL in china.evidence.text
    assert "gdelt:2" not in evs


def test_gdelt_event_skips_unknown_code() -> None:
    rec = next(iter(read_gdelt_lines([_record(EventCode="190", Actor1Code="RUS", Actor1CountryCode="RUS",
                                              Actor2Code="UKR", Actor2CountryCode="UKR")])))
    assert gdelt_event(rec) == "EventCode 190"


def read_gdelt_lines(lines: list[str]):  # noqa: ANN201
    """Records of GDELT lines, without a file."""
    return [dict(zip(GDELT_COLUMNS, line.split("\t"))) for line in lines]


def test_read_gdelt_zip(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "20240130101500.export.CSV.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("20240130101500.export.CSV", _record() + "\n")
    got = list(read_gdelt(path))
    assert len(got) == 1 and got[0]["GLOBALEVENTID"] == "1234567890"


def test_flat_rows_round_trip(sample) -> None:  # noqa: ANN001
    _article, events = sample
    for e in events:
        assert event_from_row(event_row(e)) == e


def test_export_formats_cli(tmp_path: Path, sample) -> None:  # noqa: ANN001
    import pyarrow.parquet as pq

    article, events = sample
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    with KnowledgeBase(db) as kb:
        kb.add(article, events)
    res = runner.invoke(app, ["export", "--format", "jsonl", "--db", db])
    assert res.exit_code == 0, res.output
    objs = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert sorted(o["id"] for o in objs) == sorted(e.id for e in events)
    out_csv = tmp_path / "events.csv"
    assert runner.invoke(app, ["export", "-f", "csv", "--db", db, "--out", str(out_csv)]).exit_code == 0
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert {event_from_row(r).id for r in rows} == {e.id for e in events}
    assert {r["url"] for r in rows} == {URL} and {r["published"] for r in rows} == {"2025-07-04"}
    back = {event_from_row(r).id: event_from_row(r) for r in rows}
    assert all(back[e.id] == e for e in events)
    out_pq = tmp_path / "events.parquet"
    assert runner.invoke(app, ["export", "-f", "parquet", "--db", db, "--out", str(out_pq)]).exit_code == 0
    table = pq.read_table(out_pq)
    assert table.num_rows == len(events) and "evidence_start" in table.column_names
    assert runner.invoke(app, ["export", "-f", "parquet", "--db", db]).exit_code == 2
    assert runner.invoke(app, ["export", "-f", "xml", "--db", db]).exit_code == 2
    out_g = tmp_path / "events.gdelt"
    assert runner.invoke(app, ["export", "-f", "gdelt", "--db", db, "--out", str(out_g)]).exit_code == 0
    db2 = f"sqlite:///{tmp_path / 'kb2.db'}"
    res = runner.invoke(app, ["import", str(out_g), "--db", db2])
    assert res.exit_code == 0, res.output
    assert "3 imported" in res.stdout


def test_gdelt_row_skips_what_gdelt_cannot_hold(sample) -> None:  # noqa: ANN001
    _article, events = sample
    hypothetical = events[-1]
    assert gdelt_row(hypothetical, PUBLISHED, URL) is None
    undated = events[1]
    assert gdelt_row(undated, None, URL) is None, "no event date and no publication date"


def test_gdelt_coding_of_a_stored_article_is_no_second_source(tmp_path: Path, sample) -> None:  # noqa: ANN001
    """Importing our own export into the knowledge base it came from adds nothing."""
    article, events = sample
    with _kb(tmp_path, "a.db") as kb:
        kb.add(article, events)
        path = tmp_path / "own.export.CSV"
        path.write_text("\n".join(_gdelt_lines(kb)) + "\n", encoding="utf-8")
        before = kb.counts()
        report = import_gdelt(kb, [path])
        assert report.imported == 0
        assert report.skipped["source article already stored"] == 3
        assert kb.counts() == before


@pytest.fixture()
def stored(tmp_path: Path, sample) -> str:  # noqa: ANN001
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    with KnowledgeBase(db) as kb:
        kb.add(*sample)
    return db


def _export_fails(db: str, fmt: str, target: str | Path) -> str:
    """Run `export --out TARGET`: exit 2, one `error:` line naming the target, no traceback."""
    res = runner.invoke(app, ["export", "-f", fmt, "--db", db, "--out", str(target)])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot write {target}: "), res.stderr
    return lines[0]


@pytest.mark.parametrize("fmt", ["gdelt", "jsonl", "csv", "parquet"])
def test_export_to_a_bad_target(tmp_path: Path, stored: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import tempfile

    before = sorted(p.name for p in tmp_path.iterdir())
    assert "no such directory" in _export_fails(stored, fmt, tmp_path / "missing" / "events.out")
    assert "is a directory" in _export_fails(stored, fmt, tmp_path)
    if Path("/dev/full").exists():
        assert "No space left on device" in _export_fails(stored, fmt, "/dev/full")
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert "permission denied" in _export_fails(stored, fmt, locked / "events.out").lower()
        locked.chmod(0o700)
        locked.rmdir()

    def denied(*_args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise PermissionError(13, "Permission denied", kwargs.get("dir"))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    assert "Permission denied" in _export_fails(stored, fmt, tmp_path / "events.out")
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "nothing created"


def test_export_is_written_whole_or_not_at_all(tmp_path: Path, stored: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails half-way (disk full) leaves the old file as it was and no temporary file."""
    import diplowatch.interchange as interchange

    target = tmp_path / "events.jsonl"
    target.write_text("old\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    calls = []

    def full(event):  # noqa: ANN001, ANN202
        calls.append(event)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return {"id": event.id}

    monkeypatch.setattr(interchange, "_export_row", full)
    assert "No space left on device" in _export_fails(stored, "csv", target)
    assert len(calls) == 2, "failed after a row was written"
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    monkeypatch.undo()
    res = runner.invoke(app, ["export", "-f", "jsonl", "--db", stored, "--out", str(target)])
    assert res.exit_code == 0, res.output
    assert len(target.read_text().splitlines()) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_import_help_names_what_is_skipped() -> None:
    res = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "200"})
    text = " ".join(res.stdout.split())
    assert "054" in text and "161" in text and "invent events" in text and "Actor1" in text


def test_import_of_a_file_that_is_no_gdelt_file_is_one_error(tmp_path: Path) -> None:
    """A CSV of articles given to `import`: one error naming the file, exit 1, nothing stored."""
    path = tmp_path / "articles.csv"
    path.write_text("id,url,text\n" + "".join(f"a{i},https://example.org/{i},Some words {i}.\n" for i in range(40)),
                    encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    res = runner.invoke(app, ["import", str(path), "--db", db])
    assert res.exit_code == 1, res.output
    lines = res.stderr.strip().splitlines()
    assert lines == [f"error: {path}: not a GDELT 2.0 events file (line 1 has 1 tab-separated field, "
                     f"a GDELT 2.0 event row has {len(GDELT_COLUMNS)})"], res.stderr
    with KnowledgeBase(db) as kb:
        assert kb.events() == []


def test_a_short_line_inside_a_gdelt_file_is_named_by_its_line(tmp_path: Path) -> None:
    """A GDELT file with a cut row after good ones: that line is reported, the good rows still read."""
    path = tmp_path / "20240130101500.export.CSV"
    path.write_text(_record() + "\n" + "\t".join(_record().split("\t")[:20]) + "\n", encoding="utf-8")
    got = list(read_gdelt(path))
    assert isinstance(got[0], dict) and got[0]["GLOBALEVENTID"] == "1234567890"
    assert str(got[1]) == f"{path}:2: expected {len(GDELT_COLUMNS)} tab-separated GDELT 2.0 fields, found 20"


def _stored(tmp_path: Path, *reports: tuple[Article, list[Event]]) -> str:
    """The URL of a new store in ``tmp_path`` holding these articles and events."""
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with KnowledgeBase(db) as kb:
        for article, events in reports:
            kb.add(article, events)
    return db


def _second_article() -> tuple[Article, list[Event]]:
    """An article with neither URL nor date, whose two events share one sentence."""
    gaz = Gazetteer.default()
    text = "Reporters were told little. Chile and Peru restored diplomatic relations and praised each other."
    start = text.index("Chile")
    doc = "wire-77"
    chl, per = gaz.state("CHL"), gaz.state("PER")
    events = [_event(doc, text, start, len(text), "restore_relations", chl, per, date="2019", precision="year"),
              _event(doc, text, start, len(text), "praise", per, chl, date=None, precision=None)]
    return Article(id=doc, text=text), events


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_our_exports_round_trip_without_loss(tmp_path: Path, sample, fmt: str) -> None:  # noqa: ANN001
    """export → import into an empty store → export again: the same file; every event, date and URL back."""
    first_db, second_db = _stored(tmp_path, sample, _second_article()), f"sqlite:///{tmp_path / 'b.db'}"
    with KnowledgeBase(first_db) as kb:
        before = sorted(kb.events(), key=lambda e: e.id)
    first, again = tmp_path / f"first.{fmt}", tmp_path / f"again.{fmt}"
    assert runner.invoke(app, ["export", "-f", fmt, "--db", first_db, "--out", str(first)]).exit_code == 0
    res = runner.invoke(app, ["import", "-f", fmt, str(first), "--db", second_db])
    assert res.exit_code == 0, res.output
    assert "read 7 event(s): 7 imported, 0 already stored" in res.stdout
    assert runner.invoke(app, ["export", "-f", fmt, "--db", second_db, "--out", str(again)]).exit_code == 0
    if fmt == "parquet":
        import pyarrow.parquet as pq

        def rows(p: Path) -> list[dict]:
            return sorted(pq.read_table(p).to_pylist(), key=lambda r: r["id"])

        assert rows(again) == rows(first)
    else:
        assert sorted(again.read_text().splitlines()) == sorted(first.read_text().splitlines())
    with KnowledgeBase(second_db) as kb:
        after = sorted(kb.events(), key=lambda e: e.id)
        assert after == before  # recognitions included: nothing is skipped as in a GDELT round trip
        assert [(e.published, e.url) for e in after] == [(e.published, e.url) for e in before]
        for e in after:
            assert kb.article(e.doc).content[e.evidence.start:e.evidence.end] == e.evidence.text
    res = runner.invoke(app, ["import", "-f", fmt, str(first), "--db", second_db])
    assert res.exit_code == 0 and "0 imported, 7 already stored" in res.stdout


def test_jsonl_export_is_the_event_contract_with_the_reports_date_and_url(tmp_path: Path,
                                                                          sample) -> None:  # noqa: ANN001
    res = runner.invoke(app, ["export", "-f", "jsonl", "--db", _stored(tmp_path, sample)])
    objs = {o["id"]: o for o in map(json.loads, res.stdout.splitlines())}
    for e in sample[1]:
        assert objs[e.id] == {**e.to_dict(), "published": "2025-07-04", "url": URL}


def test_importing_a_bad_export_stores_nothing_of_it(tmp_path: Path, sample) -> None:  # noqa: ANN001
    article, events = sample
    good = [json.dumps({**e.to_dict(), "published": "2025-07-04", "url": URL}) for e in events]
    bad = json.loads(good[2])
    bad["event"] = "recognise_everyone"
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([good[0], good[1], json.dumps(bad), good[3]]) + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    res = runner.invoke(app, ["import", "-f", "jsonl", str(path), "--db", db])
    assert res.exit_code == 1
    assert res.stderr.strip() == f"error: {path}:3: event {bad['id']}: unknown event type 'recognise_everyone'"
    with KnowledgeBase(db) as kb:
        assert kb.events() == []
    table = tmp_path / "other.csv"
    table.write_text("id,name\n1,x\n", encoding="utf-8")
    res = runner.invoke(app, ["import", "-f", "csv", str(table), "--db", db])
    assert res.exit_code == 1 and "no column doc, event, polarity" in res.stderr
    assert runner.invoke(app, ["import", "-f", "xml", str(table), "--db", db]).exit_code == 2
