"""Where things are, resolved from the package's own location (never the working directory).

``BEST_SAMMEN_ROOT`` points everything at another copy of the project; the build and the tests use it to work on a
temporary copy without touching this one.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


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
