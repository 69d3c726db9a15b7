"""The one glossary (data/glossary.csv): one name per thing and language, every thing a page names has its entry, and
no page of the built site shows a thing under a name the glossary rules out (avoid_en on English pages, avoid_nb on
Norwegian pages: earlier translations, the Norwegian name unmarked on an English page, Quarto's «Bilag», "Figur 3" on
an English page).

How a page is read: tests/reader_text.py (what a reader sees, text marked as another language left out, so a
Norwegian term kept in the English edition as ``[Strategisk forum]{lang="nb"}`` is not counted). How a name is
matched: as a whole word or phrase, its first letter in either case (a name may open a sentence), the rest as written;
a part of the report ("Figur", "vedlegg") only with the number that follows it ("Figur 3", "Bilag A") or as a whole
piece of text (the sidebar's «Bilag»). Text that is the name of something in the glossary is never an avoided name of
something else: "the Ministries' Academy" and "Shared HR services" are names, "Shared HR" alone is avoided.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml

from helpers import data, labels
from helpers.pipeline import config

from .conftest import ROOT
from .reader_text import pieces, read

LANGS = ("en", "nb")
CATEGORIES = ("measure", "core_group", "body", "organisation", "goal_area", "development_area", "document",
              "report_part", "country")
#: Parts of the report every page may cite, and the words an English page must not use for them with a number.
REPORT_PARTS = ("section", "figure", "table", "appendix", "summary", "literature_list", "footnote")
NORWEGIAN_PART_WORDS = ("Figur", "Tabell", "vedlegg")
SHOWN = 12


# --- reading the glossary ------------------------------------------------------------------------------------------

def _rows() -> list[dict[str, str]]:
    with (ROOT / "data" / "glossary.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _split(cell: str) -> list[str]:
    return [v.strip() for v in (cell or "").split("|") if v.strip()]


def normalise(text: str) -> str:
    """Text as compared: typographic apostrophes and quotes as ASCII, every kind of space one space, hyphens as '-'."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    text = re.sub(r"[\u2010\u2011]", "-", text)
    return " ".join(re.sub(r"[\u00a0\u202f\u2009\u2007]", " ", text).split())


@dataclass(frozen=True)
class Avoided:
    category: str
    id: str
    variant: str  # the name a page must not show
    preferred: str  # the glossary's name in the page's language, for the message


def _first_letter_either_case(text: str) -> str:
    head, rest = text[:1], re.escape(text[1:])
    return (f"[{re.escape(head.upper())}{re.escape(head.lower())}]" if head.isalpha() else re.escape(head)) + rest


@dataclass
class Checker:
    """Finds avoided glossary names in the text of one edition's pages."""

    lang: str
    names: list[tuple[str, bool]]  # every glossary name (and short form) in the language; True: a report part's
    avoided: list[Avoided]

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]], lang: str) -> Checker:
        names, avoided = set(), []
        for row in rows:
            part = row["category"] == "report_part"
            for column in (f"name_{lang}", f"short_{lang}"):
                if row.get(column, "").strip():
                    names.add((normalise(row[column]), part))
            for variant in _split(row.get(f"avoid_{lang}", "")):
                avoided.append(Avoided(row["category"], row["id"], normalise(variant), row[f"name_{lang}"]))
        return cls(lang, sorted(names, key=lambda n: -len(n[0])), avoided)

    def __post_init__(self) -> None:
        # a report part's word is matched as written ("figure" is not the name "Figure"), any other name with its
        # first letter in either case
        alternatives = [re.escape(n) if part else _first_letter_either_case(n) for n, part in self.names]
        self.name_pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")

    def _variant_pattern(self, avoided: Avoided) -> re.Pattern[str]:
        if avoided.category == "report_part":  # the word with its number ("Figur 3") or an appendix's letter
            return re.compile(rf"(?<![\w-]){re.escape(avoided.variant)}(?= (?:\d|[A-Z](?![\w-])))")
        return re.compile(rf"(?<![\w-]){_first_letter_either_case(avoided.variant)}(?![\w-])")

    def find(self, text: str) -> list[tuple[Avoided, str]]:
        """The avoided names in ``text`` (one piece a reader reads), each with the words around it."""
        text = normalise(text)
        masked = self.name_pattern.sub(lambda m: "\0" * len(m.group()), text)
        found = []
        for avoided in self.avoided:
            whole = avoided.category == "report_part" and text == avoided.variant  # a heading or menu entry alone
            match = self._variant_pattern(avoided).search(masked)
            if whole or match:
                start = match.start() if match else 0
                found.append((avoided, text[max(0, start - 40):start + len(avoided.variant) + 40]))
        return found


