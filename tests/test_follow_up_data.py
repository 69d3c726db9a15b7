"""Follow-up and relevance data: referential integrity across files, and the interview count check."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import data, plots


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
            assert labels.status_tally({status: 2}, lang).startswith({"en": "two ", "nb": "to "}[lang])
    # a count of measures (et tiltak) in running text: a word, neuter in Norwegian
    assert labels.status_tally({"complex_hard_to_land": 1}, "nb") == "ett komplekst og krevende å få i mål"
    assert labels.status_tally({"good_drive": 2, "nearly_done": 1}, "en") == "two in good drive and one nearly complete"
    assert labels.status_tally({"good_drive": 12}, "nb").startswith("tolv ")
    assert labels.status_tally({"good_drive": 13}, "nb").startswith("13 ")
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


# --------------------------------------------------------------------------------------------------------------------
# The coding rubric (data/README.md): every coded row carries the few words of the report it rests on, the words are
# in the report, and the coded value is no stronger than they are.

ROOT = Path(__file__).resolve().parents[1]
#: The source texts are not part of the repository (only a few words of them are): they sit beside the checkout, or
#: where BEST_SAMMEN_SOURCES points.
SOURCE_FILES = {"dfo2023": "evaluation-report.txt", "strategy2021": "strategy.txt"}
#: Letters the OCR confuses with each other: it prints ø as g, @, e, o or a, å as a, d, & or é, æ as ae, ee, e or z.
#: Both sides are folded alike, so folding them into one class, and a run of them into one, costs little precision
#: (a phrase of several words still has its consonants in order) and absorbs every spelling the OCR produced.
_OCR_VOWELS = frozenset("aeoæøåg@&zéèd")
#: The OCR reads I as l, j or a vertical bar; a bar also stands alone as noise before a word (|IKT), so both readings
#: of a bar are tried.
_OCR_I = frozenset("lij")
#: The last dated fieldwork the report describes (1.4.2: interviews until 12 September 2023): nothing dated before it
#: was still a plan when the report was written.
REPORT_FIELDWORK_END = pd.Timestamp("2023-09-12")
#: The strategy's launch (1.1: May 2021).
STRATEGY_LAUNCH = pd.Timestamp("2021-05-01")


def fold(text: str, bar: str = "i") -> str:
    """``text`` reduced to what survives the OCR: lower case, no spaces, punctuation or line-break hyphens, and the
    letters the OCR confuses folded into one class each."""
    out: list[str] = []
    for ch in str(text).lower().replace("|", bar):
        if ch in _OCR_VOWELS:
            ch = "V"
        elif ch in _OCR_I:
            ch = "i"
        elif not ch.isalnum():
            continue
        if not (ch == "V" and out and out[-1] == "V"):
            out.append(ch)
    return "".join(out)


def snippets(evidence: str) -> list[str]:
    """The phrases of an ``evidence`` cell (several are separated by " | ")."""
    return [s.strip() for s in str(evidence).split(" | ") if s.strip()]


def _sources_folder() -> Path:
    return Path(os.environ.get("BEST_SAMMEN_SOURCES", ROOT.parent / "shared" / "seeds"))


@pytest.fixture(scope="module")
def source_texts() -> dict[str, str]:
    folder = _sources_folder()
    texts = {}
    for key, name in SOURCE_FILES.items():
        path = folder / name
        if not path.is_file():
            pytest.skip(f"source text {path} not found (set BEST_SAMMEN_SOURCES to the folder holding {name})")
        raw = path.read_text(encoding="utf-8")
        texts[key] = fold(raw) + "\n" + fold(raw, bar="")
    return texts


def evidence_resources() -> list[str]:
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    return [r["name"] for r in package["resources"]
            if any(f["name"] == "evidence" for f in r["schema"]["fields"])]


def coded_rows(name: str) -> pd.DataFrame:
    frame = data.load(name).astype(object).where(lambda f: f.notna(), "")
    return frame.assign(line=range(2, len(frame) + 2))


def test_fold_absorbs_the_ocr_spellings_and_keeps_words_apart():
    for clean, ocr in [("hørt om strategien", "hgrt om strategien"), ("særlig komplekse", "szerlig komplekse"),
                       ("tverrgående", "tverrgdende"), ("være", "veere"), ("DFØ", "DF@"),
                       ("Det arbeides med", "Det arbeides\nmed"), ("departements-fellesskapet", "departements-\nfellesskapet"),
                       ("I intervjuene", "lintervjuene"), ("gjennomføring", "giennomfaring")]:
        assert fold(clean) == fold(ocr), (clean, ocr)
    for one, other in [("hørt", "kort"), ("til dels", "til sammen"), ("muligens", "mulighetene"), ("2022", "2023")]:
        assert fold(one) != fold(other)


@pytest.mark.parametrize("name", evidence_resources())
def test_every_stated_or_paraphrased_coded_row_names_its_words(name):
    rows = coded_rows(name)
    bare = rows[rows["kind"].isin(["stated", "paraphrase"]) & (rows["evidence"].str.strip() == "")]
    assert bare.empty, f"data/{name}.csv: rows {bare['line'].tolist()} are {set(bare['kind'])} without evidence"


@pytest.mark.parametrize("name", evidence_resources())
def test_evidence_is_the_sources_words(name, source_texts):
    rows = coded_rows(name)
    absent = [(line, s) for line, source, ev in zip(rows["line"], rows["source"], rows["evidence"])
              for s in snippets(ev) if fold(s) not in source_texts[source]]
    assert not absent, f"data/{name}.csv: evidence not found in the source text: {absent}"


@pytest.mark.parametrize("name", evidence_resources())
def test_evidence_is_a_few_words_never_a_sentence(name):
    rows = coded_rows(name)
    long = [(line, s) for line, ev in zip(rows["line"], rows["evidence"]) for s in snippets(ev) if len(s.split()) > 18]
    assert not long, f"data/{name}.csv: evidence longer than a few words: {long}"


#: A footnote is printed at the foot of its page, which the OCR puts after the page's text: past the next heading, up
#: to a page of lines after the section its mark is in.
PAGE_LINES = 70


def report_parts(text: str, *, footnote: bool = False) -> dict[str, str]:
    """The report's parts as our data name them (``section``: ``3.4.1``, ``sammendrag``, ``vedlegg 2``,
    ``litteraturoversikt``), each folded from its heading to the next heading that is not inside it (with
    ``footnote``, a page further). The headings are found in the order data/report_structure.csv lists them, the OCR's
    bar before a heading ("I 2.1 …") allowed."""
    lines = text.split("\n")
    starts: dict[str, int] = {"sammendrag": 0}
    at = 0
    for part, number, heading in data.load("report_structure")[["part", "number", "heading_nb"]].astype(str).values:
        if part == "section":
            key, line = number, re.compile(rf"^(?:[I|l] )?{re.escape(number)}\.?\s+(.*)$")
            words = fold(" ".join(heading.split()[1:3]))  # the first word is where the OCR garbles most («Ønske»)
        elif part == "appendix":
            key, line, words = f"vedlegg {number}", re.compile(rf"^(?:[I|l] )?Vedlegg {number}:(.*)$"), ""
        else:
            continue
        found = next((i for i in range(at + 1, len(lines)) if (m := line.match(lines[i].strip()))
                      and words in fold(m.group(1))), None)
        assert found is not None, f"the heading of {key} ({heading}) is not in the report's text after line {at + 1}"
        starts[key], at = found, found
        if key == "5.4":  # the reference list comes between the last section and the appendices
            starts["litteraturoversikt"] = next(i for i in range(at, len(lines)) if "Litteraturoversikt" in lines[i])
            at = starts["litteraturoversikt"]
    ordered = sorted(starts.items(), key=lambda item: item[1])
    parts = {}
    for k, (key, start) in enumerate(ordered):
        end = next((s for other, s in ordered[k + 1:] if not other.startswith(key + ".")), len(lines))
        end += PAGE_LINES if footnote else 0
        parts[key] = fold("\n".join(lines[start:end])) + "\n" + fold("\n".join(lines[start:end]), bar="")
    return parts


def test_report_parts_are_found_in_order_and_hold_their_own_words(source_texts):
    parts = report_parts(_report_text())
    assert len(parts) == 46  # 40 sections, 4 appendices, the summary and the reference list
    assert fold("Regeringskansliet") in parts["3.4.1"] and fold("Regeringskansliet") in parts["3.4"]
    assert fold("Finansministeriet i Danmark") not in parts["3.4.1"]
    assert fold("Det arbeides med en felles stortingsmelding") in parts["vedlegg 4"]


def _report_text() -> str:
    return (_sources_folder() / SOURCE_FILES["dfo2023"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", evidence_resources())
def test_evidence_is_at_the_place_the_row_names(name, source_texts):
    """A reviewer opens the row's section and finds its words there (a row naming several places: in one of them)."""
    parts = {False: report_parts(_report_text()), True: report_parts(_report_text(), footnote=True)}
    rows = coded_rows(name)
    astray = []
    for line, source, places, kind, ev in zip(rows["line"], rows["source"], rows["section"], rows["kind"],
                                              rows["evidence"]):
        if source != "dfo2023" or not ev:
            continue
        texts = [parts[kind == "footnote"][p.strip()] for p in str(places).split("|")]
        astray += [(line, places, s) for s in snippets(ev) if not any(fold(s) in t for t in texts)]
    assert not astray, f"data/{name}.csv: evidence not in the section the row names: {astray}"


