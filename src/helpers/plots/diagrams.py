"""Diagrams of boxes and arrows: who coordinates, leads or takes part in each follow-up measure."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Patch
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import labels
from .core import (
    figure_width, MIN_FONT_PT, PALETTE, _as_written, _legend, _segment_hits_box, _segments_cross, _text_width,
    wrap,
)

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



_LINE_IN = MIN_FONT_PT * 1.22 / 72



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



def _arc_points(a: tuple[float, float], b: tuple[float, float], rad: float, steps: int = 16) -> list:
    """Points along the arrow from a to b as matplotlib draws it with connectionstyle arc3 (a quadratic Bézier)."""
    if rad == 0:
        return [a, b]
    control = ((a[0] + b[0]) / 2 + rad * (b[1] - a[1]), (a[1] + b[1]) / 2 - rad * (b[0] - a[0]))
    ts = np.linspace(0, 1, steps)
    return [((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * control[0] + t ** 2 * b[0],
             (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * control[1] + t ** 2 * b[1]) for t in ts]



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
    box_w = ((figure_width() - 0.45) - 2 * _FRAME_MARGIN - _BOX_GAP * (columns - 1)) / columns
    x_start = (figure_width() - (figure_width() - 0.45)) / 2 + _FRAME_MARGIN
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
    fig = plt.figure(figsize=(figure_width(), height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, figure_width())
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
