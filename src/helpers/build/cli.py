"""The command line, and the ``site`` pipeline: validate → execute → render → publish.

``python -m helpers.build site`` is what ``make site`` runs. Each step prints plain lines as it goes, and a timing
summary at the end. A failed build leaves ``_site/`` and the committed notebooks untouched.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import paths
from . import cache, config, execute, publish, quarto, render
from .config import BuildError
from .reproduce import reproduce


def _say(*args: object) -> None:
    """The default log: plain lines, flushed at once so CI logs show progress as it happens."""
    print(*args, flush=True)


def _validation_key(root: Path) -> str:
    """What validation depends on: every file of data/ and the rules that check them."""
    import importlib.metadata

    rules = paths.helpers_source_dir() / "data.py"
    return cache.tree_digest([root / "data", rules], relative_to=root) + importlib.metadata.version("frictionless")


def validate(root: Path, log=_say) -> None:
    records = cache.Cache(root)
    key = _validation_key(root)
    if records.fresh("validate", key):
        log("  data unchanged since the last successful validation")
        return
    from .. import data

    try:
        checked = data.validate_all(root / "data")
    except data.DataValidationError as err:
        raise BuildError(f"data validation failed — no notebook was executed:\n  {err}") from err
    records.put("validate", {"key": key})
    log(f"  {len(checked)} data files valid")


def build_site(root: Path | None = None, jobs: int | None = None, lock_timeout: float = 900, log=_say) -> dict[str, Any]:
    """The whole build. Returns a summary (what executed, what was cached, what was rendered, timings)."""
    root = (root or paths.root()).resolve()
    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    started = time.perf_counter()
    with publish.BuildLock(root, lock_timeout, log):
        publish.recover(root)
        book_pages = config.pages(config.load_quarto(root))
        editions = config.editions(root)
        log("validating data …")
        validate(root, log)
        tasks = execute.plan(root, editions, book_pages)
        # one kernel more than there are cores: a kernel starting up or being read leaves its core idle
        workers = jobs or (os.cpu_count() or 1) + 1
        log(f"executing {len(tasks)} chapter runs ({workers} at a time) …")
        t_exec = time.perf_counter()

        def validated_digest() -> str | None:
            from .. import data

            try:
                return data.package_digest(root / "data")
            except OSError:
                return None

        summary = execute.execute_all(root, tasks, workers, log, validated_digest)
        summary["prepare_seconds"] = t_exec - started
        summary["execute_seconds"] = time.perf_counter() - t_exec
        log("rendering with Quarto …")
        t_render = time.perf_counter()
        records = cache.Cache(root)
        rendered = render.render(root, editions, book_pages, log)
        summary["rendered"] = {r["edition"]: r["rendered"] for r in rendered}
        site_key = cache.sha(repr([records.get(f"render/{e.name}") for e in editions]).encode())
        if (root / "_site").exists() and records.fresh("publish", site_key):
            log("  nothing changed since the published site; _site/ left as it is")
        else:
            stage = Path(tempfile.mkdtemp(prefix="stage-", dir=root / "_build"))
            try:
                render.assemble(root, editions, stage)
                publish.publish(root, stage)
            finally:
                publish.remove_tree(stage)
            records.put("publish", {"key": site_key})
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
    from .engine import InlineExpressionError, execute_notebook

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
    except InlineExpressionError as err:
        raise BuildError(f"{page.source}: {execute.markdown_cell_place(output, err.cell_index)}: inline expression "
                         f"`{{python}} {err.expression}` raised {err.ename}: {err.evalue}") from None
    log(f"executed notebook: {output}")
    return output


def main(argv: Sequence[str] | None = None) -> int:
    import yaml

    from ..parameters import ParameterError

    parser = argparse.ArgumentParser(prog="python -m helpers.build", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_site = sub.add_parser("site", help="execute what changed, render with Quarto and publish _site/")
    p_site.add_argument("--jobs", type=int, default=None, help="kernels at a time (default: one per core, plus one)")
    p_site.add_argument("--lock-timeout", type=float, default=float(os.environ.get("BEST_SAMMEN_LOCK_TIMEOUT", 900)))
    sub.add_parser("validate", help="validate every data file against data/datapackage.json")
    p_run = sub.add_parser("run", help="execute one chapter with other parameters into _build/runs/")
    p_run.add_argument("chapter", help="e.g. 01-awareness")
    p_run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
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
    try:
        if args.command == "site":
            build_site(jobs=args.jobs, lock_timeout=args.lock_timeout)
        elif args.command == "preview":
            from .preview import serve

            serve(root, args.edition, args.port, log=_say)
        elif args.command == "validate":
            from .. import data

            names = data.validate_all()
            print(f"{len(names)} data files valid: {', '.join(names)}")
        elif args.command == "run":
            run_chapter(args.chapter, {k: yaml.safe_load(v) for k, v in args.parameter})
        elif args.command == "reproduce":
            with publish.BuildLock(root, args.lock_timeout, _say):
                changed = reproduce(root, names=args.chapters, log=_say)
            print("cells whose outputs changed:" if changed else "no output changed")
            for line in changed:
                print(f"  {line}")
    except (BuildError, ParameterError, ValueError) as err:
        from ..data import DataValidationError  # only now: importing it loads pandas

        if not isinstance(err, (BuildError, ParameterError, DataValidationError)):
            raise
        print(f"error: {err}", file=sys.stderr)  # each names its file, row, column, parameter or cell
        return 1
    return 0
