"""Render each edition with Quarto, from a Quarto project of its own under ``_build/quarto/<edition>/``.

Each edition's project holds copies of the configuration, the landing and reference pages, the bibliography, the
assets, and the notebooks papermill executed for that edition (execution is off in ``_quarto.yml``: Quarto renders
what is stored). The project is kept between builds, so Quarto's own index of titles and cross-references lets a
changed chapter be rendered alone: a page is rendered again when its source or figure data changed; every page is
when anything all pages share changed (configuration, bibliography, assets, a chapter title, Quarto's version).

Quarto exits 0 on an unresolved citation or cross-reference and on a missing resource; here any warning it prints,
and any unresolved reference left in a page, fails the build with the page named.
"""

from __future__ import annotations

import concurrent.futures
import html
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .. import paths
from . import cache, quarto
from .config import QUARTO_FILE, BuildError, Edition, Page, load_quarto, page_title, resolve_spans
from .execute import executed_figures, executed_path

Log = Callable[..., None]
ASSETS = "assets"
NPM = "node_modules/"  # npm's packages (package-lock.json): installed in the checkout, shared by its copies
DOWNLOADS = "downloads"  # beside each chapter: its executed notebook, linked from every figure (Quarto leaves it be)
MAX_SINGLE_RENDERS = 2  # more changed pages than this: render the whole book in one run
QUARTO_LOCK_WAITS = (1.0, 3.0, 9.0)  # seconds before each new try when Quarto's cache was locked
SEARCH_INDEX_RETRIES = 6  # one-page renders again while search.json keeps a page's old text (then the whole book)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PROGRESS = re.compile(r"^\[\s*\d+/\d+\]\s+(\S+)")
_PROBLEM = re.compile(r"\bWARN(ING)?\b|\bERROR\b|\[WARNING\]|\[ERROR\]")
_UNRECORDED = re.compile(r"\{python\}[ \t][^<`]{0,80}")
_LOCAL_REF = re.compile(r'(?:src|href|srcset)="([^"]*)"')  # a figure's phone layout is a <source srcset>
_UNRESOLVED = re.compile(r'quarto-unresolved-ref|\?@[\w:-]+|<strong>[\w:-]+\?</strong></a>')


def project_dir(root: Path, edition: Edition) -> Path:
    return root / "_build" / "quarto" / edition.name


def shared_inputs(root: Path, config: dict[str, Any]) -> list[str]:
    """Files every page of every edition depends on, relative to the root."""
    names = [QUARTO_FILE, *sorted(p.name for p in root.glob("_quarto-*.yml"))]
    bibliography = config.get("bibliography") or []
    names += [bibliography] if isinstance(bibliography, str) else list(bibliography)
    if config.get("csl"):
        names.append(str(config["csl"]))
    if (root / ASSETS).is_dir():
        names += sorted(str(p.relative_to(root)) for p in (root / ASSETS).rglob("*") if p.is_file())
    # npm's files a page loads (the audit's DataTables): the project's resources under node_modules/
    names += [r for r in (config.get("project") or {}).get("resources") or [] if str(r).startswith(NPM)]
    return names


def _copy_if_changed(source: Path, target: Path) -> None:
    if not source.exists():
        raise BuildError(f"{source.name} is missing (needed to render the site)")
    if target.exists() and target.read_bytes() == source.read_bytes():
        return  # unchanged: keep its time stamp
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


#: Where Quarto writes an edition inside its project under ``_build/quarto/<edition>/``.
OUTPUT_DIR = "_site"


def build_config_text(root: Path) -> str:
    """``_quarto.yml`` as an edition's project renders with it: output into the project's own ``_site/``, and without
    the ``pre-render`` guard that stops a ``quarto render`` at the repository root (tools/use-make-site.ts)."""
    import yaml

    config = load_quarto(root)
    project = dict(config.get("project") or {})
    project["output-dir"] = OUTPUT_DIR
    project.pop("pre-render", None)
    config["project"] = project
    released = release_date(root)
    if released:  # a date fixed in the sources, not `today`: the same sources render the same bytes on any day
        config["book"] = {**(config.get("book") or {}), "date": released}
    return ("# Written by helpers.pipeline.render from the repository's _quarto.yml; edits here are overwritten.\n"
            + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=1000))


