"""Corpora (JSON Lines, CSV/TSV, field maps), stdin and directory sniffing, dates, languages,
and the ``analyze``/``ingest`` options that reach them (RELIABILITY.md encoding and date rows)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import time

import pytest
from typer.testing import CliRunner

import diplowatch.cli as cli
from diplowatch.errors import InputError
from diplowatch.ingest import IngestSettings, RunSummary, read_inputs
from diplowatch.ingest.corpora import normalise_date
from diplowatch.ingest.sources import sniff_format
from diplowatch.model import Article

EN = "Kazakhstan removed the Taliban from its list of banned organisations on Friday, the ministry said."
EN2 = "China accepted the credentials of the Taliban ambassador in Beijing on Tuesday, officials said."
DE = "Kasachstan hat die Taliban am Freitag von seiner Liste verbotener Organisationen gestrichen, teilte das Ministerium mit."


def _split(items):
    arts = [i for i in items if isinstance(i, Article)]
    errs = [i for i in items if isinstance(i, InputError)]
    return arts, errs


def test_jsonl_with_field_map(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"guid": "k1", "body": EN, "headline": "Kazakhstan delists", "meta": {"date": "2023-12-29"}},
        {"guid": "k2", "body": EN2, "meta": {"date": "Tue, 30 Jan 2024 08:00:00 GMT"}},
        {"guid": "k3", "headline": "no body"},
    ]) + "\n")
    s = IngestSettings(fields={"id": "guid", "text": "body", "title": "headline", "published": "meta.date"})
    arts, errs = _split(list(read_inputs([p], settings=s)))
    assert [(a.id, a.title, a.published) for a in arts] == [
        ("k1", "Kazakhstan delists", dt.date(2023, 12, 29)), ("k2", None, dt.date(2024, 1, 30))]
    assert len(errs) == 1 and errs[0].line == 3 and 'missing field "body"' in errs[0].reason


def test_jsonl_latin1_line_is_quarantined_batch_continues(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(json.dumps({"id": "a", "text": EN}).encode() + b"\n"
                  + '{"id": "b", "text": "Côte d’Ivoire and Kabul"}'.encode("cp1252") + b"\n"
                  + json.dumps({"id": "c", "text": EN2}).encode() + b"\n")
    arts, errs = _split(list(read_inputs([p])))
    assert [a.id for a in arts] == ["a", "c"]
    assert errs[0].line == 2 and "invalid UTF-8" in errs[0].reason


def test_csv_and_tsv_with_field_map(tmp_path):
    (tmp_path / "a.csv").write_text('headline,body,date\n"Delisted","' + EN + '",2023-12-29\n'
                                    '"Envoy","' + EN2 + '",24-01-30\n', encoding="utf-8")
    (tmp_path / "b.tsv").write_text("headline\tbody\tdate\nT\t" + EN + "\t\n", encoding="utf-8")
    s = IngestSettings(fields={"title": "headline", "text": "body", "published": "date"})
    summary = RunSummary()
    arts, errs = _split(list(read_inputs([tmp_path], settings=s, summary=summary)))
    assert not errs
    assert [(a.title, a.published) for a in arts] == [("Delisted", dt.date(2023, 12, 29)),
                                                      ("Envoy", None), ("T", None)]
    assert summary.dates_unusable == 1  # the two-digit year; the empty cell is simply absent
    assert summary.dates_unknown == 2  # two articles without a date: the two-digit year's and the empty cell's


def test_csv_invalid_utf8_is_decoded_with_replacement(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_bytes(b"text\n" + EN.encode() + b"\n" + "Zürich talks on relations between the two states.".encode(
        "latin-1") + b"\n")
    arts, errs = _split(list(read_inputs([p], settings=IngestSettings(languages=frozenset()))))
    assert len(arts) == 2 and "\ufffd" in arts[1].text and not errs


@pytest.mark.parametrize("value", ["24-01-30", "0000-00-00", "0000-01-01", "0200-01-01", "9999-12-31",
                                   "2999-01-01", 9999999999, 1700000000, "", None, "30/01/2024",
                                   "Tue, 30 Jan 24 08:00:00 GMT", "Mon, 01 Jan 0000 00:00:00 GMT"])
def test_absurd_dates_become_unknown(value):
    iso, flagged = normalise_date(value)
    assert iso is None
    assert flagged == (value not in ("", None))


def test_absurd_dates_in_a_corpus_never_crash_or_become_year_200(tmp_path):
    values = ["24-01-30", "0000-00-00", "0200-01-01", "9999-12-31", 9999999999, "", None, "2024-02-30"]
    p = tmp_path / "dates.jsonl"
    p.write_text("\n".join(json.dumps({"id": f"d{i}", "text": EN, "published": v}) for i, v in enumerate(values)))
    summary = RunSummary()
    arts, errs = _split(list(read_inputs([p], summary=summary, published=dt.date(2024, 5, 1))))
    assert not errs and len(arts) == len(values)
    assert all(a.published == dt.date(2024, 5, 1) for a in arts)  # --published fills every unknown date
    assert summary.dates_unusable == 6 and summary.dates_unknown == 0


def test_stdin_is_sniffed(monkeypatch):
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
            b"<link>https://e.example/1</link><description>" + EN.encode() + b"</description></item></channel></rss>")
    for data, expect in [(feed, "https://e.example/1"), (json.dumps({"id": "s", "text": EN}).encode(), None),
                         (EN.encode(), None)]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        (art,) = list(read_inputs(["-"]))
        assert isinstance(art, Article) and art.url == expect and "Taliban" in art.text


def test_sniff_format():
    assert sniff_format("x.HTML", None, b"") == "html"
    assert sniff_format(None, "application/atom+xml", b"<feed/>") == "feed"
    assert sniff_format(None, "text/html", b'<?xml version="1.0"?><rss version="2.0">') == "feed"
    assert sniff_format("https://e.example/feed", "application/xml", b"<rss>") == "feed"
    assert sniff_format(None, None, b"  <!DOCTYPE html><html>") == "html"
    assert sniff_format(None, None, b'{"text": "x"}') == "jsonl"
    assert sniff_format(None, None, b"plain words") == "text"


def test_a_language_not_analysed_is_skipped_with_a_count(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text(json.dumps({"id": "en", "text": EN}) + "\n" + json.dumps({"id": "de", "text": DE, "lang": "en"}))
    summary = RunSummary()
    arts = list(read_inputs([p], summary=summary))
    assert [a.id for a in arts] == ["en"] and summary.skipped_language == {"de": 1}
    assert summary.to_dict()["skipped"] == {"language": {"de": 1}, "empty": 0}


def test_existing_text_and_error_behaviour_is_kept(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "doc.txt").write_text(EN)
    arts, errs = _split(list(read_inputs([tmp_path])))
    assert [a.id for a in arts] == ["doc"]
    assert sorted(e.source.rsplit("/", 1)[-1] for e in errs) == ["bin.txt", "empty.txt"]


def test_huge_sentence_corpus_is_read_quickly(tmp_path):
    p = tmp_path / "big.jsonl"
    p.write_text(json.dumps({"id": "big", "text": "word " * 60_000}) + "\n")
    t0 = time.monotonic()
    arts, _ = _split(list(read_inputs([p])))
    assert time.monotonic() - t0 < 5 and len(arts) == 1


# --------------------------------------------------------------------------- CLI

class Stub:
    def extract(self, article):  # noqa: ANN001
        return []


def test_ingest_any_format_with_summary_json(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_extractor", lambda: Stub())
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("body,date\n\"" + EN + "\",\n\"" + DE + "\",2024-01-01\n")
    (tmp_path / "in" / "p.html").write_text("<html><body><article><p>" + EN2 + " " + EN2 + "</p></article></body></html>")
    (tmp_path / "in" / "bad.rss").write_text('<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY a "x">\n]><rss/>')
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    runner = CliRunner()
    r = runner.invoke(cli.app, ["ingest", str(tmp_path / "in"), "--db", db, "--field", "text=body",
                                "--field", "published=date", "--summary-json", "-", "--published", "2024-03-01"])
    assert r.exit_code == 1, r.output  # the refused feed is quarantined
    data = json.loads(r.stdout.strip().splitlines()[-1])
    assert data["read"] == 3 and data["new"] == 2 and data["skipped"]["language"] == {"de": 1}
    assert data["quarantined"]["total"] == 1
    r = runner.invoke(cli.app, ["ingest", str(tmp_path / "in"), "--db", db, "--field", "text=body", "-q",
                                "--summary-json", "-"])
    assert json.loads(r.stdout.strip().splitlines()[-1])["duplicates"] == 2


def test_bad_field_option_exits_2(tmp_path):
    r = CliRunner().invoke(cli.app, ["analyze", str(tmp_path), "--field", "nonsense"])
    assert r.exit_code == 2


def test_the_date_warning_says_what_was_used(tmp_path, caplog):
    """With --published the warning names the date used instead, not 'treated as unknown' (issue 13)."""
    p = tmp_path / "dates.jsonl"
    p.write_text(json.dumps({"id": "d1", "text": EN, "published": "0000-00-00"}) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="diplowatch.ingest"):
        summary = RunSummary()
        [art] = list(read_inputs([p], summary=summary, published=dt.date(2024, 5, 1)))
    assert art.published == dt.date(2024, 5, 1)
    assert f"{p}:1: unusable published date '0000-00-00', used the --published date 2024-05-01 instead" \
        in caplog.messages
    assert not any("treated as unknown" in m for m in caplog.messages)
    assert (summary.dates_unusable, summary.dates_defaulted, summary.dates_unknown) == (1, 1, 0)
    assert "1 unusable date(s): 1 replaced by the --published date" in summary.line()
    caplog.clear()
    with caplog.at_level("WARNING", logger="diplowatch.ingest"):
        summary = RunSummary()
        [art] = list(read_inputs([p], summary=summary))
    assert art.published is None
    assert f"{p}:1: unusable published date '0000-00-00', treated as unknown" in caplog.messages
    assert "1 unusable date(s): 1 stored as unknown" in summary.line()
    assert summary.to_dict()["dates_defaulted"] == 0


@pytest.mark.slow
def test_summary_counts_articles_without_a_date(tmp_path, monkeypatch, extractor):
    """``--summary-json``: ``dates_unknown`` counts the articles that have no date at all."""
    from typer.testing import CliRunner

    import diplowatch.cli as cli

    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "b1", "text": EN2}) + "\n"
                                      + json.dumps({"id": "b2", "text": EN, "published": "2024-01-30"}) + "\n")
    monkeypatch.setattr(cli, "_extractor", lambda: extractor)  # the session's spaCy pipeline, loaded once
    out = tmp_path / "run.json"
    result = CliRunner().invoke(cli.app, ["analyze", str(tmp_path / "a.txt"), str(tmp_path / "b.jsonl"),
                                          "--summary-json", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())
    assert (summary["read"], summary["dates_unknown"], summary["dates_unusable"]) == (3, 2, 0)


def test_csv_without_a_text_column_is_one_error_listing_the_columns(tmp_path):
    """A header without the text column: one error for the file naming the columns found, not one per row."""
    p = tmp_path / "notes.csv"
    p.write_text("id,link,body\nn1,https://example.org/n1,Words.\nn2,https://example.org/n2,More words.\n",
                 encoding="utf-8")
    items = list(read_inputs([p]))
    assert len(items) == 1 and isinstance(items[0], InputError)
    assert str(items[0]) == (f'{p}: no column "text" (columns: id, link, body); '
                             "--field text=COLUMN names the column that holds the text")
    renamed = list(read_inputs([p], settings=IngestSettings(fields={"text": "body"})))
    assert [a.id for a in renamed] == ["n1", "n2"]  # the row's id field is its doc id
    p.write_text("id,link,body\nn1,https://example.org/n1,Words.\n", encoding="utf-8")
    [err] = list(read_inputs([p], settings=IngestSettings(fields={"text": "content"})))
    assert str(err) == f'{p}: no column "content" (text) (columns: id, link, body); ' \
                       "--field text=COLUMN names the column that holds the text"
