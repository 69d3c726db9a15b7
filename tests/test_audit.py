"""The reproducibility audit: rules, verdicts on constructed cases, and wiring to the data (not to stored verdicts)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers import audit, data, labels, tables

from .conftest import ROOT


def _claim(**fields) -> pd.Series:
    base = {"claim_id": "T001", "section": "test", "figure": None, "refers_to": "constructed", "question": None,
            "item": None, "group": None, "response": None, "stated": "", "value": None, "value_high": None,
            "unit": "percent", "n": None, "kind": "stated", "rule": "survey_lookup", "source": "dfo2023", "note": None}
    base.update(fields)
    return pd.Series(base)


def _rewrite(path: Path, change) -> None:
    """Apply ``change(row)`` to every row of a CSV in place, keeping its header and quoting style."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        change(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- every claim has a rule, and every rule gives a verdict -----------------------------------------------------------


def test_every_claim_has_a_known_rule_and_a_verdict():
    claims = data.load("claims")
    results = audit.run()
    assert set(claims["rule"].astype(str)) <= set(audit.RULES)
    assert list(results["id"]) == list(claims["claim_id"]), "the audit skipped or reordered claims"
    assert results["status"].notna().all()
    assert set(results["status"].astype(str)) <= set(audit.STATUSES)
    assert (results["explanation"].str.len() > 20).all(), "a verdict without its arithmetic"


def test_rule_vocabulary_in_the_descriptor_matches_the_code():
    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    claims = next(r for r in descriptor["resources"] if r["name"] == "claims")
    field = next(f for f in claims["schema"]["fields"] if f["name"] == "rule")
    assert field["constraints"]["enum"] == list(audit.RULES)
    for lang in labels.LANGS:  # every rule is described to readers of both editions
        assert all(labels.phrase(f"audit_rule_{rule}", lang) for rule in audit.RULES)


def test_explanations_are_written_in_the_editions_language():
    try:
        english = audit.run().set_index("id")["explanation"]
        labels.use("nb")
        norwegian = audit.run().set_index("id")["explanation"]
    finally:
        labels.use("en")
    assert english.str.contains(r"\bstated\b", case=False).any()
    assert not norwegian.str.contains(r"\b(?:stated|agrees|contradicted|respondents|the data hold)\b", case=False).any()
    # numbers follow the edition: a decimal comma in Norwegian, never in English
    assert norwegian.str.contains(r"\d,\d").any() and not english.str.contains(r"\d,\d").any()


def test_only_illegible_numbers_are_exempt_from_checking():
    results = audit.run()
    exempt = results[results["rule"] == "not_checkable"]
    assert (exempt["kind"] == "missing").all()
    # everything else that is not checkable is a single printing with no data behind it
    single = results[(results["status"] == audit.NOT_CHECKABLE) & (results["rule"] != "not_checkable")]
    assert (single["rule"] == "repeated").all()


def test_a_rule_that_names_absent_data_is_an_error_naming_the_claim():
    facts = audit.Facts.load()
    claim = _claim(claim_id="T042", question="awareness", group="admin_dept", response="Nei", stated="30 prosent", value=30)
    with pytest.raises(audit.AuditError, match="claim T042.*survey_answers.csv"):
        audit.check_claim(claim, facts)
    with pytest.raises(audit.AuditError, match="unknown rule 'guess'"):
        audit.check_claim(_claim(rule="guess"), facts)


# --- verdicts on constructed cases -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stated, found, expected",
    [
        (audit.Value.rounded(26, 0.5), audit.Value.rounded(26, 0.5), audit.REPRODUCED),
        (audit.Value.rounded(42, 0.5), audit.Value.exact(100 * 1969 / 4691), audit.WITHIN_ROUNDING),
        (audit.Value.rounded(14, 0.5), audit.Value.exact(100 * 180 / 1366), audit.INCONSISTENT),
        (audit.Value.rounded(13, 0.5), audit.Value.exact(100 * 180 / 1366), audit.WITHIN_ROUNDING),
        (audit.Value.exact(38), audit.Value.exact(39), audit.INCONSISTENT),
        (audit.Value.rounded(12, 0.5), audit.Value.exact(100 * 157 / 1366), audit.INCONSISTENT),  # 11.49 is not 12
        (audit.Value.rounded(12, 0.5), audit.Value.exact(11.5), audit.WITHIN_ROUNDING),  # the boundary rounds up
    ],
)
def test_compare(stated, found, expected):
    assert audit.compare(stated, found) == expected


