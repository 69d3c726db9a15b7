"""Follow-up and relevance data: referential integrity across files, and the interview count check."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import data


@pytest.fixture(scope="module")
def ministries() -> set[str]:
    return set(data.load("ministries")["abbreviation"].astype(str))


def test_sixteen_units_and_the_two_agencies(ministries):
    table = data.load("ministries")
    core = table[table["unit_type"].astype(str) != "agency"]
    assert len(core) == 16 and {"SMK", "KDD", "FIN", "UD"} <= set(core["abbreviation"])
    assert {"DSS", "DFO"} <= ministries


def test_every_lead_and_member_is_a_known_unit(ministries):
    measures = data.load("measures")
    assert set(measures["lead"].dropna().astype(str)) <= ministries
    members = data.load("core_group_members")
    assert set(members["ministry"].astype(str)) <= ministries
    groups = data.load("core_groups")
    assert set(groups["lead"].dropna().astype(str)) <= ministries
    assert set(members["core_group"].astype(str)) == set(groups["core_group"].astype(str))


def test_each_core_group_has_exactly_one_lead_matching_its_table():
    members = data.load("core_group_members")
    leads = members[members["role"].astype(str) == "lead"]
    assert leads["core_group"].value_counts().eq(1).all()
    groups = data.load("core_groups").set_index("core_group")["lead"].astype(str)
    for _, row in leads.iterrows():
        assert groups[row["core_group"]] == row["ministry"]


def test_measures_and_survey_items_are_the_same_seven():
    measures = set(data.load("measures")["measure"].astype(str))
    survey = data.load("survey_answers")
    items = set(survey.loc[survey["question"] == "measure_involvement", "item"].astype(str))
    questionnaire = data.load("questionnaire")
    asked = set(questionnaire.loc[questionnaire["question"] == "measure_involvement", "item"].dropna().astype(str))
    assert measures == items == asked and len(measures) == 7


def test_events_goal_areas_and_forums_refer_to_known_ids():
    measures = set(data.load("measures")["measure"].astype(str))
    assert set(data.load("measure_events")["measure"].astype(str)) <= measures
    goal_map = data.load("measure_goal_areas")
    assert set(goal_map["measure"].astype(str)) <= measures
    goals = set(data.load("strategy").query("element_type == 'goal_area'")["element_id"].astype(str))
    assert set(goal_map["goal_area"].astype(str)) == goals == {"coordinated_policy", "stronger_community", "professionalism_attractive"}
    bodies = set(data.load("governance_bodies")["body"].astype(str))
    assert set(data.load("measures")["service_forum"].dropna().astype(str)) <= bodies
    relations = data.load("governance_relations")
    assert set(relations["from_body"].astype(str)) | set(relations["to_body"].astype(str)) <= bodies


def test_findings_reference_known_measures_goals_and_findings():
    findings = data.load("findings")
    measures = set(data.load("measures")["measure"].astype(str))
    ids = set(findings["finding_id"].astype(str))
    for _, row in findings.iterrows():
        for m in str(row["measures"] if pd.notna(row["measures"]) else "").split("|"):
            assert not m or m in measures, f"{row['finding_id']}: unknown measure {m}"
        for f in str(row["supports"] if pd.notna(row["supports"]) else "").split("|"):
            assert not f or f in ids, f"{row['finding_id']}: unknown finding {f}"


def test_every_measure_body_and_lead_the_chapter_names_is_in_the_glossary():
    """Chapter 2 shows every name from data/glossary.csv (both editions), never from the entity files' name columns."""
    glossary = data.load("glossary")
    named = {category: set(glossary.loc[glossary["category"] == category, "id"]) for category in set(glossary["category"])}
    assert set(data.load("measures")["measure"]) <= named["measure"]
    assert set(data.load("governance_bodies")["body"]) <= named["body"]
    bodies = data.load("governance_bodies")
    leads = set(data.load("measures")["lead"].dropna()) | set(bodies["led_by"].dropna()) | set(bodies["secretariat"].dropna())
    assert leads | {"SMK", "KDD", "DSS"} <= named["organisation"]
    assert "styringsmodell" in named["document"]
    assert glossary[["name_en", "name_nb"]].notna().all().all()


