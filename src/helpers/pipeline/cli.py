"""The command line, and the ``site`` pipeline: validate → execute → render → publish.

``python -m helpers.pipeline site`` is what ``make site`` runs. Each step prints plain lines as it goes, and a timing
summary at the end. A failed build leaves ``_site/`` and the committed notebooks untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .. import paths
from . import cache, config, execute, publish, quarto, render
from .config import BuildError
from .reproduce import reproduce


#: a data file past either makes rendering the pages that show it slow and memory-hungry (100,000 rows: 405 s, 3.5 GB)
LARGE_DATA_ROWS = 10_000
LARGE_DATA_MB = 5.0


class Interrupted(KeyboardInterrupt):
    """The build was asked to stop (Ctrl-C, SIGTERM); its workers, kernels and Quarto runs are already gone."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_deferred: dict[str, Any] = {"depth": 0, "signum": None}
#: whether this run of make reproduce renamed its new notebooks into place: what an interruption then says is true
_rewrote: dict[str, bool] = {"notebooks": False}


def _end_children() -> None:
    """Kill what this process started (pool workers, their kernels, Quarto's process groups), but not the
    multiprocessing resource tracker, whose death only makes noise."""
    import psutil

    quarto.end_all()
    try:
        family = psutil.Process().children(recursive=True)
    except psutil.Error:
        return
    for child in family:
        try:
            if not any("resource_tracker" in part for part in child.cmdline()):
                child.kill()
        except psutil.Error:
            continue


def _on_signal(signum: int, _frame: object) -> None:
    if _deferred["depth"]:
        _deferred["signum"] = signum  # in the swap of _site/: raised when the swap is complete
        return
    # a second Ctrl-C while cleaning up would interrupt the cleanup (and the pool's shutdown hangs): ignore it
    for ignored in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(ignored, signal.SIG_IGN)
    _end_children()
    raise Interrupted(signum)


@contextlib.contextmanager
def _uninterrupted():
    """Hold Ctrl-C and SIGTERM until the block is done (the two renames of a publish)."""
    _deferred["depth"] += 1
    try:
        yield
    finally:
        _deferred["depth"] -= 1
        if not _deferred["depth"] and _deferred["signum"] is not None:
            signum, _deferred["signum"] = _deferred["signum"], None
            _on_signal(signum, None)


@contextlib.contextmanager
def _rewriting() -> Iterator[None]:
    """The renames of make reproduce, held like a publish: a Ctrl-C among them would leave a mixed set on disk."""
    with _uninterrupted():
        yield
        _rewrote["notebooks"] = True  # before the held signal is raised, so its message knows the new set stands


def interrupted_message(command: str) -> str:
    """The one line an interrupted command prints: which state it left."""
    if command == "site":
        return "build interrupted; _site/ left as it was"
    if command == "reproduce":
        return ("reproduce interrupted; the committed notebooks were already rewritten (the new set)"
                if _rewrote["notebooks"] else "reproduce interrupted; the committed notebooks left as they were")
    return f"{command} interrupted"


def _say(*args: object) -> None:
    """The default log: plain lines, flushed at once so CI logs show progress as it happens."""
    print(*args, flush=True)


def _validation_key(root: Path) -> str:
    """What validation depends on: every file of data/ and the rules that check them (helpers/data.py, Frictionless)."""
    import importlib.metadata

    rules = paths.helpers_source_dir() / "data.py"
    return cache.tree_digest([root / "data", rules], relative_to=root) + importlib.metadata.version("frictionless")


def validate(root: Path, log=_say, *, in_build: bool = True) -> None:
    """Validate data/ (Frictionless and the package's own rules) unless these bytes already passed; the verdict is
    cached like every other step. ``in_build``: a failure is the build's error (no notebook is executed); else the
    one-line :class:`~helpers.data.DataValidationError` itself (``make validate``)."""
    records = cache.Cache(root)
    key = _validation_key(root)
    if records.fresh("validate", key):
        log("  data unchanged since the last successful validation")
        return
    from .. import data

    try:
        checked = data.validate_all(root / "data")
    except data.DataValidationError as err:
        if not in_build:
            raise
        raise BuildError(f"data validation failed — no notebook was executed:\n  {err}") from err
    records.put("validate", {"key": key})
    log(f"  {len(checked)} data files valid")


