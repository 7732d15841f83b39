"""The actor gazetteer of DESIGN §4: names, aliases, metonyms and demonyms to canonical actors.

Pure data and dictionary lookups (no spaCy); the NLP layer finds the names of
:meth:`Gazetteer.surface_forms` in a text (case-sensitive, aligned to tokens)
and resolves each mention with :meth:`Gazetteer.lookup`.

Data comes from:

* pycountry: every ISO 3166-1 country (alpha-3 code, name, official and
  common names, e.g. "Russian Federation", "Iran, Islamic Republic of");
* ``diplowatch/data/states.yaml``: display names, aliases, demonyms, capitals,
  seats and body place-names per state, and XKX (Kosovo);
* ``diplowatch/data/actors.yaml``: governments with validity periods,
  organisations, partially recognised entities, hand-written officials with
  roles, and the generic body words ("foreign ministry" -> ``mfa``);
* ``diplowatch/data/officials.csv``: heads of state, heads of government and
  foreign ministers of every UN member state and of XKX, PSE, TWN and VAT,
  2010 onwards, one row per term, each with its public source. Compiled from
  Wikidata-based public lists (facts only; Wikidata is CC0): EveryPolitician's
  per-country ``html/holders21.csv`` (github.com/every-politician-scrapers,
  offices held 2000 to 2022/January 2023), its ``world`` foreign-minister
  snapshots (August 2022 to January 2023) and ``world-leaders-2021`` snapshots
  (years only, to 2026), a Wikidata P39 extract of heads of state and
  government (github.com/cfmessias/geografia, to October 2025, no licence
  stated), world-leaders-current (github.com/open-data-archive, G20 and
  ASEAN, May to August 2026, CC BY-SA 4.0), and news or encyclopedia pages
  for a few foreign ministers appointed since 2023. Coverage and its gaps are
  described in ``diplowatch/data/officials.md``. Its officials merge with the
  hand-written ones (:func:`merge_officials`); those win.

Dates are :class:`datetime.date` (ISO 8601 in the data files); periods are
half-open ``[from, to)``. ``on=None`` means today.
"""

from __future__ import annotations

import csv
import gettext
import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pycountry
import yaml

from .errors import ConfigurationError
from .model import Actor

VIAS: tuple[str, ...] = ("name", "alias", "capital", "seat", "demonym", "official",
                         "organization", "government", "entity")

_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
                       "\u201c": '"', "\u201d": '"', "\u0131": "i", "\u00f8": "o", "\u00d8": "O",
                       "\u00e6": "ae", "\u00df": "ss", "\u0111": "d", "\u0142": "l", "\u0141": "L",
                       "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-"})
_EDGE = " \t\n\"()[]{},;:!?*"
_POSSESSIVE = re.compile(r"'s?$")
_DROP = re.compile(r"['.]")
_SPACE = re.compile(r"[^\w]+|_")
_ACRONYM_MAX = 5


def _fold(text: str) -> str:
    """Unify quotes, dashes and letters, strip diacritics ("Türkiye" -> "Turkiye")."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def _prep(text: str) -> str:
    """Folded text without edge punctuation, possessive ("'s", "s'") or leading "the"."""
    text = _POSSESSIVE.sub("", _fold(text).strip(_EDGE)).strip(_EDGE)
    return text[4:].lstrip() if text[:4].lower() == "the " else text


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lookup key of a surface form: folded, lower case, no "the", possessive or punctuation.

    Hyphens and other punctuation become spaces; dots and apostrophes vanish
    ("U.S." -> "us", "Côte d'Ivoire" -> "cote divoire", "Guinea-Bissau" ->
    "guinea bissau"). Returns ``""`` for text without letters or digits.
    """
    return " ".join(_SPACE.sub(" ", _DROP.sub("", _prep(text))).casefold().split())


@functools.lru_cache(maxsize=65536)
def _acronym(text: str) -> str | None:
    """Upper-case key of an all-capitals form of up to 5 characters ("U.S." -> "US"), else None."""
    compact = re.sub(r"[\W_]", "", _prep(text))
    return compact if compact and len(compact) <= _ACRONYM_MAX and compact.isupper() else None


