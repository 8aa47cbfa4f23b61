"""Shared fixtures for the scoring tests."""

from __future__ import annotations

import pytest

from scoring import Rulepack, rulepack_from_dict


@pytest.fixture(scope="session")
def rules_only() -> Rulepack:
    """The built-in pack without its learned layer: the pattern rules alone."""
    return rulepack_from_dict({"version": "1", "extends": "default", "learned": "none"})
