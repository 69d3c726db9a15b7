"""The site as Quarto built it: both editions complete, numbered and cross-referenced, searchable, every figure with
alt text and links that reach its data and its notebook, citations resolved, nothing loaded from another host."""

from __future__ import annotations

import json
import re

import pandas as pd
from pathlib import Path

import pytest

from helpers.pipeline import config

from .conftest import ROOT

pytestmark = pytest.mark.slow

PAGES = config.pages(config.load_quarto(ROOT))
EDITIONS = config.editions(ROOT)
CHAPTERS = [p for p in PAGES if p.is_notebook]


def _html(site: Path, edition, page) -> str:
    return (site / edition.prefix / page.output).read_text(encoding="utf-8")


def _labels(edition, page, prefix: str) -> set[str]:
    """fig-/tbl- labels the executed notebook of this edition emits."""
    executed = ROOT / "_build" / "executed" / edition.name / page.source
    outputs = ["".join(o.get("data", {}).get("text/markdown", "")) for c in json.loads(executed.read_text())["cells"]
               for o in c.get("outputs", [])]
    return set(re.findall(rf"#({prefix}-[\w-]+)", "\n".join(outputs)))


def test_every_page_of_both_editions_is_a_quarto_1_7_page(site):
    for edition in EDITIONS:
        for page in PAGES:
            html = _html(site, edition, page)
            assert re.search(r'<meta name="generator" content="quarto-1\.7\.\d+"', html), page.output
            assert f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{edition.lang}"' in html, page.output


def test_search_index_covers_every_page_of_each_edition(site):
    for edition in EDITIONS:
        entries = json.loads((site / edition.prefix / "search.json").read_text(encoding="utf-8"))
        hrefs = {e["href"].split("#")[0] for e in entries}
        assert {p.output for p in PAGES} <= hrefs, f"{edition.name}: search index misses pages"


def test_chapters_are_numbered_and_the_appendix_lettered(site):
    for edition in EDITIONS:
        numbers = []
        for page in PAGES:
            title = re.search(r'<h1 class="title">(.*?)</h1>', _html(site, edition, page), flags=re.S).group(1)
            number = re.search(r'<span class="chapter-number">([^<]+)</span>|(?:Appendix|Vedlegg) ([A-Z]) [—–]', title)
            numbers.append((number.group(1) or number.group(2)) if number else None)
        # landing page and references unnumbered, chapters 1..n, appendices A (the audit) and B (the data)
        assert numbers == [None, "1", "2", "3", "4", None, "A", "B"], numbers


def test_every_figure_and_table_has_a_numbered_caption(site):
    for edition in EDITIONS:
        for page in CHAPTERS:
            html = _html(site, edition, page)
            for kind in ("fig", "tbl"):
                for label in _labels(edition, page, kind):
                    caption = re.search(rf'id="{label}-caption[^"]*">\s*([^<]*)', html)
                    assert caption, f"{edition.name}/{page.stem}: {label} has no caption"
                    # a chapter numbers its figures "Figure 1.2"; the unnumbered landing page plainly, "Figure 1"
                    number = r"\d+" if page.stem == "index" else r"[\dA-Z]+\.\d+"
                    assert re.match(r"(Figure|Figur|Table|Tabell)\s*(&nbsp;|\s)" + number + r"\b", caption.group(1)), \
                        f"{edition.name}/{page.stem}: {label} caption is not numbered: {caption.group(1)[:60]!r}"


def test_cross_references_link_to_their_targets(site):
    found = 0
    for edition in EDITIONS:
        for page in PAGES:
            html = _html(site, edition, page)
            assert "?@" not in html and "quarto-unresolved-ref" not in html, f"{edition.prefix}{page.output}"
            for href in re.findall(r'<a href="([^"]*#(?:fig|tbl|sec)-[^"]+)" class="quarto-xref"', html):
                found += 1
                target, anchor = href.split("#")
                other = (site / edition.prefix / Path(page.output).parent / target) if target else None
                text = other.read_text(encoding="utf-8") if other else html
                assert f'id="{anchor}"' in text, f"{edition.prefix}{page.output}: cross-reference {href} dangles"
    assert found >= 2 * 3, "the chapters refer to their figures and tables with @fig-/@tbl- cross-references"


def test_every_figure_links_to_its_data_and_notebook(site):
    for edition in EDITIONS:
        for page in CHAPTERS:
            html = _html(site, edition, page)
            folder = site / edition.prefix / Path(page.output).parent
            for label in _labels(edition, page, "fig"):
                figure = re.search(rf'<div id="{label}" class="quarto-float.*?</figure>', html, flags=re.S)
                assert figure, f"{edition.name}/{page.stem}: {label} not rendered"
                alt = re.search(r'<img[^>]*alt="([^"]{30,})"', figure.group(0))
                assert alt, f"{label}: no alt text"
                csv = re.search(r'href="(figures/[^"]+\.csv)"', figure.group(0))
                assert csv and (folder / csv.group(1)).is_file(), f"{label}: data CSV missing"
                notebook = re.search(r'href="([^"]+\.ipynb)"', figure.group(0))
                assert notebook, f"{label}: no link to the executed notebook (Quarto rewrote it to a page?)"
                downloaded = json.loads((folder / notebook.group(1)).read_text(encoding="utf-8"))
                assert downloaded["nbformat"] == 4 and any(c.get("outputs") for c in downloaded["cells"])


