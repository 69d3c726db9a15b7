"""The reproducibility audit: every number the report states (``data/claims.csv``), recomputed from the data.

Each claim declares a ``rule`` — what it is compared with (a survey cell, a sum of categories, the leader/non-leader
mix, a count divided by its N, a registry file, a dated event of a measure, the other passages stating the same
quantity …). Both sides carry the precision they were printed with: a survey percent printed as 26 stands for
25.5–26.5, a count for itself, a date printed as a year for every day of that year.

A verbal fraction ("x av y") stands for the values that are nearer to it than to any other *simple fraction* — a
fraction with denominator 2, 3, 4, 5 or 10 (halves, thirds, quarters, fifths and tenths: the fractions of everyday
speech, which include the thirds and tenths the report itself uses). Its band reaches halfway to the neighbouring
simple fraction on each side: "1 av 3" covers 31.67–36.67 % (halfway to 3/10 and to 4/10), "7 av 10" 68.33–72.5 %
(halfway to 2/3 and to 3/4), "1 av 10" 5–15 %. A writer who chose "1 av 3" for a share that "3 av 10" or "1 av 4"
describes better has misstated it: such a claim is ``loose wording`` when the fraction lies within
:data:`VERBAL_FRACTION_TOLERANCE_POINTS` of the share, ``inconsistent`` beyond that. Qualifiers such as "om lag" or "hele" do not
widen the band: every verbal fraction is approximate, and the band is what makes it so. (Reading "x av y" as x ± ½
over y instead would let "1 av 3" cover 17–50 %, wide enough that no verbal claim could ever be flagged.)

A verbal fraction outside its band but within :data:`VERBAL_FRACTION_TOLERANCE_POINTS` of the share it summarises
("1 av 3" for 30 %) is ``loose wording``: readers call that fair rounding, and it is no contradiction.

A claim (one printing) is

* ``reproduced`` — the data give exactly the stated value;
* ``within rounding`` — not exactly, but some value is allowed by both the stated and the data's precision;
* ``loose wording`` — a verbal fraction outside its band, but within the tolerance of the share it summarises;
* ``inconsistent`` — no value fits both;
* ``not checkable`` — there is nothing to check it against (an illegible label, or a date or count stated once
  that no data file holds).

:func:`run` returns one row per claim with the arithmetic written out as a sentence. :func:`problems` groups them
into distinct problems — a discrepancy printed three times is one problem (``data/problems.csv`` declares which
printings belong together; an undeclared failing claim joins the other printings of its quantity) — and adds the
textual and date problems, each checked by a stated rule on the report's statements (``problem_statements.csv``,
``cross_references.csv`` against ``report_structure.csv``). A problem's verdict is, worst first:

* ``contradiction`` — the report's statements cannot all be true as printed;
* ``tension`` — they can be reconciled, but only by a reading the report does not give;
* ``loose wording`` — the wording is less precise than what it describes, within what readers accept.

Nothing here stores a verdict: change a data file and the verdicts follow.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from . import data, labels, paths, sources, stats, tables
from .inline import Markdown, escape

_say = labels.phrase  # every sentence the audit writes, in the edition's language (helpers.labels)

REPRODUCED = "reproduced"
WITHIN_ROUNDING = "within rounding"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not checkable"
LOOSE_WORDING = "loose wording"
#: Worst first: a claim's status is the worst of its checks.
STATUSES: tuple[str, ...] = (INCONSISTENT, LOOSE_WORDING, WITHIN_ROUNDING, REPRODUCED, NOT_CHECKABLE)

#: How far (percentage points) a verbal fraction may lie from the share it summarises and still be loose wording
#: rather than a contradiction: "1 av 3" (33.3) for 30 % is 3.3 points off, "1 av 3" for 26 % is 7.3.
VERBAL_FRACTION_TOLERANCE_POINTS: float = 5.0

CONTRADICTION = "contradiction"
TENSION = "tension"
#: A problem's verdicts, worst first.
PROBLEM_VERDICTS: tuple[str, ...] = (CONTRADICTION, TENSION, LOOSE_WORDING)

COLUMNS = ["id", "section", "figure", "refers_to", "stated", "unit", "n", "kind", "rule", "status", "explanation"]


class AuditError(ValueError):
    """A claim's rule cannot be applied (it names data that do not exist): a registry error, never a verdict."""

    def __init__(self, claim_id: str, message: str) -> None:
        super().__init__(f"data/claims.csv, claim {claim_id}: {message}")
        self.claim_id = claim_id


# --------------------------------------------------------------------------------------------------------------------
# Values with the precision they were printed with


@dataclass(frozen=True)
class Value:
    """A number and the interval of true values its printing allows (``low_open``: the low end itself is excluded)."""

    point: float
    low: float
    high: float
    text: str
    low_open: bool = False
    verbal: bool = False  # a verbal fraction: outside its band but near the data it is loose wording

    @classmethod
    def exact(cls, point: float, text: str | None = None) -> "Value":
        return cls(point, point, point, text if text is not None else _fmt(point))

    @classmethod
    def rounded(cls, point: float, half_step: float, text: str | None = None) -> "Value":
        return cls(point, point - half_step, point + half_step, text if text is not None else _fmt(point))

    def range_text(self) -> str:
        if self.low == self.high:
            return _fmt(self.low)
        return f"{_fmt(self.low)}–{_fmt(self.high)}"


def _fmt(x: float) -> str:
    """A number as the edition writes it (decimal comma in Norwegian), at most two decimals, no trailing zeros."""
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if labels.current() == "nb" else text


def _pct(text: str) -> str:
    """A number already written for the edition (``_fmt``, ``labels.number``) with its percent sign: "26%" /
    "26 %" (no-break space), as :func:`helpers.labels.percent` writes it."""
    return f"{text}{labels.NBSP}%" if labels.current() == "nb" else f"{text}%"


def date_text(text: str) -> str:
    """A date or period as the report printed it, at its precision, in the edition's words: ``2023-06-14`` → "14 June
    2023" / "14. juni 2023", ``2022-06`` → "June 2022", ``2024`` → "2024", ``2019-09/2019-11`` → "September–November
    2019", ``2021/2025`` → "2021–2025"."""
    text = str(text).strip()
    if "/" in text:
        start, end = text.split("/", 1)
        first = date_text(start)
        if len(start) == len(end) == 7 and start[:4] == end[:4]:  # months of one year: the year once, at the end
            first = first.rsplit(" ", 1)[0]
        return f"{first}–{date_text(end)}"
    precision = {1: "year", 2: "month", 3: "day"}[len(text.split("-"))]
    return labels.date(text, precision)


def compare(stated: Value, found: Value) -> str:
    """``reproduced`` if equal, ``within rounding`` if the two intervals share a value, else ``inconsistent``."""
    if stated.low_open:  # a bound such as "more than half": true when every value the data allow lies above it
        if found.low > stated.low and found.high <= stated.high:
            return REPRODUCED
        return WITHIN_ROUNDING if found.high > stated.low else INCONSISTENT
    if math.isclose(stated.point, found.point, abs_tol=1e-9):
        return REPRODUCED
    overlap = max(stated.low, found.low) <= min(stated.high, found.high) + 1e-9
    if overlap:
        return WITHIN_ROUNDING
    if stated.verbal and abs(stated.point - found.point) <= VERBAL_FRACTION_TOLERANCE_POINTS + 1e-9:
        return LOOSE_WORDING
    return INCONSISTENT


def _loose_check(stated: Value, found: Value, status: str) -> list[Check]:
    """The sentence saying why a verbal fraction is loose wording, not a contradiction (none otherwise)."""
    if status != LOOSE_WORDING:
        return []
    return [Check(LOOSE_WORDING, _say("audit_loose", stated=stated.text, gap=labels.points(abs(stated.point - found.point), 1),
                                      found=_pct(_fmt(found.point)),
                                      tolerance=labels.points(VERBAL_FRACTION_TOLERANCE_POINTS)))]


_NUMBER_WORDS = {"en": 1, "ett": 1, "ei": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7, "sju": 7,
                 "åtte": 8, "ni": 9, "ti": 10}
_MORE_THAN_HALF = re.compile(r"\b(mer enn?|over)\s+halvparten\b")


def _number(token: str) -> int:
    token = token.lower()
    if token.isdigit():
        return int(token)
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    raise ValueError(f"not a number: {token!r}")