def test_every_verdict_of_the_report_has_its_wording_in_both_languages():
    """The chapter writes the report's verdict on a measure as a table cell, a predicate and a count (helpers.labels)."""
    import json

    from helpers import labels

    from .conftest import ROOT

    schema = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in schema["resources"] if r["name"] == "measures")["schema"]["fields"]
    statuses = next(f for f in fields if f["name"] == "status")["constraints"]["enum"]
    for lang in labels.LANGS:
        for status in statuses:
            assert labels.term(status, lang)
            assert labels.phrase(f"verdict_{status}", lang, partly="")
            assert labels.status_tally({status: 2}, lang).startswith("2 ")
    assert labels.status_tally({"complex_hard_to_land": 1}, "nb") == "1 komplekst og krevende å få i mål"
    assert labels.status_tally({"good_drive": 2, "nearly_done": 1}, "en") == "2 in good drive and 1 nearly complete"
    assert labels.name_list("measure", "felles_ikt|felles_hr", "nb") == "Felles IKT og Felles HR"
    assert labels.name_list("measure", float("nan")) == ""


def test_interview_groups_against_the_stated_total():
    interviews = data.load("interviews")
    groups = interviews[~interviews["group"].isin(["total_stated", "total_sum_of_groups"])]
    stated = int(interviews.loc[interviews["group"] == "total_stated", "count"].iloc[0])
    assert stated == 38
    # A known inconsistency of the report: vedlegg 3's groups add up to one more than 1.4.2's total.
    assert int(groups["count"].sum()) == 39 == stated + 1
    recorded = int(interviews.loc[interviews["group"] == "total_sum_of_groups", "count"].iloc[0])
    assert recorded == groups["count"].sum()


@pytest.mark.parametrize("file, column, bad", [("measures", "lead", "XYZ"), ("core_group_members", "role", "chair")])
def test_malformed_rows_are_rejected(data_copy: Path, file, column, bad):
    path = data_copy / f"{file}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, column] = bad
    frame.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(data.DataValidationError) as info:
        data.validate(file, data_copy)
    assert info.value.row == 2 and info.value.column == column


def test_event_dates_are_the_first_day_of_the_period_they_name():
    events = data.load("measure_events")
    for _, e in events.iterrows():
        day, precision = pd.Timestamp(e["date"]), str(e["date_precision"])
        first = {"year": day.month == 1 and day.day == 1, "month": day.day == 1, "day": True,
                 "season": day.day == 1 and day.month in (3, 6, 9, 12)}[precision]
        assert first, f"{e['event_id']}: {day.date()} is not the first day of its {precision}"


def test_the_appendix_prints_the_fieldwork_period_too():
    """Vedlegg 2 repeats the fieldwork period (24 April to 11 May, the survey of 2023): its rows carry those dates."""
    fieldwork = data.load("survey_fieldwork")
    appendix = fieldwork[fieldwork["section"] == "vedlegg 2"].set_index("event")["date"]
    assert appendix["survey_opened"] == pd.Timestamp("2023-04-24")
    assert appendix["survey_closed_stated"] == pd.Timestamp("2023-05-11")
    assert fieldwork["date"].notna().all(), "every fieldwork date the report prints is recorded"


def test_readings_of_tabell_1_are_inferred_not_derived():
    """No arithmetic gives a goal area from Tabell 1: a cell the report does not state is a reading (inferred)."""
    goal_map = data.load("measure_goal_areas")
    assert not (goal_map["kind"] == "derived").any()
    read = goal_map[(goal_map["serves"].astype(str) == "true") & (goal_map["kind"] != "stated")]
    assert len(read) == 5 and (read["kind"] == "inferred").all()
    assert read["note"].str.startswith("inferred: rule").all()


def test_names_the_report_never_spells_out_are_inferred():
    units = data.load("ministries").set_index("abbreviation")
    # the report writes only 'SSB'; 'Statistisk sentralbyrå' is our reading of the acronym
    assert units.loc["SSB", "kind"] == "inferred" and "SSB" in units.loc["SSB", "note"]
