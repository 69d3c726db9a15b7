"""Chapter 2's figures: the governance diagrams, as Graphviz lays them out, have no crossing and no arrow through a
box and fit both widths; the timeline keeps every measure."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from matplotlib.text import Text

from helpers import data, labels, plots
from helpers.plots import diagrams

MODEL_LEVELS = ["political", "top_management", "ministry_line", "coordination", "strategic", "user_involvement",
                "service_provider"]
KIND_LABELS = {k: k.replace("_", " ") for k in plots.RELATION_STYLES}


@pytest.fixture(scope="module")
def governance():
    labels.use("en")
    plots.set_theme()
    bodies = data.load("governance_bodies")
    nodes = bodies.assign(label=bodies["body"].map(labels.names_of("body")))  # the glossary's names, as the chapter
    return nodes, data.load("governance_relations")


def _model(nodes, relations):
    inside = set(nodes.loc[nodes["level"].isin(MODEL_LEVELS), "body"])
    edges = relations[relations["from_body"].isin(inside) & relations["to_body"].isin(inside)]
    args = dict(layer_order=[("political", "top_management"), "ministry_line", ("coordination", "strategic"),
                             "user_involvement", "service_provider"],
                band_labels={"user_involvement": labels.names_of("body")["service_forums"]})
    return nodes[nodes["body"].isin(inside)], edges, args


def _measures(nodes, relations):
    inside = set(nodes.loc[nodes["level"] == "measure", "body"])
    edges = relations[relations["from_body"].isin(inside) | relations["to_body"].isin(inside)]
    context = (set(edges["from_body"]) | set(edges["to_body"])) - inside
    return (nodes[nodes["body"].isin(inside | context)], edges,
            dict(layer_order=[("coordination", "strategic", "service_provider", "measure")], context=sorted(context)))


def _spec(nodes, edges, args, lang):
    """The arguments the chapter passes to plots.diagram, for these nodes and edges."""
    return dict(nodes=nodes, edges=edges, node="body", label="label", layer="level", source="from_body",
                target="to_body", kind="relation", **args)


#: dot rounds a box's corners over this many points of each side (the "rounded" style; seen in its SVG paths)
ROUNDING_PT = 12.0


def _through_rounded_box(a, b, box, margin: float = 0.5) -> bool:
    """True if the segment a–b enters the box as drawn, its corners rounded (a quarter circle of ROUNDING_PT, which
    holds dot's corner curve), by more than ``margin`` points: tested every half point along the segment."""
    x0, y0, x1, y1 = box[0] + margin, box[1] + margin, box[2] - margin, box[3] - margin
    r = ROUNDING_PT - margin
    steps = max(1, int(math.hypot(b[0] - a[0], b[1] - a[1]) * 2))
    for k in range(steps + 1):
        x, y = a[0] + (b[0] - a[0]) * k / steps, a[1] + (b[1] - a[1]) * k / steps
        if not (x0 < x < x1 and y0 < y < y1):
            continue
        dx, dy = max(x0 + r - x, 0.0, x - (x1 - r)), max(y0 + r - y, 0.0, y - (y1 - r))
        if dx == 0 or dy == 0 or dx * dx + dy * dy < r * r:
            return True
    return False


def _conflicts(graph) -> list[str]:
    """Crossings of two arrows, arrows through a box other than their own two, through a frame they neither start in
    nor end on, or through a frame's name, each as a sentence, in dot's own layout (-Tjson). Arrows sharing a body
    (a reciprocal pair, two arrows from one box) meet at it and are not compared."""
    layout = diagrams.layout_of(graph)
    found = [f"an arrow runs through the name of {name}" for name in diagrams.names_crossed(layout)]
    for i, (t1, h1, f1, line1) in enumerate(layout.edges):
        for t2, h2, f2, line2 in layout.edges[i + 1:]:
            if {t1, h1} & {t2, h2} or (f1 and f1 == f2):
                continue
            if any(plots._segments_cross(a, b, c, d) for a, b in zip(line1, line1[1:])
                   for c, d in zip(line2, line2[1:])):
                found.append(f"{t1}->{h1} crosses {t2}->{h2}")
        own = {t1} if f1 else {t1, h1}  # an arrow ending on a frame stops at it, short of the box it names
        for name, box in layout.boxes.items():
            if name not in own and any(_through_rounded_box(a, b, box) for a, b in zip(line1, line1[1:])):
                found.append(f"{t1}->{h1} runs through the box of {name}")
        for name, ((x0, y0, x1, y1), inside, _) in layout.frames.items():
            inner = (x0 + 0.5, y0 + 0.5, x1 - 0.5, y1 - 0.5)
            if name != f1 and not {t1, h1} & inside and any(
                    plots._segment_hits_box(a, b, inner) for a, b in zip(line1, line1[1:])):
                found.append(f"{t1}->{h1} runs through the frame {name}")
    return found


@pytest.mark.parametrize("width", [plots.FIGURE_WIDTH, plots.PHONE_WIDTH], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "nb"])
@pytest.mark.parametrize("part", [_model, _measures], ids=["model", "measures"])
def test_the_chapters_diagrams_have_no_crossing_no_arrow_through_a_box_and_fit(part, lang, width):
    labels.use(lang)
    plots.set_theme()
    bodies = data.load("governance_bodies")
    nodes = bodies.assign(label=bodies["body"].map(labels.names_of("body")))
    spec = _spec(*part(nodes, data.load("governance_relations")), lang)
    with plots.drawn_at(width):
        graph = plots.diagram_graph(**spec)
        drawing, alt = plots.diagram(**spec, kind_labels=KIND_LABELS, what="bodies")
    assert _conflicts(graph) == []
    assert set(spec["nodes"]["body"]) <= set(diagrams.layout_of(graph).boxes)  # every body placed
    assert drawing.width_in <= width and re.search(rb'<svg[^>]* width="([\d.]+)pt', drawing.svg)
    assert min(drawing.font_sizes) >= plots.MIN_FONT_PT and len(drawing.font_sizes) == len(drawing.texts)
    # a label is wrapped, maybe hyphenated, in its box: compare without spaces, line breaks and hyphens
    drawn = re.sub(r"[\s-]", "", "".join(drawing.texts))
    assert all(re.sub(r"[\s-]", "", name) in drawn for name in spec["nodes"]["label"])
    assert all(re.sub(r"[\s-]", "", KIND_LABELS[k]) in drawn for k in set(spec["edges"]["relation"]))
    assert b"<!--" not in drawing.svg and b"graphviz version" not in drawing.svg and b"<title" not in drawing.svg