def parse_fraction(text: str) -> tuple[int, int]:
    """``"om lag syv av ti"`` → (7, 10); tolerates OCR spacing such as ``"7av 10"`` or ``"1av3"``."""
    match = re.search(r"(\w+?)\s*av\s*(\w+)\s*$", text.strip().lower())
    if not match:
        raise ValueError(f"no 'x av y' fraction in {text!r}")
    return _number(match.group(1)), _number(match.group(2))


#: Denominators of the simple fractions a verbal "x av y" is measured against (see the module docstring).
SIMPLE_DENOMINATORS: tuple[int, ...] = (2, 3, 4, 5, 10)


def simple_fractions(extra: Sequence[float] = ()) -> list[float]:
    """The simple fractions from 0 to 1 (as shares), sorted, with ``extra`` values added."""
    grid = {Fraction(k, m) for m in SIMPLE_DENOMINATORS for k in range(m + 1)}
    return sorted({float(f) for f in grid} | {float(x) for x in extra})


def fraction_band(k: int, m: int) -> tuple[float, float]:
    """Percent band a verbal fraction ``k av m`` stands for: from halfway to the next lower simple fraction to halfway
    to the next higher one (0 and 100 are the ends). A fraction outside the grid (e.g. "2 av 7") joins it."""
    if m <= 0 or not 0 <= k <= m:
        raise ValueError(f"not a fraction of a whole: {k} av {m}")
    share = k / m
    grid = simple_fractions([share])
    lower = [f for f in grid if f < share - 1e-12]
    higher = [f for f in grid if f > share + 1e-12]
    low = (lower[-1] + share) / 2 if lower else 0.0
    high = (share + higher[0]) / 2 if higher else 1.0
    return 100 * low, 100 * high


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def stated_value(claim: pd.Series) -> Value:
    """The claim's number with the precision its wording allows."""
    unit, text, value = claim["unit"], str(claim["stated"]), claim["value"]
    if unit == "fraction":
        k, m = parse_fraction(text)
        low, high = fraction_band(k, m)
        return Value(100 * k / m, low, high, _say("audit_fraction", k=k, m=m), verbal=True)
    if unit == "phrase":
        if _MORE_THAN_HALF.search(text.lower()):
            return Value(50.0, 50.0, 100.0, _say("audit_more_than_half"), low_open=True)
        raise ValueError(f"no reading for the phrase {text!r}; add it to helpers.audit.stated_value")
    if unit == "percent":
        return Value.rounded(float(value), 0.5 * 10 ** -_decimals(value), _pct(_fmt(value)))
    if unit == "count":
        if re.search(r"\b(ca\.?|om lag|omtrent|cirka)\s", text.lower()):
            zeros = len(str(int(value))) - len(str(int(value)).rstrip("0"))
            return Value.rounded(float(value), 0.5 * 10**zeros, _say("audit_about", value=_fmt(value)))
        return Value.exact(float(value))
    raise ValueError(f"unit {unit!r} has no numeric reading")


# --------------------------------------------------------------------------------------------------------------------
# Dates printed with reduced precision: 2024, 2024-05, 2024-05-31, or a period 2016/2020


def date_span(text: str) -> tuple[dt.date, dt.date]:
    """First and last day a date or period printed as ``text`` can mean."""
    if "/" in text:
        start, end = text.split("/", 1)
        return date_span(start)[0], date_span(end)[1]
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        following = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    day = dt.date(*parts)
    return day, day


def compare_dates(stated: str, found: str) -> str:
    """Dates at their printed precision; two periods agree only if their starts agree and their ends agree."""
    if stated == found:
        return REPRODUCED
    if "/" in stated and "/" in found:
        ends = [compare_dates(a, b) for a, b in zip(stated.split("/", 1), found.split("/", 1))]
        return min(ends, key=STATUSES.index)
    a, b = date_span(stated), date_span(found)
    return WITHIN_ROUNDING if max(a[0], b[0]) <= min(a[1], b[1]) else INCONSISTENT


# --------------------------------------------------------------------------------------------------------------------
# The data a rule may consult


SURVEY_KEYS = ("question", "item", "group", "response")


def quantity_key(row: pd.Series) -> tuple[str, ...]:
    """What a claim or survey cell is about, blanks as "": equal keys mean the same quantity."""
    return tuple("" if _blank(row.get(c)) else str(row.get(c)) for c in SURVEY_KEYS)


@dataclass
class Facts:
    claims: pd.DataFrame
    survey: pd.DataFrame
    response: pd.DataFrame
    fieldwork: pd.DataFrame
    interviews: pd.DataFrame
    measures: pd.DataFrame
    measure_events: pd.DataFrame
    core_groups: pd.DataFrame
    ministries: pd.DataFrame
    strategy: pd.DataFrame
    questionnaire: pd.DataFrame

    @classmethod
    def load(cls) -> "Facts":
        return cls(
            claims=data.load("claims"),
            survey=data.load("survey_answers"),
            response=data.load("survey_response"),
            fieldwork=data.load("survey_fieldwork"),
            interviews=data.load("interviews"),
            measures=data.load("measures"),
            measure_events=data.load("measure_events"),
            core_groups=data.load("core_groups"),
            ministries=data.load("ministries"),
            strategy=data.load("strategy"),
            questionnaire=data.load("questionnaire"),
        )

    def quantity(self, claim_id: str, name: str) -> float:
        """A survey_response quantity; the first stated row (1.4.3 comes before vedlegg 2)."""
        rows = self.response[(self.response["quantity"] == name) & self.response["value"].notna()]
        if rows.empty:
            raise AuditError(claim_id, f"survey_response.csv has no value for quantity '{name}'")
        return float(rows["value"].iloc[0])

    @functools.cached_property
    def _survey_cells(self) -> dict[tuple[str, str, str, str], pd.Series]:
        # first legible row per (question, item, group, response); built once instead of filtered per claim
        cells: dict[tuple[str, str, str, str], pd.Series] = {}
        for _, row in self.survey[self.survey["kind"] != "missing"].iterrows():
            cells.setdefault(quantity_key(row), row)
        return cells

    @functools.cached_property
    def claim_keys(self) -> pd.Series:
        """Each claim's (question, item, group, response), blanks as "": claims with equal keys state one quantity."""
        return self.claims.apply(quantity_key, axis=1)

    def survey_cell(self, claim_id: str, question: str, item: str | None, group: str, response: str) -> pd.Series:
        key = (str(question), item or "", str(group), str(response))
        if key not in self._survey_cells:
            where = ", ".join(str(v) for v in (question, item, group, response) if v is not None)
            raise AuditError(claim_id, f"survey_answers.csv has no legible cell ({where})")
        return self._survey_cells[key]


@dataclass(frozen=True)
class Check:
    status: str
    sentence: str


