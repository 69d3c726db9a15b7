"""helpers.stats against independent computations (statsmodels, scipy, hand arithmetic)."""

import math

import numpy as np
import pytest
from scipy.stats import chi2_contingency, norm
from statsmodels.stats.proportion import proportion_confint

from helpers import stats


def test_wilson_without_population_is_statsmodels_wilson():
    low, high = proportion_confint(512, 1969, alpha=0.05, method="wilson")
    got = stats.wilson_interval(512 / 1969, 1969, 0.95)
    assert got.low == pytest.approx(low) and got.high == pytest.approx(high)


def test_wilson_matches_closed_form():
    p, n, z = 0.26, 1969, norm.ppf(0.975)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    got = stats.wilson_interval(p, n, 0.95)
    assert got.low == pytest.approx(centre - half, abs=1e-9)
    assert got.high == pytest.approx(centre + half, abs=1e-9)


def test_finite_population_correction_narrows_by_about_a_quarter():
    plain = stats.wilson_interval(0.26, 1969, 0.95)
    corrected = stats.wilson_interval(0.26, 1969, 0.95, population=4691)
    ratio = corrected.width() / plain.width()
    assert ratio == pytest.approx(math.sqrt((4691 - 1969) / (4691 - 1)), rel=0.02)
    assert 0.70 < ratio < 0.80


def test_census_has_no_sampling_error():
    got = stats.wilson_interval(0.3, 100, 0.95, population=100)
    assert got.low == got.high == 0.3


@pytest.mark.parametrize("bad", [-0.1, 1.1])
def test_share_outside_unit_interval_is_refused(bad):
    with pytest.raises(ValueError, match="share"):
        stats.wilson_interval(bad, 100)


def test_count_range_covers_exactly_the_counts_that_round_to_the_percent():
    n, percent = 1366, 14
    lo, hi = stats.count_range(percent, n)
    brute = [k for k in range(n + 1) if abs(100 * k / n - percent) <= 0.5]
    assert (lo, hi) == (min(brute), max(brute))
    assert not lo <= 180 <= hi  # the report's "14 percent (180 persons)" of 1366 cannot both hold


def test_percent_possible_is_grim():
    # with N = 7 the possible whole percents are 0, 14, 29, 43, 57, 71, 86, 100
    assert stats.percent_possible(43, 7)
    assert not stats.percent_possible(50, 7)


def test_implied_n_range_brute_force():
    count, percent = 180, 14
    lo, hi = stats.implied_n_range(percent, count)
    brute = [n for n in range(count, 5000) if round(100 * count / n + 1e-12) == percent or abs(100 * count / n - percent) <= 0.5]
    assert (lo, hi) == (min(brute), max(brute))
    assert not lo <= 1366 <= hi


def test_mixture_and_its_validation():
    assert stats.mixture(56, 21, 0.14) == pytest.approx(0.14 * 56 + 0.86 * 21)
    with pytest.raises(ValueError, match="leader_share"):
        stats.mixture(1, 2, 1.5)


def test_non_response_bounds():
    bounds = stats.non_response_bounds(0.69, 1969, 4691)
    assert bounds.low == pytest.approx(0.69 * 1969 / 4691)
    assert bounds.high == pytest.approx((0.69 * 1969 + 4691 - 1969) / 4691)


def test_compare_groups_agrees_with_scipy():
    result = stats.compare_groups("x", 0.56, 276, 0.21, 1693)
    a, b = round(0.56 * 276), round(0.21 * 1693)
    chi2, p, _, _ = chi2_contingency(np.array([[a, 276 - a], [b, 1693 - b]]), correction=False)
    assert result.chi2 == pytest.approx(chi2)
    assert result.p_value == pytest.approx(p, rel=1e-6)  # z² = χ² for a 2×2 table
    assert result.z**2 == pytest.approx(chi2)


def test_cramers_v_of_perfect_association_is_one():
    assert stats.cramers_v(np.array([[10, 0], [0, 10]])) == pytest.approx(1.0)


def test_holm_adjustment_never_lowers_p():
    raw = [0.01, 0.02, 0.03]
    adjusted = stats.adjust_p_values(raw)
    assert all(a >= r for a, r in zip(adjusted, raw))
    assert adjusted[0] == pytest.approx(0.03)


# --- what chapter 1 (01-awareness) reads and shows of its statistics ------------------------------------------------

def test_p_values_and_signed_differences_are_written_for_each_edition():
    from helpers import labels

    assert labels.p_value(0.0004, "en") == "<\u00a00.001" and labels.p_value(0.0004, "nb") == "<\u00a00,001"
    assert labels.p_value(0.2081, "en") == "0.208" and labels.p_value(0.2081, "nb") == "0,208"
    assert [labels.signed(d, lang="en") for d in (35, -14, 0.2, -0.4)] == ["+35", "\u221214", "0", "0"]
    assert labels.signed(-1.26, 1, "nb") == "\u22121,3"


def test_sample_figures_and_survey_shares_are_read_as_the_report_states_them():
    from helpers import data

    assert data.sample_value("invited") == 4691 and data.sample_value("invited_alt", "vedlegg 2") == 4702
    assert data.survey_share("awareness", "all", "Ja, jeg kjenner innholdet") == 26
    assert math.isnan(data.survey_share("goal_importance", "all", "Svært viktig", "stronger_community"))  # not legible
    with pytest.raises(KeyError, match="invited"):
        data.sample_value("invited", "3.1.1")
    with pytest.raises(KeyError, match="no row"):
        data.survey_share("awareness", "all", "Kanskje")
