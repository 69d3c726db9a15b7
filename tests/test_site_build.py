"""The site as built: every chapter page, every figure with alt text and data, citations resolved, both editions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers import build

from .conftest import ROOT

pytestmark = pytest.mark.slow


def _pages():
    return build.pages(build.load_quarto(ROOT))


def _editions():
    return build.load_editions(ROOT)


def test_every_listed_page_exists_in_every_edition(site):
    for edition in _editions():
        for page in _pages():
            assert (site / edition.prefix / page.output).exists(), f"{edition.prefix}{page.output} missing"


def test_index_links_to_every_chapter(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    for page in _pages():
        assert f'href="{page.output}"' in html, f"index.html has no link to {page.output}"


def test_every_figure_is_on_its_page_with_alt_text_and_data(site):
    for edition in _editions():
        for page in [p for p in _pages() if p.is_notebook]:
            executed = nbformat.read(ROOT / "_build" / "executed" / edition.name / "notebooks" / f"{page.stem}.ipynb", 4)
            ids = set(re.findall(r"\{#(fig-[\w-]+)", "\n".join(
                o.get("data", {}).get("text/markdown", "") for c in executed.cells for o in c.get("outputs", []))))
            assert ids, f"{page.stem} has no figures"
            html = (site / edition.prefix / page.output).read_text(encoding="utf-8")
            for fig_id in ids:
                match = re.search(rf'<figure id="{fig_id}">(.*?)</figure>', html, flags=re.S)
                assert match, f"{edition.name}/{page.stem}: figure {fig_id} not rendered"
                alt = re.search(r'<img[^>]*alt="([^"]+)"', match.group(1))
                assert alt and len(alt.group(1)) > 30, f"{fig_id}: no alt text"
                csv = re.search(r'href="(figures/[^"]+\.csv)"', match.group(1))
                assert csv and (site / edition.prefix / Path(page.output).parent / csv.group(1)).exists(), f"{fig_id}: data CSV missing"
                assert f'href="{page.stem}.ipynb"' in match.group(1), f"{fig_id}: no link to its notebook"
            assert (site / edition.prefix / Path(page.output).parent / f"{page.stem}.ipynb").exists()


def test_citations_are_resolved_and_linked(site):
    keys = build.bib_keys(ROOT / "references.bib")
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", " ", html)
        bare = [k for k in keys if f"@{k}" in text]
        assert not bare, f"{path.relative_to(site)}: unresolved citation(s) {bare}"
        for cited in re.findall(r'data-cites="([^"]+)"', html):
            for key in cited.split():
                assert key in keys
    refs = (site / "references.html").read_text(encoding="utf-8")
    assert 'id="ref-dfo2023"' in refs and 'id="ref-strategy2021"' in refs


def test_no_page_requests_another_host(site):
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|img|link|iframe|source)[^>]+(?:src|href)="(?:https?:)?//[^"]+"', html)
        assert not external, f"{path.relative_to(site)} loads from another host: {external[:3]}"


def test_norwegian_edition_has_norwegian_labels(site):
    en = (site / "notebooks" / "01-awareness.html").read_text(encoding="utf-8")
    nb = (site / "nb" / "notebooks" / "01-awareness.html").read_text(encoding="utf-8")
    assert '<html lang="nb"' in nb and '<html lang="en"' in en
    assert "Liggende stolpediagram" in nb and "Horizontal bar chart" in en
    assert "Kjennskap til strategien, etter rolle" in nb
    assert 'href="../nb/notebooks/01-awareness.html"' in en  # the language switch, same chapter
