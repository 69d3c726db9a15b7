"""Statistics for numbers we only know as rounded percentages of a known N.

The microdata are gone, so every count here is *reconstructed* (percent × N) and carries the interval that the
report's rounding allows. Intervals for proportions are Wilson intervals (statsmodels) with a finite-population
correction: the survey reached 1969 of 4691 employees, a large share of a finite population.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

# scipy and statsmodels are imported inside the functions that use them: the audit and most chapters need only the
# rounding arithmetic here, and each kernel of the build would otherwise pay about a second to import them.


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def width(self) -> float:
        return self.high - self.low


def fpc(n: int, population: int | None) -> float:
    """Finite-population correction factor sqrt((N − n)/(N − 1)) for the standard error; 1 without a population."""
    if population is None:
        return 1.0
    if not 0 < n <= population:
        raise ValueError(f"sample size n={n} must be between 1 and the population size {population}")
    if population == 1:
        return 0.0
    return math.sqrt((population - n) / (population - 1))


def wilson_interval(share: float, n: int, confidence: float = 0.95, population: int | None = None) -> Interval:
    """Wilson interval for a proportion ``share`` (0–1) observed in ``n`` respondents.

    With ``population`` the variance is scaled by the squared finite-population correction, which is the same as
    using the Wilson formula with an effective sample size n / fpc².
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share must be a proportion between 0 and 1, got {share}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    from statsmodels.stats.proportion import proportion_confint

    factor = fpc(n, population)
    if factor == 0:
        return Interval(share, share)
    n_eff = n / factor**2
    low, high = proportion_confint(share * n_eff, n_eff, alpha=1 - confidence, method="wilson")
    return Interval(float(low), float(high))


def count_range(percent: float, n: int, decimals: int = 0) -> tuple[int, int]:
    """Whole counts k with round(100·k/n, decimals) == percent (half-up either way), as (lowest, highest).

    Returns (lo, hi) with lo > hi when no whole count gives the percent: the percent is impossible for this N.
    """
    half = 0.5 * 10 ** (-decimals)
    lo = math.ceil((percent - half) * n / 100 - 1e-9)
    hi = math.floor((percent + half) * n / 100 + 1e-9)
    return max(lo, 0), min(hi, n)


def reconstruct_count(percent: float, n: int, decimals: int = 0) -> tuple[int, int, int]:
    """Point estimate round(percent × n / 100) and the (low, high) counts the rounding allows."""
    lo, hi = count_range(percent, n, decimals)
    return round(percent * n / 100), lo, hi


def percent_possible(percent: float, n: int, decimals: int = 0) -> bool:
    """GRIM-style check: can any whole count out of ``n`` round to ``percent``?"""
    lo, hi = count_range(percent, n, decimals)
    return lo <= hi


def implied_n_range(percent: float, count: int, decimals: int = 0) -> tuple[int, int] | None:
    """The N for which ``count`` / N rounds to ``percent``, as (lowest, highest); None if N is unbounded (percent 0)."""
    half = 0.5 * 10 ** (-decimals)
    if percent - half <= 0:
        return None
    n_min = math.ceil(100 * count / (percent + half) - 1e-9)
    n_max = math.floor(100 * count / (percent - half) + 1e-9)
    # the boundaries are inclusive only where the rounding actually hits the percent
    while n_min <= n_max and not _rounds_to(count, n_min, percent, decimals):
        n_min += 1
    while n_max >= n_min and not _rounds_to(count, n_max, percent, decimals):
        n_max -= 1
    return (n_min, n_max) if n_min <= n_max else (n_min, n_min - 1)


def _rounds_to(count: int, n: int, percent: float, decimals: int) -> bool:
    half = 0.5 * 10 ** (-decimals)
    value = 100 * count / n
    return percent - half - 1e-9 <= value <= percent + half + 1e-9


def mixture(leaders: float, non_leaders: float, leader_share: float) -> float:
    """Share among all, given the shares among leaders and non-leaders and the leaders' share of the whole."""
    if not 0 <= leader_share <= 1:
        raise ValueError(f"leader_share must be between 0 and 1, got {leader_share}")
    return leader_share * leaders + (1 - leader_share) * non_leaders


def non_response_bounds(share: float, n: int, population: int) -> Interval:
    """Worst and best case for a share among the whole population when only ``n`` of ``population`` answered.

    Worst case: no non-respondent has the trait; best case: every one has it. No assumption about who answered.
    """
    if not 0 < n <= population:
        raise ValueError(f"n={n} must be between 1 and population={population}")
    observed = share * n
    return Interval(observed / population, (observed + population - n) / population)


def non_response_estimate(share: float, n: int, population: int, relative: float) -> float:
    """The share among the whole population if the ``population - n`` who did not answer have the trait at
    ``relative`` times the respondents' ``share``: 1 gives the respondents' share, 0 the worst case of
    :func:`non_response_bounds`."""
    if not 0 < n <= population:
        raise ValueError(f"n={n} must be between 1 and population={population}")
    if not 0 <= relative <= 1:
        raise ValueError(f"relative awareness must be between 0 and 1, got {relative}")
    return share * (n + relative * (population - n)) / population


@dataclass(frozen=True)
class Comparison:
    label: str
    z: float
    p_value: float
    chi2: float
    cramers_v: float


def compare_groups(
    label: str, share_a: float, n_a: int, share_b: float, n_b: int
) -> Comparison:
    """Two-proportion z-test and chi-square (with Cramér's V) on counts reconstructed from shares and Ns."""
    from scipy.stats import chi2_contingency
    from statsmodels.stats.proportion import proportions_ztest

    count_a, count_b = round(share_a * n_a), round(share_b * n_b)
    z, p = proportions_ztest([count_a, count_b], [n_a, n_b])
    table = np.array([[count_a, n_a - count_a], [count_b, n_b - count_b]])
    chi2, _, _, _ = chi2_contingency(table, correction=False)
    v = math.sqrt(chi2 / table.sum())
    return Comparison(label, float(z), float(p), float(chi2), v)


def cramers_v(table: np.ndarray) -> float:
    """Cramér's V of an r × c table of counts (no continuity correction)."""
    from scipy.stats import chi2_contingency

    table = np.asarray(table, dtype=float)
    chi2, _, _, _ = chi2_contingency(table, correction=False)
    r, c = table.shape
    return math.sqrt(chi2 / (table.sum() * (min(r, c) - 1)))


def adjust_p_values(p_values: list[float] | pd.Series, method: str = "holm") -> np.ndarray:
    """p-values adjusted for the number of tests (Holm by default; ``"none"`` leaves them as they are)."""
    from statsmodels.stats.multitest import multipletests

    if method == "none":
        return np.asarray(list(p_values), dtype=float)
    _, adjusted, _, _ = multipletests(list(p_values), method=method)
    return adjusted
