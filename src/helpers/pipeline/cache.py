"""The build's one cache: content-hash keys, and one record per piece of work saying which key it was done for.

A record lives in ``_build/cache/<name>.json``: ``{"key": …, …}``. Work is skipped only when the key computed now
equals the recorded one. Records are written with write-then-rename (a killed build leaves the old record or the new
one) and an unreadable record, or one of the wrong shape (``"deps": []``, a key that is not text), counts as absent,
so the work is done again.

What the keys cover:

- data validation: every file of ``data/`` and the validation rules (``helpers/data.py``, the Frictionless version);
- a chapter × edition run: the notebook's cells, its parameters, every file of ``helpers`` that a kernel can read
  (modules, style sheet — everything but this build package), the installed distributions, and the bytes of each data
  file the run read last time;
- an edition's Quarto render: the configuration, bibliography, assets and page titles shared by all pages, and per
  page its source and figure data.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import paths

_IGNORED = ("__pycache__",)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    return sha(path.read_bytes()) if path.is_file() else "absent"


def tree_digest(items: Iterable[Path], relative_to: Path | None = None) -> str:
    """Names and bytes of files and of every file under folders (sorted), for keys over many inputs."""
    digest = hashlib.sha256()
    for base in items:
        files = sorted(p for p in base.rglob("*") if p.is_file() and not set(p.parts) & set(_IGNORED)) \
            if base.is_dir() else [base]
        for path in files:
            name = path.relative_to(relative_to) if relative_to and path.is_relative_to(relative_to) else path
            digest.update(str(name).encode() + b"\0")
            digest.update(path.read_bytes() if path.is_file() else b"\0absent\0")
    return digest.hexdigest()


def notebook_digest(cells: list[dict[str, Any]]) -> str:
    """What a notebook *does*: cell types, sources and tags — not its stored outputs."""
    def text(source: Any) -> str:
        return "".join(source) if isinstance(source, list) else str(source)

    return sha(json.dumps([(c.get("cell_type"), text(c.get("source", "")),
                            sorted(c.get("metadata", {}).get("tags", []))) for c in cells]).encode())


def helpers_digest() -> str:
    """Every file of the ``helpers`` package a kernel can read: modules, the style sheet, any data file beside them.

    The build package is left out: kernels never import it, so editing it re-executes nothing.
    """
    package = paths.helpers_source_dir()
    files = [p for p in sorted(package.rglob("*"))
             if p.is_file() and "pipeline" not in p.relative_to(package).parts[:1] and not set(p.parts) & set(_IGNORED)]
    return tree_digest(files, relative_to=package)


def environment_digest() -> str:
    """The installed distributions and their versions, and Python's: a changed pin re-executes everything."""
    dists = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    return sha("\n".join(dists).encode() + sys.version.encode())


#: The fields a record of each kind (the first part of its name) may hold, and their types; a record whose field has
#: another type proves nothing (hand-edited, written by another version, damaged).
SHAPES: dict[str, dict[str, type | tuple[type, ...]]] = {
    "execute": {"deps": dict, "figures": dict, "seconds": (int, float)},
    "render": {"shared": str, "pages": dict},
}


def well_formed(name: str, record: Any) -> bool:
    """Whether ``record`` has the shape its kind needs: a dict with a text ``key``, and each known field typed."""
    if not isinstance(record, dict) or not isinstance(record.get("key"), str):
        return False
    for field, kind in SHAPES.get(name.split("/", 1)[0], {}).items():
        if field in record and not isinstance(record[field], kind):
            return False
        if kind is dict and field in record and not all(isinstance(k, str) and isinstance(v, str)
                                                        for k, v in record[field].items()):
            return False
    return True


class Cache:
    """Records under ``_build/cache/``; ``name`` may contain ``/`` (e.g. ``execute/nb/01-awareness``)."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "_build" / "cache"

    def _path(self, name: str) -> Path:
        return self.dir / f"{name}.json"

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            record = json.loads(self._path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent or unreadable: proves nothing, so the work is done again
        return record if well_formed(name, record) else None

    def fresh(self, name: str, key: str) -> bool:
        record = self.get(name)
        return record is not None and record.get("key") == key

    def put(self, name: str, record: dict[str, Any]) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)  # a folder where a record belongs counts as absent, and must not fail every build
        os.replace(partial, path)

    def drop(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
