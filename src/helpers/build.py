"""Execute the chapters (with a content-hash cache), render the site, publish it atomically.

``python -m helpers.build site`` is what ``make site`` runs:

1. validate every data file and every edition's parameters — before any notebook runs;
2. execute each chapter × edition with papermill into ``_build/executed/`` (in parallel, one kernel per core plus one),
   skipping those whose inputs have not changed (notebook source, the data files it read last time, the
   ``helpers`` source, its parameters, the installed package versions);
3. render into a fresh folder under ``_build/`` — with ``quarto`` where it is installed, else with pandoc from the
   ``pypandoc-binary`` wheel using the chapter list in ``_quarto.yml``;
4. swap that folder in as ``_site/`` only when all of it succeeded.

A lock keeps two builds apart. Committed notebooks in ``notebooks/`` are only read, never written, except by
``reproduce``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import dataclasses
import hashlib
import html
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import nbformat
import yaml

from . import data, notebook, paths

PARAMS_FILE = "params.yml"
QUARTO_FILE = "_quarto.yml"
SITE_TITLE_FALLBACK = "Best sammen"


class BuildError(RuntimeError):
    """The build stopped; the message says where and why. ``_site/`` was left as it was."""


# --------------------------------------------------------------------------------------------------------------------
# Configuration: the chapter list from _quarto.yml, the editions and their parameters from params.yml


@dataclasses.dataclass(frozen=True)
class Page:
    source: str  # path relative to the project root, as listed in _quarto.yml
    part: str | None = None
    appendix: bool = False

    @property
    def is_notebook(self) -> bool:
        return self.source.endswith(".ipynb")

    @property
    def stem(self) -> str:
        return Path(self.source).stem

    @property
    def output(self) -> str:
        return str(Path(self.source).with_suffix(".html"))


@dataclasses.dataclass(frozen=True)
class Edition:
    name: str
    lang: str
    prefix: str  # "" for the main edition, "nb/" for Norwegian
    parameters: dict[str, Any]
    title: str


def load_quarto(root: Path) -> dict[str, Any]:
    path = root / QUARTO_FILE
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise BuildError(f"{QUARTO_FILE} is missing from {root}") from err
    except yaml.YAMLError as err:
        raise BuildError(f"{QUARTO_FILE} is not valid YAML: {err}") from err


def pages(config: dict[str, Any]) -> list[Page]:
    """Every page of the book in reading order: chapters (with their parts), then appendices."""
    book = config.get("book") or {}
    result: list[Page] = []

    def walk(entries: Iterable[Any], appendix: bool, part: str | None = None) -> None:
        for entry in entries or []:
            if isinstance(entry, str):
                result.append(Page(entry, part, appendix))
            elif isinstance(entry, dict) and "part" in entry:
                walk(entry.get("chapters", []), appendix, entry["part"])
            else:
                raise BuildError(f"{QUARTO_FILE}: cannot read chapter entry {entry!r}")

    walk(book.get("chapters", []), False)
    walk(book.get("appendices", []), True, "appendices")
    if not result or result[0].source not in ("index.qmd", "index.md", "index.ipynb"):
        raise BuildError(f"{QUARTO_FILE}: the first chapter must be index.qmd (a Quarto book's landing page)")
    return result


def load_editions(root: Path) -> list[Edition]:
    path = root / PARAMS_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise BuildError(f"{PARAMS_FILE} is missing from {root}") from err
    editions = []
    for name, spec in (raw.get("editions") or {}).items():
        params = dict(spec.get("parameters") or {})
        try:
            notebook.check_parameters(params)
        except notebook.ParameterError as err:
            raise BuildError(f"{PARAMS_FILE}, edition '{name}': {err}") from err
        prefix = spec.get("path", "").strip("/")
        editions.append(Edition(name, spec["lang"], f"{prefix}/" if prefix else "", params, spec.get("title", "")))
    if not editions or editions[0].prefix:
        raise BuildError(f"{PARAMS_FILE}: the first edition must be the main one (path '')")
    return editions


def chapter_parameters(root: Path, edition: Edition, page: Page) -> dict[str, Any]:
    """Edition parameters plus any per-chapter overrides in params.yml, checked against what the notebook declares."""
    raw = yaml.safe_load((root / PARAMS_FILE).read_text(encoding="utf-8")) or {}
    params = dict(edition.parameters)
    params.update((raw.get("chapters") or {}).get(page.stem, {}) or {})
    check_declared(root / page.source, params)
    return params


def declared_parameters(path: Path) -> dict[str, Any]:
    """The names a notebook declares in its ``parameters``-tagged cell (papermill's own reading of it)."""
    import papermill

    nb = nbformat.read(path, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise BuildError(f"{path.name}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    return papermill.inspect_notebook(str(path))


def check_declared(path: Path, params: dict[str, Any]) -> None:
    declared = declared_parameters(path)
    try:
        notebook.check_parameters(params, declared=declared)
    except notebook.ParameterError as err:
        raise BuildError(f"{path.name}: {err}") from err


# --------------------------------------------------------------------------------------------------------------------
# The cache: one record per chapter × edition, keyed on content hashes


def _sha(data_bytes: bytes) -> str:
    return hashlib.sha256(data_bytes).hexdigest()


def file_hash(path: Path) -> str:
    return _sha(path.read_bytes()) if path.exists() else "absent"


def notebook_source_hash(path: Path) -> str:
    """Hash of what the notebook *does*: cell types, sources and tags — not its stored outputs."""
    nb = nbformat.read(path, as_version=4)
    cells = [(c.cell_type, c.source, sorted(c.get("metadata", {}).get("tags", []))) for c in nb.cells]
    return _sha(json.dumps(cells).encode())


def helpers_hash() -> str:
    digest = hashlib.sha256()
    # build.py only drives execution; notebooks never import it, so editing it re-executes nothing
    for path in sorted(p for p in paths.helpers_source_dir().rglob("*.py") if p.name != "build.py"):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def environment_hash() -> str:
    """The installed distributions and their versions: a changed pin re-executes everything."""
    dists = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    return _sha("\n".join(dists).encode() + sys.version.encode())


@dataclasses.dataclass
class Task:
    edition: Edition
    page: Page
    params: dict[str, Any]
    key: str

    @property
    def label(self) -> str:
        return f"{self.edition.name}/{self.page.stem}"


def cache_record_path(root: Path, task: Task) -> Path:
    return root / "_build" / "cache" / task.edition.name / f"{task.page.stem}.json"


def executed_dir(root: Path, edition: Edition) -> Path:
    return root / "_build" / "executed" / edition.name / "notebooks"


def task_key(root: Path, page: Page, params: dict[str, Any], helpers_digest: str, env_digest: str) -> str:
    parts = [notebook_source_hash(root / page.source), json.dumps(params, sort_keys=True), helpers_digest, env_digest]
    return _sha("\n".join(parts).encode())


def is_fresh(root: Path, task: Task) -> bool:
    """True when the last successful execution had the same key and every data file it read is unchanged."""
    record_path = cache_record_path(root, task)
    output = executed_dir(root, task.edition) / f"{task.page.stem}.ipynb"
    if not record_path.exists() or not output.exists():
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False  # an unreadable record proves nothing: execute again
    if not isinstance(record, dict) or record.get("key") != task.key:
        return False
    return all(file_hash(root / rel) == digest for rel, digest in record.get("deps", {}).items())


# --------------------------------------------------------------------------------------------------------------------
# Execution


_progress_queue: Any = None  # set in each worker process by _init_worker


def _init_worker(queue: Any) -> None:
    global _progress_queue
    _progress_queue = queue


def _execute(root_str: str, task: Task, validated: str | None = None) -> dict[str, Any]:
    """Run one chapter with papermill in a scratch folder (runs in a worker process).

    ``validated`` is :func:`helpers.data.package_digest` of the data the build has just validated: the kernel's
    loaders skip re-validating while the files still hash to it. The kernel's own stderr (start-up warnings) goes to
    a log file instead of the build's output; its tail is reported if the kernel dies.
    """
    import papermill

    root = Path(root_str)
    started = time.perf_counter()
    if _progress_queue is not None:
        _progress_queue.put(task.label)
    work = Path(tempfile.mkdtemp(prefix=f"exec-{task.edition.name}-{task.page.stem}-", dir=root / "_build"))
    deps_log = work / "deps.log"
    os.environ[data.DEPS_LOG_ENV] = str(deps_log)
    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    if validated:
        os.environ[data.VALIDATED_ENV] = validated
    else:
        os.environ.pop(data.VALIDATED_ENV, None)
    output = work / f"{task.page.stem}.ipynb"
    kernel_log = work / "kernel.log"
    try:
        with _stderr_to(kernel_log):
            papermill.execute_notebook(
                str(root / task.page.source),
                str(output),
                parameters=task.params,
                cwd=str(work),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                report_mode=False,
                # written once at the end (and by papermill on a failing cell), not twice per cell
                request_save_on_cell_execute=False,
                # every output has arrived when the last cell replies: stop the kernel instead of waiting for it
                shutdown_kernel="immediate",
            )
    except papermill.PapermillExecutionError as err:
        failed = root / "_build" / "failed" / task.edition.name
        failed.mkdir(parents=True, exist_ok=True)
        kept = failed / f"{task.page.stem}.ipynb"
        if output.exists():
            shutil.copy2(output, kept)
        shutil.rmtree(work, ignore_errors=True)
        cell = _source_cell_number(root / task.page.source, kept, err.cell_index)
        return {
            "ok": False,
            "label": task.label,
            "error": f"{task.page.source}: cell {cell} raised {err.ename}: {err.evalue} "
            f"(partial output kept in {kept.relative_to(root)})",
            "seconds": time.perf_counter() - started,
        }
    except Exception as err:  # kernel death, missing kernel, bad notebook JSON
        tail = _tail(kernel_log)
        shutil.rmtree(work, ignore_errors=True)
        message = f"{task.page.source}: {type(err).__name__}: {err}" + (f"\n    kernel stderr: {tail}" if tail else "")
        return {"ok": False, "label": task.label, "seconds": time.perf_counter() - started, "error": message}
    deps = sorted(set(deps_log.read_text(encoding="utf-8").split())) if deps_log.exists() else []
    return {
        "ok": True,
        "label": task.label,
        "work": str(work),
        "deps": deps,
        "seconds": time.perf_counter() - started,
    }


class _stderr_to:
    """Point file descriptor 2 (inherited by the kernel papermill starts) at ``path`` for the duration."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        sys.stderr.flush()
        self.saved = os.dup(2)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)

    def __exit__(self, *exc: object) -> None:
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.splitlines() if line.strip() and "without encryption" not in line]
    return " | ".join(kept[-lines:])


def _source_cell_number(source: Path, executed: Path, cell_index: int) -> int:
    """The failing cell's number (1-based) in the committed notebook, discounting papermill's injected cell."""
    try:
        nb = nbformat.read(executed, as_version=4)
        injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
        if injected and cell_index > injected[0]:
            return cell_index  # 0-based index minus the injected cell, plus one
    except Exception:
        pass
    return cell_index + 1


def _store(root: Path, task: Task, result: dict[str, Any]) -> None:
    """Move a successful execution into ``_build/executed`` and record what it depended on."""
    work = Path(result["work"])
    target = executed_dir(root, task.edition)
    target.mkdir(parents=True, exist_ok=True)
    figures_src = work / "figures" / task.page.stem
    figures_dst = target / "figures" / task.page.stem
    if figures_dst.exists():
        shutil.rmtree(figures_dst)
    if figures_src.exists():
        figures_dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(figures_src), figures_dst)
    os.replace(work / f"{task.page.stem}.ipynb", target / f"{task.page.stem}.ipynb")
    deps = {}
    for dep in result["deps"]:
        dep_path = Path(dep)
        try:
            rel = dep_path.resolve().relative_to(root)
        except ValueError:
            continue
        deps[str(rel)] = file_hash(dep_path)
    record = {"key": task.key, "deps": deps, "seconds": round(result["seconds"], 2)}
    record_path = cache_record_path(root, task)
    record_path.parent.mkdir(parents=True, exist_ok=True)
    # write-then-rename: a build killed mid-write leaves the old record or the new one, never half of one
    partial = record_path.with_suffix(".json.partial")
    partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(partial, record_path)
    shutil.rmtree(work, ignore_errors=True)


def plan(root: Path, editions: Sequence[Edition], book_pages: Sequence[Page]) -> list[Task]:
    helpers_digest, env_digest = helpers_hash(), environment_hash()
    tasks = []
    for edition in editions:
        for page in book_pages:
            if not page.is_notebook:
                continue
            if not (root / page.source).exists():
                raise BuildError(f"{QUARTO_FILE} lists {page.source}, which does not exist")
            params = chapter_parameters(root, edition, page)
            tasks.append(Task(edition, page, params, task_key(root, page, params, helpers_digest, env_digest)))
    return tasks


def _expected_cost(root: Path, task: Task) -> float:
    """A rough ordering key: the last recorded run time, else the committed notebook's size (outputs included)."""
    record = cache_record_path(root, task)
    try:
        return float(json.loads(record.read_text(encoding="utf-8"))["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return (root / task.page.source).stat().st_size / 30_000  # about 30 kB of stored output per second


def execute_all(root: Path, tasks: Sequence[Task], jobs: int, log=print,
                validated: str | None = None) -> dict[str, Any]:
    """Execute stale tasks in parallel; return a summary. Raises BuildError after all finished if any failed.

    Progress is logged as plain lines while it happens: when a run starts (in its worker), when it finishes (with
    its seconds) or fails. The longest runs are started first so that the last ones to finish are short.
    """
    import multiprocessing

    stale = [t for t in tasks if not is_fresh(root, t)]
    for t in tasks:
        if t not in stale:
            log(f"  {t.label:32s} up to date")
    timings: dict[str, float] = {}
    errors = []
    if stale:
        (root / "_build").mkdir(exist_ok=True)
        order = sorted(stale, key=lambda t: -_expected_cost(root, t))
        total, done = len(order), 0
        started_queue = multiprocessing.get_context().SimpleQueue()

        def report_started() -> None:
            while not started_queue.empty():
                log(f"  started   {started_queue.get()}")

        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, min(jobs, total)),
                                                    initializer=_init_worker, initargs=(started_queue,)) as pool:
            futures = {pool.submit(_execute, str(root), t, validated): t for t in order}
            pending = set(futures)
            while pending:
                finished, pending = concurrent.futures.wait(pending, timeout=0.2,
                                                            return_when=concurrent.futures.FIRST_COMPLETED)
                report_started()
                for future in sorted(finished, key=lambda f: order.index(futures[f])):
                    t = futures[future]
                    result = future.result()
                    done += 1
                    if result["ok"]:
                        _store(root, t, result)
                        timings[t.label] = result["seconds"]
                        log(f"  finished  {t.label:32s} {result['seconds']:6.1f} s   ({done}/{total})")
                    else:
                        errors.append(result["error"])
                        log(f"  FAILED    {t.label:32s} {result.get('seconds', 0.0):6.1f} s   ({done}/{total}): "
                            f"{result['error'].splitlines()[0]}")
    if errors:
        raise BuildError("execution failed:\n  " + "\n  ".join(errors))
    return {"executed": sorted(timings), "timings": timings, "cached": [t.label for t in tasks if t not in stale]}


# --------------------------------------------------------------------------------------------------------------------
# Rendering with pandoc (Quarto where installed)


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _relative(from_output: str, to_output: str) -> str:
    return os.path.relpath(to_output, start=os.path.dirname(from_output) or ".").replace(os.sep, "/")


def page_title(root: Path, page: Page, source: Path) -> str:
    """The page's title: a .qmd's ``title`` front matter, or a notebook's first level-1 heading."""
    if page.is_notebook:
        nb = nbformat.read(source, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                match = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
                if match:
                    return re.sub(r"\s*\{.*\}\s*$", "", match.group(1)).strip()
        return page.stem
    text = source.read_text(encoding="utf-8")
    front = re.match(r"^---\n(.*?)\n---", text, flags=re.S)
    if front:
        meta = yaml.safe_load(front.group(1)) or {}
        if meta.get("title"):
            return str(meta["title"])
    return page.stem


UI = {
    "en": {"nav": "Chapters", "toc": "On this page", "skip": "Skip to content", "appendices": "Appendices",
           "switch": "Norsk", "switch_lang": "nb", "download": "Download the executed notebook",
           "footer": "Built from the notebooks and data in this repository. Every number is traceable to the report; see the data links under each figure."},
    "nb": {"nav": "Kapitler", "toc": "På denne siden", "skip": "Hopp til innholdet", "appendices": "Vedlegg",
           "switch": "English", "switch_lang": "en", "download": "Last ned den kjørte notatboken",
           "footer": "Bygget fra notatbøkene og dataene i dette depotet. Hvert tall kan spores til rapporten; se datalenkene under hver figur."},
}


def nav_html(book_pages: Sequence[Page], titles: dict[str, str], current: Page, lang: str) -> str:
    items, part = [], None
    for page in book_pages:
        if page.part != part:
            part = page.part
            if part:
                heading = UI[lang]["appendices"] if part == "appendices" else part
                items.append(f'<li class="part">{html.escape(heading)}</li>')
        href = _relative(current.output, page.output)
        attr = ' aria-current="page"' if page == current else ""
        items.append(f'<li><a href="{href}"{attr}>{html.escape(titles[page.source])}</a></li>')
    return "<ol>\n" + "\n".join(items) + "\n</ol>"


def lang_switch_html(editions: Sequence[Edition], edition: Edition, page: Page) -> str:
    links = []
    here = edition.prefix + page.output
    for other in editions:
        if other is edition:
            continue
        target = other.prefix + page.output
        href = _relative(here, target)
        label = UI[other.lang]["switch"] if other.lang in UI else other.name
        links.append(f'<a href="{href}" hreflang="{other.lang}" lang="{other.lang}">{html.escape(UI[edition.lang]["switch"] if len(editions) == 2 else label)}</a>')
    return f'<p class="lang-switch">{" · ".join(links)}</p>' if links else ""


def cited_keys(text: str, known: set[str]) -> set[str]:
    return {k for k in re.findall(r"@([A-Za-z0-9_:\-]+)", text) if k in known}


def bib_keys(bib: Path) -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(encoding="utf-8"), flags=re.M))


PAGE_KEYS_FILE = "render-pages.json"


def _page_files(out_root: Path, page: Page) -> list[Path]:
    """What rendering one page writes: its HTML and, for a notebook, the notebook and its figure data."""
    output = out_root / page.output
    if not page.is_notebook:
        return [output]
    return [output, output.parent / f"{page.stem}.ipynb", output.parent / "figures" / page.stem]


def render_pandoc(root: Path, stage: Path, editions: Sequence[Edition], book_pages: Sequence[Page], config: dict[str, Any],
                  jobs: int | None = None, log=print) -> dict[str, str]:
    """Render every page of every edition, ``jobs`` pandoc processes at a time (default: one per core).

    Pages are independent (each writes only its own files), so they render in parallel; if any fails, the first
    failure in reading order is raised after all have finished. A page whose inputs — its source, and everything
    every page shares (configuration, bibliography, templates, the titles in the navigation, the citations the
    reference list gathers) — hash as when the published page was rendered is copied from ``_site/`` instead.
    Returns the page keys, to be recorded once the stage is published.
    """
    assets = paths.site_assets_dir()
    bibliography = root / config.get("bibliography", "references.bib")
    known = bib_keys(bibliography)
    csl = config.get("csl")
    site_title = (config.get("book") or {}).get("title", SITE_TITLE_FALLBACK)
    pandoc_path()  # locate pandoc once, before the threads ask for it
    work: list[tuple[Any, ...]] = []
    keys: dict[str, str] = {}
    keys_path = root / "_build" / PAGE_KEYS_FILE
    try:
        previous_keys = json.loads(keys_path.read_text(encoding="utf-8")) if keys_path.exists() else {}
    except json.JSONDecodeError:
        previous_keys = {}
    for edition in editions:
        out_root = stage / edition.prefix
        out_root.mkdir(parents=True, exist_ok=True)
        for asset in ("style.css", "favicon.svg"):
            shutil.copy2(assets / asset, out_root / asset)
        sources = {p.source: _source_for(root, edition, p) for p in book_pages}
        titles = {p.source: page_title(root, p, sources[p.source]) for p in book_pages}
        all_cited: set[str] = set()
        for page in book_pages:
            all_cited |= cited_keys(sources[page.source].read_text(encoding="utf-8"), known)
        shared = _tree_key([root / QUARTO_FILE, root / PARAMS_FILE, bibliography, assets, Path(__file__),
                            *quarto_includes(root)])
        shared = _sha(json.dumps([shared, edition.name, titles, sorted(all_cited)]).encode())
        for page in book_pages:
            key = _sha((shared + file_hash(sources[page.source])).encode())
            name = f"{edition.prefix}{page.output}"
            keys[name] = key
            published = root / "_site" / edition.prefix
            if previous_keys.get(name) == key and all(f.exists() for f in _page_files(published, page)):
                for kept, target in zip(_page_files(published, page), _page_files(out_root, page)):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if kept.is_dir():
                        shutil.copytree(kept, target, dirs_exist_ok=True)
                    else:
                        shutil.copy2(kept, target)
                continue
            work.append((root, edition, editions, page, sources[page.source], titles, out_root, bibliography, csl,
                         all_cited, site_title or edition.title, book_pages))
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 2)) as pool:
        futures = [pool.submit(_render_page, *args) for args in work]
        concurrent.futures.wait(futures)
    for future in futures:
        future.result()  # the first failure in reading order
    for edition in editions:
        if not (stage / edition.prefix / "index.html").exists():
            raise BuildError(f"rendering produced no index.html for edition {edition.name}")
    log(f"  {len(work)} pages rendered, {len(keys) - len(work)} unchanged pages kept from the published site")
    return keys


