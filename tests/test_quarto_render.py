"""A tiny fixture book through the whole build with real Quarto, and the render failures Quarto itself lets pass.

Quarto exits 0 on an unresolved cross-reference or citation, on a missing image and on an error in a Lua filter; the
build reads its output and the pages, fails naming the page, and leaves the published site as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.pipeline import BuildError, build_site, quarto

from .conftest import ROOT

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).with_name("fixtures") / "tiny-book"


def _tree(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def _quiet(*_: object) -> None:
    pass


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture book with the project's data, bibliography and assets, built once."""
    project = tmp_path_factory.mktemp("tiny") / "book"
    shutil.copytree(FIXTURE, project)
    for name in ("data", "assets"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy2(ROOT / "references.bib", project)
    shutil.copy2(ROOT / "references.qmd", project)
    summary = build_site(project, log=_quiet)
    assert summary["executed"] == ["en/01-tiny", "nb/01-tiny"]
    return project


def test_quarto_is_found_or_assembled_and_reports_1_7(tiny: Path):
    executable = quarto.find(tiny)
    assert quarto.version_of(executable)[:2] >= (1, 7)
    # as a user asks for it through the project (`make quarto ARGS=--version`), offline
    out = subprocess.run([sys.executable, "-m", "helpers.pipeline", "quarto", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert re.fullmatch(r"1\.(7|[89]|\d\d)\.\d+\s*", out) or re.match(r"[2-9]\.", out), out


def test_the_tiny_book_is_rendered_in_both_editions(tiny: Path):
    site = tiny / "_site"
    en = (site / "notebooks" / "01-tiny.html").read_text(encoding="utf-8")
    nb = (site / "nb" / "notebooks" / "01-tiny.html").read_text(encoding="utf-8")
    assert "Table&nbsp;1.1" in en and "Tabell&nbsp;1.1" in nb
    assert "<td>one</td>" in en and "<td>en</td>" in nb  # each edition renders the notebook executed for it
    assert 'href="#tbl-tiny" class="quarto-xref"' in en
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="notebooks/01-tiny.html#tbl-tiny" class="quarto-xref"' in landing
    assert json.loads((site / "search.json").read_text(encoding="utf-8"))
    assert json.loads((site / "nb" / "search.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("fault, edit, message", [
    ("unresolved cross-reference", ("index.qmd", "\n\nSee @fig-nowhere.\n"), r"index\.qmd: .*fig-nowhere"),
    ("unknown citation", ("index.qmd", "\n\nAs shown [@no-such-key].\n"), r"index\.qmd: .*no-such-key"),
    ("missing image", ("index.qmd", "\n\n![A picture](missing.png)\n"), r"index\.qmd: missing resource\(s\) missing\.png"),
    ("Lua filter error", ("assets/edition-link.lua", '\nerror("deliberate filter failure")\n'),
     r"deliberate filter failure"),
])
def test_a_render_problem_fails_the_build_naming_the_page_and_keeps_the_site(tiny: Path, tmp_path: Path, fault, edit,
                                                                             message):
    project = tmp_path / "book"
    shutil.copytree(tiny, project, symlinks=True)
    site_before = _tree(project / "_site")
    name, addition = edit
    (project / name).write_text((project / name).read_text(encoding="utf-8") + addition, encoding="utf-8")
    with pytest.raises(BuildError, match=message):
        build_site(project, log=_quiet)
    assert _tree(project / "_site") == site_before, f"{fault}: the published site changed"
    # fixed again, the next build publishes (and renders the whole edition again, as nothing is known to be current)
    (project / name).write_text((tiny / name).read_text(encoding="utf-8"), encoding="utf-8")
    build_site(project, log=_quiet)
    assert _tree(project / "_site") != "" and (project / "_site" / "nb" / "index.html").exists()


# --- the site has one owner ------------------------------------------------------------------------------------------

def _sources(folder: Path) -> str:
    """Every file but Quarto's own scratch (.quarto/, git-ignored) and the scratch output-dir under _build/."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and rel.parts[0] not in (".quarto", "_build", ".git"):
            digest.update(str(rel).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("command", [["render"], ["render", "--profile", "nb"], ["render", "index.ipynb"],
                                     ["preview", "--no-browser", "--port", "4987"]])
def test_quarto_at_the_repository_root_stops_before_touching_the_site(tmp_path: Path, command):
    """What every Quarto user types, at the root: it stops at once, says to use make site, and writes no page and no
    tracked file (Quarto 1.7 empties the output-dir and appends to .gitignore before a pre-render script runs)."""
    from .conftest import COPY_IGNORE

    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=COPY_IGNORE)
    (repo / "_site" / "nb").mkdir(parents=True)
    (repo / "_site" / "index.html").write_text("published")
    (repo / "_site" / "nb" / "index.html").write_text("publisert")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)  # Quarto writes .gitignore in a git checkout
    before = _sources(repo)
    proc = subprocess.run([quarto.find(ROOT), *command], cwd=repo, capture_output=True, text=True, timeout=300)
    said = proc.stdout + proc.stderr
    assert proc.returncode != 0, said
    assert "make site" in said and "make preview" in said and "Stack trace" not in said, said
    assert _sources(repo) == before, "the published site or a tracked file was written"


def test_the_build_renders_with_its_own_copy_of_the_configuration(tiny: Path):
    copied = (tiny / "_build" / "quarto" / "en" / "_quarto.yml").read_text(encoding="utf-8")
    assert "output-dir: _site" in copied and "pre-render" not in copied


def _copy_built(tiny: Path, tmp_path: Path) -> Path:
    project = tmp_path / "book"
    shutil.copytree(tiny, project, symlinks=True)
    return project


def _logged(project: Path) -> tuple[dict, str]:
    lines: list[str] = []
    summary = build_site(project, log=lambda *a: lines.append(" ".join(map(str, a))))
    return summary, "\n".join(lines)


def test_a_site_changed_behind_the_builds_back_is_published_again(tiny: Path, tmp_path: Path):
    """A root `quarto render` rewrote _site/ and deleted _site/nb/: the next build notices and publishes again."""
    project = _copy_built(tiny, tmp_path)
    good = _tree(project / "_site")
    (project / "_site" / "index.html").write_text("overwritten by a quarto render at the root")
    shutil.rmtree(project / "_site" / "nb")
    summary, log = _logged(project)
    assert "_site/ is not what the build published" in log and "missing nb/index.html" in log, log
    assert not any(summary["rendered"].values()) and _tree(project / "_site") == good


def test_a_page_missing_from_the_kept_quarto_output_is_rendered_again(tiny: Path, tmp_path: Path):
    project = _copy_built(tiny, tmp_path)
    good = _tree(project / "_site")
    (project / "_build" / "quarto" / "nb" / "_site" / "notebooks" / "01-tiny.html").unlink()
    summary, log = _logged(project)
    assert "kept Quarto output" in log and summary["rendered"]["nb"] and not summary["rendered"]["en"], log
    assert (project / "_site" / "nb" / "notebooks" / "01-tiny.html").is_file()
    assert _tree(project / "_site") == good


CAUSES = {"search.json": "Quarto's one-page render left old text in the search index (render.search_gaps)",
          "sitemap.xml": "the sitemap kept an earlier render's pages",
          "listings.json": "a listing kept an earlier render's pages"}


def explain_difference(name: str, project: Path) -> str:
    """A file of the published site that differs from a clean build's, with its edition and the likely cause."""
    from helpers.pipeline import config

    prefixes = sorted((e.prefix for e in config.editions(project)), key=len, reverse=True)
    edition = next((p.rstrip("/") for p in prefixes if p and name.startswith(p)), "en (the default profile)")
    cause = CAUSES.get(Path(name).name) or (
        "a page another page shows (a title, the sidebar, previous/next links) was not rendered again, or the page "
        "holds something of the build's time (a date, a random id)" if name.endswith(".html")
        else "a file the render copies was kept from an earlier render")
    return f"edition {edition}: {name} (likely cause: {cause})"


def site_differences(built: Path, clean: Path, project: Path) -> list[str]:
    """Each file that differs between two published sites, named with its edition and the likely cause."""
    a = {str(p.relative_to(built)): p for p in built.rglob("*") if p.is_file()}
    b = {str(p.relative_to(clean)): p for p in clean.rglob("*") if p.is_file()}
    found = [f"only in the first site: {explain_difference(n, project)}" for n in sorted(set(a) - set(b))]
    found += [f"missing from the first site: {explain_difference(n, project)}" for n in sorted(set(b) - set(a))]
    found += [f"differs: {explain_difference(n, project)}" for n in sorted(set(a) & set(b))
              if a[n].read_bytes() != b[n].read_bytes()]
    return found


def test_a_partial_render_leaves_every_derived_file_as_a_full_render_does(tiny: Path, tmp_path: Path):
    """Edit one page's prose, build (the changed page rendered alone), then render everything from scratch: the same
    bytes in both editions — search indexes, sidebars, previous/next links included."""
    project = _copy_built(tiny, tmp_path)
    page = project / "index.qmd"
    page.write_text(page.read_text(encoding="utf-8").replace("A tiny book", "A zebra-striped tiny book"))
    summary, _ = _logged(project)
    assert summary["rendered"]["nb"] == ["index.qmd"] or summary["rendered"]["en"] == ["index.qmd"], summary
    # then another page: a stale entry of the first would survive the second partial render
    chapter = project / "notebooks" / "01-tiny.ipynb"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("are written by", "are zebra-written by"))
    _logged(project)
    partial = tmp_path / "partial"
    shutil.copytree(project / "_site", partial)
    assert "zebra" in (partial / "search.json").read_text() and "zebra" in (partial / "nb" / "search.json").read_text()
    shutil.rmtree(project / "_build" / "quarto")
    shutil.rmtree(project / "_build" / "cache" / "render")
    build_site(project, log=_quiet)
    differ = site_differences(partial, project / "_site", project)
    assert not differ, "a partial render and a full one from the same inputs differ:\n  " + "\n  ".join(differ)


# --- publishing: checked, across filesystems, through a symlink ----------------------------------------------------

def _stage(root: Path, pages: dict[str, str]) -> Path:
    stage = root / "_build" / "stage-test"
    for name, text in pages.items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_text(text)
    return stage


def test_publishing_refuses_a_site_that_lacks_a_page_of_the_table_of_contents(tmp_path: Path):
    from helpers.pipeline import publish

    (tmp_path / "_site").mkdir()
    (tmp_path / "_site" / "index.html").write_text("old")
    stage = _stage(tmp_path, {"index.html": "new"})
    with pytest.raises(BuildError, match=r"lacks 1 page\(s\) of the table of contents: nb/index\.html"):
        publish.publish(tmp_path, stage, ["index.html", "nb/index.html"])
    assert (tmp_path / "_site" / "index.html").read_text() == "old"


def test_publishing_works_when_build_is_on_another_filesystem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import errno
    import os

    from helpers.pipeline import publish

    (tmp_path / "_site").mkdir()
    (tmp_path / "_site" / "index.html").write_text("old")
    stage = _stage(tmp_path, {"index.html": "new", "nb/index.html": "ny"})
    real = os.replace

    def across_devices(source, target):
        if Path(source).parent != Path(target).parent:  # a rename out of _build/ crosses filesystems
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(source))
        real(source, target)

    monkeypatch.setattr(publish.os, "replace", across_devices)
    files = publish.publish(tmp_path, stage, ["index.html", "nb/index.html"])
    assert (tmp_path / "_site" / "nb" / "index.html").read_text() == "ny" and set(files) == {"index.html", "nb/index.html"}
    assert not stage.exists() and not (tmp_path / "_site.incoming").exists() and not (tmp_path / "_site.previous").exists()


def test_publishing_through_a_site_symlink_keeps_the_link(tmp_path: Path):
    from helpers.pipeline import publish

    target = tmp_path / "www" / "best-sammen"
    target.mkdir(parents=True)
    (target / "index.html").write_text("old")
    project = tmp_path / "project"
    project.mkdir()
    (project / "_site").symlink_to(target)
    publish.publish(project, _stage(project, {"index.html": "new"}), ["index.html"])
    assert (project / "_site").is_symlink() and (target / "index.html").read_text() == "new"
    assert publish.unpublished_changes(project, {"files": publish.manifest(target)}) is None
    (project / "_site").unlink()
    (project / "_site").symlink_to(tmp_path / "nowhere" / "site")
    with pytest.raises(BuildError, match=r"_site is a symlink to .*nowhere/site, whose folder .* does not exist"):
        publish.publish(project, _stage(project, {"index.html": "new"}), ["index.html"])


# --- make reproduce: against HEAD, quiet, all or none ----------------------------------------------------------------

def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args], cwd=repo,
                   check=True, capture_output=True)


