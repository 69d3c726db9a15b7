"""Every value a table or a sentence shows from data/ is text, never markup; figure labels are never TeX."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

from helpers import plots, tables

from .conftest import ROOT

matplotlib.use("Agg")

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=https://example.org/track.png>",
    "[click](javascript:alert(1))",
    "a | b | c",
    "$5m to $7m",
    "$\\frac{1$",
    "**bold** _it_ `code` {#id} @dfo2023",
]


def _cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)


@pytest.mark.parametrize("value", HOSTILE)
def test_table_cells_are_escaped_and_keep_their_columns(value):
    frame = pd.DataFrame({"text": [value], "after": ["kept"]})
    html = tables.to_html(frame, table_id="tbl-test", lang="en")
    assert not re.search(r"<(script|img)\b", html, flags=re.I), html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html)
    cells = _cells(html)
    assert len(cells) == 2 and cells[1].strip() == "kept", cells  # a '|' does not split the row


def test_markup_cells_pass_and_links_stay_on_the_site():
    frame = pd.DataFrame({"id": [tables.anchor("claim-C001", "C001")], "link": [tables.link("05-audit.html#claim-C001", "C001")]})
    html = tables.to_html(frame, table_id="tbl-test", lang="en")
    assert '<span id="claim-C001">C001</span>' in html and '<a href="05-audit.html#claim-C001">C001</a>' in html
    with pytest.raises(ValueError, match="only links within the site"):
        tables.link("javascript:alert(1)", "x")


def test_many_markup_cells_are_each_put_back_in_place():
    frame = pd.DataFrame({"id": [tables.anchor(f"claim-C{i:03d}", f"C{i:03d}") for i in range(12)]})
    cells = _cells(tables.to_html(frame, table_id="tbl-test", lang="en"))
    assert cells == [f'<span id="claim-C{i:03d}">C{i:03d}</span>' for i in range(12)]


def test_cells_read_as_text_not_as_python():
    frame = pd.DataFrame({"flag": [True, False], "share": [0.2134567, None], "n": pd.array([3, None], dtype="Int64")})
    en = _cells(tables.to_html(frame, table_id="tbl-test", lang="en"))
    nb = _cells(tables.to_html(frame, table_id="tbl-test", lang="nb"))
    assert [c.strip() for c in en] == ["yes", "0.2135", "3", "no", tables.MISSING, tables.MISSING]
    assert [c.strip() for c in nb][:2] == ["ja", "0,2135"]


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_escape_leaves_no_markup(value):
    escaped = tables.escape_markdown(value)
    unescaped_specials = re.findall(r"(?<!\\)[\[\]()*_`$|@{}<>&!]", escaped)
    assert not unescaped_specials, escaped


def test_figure_labels_from_data_are_text_not_tex():
    plots.set_theme()
    frame = pd.DataFrame({"c": ["a", "b"], "g": ["x", "x"], "v": [10.0, 20.0]})
    fig, _ = plots.grouped_bars(frame, category="c", group="g", value="v",
                                category_labels={"a": "$\\frac{1$", "b": "$5m to $7m"}, group_labels={"x": "$x$"},
                                xlabel="$", what="test")
    fig.canvas.draw()  # would raise ValueError from the math parser
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "$5m to $7m" in labels


# a name escaped for prose (by tables.escape_markdown or helpers.inline.escape) shows in a table cell as written:
# tables are HTML, where a backslash or an entity would be shown to the reader
ESCAPED_FOR_PROSE = [(tables.escape_markdown(written), written)
                     for written in ["Core-group trial (cross-ministry core groups)", "Felles sak-arkiv", "a < b & [c]"]]


def _cell_text(cell: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def _header_texts(rendered: str) -> list[str]:
    return [_cell_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", rendered, flags=re.S)]


@pytest.mark.parametrize("escaped, written", ESCAPED_FOR_PROSE)
def test_table_cells_and_headers_show_text_as_written(escaped, written):
    from helpers import inline

    frame = pd.DataFrame({escaped: [escaped, inline.escape(written)]})
    rendered = tables.to_html(frame, table_id="tbl-test", lang="nb")
    assert [_cell_text(c) for c in _cells(rendered)] == [written, written]
    assert _header_texts(rendered) == [written]
    assert "\\" not in re.sub(r"<style.*?</style>", "", rendered, flags=re.S)


#: Data text that holds a backslash before punctuation, as typed into a data/*.csv file: text, not Markdown.
TYPED_BACKSLASHES = ["C:\\.config", "a\\*b", "Core\\-group \\(typed\\)", "\\\\server\\share\\[1\\]", "ends with \\"]


@pytest.mark.parametrize("typed", TYPED_BACKSLASHES)
def test_a_typed_backslash_shows_in_table_cells_and_headers(typed):
    frame = pd.DataFrame({typed: [typed, "plain"]})
    for rendered in (tables.to_html(frame, table_id="tbl-test", lang="en"),
                     tables.plain_html(frame, lang="en", label="typed")):
        assert [_cell_text(c) for c in _cells(rendered)] == [typed, "plain"]
        assert _header_texts(rendered) == [typed]
    # a header given by the chapter (ch.table's wording of a column) too
    rendered = tables.to_html(pd.DataFrame({"x": [1]}), table_id="tbl-test", lang="en", headers={"x": typed})
    assert _header_texts(rendered) == [typed]
    # and the same text escaped for prose still shows as typed, backslash included
    escaped = pd.DataFrame({tables.escape_markdown(typed): [tables.escape_markdown(typed)]})
    rendered = tables.to_html(escaped, table_id="tbl-test", lang="en")
    assert [_cell_text(c) for c in _cells(rendered)] == _header_texts(rendered) == [typed]


def test_a_table_caption_names_its_box_with_its_values_as_typed(tmp_path, monkeypatch):
    import html

    from helpers import notebook

    monkeypatch.setenv("BEST_SAMMEN_OUTPUTS", str(tmp_path))
    chapter = notebook.Chapter(name="test", lang="en")
    shown = []
    monkeypatch.setattr(notebook, "_display", shown.append)
    caption = chapter.caption("Files under {path} \\(typed\\) [@dfo2023]", "Filer under {path} [@dfo2023]",
                              path="C:\\.config")
    chapter.table(pd.DataFrame({"a\\*b": ["C:\\.config"]}), table_id="tbl-typed", caption=caption)
    rendered = shown[0]["text/markdown"]
    assert html.unescape(re.search(r'aria-label="([^"]*)"', rendered)[1]) == "Files under C:\\.config (typed)"
    assert [_cell_text(c) for c in _cells(rendered)] == ["C:\\.config"] and _header_texts(rendered) == ["a\\*b"]


def test_text_as_written_leaves_plain_text_alone():
    from helpers import escape

    # an HTML entity typed into data is text too: no escape writes one, so none is undone; nor is a backslash
    # typed before punctuation: only text escaped by helpers.escape.markdown is known to be escaped
    for text in ["Felles sak-arkiv", "$\\frac{1$", "C:\\data", "AT&T", "10\u00a0%", "a &lt; b &amp;",
                 *TYPED_BACKSLASHES]:
        assert tables.as_written(text) == text
        assert tables.as_written(tables.escape_markdown(text)) == text
    # Markdown a helper wrote is read as Pandoc reads it: its escapes undone, a code span kept as it is
    assert tables.as_written(escape.Markdown("Core\\-group `C:\\.config`")) == "Core-group `C:\\.config`"
    # a copy of an escaped value (pandas and the kernel may copy one) still knows what it escaped
    import copy
    import pickle

    escaped = tables.escape_markdown("a\\*b")
    assert tables.as_written(copy.deepcopy(escaped)) == tables.as_written(pickle.loads(pickle.dumps(escaped))) == "a\\*b"


def test_one_markdown_escape_for_tables_and_prose():
    from helpers import escape, inline

    assert tables.escape_markdown is escape.markdown and inline.escape is escape.markdown


def test_each_cell_names_its_column_and_wide_tables_stack_on_a_phone():
    """A phone shows a table of many columns, or of long rows, as cards: the box says so (class table-cards) and
    each cell carries its column's name, escaped (data-label, shown by assets/site.css); a small table stays a table."""
    wide = pd.DataFrame({f"<b>{i}</b>": ["1"] for i in range(tables.CARD_COLUMNS)})
    rendered = tables.to_html(wide, table_id="tbl-wide", lang="en")
    assert 'id="gt-tbl-wide" class="gt-box table-cards"' in rendered
    assert rendered.count('data-label="&lt;b&gt;0&lt;/b&gt;"') == 1 and "<b>" not in rendered
    long_rows = pd.DataFrame({c: ["x" * 16] for c in "abcd"})  # 4 columns, 64 characters a row
    short_rows = pd.DataFrame({c: ["x" * 14] for c in "abcd"})
    assert tables.stacks_on_a_phone(long_rows) and not tables.stacks_on_a_phone(short_rows)
    small = tables.to_html(pd.DataFrame({"a": ["1"], "b": ["2"]}), table_id="tbl-small", lang="en")
    assert 'class="gt-box" tabindex' in small and 'data-label="b"' in small


