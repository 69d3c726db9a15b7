"""What every chapter does the same way: the hidden setup call, parameter checks, and figure/table output.

A figure is drawn twice by the same chart function from the same data, for the desktop column and for a phone
(:data:`helpers.plots.PHONE_WIDTH`), each written as an SVG file beside the CSV of exactly the numbers drawn. It is
emitted as one output with two views: Markdown for Quarto — a figure div whose ``<picture>`` serves each width its
own layout (text kept as text), caption with citation, alt text, and links to the CSV and to the notebook — and HTML
for JupyterLab (the desktop layout embedded, with its caption), which the build drops before Quarto renders. nbval
compares both: the Markdown names a hash of both layouts.

Language: :func:`setup` binds the chapter's ``lang`` once (:func:`helpers.labels.use`); every label, alt text and
table header after that is written in it. Prose is not written here: it is Markdown cells with inline values
(:mod:`helpers.inline`), whose values the formatters below write in the edition's style.
"""

from __future__ import annotations

import base64
import hashlib
import io
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import data, escape, labels, plots, tables
from .escape import Caption
from .parameters import ParameterError, check_injected, check_parameters  # noqa: F401  (re-exported for notebooks)

FIGURE_DIR = Path("figures")  # relative to the notebook's folder: the page's folder on the site
#: Where the build puts each chapter's executed notebook beside its page. A link to ``<chapter>.ipynb`` itself would
#: be rewritten by Quarto to the chapter's own page; this folder is not a Quarto input, so the link reaches the file.
DOWNLOADS = "downloads"
#: The audit appendix, next to the chapters; linked as a notebook so JupyterLab opens it, the renderers link its page.
AUDIT_PAGE = "05-audit.ipynb"