#: The citation metadata whose ``date-released`` is the title page's date.
CITATION_FILE = "CITATION.cff"


def release_date(root: Path) -> str | None:
    """``date-released`` of ``CITATION.cff`` as ``YYYY-MM-DD``, or None when the file gives none."""
    import yaml

    path = root / CITATION_FILE
    if not path.exists():
        return None
    try:
        released = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("date-released")
    except yaml.YAMLError as error:
        raise BuildError(f"{CITATION_FILE}: not valid YAML ({str(error).splitlines()[0]})") from None
    if released is None:
        return None
    text = str(released)  # YAML reads an unquoted date as a date
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise BuildError(f"{CITATION_FILE}: date-released is {text!r}; write it as YYYY-MM-DD")
    return text


def _write_if_changed(text: str, target: Path) -> None:
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return  # unchanged: keep its time stamp
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _sync_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    if source.exists():
        shutil.copytree(source, target)


#: What Quarto takes as a page's source (a file of these kinds left in a project is rendered as a page, or clashes).
PAGE_SUFFIXES = (".qmd", ".ipynb", ".md")


def _remove_unlisted_pages(project: Path, book_pages: Sequence[Page]) -> None:
    """Delete page sources a project kept from an earlier build that the book no longer lists: an ``index.qmd`` left
    beside a new ``index.ipynb`` would give Quarto two sources for one ``index.html``."""
    listed = {page.source for page in book_pages}
    folders = {project, *(project / Path(page.source).parent for page in book_pages)}
    for folder in folders:
        for path in folder.glob("*"):
            if path.suffix in PAGE_SUFFIXES and path.is_file() and str(path.relative_to(project)) not in listed:
                path.unlink()


def shared_path(root: Path, name: str) -> Path:
    """Where a shared input is read from: npm's files from the checkout that installed them (a copy of the project
    has no node_modules/ of its own), the rest from ``root``."""
    return (paths.checkout() if name.startswith(NPM) else root) / name


def shared_digest(root: Path, shared: Sequence[str]) -> str:
    """Names and bytes of the shared inputs, each under the name the project gives it: a copy of the project, which
    reads npm's files from the checkout, has the checkout's key."""
    return cache.sha(json.dumps([[name, cache.tree_digest([shared_path(root, name)],
                                                          relative_to=shared_path(root, name))]
                                 for name in shared]).encode())


def stage_project(root: Path, edition: Edition, book_pages: Sequence[Page], shared: Sequence[str],
                  changed: Sequence[str] | None = None) -> Path:
    """Bring the edition's Quarto project up to date with the sources and the executed notebooks.

    ``changed`` names the pages whose inputs changed since the last render (None: all of them); the others are
    already in place.
    """
    from .reproduce import normalise_file

    project = project_dir(root, edition)
    _remove_unlisted_pages(project, book_pages)
    for name in shared:
        if name == QUARTO_FILE:
            _write_if_changed(build_config_text(root), project / name)
        else:
            _copy_if_changed(shared_path(root, name), project / name)
    for page in book_pages:
        if changed is not None and page.source not in changed:
            continue
        if not page.is_notebook:
            _copy_if_changed(root / page.source, project / page.source)
            continue
        target = project / page.source
        # without papermill's timings and random cell ids, the same inputs give the same pages, byte for byte
        download = target.parent / DOWNLOADS / f"{page.stem}.ipynb"
        download.parent.mkdir(parents=True, exist_ok=True)
        normalise_file(executed_path(root, edition, page), download)
        quarto_input(download, target)
        _sync_tree(executed_figures(root, edition, page), target.parent / "figures" / page.stem)
    return project


def quarto_input(source: Path, target: Path) -> None:
    """The notebook Quarto renders: each output that carries Markdown for Quarto loses the HTML view it carries for
    JupyterLab. Quarto would prefer that HTML to the Markdown, and a text/html output makes Quarto 1.7 load
    require.js and jQuery from a CDN (``src/core/jupyter/widgets.ts``)."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            bundle = output.get("data", {})
            if "text/markdown" in bundle:
                bundle.pop("text/html", None)
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _page_source(root: Path, edition: Edition, page: Page) -> Path:
    return executed_path(root, edition, page) if page.is_notebook else root / page.source


def _page_key(root: Path, edition: Edition, page: Page) -> str:
    """A page's own inputs: its source (the executed notebook for a chapter) and the figure data beside it."""
    source = _page_source(root, edition, page)
    return cache.tree_digest([source, executed_figures(root, edition, page) if page.is_notebook
                              else source.parent / "figures" / page.stem], relative_to=root)


