"""Diagrams of boxes and arrows: who coordinates, leads or takes part in each follow-up measure.

Graphviz's ``dot`` lays them out (ranks, order within a rank, arrows routed round the boxes); this module says what
to draw, in which form for the width being drawn (:func:`diagram_graph`: top to bottom or left to right, how many
boxes a row, how wide a box), and styles the arrows by relation kind."""

from __future__ import annotations

import functools
import itertools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import graphviz
import numpy as np
import pandas as pd

from .. import labels
from .core import Drawing, MIN_FONT_PT, PALETTE, _as_written, _segment_hits_box, _text_width, figure_width, wrap

#: How each relation kind of ``governance_relations.csv`` is drawn: (dashes in multiples of the line width, as
#: matplotlib scales them; palette index; line width in pt). Every kind differs from every other in dashes or width
#: as well as colour, so the legend works without colour vision.
RELATION_STYLES: dict[str, tuple[tuple[float, ...], int, float]] = {
    "leads": ((), 0, 1.6),
    "decides_for": ((), 3, 3.0),
    "coordinates": ((3.7, 1.6), 2, 1.8),
    "advises": ((1.0, 1.65), 1, 2.2),
    "reports_to": ((6.4, 1.6, 1.0, 1.6), 4, 1.8),
    "secretariat_for": ((6.0, 2.0, 1.0, 2.0, 1.0, 2.0), 5, 1.8),
    "escalates_to": ((1.0, 1.5), 7, 1.2),  # "kan løftes videre": a channel used when needed, thin and dotted
}

#: The theme's font, named so that dot measures the labels with the same font on every machine (fonts-dejavu-core)
#: and the SVG is the same bytes everywhere (nbval compares them).
FONT = "DejaVu Sans"
#: Greys of the boxes: a body's outline, a body with no relation, a context body's fill, a band's frame.
_OUTLINE, _LONE, _CONTEXT, _FRAME = "#404040", "#737373", "#e6e6e6", "#f5f5f5"
#: Room (inches) dot leaves inside a box round its label, and between boxes in a rank: the wider where it fits, since
#: an arrow between two boxes of a rank is no longer than that room, and at 0.18 in its dashes barely show.
_MARGIN = (0.08, 0.05)
_NODESEPS = (0.3, 0.18)
#: Room between ranks: rows top to bottom leave room for arrows that bend; columns left to right need less.
_RANKSEP = {"TB": 0.45, "LR": 0.25}
#: Box widths (inches) tried, widest first. Below _COMFORTABLE a body's name takes about a line more (the glossary's
#: 19 names of bodies: 58 lines in English at 1.5 in, 75 at 1.2 in), so every other form is tried before them.
_BOX_WIDTHS = (1.9, 1.7, 1.5, 1.35, 1.2, 1.1)
_COMFORTABLE = 1.5
#: Where a frame's name may go (dot's labelloc, labeljust), in the order tried: top left, top right, bottom left,
#: bottom right.
_NAME_PLACES = (("t", "l"), ("t", "r"), ("b", "l"), ("b", "r"))
_SVG_NS = "http://www.w3.org/2000/svg"
_MISSING_DOT = ("plots.diagram: Graphviz's dot is not installed; run tools/ensure-graphviz.sh "
                "(apt-get install graphviz fonts-dejavu-core)")


def _render(graph: graphviz.Digraph, fmt: str = "svg") -> bytes:
    """``graph`` laid out and drawn by dot, in ``fmt``; one line naming the fix when dot is missing."""
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(_MISSING_DOT) from None


def _dot_text(text: str) -> str:
    """``text`` as a plain dot label shows it: dot reads backslash escapes and, even outside HTML labels, entities
    such as ``&lt;`` (data text must show as typed, issue 23)."""
    return graphviz.escape(text).replace("&", "&amp;")


