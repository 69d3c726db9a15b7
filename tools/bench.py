"""`make bench`: time `make site` as a user waits for it, against `quarto render` executing every notebook itself.

Everything runs on temporary copies of the project (sharing this checkout's virtual environment and Quarto) and is
timed as a whole process, as typed — interpreter start-up, imports, Quarto's start-up included:

- baseline: what a user would do without this project — `quarto render` of both editions with Quarto executing
  every notebook (execution on, no freeze): `quarto render --execute` and `quarto render --profile nb --execute -P
  lang:nb`;
- `make site` cold (empty cache), no-op, after editing one notebook, after editing one data file;
- `make preview`: from saving the fastest and the slowest chapter to the preview serving the refreshed page;
- Quarto's own `freeze: auto` after a data-file edit: fast, and the page it keeps is stale;
- a sweep: 20 points of chapter 1 with `python -m helpers.pipeline sweep` (kept kernels, two workers, no reuse of
  points computed before) against a loop of plain `papermill` calls running the same points one after the other,
  and the sweep's time per point with one and with two workers.

`python tools/bench.py --only baseline cold sweep` runs only those parts (all by default).

Each figure is printed with its ratio and its verdict against the targets; nothing here asserts them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".venv", ".tools", "_build", "_site", "_site.previous", "node_modules", ".git",
                                "__pycache__", ".pytest_cache", "figures", ".drafts", "*.egg-info", ".quarto")
EDITED_CHAPTER = "notebooks/04-nordic-comparison.ipynb"
EDITED_DATA = "data/nordic_evidence.csv"
SWEEP_CHAPTER = "01-awareness"
SWEEP_AXIS = "nonrespondent_awareness=0:0.95:0.05"  # 20 points, from none as aware as respondents to almost equal
SWEEP_POINTS = 20
#: what ``--only`` chooses from; the edits and the preview run on the project the cold build made
PARTS = ("baseline", "cold", "edits", "preview", "freeze", "sweep")


def copy_project(parent: Path, name: str) -> Path:
    project = parent / name
    shutil.copytree(ROOT, project, ignore=IGNORE)
    (project / ".venv").symlink_to(ROOT / ".venv")
    from helpers.pipeline.render import build_config_text

    # a root `quarto render` is guarded (tools/use-make-site.ts); the baseline times it as a plain Quarto book would be
    (project / "_quarto.yml").write_text(build_config_text(project), encoding="utf-8")
    return project


def run(args: list[str], project: Path, check: bool = True, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run a command as typed in ``project`` (with ``env`` added); return its wall-clock seconds and output."""
    env = {**os.environ, "BEST_SAMMEN_ROOT": str(project),
           "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}
    env.pop("QUARTO_PROFILE", None)
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    if check and proc.returncode != 0:
        sys.exit(f"`{' '.join(args)}` failed in {project}:\n{proc.stdout[-4000:]}")
    return seconds, proc.stdout


def make_site(project: Path) -> tuple[float, str]:
    return run(["make", "-s", "site"], project)


def executed(log: str) -> list[str]:
    return sorted(re.findall(r"^\s+finished\s+(\S+)", log, flags=re.M))


def rendered(log: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+(\d+) page\(s\) rendered", log, flags=re.M)}


def readers_of(project: Path, rel: str) -> list[str]:
    found = []
    for record in (project / "_build" / "cache" / "execute").rglob("*.json"):
        if rel in json.loads(record.read_text(encoding="utf-8")).get("deps", {}):
            found.append(f"{record.parent.name}/{record.stem}")
    return sorted(found)


def append_cell(path: Path, text: str) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": [text]})
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def edit_data(path: Path, column: str, suffix: str) -> None:
    """Append ``suffix`` to ``column`` of the file's first row (a free-text column, so the data stay valid)."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[0][column] += suffix
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def chapter_seconds(project: Path, edition: str = "en") -> dict[Any, float]:
    """Each chapter's last execution time in ``edition``, from the build's cache records, by the chapter's page as
    ``_quarto.yml`` lists it (not every chapter is in ``notebooks/``: ``data.ipynb``)."""
    from helpers.pipeline import config

    pages = {page.stem: page for page in config.pages(config.load_quarto(project)) if page.is_notebook}
    found = {}
    for record in (project / "_build" / "cache" / "execute" / edition).glob("*.json"):
        seconds = json.loads(record.read_text(encoding="utf-8")).get("seconds")
        if isinstance(seconds, (int, float)) and record.stem != "index" and record.stem in pages:
            found[pages[record.stem]] = float(seconds)
    return found


def preview_refresh(project: Path, pages: list[Any], port: int = 4949) -> dict[Any, float]:
    """Seconds from saving each chapter's notebook (a Markdown cell added) to the preview serving the refreshed page."""
    import signal
    import threading
    import urllib.request

    env = {**os.environ, "BEST_SAMMEN_ROOT": str(project)}
    proc = subprocess.Popen([sys.executable, "-m", "helpers.pipeline", "preview", "--port", str(port)], cwd=project,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ready = threading.Event()
    log: list[str] = []

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            log.append(line)
            if "previewing the" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    times: dict[str, float] = {}
    try:
        if not ready.wait(600):
            sys.exit("make preview did not start:\n" + "".join(log[-30:]))
        time.sleep(2)  # Quarto's server starts after the line
        for chapter in pages:
            token = f"Saved-in-preview-{chapter.stem}-{time.time_ns()}"
            append_cell(project / chapter.source, token)
            started = time.perf_counter()
            while time.perf_counter() - started < 300:
                try:
                    with urllib.request.urlopen(f"http://localhost:{port}/{chapter.output}", timeout=5) as page:
                        if token in page.read().decode("utf-8", "replace"):
                            break
                except OSError:
                    pass
                time.sleep(0.1)
            else:
                sys.exit(f"the preview never showed the edit of {chapter.source}:\n" + "".join(log[-30:]))
            times[chapter] = time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return times


def sweep_values() -> list[str]:
    """The sweep's points as papermill's ``-p`` values, from the same grid the sweep parses."""
    from helpers.pipeline.sweep import parse_axis

    name, values = parse_axis(SWEEP_AXIS)
    if len(values) != SWEEP_POINTS:
        sys.exit(f"{SWEEP_AXIS} gives {len(values)} points, not {SWEEP_POINTS}")
    return [repr(v) for v in values]


def papermill_loop(project: Path) -> float:
    """Seconds for plain ``papermill`` run once per point, one after the other (each its own process and kernel)."""
    out = project / "_build" / "papermill-loop"
    out.mkdir(parents=True)
    name = SWEEP_AXIS.partition("=")[0]
    total = 0.0
    for i, value in enumerate(sweep_values()):
        seconds, _ = run([str(ROOT / ".venv" / "bin" / "papermill"), "--no-progress-bar", "-k", "python3",
                          f"notebooks/{SWEEP_CHAPTER}.ipynb", str(out / f"point-{i}.ipynb"), "-p", name, value,
                          "--cwd", str(out)], project, env={"BEST_SAMMEN_OUTPUTS": str(out)})
        total += seconds
    return total


def timed_sweep(project: Path, workers: int) -> float:
    """Seconds for the sweep as typed, with ``workers`` workers; the points computed before are removed first, so
    every point is executed (a reused point would measure nothing)."""
    shutil.rmtree(project / "_build" / "sweeps", ignore_errors=True)
    seconds, log = run([sys.executable, "-m", "helpers.pipeline", "sweep", SWEEP_CHAPTER, "-p", SWEEP_AXIS,
                        "--jobs", str(workers)], project)
    if f"{SWEEP_POINTS} points, 0 already computed" not in log:
        sys.exit(f"the sweep reused earlier points or did not run them all:\n{log[-2000:]}")
    return seconds


def sweep_rows(tmp: Path) -> list[tuple[str, float, str, str]]:
    project = copy_project(tmp, "sweep")
    run([sys.executable, "-m", "helpers.pipeline", "validate"], project)  # the data checked once, as before a sweep
    t_loop = papermill_loop(project)
    t_two = timed_sweep(project, 2)
    t_one = timed_sweep(project, 1)
    n = SWEEP_POINTS
    return [
        (f"loop of plain papermill, {n} points of {SWEEP_CHAPTER} one after the other", t_loop, "",
         f"{t_loop / n:.1f} s a point"),
        (f"make sweep, the same {n} points, kept kernels, 2 workers", t_two, "",
         f"≤ 0.35 × the loop — {verdict(t_two <= 0.35 * t_loop)} ({t_two / t_loop:.2f} × the loop; "
         f"{t_two / n:.1f} s a point)"),
        (f"make sweep, the same {n} points, kept kernels, 1 worker", t_one, "",
         f"{t_one / n:.1f} s a point ({t_one / t_loop:.2f} × the loop)"),
    ]


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="the parts to run")
    parts = set(parser.parse_args().only)
    if parts & {"edits", "preview"}:
        parts.add("cold")  # they start from the cold build's project
    run(["make", "-s", "quarto", "ARGS=--version"], ROOT)  # assemble Quarto first: not part of any timing
    rows: list[tuple[str, float, str, str]] = []
    load = os.getloadavg()[0]
    t_base = float("nan")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        quarto = [sys.executable, "-m", "helpers.pipeline", "quarto"]
        if "baseline" in parts:
            base = copy_project(Path(tmp), "baseline")
            t_base_en, _ = run([*quarto, "render", "--execute"], base)
            t_base_nb, _ = run([*quarto, "render", "--profile", "nb", "--execute", "-P", "lang:nb"], base)
            t_base = t_base_en + t_base_nb
            rows.append(("baseline: quarto render --execute, both editions (en + nb)", t_base, "1.00", ""))

        if "cold" in parts:
            project = copy_project(Path(tmp), "project")
            t_cold, log = make_site(project)
            rows.append((f"make site, cold ({len(executed(log))} chapter runs, both editions)", t_cold,
                         f"{t_cold / t_base:.2f}", f"≤ 0.6 × baseline — {verdict(t_cold <= 0.6 * t_base)}"))
        if "edits" in parts:
            t_noop, log = make_site(project)
            ok = t_noop <= 0.03 * t_cold and t_noop <= 1.5 and not executed(log) and not rendered(log)
            rows.append(("make site, nothing changed", t_noop, f"{t_noop / t_base:.2f}",
                         f"≤ 3 % of cold and ≤ 1.5 s — {verdict(ok)} ({100 * t_noop / t_cold:.1f} % of cold)"))

            append_cell(project / EDITED_CHAPTER, "A paragraph added by the benchmark.")
            t_nb, log = make_site(project)
            stem = Path(EDITED_CHAPTER).stem
            only = executed(log) == [f"en/{stem}", f"nb/{stem}"] and rendered(log) == {"en": 1, "nb": 1}
            rows.append((f"make site after editing {EDITED_CHAPTER}", t_nb, f"{t_nb / t_base:.2f}",
                         f"≤ 25 % of cold, only its pages — {verdict(t_nb <= 0.25 * t_cold and only)} "
                         f"({100 * t_nb / t_cold:.0f} % of cold; executed {', '.join(executed(log))}; "
                         f"rendered {rendered(log)})"))

            readers = readers_of(project, EDITED_DATA)
            edit_data(project / EDITED_DATA, "description_en", " (edited)")
            t_data, log = make_site(project)
            rows.append((f"make site after editing {EDITED_DATA}", t_data, f"{t_data / t_base:.2f}",
                         f"only the chapters that read it — {verdict(executed(log) == readers)} "
                         f"(read by {', '.join(readers) or 'none'}; executed {', '.join(executed(log)) or 'none'})"))

        if "preview" in parts:
            seconds = chapter_seconds(project)
            fastest, slowest = min(seconds, key=seconds.get), max(seconds, key=seconds.get)
            for chapter, t_preview in preview_refresh(project, [fastest, slowest]).items():
                rows.append((f"make preview: save {chapter.source} → refreshed page", t_preview, "",
                             f"≤ 6 s — {verdict(t_preview <= 6)} "
                             f"({'fastest' if chapter == fastest else 'slowest'} chapter)"))

        if "freeze" in parts:
            # Quarto's own cache: freeze re-executes only when a notebook's source changes, never for its data
            stem = Path(EDITED_CHAPTER).stem
            frozen = copy_project(Path(tmp), "freeze")
            settings = (frozen / "_quarto.yml").read_text(encoding="utf-8")
            (frozen / "_quarto.yml").write_text(settings.replace("  enabled: false\n", "  enabled: true\n  freeze: auto\n"),
                                                encoding="utf-8")
            run([*quarto, "render"], frozen)
            page = frozen / "_site" / "notebooks" / f"{stem}.html"
            before = page.read_bytes()
            marker = "Benchmark-edited evidence"
            edit_data(frozen / EDITED_DATA, "description_en", f" {marker}")
            t_freeze, _ = run([*quarto, "render"], frozen)
            shown = marker in page.read_text(encoding="utf-8")
            rows.append((f"quarto render with freeze: auto, after editing {EDITED_DATA}", t_freeze,
                         f"{t_freeze / t_base:.2f}",
                         "the page shows the edited data" if shown else
                         f"the page still shows the old data (stale; page {'unchanged' if page.read_bytes() == before else 're-rendered from the frozen outputs'})"))

        if "sweep" in parts:
            rows += sweep_rows(Path(tmp))

    width = max(len(r[0]) for r in rows)
    print(f"make bench — {os.cpu_count()} cores, load average {load:.1f} before the run; seconds of wall-clock time")
    print(f"{'measurement':{width}s}  {'seconds':>8s}  {'× baseline':>10s}  target / note")
    for name, seconds, ratio, note in rows:
        print(f"{name:{width}s}  {seconds:8.1f}  {ratio:>10s}  {note}")


if __name__ == "__main__":
    main()
