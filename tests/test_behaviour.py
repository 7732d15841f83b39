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
