"""The build against bad input and failures: it stops early with a clear message and loses nothing.

Each test works on a temporary copy of the project that starts from this checkout's execution cache, so only what
the test changes is executed.
"""

from __future__ import annotations

import hashlib
import os
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest

from helpers import pipeline
from helpers.pipeline import config, publish

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
def built_cache(site: Path) -> Path:
    return ROOT / "_build"


@pytest.fixture
def project(tmp_path: Path, built_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    for part in ("executed", "cache", "quarto"):
        shutil.copytree(built_cache / part, copy / "_build" / part, symlinks=True)
    shutil.copytree(ROOT / "_site", copy / "_site")
    monkeypatch.setenv("BEST_SAMMEN_ROOT", str(copy))
    summary = pipeline.build_site(copy, log=lambda *_: None)
    assert summary["executed"] == [], "the copied cache should make the first build execute nothing"
    assert not any(summary["rendered"].values()), "the copied Quarto projects should make it render nothing"
    return copy


def _build(project: Path):
    lines: list[str] = []
    summary = pipeline.build_site(project, log=lambda *a: lines.append(" ".join(map(str, a))))
    return summary, lines


def test_nothing_changed_executes_and_renders_nothing(project: Path):
    site_before = _tree_hash(project / "_site")
    summary, _ = _build(project)
    assert not any(summary["rendered"].values()) and _tree_hash(project / "_site") == site_before
    assert summary["executed"] == [] and len(summary["cached"]) == 2 * len(
        [p for p in config.pages(config.load_quarto(project)) if p.is_notebook])
    # a page that is not a notebook (the reference list) is rendered again without executing anything
    (project / "references.qmd").write_text((project / "references.qmd").read_text() + "\nEdited.\n")
    edited, _ = _build(project)
    assert edited["rendered"] == {"en": ["references.qmd"], "nb": ["references.qmd"]} and edited["executed"] == []
    assert "Edited." in (project / "_site" / "references.html").read_text()


def test_editing_one_chapter_re_renders_only_its_pages(project: Path):
    chapter = project / "notebooks" / "04-nordic-comparison.ipynb"
    pages_before = {p: p.read_bytes() for p in (project / "_site").rglob("*.html")}
    nb = nbformat.read(chapter, as_version=4)
    cell = nbformat.v4.new_markdown_cell("A paragraph added by the test.")
    if nb.nbformat_minor < 5:
        del cell["id"]  # cell ids came with nbformat 4.5
    nb.cells.append(cell)
    nbformat.write(nb, chapter)
    summary, lines = _build(project)
    assert sorted(summary["executed"]) == ["en/04-nordic-comparison", "nb/04-nordic-comparison"]
    for edition, rendered in summary["rendered"].items():
        # Quarto 1.7 now and then keeps a page's old search entry through every retry; the build then says so and
        # renders the edition whole, which must leave the other pages' bytes as they were (checked below)
        fell_back = any(line.split()[:4] == [edition, "search.json", "kept", "old"] for line in lines)
        assert rendered == ["notebooks/04-nordic-comparison.ipynb"] or fell_back, lines
    changed = {p for p, before in pages_before.items() if p.read_bytes() != before}
    assert changed == {project / "_site" / "notebooks" / "04-nordic-comparison.html",
                       project / "_site" / "nb" / "notebooks" / "04-nordic-comparison.html"}
    # a new chapter title changes every page's navigation: then every page is rendered again
    nb.cells[0].source = nb.cells[0].source.replace("# ", "# Retitled: ", 1)
    nbformat.write(nb, chapter)
    summary, lines = _build(project)
    assert all(len(rendered) == len(config.pages(config.load_quarto(project))) for rendered in summary["rendered"].values()), lines
    assert "Retitled" in (project / "_site" / "notebooks" / "01-awareness.html").read_text(encoding="utf-8")


def test_a_truncated_cache_record_re_executes_its_chapter(project: Path):
    records = sorted((project / "_build" / "cache" / "execute").rglob("*.json"))
    damaged = records[0]
    damaged.write_text(damaged.read_text(encoding="utf-8")[:20], encoding="utf-8")  # as if killed mid-write
    summary, _ = _build(project)
    assert summary["executed"] == [f"{damaged.parent.name}/{damaged.stem}"]
    assert json.loads(damaged.read_text(encoding="utf-8"))["key"]


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
    for record in (project / "_build" / "cache" / "execute").rglob("*.json"):
        if rel in json.loads(record.read_text())["deps"]:
            found.append(f"{record.parent.name}/{record.stem}")
    return sorted(found)


def test_editing_a_file_no_chapter_reads_executes_nothing(project: Path):
    readers = set()
    for record in (project / "_build" / "cache" / "execute").rglob("*.json"):
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
    with pytest.raises(pipeline.BuildError) as info:
        _build(project)
    message = str(info.value)
    assert "no notebook was executed" in message
    assert "survey_answers.csv" in message and f"row {row + 2}" in message and "'percent'" in message
    assert not list((project / "_build").glob("exec-*"))
    assert _tree_hash(project / "_site") == site_before


@pytest.mark.parametrize(
    "file, change, expected",
    [("_quarto.yml", {"edition": {"path": "", "parameters": {"colour": "blue"}}},
      r"_quarto.yml, edition.parameters: unknown parameter 'colour'"),
     ("_quarto-nb.yml", {"lang": "de"}, r"_quarto-nb.yml: lang 'de' has no wording"),
     ("_quarto-nb.yml", {"lang": None}, r"_quarto-nb.yml: no 'lang'")],
)
def test_bad_edition_settings_stop_the_build(project: Path, file, change, expected):
    import yaml

    site_before = _tree_hash(project / "_site")
    path = project / file
    settings = yaml.safe_load(path.read_text())
    settings.update(change)
    path.write_text(yaml.safe_dump({k: v for k, v in settings.items() if v is not None}))
    with pytest.raises(pipeline.BuildError, match=expected):
        _build(project)
    assert _tree_hash(project / "_site") == site_before


def test_a_failing_cell_names_notebook_and_cell_and_loses_nothing(project: Path):
    source = project / "notebooks" / "01-awareness.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(nb, source)
    committed = source.read_bytes()
    site_before = _tree_hash(project / "_site")
    with pytest.raises(pipeline.BuildError) as info:
        _build(project)
    message = str(info.value)
    # the third code cell, as JupyterLab numbers it after Run All ([1] is the parameters cell)
    assert "notebooks/01-awareness.ipynb (edition en): cell [3]" in message
    assert "raised RuntimeError: deliberate failure" in message
    assert _tree_hash(project / "_site") == site_before
    assert source.read_bytes() == committed
    assert (project / "_build" / "failed" / "en" / "01-awareness.ipynb").exists()
    # the next build, with the notebook fixed, succeeds and clears the partial notebook of the failure
    nb.cells.pop(4)
    nbformat.write(nb, source)
    summary, _ = _build(project)
    assert "en/01-awareness" in summary["executed"] or "en/01-awareness" in summary["cached"]
    assert not (project / "_build" / "failed" / "en" / "01-awareness.ipynb").exists()


def test_a_second_build_waits_then_refuses_clearly(project: Path):
    from filelock import FileLock

    holder = FileLock(str(publish.lock_path(project)))
    holder.acquire()
    try:
        with pytest.raises(pipeline.BuildError, match="another build is still running"):
            pipeline.build_site(project, lock_timeout=0.5, log=lambda *_: None)
    finally:
        holder.release()


def test_an_interrupted_publish_is_recovered(project: Path):
    site, previous = project / "_site", project / "_site.previous"
    before = _tree_hash(site)
    site.rename(previous)  # as if killed between the two renames of publish()
    publish.recover(project)
    assert site.exists() and not previous.exists() and _tree_hash(site) == before


def test_progress_is_logged_per_chapter_as_it_happens(project: Path):
    source = project / "notebooks" / "04-nordic-comparison.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells[0].source += "\n"
    nbformat.write(nb, source)
    summary, lines = _build(project)
    assert sorted(summary["executed"]) == ["en/04-nordic-comparison", "nb/04-nordic-comparison"]
    text = "\n".join(lines)
    for label in summary["executed"]:
        started = [i for i, line in enumerate(lines) if line.split()[:2] == ["started", label]]
        finished = [i for i, line in enumerate(lines) if line.split()[:2] == ["finished", label]]
        assert len(started) == 1 and len(finished) == 1 and started[0] < finished[0], text
        assert lines[finished[0]].split()[2].replace(".", "").isdigit() and lines[finished[0]].split()[3] == "s"
    assert "timing:" in text and "total" in text.split("timing:")[1]


def test_a_failing_run_is_logged_with_its_seconds(project: Path):
    source = project / "notebooks" / "04-nordic-comparison.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise ValueError('deliberate')"))
    nbformat.write(nb, source)
    lines: list[str] = []
    with pytest.raises(pipeline.BuildError, match=r"cell \[3\] .*raised ValueError: deliberate"):
        pipeline.build_site(project, log=lambda *a: lines.append(" ".join(map(str, a))))
    failed = [line for line in lines if line.split()[:1] == ["FAILED"]]
    assert len(failed) == 2 and all("s" in line.split()[3] for line in failed), lines


