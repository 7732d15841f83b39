"""The actor gazetteer (DESIGN §4): names, metonyms, demonyms, bodies, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from diplowatch.actors import Gazetteer, Match, normalize
from diplowatch.model import ACTOR_KINDS, Actor

D = dt.date
RUS = Actor("RUS", "Russia", "state", "RUS")
TALIBAN_GOV = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")
TALIBAN_ORG = Actor("ORG:taliban", "Taliban", "organization", "AFG")


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return Gazetteer.default()


def test_default_is_cached(gz):
    assert Gazetteer.default() is gz


def test_normalize():
    assert normalize("the Kremlin") == "kremlin"
    assert normalize("Russia’s") == "russia"
    assert normalize("Guinea-Bissau") == "guinea bissau"
    assert normalize("Côte d’Ivoire") == "cote divoire"
    assert normalize("U.S.") == "us"
    assert normalize("  Türkiye ") == "turkiye"


@pytest.mark.parametrize("text,iso,via", [
    ("Russia", "RUS", "name"),
    ("Russia's", "RUS", "name"),
    ("Russia’s", "RUS", "name"),
    ("Russian Federation", "RUS", "alias"),
    ("the United Arab Emirates", "ARE", "name"),
    ("UAE", "ARE", "alias"),
    ("the UAE's", "ARE", "alias"),
    ("US", "USA", "alias"),
    ("U.S.", "USA", "alias"),
    ("the United States", "USA", "name"),
    ("America", "USA", "alias"),
    ("Britain", "GBR", "alias"),
    ("the UK", "GBR", "alias"),
    ("Türkiye", "TUR", "alias"),
    ("Turkey", "TUR", "name"),
    ("Czech Republic", "CZE", "alias"),
    ("Ivory Coast", "CIV", "name"),
    ("Côte d'Ivoire", "CIV", "alias"),
    ("Holland", "NLD", "alias"),
    ("the Philippines'", "PHL", "name"),
    ("Islamic Republic of Iran", "IRN", "name"),
    ("Iran, Islamic Republic of", "IRN", "name"),
    ("Republic of Korea", "KOR", "alias"),
    ("Democratic People's Republic of Korea", "PRK", "name"),
    ("Viet Nam", "VNM", "alias"),
    ("Greenland", "GRL", "name"),
])
def test_names_and_aliases(gz, text, iso, via):
    m = gz.lookup(text, D(2024, 1, 1))
    assert m == Match(gz.state(iso), via)
    assert m.actor.kind == "state" and m.actor.state == iso


def test_display_names_are_common_short_names(gz):
    names = {iso: gz.state(iso).name for iso in
             ("RUS", "IRN", "USA", "GBR", "TWN", "VNM", "SYR", "VEN", "BOL", "TZA",
              "KOR", "PRK", "MDA", "LAO", "PSE", "XKX", "ESH")}
    assert names == {"RUS": "Russia", "IRN": "Iran", "USA": "United States",
                     "GBR": "United Kingdom", "TWN": "Taiwan", "VNM": "Vietnam",
                     "SYR": "Syria", "VEN": "Venezuela", "BOL": "Bolivia", "TZA": "Tanzania",
                     "KOR": "South Korea", "PRK": "North Korea", "MDA": "Moldova",
                     "LAO": "Laos", "PSE": "Palestine", "XKX": "Kosovo",
                     "ESH": "Western Sahara"}


def test_acronyms_are_case_sensitive(gz):
    assert gz.lookup("us") is None          # the pronoun is no country
    assert gz.lookup("IRAN").actor.id == "IRN"   # headline capitals fall back to names
    assert gz.lookup("NATO").actor.id == gz.lookup("Nato").actor.id == "ORG:nato"


@pytest.mark.parametrize("text,iso,via", [
    ("Moscow", "RUS", "capital"),
    ("the Kremlin", "RUS", "seat"),
    ("Kremlin", "RUS", "seat"),
    ("The Kremlin's", "RUS", "seat"),
    ("Washington", "USA", "capital"),
    ("the White House", "USA", "seat"),
    ("Beijing", "CHN", "capital"),
    ("Tehran", "IRN", "capital"),
    ("Kyiv", "UKR", "capital"),
    ("Kiev", "UKR", "capital"),
    ("Downing Street", "GBR", "seat"),
    ("New Delhi", "IND", "capital"),
    ("Pristina", "XKX", "capital"),
    ("Ramallah", "PSE", "seat"),
    ("Taipei", "TWN", "capital"),
    ("Jerusalem", "ISR", "seat"),
    ("Abu Dhabi", "ARE", "capital"),
])
def test_capitals_and_seats(gz, text, iso, via):
    assert gz.lookup(text, D(2025, 7, 3)) == Match(gz.state(iso), via)


def test_kabul_follows_who_governs(gz):
    assert gz.lookup("Kabul", D(2025, 7, 3)) == Match(TALIBAN_GOV, "capital")
    # the recognised Islamic Republic is no de facto regime: Kabul is the state
    assert gz.lookup("Kabul", D(2019, 5, 1)) == Match(gz.state("AFG"), "capital")
    assert gz.lookup("Naypyidaw", D(2020, 1, 1)).actor.id == "MMR"
    assert gz.lookup("Naypyidaw", D(2022, 1, 1)).actor.id == "MMR:junta"


def test_seat_of_a_body(gz):
    assert gz.lookup("the State Department") == Match(
        Actor("USA:mfa", "U.S. State Department", "body", "USA"), "seat")
    assert gz.lookup("the Pentagon").actor.id == "USA:mod"
    assert gz.lookup("the Knesset").actor == Actor("ISR:parl", "Israeli Parliament", "body", "ISR")


def test_taliban_is_dated(gz):
    assert gz.lookup("Taliban", D(2010, 6, 1)) == Match(TALIBAN_ORG, "organization")
    assert gz.lookup("the Taliban", D(2021, 8, 14)) == Match(TALIBAN_ORG, "organization")
    assert gz.lookup("Taliban", D(2021, 8, 15)) == Match(TALIBAN_GOV, "government")
    assert gz.lookup("Taliban's", D(2025, 7, 3)) == Match(TALIBAN_GOV, "government")
    assert gz.lookup("Islamic Emirate of Afghanistan", D(2023, 1, 1)).actor == TALIBAN_GOV
    assert gz.lookup("Islamic Emirate", D(2012, 1, 1)).actor == TALIBAN_ORG
    # the first Islamic Emirate, 1996-2001
    assert gz.lookup("Taliban", D(1998, 1, 1)).actor == TALIBAN_GOV
    assert gz.lookup("Taliban").actor == TALIBAN_GOV  # on=None: today


def test_governments(gz):
    assert gz.government("AFG", D(2025, 7, 3)) == TALIBAN_GOV
    assert gz.government("AFG", D(2019, 1, 1)).id == "AFG:islamic-republic"
    assert gz.government("AFG", D(2021, 8, 14)).id == "AFG:islamic-republic"
    assert gz.government("AFG", D(2003, 1, 1)) is None
    assert gz.government("FRA", D(2025, 1, 1)) is None
    assert (gz.lookup("Islamic Republic of Afghanistan", D(2015, 1, 1)).actor.id
            == "AFG:islamic-republic")
    assert gz.lookup("Islamic Republic of Afghanistan", D(2024, 1, 1)).actor.id == "AFG"
    assert gz.lookup("Palestinian Authority").actor == Actor("PSE:pa", "Palestinian Authority",
                                                             "government", "PSE")


def test_officials(gz):
    muttaqi = Actor("PER:amir-khan-muttaqi", "Amir Khan Muttaqi", "person", "AFG")
    assert gz.lookup("Amir Khan Muttaqi", D(2022, 3, 1)) == Match(muttaqi, "official")
    assert gz.lookup("Muttaki", D(2022, 3, 1)) == Match(muttaqi, "official")
    assert gz.lookup("Muttaqi's", D(2022, 3, 1)).actor == muttaqi
    assert gz.lookup("Muttaqi", D(2015, 1, 1)).actor.state is None  # before his term
    assert gz.role("PER:amir-khan-muttaqi", D(2022, 3, 1)) == "foreign minister"


def test_officials_terms(gz):
    trump = [gz.lookup("Donald Trump", D(y, 6, 1)).actor.state for y in (2016, 2018, 2023, 2025)]
    assert trump == [None, "USA", None, "USA"]
    assert gz.lookup("Trump", D(2025, 1, 20)).actor.state == "USA"   # inauguration day
    assert gz.lookup("Biden", D(2025, 1, 20)).actor.state is None
    assert gz.lookup("Tony Blinken", D(2022, 1, 1)).actor.id == "PER:antony-blinken"
    assert gz.lookup("Erdogan", D(2024, 1, 1)).actor.state == "TUR"
    assert gz.lookup("Recep Tayyip Erdoğan", D(2024, 1, 1)).actor.id == "PER:recep-tayyip-erdogan"
    assert gz.lookup("Joseph Wu", D(2020, 1, 1)).actor.state == "TWN"
    assert gz.lookup("Meliza Haradinaj Stublla", D(2020, 9, 4)).actor.state == "XKX"
    assert gz.lookup("Hassan Akhund", D(2022, 1, 1)).actor.state == "AFG"
    assert gz.lookup("Yvan Gil", D(2024, 1, 1)).actor.state == "VEN"
    assert gz.lookup("S Jaishankar", D(2024, 1, 1)).actor.state == "IND"
    assert gz.lookup("Andrés Manuel López Obrador", D(2024, 9, 30)).actor.state == "MEX"
    assert gz.lookup("Andres Manuel Lopez Obrador", D(2024, 10, 1)).actor.state is None
    # Arab League secretary-general acts for no state
    assert gz.lookup("Ahmed Aboul-Gheit", D(2020, 1, 1)).actor.state is None
    assert gz.lookup("Ahmed Aboul Gheit", D(2008, 1, 1)).actor.state == "EGY"


@pytest.mark.parametrize("word,iso", [
    ("Russian", "RUS"), ("russian", "RUS"), ("Afghan", "AFG"), ("Emirati", "ARE"),
    ("Chinese", "CHN"), ("Kazakhstani", "KAZ"), ("Kosovar", "XKX"), ("Kosovan", "XKX"),
    ("Palestinian", "PSE"), ("Saudi", "SAU"), ("Argentinian", "ARG"), ("Costa Rican", "CRI"),
    ("Dominican", "DOM"), ("Nigerien", "NER"), ("Nigerian", "NGA"), ("Guinean", "GIN"),
    ("Bissau-Guinean", "GNB"), ("Congolese", "COD"), ("Taiwanese", "TWN"), ("Sahrawi", "ESH"),
    ("Americans", "USA"), ("Swiss", "CHE"),
])
def test_demonyms(gz, word, iso):
    assert gz.demonym(word) == iso


def test_not_demonyms(gz):
    assert gz.demonym("Afghani") is None   # currency
    assert gz.demonym("Korean") is None    # ambiguous
    assert gz.demonym("ministry") is None
    assert gz.lookup("Afghans", D(2020, 1, 1)) == Match(gz.state("AFG"), "demonym")


def test_bodies(gz):
    assert gz.body("RUS", "Foreign Ministry") == Actor("RUS:mfa", "Russian Foreign Ministry",
                                                       "body", "RUS")
    assert gz.body("RUS", "the foreign ministry") == gz.body("RUS", "Ministry of Foreign Affairs")
    assert gz.body("IND", "MEA") == Actor("IND:mfa", "Indian Ministry of External Affairs",
                                          "body", "IND")
    assert gz.body("CHN", "defense ministry").id == "CHN:mod"
    assert gz.body("AFG", "embassy") == Actor("AFG:embassy", "Afghan Embassy", "body", "AFG")
    assert gz.body("ISR", "Knesset").id == "ISR:parl"
    assert gz.body("RUS", "banana") is None
    with pytest.raises(KeyError):
        gz.body("XXX", "embassy")
    kinds = {w: gz.body_kind(w) for w in ("foreign ministry", "Foreign Office",
                                          "State Department",
                                          "foreign minister", "Defence Ministry", "administration",
                                          "Duma", "Congress", "supreme court", "king", "embassy",
                                          "security council", "armed forces", "Russia")}
    assert kinds == {"foreign ministry": "mfa", "Foreign Office": "mfa", "State Department": "mfa",
                     "foreign minister": "mfa", "Defence Ministry": "mod", "administration": "gov",
                     "Duma": "parl", "Congress": "parl", "supreme court": "court", "king": "head",
                     "embassy": "embassy", "security council": "nsc", "armed forces": "mil",
                     "Russia": None}
    assert gz.lookup("the Foreign Ministry") is None   # generic: needs a state from context


def test_non_iso_and_disputed(gz):
    assert gz.lookup("Kosovo") == Match(Actor("XKX", "Kosovo", "state", "XKX"), "name")
    assert gz.lookup("State of Palestine").actor.id == "PSE"
    assert gz.lookup("Palestine's").actor.id == "PSE"
    assert gz.lookup("Republic of China").actor.id == "TWN"
    assert gz.lookup("the island") is None
    assert gz.lookup("Sahrawi Arab Democratic Republic").actor.id == "ESH"
    assert gz.lookup("Polisario Front").actor == Actor("ORG:polisario", "Polisario Front",
                                                       "organization", "ESH")
    assert gz.lookup("Hamas").actor.state == "PSE"


def test_entities(gz):
    dpr = Actor("ENT:dpr", "Donetsk People's Republic", "state", None)
    assert gz.lookup("DPR") == Match(dpr, "entity")
    assert gz.lookup("the Donetsk People's Republic") == Match(dpr, "entity")
    assert gz.lookup("Lugansk").actor.id == "ENT:lpr"
    assert gz.lookup("TRNC").actor.id == gz.lookup("Northern Cyprus").actor.id == "ENT:trnc"
    assert gz.lookup("Hargeisa") == Match(gz.actor("ENT:somaliland"), "capital")
    assert gz.is_state("ENT:dpr") and gz.is_state("RUS") and gz.is_state("XKX")
    assert not gz.is_state("ORG:un") and not gz.is_state("AFG:taliban") and not gz.is_state("ZZZ")
    with pytest.raises(KeyError):
        gz.state("ENT:dpr")


def test_organizations(gz):
    assert gz.lookup("United Nations") == gz.lookup("the UN") == Match(
        Actor("ORG:un", "United Nations", "organization", None), "organization")
    assert gz.lookup("UN Security Council").actor.id == "ORG:unsc"
    assert gz.lookup("League of Arab States").actor.id == "ORG:arab-league"
    assert gz.lookup("ISIL").actor == gz.lookup("Daesh").actor
    assert gz.lookup("ISIL").actor.state is None
    assert gz.lookup("Ansar Allah").actor == Actor("ORG:houthis", "Houthis", "organization", "YEM")
    assert gz.lookup("Brussels").actor.id == "ORG:eu"   # EU metonymy, not Belgium


def test_confusable_names(gz):
    ids = {t: gz.lookup(t).actor.id for t in
           ("Georgia", "Niger", "Nigeria", "Dominica", "Dominican Republic", "Guinea",
            "Guinea-Bissau", "Equatorial Guinea", "Papua New Guinea", "Sudan", "South Sudan",
            "Congo", "DR Congo", "DRC", "Democratic Republic of the Congo",
            "Republic of the Congo", "Republic of Congo", "Congo-Brazzaville")}
    assert ids == {"Georgia": "GEO", "Niger": "NER", "Nigeria": "NGA", "Dominica": "DMA",
                   "Dominican Republic": "DOM", "Guinea": "GIN", "Guinea-Bissau": "GNB",
                   "Equatorial Guinea": "GNQ", "Papua New Guinea": "PNG", "Sudan": "SDN",
                   "South Sudan": "SSD",
                   # bare "Congo" is DR Congo, as in Reuters/AP usage (states.yaml)
                   "Congo": "COD", "DR Congo": "COD", "DRC": "COD",
                   "Democratic Republic of the Congo": "COD", "Republic of the Congo": "COG",
                   "Republic of Congo": "COG", "Congo-Brazzaville": "COG"}


@pytest.mark.parametrize("text", ["Atlantis", "the ministry", "", "  ", "Obama", "the move"])
def test_unknown(gz, text):
    assert gz.lookup(text) is None


def test_state_errors(gz):
    assert gz.state("TWN") == Actor("TWN", "Taiwan", "state", "TWN")
    with pytest.raises(KeyError):
        gz.state("XXX")


def test_surface_forms(gz):
    forms = gz.surface_forms()
    assert len(forms) == len(set(forms)) > 1000
    pairs = set(forms)
    for pair in [("the Kremlin", "RUS"), ("Kremlin", "RUS"), ("The Kremlin", "RUS"),
                 ("Russia", "RUS"), ("Russian Federation", "RUS"), ("Taliban", "AFG:taliban"),
                 ("Taliban", "ORG:taliban"), ("Muttaki", "PER:amir-khan-muttaqi"),
                 ("State Department", "USA:mfa"), ("Kabul", "AFG"), ("DPR", "ENT:dpr"),
                 ("Republic of Korea", "KOR"), ("Kosovo", "XKX")]:
        assert pair in pairs, pair
    texts = {f for f, _ in forms}
    assert "Russian" not in texts and "Afghan" not in texts   # no demonyms
    assert "Iran, Islamic Republic of" not in texts            # ISO inverted form only
    for form, key in forms:
        assert gz.lookup(form, D(2024, 1, 1)) is not None, form


def test_all_un_members_have_demonym_or_are_named(gz):
    for iso in ("AFG", "ZWE", "KIR", "VUT", "SSD", "MKD", "SWZ", "TLS", "CPV"):
        assert gz.state(iso).kind == "state"
        assert gz.demonym(gz._adjective[iso]) == iso


def test_actor_by_id(gz):
    assert gz.actor("AFG:taliban") == TALIBAN_GOV
    assert gz.actor("FRA:mfa") == Actor("FRA:mfa", "French Foreign Ministry", "body", "FRA")
    assert gz.actor("PER:donald-trump", D(2023, 1, 1)).state is None
    assert all(gz.actor(k).kind in ACTOR_KINDS for _, k in gz.surface_forms())
    with pytest.raises(KeyError):
        gz.actor("ORG:nothing")


def test_dates_accept_datetimes(gz):
    assert gz.lookup("Kabul", dt.datetime(2025, 7, 3, 12, 0)).actor == TALIBAN_GOV
