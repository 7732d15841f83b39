"""The event ontology of DESIGN §3, loaded from ``data/ontology.csv``.

Each event type carries its CAMEO 2.0 code (as in the PETRARCH2 codebook), its
PLOVER type and mode (PLOVER manual), and its effect on relation state
(DESIGN §5): the *facet* of the dyad it changes and the value it sets.
Recognition is coded 054 ("grant diplomatic recognition"), never 051 (praise).

Each type has a *kind*: ``act`` (recognitions, relations, missions,
listings, sanctions, talks), ``statement`` (praise, criticism) or
``position`` (statements of policy towards a government: calls for engagement
or isolation, appeals and demands, "will not recognise until ..."). (The
chart families of :data:`FAMILIES` group types by facet; positions, which
change no facet, are statements there.)

Cooperation and conflict weights (issue 17), both kept as data:

- :func:`goldstein`: the Goldstein scale of a CAMEO code, from
  ``data/goldstein.tsv`` (J. S. Goldstein, "A Conflict-Cooperation Scale for
  WEIS Events Data", *Journal of Conflict Resolution* 36(2), 1992, as extended
  to CAMEO and distributed with CAMEO/GDELT event data as
  ``CAMEO.goldsteinscale.txt``).
- :func:`quad_class`: the quad category of a PLOVER event type (1 verbal
  cooperation, 2 material cooperation, 3 verbal conflict, 4 material
  conflict), from ``data/plover.csv`` (the "Quad category" of each event type
  in the PLOVER manual, Open Event Data Alliance, draft 2.0); numbered as
  GDELT numbers its ``QuadClass``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class EventType:
    """One row of the ontology.

    Attributes:
        name: our event type (``recognize_government``).
        cameo: CAMEO 2.0 code (``"054"``).
        plover: PLOVER event type (``"SUPPORT"``).
        plover_mode: PLOVER mode (``"withdraw"``) or ``""``.
        facet: relation-state facet it changes (``recognition``, ``relations``,
            ``ambassador``, ``own_ambassador``, ``mission``, ``designation``,
            ``sanctions``, ``contacts``) or ``""`` when it changes none.
        effect: the value it sets on that facet, or ``""``.
        description: one line of meaning, source → target.
        kind: ``act``, ``statement`` or ``position``.
    """

    name: str
    cameo: str
    plover: str
    plover_mode: str
    facet: str
    effect: str
    description: str
    kind: str = "act"


def _rows(name: str) -> list[dict[str, str]]:
    """The rows of a packaged CSV or TSV data file; lines opening with ``#`` are comments."""
    raw = resources.files("diplowatch.data").joinpath(name).read_text("utf-8")
    lines = [line for line in raw.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t" if name.endswith(".tsv") else ","))


def _load() -> dict[str, EventType]:
    return {row["event"]: EventType(row["event"], row["cameo"], row["plover"], row["plover_mode"],
                                    row["facet"], row["effect"], row["description"], row["kind"])
            for row in _rows("ontology.csv")}


EVENT_TYPES: dict[str, EventType] = _load()
"""All event types by name, in ontology order."""

MUTUAL_EVENTS: frozenset[str] = frozenset({"establish_relations", "restore_relations", "break_relations"})
"""Events whose dyad is unordered for scoring (relations are mutual, DESIGN §7)."""


_BRITISH = (("recognis", "recogniz"), ("organis", "organiz"), ("criticis", "criticiz"))
"""British spellings of the stems in event type names, and the ontology's (Oxford/American) spelling."""


def canonical_event(name: str) -> str | None:
    """The ontology's name of an event type given as people type it, or ``None`` when there is none.

    Case and ``-`` for ``_`` do not matter, and British spellings are aliases:
    ``recognise_government``, ``Designate-Organisation`` and ``criticise`` are
    ``recognize_government``, ``designate_organization`` and ``criticize``.
    """
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    for british, ours in _BRITISH:
        key = key.replace(british, ours)
    return key if key in EVENT_TYPES else None


def unknown_event_message(name: str, known: Iterable[str] | None = None) -> str:
    """``unknown event type 'x'; valid: …`` listing ``known`` (default every event type)."""
    return f"unknown event type {name!r}; valid: {', '.join(known if known is not None else EVENT_TYPES)}"


def event_type(name: str) -> EventType:
    """Return the ontology row for ``name`` (any spelling :func:`canonical_event` accepts).

    Raises:
        KeyError: ``name`` is not an event type of the ontology (the message lists the valid ones).
    """
    key = canonical_event(name) if isinstance(name, str) else None
    if key is None:
        raise KeyError(unknown_event_message(name))
    return EVENT_TYPES[key]


FAMILIES: tuple[tuple[str, str], ...] = (
    ("recognition", "recognition"),
    ("representation", "relations, ambassadors and missions"),
    ("contacts", "talks and visits"),
    ("statements", "praise and criticism"),
    ("listings", "banned lists"),
    ("sanctions", "sanctions"),
)
"""Event families (key, label) for charts, in display order: the facet an event type changes
(:attr:`EventType.facet`) grouped as in :data:`_FAMILY_OF_FACET`; event types that change no
facet (praise, criticism) are statements."""

_FAMILY_OF_FACET = {"recognition": "recognition", "relations": "representation", "ambassador": "representation",
                    "own_ambassador": "representation", "mission": "representation", "contacts": "contacts",
                    "designation": "listings", "sanctions": "sanctions", "": "statements"}


def event_family(name: str) -> str:
    """The family (a key of :data:`FAMILIES`) of event type ``name``.

    Raises:
        KeyError: ``name`` is not an event type of the ontology.
    """
    return _FAMILY_OF_FACET[event_type(name).facet]


POSITION_EVENTS: frozenset[str] = frozenset(n for n, t in EVENT_TYPES.items() if t.kind == "position")
"""Statements of policy towards a government (calls for engagement or isolation, appeals, demands)."""

GOLDSTEIN: dict[str, float] = {row["cameo"]: float(row["goldstein"]) for row in _rows("goldstein.tsv")}
"""Goldstein weight of every CAMEO code of ``data/goldstein.tsv`` (see the module docstring)."""

QUAD_CLASSES: dict[str, int] = {row["plover"]: int(row["quad"]) for row in _rows("plover.csv")}
"""PLOVER event type → quad category 1–4 (``data/plover.csv``)."""

QUAD_NAMES: dict[int, str] = {int(row["quad"]): row["quad_name"] for row in _rows("plover.csv")}
"""Quad category number → name (``1`` → ``"verbal cooperation"`` …)."""


def goldstein(cameo: str) -> float:
    """Goldstein weight of a CAMEO code: the code's own, else its base (three digits), else its root (two).

    Args:
        cameo: a CAMEO code (``"054"``, ``"1722"``).

    Returns:
        The weight, -10.0 … +10.0.

    Raises:
        KeyError: neither the code nor its base nor its root is in the table.
    """
    for key in (cameo, cameo[:3], cameo[:2]):
        if key in GOLDSTEIN:
            return GOLDSTEIN[key]
    raise KeyError(f"CAMEO code {cameo!r} is not in the Goldstein table (data/goldstein.tsv)")


def quad_class(plover: str) -> int:
    """PLOVER quad category of a PLOVER event type: 1 verbal cooperation, 2 material cooperation,
    3 verbal conflict, 4 material conflict.

    Raises:
        KeyError: ``plover`` is not a PLOVER event type.
    """
    try:
        return QUAD_CLASSES[plover]
    except KeyError:
        raise KeyError(f"unknown PLOVER event type {plover!r}; known: {', '.join(QUAD_CLASSES)}") from None
