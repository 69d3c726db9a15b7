"""The charts chapter 3 (Relevance) draws: they must fit the page's figure width and keep the type floor, or the page
shrinks them until their text cannot be read on a phone."""

from __future__ import annotations

import io
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

from helpers import labels, plots

LONG = "More coordinated development and implementation of policy across many ministries"


@pytest.fixture(autouse=True)
def _theme():
    plots.set_theme()
    labels.use("en")
    yield
    plt.close("all")


def _saved_width_in(fig) -> float:
    """The width the page shows: the SVG as ch.figure saves it (tight bounding box), in inches."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    width_pt = float(re.search(rb'width="([0-9.]+)pt"', buffer.getvalue()).group(1))
    return width_pt / 72


def _smallest_text_pt(fig) -> float:
    return min(t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible())


def _category_matrix() -> pd.DataFrame:
    return pd.DataFrame({f"{i}. {LONG[: 20 + 15 * i]}": ["stated", "inferred", "not_stated"] for i in range(1, 4)},
                        index=["Core group trial", "Shared case and archive system", "Departementsakademiet"])


def _members() -> pd.DataFrame:
    rows = [("g1", "A", "lead"), ("g1", "B", "member"), ("g2", "B", "lead"), ("g2", "C", "member"),
            ("g3", "B", "member"), ("g3", "C", "lead"), ("g1", "D", "member")]
    return pd.DataFrame(rows, columns=["group", "unit", "role"])


def _membership_chart():
    unit_labels = {u: f"Ministry number {u} with a rather long official name ({u})" for u in "ABCD"}
    group_labels = {"g1": "Competence in the state and the ministries", "g2": "Vulnerable children and young people",
                    "g3": "Water"}
    return plots.membership_bars(_members(), unit="unit", group="group", role="role", lead="lead",
                                 unit_labels=unit_labels, group_labels=group_labels,
                                 group_colours={g: plots.PALETTE[i] for i, g in enumerate(group_labels)},
                                 lead_label="leads the group", xlabel="Groups", what="membership")


def test_category_heatmap_fits_the_figure_width_with_separate_column_labels():
    fig, alt = plots.heatmap(_category_matrix(), what="goal areas",
                             colours={"stated": "#0b5cab", "inferred": "#7fb2e5", "not_stated": "#eeeeee"},
                             value_labels={"stated": "serves it, as the report states", "inferred": "our reading",
                                           "not_stated": "the report does not say"},
                             cell_labels={"stated": "stated", "inferred": "our reading", "not_stated": "not stated"})
    assert _saved_width_in(fig) <= plots.FIGURE_WIDTH + 0.05
    assert _smallest_text_pt(fig) >= plots.MIN_FONT_PT
    fig.canvas.draw()
    boxes = sorted((t.get_window_extent() for t in fig.axes[0].get_xticklabels()), key=lambda b: b.x0)
    assert all(left.x1 <= right.x0 for left, right in zip(boxes, boxes[1:])), "column labels overlap"
    # the long labels, each apart from its count: a label that ends in a number ("table 1") does not run into it
    assert "stated 3" not in alt and "serves it, as the report states: 3;" in alt


def test_membership_bars_are_sorted_fit_and_hatch_the_lead():
    fig, alt = _membership_chart()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[0].endswith("(B)"), f"the unit in most groups must come first: {ticks}"
    assert _saved_width_in(fig) <= plots.FIGURE_WIDTH + 0.05
    assert _smallest_text_pt(fig) >= plots.MIN_FONT_PT
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == int((_members()["role"] == "lead").sum())
    assert "(3)" in alt and "4 bars" in alt


def test_ranked_bars_put_the_largest_first_and_fit():
    values = pd.Series([2, 4, 3], index=["KDD + FIN", "KDD + JD", "JD + HOD"])
    fig, alt = plots.ranked_bars(values, xlabel="Groups", what="pairs")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["KDD + JD", "JD + HOD", "KDD + FIN"]
    assert _saved_width_in(fig) <= plots.FIGURE_WIDTH + 0.05
    assert "KDD + JD highest with 4, lowest 2" in alt