def warn_large_data(root: Path, log=_say) -> None:
    """A warning line for each data file big enough to make rendering slow (cheap: a newline count)."""
    for path in sorted((root / "data").glob("*.csv")):
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        rows, mb = max(raw.count(b"\n") - 1, 0), len(raw) / 1e6
        if rows > LARGE_DATA_ROWS or mb > LARGE_DATA_MB:
            log(f"  warning: data/{path.name} has {rows:,} rows ({mb:.1f} MB): the pages that show it may take "
                f"minutes and gigabytes of memory to render (this warning starts at {LARGE_DATA_ROWS:,} rows or "
                f"{LARGE_DATA_MB:g} MB)")


def build_site(root: Path | None = None, jobs: int | None = None, lock_timeout: float = 900, log=_say,
               cell_timeout_s: float | None = None, max_output_mb: float | None = None) -> dict[str, Any]:
    """The whole build. Returns a summary (what executed, what was cached, what was rendered, timings).

    ``cell_timeout_s`` and ``max_output_mb`` limit each code cell (default: the environment's, see ``engine``). A
    file that cannot be written (a full disk) is a BuildError naming it and the disk; ``_site/`` is left as it was.
    """
    root = (root or paths.root()).resolve()
    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    try:
        return _build_site(root, jobs, lock_timeout, log, cell_timeout_s, max_output_mb)
    except OSError as err:
        where = Path(err.filename) if err.filename else root / "_build"
        if quarto.is_no_space(err):
            raise BuildError(f"{quarto.no_space(where)} — the build stopped; _site/ left as it was, what was "
                             "executed before kept in _build/") from err
        raise BuildError(f"cannot write {where}: {err.strerror} — the build stopped; _site/ left as it was") from err


def _build_site(root: Path, jobs: int | None, lock_timeout: float, log, cell_timeout_s: float | None,
                max_output_mb: float | None) -> dict[str, Any]:
    started = time.perf_counter()
    with publish.BuildLock(root, lock_timeout, log):
        publish.recover(root)
        book_pages = config.pages(config.load_quarto(root))
        editions = config.editions(root)
        log("validating data …")
        validate(root, log)
        warn_large_data(root, log)
        tasks = execute.plan(root, editions, book_pages)
        # one kernel more than there are cores: a kernel starting up or being read leaves its core idle
        workers = jobs or (os.cpu_count() or 1) + 1
        log(f"executing {len(tasks)} chapter runs ({workers} at a time) …")
        t_exec = time.perf_counter()

        summary = execute.execute_all(root, tasks, workers, log, cell_timeout_s, max_output_mb)
        summary["prepare_seconds"] = t_exec - started
        summary["execute_seconds"] = time.perf_counter() - t_exec
        log("rendering with Quarto …")
        t_render = time.perf_counter()
        records = cache.Cache(root)
        rendered = render.render(root, editions, book_pages, log)
        summary["rendered"] = {r["edition"]: r["rendered"] for r in rendered}
        site_key = cache.sha(repr([records.get(f"render/{e.name}") for e in editions]).encode())
        # _site/ is trusted only as the build left it (its manifest); anything else is published again
        damage = publish.unpublished_changes(root, records.get("publish"))
        if damage is None and records.fresh("publish", site_key):
            log("  nothing changed since the published site; _site/ left as it is")
        else:
            if records.fresh("publish", site_key):
                log(f"  _site/ is not what the build published ({damage}); publishing it again")
            stage = Path(tempfile.mkdtemp(prefix="stage-", dir=root / "_build"))
            try:
                render.assemble(root, editions, stage)
                with _uninterrupted():  # never half swapped
                    files = publish.publish(root, stage, [e.prefix + p.output for e in editions for p in book_pages])
            finally:
                publish.remove_tree(stage)
            records.put("publish", {"key": site_key, "files": files})
            log(f"  published _site/ ({', '.join(e.prefix or '/' for e in editions)})")
        summary["render_seconds"] = time.perf_counter() - t_render
    summary["total_seconds"] = time.perf_counter() - started
    log(_timing_table(summary))
    return summary


