"""Behaviour cases (CheckList style): loading, validation, running and matching.

One module shared by ``tests/test_behaviour.py`` (pytest) and
``tests/behaviour/report.py`` (pass rates), so both read the YAML files and
judge a case the same way.

A case file ``tests/behaviour/<family>.yaml`` holds ``family`` and ``cases``.
Each case has ``id``, ``capability`` (``family/name``), ``variant``, optional
``pair``, ``published`` (default 2024-05-22, a Wednesday), optional ``title``,
``text``, ``expect`` and ``absent`` (lists of keys), optional ``exact``,
``issues`` and ``no_issues`` (issue ids of ``data/issues.yaml``: every extracted
event that matches an ``expect`` key carries each of ``issues``; no extracted
event carries any of ``no_issues``) and ``known_failure``.

A key is ``[event, source, target, polarity]`` with an optional fifth item,
the date. Matching follows the official scoring (DESIGN §7):

* ``expect``: a ``null`` source or target is "not compared" and matches any
  extracted value; establish/restore/break_relations match in either order.
  A date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) must agree with the date of
  at least one matching extracted event at the date's precision (a more
  precise extracted date agrees: ``2023`` accepts ``2023-05-02``); ``none``
  means at least one matching extracted event carries no date.
* ``absent``: ``"*"`` matches any value in its slot (event and polarity
  included); ``null`` matches only an extracted actor without a state.
* ``exact: true``: besides the ``expect`` keys no asserted event may be
  extracted (every asserted extracted key must match an asserted expect key).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent

FAMILIES: tuple[str, ...] = (
    "contacts", "officials", "lists", "epithets", "representation", "recognition", "relations",
    "listings", "sanctions", "statements", "direction", "dates", "polarity", "negatives", "positions",
)
VARIANTS: tuple[str, ...] = ("base", "negated", "hypothetical", "passive", "nominal", "list", "pronoun",
                             "reference", "headline", "date", "trap", "conditional")
POLARITIES: tuple[str, ...] = ("asserted", "negated", "hypothetical")
MUTUAL: frozenset[str] = frozenset({"establish_relations", "restore_relations", "break_relations"})
DEFAULT_PUBLISHED = dt.date(2024, 5, 22)  # a Wednesday
MIN_CASES = 300
WILD = "*"

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CASE_FIELDS = frozenset({"id", "capability", "variant", "pair", "published", "title", "text", "expect",
                         "absent", "exact", "known_failure", "note",
                         "issues", "no_issues"})


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class Spec:
    """One key of ``expect`` or ``absent``; ``date`` is None when not checked."""

    event: str
    source: str | None
    target: str | None
    polarity: str
    date: str | None = None

    def __str__(self) -> str:
        s = f"({self.event}, {self.source}, {self.target}, {self.polarity})"
        return f"{s} date {self.date}" if self.date else s


@dataclass(frozen=True)
class Found:
    """One extracted event reduced to what the cases compare."""

    event: str
    source: str | None
    target: str | None
    polarity: str
    date: str | None
    issues: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str | None, str | None, str]:
        return (self.event, self.source, self.target, self.polarity)

    def __str__(self) -> str:
        tags = f" issues {','.join(self.issues)}" if self.issues else ""
        return f"({self.event}, {self.source}, {self.target}, {self.polarity}) date {self.date or '-'}{tags}"


@dataclass(frozen=True)
class Case:
    id: str
    family: str
    capability: str
    variant: str
    text: str
    published: dt.date | None = DEFAULT_PUBLISHED
    title: str | None = None
    pair: str | None = None
    expect: tuple[Spec, ...] = ()
    absent: tuple[Spec, ...] = ()
    exact: bool = False
    known_failure: str | None = None
    file: str = ""
    issues: tuple[str, ...] = ()
    no_issues: tuple[str, ...] = ()


@dataclass
class Result:
    """Outcome of one case: ``passed`` when nothing is missing, forbidden or extra."""

    case: Case
    found: list[Found]
    missing: list[tuple[Spec, str]] = field(default_factory=list)  # (spec, why)
    forbidden: list[tuple[Spec, Found]] = field(default_factory=list)
    extra: list[Found] = field(default_factory=list)  # asserted, not expected, under exact

    @property
    def passed(self) -> bool:
        return not (self.missing or self.forbidden or self.extra)


# --------------------------------------------------------------------------- loading

def _date_text(value: Any) -> str | None:
    """YAML reads 2024-05-20 as a date and 2024 as an int; give both back as text."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _known_states() -> frozenset[str]:
    import pycountry

    codes = {c.alpha_3 for c in pycountry.countries}
    try:
        from importlib import resources

        extra = yaml.safe_load(resources.files("diplowatch.data").joinpath("states.yaml").read_text("utf-8"))
        codes |= {str(k) for k in (extra or {})}
    except Exception:  # the gazetteer file is optional for validation
        pass
    return frozenset(codes | {"XKX"})