def test_reproduce_reports_against_the_committed_notebooks_and_quietly(tiny: Path, tmp_path: Path):
    import os

    import nbformat

    project = _copy_built(tiny, tmp_path)
    _git(project, "init", "-q")
    _git(project, "add", "notebooks/01-tiny.ipynb")
    _git(project, "commit", "-q", "-m", "the committed notebook")
    chapter = project / "notebooks" / "01-tiny.ipynb"
    nb = nbformat.read(chapter, as_version=4)
    nb.cells += [nbformat.v4.new_markdown_cell("Added."), nbformat.v4.new_code_cell("added = 1")]
    nbformat.write(nb, chapter)
    env = {**os.environ, "BEST_SAMMEN_ROOT": str(project)}
    proc = subprocess.run([sys.executable, "-m", "helpers.pipeline", "reproduce"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 0, said
    assert "notebooks/01-tiny.ipynb: cell count 3 → 5" in said, said
    assert "without encryption" not in said and "Traceback" not in said, said
    assert len(nbformat.read(chapter, as_version=4).cells) == 5


def _notebooks(root: Path, text: str) -> dict[Path, object]:
    import nbformat

    (root / "notebooks").mkdir(parents=True, exist_ok=True)
    (root / "_build").mkdir(exist_ok=True)
    found = {}
    for name in ("a", "b", "c"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"{name} {text}")])
        found[root / "notebooks" / f"{name}.ipynb"] = nb
    return found


