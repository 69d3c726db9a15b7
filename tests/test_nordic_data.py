"""The Nordic comparison data: complete grid, provenance on every cell, malformed files rejected."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import data

from .test_follow_up_data import source_texts  # noqa: F401 (the report's text, folded: a fixture)


def test_every_country_by_service_area_cell_is_present_once():
    services = data.load("nordic_services")
    assert len(services) == 3 * 12
    assert not services.duplicated(["country", "service_area"]).any()
    assert services["status"].notna().all()


def test_every_cell_has_a_section_and_not_stated_is_recorded_as_missing_evidence():
    services = data.load("nordic_services")
    assert (services["section"].str.len() > 0).all()
    silent = services[services["status"] == "not stated"]
    assert (silent["kind"] == "missing").all(), "'not stated' means the report is silent: kind must be 'missing'"
    assert (services.loc[services["status"] != "not stated", "kind"] != "missing").all()


@pytest.mark.parametrize("column, bad", [("country", "finland"), ("status", "mostly shared")])
def test_unknown_category_is_rejected(data_copy: Path, column, bad):
    path = data_copy / "nordic_services.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[5, column] = bad
    frame.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(data.DataValidationError) as info:
        data.validate("nordic_services", data_copy)
    assert info.value.file.endswith("nordic_services.csv")
    assert info.value.row == 7 and info.value.column == column


def test_links_and_parent_ministries_the_report_does_not_print_are_inferred():
    lessons = data.load("nordic_lessons")
    implicit = lessons["link"].astype(str) == "implicit"
    assert implicit.any()
    assert (lessons.loc[implicit, "kind"] == "inferred").all(), "a link the recommendation does not make is our reading"
    assert (lessons.loc[~implicit, "kind"] != "inferred").all()
    services = data.load("norwegian_shared_services")
    # 3.4.3 names whose agencies each body serves, never the ministry the body itself belongs to
    assert (services["kind"] == "inferred").all()
    assert services["note"].str.contains("our reading|filled in").all()


# --- names and text the chapter shows (notebooks/04-nordic-comparison.ipynb) ----------------------------------------

def test_every_body_and_country_the_chapter_names_is_in_the_glossary():
    from helpers import labels

    for lang in labels.LANGS:
        assert set(data.load("norwegian_shared_services")["organisation"]) <= set(labels.names_of("organisation", lang))
        assert {"sweden", "denmark", "norway"} <= set(labels.names_of("country", lang))
        for body in ("regeringskansliet", "forvaltningsavdelningen", "finansministeriet_dk", "SMK", "KDD", "DSS"):
            assert labels.name("organisation", body, lang)


def test_the_chapter_reads_no_name_column_of_an_entity_file():
    import nbformat

    from .conftest import ROOT

    cells = nbformat.read(ROOT / "notebooks" / "04-nordic-comparison.ipynb", as_version=4).cells
    source = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "name_en" not in source and "name_nb" not in source and "name_{" not in source
    assert "ch.say(" not in source


def test_our_english_paraphrases_show_the_glossarys_english_names():
    from helpers import labels

    english = labels.glossary_names("KDD writes notes after hearing Strategisk forum; Felles IKT mixes funding", "en")
    assert english == "KDD writes notes after hearing Strategic Forum; Shared ICT mixes funding"
    assert labels.glossary_names("Felles IKT-programmet", "en") == "Felles IKT-programmet"  # a compound is left
    assert labels.glossary_names("Strategisk forum gir råd", "nb") == "Strategisk forum gir råd"
    assert labels.glossary_names("Norsk helsenett, Miljødirektoratet, SIKT", "nb") == "Norsk helsenett, Miljødirektoratet, Sikt"
    governance = data.load("nordic_governance")
    shown = " ".join(labels.glossary_names(t, "en") for t in governance["value_en"])
    assert "Strategisk forum" not in shown and "Departementsakademiet" not in shown


def test_words_kept_in_another_language_are_marked_as_whole_words_and_escaped():
    from helpers import tables

    marked = tables.marked("Group (konsern) model <b> in Förvaltningsavdelningen; konsernorganisering",
                           {"konsern": "nb", "Förvaltningsavdelningen": "sv"})
    assert marked == ('Group (<span lang="nb">konsern</span>) model &lt;b&gt; in '
                      '<span lang="sv">Förvaltningsavdelningen</span>; konsernorganisering')
    assert tables.points(["a < b"]) == "a &lt; b"
    assert tables.points([tables.emphasis("not stated"), "b"]) == "• <em>not stated</em><br>• b"


def test_counts_with_their_nouns_and_joined_places():
    from helpers import inline, labels

    assert labels.counted(1, "interview", "interviews", lang="en") == "one interview"
    assert labels.counted(2, "intervju", "intervjuer", lang="nb", gender="neuter") == "to intervjuer"
    assert labels.counted(1, "intervju", "intervjuer", lang="nb", gender="neuter") == "ett intervju"
    assert labels.counted(38, "intervju", "intervjuer", lang="nb") == "38 intervjuer"
    assert labels.counted(0, "område", "områder", none="ingen", lang="nb") == "ingen"
    assert labels.joined_places(["sec. 3.4.2", "sec. 3.4.2, unnumbered figure", "sec. 3.4.1", "sec. 3.4.1"]) == (
        "sec. 3.4.2, unnumbered figure; sec. 3.4.1")
    assert inline.in_language("Regeringskansliet", "sv") == '[Regeringskansliet]{lang="sv"}'
    assert inline.bullets(["a (sec. 1)", "b"]) == "- a \\(sec\\. 1\\)\n- b"
    with pytest.raises(ValueError):
        inline.in_language("x", 'sv" onclick="')


# --- the codings follow the report's words (data/README.md, coding rubric) ------------------------------------------

NORDIC_FILES = ("nordic_services", "nordic_governance", "nordic_lessons", "nordic_evidence", "denmark_typology",
                "norwegian_shared_services")


@pytest.mark.parametrize("name", NORDIC_FILES)
def test_every_nordic_row_the_report_speaks_to_carries_words_found_in_it(name, source_texts):
    """Stricter than the rubric's test for all files: here an inferred link, a figure label and a footnote carry
    their words too, so a reviewer checks any Nordic row in one hop."""
    from .test_follow_up_data import fold, snippets

    rows = data.load(name).astype(object).where(lambda f: f.notna(), "")
    lines = range(2, len(rows) + 2)
    bare = [line for line, kind, ev in zip(lines, rows["kind"], rows["evidence"]) if kind != "missing" and not ev.strip()]
    assert not bare, f"data/{name}.csv: rows {bare} rest on the report but name none of its words (column evidence)"
    absent = [(line, s) for line, ev in zip(lines, rows["evidence"]) for s in snippets(ev)
              if fold(s) not in source_texts["dfo2023"]]
    assert not absent, f"data/{name}.csv: evidence not in the report: {absent}"


def test_not_shared_is_coded_only_where_the_report_says_so():
    services = data.load("nordic_services")
    negative = services[services["status"] == "not shared"]
    assert (negative["kind"] == "stated").all(), "'not shared' must be the report's own statement, never a silence"
    assert negative["evidence"].str.contains(r"\bikke\b").all(), "the evidence of 'not shared' must say 'ikke'"


def test_partly_in_the_report_is_partly_in_the_data():
    """"til dels" codes every area it covers as partly shared, never as shared (3.4.2: HR, courses and competence)."""
    services = data.load("nordic_services").fillna("")
    hedged = services[services["evidence"].str.contains("til dels")]
    assert len(hedged) >= 2 and (hedged["status"] == "partly shared").all(), hedged[["country", "service_area", "status"]]


def test_no_country_is_coded_from_a_sentence_about_another():
    """3.4.3 is about Norway (outside the ministries): a Swedish or Danish cell never rests on it."""
    services = data.load("nordic_services")
    abroad = services[services["country"] != "norway"]
    assert not (abroad["section"] == "3.4.3").any(), abroad.loc[abroad["section"] == "3.4.3", ["country", "service_area"]]


# --- no count of coded cells across countries (the report describes each country at a different level of detail) ---

#: A per-country count of shared services as prose says it: "8 as fully shared", "8 of the 12 areas are shared",
#: «8 som helt felles», «8 av de 12 områdene er felles».
SHARED_COUNT = {
    "en": r"\b\d+\b[^.\d]{0,60}?\b(?:fully|partly)\s+shared\b|\b\d+\b[^.\d]{0,40}?\bareas?\b[^.\d]{0,20}?\bshared\b",
    "nb": r"\b\d+\b[^.\d]{0,60}?\b(?:helt|delvis)\s+felles\b|\b\d+\b[^.\d]{0,40}?\bområd\w*[^.\d]{0,20}?\bfelles\b",
}


def shared_counts(text: str, lang: str) -> list[str]:
    import re

    return [m.group(0) for m in re.finditer(SHARED_COUNT[lang], " ".join(text.split()))]


def test_a_per_country_count_of_shared_services_is_recognised():
    assert shared_counts("the report describes 8 as fully shared among Denmark's ministries", "en")
    assert shared_counts("8 of the 12 service areas are shared across its ministries", "en")
    assert shared_counts("beskriver rapporten 8 som helt felles for departementene", "nb")
    assert shared_counts("8 av de 12 områdene er felles for departementene", "nb")
    assert not shared_counts("rests on 2 interviews with key people responsible for shared administrative functions",
                             "en")
    assert not shared_counts("3 complex and hard to complete (Shared HR services only partly)", "en")


def test_the_chapter_counts_no_sharing_status_by_country():
    import re

    import nbformat

    from .conftest import ROOT

    cells = nbformat.read(ROOT / "notebooks" / "04-nordic-comparison.ipynb", as_version=4).cells
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    counting = re.findall(r"services\b[^\n]*\b(?:pivot_table|crosstab|value_counts)\(|services\b[^\n]*groupby\(\s*\[?"
                          r"[\"']country", code)
    assert not counting, f"04-nordic-comparison counts sharing statuses by country: {counting}"


def _page_text(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    return " ".join(soup.get_text(" ").split())


@pytest.mark.parametrize("lang, prefix", [("en", ""), ("nb", "nb/")])
def test_the_site_shows_no_per_country_count_of_shared_services(site, lang, prefix):
    for page in ("index.html", "notebooks/04-nordic-comparison.html"):
        path = site / prefix / page
        html = path.read_text(encoding="utf-8")
        assert 'id="tbl-nordic-counts"' not in html, f"{prefix}{page}: a table of statuses counted by country"
        found = shared_counts(_page_text(path), lang)
        assert not found, f"{prefix}{page}: counts shared services per country: {found}"


@pytest.mark.parametrize("lang, prefix, words", [
    ("en", "", ("About this site", "MIT licence", "CC-BY-4.0", "How to cite", "CITATION.cff", "Version of",
                "The report is from")),
    ("nb", "nb/", ("Om nettstedet", "MIT-lisens", "CC-BY-4.0", "Slik siterer du", "CITATION.cff",
                   "Versjon fra", "Rapporten er fra")),
])
def test_the_landing_page_says_who_made_it_its_licences_and_how_to_cite_it(site, lang, prefix, words):
    path = site / prefix / "index.html"
    html, text = path.read_text(encoding="utf-8"), _page_text(path)
    missing = [w for w in words if w not in text]
    assert not missing, f"{prefix}index.html lacks {missing}"
    assert 'id="sec-about"' in html and 'id="fig-headline-awareness"' in html
    assert 'href="downloads/index.ipynb"' in html