@cache
def checker(lang: str) -> Checker:
    return Checker.from_rows(_rows(), lang)


def avoided_on_page(html: str, lang: str) -> list[str]:
    """Every avoided name a reader of the page sees, as lines for a failure message."""
    lines = []
    for piece in pieces(html, lang):
        for avoided, around in checker(lang).find(piece.text):
            lines.append(f"  <{piece.tag}> in {piece.where}: {avoided.variant!r} for {avoided.category} {avoided.id} "
                         f"(write {avoided.preferred!r}) … {around!r}")
    return lines


# --- the glossary itself (fast) ----------------------------------------------------------------------------------------

def test_the_glossary_validates_and_has_the_curated_columns():
    data.validate("glossary")
    with (ROOT / "data" / "glossary.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    for column in ("short_en", "short_nb", "avoid_en", "avoid_nb", "report_name"):
        assert column in header, f"data/glossary.csv has no column {column}"


def test_one_name_per_thing_and_language():
    rows = _rows()
    keys = [(r["category"], r["id"]) for r in rows]
    assert len(keys) == len(set(keys)), f"ids given twice: {sorted({k for k in keys if keys.count(k) > 1})}"
    for lang in LANGS:
        for category in CATEGORIES:
            names: dict[str, str] = {}
            for row in (r for r in rows if r["category"] == category):
                name = row[f"name_{lang}"].strip()
                assert name, f"{category} {row['id']} has no name_{lang}"
                assert name == row[f"name_{lang}"], f"{category} {row['id']}: name_{lang} has spaces around it"
                key = normalise(name).casefold()
                assert key not in names, (f"{category}: {names[key]} and {row['id']} are both called {name!r} in {lang}; "
                                          "a reader could not tell them apart")
                names[key] = row["id"]


def test_every_category_is_in_the_glossary():
    present = {r["category"] for r in _rows()}
    assert set(CATEGORIES) <= present, f"categories without an entry: {sorted(set(CATEGORIES) - present)}"


def test_an_avoided_name_is_never_a_name():
    rows = _rows()
    for lang in LANGS:
        names = {normalise(r[f"name_{lang}"]): r["id"] for r in rows}
        for row in rows:
            cell = row.get(f"avoid_{lang}", "")
            assert not cell or all(p.strip() for p in cell.split("|")), f"{row['id']}: an empty variant in avoid_{lang}"
            for variant in _split(cell):
                assert normalise(variant) not in names, (f"{row['category']} {row['id']}: {variant!r} is avoided in {lang} "
                                                         f"but is the name of {names[normalise(variant)]}")


def _ids(resource: str, *columns: str) -> set[str]:
    frame = data.load(resource)
    return {str(v) for c in columns for v in frame[c].dropna() if str(v)}


def test_everything_a_page_names_from_the_entity_files_has_an_entry():
    have = {(r["category"], r["id"]) for r in _rows()}
    strategy = data.load("strategy")
    expected = {
        "measure": _ids("measures", "measure") | _ids("measure_goal_areas", "measure"),
        "core_group": _ids("core_groups", "core_group") | _ids("core_group_members", "core_group"),
        "body": _ids("governance_bodies", "body") | _ids("measures", "service_forum")
        | _ids("governance_relations", "from_body", "to_body"),
        "organisation": _ids("ministries", "abbreviation") | _ids("norwegian_shared_services", "organisation", "parent_ministry")
        | _ids("core_groups", "lead", "secretariat") | _ids("core_group_members", "ministry")
        | _ids("governance_bodies", "led_by", "secretariat") | _ids("measures", "lead"),
        "goal_area": set(strategy.loc[strategy["element_type"] == "goal_area", "element_id"])
        | _ids("measure_goal_areas", "goal_area"),
        "development_area": set(strategy.loc[strategy["element_type"] == "development_area", "element_id"]),
        "country": {"norway", "sweden", "denmark"},
        "report_part": set(REPORT_PARTS),
    }
    missing = sorted((category, i) for category, ids in expected.items() for i in ids if (category, i) not in have)
    assert not missing, f"data/glossary.csv has no entry for {missing}; add a row each (category, id, both names)"


def test_every_document_the_site_cites_has_an_entry():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(encoding="utf-8"), flags=re.M))
    cited = {m.lower() for r in _rows() if r["category"] == "document"
             for m in re.findall(r"cited as (\w+)", r["note"], flags=re.I)}
    assert keys <= cited, (f"references.bib entries without a document row in the glossary (its note says 'Cited as "
                           f"<key>'): {sorted(keys - cited)}")