@pytest.mark.parametrize(
    "fields, found, expected",
    [
        ({"unit": "fraction", "stated": "om lag syv av ti", "value": 70}, 69, audit.WITHIN_ROUNDING),
        ({"unit": "fraction", "stated": "7av 10", "value": 70}, 70, audit.REPRODUCED),
        ({"unit": "fraction", "stated": "seks av ti", "value": 60}, 54, audit.INCONSISTENT),
        # a verbal fraction covers the shares nearer to it than to any other simple fraction (denominators 2, 3, 4, 5, 10)
        # outside the band but within VERBAL_FRACTION_TOLERANCE_POINTS of the data: loose wording, not a contradiction
        ({"unit": "fraction", "stated": "1av3", "value": 33.33}, 30, audit.LOOSE_WORDING),  # 30 % is "3 av 10"
        ({"unit": "fraction", "stated": "om lag en av tre", "value": 33.33}, 26, audit.INCONSISTENT),  # 26 % is "1 av 4"
        ({"unit": "fraction", "stated": "1 av 3", "value": 33.33}, 33, audit.WITHIN_ROUNDING),
        ({"unit": "fraction", "stated": "1 av 3", "value": 33.33}, 31.5, audit.LOOSE_WORDING),  # nearer 3/10 than 1/3
        ({"unit": "fraction", "stated": "1 av 3", "value": 33.33}, 31.8, audit.WITHIN_ROUNDING),
        ({"unit": "fraction", "stated": "1 av 10", "value": 10}, 12, audit.WITHIN_ROUNDING),
        ({"unit": "fraction", "stated": "8 av 10", "value": 80}, 76, audit.LOOSE_WORDING),  # nearer 3/4, 4 points off
        ({"unit": "fraction", "stated": "8 av 10", "value": 80}, 74, audit.INCONSISTENT),  # 6 points off
        ({"unit": "fraction", "stated": "hele ni av ti", "value": 90}, 89, audit.WITHIN_ROUNDING),
        ({"unit": "phrase", "stated": "mer en halvparten", "value": 50}, 54, audit.REPRODUCED),
        ({"unit": "phrase", "stated": "over halvparten", "value": 50}, 45, audit.INCONSISTENT),
        ({"unit": "count", "stated": "ca. 4700", "value": 4700}, 4691, audit.WITHIN_ROUNDING),
        ({"unit": "count", "stated": "4702", "value": 4702}, 4691, audit.INCONSISTENT),
        ({"unit": "percent", "stated": "13.2 prosent", "value": 13.2}, 100 * 180 / 1366, audit.WITHIN_ROUNDING),
        ({"unit": "percent", "stated": "13.1 prosent", "value": 13.1}, 100 * 180 / 1366, audit.INCONSISTENT),
    ],
)
def test_stated_precision(fields, found, expected):
    # data values are taken as exact here, so the verdict shows the stated wording's own precision
    assert audit.compare(audit.stated_value(_claim(**fields)), audit.Value.exact(found)) == expected


@pytest.mark.parametrize(
    "k, m, band",
    [
        (1, 3, (100 * (3 / 10 + 1 / 3) / 2, 100 * (1 / 3 + 4 / 10) / 2)),  # neighbours 3/10 and 4/10: 31.67–36.67
        (7, 10, (100 * (2 / 3 + 7 / 10) / 2, 100 * (7 / 10 + 3 / 4) / 2)),  # neighbours 2/3 and 3/4: 68.33–72.5
        (1, 10, (5, 15)),  # neighbours 0 and 1/5
        (9, 10, (85, 95)),  # neighbours 4/5 and 1
        (1, 2, (45, 55)),  # neighbours 2/5 and 3/5
        (6, 10, (55, 100 * (3 / 5 + 2 / 3) / 2)),  # neighbours 1/2 and 2/3
        (2, 7, (100 * (1 / 4 + 2 / 7) / 2, 100 * (2 / 7 + 3 / 10) / 2)),  # not a simple fraction: joins the grid
        (0, 4, (0, 5)),
        (3, 3, (95, 100)),
    ],
)
def test_fraction_band(k, m, band):
    low, high = audit.fraction_band(k, m)
    assert low == pytest.approx(band[0]) and high == pytest.approx(band[1])


