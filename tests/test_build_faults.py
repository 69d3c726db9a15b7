"""The build against bad input and failures: it stops early with a clear message and loses nothing.

Each test works on a temporary copy of the project that starts from this checkout's execution cache, so only what
the test changes is executed.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers import build

from .conftest import COPY_IGNORE, ROOT

pytestmark = pytest.mark.slow


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def built_cache() -> Path:
    build.build_site(ROOT, log=lambda *_: None)
    return ROOT / "_build"


@pytest.fixture
def project(tmp_path: Path, built_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    for part in ("executed", "cache"):
        shutil.copytree(built_cache / part, copy / "_build" / part)
    monkeypatch.setenv("BEST_SAMMEN_ROOT", str(copy))
    summary = build.build_site(copy, log=lambda *_: None)
    assert summary["executed"] == [], "the copied cache should make the first build execute nothing"
    return copy


def _build(project: Path):
    lines: list[str] = []
    summary = build.build_site(project, log=lambda *a: lines.append(" ".join(map(str, a))))
    return summary, lines


def test_nothing_changed_executes_and_renders_nothing(project: Path):
    site_before = _tree_hash(project / "_site")
    summary, _ = _build(project)
    assert summary["rendered"] is False and _tree_hash(project / "_site") == site_before
    (project / "index.qmd").write_text((project / "index.qmd").read_text() + "\nEdited.\n")
    edited, _ = _build(project)
    assert edited["rendered"] is True and edited["executed"] == []
    assert "Edited." in (project / "_site" / "index.html").read_text()
    assert summary["executed"] == [] and len(summary["cached"]) == 2 * len([p for p in build.pages(build.load_quarto(project)) if p.is_notebook])


def test_editing_a_data_file_reexecutes_exactly_the_chapters_that_read_it(project: Path):
    path = project / "data" / "survey_answers.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "note"] = frame.loc[0, "note"] + " (edited)"
    frame.to_csv(path, index=False, lineterminator="\n")
    readers = _readers_of(project, "data/survey_answers.csv")
    summary, _ = _build(project)
    assert sorted(summary["executed"]) == readers
    assert {"en/01-awareness", "nb/01-awareness"} <= set(readers)
    assert "en/04-nordic-comparison" not in readers, "a chapter that never reads the survey must not re-execute"


def _readers_of(project: Path, rel: str) -> list[str]:
    """Chapter runs whose last execution read ``rel`` (as recorded by helpers.data in the cache)."""
    import json

    found = []
    for record in (project / "_build" / "cache").rglob("*.json"):
        if rel in json.loads(record.read_text())["deps"]:
            found.append(f"{record.parent.name}/{record.stem}")
    return sorted(found)


def test_editing_a_file_no_chapter_reads_executes_nothing(project: Path):
    readers = set()
    for record in (project / "_build" / "cache").rglob("*.json"):
        readers |= set(__import__("json").loads(record.read_text())["deps"])
    unread = [p for p in (project / "data").glob("*.csv") if f"data/{p.name}" not in readers]
    if not unread:
        pytest.skip("every data file is read by some chapter")
    path = unread[0]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "note"] = frame.loc[0, "note"] + " edited"
    frame.to_csv(path, index=False, lineterminator="\n")
    summary, _ = _build(project)
    assert summary["executed"] == []


def test_bad_data_stops_before_any_execution(project: Path):
    site_before = _tree_hash(project / "_site")
    path = project / "data" / "survey_answers.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = int(frame.index[frame["percent"] != ""][0])
    frame.loc[row, "percent"] = "140"
    frame.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(build.BuildError) as info:
        _build(project)
    message = str(info.value)
    assert "no notebook was executed" in message
    assert "survey_answers.csv" in message and f"row {row + 2}" in message and "'percent'" in message
    assert not list((project / "_build").glob("exec-*"))
    assert _tree_hash(project / "_site") == site_before


@pytest.mark.parametrize(
    "params, expected",
    [({"lang": "en", "colour": "blue"}, "unknown parameter 'colour'"),
     ({"lang": "de"}, "allowed values: 'en', 'nb'")],
)
def test_bad_parameters_stop_the_build(project: Path, params, expected):
    import yaml

    site_before = _tree_hash(project / "_site")
    config_path = project / "params.yml"
    config = yaml.safe_load(config_path.read_text())
    config["editions"]["en"]["parameters"] = params
    config_path.write_text(yaml.safe_dump(config))
    with pytest.raises(build.BuildError, match=expected):
        _build(project)
    assert _tree_hash(project / "_site") == site_before


def test_a_failing_cell_names_notebook_and_cell_and_loses_nothing(project: Path):
    source = project / "notebooks" / "01-awareness.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(nb, source)
    committed = source.read_bytes()
    site_before = _tree_hash(project / "_site")
    with pytest.raises(build.BuildError) as info:
        _build(project)
    message = str(info.value)
    assert "notebooks/01-awareness.ipynb: cell 5 raised RuntimeError: deliberate failure" in message
    assert _tree_hash(project / "_site") == site_before
    assert source.read_bytes() == committed
    assert (project / "_build" / "failed" / "en" / "01-awareness.ipynb").exists()
    # the next build, with the notebook fixed, succeeds
    nb.cells.pop(4)
    nbformat.write(nb, source)
    summary, _ = _build(project)
    assert "en/01-awareness" in summary["executed"] or "en/01-awareness" in summary["cached"]


def test_a_second_build_waits_then_refuses_clearly(project: Path):
    from filelock import FileLock

    holder = FileLock(str(project / "_build" / "build.lock"))
    holder.acquire()
    try:
        with pytest.raises(build.BuildError, match="another build is still running"):
            build.build_site(project, lock_timeout=0.5, log=lambda *_: None)
    finally:
        holder.release()


def test_an_interrupted_publish_is_recovered(project: Path):
    site, previous = project / "_site", project / "_site.previous"
    before = _tree_hash(site)
    site.rename(previous)  # as if killed between the two renames of publish()
    build.recover(project)
    assert site.exists() and not previous.exists() and _tree_hash(site) == before
