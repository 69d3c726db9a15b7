"""How each chapter's headline numbers depend on its assumptions: the numbers as pure functions of ``data/`` and the
chapter's parameters, a figure of them across each parameter's range, and an explorer (a slider) over the same points.

The points are computed here, in the chapter's kernel, by the same arithmetic the chapter runs at its published
parameters (tests/test_sensitivity.py checks that the default point equals the page's inline values). Nothing here
re-executes a notebook: a grid of a few dozen points costs well under a second for chapters 1–4 and a few seconds for
the audit, so a cold ``make site`` stays fast.

The explorer is one raw-HTML block in a ``text/markdown`` output (a ``text/html`` output would make Quarto 1.7 load
require.js and jQuery from a CDN): a native ``<input type="range">`` per parameter, the numbers at that point as text,
and a light drawing of the key figure that ``assets/explorer.js`` draws as inline SVG from the block's embedded JSON.
Every text in it is written here in the edition's language and escaped; the script only sets ``textContent``.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import audit, data, headlines, labels, parameters, plots, stats

#: The explorer's script, relative to a chapter's page (chapters are published in ``notebooks/``; the asset is a
#: project resource in ``_quarto.yml``, copied to each edition's ``assets/``).
SCRIPT = "../assets/explorer.js"


@dataclass(frozen=True)
class Headline:
    """One number the chapter leads with: how it is named in each edition and how it is written."""

    key: str
    en: str
    nb: str
    unit: str  # "percent", "points" (a ± half-width) or "count"
    decimals: int = 0

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.nb

    def text(self, value: float, lang: str) -> str:
        if self.unit == "percent":
            return labels.percent(value, self.decimals, lang)
        if self.unit == "points":
            return "±" + labels.points(value, self.decimals, lang)
        return labels.count(int(round(value)), lang)


@dataclass(frozen=True)
class Axis:
    """One parameter's range: the grid of values swept (the published default among them) and the headline numbers
    its panel of the figure draws."""

    parameter: str
    values: tuple[Any, ...]
    drawn: tuple[str, ...]
    en: str
    nb: str
    plain_ticks: bool = False  # tick labels as bare numbers (the unit is in the axis label): "12", not "12 points"

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.nb


@dataclass(frozen=True)
class Sweep:
    """A chapter's sensitivity: its headline computation, the published defaults, and the axes swept."""

    chapter: str
    compute: Callable[..., dict[str, float]]
    defaults: Mapping[str, Any]
    headlines: tuple[Headline, ...]
    axes: tuple[Axis, ...]
    bars: tuple[str, ...]  # the headline numbers the explorer draws as bars (one unit)
    value_text: Callable[[str, Any, str], str] = field(default=lambda name, value, lang: str(value))

    def headline(self, key: str) -> Headline:
        return next(h for h in self.headlines if h.key == key)


def _grid(start: float, stop: float, step: float) -> tuple[float, ...]:
    """``start`` to ``stop`` inclusive, rounded so that 0.14 is 0.14 (the default must be a point of the grid)."""
    count = int(round((stop - start) / step)) + 1
    return tuple(round(start + i * step, 10) for i in range(count))


# ---------------------------------------------------------------------------------------------------------------
# chapter 1: awareness


GROUPS = ("all", "leaders", "non_leaders")
ALPHA = 0.05  # the level chapter 1 holds its adjusted p-values against


@dataclass(frozen=True)
class _AwarenessBase:
    """What chapter 1's headline numbers take from ``data/`` whatever the assumptions: computed once per state of the
    data files, so a grid of points costs a few interval and adjustment computations."""

    invited: int
    answered: int
    heard: dict[str, float]
    sizes: dict[str, int]
    drawn: tuple[tuple[str, float], ...]  # (group, percent) of every stated awareness share
    p_values: tuple[float, ...]  # leader/non-leader tests, unadjusted


