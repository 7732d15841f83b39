"""The attribute ruler of ``en_core_web_sm``, matched by table lookup.

The model's ``attribute_ruler`` maps fine-grained tags to coarse parts of
speech and morphology, and fixes a few lemmas and parts of speech ("gonna",
"that" as a relative pronoun): 179 token patterns run by spaCy's general
``Matcher``, which costs about an eighth of a parse of news text. Each of
these patterns is a fixed run of one or two token tests on ``TAG``,
``LOWER``, ``DEP`` or ``IS_SPACE``, so :class:`IndexedAttributeRuler` finds
the same matches by looking up each token's tag and lower-cased form in a
table of the patterns that can start there, and hands them to spaCy's own
``set_annotations``: the tokens get exactly the attributes the stock component
gives (checked by ``tests/test_nlp.py`` on real articles). A pattern with
anything else (an operator, another attribute) makes the component fall back
to spaCy's ``Matcher`` for all patterns.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

FACTORY = "diplowatch_attribute_ruler"
"""Name under which the component is registered with spaCy."""

ATTRS = ("LOWER", "TAG", "DEP", "IS_SPACE")  # the order :meth:`IndexedAttributeRuler.match` unpacks
"""Token attributes the patterns may test, in the order of ``Doc.to_array`` rows; a pattern is
filed under the first of them it pins to a finite set of values (the most selective first)."""

EQ, IN, NOT_IN, REGEX = range(4)

Check = tuple[int, int, Any]
"""One test on a token row: ``(attribute position, operator, operand)``; operands are string hashes."""


class Unsupported(ValueError):
    """A pattern uses an operator or attribute the table lookup does not implement."""


def _operand(value: Any, strings: Any) -> int:
    return int(value) if isinstance(value, bool) else strings.add(value)


def _checks(spec: dict[str, Any], strings: Any) -> list[Check]:
    """The tests of one token pattern, as row checks (raises :class:`Unsupported`)."""
    if not spec or not set(spec) <= set(ATTRS):
        raise Unsupported(f"token pattern {spec!r}")
    out: list[Check] = []
    for attr, value in spec.items():
        k = ATTRS.index(attr)
        if not isinstance(value, dict):
            out.append((k, EQ, _operand(value, strings)))
        elif set(value) == {"IN"}:
            out.append((k, IN, frozenset(_operand(v, strings) for v in value["IN"])))
        elif set(value) == {"NOT_IN"}:
            out.append((k, NOT_IN, frozenset(_operand(v, strings) for v in value["NOT_IN"])))
        elif set(value) == {"REGEX"} and attr != "IS_SPACE":
            out.append((k, REGEX, re.compile(value["REGEX"])))
        else:
            raise Unsupported(f"predicate {attr}: {value!r}")
    return out


def _holds(row: list[int], checks: tuple[Check, ...], strings: Any) -> bool:
    for k, op, operand in checks:
        v = row[k]
        if op == EQ:
            if v != operand:
                return False
        elif op == IN:
            if v not in operand:
                return False
        elif op == NOT_IN:
            if v in operand:
                return False
        elif not operand.search(strings[v]):
            return False
    return True


class IndexedAttributeRuler(AttributeRuler):
    """spaCy's ``AttributeRuler``, with its matches found by table lookup (see the module doc).

    Created empty like the stock component; fill it with
    ``add_patterns(stock.patterns)``. ``match(doc)`` returns the same sorted
    ``(rule index, match id, start, end)`` list as the stock component.
    """

    def __init__(self, vocab: Any, name: str = "attribute_ruler", **kwargs: Any) -> None:
        super().__init__(vocab, name, **kwargs)
        self._table: tuple[dict[tuple[int, int], list], list] | None = None

    def add_patterns(self, patterns: Any) -> None:
        """Add patterns as the stock component does, and rebuild the lookup table."""
        super().add_patterns(patterns)
        self._table = self._compile()

    def _compile(self) -> tuple[dict[tuple[int, int], list], list] | None:
        """File each pattern under the values of its first token's most selective finite test.

        Returns:
            ``(table, unfiled)``: ``table[(attribute position, value hash)]``
            lists ``(rule index, match id, other checks of the first token,
            checks of the following tokens)``; ``unfiled`` lists the patterns
            whose first token has no finite test; None when a pattern is
            :class:`Unsupported`.
        """
        strings = self.vocab.strings
        table: dict[tuple[int, int], list] = {}
        unfiled: list = []
        try:
            for attr_id, rule in enumerate(self.patterns):
                match_id = strings.add(str(attr_id))
                for pattern in rule["patterns"]:
                    first = _checks(pattern[0], strings)
                    tail = tuple(tuple(_checks(spec, strings)) for spec in pattern[1:])
                    key = min((c for c in first if c[1] in (EQ, IN)), default=None, key=lambda c: c[0])
                    if key is None:
                        unfiled.append((attr_id, match_id, tuple(first), tail))
                        continue
                    rest = tuple(c for c in first if c is not key)
                    for value in (key[2],) if key[1] == EQ else key[2]:
                        table.setdefault((key[0], value), []).append((attr_id, match_id, rest, tail))
        except Unsupported:
            return None
        return table, unfiled

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """Matches of the rules in ``doc``: ``(rule index, match id, start token, end token)``, sorted."""
        if self._table is None:
            return super().match(doc)
        table, unfiled = self._table
        strings = self.vocab.strings
        rows = doc.to_array(list(ATTRS)).tolist() if len(doc) else []
        n = len(rows)
        found = set()
        get = table.get
        for i, row in enumerate(rows):
            lower, tag, dep, space = row
            candidates = (*get((0, lower), ()), *get((1, tag), ()), *get((2, dep), ()), *get((3, space), ()),
                          *unfiled)
            for attr_id, match_id, rest, tail in candidates:
                end = i + 1 + len(tail)
                if end > n or (rest and not _holds(row, rest, strings)):
                    continue
                if all(_holds(rows[i + 1 + j], checks, strings) for j, checks in enumerate(tail)):
                    found.add((attr_id, match_id, i, end))
        return sorted(found)

    def set_annotations(self, doc: Doc, matches: list[tuple[int, int, int, int]]) -> None:
        """Set the attributes of each match's target token, later rules last (as the stock component,
        without building a ``Span`` per match).

        Raises:
            ValueError: a rule's token index lies outside its match.
        """
        for attr_id, _match_id, start, end in matches:
            index = self.indices[attr_id]
            at = (start if index >= 0 else end) + index
            if not start <= at < end:
                raise ValueError(f"attribute rule {attr_id}: token index {index} outside its match "
                                 f"{[t.text for t in doc[start:end]]}")
            set_token_attrs(doc[at], self.attrs[attr_id])


@Language.factory(FACTORY)
def make_indexed_attribute_ruler(nlp: Language, name: str) -> IndexedAttributeRuler:
    """spaCy factory of :class:`IndexedAttributeRuler` (empty; see its doc)."""
    return IndexedAttributeRuler(nlp.vocab, name)


def index_attribute_ruler(nlp: Language) -> None:
    """Replace ``nlp``'s ``attribute_ruler`` by an :class:`IndexedAttributeRuler` with the same rules.

    Does nothing when the pipeline has no ``attribute_ruler``.
    """
    if "attribute_ruler" not in nlp.pipe_names:
        return
    patterns = nlp.get_pipe("attribute_ruler").patterns
    nlp.replace_pipe("attribute_ruler", FACTORY)
    nlp.get_pipe("attribute_ruler").add_patterns(patterns)
