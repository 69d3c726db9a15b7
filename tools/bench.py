"""`make bench`: time `make site` as a user waits for it, against `quarto render` executing every notebook itself.

Everything runs on temporary copies of the project (sharing this checkout's virtual environment and Quarto) and is
timed as a whole process, as typed — interpreter start-up, imports, Quarto's start-up included:

- baseline: what a user would do without this project — `quarto render` of both editions with Quarto executing
  every notebook (execution on, no freeze): `quarto render --execute` and `quarto render --profile nb --execute -P
  lang:nb`;
- `make site` cold (empty cache), no-op, after editing one notebook, after editing one data file;
- `make preview`: from saving the fastest and the slowest chapter to the preview serving the refreshed page;
- Quarto's own `freeze: auto` after a data-file edit: fast, and the page it keeps is stale.

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

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".venv", ".tools", "_build", "_site", "_site.previous", "node_modules", ".git",
                                "__pycache__", ".pytest_cache", "figures", ".drafts", "*.egg-info", ".quarto")
EDITED_CHAPTER = "notebooks/04-nordic-comparison.ipynb"
EDITED_DATA = "data/nordic_evidence.csv"


def copy_project(parent: Path, name: str) -> Path:
    project = parent / name
    shutil.copytree(ROOT, project, ignore=IGNORE)
    (project / ".venv").symlink_to(ROOT / ".venv")
    from helpers.build.render import build_config_text

    # a root `quarto render` is guarded (tools/use-make-site.ts); the baseline times it as a plain Quarto book would be
    (project / "_quarto.yml").write_text(build_config_text(project), encoding="utf-8")
    return project


def run(args: list[str], project: Path, check: bool = True) -> tuple[float, str]:
    """Run a command as typed in ``project``; return its wall-clock seconds and output."""
    env = {**os.environ, "BEST_SAMMEN_ROOT": str(project),
           "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
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


def chapter_seconds(project: Path, edition: str = "en") -> dict[str, float]:
    """Each chapter's last execution time in ``edition``, from the build's cache records."""
    found = {}
    for record in (project / "_build" / "cache" / "execute" / edition).glob("*.json"):
        seconds = json.loads(record.read_text(encoding="utf-8")).get("seconds")
        if isinstance(seconds, (int, float)) and record.stem != "index":
            found[record.stem] = float(seconds)
    return found


def preview_refresh(project: Path, stems: list[str], port: int = 4949) -> dict[str, float]:
    """Seconds from saving each chapter (a Markdown cell added) to the preview serving the refreshed page."""
    import signal
    import threading
    import urllib.request

    env = {**os.environ, "BEST_SAMMEN_ROOT": str(project)}
    proc = subprocess.Popen([sys.executable, "-m", "helpers.build", "preview", "--port", str(port)], cwd=project,
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
        for stem in stems:
            token = f"Saved-in-preview-{stem}-{time.time_ns()}"
            append_cell(project / "notebooks" / f"{stem}.ipynb", token)
            started = time.perf_counter()
            while time.perf_counter() - started < 300:
                try:
                    with urllib.request.urlopen(f"http://localhost:{port}/notebooks/{stem}.html", timeout=5) as page:
                        if token in page.read().decode("utf-8", "replace"):
                            break
                except OSError:
                    pass
                time.sleep(0.1)
            else:
                sys.exit(f"the preview never showed the edit of {stem}:\n" + "".join(log[-30:]))
            times[stem] = time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return times


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main() -> None:
    run(["make", "-s", "quarto", "ARGS=--version"], ROOT)  # assemble Quarto first: not part of any timing
    rows: list[tuple[str, float, str, str]] = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        base = copy_project(Path(tmp), "baseline")
        quarto = [sys.executable, "-m", "helpers.build", "quarto"]
        t_base_en, _ = run([*quarto, "render", "--execute"], base)
        t_base_nb, _ = run([*quarto, "render", "--profile", "nb", "--execute", "-P", "lang:nb"], base)
        t_base = t_base_en + t_base_nb
        rows.append(("baseline: quarto render --execute, both editions (en + nb)", t_base, "1.00", ""))

        project = copy_project(Path(tmp), "project")
        t_cold, log = make_site(project)
        rows.append((f"make site, cold ({len(executed(log))} chapter runs, both editions)", t_cold,
                     f"{t_cold / t_base:.2f}", f"≤ 0.6 × baseline — {verdict(t_cold <= 0.6 * t_base)}"))
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

        seconds = chapter_seconds(project)
        fastest, slowest = min(seconds, key=seconds.get), max(seconds, key=seconds.get)
        for stem, t_preview in preview_refresh(project, [fastest, slowest]).items():
            rows.append((f"make preview: save notebooks/{stem}.ipynb → refreshed page", t_preview, "",
                         f"≤ 6 s — {verdict(t_preview <= 6)} ({'fastest' if stem == fastest else 'slowest'} chapter)"))

        # Quarto's own cache: freeze re-executes only when a notebook's source changes, never for its data
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

    width = max(len(r[0]) for r in rows)
    print(f"make bench — {os.cpu_count()} cores, load average {load:.1f} before the run; seconds of wall-clock time")
    print(f"{'measurement':{width}s}  {'seconds':>8s}  {'× baseline':>10s}  target / note")
    for name, seconds, ratio, note in rows:
        print(f"{name:{width}s}  {seconds:8.1f}  {ratio:>10s}  {note}")


if __name__ == "__main__":
    main()
