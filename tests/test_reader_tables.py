"""Tables are written for readers: no header or cell on a built page shows an internal identifier (a snake_case name
such as ``n_kind`` or a code such as ``felles_ikt``), a boolean, a bare missing-value marker, or a number with the
float noise of an unformatted value (``13.200000000000001``).

A file name (``survey_answers.csv``) is a name a reader can open, not an identifier; text inside ``<code>`` is shown
as code on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag

from helpers.pipeline import config

from .conftest import ROOT

PAGES = config.pages(config.load_quarto(ROOT))
EDITIONS = config.editions(ROOT)
SHOWN = 15

IDENTIFIER = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-]|\.\w)")
BOOLEAN = re.compile(r"(?i)true|false")
MISSING_MARKER = re.compile(r"(?i)nan|none|null|<na>|nat")
FLOAT_NOISE = re.compile(r"\b\d+\.\d{5,}\b")


def _text(cell: Tag) -> str:
    parts = []
    for child in cell.descendants:
        if type(child) is NavigableString and not any(p.name in ("code", "script", "style") for p in child.parents):
            parts.append(str(child))
    return " ".join("".join(parts).split())


def _table_name(table: Tag) -> str:
    for parent in [table, *table.parents]:
        if isinstance(parent, Tag) and (parent.get("id") or "").startswith("tbl-"):
            return f"#{parent['id']}"
    return f"#{table.get('id')}" if table.get("id") else "a table"


def problems(html: str) -> list[str]:
    """Each header or cell of ``html``'s tables that is not written for a reader, and why."""
    found = []
    for table in BeautifulSoup(html, "html.parser").find_all("table"):
        name = _table_name(table)
        for cell in table.find_all(["th", "td"]):
            text = _text(cell)
            kind = "header" if cell.name == "th" else "cell"
            if BOOLEAN.fullmatch(text):
                found.append(f"{name}: {kind} {text!r} is a boolean (say yes/no, or what it means)")
            elif MISSING_MARKER.fullmatch(text):
                found.append(f"{name}: {kind} {text!r} is a missing-value marker (show a dash or the reason)")
            elif ids := IDENTIFIER.findall(text):
                found.append(f"{name}: {kind} {text[:100]!r} shows internal identifier(s) {sorted(set(ids))} "
                             "(map codes and column names to labels in helpers/labels.py)")
            elif noise := FLOAT_NOISE.findall(text):
                found.append(f"{name}: {kind} {text[:60]!r} shows an unrounded number {noise[0]}")
    return found


def test_identifiers_booleans_missing_markers_and_float_noise_are_named():
    html = ('<div id="tbl-sample"><table><tr><th>n_kind</th><th>Share</th><th>consistent</th></tr>'
            "<tr><td>felles_ikt|felles_sak_arkiv</td><td>13.200000000000001</td><td>True</td></tr>"
            "<tr><td>nan</td><td>12.5</td><td>yes</td></tr></table></div>")
    found = problems(html)
    assert len(found) == 5, found
    assert found[0].startswith("#tbl-sample: header 'n_kind'")
    assert "['felles_ikt', 'felles_sak_arkiv']" in found[1]
    assert "unrounded number 13.200000000000001" in found[2] and "boolean" in found[3] and "missing" in found[4]


def test_file_names_code_and_prose_are_not_identifiers():
    html = ("<table><tr><th>Source</th><th>Note</th></tr>"
            "<tr><td>survey_answers.csv (3.1.3, Figur 11)</td><td>Set with <code>leader_share</code>; 0.14 of all</td></tr>"
            "<tr><td>Ministry of Trade, Industry and Fisheries</td><td>data/survey_response.csv</td></tr></table>")
    assert problems(html) == []


def _page_params():
    return [pytest.param(e, p, id=f"{e.prefix}{p.output}") for e in EDITIONS for p in PAGES if p.is_notebook]


@pytest.mark.slow
@pytest.mark.parametrize("edition, page", _page_params())
def test_tables_show_readers_wording(site: Path, edition, page):
    found = problems((site / edition.prefix / page.output).read_text(encoding="utf-8"))
    assert not found, (f"{edition.prefix}{page.output}: {len(found)} table header(s)/cell(s) not written for readers:\n  "
                       + "\n  ".join(found[:SHOWN]) + (f"\n  … and {len(found) - SHOWN} more" if len(found) > SHOWN else ""))
