"""The plotting theme: a style sheet that must stay what seaborn's set_theme would set."""

from __future__ import annotations

import subprocess
import sys

import matplotlib as mpl
import pytest

from helpers import plots

# keys seaborn sets that the style sheet leaves out on purpose: the backend, and a colour map only seaborn registers
NOT_IN_THEME = {"backend", "backend_fallback", "image.cmap"}


def _comparable(rc: dict) -> dict:
    rc = dict(rc)
    rc["axes.prop_cycle"] = [mpl.colors.to_hex(c) for c in rc["axes.prop_cycle"].by_key()["color"]]
    return rc


def _seaborn_theme() -> dict:
    import seaborn as sns

    with mpl.rc_context():
        mpl.rcdefaults()
        sns.set_theme(style="whitegrid", palette="colorblind", font_scale=1.25)
        return _comparable(mpl.rcParams)


def test_style_sheet_equals_seaborns_theme():
    expected = _seaborn_theme()
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.style.use(plots.THEME)
        ours = _comparable(mpl.rcParams)
    differ = {k: (ours[k], v) for k, v in expected.items()
              if k not in NOT_IN_THEME and (ours[k] != pytest.approx(v) if isinstance(v, float) else ours[k] != v)}
    assert not differ, f"theme.mplstyle differs from seaborn's theme (ours, seaborn's): {differ}"


def test_palette_is_seaborns_colourblind_palette():
    import seaborn as sns

    assert [c.lower() for c in plots.PALETTE] == sns.color_palette("colorblind").as_hex()