# --------------------------------------------------------------------------------------------------------------------
# The command readers and CI run (`python -m helpers.pipeline site`, as `make site` does), killed or run twice at once


class BuildProcess:
    """``python -m helpers.pipeline site`` on a project copy in a subprocess; its output is collected as it comes."""

    def __init__(self, project: Path) -> None:
        env = {**os.environ, "BEST_SAMMEN_ROOT": str(project), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "helpers.pipeline", "site"], cwd=project, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until(self, condition, what: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None:
                self._reader.join(5)
                pytest.fail(f"the build ended (exit {self.proc.returncode}) before {what}:\n{self.output}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"no sign of {what} within {timeout:g} s:\n{self.output}")
            time.sleep(0.01)

    def kill(self) -> None:
        """SIGKILL the build; then end its worker processes and kernels, which it can no longer stop itself."""
        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        for child in family:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(family, timeout=15)
        self._reader.join(5)

    def finish(self, timeout: float = 300) -> int:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the build did not finish within {timeout:g} s:\n{self.output}")
        self._reader.join(5)
        return self.proc.returncode


CHAPTER = "notebooks/04-nordic-comparison.ipynb"  # one of the quickest chapters to execute
MARKED = ("references.html", str(Path(CHAPTER).with_suffix(".html")))


def _add_marker(project: Path, text: str, chapter: bool = True) -> None:
    """Give the build work: a new paragraph on the reference list (render) and in a chapter (execute + render)."""
    page = project / "references.qmd"
    page.write_text(page.read_text(encoding="utf-8") + f"\n\n{text} (reference list).\n", encoding="utf-8")
    if not chapter:
        return
    source = project / CHAPTER
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"{text} (chapter)."))
    nbformat.write(nb, source)


