"""Shared fixtures: the project root, temporary copies of the project or of its data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(".venv", ".tools", ".quarto", "_build", "_site", "_site.previous", "node_modules", ".git",
                                     "__pycache__", ".pytest_cache", "figures", ".drafts", "*.egg-info")


@pytest.fixture(scope="session")
def site() -> Path:
    """This checkout's site, built once per test session (a no-op when nothing changed) and shared by every test
    that reads it: the site tests, the link check, the browser suite, and the cache the fault tests copy."""
    from helpers import pipeline

    pipeline.build_site(ROOT, log=lambda *_: None)
    return ROOT / "_site"


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the project (without build output); helpers point at it for this test."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=COPY_IGNORE)
    monkeypatch.setenv("BEST_SAMMEN_ROOT", str(project))
    return project / "data"


@pytest.fixture(autouse=True)
def _environment_restored():
    # the build's runner normally lives in a pool worker and points the environment at its project
    # (BEST_SAMMEN_ROOT, BEST_SAMMEN_OUTPUTS); a test that calls it in-process must not leave later tests reading a
    # deleted temporary project
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