def _event_types() -> frozenset[str]:
    from diplowatch.ontology import EVENT_TYPES

    return frozenset(EVENT_TYPES)


def _issue_ids() -> frozenset[str]:
    from diplowatch.extract.issues import issue_labels

    return frozenset(issue_labels())


def _spec(raw: Any, where: str, *, absent: bool, events: frozenset[str], states: frozenset[str],
          problems: list[str]) -> Spec | None:
    if not isinstance(raw, list) or len(raw) not in (4, 5):
        problems.append(f"{where}: a key is [event, source, target, polarity(, date)], got {raw!r}")
        return None
    event, source, target, polarity = raw[:4]
    date = _date_text(raw[4]) if len(raw) == 5 else None
    ok = True
    if not (absent and event == WILD) and event not in events:
        problems.append(f"{where}: unknown event {event!r}")
        ok = False
    for role, value in (("source", source), ("target", target)):
        if value is None or (absent and value == WILD):
            continue
        if not isinstance(value, str) or not _ISO3.match(value) or value not in states:
            problems.append(f"{where}: {role} {value!r} is no ISO 3166-1 alpha-3 code (or null)")
            ok = False
    if not (absent and polarity == WILD) and polarity not in POLARITIES:
        problems.append(f"{where}: polarity {polarity!r} not in {POLARITIES}")
        ok = False
    if date is not None:
        if absent:
            problems.append(f"{where}: an absent key takes no date")
            ok = False
        elif date != "none" and not _DATE.match(date):
            problems.append(f"{where}: date {date!r} is not YYYY, YYYY-MM, YYYY-MM-DD or none")
            ok = False
        elif date != "none":
            try:
                dt.date.fromisoformat(date if len(date) == 10 else (date + "-01-01")[:10])
            except ValueError:
                problems.append(f"{where}: date {date!r} does not exist")
                ok = False
    return Spec(event, source, target, polarity, date) if ok else None


