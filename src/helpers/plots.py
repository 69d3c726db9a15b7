"""One plotting theme and the chart types the chapters use.

Every chart function returns ``(figure, alt_text)``: the alt text is one sentence written from the same data the
chart draws, so it cannot drift from the picture. Values the report does not give are drawn as an empty, hatched
slot labelled as such — never as zero.

Text is drawn as written and where it fits: every chart takes data text raw (a name escaped for Markdown prose is
drawn as the text it escaped, :func:`_as_written`), wraps it between words or where the edition's hyphenation
dictionary allows (:func:`wrap`, pyphen), and ``ch.figure`` refuses a figure in which a text overlaps another text or
a line, measured from the drawn boxes (:func:`check_layout`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # headless everywhere: papermill, nbval, CI

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import transforms
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from . import labels

#: seaborn's colour-blind palette (set by the style sheet as the colour cycle), used for every categorical colour.
THEME = Path(__file__).with_name("theme.mplstyle")
PALETTE: list[str] = list(matplotlib.rc_params_from_file(THEME, use_default_template=False)["axes.prop_cycle"]
                          .by_key()["color"])
MISSING_HATCH = "///"

#: Every figure is saved this wide (inches; helpers.notebook narrows the drawing area until labels and legends fit):
#: 576 CSS px, which a 390 px phone shows at 339 px, so the theme's smallest text (MIN_FONT_PT = 16 px at full
#: size) still shows at ~9.4 px there (tests/test_browser.py measures it).
FIGURE_WIDTH = 6.0
MIN_FONT_PT = 12.0

#: One colour per group across every figure (seaborn's colour-blind palette): a reader who learns that leaders are
#: orange in one chart finds them orange in the next.
GROUP_COLOURS: dict[str, str] = {
    "all": PALETTE[0],
    "leaders": PALETTE[1],
    "non_leaders": PALETTE[2],
    "policy_dept": PALETTE[4],
    "admin_dept": PALETTE[5],
    "leaders_policy_dept": PALETTE[3],
}


def colour(key: str, index: int = 0) -> str:
    """The colour of group ``key`` (:data:`GROUP_COLOURS`), or the palette's ``index``-th for other keys."""
    return GROUP_COLOURS.get(key, PALETTE[index % len(PALETTE)])


def set_theme() -> None:
    """The one theme: called by :func:`helpers.notebook.setup` at the top of every chapter."""
    plt.rcdefaults()
    plt.style.use(THEME)
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            # labels come from data: "$5m to $7m" is text, never TeX (and "$\\frac{1$" cannot crash a chapter)
            "text.parse_math": False,
            "savefig.dpi": 110,
            "figure.figsize": (FIGURE_WIDTH, 4.2),
            "axes.titlesize": "medium",
            "axes.titleweight": "bold",
            # the same bytes for the same figure (nbval compares them), text kept as text: selectable, searchable,
            # and measurable by the browser suite's legibility check
            "svg.hashsalt": "best-sammen",
            "svg.fonttype": "none",
            "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans", "sans-serif"],
            "legend.fontsize": MIN_FONT_PT,
            "figure.autolayout": False,
        }
    )


def _fmt(value: float) -> str:
    return f"{value:g}"


# --- text as written: figures show data text as it is, never Markdown -------------------------------------------

def _as_written(function):
    """Every text argument of a chart (a label, a wording dict, a frame's cells and index) as written: text escaped
    for prose (``tables.escape_markdown``, ``inline.escape``) is drawn as the text it escaped, so "Core-group" escaped
    is drawn "Core-group", and any other text exactly as typed, a backslash too (:func:`helpers.tables.as_written`).
    Column names and codes are left as they are."""
    import functools

    from .escape import Escaped, Markdown
    from .tables import as_written

    def clean(value):
        if isinstance(value, str):
            # only text known to be Markdown is read as Markdown: any other text, a backslash too, is drawn as typed
            return as_written(value) if isinstance(value, (Escaped, Markdown)) else value
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (pd.DataFrame, pd.Series)):
            def dirty(items) -> bool:
                return any(isinstance(v, (Escaped, Markdown)) for v in items)
            frame = value
            if dirty(frame.index):
                frame = frame.set_axis([clean(v) for v in frame.index], axis=0)
            if isinstance(frame, pd.Series):
                return frame.map(clean) if not pd.api.types.is_numeric_dtype(frame) and dirty(frame) else frame
            if dirty(frame.columns):
                frame = frame.set_axis([clean(v) for v in frame.columns], axis=1)
            for column in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[column]) and dirty(frame[column]):
                    frame = frame.copy()
                    frame[column] = frame[column].map(clean)
            return frame
        return value

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*[clean(a) for a in args], **{k: clean(v) for k, v in kwargs.items()})

    return wrapper


# --- wrapping: lines broken between words, a word only where its language allows ----------------------------------

#: pyphen's dictionaries for the editions' languages (LibreOffice's hyphenation patterns)
_HYPHENATION = {"en": "en_GB", "nb": "nb_NO"}
_hyphenators: dict[str, object] = {}
#: break opportunities inside a word: after a slash ("ledelse/regjeringen") and after a hyphen the word already has
#: ("HR-tjenester", "Kommunal-"), with at least two characters either side ("e-helse" stays whole)
_INNER_BREAK = re.compile(r"(?<=\S/)(?=\S)|(?<=\w\w-)(?=\w\w)")
_VOWELS = "aeiouyæøåAEIOUYÆØÅ"


def _hyphenator(lang: str):
    import pyphen

    if lang not in _hyphenators:
        _hyphenators[lang] = pyphen.Pyphen(lang=_HYPHENATION[lang], left=2, right=3)
    return _hyphenators[lang]


def hyphenation_points(word: str, lang: str | None = None) -> list[int]:
    """Where ``word`` may be broken with a hyphen in ``lang`` (default: the edition's), by its hyphenation
    dictionary: indexes into ``word``, punctuation around it (brackets, quotes) left out of the search."""
    lang = lang or labels.current()
    match = re.search(r"[^\W\d_](?:.*[^\W\d_])?", word)
    if not match:
        return []
    core = match.group(0)
    if not core.isalpha() or core.isupper():  # "IKT-organisasjon", "2021–2025", "DATATILSYNET": no dictionary word
        return []
    return [match.start() + k for k in _hyphenator(lang).positions(core)]


def _hyphen_split(word: str, fits, lang: str) -> tuple[str, str] | None:
    """``word`` split at the dictionary point that puts the most of it on this line (``fits``), with a hyphen;
    in Norwegian a compound's joint (a linking "s": "administrasjons-avdelinger") first, and a point that leaves
    at least five letters for the next line before one that leaves an ending alone there ("-sjon", "-ger"), as long
    as the line keeps at least half of what would fit. None if no point fits."""
    points = [k for k in hyphenation_points(word, lang) if fits(word[:k] + "-")]
    if not points:
        return None
    whole = [k for k in points if len(word.rstrip(")].,;:!?»”'")) - k >= 5]
    if whole and 2 * max(whole) >= max(points):
        points = whole
    if lang == "nb":
        # a linking "s" ends the first part; the second is a word of its own (not "-nes|ter", "-tets|tje")
        joints = [k for k in points if word[k - 1] == "s" and word[k - 2] != "s" and len(word) - k >= 5
                  and (word[k] not in _VOWELS or len(word) - k >= 8)]
        if joints and 2.5 * max(joints) >= max(points):
            points = joints
    k = max(points)
    return word[:k] + "-", word[k:]


def wrap(text: object, width: float, *, fits=None, lang: str | None = None) -> str:
    """``text`` in lines that fit ``width`` characters (or, with ``fits``, lines for which ``fits(line)`` is true),
    broken between words, after a slash or a hyphen the text has, and a word longer than a line only where the
    language's hyphenation dictionary allows it (``lang``, default the edition's: :func:`helpers.labels.current`).
    A word with no such point stays whole. No-break spaces ("10 %") never break."""
    lang = lang or labels.current()
    fits = fits or (lambda line: len(line) <= width)
    pieces: list[tuple[str, str]] = []  # (piece, what joins it to the one before: " " or "")
    for word in re.split(r"[ \t\r\n]+", str(text).strip()):
        for i, piece in enumerate(p for p in _INNER_BREAK.split(word) if p):
            pieces.append((piece, "" if i else " "))
    lines: list[str] = []
    line = ""
    for piece, glue in pieces:
        if line and fits(line + glue + piece):
            line = line + glue + piece
            continue
        if line:
            lines.append(line)
        while not fits(piece):
            split = _hyphen_split(piece, fits, lang)
            if split is None:
                break
            head, piece = split
            lines.append(head)
        line = piece
    if line:
        lines.append(line)
    return "\n".join(lines)


# --- layout check: no text over other text or over a line --------------------------------------------------------

def _drawn_texts(fig: Figure) -> list:
    """Every text the figure draws (tick labels of the ticks shown only, nothing of an axis switched off)."""
    from matplotlib.axis import Axis
    from matplotlib.text import Text

    tick_texts: set[int] = set()
    shown: list = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_texts.update({id(tick.label1), id(tick.label2)})
            axis_texts = [axis.label, axis.offsetText]
            tick_texts.update(id(t) for t in axis_texts)
            if not (ax.axison and axis.get_visible()):
                continue
            for tick in axis._update_ticks():  # the ticks inside the view, the ones drawn
                shown += [t for t, on in ((tick.label1, tick.label1.get_visible()), (tick.label2, tick.label2.get_visible())) if on]
            shown += [t for t in axis_texts if t.get_visible()]
    others = [t for t in fig.findobj(Text) if id(t) not in tick_texts and t.get_visible()]
    return [t for t in dict.fromkeys(shown + others) if t.get_text().strip() and t.get_alpha() != 0]


