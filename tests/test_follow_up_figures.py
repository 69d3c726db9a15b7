"""Chapter 2's figures: the governance diagrams are laid out without crossings, and the timeline keeps every measure."""

from __future__ import annotations

import re

import pytest
from matplotlib.text import Text

from helpers import data, labels, plots

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
                             "user_involvement", "service_provider"])
    return nodes[nodes["body"].isin(inside)], edges, args


def _measures(nodes, relations):
    inside = set(nodes.loc[nodes["level"] == "measure", "body"])
    edges = relations[relations["from_body"].isin(inside) | relations["to_body"].isin(inside)]
    context = (set(edges["from_body"]) | set(edges["to_body"])) - inside
    return (nodes[nodes["body"].isin(inside | context)], edges,
            dict(layer_order=[("coordination", "strategic", "service_provider", "measure")], spare=0))


@pytest.mark.parametrize("part", [_model, _measures], ids=["model", "measures"])
def test_the_chapters_diagrams_have_no_crossing_and_no_arrow_through_a_box(governance, part):
    nodes, edges, args = part(*governance)
    layout = plots.diagram_layout(nodes, edges, node="body", label="label", layer="level", source="from_body",
                                  target="to_body", kind="relation", **args)
    assert layout["conflicts"] == 0
    assert set(layout["centre"]) == set(nodes["body"])  # every body placed


def test_the_conflict_count_can_fail(governance):
    # the measures' bodies kept in their own row under the model's bodies cannot avoid an arrow through a box
    nodes, edges, _ = _measures(*governance)
    layout = plots.diagram_layout(nodes, edges, node="body", label="label", layer="level", source="from_body",
                                  target="to_body", kind="relation", spare=0,
                                  layer_order=[("coordination", "strategic", "service_provider"), "measure"])
    assert layout["conflicts"] > 0
    assert plots._segments_cross((0, 0), (1, 1), (0, 1), (1, 0))
    assert not plots._segments_cross((0, 0), (1, 0), (0, 1), (1, 1))
    assert plots._segment_hits_box((0, 0), (2, 0), (0.5, -0.5, 1.5, 0.5))
    assert not plots._segment_hits_box((0, 1), (2, 1), (0.5, -0.5, 1.5, 0.5))


def test_a_body_without_relations_is_drawn_and_named(governance):
    nodes, relations = governance
    fig, alt = plots.diagram(*_measures(nodes, relations)[:2], node="body", label="label", layer="level",
                             layer_order=[("coordination", "strategic", "service_provider", "measure")],
                             source="from_body", target="to_body", kind="relation", kind_labels=KIND_LABELS,
                             what="bodies", spare=0)
    related = set(relations["from_body"]) | set(relations["to_body"])
    alone = nodes.loc[~nodes["body"].isin(related), "label"].tolist()
    assert alone and all(name in alt for name in alone)
    # a label is wrapped, maybe hyphenated, in its box: compare without spaces, line breaks and hyphens
    drawn = re.sub(r"[\s-]", "", " ".join(t.get_text() for t in fig.findobj(Text)))
    assert all(re.sub(r"[\s-]", "", name) in drawn for name in alone)
    assert re.sub(r"[\s-]", "", labels.phrase("no_relation_stated")) in drawn


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
