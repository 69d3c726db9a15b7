"""Rewrite the committed notebooks' reference outputs (``make reproduce``), all or nothing.

Every chapter is re-executed with its default parameters into a scratch folder, under the build's lock; the committed
notebooks are rewritten only when every one of them succeeded, so a failure leaves ``notebooks/`` as it was and names
the notebook and cell; the rewrite itself is all or none (a journal, see :func:`rewrite_all`). What changed is told
against the committed notebooks (``HEAD``), per notebook and cell. Volatile metadata (papermill timings, cell ids, Python patch version) is stripped, so running it
twice changes nothing.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .config import BuildError, load_quarto, pages
from .execute import failing_cell, markdown_cell_place

Log = Callable[..., None]
#: what holds Ctrl-C and SIGTERM during the renames (the command line's handler); a library caller holds nothing
Hold = Callable[[], contextlib.AbstractContextManager[Any]]
VOLATILE_NOTEBOOK_METADATA = ("papermill", "widgets")


def normalise(nb: Any) -> Any:
    """Strip what changes from run to run (papermill timings, execution metadata, cell ids, Python patch version)."""
    nb = copy.deepcopy(nb)
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb["metadata"].pop(key, None)
    nb["metadata"]["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb["metadata"]["language_info"] = {"name": "python"}
    count = 0
    for cell in nb["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
        cell.pop("id", None)
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count if cell.get("outputs") or "".join(cell.get("source", "")).strip() else None
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = cell["execution_count"]
                if output.get("output_type") == "stream":
                    output.pop("metadata", None)
    nb["nbformat"], nb["nbformat_minor"] = 4, 4
    return nb


def normalise_file(source: Path, target: Path) -> None:
    """Write ``source`` normalised to ``target`` as nbformat writes notebooks (same bytes for the same content)."""
    import nbformat

    nb = normalise(nbformat.read(source, as_version=4))
    text = nbformat.writes(nbformat.from_dict(nb), version=4)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def recorded_values(cell: dict[str, Any]) -> dict[str, str]:
    """The inline values recorded in a Markdown cell: expression → the Markdown it shows."""
    return {e["expression"]: e["result"]["data"].get("text/markdown", "")
            for e in cell.get("metadata", {}).get("user_expressions", [])}


def _outputs_text(cell: dict[str, Any]) -> str:
    return json.dumps(cell.get("outputs", []), sort_keys=True)


JOURNAL = "reproduce-journal.json"


def committed_notebook(root: Path, source: Path) -> tuple[Any, str]:
    """The notebook as committed (``git show HEAD:<path>``) and what it is: 'HEAD', else the working copy's."""
    import nbformat

    rel = source.relative_to(root).as_posix()
    try:
        shown = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=root, capture_output=True, text=True,
                               timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        shown = None
    if shown is not None and shown.returncode == 0:
        return nbformat.reads(shown.stdout, as_version=4), "HEAD"
    return nbformat.read(source, as_version=4), "the working copy (not in HEAD)"


def changes(name: str, old: Any, new: Any) -> list[str]:
    """'notebook: cell [n] …' for each code cell whose outputs differ and each Markdown cell whose inline values do,
    matched by position in the committed notebook, and a changed cell count."""
    found: list[str] = []
    code = 0
    for a, b in zip(old["cells"], new["cells"]):
        if b["cell_type"] == "code":
            code += 1
            if a["cell_type"] != "code" or "".join(a["source"]) != "".join(b["source"]):
                found.append(f"{name}: cell [{code}] (source changed)")
            elif _outputs_text(a) != _outputs_text(b):
                found.append(f"{name}: cell [{code}]")
        elif recorded_values(a) != recorded_values(b):
            found.append(f"{name}: inline values of the Markdown cell after [{code}]")
    if len(old["cells"]) != len(new["cells"]):
        found.append(f"{name}: cell count {len(old['cells'])} → {len(new['cells'])}")
    return found