def _drawn_lines(fig: Figure, renderer) -> list[tuple[str, list[np.ndarray], object]]:
    """Every line the figure draws over its area, as polylines in display pixels: plotted lines, line collections,
    arrows and an axes' spines (not grid lines, tick marks or legend keys), each with its clip box."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import FancyArrowPatch

    found = []
    for ax in fig.axes:
        clip = ax.bbox
        for line in ax.lines:
            if (line.get_visible() and line.get_linestyle() not in ("None", "", " ", "none")
                    and line.get_linewidth() > 0):
                points = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
                name = "a line" if line.get_label().startswith("_") else f"line {line.get_label()!r}"
                found.append((name, [points], clip if line.get_clip_on() else None))
        for collection in ax.collections:
            if isinstance(collection, LineCollection) and collection.get_visible():
                transform = collection.get_transform()
                found.append(("a line", [transform.transform(np.asarray(s, dtype=float))
                                                  for s in collection.get_segments()],
                              clip if collection.get_clip_on() else None))
        for patch in ax.patches:
            if isinstance(patch, FancyArrowPatch) and patch.get_visible():
                path = patch.get_transform().transform_path(patch.get_path())
                found.append(("an arrow", path.to_polygons(closed_only=False), clip if patch.get_clip_on() else None))
        if ax.axison:
            for name, spine in ax.spines.items():
                if spine.get_visible() and spine.get_linewidth() > 0 and matplotlib.colors.to_rgba(spine.get_edgecolor())[3] > 0:
                    path = spine.get_transform().transform_path(spine.get_path())
                    found.append((f"the {name} spine", path.to_polygons(closed_only=False), None))
    return found


def layout_problems(fig: Figure, tolerance_px: float = 1.0) -> list[str]:
    """What overlaps in ``fig`` as drawn: texts whose boxes (measured by matplotlib after drawing) overlap by more
    than ``tolerance_px`` both ways, and texts a plotted line, an arrow or a spine runs through. Each as a sentence."""
    from matplotlib.transforms import Bbox

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = _drawn_texts(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    problems = []

    def name(t) -> str:
        return repr(t.get_text().replace("\n", " "))

    for i, (a, box_a) in enumerate(zip(texts, boxes)):
        for b, box_b in zip(texts[i + 1:], boxes[i + 1:]):
            dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if dx > tolerance_px and dy > tolerance_px:
                problems.append(f"text {name(a)} overlaps text {name(b)}")
    for kind, polylines, clip in _drawn_lines(fig, renderer):
        for t, box in zip(texts, boxes):
            inner = Bbox.from_extents(box.x0 + tolerance_px, box.y0 + tolerance_px, box.x1 - tolerance_px,
                                      box.y1 - tolerance_px)
            if clip is not None:
                inner = Bbox.intersection(inner, clip)
                if inner is None:
                    continue
            region = (inner.x0, inner.y0, inner.x1, inner.y1)
            if any(_segment_hits_box(p, q, region) for points in polylines for p, q in zip(points, points[1:])):
                problems.append(f"{kind} runs through text {name(t)}")
    return problems


def check_layout(fig: Figure, figure_id: str = "figure") -> None:
    """Refuse a figure whose text overlaps other text or a line (``ch.figure`` calls it). A backslash in a drawn text
    is not refused: drawn text is data text as typed (``C:\\.config``); text escaped for prose that a chart is given
    is drawn as the text it escaped (:func:`_as_written`)."""
    problems = layout_problems(fig)
    if problems:
        raise ValueError(f"{figure_id}: " + "; ".join(problems[:8]) + (f" (and {len(problems) - 8} more)"
                                                                        if len(problems) > 8 else ""))


def _value_text(value: float, decimals: int | None = None) -> str:
    """A value drawn beside a bar, as the edition writes numbers (decimal comma in Norwegian).

    With ``decimals`` every value of a series shows the same number of decimals (12.0 beside 13.2, not 12).
    """
    return labels.number(value, decimals) if decimals is not None else labels.number(value, _decimals([value]))


def _decimals(values) -> int:
    """The fewest decimals (at most two) that show every one of ``values`` as :func:`_fmt` would."""
    shown = [_fmt(round(float(v), 2)) for v in values if not pd.isna(v)]
    return max((len(t.split(".")[1]) for t in shown if "." in t and "e" not in t), default=0)


#: Vertical space per bar and between clusters (inches): a 12 pt value label beside each bar needs about 0.2 in.
BAR_PITCH = 0.3
CLUSTER_GAP = 0.3
#: Category labels are wrapped at this many characters, so a long label cannot squeeze the plot area.
LABEL_WRAP = 22
#: Height of one line of a 12 pt category label (inches), with matplotlib's line spacing.
LABEL_LINE = 0.2


@_as_written
def grouped_bars(
    frame: pd.DataFrame,
    *,
    category: str,
    group: str,
    value: str,
    category_labels: dict[str, str],
    group_labels: dict[str, str],
    xlabel: str,
    what: str,
    xlim: float | None = None,
    unit: str = " %",
    colours: dict[str, str] | None = None,
) -> tuple[Figure, str]:
    """Horizontal bars, one cluster per category and one bar per group, as the report draws its survey figures.

    ``category_labels`` and ``group_labels`` give the order (dict order) and the wording; ``what`` names the chart's
    subject for the alt text; ``colours`` overrides :func:`colour` for groups that are not respondent groups (e.g.
    two series of the same group). A cluster holds only the groups the data has for its category, centred on its
    label. Rows whose ``value`` is missing are drawn as hatched slots, explained once in the legend.
    """
    categories, groups = list(category_labels), list(group_labels)
    colour_of = {g: (colours or {}).get(g) or colour(g, i) for i, g in enumerate(groups)}
    # y positions in inches from the top: clusters differ in size when a group is missing for a category
    bars: list[tuple[float, str, object]] = []  # (y, group, value)
    ticks: list[float] = []
    y = 0.0
    for c in categories:
        present = [(g, frame.loc[(frame[category] == c) & (frame[group] == g), value]) for g in groups]
        present = [(g, rows.iloc[0]) for g, rows in present if not rows.empty]
        if not present:
            continue
        # a cluster is at least as tall as its wrapped label, so a three-line label never meets the next one
        lines = wrap(category_labels[c], LABEL_WRAP).count("\n") + 1
        block = max(len(present) * BAR_PITCH, lines * LABEL_LINE)
        first = y + (block - len(present) * BAR_PITCH) / 2
        for k, (g, v) in enumerate(present):
            bars.append((first + (k + 0.5) * BAR_PITCH, g, v))
        ticks.append(y + block / 2)
        y += block + CLUSTER_GAP
    plot_height = max(y - CLUSTER_GAP, BAR_PITCH)
    ncol, entries, legend_lines = _legend(list(group_labels.values()))
    # and a second line for the axis title if it may need one (the plot is about 3.4 in wide beside its labels)
    legend_rows = legend_lines + 1 + (_text_width(xlabel, size=_points(plt.rcParams["axes.labelsize"])) > 3.3)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, plot_height + 1.0 + 0.3 * legend_rows), layout="constrained")
    numbers = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)
    top = float(np.nanmax(numbers)) if np.isfinite(numbers).any() else 0.0
    limit = xlim or max(10.0, np.ceil((top * 1.12 + 2) / 10) * 10)
    any_missing = False
    decimals = {g: _decimals(pd.to_numeric(frame.loc[frame[group] == g, value], errors="coerce")) for g in groups}
    values_drawn = []
    for y_bar, g, v in bars:
        if pd.isna(v):
            any_missing = True
            ax.barh(y_bar, limit * 0.08, height=BAR_PITCH * 0.85, color="white", edgecolor=colour_of[g],
                    hatch=MISSING_HATCH)
        else:
            ax.barh(y_bar, float(v), height=BAR_PITCH * 0.85, color=colour_of[g])
            values_drawn.append(ax.text(float(v) + limit * 0.01, y_bar, _value_text(float(v), decimals[g]), va="center",
                                        fontsize=MIN_FONT_PT))
    shown = [c for c in categories if ((frame[category] == c) & frame[group].isin(groups)).any()]
    ax.set_yticks(ticks, [wrap(category_labels[c], LABEL_WRAP) for c in shown])
    ax.set_ylim(plot_height + 0.1, -0.1)  # top to bottom in the order given
    ax.set_xlim(0, limit)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=colour_of[g], label=entry) for g, entry in zip(groups, entries)]
    _fit_axis_title(fig, ax, grow=False)  # the figure has room for a second line
    title_lines = ax.xaxis.label.get_text().count("\n") + 1
    # the groups' legend sits under the axis title (a fixed distance in points, whatever the plot's height), and the
    # hatched slot is explained on a row of its own below it; constrained layout makes room for both
    # centred on the figure, not the axes: centred under a plot pushed right by its labels, it would overrun the edge
    below_axis = transforms.offset_copy(transforms.blended_transform_factory(fig.transFigure, ax.transAxes), fig=fig,
                                        y=-(3.4 * MIN_FONT_PT + 1.25 * ax.xaxis.label.get_fontsize() * (title_lines - 1)),
                                        units="points")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below_axis,
              frameon=False, fontsize=MIN_FONT_PT, ncol=ncol)
    if any_missing:
        note = Patch(facecolor="white", edgecolor="0.35", hatch=MISSING_HATCH, label=labels.term("not_readable"))
        fig.legend(handles=[note], loc="outside lower center", frameon=False, fontsize=MIN_FONT_PT)
    _keep_values_inside(fig, ax, values_drawn)
    fig.canvas.draw()  # run the constrained layout now: measured before it, the figure seems wider than it is
    return fig, _bars_alt(frame, category, group, value, category_labels, group_labels, what, unit)


def _legend(texts: list[str], most: int = 4, handle_in: float = 0.5, spacing_in: float = 0.35) -> tuple[int, list[str], int]:
    """A legend's columns, entries and height: the most columns (up to ``most``) whose entries fit across the figure
    at the type floor, measured (``handle_in`` for each swatch, ``spacing_in`` between columns; entries fill column
    by column, as matplotlib lays them out); in one column an entry wider than the figure is wrapped. Returns the
    number of columns, the entries and the number of text lines the legend takes."""
    room = FIGURE_WIDTH * 0.94
    widths = [_text_width(t) for t in texts]
    for ncol in range(min(len(texts), most), 0, -1):
        rows = int(np.ceil(len(texts) / ncol))
        columns = [widths[i:i + rows] for i in range(0, len(texts), rows)]
        if sum(max(c) + handle_in for c in columns) + spacing_in * (len(columns) - 1) <= room:
            return ncol, list(texts), rows
    line_room = room - handle_in
    entries = [wrap(t, line_room, fits=lambda line: _text_width(line) <= line_room) for t in texts]
    return 1, entries, sum(e.count("\n") + 1 for e in entries)


def _keep_values_inside(fig: Figure, ax, texts: list, spare: float = 0.08) -> None:
    """Widen the x-axis until each value written after its bar (``texts``, left-aligned at a data x) ends inside the
    plot, with ``spare`` of the plot's width to spare (the page may still narrow the figure a little)."""
    for _ in range(3):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        width = ax.get_window_extent(renderer).width
        x0, x1 = ax.get_xlim()
        needed = x1
        for text in texts:
            room = width * (1 - spare) - text.get_window_extent(renderer).width
            if room > 0:
                needed = max(needed, x0 + (text.get_position()[0] - x0) * width / room)
        if needed <= x1 * (1 + 1e-9):
            return
        ax.set_xlim(x0, needed)