def _timing_table(summary: dict[str, Any]) -> str:
    lines = ["timing:"]
    for label, seconds in sorted(summary["timings"].items()):
        lines.append(f"  {label:32s} {seconds:6.1f} s")
    if summary["cached"]:
        lines.append(f"  {len(summary['cached'])} chapter runs up to date (not executed)")
    lines.append(f"  validation and planning {summary['prepare_seconds']:.1f} s · execution "
                 f"{summary['execute_seconds']:.1f} s · rendering {summary['render_seconds']:.1f} s · "
                 f"total {summary['total_seconds']:.1f} s")
    return "\n".join(lines)


def run_chapter(name: str, params: dict[str, Any], root: Path | None = None, log=_say) -> Path:
    """Execute one chapter with other parameters into ``_build/runs/`` (for trying other assumptions)."""
    import papermill

    from .. import data
    from .engine import CellLimitError, InlineExpressionError, execute_notebook

    root = (root or paths.root()).resolve()
    matches = [p for p in config.pages(config.load_quarto(root)) if p.is_notebook and name in (p.stem, p.source)]
    if not matches:
        raise BuildError(f"no chapter '{name}' in {config.QUARTO_FILE}")
    page = matches[0]
    config.check_declared(root / page.source, params)
    data.validate_all(root / "data")
    out_dir = root / "_build" / "runs" / page.stem
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "-".join(f"{k}={v}" for k, v in sorted(params.items())) or "defaults"
    output = out_dir / f"{page.stem}-{suffix}.ipynb"
    try:
        execute_notebook(str(root / page.source), str(output), parameters=params, cwd=str(out_dir),
                         kernel_name="python3", progress_bar=True)
    except papermill.PapermillExecutionError as err:
        raise BuildError(f"{page.source}: cell {execute.failing_cell(output)} raised {err.ename}: {err.evalue}") \
            from None
    except CellLimitError as err:
        raise BuildError(f"{page.source}: {err}") from None
    except InlineExpressionError as err:
        raise BuildError(f"{page.source}: {execute.markdown_cell_place(output, err.cell_index)}: inline expression "
                         f"`{{python}} {err.expression}` raised {err.ename}: {err.evalue}") from None
    log(f"executed notebook: {output}")
    return output