# --- great_tables' stylesheet once, as the site's asset, not once per table (issue 20) --------------------------------


def test_a_table_carries_no_stylesheet_and_sits_in_the_box_the_sites_one_styles():
    rendered = tables.to_html(pd.DataFrame({"a": [1.5], "b": ["x"]}), table_id="tbl-test", lang="en")
    assert "<style" not in rendered and 'id="gt-tbl-test" class="gt-box"' in rendered
    assert "#gt-tbl-test" not in tables.stylesheet() and ":is(.gt-box, #gt-box) .gt_table {" in tables.stylesheet()


def test_the_sites_stylesheet_is_great_tables_own_for_every_box():
    """Each rule great_tables writes for one table's id, and the two it writes for the whole page, apply to every
    box of class gt-box and to nothing else on the page, each as specific as great_tables wrote it (an id's weight
    for the id's rules: Bootstrap's table classes on the same cells must not win)."""
    css = "#gt-t .gt_row { padding: 8px; }\n#gt-t thead, tbody, tr { border-style: none; }\n tr { color: red; }"
    assert tables._scoped(css, "gt-t").splitlines() == [
        ":is(.gt-box, #gt-box) .gt_row { padding: 8px; }",
        ":is(.gt-box, #gt-box) thead, :where(.gt-box) tbody, :where(.gt-box) tr { border-style: none; }",
        ":where(.gt-box) tr { color: red; }"]