def test_short_forms_where_pages_use_them():
    rows = {(r["category"], r["id"]): r for r in _rows()}
    for (category, i), row in rows.items():
        if category in ("goal_area", "development_area"):
            word = {"goal_area": ("Goal area", "Målområde"), "development_area": ("Development area", "Utviklingsområde")}
            en, nb = word[category]
            assert re.fullmatch(rf"{en} \d", row["short_en"]) and re.fullmatch(rf"{nb} \d", row["short_nb"]), (
                f"{category} {i}: short_en/short_nb must be '{en} n' / '{nb} n'")
        if category == "organisation":
            assert row["short_en"] and row["short_nb"], (f"organisation {i}: no short form (its abbreviation, or its name "
                                                         "where it has none): spell_out could not name it")
    assert labels.name("goal_area", "coordinated_policy", "en", form="numbered").startswith("Goal area 1: ")
    assert labels.name("goal_area", "coordinated_policy", "nb", form="numbered").startswith("Målområde 1: ")


def test_report_parts_are_named_as_the_editions_write_them():
    names = {lang: labels.names_of("report_part", lang) for lang in LANGS}
    assert [names["en"][p] for p in ("figure", "table", "appendix", "section")] == ["Figure", "Table", "Appendix", "section"]
    assert [names["nb"][p] for p in ("figure", "table", "appendix", "section")] == ["figur", "tabell", "vedlegg", "kapittel"]
    avoided_en = {v for r in _rows() if r["category"] == "report_part" for v in _split(r["avoid_en"])}
    assert set(NORWEGIAN_PART_WORDS) <= avoided_en, "an English page must never say 'Figur 3', 'Tabell 1', 'vedlegg 2'"


def test_report_place_and_the_helpers_use_the_glossarys_words():
    nbsp = labels.NBSP
    assert labels.report_place("3.1.1", "Figur 4", "en") == f"section{nbsp}3.1.1, Figure{nbsp}4"
    assert labels.report_place("3.1.1", "Figur 4", "nb") == f"kapittel{nbsp}3.1.1, figur{nbsp}4"
    assert labels.report_place("vedlegg 3", "", "en") == f"Appendix{nbsp}3"
    assert labels.report_place("4.1", "Tabell 1", "en") == f"section{nbsp}4.1, Table{nbsp}1"
    assert labels.report_place("3.4.2", "unnumbered figure", "nb") == f"kapittel{nbsp}3.4.2, figur uten nummer"
    assert labels.report_place("sammendrag", float("nan"), "en") == "summary"
    assert labels.report_part("figure", 2, "en", of_report=True) == f"the report's Figure{nbsp}2"
    assert labels.report_part("figure", 2, "nb", of_report=True) == f"rapportens figur{nbsp}2"
    assert labels.term("figure", "nb") == "Figur" and labels.term("section", "nb") == "Kapittel"
    assert labels.term("sweden", "nb") == labels.name("country", "sweden", "nb") == "Sverige"


