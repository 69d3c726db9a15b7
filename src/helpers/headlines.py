"""The main findings the landing page leads with, each computed from ``data/`` the way its chapter computes it.

The landing page states one number or two from each chapter. Computing them here, once, keeps the landing page and the
chapters from drifting apart: a chapter that needs the same number can call the same function.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import audit, data, stats

#: The section of the report whose sample figures the response rate is computed from (vedlegg 2 gives another
#: number invited; the awareness chapter lists both).
SAMPLE_SECTION = "1.4.3"
#: Answer options of the awareness question, in the questionnaire's own wording (data, not translated).
KNOWS_CONTENT = "Ja, jeg kjenner innholdet"
NOT_HEARD = "Nei"


@dataclass(frozen=True)
class Sample:
    invited: int
    answered: int

    @property
    def response_rate(self) -> float:
        """Percent of those invited who answered, recomputed from the two counts (not the report's rounded 42)."""
        return 100 * self.answered / self.invited


def sample() -> Sample:
    """Employees invited to and answering the survey, as the report's section 1.4.3 states them."""
    rows = data.load("survey_response")
    rows = rows[rows["section"] == SAMPLE_SECTION].set_index("quantity")["value"]
    return Sample(invited=int(rows["invited"]), answered=int(rows["answered"]))


@dataclass(frozen=True)
class Awareness:
    knows_content: float  # percent of the group who know the strategy's content
    heard_of_it: float  # percent who have at least heard of it (every answer but "Nei")


def awareness(group: str) -> Awareness:
    """How well the strategy is known in a respondent group (``all``, ``leaders``, ``non_leaders``), in percent."""
    rows = data.load("survey_answers")
    rows = rows[(rows["question"] == "awareness") & (rows["group"] == group)].dropna(subset=["percent"])
    if rows.empty:
        raise KeyError(f"no awareness shares for group {group!r} in data/survey_answers.csv")
    shares = rows.set_index("response")["percent"].astype(float)
    return Awareness(knows_content=float(shares[KNOWS_CONTENT]),
                     heard_of_it=float(shares.drop(NOT_HEARD, errors="ignore").sum()))


def heard_bounds_all_employees() -> stats.Interval:
    """Worst and best case (percent) for the share of ALL invited employees who have heard of the strategy."""
    s = sample()
    bounds = stats.non_response_bounds(awareness("all").heard_of_it / 100, s.answered, s.invited)
    return stats.Interval(100 * bounds.low, 100 * bounds.high)


def measure_status_counts() -> pd.Series:
    """How many of the measures the report gives each status (status codes as in ``measures.csv``, in the order
    they first appear there)."""
    status = data.load("measures")["status"]
    return status.value_counts(sort=False).reindex(list(dict.fromkeys(status)))


def nordic_status_counts() -> pd.DataFrame:
    """Service areas in each sharing status, by country (rows: countries in the data's order; columns: statuses)."""
    services = data.load("nordic_services")
    counts = pd.crosstab(services["country"], services["status"])
    return counts.reindex(index=list(dict.fromkeys(services["country"])), fill_value=0)


def audit_counts() -> pd.Series:
    """How many of the report's stated numbers the audit finds in each status (every status, zero included)."""
    return audit.summary(audit.run()).set_index("status")["claims"]