def _points(size) -> float:
    """A font size from the style (12, "large") in points."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


def _fit_axis_title(fig: Figure, ax, grow: bool = True) -> None:
    """Wrap the x-axis title to the plot's width, so a long title cannot widen the figure past the page; with
    ``grow`` the figure grows by the lines added, so the plot keeps its height."""
    fig.canvas.draw()
    label = ax.xaxis.label
    room = ax.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
    text = label.get_text().replace("\n", " ")
    if text and _text_width(text, size=label.get_fontsize()) > room:
        label.set_text(wrap(text, room, fits=lambda line: _text_width(line, size=label.get_fontsize()) <= room))
        if grow:
            width, height = fig.get_size_inches()
            fig.set_size_inches(width, height + label.get_text().count("\n") * label.get_fontsize() * 1.25 / 72)


def _bars_alt(
    frame: pd.DataFrame,
    category: str,
    group: str,
    value: str,
    category_labels: dict[str, str],
    group_labels: dict[str, str],
    what: str,
    unit: str = " %",
) -> str:
    known = frame.dropna(subset=[value])
    parts = []
    for g, g_label in group_labels.items():
        rows = known[known[group] == g]
        if rows.empty:
            continue
        best = rows.loc[rows[value].astype(float).idxmax()]
        parts.append(f"{g_label}: {category_labels[best[category]]} {_value_text(float(best[value]))}{unit}")
    missing = int(frame[value].isna().sum())
    largest = labels.phrase("largest_share" if unit.strip() == "%" else "largest_value")
    sentence = labels.phrase("alt_bars", what=what, groups=labels.join(list(group_labels.values())), largest=largest,
                             parts="; ".join(parts))
    if missing:
        sentence += " " + labels.phrase("alt_missing", count=missing)
    return sentence


#: The audit's verdicts (:func:`stacked_counts` in the audit appendix): blue for agreement, light blue for agreement
#: within rounding, vermilion for a contradiction and grey for nothing to check; they differ in lightness as well as
#: hue, so they stay apart in every common colour-vision deficiency.
AUDIT_COLOURS: dict[str, str] = {
    "reproduced": PALETTE[0],
    "within rounding": PALETTE[9],
    "inconsistent": PALETTE[3],
    "loose wording": PALETTE[1],
    "not checkable": PALETTE[7],
}


@_as_written
def stacked_counts(
    frame: pd.DataFrame,
    *,
    category: str,
    stack: str,
    value: str,
    category_labels: dict[str, str],
    stack_labels: dict[str, str],
    colours: dict[str, str],
    xlabel: str,
    what: str,
) -> tuple[Figure, str]:
    """Horizontal stacked bars of counts: one bar per category (``category_labels`` order, top down), one segment per
    stack value (dict order), each bar's total at its end; the legend sits above the bars, two entries a row, so long
    labels in either language fit the figure's width."""
    table = (frame.pivot_table(index=category, columns=stack, values=value, aggfunc="sum", observed=False)
             .reindex(index=list(category_labels), columns=list(stack_labels)).fillna(0))
    texts = [wrap(category_labels[c], LABEL_WRAP) for c in table.index]
    pitch = max([0.36, *(0.2 * (t.count("\n") + 1) + 0.12 for t in texts)])  # a bar's row fits its wrapped label
    ncol, entries, legend_lines = _legend(list(stack_labels.values()), most=2)
    legend_in = 0.3 * legend_lines + 0.15
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, pitch * len(table) + 1.4 + legend_in))
    left = np.zeros(len(table))
    for (key, label), entry in zip(stack_labels.items(), entries):
        widths = table[key].to_numpy(dtype=float)
        ax.barh(range(len(table)), widths, left=left, color=colours[key], label=entry, edgecolor="white")
        left += widths
    totals_drawn = [ax.text(total + 0.3, y, _fmt(total), va="center", fontsize=MIN_FONT_PT) for y, total in enumerate(left)]
    ax.set_yticks(range(len(table)), texts)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(left.max() * 1.1, 1))
    ax.grid(axis="y", visible=False)
    # the legend belongs to the figure, not the axes: anchored to the axes it started right of the bar labels and
    # ran past the figure's right edge in Norwegian, which made the saved SVG wider and its text smaller on a phone
    height = fig.get_figheight()
    fig.legend(loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=ncol, frameon=False, fontsize=MIN_FONT_PT)
    fig.tight_layout(rect=(0, 0, 1, 1 - legend_in / height))
    _fit_axis_title(fig, ax)
    fig.tight_layout(rect=(0, 0, 1, 1 - legend_in / fig.get_figheight()))
    _keep_values_inside(fig, ax, totals_drawn)
    totals = table.sum(axis=0)
    parts = [f"{stack_labels[k]} {_fmt(totals[k])}" for k in stack_labels]
    return fig, labels.phrase("alt_stacked", what=what, bars=len(table), parts=", ".join(parts))


@_as_written
def diverging_stacked(
    frame: pd.DataFrame,
    *,
    row: str,
    response: str,
    value: str,
    row_labels: dict[str, str],
    order: Sequence[str],
    response_labels: dict[str, str],
    neutral: str | None,
    what: str,
) -> tuple[Figure, str]:
    """Diverging stacked bars for an ordered scale: negative answers left of zero, positive right.

    ``order`` runs from most negative to most positive; the ``neutral`` answer is split across zero. Answers not in
    ``order`` (e.g. "Vet ikke") are left out of the bars and listed in the alt text.
    """
    neg_len = (len(order) - (1 if neutral else 0)) // 2
    # sampled as seaborn's color_palette("RdBu", n) does: n evenly spaced inner points of the colour map
    colours = [tuple(c[:3]) for c in matplotlib.colormaps["RdBu"](np.linspace(0, 1, len(order) + 2)[1:-1])]
    texts = [wrap(t, LABEL_WRAP) for t in row_labels.values()]
    pitch = max([0.7, *(0.2 * (t.count("\n") + 1) + 0.2 for t in texts)])  # a row fits its wrapped label
    ncol, entries, legend_lines = _legend([response_labels[resp] for resp in order])
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, pitch * len(row_labels) + 1.4 + 0.3 * legend_lines),
                           layout="constrained")
    for r_index, r in enumerate(row_labels):
        shares = {
            resp: frame[(frame[row] == r) & (frame[response] == resp)][value]
            for resp in order
        }
        shares = {k: (float(v.iloc[0]) if len(v) and not pd.isna(v.iloc[0]) else np.nan) for k, v in shares.items()}
        left = -sum(np.nan_to_num(shares[k]) for k in order[:neg_len]) - (np.nan_to_num(shares[neutral]) / 2 if neutral else 0)
        for i, resp in enumerate(order):
            v = shares[resp]
            if np.isnan(v):
                continue
            ax.barh(r_index, v, left=left, color=colours[i], edgecolor="white")
            if v >= 4:
                ax.text(left + v / 2, r_index, _value_text(v), ha="center", va="center", fontsize=MIN_FONT_PT,
                        color="white" if i in (0, len(order) - 1) else "black")
            left += v
    # zero marked between the bars, not across them: the neutral answer's number sits on zero
    ax.vlines([0] * (len(row_labels) + 1), [r - 0.6 for r in range(len(row_labels) + 1)],
              [r - 0.4 for r in range(len(row_labels) + 1)], colors="0.2", linewidth=0.8)
    ax.set_ylim(len(row_labels) - 0.5, -0.5)
    ax.set_yticks(range(len(row_labels)), texts)
    ax.set_xlabel(labels.term("percent"))
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [_fmt(abs(t)) for t in ticks])
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=colours[i], label=entry) for i, entry in enumerate(entries)]
    # below the plot, as many columns as fit: the plot keeps its width whatever the answer wording
    fig.legend(handles=handles, loc="outside lower center", fontsize=MIN_FONT_PT, frameon=False, ncol=ncol)
    fig.canvas.draw()  # run the constrained layout now: measured before it, the figure seems wider than it is
    positive = order[neg_len + (1 if neutral else 0):]
    parts = []
    for r, r_label in row_labels.items():
        sub = frame[(frame[row] == r) & (frame[response].isin(positive))][value].astype(float)
        parts.append(f"{r_label} {_value_text(float(sub.sum()))} %")
    pos_words = " + ".join(response_labels[p] for p in positive)
    return fig, labels.phrase("alt_diverging", what=what, positive=pos_words, parts=", ".join(parts))