def test_organisations_are_spelled_out_with_the_abbreviation_readers_see():
    from helpers import notebook

    en, nb = notebook.Chapter("test", "en"), notebook.Chapter("test", "nb")
    assert en.spell_out("FIN") == "Ministry of Finance (FIN)"
    assert en.spell_out("DFO") == "Norwegian Agency for Public and Financial Management (DFØ)"
    assert nb.spell_out("KDD") == "Kommunal- og distriktsdepartementet (KDD)"
    assert en.spell_out("DATATILSYNET") == "Norwegian Data Protection Authority"  # our code, not an abbreviation
    assert en.organisation("DFO").endswith("(DFØ)") and en.organisation("DFO") == "DFØ"


def test_the_strategy_is_credited_to_the_ministry_as_it_was_called_in_2021():
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    entry = re.search(r"@\w+\{strategy2021,(.*?)\n\}", bib, flags=re.S).group(1)
    assert re.search(r"author\s*=\s*\{\{Kommunal- og moderniseringsdepartementet\}\}", entry), (
        "the 2021 strategy was issued by Kommunal- og moderniseringsdepartementet (KMD), renamed KDD from 2022")
    assert labels.name("organisation", "KMD", "nb") == "Kommunal- og moderniseringsdepartementet"


# --- the checker on made-up pages (fast): it finds what it must, and only that ---------------------------------------

def _page(lang: str, body: str) -> str:
    return f'<html lang="{lang}"><head><title>Test</title></head><body><main>{body}</main></body></html>'


def test_an_avoided_name_on_a_page_is_named():
    html = _page("en", "<p>Staff at the Academy for the ministries and in Strategisk forum answered.</p>")
    found = "\n".join(avoided_on_page(html, "en"))
    assert "'Academy for the ministries' for measure departementsakademiet (write \"Ministries' Academy\")" in found
    assert "'Strategisk forum' for body strategisk_forum" in found


def test_a_norwegian_report_part_on_an_english_page_is_named():
    html = _page("en", "<table><tr><td>sec. 3.1.1, Figur 3</td><td>Tabell 1</td><td>vedlegg 2</td></tr></table>")
    found = "\n".join(avoided_on_page(html, "en"))
    for word in ("'Figur'", "'Tabell'", "'vedlegg'", "'sec.'"):
        assert word in found, f"{word} not found in:\n{found}"


def test_quartos_bilag_and_an_english_name_on_a_norwegian_page_are_named():
    html = _page("nb", '<nav id="quarto-sidebar"><ul><li><span>Bilag</span></li><li>Bilag A — Kontroll</li></ul></nav>'
                       "<p>Strategic Forum ga råd til KDD om tjenestefora.</p>")
    found = "\n".join(avoided_on_page(html, "nb"))
    assert found.count("'Bilag' for report_part appendix") == 2, found
    assert "'Strategic Forum' for body strategisk_forum" in found
    assert "'Tjenestefora' for body service_forums" in found  # a variant's first letter in either case


