"""Where things are, resolved from the package's own location (never the working directory).

``BEST_SAMMEN_ROOT`` points everything at another copy of the project; the build and the tests use it to work on a
temporary copy without touching this one.

What a chapter writes (the CSV behind each figure and table) goes to :func:`outputs_dir`, wherever the notebook runs
from: the build, ``make reproduce``, JupyterLab, plain ``papermill`` or ``nbconvert`` started in any folder.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
#: The folder a runner gives a chapter for what it writes (the build: its scratch folder for the run).
OUTPUTS_ENV = "BEST_SAMMEN_OUTPUTS"
#: Under :func:`outputs_dir`, the figure and table CSVs of each chapter: ``figures/<chapter>/<id>.csv`` — the same
#: path, relative to the page, that the page's links use.
FIGURES = "figures"


def root() -> Path:
    override = os.environ.get("BEST_SAMMEN_ROOT")
    return Path(override).resolve() if override else _PACKAGE_DIR.parents[1]


def checkout() -> Path:
    """The checkout this package is installed from (tools such as Quarto live here, shared by copies of the project)."""
    return _PACKAGE_DIR.parents[1]


def data_dir() -> Path:
    return root() / "data"


def notebooks_dir() -> Path:
    return root() / "notebooks"


def build_dir() -> Path:
    return root() / "_build"


def site_dir() -> Path:
    return root() / "_site"


def helpers_source_dir() -> Path:
    return _PACKAGE_DIR


def outputs_dir() -> Path:
    """Where a running chapter writes its files: the folder its runner chose (``BEST_SAMMEN_OUTPUTS``, a relative
    path read from the project root), else the project's ``notebooks/``, whose ``figures/`` is git-ignored. Never the
    working directory: a chapter started from the repository root or a temporary folder writes where the build does."""
    chosen = os.environ.get(OUTPUTS_ENV, "").strip()
    if chosen:
        return (root() / chosen).resolve()  # an absolute path stays as it is
    return notebooks_dir()


def figures_dir(chapter: str) -> Path:
    """The folder of one chapter's figure and table CSVs."""
    return outputs_dir() / FIGURES / chapter