def reader_notebook(executed: Path, target: Path) -> Path:
    """The executed notebook as pandoc should read it: prose and outputs as Markdown cells, no code, no metadata.

    pandoc's ipynb reader drops ``text/markdown`` outputs, where every figure and table lives; Quarto renders them.
    Turning each output into a Markdown cell makes both renderers show the same page (code stays hidden, as
    ``echo: false`` in ``_quarto.yml`` asks; the notebook itself is linked from every page).
    """
    nb = nbformat.read(executed, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(cell.source))
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                cells.append(nbformat.v4.new_markdown_cell("```\n" + output["text"].rstrip() + "\n```"))
            elif output.get("output_type") in ("display_data", "execute_result"):
                bundle = output.get("data", {})
                if "text/markdown" in bundle:
                    cells.append(nbformat.v4.new_markdown_cell(bundle["text/markdown"]))
                elif "image/png" in bundle:
                    cells.append(nbformat.v4.new_markdown_cell(f"![](data:image/png;base64,{bundle['image/png'].strip()})"))
    reader = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": nb.metadata.get("kernelspec", {})})
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(reader, target)
    return target


def _source_for(root: Path, edition: Edition, page: Page) -> Path:
    if page.is_notebook:
        return executed_dir(root, edition) / f"{page.stem}.ipynb"
    return root / page.source