def _label(text: str, width_in: float, align: str = "\\n", *, anywhere: bool = False) -> str:
    """``text`` wrapped to fit ``width_in`` at MIN_FONT_PT (:func:`wrap`, the edition's hyphenation) as a dot label:
    backslashes, ``<…>`` and entities kept as typed, lines ended by ``align`` (``\\n`` centred, ``\\l`` left)."""
    lines = _wrapped(text, width_in, labels.current(), anywhere).split("\n")
    body = align.join(_dot_text(line) for line in lines)
    return graphviz.nohtml(body + (align if align == "\\l" else ""))


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, width_in: float, lang: str, anywhere: bool) -> str:
    """:func:`wrap` measured by matplotlib, kept: every form :func:`diagram_graph` tries wraps the same labels."""
    room = width_in * 0.94  # a margin for the difference between matplotlib's and dot's measure of the font
    return wrap(text, room, fits=lambda line: _text_width(line) <= room, lang=lang, anywhere=anywhere)


def _bands(layer_order: Sequence[str | Sequence[str]]) -> list[tuple[str, ...]]:
    return [(entry,) if isinstance(entry, str) else tuple(entry) for entry in layer_order]


def diagram_graph(
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
    band_labels: dict[str, str] | None = None,
    context: Sequence[str] = (),
    columns: int = 3,
) -> graphviz.Digraph:
    """The graph :func:`diagram` draws: of the forms :func:`_forms` offers that fit :func:`figure_width`, the least
    tall (a figure the reader takes in without scrolling), on a tie the one with the widest boxes, then the most
    room between them; boxes narrower
    than :data:`_COMFORTABLE` only when no form with wider boxes fits. A frame's name then goes to the first corner
    of :data:`_NAME_PLACES` where no arrow runs through it and the drawing still fits."""
    build = functools.partial(_graph, nodes, edges, node=node, label=label, layer=layer, layer_order=layer_order,
                              source=source, target=target, kind=kind, band_labels=band_labels, context=context)
    # the last tier cuts words that fit no box where the line is full (data text with no hyphenation point)
    for tier, anywhere in ((True, False), (False, False), (False, True)):
        fitting: dict[str, tuple[float, float, dict]] = {}  # by dot source: a form that changes nothing is laid once
        for rankdir, box_in, most, frame_most, nodesep in _forms(columns, comfortable=tier):
            form = dict(columns=most, frame_columns=frame_most, rankdir=rankdir, box_in=box_in, nodesep=nodesep,
                        anywhere=anywhere)
            graph = build(**form)
            if graph.source not in fitting:
                width, height = _svg_size_in(_render(graph))
                if width <= figure_width():
                    fitting[graph.source] = (height, -box_in, -nodesep, form)
        if fitting:
            form = min(fitting.values(), key=lambda found: found[:3])[3]
            for place in _NAME_PLACES:
                graph = build(**form, name_place=place)
                if not names_crossed(layout_of(graph)) and _svg_size_in(_render(graph))[0] <= figure_width():
                    return graph
            return build(**form)
    raise ValueError(f"plots.diagram: no form of the diagram fits {figure_width():g} in at {MIN_FONT_PT:g} pt "
                     f"(boxes down to {_BOX_WIDTHS[-1]:g} in); give layer_order more bands")


def _forms(columns: int, comfortable: bool) -> Iterator[tuple[str, float, int, int, float]]:
    """The forms :func:`diagram_graph` chooses from, as (rankdir, box width, boxes a row, boxes a row in a frame,
    room between boxes in a rank), with boxes at least :data:`_COMFORTABLE` wide or narrower: top to bottom with up
    to ``columns`` boxes a row (at least two), a frame's rows broken up further (arrows that skip the frame's band
    need a lane beside it); and left to right, where a band of more than ``columns`` boxes takes as many columns as
    its relations need."""
    widths = [w for w in _BOX_WIDTHS if (w >= _COMFORTABLE) == comfortable]
    for box_in, nodesep in itertools.product(widths, _NODESEPS):
        for most in range(columns, 1, -1):
            for frame_most in range(most, 0, -1):
                yield "TB", box_in, most, frame_most, nodesep
        yield "LR", box_in, columns, columns, nodesep


