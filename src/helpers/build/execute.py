"""Run each chapter × edition with papermill, in parallel, into ``_build/executed/<edition>/`` (at the notebook's own
path: ``notebooks/01-awareness.ipynb``, or ``index.ipynb`` for a landing page that computes its numbers).

A run is skipped when its cache record has the same key and every data file it read last time still has the same
bytes. Each run works in a scratch folder and is moved into place only when it succeeded; a failed run keeps its
partial notebook in ``_build/failed/`` and the message names the chapter, the edition and the cell as JupyterLab
numbers it (``[n]``, the n-th code cell, counting the ``parameters`` cell).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import cache
from .config import BuildError, Edition, Page, check_declared, notebook_cells

Log = Callable[..., None]


@dataclasses.dataclass
class Task:
    edition: Edition
    page: Page
    params: dict[str, Any]
    key: str

    @property
    def label(self) -> str:
        return f"{self.edition.name}/{self.page.stem}"

    @property
    def record(self) -> str:
        return f"execute/{self.edition.name}/{self.page.stem}"


def executed_path(root: Path, edition: Edition, page: Page) -> Path:
    """Where a notebook executed for ``edition`` is kept: its own path under the edition's folder, so a notebook at
    the project root (the landing page) and the chapters in ``notebooks/`` keep the folders their pages are in."""
    return root / "_build" / "executed" / edition.name / page.source


def executed_figures(root: Path, edition: Edition, page: Page) -> Path:
    """The figure data (CSV) an executed notebook wrote, beside it as on the site: ``figures/<stem>/``."""
    return executed_path(root, edition, page).parent / "figures" / page.stem


def plan(root: Path, editions: Sequence[Edition], book_pages: Sequence[Page]) -> list[Task]:
    helpers, env = cache.helpers_digest(), cache.environment_digest()
    tasks = []
    for edition in editions:
        for page in book_pages:
            if page.is_notebook:
                cells = notebook_cells(root / page.source)
                key = cache.sha("\n".join([cache.notebook_digest(cells), json.dumps(edition.parameters, sort_keys=True),
                                           helpers, env]).encode())
                tasks.append(Task(edition, page, dict(edition.parameters), key))
    return tasks


def is_fresh(root: Path, store: cache.Cache, task: Task) -> bool:
    record = store.get(task.record)
    if record is None or record.get("key") != task.key:
        return False
    if not executed_path(root, task.edition, task.page).exists():
        return False
    return all(cache.file_digest(root / rel) == digest for rel, digest in record.get("deps", {}).items())


# --------------------------------------------------------------------------------------------------------------------
# In the worker processes


_progress: Any = None


def _init_worker(queue: Any) -> None:
    """Runs first in each pool worker: report progress to ``queue``, and die with the build."""
    global _progress
    _progress = queue
    if sys.platform.startswith("linux"):
        import ctypes

        # PR_SET_PDEATHSIG: if the build is killed (even with SIGKILL) the kernel stops this worker too
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
        if os.getppid() == 1:  # the build died before the line above ran
            os._exit(1)


def failing_cell(executed: Path) -> str:
    """The failed cell as JupyterLab shows it: ``[n]`` for the n-th code cell of the committed notebook."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return "(unknown cell)"
    number = 0
    for cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") != "code" or "injected-parameters" in tags:
            continue  # papermill's injected cell and its error banner are not in the committed notebook
        number += 1
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            first = "".join(cell.get("source", "")).strip().splitlines()
            return f"[{number}]" + (f" (starting '{first[0][:60]}')" if first else "")
    return "(unknown cell)"


def markdown_cell_place(notebook: Path, cell_index: int) -> str:
    """A Markdown cell as a JupyterLab user finds it: after the code cell ``[n]`` (or before the first), with its
    first words. ``cell_index`` counts the executed notebook's cells, papermill's injected one included."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return f"Markdown cell {cell_index}"
    number = 0
    for cell in cells[:cell_index]:
        if cell.get("cell_type") == "code" and "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
            number += 1
    words = " ".join("".join(cells[cell_index].get("source", "")).split())[:50] if cell_index < len(cells) else ""
    where = f"the Markdown cell after [{number}]" if number else "the Markdown cell before [1]"
    return where + (f" (starting '{words}')" if words else "")


def run(root_str: str, task: Task, validated: str | None) -> dict[str, Any]:
    """Execute one chapter in a scratch folder. Never raises: returns ``ok`` and either the folder or the error."""
    import papermill

    from ..data import DEPS_LOG_ENV, VALIDATED_ENV
    from .engine import InlineExpressionError, execute_notebook

    root = Path(root_str)
    started = time.perf_counter()
    if _progress is not None:
        _progress.put(task.label)
    work = Path(tempfile.mkdtemp(prefix=f"exec-{task.edition.name}-{task.page.stem}-", dir=root / "_build"))
    os.environ[DEPS_LOG_ENV] = str(work / "deps.log")
    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    if validated:
        os.environ[VALIDATED_ENV] = validated
    else:
        os.environ.pop(VALIDATED_ENV, None)
    output = work / f"{task.page.stem}.ipynb"
    kernel_log = work / "kernel.log"

    def failed(message: str) -> dict[str, Any]:
        return {"ok": False, "label": task.label, "seconds": time.perf_counter() - started, "error": message}

    try:
        with _stderr_to(kernel_log):
            execute_notebook(
                str(root / task.page.source), str(output), parameters=task.params, cwd=str(work),
                kernel_name="python3", progress_bar=False, log_output=False, report_mode=False,
                # written once at the end (and by papermill on a failing cell), not after every cell
                request_save_on_cell_execute=False,
                # every output has arrived when the last cell replies: stop the kernel instead of waiting for it
                shutdown_kernel="immediate",
            )
    except (papermill.PapermillExecutionError, InlineExpressionError) as err:
        kept = failed_copy(root, task)
        kept.parent.mkdir(parents=True, exist_ok=True)
        if output.exists():
            shutil.copy2(output, kept)
        shutil.rmtree(work, ignore_errors=True)
        where = (f"{markdown_cell_place(kept, err.cell_index)}: inline expression `{{python}} {err.expression}`"
                 if isinstance(err, InlineExpressionError) else f"cell {failing_cell(kept)}")
        return failed(f"{task.page.source} (edition {task.edition.name}): {where} raised {err.ename}: {err.evalue} "
                      f"(partial output kept in {kept.relative_to(root)})")
    except Exception as err:  # kernel death, missing kernel, a notebook papermill cannot read
        tail = _tail(kernel_log)
        shutil.rmtree(work, ignore_errors=True)
        return failed(f"{task.page.source} (edition {task.edition.name}): {type(err).__name__}: {err}"
                      + (f"\n    kernel stderr: {tail}" if tail else ""))
    deps_log = work / "deps.log"
    deps = sorted(set(deps_log.read_text(encoding="utf-8").split())) if deps_log.exists() else []
    return {"ok": True, "label": task.label, "work": str(work), "deps": deps, "seconds": time.perf_counter() - started}


class _stderr_to:
    """Point file descriptor 2 (inherited by the kernel papermill starts) at ``path`` for the duration."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        sys.stderr.flush()
        self.saved = os.dup(2)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)

    def __exit__(self, *exc: object) -> None:
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.splitlines() if line.strip() and "without encryption" not in line]
    return " | ".join(kept[-lines:])


