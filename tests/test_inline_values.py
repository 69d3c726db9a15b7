"""The values shown in prose: the same in both languages of a paragraph, and reproduced by the committed notebooks.

The build executes every notebook once per edition and records its inline values; these tests read those executed
notebooks (``_build/executed/<edition>/``, made by the session's site build) and the committed ones.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from helpers import labels
from helpers.pipeline import config
from helpers.pipeline.reproduce import recorded_values
from helpers.inline import EXPRESSION

from .conftest import ROOT

PAGES = [p for p in config.pages(config.load_quarto(ROOT)) if p.is_notebook]
DIV = re.compile(r'^:::+\s*\{\.content-visible (unless|when)-profile="nb"\}\s*\n(.*?)^:::+\s*$', flags=re.S | re.M)
NBSP_LIKE = "\u00a0\u202f "
SECTION = re.compile(r"\b(?:kap|kapittel|avsnitt|sec|section|del)\.?\s*\d+(?:\.\d+)*|\d+(?:\.\d+){2,}", re.IGNORECASE)  # "Kapittel 4.1" opens a sentence
CODE = re.compile(r"(`+).+?\1")  # a Markdown code span


def shown(markdown: str, values: dict[str, str]) -> str:
    """``markdown`` with each inline expression replaced by its recorded value, as Quarto does."""
    return "\n".join(EXPRESSION.sub(lambda m: m.group(1) + values.get(m.group(2).strip(), m.group(0)), line)
                     for line in markdown.splitlines())


def numbers(text: str, lang: str) -> Counter[str]:
    """The numbers a reader sees in ``text``, written one way whatever the edition (12500, 42.0)."""
    text = text.replace("\\", "")  # Markdown escapes in recorded values are not characters readers see
    if lang == "en":
        text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    else:
        text = re.sub(rf"(?<=\d)[{NBSP_LIKE}](?=\d{{3}}\b)", "", text)
        text = re.sub(r"(?<=\d),(?=\d)", ".", text)
    return Counter(re.findall(r"\d+(?:\.\d+)?", text))


def as_digits(value: str, lang: str) -> str:
    """A recorded value whose count is written in words (``labels.count_words``: "seven interviews", «syv tiltak»)
    with that count as digits, so that an edition which spells out 10–12 and one which does not compare equal."""
    words = {w: i + 1 for i, w in enumerate(labels._COUNT_WORDS[lang])}
    if lang == "nb":
        words["ett"] = 1
    pattern = "|".join(sorted(words, key=len, reverse=True))
    if link := re.fullmatch(r"\[([^\]]*)\](\(.*\))", value, flags=re.S):  # ch.cite: the count is the link's text
        return f"[{as_digits(link.group(1), lang)}]{link.group(2)}"
    return re.sub(rf"(?<!\w)({pattern})(?!\w)", lambda m: str(words[m.group(1).lower()]), value, flags=re.IGNORECASE) \
        if re.match(rf"(?i)({pattern})(?!\w)", value) else value


def paragraph_mismatches(english_cell: str, english_values: dict[str, str], norwegian_cell: str,
                         norwegian_values: dict[str, str]) -> tuple[Counter[str], Counter[str]] | None:
    """Numbers only one language of a cell shows (English side, Norwegian side), or None when both show the same;
    a count an inline value writes in words counts as that number."""
    english_values = {k: as_digits(v, "en") for k, v in english_values.items()}
    norwegian_values = {k: as_digits(v, "nb") for k, v in norwegian_values.items()}
    en = {kind: body for kind, body in DIV.findall(english_cell)}
    nb = {kind: body for kind, body in DIV.findall(norwegian_cell)}
    if "unless" not in en or "when" not in nb:
        return None
    a, b = numbers(shown(en["unless"], english_values), "en"), numbers(shown(nb["when"], norwegian_values), "nb")
    return None if a == b else (a - b, b - a)


def test_a_paragraph_whose_languages_show_different_numbers_is_found():
    cell = ('::: {.content-visible unless-profile="nb"}\n`{python} ch.count(n)` answered, `{python} ch.pct(r, 1)`.\n:::\n\n'
            '::: {.content-visible when-profile="nb"}\n`{python} ch.count(n)` svarte, `{python} ch.pct(r, 1)`.\n:::\n')
    en, nb = {"ch.count(n)": "1969", "ch.pct(r, 1)": "42\\.0%"}, {"ch.count(n)": "1969", "ch.pct(r, 1)": "42\\,0\u00a0\\%"}
    assert paragraph_mismatches(cell, en, cell, nb) is None
    typed = cell.replace("svarte,", "av 4691 svarte,")
    assert paragraph_mismatches(typed, en, typed, nb) == (Counter(), Counter({"4691": 1}))
    assert paragraph_mismatches(cell, en, cell, {**nb, "ch.pct(r, 1)": "42\\,1\u00a0\\%"}) is not None
    # thousands grouped with a point are not a Norwegian number: it reads as 12.5, not the English 12,500
    grouped = {"ch.count(n)": "12\\.500", "ch.pct(r, 1)": "42\\,0\u00a0\\%"}
    assert paragraph_mismatches(cell, {**en, "ch.count(n)": "12\\,500"}, cell, grouped) is not None
    # a count in words is that count: "seven" and «syv» agree, "11" and «elleve» too, "seven" and «åtte» do not
    words = ('::: {.content-visible unless-profile="nb"}\n`{python} ch.counted(k, "measure", "measures")`.\n:::\n\n'
             '::: {.content-visible when-profile="nb"}\n`{python} ch.counted(k, "tiltak", "tiltak")`.\n:::\n')
    key = 'ch.counted(k, "measure", "measures")'
    nb_key = 'ch.counted(k, "tiltak", "tiltak")'
    assert paragraph_mismatches(words, {key: "seven measures"}, words, {nb_key: "syv tiltak"}) is None
    assert paragraph_mismatches(words, {key: "11 measures"}, words, {nb_key: "elleve tiltak"}) is None
    assert paragraph_mismatches(words, {key: "seven measures"}, words, {nb_key: "åtte tiltak"}) is not None
    # a count linked to its rows (ch.cite) is the link's text; the link's target and tooltip are not read as words
    cited = '[tolv](../data.ipynb#row-findings-3 "Kilde: findings.csv, rad 3; i rapporten: kapittel\u00a05")'
    assert as_digits(cited, "nb") == cited.replace("[tolv]", "[12]")
    english = '[12](../data.ipynb#row-findings-3 "Source: findings.csv, row 3; in the report: section\u00a05")'
    assert paragraph_mismatches(words, {key: english}, words, {nb_key: cited}) is None
    assert paragraph_mismatches(words, {key: english}, words, {nb_key: cited.replace("[tolv]", "[elleve]")}) is not None


#: The data licence's official name (``labels.phrase("data_licence")``): its version is a name, "4.0" in both editions.
LICENCE = {lang: re.compile(re.escape(labels.phrase("data_licence", lang, version="VERSION")).replace("VERSION", r"\d+\.\d+"))
           for lang in ("en", "nb")}


def in_edition_style(value: str, edition: str) -> bool:
    """Whether a recorded value writes its numbers as ``edition`` does (section numbers and the licence's version
    aside)."""
    text = SECTION.sub("", CODE.sub("", value).replace("\\", ""))  # code shows a name as typed (``CC-BY-4.0``)
    text = LICENCE[edition].sub("", text)
    if edition == "nb":
        return not (re.search(r"\d\.\d", text) or re.search(r"(?<!\u00a0)%", text))
    return not (re.search(r"\d,\d(?!\d\d)", text) or re.search(r"\s%", text))


@pytest.mark.parametrize(("value", "edition", "ok"), [
    ("42\\,0\u00a0\\%", "nb", True), ("42\\.0\u00a0\\%", "nb", False), ("42\\,0 \\%", "nb", False),
    ("42\\,0\\%", "nb", False), ("kap\\. 3\\.2\\.1", "nb", True), ("42\\.0%", "en", True),
    ("Creative Commons Navngivelse 4.0 Internasjonal (CC BY 4.0)", "nb", True), ("Navngivelse 4.0 og 4.0", "nb", False),
    ("42\\,0%", "en", False), ("`CC-BY-4.0`", "nb", True), ("CC\\-BY\\-4\\.0", "nb", False), ("12\\,500", "en", True), ("42 %", "en", False),
])
def test_a_value_in_the_other_editions_style_is_found(value, edition, ok):
    assert in_edition_style(value, edition) is ok


def _executed(edition: str, page: config.Page) -> list:
    path = ROOT / "_build" / "executed" / edition / page.source
    return nbformat.read(path, as_version=4).cells


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_both_languages_of_every_paragraph_show_the_same_values(site, page):
    bad = []
    for number, (en, nb) in enumerate(zip(_executed("en", page), _executed("nb", page))):  # both have the injected cell
        if en.cell_type != "markdown":
            continue
        found = paragraph_mismatches(en.source, recorded_values(en), nb.source, recorded_values(nb))
        if found:
            only_en, only_nb = found
            bad.append(f"cell {number} ({' '.join(en.source.split())[:60]!r}…): only in English "
                       f"{sorted(only_en.elements())}, only in Norwegian {sorted(only_nb.elements())}")
    assert not bad, f"{page.source}: paragraphs whose two languages show different numbers:\n  " + "\n  ".join(bad)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_committed_inline_values_are_what_execution_gives(site, page):
    """As nbval does for outputs: the values stored in the committed notebook (``make reproduce``) are those the
    build's execution with the default parameters (the English edition) records."""
    committed = nbformat.read(ROOT / page.source, as_version=4).cells
    fresh = [c for c in _executed("en", page) if "injected-parameters" not in c.metadata.get("tags", [])]
    assert len(committed) == len(fresh), f"{page.source}: cell count differs from execution; run `make reproduce`"
    stale = [f"cell {i}: {recorded_values(a)} ≠ {recorded_values(b)}" for i, (a, b) in enumerate(zip(committed, fresh))
             if a.cell_type == "markdown" and recorded_values(a) != recorded_values(b)]
    assert not stale, f"{page.source}: stored inline values differ from execution (run `make reproduce`):\n  " + \
        "\n  ".join(stale[:10])


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["en", "nb"])
def test_every_value_is_written_in_its_editions_style(site, edition):
    """A broken formatter shows here: a Norwegian value with a decimal point or a % without a no-break space before it,
    an English one with a decimal comma."""
    bad = []
    for page in PAGES:
        for cell in _executed(edition, page):
            for expression, value in recorded_values(cell).items():
                if not in_edition_style(value, edition):
                    bad.append(f"{page.source}: `{expression}` shows {value!r}")
    assert not bad, f"values not in the {edition} edition's style:\n  " + "\n  ".join(bad[:10])
