"""Watch rules and alerts (issue 7): transitions fire once, in the write transaction; delivery at least once.

Loopback only: webhooks go to an ``http.server`` on 127.0.0.1, reached through
the fetch allow-list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from diplowatch.alerts import (
    DeliveryPolicy, Rule, add_rule, deliver, list_alerts, list_rules, load_rules, read_rules_file, remove_rule,
)
from diplowatch.alerts.deliver import sign
from diplowatch.cli import app
from diplowatch.errors import ConfigurationError, StoreError
from diplowatch.ingest.settings import IngestSettings
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.ontology import EVENT_TYPES
from diplowatch.store import KnowledgeBase
from diplowatch.write import Writer

RUS = Actor("RUS", "Russia", "state", "RUS")
CHN = Actor("CHN", "China", "state", "CHN")
UZB = Actor("UZB", "Uzbekistan", "state", "UZB")
KAZ = Actor("KAZ", "Kazakhstan", "state", "KAZ")
TALIBAN_GOV = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_2073b2f2a0237912.txt"
LOOPBACK = IngestSettings(allow_hosts=("127.0.0.1",))
FAST = DeliveryPolicy(base_delay=1.0, max_delay=8.0, max_attempts=5, timeout=5.0)


def article(doc: str, text: str, published: str = "2025-07-04") -> Article:
    return Article(id=doc, text=text, published=dt.date.fromisoformat(published), url=f"https://news.example/{doc}")


def event(art: Article, kind: str, source: Actor | None, target: Actor | None, *, polarity: str = "asserted",
          date: str | None = "2025-07-03") -> Event:
    et = EVENT_TYPES[kind]
    return Event(id=event_id(art.id, "test/1", 0, len(art.text), kind, source.id if source else None,
                             target.id if target else None),
                 doc=art.id, event=kind, source=source, target=target, polarity=polarity, date=date,
                 date_precision="day" if date else None, cameo=et.cameo, plover=et.plover,
                 evidence=Evidence(art.text, 0, len(art.text)), confidence=0.9, extractor="test/1")


def report(doc: str, text: str, kind: str = "recognize_government", source: Actor = RUS, *,
           polarity: str = "asserted", published: str = "2025-07-04", date: str | None = "2025-07-03"
           ) -> tuple[Article, list[Event]]:
    a = article(doc, text, published)
    return a, [event(a, kind, source, TALIBAN_GOV, polarity=polarity, date=date)]


@pytest.fixture
def kb(kb_url):
    with KnowledgeBase(kb_url) as k:
        yield k


@pytest.fixture
def writer(kb):
    """The write path of every ingest over ``kb``; alerts wait in the outbox (no delivery at once)."""
    return Writer(kb, deliver=False)


def taliban_rule(tmp_path: Path, **kw) -> Rule:
    return Rule(name=kw.pop("name", "taliban"), event="recognize_government", target="AFG",
                notify=(f"jsonl:{tmp_path / 'alerts.jsonl'}",), **kw)


# --------------------------------------------------------------------------- evaluation


def test_a_transition_fires_once_and_a_new_recogniser_fires_again(kb, writer, tmp_path):
    add_rule(kb, taliban_rule(tmp_path))
    assert writer.add(*report("a1", "Russia formally recognised the Taliban government on Thursday."))
    alerts = list_alerts(kb)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.observer, a.target, a.facet, a.old, a.new, a.date) == ("RUS", "AFG", "recognition", "none",
                                                                     "recognized", "2025-07-03")
    assert a.payload["evidence"][0]["text"].startswith("Russia formally recognised")
    assert a.payload["sources"] == ["https://news.example/a1"]
    assert a.status == "pending" and a.deliveries[0].attempts == 0
    # the same article again, and another report of the same recognition: nothing new
    assert not writer.add(*report("a1", "Russia formally recognised the Taliban government on Thursday."))
    assert writer.add(*report("a2", "Moscow has become the first capital to recognise the Taliban-led government, "
                                "its foreign ministry said.", published="2025-07-05", date="2025-07-04"))
    assert len(list_alerts(kb)) == 1
    # a new recogniser: one more
    assert writer.add(*report("a3", "Uzbekistan recognised the Taliban government in Kabul.", source=UZB,
                          published="2025-09-02", date="2025-09-01"))
    alerts = list_alerts(kb)
    assert [x.observer for x in alerts] == ["RUS", "UZB"]
    assert len({x.id for x in alerts}) == 2


def test_negated_and_hypothetical_reports_fire_nothing(kb, writer, tmp_path):
    add_rule(kb, taliban_rule(tmp_path))
    writer.add(*report("h1", "Kazakhstan is considering recognising the Taliban government.", source=KAZ,
                   polarity="hypothetical"))
    writer.add(*report("n1", "China has not recognised the Taliban government.", source=CHN, polarity="negated"))
    a = article("t1", "China accepted the credentials of the Taliban ambassador.")
    writer.add(a, [event(a, "accredit_ambassador", CHN, TALIBAN_GOV)])  # another facet: not this rule
    assert list_alerts(kb) == []


def test_min_sources_waits_for_a_second_independent_source(kb, writer, tmp_path):
    add_rule(kb, taliban_rule(tmp_path, min_sources=2))
    text = ("Russia formally recognised the Taliban government on Thursday, becoming the first country in the "
            "world to do so since the group seized power in August 2021, the foreign ministry in Moscow said. "
            "The decision follows years of contacts between the two governments, including visits by senior "
            "officials, trade talks and the handover of the Afghan embassy in Moscow to envoys appointed by "
            "Kabul. Diplomats in the region said others were watching closely to see if they would follow suit.")
    assert writer.add(*report("m1", text))
    assert list_alerts(kb) == []
    # a near-duplicate copy (the same wire story, one word changed) is no independent source
    copy = Article(id="m1-copy", text=text + " Reporting by Tass.",
                   published=dt.date(2025, 7, 4), url="https://mirror.example/m1")
    assert writer.add(copy, [event(copy, "recognize_government", RUS, TALIBAN_GOV)])
    assert kb.near_duplicate_of("m1-copy") is not None
    assert list_alerts(kb) == []
    assert writer.add(*report("m2", "The Kremlin said it now recognises the Taliban as Afghanistan's government.",
                          published="2025-07-05"))
    alerts = list_alerts(kb)
    assert len(alerts) == 1 and alerts[0].n_sources == 2
    assert {e["doc"] for e in alerts[0].payload["evidence"]} >= {"m1", "m2"}
    assert writer.add(*report("m3", "Russia's recognition of the Taliban government was confirmed by Tass.",
                          published="2025-07-06"))
    assert len(list_alerts(kb)) == 1  # fired once


def test_source_and_withdrawal_rules(kb, writer, tmp_path):
    add_rule(kb, Rule("rus-only", "recognize_government", ("stdout",), target="AFG", source="RUS"))
    add_rule(kb, Rule("withdrawals", "withdraw_recognition", ("stdout",)))
    writer.add(*report("s1", "China recognised the Taliban government.", source=CHN))
    assert list_alerts(kb) == []
    writer.add(*report("s2", "Russia recognised the Taliban government."))
    writer.add(*report("s3", "Russia withdrew its recognition of the Taliban government.", "withdraw_recognition",
                   published="2026-02-10", date="2026-02-10"))
    writer.add(*report("s4", "Russia recognised the Taliban government once more.", published="2026-06-20",
                   date="2026-06-20"))
    fired = [(a.rule, a.old, a.new) for a in list_alerts(kb)]
    assert fired == [("rus-only", "none", "recognized"), ("withdrawals", "recognized", "withdrawn"),
                     ("rus-only", "withdrawn", "recognized")]


def test_mutual_change_fires_once_for_a_rule_on_any_target(kb, writer):
    add_rule(kb, Rule("breaks", "break_relations", ("stdout",)))
    a = article("b1", "Uzbekistan and Kazakhstan broke off diplomatic relations.")
    writer.add(a, [event(a, "break_relations", UZB, KAZ)])
    assert len(list_alerts(kb)) == 1


def test_a_rolled_back_write_leaves_no_alert(kb, writer, tmp_path, monkeypatch):
    add_rule(kb, taliban_rule(tmp_path))
    import diplowatch.write

    original = diplowatch.write.evaluate

    def evaluate_then_fail(*args):
        assert original(*args)  # the alert row is written ...
        raise RuntimeError("disk on fire")  # ... and the transaction fails after it

    monkeypatch.setattr(diplowatch.write, "evaluate", evaluate_then_fail)
    with pytest.raises(StoreError, match="disk on fire"):
        writer.add(*report("r1", "Russia recognised the Taliban government."))
    monkeypatch.undo()
    assert not kb.has_article("r1") and list_alerts(kb) == []
    assert writer.add(*report("r1", "Russia recognised the Taliban government."))
    assert len(list_alerts(kb)) == 1


def test_the_store_alone_evaluates_no_rule_the_write_path_does(kb, writer, tmp_path):
    add_rule(kb, taliban_rule(tmp_path))
    assert kb.add(*report("p1", "Russia recognised the Taliban government."))  # the store knows no alerts
    assert list_alerts(kb) == []
    assert writer.add(*report("p2", "Uzbekistan recognised the Taliban government.", source=UZB))
    assert [a.observer for a in list_alerts(kb)] == ["UZB"]


def test_removing_a_rule_cancels_what_it_has_not_delivered(kb, writer, tmp_path):
    add_rule(kb, taliban_rule(tmp_path))
    writer.add(*report("x1", "Russia recognised the Taliban government."))
    assert remove_rule(kb, "taliban") and not remove_rule(kb, "taliban")
    assert list_rules(kb) == []
    [a] = list_alerts(kb)
    assert a.status == "cancelled"
    assert deliver(kb).delivered == 0


@pytest.mark.parametrize("bad, reason", [
    (dict(event="recognise"), "unknown event type"),
    (dict(event="high_level_talks"), "changes no relation state"),
    (dict(notify=("email:me@example.org",)), "unknown channel"),
    (dict(notify=("webhook:ftp://example.org/",)), "http"),
    (dict(notify=()), "at least one channel"),
    (dict(min_sources=0), "min_sources"),
    (dict(name="no spaces"), "rule name"),
])
def test_invalid_rules_are_refused(kb, bad, reason):
    fields = {"name": "r", "event": "recognize_government", "notify": ("stdout",), **bad}
    with pytest.raises(ConfigurationError, match=reason):
        add_rule(kb, Rule(**fields))


def test_rules_from_toml_and_yaml(kb, tmp_path):
    toml = tmp_path / "rules.toml"
    toml.write_text('[[rule]]\nname = "t1"\nevent = "recognize_government"\ntarget = "afg"\nmin_sources = 2\n'
                    'notify = ["stdout", "jsonl:out.jsonl"]\nsecret = "k"\n', encoding="utf-8")
    yaml = tmp_path / "rules.yaml"
    yaml.write_text("rules:\n  - name: y1\n    event: designate_organization\n    notify: stdout\n",
                    encoding="utf-8")
    assert [r.name for r in load_rules(kb, toml)] == ["t1"]
    load_rules(kb, yaml)
    load_rules(kb, toml)  # loading again replaces
    rules = {r.name: r for r in list_rules(kb)}
    assert set(rules) == {"t1", "y1"}
    assert rules["t1"].target == "AFG" and rules["t1"].min_sources == 2 and rules["t1"].secret == "k"
    assert rules["t1"].notify[1].startswith("jsonl:/")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nname = "b"\nevent = "recognize_government"\nnotify = "stdout"\ncolour = 1\n')
    with pytest.raises(ConfigurationError, match="unknown key 'colour'"):
        read_rules_file(bad)


# --------------------------------------------------------------------------- delivery


class Receiver:
    """A webhook receiver on 127.0.0.1: answers from ``self.plan`` (default 200), records every request."""

    def __init__(self) -> None:
        self.plan: list[int | str] = []
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.release = threading.Event()
        self.in_flight = self.most_in_flight = 0  # requests being answered now; the most at once
        lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                with lock:
                    owner.in_flight += 1
                    owner.most_in_flight = max(owner.most_in_flight, owner.in_flight)
                try:
                    self.answer()
                finally:
                    with lock:
                        owner.in_flight -= 1

            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                action = owner.plan.pop(0) if owner.plan else 200
                if action == "hang":
                    owner.release.wait(30)
                    return
                self.send_response(action)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def keys(self) -> set[str]:
        return {h["idempotency-key"] for h, _b in self.requests}


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_stdout_and_jsonl_channels(kb, writer, tmp_path):
    path = tmp_path / "alerts.jsonl"
    add_rule(kb, Rule("both", "recognize_government", ("stdout", f"jsonl:{path}"), target="AFG"))
    writer.add(*report("d1", "Russia recognised the Taliban government."))
    buf = io.StringIO()
    assert deliver(kb, stdout=buf).delivered == 2
    [line] = buf.getvalue().splitlines()
    assert json.loads(line)["transition"]["observer"] == "RUS"
    assert path.read_text(encoding="utf-8") == line + "\n"
    assert list_alerts(kb)[0].status == "delivered"
    assert deliver(kb, stdout=buf).delivered == 0  # delivered once


def test_webhook_signed_retried_with_backoff_until_delivered(kb, writer, receiver):
    add_rule(kb, Rule("hook", "recognize_government", (f"webhook:{receiver.url}",), target="AFG",
                      secret="s3cret"), settings=LOOPBACK)
    writer.add(*report("w1", "Russia recognised the Taliban government."))
    receiver.plan = [500, 500]
    t0 = dt.datetime.now(dt.timezone.utc)
    r1 = deliver(kb, now=t0, policy=FAST, settings=LOOPBACK)
    assert (r1.delivered, r1.retrying) == (0, 1) and "HTTP 500" in r1.errors[0][2]
    assert deliver(kb, now=t0, policy=FAST, settings=LOOPBACK).retrying == 0  # not due yet: backoff 1 s
    assert deliver(kb, now=t0 + dt.timedelta(seconds=1), policy=FAST, settings=LOOPBACK).retrying == 1
    assert deliver(kb, now=t0 + dt.timedelta(seconds=2), policy=FAST, settings=LOOPBACK).delivered == 0  # 2 s
    assert deliver(kb, now=t0 + dt.timedelta(seconds=3), policy=FAST, settings=LOOPBACK).delivered == 1
    [a] = list_alerts(kb)
    assert a.status == "delivered" and a.deliveries[0].attempts == 3
    assert len(receiver.requests) == 3
    headers, body = receiver.requests[-1]
    stamp = headers["x-diplowatch-timestamp"]
    assert stamp.isdigit() and abs(int(stamp) - time.time()) < 600
    expected = "sha256=" + hmac.new(b"s3cret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-diplowatch-signature"], expected)
    # the body alone, or another timestamp, does not verify: a captured delivery cannot be re-dated
    assert headers["x-diplowatch-signature"] != "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["x-diplowatch-signature"] != sign(body, "s3cret", int(stamp) + 3600)
    assert sign(body, "s3cret", int(stamp)) == expected
    assert headers["idempotency-key"] == a.id and headers["content-type"] == "application/json"
    sent = json.loads(body)
    assert sent["id"] == a.id and sent["transition"]["new"] == "recognized"
    assert sent["evidence"][0]["text"] and sent["sources"] == ["https://news.example/w1"]
    assert receiver.keys() == {a.id}  # three attempts, one alert after de-duplication


def _deliver_in_thread(kb, policy):
    """Run one delivery pass in a thread; returns the thread and the list its report goes into."""
    done: list = []
    t = threading.Thread(target=lambda: done.append(deliver(kb, policy=policy, settings=LOOPBACK)))
    t.start()
    return t, done


def _until(condition, seconds: float = 30) -> None:
    """Wait (bounded) until ``condition()`` is true."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_hanging_receiver_does_not_hold_back_other_rules(kb, writer):
    """Two rules, two loopback receivers; the first hangs: the second rule's alert arrives while it hangs."""
    hanging, fast = Receiver(), Receiver()
    try:
        hanging.plan = ["hang"]
        arrived = threading.Event()
        fast_requests = fast.requests

        class Signal(list):
            def append(self, item):
                super().append(item)
                arrived.set()

        fast.requests = Signal(fast_requests)
        add_rule(kb, Rule("a-hanging", "recognize_government", (f"webhook:{hanging.url}",), target="AFG"),
                 settings=LOOPBACK)
        add_rule(kb, Rule("b-fast", "recognize_government", (f"webhook:{fast.url}",), target="AFG"),
                 settings=LOOPBACK)
        writer.add(*report("h1", "Russia recognised the Taliban government."))
        t, done = _deliver_in_thread(kb, DeliveryPolicy(base_delay=1, timeout=60, concurrency=4))
        # serial delivery would reach the fast receiver only after the hanging one's 60 s timeout
        assert arrived.wait(30), "the fast receiver was held back by the hanging one"
        # the two requests run concurrently: the hanging one may be recorded just after the fast one
        _until(lambda: hanging.requests)
        assert len(hanging.requests) == 1 and t.is_alive() and not done
        hanging.release.set()
        t.join(60)
        rep = done[0]
        assert rep.delivered == 1 and rep.retrying == 1
        status = {a.rule: a.status for a in list_alerts(kb)}
        assert status == {"b-fast": "delivered", "a-hanging": "pending"}
    finally:
        hanging.close()
        fast.close()


