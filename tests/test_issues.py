"""Issue tags (data/issues.yaml) and how eval scores positions (issue 17). Sentences are invented."""

from __future__ import annotations

from diplowatch.evaluate import score
from diplowatch.extract.issues import IssueTagger, issue_labels, tag_events
from diplowatch.model import Actor, Event, Evidence

TAGGER = IssueTagger()


def test_each_issue_is_named_by_its_words() -> None:
    assert TAGGER.named("criticised the Taliban over restrictions on women") == ("womens_rights",)
    assert TAGGER.named("amid human rights concerns and the suppression of women’s freedoms") == \
        ("human_rights", "womens_rights")
    assert TAGGER.named("talks on counter-terrorism and opium cultivation") == ("terrorism_security", "drugs")
    assert TAGGER.named("aid convoys for refugees") == ("humanitarian_aid", "migration_refugees")
    assert TAGGER.named("tariffs on exports") == ("trade_economy",)
    assert TAGGER.named("the annexation of the peninsula before the referendum") == \
        ("territorial_disputes", "elections")


def test_whole_words_and_exclusions() -> None:
    assert TAGGER.named("a senior aide to the president") == (), "aide is not aid"
    assert TAGGER.named("at the Security Council in New York") == ()
    assert TAGGER.named("the council discussed security in the Sahel") == ("terrorism_security",)
    assert TAGGER.named("the womenswear fair") == ()


def test_the_paragraph_speaks_when_the_sentence_does_not() -> None:
    content = "Oslo hosted the envoy. The visit focused on girls' education.\nA second line on trade."
    start = 0
    end = content.index(".") + 1
    assert TAGGER.for_event(content, start, end) == ("womens_rights",), "the line holds the evidence"
    second = content.index("A second")
    assert TAGGER.for_event(content, second, len(content)) == ("trade_economy",)


def test_events_carry_their_issues_in_the_contract() -> None:
    a = Actor("FRA", "France", "state", "FRA")
    text = "France condemned the flogging of women."
    ev = Event(id="ev_1", doc="d", event="criticize", source=a, target=a, polarity="asserted", date=None,
               date_precision=None, cameo="111", plover="ACCUSE", evidence=Evidence(text, 0, len(text)))
    (tagged,) = tag_events([ev], text)
    assert tagged.issues == ("human_rights", "womens_rights")
    assert tagged.to_dict()["issues"] == ["human_rights", "womens_rights"]
    assert Event.from_dict(tagged.to_dict()).issues == tagged.issues
    assert list(issue_labels())[:2] == ["human_rights", "womens_rights"]


def _pred(event: str, polarity: str = "asserted") -> dict:
    return {"doc": "d1", "event": event, "polarity": polarity, "source": {"state": "USA"},
            "target": {"state": "AFG"}}


def test_positions_are_scored_only_where_the_gold_annotates_them() -> None:
    gold = [{"doc": "d1", "event": "criticize", "source": "USA", "target": "AFG", "polarity": "asserted"}]
    s = score(gold, [_pred("criticize"), _pred("demand")])
    assert (s.counts["tp"], s.counts["fp"]) == (1, 0), "a gold set without positions is silent on them"
    with_positions = gold + [{"doc": "d1", "event": "appeal", "source": "USA", "target": "AFG",
                              "polarity": "asserted"}]
    s2 = score(with_positions, [_pred("criticize"), _pred("demand")])
    assert (s2.counts["tp"], s2.counts["fp"], s2.counts["fn"]) == (1, 1, 1), "with positions, all are scored"