@dataclass
class Chapter:
    """Output helpers bound to one chapter and one language."""

    name: str
    lang: str
    figures: list[str] = field(default_factory=list)
    #: Ministries and agencies the page has already named in full (:meth:`organisation` names them by abbreviation).
    spelled_out: set[str] = field(default_factory=set)

    def t(self, key: str) -> str:
        return labels.term(key, self.lang)

    def text(self, en: str, nb: str) -> str:
        """The edition's wording of a short text (a label, a caption) given in both languages."""
        return en if self.lang == "en" else nb

    def caption(self, en: str, nb: str, **values: object) -> Caption:
        """A figure's or a table's caption: the edition's template, the author's Markdown (``[@dfo2023, sec. 3.1]``,
        ``@fig-awareness``), with each ``{name}`` filled by ``values[name]`` as text (:func:`helpers.escape.caption`).
        Data text goes into a caption only this way: ``ch.figure`` and ``ch.table`` refuse any other string."""
        return escape.caption(self.text(en, nb), **values)

    def spell_out(self, abbreviation: str) -> str:
        """A ministry or agency spelled out for prose, as a page names it the first time: its full name with its
        abbreviation as readers see it, both from ``data/glossary.csv`` (category ``organisation``, the edition's
        language): "Ministry of Finance (FIN)", "… (DFØ)" for the code DFO; the name alone for a body without an
        abbreviation (Datatilsynet)."""
        return labels.spelled_out("organisation", abbreviation, self.lang)

    def organisation(self, abbreviation: str) -> str:
        """A ministry or agency as prose names it: spelled out with its abbreviation (:meth:`spell_out`) the first
        time the page names it, by its abbreviation after that. Compute it in a code cell, in reading order (an inline
        expression is evaluated once per cell, for both languages)."""
        if abbreviation in self.spelled_out:
            return labels.name("organisation", abbreviation, self.lang, form="short")  # "DFØ" for the code DFO
        self.spelled_out.add(abbreviation)
        return self.spell_out(abbreviation)

    def num(self, value: float, decimals: int = 0) -> str:
        """A number as the edition writes it (decimal comma in Norwegian, five digits and more grouped)."""
        return labels.number(value, decimals, self.lang)

    def pct(self, value: float, decimals: int = 0) -> str:
        """A share given in percent: "29%" / "29 %" (no-break space)."""
        return labels.percent(value, decimals, self.lang)

    def points(self, value: float, decimals: int = 0) -> str:
        """A difference of shares: "12 percentage points" / "12 prosentpoeng"."""
        return labels.points(value, decimals, self.lang)

    def count(self, value: int) -> str:
        """A whole number of things (respondents, measures)."""
        return labels.count(value, self.lang)

    def counted(self, value: int, one: str = "", many: str = "", *, none: str | None = None) -> str:
        """A count with its noun, singular or plural by the count ("1 interview", "2 intervjuer"), or ``none`` for a
        zero ("none", "ingen"): the nouns are the edition's words, so each language's part of the page has its call."""
        return labels.counted(value, one, many, none=none, lang=self.lang)

    def date(self, value: object, precision: str = "day") -> str:
        """A date to the precision its source gives ("day", "month", "year")."""
        return labels.date(value, precision, self.lang)

    def name_of(self, kind: str, id: str, form: str = "name") -> str:
        """The glossary's name of a measure, body, ministry, goal area, … in the edition's language; ``form="short"``
        its short form ("DFØ", "Goal area 1"), ``form="numbered"`` "Goal area 1: More coordinated …"."""
        return labels.name(kind, id, self.lang, form=form)

    def cite(self, text: str, resource: str | Any, *more: Any, **match: Any) -> str:
        """``text`` (a formatted value) as a link to the rows it comes from on the Data page, titled with the rows and
        the report's place (:mod:`helpers.sources`): ``ch.cite(ch.pct(x), "survey_answers", group="all",
        question="awareness")`` selects by column values; ``sources.Rows`` (``sources.of(name, frame)``) may be
        passed instead, and more after it for a value computed from several files."""
        from . import sources

        first = sources.select(resource, **match) if isinstance(resource, str) else resource
        if match and not isinstance(resource, str):
            raise TypeError("cite: give either a resource name with column values, or Rows")
        return sources.cite(text, [first, *more], chapter=self.name, lang=self.lang)

    @staticmethod
    def rows(resource: str, **match: Any) -> Any:
        """The rows of ``resource`` whose columns equal ``match``, as a source for :meth:`cite` (``sources.select``)."""
        from . import sources

        return sources.select(resource, **match)

    def report_part(self, part: str, number: object = None, *, of_report: bool = False) -> str:
        """A part of the report by the glossary's name: ``ch.report_part("figure", 3, of_report=True)`` → "the
        report's Figure 3" / "rapportens figur 3"; "Table 1" / "tabell 1", "Appendix 2" / "vedlegg 2"."""
        return labels.report_part(part, number, self.lang, of_report=of_report)

    def figure(
        self,
        fig: Any,
        alt: str,
        *,
        figure_id: str,
        caption: Caption,
        data: pd.DataFrame,
        claims: Sequence[str] = (),
    ) -> None:
        """Show ``fig`` with caption, alt text and links; write ``data`` (exactly what is drawn) as its CSV.

        ``fig`` is what a :mod:`helpers.plots` chart function returned (a matplotlib figure or a ``plots.Drawing``):
        the chart is drawn again for a phone (:func:`helpers.plots.redraw`, :data:`helpers.plots.PHONE_WIDTH`), and
        the page serves each width its own SVG file beside the CSV (a ``<picture>``), so text keeps its size on both.
        ``claims`` are ids of audit entries (``helpers.audit.flagged``) found inconsistent for a number drawn here;
        the caption gets a badge linking to each.
        """
        if not figure_id.startswith("fig-"):
            _close(fig)
            raise ValueError(f"figure_id must start with 'fig-' (Quarto's cross-reference prefix), got {figure_id!r}")
        _check_caption(figure_id, caption)
        if figure_id in self.figures:
            _close(fig)
            raise ValueError(f"figure_id {figure_id!r} is used twice in chapter {self.name}")
        self.figures.append(figure_id)
        phone = plots.redraw(fig, plots.PHONE_WIDTH)
        if phone is None:
            _close(fig)
            raise ValueError(f"{figure_id}: the figure was not drawn by a helpers.plots chart function (or was shown "
                             "already), so it has no phone layout; draw it with one")
        try:
            desktop_svg = _svg(fig, plots.FIGURE_WIDTH, figure_id)
        finally:
            _close(fig)
        try:
            phone_svg = _svg(phone[0], plots.PHONE_WIDTH, f"{figure_id} (phone layout)")
        finally:
            _close(phone[0])
        csv_path = self._write_csv(figure_id, data)
        desktop_path = self._write_figure(f"{figure_id}.svg", desktop_svg)
        phone_path = self._write_figure(f"{figure_id}-phone.svg", phone_svg)
        text = str(caption)  # the author's Markdown, data values escaped (ch.caption)
        links = f"[{self.t('data_csv')}]({csv_path.as_posix()}) · [{self.t('notebook')}]({DOWNLOADS}/{self.name}.ipynb)"
        notes = f" {self.audit_badge(claims)}" if claims else ""
        picture = _picture(desktop_path, desktop_svg, phone_path, phone_svg, alt)
        # a figure div: Quarto numbers it and makes its last paragraph the caption; the raw HTML is the picture
        markdown = f"::: {{#{figure_id}}}\n```{{=html}}\n{picture}\n```\n\n{text} {links}{notes}\n:::\n"
        # no text/plain: Quarto would prefer it to the Markdown and print it as code. JupyterLab shows the desktop
        # layout embedded, so a notebook opened before any run still shows its figures (and nbval compares them)
        embedded = base64.b64encode(desktop_svg).decode("ascii")
        lab = (f'<figure id="{figure_id}"><img src="data:image/svg+xml;base64,{embedded}" '
               f'alt="{escape.html_attribute(alt)}" style="max-width:100%"><figcaption>{escape.html_text(text)}'
               "</figcaption></figure>")
        _display({"text/markdown": markdown, "text/html": lab})

    def audit_badge(self, claims: Sequence[str]) -> str:
        """A Markdown badge linking to the audit entries ``claims`` (the audit appendix anchors each as claim-<id>)."""
        return f"[{self.t('audit_flag')}: {self.audit_links(claims)}]{{.audit-flag}}"

    @staticmethod
    def audit_links(claims: Sequence[str]) -> str:
        """Markdown links to the audit entries ``claims`` (empty text for none)."""
        return ", ".join(f"[{cid}]({AUDIT_PAGE}#claim-{cid})" for cid in claims)

    @staticmethod
    def audit_cell(claims: Sequence[str]) -> tables.Markup | str:
        """A table cell linking to the audit entries ``claims``, or a dash for none.

        Table HTML is passed through as it is (Quarto rewrites ``.ipynb`` links only in Markdown), so the link names
        the audit's page.
        """
        page = AUDIT_PAGE.replace(".ipynb", ".html")
        return tables.join([tables.link(f"{page}#claim-{cid}", cid) for cid in claims]) if claims else tables.MISSING

    def table(self, frame: pd.DataFrame, *, table_id: str, caption: Caption, data: pd.DataFrame | None = None,
              classes: Sequence[str] = (), interactive: bool = False) -> None:
        """Show ``frame`` as a numbered table with a caption and a link to its CSV (``data`` if given, else ``frame``).

        Every value is escaped (:mod:`helpers.tables`); column names with a wording in :mod:`helpers.labels` are shown
        in the edition's language. ``classes`` go on the table's div. ``interactive`` makes it a DataTable (search,
        sort, filter by verdict; the site's copy of DataTables, :func:`tables.datatables_assets`).
        """
        if not table_id.startswith("tbl-"):
            raise ValueError(f"table_id must start with 'tbl-' (Quarto's cross-reference prefix), got {table_id!r}")
        _check_caption(table_id, caption)
        csv_path = self._write_csv(table_id, frame if data is None else data)
        headers = {c: self.t(str(c)) if labels.has_term(str(c)) else str(c) for c in frame.columns}
        text = str(caption)  # the author's Markdown, data values escaped (ch.caption)
        # the caption without its citation, as the characters a reader sees, names the scrolling box: still Markdown
        # (its values escaped), so its escapes are read, not guessed
        label = tables.as_written(escape.Markdown(re.sub(r"\s*\[@[^\]]*\]", "", text)))
        if interactive:  # a bare table that DataTables (the site's copy) styles and enhances: helpers.tables
            table = tables.plain_html(frame, lang=self.lang, headers=headers, label=label)
            body = f"{tables.datatables_assets()}\n{table}"
            classes = [*classes, "interactive"]
        else:
            body = tables.to_html(frame, table_id=table_id, lang=self.lang, headers=headers, label=label)
        # the div's id is Quarto's cross-reference form: its last paragraph is the caption, the raw HTML the table
        attributes = " ".join([f"#{table_id}", *(f".{c}" for c in classes)])
        markdown = (f"::: {{{attributes}}}\n```{{=html}}\n{body}\n```\n\n"
                    f"{text} [{self.t('data_csv')}]({csv_path.as_posix()})\n:::\n")
        # an interactive table is kept once, for the site (its hundreds of rows twice would double the notebook):
        # JupyterLab shows its caption and the link to its CSV. Any other table JupyterLab shows bare, in its own
        # table style: great_tables' markup (classes and headers on every cell, for the site's stylesheet and a
        # phone's cards) is four times the size of the table it shows
        csv_link = f'<a href="{escape.html_attribute(csv_path.as_posix())}">{escape.html_text(self.t("data_csv"))}</a>'
        caption_html = f"<p>{escape.html_text(text)}</p>"
        lab = (f"<p>{escape.html_text(text)} {csv_link}</p>" if interactive else
               f"{tables.plain_html(frame, lang=self.lang, headers=headers, label=label)}\n{caption_html}")
        _display({"text/markdown": markdown, "text/html": lab})

    def _write_figure(self, name: str, svg: bytes) -> Path:
        """Write one SVG of a figure beside its CSV; return the page's link to it."""
        from . import paths

        target = paths.figures_dir(self.name) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(svg)
        return FIGURE_DIR / self.name / name

    def _write_csv(self, output_id: str, data: pd.DataFrame) -> Path:
        """Write the CSV where the project says (never the working directory); return the page's link to it."""
        from . import paths

        target = paths.figures_dir(self.name) / f"{output_id}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        data.to_csv(target, index=False, lineterminator="\n")
        return FIGURE_DIR / self.name / f"{output_id}.csv"


