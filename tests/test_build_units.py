"""The build's parts on their own: what the command imports, what its cache keys cover, publishing and permissions."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import paths
from helpers.pipeline import cache, publish


def test_the_build_command_imports_nothing_only_kernels_need():
    code = ("import sys; from helpers.pipeline import cli, config, cache, execute, quarto, render, publish, reproduce; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'seaborn', 'scipy', 'statsmodels'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", f"the build imports kernel-only packages: {out}"


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "helpers"
    shutil.copytree(paths.helpers_source_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "helpers_source_dir", lambda: copy)
    return copy


@pytest.mark.parametrize("changed, counts", [("plots/theme.mplstyle", True), ("plots/bars.py", True), ("labels.py", True),
                                             ("pipeline/render.py", False)])
def test_execution_key_covers_every_file_a_kernel_reads(package_copy: Path, changed: str, counts: bool):
    before = cache.helpers_digest()
    path = package_copy / changed
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert (cache.helpers_digest() != before) == counts, f"editing {changed} {'should' if counts else 'should not'} re-execute"


def test_an_unreadable_cache_record_counts_as_absent(tmp_path: Path):
    records = cache.Cache(tmp_path)
    records.put("execute/en/x", {"key": "k"})
    assert records.fresh("execute/en/x", "k") and not records.fresh("execute/en/x", "other")
    (tmp_path / "_build" / "cache" / "execute" / "en" / "x.json").write_text('{"key": "k"', encoding="utf-8")
    assert records.get("execute/en/x") is None and not records.fresh("execute/en/x", "k")


def _modes(folder: Path) -> set[tuple[str, int]]:
    return {("d" if p.is_dir() else "f", stat.S_IMODE(p.stat().st_mode)) for p in [folder, *folder.rglob("*")]}


@pytest.mark.parametrize("umask", [0o000, 0o077])
def test_published_pages_are_0644_and_folders_0755_whatever_the_umask(tmp_path: Path, umask: int):
    old = os.umask(umask)
    try:
        stage = tmp_path / "_build" / "stage-x"
        (stage / "nb").mkdir(parents=True)
        (stage / "index.html").write_text("new", encoding="utf-8")
        (stage / "nb" / "index.html").write_text("ny", encoding="utf-8")
        publish.publish(tmp_path, stage)
    finally:
        os.umask(old)
    assert _modes(tmp_path / "_site") == {("d", 0o755), ("f", 0o644)}


def test_a_read_only_previous_site_is_replaced_and_later_builds_still_work(tmp_path: Path):
    site = tmp_path / "_site"
    (site / "nb").mkdir(parents=True)
    (site / "index.html").write_text("old", encoding="utf-8")
    for p in (site / "nb", site):
        p.chmod(0o500)  # someone made the published site read-only
    for attempt in ("first", "second"):
        stage = tmp_path / "_build" / f"stage-{attempt}"
        stage.mkdir(parents=True)
        (stage / "index.html").write_text(attempt, encoding="utf-8")
        publish.publish(tmp_path, stage)
        publish.recover(tmp_path)
        assert (site / "index.html").read_text(encoding="utf-8") == attempt
        assert not (tmp_path / "_site.previous").exists()


def test_a_clone_in_a_temporary_folder_finds_the_quarto_bundle_beside_its_origin(tmp_path: Path, monkeypatch):
    from helpers.pipeline import quarto

    origin = tmp_path / "work" / "main"
    bundle = tmp_path / "work" / "shared" / "quarto" / quarto.BUNDLE_NAME
    bundle.parent.mkdir(parents=True)
    bundle.write_bytes(b"bundle")
    subprocess.run(["git", "init", "-q", str(origin)], check=True)
    clone = tmp_path / "elsewhere" / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, capture_output=True)
    monkeypatch.delenv(quarto.BUNDLE_ENV, raising=False)
    monkeypatch.setattr(paths, "checkout", lambda: clone)
    assert quarto.default_bundle(clone) == bundle
    monkeypatch.setattr(quarto, "_local_origin", lambda checkout: [])
    assert quarto.default_bundle(clone) is None


SPAN_TITLE = ('# [Awareness: is it known?]{.content-visible unless-profile="nb"}'
              '[Kjennskap: er den kjent?]{.content-visible when-profile="nb"} {#sec-awareness}')


@pytest.mark.parametrize("profile, title", [(None, "Awareness: is it known?"), ("nb", "Kjennskap: er den kjent?")])
def test_a_page_title_is_the_editions_wording_of_its_heading(tmp_path: Path, profile, title):
    # the render key holds every page's title as the sidebar shows it: a title in the other edition's language (or
    # with the spans' markup) would miss a renamed chapter in one edition
    import nbformat

    from helpers.pipeline import config

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(SPAN_TITLE + "\n\nIntro.")])
    nbformat.write(nb, tmp_path / "01-a.ipynb")
    (tmp_path / "refs.qmd").write_text(
        '# [References]{.content-visible unless-profile="nb"}[Referanser]{.content-visible when-profile="nb"} '
        '{.unnumbered}\n', encoding="utf-8")
    assert config.page_title(tmp_path, config.Page("01-a.ipynb"), profile) == title
    assert config.page_title(tmp_path, config.Page("refs.qmd"), profile) == ("Referanser" if profile else "References")
    assert config.edition_text("Preface {.unnumbered}", profile) == "Preface"
    hidden = '[Only English]{.content-hidden when-profile="nb"}'
    assert config.edition_text(hidden, profile) == ("" if profile else "Only English")


def test_a_notebook_at_the_root_is_executed_and_staged_beside_its_page(tmp_path: Path):
    from helpers.pipeline import config, execute

    edition = config.Edition("nb", "nb", "nb", "nb/", {"lang": "nb"}, "_quarto-nb.yml")
    landing, chapter = config.Page("index.ipynb"), config.Page("notebooks/01-a.ipynb")
    executed = tmp_path / "_build" / "executed" / "nb"
    assert execute.executed_path(tmp_path, edition, landing) == executed / "index.ipynb"
    assert execute.executed_figures(tmp_path, edition, landing) == executed / "figures" / "index"
    assert execute.executed_path(tmp_path, edition, chapter) == executed / "notebooks" / "01-a.ipynb"
    assert execute.executed_figures(tmp_path, edition, chapter) == executed / "notebooks" / "figures" / "01-a"


def test_a_page_the_book_no_longer_lists_is_removed_from_the_quarto_project(tmp_path: Path):
    # left beside a new index.ipynb, an old index.qmd gave Quarto two sources for index.html (it wrote a redirect)
    from helpers.pipeline import config, render

    project = tmp_path / "project"
    (project / "notebooks" / "downloads").mkdir(parents=True)
    for name in ("index.qmd", "index.ipynb", "references.qmd", "notebooks/01-a.ipynb", "notebooks/02-gone.ipynb",
                 "notebooks/downloads/01-a.ipynb", "_quarto.yml"):
        (project / name).write_text("x", encoding="utf-8")
    pages = [config.Page("index.ipynb"), config.Page("notebooks/01-a.ipynb"), config.Page("references.qmd")]
    render._remove_unlisted_pages(project, pages)
    left = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert left == ["_quarto.yml", "index.ipynb", "notebooks/01-a.ipynb", "notebooks/downloads/01-a.ipynb",
                    "references.qmd"]


def test_titles_quarto_copies_as_markdown_get_the_editions_words(tmp_path: Path):
    # Quarto puts a title's Markdown as it is into the previous/next links' aria-label and the search breadcrumbs
    from helpers.pipeline import config, render

    edition = config.Edition("nb", "nb", "nb", "nb/", {"lang": "nb"}, "_quarto-nb.yml")
    span = '[References]{.content-visible unless-profile="nb"}[Referanser]{.content-visible when-profile="nb"}'
    (tmp_path / "index.html").write_text(f'<a class="pagination-link" aria-label="{span.replace(chr(34), "&quot;")}">'
                                         '<nav class="quarto-page-breadcrumbs" aria-label="breadcrumb">',
                                         encoding="utf-8")
    (tmp_path / "search.json").write_text('[{"crumbs": [' + json.dumps(span) + "]}]", encoding="utf-8")
    render.resolve_interface_text(tmp_path, [config.Page("index.qmd")], edition)
    # and the breadcrumbs' label, which Quarto writes in English in every language
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == (
        '<a class="pagination-link" aria-label="Referanser"><nav class="quarto-page-breadcrumbs" '
        'aria-label="Brødsmulesti">')
    assert json.loads((tmp_path / "search.json").read_text(encoding="utf-8")) == [{"crumbs": ["Referanser"]}]


# --------------------------------------------------------------------------------------------------------------------
# Limits of a run, faults and the cache (issue 22 item 8, issue 23 items 3 and 5), on tiny notebooks


def _tiny_project(tmp_path: Path, code: str) -> tuple[Path, "object"]:
    """A project holding one notebook (a parameters cell, a Markdown cell, then ``code``) and a data file."""
    import nbformat

    from helpers.pipeline import config, execute

    root = tmp_path / "tiny"
    (root / "notebooks").mkdir(parents=True)
    (root / "_build").mkdir()
    (root / "data").mkdir()
    (root / "data" / "numbers.csv").write_text("n\n1\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("lang = 'en'", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_markdown_cell("Text."), nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "notebooks" / "tiny.ipynb")
    edition = config.Edition("en", "en", None, "", {"lang": "en"}, "_quarto.yml")
    return root, execute.Task(edition, config.Page("notebooks/tiny.ipynb"), {"lang": "en"}, "key")


def _kernels() -> list[int]:
    import psutil

    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                found.append(child.pid)
        except psutil.Error:
            continue
    return found


@pytest.mark.parametrize("code, expected", [
    ("import time\ntime.sleep(100)", "cell [2] (starting 'import time') ran longer than the cell timeout of 3 s"),
    ("import os\nos._exit(3)", "cell [2] (starting 'import os') killed its kernel"),
    ("print('x' * 300_000)", "cell [2] (starting 'print('x' * 300_000)') produced 0.3 MB of output, more than the "
                             "limit of 0.1 MB per cell"),
    # each output under the limit, the cell's five together past it
    ("for _ in range(5):\n    display('x' * 60_000)", "cell [2] (starting 'for _ in range(5):') produced 0.3 MB of "
                                                      "output, more than the limit of 0.1 MB per cell"),
    ("raise ValueError('\\x1b[31mred\\x1b[0m \\x1b]0;title\\x07text\\u202e')", "cell [2] (starting 'raise "),
], ids=["timeout", "dead-kernel", "output-too-large", "many-small-outputs", "ansi-in-error"])
def test_a_cell_past_a_limit_fails_naming_notebook_and_cell_and_leaves_no_kernel(tmp_path: Path, code, expected):
    from helpers.pipeline import execute

    root, task = _tiny_project(tmp_path, code)
    result = execute.run(str(root), task, limits=(3, 100_000))
    assert not result["ok"]
    first = result["error"].splitlines()[0]
    assert first.startswith("notebooks/tiny.ipynb (edition en): ") and expected in first, result["error"]
    assert not any(c in result["error"] for c in "\x1b\x07\u202e"), repr(result["error"])
    assert not _kernels(), "the run's kernel outlived it"
    assert not list((root / "_build").glob("exec-*")), "the run's scratch folder was left behind"


def test_a_markdown_cells_inline_values_past_the_output_limit_together_fail_naming_the_cell(tmp_path: Path):
    # each value under the limit, the five of one Markdown cell together past it
    import nbformat

    from helpers.pipeline import execute

    root, task = _tiny_project(tmp_path, "s = 'x' * 60_000")
    nb = nbformat.read(root / "notebooks" / "tiny.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(" ".join(f"`{{python}} s[{i}:]`" for i in range(5))))
    nbformat.write(nb, root / "notebooks" / "tiny.ipynb")
    result = execute.run(str(root), task, limits=(30, 100_000))
    assert not result["ok"]
    first = result["error"].splitlines()[0]
    assert first.startswith("notebooks/tiny.ipynb (edition en): ") and "Markdown cell 4: " in first, first
    assert "the limit per cell" in first, first
    assert not _kernels(), "the run's kernel outlived it"


def test_control_characters_never_reach_the_terminal():
    from helpers.pipeline.execute import printable

    assert printable("a\x1b[1;31mred\x1b[0m \x1b]0;pwned\x07b\rc\u202ed\x00\x0c\te\nf") == "ared bcd\te\nf"


def test_a_data_file_edited_while_its_chapter_runs_is_recorded_with_the_bytes_from_before(tmp_path: Path):
    # the chapter reads data/numbers.csv, then the file is edited before the run ends: the record must not vouch for
    # the edited bytes (the page would keep the old value for good); the next build runs the chapter again
    from helpers.pipeline import cache, execute

    code = ("import os\nroot = os.environ['BEST_SAMMEN_ROOT']\n"
            "open(os.environ['BEST_SAMMEN_DEPS_LOG'], 'a').write(root + '/data/numbers.csv\\n')\n"
            "old = open(root + '/data/numbers.csv').read()\n"
            "open(root + '/data/numbers.csv', 'w').write('n\\n2\\n')  # the author saves while it runs")
    root, task = _tiny_project(tmp_path, code)
    original = cache.file_digest(root / "data" / "numbers.csv")
    result = execute.run(str(root), task, limits=(60, 10**6))
    assert result["ok"], result.get("error")
    records, lines = cache.Cache(root), []
    execute.store(root, records, task, result, lambda *a: lines.append(" ".join(map(str, a))))
    assert records.get(task.record)["deps"] == {"data/numbers.csv": original}
    assert not execute.is_fresh(root, records, task), "a chapter run on bytes since edited counts as up to date"
    assert any("data/numbers.csv changed while en/tiny ran" in line for line in lines), lines


def test_a_data_file_linked_from_outside_the_project_stays_a_dependency(tmp_path: Path):
    from helpers.pipeline import cache, execute

    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    outside = tmp_path / "elsewhere" / "numbers.csv"
    outside.parent.mkdir()
    outside.write_text("n\n1\n", encoding="utf-8")
    (root / "data" / "numbers.csv").symlink_to(outside)
    before = execute.data_snapshot(root)
    assert before == {"data/numbers.csv": cache.file_digest(outside)}
    deps, changed = execute.recorded_deps(root, [str(root / "data" / "numbers.csv"), "/etc/hostname"], before)
    assert deps["data/numbers.csv"] == cache.file_digest(outside) and not changed
    assert "/etc/hostname" in deps, "a file read outside the project was dropped from the dependencies"
    outside.write_text("n\n2\n", encoding="utf-8")  # edited where it lives: the record no longer matches
    assert cache.file_digest(root / "data" / "numbers.csv") != deps["data/numbers.csv"]


def test_a_chapter_whose_executed_figures_are_missing_is_not_up_to_date(tmp_path: Path):
    # deleting _build/executed/<edition>/notebooks/figures/<chapter> left the chapter "up to date", so every later
    # render failed on missing resources; the figures are part of what a run must have left
    from helpers.pipeline import execute

    root, task = _tiny_project(tmp_path, "pass")
    work = root / "_build" / "exec-fake"
    (work / "figures" / "tiny").mkdir(parents=True)
    (work / "figures" / "tiny" / "fig-a.svg").write_text("<svg/>", encoding="utf-8")
    shutil.copy(root / "notebooks" / "tiny.ipynb", work / "tiny.ipynb")
    records = cache.Cache(root)
    execute.store(root, records, task, {"work": str(work), "deps": [], "seconds": 1.0})
    assert execute.is_fresh(root, records, task)
    figures = execute.executed_figures(root, task.edition, task.page)
    (figures / "fig-a.svg").write_text("<svg>edited</svg>", encoding="utf-8")
    assert not execute.is_fresh(root, records, task), "a chapter whose figure was edited counts as up to date"
    shutil.rmtree(figures)
    assert not execute.is_fresh(root, records, task), "a chapter whose figures were deleted counts as up to date"


@pytest.mark.parametrize("name, record", [
    ("execute/en/x", {"key": "k", "deps": []}),
    ("execute/en/x", {"key": "k", "deps": {"data/a.csv": 3}}),
    ("execute/en/x", {"key": ["k"], "deps": {}}),
    ("render/en", {"key": "k", "shared": "k", "pages": ["index.qmd"]}),
    ("publish", ["k"]),
])
def test_a_cache_record_of_the_wrong_shape_counts_as_absent(tmp_path: Path, name: str, record):
    from helpers.pipeline import config, execute

    records = cache.Cache(tmp_path)
    records.put(name, record)
    assert records.get(name) is None and not records.fresh(name, "k")
    if name.startswith("execute"):
        task = execute.Task(config.Edition("en", "en", None, "", {}, "_quarto.yml"), config.Page("notebooks/x.ipynb"),
                            {}, "k")
        assert not execute.is_fresh(tmp_path, records, task)


def test_limits_from_the_environment_are_checked(monkeypatch: pytest.MonkeyPatch):
    from helpers.pipeline import execute
    from helpers.pipeline.config import BuildError

    monkeypatch.setenv(execute.CELL_TIMEOUT_ENV, "12.5")
    assert execute.cell_timeout() == 12.5
    for bad in ("soon", "0", "-3"):
        monkeypatch.setenv(execute.CELL_TIMEOUT_ENV, bad)
        with pytest.raises(BuildError, match=f"{execute.CELL_TIMEOUT_ENV}='{bad}'"):
            execute.cell_timeout()
    monkeypatch.delenv(execute.CELL_TIMEOUT_ENV)
    assert execute.cell_timeout() == execute.DEFAULT_CELL_TIMEOUT


def test_a_large_data_file_is_reported_with_its_render_cost(tmp_path: Path):
    from helpers.pipeline import cli

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "small.csv").write_text("n\n" + "1\n" * 100, encoding="utf-8")
    (tmp_path / "data" / "large.csv").write_text("n\n" + "1\n" * (cli.LARGE_DATA_ROWS + 1), encoding="utf-8")
    lines: list[str] = []
    cli.warn_large_data(tmp_path, lines.append)
    assert len(lines) == 1 and "data/large.csv has 10,001 rows" in lines[0] and "render" in lines[0], lines


FAKE_QUARTO = """#!/usr/bin/env bash
case "$1" in --version) echo 1.7.34; exit 0 ;; esac
{body}
"""
# what Quarto 1.7 prints when the disk fills while it copies the site's libraries
NO_SPACE_STACK = r"""echo '[1/1] notebooks/01-a.ipynb'
echo 'ERROR: NoSpace: No space left on device (os error 28): copy ... -> _site/site_libs/bootstrap/bootstrap.min.css'
echo ''
echo 'Stack trace:'
echo '    at Object.copyFileSync (ext:deno_fs/30_fs.js:234:7)'
echo '    at freezeLibDir (file:///q/src/project/project-shared.ts:95:9)'
echo '    at renderProject (file:///q/src/command/render/project.ts:672:7)'
exit 1"""


def _fake(tmp_path: Path, body: str, name: str = "quarto") -> Path:
    path = tmp_path / "fakebin" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE_QUARTO.format(body=body), encoding="utf-8")
    path.chmod(0o755)
    return path


def test_a_full_disk_while_quarto_renders_is_named_in_one_line(tmp_path: Path):
    from helpers.pipeline import config, render
    from helpers.pipeline.config import BuildError

    fake = _fake(tmp_path, NO_SPACE_STACK)
    edition = config.Edition("en", "en", None, "", {}, "_quarto.yml")
    with pytest.raises(BuildError) as info:
        render._run_quarto(str(fake), tmp_path, edition, "notebooks/01-a.ipynb", ["notebooks/01-a.ipynb"])
    message = str(info.value)
    assert "project.ts" not in message and "Stack trace" not in message, message
    assert "rendering notebooks/01-a.ipynb: no space left on the disk holding /" in message
    assert "_site/ left as it was" in message
    assert len(message.splitlines()) <= 2, message


def test_quarto_runs_in_its_own_process_group_and_dies_with_an_interrupted_build(tmp_path: Path):
    import threading

    import psutil

    from helpers.pipeline import quarto

    marker = tmp_path / "started"
    fake = _fake(tmp_path, f"sleep 300 & echo $! > {marker}; wait")
    done = threading.Event()

    def render() -> None:
        try:
            quarto.run([str(fake), "render"], tmp_path, dict(os.environ))
        finally:
            done.set()

    threading.Thread(target=render, daemon=True).start()
    for _ in range(500):
        if marker.exists() and marker.read_text().strip():
            break
        done.wait(0.01)
    child = psutil.Process(int(marker.read_text()))
    assert os.getpgid(child.pid) != os.getpgid(0), "Quarto shares the build's process group (a terminal's Ctrl-C …)"
    try:
        quarto.end_all()
        assert done.wait(30), "the render did not return once Quarto was killed"
        psutil.wait_procs([child], timeout=10)
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE, "Quarto's child outlived the build"
        with pytest.raises(quarto.BuildError, match="interrupted"):
            quarto.run([str(fake), "render"], tmp_path, dict(os.environ))
    finally:
        quarto._stopping.clear()
        if child.is_running():
            child.kill()


def _fake_install(target: Path) -> None:
    for name in (*__import__("helpers.pipeline.quarto", fromlist=["KEY_FILES"]).KEY_FILES,
                 "quarto-cli/src/resources/formats/html/x.js", "npm/node_modules/sass/x"):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(name, encoding="utf-8")
    (target / "bin" / "quarto").write_text(FAKE_QUARTO.format(body="echo \"cannot open $0/../../quarto-cli/src/"
                                                                   "resources/filters/main.lua\"; exit 1"))
    (target / "bin" / "quarto").chmod(0o755)


def test_a_damaged_quarto_installation_is_named_and_assembled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from helpers.pipeline import quarto
    from helpers.pipeline.config import BuildError

    monkeypatch.setenv(quarto.TOOLS_ENV, str(tmp_path / "tools"))
    target = quarto.install_dir()
    assert target == tmp_path / "tools" / f"quarto-{quarto.VERSION}"
    _fake_install(target)
    assert quarto.damage(target) is None and (target / quarto.MANIFEST).exists(), "an intact tree is adopted"
    monkeypatch.setattr(quarto.shutil, "which", lambda name: None)  # no Quarto of the user's on PATH
    assert quarto._find.__wrapped__(tmp_path) == str(target / "bin" / "quarto")
    (target / "quarto-cli" / "src" / "resources" / "formats" / "html" / "x.js").unlink()  # removed mid-build
    assert quarto.damage(target) == "quarto-cli/src/resources/formats/html/x.js is missing"
    with pytest.raises(BuildError, match="the assembled Quarto in .* is damaged .* the next build assembles it again"):
        quarto.run([str(target / "bin" / "quarto"), "render"], tmp_path, dict(os.environ))
    assembled = []
    monkeypatch.setattr(quarto, "default_bundle", lambda root: tmp_path / "bundle.tar.xz")
    monkeypatch.setattr(quarto, "_assemble", lambda bundle, where, log: assembled.append(where) or where / "bin/quarto")
    quarto._find.__wrapped__(tmp_path)
    assert assembled == [target], "the next build did not assemble the damaged Quarto again"
    (target / "bin" / "tools" / "x86_64" / "pandoc").unlink()
    assert quarto.damage(target) == "bin/tools/x86_64/pandoc is missing"


def test_quarto_dies_with_a_build_killed_outright(tmp_path: Path):
    # SIGKILL runs no handler: Quarto, in a process group of its own, would render on with no build to publish it
    import psutil

    fake = _fake(tmp_path, "exec sleep 300")
    code = (f"import os, sys; from pathlib import Path; from helpers.pipeline import quarto; print(os.getpid(), flush=True); "
            f"quarto.run([{str(fake)!r}, 'render'], Path({str(tmp_path)!r}), dict(os.environ))")
    build_process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        build_process.stdout.readline()
        for _ in range(1000):
            children = psutil.Process(build_process.pid).children()
            if children and "sleep" in " ".join(children[0].cmdline()):
                break
            psutil.wait_procs([], timeout=0.01)
        assert children, "Quarto did not start"
        build_process.kill()
        build_process.wait(10)
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, "Quarto outlived the killed build"
    finally:
        for child in psutil.Process().children(recursive=True):
            if "sleep" in " ".join(child.cmdline()):
                child.kill()


def test_a_folder_where_a_cache_record_belongs_is_replaced(tmp_path: Path):
    records = cache.Cache(tmp_path)
    (tmp_path / "_build" / "cache" / "publish.json" / "x").mkdir(parents=True)
    assert records.get("publish") is None
    records.put("publish", {"key": "k"})
    assert records.fresh("publish", "k")


def _project_with_citation(tmp_path: Path, citation: str) -> Path:
    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "_quarto.yml", tmp_path / "_quarto.yml")
    (tmp_path / "CITATION.cff").write_text(citation, encoding="utf-8")
    return tmp_path


def test_the_title_page_date_is_the_release_date_not_the_build_day(tmp_path: Path):
    """`date: today` made the landing page differ between two builds of the same sources a day apart."""
    import yaml

    from helpers.pipeline import render

    project = _project_with_citation(tmp_path, "cff-version: 1.2.0\ndate-released: 2025-06-30\n")
    assert yaml.safe_load(render.build_config_text(project))["book"]["date"] == "2025-06-30"
    assert "today" not in render.build_config_text(Path(__file__).resolve().parents[1])


def test_a_release_date_that_is_not_a_date_is_named(tmp_path: Path):
    from helpers.pipeline import render
    from helpers.pipeline.config import BuildError

    project = _project_with_citation(tmp_path, "date-released: next week\n")
    with pytest.raises(BuildError, match=r"CITATION.cff: date-released is 'next week'; write it as YYYY-MM-DD"):
        render.build_config_text(project)


def test_the_preview_server_serves_the_folder_with_a_reload_script_and_a_version(tmp_path: Path):
    """The preview's own server: pages as rendered plus the reload script (never written into the files), other files
    as they are, and the version a rebuild bumps."""
    import threading
    import urllib.request

    from helpers.pipeline import preview

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "index.html").write_text("<html><body><p>Page</p></body></html>")
    (tmp_path / "data.csv").write_text("a,b\n")
    server = preview._server(tmp_path, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        def get(path: str) -> str:
            with urllib.request.urlopen(base + path) as response:
                return response.read().decode()

        page = get("/notebooks/")
        assert "<p>Page</p>" in page and "/__preview_version" in page
        assert "__preview_version" not in (tmp_path / "notebooks" / "index.html").read_text()
        assert get("/data.csv") == "a,b\n"
        assert get("/__preview_version") == "0"
        server.version += 1
        assert get("/__preview_version") == "1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("locked_runs, fails", [(1, False), (9, True)])
def test_a_quarto_cache_locked_by_the_other_edition_is_tried_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                   locked_runs: int, fails: bool):
    """Both editions' first render on a fresh machine may meet in Quarto's user-wide SQLite cache: a run that failed
    with "database is locked" is tried again after a pause; a lock that stays fails the build, naming it."""
    import subprocess

    from helpers.pipeline import config as build_config
    from helpers.pipeline import quarto, render

    runs: list[int] = []

    def fake_run(args, project, env, target):
        runs.append(1)
        locked = len(runs) <= locked_runs
        return subprocess.CompletedProcess(args, 1 if locked else 0,
                                           "ERROR: database is locked: Error code 5" if locked else "Output created")

    monkeypatch.setattr(quarto, "run", fake_run)
    monkeypatch.setattr(render.time, "sleep", lambda _: None)
    edition = build_config.Edition(name="en", profile=None, lang="en", prefix="", parameters={}, config_file="_quarto.yml")
    if fails:
        with pytest.raises(build_config.BuildError, match="database is locked"):
            render._run_quarto("quarto", tmp_path, edition, None, ["index.qmd"])
        assert len(runs) == 1 + len(render.QUARTO_LOCK_WAITS)
    else:
        render._run_quarto("quarto", tmp_path, edition, None, ["index.qmd"])
        assert len(runs) == 2
