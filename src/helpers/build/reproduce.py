"""Rewrite the committed notebooks' reference outputs (``make reproduce``), all or nothing.

Every chapter is re-executed with its default parameters into a scratch folder, under the build's lock; the committed
notebooks are rewritten only when every one of them succeeded, so a failure leaves ``notebooks/`` as it was and names
the notebook and cell. Volatile metadata (papermill timings, cell ids, Python patch version) is stripped, so running it
twice changes nothing.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .config import BuildError, load_quarto, pages
from .execute import failing_cell, markdown_cell_place

Log = Callable[..., None]
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


def reproduce(root: Path, names: Sequence[str] = (), log: Log = print) -> list[str]:
    """Re-execute the committed notebooks; rewrite them only if all succeed; return 'notebook: cell [n]' that changed."""
    import nbformat
    import papermill

    from .. import data
    from .engine import InlineExpressionError, execute_notebook

    targets = [p for p in pages(load_quarto(root)) if p.is_notebook and (not names or p.stem in names)]
    unknown = sorted(set(names) - {p.stem for p in targets})
    if unknown:
        raise BuildError(f"no chapter named {', '.join(unknown)} in _quarto.yml")
    data.validate_all(root / "data")
    (root / "_build").mkdir(exist_ok=True)
    fresh: dict[Path, Any] = {}
    with tempfile.TemporaryDirectory(dir=root / "_build", prefix="reproduce-") as tmp:
        for page in targets:
            source = root / page.source
            out = Path(tmp) / source.name
            log(f"  executing {page.source} …")
            try:
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
                raise BuildError(f"{page.source}: {type(err).__name__}: {err} — no committed notebook was rewritten") \
                    from None
            fresh[source] = normalise(nbformat.read(out, as_version=4))
    changed: list[str] = []
    for source, nb in fresh.items():
        old = nbformat.read(source, as_version=4)  # as nbformat holds it: multi-line text joined, like ``nb``
        code = 0
        for a, b in zip(old["cells"], nb["cells"]):
            if a["cell_type"] == "code":
                code += 1
                if _outputs_text(a) != _outputs_text(b):
                    changed.append(f"{source.relative_to(root)}: cell [{code}]")
            elif recorded_values(a) != recorded_values(b):
                changed.append(f"{source.relative_to(root)}: inline values of the Markdown cell after [{code}]")
        if len(old["cells"]) != len(nb["cells"]):
            changed.append(f"{source.relative_to(root)}: cell count {len(old['cells'])} → {len(nb['cells'])}")
    for source, nb in fresh.items():
        partial = source.with_suffix(".ipynb.partial")
        partial.write_text(nbformat.writes(nbformat.from_dict(nb), version=4), encoding="utf-8")
        os.replace(partial, source)
        log(f"  {source.relative_to(root)}: rewritten")
    return changed
