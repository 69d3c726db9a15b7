"""`make bench`: time the build against the naive baseline, on a temporary copy of the project.

Prints: cold build (empty cache), no-op rebuild, rebuild after editing one notebook, rebuild after editing one data
file, and the baseline — every chapter executed sequentially with `jupyter nbconvert --to html --execute` — each as a
ratio to the baseline. The targets from the issue are printed beside the figures; nothing here asserts them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".venv", "_build", "_site", "_site.previous", "node_modules", ".git", "__pycache__",
                                ".pytest_cache", "figures", ".drafts", "*.egg-info")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    from helpers import build

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(ROOT, project, ignore=IGNORE)
        os.environ["BEST_SAMMEN_ROOT"] = str(project)
        quiet = lambda *_: None  # noqa: E731
        chapters = [p for p in build.pages(build.load_quarto(project)) if p.is_notebook]

        def baseline() -> None:
            for page in chapters:
                nb = project / page.source
                subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute",
                                "--output-dir", str(project / "_baseline"), str(nb)], check=True, capture_output=True,
                               cwd=nb.parent)

        t_base = timed(baseline)
        t_cold = timed(lambda: build.build_site(project, log=quiet))
        t_noop = timed(lambda: build.build_site(project, log=quiet))

        nb_path = project / chapters[0].source
        nb = nbformat.read(nb_path, as_version=4)
        nb.cells[0].source += "\n"
        nbformat.write(nb, nb_path)
        t_nb = timed(lambda: build.build_site(project, log=quiet))

        csv = project / "data" / "survey_answers.csv"
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        frame.loc[0, "note"] += " (benchmark edit)"
        frame.to_csv(csv, index=False, lineterminator="\n")
        t_data = timed(lambda: build.build_site(project, log=quiet))

    n = len(chapters)
    rows = [
        ("naive baseline (nbconvert --execute, sequential, one edition)", t_base, ""),
        ("cold build (empty cache, both editions)", t_cold, "target ≤ 0.6 × baseline"),
        ("no-op rebuild", t_noop, f"target ≤ 3 % of cold = {0.03 * t_cold:.1f} s"),
        ("rebuild after editing one notebook", t_nb, f"target ≤ cold/{n} + render"),
        ("rebuild after editing survey_answers.csv", t_data, "re-executes the chapters that read it"),
    ]
    print(f"{'measurement':62s} {'seconds':>8s} {'× baseline':>10s}")
    for label, seconds, target in rows:
        print(f"{label:62s} {seconds:8.1f} {seconds / t_base:10.2f}  {target}")
    print(f"\nchapters: {n}; cores: {os.cpu_count()}; the cold build executes {n} chapters × 2 editions; "
          "the baseline renders only one edition.")
    print(f"load average before / after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} (other work on the machine "
          "slows the parallel build more than the sequential baseline)")


if __name__ == "__main__":
    main()