def test_concurrent_deliveries_are_bounded(kb, writer, receiver):
    """Five rules, one receiver that hangs: at most ``concurrency`` (2) requests are in flight at once."""
    receiver.plan = ["hang"] * 5
    for n in range(5):
        add_rule(kb, Rule(f"r{n}", "recognize_government", (f"webhook:{receiver.url}",), target="AFG"),
                 settings=LOOPBACK)
    writer.add(*report("b1", "Russia recognised the Taliban government."))
    t, _done = _deliver_in_thread(kb, DeliveryPolicy(base_delay=1, timeout=60, concurrency=2))
    _until(lambda: len(receiver.requests) >= 2)
    time.sleep(0.5)  # room for a third request, if the bound let one through
    assert len(receiver.requests) == 2 and receiver.in_flight == 2
    receiver.release.set()
    t.join(60)
    assert not t.is_alive() and len(receiver.requests) == 5
    assert receiver.most_in_flight == 2


def test_webhook_to_loopback_is_refused_without_the_allow_list(kb, writer, receiver):
    """Allowed when the rule was added, refused when delivered: failed at once, never retried."""
    add_rule(kb, Rule("hook", "recognize_government", (f"webhook:{receiver.url}",), target="AFG"),
             settings=LOOPBACK)
    writer.add(*report("g1", "Russia recognised the Taliban government."))
    rep = deliver(kb, settings=IngestSettings())
    assert (rep.failed, rep.retrying, rep.pending) == (1, 0, 0) and "loopback" in rep.errors[0][2]
    assert "$DIPLOWATCH_ALLOW_HOSTS=127.0.0.1 allows it" in rep.errors[0][2]
    assert receiver.requests == []
    [a] = list_alerts(kb)
    assert a.status == "failed" and a.deliveries[0].attempts == 1


