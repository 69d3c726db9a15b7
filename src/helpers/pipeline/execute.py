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
import re
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

# The limits of every run (the build, ``make reproduce``, ``helpers.pipeline run``), applied by :mod:`.engine`
CELL_TIMEOUT_ENV = "BEST_SAMMEN_CELL_TIMEOUT"
#: seconds; the slowest cell (the follow-up chapter's figures) takes about 20 s on a loaded two-core machine
DEFAULT_CELL_TIMEOUT = 600.0
MAX_OUTPUT_ENV = "BEST_SAMMEN_MAX_OUTPUT_MB"
#: megabytes of output per cell; the largest (a cell of the Data page) is about 1.8 MB, and Quarto needs about a
#: hundred times a page's size in memory to render it
DEFAULT_MAX_OUTPUT_MB = 5.0


def _limit(env: str, default: float, what: str) -> float:
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise BuildError(f"{env}={raw!r}: {what} must be a positive number")
    return value


def cell_timeout() -> float:
    """Seconds a code cell may run (``BEST_SAMMEN_CELL_TIMEOUT``, else the default)."""
    return _limit(CELL_TIMEOUT_ENV, DEFAULT_CELL_TIMEOUT, "the cell timeout in seconds")


def output_limit_mb() -> float:
    """Megabytes a cell's outputs may weigh in all (``BEST_SAMMEN_MAX_OUTPUT_MB``, else the default)."""
    return _limit(MAX_OUTPUT_ENV, DEFAULT_MAX_OUTPUT_MB, "the output limit in megabytes")


#: terminal escape sequences (colours, cursor moves, titles), other control characters but newline and tab, and the
#: bidirectional overrides that reorder what follows them
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: an error quoting a cell's output or a data value cannot colour, move
    the cursor, retitle the window or reverse the line."""
    return _CONTROL.sub("", text)


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
    # the render needs the figures as much as the notebook: a record from before figures were recorded, or figures
    # deleted or edited since, would make every later render fail on missing resources until the chapter runs again
    if record.get("figures") != figure_digests(executed_figures(root, task.edition, task.page)):
        return False
    return all(cache.file_digest(root / rel) == digest for rel, digest in record.get("deps", {}).items())


def figure_digests(folder: Path) -> dict[str, str]:
    """Each file under an executed notebook's figure folder, by its path there, with its digest."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): cache.file_digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


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
    # Ctrl-C reaches the terminal's whole process group: the build alone handles it (it ends the workers and their
    # kernels), so a worker never prints a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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


def data_snapshot(root: Path, also: Sequence[str] = ()) -> dict[str, str]:
    """The digest of every file a chapter may read through ``helpers.data`` (``data/``, symlinks followed) and of
    ``also`` (what it read last time), taken before its kernel starts: what the record says was read is never newer
    than what was read."""
    found = {}
    folder = root / "data"
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found[str(path.relative_to(root))] = cache.file_digest(path)
    for rel in also:
        if rel not in found:
            found[rel] = cache.file_digest(root / rel)
    return found