#: The report's words for work in progress, and coded values that say it is done.
UNDER_WAY_NB = ("det arbeides med", "er i gang", "under planlegging", "under arbeid")
DONE_VALUES = {"reached", "happened", "done"}
#: The report's hedges ("muligens", "ser ut til", …), and how our wording keeps one.
HEDGES_NB = ("muligens", "trolig", "ser ut til", "synes å være", "synes imidlertid", "synes ikke å", "tyder på",
             "kan tolkes", "virker som")  # "synes" alone is also "think" ("Flest synes det er viktig")
KEEPS_HEDGE_EN = ("possibly", "probably", "seem", "appear", "suggest", "may ", "might", "can be read", "could",
                  "apparently", "as far as")
KEEPS_HEDGE_NB = ("muligens", "trolig", "ut til", "synes", "tyder", "kan ", "tilsynelatende", "antakelig")


def _values(row: pd.Series) -> set[str]:
    """The row's coded cells: not its provenance, notes or wording in either language."""
    skip = {"evidence", "note", "source", "section", "figure", "kind", "line"}
    return {str(v) for k, v in row.items() if k not in skip and not str(k).endswith(("_note", "_en", "_nb"))}


def _paraphrase_keeps(row: pd.Series, en: tuple[str, ...], nb: tuple[str, ...]) -> bool:
    texts_en = " ".join(str(v).lower() for k, v in row.items() if str(k).endswith("_en"))
    texts_nb = " ".join(str(v).lower() for k, v in row.items() if str(k).endswith("_nb"))
    return any(h in texts_en for h in en) and any(h in texts_nb for h in nb)