@pytest.mark.parametrize("interrupted_at", [1, 2, 3, 4])  # the journal's rename; then each notebook's
def test_an_interrupted_reproduce_leaves_the_old_set_or_the_new_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   interrupted_at: int):
    import nbformat

    from helpers.pipeline import reproduce

    for path, nb in _notebooks(tmp_path, "old").items():
        nbformat.write(nb, path)
    real, calls = reproduce.os.replace, []

    def interrupt(source, target):
        calls.append(target)
        if len(calls) == interrupted_at:  # 1: the journal's own rename; 2-4: the notebooks
            raise KeyboardInterrupt
        real(source, target)

    monkeypatch.setattr(reproduce.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        reproduce.rewrite_all(tmp_path, _notebooks(tmp_path, "new"), log=_quiet)
    monkeypatch.setattr(reproduce.os, "replace", real)
    reproduce.finish_rewrite(tmp_path)  # what the next make reproduce or build does first
    texts = {p.stem: nbformat.read(p, as_version=4).cells[0].source for p in (tmp_path / "notebooks").glob("*.ipynb")}
    expected = "old" if interrupted_at == 1 else "new"
    assert texts == {n: f"{n} {expected}" for n in "abc"}, texts
    assert not list((tmp_path / "notebooks").glob("*.partial")) and not (tmp_path / "_build" / reproduce.JOURNAL).exists()


@pytest.mark.parametrize("signalled_at", [1, 2, 3, 4])
def test_a_ctrl_c_during_the_renames_of_reproduce_waits_for_the_new_set_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signalled_at: int):
    # the command's handler exits at once (os._exit): nothing would complete a half-renamed set before the next run,
    # and its line "the committed notebooks left as they were" would be false
    import signal

    import nbformat

    from helpers.pipeline import cli, reproduce

    for path, nb in _notebooks(tmp_path, "old").items():
        nbformat.write(nb, path)
    real, calls = reproduce.os.replace, []

    def signalled(source, target):
        calls.append(target)
        if len(calls) == signalled_at:
            signal.raise_signal(signal.SIGINT)
        real(source, target)

    monkeypatch.setattr(reproduce.os, "replace", signalled)
    monkeypatch.setattr(cli, "_end_children", lambda: None)  # the test's own process family is not the build's
    monkeypatch.setitem(cli._rewrote, "notebooks", False)
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    signal.signal(signal.SIGINT, cli._on_signal)
    try:
        with pytest.raises(cli.Interrupted):
            reproduce.rewrite_all(tmp_path, _notebooks(tmp_path, "new"), log=_quiet, hold=cli._rewriting)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    texts = {p.stem: nbformat.read(p, as_version=4).cells[0].source for p in (tmp_path / "notebooks").glob("*.ipynb")}
    assert texts == {n: f"{n} new" for n in "abc"}, texts  # whole before the interruption took effect
    assert not (tmp_path / "_build" / reproduce.JOURNAL).exists()
    assert "already rewritten (the new set)" in cli.interrupted_message("reproduce")