@functools.lru_cache(maxsize=2)
def _awareness_base(stamp: tuple[tuple[str, int], ...]) -> _AwarenessBase:
    sample = headlines.sample()
    aware = {g: headlines.awareness(g) for g in GROUPS}
    leader_percent = data.sample_value("leader_share")
    n_leaders = round(leader_percent / 100 * sample.answered)  # as the chapter derives it
    sizes = {"all": sample.answered, "leaders": n_leaders, "non_leaders": sample.answered - n_leaders}
    survey = data.load("survey_answers")
    # the shares drawn in the chapter's awareness figure: every stated answer share of the three groups
    drawn = survey[(survey["question"] == "awareness") & survey["group"].isin(GROUPS)].dropna(subset=["percent"])
    pairs = survey.dropna(subset=["percent"]).query(
        "group in ['leaders', 'non_leaders'] and question != 'measure_involvement'")
    wide = (pairs.assign(item=pairs["item"].fillna(""))
            .pivot_table(index=["question", "item", "response"], columns="group", values="percent").dropna())
    p_values = tuple(stats.compare_groups(response, r["leaders"] / 100, sizes["leaders"], r["non_leaders"] / 100,
                                          sizes["non_leaders"]).p_value for (_, _, response), r in wide.iterrows())
    return _AwarenessBase(sample.invited, sample.answered, {g: aware[g].heard_of_it for g in GROUPS}, sizes,
                          tuple(zip(drawn["group"], drawn["percent"].astype(float))), p_values)


@functools.lru_cache(maxsize=8)
def _adjusted(p_values: tuple[float, ...], correction: str) -> tuple[float, ...]:
    # statsmodels collects garbage on every call (a third of a second here): one call per correction
    return tuple(stats.adjust_p_values(list(p_values), correction))


def _data_stamp() -> tuple[tuple[str, int], ...]:
    from . import paths

    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(paths.data_dir().glob("*")))


def awareness(confidence: float = 0.95, leader_share: float = 0.14, nonrespondent_awareness: float = 1.0,
              correction: str = "holm") -> dict[str, float]:
    """Chapter 1's headline numbers at these assumptions, computed as the chapter computes them (cells "What holds
    whoever answered", "If the respondents were a random sample", "Leaders and non-leaders")."""
    parameters.check_parameters({"confidence": confidence, "leader_share": leader_share,
                                 "nonrespondent_awareness": nonrespondent_awareness, "correction": correction})
    base = _awareness_base(_data_stamp())
    widest = {g: 0.0 for g in GROUPS}
    for group, percent in base.drawn:
        ci = stats.wilson_interval(percent / 100, base.sizes[group], confidence,
                                   population=base.invited if group == "all" else None)
        widest[group] = max(widest[group], 100 * (ci.high - ci.low) / 2)
    adjusted = _adjusted(base.p_values, correction)
    heard = base.heard["all"]
    return {
        "heard_respondents": heard,
        "heard_all_assumed": 100 * stats.non_response_estimate(heard / 100, base.answered, base.invited,
                                                               nonrespondent_awareness),
        "heard_reweighted": stats.mixture(base.heard["leaders"], base.heard["non_leaders"], leader_share),
        "widest_all": widest["all"],
        "widest_leaders": widest["leaders"],
        "tests_hold": float(np.sum(np.asarray(adjusted) < ALPHA)),
        "tests": float(len(base.p_values)),
    }


def _awareness_value(name: str, value: Any, lang: str) -> str:
    if name in ("confidence", "leader_share", "nonrespondent_awareness"):
        return labels.percent(100 * value, 0, lang)
    return {"holm": "Holm", "bonferroni": "Bonferroni", "none": "ingen" if lang == "nb" else "none"}[value]


AWARENESS = Sweep(
    chapter="01-awareness",
    compute=awareness,
    defaults={"confidence": 0.95, "leader_share": 0.14, "nonrespondent_awareness": 1.0, "correction": "holm"},
    headlines=(
        Headline("heard_respondents", "Heard of it: respondents", "Har hørt om strategien – respondentene", "percent"),
        Headline("heard_all_assumed", "Heard of it: all employees, at the assumed awareness of non-respondents",
                 "Har hørt om strategien – alle ansatte, med antatt kjennskap blant dem som ikke svarte",
                 "percent"),
        Headline("heard_reweighted", "Heard of it: re-weighted for the leaders' share",
                 "Har hørt om strategien – vektet med lederandelen", "percent"),
        Headline("widest_all", "Widest margin, all respondents", "Største feilmargin, alle respondentene",
                 "points", 1),
        Headline("widest_leaders", "Widest margin, leaders", "Største feilmargin, lederne", "points", 1),
        Headline("tests_hold", "Leader/non-leader differences with a p-value below 0.05", "Antall forskjeller "
                 "mellom ledere og ikke-ledere med p-verdi under 0,05", "count"),
    ),
    axes=(
        Axis("nonrespondent_awareness", _grid(0.0, 1.0, 0.1), ("heard_respondents", "heard_all_assumed"),
             "Non-respondents' awareness, as a share of the respondents'",
             "Kjennskap blant dem som ikke svarte, i prosent av kjennskapen blant dem som svarte"),
        Axis("leader_share", _grid(0.06, 0.30, 0.02), ("heard_respondents", "heard_reweighted"),
             "Leaders' share of all employees", "Ledernes andel av alle ansatte"),
        Axis("confidence", (0.8, 0.85, 0.9, 0.95, 0.99), ("widest_all", "widest_leaders"),
             "Confidence level", "Konfidensnivå"),
        Axis("correction", ("holm", "bonferroni", "none"), ("tests_hold",),
             "Adjustment for multiple comparisons", "Justering for multiple sammenligninger"),
    ),
    bars=("heard_respondents", "heard_all_assumed", "heard_reweighted"),
    value_text=_awareness_value,
)