@pytest.mark.parametrize("name", evidence_resources())
def test_work_under_way_is_never_coded_done(name):
    rows = coded_rows(name)
    wrong = [r["line"] for _, r in rows.iterrows()
             if any(fold(w) in fold(r["evidence"]) for w in UNDER_WAY_NB) and _values(r) & DONE_VALUES]
    assert not wrong, f"data/{name}.csv: rows {wrong} code as done what the report says is under way"


@pytest.mark.parametrize("name", evidence_resources())
def test_a_hedged_statement_keeps_its_hedge(name):
    rows = coded_rows(name)
    wrong = []
    for _, r in rows.iterrows():
        if not any(fold(h) in fold(r["evidence"]) for h in HEDGES_NB):
            continue
        hedged_value = any(v.startswith(("possibly", "seems")) for v in _values(r)) or \
            any(str(r.get(c, "")) for c in r.index if str(c).endswith("qualifier"))
        if not (r["kind"] == "inferred" or hedged_value or _paraphrase_keeps(r, KEEPS_HEDGE_EN, KEEPS_HEDGE_NB)):
            wrong.append(r["line"])
    assert not wrong, f"data/{name}.csv: rows {wrong} rest on a hedge ('muligens', 'ser ut til', …) the coding drops"


@pytest.mark.parametrize("name", evidence_resources())
def test_til_dels_is_coded_partly(name):
    rows = coded_rows(name)
    wrong = [r["line"] for _, r in rows.iterrows() if fold("til dels") in fold(r["evidence"])
             and not any("partly" in v for v in _values(r))
             and not _paraphrase_keeps(r, ("partly", "in part"), ("til dels", "delvis"))]
    assert not wrong, f"data/{name}.csv: rows {wrong} rest on 'til dels' but are not coded partly"


def test_no_event_before_the_report_is_still_a_plan():
    events = data.load("measure_events")
    ends = {"year": pd.offsets.YearEnd(0), "month": pd.offsets.MonthEnd(0), "season": pd.DateOffset(months=3, days=-1),
            "day": pd.DateOffset(days=0)}
    last_day = [pd.Timestamp(d) + ends[p] for d, p in zip(events["date"], events["date_precision"])]
    stale = events[(pd.Series(last_day, index=events.index) < REPORT_FIELDWORK_END) & (events["status"] == "planned")]
    assert stale.empty, f"events past by the report's date still coded planned: {stale['event_id'].tolist()}"
    assert events.set_index("event_id").loc["sak_arkiv_rollout_deadline", "status"] == "deadline_missed"


