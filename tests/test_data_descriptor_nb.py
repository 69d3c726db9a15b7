"""The Data appendix in Norwegian: the descriptor gives every title and description in both languages, and the
Norwegian edition shows the Norwegian ones.

``data/datapackage.json`` keeps each resource's and each field's Norwegian beside the standard English property, as
custom properties Frictionless allows (``title_nb`` beside ``title``, ``description_nb`` beside ``description``;
the package itself too). The fast tests check that none is missing or empty, that the Norwegian reads as Norwegian
(the language tests' identifier, on the page's Markdown rendered to HTML), and that the Norwegian page's sections show
the Norwegian text and not the English, with field types, several sections and the codes' key in Norwegian. The
check is a function, shown to find a removed translation; the page itself refuses to build without one. The slow
test reads the built Norwegian page.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from helpers import labels, sources
from helpers.pipeline import config
from helpers.inline import escape

from .conftest import ROOT
from .reader_text import pieces
from .test_language import foreign_pieces

DESCRIPTOR = ROOT / "data" / "datapackage.json"
EDITIONS = config.editions(ROOT)


def _descriptor() -> dict[str, Any]:
    return json.loads(DESCRIPTOR.read_text(encoding="utf-8"))


def missing_norwegian(package: dict[str, Any]) -> list[str]:
    """Every title or description of the package, a resource or a field that has no non-empty Norwegian twin."""
    found = []

    def check(item: dict[str, Any], key: str, where: str) -> None:
        text = item.get(f"{key}_nb")
        if not isinstance(text, str) or not text.strip():
            found.append(f"{where}: no {key}_nb")

    for key in ("title", "description"):
        check(package, key, "the package")
    for resource in package["resources"]:
        for key in ("title", "description"):
            check(resource, key, f"resource {resource['name']}")
        for field in resource["schema"]["fields"]:
            # a field has a description; its title, where it has one, is translated too
            for key in ("title", "description") if "title" in field else ("description",):
                check(field, key, f"resource {resource['name']}, field {field['name']}")
    return found


def _downloads() -> dict[str, sources.Download]:
    return {f"data/{r['path']}": sources.Download(Path(r["path"]).name, f"figures/data/{r['path']}", 1)
            for r in sources.resources()}


def _prose(markdown: str) -> str:
    """A section's Markdown without its rows table (raw HTML of codes and numbers)."""
    return markdown.split("```{=html}")[0]


# --- the descriptor -----------------------------------------------------------------------------------------------

def test_every_resource_and_field_has_a_norwegian_title_and_description():
    found = missing_norwegian(_descriptor())
    assert not found, "data/datapackage.json lacks Norwegian (add title_nb / description_nb beside the English):\n  " \
        + "\n  ".join(found)


def test_the_check_finds_a_removed_or_empty_translation():
    package = _descriptor()
    assert missing_norwegian(package) == []
    removed = copy.deepcopy(package)
    del removed["resources"][3]["schema"]["fields"][2]["description_nb"]
    emptied = copy.deepcopy(package)
    emptied["resources"][0]["title_nb"] = "  "
    name, field = package["resources"][3]["name"], package["resources"][3]["schema"]["fields"][2]["name"]
    assert missing_norwegian(removed) == [f"resource {name}, field {field}: no description_nb"]
    assert missing_norwegian(emptied) == [f"resource {package['resources'][0]['name']}: no title_nb"]


def test_the_norwegian_text_reads_as_norwegian():
    """Every resource's Norwegian section (heading, description, columns), rendered as the page renders its Markdown,
    read by the language tests' identifier: no piece of it is likelier English (code spans are not read)."""
    render = MarkdownIt("commonmark")
    downloads = _downloads()
    found = []
    for resource in sources.resources():
        markdown = _prose(sources.resource_section(resource, downloads, "nb")["text/markdown"])
        html = f'<html lang="nb"><body><main id="main">{render.render(markdown)}</main></body></html>'
        found += [f"{resource['name']} (p(nb) = {p:.2f}): {piece.text[:120]!r}"
                  for piece, p in foreign_pieces(pieces(html, "nb"), "nb")]
    assert not found, "Norwegian descriptions that read as another language:\n  " + "\n  ".join(found)


# --- the page -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("resource", sources.resources(), ids=lambda r: r["name"])
def test_the_norwegian_section_shows_the_norwegian_text_and_not_the_english(resource):
    nb = _prose(sources.resource_section(resource, _downloads(), "nb")["text/markdown"])
    en = _prose(sources.resource_section(resource, _downloads(), "en")["text/markdown"])
    shown = sources.escaping.markdown_with_code
    for item, key in [(resource, "title"), (resource, "description"),
                      *((f, "description") for f in resource["schema"]["fields"])]:
        assert shown(item[f"{key}_nb"]) in nb, f"{resource['name']}: the Norwegian page lacks its {key}_nb"
        assert shown(item[key]) in en, f"{resource['name']}: the English page lacks its {key}"
        if item[key] != item[f"{key}_nb"] and len(item[key]) > 12:
            assert shown(item[key]) not in nb, f"{resource['name']}: the Norwegian page shows the English {key}"
    assert "lang=\"en\"" not in nb
    for english in ("(string)", "(number)", "(integer)", "Fields:", "Where in the report"):
        assert english not in nb, f"{resource['name']}: the Norwegian page shows {english!r}"


