"""Officials of data/officials.csv in the gazetteer: terms, roles, short forms, the file itself."""

from __future__ import annotations

import csv
import datetime as dt
import re
from importlib import resources

import pytest
import yaml

from diplowatch.actors import Gazetteer, merge_officials, normalize, officials_from_csv

D = dt.date
HEADER = "id,name,names,role,title,state,from,to,source\n"
OFFICES = {"head_of_state", "head_of_government", "foreign_minister"}
NOT_UN = {"VAT", "PSE", "TWN", "XKX", "ESH"}   # states.yaml keys that are not UN members


def _yaml(name: str):
    return yaml.safe_load(resources.files("diplowatch.data").joinpath(name).read_text("utf-8"))


def gazetteer(listed: str, hand: dict | None = None) -> Gazetteer:
    """The packaged gazetteer with invented officials only: CSV rows and hand entries."""
    officials = merge_officials(hand or {}, officials_from_csv(HEADER + listed))
    return Gazetteer(_yaml("states.yaml"), {**_yaml("actors.yaml"), "officials": officials})


INVENTED = """\
PER:tomas-velloric,Tomas Velloric,Tomas Velloric|Velloric,head_of_state,president,GHA,2031-03-07,2035-03-07,test
PER:ines-marrow,Ines Marrow,Ines Marrow|Marrow,foreign_minister,foreign minister,PER,2030-01-15,2032-06-01,test
PER:ines-marrow,Ines Marrow,Ines Marrow|Marrow,head_of_government,prime minister,PER,2032-06-01,,test
PER:olaf-brand,Olaf Brand,Olaf Brand|Brand,head_of_government,prime minister,NOR,2030-02-02,2031,test
PER:ida-brand,Ida Brand,Ida Brand|Brand,foreign_minister,foreign minister,DNK,2031-05,2033-05,test
PER:kees-obbink,Kees Obbink,Kees Obbink|Obbink,foreign_minister,foreign minister,NLD,2030-01-01,2031-01-01,test
PER:anna-obbink-ruiz,Anna Obbink Ruiz,Anna Obbink Ruiz,head_of_state,president,CHL,2030-03-11,2034-03-11,test
"""


@pytest.fixture(scope="module")
def invented() -> Gazetteer:
    return gazetteer(INVENTED)


def test_leader_resolves_to_state_only_in_term(invented):
    def state(on):
        return invented.lookup("Tomas Velloric", on).actor.state

    assert state(D(2033, 1, 1)) == "GHA"
    assert state(D(2031, 3, 7)) == "GHA"          # first day
    assert state(D(2031, 3, 6)) is None          # before the term
    assert state(D(2035, 3, 7)) is None          # half-open: the end day is the successor's
    assert state(None) == "GHA"                  # date unknown: the latest role
    assert invented.lookup("Tomas Velloric", D(2033, 1, 1)).via == "official"


def test_two_roles_over_time(invented):
    assert invented.role("PER:ines-marrow", D(2031, 1, 1)) == "foreign minister"
    assert invented.role("PER:ines-marrow", D(2032, 6, 1)) == "prime minister"
    assert invented.role("PER:ines-marrow", D(2029, 1, 1)) is None
    assert invented.lookup("Ines Marrow", D(2040, 1, 1)).actor.state == "PER"   # still in office
    assert invented.actor("PER:ines-marrow", D(2031, 1, 1)).state == "PER"


def test_partial_dates(invented):
    assert invented.lookup("Ida Brand", D(2031, 5, 1)).actor.state == "DNK"     # "2031-05": 1 May
    assert invented.lookup("Ida Brand", D(2031, 4, 30)).actor.state is None
    assert invented.lookup("Olaf Brand", D(2030, 12, 31)).actor.state == "NOR"  # "to: 2031": 1 January
    assert invented.lookup("Olaf Brand", D(2031, 1, 1)).actor.state is None


def test_distinctive_surname_is_a_form(invented):
    forms = set(invented.surface_forms())
    assert ("Velloric", "PER:tomas-velloric") in forms
    assert invented.lookup("Velloric", D(2032, 1, 1)).actor.id == "PER:tomas-velloric"
    assert invented.lookup("Marrow", D(2031, 1, 1)).actor.state == "PER"


def test_shared_surname_is_no_form(invented):
    forms = {f for f, _ in invented.surface_forms()}
    assert "Brand" not in forms and invented.lookup("Brand", D(2031, 6, 1)) is None
    # a word of another person's full name makes a surname ambiguous too
    assert "Obbink" not in forms
    assert invented.lookup("Kees Obbink", D(2030, 6, 1)).actor.state == "NLD"
    assert invented.lookup("Anna Obbink Ruiz", D(2031, 1, 1)).actor.state == "CHL"