# ---------------------------------------------------------------------------------------------------------------
# chapter 2: follow-up

#: The status the report gives each measure, in the order chapter 2's tally lists them, and a measure whose status the
#: report hedges ("til dels", "ser ut til") when the parameter sets it apart.
HEDGED = "hedged"
_HEDGED_TALLY = {"en": ("{count} whose status the report hedges", "{count} whose status the report hedges"),
                 "nb": ("{count} der rapporten angir status med forbehold",
                        "{count} der rapporten angir status med forbehold")}


def follow_up_status(count_hedged: bool = True) -> pd.Series:
    """How many measures have each status (``measures.csv``, in the data's order): with ``count_hedged`` a measure
    the report gives a status only partly or as it seems counts in that status, as the report's summary does; without,
    it is counted apart (:data:`HEDGED`)."""
    parameters.check_parameters({"count_hedged": count_hedged})
    measures = data.load("measures")
    order = list(dict.fromkeys(measures["status"]))
    hedged = measures["status_qualifier"].fillna("") != ""
    status = measures["status"] if count_hedged else measures["status"].where(~hedged, HEDGED)
    counts = status.value_counts(sort=False).reindex(order + ([HEDGED] if not count_hedged else []), fill_value=0)
    return counts.astype(int)


def status_tally(counts: pd.Series, lang: str | None = None) -> str:
    """:func:`follow_up_status` as a list for prose ("2 in good drive, …"); a zero status is left out."""
    lang = labels.current() if lang is None else lang
    parts = []
    for status, n in counts.items():
        if n == 0:
            continue
        if status == HEDGED:
            parts.append(_HEDGED_TALLY[lang][0].format(count=labels.count_words(int(n), lang, gender="neuter")))
        else:
            parts.append(labels.status_tally({str(status): int(n)}, lang))
    return labels.join(parts, lang)


def follow_up(count_hedged: bool = True) -> dict[str, float]:
    """Chapter 2's headline numbers: the measures in each status, hedged ones counted apart or not."""
    counts = follow_up_status(count_hedged)
    everything = follow_up_status(False)
    return {str(s): float(counts.get(s, 0)) for s in everything.index}


def _status_headlines() -> tuple[Headline, ...]:
    statuses = list(follow_up_status(False).index)
    # the words of the tally in prose, a count of measures in the plural («komplekse og krevende å få i mål»)
    def group(status: str, lang: str) -> str:
        return labels.phrase(f"tally_{status}", lang, count="").strip()

    return tuple(Headline(s, group(s, "en") if s != HEDGED else "status hedged by the report",
                          group(s, "nb") if s != HEDGED else "status med forbehold", "count")
                 for s in statuses)


def _yes_no(name: str, value: Any, lang: str) -> str:
    return labels.term("yes" if value else "no", lang)


# ---------------------------------------------------------------------------------------------------------------
# chapter 3: relevance

RELEVANCE_CELLS = ("stated", "inferred", "not_stated")


def relevance(include_inferred: bool = True) -> dict[str, float]:
    """Chapter 3's pairs of measure and goal area: stated by the report, our reading of Table 1, not stated (the
    chapter's cell "goal_cells")."""
    parameters.check_parameters({"include_inferred": include_inferred})
    goal_map = data.load("measure_goal_areas")
    cell = goal_map["serves"].map({"true": None, "not_stated": "not_stated"}).fillna(goal_map["kind"])
    if not include_inferred:
        cell = cell.replace("inferred", "not_stated")
    counts = cell.value_counts()
    return {c: float(counts.get(c, 0)) for c in RELEVANCE_CELLS}


