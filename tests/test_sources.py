"""Every number one click from its source: the Data page publishes the package, and a prose value links to its rows.

The fast tests exercise ``helpers.sources`` on the real data: a selection finds the rows that hold the value, a bad
selection is named in one line, a link's text and title are escaped, the published files are the data's bytes. The
site tests read the built pages of both editions: the Data page lists every resource with a download equal to the
data file, and every link from a page's prose to a row lands on an anchor of the Data page whose row is in the file
and whose report place the link's title names. The checks are functions, shown to fail on small made-up pages.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from helpers import data, headlines, labels, sources
from helpers.pipeline import config
from helpers.inline import Markdown

from .conftest import ROOT

EDITIONS = config.editions(ROOT)
PAGES = config.pages(config.load_quarto(ROOT))
DATA_PAGE = f"{sources.DATA_PAGE}.html"


# --- the value's rows ---------------------------------------------------------------------------------------------

def test_a_selection_finds_the_rows_that_hold_the_value():
    rows = sources.select("survey_answers", question="awareness", group="leaders", response=headlines.KNOWS_CONTENT)
    frame = data.load("survey_answers")
    assert len(rows.rows) == 1
    row = frame.iloc[rows.rows[0] - 1]  # rows count from 1, as the anchors do
    assert float(row["percent"]) == headlines.awareness("leaders").knows_content
    assert rows.anchor == f"row-survey_answers-{rows.rows[0]}"
    assert rows.places == (("dfo2023", row["section"], row["figure"]),)


def test_a_row_from_the_strategy_is_placed_in_the_strategy_not_in_the_report():
    rows = sources.select("strategy", element_id="strategy_period")
    assert sources.describe([rows], "en").endswith("; in the strategy: forord")
    assert sources.describe([rows], "nb").endswith("; i strategien: forord")
    both = sources.describe([rows, sources.select("survey_response", quantity="invited", section="1.4.3")], "en")
    assert "in the strategy: forord" in both and "in the report: section\u00a01.4.3" in both


def test_several_values_select_several_rows_and_their_ranges_are_written_short():
    rows = sources.select("survey_response", quantity=["invited", "answered"], section="1.4.3")
    assert len(rows.rows) == 2
    assert sources._ranges([1, 2, 3, 7, 9, 10]) == "1–3, 7, 9–10"


@pytest.mark.parametrize(("match", "message"), [
    ({"grup": "all"}, "data/survey_answers: no column 'grup' to select by"),
    ({"group": "everyone"}, "data/survey_answers: no row where group='everyone'"),
])
def test_a_bad_selection_is_named_in_one_line(match, message):
    with pytest.raises((KeyError, LookupError)) as err:
        sources.select("survey_answers", **match)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_selection_whose_index_was_reset_is_refused():
    frame = data.load("survey_answers")
    subset = frame[frame["group"] == "leaders"]
    assert sources.of("survey_answers", subset).rows[0] == int(subset.index[0]) + 1
    with pytest.raises(ValueError, match="index is not the file's row positions"):
        sources.of("survey_answers", subset.reset_index(drop=True).set_index(subset.index + 10_000))


def test_a_cited_value_is_an_escaped_link_to_its_row_titled_with_the_reports_place():
    rows = sources.select("survey_response", quantity="invited", section="1.4.3")
    link = sources.cite('4691 *"x"', [rows], chapter="01-awareness", lang="nb")
    assert isinstance(link, Markdown)
    assert link.startswith(r'[4691 \*"x"](../data.ipynb#row-survey_response-')
    assert link.endswith('"Kilde: survey_response.csv, rad 1; i rapporten: kapittel\u00a01.4.3")')
    english = sources.cite("4691", [rows], chapter="index", lang="en")
    assert "(data.ipynb#row-survey_response-1 " in english and "in the report: section\u00a01.4.3" in english


def test_the_published_files_are_the_datas_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("BEST_SAMMEN_ROOT", str(ROOT))  # this checkout, whatever project an earlier test pointed at
    monkeypatch.setenv("BEST_SAMMEN_OUTPUTS", str(tmp_path))
    log = tmp_path / "deps.log"
    monkeypatch.setenv(data.DEPS_LOG_ENV, str(log))
    published = sources.publish()
    names = {f"data/{r['path']}" for r in sources.resources()} | {"data/datapackage.json"}
    assert names <= set(published)
    for name, download in published.items():
        assert (tmp_path / download.link).read_bytes() == (ROOT / name).read_bytes(), name
    read = set(log.read_text(encoding="utf-8").split())
    assert {str(ROOT / n) for n in published} <= read, "a published file the build does not know the page read"


# --- the built site ---------------------------------------------------------------------------------------------------

def data_page_problems(html: str, site_folder: Path) -> list[str]:
    """What the Data page of one edition lacks: a resource's section, its download, or a download that is not the
    data file's bytes."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    links = {unquote(a["href"]) for a in soup.find_all("a", href=True)}
    for resource in sources.resources():
        name, path = resource["name"], resource["path"]
        if soup.find(id=sources.resource_anchor(name)) is None:
            found.append(f"{name}: no section #{sources.resource_anchor(name)}")
        link = f"figures/{sources.DATA_PAGE}/{Path(path).name}"
        if link not in links:
            found.append(f"{name}: no download link {link}")
        elif (site_folder / link).read_bytes() != (data.paths.data_dir() / path).read_bytes():
            found.append(f"{name}: {link} differs from data/{path}")
        if soup.find(id=sources.row_anchor(name, 1)) is None:
            found.append(f"{name}: no anchor for its first row")
    return found


