"""What every chart shares: the theme and its colours, the smallest text, wrapping and hyphenation of labels,
and the check that no drawn text overlaps another text or a line (``ch.figure`` refuses a figure that fails it)."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless everywhere: papermill, nbval, CI

from matplotlib.figure import Figure
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import labels
from ..hyphenation import hyphenation_points

#: seaborn's colour-blind palette (set by the style sheet as the colour cycle), used for every categorical colour.
THEME = Path(__file__).with_name("theme.mplstyle")
PALETTE: list[str] = list(matplotlib.rc_params_from_file(THEME, use_default_template=False)["axes.prop_cycle"]
                          .by_key()["color"])
MISSING_HATCH = "///"

#: Every figure is drawn twice, by the same chart function from the same data: for the desktop column this wide
#: (inches; 576 CSS px, shown at full size from about 700 px of viewport, so the theme's smallest text, MIN_FONT_PT,
#: shows at 16 px) and for a phone PHONE_WIDTH wide (403 px, which a 390 px phone shows at about 339 px: the smallest
#: text at about 13 px). The page serves each width its own SVG (``ch.figure``; tests/test_browser.py measures it).
FIGURE_WIDTH = 6.0
PHONE_WIDTH = 4.2
_WIDTH: contextvars.ContextVar[float] = contextvars.ContextVar("figure_width", default=FIGURE_WIDTH)


def figure_width() -> float:
    """The width (inches) of the drawing being made: :data:`FIGURE_WIDTH`, or :data:`PHONE_WIDTH` inside
    :func:`drawn_at`. Chart functions read it when they draw, never at import."""
    return _WIDTH.get()


def label_wrap(characters: int) -> int:
    """Where to wrap a category label written for the desktop layout at ``characters``: the label column narrows with
    the drawing, so a phone's plot area keeps room for its bars and numbers."""
    return max(10, round(characters * figure_width() / FIGURE_WIDTH))


@contextlib.contextmanager
def drawn_at(width: float) -> Iterator[None]:
    """Draw every chart inside this block ``width`` inches wide."""
    token = _WIDTH.set(width)
    try:
        yield
    finally:
        _WIDTH.reset(token)


@dataclass(frozen=True)
class Drawing:
    """A figure drawn outside matplotlib (a Graphviz diagram): its SVG at full size, and the size in points of every
    text in it as the page shows it at full size (``ch.figure`` holds them to :data:`MIN_FONT_PT`)."""

    svg: bytes
    texts: tuple[str, ...]
    font_sizes: tuple[float, ...]
    #: Width of the SVG at full size, in inches; at most the :func:`figure_width` it was drawn for.
    width_in: float


#: How each chart still to be shown was drawn: ``ch.figure`` draws it again for the phone (:func:`redraw`).
_DRAWN: dict[int, tuple[object, Callable[[], Any]]] = {}


def redrawable(function: Callable[..., Any]) -> Callable[..., Any]:
    """Remember how each figure ``function`` returns was drawn (its arguments), so that ``ch.figure`` can draw the
    same chart again at the phone's width (:func:`redraw`). Every chart function of this package has it."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        figure = result[0] if isinstance(result, tuple) else result
        _DRAWN[id(figure)] = (figure, functools.partial(function, *args, **kwargs))
        return result

    return wrapper


def redraw(figure: object, width: float) -> tuple[Any, str] | None:
    """``figure`` (as a chart function returned it) drawn again ``width`` inches wide, with its alt text; None for a
    figure no chart function of this package drew. The first drawing's record is dropped: each is redrawn once."""
    record = _DRAWN.pop(id(figure), None)
    if record is None or record[0] is not figure:
        return None
    with drawn_at(width):
        return record[1]()


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



def _as_written(function):
    """Every text argument of a chart (a label, a wording dict, a frame's cells and index) as written: text escaped
    for prose (``tables.escape_markdown``, ``inline.escape``) is drawn as the text it escaped, so "Core-group" escaped
    is drawn "Core-group", and any other text exactly as typed, a backslash too (:func:`helpers.tables.as_written`).
    Column names and codes are left as they are."""
    from ..escape import Escaped, Markdown
    from ..tables import as_written

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

    return redrawable(wrapper)