# ---------------------------------------------------------------------------------------------------------------
# chapter 4: Nordic comparison

NORDIC_COUNTRIES = ("sweden", "denmark", "norway")  # the report's order: 3.4.1, 3.4.2, then Norway


def nordic(include_inferred: bool = True) -> dict[str, float]:
    """What chapter 4's assumption reaches, country by country: the cells of its grid whose status is our reading of
    an indirect passage (without our readings they are not stated). Nothing is added up across countries or by
    status: the report describes Sweden as one organisation rather than service by service, so a total of cells
    would measure how the report is written, not what the countries share (issue 18)."""
    parameters.check_parameters({"include_inferred": include_inferred})
    services = data.load("nordic_services")
    ours = services[(services["kind"] == "inferred") & (services["status"] != "not stated")]
    counts = ours["country"].value_counts() if include_inferred else pd.Series(dtype=float)
    return {c: float(counts.get(c, 0)) for c in NORDIC_COUNTRIES}


def _nordic_sweep() -> Sweep:
    cells = tuple(Headline(c, f"{labels.name('country', c, 'en')}: cells whose status is our reading",
                           f"{labels.name('country', c, 'nb')}: ruter der statusen er vår tolkning", "count")
                  for c in NORDIC_COUNTRIES)
    keys = tuple(c.key for c in cells)
    return Sweep("04-nordic-comparison", nordic, {"include_inferred": True}, cells,
                 (Axis("include_inferred", (True, False), keys, "Our readings count", "Våre tolkninger regnes med"),),
                 bars=keys, value_text=_yes_no)


# ---------------------------------------------------------------------------------------------------------------
# chapter 5: the audit


def _verbal(claim: pd.Series) -> bool:
    """Whether a claim states a verbal fraction ("syv av ti"): the only claims whose verdict the tolerance can change
    (``audit.compare`` reads it for a value marked verbal, which ``audit.stated_value`` marks only for a fraction)."""
    return claim["unit"] == "fraction"


def audit_verdicts(verbal_tolerance: float = 5.0) -> pd.DataFrame:
    """``audit.run()``'s verdicts at another tolerance: the full audit once (cached), then only the verbal-fraction
    claims judged again, which is all the tolerance changes. Their explanations are the published run's (only the
    verdicts are counted here); a point costs a few rule checks instead of a full audit."""
    parameters.check_parameters({"verbal_tolerance": verbal_tolerance})
    published = audit.VERBAL_FRACTION_TOLERANCE_POINTS
    try:
        base = audit.run()
        if verbal_tolerance == published:
            return base
        audit.VERBAL_FRACTION_TOLERANCE_POINTS = verbal_tolerance
        facts = audit.Facts.load()
        result = base.set_index("id")
        for _, claim in facts.claims.iterrows():
            if _verbal(claim):
                result.loc[claim["claim_id"], "status"] = audit.verdict(audit.RULES[str(claim["rule"])](claim, facts))
        return result.reset_index()[base.columns]
    finally:
        audit.VERBAL_FRACTION_TOLERANCE_POINTS = published


_PROBLEM_COUNTS: dict[tuple[Any, ...], dict[str, float]] = {}


def audit_headlines(verbal_tolerance: float = 5.0) -> dict[str, float]:
    """The audit's headline numbers: distinct problems by verdict and the claims found inconsistent or loosely
    worded."""
    verdicts = audit_verdicts(verbal_tolerance)
    statuses = verdicts["status"].astype(str)
    # problems() takes seconds; most tolerances give the same verdicts, which give the same problems
    key = (_data_stamp(), tuple(statuses))
    if key not in _PROBLEM_COUNTS:
        counts = audit.problem_counts(audit.problems(verdicts))
        _PROBLEM_COUNTS[key] = {"contradiction": float(counts[audit.CONTRADICTION]),
                                "tension": float(counts[audit.TENSION]),
                                "loose_problems": float(counts[audit.LOOSE_WORDING])}
    claims = statuses.value_counts()
    return {**_PROBLEM_COUNTS[key], "inconsistent_claims": float(claims.get(audit.INCONSISTENT, 0)),
            "loose_claims": float(claims.get(audit.LOOSE_WORDING, 0))}