def _problems(output: str) -> list[tuple[str | None, str]]:
    """(page, line) for every warning or error Quarto printed; the page is the one it was rendering then."""
    found, current = [], None
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).strip()
        progress = _PROGRESS.match(line)
        if progress:
            current = progress.group(1)
        elif _PROBLEM.search(line):
            found.append((current, line))
    return found


def _local_targets(html: str) -> set[str]:
    """Every file a page loads or links to on the same site (no scheme, not a bare #fragment)."""
    found = set()
    for url in _LOCAL_REF.findall(html):
        if url.startswith(("#", "data:", "mailto:", "javascript:", "//")) or re.match(r"^[a-z][a-z0-9+.-]*:", url):
            continue
        found.add(url.split("#")[0].split("?")[0])
    return found - {""}


#: Words Quarto 1.7 writes in English in every language (the breadcrumbs' ``aria-label`` is fixed in its
#: website-navigation.ts; no ``language:`` key reaches it), as each edition's screen readers should read them.
_FIXED_ENGLISH = {"nb": {'aria-label="breadcrumb"': 'aria-label="Brødsmulesti"'}}


def resolve_interface_text(out: Path, book_pages: Sequence[Page], edition: Edition) -> None:
    """Put the edition's words where Quarto copied a title's Markdown as it is: a title written as conditional spans
    (one per language) reaches the previous/next links' ``aria-label`` and the search results' breadcrumbs as raw
    ``[English]{.content-visible …}[norsk]{…}`` text, read out by screen readers and shown in search; and where
    Quarto writes English whatever the language (:data:`_FIXED_ENGLISH`)."""
    for path in [out / page.output for page in book_pages] + [out / "search.json"]:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        resolved = resolve_spans(text, edition.profile)
        if path.suffix == ".html":
            for english, own in _FIXED_ENGLISH.get(edition.lang, {}).items():
                resolved = resolved.replace(english, own)
        if resolved != text:
            path.write_text(resolved, encoding="utf-8")


def check_pages(out: Path, book_pages: Sequence[Page], edition: Edition) -> None:
    """Fail on a page that still shows an unresolved cross-reference or citation (Quarto leaves ``?@key``), or that
    loads or links to a file the site does not have (Quarto renders a missing image or CSV link without a word)."""
    bad = []
    for page in book_pages:
        html_path = out / page.output
        if not html_path.exists():
            bad.append(f"{page.source}: Quarto produced no {page.output}")
            continue
        html = html_path.read_text(encoding="utf-8")
        hits = sorted(set(_UNRESOLVED.findall(html)))
        if hits:
            bad.append(f"{page.source}: unresolved reference(s) {', '.join(hits[:5])}")
        unshown = sorted(set(_UNRECORDED.findall(html)))
        if unshown:  # Quarto prints an inline expression it has no recorded value for as code
            bad.append(f"{page.source}: inline expression(s) shown as code, no value recorded: {', '.join(unshown[:5])}")
        # the link to the other edition leads out of this edition's book; the published site checks it (tests)
        own = re.sub(r'<div class="edition-link">.*?</div>', "", html, flags=re.S)
        missing = sorted(t for t in _local_targets(own) if not (html_path.parent / unquote(t)).exists())
        if missing:
            bad.append(f"{page.source}: missing resource(s) {', '.join(missing[:5])}")
    if bad:
        raise BuildError(f"rendering edition {edition.name}:\n  " + "\n  ".join(bad))