def finish_rewrite(root: Path) -> list[str]:
    """Complete a rewrite an interruption left half done: every notebook its journal names is renamed into place, so
    the committed notebooks are the new set (the journal is written only once every new notebook is on disk)."""
    journal = root / "_build" / JOURNAL
    try:
        moves = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        moves = {}  # none, or (written with write-then-rename) never in force
    done = []
    for partial, target in moves.items() if isinstance(moves, dict) else []:
        if (root / partial).exists():
            os.replace(root / partial, root / target)
            done.append(target)
    journal.unlink(missing_ok=True)
    for leftover in [*root.glob("*.ipynb.partial"), *(root / "notebooks").glob("*.ipynb.partial")]:
        leftover.unlink()  # of a rewrite that never reached its journal: the old set stands
    return done


def rewrite_all(root: Path, fresh: dict[Path, Any], log: Log = print, hold: Hold = contextlib.nullcontext) -> None:
    """Rewrite every notebook of ``fresh`` or none: all written beside their targets first, then a journal naming
    them, then the renames; an interruption before the journal leaves the old set, after it the next run (or build)
    completes the new set (:func:`finish_rewrite`). ``hold`` is entered from the journal to the last rename, so an
    interruption there waits until the new set is whole instead of leaving a mixed one until the next run."""
    import nbformat

    moves = {}
    for source, nb in fresh.items():
        partial = source.with_suffix(".ipynb.partial")
        partial.write_text(nbformat.writes(nbformat.from_dict(nb), version=4), encoding="utf-8")
        moves[str(partial.relative_to(root))] = str(source.relative_to(root))
    journal = root / "_build" / JOURNAL
    pending = journal.with_suffix(".json.partial")
    with hold():
        pending.write_text(json.dumps(moves, indent=1), encoding="utf-8")
        os.replace(pending, journal)
        for target in finish_rewrite(root):
            log(f"  {target}: rewritten")


def reproduce(root: Path, names: Sequence[str] = (), log: Log = print,
              hold: Hold = contextlib.nullcontext) -> list[str]:
    """Re-execute the committed notebooks; rewrite them only if all succeed; return 'notebook: cell [n]' whose outputs
    differ from the committed notebook (``HEAD``)."""
    import nbformat
    import papermill

    from .. import data
    from .engine import InlineExpressionError, execute_notebook
    from .execute import _stderr_to, _tail

    for target in finish_rewrite(root):
        log(f"  {target}: rewritten (completing an interrupted make reproduce)")
    targets = [p for p in pages(load_quarto(root)) if p.is_notebook and (not names or p.stem in names)]
    unknown = sorted(set(names) - {p.stem for p in targets})
    if unknown:
        raise BuildError(f"no chapter named {', '.join(unknown)} in _quarto.yml")
    data.validate_all(root / "data")
    (root / "_build").mkdir(exist_ok=True)
    fresh: dict[Path, Any] = {}
    with tempfile.TemporaryDirectory(dir=root / "_build", prefix="reproduce-") as tmp:
        kernel_log = Path(tmp) / "kernel.log"
        for page in targets:
            source = root / page.source
            out = Path(tmp) / source.name
            log(f"  executing {page.source} …")
            try:
                # the kernel's own warnings (TCP without encryption) go to a log, read only when a run fails
                with _stderr_to(kernel_log):
                    execute_notebook(str(source), str(out), parameters={}, cwd=str(source.parent),
                                     kernel_name="python3", progress_bar=False, log_output=False)
            except papermill.PapermillExecutionError as err:
                raise BuildError(f"{page.source}: cell {failing_cell(out)} raised {err.ename}: {err.evalue} — "
                                 "no committed notebook was rewritten") from None
            except InlineExpressionError as err:
                raise BuildError(f"{page.source}: {markdown_cell_place(out, err.cell_index)}: inline expression "
                                 f"`{{python}} {err.expression}` raised {err.ename}: {err.evalue} — no committed "
                                 "notebook was rewritten") from None
            except Exception as err:
                tail = _tail(kernel_log)
                raise BuildError(f"{page.source}: {type(err).__name__}: {err} — no committed notebook was rewritten"
                                 + (f"\n    kernel stderr: {tail}" if tail else "")) from None
            fresh[source] = normalise(nbformat.read(out, as_version=4))
    changed: list[str] = []
    for source, nb in fresh.items():
        old, against = committed_notebook(root, source)  # as nbformat holds it: multi-line text joined, like ``nb``
        name = str(source.relative_to(root)) + ("" if against == "HEAD" else f" (against {against})")
        changed += changes(name, old, nb)
    rewrite_all(root, fresh, log, hold)
    return changed