def _tolerance_text(name: str, value: Any, lang: str) -> str:
    return labels.points(value, 0, lang)


# ---------------------------------------------------------------------------------------------------------------
# the sweeps


def _evidence_sweep(chapter: str, compute: Callable[..., dict[str, float]], reading_en: str,
                    reading_nb: str) -> Sweep:
    """A chapter whose cells rest on the report's words, our reading, or nothing, swept over ``include_inferred``."""
    cells = (Headline("stated", "stated by the report", "oppgitt i rapporten", "count"),
             Headline("inferred", reading_en, reading_nb, "count"),
             Headline("not_stated", "not stated", "ikke oppgitt", "count"))
    keys = tuple(c.key for c in cells)
    return Sweep(chapter, compute, {"include_inferred": True}, cells,
                 (Axis("include_inferred", (True, False), keys, "Our readings count", "Våre tolkninger regnes med"),),
                 bars=keys, value_text=_yes_no)


def sweep_for(chapter: str) -> Sweep:
    """The sensitivity of ``chapter`` (its notebook's name)."""
    if chapter == "01-awareness":
        return AWARENESS
    if chapter == "02-follow-up":
        return Sweep(chapter, follow_up, {"count_hedged": True}, _status_headlines(),
                     (Axis("count_hedged", (True, False), tuple(h.key for h in _status_headlines()),
                           "Hedged statuses count as stated", "Status med forbehold regnes som oppgitt"),),
                     bars=tuple(h.key for h in _status_headlines()), value_text=_yes_no)
    if chapter == "03-relevance":
        return _evidence_sweep(chapter, relevance, "our reading of Table 1", "vår tolkning av tabell 1")
    if chapter == "04-nordic-comparison":
        return _nordic_sweep()
    if chapter == "05-audit":
        heads = (Headline("contradiction", "contradictions", "tilfeller av motstrid", "count"),
                 Headline("tension", "tensions", "tilfeller av uklarhet", "count"),
                 Headline("loose_problems", "loose wording (problems)", "tilfeller av upresis ordlyd (problemer)",
                          "count"),
                 Headline("inconsistent_claims", "numbers found inconsistent", "tall i motstrid", "count"),
                 Headline("loose_claims", "numbers loosely worded", "tall med upresis ordlyd", "count"))
        return Sweep(chapter, audit_headlines, {"verbal_tolerance": 5.0}, heads,
                     (Axis("verbal_tolerance", _grid(0.0, 12.0, 1.0), ("contradiction", "loose_problems"),
                           "Tolerance for verbal fractions (percentage points)",
                           "Toleranse for brøker i ord (prosentpoeng)", plain_ticks=True),),
                     bars=("contradiction", "tension", "loose_problems"), value_text=_tolerance_text)
    raise KeyError(f"no sensitivity for chapter {chapter!r}")


@dataclass(frozen=True)
class Point:
    parameter: str
    value: Any
    published: bool
    numbers: dict[str, float]


def points(sweep: Sweep) -> list[Point]:
    """Every point of every axis: one parameter moved over its grid, the others at their published values."""
    found = []
    for axis in sweep.axes:
        if sweep.defaults[axis.parameter] not in axis.values:
            raise ValueError(f"{sweep.chapter}: the published {axis.parameter} = {sweep.defaults[axis.parameter]!r} "
                             "is not a point of its grid")
        for value in axis.values:
            numbers = sweep.compute(**{**sweep.defaults, axis.parameter: value})
            found.append(Point(axis.parameter, value, value == sweep.defaults[axis.parameter]
                               and type(value) is type(sweep.defaults[axis.parameter]), numbers))
    return found


def table(sweep: Sweep, found: Sequence[Point]) -> pd.DataFrame:
    """The points as a tidy table (a row per point and headline number): the figure's CSV."""
    return pd.DataFrame([{"parameter": p.parameter, "value": p.value, "published": p.published, "number": key,
                          "result": round(value, 6)}
                         for p in found for key, value in p.numbers.items()])


# ---------------------------------------------------------------------------------------------------------------
# the figure


#: Characters per line of a legend entry or axis title: a 6-inch figure at the 12 pt floor holds about 60, and the
#: drawing area must keep most of the width.
_LINE_CHARS = 46