def load(directory: Path = HERE) -> tuple[list[Case], list[str]]:
    """Read every ``*.yaml`` in ``directory``: the valid cases and a list of problems.

    Problems are schema errors, duplicate ids, unknown events or codes, bad
    dates, a file whose ``family`` is not its name. A case with a problem is
    left out of the returned cases.
    """
    events, states = _event_types(), _known_states()
    cases: list[Case] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: YAML error: {exc}")
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
            problems.append(f"{path.name}: needs a mapping with 'family' and a list 'cases'")
            continue
        family = doc.get("family")
        if family != path.stem:
            problems.append(f"{path.name}: family {family!r} differs from the file name")
        if family not in FAMILIES:
            problems.append(f"{path.name}: family {family!r} not in {FAMILIES}")
        for i, raw in enumerate(doc["cases"]):
            where = f"{path.name}[{i}]"
            if not isinstance(raw, dict):
                problems.append(f"{where}: a case is a mapping")
                continue
            cid = raw.get("id")
            where = f"{path.name}:{cid}"
            n_before = len(problems)
            unknown = set(raw) - CASE_FIELDS
            if unknown:
                problems.append(f"{where}: unknown fields {sorted(unknown)}")
            if not isinstance(cid, str) or not _ID.match(cid):
                problems.append(f"{where}: id must be lower-case letters, digits and dashes")
            elif cid in seen:
                problems.append(f"{where}: id also used in {seen[cid]}")
            else:
                seen[cid] = path.name
            cap = raw.get("capability")
            if not isinstance(cap, str) or not cap.startswith(f"{family}/") or len(cap) <= len(family) + 1:
                problems.append(f"{where}: capability must be '{family}/<name>', got {cap!r}")
            if raw.get("variant") not in VARIANTS:
                problems.append(f"{where}: variant {raw.get('variant')!r} not in {VARIANTS}")
            text = raw.get("text")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{where}: text is required")
            title = raw.get("title")
            if title is not None and not isinstance(title, str):
                problems.append(f"{where}: title must be text or null")
            pub = raw.get("published", DEFAULT_PUBLISHED)
            if isinstance(pub, str):
                try:
                    pub = dt.date.fromisoformat(pub)
                except ValueError:
                    problems.append(f"{where}: published {pub!r} is not YYYY-MM-DD")
            if pub is not None and not isinstance(pub, dt.date):
                problems.append(f"{where}: published must be a date or null")
            specs: dict[str, list[Spec]] = {}
            for part in ("expect", "absent"):
                items = raw.get(part) or []
                if not isinstance(items, list):
                    problems.append(f"{where}: {part} must be a list")
                    items = []
                specs[part] = [s for s in (_spec(k, f"{where} {part}", absent=part == "absent", events=events,
                                                 states=states, problems=problems) for k in items) if s]
            exact = raw.get("exact", False)
            if not isinstance(exact, bool):
                problems.append(f"{where}: exact must be true or false")
            if not specs["expect"] and not specs["absent"] and not exact:
                problems.append(f"{where}: a case needs expect, absent or exact: true")
            tags: dict[str, tuple[str, ...]] = {}
            for part in ("issues", "no_issues"):
                items = raw.get(part) or []
                if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                    problems.append(f"{where}: {part} must be a list of issue ids")
                    items = []
                unknown_issues = sorted(set(items) - _issue_ids())
                if unknown_issues:
                    problems.append(f"{where}: unknown issues {unknown_issues}")
                tags[part] = tuple(items)
            if tags["issues"] and not specs["expect"]:
                problems.append(f"{where}: issues are checked on the expected events: give expect")
            kf = raw.get("known_failure")
            if kf is not None and (not isinstance(kf, str) or not kf.strip()):
                problems.append(f"{where}: known_failure must say why")
            for spec in specs["expect"]:
                if any(_absent_matches(a, Found(spec.event, spec.source, spec.target, spec.polarity, None))
                       for a in specs["absent"]):
                    problems.append(f"{where}: expect {spec} is also absent")
            if len(problems) > n_before:
                continue
            cases.append(Case(id=cid, family=family, capability=cap, variant=raw["variant"], text=text,
                              published=pub, title=title, pair=raw.get("pair"),
                              expect=tuple(specs["expect"]), absent=tuple(specs["absent"]), exact=exact,
                              known_failure=kf, file=path.name))
    return cases, problems


# --------------------------------------------------------------------------- running

def extract(extractor: Any, case: Case) -> list[Found]:
    """Run the extractor once on the case's article; mutual dyads sorted."""
    from diplowatch.model import Article

    evs = extractor.extract(Article(id=case.id, text=case.text, title=case.title, published=case.published))
    out = []
    for ev in evs:
        src = ev.source.state if ev.source else None
        tgt = ev.target.state if ev.target else None
        if ev.event in MUTUAL and src and tgt:
            src, tgt = sorted((src, tgt))
        out.append(Found(ev.event, src, tgt, ev.polarity, ev.date, tuple(ev.issues)))
    return out