def main(argv: Sequence[str] | None = None) -> int:
    import yaml

    from ..parameters import ParameterError

    parser = argparse.ArgumentParser(prog="python -m helpers.pipeline", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_site = sub.add_parser("site", help="execute what changed, render with Quarto and publish _site/")
    p_site.add_argument("--jobs", type=int, default=None, help="kernels at a time (default: one per core, plus one)")
    p_site.add_argument("--lock-timeout", type=float, default=float(os.environ.get("BEST_SAMMEN_LOCK_TIMEOUT", 900)))
    sub.add_parser("validate", help="validate every data file against data/datapackage.json")
    p_run = sub.add_parser("run", help="execute one chapter with other parameters into _build/runs/")
    p_run.add_argument("chapter", help="e.g. 01-awareness")
    p_run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    for p_limited in (p_site, p_run):
        _limit_arguments(p_limited)
    p_var = sub.add_parser("variant", help="execute and render one chapter with other parameters under _site/variants/")
    p_var.add_argument("chapter", help="e.g. 01-awareness")
    p_var.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    p_sw = sub.add_parser("sweep", help="execute one chapter over a grid of parameters into _build/sweeps/")
    p_sw.add_argument("chapter", help="e.g. 01-awareness")
    p_sw.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=START:STOP:STEP|A,B,…")
    p_sw.add_argument("--edition", default="en", help="en (default) or nb")
    p_sw.add_argument("--scheduler", default=None, help="a Dask scheduler's address (default: DASK_SCHEDULER_ADDRESS, "
                                                         "else the local process pool)")
    p_sw.add_argument("--jobs", type=int, default=None, help="local worker processes (default: one per core)")
    p_rep = sub.add_parser("reproduce", help="re-execute the committed notebooks with defaults and rewrite them")
    p_rep.add_argument("chapters", nargs="*")
    p_rep.add_argument("--lock-timeout", type=float, default=float(os.environ.get("BEST_SAMMEN_LOCK_TIMEOUT", 900)))
    p_prev = sub.add_parser("preview", help="serve one edition with Quarto's preview; rebuild a page when it is saved")
    p_prev.add_argument("--edition", default="en", help="en (default) or nb")
    p_prev.add_argument("--port", type=int, default=4848)
    p_q = sub.add_parser("quarto", help="run the project's Quarto (installing it first where needed)")
    p_q.add_argument("args", nargs=argparse.REMAINDER)
    argv = list(sys.argv[1:] if argv is None else argv)
    root = paths.root()
    if argv[:1] == ["quarto"]:  # everything after it is Quarto's, flags included (`quarto --version`)
        try:
            return subprocess.call([quarto.find(root), *argv[1:]])
        except BuildError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    args = parser.parse_args(argv)
    for name, env in (("cell_timeout", execute.CELL_TIMEOUT_ENV), ("max_output_mb", execute.MAX_OUTPUT_ENV)):
        if getattr(args, name, None):
            os.environ[env] = f"{getattr(args, name):g}"  # every run of this command, in every worker, sees it
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal was closed
        signal.signal(signum, _on_signal)
    try:
        if args.command == "site":
            build_site(jobs=args.jobs, lock_timeout=args.lock_timeout)
        elif args.command == "preview":
            from .preview import serve

            serve(root, args.edition, args.port, log=_say)
        elif args.command == "validate":
            validate(root, _say, in_build=False)
        elif args.command == "run":
            run_chapter(args.chapter, {k: yaml.safe_load(v) for k, v in args.parameter})
        elif args.command == "variant":
            from ..parameters import parse_value
            from .variant import make_variant

            make_variant(args.chapter, {k: parse_value(k, v) for k, v in args.parameter}, log=_say)
        elif args.command == "sweep":
            from .sweep import executor_for, sweep

            result = sweep(args.chapter, args.parameter, edition=args.edition,
                           executor=executor_for(args.scheduler, args.jobs), log=_say)
            if result["failed"]:
                print("error: " + "\n  ".join(result["failed"]), file=sys.stderr)
                return 1
        elif args.command == "reproduce":
            with publish.BuildLock(root, args.lock_timeout, _say):
                changed = reproduce(root, names=args.chapters, log=_say, hold=_rewriting)
            print("cells whose outputs changed:" if changed else "no output changed")
            for line in changed:
                print(f"  {line}")
    except KeyboardInterrupt as err:
        _end_children()  # a KeyboardInterrupt that did not come through _on_signal
        print(interrupted_message(args.command), file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        signum = err.signum if isinstance(err, Interrupted) else signal.SIGINT
        # at once: the interpreter's exit would join the pools' threads, which is where repeated Ctrl-C used to hang
        os._exit(128 + int(signum))
    except (BuildError, ParameterError, ValueError) as err:
        from ..data import DataValidationError  # only now: importing it loads pandas

        if not isinstance(err, (BuildError, ParameterError, DataValidationError)):
            raise
        # each names its file, row, column, parameter or cell; text quoted from a cell or data file is made printable
        print(f"error: {execute.printable(str(err))}", file=sys.stderr)
        return 1
    return 0


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


def _limit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cell-timeout", type=_positive, default=None, metavar="SECONDS",
                        help=f"how long one code cell may run (default {execute.DEFAULT_CELL_TIMEOUT:g} s, or "
                             f"{execute.CELL_TIMEOUT_ENV})")
    parser.add_argument("--max-output-mb", type=_positive, default=None, metavar="MB",
                        help=f"how large a cell's outputs may be in all (default {execute.DEFAULT_MAX_OUTPUT_MB:g} MB, or "
                             f"{execute.MAX_OUTPUT_ENV})")