def _blank(value: object) -> bool:
    """Empty in any of the ways a loaded CSV cell can be: None, NaN, pd.NA, NaT or ""."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return True
    return isinstance(value, str) and value == ""


def _field(claim: pd.Series, name: str) -> str | None:
    value = claim.get(name)
    return None if _blank(value) else str(value)


def _cell_text(cell: pd.Series) -> str:
    return f"survey_answers.csv ({labels.report_place(cell['section'], cell.get('figure'))})"


# --------------------------------------------------------------------------------------------------------------------
# Rules: each returns the checks for one claim


def _survey_percent(claim_id: str, cell: pd.Series) -> Value:
    if pd.isna(cell["percent"]):
        raise AuditError(claim_id, "the survey cell it names has no percent")
    return Value.rounded(float(cell["percent"]), 0.5, _pct(_fmt(cell["percent"])))


def rule_survey_lookup(claim: pd.Series, facts: Facts) -> list[Check]:
    cell = facts.survey_cell(claim["claim_id"], claim["question"], _field(claim, "item"), claim["group"], claim["response"])
    stated = stated_value(claim)
    if claim["unit"] == "count":
        if pd.isna(cell["count"]):
            raise AuditError(claim["claim_id"], "the survey cell it names has no count")
        found = Value.exact(float(cell["count"]))
        what = _say("audit_respondents", count=found.text)
    else:
        found = _survey_percent(claim["claim_id"], cell)
        what = found.text
    status = compare(stated, found)
    # the range only where the printing allows more than the printed value (a percent, a fraction), not for a count
    band = stated.range_text() if claim["unit"] == "count" else _pct(stated.range_text())
    shown = stated.text if stated.range_text() == stated.text else f"{stated.text} ({band})"
    checks = [Check(status, _say("audit_lookup", stated=shown, source=_cell_text(cell), found=what))]
    checks += _loose_check(stated, found, status)
    checks += _n_check(claim, cell)
    return checks


def _n_check(claim: pd.Series, cell: pd.Series) -> list[Check]:
    if _blank(claim.get("n")) or _blank(cell.get("n")):
        return []
    same = int(claim["n"]) == int(cell["n"])
    return [Check(REPRODUCED if same else INCONSISTENT,
                  _say("audit_n_matches" if same else "audit_n_differs", n=int(claim["n"]), cell_n=int(cell["n"])))]


def survey_parts(claim: pd.Series, facts: Facts) -> list[Value]:
    """The survey percents of each answer category the claim names (several joined by '|')."""
    return [_survey_percent(claim["claim_id"], facts.survey_cell(claim["claim_id"], claim["question"],
                                                                  _field(claim, "item"), claim["group"], r))
            for r in str(claim["response"]).split("|")]


def rule_category_sum(claim: pd.Series, facts: Facts) -> list[Check]:
    parts = survey_parts(claim, facts)
    total = sum(p.point for p in parts)
    # each part is rounded on its own, so the sum may be off by half a point per part
    found = Value.rounded(total, 0.5 * len(parts))
    stated = stated_value(claim)
    status = compare(stated, found)
    addends = " + ".join(_fmt(p.point) for p in parts)
    return [Check(status, _say("audit_category_sum", stated=stated.text, range=stated.range_text(), addends=addends,
                               total=_pct(_fmt(total)), found_range=found.range_text()))] + _loose_check(stated, found, status)


def rule_mixture(claim: pd.Series, facts: Facts) -> list[Check]:
    checks = rule_survey_lookup(claim, facts)
    cid, item, response = claim["claim_id"], _field(claim, "item"), claim["response"]
    leaders = _survey_percent(cid, facts.survey_cell(cid, claim["question"], item, "leaders", response))
    others = _survey_percent(cid, facts.survey_cell(cid, claim["question"], item, "non_leaders", response))
    share = Value.rounded(facts.quantity(cid, "leader_share"), 0.5)
    corners = [stats.mixture(a, b, s / 100) for a in (leaders.low, leaders.high) for b in (others.low, others.high)
               for s in (share.low, share.high)]
    mixed = stats.mixture(leaders.point, others.point, share.point / 100)
    found = Value(mixed, min(corners), max(corners), _fmt(round(mixed, 2)))
    stated = stated_value(claim)
    status = compare(stated, found)
    checks.append(Check(status, _say("audit_mixture", leaders_share=_fmt(share.point), others_share=_fmt(100 - share.point),
                                     weight=_fmt(share.point / 100), leaders=_fmt(leaders.point),
                                     other_weight=_fmt(1 - share.point / 100), others=_fmt(others.point),
                                     found=_pct(found.text),
                                     low=_fmt(round(found.low, 2)), high=_fmt(round(found.high, 2)), stated=stated.text)))
    return checks


def rule_count_share(claim: pd.Series, facts: Facts) -> list[Check]:
    cid = claim["claim_id"]
    cell = facts.survey_cell(cid, claim["question"], _field(claim, "item"), claim["group"], claim["response"])
    if pd.isna(cell["count"]) or pd.isna(cell["n"]):
        raise AuditError(cid, "count_share needs a count and an N on the survey cell")
    count, n = int(cell["count"]), int(cell["n"])
    found = Value.exact(100 * count / n, _pct(labels.number(100 * count / n, 2)))
    stated = stated_value(claim)
    status = compare(stated, found)
    sentence = (_say("audit_count_share_fits", stated=stated.text, count=count, n=n, found=found.text) if status != INCONSISTENT
                else _say("audit_count_share_off", stated=stated.text, count=count, n=n, found=found.text,
                          rounded=_pct(str(round(100 * count / n)))))
    implied = stats.implied_n_range(stated.point, count, _decimals(stated.point))
    if implied is not None and status == INCONSISTENT:
        low, high = implied
        sentence += " " + (_say("audit_implied_n", count=count, stated=stated.text, low=low, high=high, n=n) if low <= high
                           else _say("audit_no_n", count=count, stated=stated.text, n=n))
    return [Check(status, sentence)]


def rule_sample_lookup(claim: pd.Series, facts: Facts) -> list[Check]:
    name = claim["item"]
    found = Value.exact(facts.quantity(claim["claim_id"], name))
    if name == "leader_share":
        found = Value.rounded(found.point, 0.5, _pct(_fmt(found.point)))
    stated = stated_value(claim)
    status = compare(stated, found)
    sentence = _say("audit_sample", stated=stated.text, found=found.text)
    others = facts.response[(facts.response["quantity"].astype(str).str.startswith(name)) & facts.response["value"].notna()]
    alternatives = sorted({_fmt(v) for v in others["value"]} - {found.text, _fmt(stated.point)})
    if alternatives:
        sentence += " " + _say("audit_sample_elsewhere", values=labels.join(alternatives))
    if name == "invited" and status == INCONSISTENT:
        answered = facts.quantity(claim["claim_id"], "answered")
        rates = [f"{_fmt(answered)} ÷ {_fmt(n)} = {_pct(labels.number(100 * answered / n, 2))}"
                 for n in (stated.point, found.point)]
        sentence += " " + _say("audit_sample_both_rates", rates="; ".join(rates))
    return [Check(status, sentence)]


def rule_response_rate(claim: pd.Series, facts: Facts) -> list[Check]:
    cid = claim["claim_id"]
    answered = facts.quantity(cid, "answered")
    invited = float(claim["n"]) if not pd.isna(claim["n"]) else facts.quantity(cid, "invited")
    rate = 100 * answered / invited
    stated = stated_value(claim)
    status = compare(stated, Value.exact(rate))
    return [Check(status, _say("audit_response_rate", stated=stated.text, answered=_fmt(answered), invited=_fmt(invited),
                               rate=_pct(labels.number(rate, 2))))]


def rule_complement(claim: pd.Series, facts: Facts) -> list[Check]:
    leaders = facts.quantity(claim["claim_id"], "leader_share")
    found = Value.rounded(100 - leaders, 0.5)
    stated = stated_value(claim)
    status = compare(stated, found)
    return [Check(status, _say("audit_complement", stated=stated.text, leaders=_pct(_fmt(leaders)),
                               found=_pct(found.text)))]


def _registry_counts(facts: Facts) -> dict[str, tuple[int, str]]:
    interviews = facts.interviews[~facts.interviews["group"].astype(str).str.startswith("total")]
    counts = {
        "measures_count": (len(facts.measures), _say("audit_registry_measures")),
        "core_groups_count": (len(facts.core_groups), _say("audit_registry_core_groups")),
        "ministries_count": (int(facts.ministries["unit_type"].isin(["ministry", "prime_ministers_office"]).sum()),
                             _say("audit_registry_ministries",
                                  ministries=int((facts.ministries["unit_type"] == "ministry").sum()),
                                  pm_office=labels.name("organisation", "SMK"))),
        "goal_areas_count": (int((facts.strategy["element_type"] == "goal_area").sum()), _say("audit_registry_goal_areas")),
        "questions_count": (int(facts.questionnaire["question_number"].nunique()), _say("audit_registry_questions")),
    }
    # the group by its name in the edition's language (interviews.csv label_en / label_nb), not by its code
    for _, row in interviews.iterrows():
        noun = "audit_registry_interview" if int(row["count"]) == 1 else "audit_registry_interviews"
        counts[f"interviews_group:{row['group']}"] = (int(row["count"]),
                                                      _say(noun, group=row[f"label_{labels.current()}"]))
    return counts


def rule_registry_count(claim: pd.Series, facts: Facts) -> list[Check]:
    counts = _registry_counts(facts)
    if claim["item"] not in counts:
        raise AuditError(claim["claim_id"], f"no registry count for item '{claim['item']}'")
    count, what = counts[claim["item"]]
    stated = stated_value(claim)
    status = compare(stated, Value.exact(count))
    return [Check(status, _say("audit_registry_count", stated=stated.text, count=count, what=what))]


def rule_interview_sum(claim: pd.Series, facts: Facts) -> list[Check]:
    groups = facts.interviews[~facts.interviews["group"].astype(str).str.startswith("total")]
    counts = [int(c) for c in groups["count"]]
    stated = stated_value(claim)
    status = compare(stated, Value.exact(sum(counts)))
    return [Check(status, _say("audit_interview_sum", stated=stated.text, groups=len(counts),
                               addends=" + ".join(map(str, counts)), total=sum(counts)))]


def rule_figure_n(claim: pd.Series, facts: Facts) -> list[Check]:
    cid = claim["claim_id"]
    rows = facts.survey[(facts.survey["figure"] == claim["figure"]) & facts.survey["n"].notna()]
    if rows.empty:
        raise AuditError(cid, f"survey_answers.csv records no N for {claim['figure']}")
    ns = sorted({int(n) for n in rows["n"]})
    stated = stated_value(claim)
    checks = [Check(compare(stated, Value.exact(ns[0])) if len(ns) == 1 else INCONSISTENT,
                    _say("audit_figure_n", stated=stated.text, ns=", ".join(map(str, ns))))]
    answered = facts.quantity(cid, "answered")
    fits = stated.point <= answered
    checks.append(Check(REPRODUCED if fits else INCONSISTENT,
                        _say("audit_figure_n_fits" if fits else "audit_figure_n_exceeds", stated=stated.text,
                             answered=_fmt(answered))))
    return checks


def rule_involved_range(claim: pd.Series, facts: Facts) -> list[Check]:
    cid = claim["claim_id"]
    s = facts.survey
    involved = s[(s["question"] == "measure_involvement") & (s["group"] == "all") & (s["response"] == "Ja") & s["count"].notna()]
    if involved.empty:
        raise AuditError(cid, "survey_answers.csv has no counts of involved respondents")
    low, high = int(involved["count"].min()), int(involved["count"].max())
    asked = facts.quantity(cid, "involvement_respondents")
    stated_low, stated_high = float(claim["value"]), float(claim["value_high"])
    checks = [Check(compare(Value.exact(stated_low), Value.exact(low)),
                    _say("audit_involved_low", stated=_fmt(stated_low), low=low)),
              Check(compare(Value.exact(stated_high), Value.exact(high)),
                    _say("audit_involved_high_exceeds" if stated_high > asked else "audit_involved_high",
                         stated=_fmt(stated_high), high=high, asked=_fmt(asked)))]
    return checks


_FIELDWORK_EVENT = {"fieldwork_start": "survey_opened", "fieldwork_end": "survey_closed_stated",
                    "survey_closed": "survey_closed_stated"}


def rule_fieldwork_date(claim: pd.Series, facts: Facts) -> list[Check]:
    event = _FIELDWORK_EVENT.get(claim["item"])
    rows = facts.fieldwork[(facts.fieldwork["event"] == event) & facts.fieldwork["date"].notna()] if event else None
    if rows is None or rows.empty:
        raise AuditError(claim["claim_id"], f"survey_fieldwork.csv has no date for '{claim['item']}'")
    # the row transcribed from the claim's own section where there is one (vedlegg 2 repeats the dates of 1.4.3)
    same_section = rows[rows["section"].astype(str) == str(claim["section"])]
    row = (same_section if not same_section.empty else rows).iloc[0]
    found = pd.Timestamp(row["date"]).date().isoformat()
    status = compare_dates(str(claim["stated"]), found)
    sentence = _say("audit_fieldwork", stated=date_text(claim["stated"]),
                    section=labels.report_place(row["section"]), event=_say(f"audit_event_{event}"), found=date_text(found))
    if status == INCONSISTENT:
        gap = abs((date_span(str(claim["stated"]))[0] - date_span(found)[0]).days)
        sentence += _say("audit_days_apart", gap=gap)
    return [Check(status, sentence + ".")]


def rule_core_group_start(claim: pd.Series, facts: Facts) -> list[Check]:
    group = str(claim["item"]).split(":", 1)[1]
    rows = facts.core_groups[facts.core_groups["core_group"] == group]
    if rows.empty:
        raise AuditError(claim["claim_id"], f"core_groups.csv has no core group '{group}'")
    found = str(rows["start"].iloc[0])
    status = compare_dates(str(claim["stated"]), found)
    name = labels.name("core_group", group)  # the group's name in the glossary, not its code
    return [Check(status, _say("audit_core_group_start", stated=date_text(claim["stated"]), found=date_text(found),
                               group=name))]


_SEASONS = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}  # phrase keys audit_season_<name>


def event_date_text(date: object, precision: str) -> str:
    """A measure event's date at the precision the report printed it with: ``2021`` (year), ``2022-06`` (month),
    ``2024-05-31`` (day) or, for a season, the period of its three months (autumn 2023 → ``2023-09/2023-11``;
    measure_events.csv dates a season by its first day, 1 September for autumn)."""
    day = pd.Timestamp(date).date()
    if precision == "year":
        return f"{day.year}"
    if precision == "month":
        return f"{day.year}-{day.month:02d}"
    if precision == "day":
        return day.isoformat()
    if precision == "season":
        end_month = day.month + 2
        end_year = day.year + (end_month > 12)
        end_month = (end_month - 1) % 12 + 1
        return f"{day.year}-{day.month:02d}/{end_year}-{end_month:02d}"
    raise ValueError(f"unknown date precision {precision!r}")


def rule_measure_event(claim: pd.Series, facts: Facts) -> list[Check]:
    """The date of the measure event the claim's item names (``measure_event:<event_id>``), in measure_events.csv."""
    cid, item = claim["claim_id"], str(claim["item"])
    if not item.startswith("measure_event:"):
        raise AuditError(cid, f"rule measure_event needs item 'measure_event:<event_id>', not '{item}'")
    event_id = item.split(":", 1)[1]
    events = facts.measure_events
    rows = events[(events["event_id"].astype(str) == event_id) & events["date"].notna()]
    if rows.empty:
        raise AuditError(cid, f"measure_events.csv has no dated event '{event_id}'")
    event = rows.iloc[0]
    precision = str(event["date_precision"])
    found = event_date_text(event["date"], precision)
    status = compare_dates(str(claim["stated"]), found)
    when = date_text(found)
    start = pd.Timestamp(event["date"])
    if precision == "season" and start.month in _SEASONS:
        when = f"{_say('audit_season_' + _SEASONS[start.month])} {start.year} ({when})"
    planned = " " + _say("audit_planned") if not _blank(event["planned"]) and bool(event["planned"]) else ""
    # the event described in our words, in the edition's language (measure_events.csv description_en / description_nb)
    description = str(event[f"description_{labels.current()}"]).rstrip(".")
    return [Check(status, _say("audit_measure_event", stated=date_text(claim["stated"]),
                               section=labels.report_place(event["section"]),
                               planned=planned, when=when, precision=_say(f"audit_precision_{precision}"),
                               description=description))]


