"""Shared fixtures and options: ``--update-golden`` rewrites golden files, ``--slow`` runs slow tests."""

from __future__ import annotations

import pytest

from nlp.paths import SHARED

SHARED_MISSING = not (SHARED / "SPEC.md").exists()
needs_shared = pytest.mark.skipif(SHARED_MISSING, reason="../shared (real articles and annotations) is not beside the repo")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* from current output")
    parser.addoption("--slow", action="store_true", help="run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def pipeline():
    """The shipped pipeline, loaded once."""
    from nlp.pipeline import Pipeline

    return Pipeline.load()


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
