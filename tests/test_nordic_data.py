"""The Nordic comparison data: complete grid, provenance on every cell, malformed files rejected."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import data


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

    assert labels.counted(1, "interview", "interviews", lang="en") == "1 interview"
    assert labels.counted(2, "intervju", "intervjuer", lang="nb") == "2 intervjuer"
    assert labels.counted(0, "område", "områder", none="ingen", lang="nb") == "ingen"
    assert labels.joined_places(["sec. 3.4.2", "sec. 3.4.2, unnumbered figure", "sec. 3.4.1", "sec. 3.4.1"]) == (
        "sec. 3.4.2, unnumbered figure; sec. 3.4.1")
    assert inline.in_language("Regeringskansliet", "sv") == '[Regeringskansliet]{lang="sv"}'
    assert inline.bullets(["a (sec. 1)", "b"]) == "- a \\(sec\\. 1\\)\n- b"
    with pytest.raises(ValueError):
        inline.in_language("x", 'sv" onclick="')
