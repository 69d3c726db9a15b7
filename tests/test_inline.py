"""Prose values: the edition's formatters, inline values as text, and the engine that records them while executing.

The formatters are written as each edition writes numbers (not from the code): decimal comma and a no-break space
before % in Norwegian, grouped from five digits. The engine is exercised on small made-up notebooks: it records the
value of every inline expression at its cell's position, refuses a value that is not formatted, and names the cell and
the expression that failed.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import inline, labels

NBSP = "\u00a0"


@pytest.mark.parametrize(("value", "decimals", "lang", "shown"), [
    (42.04, 1, "en", "42.0"), (42.04, 1, "nb", "42,0"),
    (4691, 0, "en", "4691"), (4691, 0, "nb", "4691"),            # four digits are not grouped
    (12500, 0, "en", "12,500"), (12500, 0, "nb", f"12{NBSP}500"),
    (-3.25, 2, "nb", "\u22123,25"), (-0.04, 1, "en", "0.0"),         # a true minus sign, and no "-0"
])
def test_numbers_as_each_edition_writes_them(value, decimals, lang, shown):
    assert labels.number(value, decimals, lang) == shown


def test_percent_points_and_dates_in_each_edition():
    assert labels.percent(29.4, 0, "en") == "29%"
    assert labels.percent(29.45, 1, "nb") == f"29,4{NBSP}%" or labels.percent(29.45, 1, "nb") == f"29,5{NBSP}%"
    assert labels.points(12, 0, "en") == f"12{NBSP}percentage points"
    assert labels.points(1, 0, "en") == f"1{NBSP}percentage point"
    assert labels.points(12, 0, "nb") == f"12{NBSP}prosentpoeng"
    assert labels.date("2023-03-01", "day", "en") == f"1{NBSP}March 2023"
    assert labels.date("2023-03-01", "day", "nb") == f"1.{NBSP}mars 2023"
    assert labels.date("2023-03-01", "month", "nb") == "mars 2023"
    assert labels.date("2023-03-01", "year", "en") == "2023"


@pytest.mark.parametrize("missing", [float("nan"), None, True])
def test_a_missing_value_is_never_printed_as_a_number(missing):
    with pytest.raises(ValueError):
        labels.number(missing, 0, "en")


def test_a_count_refuses_a_fraction():
    assert labels.count(1969.0, "en") == "1969"
    with pytest.raises(ValueError):
        labels.count(19.5, "en")


@pytest.mark.parametrize(("value", "lang", "shown"), [
    (1, "en", "one"), (7, "en", "seven"), (9, "en", "nine"), (10, "en", "10"), (12, "en", "12"),  # English: one to nine
    (2, "nb", "to"), (7, "nb", "syv"), (9, "nb", "ni"), (10, "nb", "ti"), (11, "nb", "elleve"), (12, "nb", "tolv"),
    (13, "nb", "13"), (1969, "nb", "1969"), (12500, "nb", f"12{NBSP}500"),  # the report's «syv»; up to twelve
    (0, "en", "0"), (0, "nb", "0"), (1, "nb", "én"),
])
def test_small_counts_in_running_text_are_words(value, lang, shown):
    assert labels.count_words(value, lang) == shown


def test_a_norwegian_one_agrees_with_its_noun_and_counted_writes_words():
    assert labels.count_words(1, "nb", gender="neuter") == "ett"
    assert labels.count_words(1, "en", gender="neuter") == "one"
    assert labels.counted(1, "tiltak", "tiltak", lang="nb", gender="neuter") == "ett tiltak"
    assert labels.counted(2, "intervju", "intervjuer", lang="nb", gender="neuter") == "to intervjuer"
    assert labels.counted(7, "measure", "measures", lang="en") == "seven measures"
    assert labels.counted(14, "measure", "measures", lang="en") == "14 measures"
    assert labels.counted(0, "område", "områder", none="ingen områder", lang="nb") == "ingen områder"
    assert labels.status_tally({"good_drive": 2, "no_new_activity": 1}, "nb") == "to i godt driv og ett uten nye aktiviteter"
    with pytest.raises(ValueError):
        labels.count_words(2.5, "en")
    with pytest.raises(ValueError):
        labels.count_words(2, "nb", gender="feminine")  # type: ignore[arg-type]


def test_counts_in_one_sentence_share_one_style():
    """The number style (helpers.labels._COUNT_WORDS): small counts are words, but where the same sentence or list
    has a count in digits (a total of 13 or more, the parts of such a total, a comparison) every count is digits."""
    # the audit's distinct problems: 17 in all, so its parts are digits although each is small enough for a word
    assert labels.problem_tally({"contradiction": 11, "tension": 2, "loose wording": 4}, "nb") == (
        "11 tilfeller av motstrid, 2 av uklarhet og 4 av upresis ordlyd")
    assert labels.problem_tally({"contradiction": 11, "tension": 2, "loose wording": 4}, "en") == (
        "11 contradictions, 2 tensions and 4 cases of loose wording")
    # a small total keeps its parts in words
    assert labels.problem_tally({"contradiction": 3, "tension": 2, "loose wording": 4}, "nb") == (
        "tre tilfeller av motstrid, to av uklarhet og fire av upresis ordlyd")
    assert labels.problem_tally({"contradiction": 1, "tension": 1}, "nb") == "ett tilfelle av motstrid og ett av uklarhet"
    # status_tally: parts of 13 measures are digits, parts of 12 words
    assert labels.status_tally({"good_drive": 7, "nearly_done": 6}, "nb") == "7 i godt driv og 6 nesten i mål"
    assert labels.status_tally({"good_drive": 6, "nearly_done": 6}, "nb") == "seks i godt driv og seks nesten i mål"
    assert labels.status_tally({"good_drive": 2}, "nb", among=[17]) == "2 i godt driv"
    # a single count next to the sentence's others
    assert labels.count_words(4, "nb", among=[17]) == "4"
    assert labels.count_words(4, "nb", among=[12]) == "fire"
    assert labels.count_words(4, "en", among=[10]) == "4"
    assert labels.count_words(1, "nb", gender="neuter", among=[23, 17]) == "1"
    assert labels.counted(2, "par", "par", lang="nb", gender="neuter", among=[21]) == "2 par"
    assert labels.in_words([11, 2, 4], "nb") and not labels.in_words([11, 2, 4, 17], "nb")


def test_a_sentence_starts_with_a_capital():
    assert labels.sentence_start("fem av de syv") == "Fem av de syv"
    assert labels.sentence_start("vedlegg 4: «Startet opp»") == "Vedlegg 4: «Startet opp»"
    assert labels.sentence_start("«sitat» først") == "«Sitat» først"
    assert labels.sentence_start("17 problemer") == "17 problemer"  # digits have no capital: left as they are
    assert labels.sentence_start("") == ""


def test_the_text_below_a_table_is_named_as_such():
    assert labels.report_place("4.1", "under Tabell 1", "nb") == f"kapittel{NBSP}4.1 (teksten under tabell{NBSP}1)"
    assert labels.report_place("4.1", "under Tabell 1", "en") == f"section{NBSP}4.1 (text below Table{NBSP}1)"
    assert labels.report_sections("2.2|3.2.2", "nb") == f"kapittel{NBSP}2.2 og 3.2.2"


def _pandoc_text(markdown: str) -> str:
    """What Pandoc, as Quarto runs it (``quarto pandoc``), reads ``markdown`` as: its plain text."""
    from helpers.pipeline import quarto

    from .conftest import ROOT

    result = subprocess.run([quarto.find(ROOT), "pandoc", "--from", "markdown", "--to", "plain", "--wrap=none"],
                            input=markdown, capture_output=True, text=True, check=True)
    return result.stdout.strip()


HOSTILE = [
    "Core-group trial (cross-ministry core groups)",
    "Felles sak-arkiv",
    "![](https://example.invalid/p.png){onerror=\"document.title='PWNED'\"}",
    "[click](javascript:alert(1)) <b>bold</b> *not emphasis* $x^2$ @fig-awareness [@dfo2023] `code` &amp; 50 % | a | b |",
    "line one\nline two",
]


@pytest.mark.slow
@pytest.mark.parametrize("text", HOSTILE)
def test_data_text_shows_exactly_as_written_through_pandoc(text):
    """Markdown-escaped text, read by Pandoc (Quarto's reader), is the characters themselves: no markup, no escape."""
    shown = _pandoc_text(f"Before {inline.as_markdown(text)} after.")
    # quotation marks and apostrophes are left to Pandoc's typography (’ “ ”), as in the prose around them
    curly = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
    assert shown.translate(curly) == f"Before {' '.join(text.split(chr(10)))} after."


@pytest.mark.slow
def test_the_escape_rule_is_what_stops_markup():
    """Without the escape the same text would be markup (the test above would fail on these)."""
    assert "PWNED" not in _pandoc_text("![](x.png){onerror=PWNED}")  # became an image attribute
    assert _pandoc_text("*not emphasis*") == "not emphasis"


@pytest.mark.parametrize("value", [0.42, 42.0, None, True])
def test_an_unformatted_inline_value_is_refused(value):
    with pytest.raises(TypeError, match="ch\\.num|say in words"):
        inline.as_markdown(value)


def test_markdown_built_by_helpers_passes_and_integers_are_counts():
    assert inline.as_markdown(inline.Markdown("[Table 1](#tbl-x)")) == "[Table 1](#tbl-x)"
    assert inline.as_markdown(12500) in ("12,500", "12\\,500")
    import numpy as np

    assert inline.as_markdown(np.int64(7)) == "7"


def test_expressions_are_found_as_quarto_finds_them():
    source = "A `{python} ch.pct(a)` and `{python}  b ` and ``{python} not_me`` and `python x`\nnext `{python} c`"
    assert inline.expressions(source) == ["ch.pct(a)", "b", "c"]


# --- the engine, on made-up notebooks ---------------------------------------------------------------------------------

def _notebook(tmp_path: Path, *cells: nbformat.NotebookNode) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('lang = "en"', metadata={"tags": ["parameters"]}), *cells]
    path = tmp_path / "made-up.ipynb"
    nbformat.write(nb, path)
    return path


