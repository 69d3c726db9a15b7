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

from helpers.build import BuildError, build_site, quarto

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
    out = subprocess.run([sys.executable, "-m", "helpers.build", "quarto", "--version"], capture_output=True,
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