def _render_page(root: Path, edition: Edition, editions: Sequence[Edition], page: Page, source: Path,
                 titles: dict[str, str], out_root: Path, bibliography: Path, csl: str | None, all_cited: set[str],
                 site_title: str, book_pages: Sequence[Page]) -> None:
    assets = paths.site_assets_dir()
    output = out_root / page.output
    output.parent.mkdir(parents=True, exist_ok=True)
    ui = UI.get(edition.lang, UI["en"])
    depth = page.output.count("/")
    footer = html.escape(ui["footer"])
    if page.is_notebook:
        shutil.copy2(source, output.parent / f"{page.stem}.ipynb")
        figures = source.parent / "figures" / page.stem
        if figures.exists():
            shutil.copytree(figures, output.parent / "figures" / page.stem, dirs_exist_ok=True)
        footer = f'<a href="{page.stem}.ipynb" download>{html.escape(ui["download"])} ({page.stem}.ipynb)</a>. ' + footer
    is_references = page.stem == "references"
    args = [
        pandoc_path(),
        str(source),
        "-f", "ipynb+citations+implicit_figures+link_attributes+header_attributes+table_captions+pipe_tables+fenced_divs+bracketed_spans" if page.is_notebook else "markdown",
        "-t", "html5",
        "--standalone",
        "--section-divs",
        "--citeproc",
        "--bibliography", str(bibliography),
        "--template", str(assets / "template.html"),
        "--lua-filter", str(assets / "site.lua"),
        *[arg for include in quarto_includes(root) for arg in ("--include-after-body", str(include))],
        "-M", f"lang={edition.lang}",
        "-M", f"pagetitle={titles[page.source]}",
        "-M", "link-citations=true",
        "-M", "reference-section-title=" + ("References" if edition.lang == "en" else "Referanser"),
        "-V", f"site-title={site_title}",
        "-V", f"root={'../' * depth}",
        "-V", f"nav={nav_html(book_pages, titles, page, edition.lang)}",
        "-V", f"nav-label={ui['nav']}",
        "-V", f"toc-label={ui['toc']}",
        "-V", f"skip-label={ui['skip']}",
        "-V", f"langswitch={lang_switch_html(editions, edition, page)}",
        "-V", f"footer={footer}",
        "-o", str(output),
    ]
    if csl:
        args += ["--csl", str(root / csl)]
    if page.is_notebook:
        args += ["--toc", "--toc-depth=2"]
    if is_references:
        # -M values are plain strings; citeproc only sees `nocite` citations in parsed (YAML) metadata
        nocite = root / "_build" / f"nocite-{edition.name}.yml"
        nocite.write_text(yaml.safe_dump({"nocite": " ".join(f"@{k}" for k in sorted(all_cited))}), encoding="utf-8")
        args += ["--metadata-file", str(nocite)]
    if page.is_notebook:
        args[1] = str(reader_notebook(source, root / "_build" / "reader" / edition.name / f"{page.stem}.ipynb"))
    proc = subprocess.run(args, capture_output=True, text=True, cwd=str(source.parent))
    if proc.returncode != 0:
        raise BuildError(f"pandoc failed on {page.source} ({edition.name}): {proc.stderr.strip()}")
    warnings = [line for line in proc.stderr.splitlines() if "Citeproc: citation" in line and "not found" in line]
    if warnings:
        raise BuildError(f"{page.source}: {'; '.join(warnings)} — add the key to references.bib")