def test_every_page_links_to_the_same_page_in_the_other_edition(site):
    for edition in EDITIONS:
        for page in PAGES:
            html = _html(site, edition, page)
            links = re.findall(r'<div class="edition-link">\s*(<a [^>]*>)', html)
            assert len(links) == 1, f"{edition.prefix}{page.output}: {len(links)} edition links"
            href = re.search(r'href="([^"]+)"', links[0]).group(1)
            lang = re.search(r' lang="(\w+)"', links[0]).group(1)
            target = (site / edition.prefix / Path(page.output).parent / href).resolve()
            other = next(e for e in EDITIONS if e.lang == lang)
            assert target == (site / other.prefix / page.output).resolve(), f"{page.output}: switch leads to {href}"


def test_title_page_names_the_evaluation_and_the_build_date(site):
    for edition in EDITIONS:
        html = _html(site, edition, PAGES[0])
        assert re.search(r'<p class="subtitle lead">[^<]*(evaluation|evaluering)', html), edition.name
        assert re.search(r'<p class="date">[^<]*20\d\d</p>', html), edition.name


def test_citations_are_resolved_and_listed(site):
    for edition in EDITIONS:
        for page in PAGES:
            html = _html(site, edition, page)
            assert not re.search(r"<strong>[\w:-]+\?</strong>", html), f"{page.output}: an unresolved citation"
        refs = (site / edition.prefix / "references.html").read_text(encoding="utf-8")
        assert 'id="ref-dfo2023"' in refs and 'id="ref-strategy2021"' in refs


def test_no_page_requests_another_host(site):
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|img|link|iframe|source)[^>]+(?:src|href)="(?:https?:)?//[^"]+"', html)
        assert not external, f"{path.relative_to(site)} loads from another host: {external[:3]}"


def test_norwegian_edition_has_norwegian_labels(site):
    en = (site / "notebooks" / "01-awareness.html").read_text(encoding="utf-8")
    nb = (site / "nb" / "notebooks" / "01-awareness.html").read_text(encoding="utf-8")
    assert "Liggende stolpediagram" in nb and "Horizontal bar chart" in en
    assert "Kjennskap til strategien, etter rolle" in nb
    assert "Figur&nbsp;1.1" in nb and "Figure&nbsp;1.1" in en


def test_no_page_or_search_result_shows_conditional_span_markup(site):
    # a heading written as [English]{.content-visible …}[norsk]{…} must reach readers, screen readers and the search
    # results as the edition's words only
    markup = re.compile(r"\]\{\.content-(?:visible|hidden)")
    for edition in EDITIONS:
        for page in PAGES:
            html = _html(site, edition, page)
            found = markup.search(html)
            assert not found, f"{edition.prefix}{page.output}: …{html[max(0, found.start() - 120):found.end()]}…"
        search = (site / edition.prefix / "search.json").read_text(encoding="utf-8")
        assert not markup.search(search), f"{edition.prefix}search.json shows conditional-span markup"


# --- what a chapter writes goes where the project says, wherever it runs from ----------------------------------------

PROBE = '''import pandas as pd
from helpers import notebook
ch = notebook.Chapter(name="99-probe", lang="en")
ch.table(pd.DataFrame({"ministry": ["FIN"], "answers": [3]}), table_id="tbl-probe", caption=ch.caption("Probe", "Probe"))
'''


def _probe_notebook(folder: Path) -> Path:
    import nbformat

    path = folder / "99-probe.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)],
                                            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                     "language": "python"}}), path)
    return path


def test_a_chapter_writes_its_csvs_to_the_project_from_any_working_directory(data_copy: Path, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch):
    """In-process from another folder (as JupyterLab or a script does), then plain papermill started in a temporary
    folder: the CSVs land in the project's git-ignored notebooks/figures/, none in the working directory."""
    import os
    import subprocess
    import sys

    from helpers import notebook

    project = data_copy.parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("BEST_SAMMEN_OUTPUTS", raising=False)
    link = notebook.Chapter(name="99-probe", lang="en")._write_csv("tbl-direct", pd.DataFrame({"a": [1]}))
    assert link.as_posix() == "figures/99-probe/tbl-direct.csv", "the page's link stays relative to the page"
    assert (project / "notebooks" / "figures" / "99-probe" / "tbl-direct.csv").is_file()
    source = _probe_notebook(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "BEST_SAMMEN_OUTPUTS"}
    subprocess.run([sys.executable, "-m", "papermill", "--log-level", "ERROR", str(source), str(tmp_path / "out.ipynb")],
                   cwd=elsewhere, env=env, check=True, capture_output=True, timeout=300)
    assert (project / "notebooks" / "figures" / "99-probe" / "tbl-probe.csv").is_file()
    assert not list(elsewhere.rglob("*.csv")), f"written in the working directory: {list(elsewhere.rglob('*'))}"
    assert "notebooks/figures/" in (ROOT / ".gitignore").read_text().splitlines()