def _rows(members: list[str], columns: int) -> list[list[str]]:
    """A band's boxes in rows of at most ``columns``, in data order, the rows as even as they can be."""
    return [list(row) for row in np.array_split(members, -(-len(members) // columns))]


def _graph(nodes: pd.DataFrame, edges: pd.DataFrame, *, node: str, label: str, layer: str,
           layer_order: Sequence[str | Sequence[str]], source: str, target: str, kind: str,
           band_labels: dict[str, str] | None, context: Sequence[str], columns: int, rankdir: str,
           box_in: float, frame_columns: int, nodesep: float, anywhere: bool = False,
           name_place: tuple[str, str] = ("t", "l")) -> graphviz.Digraph:
    """The diagram as a dot graph. Top to bottom each band of ``layer_order`` is one row, or rows of at most
    ``columns`` boxes; left to right a band of more than ``columns`` boxes takes the ranks its relations need. A body
    related alike to every body of a band of three or more gets one arrow to a frame round the band, its name at
    ``name_place`` (labelloc, labeljust). With ``anywhere``, a word that fits no box is cut where the line is full."""
    bands = _bands(layer_order)
    band_nodes = [[str(n) for n in nodes.loc[nodes[layer].isin(b), node]] for b in bands]
    missing = set(nodes[node].astype(str)) - {n for members in band_nodes for n in members}
    if missing:
        raise ValueError(f"plots.diagram: no band of layer_order holds the level of {sorted(missing)}")
    band_of = {n: b for b, members in enumerate(band_nodes) for n in members}
    related = set(edges[source].astype(str)) | set(edges[target].astype(str))
    rel = edges[[source, target, kind]].astype(str).drop_duplicates()
    frames: dict[tuple[str, str], int] = {}
    for (src, k), group in rel.groupby([source, kind], sort=False):
        for b, members in enumerate(band_nodes):
            if len(members) > 2 and src not in members and set(members) <= set(group[target]):
                frames[(src, k)] = b

    graph = graphviz.Digraph(graph_attr={
        "rankdir": rankdir, "compound": "true", "newrank": "true", "fontname": FONT, "fontsize": f"{MIN_FONT_PT:g}",
        "nodesep": f"{nodesep}", "ranksep": f"{_RANKSEP[rankdir]}", "pad": "0.05", "bgcolor": "white"})
    graph.attr("node", shape="box", style="rounded,filled", fontname=FONT, fontsize=f"{MIN_FONT_PT:g}",
               width=f"{box_in}", margin=f"{_MARGIN[0]},{_MARGIN[1]}", color=_OUTLINE, penwidth="1.1")
    names = dict(zip(nodes[node].astype(str), nodes[label].astype(str)))
    free = rankdir == "LR"
    rows: list[list[str]] = []  # the ranks set here, in order; a free band's boxes are in none
    band_rows: dict[int, list[list[str]]] = {}
    for b, members in enumerate(band_nodes):
        framed = b in frames.values()
        with graph.subgraph(name=f"cluster_{b}" if framed else f"band_{b}") as band:
            if framed:
                band.attr(label=_dot_text((band_labels or {}).get(bands[b][0], "")), labelloc=name_place[0],
                          labeljust=name_place[1], style="filled", fillcolor=_FRAME, color=_LONE, penwidth="1.0")
            for n in members:
                lone = n not in related
                band.node(n, _label(names[n], box_in - 2 * _MARGIN[0], anywhere=anywhere),
                          fillcolor=_CONTEXT if n in context else "white",
                          style="rounded,filled,dashed" if lone else "rounded,filled",
                          color=_LONE if lone else _OUTLINE)
            if free and len(members) > columns:
                continue
            most = min(columns, frame_columns) if framed else columns
            band_rows[b] = _rows(members, most) if members else []
            for r, row in enumerate(band_rows[b]):
                with band.subgraph(name=f"rank_{b}_{r}") as same:
                    same.attr(rank="same")
                    same.node_attr.clear()
                    for n in row:
                        same.node(n)
                rows.append(row)
    # rows in order even where no relation joins two of them: invisible edges that only set the ranks
    for upper, lower in zip(rows, rows[1:]):
        graph.edge(upper[0], lower[0], style="invis", weight="0")
    for src, dst, k in rel.itertuples(index=False):
        b = frames.get((src, k))
        if b is not None and dst in band_nodes[b]:
            below = band_of[src] > b
            # one arrow to the frame, declared to the middle box of the frame's row nearest the body
            nearest = (band_rows.get(b) or [band_nodes[b]])[-1 if below else 0]
            if dst != nearest[len(nearest) // 2]:
                continue
            ends = {"lhead": f"cluster_{b}"}
            if rankdir == "TB" and name_place[0] == ("b" if below else "t"):
                ends["minlen"] = "2"  # the frame's name takes the room between the ranks: the arrow would be a stub
        else:
            ends = {}
        style = _arrow(k)
        # dot ranks an edge's head below its tail: a relation pointing up the bands is declared downwards and drawn
        # with its arrowhead at the tail, so the bands keep their order
        if band_of[src] > band_of[dst]:
            graph.edge(dst, src, dir="back", **{("ltail" if key == "lhead" else key): v for key, v in ends.items()},
                       **style)
        else:
            graph.edge(src, dst, **ends, **style)
    return graph


def _arrow(kind: str) -> dict:
    """dot's attributes of an arrow of relation ``kind`` (:data:`RELATION_STYLES`; a kind it lacks: thin, grey,
    solid). Its class names the kind, for :func:`_stacked` to set the dashes dot cannot draw."""
    _, colour_index, width = RELATION_STYLES.get(kind, ((), 7, 1.6))
    return dict(color=PALETTE[colour_index], penwidth=f"{width:g}", arrowsize="0.8", _attributes={"class": kind})


def _legend_graph(entries: list[tuple[str, dict[str, str] | str]]) -> graphviz.Digraph:
    """The legend as a small dot graph: a row for each entry, its sample (an arrow styled as a relation kind, or a
    box) before its text, in the most columns (up to two) that fit the figure's width, filled column by column."""
    for ncol in (2, 1):
        rows = -(-len(entries) // ncol)
        room = (figure_width() - 0.1) / ncol - 0.75
        graph = graphviz.Digraph(graph_attr={"nodesep": "0.1", "ranksep": "0.08", "pad": "0.05",
                                             "bgcolor": "white", "fontname": FONT})
        graph.attr("node", fontname=FONT, fontsize=f"{MIN_FONT_PT:g}", height="0")
        texts = [_label(text, room, "\\l") for text, _ in entries]
        widest = [max((_text_width(str(t).replace("\\l", "\n")) for t in texts[c * rows:(c + 1) * rows]), default=0)
                  for c in range(ncol)]
        for r in range(rows):
            with graph.subgraph(name=f"row_{r}") as row:
                row.attr(rank="same")
                for c in range(ncol):
                    i = c * rows + r
                    if i >= len(entries):
                        break
                    sample = entries[i][1]
                    # a column's samples and texts each on one vertical line (dot keeps a group straight), the
                    # texts as wide as the column's widest, so their left edges line up
                    row.node(f"t{i}", texts[i], shape="plaintext", width=f"{widest[c] + 0.1:.2f}", margin="0.05,0",
                             group=f"t{c}")
                    if isinstance(sample, str):  # a relation kind: an arrow from nowhere to its text
                        row.node(f"s{i}", "", shape="point", width="0.01", style="invis", group=f"s{c}")
                        row.edge(f"s{i}", f"t{i}", minlen="4", **_arrow(sample))
                    else:
                        row.node(f"s{i}", "", shape="box", width="0.5", height="0.25", group=f"s{c}", **sample)
                        row.edge(f"s{i}", f"t{i}", style="invis")
                    if c:
                        row.edge(f"t{i - rows}", f"s{i}", style="invis", minlen="2")
                    if r:
                        graph.edge(f"s{i - 1}", f"s{i}", style="invis")
                        graph.edge(f"t{i - 1}", f"t{i}", style="invis")
        if ncol == 1 or _svg_size_in(_render(graph))[0] <= figure_width():
            return graph
    return graph


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Layout:
    """Where dot put everything (its -Tjson output, in points, y upwards): each body's box (x0, y0, x1, y1), each
    frame's box with the bodies inside it and the box of its name, and each visible arrow as (tail, head, the frame it
    ends on or None, its line from tail to arrowhead tip, dot's spline sampled)."""

    boxes: dict[str, Box]
    frames: dict[str, tuple[Box, frozenset[str], Box | None]]
    edges: list[tuple[str, str, str | None, list[tuple[float, float]]]]


def layout_of(graph: graphviz.Digraph) -> Layout:
    """``graph`` as dot lays it out (the layout its SVG draws)."""
    found = json.loads(_render(graph, "json"))
    objects = found["objects"]
    boxes: dict[str, Box] = {}
    frames: dict[str, tuple[Box, frozenset[str], Box | None]] = {}
    for obj in objects:
        if obj["name"].startswith("cluster") and "bb" in obj:
            x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
            name_box = None
            if obj.get("lp"):
                x, y = (float(v) for v in obj["lp"].split(","))
                w, h = float(obj["lwidth"]) * 36, float(obj["lheight"]) * 36
                name_box = (x - w, y - h, x + w, y + h)
            frames[obj["name"]] = ((x0, y0, x1, y1), frozenset(objects[i]["name"] for i in obj.get("nodes", [])),
                                   name_box)
        elif "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
            boxes[obj["name"]] = (x - w, y - h, x + w, y + h)
    edges = []
    for edge in found.get("edges", []):
        if edge.get("style") == "invis":
            continue
        points, tips = [], []
        for part in edge["pos"].split():
            fields = part.split(",")
            if fields[0] in ("e", "s"):
                tips.append((fields[0], (float(fields[1]), float(fields[2]))))
            else:
                points.append((float(fields[0]), float(fields[1])))
        line = _bezier(points)
        for end, tip in tips:  # an arrowhead runs on from the spline's end to its tip
            line = line + [tip] if end == "e" else [tip] + line
        edges.append((objects[edge["tail"]]["name"], objects[edge["head"]]["name"],
                      edge.get("lhead") or edge.get("ltail"), line))
    return Layout(boxes, frames, edges)


def _bezier(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    """dot's spline (cubic Bézier pieces sharing their ends) as a line of short segments."""
    p, t = np.asarray(points), np.linspace(0, 1, steps + 1)[1:, None]
    pieces = [(1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c + t ** 3 * d
              for a, b, c, d in zip(p[0:-3:3], p[1:-2:3], p[2:-1:3], p[3::3])]
    return [tuple(points[0])] + [(float(x), float(y)) for piece in pieces for x, y in piece]


def names_crossed(layout: Layout) -> list[str]:
    """The frames whose name an arrow runs through."""
    return [name for name, (_, _, name_box) in layout.frames.items() if name_box is not None and any(
        _segment_hits_box(a, b, name_box) for *_, line in layout.edges for a, b in zip(line, line[1:]))]


def _svg_size_in(svg: bytes) -> tuple[float, float]:
    """The width and height of a dot SVG in inches (dot writes them in points)."""
    found = re.search(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(found.group(1)) / 72, float(found.group(2)) / 72


def _stacked(parts: list[bytes]) -> tuple[bytes, float]:
    """dot's SVGs one under the other, each centred, as one SVG: nothing of a machine or a run kept (no comments,
    which name dot's version, no titles, which name the bodies' codes, no ids, which two graphs would share); dashes
    that dot cannot draw set from :data:`RELATION_STYLES`; the theme's fallback fonts after DejaVu Sans. Returns the
    SVG and its width in inches."""
    ET.register_namespace("", _SVG_NS)
    roots = [ET.fromstring(part) for part in parts]  # the parser drops comments and the doctype
    sizes = [tuple(float(v) for v in root.get("viewBox").split()[2:]) for root in roots]
    width, height = max(w for w, _ in sizes), sum(h for _, h in sizes)
    out = ET.Element(f"{{{_SVG_NS}}}svg", {"width": f"{width:g}pt", "height": f"{height:g}pt",
                                            "viewBox": f"0 0 {width:g} {height:g}"})
    top = 0.0
    for root, (w, h) in zip(roots, sizes):
        group = ET.SubElement(out, f"{{{_SVG_NS}}}g", {"transform": f"translate({(width - w) / 2:g} {top:g})"})
        group.extend(list(root))
        top += h
    for parent in out.iter():
        for child in [c for c in parent if c.tag == f"{{{_SVG_NS}}}title"]:
            parent.remove(child)
        parent.attrib.pop("id", None)
        if parent.tag == f"{{{_SVG_NS}}}text":
            parent.set("font-family", _font_family())
        kinds = [k for k in parent.get("class", "").split() if k in RELATION_STYLES]
        dashes, _, line_width = RELATION_STYLES[kinds[0]] if kinds else ((), 0, 0.0)
        for path in parent.iter(f"{{{_SVG_NS}}}path") if dashes else ():
            path.set("stroke-dasharray", ",".join(f"{d * line_width:g}" for d in dashes))
    return ET.tostring(out, encoding="utf-8", xml_declaration=True), width / 72


def _font_family() -> str:
    """The theme's fonts as the SVG names them (as matplotlib writes them): a reader without DejaVu Sans gets the
    next, not the browser's serif."""
    import matplotlib.pyplot as plt

    return ", ".join(f if f in ("sans-serif", "serif") else f"'{f}'" for f in plt.rcParams["font.sans-serif"])


def _texts(svg: bytes) -> list[tuple[str, float]]:
    """Every text of an SVG with its font size (user units: points at full size)."""
    return [("".join(t.itertext()), float(t.get("font-size"))) for t in ET.fromstring(svg).iter(f"{{{_SVG_NS}}}text")]


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
) -> tuple[Drawing, str]:
    """Boxes in bands (top = first of ``layer_order``) joined by arrows styled by relation kind, laid out by dot.

    A body with no relation in ``edges`` is drawn with a dashed outline and named in the legend and the alt text;
    ``context`` bodies are grey. ``band_labels`` names a band (by its first level) where one arrow reaches a frame
    round the whole band. Drawn at :func:`figure_width`, every text at MIN_FONT_PT.
    """
    graph = diagram_graph(nodes, edges, node=node, label=label, layer=layer, layer_order=layer_order, source=source,
                          target=target, kind=kind, band_labels=band_labels, context=context, columns=columns)
    related = set(edges[source].astype(str)) | set(edges[target].astype(str))
    isolated = [str(n) for n in nodes[node] if str(n) not in related]
    used = [k for k in kind_labels if (edges[kind].astype(str) == k).any()]
    entries: list[tuple[str, dict[str, str] | str]] = [(kind_labels[k], k) for k in used]
    if isolated:
        entries.append((labels.phrase("no_relation_stated"),
                        {"style": "rounded,dashed", "color": _LONE}))
    if context and context_label:
        entries.append((context_label, {"style": "rounded,filled", "fillcolor": _CONTEXT, "color": _OUTLINE}))
    svg, width_in = _stacked([_render(graph), _render(_legend_graph(entries))])
    texts = _texts(svg)
    drawing = Drawing(svg=svg, texts=tuple(t for t, _ in texts), font_sizes=tuple(s for _, s in texts),
                      width_in=width_in)

    counts = edges[kind].astype(str).value_counts()
    rels = labels.join([f"{int(counts[k])} {kind_labels[k]}" for k in used])
    degree = pd.concat([edges[source], edges[target]]).astype(str).value_counts()
    names = dict(zip(nodes[node].astype(str), nodes[label].astype(str)))
    alt = labels.phrase("alt_diagram", what=what, nodes=len(nodes), layers=len(_bands(layer_order)), relations=rels)
    if len(degree) == 1 or degree.iloc[0] > degree.iloc[1]:  # name the hub only when one body has the most
        alt += " " + labels.phrase("alt_diagram_hub", hub=names[degree.index[0]], count=int(degree.iloc[0]))
    if isolated:
        alt += " " + labels.phrase("alt_diagram_isolated", bodies=labels.join([names[n] for n in isolated]))
    return drawing, alt