def _axis_number(value: float, unit: str, lang: str) -> str:
    """A tick label in the edition's style: decimal comma, "%" with its no-break space in Norwegian."""
    decimals = 0 if float(value).is_integer() else 1
    if unit == "percent":
        return labels.percent(value, decimals, lang)
    return labels.number(value, decimals, lang)


@plots.redrawable
def figure(sweep: Sweep, found: Sequence[Point], lang: str):
    """One panel per parameter: the headline numbers it moves, across its range, the published value ringed.
    Returns the figure and its alt text."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    from . import plots

    rows = len(sweep.axes)
    fig, axes = plt.subplots(rows, 1, figsize=(plots.figure_width(), 3.4 * rows), squeeze=False, layout="constrained")
    alt_parts = []
    ring = used_value(sweep.chapter, lang)
    for ax, axis in zip(axes[:, 0], sweep.axes):
        on_axis = [p for p in found if p.parameter == axis.parameter]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in axis.values)
        xs = [float(p.value) for p in on_axis] if numeric else list(range(len(on_axis)))
        mark = next(i for i, p in enumerate(on_axis) if p.published)
        handles = []
        for index, key in enumerate(axis.drawn):
            head = sweep.headline(key)
            ys = [p.numbers[key] for p in on_axis]
            colour = plots.PALETTE[index % len(plots.PALETTE)]
            # a choice has no values between its options: dots, not a line through them, each number's dots a little
            # beside the others' so that equal numbers do not hide each other
            shift = 0.0 if numeric else (index - (len(axis.drawn) - 1) / 2) * 0.12
            at = [x + shift for x in xs]
            line, = ax.plot(at, ys, "-o" if numeric else "o", color=colour, markersize=5 if numeric else 8,
                            label=plots.wrap(head.label(lang), plots.label_wrap(_LINE_CHARS), lang=lang))
            handles.append(line)
            ax.plot([at[mark]], [ys[mark]], "o", markersize=13, markerfacecolor="none", markeredgecolor="black",
                    markeredgewidth=1.5)
            alt_parts.append(f"{head.label(lang)}: " + ", ".join(
                f"{sweep.value_text(axis.parameter, p.value, lang)} → {head.text(p.numbers[key], lang)}" for p in on_axis))
        handles.append(Line2D([], [], marker="o", markersize=13, markerfacecolor="none", markeredgecolor="black",
                              markeredgewidth=1.5, linestyle="none", label=ring))
        every = max(1, -(-len(axis.values) // 5))  # at most five tick labels: they must not touch on a phone
        ticks = list(range(0, len(axis.values), every))
        if mark not in ticks:
            ticks = sorted({*ticks, mark} - {t for t in ticks if abs(t - mark) < every and t != 0} | {0})
        tick_text = (lambda v: labels.number(v, 0, lang)) if axis.plain_ticks else \
            (lambda v: sweep.value_text(axis.parameter, v, lang))
        ax.set_xticks([xs[i] for i in ticks], [tick_text(axis.values[i]) for i in ticks])
        if not numeric:
            ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_xlabel(plots.wrap(axis.label(lang), plots.label_wrap(_LINE_CHARS + 8), lang=lang), fontsize=plots.MIN_FONT_PT)
        ax.tick_params(labelsize=plots.MIN_FONT_PT)
        ax.margins(x=0.08, y=0.3)
        unit = sweep.headline(axis.drawn[0]).unit
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos, unit=unit: _axis_number(v, unit, lang)))
        if unit == "count":
            low, high = ax.get_ylim()
            ax.set_ylim(0, max(high, 1))
            ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.02), fontsize=plots.MIN_FONT_PT,
                  frameon=False, handlelength=1.2, borderaxespad=0, ncols=1)
    which = ("each assumption", "hver forutsetning") if rows > 1 else ("the assumption", "forutsetningen")
    what = (f"How {_part(sweep.chapter, lang, possessive=True)} headline numbers change with {which[0]}, "
            f"{used_value(sweep.chapter, lang)} ringed. " if lang == "en" else
            f"Hvordan {_part(sweep.chapter, lang, possessive=True)} hovedtall endrer seg med {which[1]}; "
            f"{used_value(sweep.chapter, lang)}, har en ring. ")
    return fig, what + "; ".join(alt_parts) + "."


# ---------------------------------------------------------------------------------------------------------------
# the explorer


def explorer_data(sweep: Sweep, found: Sequence[Point], lang: str) -> list[dict[str, Any]]:
    """What the explorer embeds, one entry per parameter: its label, the points' values and texts, the published
    point's index, and which numbers are drawn as bars. Texts are written here, in the edition's language."""
    entries = []
    for axis in sweep.axes:
        on_axis = [p for p in found if p.parameter == axis.parameter]
        keys = [h.key for h in sweep.headlines]
        entries.append({
            "parameter": axis.parameter,
            "label": axis.label(lang),
            "published_word": used_word(sweep.chapter, lang),
            "published": next(i for i, p in enumerate(on_axis) if p.published),
            "numbers": [{"key": k, "label": sweep.headline(k).label(lang), "bar": k in sweep.bars} for k in keys],
            "points": [{"at": sweep.value_text(axis.parameter, p.value, lang),
                        "values": [round(p.numbers[k], 6) for k in keys],
                        "texts": [sweep.headline(k).text(p.numbers[k], lang) for k in keys]} for p in on_axis],
        })
    return entries


def _json_for_script(value: Any) -> str:
    """JSON that cannot end its ``<script>`` element or open a comment there: ``<``, ``>`` and ``&`` as escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_ID = re.compile(r"[^a-z0-9-]+")