def test_the_glossarys_own_names_and_marked_terms_are_not_named():
    html = _page("en", "<p>The Ministries\u2019 Academy, Shared HR services, the Office of the Prime Minister and "
                       "Strategic Forum (<em><span lang=\"nb\">Strategisk forum</span></em>) are named as the glossary "
                       "names them; see the report\u2019s Figure\u00a03, Table 1 and Appendix 2, and the sidebar's "
                       "Appendix A.</p><p lang=\"nb\">Rapportens figur 3 og vedlegg 2.</p>")
    assert avoided_on_page(html, "en") == []
    assert avoided_on_page(_page("nb", "<p>Rapportens figur 3, tabell 1 og vedlegg 2; Vedlegg A — Kontroll; "
                                       "Strategisk forum og tjenesteforumene.</p>"), "nb") == []


def test_a_shorter_avoided_variant_inside_the_chosen_name_is_not_named():
    # "Shared HR" is avoided, "Shared HR services" is the name; the checker masks names before it looks
    assert avoided_on_page(_page("en", "<p>Shared HR services and shared HR services.</p>"), "en") == []
    assert avoided_on_page(_page("en", "<p>The shared HR measure.</p>"), "en")


# --- Quarto's interface words ----------------------------------------------------------------------------------------

#: Quarto 1.7's Norwegian words that no Norwegian page may show (Danish spellings, stiff or wrong translations).
QUARTO_NB_REFUSED = ("Bilag", "Kapitel ", "Seksjon ", "Samsvarende dokumenter", "ytterlige", "Slå på delen",
                     "sidebarnavigering", "Kopier link", "utklipstavle", "Erklæring", "Sortér")


def _quarto_language(name: str) -> dict[str, str]:
    """One of Quarto's language files (``_language.yml``, ``_language-nb.yml``) of the project's Quarto."""
    from helpers.pipeline import quarto

    path = quarto.install_dir() / "quarto-cli" / "src" / "resources" / "language" / name
    if not path.exists():
        pytest.skip("the project's Quarto is not assembled in .tools/: no Quarto language file to compare with")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_norwegian_edition_overrides_quartos_stiff_words():
    quarto_nb, english = _quarto_language("_language-nb.yml"), _quarto_language("_language.yml")
    ours = yaml.safe_load((ROOT / "_quarto-nb.yml").read_text(encoding="utf-8"))["language"]
    unknown = sorted(set(ours) - set(english))
    assert not unknown, f"_quarto-nb.yml overrides words Quarto does not have: {unknown}"
    effective = {**quarto_nb, **ours}
    shown = [f"{k}: {v!r}" for k, v in effective.items() for bad in QUARTO_NB_REFUSED if bad in str(v)]
    assert not shown, "Quarto's Norwegian words to override in _quarto-nb.yml (language:):\n  " + "\n  ".join(shown)
    missing = sorted(set(english) - set(effective))
    assert not missing, f"Quarto has no Norwegian for {missing}: the page would show English"
    # the appendix's title and the sidebar's section capitalised; a reference to a chapter, an appendix or a section
    # inside a sentence in small letters, as the glossary names the report's parts («i vedlegg B», «i avsnitt 1.2.1»)
    crossref = yaml.safe_load((ROOT / "_quarto-nb.yml").read_text(encoding="utf-8"))["crossref"]
    assert effective["section-title-appendices"] == crossref["appendix-title"] == "Vedlegg"
    assert effective["crossref-apx-prefix"] == labels.name("report_part", "appendix", "nb") == "vedlegg"
    assert effective["crossref-ch-prefix"] == "kapittel"
    assert effective["crossref-sec-prefix"] == crossref["sec-prefix"] == "avsnitt"


def test_avsnitt_is_only_quartos_word_for_the_sites_own_sections():
    """«avsnitt» is not an avoided name of the report's sections because it names this site's own ones (Quarto's
    crossref prefix): a page never types it before a number, so «avsnitt 3.1» on a page is always a cross-reference,
    and the report's sections stay «kapittel»."""
    import json

    typed = []
    for path in [*sorted((ROOT / "notebooks").glob("*.ipynb")), ROOT / "index.ipynb"]:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            typed += [f"{path.name}: {m.group()!r}" for m in re.finditer(r"(?i)\bavsnitt(?:et)?\s*\d", text)]
    assert not typed, "a section number typed after «avsnitt» (the report's sections are «kapittel»):\n  " + \
        "\n  ".join(typed)
    row = next(r for r in _rows() if r["category"] == "report_part" and r["id"] == "section")
    assert row["name_nb"] == "kapittel" and "seksjon" in _split(row["avoid_nb"])


