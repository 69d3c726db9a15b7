"""The committed notebooks' stored outputs are what re-execution gives (nbval), run in a subprocess."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT

# the chapters and the landing page, which computes its findings in a notebook too
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(ROOT.glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_reproduce(notebook):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval-sanitize.cfg"), str(notebook)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, f"nbval: stored outputs of {notebook.name} differ from re-execution:\n{result.stdout[-4000:]}"


def test_every_committed_notebook_carries_outputs():
    import nbformat

    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
        assert code and all(c.outputs for c in code if "ch.figure" in c.source or "ch.table" in c.source), (
            f"{path.name}: a figure/table cell has no stored output (nbval would skip it); run `make reproduce`"
        )
        assert "papermill" not in nb.metadata, f"{path.name}: volatile papermill metadata committed"


@pytest.mark.slow
def test_a_changed_stored_output_fails_naming_notebook_cell_and_text(data_copy):
    """nbval as run above catches a stored output that re-execution does not give, and says where and what differs."""
    import re

    import nbformat

    project = data_copy.parent

    def table_cells(nb):
        return [(i, j) for i, c in enumerate(nb.cells) if c.cell_type == "code"
                for j, o in enumerate(c.outputs) if o.get("data", {}).get("text/markdown", "").startswith("::: {#tbl-")]

    def code_cells_before(nb, index):  # nbval numbers the code cells from 0
        return sum(c.cell_type == "code" for c in nb.cells[:index])

    candidates = {p: nbformat.read(p, as_version=4) for p in NOTEBOOKS}
    candidates = {p: nb for p, nb in candidates.items() if table_cells(nb)}
    assert candidates, "no committed notebook has a table output to tamper with"
    # the table that comes earliest keeps this quick: nbval stops at the first failing cell (-x)
    source = min(candidates, key=lambda p: code_cells_before(candidates[p], table_cells(candidates[p])[0][0]))
    target = project / source.relative_to(ROOT)  # a chapter in notebooks/, or a page at the root (the Data appendix)
    nb = nbformat.read(target, as_version=4)
    cell_index, output_index = table_cells(nb)[0]
    output = nb.cells[cell_index].outputs[output_index]
    text = output.data["text/markdown"]
    cell = re.search(r"(<td[^>]*>)([^<]+)(</td>)", text)  # the table's first body cell
    original = cell.group(2).strip()
    output.data["text/markdown"] = text[:cell.start(2)] + "tampered-12345" + text[cell.end(2):]
    nbformat.write(nb, target)
    code_cell = code_cells_before(nb, cell_index)

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(project / "tests" / "nbval-sanitize.cfg"), str(target.relative_to(project))],
        capture_output=True, text=True, cwd=project,
    )
    report = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert (project / "tests" / "nbval-sanitize.cfg").read_bytes() == (ROOT / "tests" / "nbval-sanitize.cfg").read_bytes()
    assert result.returncode == 1, f"nbval passed a notebook whose stored output was changed:\n{report[-4000:]}"
    assert f"{source.relative_to(ROOT).as_posix()}::Cell {code_cell}" in report, report[-4000:]
    assert f"Cell {code_cell}: Cell outputs differ" in report and "mismatch 'text/markdown'" in report, report[-4000:]
    diff = [line.strip() for line in report[report.index("mismatch 'text/markdown'"):].splitlines()]
    # pytest's diff: '+' the stored (reference) text, '-' what re-execution gave
    assert any(line.startswith("+") and "tampered-12345" in line for line in diff), report[-4000:]
    assert any(line.startswith("-") and original in line for line in diff), report[-4000:]
    assert f"1 failed, {code_cell} passed" in report, "only the tampered cell should fail:\n" + report[-4000:]


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_norwegian_outputs_reproduce(site, notebook, tmp_path):
    """The Norwegian edition is checked as the English one is: the notebook the build executed with lang=nb (its
    injected parameters cell included) gives the same outputs when nbval executes it again."""
    executed = ROOT / "_build" / "executed" / "nb" / notebook.relative_to(ROOT)
    copy = tmp_path / notebook.name  # its figure CSVs are written beside it, not into the build's folders
    copy.write_bytes(executed.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval-sanitize.cfg"), "--rootdir", str(tmp_path), str(copy)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, (f"nbval: the Norwegian outputs of {notebook.name} differ from re-execution:\n"
                                    f"{result.stdout[-4000:]}")
