"""Readers: good inputs become Articles; every bad input is an InputError naming it."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys

import pytest

from diplowatch.errors import InputError
from diplowatch.ingest import parse_published, read_path, read_paths
from diplowatch.model import Article, article_id

D = dt.date(2024, 1, 30)


def one(path, **kw):
    items = list(read_path(path, **kw))
    assert len(items) == 1, items
    return items[0]


def err(path, **kw) -> InputError:
    item = one(path, **kw)
    assert isinstance(item, InputError), item
    assert item.source == str(path)
    assert str(path) in str(item)
    return item


def jline(**fields) -> str:
    return json.dumps(fields) + "\n"


# --------------------------------------------------------------------------- .txt

def test_txt_article_id_is_stem(tmp_path):
    p = tmp_path / "seed-001.txt"
    p.write_text("Russia recognised the Taliban government.\n", encoding="utf-8")
    art = one(p, published=D)
    assert art == Article(id="seed-001", text="Russia recognised the Taliban government.\n",
                          title=None, url=None, published=D)


def test_txt_front_matter_gives_date_url_title_and_keeps_offsets_into_the_body(tmp_path):
    p = tmp_path / "note.txt"
    body = "Chile restored diplomatic relations with Peru on Tuesday.\n"
    p.write_text("---\npublished: 2024-01-30\nurl: https://news.example/chile-peru\n"
                 "title: Chile and Peru\n---\n" + body, encoding="utf-8")
    art = one(p, published=dt.date(2020, 1, 1))  # the file's own date wins over the fallback
    assert (art.id, art.published, art.url, art.title) == ("note", D, "https://news.example/chile-peru",
                                                           "Chile and Peru")
    assert art.text == body and art.content == "Chile and Peru\n\n" + body


@pytest.mark.parametrize("head, reason", [
    ("---\npublished: 30/01/2024\n---\n", "front matter: published '30/01/2024' is not a date"),
    ("---\nauthor: someone\n---\n", "front matter: unknown key(s) author"),
    ("---\npublished: 2024-01-30\n---\n", None),
])
def test_txt_front_matter_errors_name_the_file_and_the_key(tmp_path, head, reason):
    p = tmp_path / "meta.txt"
    p.write_text(head + "Chile restored diplomatic relations with Peru.\n", encoding="utf-8")
    if reason is None:
        assert one(p).published == D
    else:
        assert reason in err(p).reason


def test_txt_without_closing_front_matter_line_is_all_text(tmp_path):
    p = tmp_path / "rule.txt"
    p.write_text("---\nChile restored relations with Peru.\n", encoding="utf-8")
    art = one(p)
    assert art.text.startswith("---\nChile") and art.published is None


def test_txt_bom_removed_and_line_endings_kept(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbfLine one.\r\nLine two.")
    assert one(p).text == "Line one.\r\nLine two."


def test_txt_without_published_is_unknown(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("Some text.")
    assert one(p).published is None


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"   \n\t\n  \r\n", "whitespace"),
    (b"abc\x00def", "NUL byte at byte offset 3"),
    (bytes(range(1, 32)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
])
def test_txt_bad_content(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    e = err(p)
    assert reason in e.reason
    assert e.line is None


def test_txt_invalid_utf8_names_byte_offset(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes("Président Tebboune".encode("latin-1"))
    e = err(p)
    assert "invalid UTF-8" in e.reason
    assert "byte offset 2" in e.reason  # 'P', 'r', then 0xe9


def test_missing_file(tmp_path):
    e = err(tmp_path / "nope.txt")
    assert "no such file" in e.reason
    e = err(tmp_path / "nope.jsonl")
    assert "no such file" in e.reason


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
@pytest.mark.parametrize("name", ["locked.txt", "locked.jsonl"])
def test_unreadable_file(tmp_path, name):
    p = tmp_path / name
    p.write_text(jline(text="x"))
    p.chmod(0)
    try:
        assert "permission denied" in err(p).reason
    finally:
        p.chmod(0o644)


def test_other_suffix_read_as_text(tmp_path):
    p = tmp_path / "note.md"
    p.write_text("Text here.")
    assert one(p).id == "note"


# --------------------------------------------------------------------------- JSON Lines

def test_jsonl_fields_and_defaults(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text(
        jline(id="dev-1", url="https://x.test/a", published="2024-01-30", title="Head", text="Body.")
        + jline(url="https://x.test/b", text="No id.")
        + jline(text="No id, no url.", lang="en"),
        encoding="utf-8")
    a, b, c = list(read_path(p))
    assert a == Article(id="dev-1", text="Body.", title="Head", url="https://x.test/a",
                        published=D)
    assert b.id == article_id("https://x.test/b", "No id.")
    assert c.id == article_id(None, "No id, no url.") and c.lang == "en"
    assert c.title is None and c.published is None


def test_json_suffix_is_json_lines(tmp_path):
    p = tmp_path / "c.json"
    p.write_text(jline(id="x", text="t"))
    assert one(p).id == "x"


def test_jsonl_bad_lines_are_errors_and_the_rest_goes_on(tmp_path):
    p = tmp_path / "mixed.jsonl"
    lines = [
        jline(id="ok1", text="First good."),                 # 1
        "{not json\n",                                       # 2
        "\n",                                                # 3 blank: skipped
        "[1, 2]\n",                                          # 4 not an object
        jline(id="notext", title="t"),                       # 5 lacks text
        jline(id="emptytext", text="   "),                   # 6 empty text
        jline(id="badtitle", title=5, text="x"),             # 7 wrong type
        jline(id="ok2", text="Second good."),                # 8
    ]
    p.write_text("".join(lines), encoding="utf-8")
    items = list(read_path(p))
    kinds = [(type(i).__name__, getattr(i, "id", None) or getattr(i, "line", None)) for i in items]
    assert kinds == [("Article", "ok1"), ("InputError", 2), ("InputError", 4),
                     ("InputError", 5), ("InputError", 6), ("InputError", 7), ("Article", "ok2")]
    errors = [i for i in items if isinstance(i, InputError)]
    for e in errors:
        assert e.source == str(p)
        assert f"{p}:{e.line}:" in str(e)
    assert "not valid JSON" in errors[0].reason
    assert "object" in errors[1].reason
    assert '"text"' in errors[2].reason
    assert "empty" in errors[3].reason
    assert '"title"' in errors[4].reason


def test_jsonl_invalid_utf8_line(tmp_path):
    p = tmp_path / "latin.jsonl"
    good = jline(id="a", text="fine").encode()
    bad = '{"id": "b", "text": "Président"}\n'.encode("latin-1")
    p.write_bytes(good + bad + jline(id="c", text="also fine").encode())
    items = list(read_path(p))
    assert [getattr(i, "id", None) for i in items] == ["a", None, "c"]
    e = items[1]
    assert isinstance(e, InputError) and e.line == 2 and e.source == str(p)
    assert "invalid UTF-8" in e.reason and "byte offset 23" in e.reason
    assert f"{p}:2:" in str(e)


def test_jsonl_nul_in_one_line(tmp_path):
    p = tmp_path / "nul.jsonl"
    p.write_bytes(jline(id="a", text="fine " * 20).encode() + b'{"id": "b", "te\x00xt": 1}\n'
                  + jline(id="c", text="fine " * 20).encode())
    items = list(read_path(p))
    assert isinstance(items[1], InputError) and items[1].line == 2
    assert "NUL" in items[1].reason
    assert [getattr(i, "id", None) for i in items] == ["a", None, "c"]


@pytest.mark.parametrize("field", ["text", "title", "url"])
def test_jsonl_lone_surrogate_is_an_input_error_naming_line_and_offset(tmp_path, field):
    """``"\\ud83d"`` is legal JSON but not Unicode: it would crash printing and storing later."""
    p = tmp_path / "sur.jsonl"
    record = {"id": "s", "text": "A fine sentence about Kabul.", field: "Emoji half \ud83d here."}
    p.write_text(jline(id="ok", text="Kabul said so.") + json.dumps(record) + "\n" + jline(text="Also fine."))
    items = list(read_path(p))
    assert [type(i).__name__ for i in items] == ["Article", "InputError", "Article"]
    bad = items[1]
    assert bad.source == str(p) and bad.line == 2
    assert bad.reason == f'field "{field}": lone surrogate \\ud83d at offset 11: not valid Unicode'
    # the corpora reader (configurable field names) refuses it the same way
    from diplowatch.ingest.corpora import read_jsonl

    with p.open("rb") as fh:
        again = list(read_jsonl(fh, str(p)))
    assert isinstance(again[1], InputError) and again[1].reason == bad.reason and again[1].line == 2


def test_jsonl_control_character_message_says_at_once(tmp_path):
    p = tmp_path / "ctl.jsonl"
    p.write_bytes(b'{"id": "c", "text": "tab\there"}\n')
    e = err(p)
    assert e.reason.startswith("not valid JSON: Invalid control character") and " at column " in e.reason
    assert "at at" not in e.reason


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"\n  \n\t\n", "whitespace"),
    (b"\x00\x01\x02\x03" * 100, "binary"),
])
def test_jsonl_bad_file(tmp_path, content, reason):
    p = tmp_path / "bad.jsonl"
    p.write_bytes(content)
    e = err(p)
    assert reason in e.reason and e.line is None



def test_read_path_and_read_inputs_share_one_json_lines_reader(tmp_path):
    """read_path (plain JSON Lines) and read_inputs (any format) read a .jsonl file alike, record for record."""
    from diplowatch.ingest import read_inputs
    from diplowatch.ingest.settings import IngestSettings

    p = tmp_path / "mixed.jsonl"
    p.write_bytes(b'{"id": "a", "text": "Kabul and Moscow talked.", "published": "2024-01-30"}\n'
                  b'{"id": 7, "text": "numeric id"}\n{broken\n\n'
                  b'{"id": "r", "text": "RFC date", "published": "Tue, 30 Jan 2024 10:00:00 GMT"}\n[1]\n')
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n  \n")

    def shape(items):
        return [str(i) if isinstance(i, InputError) else (i.id, i.text, i.url, i.published) for i in items]

    for path in (p, blank):
        assert shape(read_path(path)) == shape(read_inputs([path], settings=IngestSettings(languages=())))
    assert shape(read_path(p))[3] == ("r", "RFC date", None, D)
    assert "file holds only whitespace" in str(one(blank))

# --------------------------------------------------------------------------- dates

@pytest.mark.parametrize("value, expected", [
    ("2024-01-30", D),
    (" 2024-01-30 ", D),
    ("2024-01-30T08:15:00Z", D),
    ("2024-01-30T08:15:00+05:30", D),
    (D, D),
    (dt.datetime(2024, 1, 30, 8, 0), D),
    ("0000-00-00", None),
    ("0001-01-01", None),
    ("1799-12-31", None),
    ("9999-12-31", None),
    ("2024-02-30", None),
    ("24-01-30", None),
    ("30/01/2024", None),
    ("2024", None),
    ("yesterday", None),
    ("", None),
    (None, None),
    (9999999999, None),
    (1706572800, None),
    (True, None),
    ([2024, 1, 30], None),
])
def test_parse_published(value, expected):
    assert parse_published(value) == expected


def test_parse_published_far_future_bound():
    today = dt.date(2025, 6, 1)
    assert parse_published("2026-05-31", today=today) == dt.date(2026, 5, 31)
    assert parse_published("2027-06-01", today=today) is None
    assert parse_published("1800-01-01", today=today) == dt.date(1800, 1, 1)


def test_absurd_dates_become_none_not_a_crash(tmp_path):
    p = tmp_path / "dates.jsonl"
    p.write_text("".join(jline(id=f"d{i}", text="t", published=v) for i, v in enumerate(
        ["0000-00-00", "9999-01-01", 9999999999, "02/03/24", "1066-10-14", None])))
    items = list(read_path(p))
    assert all(isinstance(i, Article) for i in items)
    assert [i.published for i in items] == [None] * 6


def test_published_override_only_when_missing(tmp_path):
    p = tmp_path / "pub.jsonl"
    p.write_text(jline(id="has", text="t", published="2020-05-05")
                 + jline(id="none", text="t")
                 + jline(id="null", text="t", published=None)
                 + jline(id="bad", text="t", published="0000-00-00"))
    got = {a.id: a.published for a in read_path(p, published=D)}
    assert got == {"has": dt.date(2020, 5, 5), "none": D, "null": D, "bad": D}


# --------------------------------------------------------------------------- directories, stdin

def test_directory_recursion_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "b" / "z.txt").write_text("zed")
    (tmp_path / "a" / "deep" / "y.txt").write_text("why")
    (tmp_path / "a" / "c.jsonl").write_text(jline(id="c1", text="one") + jline(id="c2", text="two"))
    (tmp_path / "m.txt").write_text("em")
    (tmp_path / "readme.md").write_text("ignored")
    (tmp_path / "empty.txt").write_text("")
    items = list(read_path(tmp_path))
    ids = [i.id if isinstance(i, Article) else f"error:{i.source}" for i in items]
    assert ids == ["c1", "c2", "y", "z", f"error:{tmp_path / 'empty.txt'}", "m"]


def test_empty_directory_is_an_error(tmp_path):
    e = err(tmp_path)
    assert "holds no readable files (.jsonl .txt)" in e.reason


def test_read_paths_chains(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.jsonl"
    a.write_text("A.")
    b.write_text(jline(id="b1", text="B."))
    items = list(read_paths([a, tmp_path / "missing.txt", str(b)]))
    assert [type(i).__name__ for i in items] == ["Article", "InputError", "Article"]
    assert [getattr(i, "id", None) for i in items] == ["a", None, "b1"]


def test_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"From stdin.\n")))
    art = one("-", published=D)
    assert art.text == "From stdin.\n" and art.published == D
    assert art.id == article_id(None, "From stdin.\n")


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"\xff\xfe", "invalid UTF-8")])
def test_stdin_bad(monkeypatch, data, reason):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    e = one("-")
    assert isinstance(e, InputError) and e.source == "<stdin>" and reason in e.reason


@pytest.mark.parametrize("name", ["locked.txt", "locked.jsonl"])
def test_unreadable_file_simulated(tmp_path, monkeypatch, name):
    """Permission errors, simulated so the case runs as root too."""
    from pathlib import Path

    p = tmp_path / name
    p.write_text(jline(text="x"))

    def deny(self, *a, **kw):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", deny)
    assert "permission denied" in err(p).reason