#: The pages among the swept ones that are appendices, not chapters ("the appendix's headline numbers").
APPENDICES = frozenset({"05-audit"})


def _part(chapter: str, lang: str, *, possessive: bool = False, capital: bool = False) -> str:
    """The page as its sensitivity texts name it: "this chapter" / «kapitlet», possessive "the chapter's" /
    «kapitlets», the appendix likewise."""
    appendix = chapter in APPENDICES
    if lang == "en":
        word = ("the appendix's" if appendix else "the chapter's") if possessive else \
            ("this appendix" if appendix else "this chapter")
    else:
        word = ("vedleggets" if appendix else "kapitlets") if possessive else ("vedlegget" if appendix else "kapitlet")
    return word[:1].upper() + word[1:] if capital else word


def used_value(chapter: str, lang: str) -> str:
    """How the figure's ring names the point the page's own numbers use (its notebook's defaults): "the value this
    chapter uses" / «verdien kapitlet bruker», not "published", which a reader takes for DFØ's published figure."""
    return f"the value {_part(chapter, lang)} uses" if lang == "en" else f"verdien {_part(chapter, lang)} bruker"


def used_word(chapter: str, lang: str) -> str:
    """The explorer's mark of that point after its value: "used in this chapter" / «brukt i kapitlet»."""
    return f"used in {_part(chapter, lang)}" if lang == "en" else f"brukt i {_part(chapter, lang)}"


def _one_choice(sweep: Sweep) -> bool:
    """Whether the sweep has a single parameter that is a yes/no choice (``include_inferred``, ``count_hedged``)."""
    return len(sweep.axes) == 1 and all(isinstance(v, bool) for v in sweep.axes[0].values)


def explorer_help(sweep: Sweep, lang: str) -> str:
    """The line above the sliders: "a slider" for several parameters, "the slider" for one, "the other setting" for
    a single yes/no choice."""
    if _one_choice(sweep):
        return {"en": "Move the slider (or use the arrow keys) to see the numbers with the other setting.",
                "nb": "Flytt glidebryteren (eller bruk piltastene) for å se tallene med den andre innstillingen."}[lang]
    if len(sweep.axes) == 1:
        return {"en": "Move the slider (or use the arrow keys) to see the numbers at another value.",
                "nb": "Flytt glidebryteren (eller bruk piltastene) for å se tallene ved en annen verdi."}[lang]
    return {"en": "Move a slider (or use the arrow keys) to see the numbers at another value.",
            "nb": "Flytt en glidebryter (eller bruk piltastene) for å se tallene ved en annen verdi."}[lang]