def test_watch_add_refuses_a_webhook_that_delivery_would_refuse(kb):
    """The address check of delivery, at add time: refused with the setting that allows it named."""
    with pytest.raises(ConfigurationError) as info:
        add_rule(kb, Rule("hook", "recognize_government", ("webhook:http://127.0.0.1:8/in",)),
                 settings=IngestSettings())
    assert str(info.value) == ("channel webhook:http://127.0.0.1:8/in: refused: 127.0.0.1 is a loopback address "
                               "($DIPLOWATCH_ALLOW_HOSTS=127.0.0.1 allows it)")
    with pytest.raises(ConfigurationError, match="private address"):
        add_rule(kb, Rule("hook", "recognize_government", ("webhook:https://192.168.4.20/in",)),
                 settings=IngestSettings())
    with pytest.raises(ConfigurationError, match="has no host"):
        add_rule(kb, Rule("hook", "recognize_government", ("webhook:http:/in",)), settings=IngestSettings())
    assert list_rules(kb) == []
    stored = add_rule(kb, Rule("hook", "recognize_government", ("webhook:http://127.0.0.1:8/in",)),
                      settings=LOOPBACK)
    assert stored.notify == ("webhook:http://127.0.0.1:8/in",)


@pytest.mark.parametrize("answer, status", [(404, "failed"), (401, "failed"), (410, "failed"),
                                            (408, "pending"), (429, "pending"), (503, "pending")])