@_as_written
def ranges(
    frame: pd.DataFrame,
    *,
    label: str,
    low: str,
    high: str,
    point: str | None,
    xlabel: str,
    what: str,
    xlim: tuple[float, float] = (0, 100),
    unit: str = "",
) -> tuple[Figure, str]:
    """One horizontal interval per row (e.g. bounds, confidence intervals), with an optional point estimate.

    ``unit`` follows each number in the alt text (" %"), where no axis title is there to give it.

    A row whose low and high are equal is a single value: drawn as its point and labelled with one number. The
    legend names the bar and the point; neither uses a respondent group's colour.
    """
    texts = [wrap(t, LABEL_WRAP) for t in frame[label]]
    pitch = max([0.5, *(0.2 * (t.count("\n") + 1) + 0.12 for t in texts)])  # a row fits its wrapped label
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, pitch * len(frame) + 1.9), layout="constrained")
    span_colour, point_colour = PALETTE[7], "0.1"  # grey and near-black: not mistaken for a group (GROUP_COLOURS)
    value_texts = []  # (text, left end of its row's mark)
    for i, (_, r) in enumerate(frame.iterrows()):
        lo, hi = float(r[low]), float(r[high])
        if hi > lo:
            ax.plot([lo, hi], [i, i], color=span_colour, linewidth=9, solid_capstyle="butt")
        has_point = point is not None and not pd.isna(r[point])
        if has_point:
            ax.plot(float(r[point]), i, "o", color=point_colour, markersize=8)
        text = (labels.number(lo) if hi == lo
                else f"{labels.number(lo)}–{labels.number(hi)}")
        right = max(hi, float(r[point]) if has_point else hi)
        value_texts.append((ax.text(right + (xlim[1] - xlim[0]) * 0.015, i, text, va="center", fontsize=MIN_FONT_PT),
                            min(lo, float(r[point]) if has_point else lo)))
    ax.set_yticks(range(len(frame)), texts)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    handles = [plt.Line2D([], [], color=span_colour, linewidth=9, label=labels.term("range"))]
    if point is not None and frame[point].notna().any():
        handles.append(plt.Line2D([], [], marker="o", linestyle="", color=point_colour, markersize=8,
                                  label=labels.term("estimate")))
    fig.legend(handles=handles, loc="outside lower center", frameon=False, fontsize=MIN_FONT_PT,
               ncol=len(handles))
    _fit_axis_title(fig, ax)
    fig.canvas.draw()  # run the constrained layout now: measured before it, the figure seems wider than it is
    # a number that would run past the right edge of the plot goes left of its range instead (a fifth to spare: the
    # page may still narrow the plot to fit the figure's width)
    per_inch = (xlim[1] - xlim[0]) / (ax.get_window_extent().width / fig.dpi)
    for text, left_end in value_texts:
        needed = (_text_width(text.get_text()) * 1.2 + 0.05) * per_inch
        if text.get_position()[0] + needed > xlim[1] and left_end - needed >= xlim[0]:
            text.set_x(left_end - (xlim[1] - xlim[0]) * 0.015)
            text.set_horizontalalignment("right")
    spans = "; ".join(
        labels.phrase("span", label=r[label], low=labels.number(r[low]) + unit, high=labels.number(r[high]) + unit)
        if float(r[high]) > float(r[low]) else f"{r[label]}: {labels.number(r[low])}{unit}"
        for _, r in frame.iterrows())
    return fig, labels.phrase("alt_ranges", what=what, spans=spans)


#: Rough width of one character of 12–14 pt sans-serif text, in inches: used to wrap labels so a chart fits
#: FIGURE_WIDTH instead of being scaled down (which would shrink its text below the type floor on the page).
_CHAR_IN = 0.105


@_as_written
def heatmap(
    matrix: pd.DataFrame,
    *,
    what: str,
    value_labels: dict[str, str] | None = None,
    colours: dict[str, str] | None = None,
    annotate: bool = True,
    cell_labels: dict[str, str] | None = None,
    value_label: str | None = None,
) -> tuple[Figure, str]:
    """A categorical or numeric matrix as a heat map, :data:`FIGURE_WIDTH` wide.

    With ``colours`` the cells are categories, each its own colour, explained by a legend below the map
    (``value_labels``: legend wording); ``annotate`` writes each cell's category in it (``cell_labels``: shorter
    cell wording, default ``value_labels``), so the map reads without telling colours apart. Without ``colours`` the
    cells are numbers on one sequential scale with a colour bar (``value_label`` names it). Column labels sit above
    the map and row labels are wrapped, so nothing is clipped or scaled below the type floor.
    """
    rows, cols = matrix.shape
    row_wrap = 24
    row_text = [wrap(r, row_wrap) for r in matrix.index]
    label_in = min(row_wrap, max((len(line) for t in row_text for line in t.split("\n")), default=4)) * _CHAR_IN
    cell_in = max(0.5, (FIGURE_WIDTH - label_in - 0.3) / max(cols, 1))
    col_wrap = int(cell_in / _CHAR_IN)
    col_text = [wrap(c, max(col_wrap, 6)) for c in matrix.columns]
    header_lines = max((t.count("\n") + 1 for t in col_text), default=1)
    row_lines = [t.count("\n") + 1 for t in row_text]
    cell_h = max(0.42, 0.24 * max(row_lines, default=1) + 0.1)
    legend_in = 0.9 if colours else 1.1
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, cell_h * rows + 0.25 * header_lines + legend_in + 0.3))
    if colours:
        cats = list(colours)
        legend_words = {c: (value_labels or {}).get(c, c) for c in cats}
        cell_words = {c: (cell_labels or legend_words).get(c, legend_words[c]) for c in cats}
        codes = matrix.apply(lambda col: col.map({c: i for i, c in enumerate(cats)}))
        cmap = matplotlib.colors.ListedColormap([colours[c] for c in cats])
        ax.imshow(codes.to_numpy(dtype=float), cmap=cmap, vmin=-0.5, vmax=len(cats) - 0.5, aspect="auto")
        if annotate:
            for (i, j), v in np.ndenumerate(matrix.to_numpy()):
                if v in colours:
                    ax.text(j, i, wrap(cell_words[v], int(cell_in / _CHAR_IN)), ha="center", va="center",
                            fontsize=MIN_FONT_PT, color=_ink(colours[v]))
        ncol, entries, _ = _legend([legend_words[c] for c in cats])
        handles = [Patch(facecolor=colours[c], edgecolor="0.5", label=entry) for c, entry in zip(cats, entries)]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=ncol, fontsize=MIN_FONT_PT,
                  frameon=False)
    else:
        values = matrix.to_numpy(dtype=float)
        image = ax.imshow(values, cmap="Blues", aspect="auto", vmin=min(0.0, float(np.nanmin(values))))
        if annotate:
            for (i, j), v in np.ndenumerate(values):
                ax.text(j, i, _fmt(v), ha="center", va="center", fontsize=MIN_FONT_PT,
                        color="white" if v > np.nanmax(values) * 0.6 else "black")
        bar = fig.colorbar(image, ax=ax, orientation="horizontal", location="bottom", fraction=0.08, pad=0.04)
        bar.ax.tick_params(labelsize=MIN_FONT_PT)
        if value_label:
            bar.set_label(value_label, fontsize=MIN_FONT_PT)
    ax.xaxis.tick_top()
    ax.set_yticks(range(rows), row_text, fontsize=MIN_FONT_PT)
    ax.tick_params(length=0)
    # white gaps between the cells, so neighbouring cells of one colour stay countable (set before the labels are
    # fitted: the layout they are measured in is the one drawn)
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    # narrow the column labels' wrap until each fits its column as drawn; a word that cannot be wrapped further
    # ("Målområde 1") gets its room from the row labels, wrapped narrower
    for _ in range(24):
        ax.set_xticks(range(cols), col_text, ha="center", fontsize=MIN_FONT_PT)
        for _pass in range(2):  # a second pass lays out around the first's labels: what the figure's own last pass does
            fig.tight_layout()
            fig.canvas.draw()
        cell_px = ax.get_window_extent().width / max(cols, 1)
        if all(t.get_window_extent().width <= 0.95 * cell_px for t in ax.get_xticklabels()):
            break
        if col_wrap > 6:
            col_wrap -= 1
            col_text = [wrap(c, max(col_wrap, 6)) for c in matrix.columns]
        elif row_wrap > 12:
            row_wrap -= 2
            row_text = [wrap(r, row_wrap) for r in matrix.index]
            ax.set_yticks(range(rows), row_text, fontsize=MIN_FONT_PT)
        else:
            break
    fig.tight_layout()
    if colours:
        counts = matrix.stack().value_counts()
        summary = ", ".join(f"{(value_labels or {}).get(c, c)} {int(counts.get(c, 0))}" for c in colours)
        return fig, labels.phrase("alt_heatmap_categories", what=what, rows=rows, cols=cols, summary=summary)
    return fig, labels.phrase("alt_heatmap_values", what=what, rows=rows, cols=cols,
                              low=_fmt(float(np.nanmin(values))), high=_fmt(float(np.nanmax(values))))


def _ink(background: str) -> str:
    """Black or white text, whichever reads better on ``background`` (by its relative luminance)."""
    r, g, b = matplotlib.colors.to_rgb(background)
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