def rule_repeated(claim: pd.Series, facts: Facts) -> list[Check]:
    """Compared with every other printing of the same quantity. Where printings disagree, the report's majority
    stands: a claim is inconsistent when at least as many printings contradict it as agree with it (itself included),
    so a lone misprint is flagged and the printings it contradicts are not."""
    same = facts.claim_keys == quantity_key(claim)
    others = facts.claims[same & (facts.claims["claim_id"] != claim["claim_id"]) & (facts.claims["kind"] != "missing")]
    if others.empty:
        return []
    agree: list[tuple[str, str]] = []
    disagree: list[str] = []
    for _, other in others.iterrows():
        if claim["unit"] == "date" or other["unit"] == "date":
            status = compare_dates(str(claim["stated"]), str(other["stated"]))
        else:
            status = compare(stated_value(claim), stated_value(other))
        where = dict(id=other["claim_id"], place=labels.report_place(other["section"]), stated=shown_value(other))
        if status == INCONSISTENT:
            disagree.append(_say("audit_repeated_states", **where))
        else:
            agree.append((status, _say("audit_repeated_same" if status == REPRODUCED else "audit_repeated_precision",
                                       **where)))
    sentence = _say("audit_stated", stated=shown_value(claim))
    if agree:
        sentence += _say("audit_repeated_agrees", others=labels.join([text for _, text in agree]))
    if disagree:
        sentence += _say("audit_repeated_contradicted", others=labels.join(disagree))
    if len(disagree) >= len(agree) + 1:
        return [Check(INCONSISTENT, sentence + _say("audit_repeated_minority"))]
    worst = min((status for status, _ in agree), key=STATUSES.index)
    return [Check(worst, sentence + ("." if not disagree else _say("audit_repeated_majority")))]