def test_4xx_answers_fail_at_once_except_timeout_and_too_many(kb, writer, receiver, answer, status):
    add_rule(kb, Rule("hook", "recognize_government", (f"webhook:{receiver.url}",), target="AFG"),
             settings=LOOPBACK)
    writer.add(*report("x1", "Russia recognised the Taliban government."))
    receiver.plan = [answer]
    rep = deliver(kb, policy=FAST, settings=LOOPBACK)
    assert (rep.failed, rep.retrying, rep.pending) == ((1, 0, 0) if status == "failed" else (0, 1, 1))
    assert f"HTTP {answer}" in rep.errors[0][2]
    [a] = list_alerts(kb)
    assert a.status == status and a.deliveries[0].attempts == 1


def test_an_empty_secret_is_refused(kb, tmp_path):
    with pytest.raises(ConfigurationError, match="empty secret"):
        add_rule(kb, Rule("hook", "recognize_government", ("stdout",), secret=""))
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    r = CliRunner().invoke(app, ["watch", "add", "hook", "--event", "recognize_government", "--notify", "stdout",
                                 "--secret", "", "--db", db])
    assert r.exit_code == 2 and "empty secret" in r.output, r.output
    with KnowledgeBase(db) as other:
        assert list_rules(other) == []


def test_watch_add_and_alerts_deliver_on_the_command_line(tmp_path, monkeypatch, receiver):
    """watch add refuses a loopback webhook naming the setting; alerts deliver says sent, failed, pending."""
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    runner = CliRunner()
    add = ["watch", "add", "hook", "--event", "recognize_government", "--notify", f"webhook:{receiver.url}",
           "--db", db]
    monkeypatch.delenv("DIPLOWATCH_ALLOW_HOSTS", raising=False)
    r = runner.invoke(app, add)
    assert r.exit_code == 2, r.output
    assert "$DIPLOWATCH_ALLOW_HOSTS=127.0.0.1 allows it" in " ".join(r.output.split())
    monkeypatch.setenv("DIPLOWATCH_ALLOW_HOSTS", "127.0.0.1")
    assert runner.invoke(app, add).exit_code == 0
    with KnowledgeBase(db) as kb:
        Writer(kb, deliver=False).add(*report("c2", "Russia recognised the Taliban government."))
    receiver.plan = [404]
    r = runner.invoke(app, ["alerts", "deliver", "--db", db])
    assert r.exit_code == 1
    assert "HTTP 404" in r.stderr and r.stdout.strip() == "sent 0, failed 1, left pending 0"
    r = runner.invoke(app, ["alerts", "deliver", "--db", db])
    assert r.exit_code == 0 and r.stdout.strip() == "sent 0, failed 0, left pending 0"