@_as_written
def membership_bars(
    members: pd.DataFrame,
    *,
    unit: str,
    group: str,
    role: str,
    lead: str,
    unit_labels: dict[str, str],
    group_labels: dict[str, str],
    group_colours: dict[str, str],
    lead_label: str,
    xlabel: str,
    what: str,
) -> tuple[Figure, str]:
    """Who belongs to which group: one bar per unit, as long as the number of groups it is in, sorted longest first.

    Each segment is one group in its own colour (``group_colours``, legend below); a segment where the unit has
    ``role == lead`` is hatched (``lead_label`` in the legend), so the lead reads without telling colours apart.
    ``unit_labels`` give the wording (wrapped); ties keep ``unit_labels``' order.
    """
    groups = list(group_labels)
    totals = members.groupby(unit).size()
    order = sorted(unit_labels, key=lambda u: (-int(totals.get(u, 0)), list(unit_labels).index(u)))
    texts = [wrap(unit_labels[u], 26) for u in order]
    lines = [t.count("\n") + 1 for t in texts]
    pitch = [max(0.36, 0.2 * n + 0.12) for n in lines]
    y_pos = np.cumsum([0.0, *pitch[:-1]]) + np.array(pitch) / 2
    # the legend goes below the axes, one entry a line: side by side, long group names would widen the figure past
    # FIGURE_WIDTH, and the page would shrink all its text to fit
    _, entries, legend_lines = _legend([*(group_labels[g] for g in groups), lead_label], most=1)
    legend_in = 0.27 * legend_lines + 0.15
    height = sum(pitch) + 0.9 + legend_in
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, height))
    counts_drawn = []
    for y, u in zip(y_pos, order):
        left = 0
        for g in groups:
            hit = members[(members[unit] == u) & (members[group] == g)]
            if hit.empty:
                continue
            leads = bool((hit[role] == lead).any())
            ax.barh(y, 1, left=left, height=0.3, color=group_colours[g], edgecolor="white", linewidth=1.5,
                    hatch="///" if leads else None)
            left += 1
        counts_drawn.append(ax.text(left + 0.06, y, _fmt(left), va="center", fontsize=MIN_FONT_PT))
    ax.set_yticks(y_pos, texts, fontsize=MIN_FONT_PT)
    ax.set_ylim(sum(pitch), 0)
    top = int(totals.max()) if len(totals) else 1
    ax.set_xlim(0, top + 0.5)
    ax.set_xticks(range(top + 1))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=group_colours[g], edgecolor="white", label=entry) for g, entry in zip(groups, entries)]
    handles.append(Patch(facecolor="0.55", edgecolor="white", hatch="///", label=entries[-1]))
    fig.tight_layout(rect=(0, legend_in / height, 1, 1))
    _fit_axis_title(fig, ax)
    fig.tight_layout(rect=(0, legend_in / fig.get_figheight(), 1, 1))
    _keep_values_inside(fig, ax, counts_drawn)
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 0.0), ncol=1, fontsize=MIN_FONT_PT,
               frameon=False)
    most = [unit_labels[u] for u in order if int(totals.get(u, 0)) == top]
    leads = members[members[role] == lead]
    parts = "; ".join(f"{group_labels[g]}: {unit_labels[u]}" for g, u in zip(leads[group], leads[unit]) if g in group_labels)
    return fig, labels.phrase("alt_membership", what=what, units=len(order), groups=len(groups),
                              most=labels.join(most), top=top, leads=parts)


@_as_written
def ranked_bars(
    values: pd.Series,
    *,
    xlabel: str,
    what: str,
    bar_colour: str | None = None,
    integer: bool = True,
) -> tuple[Figure, str]:
    """One horizontal bar per item, largest on top, each with its value written beside it.

    ``values`` is indexed by the label a reader sees (wrapped); ties keep the series' order.
    """
    order = values.reset_index(drop=True).sort_values(ascending=False, kind="stable").index
    shown = values.iloc[order]
    texts = [wrap(t, 26) for t in shown.index]
    pitch = [max(0.32, 0.22 * (t.count("\n") + 1) + 0.1) for t in texts]
    y_pos = np.cumsum([0.0, *pitch[:-1]]) + np.array(pitch) / 2
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, sum(pitch) + 1.0))
    ax.barh(y_pos, shown.to_numpy(dtype=float), height=0.24, color=bar_colour or PALETTE[0])
    top = float(shown.max()) if len(shown) else 1.0
    values_drawn = [ax.text(float(v) + top * 0.015, y, _fmt(float(v)), va="center", fontsize=MIN_FONT_PT)
                    for y, v in zip(y_pos, shown)]
    ax.set_yticks(y_pos, texts)
    ax.set_ylim(sum(pitch), 0)
    ax.set_xlim(0, top * 1.12)
    if integer:
        ax.set_xticks(range(int(top) + 1))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    _fit_axis_title(fig, ax)
    fig.tight_layout()
    _keep_values_inside(fig, ax, values_drawn)
    best = [str(k) for k, v in shown.items() if v == top]
    return fig, labels.phrase("alt_ranked", what=what, count=len(shown), best=labels.join(best), top=_fmt(top),
                              low=_fmt(float(shown.min())) if len(shown) else "")


@_as_written
def survey_bars(
    survey: pd.DataFrame,
    *,
    question: str,
    groups: Sequence[str],
    item: str | None = None,
    responses: Sequence[str] | None = None,
) -> tuple[Figure, str, pd.DataFrame]:
    """One survey question (optionally one item) as grouped bars, answers in questionnaire order.

    Returns the figure, its alt text and exactly the rows drawn (for the figure's CSV).
    """
    from .data import response_order

    order = list(responses) if responses is not None else response_order(question)
    rows = survey[(survey["question"] == question) & survey["group"].isin(groups) & survey["response"].isin(order)]
    if item is not None:
        rows = rows[rows["item"] == item]
    present = [g for g in groups if (rows["group"] == g).any()]
    if rows.empty:
        raise ValueError(f"no survey rows for question {question!r}, item {item!r}, groups {list(groups)}")
    drawn = rows[["question", "item", "group", "response", "percent", "n", "section", "figure", "kind"]].reset_index(drop=True)
    drawn["response"] = drawn["response"].astype(str)
    drawn["group"] = drawn["group"].astype(str)
    fig, alt = grouped_bars(
        drawn,
        category="response",
        group="group",
        value="percent",
        category_labels={r: labels.response_label(r) for r in order},
        group_labels={g: labels.term(g) for g in present},
        xlabel=labels.term("percent"),
        what=labels.term(question).lower(),
    )
    return fig, alt, drawn


#: How each relation kind of ``governance_relations.csv`` is drawn: (line style, palette index, line width). Every
#: kind differs from every other in line style or width as well as colour, so the legend works without colour vision.
RELATION_STYLES: dict[str, tuple[object, int, float]] = {
    "leads": ("-", 0, 1.6),
    "decides_for": ("-", 3, 3.0),
    "coordinates": ("--", 2, 1.8),
    "advises": (":", 1, 2.2),
    "reports_to": ("-.", 4, 1.8),
    "secretariat_for": ((0, (6, 2, 1, 2, 1, 2)), 5, 1.8),
    "escalates_to": ((0, (1, 1.5)), 7, 1.2),  # "kan løftes videre": a channel used when needed, thin and dotted
}

#: Diagram geometry (inches): gap between boxes in a row, room between rows for arrows, padding inside a box.
_BOX_GAP = 0.3
_ROW_GAP = 0.62
_BOX_PAD = 0.05
#: A frame around a band stands this far off its boxes, so an arrow ending on the frame is not read as ending on a box.
_FRAME_MARGIN = 0.12
#: Width the diagram's drawing may take: the saved figure adds 0.1 in of padding each side, and a figure wider than
#: about 6.3 in drops its 12 pt text below 9 px on a 390 px phone (the browser suite measures it).
_DRAW_WIDTH = FIGURE_WIDTH - 0.45
#: Average advance of a DejaVu Sans character in em (measured over the labels of governance_bodies.csv, rounded up),
#: used to wrap a label so it fits its box at MIN_FONT_PT.
_CHAR_EM = 0.58
_LINE_IN = MIN_FONT_PT * 1.22 / 72


def _text_width(text: str, weight: str = "normal", size: float = MIN_FONT_PT) -> float:
    """Width in inches of ``text`` (its longest line) drawn at ``size`` points in the theme's font, measured by
    matplotlib itself."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(size=size, weight=weight)
    return max(TextToPath().get_text_width_height_descent(line, font, ismath=False)[0]
               for line in str(text).split("\n")) / 72


def _box_wrap(text: str, width_in: float) -> str:
    """``text`` in lines that fit a box ``width_in`` wide at MIN_FONT_PT (:func:`wrap`, measured by matplotlib):
    broken at spaces, after "/" and hyphens, and a word too long for a line (Norwegian compounds such as
    "Departementsrådsgruppen") hyphenated where the edition's dictionary allows, a compound's joint first."""
    room = (width_in - 2 * _BOX_PAD) * 0.94  # a margin for the renderer's hinting and the SVG viewer's font
    return wrap(text, room, fits=lambda line: _text_width(line) <= room)


def _clip_to_box(centre: tuple[float, float], half: tuple[float, float], towards: tuple[float, float]) -> tuple[float, float]:
    """The point where the line from a box's centre towards ``towards`` leaves the box."""
    (cx, cy), (hw, hh) = centre, half
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return centre
    scale = min(hw / abs(dx) if dx else np.inf, hh / abs(dy) if dy else np.inf)
    return cx + dx * scale, cy + dy * scale


def _segments_cross(p1, p2, q1, q2) -> bool:
    """True if the open segments p1–p2 and q1–q2 cross (touching at an end does not count)."""
    def orient(a, b, c):
        value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return 0 if abs(value) < 1e-9 else (1 if value > 0 else -1)

    o1, o2, o3, o4 = orient(p1, p2, q1), orient(p1, p2, q2), orient(q1, q2, p1), orient(q1, q2, p2)
    return o1 * o2 < 0 and o3 * o4 < 0