def test_a_verbal_fraction_that_misstates_the_data_is_flagged():
    """26 % know the strategy's content (3.1.1): "1 av 4" describes it, "1 av 3" does not."""
    facts = audit.Facts.load()
    know = dict(question="awareness", group="all", response="Ja, jeg kjenner innholdet", rule="survey_lookup", unit="fraction")
    one_in_three = audit.check_claim(_claim(stated="om lag en av tre", value=33.33, **know), facts)
    assert one_in_three["status"] == audit.INCONSISTENT and "31.67–36.67" in one_in_three["explanation"]
    assert audit.check_claim(_claim(stated="en av fire", value=25, **know), facts)["status"] == audit.WITHIN_ROUNDING


def test_the_summary_fractions_against_the_chapters():
    """Which of the report's verbal fractions its own chapter numbers bear out, by the nearest-simple-fraction rule."""
    results = audit.run().set_index("id")["status"]
    # "1 av 3" for 26 % (know the content) is a contradiction; for 30 % (have not heard of it, three printings; and
    # belonging) it is loose wording: outside the band, within the tolerance
    assert results["C002"] == audit.INCONSISTENT
    assert (results[["C003", "C009", "C046", "C048"]] == audit.LOOSE_WORDING).all()
    # "7 av 10" for 26 + 43, "6 av 10" for 16 + 41, "9 av 10" for 59 + 30, "1 av 10" for 12 %, "8 av 10" for 79 %
    fitting = ["C001", "C045", "C004", "C006", "C007", "C010", "C047", "C005"]
    assert (results[fitting] == audit.WITHIN_ROUNDING).all()


def test_unknown_phrase_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="no reading for the phrase"):
        audit.stated_value(_claim(unit="phrase", stated="et flertall", value=50))


@pytest.mark.parametrize("text, expected", [("om lag syv av ti", (7, 10)), ("7av 10", (7, 10)), ("1av3", (1, 3)),
                                            ("En av tre", (1, 3)), ("hele ni av ti", (9, 10))])
def test_parse_fraction(text, expected):
    assert audit.parse_fraction(text) == expected


@pytest.mark.parametrize(
    "stated, found, expected",
    [("2024", "2024-05-31", audit.WITHIN_ROUNDING), ("2023-06-14", "2023-05-11", audit.INCONSISTENT),
     ("2022-09-15", "2022-09-15", audit.REPRODUCED), ("2020/2025", "2021/2025", audit.INCONSISTENT),
     ("2023-10", "2023-10-31", audit.WITHIN_ROUNDING)],
)
def test_compare_dates(stated, found, expected):
    assert audit.compare_dates(stated, found) == expected


@pytest.mark.parametrize(
    "date, precision, text",
    [("2021-01-01", "year", "2021"), ("2022-06-01", "month", "2022-06"), ("2024-05-31", "day", "2024-05-31"),
     ("2023-09-01", "season", "2023-09/2023-11"), ("2023-12-01", "season", "2023-12/2024-02")],
)
def test_event_date_text(date, precision, text):
    assert audit.event_date_text(date, precision) == text


def test_measure_event_rule_compares_dates_at_their_precision():
    facts = audit.Facts.load()
    adopted = dict(unit="date", rule="measure_event", item="measure_event:procurement_strategy_adopted")  # June 2022 (3.2.1)
    assert audit.check_claim(_claim(stated="2022-06", **adopted), facts)["status"] == audit.REPRODUCED
    assert audit.check_claim(_claim(stated="2022", **adopted), facts)["status"] == audit.WITHIN_ROUNDING
    assert audit.check_claim(_claim(stated="2022-07", **adopted), facts)["status"] == audit.INCONSISTENT
    academy = dict(unit="date", rule="measure_event", item="measure_event:academy_dss_unit")  # autumn 2023 (2.1, 3.2.1)
    assert audit.check_claim(_claim(stated="2023-09/2023-11", **academy), facts)["status"] == audit.REPRODUCED
    assert audit.check_claim(_claim(stated="2023", **academy), facts)["status"] == audit.WITHIN_ROUNDING
    assert audit.check_claim(_claim(stated="2023-03/2023-05", **academy), facts)["status"] == audit.INCONSISTENT


def test_a_measure_event_rule_naming_absent_data_is_an_error_naming_the_claim():
    facts = audit.Facts.load()
    with pytest.raises(audit.AuditError, match="claim T077.*measure_events.csv has no dated event 'no_such_event'"):
        audit.check_claim(_claim(claim_id="T077", unit="date", stated="2022", rule="measure_event",
                                 item="measure_event:no_such_event"), facts)
    with pytest.raises(audit.AuditError, match="claim T078.*measure_event:<event_id>"):
        audit.check_claim(_claim(claim_id="T078", unit="date", stated="2022", rule="measure_event",
                                 item="other:procurement_strategy_adopted"), facts)


