"""Grids of cells: the heatmap of measures against goal areas, and the status grid of the Nordic comparison."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import labels
from .core import (
    FIGURE_WIDTH, figure_width, label_wrap, MIN_FONT_PT, MISSING_HATCH, PALETTE, _as_written, _fmt, _ink, _legend, _text_width, wrap,
)

#: Rough width of one character of 12–14 pt sans-serif text, in inches: used to wrap labels so a chart fits
#: FIGURE_WIDTH instead of being scaled down (which would shrink its text below the type floor on the page).
_CHAR_IN = 0.105


@_as_written
def heatmap(
    matrix: pd.DataFrame,
    *,
    what: str,
    colours: dict[str, str],
    value_labels: dict[str, str] | None = None,
    annotate: bool = True,
    cell_labels: dict[str, str] | None = None,
) -> tuple[Figure, str]:
    """A matrix of categories as a heat map, :func:`figure_width` wide: each category its own colour, explained by a
    legend below the map (``value_labels``: legend wording); ``annotate`` writes each cell's category in it
    (``cell_labels``: shorter cell wording, default ``value_labels``), so the map reads without telling colours
    apart. Column labels sit above the map and row labels are wrapped, so nothing is clipped or scaled below the type
    floor; on a phone each row's name stands above its cells.
    """
    rows, cols = matrix.shape
    if figure_width() < FIGURE_WIDTH:
        return _stacked_grid(matrix, value_labels=value_labels, colours=colours, annotate=annotate,
                             cell_labels=cell_labels), _categories_alt(matrix, what, value_labels, colours)
    row_wrap = 24
    row_text = [wrap(r, row_wrap) for r in matrix.index]
    label_in = min(row_wrap, max((len(line) for t in row_text for line in t.split("\n")), default=4)) * _CHAR_IN
    cell_in = max(0.5, (figure_width() - label_in - 0.3) / max(cols, 1))
    col_wrap = int(cell_in / _CHAR_IN)
    col_text = [wrap(c, max(col_wrap, 6)) for c in matrix.columns]
    header_lines = max((t.count("\n") + 1 for t in col_text), default=1)
    row_lines = [t.count("\n") + 1 for t in row_text]
    cell_h = max(0.42, 0.24 * max(row_lines, default=1) + 0.1)
    legend_in = 0.9
    fig, ax = plt.subplots(figsize=(figure_width(), cell_h * rows + 0.25 * header_lines + legend_in + 0.3))
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
    return fig, _categories_alt(matrix, what, value_labels, colours)



def _categories_alt(matrix: pd.DataFrame, what: str, value_labels: dict[str, str] | None,
                    colours: dict[str, str]) -> str:
    counts = matrix.stack().value_counts()
    # "label: count" apart by semicolons: a label may itself hold a comma or end in a number ("table 1")
    summary = "; ".join(f"{(value_labels or {}).get(c, c)}: {int(counts.get(c, 0))}" for c in colours)
    return labels.phrase("alt_heatmap_categories", what=what, rows=matrix.shape[0], cols=matrix.shape[1],
                         summary=summary)


def _stacked_grid(matrix: pd.DataFrame, *, value_labels: dict[str, str] | None, colours: dict[str, str | None],
                  annotate: bool = True, cell_labels: dict[str, str] | None = None,
                  header_weight: str = "normal") -> Figure:
    """A categorical grid (the heat map, the status grid) in a phone's width: each row's name on a line of its own
    above its cells, so the cells get the whole width and their words stay at the type floor. Same colours, words and
    legend as the desktop layout; a category without a colour (missing evidence) is white and hatched."""
    from matplotlib.patches import Rectangle

    rows, cols = matrix.shape
    width = figure_width()
    cell_in = (width - 0.3) / max(cols, 1)
    legend_words = {c: (value_labels or {}).get(c, c) for c in colours}
    cell_words = {c: (cell_labels or legend_words).get(c, legend_words[c]) for c in colours}

    def fits(room: float):
        return lambda line: _text_width(line) <= room

    name_room = width - 0.35
    names = [wrap(r, name_room, fits=fits(name_room)) for r in matrix.index]
    words = {c: wrap(w, cell_in - 0.1, fits=fits(cell_in - 0.1)) for c, w in cell_words.items()}
    col_text = [wrap(c, cell_in - 0.1, fits=lambda line: _text_width(line, header_weight) <= cell_in - 0.1)
                for c in matrix.columns]
    cell_h = max(0.42, 0.2 * max((w.count("\n") + 1 for w in words.values()), default=1) + 0.14)
    name_h = [0.2 * (n.count("\n") + 1) + 0.12 for n in names]
    plot_h = sum(name_h) + cell_h * rows
    header_h = 0.22 * max((t.count("\n") + 1 for t in col_text), default=1) + 0.1
    ncol, entries, legend_lines = _legend(list(legend_words.values()), most=2)
    legend_in = 0.25 * legend_lines + 0.25
    total = header_h + plot_h + legend_in + 0.1
    fig = plt.figure(figsize=(width, total))
    ax = fig.add_axes((0.15 / width, (legend_in + 0.05) / total, (width - 0.3) / width, plot_h / total))
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(plot_h, 0)  # y in inches from the top
    y = 0.0
    for i, name in enumerate(names):
        ax.text(-0.5, y + name_h[i] - 0.06, name, ha="left", va="bottom", fontsize=MIN_FONT_PT, linespacing=1.05)
        y += name_h[i]
        for j, value in enumerate(matrix.iloc[i]):
            colour = colours.get(value)
            ax.add_patch(Rectangle((j - 0.5, y), 1, cell_h, facecolor=colour or "white",
                                   edgecolor="white" if colour else "0.45", linewidth=2 if colour else 0.8,
                                   hatch=None if colour else MISSING_HATCH))
            if annotate and value in colours:
                ax.text(j, y + cell_h / 2, words[value], ha="center", va="center", fontsize=MIN_FONT_PT,
                        color=_ink(colour) if colour else "black", linespacing=1.05,
                        bbox=None if colour else dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none"))
        y += cell_h
    ax.xaxis.tick_top()
    ax.set_xticks(range(cols), col_text, ha="center", fontsize=MIN_FONT_PT, fontweight=header_weight)
    ax.set_yticks([])
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Patch(facecolor=colours[c] or "white", edgecolor="0.5", hatch=None if colours[c] else MISSING_HATCH,
                     label=entry) for c, entry in zip(colours, entries)]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, fontsize=MIN_FONT_PT,
               frameon=False)
    return fig


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
    if figure_width() < FIGURE_WIDTH:
        fig = _stacked_grid(matrix, value_labels=status_labels, colours={s: colours.get(s) for s in status_labels},
                            header_weight="bold")
        return fig, _status_alt(matrix, status_labels, what)
    # every text wrapped to its place, measured: row names in a column of their own, each cell's status and each
    # column's name within the cell's width; a row is as tall as its tallest text
    row_text = [wrap(r, label_wrap(22)) for r in matrix.index]  # 22 characters: ~2 in at 12 pt
    cell_in = (figure_width() * 0.96 - max((_text_width(t) for t in row_text), default=0.5) - 0.2) / max(cols, 1)
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
    fig, ax = plt.subplots(figsize=(figure_width(), row_in * rows + 0.22 * head_lines + 0.3 * legend_lines + 0.6),
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
    # the layout may give the cells less width than estimated (long row names on a phone): wrap the column names and
    # the cells' words again to the width as drawn
    drawn_texts = {(i, j): t for t, (i, j) in zip([t for t in ax.texts], np.ndindex(statuses.shape))}
    for _ in range(6):
        fig.canvas.draw()
        drawn_in = ax.get_window_extent().width / fig.dpi / max(cols, 1)
        if drawn_in >= cell_in * 0.99:
            break
        cell_in = drawn_in
        cell_room, head_room = cell_in * 0.96 - 0.25, cell_in * 0.94
        ax.set_xticks(range(cols), [in_cell(str(c), "bold", head_room) for c in matrix.columns], fontweight="bold")
        for (i, j), st in np.ndenumerate(statuses):
            drawn_texts[i, j].set_text(in_cell(status_labels.get(st, str(st)), room=cell_room))
    return fig, _status_alt(matrix, status_labels, what)


def _status_alt(matrix: pd.DataFrame, status_labels: dict[str, str], what: str) -> str:
    parts = []
    for column in matrix.columns:
        counts = matrix[column].value_counts()
        inner = ", ".join(labels.phrase("status_count", count=int(counts[s]), status=label)
                          for s, label in status_labels.items() if counts.get(s, 0))
        parts.append(f"{column}: {inner}")
    return labels.phrase("alt_status_grid", what=what, rows=matrix.shape[0], cols=matrix.shape[1],
                         parts="; ".join(parts))