def test_chapters_draw_without_importing_seaborn_or_scipy():
    code = ("import sys; from helpers import plots, audit, notebook; notebook.setup('x', lang='en'); "
            "print(sorted(m for m in ('seaborn', 'scipy', 'statsmodels') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"imported at set-up: {out}"


# --- text in figures: as written, broken only where the language allows, never over other text or a line ---------

import re  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from helpers import escape, labels  # noqa: E402

#: Long labels of the kind the chapters draw, in each edition's language (made up here, so the test does not move
#: with data/): Norwegian compounds longer than a line, slashes, hyphens the text has, abbreviations in brackets.
LONG = {
    "nb": ["Avdelingsdirektører som arbeider med HR i administrasjonsavdelinger",
           "Interdepartemental arbeidsgruppe for anskaffelsesstrategi",
           "Departementenes sikkerhets- og serviceorganisasjon (DSS)",
           "Kommunal- og distriktsdepartementet (koordineringsrolle)",
           "Politisk ledelse/regjeringen/kongen i statsråd",
           "Tjenesteforum for fasilitetstjenester"],
    "en": ["Core-group trial (cross-ministry core groups) across the ministries",
           "Interministerial working group for the procurement strategy",
           "The Government Administration Services as secretariat and service provider",
           "Local Government and Regional Development in its coordinating role",
           "Political leadership/the Government/the King in Council",
           "Secretaries-general leading core groups of the ministries"],
}


@pytest.fixture
def edition(request):
    """The edition's language for labels, set as ``notebook.setup`` sets it, and the theme."""
    lang = getattr(request, "param", "en")
    plots.set_theme()
    before = labels.current()
    labels.use(lang)
    yield lang
    labels.use(before)
    plt.close("all")


def _check_breaks(wrapped: str, label: str, lang: str) -> None:
    """Every line break of ``wrapped`` (``label`` wrapped) is at a space, after a slash or a hyphen ``label`` has, or
    inside a word at one of ``lang``'s hyphenation points, with a hyphen of the wrap's own; nothing else changed."""
    pos, lines = 0, wrapped.split("\n")
    for i, line in enumerate(lines):
        if label.startswith(line, pos):
            pos += len(line)
            if i < len(lines) - 1:
                if label.startswith(" ", pos):
                    pos += 1  # a break at a space
                else:
                    assert label[pos - 1] in "/-", (wrapped, label)  # after a slash or a hyphen the label has
        else:
            assert line.endswith("-") and label.startswith(line[:-1], pos), (wrapped, label)
            pos += len(line) - 1  # a hyphen of the wrap's own: at a dictionary point of its word
            start = max(label.rfind(c, 0, pos) for c in " /-") + 1
            word = re.match(r"[^\s/-]*", label[start:]).group(0)
            assert pos - start in plots.hyphenation_points(word, lang), (wrapped, word)
    assert pos == len(label), (wrapped, label)


@pytest.mark.parametrize("edition", ["nb", "en"], indirect=True)
@pytest.mark.parametrize("width", [8, 12, 16, 22, 26])
def test_labels_break_between_words_or_where_the_dictionary_allows(edition, width):
    for label in LONG[edition]:
        _check_breaks(plots.wrap(label, width), label, edition)


def test_the_words_that_broke_badly_break_at_their_syllables():
    labels.use("nb")
    try:
        for word, bad in [("administrasjonsavdelinger", "administrasjonsavdelin\nger"),
                          ("Interdepartemental", "Interdeparteme-\nntal"),
                          ("serviceorganisasjon", "serviceorganisa-\nsjon")]:
            for width in range(6, len(word)):
                wrapped = plots.wrap(f"i {word}", width)
                assert bad not in wrapped
                _check_breaks(wrapped, f"i {word}", "nb")
        # a compound is split at its joint where that fits
        assert plots.wrap("administrasjonsavdelinger", 20) == "administrasjons-\navdelinger"
        assert plots.wrap("Tjenesteforum for fasilitetstjenester", 12) == "Tjeneste-\nforum for\nfasilitets-\ntjenester"
    finally:
        labels.use("en")


def test_each_language_hyphenates_by_its_own_dictionary():
    assert plots.hyphenation_points("organisation", "en") != plots.hyphenation_points("organisation", "nb")
    labels.use("nb")
    try:
        assert plots.hyphenation_points("departementet") == plots.hyphenation_points("departementet", "nb")
    finally:
        labels.use("en")


def test_a_word_without_a_break_point_stays_whole_and_no_break_spaces_hold():
    assert plots.wrap("DATATILSYNETDATATILSYNET", 8, lang="nb") == "DATATILSYNETDATATILSYNET"
    assert plots.wrap("IKT-organisasjon", 12, lang="nb") == "IKT-\norganisasjon"
    assert plots.wrap("ledere 10\u00a0% av de ansatte", 6, lang="nb").count("10\u00a0%") == 1
    assert plots.wrap("Direktoratet for e-helse", 8, lang="nb").split("\n")[-1] == "e-helse"


def _drawn_text(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(Text))


def _svg_texts(fig) -> list[str]:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    return re.findall(r"<text[^>]*>([^<]*)</text>", buffer.getvalue().decode("utf-8"))


#: Shorter texts, as legends, axis titles and column headers carry them: group names, a measure's unit, an answer.
MEDIUM = {
    "nb": ["Ledere i fagavdelinger", "Medarbeidere uten lederansvar", "Oppgitt antall ÷ 1366",
           "Fellestjenester utenfor departementene", "Verken stor eller liten grad",
           "Andel som har jobbet med tiltaket (%)"],
    "en": ["Leaders in policy departments", "Employees without a leadership role", "Printed count ÷ 1366",
           "Shared services outside the ministries", "Neither to a large nor a small extent",
           "Share who worked on the measure (%)"],
}


def _charts(lang: str) -> dict:
    """One figure of every chart type, long labels of ``lang`` where a chart's rows or boxes are named, and shorter
    ones (:data:`MEDIUM`) in its legends, axis titles and column headers."""
    long, medium = LONG[lang], MEDIUM[lang]
    four = {f"k{i}": long[i] for i in range(4)}
    frame = pd.DataFrame([(c, g, v) for c, v0 in zip(four, [61.0, 35.5, 12.0, 99.0])
                          for g, v in (("all", v0), ("leaders", v0 / 2))], columns=["c", "g", "v"])
    frame.loc[1, "v"] = float("nan")
    groups = {"all": medium[0], "leaders": medium[1]}
    order = ["--", "-", "0", "+", "++"]
    scale = pd.DataFrame([(r, o, s) for r in four for o, s in zip(order, [10.0, 15.0, 20.0, 30.0, 25.0])],
                         columns=["row", "response", "share"])
    bounds = pd.DataFrame({"label": list(four.values()), "lo": [29.0, 60.0, 68.0, 0.0],
                           "hi": [87.0, 60.0, 72.0, 100.0], "point": [None, 60.0, 69.0, None]})
    matrix = pd.DataFrame([["stated", "inferred", "not_stated"]] * 4, index=list(four.values()), columns=medium[:3])
    members = pd.DataFrame([("g1", "k0", "lead"), ("g1", "k1", "member"), ("g2", "k1", "lead"),
                            ("g2", "k2", "member"), ("g3", "k3", "lead"), ("g3", "k1", "member")],
                           columns=["group", "unit", "role"])
    nodes = pd.DataFrame({"body": list(four), "label": list(four.values()), "level": ["a", "b", "b", "c"]})
    edges = pd.DataFrame({"src": ["k0", "k0", "k1", "k3"], "dst": ["k1", "k2", "k2", "k2"],
                          "relation": ["leads", "decides_for", "coordinates", "advises"]})
    events = pd.DataFrame({"row": ["k0", "k0", "k1", "k2"], "date": pd.to_datetime(["2019-01-01", "2021-06-01",
                                                                                    "2022-03-01", "2024-09-01"]),
                           "precision": ["year", "day", "month", "season"], "planned": [False, False, True, True],
                           "label": long[2:6]})
    statuses = {"stated": medium[3], "inferred": medium[4], "not_stated": medium[1]}
    return {
        "grouped_bars": lambda: plots.grouped_bars(frame, category="c", group="g", value="v", category_labels=four,
                                                   group_labels=groups, xlabel=medium[5], what="x"),
        "stacked_counts": lambda: plots.stacked_counts(
            frame.fillna(1.0), category="c", stack="g", value="v", category_labels=four, stack_labels=groups,
            colours={"all": plots.PALETTE[0], "leaders": plots.PALETTE[1]}, xlabel=medium[5], what="x"),
        "ranges": lambda: plots.ranges(bounds, label="label", low="lo", high="hi", point="point", xlabel=medium[5],
                                       what="x"),
        "heatmap": lambda: plots.heatmap(matrix, what="x", value_labels=statuses,
                                         colours={"stated": plots.PALETTE[0], "inferred": plots.PALETTE[9],
                                                  "not_stated": "#f0f0f0"}),
        "membership_bars": lambda: plots.membership_bars(
            members, unit="unit", group="group", role="role", lead="lead", unit_labels=four,
            group_labels=dict(zip(["g1", "g2", "g3"], medium[:3])),
            group_colours=dict(zip(["g1", "g2", "g3"], plots.PALETTE)), lead_label=medium[3], xlabel=medium[5],
            what="x"),
        "ranked_bars": lambda: plots.ranked_bars(pd.Series([5, 3, 3, 1], index=list(four.values())),
                                                 xlabel=medium[5], what="x"),
        "diagram": lambda: plots.diagram(nodes, edges, node="body", label="label", layer="level",
                                         layer_order=["a", "b", "c"], source="src", target="dst", kind="relation",
                                         kind_labels={k: medium[i % len(medium)] for i, k in enumerate(plots.RELATION_STYLES)},
                                         what="x"),
        "timeline": lambda: plots.timeline(events, row="row", date="date", precision="precision", planned="planned",
                                           label="label", row_labels=four, what="x",
                                           period=("2021-01-01", "2025-12-31", medium[3])),
        "status_grid": lambda: plots.status_grid(matrix, status_labels=statuses, what="x"),
    }


#: Charts matplotlib draws; the diagram is drawn by Graphviz (its own tests: below and tests/test_follow_up_figures.py)
CHARTS = [name for name in _charts("en") if name != "diagram"]


@pytest.mark.parametrize("edition", ["nb", "en"], indirect=True)
@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("width", [plots.FIGURE_WIDTH, plots.PHONE_WIDTH], ids=["desktop", "phone"])
def test_no_text_overlaps_text_or_a_line_in_any_chart(edition, chart, width):
    from helpers.notebook import _fit_width

    with plots.drawn_at(width):  # each layout ch.figure draws
        fig, _ = _charts(edition)[chart]()
    _fit_width(fig, width)  # as ch.figure draws it: at the figure's final width
    assert fig.get_size_inches()[0] <= width + 1e-6
    assert plots.layout_problems(fig) == []
    plots.check_layout(fig, chart)  # what ch.figure runs, so it passes too


@pytest.mark.parametrize("edition", ["nb", "en"], indirect=True)
@pytest.mark.parametrize("width", [plots.FIGURE_WIDTH, plots.PHONE_WIDTH], ids=["desktop", "phone"])
def test_a_diagram_of_long_labels_fits_each_width_in_the_smallest_text(edition, width):
    with plots.drawn_at(width):
        drawing, alt = _charts(edition)["diagram"]()
    assert isinstance(drawing, plots.Drawing) and alt
    assert drawing.width_in <= width
    assert min(drawing.font_sizes) >= plots.MIN_FONT_PT
    drawn = re.sub(r"[\s-]", "", "".join(drawing.texts))
    assert all(re.sub(r"[\s-]", "", label) in drawn for label in LONG[edition][:4])


@pytest.fixture
def overlapping():
    plots.set_theme()
    fig, ax = plt.subplots(figsize=(plots.FIGURE_WIDTH, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    yield fig, ax
    plt.close(fig)


def test_the_layout_check_finds_text_over_text(overlapping):
    fig, ax = overlapping
    ax.text(2, 5, "Departementsrådsgruppen", fontsize=plots.MIN_FONT_PT)
    ax.text(3, 5.1, "Strategisk forum", fontsize=plots.MIN_FONT_PT)
    problems = plots.layout_problems(fig)
    assert problems == ["text 'Departementsrådsgruppen' overlaps text 'Strategisk forum'"]
    with pytest.raises(ValueError, match="fig-made-up: text 'Departementsrådsgruppen' overlaps"):
        plots.check_layout(fig, "fig-made-up")


def test_the_layout_check_finds_a_line_through_text_and_a_tick_label_under_a_legend(overlapping):
    fig, ax = overlapping
    ax.text(2, 5, "Strategisk forum", fontsize=plots.MIN_FONT_PT)
    ax.plot([2.5, 2.5], [0, 10], color="black")
    ax.axvline(9.99, color="0.5")  # beside every text: no problem
    assert plots.layout_problems(fig) == ["a line runs through text 'Strategisk forum'"]
    ax.lines[0].remove()
    ax.set_yticks([5], ["Tjenesteforum for HR"])
    ax.legend(handles=[plt.Line2D([], [], label="Tjenesteforum for HR")], loc="center left",
              bbox_to_anchor=(-0.3, 0.5))
    assert any("overlaps text 'Tjenesteforum for HR'" in p for p in plots.layout_problems(fig))


def test_the_layout_check_ignores_what_is_not_drawn(overlapping):
    fig, ax = overlapping
    ax.text(2, 5, "shown", fontsize=plots.MIN_FONT_PT)
    ax.text(2, 5, "hidden", fontsize=plots.MIN_FONT_PT, visible=False)
    ax.set_xticks([2, 12], ["in view", "out of view"])
    ax.set_xlim(0, 10)  # the second tick is now outside the limits: not drawn, though matplotlib keeps its label
    ax.text(9.2, 0.2, "one", fontsize=plots.MIN_FONT_PT)  # where the stale label of that tick would be measured
    ax.grid(True)  # grid lines sit behind the data and are not counted
    assert plots.layout_problems(fig) == []


def test_ch_figure_refuses_an_overlapping_figure(overlapping, tmp_path, monkeypatch):
    from helpers import notebook

    monkeypatch.chdir(tmp_path)
    fig, ax = overlapping
    ax.text(2, 5, "Strategisk forum", fontsize=plots.MIN_FONT_PT)
    ax.text(2.2, 5, "Strategisk forum", fontsize=plots.MIN_FONT_PT)
    chapter = notebook.Chapter(name="test", lang="en")
    drawn = plots.redrawable(lambda: (fig, "alt"))()[0]  # as if a chart function had drawn it
    with pytest.raises(ValueError, match="fig-x: text 'Strategisk forum' overlaps"):
        chapter.figure(drawn, "alt", figure_id="fig-x", caption=chapter.caption("c", "c"), data=pd.DataFrame({"a": [1]}))


def test_ch_figure_refuses_a_figure_it_cannot_draw_for_a_phone(overlapping, tmp_path, monkeypatch):
    """A figure drawn by hand has no phone layout: ch.figure says so instead of shrinking it on a phone."""
    from helpers import notebook

    monkeypatch.chdir(tmp_path)
    chapter = notebook.Chapter(name="test", lang="en")
    with pytest.raises(ValueError, match="fig-y: the figure was not drawn by a helpers.plots chart function"):
        chapter.figure(overlapping[0], "alt", figure_id="fig-y", caption=chapter.caption("c", "c"),
                       data=pd.DataFrame({"a": [1]}))


def test_ch_figure_serves_a_phone_layout_drawn_by_the_same_chart(tmp_path, monkeypatch):
    """Both layouts from one call, each as wide as its width allows, both files written, the page's picture naming
    them and a hash of both (so nbval notices a changed phone layout)."""
    from helpers import notebook

    monkeypatch.setenv("BEST_SAMMEN_OUTPUTS", str(tmp_path))
    shown = []
    monkeypatch.setattr(notebook, "_display", shown.append)
    chapter = notebook.Chapter(name="test", lang="en")
    frame = pd.DataFrame({"c": ["a", "b"], "g": ["all", "all"], "v": [30.0, 70.0]})
    fig, alt = plots.grouped_bars(frame, category="c", group="g", value="v", category_labels={"a": "A", "b": "B"},
                                  group_labels={"all": "All"}, xlabel="Share (%)", what="x")
    chapter.figure(fig, alt, figure_id="fig-z", caption=chapter.caption("c", "c"), data=frame)
    folder = tmp_path / "figures" / "test"
    desktop, phone = (folder / "fig-z.svg").read_bytes(), (folder / "fig-z-phone.svg").read_bytes()
    widths = [notebook._svg_size(svg)[0] for svg in (desktop, phone)]
    assert widths[1] < widths[0] <= plots.FIGURE_WIDTH * 96 + 20 and widths[1] <= plots.PHONE_WIDTH * 96 + 20, widths
    markdown = shown[0]["text/markdown"]
    assert 'srcset="figures/test/fig-z-phone.svg"' in markdown and 'src="figures/test/fig-z.svg"' in markdown
    assert f'media="{notebook.PHONE_MEDIA}"' in markdown and "data-drawn=" in markdown


AS_WRITTEN = ["Core-group trial (cross-ministry core groups)", "Felles sak-arkiv", "a < b [note]"]
#: The same names escaped for prose (helpers.escape.markdown, which writes no entities: \\< for <)
ESCAPED = {f"k{i}": escape.markdown(text) for i, text in enumerate(AS_WRITTEN)}


@pytest.mark.parametrize("edition", ["nb", "en"], indirect=True)
def test_text_escaped_for_prose_is_drawn_as_written(edition):
    from helpers import inline, tables

    frame = pd.DataFrame({"c": list(ESCAPED), "g": "all", "v": [10.0, 20.0, 30.0]})
    fig, alt = plots.grouped_bars(frame, category="c", group="g", value="v", category_labels=ESCAPED,
                                  group_labels={"all": inline.escape("All (N=1969)")}, xlabel="x", what="y")
    texts = _svg_texts(fig)
    assert not [t for t in texts if "\\" in t or "&amp;lt;" in t], texts
    drawn = re.sub(r"\s+", " ", " ".join(t.get_text() for t in fig.findobj(Text)))
    assert all(label in drawn.replace("- ", "-") for label in AS_WRITTEN) and "All (N=1969)" in drawn
    assert "\\" not in alt and "All (N=1969)" in alt
    assert tables.as_written(inline.escape(AS_WRITTEN[0])) == AS_WRITTEN[0]
    assert tables.as_written(tables.escape_markdown(AS_WRITTEN[2])) == AS_WRITTEN[2]
    # and a frame's cells and index reach the chart as written too
    fig, _ = plots.ranked_bars(pd.Series([3, 2], index=[ESCAPED["k0"], ESCAPED["k1"]]), xlabel="n", what="y")
    assert "\\" not in _drawn_text(fig)


#: Labels as typed into a data/*.csv file, a backslash before punctuation among them: text, not Markdown.
TYPED = {"k0": "C:\\.config", "k1": "a\\*b", "k2": "Core\\-group \\(typed\\)"}


def test_a_typed_backslash_is_drawn_as_typed(edition, tmp_path, monkeypatch):
    from helpers import notebook

    frame = pd.DataFrame({"c": list(TYPED), "g": "all", "v": [10.0, 20.0, 30.0]})
    fig, alt = plots.grouped_bars(frame, category="c", group="g", value="v", category_labels=TYPED,
                                  group_labels={"all": "all \\[N\\]"}, xlabel="x\\.y", what="y")
    drawn = _drawn_text(fig)
    assert all(label in drawn for label in [*TYPED.values(), "all \\[N\\]", "x\\.y"]), drawn
    assert TYPED["k2"] in alt, alt  # the alt text names the largest bar
    # a frame's cells and index, too
    fig2, _ = plots.ranked_bars(pd.Series([3, 2], index=[TYPED["k0"], TYPED["k1"]]), xlabel="n", what="y")
    assert TYPED["k0"] in _drawn_text(fig2) and TYPED["k1"] in _drawn_text(fig2)
    # and ch.figure shows it: a backslash in data text is no reason to refuse the figure
    monkeypatch.setenv("BEST_SAMMEN_OUTPUTS", str(tmp_path))
    shown = []
    monkeypatch.setattr(notebook, "_display", shown.append)
    chapter = notebook.Chapter(name="test", lang=edition)
    chapter.figure(fig, alt, figure_id="fig-typed", caption=chapter.caption("c", "c"), data=frame)
    assert len(shown) == 1


def test_a_diagram_box_with_a_word_no_box_holds_still_fits_a_phone(edition):
    """Data text with no place to break (a web address typed into a name) is cut where the box's line is full, as a
    last resort, rather than leave the phone without a diagram."""
    nodes = pd.DataFrame({"body": ["a", "b"], "level": ["x", "x"],
                          "label": ["Core group https://example.invalid/a-very-long-address-without-spaces.png", "B"]})
    edges = pd.DataFrame({"src": ["a"], "dst": ["b"], "relation": ["leads"]})
    with plots.drawn_at(plots.PHONE_WIDTH):
        drawing, _ = plots.diagram(nodes, edges, node="body", label="label", layer="level", layer_order=["x"],
                                   source="src", target="dst", kind="relation",
                                   kind_labels={k: labels.relation(k) for k in labels.RELATIONS}, what="x")
    assert drawing.width_in <= plots.PHONE_WIDTH and min(drawing.font_sizes) >= plots.MIN_FONT_PT
    assert plots.wrap("0123456789", 4) == "0123456789" and plots.wrap("0123456789", 4, anywhere=True) == "0123\n4567\n89"


def test_entities_typed_into_a_diagram_are_drawn_as_typed(edition):
    """dot decodes entities even in a plain label, so ``&lt;`` typed into a name must reach the page as typed, not
    as ``<`` (issue 23's injection family "HTML entities"): box, frame and legend text alike."""
    typed = {"box": "Forum &lt;Qe2 &amp; AT&T", "band": "Band &#64; x", "kind": "leads &gt; decides"}
    # one body leading all three of a band: the band gets a frame with its name
    nodes = pd.DataFrame({"body": list("abcd"), "level": list("xyyy"), "label": [typed["box"], "B", "C", "D"]})
    edges = pd.DataFrame({"src": list("aaa"), "dst": list("bcd"), "relation": ["leads"] * 3})
    drawing, _ = plots.diagram(nodes, edges, node="body", label="label", layer="level", layer_order=["x", "y"],
                               source="src", target="dst", kind="relation", band_labels={"y": typed["band"]},
                               kind_labels={"leads": typed["kind"]}, what="x")
    shown = " ".join(drawing.texts)  # as an SVG parser reads them: entities decoded once
    for text in typed.values():
        assert all(word in shown for word in text.split()), (text, shown)