def test_the_committed_stylesheet_is_what_the_installed_great_tables_writes():
    committed = (ROOT / tables.STYLESHEET).read_text(encoding="utf-8")
    assert committed == tables.stylesheet_file_text(), (
        f"{tables.STYLESHEET} is not great_tables' stylesheet as installed: write it again with "
        "PYTHONPATH=src .venv/bin/python -c 'from pathlib import Path; from helpers import tables; "
        "tables.write_stylesheet(Path.cwd())'")


def test_a_table_styled_unlike_the_others_is_refused(monkeypatch):
    """A table given its own options (a font size, a colour) would lose them with its stylesheet: it stops, named."""
    from great_tables import GT

    labelled = GT.cols_label  # what to_html calls and the site's stylesheet does not
    monkeypatch.setattr(GT, "cols_label", lambda self, **kw: labelled(self, **kw).tab_options(table_font_size="20px"))
    with pytest.raises(ValueError, match=r"^tbl-big: great_tables styled this table unlike every other"):
        tables.to_html(pd.DataFrame({"a": [1]}), table_id="tbl-big", lang="en")


def test_the_claim_lists_long_words_break_at_syllables_and_short_words_and_tags_stay_whole():
    """A plain table (the claim list) offers the browser the dictionary's points of every long word as soft hyphens,
    in its cells and headers, so a narrow column breaks «dokumentasjons-forvaltningen» at a syllable; short words,
    and the tags and attributes of a cell's markup, are left as they are."""
    from helpers import hyphenation

    link = tables.Markup('<a href="#problem-dokumentasjonsforvaltningen">dokumentasjonsforvaltningen</a>')
    frame = pd.DataFrame({"Kontrollutfall": ["i motstrid"], "note": ["dokumentasjonsforvaltningen"], "link": [link]})
    page = tables.plain_html(frame, lang="nb")
    shy = hyphenation.SOFT_HYPHEN
    hyphenated = hyphenation.soft_hyphens("dokumentasjonsforvaltningen", "nb")
    assert hyphenated.replace(shy, "") == "dokumentasjonsforvaltningen" and hyphenated.count(shy) >= 4
    assert [i for i, c in enumerate(hyphenated.replace(shy, "|")) if c == "|"][0] == 2  # do-ku-…: the dictionary's
    assert f"<td>{hyphenated}</td>" in page and "<td>i motstrid</td>" in page
    assert f'href="#problem-dokumentasjonsforvaltningen">{hyphenated}</a>' in page
    assert f"<th scope=\"col\">{hyphenation.soft_hyphens('Kontrollutfall', 'nb')}</th>" in page and "Kon" + shy in page
