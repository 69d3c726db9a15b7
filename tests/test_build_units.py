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
from helpers.build import cache, publish


def test_the_build_command_imports_nothing_only_kernels_need():
    code = ("import sys; from helpers.build import cli, config, cache, execute, quarto, render, publish, reproduce; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'seaborn', 'scipy', 'statsmodels'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", f"the build imports kernel-only packages: {out}"


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "helpers"
    shutil.copytree(paths.helpers_source_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "helpers_source_dir", lambda: copy)
    return copy


@pytest.mark.parametrize("changed, counts", [("theme.mplstyle", True), ("plots.py", True), ("labels.py", True),
                                             ("build/render.py", False)])
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
    from helpers.build import quarto

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

    from helpers.build import config

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
    from helpers.build import config, execute

    edition = config.Edition("nb", "nb", "nb", "nb/", {"lang": "nb"}, "_quarto-nb.yml")
    landing, chapter = config.Page("index.ipynb"), config.Page("notebooks/01-a.ipynb")
    executed = tmp_path / "_build" / "executed" / "nb"
    assert execute.executed_path(tmp_path, edition, landing) == executed / "index.ipynb"
    assert execute.executed_figures(tmp_path, edition, landing) == executed / "figures" / "index"
    assert execute.executed_path(tmp_path, edition, chapter) == executed / "notebooks" / "01-a.ipynb"
    assert execute.executed_figures(tmp_path, edition, chapter) == executed / "notebooks" / "figures" / "01-a"


def test_a_page_the_book_no_longer_lists_is_removed_from_the_quarto_project(tmp_path: Path):
    # left beside a new index.ipynb, an old index.qmd gave Quarto two sources for index.html (it wrote a redirect)
    from helpers.build import config, render

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
    from helpers.build import config, render

    edition = config.Edition("nb", "nb", "nb", "nb/", {"lang": "nb"}, "_quarto-nb.yml")
    span = '[References]{.content-visible unless-profile="nb"}[Referanser]{.content-visible when-profile="nb"}'
    (tmp_path / "index.html").write_text(f'<a class="pagination-link" aria-label="{span.replace(chr(34), "&quot;")}">',
                                         encoding="utf-8")
    (tmp_path / "search.json").write_text('[{"crumbs": [' + json.dumps(span) + "]}]", encoding="utf-8")
    render.resolve_interface_text(tmp_path, [config.Page("index.qmd")], edition)
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == '<a class="pagination-link" aria-label="Referanser">'
    assert json.loads((tmp_path / "search.json").read_text(encoding="utf-8")) == [{"crumbs": ["Referanser"]}]
