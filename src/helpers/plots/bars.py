"""Bar charts: grouped, stacked, ranked, survey answers, membership, and ranges of possible values."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib import transforms
from matplotlib.figure import Figure
from matplotlib.patches import Patch
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import labels
from .core import (
    figure_width, label_wrap, MIN_FONT_PT, MISSING_HATCH, PALETTE, _as_written, _decimals, _fmt, _legend, _text_width,
    _value_text, colour, wrap,
)

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
        lines = wrap(category_labels[c], label_wrap(LABEL_WRAP)).count("\n") + 1
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
    fig, ax = plt.subplots(figsize=(figure_width(), plot_height + 1.0 + 0.3 * legend_rows), layout="constrained")
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
    ax.set_yticks(ticks, [wrap(category_labels[c], label_wrap(LABEL_WRAP)) for c in shown])
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
        parts.append((g_label, f"{category_labels[best[category]]} ({_value_text(float(best[value]))}{unit})"))
    missing = int(frame[value].isna().sum())
    largest = labels.phrase("largest_share" if unit.strip() == "%" else "largest_value")
    if len(group_labels) == 1 and parts:
        sentence = labels.phrase("alt_bars_one_group", what=what, group=parts[0][0], largest=largest, part=parts[0][1])
    else:
        sentence = labels.phrase("alt_bars", what=what, groups=labels.join(list(group_labels.values())),
                                 largest=largest, parts="; ".join(f"{g}: {part}" for g, part in parts))
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
    texts = [wrap(category_labels[c], label_wrap(LABEL_WRAP)) for c in table.index]
    pitch = max([0.36, *(0.2 * (t.count("\n") + 1) + 0.2 for t in texts)])  # a bar's row fits its wrapped label
    ncol, entries, legend_lines = _legend(list(stack_labels.values()), most=2)
    legend_in = 0.3 * legend_lines + 0.15
    fig, ax = plt.subplots(figsize=(figure_width(), pitch * len(table) + 1.4 + legend_in))
    left = np.zeros(len(table))
    for (key, label), entry in zip(stack_labels.items(), entries):
        widths = table[key].to_numpy(dtype=float)
        # an empty segment is not drawn (an invisible path each would weigh down the page), unless none is drawn:
        # the legend still needs its entry
        shown = widths > 0 if (widths > 0).any() else np.ones(len(widths), dtype=bool)
        ax.barh(np.arange(len(table))[shown], widths[shown], left=left[shown], color=colours[key], label=entry,
                edgecolor="white")
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
    texts = [wrap(t, label_wrap(LABEL_WRAP)) for t in frame[label]]
    pitch = max([0.5, *(0.2 * (t.count("\n") + 1) + 0.12 for t in texts)])  # a row fits its wrapped label
    fig, ax = plt.subplots(figsize=(figure_width(), pitch * len(frame) + 1.9), layout="constrained")
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
        if text.get_position()[0] + needed <= xlim[1]:
            continue
        if left_end - needed >= xlim[0]:
            text.set_x(left_end - (xlim[1] - xlim[0]) * 0.015)
            text.set_horizontalalignment("right")
        else:  # room on neither side (a wide range in a phone's narrow plot): just above the middle of the range
            row = text.get_position()[1]
            text.set_position(((left_end + text.get_position()[0]) / 2, row - 0.16))
            text.set_horizontalalignment("center")
            text.set_verticalalignment("bottom")
    spans = "; ".join(
        labels.phrase("span", label=r[label], low=labels.number(r[low]) + unit, high=labels.number(r[high]) + unit)
        if float(r[high]) > float(r[low]) else f"{r[label]}: {labels.number(r[low])}{unit}"
        for _, r in frame.iterrows())
    return fig, labels.phrase("alt_ranges", what=what, spans=spans)



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
    texts = [wrap(unit_labels[u], label_wrap(26)) for u in order]
    lines = [t.count("\n") + 1 for t in texts]
    pitch = [max(0.36, 0.2 * n + 0.12) for n in lines]
    y_pos = np.cumsum([0.0, *pitch[:-1]]) + np.array(pitch) / 2
    # the legend goes below the axes, one entry a line: side by side, long group names would widen the figure past
    # FIGURE_WIDTH, and the page would shrink all its text to fit
    _, entries, legend_lines = _legend([*(group_labels[g] for g in groups), lead_label], most=1)
    legend_in = 0.27 * legend_lines + 0.15
    height = sum(pitch) + 0.9 + legend_in
    fig, ax = plt.subplots(figsize=(figure_width(), height))
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
    texts = [wrap(t, label_wrap(26)) for t in shown.index]
    pitch = [max(0.32, 0.22 * (t.count("\n") + 1) + 0.1) for t in texts]
    y_pos = np.cumsum([0.0, *pitch[:-1]]) + np.array(pitch) / 2
    fig, ax = plt.subplots(figsize=(figure_width(), sum(pitch) + 1.0))
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
    from ..data import response_order

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