def test_the_conflict_check_finds_crossings():
    # three bodies each related to three others (K3,3) cannot be drawn in a plane without a crossing; the kinds
    # differ, so no arrow goes to a frame
    labels.use("en")
    plots.set_theme()
    nodes = pd.DataFrame({"body": ["a1", "a2", "a3", "b1", "b2", "b3"], "label": list("ABCDEF"),
                          "level": ["x"] * 3 + ["y"] * 3})
    kinds = list(plots.RELATION_STYLES)
    edges = pd.DataFrame([(f"a{i}", f"b{j}", kinds[(i + j) % 3]) for i in range(1, 4) for j in range(1, 4)],
                         columns=["from_body", "to_body", "relation"])
    graph = plots.diagram_graph(**_spec(nodes, edges, dict(layer_order=["x", "y"]), "en"))
    assert any("crosses" in problem for problem in _conflicts(graph))
    assert plots._segments_cross((0, 0), (1, 1), (0, 1), (1, 0))
    assert not plots._segments_cross((0, 0), (1, 0), (0, 1), (1, 1))
    assert plots._segment_hits_box((0, 0), (2, 0), (0.5, -0.5, 1.5, 0.5))
    assert not plots._segment_hits_box((0, 1), (2, 1), (0.5, -0.5, 1.5, 0.5))
    box = (0, 0, 100, 50)  # a line through the box, and one across its rounded corner only
    assert _through_rounded_box((-10, 25), (110, 25), box)
    assert not _through_rounded_box((-1, 3), (3, -1), box) and plots._segment_hits_box((-1, 3), (3, -1), box)


def test_a_frame_name_under_an_arrow_is_found_and_moved(governance):
    # the model's frame named at its top left, where dot sends the service forums' arrows up to the bodies above
    graph = plots.diagram_graph(**_spec(*_model(*governance), "en"))
    assert not diagrams.names_crossed(diagrams.layout_of(graph))
    top = graph.copy()
    top.body = [re.sub(r"labelloc=\w", "labelloc=t", re.sub(r"labeljust=\w", "labeljust=l", line)) for line in top.body]
    assert top.source != graph.source
    assert "an arrow runs through the name of cluster_3" in _conflicts(top)


def test_a_body_without_relations_is_drawn_and_named(governance):
    nodes, relations = governance
    drawing, alt = plots.diagram(*_measures(nodes, relations)[:2], node="body", label="label", layer="level",
                                 layer_order=[("coordination", "strategic", "service_provider", "measure")],
                                 source="from_body", target="to_body", kind="relation", kind_labels=KIND_LABELS,
                                 what="bodies")
    related = set(relations["from_body"]) | set(relations["to_body"])
    alone = nodes.loc[~nodes["body"].isin(related), "label"].tolist()
    assert alone and all(name in alt for name in alone)
    drawn = re.sub(r"[\s-]", "", " ".join(drawing.texts))
    assert all(re.sub(r"[\s-]", "", name) in drawn for name in alone)
    assert re.sub(r"[\s-]", "", labels.phrase("no_relation_stated")) in drawn
    assert b"stroke-dasharray" in drawing.svg  # the lone body's dashed outline


def test_a_missing_dot_is_one_line_naming_the_fix(monkeypatch, governance):
    nodes, relations = governance
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RuntimeError, match=r"^plots.diagram: Graphviz's dot is not installed; run "
                                           r"tools/ensure-graphviz.sh") as error:
        plots.diagram(*_measures(nodes, relations)[:2], node="body", label="label", layer="level",
                      layer_order=["measure", ("coordination", "strategic", "service_provider")],
                      source="from_body", target="to_body", kind="relation", kind_labels=KIND_LABELS, what="b")
    assert "\n" not in str(error.value) and error.value.__cause__ is None


def test_every_measure_has_a_row_on_the_timeline_even_without_a_date():
    labels.use("en")
    plots.set_theme()
    measures = data.load("measures")
    events = data.load("measure_events")
    glossary = labels.names_of("measure")
    names = {m: glossary[m] for m in measures["measure"]}
    fig, alt = plots.timeline(events, row="measure", date="date", precision="date_precision", planned="planned",
                              label="label_en", row_labels=names, what="events")
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert all(name in texts for name in names.values())
    undated = [names[m] for m in names if not (events["measure"] == m).any()]
    assert texts.count(labels.phrase("no_dated_event")) == len(undated)
    assert all(name in alt for name in undated)
    assert all(label in " ".join(texts).replace("\n", " ") for label in events["label_en"])