def _arc_points(a: tuple[float, float], b: tuple[float, float], rad: float, steps: int = 16) -> list:
    """Points along the arrow from a to b as matplotlib draws it with connectionstyle arc3 (a quadratic Bézier)."""
    if rad == 0:
        return [a, b]
    control = ((a[0] + b[0]) / 2 + rad * (b[1] - a[1]), (a[1] + b[1]) / 2 - rad * (b[0] - a[0]))
    ts = np.linspace(0, 1, steps)
    return [((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * control[0] + t ** 2 * b[0],
             (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * control[1] + t ** 2 * b[1]) for t in ts]


def _segment_hits_box(p1, p2, box: tuple[float, float, float, float]) -> bool:
    """True if the segment p1–p2 passes through the rectangle ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0
    dx, dy = p2[0] - p1[0], p2[1] - p1[1]
    for p, q in ((-dx, p1[0] - x0), (dx, x1 - p1[0]), (-dy, p1[1] - y0), (dy, y1 - p1[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return t1 - t0 > 1e-6


def diagram_layout(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    node: str,
    label: str,
    layer: str,
    layer_order: Sequence[str | Sequence[str]],
    source: str,
    target: str,
    kind: str,
    columns: int = 3,
    spare: int = 1,
    restarts: int = 10,
    group_frames: bool = True,
) -> dict:
    """Where :func:`diagram` puts each box and arrow, chosen so no two arrows cross and no arrow runs through a box.

    Each entry of ``layer_order`` is one band of rows (a level, or several levels side by side); a band holds at most
    ``columns`` boxes a row and as many rows as it needs. Within each band the boxes are moved between slots (empty
    slots included) as long as that lowers the number of crossings, then of arrows through boxes, then the total arrow
    length. Where a body has the same relation to every body of a band, one arrow goes to a frame around the band.
    Returns the geometry and ``crossings`` / ``through_boxes``, which a test holds at zero for the chapter's data.
    """
    bands = [(entry,) if isinstance(entry, str) else tuple(entry) for entry in layer_order]
    box_w = (_DRAW_WIDTH - 2 * _FRAME_MARGIN - _BOX_GAP * (columns - 1)) / columns
    x_start = (FIGURE_WIDTH - _DRAW_WIDTH) / 2 + _FRAME_MARGIN
    wrapped = {str(r[node]): _box_wrap(r[label], box_w) for _, r in nodes.iterrows()}
    band_nodes = [[str(n) for n in nodes.loc[nodes[layer].isin(b), node]] for b in bands]
    missing = set(nodes[node].astype(str)) - {n for members in band_nodes for n in members}
    if missing:
        raise ValueError(f"diagram: no band of layer_order holds the level of {sorted(missing)}")
    # geometry of each band: its rows' tops (inches from the top, growing downwards) and one box height per band
    # a band with room to spare (spare empty slots) leaves lanes for arrows between the bands above and below it
    band_rows = [max(1, int(np.ceil((len(m) + (spare if len(m) >= columns else 0)) / columns))) for m in band_nodes]
    band_height = [max(wrapped[n].count("\n") + 1 for n in m) * _LINE_IN + 2 * _BOX_PAD if m else 0 for m in band_nodes]
    row_top: list[list[float]] = []
    y = 0.0
    for rows, height in zip(band_rows, band_height):
        row_top.append([y + i * (height + _ROW_GAP) for i in range(rows)])
        y += rows * (height + _ROW_GAP)
    total_height = y - _ROW_GAP

    # relations drawn once: a reciprocal pair is two arcs on one line; a body related alike to a whole band gets one
    # arrow to the band's frame
    rel = edges[[source, target, kind]].astype(str).drop_duplicates()
    band_of = {n: b for b, members in enumerate(band_nodes) for n in members}
    frames: dict[tuple[str, str, int], list[str]] = {}
    for (src, k), group in rel.groupby([source, kind], sort=False):
        for b, members in enumerate(band_nodes):
            if group_frames and len(members) > 2 and src not in members and set(members) <= set(group[target]):
                frames[(src, k, b)] = members
    framed = {(src, m, k) for (src, k, _), members in frames.items() for m in members}
    arrows = [(s, t, k) for s, t, k in rel.itertuples(index=False) if (s, t, k) not in framed]

    def geometry(slots: dict[str, tuple[int, int, int]]):
        centre = {n: (x_start + (c + 0.5) * box_w + c * _BOX_GAP, -(row_top[b][r] + band_height[b] / 2))
                  for n, (b, r, c) in slots.items()}
        half = {n: (box_w / 2, band_height[b] / 2) for n, (b, _, _) in slots.items()}
        frame_box = {}
        for key, members in frames.items():
            xs = [centre[m][0] for m in members]
            ys = [centre[m][1] for m in members]
            hh = band_height[key[2]] / 2
            m = _FRAME_MARGIN
            frame_box[key] = (min(xs) - box_w / 2 - m, min(ys) - hh - m, max(xs) + box_w / 2 + m, max(ys) + hh + m)
        lines = []
        for s, t, k in arrows:
            a = _clip_to_box(centre[s], half[s], centre[t])
            b = _clip_to_box(centre[t], half[t], centre[s])
            lines.append((s, t, k, a, b))
        for (s, k, b), box in frame_box.items():
            x0, y0, x1, y1 = box
            tx = min(max(centre[s][0], x0 + 0.3), x1 - 0.3)
            ty = y1 if centre[s][1] > y1 else y0
            lines.append((s, f"frame:{b}", k, _clip_to_box(centre[s], half[s], (tx, ty)), (tx, ty)))
        return centre, half, frame_box, lines

    def conflicts(centre, half, paths) -> int:
        """Crossings between arrows of different bodies, plus arrows through a box (each path a polyline)."""
        count = 0
        for i, (s1, t1, p1) in enumerate(paths):
            for s2, t2, p2 in paths[i + 1:]:
                if not {s1, t1} & {s2, t2}:
                    count += sum(_segments_cross(a1, b1, a2, b2) for a1, b1 in zip(p1, p1[1:])
                                 for a2, b2 in zip(p2, p2[1:]))
            for n, (cx, cy) in centre.items():
                if n in (s1, t1):
                    continue
                hw, hh = half[n]
                box = (cx - hw - 0.03, cy - hh - 0.03, cx + hw + 0.03, cy + hh + 0.03)
                count += any(_segment_hits_box(a, b, box) for a, b in zip(p1, p1[1:]))
        return count

    def unique_paths(lines, rads=None):
        seen, paths = set(), []
        for s, t, k, a, b in lines:
            pair = frozenset((s, t))
            if pair not in seen:
                seen.add(pair)
                paths.append((s, t, _arc_points(a, b, (rads or {}).get((s, t), 0.0))))
        return paths

    def cost(slots):
        centre, half, frame_box, lines = geometry(slots)
        paths = unique_paths(lines)
        length = sum(np.hypot(p[-1][0] - p[0][0], p[-1][1] - p[0][1]) for _, _, p in paths)
        return conflicts(centre, half, paths), length

    # start: each band's boxes in data order, rows filled left to right, a short row centred
    slots: dict[str, tuple[int, int, int]] = {}
    for b, members in enumerate(band_nodes):
        for i, n in enumerate(members):
            r, c = divmod(i, columns)
            in_row = min(columns, len(members) - r * columns)
            slots[n] = (b, r, c + (columns - in_row) // 2)
    def descend(slots):
        best = cost(slots)
        improved = True
        while improved:
            improved = False
            for b, members in enumerate(band_nodes):
                cells = [(b, r, c) for r in range(band_rows[b]) for c in range(columns)]
                for i, cell_a in enumerate(cells):
                    for cell_b in cells[i + 1:]:
                        at = {v: n for n, v in slots.items()}
                        na, nb_ = at.get(cell_a), at.get(cell_b)
                        if na is None and nb_ is None:
                            continue
                        trial = dict(slots)
                        if na is not None:
                            trial[na] = cell_b
                        if nb_ is not None:
                            trial[nb_] = cell_a
                        score = cost(trial)
                        if score < best:
                            slots, best, improved = trial, score, True
        return best, slots

    # swapping boxes pairwise stops in a local optimum: start again from shuffled placements (a fixed seed, so the
    # same data always gives the same picture) and keep the best
    best, slots = descend(slots)
    rng = np.random.default_rng(2023)
    for _ in range(restarts):
        if best[0] == 0:
            break
        trial = {}
        for b, members in enumerate(band_nodes):
            cells = [(b, r, c) for r in range(band_rows[b]) for c in range(columns)]
            for n, k in zip(members, rng.permutation(len(cells))[:len(members)]):
                trial[n] = cells[k]
        score, trial = descend(trial)
        if score < best:
            best, slots = score, trial
    # close up rows the search left empty, unless that brings back a crossing
    used_rows = {(b, r) for b, r, _ in slots.values()}
    renumber = {b: {r: k for k, r in enumerate(r for r in range(band_rows[b]) if (b, r) in used_rows)}
                for b in range(len(band_nodes))}
    kept_top = [list(tops) for tops in row_top]
    y = 0.0
    for b in range(len(band_nodes)):
        rows = max(1, len(renumber[b]))
        row_top[b] = [y + i * (band_height[b] + _ROW_GAP) for i in range(rows)]
        y += rows * (band_height[b] + _ROW_GAP)
    compact = {n: (b, renumber[b][r], c) for n, (b, r, c) in slots.items()}
    if cost(compact)[0] <= best[0]:
        slots, total_height = compact, y - _ROW_GAP
    else:
        row_top[:] = kept_top
    centre, half, frame_box, lines = geometry(slots)
    # an arrow still running through a box may bend round it: try arcs either side, keep the first that helps
    rads: dict[tuple[str, str], float] = {}
    current = conflicts(centre, half, unique_paths(lines))
    for s, t, _, _ in [(s, t, a, b) for s, t, k, a, b in lines]:
        if current == 0:
            break
        for rad in (0.2, -0.2, 0.35, -0.35, 0.5, -0.5):
            score = conflicts(centre, half, unique_paths(lines, {**rads, (s, t): rad}))
            if score < current:
                rads[(s, t)], current = rad, score
    lines = [(s, t, k, a, b, rads.get((s, t), 0.0)) for s, t, k, a, b in lines]
    best = (current, best[1])
    return {"centre": centre, "half": half, "frames": frame_box, "lines": lines, "wrapped": wrapped,
            "height": total_height, "conflicts": best[0]}


def _frame_label_place(name: str, frame: tuple[float, float, float, float], paths: list) -> tuple:
    """Where a band's name sits on its frame (x, y and ha= for ``ax.text``): on the top edge at the left, else at the
    right, else on the bottom edge, wherever no arrow runs through it."""
    x0, y0, x1, y1 = frame
    width, half = _text_width(name) + 0.2, _LINE_IN / 2 + 0.06
    places = [(x0 + 0.1, y1, "left"), (x1 - 0.1, y1, "right"), (x0 + 0.1, y0, "left"), (x1 - 0.1, y0, "right")]
    for x, y, ha in places:
        left = x - 0.1 if ha == "left" else x - width + 0.1
        box = (left, y - half, left + width, y + half)
        if not any(_segment_hits_box(p, q, box) for path in paths for p, q in zip(path, path[1:])):
            return x, y, ha
    return places[0]


@_as_written
def diagram(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    node: str,
    label: str,
    layer: str,
    layer_order: Sequence[str | Sequence[str]],
    source: str,
    target: str,
    kind: str,
    kind_labels: dict[str, str],
    what: str,
    band_labels: dict[str, str] | None = None,
    context: Sequence[str] = (),
    context_label: str = "",
    columns: int = 3,
    spare: int = 1,
) -> tuple[Figure, str]:
    """Boxes in bands of rows (top = first of ``layer_order``) joined by arrows styled by relation kind.

    Drawn from the data alone, laid out by :func:`diagram_layout` (no crossings, no arrow through a box). A body with
    no relation in ``edges`` is drawn with a dashed outline and named in the legend and the alt text. ``band_labels``
    names a band (by its first level) where one arrow reaches a frame around the whole band.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    layout = diagram_layout(nodes, edges, node=node, label=label, layer=layer, layer_order=layer_order, source=source,
                            target=target, kind=kind, columns=columns, spare=spare)
    bands = [(entry,) if isinstance(entry, str) else tuple(entry) for entry in layer_order]
    related = set(edges[source].astype(str)) | set(edges[target].astype(str))
    isolated = [str(n) for n in nodes[node] if str(n) not in related]
    used = [k for k in kind_labels if (edges[kind].astype(str) == k).any()]
    legend_texts = ([kind_labels[k] for k in used] + ([labels.phrase("no_relation_stated")] if isolated else [])
                    + ([context_label] if context and context_label else []))
    ncol, entries, legend_lines = _legend(legend_texts, most=2, handle_in=0.75, spacing_in=0.2)
    height = layout["height"] + 0.35 + 0.3 * legend_lines
    fig = plt.figure(figsize=(FIGURE_WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, FIGURE_WIDTH)
    ax.set_ylim(-height + 0.05, 0.05)
    ax.axis("off")
    pairs = {(s, t) for s, t, *_ in layout["lines"]}
    # every arrow as the polyline matplotlib draws (a reciprocal pair as two arcs), for placing the bands' names
    paths = [_arc_points(a, b, rad or (0.18 if (t, s) in pairs else 0.0)) for s, t, k, a, b, rad in layout["lines"]]
    named: set[tuple[float, float, float, float]] = set()
    for (src, k, b), (x0, y0, x1, y1) in layout["frames"].items():
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="0.96", edgecolor="0.45", linewidth=1.0,
                               zorder=1))
        name = (band_labels or {}).get(bands[b][0])
        if name and (x0, y0, x1, y1) not in named:  # two bodies' arrows to one band: one frame, named once
            named.add((x0, y0, x1, y1))
            x, y, ha = _frame_label_place(name, (x0, y0, x1, y1), paths)
            ax.text(x, y, name, ha=ha, va="center", fontsize=MIN_FONT_PT,
                    color="0.2", bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none"))
    for s, t, k, a, b, rad in layout["lines"]:
        style, colour_index, width = RELATION_STYLES.get(k, ("-", 7, 1.6))
        if (t, s) in pairs and not rad:
            rad = 0.18  # a reciprocal pair: two arcs, one on each side of the line
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, linestyle=style, linewidth=width,
                                     color=PALETTE[colour_index], connectionstyle=f"arc3,rad={rad}", shrinkA=1,
                                     shrinkB=1, zorder=2))
    for n, (cx, cy) in layout["centre"].items():
        hw, hh = layout["half"][n]
        lone = n in isolated
        ax.add_patch(FancyBboxPatch((cx - hw, cy - hh), 2 * hw, 2 * hh, boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor="0.9" if n in context else "white",
                                    edgecolor="0.45" if lone else "0.25", linewidth=1.1,
                                    linestyle=(0, (3, 2)) if lone else "-", zorder=3))
        ax.text(cx, cy, layout["wrapped"][n], ha="center", va="center", fontsize=MIN_FONT_PT, zorder=4,
                linespacing=1.1)
    handles = [plt.Line2D([], [], linestyle=RELATION_STYLES[k][0], color=PALETTE[RELATION_STYLES[k][1]],
                          linewidth=RELATION_STYLES[k][2]) for k in used]
    if isolated:
        handles.append(Patch(facecolor="white", edgecolor="0.45", linestyle=(0, (3, 2))))
    if context and context_label:
        handles.append(Patch(facecolor="0.9", edgecolor="0.25"))
    for handle, entry in zip(handles, entries):
        handle.set_label(entry)
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, fontsize=MIN_FONT_PT,
              frameon=False, handlelength=3.0, columnspacing=1.2)
    counts = edges[kind].astype(str).value_counts()
    rels = labels.join([f"{int(counts[k])} {kind_labels[k]}" for k in used])
    degree = pd.concat([edges[source], edges[target]]).astype(str).value_counts()
    names = dict(zip(nodes[node].astype(str), nodes[label].astype(str)))
    alt = labels.phrase("alt_diagram", what=what, nodes=len(nodes), layers=len(bands), relations=rels)
    if len(degree) == 1 or degree.iloc[0] > degree.iloc[1]:  # name the hub only when one body has the most
        alt += " " + labels.phrase("alt_diagram_hub", hub=names[degree.index[0]], count=int(degree.iloc[0]))
    if isolated:
        alt += " " + labels.phrase("alt_diagram_isolated", bodies=labels.join([names[n] for n in isolated]))
    return fig, alt