def caption_opening(chapter: str) -> tuple[str, str]:
    """The first sentence of the sensitivity figure's caption (English, Norwegian), worded for the page's
    parameters: several swept one at a time, one swept over its range, or one yes/no choice shown with and without
    the assumption. The page adds its source: ``ch.caption(en + " Our calculations …", nb + " Kilde: …")``."""
    sweep = sweep_for(chapter)
    heads = _part(chapter, "en", possessive=True, capital=True), _part(chapter, "nb", possessive=True, capital=True)
    ring = used_value(chapter, "en"), used_value(chapter, "nb")
    if _one_choice(sweep):
        return (f"{heads[0]} headline numbers with and without the assumption; the ring marks the setting "
                f"{_part(chapter, 'en')} uses.",
                f"{heads[1]} hovedtall med og uten forutsetningen; ringen markerer innstillingen "
                f"{_part(chapter, 'nb')} bruker.")
    if len(sweep.axes) == 1:
        return (f"{heads[0]} headline numbers across the range of the assumption; the ring marks {ring[0]}.",
                f"{heads[1]} hovedtall over hele spennet for forutsetningen; ringen markerer {ring[1]}.")
    return (f"{heads[0]} headline numbers across the range of each assumption, one moved at a time, the others kept "
            f"at the values {_part(chapter, 'en')} uses (ringed).",
            f"{heads[1]} hovedtall over hele spennet for hver forutsetning, én endret om gangen mens de andre holdes "
            f"på verdiene {_part(chapter, 'nb')} bruker (markert med ring).")


def explorer_html(sweep: Sweep, found: Sequence[Point], lang: str) -> str:
    """The explorer's markup: per parameter a labelled slider, the numbers at the published point as text (so the
    block reads without JavaScript), an empty SVG for the bars, and the data; ``assets/explorer.js`` wires it up."""
    entries = explorer_data(sweep, found, lang)
    words = ("", explorer_help(sweep, lang))
    parts = [f'<div class="explorer" data-chapter="{html.escape(sweep.chapter)}">',
             f'<p class="explorer-help">{html.escape(words[1])}</p>']
    for entry in entries:
        base = _ID.sub("-", f"explorer-{sweep.chapter}-{entry['parameter']}".lower())
        start = entry["points"][entry["published"]]
        parts.append(f'<fieldset class="explorer-axis" id="{base}">')
        parts.append(f'<legend>{html.escape(entry["label"])}</legend>')
        parts.append(f'<label for="{base}-range">{html.escape(entry["label"])}</label> '
                     f'<input type="range" id="{base}-range" min="0" max="{len(entry["points"]) - 1}" step="1" '
                     f'value="{entry["published"]}" aria-valuetext="{html.escape(start["at"])}" '
                     f'aria-describedby="{base}-value"> '
                     f'<output id="{base}-value" for="{base}-range" aria-live="polite">'
                     f'{html.escape(start["at"])} ({html.escape(entry["published_word"])})</output>')
        parts.append('<dl class="explorer-numbers">' + "".join(
            f'<div><dt>{html.escape(n["label"])}</dt><dd data-key="{html.escape(n["key"])}">{html.escape(t)}</dd></div>'
            for n, t in zip(entry["numbers"], start["texts"])) + "</dl>")
        parts.append('<svg class="explorer-bars" aria-hidden="true" focusable="false"></svg>')
        parts.append(f'<script type="application/json" class="explorer-data">{_json_for_script(entry)}</script>')
        parts.append("</fieldset>")
    parts.append("</div>")
    parts.append(f'<script src="{SCRIPT}"></script>')
    return "\n".join(parts)


def explorer_markdown(sweep: Sweep, found: Sequence[Point], lang: str) -> str:
    """The explorer as Markdown for Quarto: a raw HTML block (a ``text/html`` output would load scripts from a CDN)."""
    return f"```{{=html}}\n{explorer_html(sweep, found, lang)}\n```\n"


def embedded_points(page_html: str) -> list[dict[str, Any]]:
    """The explorer data a built page embeds, one entry per parameter (what tests compare with :func:`explorer_data`)."""
    return [json.loads(m) for m in re.findall(
        r'<script type="application/json" class="explorer-data">(.*?)</script>', page_html, flags=re.S)]


def show(ch: Any, *, figure_id: str, caption: Any) -> list[Point]:
    """The chapter's sensitivity section: the figure through ``ch.figure`` (caption, alt text, CSV, label), then the
    explorer. Returns the points, for prose."""
    from IPython.display import display

    sweep = sweep_for(ch.name)
    found = points(sweep)
    fig, alt = figure(sweep, found, ch.lang)
    ch.figure(fig, alt, figure_id=figure_id, caption=caption, data=table(sweep, found))
    block = explorer_html(sweep, found, ch.lang)
    # text/html is the view JupyterLab shows; the build drops it before Quarto renders the Markdown
    display({"text/markdown": f"```{{=html}}\n{block}\n```\n", "text/html": block}, raw=True)
    return found
