"""Tables for readers, and data text made safe to show.

One renderer for every table: great_tables, which escapes every cell, so free text from ``data/`` can never become
markup on the site (``<script>`` shows as text, a ``|`` stays in its cell). The rendered HTML travels inside a raw
HTML block of a Markdown output: Quarto numbers and cross-references the table by the id of the block around it, and
— unlike a ``text/html`` output — it adds no script from another host to the page.

Cells a chapter builds itself (an anchor the audit's badges land on, a link to an audit entry) are :class:`Markup`,
made with :func:`anchor` or :func:`link` from escaped parts; every other value is text, shown as written: a name
escaped for Markdown prose by mistake (by :func:`helpers.escape.markdown`) is shown as the text it escaped, and data
text that holds a backslash (``C:\\.config``) is shown with it (:func:`as_written`).
"""

from __future__ import annotations

import functools
import html
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import labels
from .escape import Escaped, Markdown, html_attribute, html_text
from .escape import markdown as markdown_escape
from .hyphenation import soft_hyphens

MISSING = "–"


class Markup(str):
    """HTML a chapter built from escaped parts: shown as markup, not as text."""


#: Data text as inert Markdown, for Markdown prose only: the one Markdown escape, :func:`helpers.escape.markdown`. A
#: figure's labels and a table's cells take the text as written: they never read Markdown, and escaped text would
#: show its backslashes (the charts and :func:`to_html` show what such a value escaped, :func:`as_written`).
escape_markdown = markdown_escape


#: A Markdown backslash escape (any ASCII punctuation mark may be escaped), or a code span, inside which a backslash
#: is itself: the code span is matched first, so a backslash in it is kept.
_MARKDOWN_ESCAPE = re.compile(r"(?<!`)(?P<code>(?P<fence>`+)(?!`).*?(?<!`)(?P=fence)(?!`))|\\(?P<mark>[!-/:-@\[-`{-~])",
                              re.S)


def as_written(value: Any) -> str:
    """Data text as a figure or a table cell shows it: the characters themselves, never Markdown.

    Which text is Markdown is known from its type, never guessed from its characters: text escaped for prose by
    :func:`helpers.escape.markdown` (an :class:`~helpers.escape.Escaped`) is shown as the text it escaped, and
    Markdown a helper or an author wrote (:class:`~helpers.escape.Markdown`, a caption) without its backslash
    escapes, as Pandoc reads them; any other value is data text, shown exactly as typed (``C:\\.config``,
    ``a\\*b``). A table's cells are HTML-escaped when the table is rendered."""
    if isinstance(value, Escaped):
        return value.text
    if isinstance(value, Markdown):
        return _MARKDOWN_ESCAPE.sub(lambda m: m["code"] or m["mark"], str(value))
    return str(value)


def anchor(anchor_id: str, text: str) -> Markup:
    """``text`` with an id another page can link to (``page.html#anchor_id``)."""
    return Markup(f'<span id="{html.escape(anchor_id)}">{html.escape(text)}</span>')