def row_link_problems(html: str, data_page_ids: set[str], lang: str) -> list[str]:
    """Every link of a page to a row of the Data page that does not land on an anchor there, names a row the file
    does not have, or has a title that does not name the row's file and its place in the report."""
    found = []
    for a in BeautifulSoup(html, "html.parser").find_all("a", href=True):
        url = urlsplit(a["href"])
        if not url.path.endswith(DATA_PAGE) or not url.fragment.startswith("row-"):
            continue
        shown = a.get_text()
        if url.fragment not in data_page_ids:
            found.append(f"{shown!r} links to #{url.fragment}, which the Data page does not have")
            continue
        resource, row = sources.parse_row_anchor(url.fragment)
        frame = data.load(resource)
        if not 1 <= row <= len(frame):
            found.append(f"{shown!r}: {resource} has no row {row}")
            continue
        record = frame.iloc[row - 1]
        place = labels.report_place(record.get("section"), record.get("figure"), lang)
        # a link title's no-break spaces reach the page as plain ones: compare the words
        title, place = " ".join(a.get("title", "").split()), " ".join(place.split())
        if f"{resource}.csv" not in title or (place and place not in title):
            found.append(f"{shown!r}: title {title!r} does not name {resource}.csv and {place!r}")
    return found


def test_the_checks_find_a_missing_section_a_dead_row_link_and_a_wrong_place(tmp_path):
    assert any("no section #data-survey_answers" in p for p in data_page_problems("<html></html>", tmp_path))
    good = '<a href="data.html#row-survey_answers-1" title="Source: survey_answers.csv, rows 1–3; in the report: ' \
           'section\u00a03.1.1, Figure\u00a03">69%</a>'
    ids = {"row-survey_answers-1"}
    assert row_link_problems(good, ids, "en") == []
    assert "does not have" in row_link_problems(good.replace("-1\"", "-2\""), ids, "en")[0]
    assert "does not name" in row_link_problems(good.replace("3.1.1", "3.2"), ids, "en")[0]
    assert "has no row" in row_link_problems(good.replace("-1\"", "-99999\""), {"row-survey_answers-99999"}, "en")[0]


def _ids(path: Path) -> set[str]:
    return {e["id"] for e in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find_all(id=True)}


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.name)
def test_the_data_page_lists_every_resource_with_its_download(site: Path, edition):
    folder = site / edition.prefix
    found = data_page_problems((folder / DATA_PAGE).read_text(encoding="utf-8"), folder)
    assert not found, f"{edition.prefix}{DATA_PAGE}:\n  " + "\n  ".join(found)
    descriptor = folder / "figures" / sources.DATA_PAGE / "datapackage.json"
    assert json.loads(descriptor.read_text(encoding="utf-8")) == json.loads(
        (ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.name)
def test_every_link_from_prose_to_a_row_lands_on_the_row_of_its_source(site: Path, edition):
    folder = site / edition.prefix
    ids = _ids(folder / DATA_PAGE)
    found, links = [], 0
    for page in PAGES:
        html = (folder / page.output).read_text(encoding="utf-8")
        links += html.count(f'{DATA_PAGE}#row-')
        found += [f"{page.output}: {p}" for p in row_link_problems(html, ids, edition.lang)]
    assert links, "no page links a number to its row: the chapters' values are not cited"
    assert not found, "\n  ".join(found[:20])