def _check_caption(output_id: str, caption: object) -> None:
    """A caption is a :class:`Caption` (``ch.caption``): a string built any other way may carry data text as markup."""
    if not isinstance(caption, Caption):
        raise TypeError(f"{output_id}: the caption is a {type(caption).__name__}; build it with "
                        "ch.caption(en, nb, **values), which puts each data value in as text")


#: Viewports up to this wide get the phone layout: above it the column holds the desktop layout (576 px) at full size
#: or close to it; below it the phone layout (403 px) is shown at full size down to a 450 px phone, at 0.84 at 390.
PHONE_MEDIA = "(max-width: 640px)"


def _close(fig: Any) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    if isinstance(fig, Figure):
        plt.close(fig)


def _svg(fig: Any, width: float, name: str) -> bytes:
    """The SVG of one layout of a figure, ``width`` inches wide at most, after the checks every figure passes: no
    text under the type floor, none over another text or a line. Raises ValueError naming the figure and layout."""
    from matplotlib.text import Text

    if isinstance(fig, plots.Drawing):
        small = sorted({f"{t!r} ({s:g} pt)" for t, s in zip(fig.texts, fig.font_sizes) if s < plots.MIN_FONT_PT - 1e-9})
        if fig.width_in > width + 0.01:
            small.append(f"the drawing is {fig.width_in:.2f} in wide, more than {width:g} in")
        if small:
            raise ValueError(f"{name}: illegible on the page: " + ", ".join(small[:5]))
        return fig.svg
    small = sorted({f"{t.get_text()!r} ({t.get_fontsize():g} pt)" for t in fig.findobj(Text)
                    if t.get_text().strip() and t.get_visible() and t.get_fontsize() < plots.MIN_FONT_PT - 1e-9})
    if small:
        raise ValueError(f"{name}: text smaller than {plots.MIN_FONT_PT:g} pt would be illegible on a phone: "
                         + ", ".join(small[:5]))
    _fit_width(fig, width)
    plots.check_layout(fig, name)  # as drawn: no text over text or a line
    buffer = io.BytesIO()
    # no date or version in the file: the same figure gives the same bytes (nbval compares them)
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return _compact(buffer.getvalue())