# --------------------------------------------------------------------------------------------------------------------
# In the build process


def store(root: Path, records: cache.Cache, task: Task, result: dict[str, Any]) -> None:
    """Move a successful run into ``_build/executed`` and record its key and what it read."""
    work = Path(result["work"])
    target = executed_path(root, task.edition, task.page)
    target.parent.mkdir(parents=True, exist_ok=True)
    figures_src = work / "figures" / task.page.stem
    figures_dst = executed_figures(root, task.edition, task.page)
    if figures_dst.exists():
        shutil.rmtree(figures_dst)
    if figures_src.exists():
        figures_dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(figures_src), figures_dst)
    os.replace(work / f"{task.page.stem}.ipynb", target)
    deps = {}
    for dep in result["deps"]:
        try:
            rel = Path(dep).resolve().relative_to(root)
        except ValueError:
            continue
        deps[str(rel)] = cache.file_digest(root / rel)
    records.put(task.record, {"key": task.key, "deps": deps, "seconds": round(result["seconds"], 2)})
    shutil.rmtree(work, ignore_errors=True)


def failed_copy(root: Path, task: Task) -> Path:
    """Where the partial notebook of a failed run is kept for the user to inspect."""
    return root / "_build" / "failed" / task.edition.name / f"{task.page.stem}.ipynb"


def _expected_cost(root: Path, records: cache.Cache, task: Task) -> float:
    """The last recorded run time, else the committed notebook's size (about 30 kB of stored output a second)."""
    record = records.get(task.record) or {}
    seconds = record.get("seconds")
    return float(seconds) if isinstance(seconds, (int, float)) else (root / task.page.source).stat().st_size / 30_000


def execute_all(root: Path, tasks: Sequence[Task], jobs: int, log: Log, validated: Callable[[], str | None]) -> dict[str, Any]:
    """Execute the stale tasks, longest first, ``jobs`` at a time; raise BuildError naming every failure.

    ``validated`` is called only when something must run: it gives the digest of the data just validated.
    """
    import multiprocessing

    records = cache.Cache(root)
    stale = [t for t in tasks if not is_fresh(root, records, t)]
    for t in tasks:
        if t not in stale:
            log(f"  {t.label:32s} up to date")
    timings: dict[str, float] = {}
    errors: list[str] = []
    failed: set[str] = set()
    if stale:
        for t in stale:
            check_declared(root / t.page.source, t.params)
        digest = validated()
        order = sorted(stale, key=lambda t: -_expected_cost(root, records, t))
        total, done = len(order), 0
        started = multiprocessing.get_context().SimpleQueue()
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, min(jobs, total)), initializer=_init_worker,
                                                    initargs=(started,)) as pool:
            futures = {pool.submit(run, str(root), t, digest): t for t in order}
            pending = set(futures)
            while pending:
                finished, pending = concurrent.futures.wait(pending, timeout=0.2,
                                                            return_when=concurrent.futures.FIRST_COMPLETED)
                while not started.empty():
                    log(f"  started   {started.get()}")
                for future in sorted(finished, key=lambda f: order.index(futures[f])):
                    t, result = futures[future], future.result()
                    done += 1
                    if result["ok"]:
                        store(root, records, t, result)
                        timings[t.label] = result["seconds"]
                        log(f"  finished  {t.label:32s} {result['seconds']:6.1f} s   ({done}/{total})")
                    else:
                        errors.append(result["error"])
                        failed.add(t.label)
                        log(f"  FAILED    {t.label:32s} {result['seconds']:6.1f} s   ({done}/{total}): "
                            f"{result['error'].splitlines()[0]}")
    for t in tasks:
        if t.label not in failed:
            failed_copy(root, t).unlink(missing_ok=True)  # an earlier failure's partial notebook would only mislead
    if errors:
        raise BuildError("execution failed:\n  " + "\n  ".join(errors))
    return {"executed": sorted(timings), "timings": timings, "cached": [t.label for t in tasks if t not in stale]}