def rule_not_checkable(claim: pd.Series, facts: Facts) -> list[Check]:
    return []


def shown_value(claim: pd.Series) -> str:
    """A claim's number or date as the explanations write it, in the edition's language: a date at its printed
    precision ("June 2022"), a number with the precision its wording allows ("79%", "8 in 10", "5")."""
    if claim["unit"] == "date":
        return date_text(str(claim["stated"]))
    return stated_value(claim).text


def rule_text(rule: str) -> str:
    """What ``rule`` compares a claim with, in the edition's language (shown in the audit appendix)."""
    return _say(f"audit_rule_{rule}")


RULES: dict[str, Callable[[pd.Series, Facts], list[Check]]] = {
    "survey_lookup": rule_survey_lookup,
    "category_sum": rule_category_sum,
    "mixture": rule_mixture,
    "count_share": rule_count_share,
    "sample_lookup": rule_sample_lookup,
    "response_rate": rule_response_rate,
    "complement": rule_complement,
    "registry_count": rule_registry_count,
    "interview_sum": rule_interview_sum,
    "figure_n": rule_figure_n,
    "involved_range": rule_involved_range,
    "fieldwork_date": rule_fieldwork_date,
    "core_group_start": rule_core_group_start,
    "measure_event": rule_measure_event,
    "repeated": rule_repeated,
    "not_checkable": rule_not_checkable,
}


def _why_not_checkable(claim: pd.Series) -> str:
    if claim["rule"] == "not_checkable":
        # the transcriber's note is English prose, so only the English edition adds it
        note = claim.get("note")
        detail = f" ({note})" if labels.current() == "en" and not _blank(note) else ""
        return _say("audit_illegible", detail=detail)
    return _say("audit_stated_once")


_NUMBERED_PART = re.compile(r"\b(Figur|Tabell|[Vv]edlegg) (\d+)\b")


def _report_parts(text: str) -> str:
    """Our wording with the report's numbered parts named as the edition names them (the glossary's names, through
    :func:`helpers.labels.phrase`): "Figur 5" → "Figure 5", "vedlegg 2" → "Appendix 2" in English, "Figur 5" →
    "figur 5" inside a Norwegian sentence."""
    if not isinstance(text, str):
        return text
    key = {"Figur": "place_figure", "Tabell": "place_table", "Vedlegg": "place_appendix", "vedlegg": "place_appendix"}
    return _NUMBERED_PART.sub(lambda m: _say(key[m.group(1)], number=m.group(2)), text)


def verdict(checks: Sequence[Check]) -> str:
    """The worst status among the checks; ``not checkable`` when there is none."""
    if not checks:
        return NOT_CHECKABLE
    return min((c.status for c in checks), key=STATUSES.index)


def check_claim(claim: pd.Series, facts: Facts) -> dict[str, object]:
    rule = RULES.get(str(claim["rule"]))
    if rule is None:
        raise AuditError(claim["claim_id"], f"unknown rule '{claim['rule']}'; known rules: {', '.join(RULES)}")
    if claim["rule"] != "not_checkable" and claim["kind"] == "missing":
        raise AuditError(claim["claim_id"], "a missing (illegible) number can only have the rule not_checkable")
    checks = rule(claim, facts)
    status = verdict(checks)
    sentences = [c.sentence for c in checks] or [_why_not_checkable(claim)]
    explanation = " ".join(text[0].upper() + text[1:] for text in sentences)
    # our words, per edition; a Norwegian name in the English wording becomes the glossary's English name
    refers_to = _report_parts(labels.glossary_names(claim["refers_to" if labels.current() == "en" else "refers_to_nb"]))
    return {
        "id": claim["claim_id"],
        "section": claim["section"],
        "figure": claim["figure"],
        "refers_to": refers_to,
        "stated": claim["stated"],
        "unit": claim["unit"],
        "n": claim["n"],
        "kind": claim["kind"],
        "rule": claim["rule"],
        "status": status,
        "explanation": _report_parts(labels.glossary_names(explanation)),
    }


def run(facts: Facts | None = None) -> pd.DataFrame:
    """One row per claim: id, section, figure, refers_to, stated, unit, n, kind, rule, status, explanation (written in
    the language :func:`helpers.labels.use` set)."""
    if facts is None:
        # keyed on the data files' modification times, so an edited file in a live session is never audited stale
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(paths.data_dir().glob("*")))
        # the tolerance is a chapter parameter (05-audit's verbal_tolerance): a changed one is never answered from cache
        return _run_cached(str(paths.root()), stamp, labels.current(), VERBAL_FRACTION_TOLERANCE_POINTS).copy()
    rows = [check_claim(claim, facts) for _, claim in facts.claims.iterrows()]
    result = pd.DataFrame(rows, columns=COLUMNS)
    result["status"] = pd.Categorical(result["status"], categories=list(STATUSES), ordered=True)
    return result


