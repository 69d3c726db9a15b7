"""Sweeps: one chapter executed at every point of a grid of parameters, one tidy table of what a reader would read.

``python -m helpers.pipeline sweep 01-awareness -p leader_share=0.10:0.20:0.05 -p correction=holm,none`` executes the
chapter (the English edition unless ``--edition``) at each point of the grid through one executor interface — the
local process pool by default, or a Dask cluster (``--scheduler ADDRESS`` or ``DASK_SCHEDULER_ADDRESS``; its workers
must see the project at the same path) — with the build's executor (:func:`helpers.pipeline.execute.run`), so a point
gives the same values either way. Each worker keeps one kernel, with its imports, for all its points and resets it
to a fresh kernel's state before each (:mod:`.kept`): a point costs the chapter's cells, not a kernel's start. The
table has a row per point and recorded inline value (``_build/sweeps/<chapter>/<grid>.csv``); each point's values
are kept under ``points/`` by a key over the notebook, the parameters, ``helpers``, the installed packages and the
data, so a re-run executes only the points not done yet. A failing point is named and the others finish.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .. import paths
from ..parameters import Between, ParameterError, parse_value, spec, unknown_message
from . import cache, config, execute, publish
from .config import BuildError
from .variant import find_page, recorded_values

if TYPE_CHECKING:
    import pandas as pd

Log = Callable[..., None]
MAX_POINTS = 10_000  # a grid larger than this is almost certainly a typo in a step


# --------------------------------------------------------------------------------------------------------------------
# The grid


def _decimal(name: str, text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise ParameterError(f"parameter '{name}': '{text}' is not a number (write NAME=START:STOP:STEP)") from None


def parse_axis(text: str) -> tuple[str, list[Any]]:
    """``name=start:stop:step`` (stop included), ``name=a,b,c`` or ``name=value``: the name and its checked values."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not name or not values.strip():
        raise ParameterError(f"'{text}': write NAME=START:STOP:STEP or NAME=A,B,C")
    kind = spec(name)
    if ":" in values:
        parts = values.split(":")
        if len(parts) != 3:
            raise ParameterError(f"parameter '{name}': '{values}' is not START:STOP:STEP")
        if not isinstance(kind, Between):
            raise ParameterError(f"parameter '{name}' takes one of {kind.allowed()}: list them with commas")
        start, stop, step = (_decimal(name, p) for p in parts)
        if step <= 0 or stop < start:
            raise ParameterError(f"parameter '{name}': '{values}' needs START ≤ STOP and a STEP above 0")
        count = int((stop - start) / step) + 1
        if count > MAX_POINTS:
            raise ParameterError(f"parameter '{name}': '{values}' gives {count} values, more than {MAX_POINTS}")
        # decimal steps: 0.1 + 0.2 is 0.3, as typed, not 0.30000000000000004
        found = [float(start + i * step) for i in range(count)]
        for value in found:
            kind.check(name, value)
        return name, found
    return name, [parse_value(name, v.strip()) for v in values.split(",")]


def grid(axes: Sequence[str]) -> list[dict[str, Any]]:
    """Every point of the grid the axes span, in order (the first axis varies slowest)."""
    if not axes:
        raise ParameterError("a sweep needs at least one parameter (-p NAME=START:STOP:STEP)")
    parsed = [parse_axis(a) for a in axes]
    names = [n for n, _ in parsed]
    if len(set(names)) != len(names):
        raise ParameterError(f"a parameter is given twice: {', '.join(names)}")
    if "lang" in names:
        raise ParameterError("parameter 'lang' is the edition's: choose it with --edition")
    if math.prod(len(v) for _, v in parsed) > MAX_POINTS:
        raise ParameterError(f"the grid has more than {MAX_POINTS} points")
    return [dict(zip(names, values)) for values in itertools.product(*(v for _, v in parsed))]


def grid_name(axes: Sequence[str]) -> str:
    return re.sub(r"[^A-Za-z0-9._=,-]+", "_", "__".join(sorted(a.replace(":", "-") for a in axes)))