def test_gives_up_after_max_attempts(kb, writer, receiver):
    add_rule(kb, Rule("hook", "recognize_government", (f"webhook:{receiver.url}",), target="AFG"),
             settings=LOOPBACK)
    writer.add(*report("f1", "Russia recognised the Taliban government."))
    receiver.plan = [503] * 10
    policy = DeliveryPolicy(base_delay=0, max_attempts=2, timeout=5)
    assert deliver(kb, policy=policy, settings=LOOPBACK).retrying == 1
    assert deliver(kb, policy=policy, settings=LOOPBACK).failed == 1
    assert list_alerts(kb)[0].status == "failed"


_WRITER = """
import datetime as dt, sys
from diplowatch.alerts import Rule, add_rule
from diplowatch.model import Actor, Article, Event, Evidence
from diplowatch.store import KnowledgeBase
from diplowatch.write import Writer
url, hook = sys.argv[1], sys.argv[2]
kb = KnowledgeBase(url)
writer = Writer(kb)  # delivers right after the commit
add_rule(kb, Rule("hook", "recognize_government", ("webhook:" + hook,), target="AFG", secret="k"))
text = "Russia recognised the Taliban government."
art = Article(id="k1", text=text, published=dt.date(2025, 7, 4))
ev = Event(id="ev_k1", doc="k1", event="recognize_government", source=Actor("RUS", "Russia", "state", "RUS"),
           target=Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG"),
           polarity="asserted", date="2025-07-03", date_precision="day", cameo="054", plover="SUPPORT",
           evidence=Evidence(text, 0, len(text)), confidence=0.9, extractor="test/1")
print("stored", writer.add(art, [ev]), flush=True)
"""