def _date(value: Any) -> dt.date | None:
    """A date from YAML: a date, an ISO string (partial -> first day), or None."""
    if value is None or isinstance(value, dt.date):
        return value
    parts = [int(p) for p in str(value).split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _day(on: dt.date | None) -> dt.date:
    """``on`` as a plain date (datetimes truncated); today when None."""
    if on is None:
        return dt.date.today()
    return on.date() if isinstance(on, dt.datetime) else on


@dataclass(frozen=True, slots=True)
class Match:
    """A resolved surface form.

    Attributes:
        actor: the canonical actor as of the date asked.
        via: how the text was recognised, one of :data:`VIAS`.
    """

    actor: Actor
    via: str


@dataclass(frozen=True, slots=True)
class _Span:
    """A period ``[start, end)`` (``end`` None = ongoing) with what holds in it."""

    start: dt.date | None
    end: dt.date | None
    state: str | None = None
    role: str | None = None

    def covers(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One gazetteer entry; ``spans`` are the periods of a government or roles of a person."""

    id: str
    name: str
    kind: str
    state: str | None
    spans: tuple[_Span, ...] = ()
    de_facto: bool = False

    def valid(self, on: dt.date) -> bool:
        return self.kind != "government" or any(s.covers(on) for s in self.spans)

    def actor(self, on: dt.date | None) -> Actor:
        """The actor on date ``on``; a person with ``on=None`` (date unknown) acts for the state of their latest role."""
        if self.kind != "person":
            return Actor(self.id, self.name, self.kind, self.state)
        if on is None:
            dated = sorted((s for s in self.spans if s.state), key=lambda s: s.start or dt.date.min)
            span = dated[-1] if dated else None
        else:
            span = next((s for s in self.spans if s.covers(on) and s.state), None)
        return Actor(self.id, self.name, "person", span.state if span else None)


class Gazetteer:
    """Names of actors and their resolution, built once from the data (see the module doc).

    Args:
        states: parsed ``states.yaml`` (ISO3 -> fields).
        actors: parsed ``actors.yaml`` (``governments``, ``organizations``,
            ``entities``, ``officials``, ``bodies``).

    Raises:
        KeyError, TypeError, ValueError: on malformed data.
    """

    def __init__(self, states: Mapping[str, Any], actors: Mapping[str, Any]) -> None:
        self._entries: dict[str, _Entry] = {}
        self._index: dict[str, list[tuple[str, str]]] = {}
        self._acronyms: dict[str, list[tuple[str, str]]] = {}
        self._forms: list[tuple[str, str]] = []
        self._demonyms: dict[str, str] = {}
        self._adjective: dict[str, str] = {}
        self._body_names: dict[tuple[str, str], str] = {}
        self._body_words: dict[str, str] = {}
        self._body_labels: dict[str, str] = {}
        self._governments: dict[str, list[_Entry]] = {}
        countries = {c.alpha_3: c for c in pycountry.countries}
        for iso, c in countries.items():
            name = (states.get(iso) or {}).get("name") or getattr(c, "common_name", None) or c.name
            self._entries[iso] = _Entry(iso, name, "state", iso)
        for iso, data in states.items():
            data = data or {}
            if iso not in self._entries:
                self._entries[iso] = _Entry(iso, data.get("name") or iso, "state", iso)
            self._add(iso, [self._entries[iso].name], "name")
            self._add(iso, data.get("aliases", ()), "alias")
            self._add(iso, data.get("capitals", ()), "capital")
            self._add(iso, data.get("seats", ()), "seat")
            for word in data.get("demonyms", ()):
                self._demonyms.setdefault(normalize(word), iso)
            self._adjective[iso] = data.get("adjective") or next(iter(data.get("demonyms", ())),
                                                                 self._entries[iso].name)
            for kind, name in (data.get("body_names") or {}).items():
                self._body_names[iso, kind] = name
        for kind, spec in (actors.get("bodies") or {}).items():
            self._body_labels[kind] = spec["label"]
            for word in spec["words"]:
                self._body_words.setdefault(normalize(word), kind)
        for iso, data in states.items():
            for place, kind in ((data or {}).get("bodies") or {}).items():
                self._add(self.body(iso, kind).id, [place], "seat")
        for gid, g in (actors.get("governments") or {}).items():
            spans = tuple(_Span(_date(p.get("from")), _date(p.get("to"))) for p in g["periods"])
            entry = _Entry(gid, g["name"], "government", g["state"], spans, bool(g.get("de_facto")))
            self._entries[gid] = entry
            self._governments.setdefault(g["state"], []).append(entry)
            self._add(gid, g.get("names", ()), "government")
        for section, kind, via in (("organizations", "organization", "organization"),
                                   ("entities", "state", "entity")):
            for oid, o in (actors.get(section) or {}).items():
                self._entries[oid] = _Entry(oid, o["name"], kind, o.get("state"))
                self._add(oid, o.get("names", ()), via)
                self._add(oid, o.get("capitals", ()), "capital")
        for pid, p in (actors.get("officials") or {}).items():
            spans = tuple(_Span(_date(r.get("from")), _date(r.get("to")), r.get("state"), r["role"])
                          for r in p["roles"])
            self._entries[pid] = _Entry(pid, p["name"], "person", None, spans)
            self._add(pid, p.get("names", ()), "official")
        for iso, c in countries.items():
            names = (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None))
            for name in dict.fromkeys(names):
                if name:
                    self._add_iso_name(iso, name)

    def _add_iso_name(self, iso: str, name: str) -> None:
        """Index a pycountry name, with "Korea, Republic of" also as "Republic of Korea"."""
        base = name.split(" (")[0]
        if "," not in base:
            self._add(iso, [base] if base == name else [name, base], "name")
            return
        self._add(iso, [name], "name", surface=False)
        head, _, tail = base.partition(", ")
        if tail.endswith((" of", " of the")):
            self._add(iso, [f"{tail} {head}"], "name")

    def _add(self, key: str, forms: Iterable[str], via: str, surface: bool = True) -> None:
        """Index ``forms`` for entry ``key`` (first entry indexed for a form is preferred)."""
        for form in forms:
            acro = _acronym(form)
            target = self._acronyms if acro else self._index
            slot = target.setdefault(acro or normalize(form), [])
            if all(k != key for k, _ in slot):
                slot.append((key, via))
            if surface:
                bare = form[4:] if form[:4].lower() == "the " else form
                variants = [form, bare, "The " + bare] if bare != form else [form]
                self._forms.extend((v, key) for v in variants)

    @classmethod
    def default(cls) -> Gazetteer:
        """The gazetteer of the packaged data files (``diplowatch.data``), built once and cached."""
        return _default()

    @classmethod
    def for_language(cls, lang: str) -> Gazetteer:
        """The gazetteer for articles in ``lang`` (ISO 639-1), built once and cached.

        ``"en"`` is :meth:`default`. For another language the English data is
        joined by that language's names (see :func:`_localised`): the same
        actors and ids, so a French article's events code as an English one's.

        Raises:
            ConfigurationError: no names are packaged for ``lang``.
        """
        return _default() if lang == "en" else _localised(lang)

    def surface_forms(self) -> list[tuple[str, str]]:
        """Every name as written, for case-sensitive matching in text (``extract.mentions.name_automaton``).

        Returns:
            ``(surface form, entry key)`` pairs, unique, in data order: names,
            aliases, capitals, seats, body place-names (key ``USA:mfa``),
            government, organisation, entity and official names, pycountry
            names. Forms written with "the" also come bare and as "The ...".
            A form may map to several keys ("Taliban": ``AFG:taliban`` and
            ``ORG:taliban``); :meth:`lookup` picks by date. No demonyms.
        """
        return list(dict.fromkeys(self._forms))

    def lookup(self, text: str, on: dt.date | None = None) -> Match | None:
        """Resolve a mention to the actor it names on date ``on``.

        The text is normalised (see :func:`normalize`); an all-capitals form of
        up to 5 letters is first looked up among acronyms, case-sensitively
        ("US" is the United States, "us" is nothing). Candidates are tried in
        data order and the first valid on ``on`` wins (a government only
        within its periods, so "Taliban" is ``ORG:taliban`` before 2021-08-15
        and ``AFG:taliban`` from then on); when none is valid, the first.
        Capitals and seats give the state, or its de facto government valid on
        ``on`` (Kabul in 2025 -> ``AFG:taliban``). Officials give the person,
        whose ``state`` is the state of their role on ``on`` or None. A
        demonym alone ("Afghans") gives its state. Generic body words give
        None (see :meth:`body_kind`).

        Args:
            text: the mention as written ("the Kremlin", "Russia's").
            on: the date of the reference (article date); None when unknown:
                governments and capitals then resolve as of today, officials to
                the state of their latest role.

        Returns:
            A :class:`Match`, or None when the text names no known actor.
        """
        undated = on is None
        on = _day(on)
        acro = _acronym(text)
        cands = self._acronyms.get(acro) if acro else None
        if not cands:
            cands = self._index.get(normalize(text))
        if not cands:
            iso = self.demonym(text)
            return Match(self._entries[iso].actor(on), "demonym") if iso else None
        key, via = next(((k, v) for k, v in cands if self._entries[k].valid(on)), cands[0])
        entry = self._entries[key]
        if entry.kind == "state" and via in ("capital", "seat") and entry.state:
            gov = self.government(entry.state, on, de_facto=True)
            if gov is not None:
                return Match(gov, via)
        return Match(entry.actor(None if undated else on), via)

    def organization(self, actor: Actor) -> Actor | None:
        """The organisation that shares a name with a government ("Taliban": ``AFG:taliban`` → ``ORG:taliban``).

        Used for banned-list events, whose target is the organisation even
        while it governs. Returns ``actor`` itself when it is an organisation,
        None when no organisation shares a name with it.
        """
        if actor.kind == "organization":
            return actor
        for slot in self._index.values():
            keys = [k for k, _ in slot]
            if actor.id in keys:
                for k in keys:
                    entry = self._entries.get(k)
                    if entry is not None and entry.kind == "organization":
                        return entry.actor(None)
        return None

    def demonym(self, word: str) -> str | None:
        """ISO3 of the state a demonym belongs to ("Russian" -> "RUS", "Afghans" -> "AFG").

        Case-insensitive; a plural "-s" is tried off. Returns None when the
        word is no demonym ("Afghani", a currency, is none).
        """
        key = normalize(word)
        iso = self._demonyms.get(key)
        if iso is None and key.endswith("s"):
            iso = self._demonyms.get(key[:-1])
        return iso

    def demonym_forms(self) -> list[str]:
        """Every demonym, normalised (lower case), e.g. ``"russian"``; for prefilters."""
        return list(self._demonyms)

    def state(self, iso3: str) -> Actor:
        """``Actor(iso3, display name, "state", iso3)``; raises KeyError for an unknown ISO3."""
        entry = self._entries.get(iso3)
        if entry is None or entry.id != entry.state or entry.kind != "state":
            raise KeyError(iso3)
        return entry.actor(dt.date.today())

    def government(self, iso3: str, on: dt.date | None = None, *,
                   de_facto: bool = False) -> Actor | None:
        """The government entry of ``iso3`` valid on ``on`` (``AFG`` in 2025 -> ``AFG:taliban``).

        Args:
            iso3: state code.
            on: date; None = today.
            de_facto: only governments marked ``de_facto`` in actors.yaml.

        Returns:
            An Actor of kind ``government``, or None when the gazetteer has
            none for that state and date.
        """
        on = _day(on)
        for entry in self._governments.get(iso3, ()):
            if entry.valid(on) and (entry.de_facto or not de_facto):
                return entry.actor(on)
        return None

    def body(self, iso3: str, word: str) -> Actor | None:
        """The body of a state a body word names: ``("RUS", "Foreign Ministry")`` ->
        ``Actor("RUS:mfa", "Russian Foreign Ministry", "body", "RUS")``.

        ``word`` may also be a body kind (``"mfa"``). The display name is the
        state's adjective and the kind's label, unless states.yaml names it
        (``USA:mfa`` is "U.S. State Department"). Dateless: for who governs on
        a date use :meth:`government`.

        Returns:
            The body Actor, or None when ``word`` is not a body word.

        Raises:
            KeyError: unknown ``iso3``.
        """
        kind = word if word in self._body_labels else self.body_kind(word)
        if kind is None:
            return None
        state = self.state(iso3)
        name = (self._body_names.get((iso3, kind))
                or f"{self._adjective.get(iso3, state.name)} {self._body_labels[kind]}")
        key = f"{iso3}:{kind}"
        # "the Syrian government" is the government of its state (DESIGN §2 kind "government")
        entry = self._entries.setdefault(key, _Entry(key, name, "government" if kind == "gov" else "body", iso3))
        return entry.actor(dt.date.today())

    def body_kind(self, word: str) -> str | None:
        """Body kind of a generic word ("the Foreign Ministry" -> ``"mfa"``), or None."""
        return self._body_words.get(normalize(word))

    def actor(self, actor_id: str, on: dt.date | None = None) -> Actor:
        """The actor with a canonical id as of ``on`` (any kind); raises KeyError when unknown."""
        if actor_id not in self._entries and ":" in actor_id:
            iso, _, kind = actor_id.partition(":")
            if kind in self._body_labels and iso in self._entries:
                self.body(iso, kind)
        return self._entries[actor_id].actor(_day(on))

    def role(self, person_id: str, on: dt.date | None = None) -> str | None:
        """The role ("foreign minister") a person holds on ``on``, or None; KeyError if unknown."""
        on = _day(on)
        return next((s.role for s in self._entries[person_id].spans if s.covers(on)), None)

    def is_state(self, actor_id: str) -> bool:
        """True for states: ISO3 codes of the gazetteer and ``ENT:`` entities (kind state)."""
        entry = self._entries.get(actor_id)
        return entry is not None and entry.kind == "state"


def officials_from_csv(text: str) -> dict[str, dict[str, Any]]:
    """The rows of ``officials.csv`` as ``officials`` entries of actors.yaml: one per id, a role per row.

    A role is ``{role: title ("prime minister"), state, from, to}``; an empty
    ``to`` is None (still in office). Name variants of all the rows of an id
    are joined in order of appearance.
    """
    out: dict[str, dict[str, Any]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        entry = out.setdefault(row["id"], {"name": row["name"], "names": [], "roles": []})
        entry["names"].extend(n for n in row["names"].split("|") if n and n not in entry["names"])
        entry["roles"].append({"role": row["title"], "state": row["state"],
                               "from": row["from"] or None, "to": row["to"] or None})
    return out


def _overlaps(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two roles' half-open periods share a day (a missing bound is open)."""
    start_a, end_a = _date(a.get("from")) or dt.date.min, _date(a.get("to")) or dt.date.max
    start_b, end_b = _date(b.get("from")) or dt.date.min, _date(b.get("to")) or dt.date.max
    return start_a < end_b and start_b < end_a


def merge_officials(hand: Mapping[str, Any], listed: Mapping[str, Any]) -> dict[str, Any]:
    """Hand-written officials (actors.yaml) and listed ones (officials.csv) as one mapping.

    A person in both keeps the hand-written name, names and roles; the list
    adds its name variants after them and the roles that overlap none of the
    hand-written ones (so a hand entry wins where the two disagree). A
    one-word form of the list ("Erdogan") is dropped when the word is in a
    name of any other person, hand-written or listed ("Orbán" for Viktor
    Orbán while Ludovic Orban is listed too).
    """
    merged: dict[str, Any] = dict(listed)
    for pid, entry in hand.items():
        other = listed.get(pid)
        if other is None:
            merged[pid] = entry
            continue
        names = list(entry.get("names", ()))
        roles = list(entry["roles"])
        merged[pid] = {**entry,
                       "names": names + [n for n in other["names"] if n not in names],
                       "roles": roles + [r for r in other["roles"] if not any(_overlaps(r, h) for h in roles)]}
    owners: dict[str, set[str]] = {}
    for pid, entry in merged.items():
        for name in (entry["name"], *entry.get("names", ())):
            for word in normalize(name).split():
                owners.setdefault(word, set()).add(pid)
    for pid in listed:
        entry = merged[pid]
        own = set(normalize(n) for n in (hand.get(pid) or {}).get("names", ()))
        kept = [n for n in entry["names"] if n in own or " " in normalize(n) or owners.get(normalize(n), {pid}) <= {pid}]
        if len(kept) != len(entry["names"]):
            merged[pid] = {**entry, "names": kept}
    return merged


def _data(name: str) -> str:
    return resources.files("diplowatch.data").joinpath(name).read_text("utf-8")


def _load(name: str) -> Any:
    """Parse a YAML file of the ``diplowatch.data`` package."""
    return yaml.safe_load(_data(name))


LOCALISED: tuple[str, ...] = ("fr",)
"""Languages with packaged names (``diplowatch/data/<lang>/states.yaml`` and ``actors.yaml``)."""


def _join(base: Mapping[str, Any] | None, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Two entries of the same id: lists concatenated, mappings joined (recursively), other values of ``extra`` kept."""
    out = dict(base or {})
    for key, value in (extra or {}).items():
        old = out.get(key)
        if isinstance(value, list):
            out[key] = [*(old or []), *value]
        elif isinstance(value, Mapping) and isinstance(old, Mapping):
            out[key] = _join(old, value)
        else:
            out[key] = value
    return out


def pycountry_names(lang: str) -> dict[str, list[str]]:
    """ISO3 → the names of the state in ``lang`` from the translations that pycountry ships
    (gettext domain ``iso3166-1`` under ``pycountry.LOCALES_DIR``).

    Each ISO name (``name``, ``common_name``, ``official_name``) is translated;
    an inverted form is turned round ("Russie, Fédération de" → "Fédération
    de Russie", "Iran, République islamique d'" → "République islamique
    d'Iran") and its head kept as well ("Russie"); a parenthesis is dropped
    ("Saint-Siège (état de la cité du Vatican)" → "Saint-Siège").

    Returns:
        Names in order, without repeats; ``{}`` when pycountry has no translation for ``lang``.
    """
    try:
        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return {}
    out: dict[str, list[str]] = {}
    for c in pycountry.countries:
        names: list[str] = []
        for attr in ("name", "common_name", "official_name"):
            english = getattr(c, attr, None)
            if not english:
                continue
            local = tr.gettext(english).split(" (")[0].strip()
            head, comma, tail = local.partition(", ")
            if comma:
                names += [f"{tail}{'' if tail.endswith(chr(39)) else ' '}{head}", head]
            else:
                names.append(local)
        out[c.alpha_3] = list(dict.fromkeys(n for n in names if n))
    return out


@functools.lru_cache(maxsize=len(LOCALISED))
def _localised(lang: str) -> Gazetteer:
    """The English data joined by ``lang``'s pycountry names and ``data/<lang>/*.yaml``."""
    if lang not in LOCALISED:
        raise ConfigurationError(f"no actor names for language {lang!r}: packaged are en, {', '.join(LOCALISED)}")
    states = {iso: dict(v or {}) for iso, v in _load("states.yaml").items()}
    for iso, names in pycountry_names(lang).items():
        states[iso] = _join(states.get(iso), {"aliases": names})
    for iso, extra in (_load(f"{lang}/states.yaml") or {}).items():
        states[iso] = _join(states.get(iso), extra)
    actors = _load("actors.yaml")
    officials = merge_officials(actors.get("officials") or {}, officials_from_csv(_data("officials.csv")))
    actors = {**actors, "officials": officials}
    for section, entries in (_load(f"{lang}/actors.yaml") or {}).items():
        joined = dict(actors.get(section) or {})
        for key, extra in entries.items():
            if key not in joined:
                raise ConfigurationError(f"{lang}/actors.yaml: {section} {key!r} is not in actors.yaml")
            joined[key] = _join(joined[key], extra)
        actors[section] = joined
    return Gazetteer(states, actors)


@functools.lru_cache(maxsize=1)
def _default() -> Gazetteer:
    actors = _load("actors.yaml")
    officials = merge_officials(actors.get("officials") or {}, officials_from_csv(_data("officials.csv")))
    return Gazetteer(_load("states.yaml"), {**actors, "officials": officials})