def quarto_includes(root: Path) -> list[Path]:
    """Files ``_quarto.yml`` includes after each page's body (the table search box): both renderers include them."""
    html = (load_quarto(root).get("format") or {}).get("html") or {}
    names = html.get("include-after-body") or []
    return [root / name for name in ([names] if isinstance(names, str) else names)]


def render_quarto(root: Path, stage: Path, editions: Sequence[Edition], book_pages: Sequence[Page]) -> None:
    """Render each edition with Quarto from a staged copy holding the executed notebooks (execution disabled)."""
    for edition in editions:
        project = root / "_build" / f"quarto-{edition.name}"
        if project.exists():
            shutil.rmtree(project)
        project.mkdir(parents=True)
        includes = [str(p.relative_to(root)) for p in quarto_includes(root)]
        for name in (QUARTO_FILE, "references.bib", *includes, *[p.source for p in book_pages if not p.is_notebook]):
            if (root / name).exists():
                (project / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / name, project / name)
        config = load_quarto(root)
        config["lang"] = edition.lang
        (project / QUARTO_FILE).write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        shutil.copytree(executed_dir(root, edition), project / "notebooks", dirs_exist_ok=True)
        out = stage / edition.prefix
        proc = subprocess.run(["quarto", "render", str(project), "--output-dir", str(out)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(f"quarto render failed ({edition.name}): {proc.stderr.strip()[-2000:]}")


# --------------------------------------------------------------------------------------------------------------------
# Publishing


def publish(root: Path, stage: Path) -> None:
    """Replace ``_site`` with ``stage``: two renames, with ``_site.previous`` kept until the new one is in place."""
    site = root / "_site"
    previous = root / "_site.previous"
    if previous.exists():
        shutil.rmtree(previous)
    if site.exists():
        os.replace(site, previous)
    os.replace(stage, site)
    if previous.exists():
        shutil.rmtree(previous)
    _world_readable(site)


def recover(root: Path) -> None:
    """Undo a publish interrupted between its two renames: bring the previous site back."""
    site, previous = root / "_site", root / "_site.previous"
    if previous.exists() and not site.exists():
        os.replace(previous, site)
    elif previous.exists():
        shutil.rmtree(previous)
    for leftover in (root / "_build").glob("stage-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in (root / "_build").glob("exec-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _world_readable(path: Path) -> None:
    # linkchecker drops to user nobody when run as root
    for p in [path, *path.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(mode | 0o444 | (0o111 if p.is_dir() else 0))


class BuildLock:
    """One build at a time per project: the second waits (up to ``timeout`` seconds) and says so, then gives up."""

    def __init__(self, root: Path, timeout: float, log=print) -> None:
        from filelock import FileLock

        (root / "_build").mkdir(exist_ok=True)
        self.path = root / "_build" / "build.lock"
        self.lock = FileLock(str(self.path))
        self.timeout = timeout
        self.log = log

    def __enter__(self) -> "BuildLock":
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            self.log(f"another build holds {self.path}; waiting up to {self.timeout:g} s …")
            try:
                self.lock.acquire(timeout=self.timeout)
            except Timeout as err:
                raise BuildError(
                    f"another build is still running (lock {self.path}); try again when it has finished"
                ) from err
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def _say(*args: object) -> None:
    """The default log: plain lines, flushed at once so CI logs show progress as it happens."""
    print(*args, flush=True)


def build_site(root: Path | None = None, jobs: int | None = None, lock_timeout: float = 900, log=_say) -> dict[str, Any]:
    """The whole build. Returns a summary (what executed, what was cached, timings)."""
    root = (root or paths.root()).resolve()
    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    started = time.perf_counter()
    with BuildLock(root, lock_timeout, log):
        recover(root)
        config = load_quarto(root)
        book_pages = pages(config)
        editions = load_editions(root)
        log("validating data …")
        # hashed before validating: if a file changes meanwhile, the kernels see other bytes and validate themselves
        try:
            validated_digest: str | None = data.package_digest(root / "data")
        except OSError:
            validated_digest = None  # validation below names what is missing
        # the same digest keys the skip: it covers exactly what validate_all checks, and the rules that check it
        validation_key = validated_digest or "unreadable"
        if validated_digest and _stamp_matches(root, "validated", validation_key):
            log("  data unchanged since the last successful validation")
        else:
            try:
                checked = data.validate_all(root / "data")
            except data.DataValidationError as err:
                raise BuildError(f"data validation failed — no notebook was executed:\n  {err}") from err
            _write_stamp(root, "validated", validation_key)
            log(f"  {len(checked)} data files valid")
        tasks = plan(root, editions, book_pages)
        # one kernel more than there are cores: a kernel waiting to start up or to be read leaves its core idle
        workers = jobs or (os.cpu_count() or 1) + 1
        log(f"executing {len(tasks)} chapter runs ({workers} at a time) …")
        t_exec = time.perf_counter()
        summary = execute_all(root, tasks, workers, log, validated=validated_digest)
        summary["prepare_seconds"] = t_exec - started
        summary["execute_seconds"] = time.perf_counter() - t_exec
        log("rendering …")
        t_render = time.perf_counter()
        render_key = _tree_key([root / "_build" / "executed", root / QUARTO_FILE, root / PARAMS_FILE,
                                root / config.get("bibliography", "references.bib"), paths.site_assets_dir(),
                                Path(__file__), *quarto_includes(root),
                                *[root / p.source for p in book_pages if not p.is_notebook]])
        summary["rendered"] = not ((root / "_site").exists() and _stamp_matches(root, "rendered", render_key))
        stage = Path(tempfile.mkdtemp(prefix="stage-", dir=root / "_build"))
        try:
            if not summary["rendered"]:
                log("  nothing changed since the published site; _site/ left as it is")
                summary["render_seconds"] = time.perf_counter() - t_render
                return _finish(summary, started, log)
            page_keys: dict[str, str] = {}
            if shutil.which("quarto"):
                (root / "_build" / PAGE_KEYS_FILE).unlink(missing_ok=True)  # Quarto's pages are not pandoc's
                log("  with quarto")
                render_quarto(root, stage, editions, book_pages)
            else:
                log("  with pandoc (quarto is not installed)")
                page_keys = render_pandoc(root, stage, editions, book_pages, config, jobs, log)
            publish(root, stage)
            _write_stamp(root, "rendered", render_key)
            if page_keys:
                # only now do the published pages match these keys
                (root / "_build" / PAGE_KEYS_FILE).write_text(json.dumps(page_keys, indent=1), encoding="utf-8")
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)
            summary["render_seconds"] = time.perf_counter() - t_render
    return _finish(summary, started, log)


def _finish(summary: dict[str, Any], started: float, log) -> dict[str, Any]:
    summary["total_seconds"] = time.perf_counter() - started
    log(_timing_table(summary))
    return summary


def _tree_key(paths_to_hash: Iterable[Path]) -> str:
    """Content hash of files and folders (names and bytes), for skipping work whose inputs did not change."""
    digest = hashlib.sha256()
    for base in paths_to_hash:
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            digest.update(str(path).encode())
            digest.update(path.read_bytes() if path.exists() else b"absent")
    return digest.hexdigest()


def _stamp_matches(root: Path, name: str, key: str) -> bool:
    stamp = root / "_build" / f"{name}.key"
    return stamp.exists() and stamp.read_text(encoding="utf-8") == key


def _write_stamp(root: Path, name: str, key: str) -> None:
    (root / "_build" / f"{name}.key").write_text(key, encoding="utf-8")


def _timing_table(summary: dict[str, Any]) -> str:
    lines = ["timing:"]
    for label, seconds in sorted(summary["timings"].items()):
        lines.append(f"  {label:32s} {seconds:6.1f} s")
    if summary["cached"]:
        lines.append(f"  {len(summary['cached'])} chapter runs up to date (not executed)")
    prepare = f"validation and planning {summary['prepare_seconds']:.1f} s · " if "prepare_seconds" in summary else ""
    lines.append(f"  {prepare}execution {summary['execute_seconds']:.1f} s · rendering {summary['render_seconds']:.1f} s · "
                 f"total {summary['total_seconds']:.1f} s")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------------
# Reference notebooks: re-execute with defaults and rewrite the committed outputs (``make reproduce``)


VOLATILE_NOTEBOOK_METADATA = ("papermill", "widgets")


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what changes from run to run (papermill timings, execution metadata, Python patch version)."""
    nb = copy.deepcopy(nb)
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.pop("id", None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count if cell.outputs or cell.source.strip() else None
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = cell.execution_count
                output.pop("metadata", None) if output.get("output_type") == "stream" else None
    nb.nbformat, nb.nbformat_minor = 4, 4
    return nb


def _outputs_text(cell: nbformat.NotebookNode) -> str:
    return json.dumps(cell.get("outputs", []), sort_keys=True)


def reproduce(root: Path | None = None, names: Sequence[str] = (), log=print) -> list[str]:
    """Re-execute committed notebooks with default parameters; rewrite them; return 'notebook: cell N' that changed."""
    import papermill

    root = (root or paths.root()).resolve()
    os.environ["BEST_SAMMEN_ROOT"] = str(root)
    config = load_quarto(root)
    targets = [p for p in pages(config) if p.is_notebook and (not names or p.stem in names)]
    data.validate_all(root / "data")
    changed: list[str] = []
    for page in targets:
        source = root / page.source
        with tempfile.TemporaryDirectory(dir=root / "_build" if (root / "_build").exists() else None) as tmp:
            out = Path(tmp) / source.name
            papermill.execute_notebook(str(source), str(out), parameters={}, cwd=str(source.parent),
                                       kernel_name="python3", progress_bar=False)
            fresh = normalise(nbformat.read(out, as_version=4))
        old = nbformat.read(source, as_version=4)
        for i, (a, b) in enumerate(zip(old.cells, fresh.cells), start=1):
            if a.cell_type == "code" and _outputs_text(a) != _outputs_text(b):
                changed.append(f"{page.source}: cell {i}")
        if len(old.cells) != len(fresh.cells):
            changed.append(f"{page.source}: cell count {len(old.cells)} → {len(fresh.cells)}")
        nbformat.write(fresh, source)
        log(f"  {page.source}: rewritten")
    return changed


# --------------------------------------------------------------------------------------------------------------------
# Command line


def run_chapter(name: str, params: dict[str, Any], root: Path | None = None, log=print) -> Path:
    """Execute one chapter with custom parameters into ``_build/runs/`` (for trying other assumptions)."""
    import papermill

    root = (root or paths.root()).resolve()
    matches = [p for p in pages(load_quarto(root)) if p.is_notebook and name in (p.stem, p.source)]
    if not matches:
        raise BuildError(f"no chapter '{name}' in {QUARTO_FILE}")
    page = matches[0]
    check_declared(root / page.source, params)
    data.validate_all(root / "data")
    out_dir = root / "_build" / "runs" / page.stem
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "-".join(f"{k}={v}" for k, v in sorted(params.items())) or "defaults"
    output = out_dir / f"{page.stem}-{suffix}.ipynb"
    papermill.execute_notebook(str(root / page.source), str(output), parameters=params, cwd=str(out_dir),
                               kernel_name="python3", progress_bar=True)
    log(f"executed notebook: {output}")
    return output


def _parse_value(text: str) -> Any:
    return yaml.safe_load(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.build", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_site = sub.add_parser("site", help="execute what changed, render and publish _site/")
    p_site.add_argument("--jobs", type=int, default=None, help="kernels at a time (default: one per core, plus one)")
    p_site.add_argument("--lock-timeout", type=float, default=float(os.environ.get("BEST_SAMMEN_LOCK_TIMEOUT", 900)))
    sub.add_parser("validate", help="validate every data file against data/datapackage.json")
    p_run = sub.add_parser("run", help="execute one chapter with other parameters into _build/runs/")
    p_run.add_argument("chapter", help="e.g. 01-awareness")
    p_run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    p_rep = sub.add_parser("reproduce", help="re-execute the committed notebooks with defaults and rewrite them")
    p_rep.add_argument("chapters", nargs="*")
    args = parser.parse_args(argv)
    try:
        if args.command == "site":
            build_site(jobs=args.jobs, lock_timeout=args.lock_timeout)
        elif args.command == "validate":
            names = data.validate_all()
            print(f"{len(names)} data files valid: {', '.join(names)}")
        elif args.command == "run":
            run_chapter(args.chapter, {k: _parse_value(v) for k, v in args.parameter})
        elif args.command == "reproduce":
            changed = reproduce(names=args.chapters)
            print("cells whose outputs changed:" if changed else "no output changed")
            for line in changed:
                print(f"  {line}")
    except (BuildError, data.DataValidationError, notebook.ParameterError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