def test_every_dated_measure_event_is_audited():
    """measure_events.csv is compared with the report: every event the report dates has a claim that reads it, and a
    claim about a measure event is never left to `repeated` (which would call it a quantity no data file holds)."""
    claims = data.load("claims")
    events = data.load("measure_events")
    printed = set(events.loc[events["kind"].isin(["stated", "footnote"]), "event_id"].astype(str))
    about_events = claims[claims["item"].astype(str).str.startswith("measure_event:")]
    assert (about_events["rule"] == "measure_event").all()
    assert printed <= {str(i).split(":", 1)[1] for i in about_events["item"]}
    assert not (audit.run().set_index("id").loc[list(about_events["claim_id"]), "status"] == audit.NOT_CHECKABLE).any()


def test_constructed_claims_through_the_rules():
    facts = audit.Facts.load()
    involvement = dict(question="measure_involvement", item="felles_ikt", group="all", response="Ja", rule="count_share")
    assert audit.check_claim(_claim(stated="13 prosent", value=13, **involvement), facts)["status"] == audit.WITHIN_ROUNDING
    verdict = audit.check_claim(_claim(stated="14 prosent", value=14, **involvement), facts)
    assert verdict["status"] == audit.INCONSISTENT and "N from" in verdict["explanation"]
    heard = dict(question="awareness", group="all", response="Ja, jeg kjenner innholdet|Jeg har hørt om den, men er ikke kjent med innholdet",
                 rule="category_sum")
    assert audit.check_claim(_claim(unit="fraction", stated="7 av 10", value=70, **heard), facts)["status"] == audit.WITHIN_ROUNDING
    assert audit.check_claim(_claim(unit="fraction", stated="5 av 10", value=50, **heard), facts)["status"] == audit.INCONSISTENT


def test_a_lone_misprint_is_flagged_and_the_majority_is_not():
    results = audit.run().set_index("id")
    claims = data.load("claims").set_index("claim_id")
    periods = claims[claims["item"] == "other:strategy_period"]
    by_value = periods.groupby("stated", observed=True).size()
    minority, majority = by_value.idxmin(), by_value.idxmax()
    assert by_value[minority] < by_value[majority]
    assert (results.loc[periods.index[periods["stated"] == minority], "status"] == audit.INCONSISTENT).all()
    assert (results.loc[periods.index[periods["stated"] == majority], "status"] != audit.INCONSISTENT).all()


def test_granularity_flags_the_percent_no_count_can_give():
    grain = audit.granularity()
    implied = grain[grain["check"] == "implied_n"]
    assert not implied.duplicated(subset=["id", "stated"]).any()
    verdicts = audit.run().set_index("id")
    # every printed share that is inconsistent by count ÷ N is also one whose implied N range excludes the stated N
    inconsistent = set(verdicts.index[(verdicts["rule"] == "count_share") & (verdicts["status"] == audit.INCONSISTENT)])
    assert inconsistent and inconsistent == set(implied.loc[~implied["possible"], "id"])


def test_flagged_selects_inconsistent_claims_by_what_a_figure_draws():
    results = audit.run()
    ids = audit.flagged(results, question="measure_involvement", group="all", response="Ja")
    statuses = results.set_index("id").loc[ids, "status"]
    assert ids and (statuses == audit.INCONSISTENT).all()
    assert audit.flagged(results, question="cooperation") == []
    with pytest.raises(ValueError, match="unknown claim columns"):
        audit.flagged(results, chapter="01")


# --- the audit follows the data ---------------------------------------------------------------------------------------


def test_changing_a_survey_value_turns_its_claims_inconsistent(data_copy):
    before = audit.run(audit.Facts.load()).set_index("id")["status"]
    affected = ["C050", "C001", "C045"]  # 26 % know the content: the cell itself and the '7 av 10' sums using it
    assert not (before[affected] == audit.INCONSISTENT).any()

    def know_content_20(row):
        # lowered, not raised: 40 would make the three exclusive awareness shares sum to 113 %, which validation rejects
        if (row["question"], row["group"], row["response"]) == ("awareness", "all", "Ja, jeg kjenner innholdet"):
            row["percent"] = "20"

    _rewrite(data_copy / "survey_answers.csv", know_content_20)
    after = audit.run(audit.Facts.load()).set_index("id")["status"]
    assert (after[affected] == audit.INCONSISTENT).all()
    unrelated = before.index.difference(affected + ["C002", "C051", "C052"])
    changed = [cid for cid in unrelated if before[cid] != after[cid]]
    assert not changed, f"claims that do not use the changed cell changed verdict: {changed}"