def test_a_search_index_with_a_pages_old_text_is_told_from_a_full_renders(tmp_path: Path):
    """Quarto's one-page render leaves the page's old text in search.json now and then (about half of the one-page
    renders tried, in either edition): the check after a partial render tells it from what a full render leaves."""
    from helpers.pipeline import render

    (tmp_path / "index.html").write_text('<main><header id="title-block-header"><h1>Title</h1></header>'
                                         "<p>A zebra tiny book &amp; more</p><script>var x</script></main>")

    def index(text: str) -> None:
        (tmp_path / "search.json").write_text(json.dumps([{"href": "index.html", "text": text, "section": ""}]))

    index("A zebra tiny book &amp; more")
    full = render.search_gaps(tmp_path)
    assert full == {"index.html": []} and render.within(full, full)
    index("A tiny book &amp; more")  # the page gained a word its index lacks
    assert render.search_gaps(tmp_path) == {"index.html": ["-zebra"]}
    assert not render.within(render.search_gaps(tmp_path), full)
    index("A yak tiny book &amp; more zebra")  # the index keeps a word the page lost
    assert not render.within(render.search_gaps(tmp_path), full)
    assert not render.within(full, None), "no record of a full render: nothing is trusted"


@pytest.mark.parametrize("stale_runs, whole", [(2, False), (99, True)])
def test_a_search_index_left_stale_by_quarto_is_mended_by_rendering_the_page_again(
        tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stale_runs: int, whole: bool):
    """Quarto 1.7's one-page render keeps a page's old search entry about one time in two. Made certain here: the
    first one-page runs put the old search.json back. A few stale runs are mended by rendering the page again; a
    page that stays stale renders the edition whole, and says so."""
    from helpers.pipeline import render

    project = _copy_built(tiny, tmp_path)
    real = render._run_quarto
    single_runs: list[str] = []

    def stale_quarto(executable, staged, edition, target, all_pages):
        index = staged / render.OUTPUT_DIR / "search.json"
        before = index.read_bytes() if index.exists() else None
        real(executable, staged, edition, target, all_pages)
        if target is not None and edition.name == "en":
            single_runs.append(target)
            if len(single_runs) <= stale_runs and before is not None:
                index.write_bytes(before)

    monkeypatch.setattr(render, "_run_quarto", stale_quarto)
    page = project / "index.qmd"
    page.write_text(page.read_text(encoding="utf-8").replace("A tiny book", "A zebra-striped tiny book"))
    summary, log = _logged(project)
    assert "zebra" in (project / "_site" / "search.json").read_text(encoding="utf-8")
    if whole:
        assert len(summary["rendered"]["en"]) == 3 and "search.json kept old text of index.html" in log, log
        assert len(single_runs) == 1 + render.SEARCH_INDEX_RETRIES
    else:
        assert summary["rendered"]["en"] == ["index.qmd"] and "kept old text" not in log, log
        # Quarto itself may add a stale run of its own
        assert set(single_runs) == {"index.qmd"} and len(single_runs) > stale_runs
