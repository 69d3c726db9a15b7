"""Each edition reads in its own language: every piece of text on every page of the built site is identified by a
language identifier (py3langid, its model shipped inside the package) as the edition's language.

A piece is read when it has enough words for the identifier to be sure (``MIN_WORDS``); a shorter one (a number, a
ministry's abbreviation, "N = 1969") says too little. The identifier chooses between English and the Scandinavian
languages (Norwegian text is often scored as Danish or Swedish, all of which are wrong on the English page); a piece
fails when the edition's language is the less likely one (on a short piece: clearly less likely, see SHORT_LIMIT).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from helpers.pipeline import config

from .conftest import ROOT
from .reader_text import Piece, pieces, read

PAGES = config.pages(config.load_quarto(ROOT))
EDITIONS = config.editions(ROOT)
MIN_WORDS = 4
# A short piece is judged only when the identifier is sure: on four or five words it scores plain English names such
# as "Service forum for digital services" at 0.30 English; from six words on, the likelier language decides.
SHORT_WORDS, SHORT_LIMIT, LIMIT = 6, 0.25, 0.5
SHOWN = 12  # pieces named in one failure; the count says how many more
SCANDINAVIAN = ("no", "nn", "da", "sv")
# snake_case tokens are internal identifiers, not words of any language (tests/test_reader_tables.py names them)
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
WORD = re.compile(r"[^\W\d_]{2,}")


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(["en", *SCANDINAVIAN])
    return identifier


def probability(text: str, lang: str) -> float:
    """How likely ``text`` is written in ``lang`` ("en" or "nb"), against the other."""
    ranked = dict(_identifier().rank(text))
    english = ranked.get("en", 0.0)
    return english if lang == "en" else 1.0 - english


def foreign_pieces(found: list[Piece], lang: str) -> list[tuple[Piece, float]]:
    """The pieces with enough words that are more likely in another language than ``lang``."""
    foreign = []
    for piece in found:
        words = WORD.findall(IDENTIFIER.sub(" ", piece.text))
        if len(words) < MIN_WORDS:
            continue
        p = probability(piece.text, lang)
        if p < (SHORT_LIMIT if len(words) < SHORT_WORDS else LIMIT):
            foreign.append((piece, p))
    return foreign


def _report(path: str, lang: str, foreign: list[tuple[Piece, float]]) -> str:
    lines = [f"{path}: {len(foreign)} piece(s) of text are not in the edition's language ({lang}); "
             "translate them or mark a kept source term with lang=:"]
    for piece, p in foreign[:SHOWN]:
        lines.append(f"  <{piece.tag}> in {piece.where} (p({lang}) = {p:.2f}): {piece.text[:160]!r}")
    if len(foreign) > SHOWN:
        lines.append(f"  … and {len(foreign) - SHOWN} more")
    return "\n".join(lines)


# --- the identifier and the reading rules on small pages (fast: no site needed) -----------------------------------

def test_an_english_paragraph_on_a_norwegian_page_is_named():
    html = ('<html lang="nb"><body><main id="main">'
            "<p>Departementene har laget en felles strategi for perioden, og de fleste ansatte kjenner den.</p>"
            "<p>Most employees have heard of the strategy, but few know what it says.</p>"
            "</main></body></html>")
    foreign = foreign_pieces(pieces(html, "nb"), "nb")
    assert [piece.text[:4] for piece, _ in foreign] == ["Most"]
    assert foreign[0][0].tag == "p" and foreign[0][0].where == "#main"
    assert "Most employees have heard" in _report("nb/x.html", "nb", foreign)


def test_norwegian_table_cells_caption_and_alt_text_on_the_english_page_are_named():
    html = ('<html lang="en"><body><figure><img src="x.svg" alt="Liggende stolpediagram over andelen som kjenner '
            'strategien"><figcaption>Kjennskap til strategien etter rolle og departement</figcaption></figure>'
            '<table id="tbl-x"><tr><th>Share of all respondents</th></tr>'
            "<tr><td>Jeg har hørt om den, men er ikke kjent med innholdet</td></tr></table></body></html>")
    foreign = foreign_pieces(pieces(html, "en"), "en")
    assert sorted(piece.tag for piece, _ in foreign) == ["figcaption", "img[alt]", "td"]


def test_the_words_drawn_in_a_figure_are_read_together():
    import base64

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><text>Ledere</text><text>Alle</text>'
           "<text>Ja, jeg kjenner innholdet</text><text>Jeg har hørt om den</text><text>42</text></svg>")
    html = (f'<html lang="en"><body><div id="fig-x"><img alt="A bar chart of who knows the strategy, by role" '
            f'src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"></div></body></html>')
    foreign = foreign_pieces(pieces(html, "en"), "en")
    assert [(piece.tag, piece.where, piece.text) for piece, _ in foreign] == [
        ("img[svg text]", "#fig-x", "Ledere Alle Ja, jeg kjenner innholdet Jeg har hørt om den 42")]


def test_text_marked_as_another_language_code_and_the_bibliography_are_left_out():
    html = ('<html lang="en"><body>'
            '<p>The strategy <em><span lang="nb">Gode hver for oss. Best sammen</span></em> has three goal areas.</p>'
            '<p lang="nb">Dette avsnittet er merket som norsk og leses ikke som engelsk tekst.</p>'
            "<pre><code>andel = data.load('survey_answers') # hvor mange som svarte ja</code></pre>"
            '<div id="refs"><div class="csl-entry">Direktoratet for forvaltning og økonomistyring. 2023. '
            "Gode hver for oss. Best sammen. Midtveisevaluering av departementenes felles strategi.</div></div>"
            '<div id="quarto-search-results"><p>Søkeresultater som ikke vises for leseren i det hele tatt</p></div>'
            '<table><tr><td><span translate="no">Fælles Statslig It; Digital Post</span></td></tr></table>'
            "</body></html>")
    texts = [piece.text for piece in pieces(html, "en")]
    assert texts == ["The strategy has three goal areas."]
    assert not foreign_pieces(pieces(html, "en"), "en")


def test_short_pieces_are_not_judged():
    html = '<html lang="en"><body><table><tr><td>Ja</td><td>Svært viktig</td><td>N = 1969</td></tr></table></body></html>'
    assert not foreign_pieces(pieces(html, "en"), "en")


# --- the built site ------------------------------------------------------------------------------------------------

def _page_params():
    return [pytest.param(e, p, id=f"{e.prefix}{p.output}") for e in EDITIONS for p in PAGES]


@pytest.mark.slow
@pytest.mark.parametrize("edition, page", _page_params())
def test_every_page_reads_in_its_editions_language(site: Path, edition, page):
    path = site / edition.prefix / page.output
    found = read(path, edition.lang)
    assert len(found) >= 5, f"{edition.prefix}{page.output}: hardly any text was read — is the page empty?"
    foreign = foreign_pieces(found, edition.lang)
    assert not foreign, _report(f"{edition.prefix}{page.output}", edition.lang, foreign)