#: How long a date given as a year, a season or a month lasts (days), for the bar the timeline draws across it.
_PRECISION_DAYS = {"year": 365, "season": 91, "month": 30}
#: An event under way is half-filled (the colour at 45 %); a passed deadline is outlined in vermilion and crossed.
_UNDER_WAY_FILL = (*matplotlib.colors.to_rgb(PALETTE[0]), 0.45)
_MISSED_COLOUR = PALETTE[3]


@_as_written
def timeline(
    events: pd.DataFrame,
    *,
    row: str,
    date: str,
    precision: str,
    planned: str,
    label: str,
    row_labels: dict[str, str],
    what: str,
    period: tuple[str, str, str] | None = None,
    status: str | None = None,
) -> tuple[Figure, str]:
    """Every row of ``row_labels`` (dict order) with its dated events, each labelled on the left.

    A date given only as a year, a season or a month is drawn as a bar across that period, a day as a diamond;
    filled for what had happened at the time of the report, hollow for what was planned. A row without events is
    kept and says so. ``period`` = (first day, last day, label) shades a period such as the strategy's.
    With ``status`` (a column of ``measure_events.csv``'s codes), an event ``under_way`` is drawn half-filled and a
    ``deadline_missed`` hollow in a second colour with a cross at its end, so a passed deadline never reads as a
    plan still ahead.
    """
    from matplotlib.transforms import blended_transform_factory

    lines: list[tuple[str, object]] = []  # ("head", row key) or ("event", event row)
    for r in row_labels:
        lines.append(("head", r))
        for _, e in events[events[row] == r].sort_values(date).iterrows():
            lines.append(("event", e))
        if not (events[row] == r).any():
            lines.append(("empty", r))  # the row stays, saying it has no date rather than vanishing
    # the drawing stays about 6 in wide (see _DRAW_WIDTH): labels from 4 % of the width, the time axis to 92 %
    left = 0.52
    # a row's name (bold) heads its rows across the whole drawing, where no grid line or spine runs (see below)
    head_room = (0.92 - 0.04) * FIGURE_WIDTH * 0.95
    heads = {r: wrap(row_labels[r], head_room, fits=lambda line: _text_width(line, "bold") <= head_room)
             for r in row_labels}
    # an event's label is wrapped to the labels' column (right of the rows' names' indent, left of the time axis)
    event_room = (left - 0.02 - 0.04) * FIGURE_WIDTH * 0.95

    def event_text(text) -> str:
        return wrap(text, event_room, fits=lambda line: _text_width(line) <= event_room)

    heights = [0.2 + 0.2 * (event_text(v[label]).count("\n") + 1) if k == "event"
               else 0.14 + 0.2 * (heads[v].count("\n") + 1) if k == "head" else 0.34 for k, v in lines]
    plot_height = sum(heights)
    states = set(events[status].astype(str)) if status is not None else set()
    # the legend (two entries a row) grows by a row for under-way events and passed deadlines
    extra = 0.28 * (math.ceil((2 + len(states & {"under_way", "deadline_missed"})) / 2) - 1)
    total = plot_height + 1.15 + extra
    fig = plt.figure(figsize=(FIGURE_WIDTH, total))
    ax = fig.add_axes((left, (0.75 + extra) / total, 0.92 - left, plot_height / total))
    start = pd.Timestamp(events[date].min()).replace(month=1, day=1)
    end = pd.Timestamp(events[date].max()).replace(month=1, day=1) + pd.DateOffset(years=1)
    ax.set_xlim(start, end)
    ax.set_ylim(plot_height, 0)
    if period is not None:
        ax.axvspan(pd.Timestamp(period[0]), pd.Timestamp(period[1]), color="0.92", zorder=0)
        # its name above it, centred on it as far as the time axis allows, wrapped to the axis's width
        axis_in = (0.92 - left) * FIGURE_WIDTH
        name = wrap(period[2], axis_in, fits=lambda line: _text_width(line) <= axis_in)
        half = min(_text_width(name) / axis_in, 1.0) / 2
        middle = pd.Timestamp(period[0]) + (pd.Timestamp(period[1]) - pd.Timestamp(period[0])) / 2
        centre = min(max((middle - start) / (end - start), half), 1 - half)
        ax.text(centre, -0.05, name, transform=blended_transform_factory(ax.transAxes, ax.transData), ha="center",
                va="bottom", fontsize=MIN_FONT_PT, color="0.25", linespacing=1.05)
    text_x = blended_transform_factory(fig.transFigure, ax.transData)
    colour_ = PALETTE[0]
    y = 0.0
    empty = []
    missed: list[str] = []
    for (k, v), h in zip(lines, heights):
        mid = y + h / 2
        if k == "head":
            ax.text(0.04, mid, heads[v], transform=text_x, ha="left", va="center", fontsize=MIN_FONT_PT,
                    fontweight="bold", linespacing=1.05)
            ax.axhline(y, color="0.8", linewidth=0.8, zorder=1)
        elif k == "empty":
            empty.append(row_labels[v])
            ax.text(left - 0.02, mid, labels.phrase("no_dated_event"), transform=text_x, ha="right", va="center",
                    fontsize=MIN_FONT_PT, fontstyle="italic", color="0.25")
        else:
            ax.text(left - 0.02, mid, event_text(v[label]), transform=text_x, ha="right", va="center",
                    fontsize=MIN_FONT_PT, linespacing=1.05)
            when = pd.Timestamp(v[date])
            state = str(v[status]) if status is not None else ("planned" if bool(v[planned]) else "happened")
            edge = _MISSED_COLOUR if state == "deadline_missed" else colour_
            fill = {"happened": colour_, "under_way": _UNDER_WAY_FILL}.get(state, "white")
            days = _PRECISION_DAYS.get(str(v[precision]))
            if days:
                ax.barh(mid, pd.Timedelta(days=days), left=when, height=0.22, color=fill, edgecolor=edge,
                        linewidth=1.6, zorder=3)
                end = when + pd.Timedelta(days=days)
            else:
                ax.plot(when, mid, "D", markersize=9, color=edge, markerfacecolor=fill, markeredgewidth=1.6, zorder=3)
                end = when
            if state == "deadline_missed":
                ax.plot(end, mid, "X", markersize=8, color=_MISSED_COLOUR, zorder=4)
                missed.append(str(v[label]))
        y += h
    ax.set_yticks([])
    ax.grid(False)
    ax.xaxis.set_major_locator(matplotlib.dates.YearLocator(2))
    ax.xaxis.set_minor_locator(matplotlib.dates.YearLocator(1))
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y"))
    # a grid line each year, drawn through the event rows only: a row's name runs across the drawing undisturbed
    # (nor does the left spine cross it)
    tops = np.cumsum([0.0, *heights[:-1]])
    years = [pd.Timestamp(year=y, month=1, day=1) for y in range(start.year, end.year + 1)]
    for (k, _), top, h in zip(lines, tops, heights):
        if k != "head":
            ax.vlines(years, top, top + h, colors="0.85", linewidth=0.8, zorder=0.5)
    ax.spines["left"].set_visible(False)
    done = Patch(facecolor=colour_, edgecolor=colour_, label=labels.phrase("happened"))
    plan = Patch(facecolor="white", edgecolor=colour_, linewidth=1.6, label=labels.phrase("planned"))
    handles = [done, plan]
    if "under_way" in states:
        handles.append(Patch(facecolor=_UNDER_WAY_FILL, edgecolor=colour_, linewidth=1.6,
                             label=labels.phrase("event_under_way")))
    if "deadline_missed" in states:
        handles.append(plt.Line2D([], [], marker="X", linestyle="none", markersize=8, color=_MISSED_COLOUR,
                                  markerfacecolor=_MISSED_COLOUR, label=labels.phrase("deadline_missed")))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False,
               fontsize=MIN_FONT_PT)
    first, last = events[date].min(), events[date].max()
    n_planned = int(events[planned].astype(bool).sum())
    alt = labels.phrase("alt_timeline", what=what, events=len(events), first=f"{first:%Y}", last=f"{last:%Y}",
                        planned=n_planned)
    per_row = [labels.phrase("alt_timeline_row", row=row_labels[r], events=int((events[row] == r).sum()))
               for r in row_labels if (events[row] == r).any()]
    alt += " " + "; ".join(per_row) + "."
    if empty:
        alt += " " + labels.phrase("alt_timeline_empty", rows=labels.join(empty))
    if missed:
        alt += " " + labels.phrase("alt_timeline_missed", events=labels.join(missed))
    return fig, alt


