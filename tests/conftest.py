"""Shared fixtures: the spaCy-backed extractor is loaded once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def extractor():
    """One :class:`~diplowatch.extract.Extractor` for the whole session (loading spaCy is slow).

    Tests that use it should be marked ``@pytest.mark.slow``.
    """
    from diplowatch.extract import Extractor

    return Extractor()