#: break opportunities inside a word: after a slash ("ledelse/regjeringen") and after a hyphen the word already has
#: ("HR-tjenester", "Kommunal-"), with at least two characters either side ("e-helse" stays whole)
_INNER_BREAK = re.compile(r"(?<=\S/)(?=\S)|(?<=\w\w-)(?=\w\w)")
_VOWELS = "aeiouyæøåAEIOUYÆØÅ"


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


def wrap(text: object, width: float, *, fits=None, lang: str | None = None, anywhere: bool = False) -> str:
    """``text`` in lines that fit ``width`` characters (or, with ``fits``, lines for which ``fits(line)`` is true),
    broken between words, after a slash or a hyphen the text has, and a word longer than a line only where the
    language's hyphenation dictionary allows it (``lang``, default the edition's: :func:`helpers.labels.current`).
    A word with no such point stays whole, or with ``anywhere`` is cut where the line is full (the last resort for
    a box that cannot grow: data text such as a web address). No-break spaces ("10 %") never break."""
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
            if split is None and anywhere and len(piece) > 1:
                cut = max((k for k in range(1, len(piece)) if fits(piece[:k])), default=1)
                split = piece[:cut], piece[cut:]
            if split is None:
                break
            head, piece = split
            lines.append(head)
        line = piece
    if line:
        lines.append(line)
    return "\n".join(lines)



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



def _legend(texts: list[str], most: int = 4, handle_in: float = 0.5, spacing_in: float = 0.35) -> tuple[int, list[str], int]:
    """A legend's columns, entries and height: the most columns (up to ``most``) whose entries fit across the figure
    at the type floor, measured (``handle_in`` for each swatch, ``spacing_in`` between columns; entries fill column
    by column, as matplotlib lays them out); in one column an entry wider than the figure is wrapped. Returns the
    number of columns, the entries and the number of text lines the legend takes."""
    room = figure_width() * 0.94
    widths = [_text_width(t) for t in texts]
    for ncol in range(min(len(texts), most), 0, -1):
        rows = int(np.ceil(len(texts) / ncol))
        columns = [widths[i:i + rows] for i in range(0, len(texts), rows)]
        if sum(max(c) + handle_in for c in columns) + spacing_in * (len(columns) - 1) <= room:
            return ncol, list(texts), rows
    line_room = room - handle_in
    entries = [wrap(t, line_room, fits=lambda line: _text_width(line) <= line_room) for t in texts]
    return 1, entries, sum(e.count("\n") + 1 for e in entries)



def _ink(background: str) -> str:
    """Black or white text, whichever reads better on ``background`` (by its relative luminance)."""
    r, g, b = matplotlib.colors.to_rgb(background)
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"



#: Average advance of a DejaVu Sans character in em (measured over the labels of governance_bodies.csv, rounded up),
#: used to wrap a label so it fits its box at MIN_FONT_PT.
_CHAR_EM = 0.58



def _text_width(text: str, weight: str = "normal", size: float = MIN_FONT_PT) -> float:
    """Width in inches of ``text`` (its longest line) drawn at ``size`` points in the theme's font, measured by
    matplotlib itself."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(size=size, weight=weight)
    return max(TextToPath().get_text_width_height_descent(line, font, ismath=False)[0]
               for line in str(text).split("\n")) / 72



def _segments_cross(p1, p2, q1, q2) -> bool:
    """True if the open segments p1–p2 and q1–q2 cross (touching at an end does not count)."""
    def orient(a, b, c):
        value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return 0 if abs(value) < 1e-9 else (1 if value > 0 else -1)

    o1, o2, o3, o4 = orient(p1, p2, q1), orient(p1, p2, q2), orient(q1, q2, p1), orient(q1, q2, p2)
    return o1 * o2 < 0 and o3 * o4 < 0



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
