"""The event ontology of DESIGN §3, loaded from ``data/ontology.csv``.

Each event type carries its CAMEO 2.0 code (as in the PETRARCH2 codebook), its
PLOVER type and mode (PLOVER manual), and its effect on relation state
(DESIGN §5): the *facet* of the dyad it changes and the value it sets.
Recognition is coded 054 ("grant diplomatic recognition"), never 051 (praise).
"""

from __future__ import annotations

import csv
import io
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
    """

    name: str
    cameo: str
    plover: str
    plover_mode: str
    facet: str
    effect: str
    description: str


def _load() -> dict[str, EventType]:
    raw = resources.files("diplowatch.data").joinpath("ontology.csv").read_text("utf-8")
    return {row["event"]: EventType(row["event"], row["cameo"], row["plover"], row["plover_mode"],
                                    row["facet"], row["effect"], row["description"])
            for row in csv.DictReader(io.StringIO(raw))}


EVENT_TYPES: dict[str, EventType] = _load()
"""All event types by name, in ontology order."""

MUTUAL_EVENTS: frozenset[str] = frozenset({"establish_relations", "restore_relations", "break_relations"})
"""Events whose dyad is unordered for scoring (relations are mutual, DESIGN §7)."""


def event_type(name: str) -> EventType:
    """Return the ontology row for ``name``.

    Raises:
        KeyError: ``name`` is not an event type of the ontology.
    """
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown event type {name!r}; known: {', '.join(EVENT_TYPES)}") from None


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
