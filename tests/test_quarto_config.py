"""_quarto.yml is a coherent Quarto book, and every citation used anywhere resolves against references.bib."""

from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import pytest

from helpers import build

from .conftest import ROOT


def test_book_lists_existing_pages_and_a_bibliography():
    config = build.load_quarto(ROOT)
    assert config["project"]["type"] == "book"
    assert config["execute"]["enabled"] is False, "Quarto must render the executed notebooks, not re-execute them"
    for page in build.pages(config):
        assert (ROOT / page.source).exists(), f"_quarto.yml lists {page.source}, which does not exist"
    assert (ROOT / config["bibliography"]).exists()


def test_every_notebook_in_notebooks_is_in_the_book():
    listed = {p.source for p in build.pages(build.load_quarto(ROOT))}
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"notebooks/{path.name}" in listed, f"{path.name} is not in _quarto.yml"


def test_every_cited_key_is_in_references_bib():
    keys = build.bib_keys(ROOT / "references.bib")
    texts = [p.read_text(encoding="utf-8") for p in ROOT.glob("*.qmd")]
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        texts += [c.source for c in nbformat.read(path, as_version=4).cells]
    cited = set()
    for text in texts:
        cited |= set(re.findall(r"\[[^\]]*?@([A-Za-z0-9_:\-]+)", text))
    assert cited, "no citations found"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


def test_every_chapter_declares_lang_in_one_parameters_cell():
    for page in [p for p in build.pages(build.load_quarto(ROOT)) if p.is_notebook]:
        declared = build.declared_parameters(ROOT / page.source)
        assert "lang" in declared, f"{page.source} does not declare lang"


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not installed on this machine; the pandoc renderer is tested instead")
def test_quarto_renders_the_book(tmp_path):
    result = subprocess.run(["quarto", "render", str(ROOT), "--output-dir", str(tmp_path / "site")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def test_files_the_book_includes_exist_and_both_renderers_use_them():
    html = build.load_quarto(ROOT)["format"]["html"]
    includes = html.get("include-after-body", [])
    includes = [includes] if isinstance(includes, str) else includes
    assert includes, "the search box for .searchable tables is included after the body"
    for name in includes:
        assert (ROOT / name).is_file(), f"_quarto.yml includes {name}, which does not exist"
        assert (ROOT / name).resolve() in {p.resolve() for p in build.quarto_includes(ROOT)}