#: Chapter 4's status grid (:func:`status_grid`): dark blue, sky blue and orange differ in lightness as well as hue,
#: so they stay apart in every common colour-vision deficiency; each cell also says its status in words. A status
#: mapped to None is evidence that is missing (the report is silent): a white, hatched cell, as missing values are
#: drawn everywhere.
STATUS_COLOURS: dict[str, str | None] = {
    "shared": PALETTE[0],
    "partly shared": PALETTE[9],
    "not shared": PALETTE[1],
    "not stated": None,
}


@_as_written
def status_grid(
    matrix: pd.DataFrame,
    *,
    status_labels: dict[str, str],
    what: str,
    colours: dict[str, str | None] | None = None,
) -> tuple[Figure, str]:
    """Rows × columns of categorical statuses (e.g. service area × country), each cell coloured and labelled.

    ``matrix`` holds status codes; its index and columns are already the reader's wording, in the order to draw them.
    ``status_labels`` gives the legend order and the wording of each status. Cell text is wrapped to fit the cell,
    the column labels sit on top, where a reader looks first.
    """
    from matplotlib.patches import Rectangle

    colours = colours or STATUS_COLOURS
    rows, cols = matrix.shape
    # every text wrapped to its place, measured: row names in a column of their own, each cell's status and each
    # column's name within the cell's width; a row is as tall as its tallest text
    row_text = [wrap(r, 22) for r in matrix.index]  # 22 characters: ~2 in at 12 pt
    cell_in = (FIGURE_WIDTH * 0.96 - max((_text_width(t) for t in row_text), default=0.5) - 0.2) / max(cols, 1)
    cell_room, head_room = cell_in * 0.96 - 0.25, cell_in * 0.94

    def in_cell(text: str, weight: str = "normal", room: float = cell_room) -> str:
        return wrap(text, room, fits=lambda line: _text_width(line, weight) <= room)

    statuses = matrix.to_numpy(dtype=object)
    cell_text = {(i, j): in_cell(status_labels.get(st, str(st))) for (i, j), st in np.ndenumerate(statuses)}
    head_text = [in_cell(str(c), "bold", head_room) for c in matrix.columns]
    tallest = [max([row_text[i].count("\n") + 1, *(cell_text[i, j].count("\n") + 1 for j in range(cols))])
               for i in range(rows)]
    row_in = max([0.52, *(0.2 * n + 0.16 for n in tallest)])
    ncol, entries, legend_lines = _legend(list(status_labels.values()), most=2)
    head_lines = max((t.count("\n") + 1 for t in head_text), default=1)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, row_in * rows + 0.22 * head_lines + 0.3 * legend_lines + 0.6),
                           layout="constrained")
    dark = {PALETTE[0]}
    for (i, j), status in np.ndenumerate(statuses):
        fill = colours.get(status)
        ax.add_patch(Rectangle((j - 0.48, i - 0.46), 0.96, 0.92, facecolor=fill or "white",
                               edgecolor="0.45" if fill is None else "white", hatch=MISSING_HATCH if fill is None else None,
                               linewidth=0.8))
        text = cell_text[i, j]
        ax.text(j, i, text, ha="center", va="center", fontsize=MIN_FONT_PT, linespacing=1.0,
                color="white" if fill in dark else "black",
                bbox=None if fill else dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none"))
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.set_xticks(range(cols), head_text, fontweight="bold")
    ax.set_yticks(range(rows), row_text)
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Patch(facecolor=colours.get(s) or "white", edgecolor="0.45", hatch=None if colours.get(s) else MISSING_HATCH,
                     label=entry) for s, entry in zip(status_labels, entries)]
    fig.legend(handles=handles, loc="outside lower center", frameon=False, fontsize=MIN_FONT_PT, ncol=ncol)
    parts = []
    for column in matrix.columns:
        counts = matrix[column].value_counts()
        inner = ", ".join(labels.phrase("status_count", count=int(counts[s]), status=label)
                          for s, label in status_labels.items() if counts.get(s, 0))
        parts.append(f"{column}: {inner}")
    return fig, labels.phrase("alt_status_grid", what=what, rows=rows, cols=cols, parts="; ".join(parts))