def link(href: str, text: str) -> Markup:
    """A link to a page of this site (relative ``href`` only: nothing from data can point elsewhere)."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", href):
        raise ValueError(f"link: only links within the site are allowed, not {href!r}")
    return Markup(f'<a href="{html.escape(href)}">{html.escape(text)}</a>')


def span(text: str, css_class: str) -> Markup:
    """``text`` styled by ``css_class`` (e.g. a verdict coloured by the site's stylesheet)."""
    return Markup(f'<span class="{html.escape(css_class)}">{html.escape(text)}</span>')


def in_language(text: str, lang: str, *, translate: bool = True) -> Markup:
    """``text`` marked as written in ``lang`` (the report's Norwegian wording in the English edition), so a screen
    reader pronounces it in that language; ``translate=False`` marks a name kept as printed in every edition (a
    system's name on a slide), which no translation touches."""
    no = "" if translate else ' translate="no"'
    return Markup(f'<span lang="{html.escape(lang)}"{no}>{html.escape(text)}</span>')


def join(parts: list[Markup], separator: str = ", ") -> Markup:
    return Markup(html.escape(separator).join(parts))


def cell_text(value: Any, lang: str) -> Any:
    """How one value reads in a table: no booleans, no NaN, numbers without trailing noise."""
    if isinstance(value, Markup):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return MISSING
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return labels.term("yes" if value else "no", lang)
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        text = f"{float(value):.4g}" if abs(float(value)) >= 1e-4 or value == 0 else f"{float(value):.2e}"
        return text.replace(".", ",") if lang == "nb" else text
    return as_written(value)  # text, even one escaped for prose by mistake, shows as written


#: The class of the box every great_tables table sits in (:func:`to_html`). The site's one copy of great_tables'
#: stylesheet, :data:`STYLESHEET` (every page links it: ``_quarto.yml``), styles the tables in such a box: great_tables
#: writes its ~8 KB stylesheet into each table, scoped to the table's id, so a page of seven tables held seven copies.
BOX_CLASS = "gt-box"
#: The stylesheet :func:`stylesheet` returns, as the site serves it (written by :func:`write_stylesheet`).
STYLESHEET = "assets/great-tables.css"
_PROBE_ID = "gt-stylesheet"
_STYLE = re.compile(r"<style>(?P<css>.*?)</style>\s*", re.S)


#: Where great_tables' rules for one table's id apply now: every box, at an id's specificity as before (Quarto gives
#: these tables Bootstrap's table classes, whose rules a class alone would not outweigh; no element has this id).
_BOX = f":is(.{BOX_CLASS}, #{BOX_CLASS})"
#: Where its two rules for the whole page apply now: inside a box only, at the specificity they had.
_IN_A_BOX = f":where(.{BOX_CLASS})"


def _scoped(css: str, box_id: str) -> str:
    """great_tables' stylesheet for the table in box ``box_id``, made the stylesheet of every box of
    :data:`BOX_CLASS`, each rule as specific as it was. great_tables 1.1 scopes only the first selector of a rule
    (``#id thead, tbody, tfoot, tr, td, th``, and `` tr`` not at all), which restyles every table of the page: here
    those selectors are scoped to the boxes, so the page's other tables (the claim list) are left alone."""
    import tinycss2

    own = f"#{box_id}"
    rules = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            raise ValueError(f"{box_id}: great_tables' stylesheet holds a {rule.type} ({STYLESHEET} has rules only)")
        selectors = [part.strip() for part in tinycss2.serialize(rule.prelude).split(",")]
        boxed = [f"{_BOX}{s.removeprefix(own)}" if s.startswith(f"{own} ") else f"{_IN_A_BOX} {s}" for s in selectors]
        rules.append(f"{', '.join(boxed)} {{ {tinycss2.serialize(rule.content).strip()} }}")
    return "\n".join(rules) + "\n"


@functools.cache
def stylesheet() -> str:
    """The stylesheet great_tables writes into a table of its default options (every table of the site is one),
    for every box of :data:`BOX_CLASS` instead of one table's id."""
    from great_tables import GT

    probe = GT(pd.DataFrame({"x": []}), id=_PROBE_ID).as_raw_html()
    return _scoped(_STYLE.search(probe)["css"], _PROBE_ID)


def stylesheet_file_text() -> str:
    """:data:`STYLESHEET` as it must read: :func:`stylesheet` under a line naming where it comes from."""
    from great_tables import __version__

    return (f"/* great_tables {__version__}'s stylesheet for every table of the site, written by "
            "helpers.tables.write_stylesheet(): edits here are overwritten */\n" + stylesheet())


def write_stylesheet(root: Path) -> Path:
    """Write :data:`STYLESHEET` under ``root`` (the repository) from the installed great_tables."""
    target = root / STYLESHEET
    target.write_text(stylesheet_file_text(), encoding="utf-8")
    return target


def to_html(frame: pd.DataFrame, *, table_id: str, lang: str, headers: Mapping[str, str] | None = None,
            label: str = "") -> str:
    """``frame`` as an HTML table: headers from ``headers`` (else the column names), every text cell escaped.

    A wide table scrolls inside its own box; the box can take the keyboard focus and is named by ``label`` (the
    caption), so a keyboard or screen-reader user can scroll it too. The table carries no stylesheet: the site's
    :data:`STYLESHEET` styles it; JupyterLab shows it in its own table style.
    """
    from great_tables import GT

    shown = frame.reset_index(drop=True).astype(object)
    shown = shown.apply(lambda column: column.map(lambda v: cell_text(v, lang)))
    stacked = stacks_on_a_phone(shown)  # measured on the cells' text, before markup is set aside below
    # Markup cells go through great_tables as placeholders (which it escapes harmlessly) and are put back after
    token = f"markup{secrets.token_hex(6)}x"
    markup: dict[str, str] = {}

    def hold(value: Any) -> Any:
        if isinstance(value, Markup):
            key = f"{token}{len(markup)}y"  # the end mark keeps "…1y" from matching inside "…10y"
            markup[key] = str(value)
            return key
        return value

    shown = shown.apply(lambda column: column.map(hold))
    shown.columns = [f"c{i}" for i in range(len(shown.columns))]
    names = {f"c{i}": as_written((headers or {}).get(c, c)) for i, c in enumerate(frame.columns)}
    box_id = f"gt-{table_id}"
    rendered = GT(shown, id=box_id).cols_label(**names).as_raw_html()
    own = _STYLE.search(rendered)
    if own is None or _scoped(own["css"], box_id) != stylesheet():
        raise ValueError(f"{table_id}: great_tables styled this table unlike every other ({STYLESHEET} would not fit it)")
    rendered = _STYLE.sub("", rendered, count=1)
    box = f'<div id="{box_id}"'
    classes = f"{BOX_CLASS} table-cards" if stacked else BOX_CLASS
    rendered = rendered.replace(box, f'{box} class="{classes}" tabindex="0" role="region" '
                                     f'aria-label="{html.escape(label or table_id)}"', 1)
    # each cell names its column (data-label): the site's stylesheet shows it beside the value when a phone stacks
    # the rows into cards (assets/site.css). It replaces GT's `headers="…"`, which a table of one header row does not
    # need (its headers' scope="col" says the same) and which weighed 13 KB on the audit page; the cells' text is all
    # escaped here, so `headers="…"` is only GT's own
    rendered = re.sub(rf'headers="gt-{re.escape(table_id)}-(c\d+)"',
                      lambda m: f'data-label="{html.escape(names[m[1]])}"', rendered)
    for key, value in markup.items():
        rendered = rendered.replace(key, value)
    return rendered


#: Stacked into cards on a phone: a table with this many columns, or with one column fewer and rows of this many
#: characters on average (sentences, or long compounds that cannot wrap); a narrower table fits a phone's width.
CARD_COLUMNS, CARD_TEXT_COLUMNS, CARD_ROW_TEXT = 5, 4, 60


def stacks_on_a_phone(shown: pd.DataFrame) -> bool:
    """Whether a phone shows ``shown`` (cells as :func:`to_html` shows them) as one card per row: many columns, or
    long rows, leave too little width per column for a row to be read across."""
    columns = len(shown.columns)
    if columns >= CARD_COLUMNS:
        return True
    if columns < CARD_TEXT_COLUMNS or shown.empty:
        return False
    text = shown.apply(lambda column: column.map(lambda v: len(re.sub(r"<[^>]*>", "", str(v)))))  # markup's text
    return float(text.sum(axis=1).mean()) > CARD_ROW_TEXT


#: The claim list's table library: npm's files (package.json, pinned by package-lock.json), which the site build copies
#: from ``node_modules/`` into each edition at these paths (``_quarto.yml``'s resources, ``helpers.pipeline.render``).
DATATABLES_FILES = ("node_modules/datatables.net-dt/css/dataTables.dataTables.min.css",
                    "node_modules/datatables.net/js/dataTables.min.js")
#: What makes the claim list a DataTable, and its layout: the site's own files (``_quarto.yml``'s resources), loaded
#: after DataTables and, like it, by the page that shows an interactive table alone.
CLAIM_LIST_FILES = ("assets/claim-list.css", "assets/claim-list.js")
#: A chapter's page from its edition's root: every chapter is in ``notebooks/``, in both editions (``nb/notebooks/``).
PAGE_TO_SITE_ROOT = ".."


def _load(name: str) -> str:
    href = html_attribute(f"{PAGE_TO_SITE_ROOT}/{name}")
    return f'<link rel="stylesheet" href="{href}">' if name.endswith(".css") else f'<script src="{href}"></script>'


def datatables_assets() -> str:
    """The HTML that loads DataTables and the claim list's own script and style, put before an interactive table:
    the site's own copies, by a path relative to the page, so the page needs nothing from another host and works
    from ``file://`` as from a static host; no other page loads them.

    ``assets/claim-list.js`` turns each ``.interactive`` table into a DataTable with it (search, sort, a filter by
    verdict); without JavaScript, or before it runs, the table is the plain, complete table of :func:`plain_html`.
    """
    return "\n".join(_load(name) for name in (*DATATABLES_FILES, *CLAIM_LIST_FILES))


#: a tag of a Markup cell (a link, a verdict's span): split off so that only the text between tags is hyphenated
_TAGS = re.compile(r"(<[^>]*>)")
_ONE_SPAN = re.compile(r'<span(?P<attributes>(?: [a-z-]+="[^"<>]*")+)>(?P<text>[^<]*)</span>')

def plain_html(frame: pd.DataFrame, *, lang: str, headers: Mapping[str, str] | None = None, label: str = "") -> str:
    """``frame`` as a bare HTML table for DataTables to enhance, or for JupyterLab to show in its own style (what
    ``Chapter.table`` stores for it): every text cell escaped, :class:`Markup` kept.

    DataTables styles the table itself, so it carries none of great_tables' stylesheet and per-cell classes, which
    made up three fifths of the audit's claim list (about 96 of 159 KB for 207 rows). Quarto is told to leave it as
    written (``data-quarto-disable-processing``) rather than parse it into a table of its own. As in
    :func:`to_html`, it sits in a box of its own that scrolls on a narrow screen and can take the keyboard focus.
    """
    def cell(value: Any) -> str:
        shown = cell_text(value, lang)
        if not isinstance(shown, Markup):
            return f"<td>{soft_hyphens(html_text(str(shown)), lang)}</td>"
        # a cell that is one span (a claim's anchor, a verdict, a kept Norwegian phrase) carries the span's attributes
        # itself: three spans in each of 207 rows weighed 7 KB of the audit page
        if one := _ONE_SPAN.fullmatch(shown):
            return f"<td{one['attributes']}>{soft_hyphens(one['text'], lang)}</td>"
        # the text between its tags, never inside one
        return "<td>" + "".join(part if part.startswith("<") else soft_hyphens(part, lang)
                                for part in _TAGS.split(shown)) + "</td>"

    names = [as_written((headers or {}).get(c, c)) for c in frame.columns]
    # seven columns share the text column at 1400 px: a long word breaks at a syllable (a soft hyphen), not anywhere
    head = "".join(f'<th scope="col">{soft_hyphens(html_text(name), lang)}</th>' for name in names)
    # cards on a phone (table-cards): the page's script names each cell's column from its header (data-label), which
    # written into all 207 rows would add a third to the stored claim list
    rows = "\n".join("<tr>" + "".join(cell(v) for v in row) + "</tr>"
                     for row in frame.astype(object).itertuples(index=False))
    return (f'<div class="table-scroll table-cards" tabindex="0" role="region" aria-label="{html_attribute(label)}">\n'
            f'<table data-quarto-disable-processing="true">\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody>\n</table>\n</div>")


def marked(text: str, languages: Mapping[str, str]) -> Markup:
    """``text`` (data text) escaped, with each word or name of ``languages`` in it (``{"Regeringskansliet": "sv"}``)
    in a span naming its language, so a screen reader pronounces it as such; whole words only ("konsern", not the
    start of "konsernorganisering"), longer names first."""
    if not languages:
        return Markup(html.escape(text))
    alternatives = "|".join(re.escape(html.escape(n)) for n in sorted(languages, key=len, reverse=True))
    names = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    by_escaped = {html.escape(n): lang for n, lang in languages.items()}
    return Markup(names.sub(lambda m: f'<span lang="{html.escape(by_escaped[m[0]])}">{m[0]}</span>', html.escape(text)))


def concat(*parts: str | Markup) -> Markup:
    """One cell from several parts: text escaped, :class:`Markup` kept."""
    return Markup("".join(p if isinstance(p, Markup) else html.escape(str(p)) for p in parts))


def emphasis(text: str) -> Markup:
    """``text`` in italics (a label of ours among data text, such as "not stated")."""
    return Markup(f"<em>{html.escape(text)}</em>")


def points(items: list[str | Markup]) -> Markup:
    """Several points in one cell, a bullet and a line each; a single point is shown as it is. Text is escaped."""
    shown = [concat(item) for item in items]
    return shown[0] if len(shown) == 1 else Markup("<br>".join(f"• {item}" for item in shown))