def test_the_english_edition_names_the_parts_of_the_book_in_english():
    english = _quarto_language("_language.yml")
    ours = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8")).get("language") or {}
    effective = {**english, **ours}
    assert (effective["crossref-fig-title"], effective["crossref-tbl-title"], effective["crossref-apx-prefix"]) == (
        labels.name("report_part", "figure", "en"), labels.name("report_part", "table", "en"),
        labels.name("report_part", "appendix", "en"))
    norwegian = [f"{k}: {v!r}" for k, v in effective.items() if re.search(r"\b(Figur|Tabell|Vedlegg|Bilag)\b", str(v))]
    assert not norwegian, f"the English edition's interface shows Norwegian words: {norwegian}"


# --- the built site (slow) -------------------------------------------------------------------------------------------

PAGES = config.pages(config.load_quarto(ROOT))
EDITIONS = config.editions(ROOT)


def _page_params():
    return [pytest.param(e, p, id=f"{e.prefix}{p.output}") for e in EDITIONS for p in PAGES]


@pytest.mark.slow
@pytest.mark.parametrize("edition, page", _page_params())
def test_no_page_shows_a_thing_under_an_avoided_name(site: Path, edition, page):
    path = site / edition.prefix / page.output
    assert read(path, edition.lang), f"{edition.prefix}{page.output}: no text was read — is the page empty?"
    lines = avoided_on_page(path.read_text(encoding="utf-8"), edition.lang)
    more = [f"  … and {len(lines) - SHOWN} more"] if len(lines) > SHOWN else []
    assert not lines, "\n".join([f"{edition.prefix}{page.output} ({edition.lang}) names {len(lines)} thing(s) as "
                                 "data/glossary.csv rules out (avoid_" + edition.lang + "); use the glossary's name "
                                 "(labels.name / ch.name_of) or mark a kept Norwegian term lang=\"nb\":",
                                 *lines[:SHOWN], *more])


@pytest.mark.slow
def test_no_norwegian_page_shows_quartos_stiff_words(site: Path):
    for edition in (e for e in EDITIONS if e.lang == "nb"):
        for page in PAGES:
            html = (site / edition.prefix / page.output).read_text(encoding="utf-8")
            # code shows a value as a file stores it (the glossary's own note that Quarto's 'Bilag' is avoided)
            html = re.sub(r"<code\b[^>]*>.*?</code>", "", html, flags=re.S)
            shown = [w for w in QUARTO_NB_REFUSED if w in html]
            assert not shown, f"{edition.prefix}{page.output} shows Quarto's words {shown} (override them in _quarto-nb.yml)"


@pytest.mark.slow
def test_the_site_check_fails_on_a_mutated_page(site: Path):
    # a real built page of each edition with one avoided name written into its text: the check names it
    for edition, text, variant in (("", "<p>See the report’s Figur 3 and the Academy for the ministries.</p>", "Figur"),
                                   ("nb/", "<p>Se Strategic Forum og Bilag A.</p>", "Strategic Forum")):
        html = (site / edition / "index.html").read_text(encoding="utf-8")
        lang = "nb" if edition else "en"
        before = avoided_on_page(html, lang)
        mutated = html.replace("</main>", f"{text}</main>", 1)
        assert mutated != html, "the landing page has no <main> to write into"
        added = [line for line in avoided_on_page(mutated, lang) if line not in before]
        assert any(repr(variant) in line for line in added), f"{edition}index.html: the check missed {variant!r}: {added}"
