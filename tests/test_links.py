"""Every link of the built site resolves, #fragments included, checked offline with linkchecker as a reader follows them.

linkchecker crawls from the landing page of each edition (``_site/index.html``, ``_site/nb/index.html``) through
every internal link: chapters, the language switch, figure data (CSV), downloadable notebooks, stylesheet, icon, and
with the ``AnchorCheck`` plugin (``tests/linkcheckerrc``) every ``#fragment``. It runs as the user running the tests
(see ``_linkchecker``), so the checkout may live in a private folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from helpers.pipeline import config

from .conftest import ROOT

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).with_name("linkcheckerrc")
LINKCHECKER = Path(sys.executable).with_name("linkchecker")
ENTRY = Path(__file__).with_name("run_linkchecker.py")  # linkchecker's command, as root too, each page parsed once


def _linkchecker(*start: Path, graph: Path | None = None) -> subprocess.CompletedProcess:
    if not LINKCHECKER.exists():
        pytest.fail(f"linkchecker is not installed in {LINKCHECKER.parent} (it is a pinned dev dependency: make test)")
    args = [sys.executable, str(ENTRY), "--config", str(CONFIG), "--no-status", "--threads", "4"]
    if graph is not None:
        args += ["--file-output", f"gxml/utf-8/{graph}"]  # every URL it reached, valid or not
    return subprocess.run([*args, *map(str, start)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})


def test_every_link_and_anchor_of_both_editions_resolves(site: Path, tmp_path: Path):
    graph = tmp_path / "graph.xml"
    result = _linkchecker(site / "index.html", site / "nb" / "index.html", graph=graph)
    assert result.returncode == 0, (
        f"linkchecker found broken links or anchors in {site} (exit {result.returncode}):\n"
        f"{result.stdout[-20000:]}\n{result.stderr[-3000:]}"
    )
    # The crawl really went everywhere: every page of every edition and every download was reached and checked.
    reached = {Path(unquote(urlsplit(u.text).path)) for u in ET.parse(graph).getroot().iter("url")
               if u.text and u.text.startswith("file:")}
    book_pages = config.pages(config.load_quarto(ROOT))
    expected = {site.resolve() / e.prefix / p.output for e in config.editions(ROOT) for p in book_pages}
    expected |= {p.resolve() for p in site.rglob("*") if p.suffix in (".csv", ".ipynb")}
    missing = sorted(str(p.relative_to(site.resolve())) for p in expected - reached)
    assert not missing, f"linkchecker never reached {missing}: no link leads there from the landing pages"


def test_linkchecker_reports_a_broken_link_and_a_missing_anchor(tmp_path: Path):
    """The check above can fail: the same configuration on a two-page site with one dead link and one dead anchor."""
    site = tmp_path / "site"
    (site / "nb").mkdir(parents=True)
    (site / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>a</title></head><body>'
        '<a href="nb/index.html#sec-present">ok</a> <a href="nb/index.html#sec-absent">dead anchor</a>'
        ' <a href="figures/missing.csv">dead link</a></body></html>', encoding="utf-8")
    (site / "nb" / "index.html").write_text(
        '<!DOCTYPE html><html lang="nb"><head><title>b</title></head><body>'
        '<section id="sec-present"><h1>Her</h1></section></body></html>', encoding="utf-8")
    result = _linkchecker(site / "index.html")
    report = " ".join(result.stdout.split())  # linkchecker wraps its messages
    assert result.returncode == 1, result.stdout + result.stderr
    assert "figures/missing.csv" in report and "1 error found" in report, report
    assert "Anchor `sec-absent' (decoded: `sec-absent') not found" in report, report
    assert "Anchor `sec-present'" not in report, "an anchor that exists was reported"