def _assert_complete_site(project: Path, marker: str | None = None, marked: Sequence[str] = MARKED) -> None:
    """Every page of every edition published, the edit visible, and no scratch folder or old site left behind."""
    site = project / "_site"
    book_pages = config.pages(config.load_quarto(project))
    for edition in config.editions(project):
        for page in book_pages:
            assert (site / edition.prefix / page.output).is_file(), f"{edition.prefix}{page.output} missing"
        if marker:
            for page in marked:
                html = (site / edition.prefix / page).read_text(encoding="utf-8")
                assert marker in html, f"{edition.prefix}{page} does not show the edit"
    assert not (project / "_site.previous").exists()
    leftovers = [p.name for p in (project / "_build").iterdir() if p.name.startswith(("stage-", "exec-"))]
    assert not leftovers, f"scratch folders left in _build: {leftovers}"


def _kernel_running(build_process: BuildProcess) -> bool:
    """Whether one of the build's processes is a Jupyter kernel (papermill is executing a chapter)."""
    try:
        family = psutil.Process(build_process.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return False
    for child in family:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                return True
        except psutil.Error:
            continue
    return False


def _pages_written_since(project: Path, since: float) -> bool:
    """Whether the build has written an HTML page anywhere (its staging folder or _site) since ``since``."""
    for folder in (project / "_build", project / "_site"):
        for parent, _, names in os.walk(folder):  # os.walk skips folders the build removes while we look
            for name in names:
                if name.endswith(".html"):
                    try:
                        if os.stat(os.path.join(parent, name)).st_mtime > since:
                            return True
                    except FileNotFoundError:
                        continue
    return False


def test_a_build_killed_while_executing_or_rendering_leaves_the_site_as_it_was(project: Path):
    """SIGKILL (power cut, OOM killer, CI timeout) mid-execution and mid-rendering: _site/ stays byte for byte the
    previous complete site, and the next build cleans up after the killed ones and publishes the edit."""
    marker = "Interrupted-build marker 7f3a"
    site_before = _tree_hash(project / "_site")
    _add_marker(project, marker)

    first = BuildProcess(project)  # killed while a kernel runs the edited chapter
    first.wait_until(lambda: _kernel_running(first), "a chapter executing")
    first.kill()
    assert first.proc.returncode == -signal.SIGKILL
    assert _tree_hash(project / "_site") == site_before, "killed during execution, the build changed _site/"
    assert not (project / "_site.previous").exists()

    started = time.time()
    second = BuildProcess(project)  # executes the chapter again, then is killed once it has written some pages
    second.wait_until(lambda: _pages_written_since(project, started), "pages being rendered", timeout=240)
    second.kill()
    assert second.proc.returncode == -signal.SIGKILL
    assert _tree_hash(project / "_site") == site_before, "killed during rendering, the build changed _site/"
    assert not (project / "_site.previous").exists()

    third = BuildProcess(project)
    assert third.finish() == 0, third.output
    assert "Traceback" not in third.output, third.output
    _assert_complete_site(project, marker)


def test_two_builds_at_once_one_waits_and_both_leave_a_complete_site(project: Path):
    """Two `make site` at the same moment (two terminals, an editor hook and CI): the lock serialises them; one
    waits and says so (or refuses clearly), neither crashes, and the site they leave is complete."""
    marker = "Concurrent-build marker 2c9e"
    # a chapter edit makes the first build hold the lock for seconds (execution), so the two always overlap
    _add_marker(project, marker)
    builds = [BuildProcess(project), BuildProcess(project)]
    codes = [b.finish() for b in builds]
    outputs = [b.output for b in builds]
    shown = "\n--- the other build ---\n".join(outputs)
    for output in outputs:
        assert "Traceback" not in output, output
    assert 0 in codes, shown
    second = 1 - codes.index(0) if codes.count(0) == 1 else None
    if second is None:  # both built: one of them waited for the other, and said so
        waited = [o for o in outputs if "lock" in o.lower()]
        assert len(waited) == 1, "exactly one of two simultaneous builds should wait for the lock:\n" + shown
    else:  # or the second refused, clearly
        assert "lock" in outputs[second].lower() and "error" in outputs[second].lower(), shown
    _assert_complete_site(project, marker)


def test_a_killed_build_takes_its_workers_and_kernels_with_it(project: Path):
    """kill -9 of the build alone (no one cleans up after it): its pool workers and their kernels end by themselves."""
    _add_marker(project, "Orphan check 5d1e")
    running = BuildProcess(project)
    running.wait_until(lambda: _kernel_running(running), "a chapter executing")
    family = psutil.Process(running.proc.pid).children(recursive=True)
    assert family, "the build should have pool workers"
    running.proc.send_signal(signal.SIGKILL)
    running.proc.wait(30)
    gone, alive = psutil.wait_procs(family, timeout=30)
    for process in alive:  # do not leave them behind even when the test fails
        process.kill()
    assert not alive, f"still running 30 s after the build was killed: {[p.pid for p in alive]}"


def test_reproduce_is_all_or_nothing_names_the_notebook_and_respects_the_lock(project: Path):
    from filelock import FileLock

    from helpers.pipeline.reproduce import reproduce

    first, broken = project / "notebooks" / "04-nordic-comparison.ipynb", project / "notebooks" / "05-audit.ipynb"
    before = {p: p.read_bytes() for p in (project / "notebooks").glob("*.ipynb")}
    nb = nbformat.read(broken, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise ValueError('deliberate')"))
    nbformat.write(nb, broken)
    before[broken] = broken.read_bytes()
    with pytest.raises(pipeline.BuildError, match=r"notebooks/05-audit.ipynb: cell \[3\] .*raised ValueError: deliberate"):
        reproduce(project, names=[first.stem, broken.stem], log=lambda *_: None)
    assert {p: p.read_bytes() for p in before} == before, "a failed reproduce rewrote committed notebooks"
    # the command waits for a running build's lock, then refuses clearly
    holder = FileLock(str(publish.lock_path(project)))
    holder.acquire()
    try:
        env = {**os.environ, "BEST_SAMMEN_ROOT": str(project), "BEST_SAMMEN_LOCK_TIMEOUT": "0.5"}
        proc = subprocess.run([sys.executable, "-m", "helpers.pipeline", "reproduce", first.stem], cwd=project, env=env,
                              capture_output=True, text=True, timeout=120)
    finally:
        holder.release()
    assert proc.returncode == 1 and "another build is still running" in proc.stderr, proc.stdout + proc.stderr
    assert first.read_bytes() == before[first]


def test_the_site_is_byte_identical_when_rebuilt_from_the_same_inputs(project: Path):
    """Everything rendered again from scratch (no Quarto project, no render records): the same bytes."""
    before = {p.relative_to(project / "_site"): p.read_bytes() for p in (project / "_site").rglob("*") if p.is_file()}
    shutil.rmtree(project / "_build" / "quarto")
    shutil.rmtree(project / "_build" / "cache" / "render")
    (project / "_build" / "cache" / "publish.json").unlink()
    summary, _ = _build(project)
    assert all(summary["rendered"].values()), "every page should have been rendered again"
    after = {p.relative_to(project / "_site"): p.read_bytes() for p in (project / "_site").rglob("*") if p.is_file()}
    assert sorted(after) == sorted(before)
    from .test_quarto_render import explain_difference  # names the edition, the file and the likely cause

    differ = [explain_difference(str(name), project) for name in sorted(before) if before[name] != after[name]]
    assert not differ, "rebuilt from the same inputs, these files differ:\n  " + "\n  ".join(differ[:10])


def _get(url: str) -> str:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as page:
            return page.read().decode("utf-8", "replace")
    except OSError:
        return ""


def test_preview_shows_a_saved_chapter_survives_a_broken_save_and_stops_with_its_server(project: Path):
    """`make preview` as an author uses it: save a paragraph → the served page shows it; save a broken inline
    expression → the failure is named and the last good page stays served; stop → the server and every
    process of the build stop too."""
    port = 4971
    env = {**os.environ, "BEST_SAMMEN_ROOT": str(project), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "helpers.pipeline", "preview", "--port", str(port)], cwd=project,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    page = f"http://localhost:{port}/{Path(CHAPTER).with_suffix('.html').as_posix()}"

    def wait_for(condition, what: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert proc.poll() is None, f"preview ended before {what}:\n{''.join(lines)}"
            assert time.monotonic() < deadline, f"no sign of {what} within {timeout:g} s:\n{''.join(lines)}"
            time.sleep(0.2)

    try:
        wait_for(lambda: "previewing the en edition" in "".join(lines) and _get(page), "the preview serving")
        source = project / CHAPTER
        nb = nbformat.read(source, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell("Saved while previewing."))
        nbformat.write(nb, source)
        wait_for(lambda: "Saved while previewing." in _get(page), "the saved paragraph on the served page")
        nb.cells.append(nbformat.v4.new_markdown_cell("Broken: `{python} undefined_name`."))
        nbformat.write(nb, source)
        wait_for(lambda: "rebuild failed" in "".join(lines), "the failed rebuild reported")
        assert "undefined_name" in "".join(lines) and "NameError" in "".join(lines)
        # the last good page stays served, never replaced by the broken save
        wait_for(lambda: "Saved while previewing." in _get(page), "the last good page served again", timeout=30)
    finally:
        family = psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    gone, alive = psutil.wait_procs(family, timeout=15)
    assert not alive, f"processes outlived the preview: {[p.cmdline()[:3] for p in alive]}"


def _family(build_process: BuildProcess) -> list[psutil.Process]:
    try:
        return psutil.Process(build_process.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _assert_interrupted_cleanly(project: Path, build_process: BuildProcess, family: list[psutil.Process],
                                signum: int, site_before: str) -> None:
    from filelock import FileLock

    code = build_process.finish(timeout=60)  # no hang in the pool's shutdown, even after a second Ctrl-C
    assert code == 128 + signum, build_process.output
    assert build_process.lines[-1] == "build interrupted; _site/ left as it was", build_process.output
    assert "Traceback" not in build_process.output and "KeyboardInterrupt" not in build_process.output, \
        build_process.output
    gone, alive = psutil.wait_procs(family, timeout=10)
    for process in alive:
        process.kill()
    assert not alive, f"outlived the interrupted build: {[p.pid for p in alive]}"
    assert _tree_hash(project / "_site") == site_before
    lock = FileLock(str(publish.lock_path(project)))
    lock.acquire(timeout=0)  # released: no Timeout
    lock.release()


def test_an_interrupted_build_says_so_in_one_line_and_leaves_nothing_running(project: Path):
    """Ctrl-C twice in quick succession, then SIGTERM, while a chapter executes: one line, no traceback, the workers
    and kernels gone, the lock free, _site/ as it was (Quarto's process group: test_build_units)."""
    site_before = _tree_hash(project / "_site")
    _add_marker(project, "Interrupted marker 3b8d")
    for signals in ([signal.SIGINT, signal.SIGINT], [signal.SIGTERM]):
        running = BuildProcess(project)
        running.wait_until(lambda: _kernel_running(running), "a chapter executing")
        family = _family(running)
        for signum in signals:
            running.proc.send_signal(signum)
            time.sleep(0.05)  # a second Ctrl-C within 0.15 s used to hang the build in the pool's shutdown
        _assert_interrupted_cleanly(project, running, family, signals[0], site_before)
