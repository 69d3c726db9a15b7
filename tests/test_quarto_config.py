"""_quarto.yml is a coherent Quarto book, each edition a profile, and every citation resolves against references.bib."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from helpers.pipeline import config

from .conftest import ROOT


def bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(encoding="utf-8"), flags=re.M))


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _book_notebooks():
    """Every notebook of the book: the chapters in notebooks/ and a landing page computed as a notebook."""
    return [ROOT / p.source for p in config.pages(config.load_quarto(ROOT)) if p.is_notebook]


def _source(path):
    """A page's text as its author wrote it (a notebook's cells joined: Markdown and code alike)."""
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    return "\n\n".join("".join(c["source"]) for c in _cells(path))


def test_book_lists_existing_pages_and_a_bibliography():
    settings = config.load_quarto(ROOT)
    assert settings["project"]["type"] == "book"
    assert settings["execute"]["enabled"] is False, "Quarto must render the executed notebooks, not re-execute them"
    assert settings["execute"]["echo"] is False, "code is hidden once, for the whole project"
    for page in config.pages(settings):
        assert (ROOT / page.source).exists(), f"_quarto.yml lists {page.source}, which does not exist"
    assert (ROOT / settings["bibliography"]).exists()


def test_every_notebook_in_notebooks_is_in_the_book():
    listed = {p.source for p in config.pages(config.load_quarto(ROOT))}
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"notebooks/{path.name}" in listed, f"{path.name} is not in _quarto.yml"


def test_editions_are_the_default_profile_and_one_profile_each():
    editions = config.editions(ROOT)
    assert [(e.name, e.profile, e.prefix) for e in editions] == [("en", None, ""), ("nb", "nb", "nb/")]
    assert [e.parameters["lang"] for e in editions] == ["en", "nb"]
    for profile in config.profiles(ROOT):
        own = yaml.safe_load((ROOT / f"_quarto-{profile}.yml").read_text(encoding="utf-8"))
        assert "chapters" not in (own.get("book") or {}), "_quarto.yml alone lists the chapters"
        assert own.get("lang") == profile and own["book"]["title"] and own["book"]["subtitle"]


def test_landing_page_does_not_repeat_the_chapter_list():
    # it may refer to a chapter (@sec-…, numbered by Quarto in the edition's words), never name its file
    landing, *others = config.pages(config.load_quarto(ROOT))
    text = _source(ROOT / landing.source)
    linked = [p.source for p in others if Path(p.output).name in text or Path(p.source).name in text]
    assert not linked, (f"{landing.source} lists chapters by hand ({linked}); _quarto.yml is the only table of "
                        "contents, and a finding links to its chapter with @sec-…")


def test_the_landing_page_is_computed_and_each_finding_links_to_its_chapter():
    landing = config.pages(config.load_quarto(ROOT))[0]
    assert landing.is_notebook, "the landing page states computed findings: it is a notebook the build executes"
    # a chapter, or a section in one (the recommendations, in chapter 3)
    chapter_ids = {found for p in config.pages(config.load_quarto(ROOT))[1:] if p.is_notebook
                   for c in _cells(ROOT / p.source) if c["cell_type"] == "markdown"
                   for found in re.findall(r"\{#(sec-[\w-]+)", "".join(c["source"]))}
    markdown = ["".join(c["source"]) for c in _cells(ROOT / landing.source) if c["cell_type"] == "markdown"]
    start = next(i for i, m in enumerate(markdown) if "{#sec-main-findings" in m)
    end = next((i for i in range(start + 1, len(markdown)) if re.match(r"#+ ", markdown[i].lstrip())), len(markdown))
    said = [m for m in markdown[start + 1:end] if "`{python} " in m]  # the findings: computed paragraphs
    assert len(said) >= 5, "the landing page states its main findings in computed prose (inline values in Markdown)"
    for source in said:
        assert set(re.findall(r"@(sec-[\w-]+)", source)) & chapter_ids, f"a finding links to no chapter:\n{source}"


def test_a_chapter_listed_twice_is_refused(tmp_path):
    settings = config.load_quarto(ROOT)
    settings["book"]["chapters"].append(settings["book"]["chapters"][1])
    with pytest.raises(config.BuildError, match=r"notebooks/01-awareness.ipynb is listed twice"):
        config.pages(settings)


def test_every_cited_key_is_in_references_bib():
    keys = bib_keys()
    texts = [p.read_text(encoding="utf-8") for p in ROOT.glob("*.qmd")]
    for path in _book_notebooks():
        texts += ["".join(c["source"]) for c in _cells(path)]
    cited = set()
    for text in texts:
        cited |= set(re.findall(r"\[[^\]]*?@([A-Za-z0-9_:\-]+)", text))
    assert cited, "no citations found"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


def test_every_chapter_declares_lang_in_one_parameters_cell():
    for page in [p for p in config.pages(config.load_quarto(ROOT)) if p.is_notebook]:
        declared = config.declared_parameters(ROOT / page.source)
        assert "lang" in declared, f"{page.source} does not declare lang"


def test_no_cell_repeats_what_the_project_sets_once():
    for path in _book_notebooks():
        for number, cell in enumerate(_cells(path), start=1):
            source = "".join(cell["source"])
            assert "#| echo:" not in source, f"{path.name}, cell {number}: echo is set once in _quarto.yml"


def test_files_the_book_uses_exist():
    html = config.load_quarto(ROOT)["format"]["html"]
    for key in ("include-after-body", "css", "filters"):
        names = html.get(key) or []
        names = [names] if isinstance(names, str) else names
        assert names, f"_quarto.yml format.html.{key} is empty"
        for name in names:
            assert (ROOT / name).is_file(), f"_quarto.yml uses {name}, which does not exist"


def test_a_notebook_that_is_not_json_is_named(tmp_path):
    broken = tmp_path / "01-broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(config.BuildError, match=r"01-broken\.ipynb: not a valid notebook \(JSON\)"):
        config.notebook_cells(broken)


def test_each_editions_reference_list_is_in_its_language():
    # Quarto 1.7 builds a book's reference list without the edition's lang: a non-English edition names a CSL style
    # whose default locale is its language; every work declares its language (citeproc title-cases a title it takes
    # for English, which mangles a Norwegian one)
    for edition in config.editions(ROOT):
        if edition.lang == "en":
            continue
        csl = config.load_quarto(ROOT, edition.profile).get("csl")
        assert csl and (ROOT / csl).is_file(), f"{edition.config_file}: no csl for the {edition.lang} reference list"
        assert re.search(rf'<style [^>]*default-locale="{edition.lang}[-"]', (ROOT / csl).read_text(encoding="utf-8"))
    entries = re.findall(r"^@\w+\{([^,\s]+),(.*?)^\}", (ROOT / "references.bib").read_text(encoding="utf-8"),
                         flags=re.M | re.S)
    undeclared = [key for key, body in entries if not re.search(r"^\s*langid\s*=", body, flags=re.M)]
    assert entries and not undeclared, f"references.bib: entries without langid (their titles get title-cased): {undeclared}"


def test_a_root_quarto_render_is_guarded_and_quarto_finds_its_gitignore_entry():
    """`quarto render`/`preview` at the root runs the guard (tests/test_quarto_render.py runs it for real); what Quarto
    empties first is a scratch folder, and .gitignore already has the entry Quarto would append (`/.quarto/`)."""
    project = config.load_quarto(ROOT)["project"]
    assert project["pre-render"] == "tools/use-make-site.ts" and (ROOT / project["pre-render"]).is_file()
    assert project["output-dir"].startswith("_build/"), "Quarto empties output-dir before any pre-render script runs"
    assert "/.quarto/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("uid", ["0", "1000"])
def test_make_lab_passes_allow_root_to_root_only_and_takes_args(tmp_path: Path, uid: str):
    import os
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "jupyter").write_text('#!/bin/sh\necho "jupyter $*"\n')
    (fake / "id").write_text(f'#!/bin/sh\necho {uid}\n')
    for name in ("jupyter", "id"):
        (fake / name).chmod(0o755)
    # a stamp newer than pyproject.toml, so make does not set up a virtual environment first (in a fresh clone every
    # file has the clone's time, and pyproject.toml may be the newest)
    stamp = tmp_path / "installed"
    stamp.touch()
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    out = subprocess.run(["make", "-s", "lab", f"BIN={fake}", f"STAMP={stamp}", "ARGS=--no-browser --port 8899"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "jupyter lab notebooks/" + (" --allow-root" if uid == "0" else "") + " --no-browser --port 8899"
