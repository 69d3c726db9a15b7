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
    figure_width, MIN_FONT_PT, MISSING_HATCH, PALETTE, _as_written, _fmt, _ink, _legend, _text_width, wrap,
)

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
    """A categorical or numeric matrix as a heat map, :func:`figure_width` wide.

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
    cell_in = max(0.5, (figure_width() - label_in - 0.3) / max(cols, 1))
    col_wrap = int(cell_in / _CHAR_IN)
    col_text = [wrap(c, max(col_wrap, 6)) for c in matrix.columns]
    header_lines = max((t.count("\n") + 1 for t in col_text), default=1)
    row_lines = [t.count("\n") + 1 for t in row_text]
    cell_h = max(0.42, 0.24 * max(row_lines, default=1) + 0.1)
    legend_in = 0.9 if colours else 1.1
    fig, ax = plt.subplots(figsize=(figure_width(), cell_h * rows + 0.25 * header_lines + legend_in + 0.3))
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
    parts = []
    for column in matrix.columns:
        counts = matrix[column].value_counts()
        inner = ", ".join(labels.phrase("status_count", count=int(counts[s]), status=label)
                          for s, label in status_labels.items() if counts.get(s, 0))
        parts.append(f"{column}: {inner}")
    return fig, labels.phrase("alt_status_grid", what=what, rows=rows, cols=cols, parts="; ".join(parts))