def _compact(svg: bytes) -> bytes:
    """matplotlib's SVG without the indentation and line breaks it writes for people reading the file: a quarter of
    its bytes, which every reader would download. Path data and attributes read the same with single spaces, and no
    text element holds a line break (each line of a label is its own element)."""
    svg = re.sub(rb">\s+<", b"><", svg)
    svg = re.sub(rb"\s*\n\s*", b" ", svg).strip()
    # every text element repeats the theme's font family in its own style: said once, in the file's stylesheet
    families = set(re.findall(rb"font-family: ([^;\"]+);? ?", svg))
    if len(families) == 1 and b"</style>" in svg:
        family = families.pop()
        svg = re.sub(rb"font-family: " + re.escape(family) + rb";? ?", b"", svg)
        svg = svg.replace(b"</style>", b"text{font-family: " + family + b"}</style>", 1)
    # the ids matplotlib gives its groups ("axes_1", "text_3") that nothing refers to
    used = set(re.findall(rb"#([\w.-]+)", svg))
    svg = re.sub(rb'<g id="([\w.-]+)"', lambda m: m.group(0) if m.group(1) in used else b"<g", svg)
    return svg + b"\n"


def _svg_size(svg: bytes) -> tuple[int, int]:
    """An SVG's width and height in CSS px (matplotlib and Graphviz give them in pt)."""
    head = svg[:2000].decode("utf-8", "replace")
    found = [re.search(rf'<svg[^>]*?\s{name}="([\d.]+)(pt|px)?"', head, flags=re.S) for name in ("width", "height")]
    return tuple(round(float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)) if m else 0 for m in found)  # type: ignore[return-value]


