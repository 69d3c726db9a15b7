"""Figures and tables read in JupyterLab as they read on the site, and Quarto gets outputs that need no other host.

Each figure or table output carries Markdown for Quarto (numbered, cross-referenced, captioned) and an HTML view for
JupyterLab, which would show that Markdown's image-with-links caption or a table's CSS as text. The build hands
Quarto the notebook without those HTML views: a ``text/html`` output makes Quarto 1.7 load scripts from a CDN.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers.pipeline.render import quarto_input

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _outputs(path: Path):
    for number, cell in enumerate(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"):
        for output in cell.get("outputs", []):
            yield number + 1, output.get("data", {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_and_table_has_a_view_jupyterlab_shows_as_image_or_table(path):
    bad = []
    for number, data in _outputs(path):
        markdown = data.get("text/markdown", "")
        lab = data.get("text/html", "")
        if markdown.startswith("::: {#fig-") and "<picture>" in markdown and "data:image/svg+xml" not in lab:
            bad.append(f"cell [{number}]: a figure without an image for JupyterLab")
        # an interactive table (the claim list, hundreds of rows) is stored once, for the site: JupyterLab shows its
        # caption and a link to its CSV (issue 20's notebook size)
        interactive = markdown.startswith("::: {#tbl-") and ".interactive" in markdown.split("\n", 1)[0]
        if interactive and ".csv" not in lab:
            bad.append(f"cell [{number}]: an interactive table without a link to its CSV for JupyterLab")
        if markdown.startswith("::: {#tbl-") and not interactive and "<table" not in lab:
            bad.append(f"cell [{number}]: a table without an HTML table for JupyterLab")
    assert not bad, f"{path.name}:\n  " + "\n  ".join(bad)


def test_quarto_gets_the_markdown_and_never_the_html_view(tmp_path):
    nb = nbformat.v4.new_notebook()
    both = nbformat.v4.new_output("display_data", data={"text/markdown": "![c](x.svg){#fig-x}", "text/html": "<img>"})
    html_only = nbformat.v4.new_output("display_data", data={"text/html": "<b>kept: the page test names it</b>"})
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[both, html_only])]
    source, target = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    quarto_input(source, target)
    outputs = nbformat.read(target, as_version=4).cells[0].outputs
    assert outputs[0]["data"] == {"text/markdown": "![c](x.svg){#fig-x}"}
    assert outputs[1]["data"] == {"text/html": "<b>kept: the page test names it</b>"}
    assert nbformat.read(source, as_version=4).cells[0].outputs[0].data["text/html"] == "<img>"  # the download keeps it


def test_a_figures_svg_says_its_font_once_and_keeps_only_the_ids_it_uses():
    """matplotlib repeats the theme's font family in every text element and names every group: the SVG a reader
    downloads says the family once, in its stylesheet, and keeps the ids something refers to (a clip path)."""
    import xml.etree.ElementTree as ET

    from helpers import notebook

    family = "'DejaVu Sans', 'Arial', sans-serif"
    drawn = (f'<svg xmlns="http://www.w3.org/2000/svg"><defs><style type="text/css">*{{stroke: none}}</style></defs>\n'
             f'  <g id="axes_1"><g id="text_1"><text style="font-size: 12px; font-family: {family}; fill: #262626">A'
             f'</text></g><path clip-path="url(#p1)" d="M 0 0"/></g><g id="p1"><rect/></g>\n'
             f'  <text style="font-size: 14px; font-family: {family}">B</text></svg>').encode()
    light = notebook._compact(drawn).decode()
    assert light.count("font-family") == 1 and f"text{{font-family: {family}}}</style>" in light
    assert 'id="axes_1"' not in light and 'id="text_1"' not in light and 'id="p1"' in light
    assert [t.text for t in ET.fromstring(light).iter("{http://www.w3.org/2000/svg}text")] == ["A", "B"]
    assert 'style="font-size: 12px; fill: #262626"' in light