def _run_quarto(executable: str, project: Path, edition: Edition, target: str | None, all_pages: list[str]) -> None:
    args = [executable, "render", *([target] if target else [])]
    if edition.profile:
        args += ["--profile", edition.profile]
    env = {k: v for k, v in os.environ.items() if k != "QUARTO_PROFILE"}
    proc = quarto.run(args, project, env, target)  # its own process group; a full disk named in one line
    for wait in QUARTO_LOCK_WAITS:
        # the editions render at once, and Quarto keeps a user-wide SQLite cache: on a fresh machine both processes
        # may create it at the same moment, and one fails with "database is locked" (SQLite's BUSY); it passes again
        if proc.returncode == 0 or "database is locked" not in proc.stdout:
            break
        time.sleep(wait)
        proc = quarto.run(args, project, env, target)
    problems = _problems(proc.stdout)
    if proc.returncode != 0 or problems:
        fallback = target or (all_pages[0] if len(all_pages) == 1 else "the book")
        lines = [f"{page or fallback}: {line}" for page, line in problems]
        if proc.returncode != 0:
            tail = [_ANSI.sub("", line) for line in proc.stdout.strip().splitlines()[-15:]]
            lines.append(f"{fallback}: quarto exited with status {proc.returncode}; its last lines:\n      "
                         + "\n      ".join(tail))
        raise BuildError(f"rendering edition {edition.name} with Quarto failed:\n  " + "\n  ".join(lines))


def render_edition(root: Path, executable: str, edition: Edition, book_pages: Sequence[Page],
                   shared: Sequence[str]) -> dict[str, Any]:
    """Render what changed in one edition; return what was rendered. Raises BuildError naming the page."""
    records = cache.Cache(root)
    record_name = f"render/{edition.name}"
    # the sidebar of every page shows them, each in this edition's language
    titles = {p.source: page_title(root, p, edition.profile) for p in book_pages}
    # the build's own staging of the pages (this module, and normalise in reproduce) shapes every page too
    staging = cache.tree_digest([Path(__file__), Path(__file__).with_name("reproduce.py")])
    shared_key = cache.sha(json.dumps([shared_digest(root, shared), titles, release_date(root),
                                       executable, quarto.version_of(executable), edition.name, staging]).encode())
    page_keys = {p.source: _page_key(root, edition, p) for p in book_pages}
    record = records.get(record_name) or {}
    out = project_dir(root, edition) / OUTPUT_DIR
    note = None
    # the kept output is trusted only as it was left: a page missing or a file changed there renders it all again
    kept = record.get("output") == output_digest(out) and all((out / p.output).is_file() for p in book_pages)
    if record.get("shared") != shared_key or not kept:
        if record.get("shared") == shared_key:
            note = f"the kept Quarto output in {out.relative_to(root)} is not what the last render left; rendered again"
        targets: list[str] = []  # all of them
    else:
        targets = [p.source for p in book_pages if record.get("pages", {}).get(p.source) != page_keys[p.source]]
        if not targets:
            return {"edition": edition.name, "rendered": [], "seconds": 0.0}
    records.drop(record_name)  # until this render succeeds, nothing in the project is known to be current
    project = stage_project(root, edition, book_pages, shared, changed=targets or None)
    if len(targets) > MAX_SINGLE_RENDERS:
        targets = []  # one render of the whole book is quicker than many of single pages
    started = time.perf_counter()
    # `quarto render FILE` takes one file (further arguments go to pandoc): one run per changed page
    for target in targets or [None]:
        _run_quarto(executable, project, edition, target, [p.source for p in book_pages])
    rendered = targets or [p.source for p in book_pages]
    resolve_interface_text(out, book_pages, edition)
    gaps = search_gaps(out)
    # Quarto 1.7's one-page render leaves the page's old entry in search.json about one time in two, at random (seen
    # with Quarto alone, in either edition); the same render again mostly mends it, and is far quicker than the book
    for _ in range(SEARCH_INDEX_RETRIES if targets else 0):
        if within(gaps, record.get("search_gaps")):
            break
        for target in targets:
            _run_quarto(executable, project, edition, target, [p.source for p in book_pages])
        resolve_interface_text(out, book_pages, edition)
        gaps = search_gaps(out)
    if targets and not within(gaps, record.get("search_gaps")):
        # the whole book rendered again gives the index a full render gives
        note = (f"search.json kept old text of {', '.join(sorted(set(gaps) - set(_unchanged(gaps, record))))[:200]} "
                f"after the one-page render and {SEARCH_INDEX_RETRIES} more; rendered the whole edition")
        _run_quarto(executable, project, edition, None, [p.source for p in book_pages])
        rendered = [p.source for p in book_pages]
        resolve_interface_text(out, book_pages, edition)
        gaps = search_gaps(out)
    seconds = time.perf_counter() - started
    check_pages(out, book_pages, edition)
    records.put(record_name, {"key": shared_key, "shared": shared_key, "pages": page_keys, "search_gaps": gaps,
                              "output": output_digest(out)})
    return {"edition": edition.name, "rendered": rendered, "seconds": seconds, "note": note}