def test_the_norwegian_page_names_types_sections_and_columns_in_norwegian():
    measures = next(r for r in sources.resources() if r["name"] == "measures")
    nb = sources.resource_section(measures, _downloads(), "nb")["text/markdown"]
    assert "(tekst)" in nb and "Kolonner:" in nb and "Kolonner som viser kilden: `source`" in nb
    assert escape("Tabellen viser radnummeret (som lenkene fra nettstedet peker til)") in nb
    survey = next(r for r in sources.resources() if r["name"] == "survey_answers")
    shown = sources.resource_section(survey, _downloads(), "nb")["text/markdown"]
    assert "(tall)" in shown and "(heltall)" in shown
    # several sections, stored "2.3|3.2.1|4.1|4.1.1|4.3", are shown with commas; the file keeps the bar
    assert "<code>2.3, 3.2.1, 4.1, 4.1.1, 4.3</code>" in nb and "<code>2.3|3.2.1" not in nb
    assert "2.3|3.2.1|4.1|4.1.1|4.3" in (ROOT / "data" / "measures.csv").read_text(encoding="utf-8")
    assert sources.shown_section("3.1") == "3.1"


def test_a_missing_norwegian_description_stops_the_page_naming_the_field():
    resource = copy.deepcopy(next(r for r in sources.resources() if r["name"] == "measures"))
    del resource["schema"]["fields"][1]["description_nb"]
    with pytest.raises(ValueError, match="resource measures, field lead has no description_nb"):
        sources.resource_section(resource, _downloads(), "nb")
    assert sources.resource_section(resource, _downloads(), "en")  # the English edition needs only the English


def test_the_key_explains_every_code_of_kind_group_and_relation_in_both_languages():
    package = _descriptor()
    fields = [(r["name"], f) for r in package["resources"] for f in r["schema"]["fields"]]
    kinds = {k for _, f in fields if f["name"] == "kind" for k in f.get("constraints", {}).get("enum", [])}
    groups = next(f for r, f in fields if r == "survey_answers" and f["name"] == "group")["constraints"]["enum"]
    relations = next(f for r, f in fields if r == "governance_relations" and f["name"] == "relation")["constraints"]["enum"]
    for lang in labels.LANGS:
        key = sources.code_key(lang)
        code, meaning = key.columns[1], key.columns[2]
        codes = {BeautifulSoup(c, "html.parser").get_text() for c in key[code]}
        assert kinds | set(groups) | set(relations) | {"unnumbered figure"} <= codes
        assert all(str(m).strip() for m in key[meaning])
    nb = sources.code_key("nb")
    by_code = {BeautifulSoup(c, "html.parser").get_text(): str(m) for c, m in zip(nb.iloc[:, 1], nb.iloc[:, 2])}
    assert by_code["leaders"] == labels.term("leaders", "nb") == "Ledere"
    assert by_code["advises"] == "gir råd til" and by_code["unnumbered figure"] == "figur uten nummer"
    assert by_code["stated"] == "oppgitt i rapportens tekst"


def test_the_cross_reference_problems_are_named_where_they_are():
    """problems.csv has one row per number, textual or date problem; the audit's cross-reference problems are rows of
    cross_references.csv, which the problems section of the page names."""
    from helpers import audit, data

    found = sources.cross_reference_problems()
    assert found, "no cross-reference problem: the page's sentence about them would be empty"
    labels.use("en")
    ids = {p.problem_id for p in audit.problems() if p.rule == "cross_reference"}
    assert {pid for pid, _ in found} == ids
    references = data.load("cross_references")
    for pid, row in found:
        assert f"P-{references.iloc[row - 1]['reference_id']}" == pid


# --- the built site (slow) ----------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.name)
def test_the_built_data_page_shows_its_editions_descriptions(site: Path, edition):
    soup = BeautifulSoup((site / edition.prefix / f"{sources.DATA_PAGE}.html").read_text(encoding="utf-8"),
                         "html.parser")
    key = "description" if edition.lang == "en" else "description_nb"
    for resource in sources.resources():
        section = soup.find(id=sources.resource_anchor(resource["name"]))
        assert section is not None, resource["name"]
        # the page's typography curls the quotes (DFØ's is DFØ’s there): compare the words
        words = " ".join(section.get_text(" ").replace("\u2019", "'").split())
        wanted = BeautifulSoup(sources.escaping.html_with_code(resource[key]), "html.parser").get_text(" ")
        assert " ".join(wanted.split())[:60] in words, f"{edition.prefix}data.html, {resource['name']}: no {key}"
        if edition.lang == "nb":
            assert section.find(attrs={"lang": "en"}) is None, f"{resource['name']}: English text on the nb page"