def test_correcting_the_interview_groups_reproduces_the_stated_total(data_copy):
    assert audit.run(audit.Facts.load()).set_index("id").loc["C020", "status"] == audit.INCONSISTENT

    def one_forum_interview_fewer(row):
        if row["group"] == "strategisk_forum":
            row["count"] = str(int(row["count"]) - 1)
        if row["group"] == "total_sum_of_groups":
            row["count"] = str(int(row["count"]) - 1)

    _rewrite(data_copy / "interviews.csv", one_forum_interview_fewer)
    after = audit.run(audit.Facts.load()).set_index("id")
    assert after.loc["C020", "status"] == audit.REPRODUCED
    assert after.loc["C183", "status"] == audit.INCONSISTENT  # 16 forum interviews no longer matches the registry


def test_moving_a_measure_event_turns_its_claims_inconsistent(data_copy):
    before = audit.run(audit.Facts.load()).set_index("id")["status"]
    claims = data.load("claims")
    adopted = list(claims.loc[claims["item"] == "measure_event:procurement_strategy_adopted", "claim_id"])
    assert adopted and (before[adopted] == audit.REPRODUCED).all()
    _rewrite(data_copy / "measure_events.csv",
             lambda row: row.update(date="2022-09-01") if row["event_id"] == "procurement_strategy_adopted" else None)
    after = audit.run(audit.Facts.load()).set_index("id")["status"]
    assert (after[adopted] == audit.INCONSISTENT).all()
    assert (after.drop(adopted) == before.drop(adopted)).all()


def test_the_appendix_fieldwork_dates_are_audited_against_the_appendix_rows(data_copy):
    before = audit.run(audit.Facts.load()).set_index("id")["status"]
    assert before["C171"] == before["C024"] == audit.REPRODUCED  # 24 April in vedlegg 2 and in 1.4.3
    _rewrite(data_copy / "survey_fieldwork.csv",
             lambda row: row.update(date="2023-04-25") if (row["event"], row["section"]) == ("survey_opened", "vedlegg 2") else None)
    after = audit.run(audit.Facts.load()).set_index("id")["status"]
    assert after["C171"] == audit.INCONSISTENT and after["C024"] == audit.REPRODUCED


def test_the_cached_audit_follows_an_edited_file(data_copy):
    assert audit.run().set_index("id").loc["C020", "status"] == audit.INCONSISTENT
    path = data_copy / "interviews.csv"
    _rewrite(path, lambda row: row.update(count=str(int(row["count"]) - 1)) if row["group"] == "strategisk_forum" else None)
    assert audit.run().set_index("id").loc["C020", "status"] == audit.REPRODUCED


# --- problems, not printings ------------------------------------------------------------------------------------------


def _text_facts(problems: list[dict] | None = None, statements: list[dict] | None = None,
                references: list[dict] | None = None) -> audit.TextFacts:
    """Made-up textual data: only what the test gives, checked against the report's real structure."""
    provenance = {"source": "dfo2023", "figure": None, "kind": "stated", "note": None}
    frame = lambda rows, columns: pd.DataFrame([{**provenance, **r} for r in rows or []], columns=columns)  # noqa: E731
    real = audit.TextFacts.load()
    return audit.TextFacts(problems=frame(problems, real.problems.columns),
                           statements=frame(statements, real.statements.columns),
                           references=frame(references, real.references.columns), structure=real.structure)


def test_two_printings_of_one_problem_count_once():
    """The Academy's 13 % is printed in the text and in Figure 4: two inconsistent claims, one problem."""
    results = audit.run()
    status = results.set_index("id")["status"]
    assert status["C062"] == status["C082"] == audit.INCONSISTENT
    declared = _text_facts(problems=[{"problem_id": "P90", "rule": "claims", "title_en": "x", "title_nb": "x",
                                      "claims": "C062|C082", "section": "3.1.1", "evidence": "13 prosent"}])
    found = audit.problems(results, declared)
    academy = [p for p in found if {"C062", "C082"} & set(p.claim_ids)]
    assert len(academy) == 1 and sorted(academy[0].claim_ids) == ["C062", "C082"]
    assert academy[0].verdict == audit.CONTRADICTION
    # undeclared, the two printings of the same quantity are still grouped into one problem
    undeclared = [p for p in audit.problems(results, _text_facts()) if {"C062", "C082"} & set(p.claim_ids)]
    assert len(undeclared) == 1 and sorted(undeclared[0].claim_ids) == ["C062", "C082"]
    # and the real registry: no claim is a printing of two problems, every failing claim is a printing of one, and a
    # printing that passes its own check is listed only as one of the printings a problem declares
    real = audit.problems(results)
    ids = [cid for p in real for cid in p.claim_ids]
    assert len(ids) == len(set(ids))
    failing = set(status.index[status.isin([audit.INCONSISTENT, audit.LOOSE_WORDING])])
    declared = {cid for claims in data.load("problems")["claims"].dropna() for cid in str(claims).split("|")}
    assert failing <= set(ids) and set(ids) - failing <= declared
    assert audit.problem_counts(real).sum() == len(real) < len(failing) + len(data.load("problem_statements"))


