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
        summaries: list[dict] = []
        t_cold = timed(lambda: summaries.append(build.build_site(project, log=quiet)))
        t_noop = timed(lambda: build.build_site(project, log=quiet))

        # the slowest chapter (worst case) and the median one (typical), by their execution time in the cold build
        per_chapter = {p.stem: sum(s for label, s in summaries[0]["timings"].items() if label.endswith("/" + p.stem))
                       for p in chapters}
        by_time = sorted(chapters, key=lambda p: per_chapter[p.stem])
        edits = {}
        for kind, page in (("slowest", by_time[-1]), ("median", by_time[len(by_time) // 2])):
            nb_path = project / page.source
            nb = nbformat.read(nb_path, as_version=4)
            nb.cells[0].source += "\n"
            nbformat.write(nb, nb_path)
            seconds = timed(lambda: summaries.append(build.build_site(project, log=quiet)))
            edits[kind] = (page.stem, seconds, summaries[-1]["render_seconds"])

        csv = project / "data" / "survey_answers.csv"
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        frame.loc[0, "note"] += " (benchmark edit)"
        frame.to_csv(csv, index=False, lineterminator="\n")
        t_data = timed(lambda: build.build_site(project, log=quiet))

    n = len(chapters)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    rows = [
        ("naive baseline (nbconvert --execute, sequential, one edition)", t_base, ""),
        ("cold build (empty cache, both editions)", t_cold,
         f"target ≤ 0.6 × baseline = {0.6 * t_base:.1f} s: {verdict(t_cold <= 0.6 * t_base)}"),
        ("no-op rebuild", t_noop, f"target ≤ 3 % of cold = {0.03 * t_cold:.1f} s: {verdict(t_noop <= 0.03 * t_cold)}"),
        *[(f"rebuild after editing one notebook, {kind} ({stem})", t_nb,
           f"target ≤ cold/{n} + render = {t_cold / n:.1f} + {render:.1f} s: {verdict(t_nb <= t_cold / n + render)}")
          for kind, (stem, t_nb, render) in edits.items()],
        ("rebuild after editing survey_answers.csv", t_data, "re-executes the chapters that read it"),
    ]
    print(f"{'measurement':72s} {'seconds':>8s} {'× baseline':>10s}")
    for label, seconds, target in rows:
        print(f"{label:72s} {seconds:8.1f} {seconds / t_base:10.2f}  {target}")
    print(f"\nchapters: {n}; cores: {os.cpu_count()}; the cold build executes {n} chapters × 2 editions; "
          "the baseline renders only one edition.")
    print(f"load average before / after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} (other work on the machine "
          "slows the parallel build more than the sequential baseline)")


if __name__ == "__main__":
    main()