def run(root_str: str, task: Task, limits: tuple[float, int] | None = None, read_before: Sequence[str] = (),
        engine_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute one chapter in a scratch folder. Never raises: returns ``ok`` and either the folder or the error.

    ``limits`` are the cell timeout (seconds) and the largest output (bytes); ``read_before`` the files the last run
    read, hashed with ``data/`` before the kernel starts; ``engine_options`` go to the notebook client (a sweep's
    kept kernel, :mod:`.kept`)."""
    import papermill

    from ..data import DEPS_LOG_ENV
    from .engine import CellLimitError, InlineExpressionError, execute_notebook

    root = Path(root_str)
    started = time.perf_counter()
    if _progress is not None:
        _progress.put(task.label)
    try:
        before = data_snapshot(root, read_before)
    except OSError as err:
        return {"ok": False, "label": task.label, "seconds": 0.0,
                "error": f"{task.page.source} (edition {task.edition.name}): cannot read {err.filename}: {err.strerror}"}
    timeout, max_output = limits or (None, None)
    work = Path(tempfile.mkdtemp(prefix=f"exec-{task.edition.name}-{task.page.stem}-", dir=root / "_build"))
    os.environ[DEPS_LOG_ENV] = str(work / "deps.log")
    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    output = work / f"{task.page.stem}.ipynb"
    kernel_log = work / "kernel.log"

    def failed(message: str) -> dict[str, Any]:
        return {"ok": False, "label": task.label, "seconds": time.perf_counter() - started,
                "error": printable(message)}

    try:
        with _stderr_to(kernel_log):
            execute_notebook(
                str(root / task.page.source), str(output), parameters=task.params, cwd=str(work),
                cell_timeout_s=timeout, max_output_bytes=max_output,
                kernel_name="python3", progress_bar=False, log_output=False, report_mode=False,
                # written once at the end (and by papermill on a failing cell), not after every cell
                request_save_on_cell_execute=False,
                # every output has arrived when the last cell replies: stop the kernel instead of waiting for it
                shutdown_kernel="immediate",
                **(engine_options or {}),
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
    except CellLimitError as err:  # past the timeout, a dead kernel, an output too big: no notebook to keep
        tail = _tail(kernel_log) if "kernel" in err.reason else ""
        shutil.rmtree(work, ignore_errors=True)
        return failed(f"{task.page.source} (edition {task.edition.name}): {err}"
                      + (f"\n    kernel stderr: {tail}" if tail else ""))
    except Exception as err:  # missing kernel, a notebook papermill cannot read, a full disk
        from .quarto import is_no_space, no_space

        if is_no_space(err):
            shutil.rmtree(work, ignore_errors=True)
            return failed(f"{task.page.source} (edition {task.edition.name}): {no_space(Path(err.filename or work))}")
        tail = _tail(kernel_log)
        shutil.rmtree(work, ignore_errors=True)
        return failed(f"{task.page.source} (edition {task.edition.name}): {type(err).__name__}: {err}"
                      + (f"\n    kernel stderr: {tail}" if tail else ""))
    deps_log = work / "deps.log"
    deps = sorted(set(deps_log.read_text(encoding="utf-8").split())) if deps_log.exists() else []
    return {"ok": True, "label": task.label, "work": str(work), "deps": deps, "before": before,
            "seconds": time.perf_counter() - started}


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


def store(root: Path, records: cache.Cache, task: Task, result: dict[str, Any], log: Log = lambda *_: None) -> None:
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
    deps, changed = recorded_deps(root, result["deps"], result.get("before", {}))
    for rel in changed:
        log(f"  note      {rel} changed while {task.label} ran; it runs again in the next build")
    records.put(task.record, {"key": task.key, "deps": deps, "figures": figure_digests(figures_dst),
                              "seconds": round(result["seconds"], 2)})
    shutil.rmtree(work, ignore_errors=True)


def dependency_name(root: Path, logged: str) -> str:
    """A file a run read, as the record names it: relative to the project when it is inside (a symlink is not
    followed, so a data file linked from elsewhere keeps its place in ``data/``), else its absolute path."""
    path = Path(os.path.normpath(os.path.join(root, logged)))
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def recorded_deps(root: Path, logged: Sequence[str], before: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Each file a run read with the digest of its bytes from before the run (a file edited while the chapter ran
    then differs from its record, and the chapter runs again), and the files that changed meanwhile."""
    deps, changed = {}, []
    for dep in logged:
        rel = dependency_name(root, dep)
        now = cache.file_digest(root / rel)
        deps[rel] = before.get(rel, now)
        if deps[rel] != now:
            changed.append(rel)
    return deps, sorted(changed)


def failed_copy(root: Path, task: Task) -> Path:
    """Where the partial notebook of a failed run is kept for the user to inspect."""
    return root / "_build" / "failed" / task.edition.name / f"{task.page.stem}.ipynb"


def _last_read(records: cache.Cache, task: Task) -> list[str]:
    record = records.get(task.record) or {}
    return sorted(record.get("deps", {}))


def _expected_cost(root: Path, records: cache.Cache, task: Task) -> float:
    """The last recorded run time, else the committed notebook's size (about 30 kB of stored output a second)."""
    record = records.get(task.record) or {}
    seconds = record.get("seconds")
    return float(seconds) if isinstance(seconds, (int, float)) else (root / task.page.source).stat().st_size / 30_000


def end_processes(processes: Sequence[Any]) -> None:
    """SIGKILL ``processes`` (psutil processes) and everything they started (kernels), without waiting long."""
    import psutil

    family: list[Any] = []
    for process in processes:
        try:
            family += [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
    for process in family:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(family, timeout=5)


def _end_pool(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop a pool at once: its workers and their kernels killed, queued runs cancelled, nothing waited for (a
    pool's own shutdown waits for every running chapter, and for ever when a worker is stuck)."""
    import psutil

    workers = []
    for pid in list((getattr(pool, "_processes", None) or {}).keys()):
        try:
            workers.append(psutil.Process(pid))
        except psutil.Error:
            continue
    end_processes(workers)
    pool.shutdown(wait=False, cancel_futures=True)


def limits_of(cell_timeout_s: float | None, max_output_mb: float | None) -> tuple[float, int]:
    """The run's limits, from the build's parameters or else the environment's (see :mod:`.engine`)."""
    return (cell_timeout_s or cell_timeout(), int((max_output_mb or output_limit_mb()) * 1e6))


def execute_all(root: Path, tasks: Sequence[Task], jobs: int, log: Log, cell_timeout_s: float | None = None,
                max_output_mb: float | None = None) -> dict[str, Any]:
    """Execute the stale tasks, longest first, ``jobs`` at a time; raise BuildError naming every failure.

    The caller validated ``data/`` first (:func:`helpers.pipeline.cli.validate`). An interruption (KeyboardInterrupt, or any error here) ends the workers and their kernels before it propagates.
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
        order = sorted(stale, key=lambda t: -_expected_cost(root, records, t))
        total, done = len(order), 0
        limits = limits_of(cell_timeout_s, max_output_mb)
        started = multiprocessing.get_context().SimpleQueue()
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=max(1, min(jobs, total)), initializer=_init_worker,
                                                      initargs=(started,))
        try:
            futures = {pool.submit(run, str(root), t, limits, _last_read(records, t)): t for t in order}
            pending = set(futures)
            while pending:
                finished, pending = concurrent.futures.wait(pending, timeout=0.2,
                                                            return_when=concurrent.futures.FIRST_COMPLETED)
                while not started.empty():
                    log(f"  started   {started.get()}")
                for future in sorted(finished, key=lambda f: order.index(futures[f])):
                    t = futures[future]
                    try:
                        result = future.result()
                    except concurrent.futures.process.BrokenProcessPool:
                        raise BuildError(f"execution failed: a worker process died while running {t.label} "
                                         "(killed from outside, or out of memory); nothing was published") from None
                    done += 1
                    if result["ok"]:
                        store(root, records, t, result, log)
                        timings[t.label] = result["seconds"]
                        log(f"  finished  {t.label:32s} {result['seconds']:6.1f} s   ({done}/{total})")
                    else:
                        errors.append(result["error"])
                        failed.add(t.label)
                        log(f"  FAILED    {t.label:32s} {result['seconds']:6.1f} s   ({done}/{total}): "
                            f"{result['error'].splitlines()[0]}")
        except BaseException:
            _end_pool(pool)
            raise
        pool.shutdown(wait=True)
    for t in tasks:
        if t.label not in failed:
            failed_copy(root, t).unlink(missing_ok=True)  # an earlier failure's partial notebook would only mislead
    if errors:
        raise BuildError("execution failed:\n  " + "\n  ".join(errors))
    return {"executed": sorted(timings), "timings": timings, "cached": [t.label for t in tasks if t not in stale]}