def test_a_problem_lists_every_printing_it_declares_passing_or_not():
    """Shared ICT's 14 % in the text fails against 180 / 1366; the footnote's 13 % for the same respondents passes,
    but it is the other side of the discrepancy, so the entry lists both; likewise the 4691 and about 4700 beside
    the 4702 of Appendix 2."""
    found = {p.problem_id: p for p in audit.problems()}
    declared = data.load("problems").set_index("problem_id")["claims"]
    for pid, problem in found.items():
        if problem.rule == "claims" and pid in declared.index:
            assert problem.claim_ids == str(declared[pid]).split("|")
    shares = next(p for p in found.values() if "C060" in p.claim_ids)
    assert {"C060", "C157"} <= set(shares.claim_ids)
    listed = str(audit.problem_list([shares]))
    assert "#claim-C060" in listed and "#claim-C157" in listed


def test_every_textual_printing_links_to_its_row_on_the_data_page():
    statements, references = data.load("problem_statements"), data.load("cross_references")
    for problem in audit.problems():
        if problem.rule == "claims":
            continue
        listed = str(audit.problem_list([problem]))
        for printing in problem.printings:
            assert printing.source is not None, (problem.problem_id, printing.place)
            frame = statements if printing.source.resource == "problem_statements" else references
            column = "statement_id" if printing.source.resource == "problem_statements" else "reference_id"
            # the anchor's row is the row whose id the link shows
            assert frame.iloc[printing.source.rows[0] - 1][column] == printing.row_id
            assert f"../data.ipynb#{printing.source.anchor}" in listed


def test_the_textual_rules_table_names_every_rule_its_files_and_the_problems_it_finds():
    found = audit.problems()
    rules = audit.text_rules(found)
    assert set(rules["rule"]) == set(audit.PROBLEM_RULES) | {"cross_reference"}
    assert rules["text_rule_problems"].sum() == sum(1 for p in found if p.rule != "claims")
    files = {f for cell in rules["files"] for f in cell.split("|")}
    assert {"problem_statements.csv", "cross_references.csv", "report_structure.csv"} <= files
    assert all(f.removesuffix(".csv") in data.resource_names() for f in files)
    assert str(audit.data_file_cell("report_structure")) == '<a href="../data.html#data-report_structure">report_structure.csv</a>'


def test_one_in_three_for_thirty_percent_is_loose_wording_not_a_contradiction():
    facts = audit.Facts.load()
    not_heard = dict(question="awareness", group="all", response="Nei", rule="survey_lookup", unit="fraction")
    verdict = audit.check_claim(_claim(stated="1 av 3", value=33.33, **not_heard), facts)  # the survey has 30 %
    assert verdict["status"] == audit.LOOSE_WORDING and "loose wording" in verdict["explanation"]
    problem = next(p for p in audit.problems() if "C003" in p.claim_ids)
    assert problem.verdict == audit.LOOSE_WORDING and {"C003", "C009", "C046"} <= set(problem.claim_ids)
    assert audit.VERBAL_FRACTION_TOLERANCE_POINTS < 100 * 1 / 3 - 26  # "1 av 3" for 26 % stays a contradiction


def _launch_statements(event_date: str) -> list[dict]:
    return [{"problem_id": "P91", "statement_id": "S91", "role": "event", "subject": "vann_og_avlop", "value": event_date,
             "section": "vedlegg 4", "evidence": "startet"},
            {"problem_id": "P91", "statement_id": "S92", "role": "launch", "subject": "strategy", "value": "2021-05",
             "section": "1.1", "evidence": "lansert"},
            {"problem_id": "P91", "statement_id": "S93", "role": "follows", "subject": "kjernegrupper", "value": None,
             "section": "4.1", "evidence": "som følge av strategien"}]


