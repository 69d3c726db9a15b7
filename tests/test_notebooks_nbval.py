"""The committed notebooks' stored outputs are what re-execution gives (nbval), run in a subprocess."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


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