def test_an_alert_survives_a_killed_process_and_is_delivered_after_restart(kb_url, receiver):
    receiver.plan = ["hang"]  # the first delivery never gets an answer: the process is killed meanwhile
    env = {**os.environ, "DIPLOWATCH_ALLOW_HOSTS": "127.0.0.1"}
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, kb_url, receiver.url], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not receiver.requests and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert receiver.requests, proc.stderr.read().decode() if proc.poll() is not None else "no request"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    with KnowledgeBase(kb_url) as kb:  # "restart"
        [a] = list_alerts(kb)
        assert a.status == "pending" and a.deliveries[0].attempts == 1
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        assert deliver(kb, now=later, settings=LOOPBACK).delivered == 1
        assert list_alerts(kb)[0].status == "delivered"
    assert len(receiver.requests) == 2  # at least once: the killed attempt may have arrived too
    assert receiver.keys() == {a.id}  # exactly one alert after de-duplication by key
    for headers, body in receiver.requests:
        signed = headers["x-diplowatch-timestamp"].encode() + b"." + body
        assert headers["x-diplowatch-signature"] == "sha256=" + hmac.new(b"k", signed, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- command line


def test_watch_and_alerts_commands(tmp_path):
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    runner = CliRunner()
    out = tmp_path / "alerts.jsonl"
    r = runner.invoke(app, ["watch", "add", "taliban", "--event", "recognize_government", "--target",
                            "Afghanistan", "--notify", f"jsonl:{out}", "--db", db])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["watch", "add", "taliban", "--event", "recognize_government", "--notify",
                               "stdout", "--db", db]).exit_code == 2  # exists
    r = runner.invoke(app, ["watch", "list", "--format", "json", "--db", db])
    assert json.loads(r.stdout)[0]["target"] == "AFG"
    with KnowledgeBase(db) as kb:
        Writer(kb, deliver=False).add(*report("c1", "Russia recognised the Taliban government."))
    r = runner.invoke(app, ["alerts", "--format", "json", "--since", "2000-01-01", "--db", db])
    assert r.exit_code == 0, r.output
    [a] = json.loads(r.stdout)
    assert a["status"] == "pending" and a["observer"] == "RUS"
    r = runner.invoke(app, ["alerts", "deliver", "--db", db])
    assert r.exit_code == 0 and r.stdout.strip() == "sent 1, failed 0, left pending 0"
    assert json.loads(out.read_text().splitlines()[0])["id"] == a["id"]
    r = runner.invoke(app, ["alerts", "--db", db])
    assert r.exit_code == 0 and "1 alert(s)" in r.stdout
    rules = tmp_path / "rules.yaml"
    rules.write_text("- {name: y, event: break_relations, notify: stdout}\n")
    assert runner.invoke(app, ["watch", "load", str(rules), "--db", db]).exit_code == 0
    assert runner.invoke(app, ["watch", "remove", "y", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["watch", "remove", "y", "--db", db]).exit_code == 1


# --------------------------------------------------------------------------- with the real extractor


@pytest.mark.slow
def test_seed_article_fires_one_alert_for_russia(extractor, tmp_path):
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    with KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}") as kb:
        writer = Writer(kb, deliver=False)
        add_rule(kb, taliban_rule(tmp_path))
        seed = Article(id=SEED.stem, text=SEED.read_text(encoding="utf-8"), published=dt.date(2025, 7, 4))
        assert writer.add(seed, extractor.extract(seed))
        [a] = list_alerts(kb)
        assert a.observer == "RUS" and "recogni" in a.payload["evidence"][0]["text"]
        assert not writer.add(seed, extractor.extract(seed))  # again: nothing
        maybe = Article(id="kaz", published=dt.date(2025, 8, 1),
                        text="Kazakhstan is considering recognising the Taliban government, officials said.")
        writer.add(maybe, extractor.extract(maybe))
        assert len(list_alerts(kb)) == 1
        other = Article(id="blr", published=dt.date(2025, 8, 5),
                        text="Belarus formally recognised the Taliban-led government of Afghanistan on Monday, "
                             "its foreign ministry said.")
        events = extractor.extract(other)
        assert any(e.event == "recognize_government" and e.source and e.source.state == "BLR" for e in events)
        writer.add(other, events)
        assert [x.observer for x in list_alerts(kb)] == ["RUS", "BLR"]


# --------------------------------------------------------------------------- the HTTP API ingest path


def test_api_ingest_evaluates_rules(tmp_path):
    from fastapi.testclient import TestClient

    from _api_support import auth, make_app, token

    application = make_app(tmp_path)
    path = tmp_path / "api-alerts.jsonl"
    add_rule(application.state.kb, Rule("api", "recognize_government", (f"jsonl:{path}",), target="AFG"))
    tok = token(application, "ingest")
    text = "[RUS recognize_government AFG:taliban 2025-07-03] Russia recognised the Taliban government."
    with TestClient(application) as client:
        for _ in range(2):
            r = client.post("/api/ingest", content=text, params={"published": "2025-07-04"},
                            headers={**auth(tok), "Content-Type": "text/plain"})
            assert r.status_code in (200, 201), r.text
    [a] = list_alerts(application.state.kb)
    assert a.observer == "RUS" and a.status == "delivered"  # delivered right after the commit
    assert json.loads(path.read_text(encoding="utf-8"))["id"] == a.id