@pytest.mark.parametrize("event_date, flagged", [("2021-03", True), ("2020", True), ("2021-05", False), ("2021", False),
                                                 ("2021-08", False)])
def test_an_event_before_the_launch_it_is_said_to_follow_is_flagged(event_date, flagged):
    """A made-up core group start: flagged only when every day its printed date can mean is before the launch month."""
    text = _text_facts(problems=[{"problem_id": "P91", "rule": "before_launch", "title_en": "t", "title_nb": "t",
                                  "claims": None, "section": "vedlegg 4", "evidence": "startet"}],
                       statements=_launch_statements(event_date))
    found = [p for p in audit.problems(audit.run(), text) if p.problem_id == "P91"]
    assert bool(found) == flagged
    if flagged:
        assert found[0].verdict == audit.CONTRADICTION and "before the strategy's launch" in found[0].printings[0].finding


def test_the_core_groups_started_before_the_launch_are_the_ones_flagged():
    problem = next(p for p in audit.problems() if p.rule == "before_launch")
    statements = data.load("problem_statements")
    launch = statements.loc[statements["role"] == "launch", "value"].iloc[0]
    early = statements[(statements["role"] == "event") & (statements["value"].astype(str) < str(launch))]
    assert problem.verdict == audit.CONTRADICTION
    assert len([p for p in problem.printings if p.finding]) == len(early) > 0


def _reference(**fields) -> dict:
    return {"reference_id": "X90", "target_part": "section", "target": "1.4.3", "name_as_printed": None,
            "topic_sections": None, "section": "3.1", "evidence": "se kap.", **fields}


@pytest.mark.parametrize("fields, verdict", [
    ({"target": "2.2.3"}, audit.CONTRADICTION),  # the report has no section 2.2.3
    ({"target_part": "figure", "target": "13"}, audit.CONTRADICTION),  # nor a Figure 13
    ({"target_part": "appendix", "target": "5"}, audit.CONTRADICTION),
    ({"target": "1.4.3"}, None),
    ({"target_part": "figure", "target": "12"}, None),
    ({"target": "1.1", "topic_sections": "1.2|1.3.1"}, audit.TENSION),  # exists, but the topic is treated elsewhere
    ({"target": "3", "name_as_printed": "Funn"}, audit.LOOSE_WORDING),  # exists, under another heading
    ({"target_part": "appendix", "target": "3", "name_as_printed": "Beskrivelse av dybdeintervjuer"}, None),
])
def test_a_cross_reference_is_checked_against_the_reports_parts(fields, verdict):
    text = _text_facts(references=[_reference(**fields)])
    found = [p for p in audit.problems(audit.run(), text) if p.rule == "cross_reference"]
    assert [p.verdict for p in found] == ([verdict] if verdict else [])


def test_the_reports_cross_reference_to_a_missing_section_is_flagged():
    found = {p.problem_id: p for p in audit.problems() if p.rule == "cross_reference"}
    refs = data.load("cross_references").set_index("reference_id")
    missing = [rid for rid, r in refs.iterrows() if str(r["target"]) == "2.2.3"]
    assert missing and all(found[f"P-{rid}"].verdict == audit.CONTRADICTION for rid in missing)
    # the references whose target exists and fits are not problems
    assert len(found) < len(refs)


def test_a_problem_rule_naming_absent_claims_is_an_error_naming_the_row():
    text = _text_facts(problems=[{"problem_id": "P92", "rule": "claims", "title_en": "t", "title_nb": "t",
                                  "claims": "C999", "section": "1.1", "evidence": "x"}])
    with pytest.raises(ValueError, match="problems.csv, problem P92, column 'claims': no claim C999"):
        audit.problems(audit.run(), text)


def test_the_problem_list_is_written_in_the_editions_language():
    try:
        english = str(audit.problem_list(audit.problems()))
        labels.use("nb")
        norwegian = str(audit.problem_list(audit.problems()))
    finally:
        labels.use("en")
    assert "contradiction" in english and "loose wording" in english
    assert "motstrid" in norwegian and "upresis ordlyd" in norwegian and "contradiction" not in norwegian


# --- the claim list: a plain table in the notebook, DataTables from the site's own copy (npm) -------------------------

AUDIT_NOTEBOOK = ROOT / "notebooks" / "05-audit.ipynb"
MAX_NOTEBOOK_BYTES = 400_000  # issue 20: the audit notebook was 2.78 MB, most of it an inlined DataTables bundle
MAX_CLAIM_LIST_BYTES = 100_000  # the claim list's own output: 207 rows as a plain table (~80 KB), and no library