def _role(spec: str | None, value: str | None) -> bool:
    return spec is None or spec == value


def _expect_matches(spec: Spec, f: Found) -> bool:
    if spec.event != f.event or spec.polarity != f.polarity:
        return False
    if _role(spec.source, f.source) and _role(spec.target, f.target):
        return True
    return spec.event in MUTUAL and _role(spec.source, f.target) and _role(spec.target, f.source)


def _slot(spec: str | None, value: str | None) -> bool:
    return spec == WILD or spec == value


def _absent_matches(spec: Spec, f: Found) -> bool:
    if not (_slot(spec.event, f.event) and _slot(spec.polarity, f.polarity)):
        return False
    if _slot(spec.source, f.source) and _slot(spec.target, f.target):
        return True
    mutual = spec.event in MUTUAL or (spec.event == WILD and f.event in MUTUAL)
    return mutual and _slot(spec.source, f.target) and _slot(spec.target, f.source)


def date_agrees(expected: str, found: str | None) -> bool:
    """``expected`` at its precision against an extracted date; ``none`` wants no date."""
    if expected == "none":
        return found is None
    if not found:
        return False
    pred = found.strip()[:10]
    return bool(_DATE.match(pred)) and len(pred) >= len(expected) and pred[:len(expected)] == expected


def judge(case: Case, found: list[Found]) -> Result:
    """Compare what was extracted with what the case expects."""
    res = Result(case, found)
    for spec in case.expect:
        hits = [f for f in found if _expect_matches(spec, f)]
        if not hits:
            res.missing.append((spec, "not extracted"))
        elif spec.date is not None and not any(date_agrees(spec.date, f.date) for f in hits):
            dates = ", ".join(sorted({f.date or "none" for f in hits}))
            res.missing.append((spec, f"extracted with date {dates}"))
        elif case.issues and not all(set(case.issues) <= set(f.issues) for f in hits):
            res.missing.append((spec, f"issues {', '.join(case.issues)} not all carried"))
    for f in found:
        bad = set(case.no_issues) & set(f.issues)
        if bad:
            res.forbidden.append((Spec(f.event, f.source, f.target, f.polarity), f))
    for spec in case.absent:
        res.forbidden += [(spec, f) for f in found if _absent_matches(spec, f)]
    if case.exact:
        wanted = [s for s in case.expect if s.polarity == "asserted"]
        res.extra = [f for f in found if f.polarity == "asserted" and not any(_expect_matches(s, f) for s in wanted)]
    return res


def run(extractor: Any, case: Case) -> Result:
    return judge(case, extract(extractor, case))


def describe(res: Result) -> str:
    """The failure message: text, what is missing, forbidden or extra, and all extracted events."""
    c = res.case
    lines = [f"case {c.id} ({c.capability}, {c.variant}) published {c.published}"]
    if c.title:
        lines.append(f"  title: {c.title}")
    lines.append(f"  text:  {c.text.strip()}")
    for spec, why in res.missing:
        lines.append(f"  MISSING   {spec}: {why}")
    for spec, f in res.forbidden:
        lines.append(f"  FORBIDDEN {f} (matches absent {spec})")
    for f in res.extra:
        lines.append(f"  EXTRA     {f} (exact: no other asserted event)")
    lines.append("  extracted:")
    lines += [f"    {f}" for f in sorted(res.found, key=str)] or ["    (nothing)"]
    return "\n".join(lines)


def by(results: Iterable[Result], attr: str) -> dict[str, tuple[int, int]]:
    """(passed, total) per value of a case attribute (``capability``, ``variant``, ``family``)."""
    table: dict[str, list[int]] = {}
    for r in results:
        row = table.setdefault(getattr(r.case, attr), [0, 0])
        row[0] += r.passed
        row[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(table.items())}