def _picture(desktop: Path, desktop_svg: bytes, phone: Path, phone_svg: bytes, alt: str) -> str:
    """The figure as the page shows it: the phone layout on a narrow screen, the desktop layout elsewhere, each at
    its own size (a reader's browser loads only the one it shows). The hash names what is drawn, so nbval, which
    sees only this Markdown of the site's view, still notices a phone layout that changed."""
    (dw, dh), (pw, ph) = _svg_size(desktop_svg), _svg_size(phone_svg)
    digest = hashlib.sha256(desktop_svg + phone_svg).hexdigest()[:16]
    attribute = escape.html_attribute
    return (f'<picture><source media="{PHONE_MEDIA}" srcset="{attribute(phone.as_posix())}" width="{pw}" '
            f'height="{ph}"><img src="{attribute(desktop.as_posix())}" width="{dw}" height="{dh}" class="figure-img" '
            f'alt="{attribute(alt)}" data-drawn="{digest}"></picture>')


def _fit_width(fig: Any, width: float, attempts: int = 4) -> None:
    """Narrow the drawing area until the saved figure (its tight box: labels and legends included) is no wider than
    ``width`` inches. Text keeps its size, so the type floor still holds on the page; a figure saved wider than
    its layout's width would be shrunk to the column, and its text with it."""
    for _ in range(attempts):
        fig.canvas.draw()  # a layout engine places labels and legends only when the figure is drawn
        excess = fig.get_tightbbox(fig.canvas.get_renderer()).width - width
        if excess <= 0.01:
            return
        current, height = fig.get_size_inches()
        fig.set_size_inches(max(current - excess, 1.0), height)
        if fig.get_layout_engine() is None:
            fig.tight_layout()


def _display(bundle: dict[str, str]) -> None:
    """Show a bundle: ``text/markdown`` is what Quarto renders (the build drops the rest before rendering, see
    ``helpers.pipeline.render.quarto_input``); ``text/html``, if given, is the same figure or table as JupyterLab shows
    it (Lab would show a Markdown image with a caption of links, or a table's CSS, as text)."""
    from IPython.display import display

    display(bundle, raw=True)


def setup(name: str, **parameters: Any) -> Chapter:
    """The hidden first call of every chapter: check parameters, fix the seed, the theme and display widths.

    ``parameters`` are every name the chapter's ``parameters`` cell declares. Their values are checked here, in the
    kernel, and so is every name papermill injected: a misspelt or out-of-range parameter stops the notebook under
    plain ``papermill`` or in JupyterLab as it does under the build.
    """
    check_parameters(parameters)
    check_injected(_executed_sources(), parameters)
    random.seed(2023)
    np.random.seed(2023)
    plots.set_theme()
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.precision", 3)
    return Chapter(name=name, lang=labels.use(parameters.get("lang", "en")))


def _executed_sources() -> list[str]:
    """The sources of the cells this kernel has run (IPython's ``In``), papermill's injected cell among them; none
    outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    history = shell.user_ns.get("In", []) if shell is not None else []
    return [s for s in history if isinstance(s, str)]