def _claim_list_output(notebook: dict) -> dict:
    """The committed output of the cell that shows the claim list (``ch.table(… interactive=True)``)."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and "interactive=True" in "".join(cell["source"]):
            return next(o for o in cell["outputs"] if "text/markdown" in o.get("data", {}))
    raise AssertionError("05-audit.ipynb: no cell shows an interactive table")


def _claim_list_problems(notebook: dict) -> list[str]:
    """What the committed claim list carries that it should not: an inlined script, a table twice, too many bytes."""
    bundle = _claim_list_output(notebook)["data"]
    markdown = "".join(bundle["text/markdown"])
    problems = []
    if re.search(r"<script(?![^>]*\bsrc=)", markdown) or "base64," in markdown:
        problems.append("an inline script or a base64 payload (the library must be the site's copy)")
    if "<table" in "".join(bundle.get("text/html", "")):
        problems.append("the table a second time, as text/html")
    size = len(json.dumps(bundle, ensure_ascii=False).encode())
    if size > MAX_CLAIM_LIST_BYTES:
        problems.append(f"{size} bytes, above {MAX_CLAIM_LIST_BYTES}")
    return problems


def test_the_committed_claim_list_is_a_plain_table_without_its_library():
    problems = _claim_list_problems(json.loads(AUDIT_NOTEBOOK.read_text(encoding="utf-8")))
    assert not problems, "05-audit.ipynb's claim list carries:\n  " + "\n  ".join(problems)


def test_the_claim_list_check_can_fail():
    inlined = {"cells": [{"cell_type": "code", "source": ["ch.table(every, interactive=True)"], "outputs": [
        {"data": {"text/markdown": ["<script>var bundle = 'data:text/javascript;base64,AAAA';</script>", "x" * 120_000],
                  "text/html": ["<table></table>"]}}]}]}
    assert len(_claim_list_problems(inlined)) == 3


def test_the_audit_notebook_is_at_most_400_kb():
    size = AUDIT_NOTEBOOK.stat().st_size
    assert size <= MAX_NOTEBOOK_BYTES, f"05-audit.ipynb is {size} bytes, above {MAX_NOTEBOOK_BYTES}"


def test_the_claim_list_table_escapes_data_text_and_keeps_built_markup():
    frame = pd.DataFrame({"claim": [tables.anchor("claim-C1", "C1")],
                          "explanation": ["<script>alert(1)</script> & 1 < 2"]})
    rendered = tables.plain_html(frame, lang="en", headers={"claim": "Claim <b>", "explanation": "Explanation"},
                                 label='Every "number"')
    assert '<td id="claim-C1">C1</td>' in rendered  # where the chapters' badges land (the lone span's id, on its cell)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 1 &lt; 2" in rendered and "<script" not in rendered
    assert "<th scope=\"col\">Claim &lt;b&gt;</th>" in rendered
    # Quarto must leave it as written, in a box that scrolls and takes the keyboard focus, named by the caption
    assert 'data-quarto-disable-processing="true"' in rendered
    assert 'role="region" aria-label="Every &quot;number&quot;"' in rendered and 'tabindex="0"' in rendered


def test_the_claim_list_loads_the_pinned_npm_files_the_site_copies():
    """The page loads DataTables by a path relative to the page, from the files the build copies into each edition
    (``_quarto.yml``'s resources), of the versions package-lock.json pins: nothing from another host."""
    loaded = re.findall(r'(?:src|href)="([^"]+)"', tables.datatables_assets())
    files = (*tables.DATATABLES_FILES, *tables.CLAIM_LIST_FILES)  # the claim list's own script after the library
    assert loaded == [f"{tables.PAGE_TO_SITE_ROOT}/{name}" for name in files]
    assert all(not re.match(r"^[a-z][a-z0-9+.-]*:|^//|^/", url) for url in loaded), loaded
    assert all((ROOT / name).is_file() for name in tables.CLAIM_LIST_FILES)
    import yaml

    resources = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))["project"]["resources"]
    assert set(files) <= set(resources), "the build would not copy what the page loads"
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    locked = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for name in tables.DATATABLES_FILES:
        package = name.split("/")[1]
        assert re.fullmatch(r"\d+\.\d+\.\d+", pinned[package]), f"{package} is not pinned exactly: {pinned[package]}"
        assert locked[f"node_modules/{package}"]["version"] == pinned[package]