def output_digest(out: Path) -> str:
    """Names and bytes of everything in an edition's kept Quarto output."""
    return cache.tree_digest([out], relative_to=out) if out.is_dir() else "absent"


_WORD = re.compile(r"\w+")


def _page_words(text: str) -> set[str]:
    """The words of a page that Quarto's search index takes: its main region without the title block, the page's
    table of contents, scripts and styles."""
    main = re.search(r"<main\b.*?</main>", text, flags=re.S)
    body = main.group(0) if main else ""
    body = re.sub(r'<header id="title-block-header".*?</header>', " ", body, flags=re.S)
    body = re.sub(r'<nav[^>]*role="doc-toc".*?</nav>', " ", body, flags=re.S)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return set(_WORD.findall(html.unescape(re.sub(r"<[^>]+>", " ", body))))


def search_gaps(out: Path) -> dict[str, list[str]]:
    """Per page of ``search.json``, where its entries and the page disagree: ``+word`` for a word the index has and
    the page has not (old text), ``-word`` for a word of the page the index lacks. A full render leaves a few of the
    latter (Quarto drops first-section headings); a partial render that adds to them has left the index stale."""
    try:
        entries = json.loads((out / "search.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"search.json": ["+unreadable"]}
    indexed: dict[str, set[str]] = {}
    for entry in entries if isinstance(entries, list) else []:
        words = _WORD.findall(html.unescape(f"{entry.get('text', '')} {entry.get('section', '')}"))
        indexed.setdefault(str(entry.get("href", "")).split("#")[0], set()).update(words)
    gaps = {}
    for href, words in sorted(indexed.items()):
        try:
            page = _page_words((out / unquote(href)).read_text(encoding="utf-8"))
        except OSError:
            gaps[href] = ["+missing page"]
            continue
        gaps[href] = sorted([f"+{w}" for w in words - page] + [f"-{w}" for w in page - words])
    return gaps


def _unchanged(gaps: dict[str, list[str]], record: dict[str, Any]) -> list[str]:
    baseline = record.get("search_gaps") or {}
    return [href for href, found in gaps.items() if set(found) <= set(baseline.get(href, []))]


def within(gaps: dict[str, list[str]], baseline: Any) -> bool:
    """Whether every page's disagreement with the index is one the last full render left too."""
    if not isinstance(baseline, dict) or set(gaps) != set(baseline):
        return False
    return all(set(found) <= set(baseline.get(href) or []) for href, found in gaps.items())


def render(root: Path, editions: Sequence[Edition], book_pages: Sequence[Page], log: Log) -> list[dict[str, Any]]:
    """Render every edition, at the same time (one Quarto process each); the first failure is raised."""
    config = load_quarto(root)
    shared = shared_inputs(root, config)
    executable = quarto.find(root)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(editions)) as pool:
        futures = [pool.submit(render_edition, root, executable, e, book_pages, shared) for e in editions]
        concurrent.futures.wait(futures)
    results = [f.result() for f in futures]
    for result in results:
        if result.get("note"):
            log(f"  {result['edition']:4s} {result['note']}")
        if result["rendered"]:
            log(f"  {result['edition']:4s} {len(result['rendered'])} page(s) rendered in {result['seconds']:.1f} s")
        else:
            log(f"  {result['edition']:4s} unchanged")
    return results


def assemble(root: Path, editions: Sequence[Edition], stage: Path) -> None:
    """Put every edition's rendered book into ``stage`` at its path (``nb/`` …), ready to be published."""
    for edition in editions:
        shutil.copytree(project_dir(root, edition) / "_site", stage / edition.prefix, dirs_exist_ok=True)
    from .variant import assemble_into

    assemble_into(root, stage)  # variant pages (`helpers.pipeline variant`) survive a rebuild of the site
