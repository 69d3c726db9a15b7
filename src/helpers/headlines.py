"""The main findings the landing page leads with, each computed from ``data/`` the way its chapter computes it.

The landing page states one number or two from each chapter. Computing them here, once, keeps the landing page and the
chapters from drifting apart: a chapter that needs the same number can call the same function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from . import audit, data, labels, paths, stats

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


#: The report's hedge on a measure's status, as ``measures.csv`` quotes it in ``status_note`` (sec. 4.3: Felles IKT,
#: Felles sak-arkiv "og til dels Felles HR" are the complex ones).
PARTLY = "til dels"


def partly_measures(status: str, qualifier: str = "partly") -> list[str]:
    """The measures the report gives ``status`` only partly ("til dels"), or with ``qualifier="seems"`` only as it
    seems ("ser ut til"), by id, in the data's order (``measures.csv`` column ``status_qualifier``)."""
    measures = data.load("measures")
    hedged = measures["status_qualifier"].fillna("") == qualifier
    return list(measures.loc[(measures["status"] == status) & hedged, "measure"])


def measure_status_list() -> str:
    """How many measures the report gives each status, as a list for prose in the edition's language, the report's
    hedge kept: "2 in good drive, 1 without new activities, 3 complex and hard to complete (Shared HR services only
    partly) and 1 nearly complete". Measures are named by the glossary."""
    parts = []
    for status, count in measure_status_counts().items():
        text = labels.status_tally({status: int(count)})
        partly = partly_measures(str(status))
        if partly:
            names = labels.join([labels.name("measure", m) for m in partly])
            text += f" ({labels.phrase('tally_partly', names=names)})"
        seems = partly_measures(str(status), "seems")
        if seems:
            names = labels.join([labels.name("measure", m) for m in seems])
            text += f" ({labels.phrase('tally_seems', names=names)})"
        parts.append(text)
    return labels.join(parts)


def data_licence_version() -> str:
    """The version of the Creative Commons licence ``CITATION.cff`` gives the data ("4.0" of ``CC-BY-4.0``), for the
    licence's full name on the landing page ("Creative Commons Attribution 4.0 International (CC BY 4.0)")."""
    text = (paths.root() / "CITATION.cff").read_text(encoding="utf-8")
    found = re.search(r"^\s*-\s*CC-BY-(\d+\.\d+)\s*$", text, re.M)
    if found is None:
        raise KeyError("CITATION.cff: no CC-BY licence in `license`")
    return found.group(1)


def data_licence() -> str:
    """The data's licence by its official name in the edition's language, its version from ``CITATION.cff``:
    "Creative Commons Attribution 4.0 International (CC BY 4.0)" / «Creative Commons Navngivelse 4.0 Internasjonal
    (CC BY 4.0)»."""
    return labels.phrase("data_licence", version=data_licence_version())


def release() -> tuple[str, str]:
    """This version of the site, as ``CITATION.cff`` gives it: its ``version`` and ``date-released`` (YYYY-MM-DD),
    for the landing page's "how to cite" line; the date read as the build reads it for the title page."""
    import yaml

    from .pipeline.render import CITATION_FILE, release_date

    root = paths.root()
    version = (yaml.safe_load((root / CITATION_FILE).read_text(encoding="utf-8")) or {}).get("version")
    released = release_date(root)
    if not version or not released:
        raise KeyError(f"{CITATION_FILE}: no {'version' if not version else 'date-released'}")
    return str(version), released


def report_year(key: str = "dfo2023") -> str:
    """The year ``references.bib`` gives for a document: the date the landing page shows for the report (the build
    date is Quarto's, labelled as such)."""
    text = (paths.root() / "references.bib").read_text(encoding="utf-8")
    entry = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)\n\}", text, re.S)
    year = re.search(r"^\s*year\s*=\s*\{(\d{4})\}", entry.group(1), re.M) if entry else None
    if year is None:
        raise KeyError(f"references.bib: no entry {key!r} with a year")
    return year.group(1)


def audit_counts() -> pd.Series:
    """How many of the report's stated numbers the audit finds in each status (every status, zero included)."""
    return audit.summary(audit.run()).set_index("status")["claims"]


def audit_problems() -> pd.Series:
    """How many distinct problems the audit finds in the report by verdict (``contradiction``, ``tension``, ``loose
    wording``, zero included): a discrepancy printed twice counts once. The landing page's count of the audit."""
    return audit.problem_counts(audit.problems())
