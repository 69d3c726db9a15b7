"""The timeline of the follow-up measures: each date drawn to the precision its source gives."""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.patches import Patch
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import labels
from .core import MIN_FONT_PT, PALETTE, _as_written, _legend, _text_width, figure_width, wrap

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
    # the drawing stays about 6 in wide (figure_width()): labels from 4 % of the width, the time axis to 92 %
    left = 0.52
    # a row's name (bold) heads its rows across the whole drawing, where no grid line or spine runs (see below)
    head_room = (0.92 - 0.04) * figure_width() * 0.95
    heads = {r: wrap(row_labels[r], head_room, fits=lambda line: _text_width(line, "bold") <= head_room)
             for r in row_labels}
    # an event's label is wrapped to the labels' column (right of the rows' names' indent, left of the time axis)
    event_room = (left - 0.02 - 0.04) * figure_width() * 0.95

    def event_text(text) -> str:
        return wrap(text, event_room, fits=lambda line: _text_width(line) <= event_room)

    no_event = event_text(labels.phrase("no_dated_event"))
    heights = [0.2 + 0.2 * (event_text(v[label]).count("\n") + 1) if k == "event"
               else 0.14 + 0.2 * (heads[v].count("\n") + 1) if k == "head"
               else 0.14 + 0.2 * (no_event.count("\n") + 1) for k, v in lines]
    plot_height = sum(heights)
    states = set(events[status].astype(str)) if status is not None else set()
    # the legend: up to two entries a row, as many as fit the width, for under-way events and passed deadlines too
    legend_words = [labels.phrase("happened"), labels.phrase("planned"),
                    *([labels.phrase("event_under_way")] if "under_way" in states else []),
                    *([labels.phrase("deadline_missed")] if "deadline_missed" in states else [])]
    legend_columns, legend_words, legend_lines = _legend(legend_words, most=2)
    extra = 0.28 * (legend_lines - 1)
    total = plot_height + 1.15 + extra
    fig = plt.figure(figsize=(figure_width(), total))
    ax = fig.add_axes((left, (0.75 + extra) / total, 0.92 - left, plot_height / total))
    start = pd.Timestamp(events[date].min()).replace(month=1, day=1)
    end = pd.Timestamp(events[date].max()).replace(month=1, day=1) + pd.DateOffset(years=1)
    ax.set_xlim(start, end)
    axis_years = end.year - start.year
    ax.set_ylim(plot_height, 0)
    if period is not None:
        ax.axvspan(pd.Timestamp(period[0]), pd.Timestamp(period[1]), color="0.92", zorder=0)
        # its name above it, centred on it as far as the time axis allows, wrapped to the axis's width
        axis_in = (0.92 - left) * figure_width()
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
            ax.text(left - 0.02, mid, no_event, transform=text_x, ha="right", va="center",
                    fontsize=MIN_FONT_PT, fontstyle="italic", color="0.25", linespacing=1.05)
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
    # a year label every second year, or fewer where the axis is narrow (a phone): each takes about half an inch
    axis_in = (0.92 - left) * figure_width()
    every = max(2, math.ceil(axis_years / max(axis_in / 0.55, 1)))
    ax.xaxis.set_major_locator(matplotlib.dates.YearLocator(every))
    ax.xaxis.set_minor_locator(matplotlib.dates.YearLocator(1))
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y"))
    # a grid line each year, drawn through the event rows only: a row's name runs across the drawing undisturbed
    # (nor does the left spine cross it)
    tops = np.cumsum([0.0, *heights[:-1]])
    years = [pd.Timestamp(year=y, month=1, day=1) for y in range(start.year, start.year + axis_years + 1)]
    for (k, _), top, h in zip(lines, tops, heights):
        if k != "head":
            ax.vlines(years, top, top + h, colors="0.85", linewidth=0.8, zorder=0.5)
    ax.spines["left"].set_visible(False)
    words = iter(legend_words)
    handles = [Patch(facecolor=colour_, edgecolor=colour_, label=next(words)),
               Patch(facecolor="white", edgecolor=colour_, linewidth=1.6, label=next(words))]
    if "under_way" in states:
        handles.append(Patch(facecolor=_UNDER_WAY_FILL, edgecolor=colour_, linewidth=1.6, label=next(words)))
    if "deadline_missed" in states:
        handles.append(plt.Line2D([], [], marker="X", linestyle="none", markersize=8, color=_MISSED_COLOUR,
                                  markerfacecolor=_MISSED_COLOUR, label=next(words)))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=legend_columns, frameon=False,
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