@functools.lru_cache(maxsize=4)
def _run_cached(root: str, stamp: tuple[tuple[str, int], ...], lang: str, tolerance: float = 0.0) -> pd.DataFrame:  # explanations are per language
    return run(Facts.load())


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """How many claims have each status (every status listed, zero included)."""
    counts = results["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    return counts.rename_axis("status").reset_index(name="claims")


def flagged(results: pd.DataFrame | None = None, **match: str) -> list[str]:
    """Ids of ``inconsistent`` claims whose registry columns equal ``match`` (e.g. ``question="measure_involvement"``).

    Chapters pass the keys of what a figure draws and show a badge linking to each returned audit entry.
    """
    results = run() if results is None else results
    claims = data.load("claims").set_index("claim_id")
    unknown = set(match) - set(claims.columns)
    if unknown:
        raise ValueError(f"flagged(): unknown claim columns {sorted(unknown)}; known: {', '.join(claims.columns)}")
    bad = results.loc[results["status"] == INCONSISTENT, "id"]
    selected = claims.loc[list(bad)]
    for column, value in match.items():
        selected = selected[selected[column].astype(str) == value]
    return list(selected.index)


def granularity(facts: Facts | None = None) -> pd.DataFrame:
    """For each stated percent with its N: which whole counts give it (``check`` = ``grim``); for each stated count
    with a percent of the same quantity: the range of N they imply (``implied_n``, the count's claim in
    ``paired_with``). ``stated`` and ``result`` are written for readers in the edition's language."""
    facts = facts or Facts.load()
    claims = facts.claims
    rows = []
    percents = claims[(claims["unit"] == "percent") & claims["n"].notna() & claims["value"].notna()]
    for _, c in percents.iterrows():
        n, p = int(c["n"]), float(c["value"])
        low, high = stats.count_range(p, n, _decimals(p))
        rows.append({"id": c["claim_id"], "check": "grim", "paired_with": None, "n": n,
                     "stated": _say("audit_percent_of", percent=_pct(_fmt(p)), n=n),
                     "result": f"{low}–{high}" if low <= high else _say("audit_none"), "possible": low <= high})
    counts = claims[(claims["unit"] == "count") & claims["question"].notna()]
    # a count printed twice (text and footnote) is one count: pair each percent with each distinct count once
    counts = counts.drop_duplicates(subset=["question", "item", "group", "response", "value"])
    for _, c in counts.iterrows():
        same = claims[(claims["unit"] == "percent") & (claims["question"] == c["question"]) & (claims["item"] == c["item"])
                      & (claims["group"] == c["group"]) & (claims["response"] == c["response"])]
        for _, p in same.iterrows():
            implied = stats.implied_n_range(float(p["value"]), int(c["value"]))
            possible = implied is not None and implied[0] <= implied[1]
            stated_n = int(p["n"]) if pd.notna(p["n"]) else None
            rows.append({"id": p["claim_id"], "check": "implied_n", "paired_with": c["claim_id"], "n": stated_n,
                         "stated": f"{_fmt(c['value'])} = {_pct(_fmt(p['value']))}",
                         "result": f"{implied[0]}–{implied[1]}" if possible else _say("audit_none"),
                         "possible": possible and (stated_n is None or implied[0] <= stated_n <= implied[1])})
    return pd.DataFrame(rows, columns=["id", "check", "paired_with", "n", "stated", "result", "possible"])


# --------------------------------------------------------------------------------------------------------------------
# What the audit appendix shows (05-audit.ipynb): table cells and generated lists, in the edition's language


#: "x av y" as the OCR'd text sometimes prints it, its spaces lost or doubled ("1av3", "7av 10")
_OCR_FRACTION = re.compile(r"(\d+)\s*av\s*(\d+)")


def ocr_normalised(text: str) -> str | None:
    """The report's words ``text`` as the report means them where the OCR clearly ran a fraction together
    (``"1av3"`` → ``"1 av 3"``); None where the text is already as printed."""
    match = _OCR_FRACTION.fullmatch(str(text).strip())
    if not match:
        return None
    meant = f"{match.group(1)} av {match.group(2)}"
    return meant if meant != str(text) else None


def stated_cell(text: str, unit: str, kind: str = "") -> str:
    """A claim's ``stated`` value as a table cell: a date in the edition's words (our rendering: the data keep dates
    as ``2023-06-14``), any other number in the report's own Norwegian wording, marked as Norwegian in the English
    edition (a screen reader then pronounces it so). A value of kind ``missing`` (the OCR text does not let us read
    it) is never shown as the report's words: "(not legible)"; a fraction the OCR ran together ("1av3") is shown as
    meant ("1 av 3"), with a note that we normalised it."""
    if kind == "missing":
        return tables.emphasis(_say("audit_not_legible"))
    if unit == "date":
        return date_text(text)
    meant = ocr_normalised(text)
    words = meant or str(text)
    cell = tables.in_language(words, "nb") if labels.current() == "en" else words
    return tables.concat(cell, " ", tables.emphasis(_say("audit_ocr_normalised"))) if meant else cell


def claim_link(claim_id: str) -> Markdown:
    """A link to a claim's row in the appendix's table of all claims (anchored there as ``claim-<id>``)."""
    return Markdown(f"[{escape(claim_id)}](#claim-{re.sub(r'[^A-Za-z0-9_-]', '', claim_id)})")


def _organisation_id(abbreviation: str) -> str:
    return abbreviation.replace("Ø", "O")  # the glossary's ids are ASCII: the report's DFØ is DFO


def abbreviations(texts: Sequence[str]) -> list[str]:
    """The abbreviations of ministries and agencies (``data/glossary.csv``, category ``organisation``) that ``texts``
    use, as they are written there (DFØ, KDD), in alphabetical order."""
    known = labels.names_of("organisation")
    found = re.findall(r"\b[A-ZÆØÅ]{2,}\b", " ".join(str(t) for t in texts))
    return sorted({a for a in found if _organisation_id(a) in known})


def abbreviation_list(found: Sequence[str]) -> Markdown:
    """Each abbreviation spelled out by the glossary, for prose: "KDD, Ministry of Local Government and Regional
    Development (*Kommunal- og distriktsdepartementet*)" in English — the Norwegian name marked as Norwegian —,
    "KDD, Kommunal- og distriktsdepartementet" in Norwegian; joined by semicolons."""
    items = []
    for abbreviation in found:
        key = _organisation_id(abbreviation)
        name = escape(labels.name("organisation", key))
        if labels.current() == "en":
            norwegian = labels.name("organisation", key, "nb")
            name += f" ([{escape(norwegian)}]{{lang=nb}})" if norwegian != labels.name("organisation", key) else ""
        items.append(f"{escape(abbreviation)}, {name}")
    return Markdown("; ".join(items))


def inconsistency_list(results: pd.DataFrame) -> Markdown:
    """The inconsistent claims as a Markdown list, one item per claim: its id (linked to its row in the table of all
    claims), where the report prints it, what it is about, the report's own wording (quoted: the report's words,
    marked as Norwegian in the English edition; a date is not quoted, the data do not keep its printed form) and the
    arithmetic. A sentence saying so when there is none."""
    bad = results[results["status"] == INCONSISTENT]
    if bad.empty:
        return Markdown(escape(_say("audit_no_inconsistency")))
    lines = []
    for r in bad.itertuples():
        what = escape(r.refers_to)
        if r.unit != "date" and r.kind != "missing":
            meant = ocr_normalised(r.stated)
            words = escape(meant or r.stated)
            quote = f"[“{words}”]{{lang=nb}}" if labels.current() == "en" else f"«{words}»"
            what = _say("audit_printed_as", what=what, quote=quote)
            what += f" {escape(_say('audit_ocr_normalised'))}" if meant else ""
        where = escape(labels.report_place(r.section, r.figure))
        dash = "—" if labels.current() == "en" else "–"  # Norwegian sets a spaced en dash
        lines.append(f"- **{claim_link(r.id)}** ({where}) {dash} {what}. {escape(r.explanation)}")
    return Markdown("\n".join(lines))


def fraction_gaps(results: pd.DataFrame, facts: Facts | None = None) -> pd.DataFrame:
    """Each verbal fraction the report states (unit ``fraction``, not a repeat) against the survey share it
    summarises: the fraction as a percent, the share, the gap in percentage points and the claim's verdict, largest
    gap first."""
    facts = facts or Facts.load()
    claims = facts.claims
    status = results.set_index("id")["status"]
    rows = []
    for _, c in claims[(claims["unit"] == "fraction") & (claims["rule"] != "repeated")].iterrows():
        k, m = parse_fraction(c["stated"])
        found = sum(part.point for part in survey_parts(c, facts))
        rows.append({"id": c["claim_id"], "section": c["section"], "stated": c["stated"],
                     "fraction_percent": round(100 * k / m, 1), "data_percent": found,
                     "gap_points": round(100 * k / m - found, 1), "status": status[c["claim_id"]]})
    frame = pd.DataFrame(rows, columns=["id", "section", "stated", "fraction_percent", "data_percent", "gap_points",
                                        "status"])
    return frame.sort_values("gap_points", key=lambda s: s.abs(), ascending=False, kind="stable")


def identical_shares(question: str, survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pairs of items of ``question`` (e.g. the goal areas of ``goal_importance``) whose every share stated for both
    (at least two, same group and answer) is identical: one row per shared cell (item_a, item_b, group, response,
    percent)."""
    survey = data.load("survey_answers") if survey is None else survey
    cells = survey[(survey["question"] == question) & survey["percent"].notna()]
    wide = cells.pivot_table(index=["group", "response"], columns="item", values="percent", aggfunc="first",
                             observed=True)
    pairs = []
    items = list(wide.columns)
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            both = wide[[a, b]].dropna()
            if len(both) >= 2 and (both[a] == both[b]).all():
                pairs.append(both.reset_index().assign(item_a=a, item_b=b).rename(columns={a: "percent"}).drop(columns=b))
    columns = ["item_a", "item_b", "group", "response", "percent"]
    return pd.concat(pairs)[columns].reset_index(drop=True) if pairs else pd.DataFrame(columns=columns)


# --------------------------------------------------------------------------------------------------------------------
# Problems: one entry per distinct discrepancy, with all its printings (05-audit.ipynb shows these first)


@dataclass(frozen=True)
class Printing:
    """One place a problem is printed: where, the report's words (or the claim's wording) and what the rule found."""

    place: str
    words: str
    finding: str
    claim_id: str | None = None
    #: a textual printing's row on the Data page (``problem_statements.csv``, ``cross_references.csv``) and its id
    source: sources.Rows | None = None
    row_id: str | None = None


@dataclass(frozen=True)
class Problem:
    problem_id: str
    rule: str
    verdict: str
    title: str
    printings: tuple[Printing, ...]

    @property
    def claim_ids(self) -> list[str]:
        return [p.claim_id for p in self.printings if p.claim_id]


@dataclass
class TextFacts:
    """The data the textual and date rules read."""

    problems: pd.DataFrame
    statements: pd.DataFrame
    references: pd.DataFrame
    structure: pd.DataFrame

    @classmethod
    def load(cls) -> "TextFacts":
        return cls(problems=data.load("problems"), statements=data.load("problem_statements"),
                   references=data.load("cross_references"), structure=data.load("report_structure"))


_CLAIM_TO_PROBLEM = {INCONSISTENT: CONTRADICTION, LOOSE_WORDING: LOOSE_WORDING}


def _place(row: pd.Series) -> str:
    return labels.report_place(row["section"], row.get("figure"))


def _quote(words: str) -> str:
    """The report's words, quoted as the edition quotes Norwegian."""
    return f"[“{escape(words)}”]{{lang=nb}}" if labels.current() == "en" else f"«{escape(words)}»"


def _plain_quote(words: str) -> str:
    """The report's words quoted inside a sentence that is escaped as a whole (no markup)."""
    return f"“{words}”" if labels.current() == "en" else f"«{words}»"


def _subject_name(subject: str) -> str:
    for category in ("core_group", "measure", "body"):
        if subject in labels.names_of(category):
            return labels.name(category, subject)
    return subject


def _row_source(resource: str, row: pd.Series) -> sources.Rows:
    """The row ``row`` of ``data/<resource>.csv`` (its index is the file's row position) as a source the Data page
    links to (:func:`helpers.sources.row_anchor`), with the place its provenance gives."""
    return sources.of(resource, data.load(resource).loc[[row.name]])


def _statement_printing(row: pd.Series, finding: str) -> Printing:
    return Printing(_place(row), _quote(str(row["evidence"])) if not _blank(row["evidence"]) else "", finding,
                    source=_row_source("problem_statements", row), row_id=str(row["statement_id"]))


def _target_text(part: str, number: str) -> str:
    if part == "section":
        return labels.report_place(number)
    if part == "appendix":
        return labels.report_place(f"vedlegg {number}")
    return labels.report_place("", f"{'Figur' if part == 'figure' else 'Tabell'} {number}")


def problem_before_launch(rows: pd.DataFrame) -> tuple[str | None, list[Printing]]:
    """An event dated before the launch it is said to follow is a contradiction: every day the event's printed date
    can mean lies before every day the launch's can."""
    launch = rows[rows["role"] == "launch"]
    follows = rows[rows["role"] == "follows"]
    if launch.empty or follows.empty:
        raise ValueError(f"data/problem_statements.csv, problem {rows['problem_id'].iloc[0]}: rule before_launch needs "
                         "a 'launch' and a 'follows' statement")
    launch_row, follows_row = launch.iloc[0], follows.iloc[0]
    launch_first = date_span(str(launch_row["value"]))[0]
    printings = []
    for _, event in rows[rows["role"] == "event"].iterrows():
        if date_span(str(event["value"]))[1] < launch_first:
            printings.append(_statement_printing(event, _say(
                "prob_before_launch", subject=_subject_name(str(event["subject"])), date=date_text(str(event["value"])),
                place=_place(event), launch=date_text(str(launch_row["value"])), launch_place=_place(launch_row),
                follows_place=_place(follows_row))))
    if not printings:
        return None, []
    return CONTRADICTION, printings + [_statement_printing(launch_row, ""), _statement_printing(follows_row, "")]


def problem_status_conflict(rows: pd.DataFrame) -> tuple[str | None, list[Printing]]:
    """A thing counted as done in one place and as under way (or planned) in another is a contradiction."""
    statuses = rows[rows["role"] == "status"]
    done, open_ = statuses[statuses["value"] == "done"], statuses[statuses["value"].isin(["under_way", "planned"])]
    if done.empty or open_.empty:
        return None, []
    first, other = done.iloc[0], open_.iloc[0]
    finding = _say("prob_status_conflict", done_place=_place(first), open_place=_place(other),
                   status=_say(f"prob_status_{other['value']}"))
    return CONTRADICTION, [_statement_printing(first, finding), _statement_printing(other, "")]


def problem_count_wording(rows: pd.DataFrame) -> tuple[str | None, list[Printing]]:
    """A count printed with "almost all" must be smaller than the whole it is part of. Where it equals the whole the
    two can be reconciled only by a reading the report does not give (a tension); above the whole it is a
    contradiction."""
    by_role = {role: group.iloc[0] for role, group in rows.groupby("role")}
    if not {"count", "quantifier", "whole"} <= set(by_role):
        raise ValueError(f"data/problem_statements.csv, problem {rows['problem_id'].iloc[0]}: rule count_wording needs "
                         "a 'count', a 'quantifier' and a 'whole' statement")
    count, whole, quantifier = int(by_role["count"]["value"]), int(by_role["whole"]["value"]), str(by_role["quantifier"]["value"])
    if quantifier != "almost_all":
        raise ValueError(f"data/problem_statements.csv, problem {rows['problem_id'].iloc[0]}: no reading for the "
                         f"quantifier '{quantifier}'; add it to helpers.audit.problem_count_wording")
    if count < whole:
        return None, []
    inferred = str(by_role["whole"].get("kind")) == "inferred"  # the whole is our reading, not a printed number
    finding = _say("prob_count_wording_inferred" if inferred else "prob_count_wording",
                   count_place=_place(by_role["count"]), count=count, quantifier=_say(f"prob_quantifier_{quantifier}"),
                   whole_place=labels.report_sections(by_role["whole"]["section"]) if inferred else _place(by_role["whole"]),
                   whole=whole)
    verdict = TENSION if count == whole else CONTRADICTION
    return verdict, [_statement_printing(by_role["count"], finding), _statement_printing(by_role["quantifier"], ""),
                     _statement_printing(by_role["whole"], "")]


_CATEGORY_FAMILY = {"new": "new", "continued": "continued", "partly_continued": "continued"}


def problem_list_membership(rows: pd.DataFrame) -> tuple[str | None, list[Printing]]:
    """The category two places give one thing: the same is no problem; one hedged ("til dels") against the unhedged
    same category is loose wording; different categories (new against continued) are a contradiction."""
    worst, printings = None, []
    for subject, group in rows[rows["role"] == "category"].groupby("subject", sort=False):
        values = list(dict.fromkeys(group["value"]))
        if len(values) < 2:
            continue
        families = {_CATEGORY_FAMILY[v] for v in values}
        verdict = CONTRADICTION if len(families) > 1 else LOOSE_WORDING
        first = group[group["value"] == values[0]].iloc[0]
        second = group[group["value"] == values[1]].iloc[0]
        finding = _say("prob_list_membership", first_place=_place(first), subject=_subject_name(str(subject)),
                       first=_say(f"prob_category_{values[0]}"), second_place=_place(second),
                       second=_say(f"prob_category_{values[1]}"))
        printings += [_statement_printing(first, finding), _statement_printing(second, "")]
        worst = verdict if worst is None else min(worst, verdict, key=PROBLEM_VERDICTS.index)
    return worst, printings


PROBLEM_RULES: dict[str, Callable[[pd.DataFrame], tuple[str | None, list[Printing]]]] = {
    "before_launch": problem_before_launch,
    "status_conflict": problem_status_conflict,
    "count_wording": problem_count_wording,
    "list_membership": problem_list_membership,
}


#: The data files each rule for dates, statuses, counts, lists and cross-references reads, in the order
#: :func:`problems` applies them: ``problems.csv`` names a textual problem and its rule, ``problem_statements.csv``
#: holds the statements it compares; a cross-reference (``cross_references.csv``) is checked against the report's
#: parts (``report_structure.csv``).
TEXT_RULE_FILES: dict[str, tuple[str, ...]] = {
    **{rule: ("problems", "problem_statements") for rule in PROBLEM_RULES},
    "cross_reference": ("cross_references", "report_structure"),
}


def text_rules(found: Sequence[Problem]) -> pd.DataFrame:
    """One row per rule for dates, statuses, counts, lists and cross-references: its name, what it compares and the
    verdicts it gives, in the edition's language (``helpers.labels``), the data files it reads, and how many of
    ``found`` it finds."""
    return pd.DataFrame([{"rule": rule, "text_rule": _say(f"prob_rule_{rule}"),
                          "text_rule_compares": _say(f"prob_rule_{rule}_compares"),
                          "text_rule_verdicts": _say(f"prob_rule_{rule}_verdicts"),
                          "files": "|".join(f"{name}.csv" for name in files),
                          "text_rule_problems": sum(1 for p in found if p.rule == rule)}
                         for rule, files in TEXT_RULE_FILES.items()])


def data_file_cell(resource: str, chapter: str = "05-audit") -> tables.Markup:
    """A data file's name in a table cell, linked to its section on the Data page (HTML: a table's cells are not read
    as Markdown, so the page's ``.html`` path, not the notebook's)."""
    page = sources.data_page_link(chapter).removesuffix(".ipynb") + ".html"
    return tables.link(f"{page}#{sources.resource_anchor(resource)}", f"{resource}.csv")


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", str(text).lower()).strip()


def check_reference(ref: pd.Series, structure: pd.DataFrame) -> tuple[str | None, str]:
    """A cross-reference against the report's parts: a missing target is a contradiction; a target that exists but
    is not where the report treats the topic is a tension (the reference may mean a wider chapter); a name printed
    with it that is not the target's heading is loose wording."""
    parts = structure[(structure["part"] == ref["target_part"]) & (structure["number"].astype(str) == str(ref["target"]))]
    place, target = _place(ref), _target_text(str(ref["target_part"]), str(ref["target"]))
    if parts.empty:
        return CONTRADICTION, _say("prob_ref_missing", place=place, target=target)
    topics = [] if _blank(ref["topic_sections"]) else str(ref["topic_sections"]).split("|")
    if topics and str(ref["target"]) not in topics:
        return TENSION, _say("prob_ref_topic", place=place, target=target,
                             topics=labels.join([labels.report_place(s) for s in topics]))
    name = ref["name_as_printed"]
    heading = str(parts["heading_nb"].iloc[0])
    if not _blank(name) and _fold(name) not in _fold(heading):
        return LOOSE_WORDING, _say("prob_ref_name", place=place, target=target, name=_plain_quote(str(name)),
                                   heading=_plain_quote(heading))
    return None, ""


def problems(results: pd.DataFrame | None = None, text: TextFacts | None = None,
             claims: pd.DataFrame | None = None) -> list[Problem]:
    """Every distinct problem, worst verdict first (then in the data's order): the number problems of
    ``problems.csv`` (a verdict from their printings' claims), failing claims no problem declares (grouped by
    quantity), the textual and date problems, and the cross-references that fail their check."""
    results = run() if results is None else results
    text = TextFacts.load() if text is None else text
    claims = data.load("claims") if claims is None else claims
    status = results.set_index("id")["status"].astype(str)
    explanation = results.set_index("id")["explanation"]
    claim_rows = claims.set_index("claim_id")
    title_column = f"title_{labels.current()}"
    found: list[Problem] = []

    def claim_printing(cid: str) -> Printing:
        row = claim_rows.loc[cid]
        words = "" if row["unit"] == "date" or row["kind"] == "missing" else _quote(ocr_normalised(row["stated"]) or str(row["stated"]))
        return Printing(labels.report_place(row["section"], row["figure"]), words, str(explanation[cid]), cid)

    declared: set[str] = set()
    for _, problem in text.problems.iterrows():
        pid, rule = str(problem["problem_id"]), str(problem["rule"])
        if rule == "claims":
            ids = [] if _blank(problem["claims"]) else str(problem["claims"]).split("|")
            unknown = [i for i in ids if i not in status.index]
            if not ids or unknown:
                raise ValueError(f"data/problems.csv, problem {pid}, column 'claims': no claim {', '.join(unknown) or '(empty)'} "
                                 "in claims.csv")
            declared |= set(ids)
            failing = [i for i in ids if status[i] in _CLAIM_TO_PROBLEM]
            if failing:
                # the verdict from the printings that fail; the entry lists every printing the row declares (the
                # footnote's 13 % beside the text's 14 %), each with what its own check found
                verdict = min((_CLAIM_TO_PROBLEM[status[i]] for i in failing), key=PROBLEM_VERDICTS.index)
                found.append(Problem(pid, rule, verdict, str(problem[title_column]), tuple(claim_printing(i) for i in ids)))
            continue
        if rule not in PROBLEM_RULES:
            raise ValueError(f"data/problems.csv, problem {pid}, column 'rule': unknown rule '{rule}'; known: claims, "
                             f"{', '.join(PROBLEM_RULES)}")
        rows = text.statements[text.statements["problem_id"] == pid]
        verdict, printings = PROBLEM_RULES[rule](rows)
        if verdict is not None:
            found.append(Problem(pid, rule, verdict, str(problem[title_column]), tuple(printings)))
    # a failing claim no problem declares (a data file changed, a claim added): one problem per quantity
    loose_ends: dict[tuple[str, ...], list[str]] = {}
    for cid in status.index:
        if status[cid] in _CLAIM_TO_PROBLEM and cid not in declared:
            loose_ends.setdefault(quantity_key(claim_rows.loc[cid]) + (str(claim_rows.loc[cid, "item"]),), []).append(cid)
    for ids in loose_ends.values():
        verdict = min((_CLAIM_TO_PROBLEM[status[i]] for i in ids), key=PROBLEM_VERDICTS.index)
        found.append(Problem(f"P-{ids[0]}", "claims", verdict, _report_parts(labels.glossary_names(
            claim_rows.loc[ids[0], "refers_to" if labels.current() == "en" else "refers_to_nb"])),
            tuple(claim_printing(i) for i in ids)))
    for _, ref in text.references.iterrows():
        verdict, finding = check_reference(ref, text.structure)
        if verdict is not None:
            title = _say("prob_ref_title", target=_target_text(str(ref["target_part"]), str(ref["target"])), place=_place(ref))
            found.append(Problem(f"P-{ref['reference_id']}", "cross_reference", verdict, title,
                                 (Printing(_place(ref), _quote(str(ref["evidence"])), finding,
                                           source=_row_source("cross_references", ref), row_id=str(ref["reference_id"])),)))
    return sorted(found, key=lambda p: PROBLEM_VERDICTS.index(p.verdict))


def problem_counts(found: Sequence[Problem]) -> pd.Series:
    """How many problems have each verdict (every verdict listed, zero included)."""
    counts = pd.Series([p.verdict for p in found], dtype=object).value_counts()
    return counts.reindex(list(PROBLEM_VERDICTS), fill_value=0).astype(int)


def claim_problems(found: Sequence[Problem]) -> dict[str, str]:
    """Each claim that is a printing of a problem, mapped to the problem's id."""
    return {cid: p.problem_id for p in found for cid in p.claim_ids}


def problem_anchor(problem_id: str) -> str:
    return f"problem-{re.sub(r'[^A-Za-z0-9_-]', '', problem_id)}"


def problem_link(problem_id: str) -> Markdown:
    """A link to a problem's entry in the audit's list of problems."""
    return Markdown(f"[{escape(problem_id)}](#{problem_anchor(problem_id)})")


def problem_cell(problem_id: str) -> tables.Markup:
    """The same link in a table cell: HTML, since a table's cells are not read as Markdown."""
    return tables.link(f"#{problem_anchor(problem_id)}", problem_id)


def problem_list(found: Sequence[Problem], chapter: str = "05-audit") -> Markdown:
    """The problems as a Markdown list: id (anchored), verdict, what it is about; under it each printing with its place,
    the report's words and what the rule found (a claim's printing links to its row in the list of claims, a textual
    printing to its row of ``problem_statements.csv`` or ``cross_references.csv`` on the Data page; ``chapter`` is
    the page the list is on, for the link's path)."""
    if not found:
        return Markdown(escape(_say("prob_no_problem")))
    dash = "—" if labels.current() == "en" else "–"
    lines = []
    for p in found:
        lines.append(f"- [**{escape(p.problem_id)}**]{{#{problem_anchor(p.problem_id)}}} *{escape(labels.term(p.verdict))}* "
                     f"{dash} {escape(p.title)}.")
        for printing in p.printings:
            if printing.claim_id:
                head = f"{claim_link(printing.claim_id)}, "
            elif printing.source is not None:
                head = f"{sources.cite(printing.row_id or printing.source.resource, [printing.source], chapter=chapter, lang=labels.current())}, "
            else:
                head = ""
            words = f": {printing.words}" if printing.words else ""
            finding = f" {escape(labels.sentence_start(printing.finding))}" if printing.finding else ""
            place = printing.place if head else labels.sentence_start(printing.place)  # «Vedlegg 4: …» opens the item
            lines.append(f"    - {head}{escape(place)}{words}.{finding}")
    return Markdown("\n".join(lines))
