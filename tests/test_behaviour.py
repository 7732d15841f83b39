"""Behaviour suite (CheckList style) of the rule-based extractor.

The cases live in ``tests/behaviour/<family>.yaml`` (one file per capability
family); loading and matching are in ``tests/behaviour/cases.py``, shared with
``tests/behaviour/report.py``, which prints pass rates per capability and per
variant. Every sentence is invented; a case states what a careful human coder
would extract (DESIGN §2–§4, §7), not what the extractor does today.

A case with ``known_failure: "<why>"`` is an expected failure (strict: a pass
fails the run, so the list stays honest). Triage belongs to whoever changes the
extractor.

``test_case_files_are_valid`` needs no spaCy model; the cases are ``slow``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent / "behaviour" / "cases.py"
_spec = importlib.util.spec_from_file_location("diplowatch_behaviour_cases", _PATH)
behaviour = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = behaviour  # dataclasses look the module up by name
_spec.loader.exec_module(behaviour)

CASES, PROBLEMS = behaviour.load()


def test_case_files_are_valid():
    assert not PROBLEMS, "invalid behaviour cases:\n  " + "\n  ".join(PROBLEMS)
    assert len(CASES) >= behaviour.MIN_CASES, f"{len(CASES)} cases, want at least {behaviour.MIN_CASES}"
    families = {c.family for c in CASES}
    assert families == set(behaviour.FAMILIES), f"families missing: {sorted(set(behaviour.FAMILIES) - families)}"
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def _param(case):
    marks = [pytest.mark.slow]
    if case.known_failure:
        marks.append(pytest.mark.xfail(strict=True, reason=case.known_failure))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_behaviour(extractor, case):
    res = behaviour.run(extractor, case)
    assert res.passed, behaviour.describe(res)


def test_matching_rules():
    """The matcher itself (no spaCy): null, mutual order, dates, wildcards, exact."""
    Spec, Found, Case = behaviour.Spec, behaviour.Found, behaviour.Case
    found = [Found("high_level_talks", "KEN", "TZA", "asserted", "2024-05-20"),
             Found("restore_relations", "QAT", "BHR", "asserted", "2023-04"),
             Found("designate_organization", "GBR", "PSE", "asserted", None),
             Found("recall_ambassador", "GTM", "NIC", "hypothetical", None)]

    def judge(expect=(), absent=(), exact=False):
        case = Case(id="x", family="contacts", capability="contacts/x", variant="base", text="t",
                    expect=tuple(expect), absent=tuple(absent), exact=exact)
        return behaviour.judge(case, found)

    assert judge([Spec("high_level_talks", "KEN", "TZA", "asserted", "2024-05-20")]).passed
    assert judge([Spec("high_level_talks", "KEN", "TZA", "asserted", "2024-05")]).passed  # coarser date agrees
    assert judge([Spec("high_level_talks", "KEN", "TZA", "asserted", "2024")]).passed
    assert not judge([Spec("high_level_talks", "KEN", "TZA", "asserted", "2024-05-21")]).passed
    assert not judge([Spec("high_level_talks", "KEN", "TZA", "asserted", "none")]).passed
    assert not judge([Spec("restore_relations", "BHR", "QAT", "asserted", "2023-04-12")]).passed  # too coarse
    assert judge([Spec("restore_relations", "BHR", "QAT", "asserted")]).passed  # unordered dyad
    assert not judge([Spec("high_level_talks", "TZA", "KEN", "asserted")]).passed  # talks are directed
    assert judge([Spec("designate_organization", "GBR", None, "asserted", "none")]).passed  # null: not compared
    assert not judge([Spec("recall_ambassador", "GTM", "NIC", "asserted")]).passed  # polarity counts
    assert not judge(absent=[Spec("*", "*", "PSE", "*")]).passed
    assert not judge(absent=[Spec("restore_relations", "BHR", "QAT", "*")]).passed  # absent mutual: either order
    assert judge(absent=[Spec("designate_organization", "GBR", None, "*")]).passed  # absent null = no state only
    res = judge([Spec("high_level_talks", "KEN", "TZA", "asserted"), Spec("restore_relations", "BHR", "QAT",
                                                                          "asserted")], exact=True)
    assert [f.event for f in res.extra] == ["designate_organization"]  # hypothetical recall is no extra