def test_event_status_agrees_with_planned():
    events = data.load("measure_events")
    ahead = events["status"].isin(["planned", "deadline_missed"])
    assert (events["planned"].astype(bool) == ahead).all(), events.loc[events["planned"].astype(bool) != ahead, "event_id"].tolist()


def test_a_date_of_reduced_precision_is_its_period_first_day_only_as_a_key():
    events = data.load("measure_events")
    for _, e in events.iterrows():
        day = pd.Timestamp(e["date"])
        if e["date_precision"] == "year":
            assert (day.month, day.day) == (1, 1), e["event_id"]
        elif e["date_precision"] in ("month", "season"):
            assert day.day == 1, e["event_id"]


def test_timeline_draws_a_period_as_a_span_and_a_missed_deadline_crossed():
    events = pd.DataFrame({"row": ["a", "a", "b", "b"],
                           "date": pd.to_datetime(["2022-01-01", "2021-06-01", "2019-01-01", "2022-06-01"]),
                           "precision": ["year", "day", "year", "month"], "planned": [True, False, False, True],
                           "status": ["deadline_missed", "happened", "happened", "planned"],
                           "label": ["due by the end of 2022", "a day", "a year", "a month"]})
    fig, alt = plots.timeline(events, row="row", date="date", precision="precision", planned="planned",
                              status="status", label="label", row_labels={"a": "A", "b": "B"}, what="x")
    ax = fig.axes[0]
    widths = sorted(round(p.get_width()) for p in ax.patches if p.get_width() > 1)
    assert widths == [30, 365, 365]  # the two years and the month are spans; the day is not
    markers = [line.get_marker() for line in ax.get_lines() if len(line.get_xdata()) == 1]
    assert markers.count("D") == 1 and markers.count("X") == 1
    missed, year = (next(p for p in ax.patches if abs(mdates.num2date(p.get_x()).year - y) == 0 and p.get_width() > 300)
                    for y in (2022, 2019))
    assert missed.get_edgecolor() != year.get_edgecolor()
    assert "due by the end of 2022" in alt
    plt.close(fig)


def test_the_leaders_who_heard_about_the_content_are_our_reading():
    survey = data.load("survey_answers")
    row = survey[(survey["question"] == "awareness") & (survey["group"] == "leaders")
                 & (survey["response"] == "Ja, jeg kjenner innholdet")].iloc[0]
    assert row["kind"] == "inferred" and "hørt om innholdet" in row["note"]


def test_the_non_leaders_not_familiar_with_the_strategy_are_read_as_no_by_us():
    """«ikke er kjent med» is none of the three answers: that it is «Nei» is our reading, as the leaders' 56 % is."""
    survey = data.load("survey_answers")
    row = survey[(survey["question"] == "awareness") & (survey["group"] == "non_leaders")
                 & (survey["response"] == "Nei")].iloc[0]
    assert row["kind"] == "inferred" and "ikke er kjent med" in row["note"]


@pytest.mark.slow
def test_printed_counts_divided_by_the_base_are_not_called_stated(site):
    """The figure's second series is our division (count ÷ 1366), not a printed share: the CSV a reader downloads
    from the built site says so (figure CSVs are build output, not committed)."""
    drawn = pd.read_csv(site / "notebooks" / "figures" / "01-awareness" / "fig-involvement.csv")
    ours = drawn[drawn["series"] == "count_n"]
    assert len(ours) and (ours["kind"] == "derived").all()


def test_core_groups_started_before_the_launch_say_so():
    groups = data.load("core_groups")
    early = groups[[pd.Timestamp(str(s)) < STRATEGY_LAUNCH for s in groups["start"]]]
    assert len(early) == 2
    assert all("launch" in n and "conflict" in n.lower() for n in early["note"])
    first = data.load("measure_events").set_index("event_id").loc["kjernegrupper_first_groups_start"]
    assert pd.Timestamp(first["date"]) < STRATEGY_LAUNCH and "conflict" in first["note"].lower()


def test_the_strategy_period_and_its_two_steps_are_data():
    strategy = data.load("strategy").set_index("element_id")
    assert strategy.loc["strategy_period", "text_en"] == "2021–2025"
    steps = strategy[strategy["element_type"] == "development_step"].sort_values("order")
    assert list(steps.index) == ["step1_overarching_strategy", "step2_measures_overview"]
    assert (steps["source"] == "strategy2021").all() and steps["evidence"].str.len().gt(0).all()