def test_hand_entries_win():
    hand = {"PER:ines-marrow": {"name": "Inés Marrow", "names": ["Inés Marrow", "Minister Marrow"],
                                "roles": [{"role": "ambassador to the UN", "state": "PER",
                                           "from": "2029-01-01", "to": "2030-06-01"}]}}
    g = gazetteer(INVENTED, hand)
    assert g.actor("PER:ines-marrow").name == "Inés Marrow"
    assert g.role("PER:ines-marrow", D(2030, 3, 1)) == "ambassador to the UN"   # the listed FM term overlaps: dropped
    assert g.role("PER:ines-marrow", D(2033, 1, 1)) == "prime minister"         # no overlap: merged in
    assert g.lookup("Minister Marrow", D(2033, 1, 1)).actor.id == "PER:ines-marrow"
    assert g.lookup("Ines Marrow", D(2033, 1, 1)).actor.id == "PER:ines-marrow"


# -- the data file -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    text = resources.files("diplowatch.data").joinpath("officials.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return Gazetteer.default()


def _date(value: str) -> dt.date:
    assert re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", value), value
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return D(*parts[:3])


def test_file_validates(rows, gz):
    assert rows and list(rows[0]) == HEADER.strip().split(",")
    seen: dict[str, tuple[str, str]] = {}
    terms = set()
    for r in rows:
        assert r["id"].startswith("PER:") and r["name"] and r["source"], r
        assert r["role"] in OFFICES and r["title"], r
        assert gz.state(r["state"]).id == r["state"]                 # ISO3 known to the gazetteer
        start = _date(r["from"])
        if r["to"]:
            assert start < _date(r["to"]), r
        assert r["name"] in r["names"].split("|"), r
        assert seen.setdefault(r["id"], (r["name"], r["names"])) == (r["name"], r["names"]), r["id"]
        term = (r["id"], r["role"], r["state"], r["from"])
        assert term not in terms, term
        terms.add(term)


def test_one_word_forms_are_unambiguous(gz):
    """A bare surname of a listed official names that person and nothing else in the gazetteer."""
    singles = [(f, k) for f, k in gz.surface_forms() if k.startswith("PER:") and len(normalize(f).split()) == 1]
    assert len(singles) > 100
    common = {"ali", "khan", "mohammed", "muhammad", "ahmed", "hassan", "jordan", "chad", "king", "lee", "kim",
              "may", "president", "minister"}
    for form, key in singles:
        assert normalize(form) not in common, form
        assert gz.lookup(form).actor.id == key, form               # no state, place or other person first
        slot = gz._acronyms.get(form) or gz._index.get(normalize(form), ())
        assert {k for k, _ in slot if k.startswith("PER:")} == {key}, form


def test_real_surname_cases(gz):
    forms = {f for f, _ in gz.surface_forms()}
    assert "Erdogan" in forms and "Lula" in forms and "Sybiha" in forms
    assert "Orbán" not in forms and "Orban" not in forms        # Viktor Orbán and Ludovic Orban
    assert "Obama" not in forms                                 # Barack Obama and Francisco Pascual Obama Asue
    assert gz.lookup("Viktor Orbán", D(2015, 1, 1)).actor.state == "HUN"


def test_un_members_have_a_leader_in_2015(rows, gz):
    un = set(_yaml("states.yaml")) - NOT_UN
    assert len(un) == 193
    covered = {r["state"] for r in rows if r["role"] in ("head_of_state", "head_of_government")
               and _date(r["from"]) < D(2016, 1, 1) and (not r["to"] or _date(r["to"]) > D(2015, 1, 1))}
    assert un <= covered, sorted(un - covered)
    assert {"XKX", "PSE", "TWN", "VAT"} <= {r["state"] for r in rows}


def test_listed_leaders_in_the_default_gazetteer(gz):
    assert gz.lookup("Angela Merkel", D(2015, 1, 1)).actor.state == "DEU"
    assert gz.lookup("Angela Merkel", D(2023, 1, 1)).actor.state is None
    assert gz.role("PER:angela-merkel", D(2015, 1, 1)) == "chancellor"
    # a hand-written entry keeps its roles: Putin, prime minister 2008-2012, president since
    assert gz.role("PER:vladimir-putin", D(2010, 1, 1)) == "prime minister"
    assert gz.lookup("Putin", D(2024, 1, 1)).actor.state == "RUS"