def point_label(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def failure(params: dict[str, Any], error: str) -> str:
    """A failed point as printed: its error may quote a cell's output or a value (not every path to it went through
    :func:`.execute.run`'s cleaning), so it cannot colour or rewrite the terminal."""
    return execute.printable(f"point {point_label(params)}: {error}")


# --------------------------------------------------------------------------------------------------------------------
# Executors: one interface, a local process pool or a Dask cluster


class Executor(Protocol):
    def run(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        """Call ``function(*args)`` for each of ``calls``; yield (index, result) as each finishes."""


class LocalPool:
    """Worker processes on this machine (they die with the sweep, as the build's do)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or (os.cpu_count() or 1)

    def run(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        import multiprocessing

        queue = multiprocessing.get_context().SimpleQueue()
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, min(self.workers, len(calls))),
                                                    initializer=execute._init_worker, initargs=(queue,)) as pool:
            futures = {pool.submit(function, *args): i for i, args in enumerate(calls)}
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()


class DaskCluster:
    """A ``dask.distributed`` scheduler at ``address``, or an existing ``distributed.Client``."""

    def __init__(self, address: str | None = None, client: Any = None) -> None:
        self.address, self.client = address, client

    def run(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        from distributed import Client, as_completed

        client = self.client
        owned = client is None
        if owned:
            try:
                client = Client(self.address, timeout=30)
            except (OSError, TimeoutError) as err:
                raise BuildError(f"cannot reach the Dask scheduler at {self.address}: {err}") from None
        try:
            # pure=False: a point is run even if the cluster has its result from an earlier client
            futures = [client.submit(function, *args, pure=False) for args in calls]
            index = {f.key: i for i, f in enumerate(futures)}
            for future in as_completed(futures):
                yield index[future.key], future.result()
        finally:
            if owned:
                client.close()


def executor_for(scheduler: str | None, workers: int | None = None) -> Executor:
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    return DaskCluster(address) if address else LocalPool(workers)


# --------------------------------------------------------------------------------------------------------------------
# One point (in a worker)


def run_point(root: str, task: execute.Task) -> dict[str, Any]:
    """Execute one point in this worker's kept kernel (:mod:`.kept`): its recorded values, or the error. Never
    raises."""
    from . import kept

    kernel = kept.worker_kernel([str(paths.helpers_source_dir()), str(Path(root) / "notebooks")])
    try:
        options = kernel.engine_options()
    except Exception as err:  # no kernel to run in: the point fails, named, and the next one tries a new kernel
        kernel.shutdown()
        return {"ok": False, "error": f"{task.page.source} (edition {task.edition.name}): {err}"}
    result = execute.run(root, task, engine_options=options)
    kernel.finished(result["ok"])
    return _values(task, result)


def run_point_fresh(root: str, task: execute.Task) -> dict[str, Any]:
    """Execute one point in a kernel of its own, as the build does: the reference a kept kernel must equal."""
    return _values(task, execute.run(root, task))


def _values(task: execute.Task, result: dict[str, Any]) -> dict[str, Any]:
    if not result["ok"]:
        return {"ok": False, "error": result["error"]}
    work = Path(result["work"])
    try:
        values = recorded_values(work / f"{task.page.stem}.ipynb", task.edition.profile)
    finally:
        publish.remove_tree(work)
    return {"ok": True, "values": values, "seconds": result["seconds"]}


# --------------------------------------------------------------------------------------------------------------------
# The sweep


def sweep(chapter: str, axes: Sequence[str], root: Path | None = None, edition: str = "en",
          executor: Executor | None = None, reuse: bool = True, log: Log = print,
          progress: bool = True, lock_timeout: float = 900, kept_kernels: bool = True) -> dict[str, Any]:
    """Run the grid; write the tidy table; return it with the failures and the values that change.

    ``kept_kernels``: each worker reuses one kernel for its points (:func:`run_point`); else every point starts its
    own (:func:`run_point_fresh`, the build's way, slower by the kernel's start and imports)."""
    import pandas as pd

    from .cli import validate

    root = (root or paths.root()).resolve()
    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    page = find_page(root, chapter)
    declared = config.declared_parameters(root / page.source)
    for axis in axes:
        name = axis.partition("=")[0].strip()
        if name not in declared:
            raise ParameterError(f"{page.source}: {unknown_message(name, declared)}")
    points = grid(axes)
    for point in points:
        config.check_declared(root / page.source, point)
    editions = {e.name: e for e in config.editions(root)}
    if edition not in editions:
        raise BuildError(f"no edition '{edition}'; the editions are {', '.join(editions)}")
    chosen = editions[edition]
    out_dir = root / "_build" / "sweeps" / page.stem
    store = out_dir / "points"
    store.mkdir(parents=True, exist_ok=True)
    with publish.BuildLock(root, lock_timeout, log):  # the build's scratch folders are cleared by a build
        validate(root, log)
        data_key = cache.tree_digest([root / "data"], relative_to=root)
        base = "\n".join([cache.notebook_digest(config.notebook_cells(root / page.source)), cache.helpers_digest(),
                          cache.environment_digest(), data_key, chosen.name])
        keys = [cache.sha((base + json.dumps(p, sort_keys=True)).encode()) for p in points]
        results: dict[int, dict[str, Any]] = {}
        todo = []
        for i, key in enumerate(keys):
            kept = store / f"{key}.json"
            if reuse and kept.exists():
                try:
                    results[i] = json.loads(kept.read_text(encoding="utf-8"))
                    continue
                except ValueError:
                    pass  # an unreadable record proves nothing: the point runs again
            todo.append(i)
        log(f"sweep of {page.stem} ({chosen.name}): {len(points)} points, {len(points) - len(todo)} already computed")
        if todo:
            calls = [(str(root), execute.Task(chosen, page, {**chosen.parameters, **points[i]}, keys[i]))
                     for i in todo]
            runner = executor or LocalPool()
            bar = _progress_bar(len(todo), progress)
            try:
                for j, result in runner.run(run_point if kept_kernels else run_point_fresh, calls):
                    i = todo[j]
                    results[i] = result
                    if result["ok"]:
                        cache_file = store / f"{keys[i]}.json"
                        cache_file.with_suffix(".partial").write_text(json.dumps(result), encoding="utf-8")
                        os.replace(cache_file.with_suffix(".partial"), cache_file)
                    else:
                        log(f"  FAILED {failure(points[i], result['error'].splitlines()[0])}")
                    bar.update(1)
            finally:
                bar.close()
    rows = [{"point": i + 1, **points[i], "cell": v["cell"], "section": v["section"], "expression": v["expression"],
             "value": _plain(v["value"])}
            for i in sorted(results) if results[i]["ok"] for v in results[i]["values"]]
    table = pd.DataFrame(rows, columns=["point", *points[0], "cell", "section", "expression", "value"])
    csv = out_dir / f"{grid_name(axes)}-{chosen.name}.csv"
    table.to_csv(csv, index=False, lineterminator="\n")
    failed = [failure(points[i], results[i]["error"]) for i in sorted(results) if not results[i]["ok"]]
    changing = changes(table)
    log(summary(table, changing, len(points), csv.relative_to(root)))
    return {"table": table, "csv": csv, "failed": failed, "changing": changing}


def _plain(markdown: str) -> str:
    """A recorded value as text: Markdown's escapes (``50 \\%``) and language spans (``[Regeringskansliet]{lang="sv"}``)
    removed; links keep their text."""
    text = re.sub(r"\[([^\[\]]*)\]\{[^{}]*\}", r"\1", markdown)
    text = re.sub(r"\[([^\[\]]*)\]\([^()]*\)", r"\1", text)
    return re.sub(r"\\(.)", r"\1", text)


def changes(table: pd.DataFrame) -> pd.DataFrame:
    """The recorded values that differ across the grid: each with how many distinct values it takes, and them."""
    import pandas as pd

    if table.empty:
        return pd.DataFrame(columns=["cell", "section", "expression", "distinct", "values"])
    grouped = table.groupby(["cell", "section", "expression"], sort=False)["value"]
    found = grouped.agg(distinct="nunique", values=lambda v: list(dict.fromkeys(v))).reset_index()
    return found[found["distinct"] > 1].reset_index(drop=True)


def summary(table: pd.DataFrame, changing: pd.DataFrame, n_points: int, csv: Path) -> str:
    total = table.groupby(["cell", "expression"]).ngroups if not table.empty else 0
    lines = [f"{len(changing)} of {total} recorded values change across the {n_points} points; table: {csv}"]
    for r in changing.itertuples():
        shown = " | ".join(v[:40] for v in r.values[:6]) + (" | …" if len(r.values) > 6 else "")
        lines.append(f"  {r.section[:40]:40s} {r.expression[:50]:50s} {r.distinct:3d} values: {shown}")
    return "\n".join(lines)


class _NoBar:
    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


def _progress_bar(total: int, show: bool) -> Any:
    if not show:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="point", desc="sweep")