def _run(tmp_path: Path, source: Path, **params) -> subprocess.CompletedProcess:
    script = ("import sys\nfrom helpers.pipeline.engine import execute_notebook\n"
              f"execute_notebook({str(source)!r}, {str(tmp_path / 'out.ipynb')!r}, parameters={params!r}, "
              "kernel_name='python3', progress_bar=False)\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)


@pytest.mark.slow
def test_the_engine_records_each_value_at_its_cells_position(tmp_path):
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    source = _notebook(
        tmp_path,
        code("from helpers import labels\nlabels.use(lang)\nshare = 42.04\nname = 'Core-group (trial)'"),
        md("Rate `{python} labels.percent(share, 1)` for `{python} name`."),
        code("share = 50.0"),  # a later cell changes the value: the first paragraph keeps the value it was written with
        md("Now `{python} labels.percent(share, 1)`."),
    )
    result = _run(tmp_path, source, lang="nb")
    assert result.returncode == 0, result.stderr[-2000:]
    cells = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
    recorded = [{e["expression"]: e["result"]["data"]["text/markdown"] for e in c.metadata.get("user_expressions", [])}
                for c in cells if c.cell_type == "markdown"]
    assert recorded == [{"labels.percent(share, 1)": f"42\\,0{NBSP}\\%", "name": "Core\\-group \\(trial\\)"},
                        {"labels.percent(share, 1)": f"50\\,0{NBSP}\\%"}]


@pytest.mark.slow
def test_a_failing_inline_expression_is_named_with_its_cell(tmp_path, data_copy):
    """Through the build's runner: the message names the notebook, the cell as JupyterLab shows it, the expression."""
    from helpers.pipeline.cli import run_chapter
    from helpers.pipeline.config import BuildError

    project = data_copy.parent
    chapter = project / "index.ipynb"
    nb = nbformat.read(chapter, as_version=4)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(first_code + 2, nbformat.v4.new_markdown_cell("Broken: `{python} 1 / 0` here."))
    nbformat.write(nb, chapter)
    with pytest.raises(BuildError) as err:
        run_chapter("index", {}, root=project, log=lambda *_: None)
    message = str(err.value)
    assert "index.ipynb" in message and "Markdown cell after [2]" in message
    assert "`{python} 1 / 0`" in message and "ZeroDivisionError" in message


# --- one escape per context: helpers.escape ---------------------------------------------------------------------------

ATTRIBUTE_HOSTILE = [
    'A "quoted" name',
    "back\\slash \\\" and \\\\",
    "&lt;script&gt; &amp; AT&T &#123;",
    '" onerror="alert(1)',
    "{{< meta title >}} $x$ @fig-a [@dfo2023]",
]


@pytest.mark.slow
@pytest.mark.parametrize("text", ATTRIBUTE_HOSTILE)
def test_an_attribute_value_reaches_the_page_as_typed(text):
    """A Pandoc attribute value (``fig-alt="…"``) escaped by :func:`helpers.escape.markdown_attribute` is, after
    Pandoc decodes its escapes and entities, the characters typed; and nothing but that attribute is made of it."""
    from html.parser import HTMLParser

    from helpers import escape
    from helpers.pipeline import quarto

    from .conftest import ROOT

    markdown = f'![caption](x.png){{#fig-a fig-alt="{escape.markdown_attribute(text)}"}}'
    page = subprocess.run([quarto.find(ROOT), "pandoc", "--from", "markdown", "--to", "html"], input=markdown,
                          capture_output=True, text=True, check=True).stdout
    found: list[dict[str, str | None]] = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append(dict(attrs))

    Images().feed(page)
    assert len(found) == 1 and found[0]["data-fig-alt"].replace("\u2060", "") == text, page
    assert set(found[0]) == {"src", "data-fig-alt", "alt"}, page


def test_markdown_escape_writes_every_punctuation_mark_as_text():
    from helpers import escape

    assert escape.markdown("![x](y){onerror=z} $a$ @b <c> &lt;") == (
        "\\!\\[x\\]\\(y\\)\\{onerror\\=z\\} \\$a\\$ \\@b \\<c\\> \\&lt\\;")
    assert escape.markdown("two\n lines\x00\u202e") == "two lines"  # control and bidi characters dropped


def test_html_contexts_escape_what_html_reads():
    from helpers import escape

    assert escape.html_attribute('" onclick="x" <b>&') == "&quot; onclick=&quot;x&quot; &lt;b&gt;&amp;"
    assert escape.html_text("<script>&amp;") == "&lt;script&gt;&amp;amp;"


def test_a_caption_is_the_authors_markdown_with_data_values_as_text():
    from helpers import escape

    caption = escape.caption("As {table} sorts them, see @fig-x [@dfo2023, sec. 4.1].",
                             table="Table 1 ![](https://example.invalid/p.png){onerror=x}")
    assert caption == ("As Table 1 \\!\\[\\]\\(https\\:\\/\\/example\\.invalid\\/p\\.png\\)\\{onerror\\=x\\} sorts them, "
                       "see @fig-x [@dfo2023, sec. 4.1].")
    assert isinstance(caption, escape.Caption)
    # Markdown a helper built (a link) goes in as it is
    assert escape.caption("See {link}.", link=escape.Markdown("[A](#a)")) == "See [A](#a)."
    with pytest.raises(ValueError, match=r"fields without a value \['n'\]"):
        escape.caption("N = {n}.")
    with pytest.raises(ValueError, match=r"values without a field \['n'\]"):
        escape.caption("No field.", n="1")


def test_figures_and_tables_take_only_a_caption_built_with_ch_caption(tmp_path, monkeypatch):
    import pandas as pd

    from helpers.notebook import Chapter

    monkeypatch.setenv("BEST_SAMMEN_OUTPUTS", str(tmp_path))
    ch = Chapter(name="made-up", lang="en")
    frame = pd.DataFrame({"a": ["x"]})
    with pytest.raises(TypeError, match="tbl-x: the caption is a str; build it with ch.caption"):
        ch.table(frame, table_id="tbl-x", caption=f"A caption with {'data'} [@dfo2023].")
    with pytest.raises(TypeError, match="fig-x: the caption is a str"):
        ch.figure(None, "alt", figure_id="fig-x", caption="Made up.", data=frame)
    assert ch.caption("The {what} [@dfo2023].", "{what} [@dfo2023].", what="a_b") == "The a\\_b [@dfo2023]."


CODE_HOSTILE = ["CC-BY-4.0", "a `tick` inside", "`starts and ends`", "<b>x</b> $y$ {{< meta title >}}", "``double``"]


@pytest.mark.slow
@pytest.mark.parametrize("text", CODE_HOSTILE)
def test_a_code_span_shows_its_text_as_typed(text):
    """:func:`helpers.escape.code` read by Pandoc is one ``<code>`` holding exactly the characters (the shortcode's
    word joiner aside); a plain pair of backticks around the same text would not be (the fence must outrun them)."""
    from helpers import escape

    from .conftest import ROOT

    def codes(markdown: str) -> list[str]:
        from helpers.pipeline import quarto

        page = subprocess.run([quarto.find(ROOT), "pandoc", "--from", "markdown", "--to", "html"], input=markdown,
                              capture_output=True, text=True, check=True).stdout
        return [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", page, flags=re.S)]

    assert [c.replace("\u2060", "") for c in codes(f"x {escape.code(text)} y")] == [text]
    if "`" in text:
        assert codes(f"x `{text}` y") != [text]


def test_descriptor_text_shows_backtick_spans_as_code_and_the_rest_as_text():
    from helpers import escape

    shown = escape.markdown_with_code("read from (`Figur 2`, `Tabell 1`); *not* [a](b) `unpaired")
    assert shown == "read from \\(`Figur 2`\\, `Tabell 1`\\)\\; \\*not\\* \\[a\\]\\(b\\) \\`unpaired"
    assert escape.html_with_code("`<b>` & <i>") == "<code>&lt;b&gt;</code> &amp; &lt;i&gt;"
