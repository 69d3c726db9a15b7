"""Faults an outside campaign found in the data layer, each injected into a copy of ``data/``.

What validation accepts, loading reads the same way (one typed read for both, Frictionless beside it); a file that is cut short, has a stray quote,
an unlisted neighbour, a byte-order mark or shares that cannot add up stops with a :class:`DataValidationError` that
names the file, the line (header = 1) and where it can the column, and quotes the offending cell.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import data

from .conftest import ROOT

SURVEY = "survey_answers.csv"
EVENTS = "measure_events.csv"


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _set_cell(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell, addressed by its line in the file (header = 1) and its column name."""
    rows = _rows(path)
    rows[line - 1][rows[0].index(column)] = value
    _write_rows(path, rows)


def _line_of(path: Path, **match: str) -> int:
    rows = _rows(path)
    header = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return number
    raise LookupError(match)


def _rejected(data_dir: Path, name: str) -> data.DataValidationError:
    with pytest.raises(data.DataValidationError) as info:
        data.validate(name, data_dir)
    err = info.value
    assert err.file == f"data/{name}.csv", "the message names the file"
    assert f"data/{name}.csv" in str(err)
    return err


def _load_rejected(name: str) -> data.DataValidationError:
    with pytest.raises(data.DataValidationError) as info:
        data.load(name)
    return info.value


# --- 1. one parser: what validation accepts, the loader reads with the meaning the schema gives it ------------------

# Each case: the file, the line and column of the cell replaced, and the meaning of each spelling this project
# accepts (written out by hand from the Table Schema types and the descriptor, not taken from the code). Any other
# spelling must be rejected by validation *and* by the loader, never read as something else or as missing.
SPELLINGS = {
    "number": (SURVEY, dict(question="awareness", group="all", response="Nei"), "percent",
               {"30": 30.0, "30.0": 30.0, "3e1": 30.0, "+30": 30.0, "030": 30.0, ".5": 0.5},
               ["3_0", "2_6", " 30", "30 ", "30%", "30,0", "nan", "NaN", "inf", "thirty"]),
    "integer": (SURVEY, dict(item="felles_ikt", group="all", response="Ja"), "n",
                {"1366": 1366, "+1366": 1366, "01366": 1366},
                ["1_366", "1366.0", "1 366", "1,366", " 1366", "1366 ", "1.366e3"]),
    # the descriptor's trueValues/falseValues for 'planned' are exactly "true" and "false"
    "boolean": (EVENTS, dict(event_id="kjernegrupper_dfo_evaluation_due"), "planned",
                {"true": True, "false": False},
                ["True", "TRUE", "1", "False", "FALSE", "0", "yes", "no", " true"]),
    "date": (EVENTS, dict(event_id="kjernegrupper_dfo_evaluation_due"), "date",
             {"2024-05-31": pd.Timestamp("2024-05-31"), "2024-02-29": pd.Timestamp("2024-02-29")},
             ["2024-5-31", "31.05.2024", "20240531", "2023-02-29", "2024-05-31T00:00", " 2024-05-31", "May 2024"]),
    "string with enum": (SURVEY, dict(question="awareness", group="leaders", response="Nei"), "group",
                         {"leaders": "leaders"},
                         ["Leaders", "leaders ", "managers", "LEADERS"]),
}


def _spelling_cases(accepted: bool) -> list:
    cases = []
    for kind, (file, where, column, good, bad) in SPELLINGS.items():
        for cell in (good if accepted else bad):
            cases.append(pytest.param(file, where, column, cell, good.get(cell), id=f"{kind}:{cell!r}"))
    return cases


def test_spelling_cases_address_real_rows():
    for file, where, *_ in SPELLINGS.values():
        _line_of(ROOT / "data" / file, **where)


@pytest.mark.parametrize("file, where, column, cell, meaning", _spelling_cases(accepted=True))
def test_an_accepted_spelling_loads_with_its_meaning(data_copy: Path, file, where, column, cell, meaning):
    path = data_copy / file
    line = _line_of(path, **where)
    _set_cell(path, line, column, cell)
    name = file.removesuffix(".csv")
    data.validate(name, data_copy)
    loaded = data.load(name).loc[line - 2, column]
    assert not pd.isna(loaded), f"{cell!r} validated but loaded as missing"
    assert loaded == meaning


@pytest.mark.parametrize("file, where, column, cell, meaning", _spelling_cases(accepted=False))
def test_a_spelling_the_loader_cannot_read_is_rejected_by_validation_and_loading(data_copy: Path, file, where, column,
                                                                              cell, meaning):
    path = data_copy / file
    line = _line_of(path, **where)
    _set_cell(path, line, column, cell)
    name = file.removesuffix(".csv")
    err = _rejected(data_copy, name)
    assert (err.row, err.column) == (line, column)
    assert f"'{cell}'" in err.message, "the message quotes the cell as it is in the file"
    # the loader refuses it with the same error, instead of failing later inside a notebook or reading <NA>
    loaded = _load_rejected(name)
    assert (loaded.row, loaded.column, loaded.message) == (err.row, err.column, err.message)


def test_number_and_type_errors_quote_the_value_and_say_what_is_expected(data_copy: Path):
    path = data_copy / SURVEY
    line = _line_of(path, question="awareness", group="all", response="Nei")
    _set_cell(path, line, "percent", "2_6")
    err = _rejected(data_copy, "survey_answers")
    assert "'2_6' is not a number" in err.message


def test_a_boolean_error_lists_the_allowed_spellings(data_copy: Path):
    path = data_copy / EVENTS
    line = _line_of(path, event_id="kjernegrupper_dfo_evaluation_due")
    _set_cell(path, line, "planned", "True")
    err = _rejected(data_copy, "measure_events")
    assert "'True'" in err.message and "'true'" in err.message and "'false'" in err.message


# --- 2. a quoted cell that never closes names its file and the line where it opens ----------------------------------


def _note_line(path: Path, quoted: bool, after: int = 5) -> int:
    """A data line (after line ``after``) whose last cell, the note, is written in quotes or without them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for number, text in enumerate(lines, start=1):
        if number > after and text and text.endswith('"') == quoted:
            return number
    raise LookupError("no such line")


def test_an_unterminated_quote_in_the_middle_names_the_line_it_opens_on(data_copy: Path):
    path = data_copy / SURVEY
    lines = path.read_text(encoding="utf-8").split("\n")
    line = _note_line(path, quoted=False, after=9)
    lines[line - 1] = lines[line - 1].rsplit(",", 1)[0] + ',"A note whose closing quote was lost'
    path.write_text("\n".join(lines), encoding="utf-8")
    err = _rejected(data_copy, "survey_answers")
    assert (err.row, err.column) == (line, "note")
    assert "quote" in err.message
    assert err.message == _load_rejected("survey_answers").message


def test_a_file_cut_inside_a_quoted_last_cell_is_rejected(data_copy: Path):
    path = data_copy / SURVEY
    lines = path.read_text(encoding="utf-8").split("\n")
    line = _note_line(path, quoted=True)
    # the file ends 20 characters before the end of that note: every later row is lost
    path.write_text("\n".join(lines[: line - 1] + [lines[line - 1][:-20]]), encoding="utf-8")
    err = _rejected(data_copy, "survey_answers")
    assert (err.row, err.column) == (line, "note")
    assert "cut short" in err.message


def test_text_after_a_closing_quote_is_reported_on_its_line(data_copy: Path):
    path = data_copy / SURVEY
    lines = path.read_text(encoding="utf-8").split("\n")
    line = _note_line(path, quoted=False, after=9)
    lines[line - 1] = lines[line - 1].rsplit(",", 1)[0] + ',"quoted" then more'
    path.write_text("\n".join(lines), encoding="utf-8")
    err = _rejected(data_copy, "survey_answers")
    assert (err.row, err.column) == (line, "note")
    assert '""' in err.message, "the message says how to write a quote inside a quoted cell"


# --- 3. accepted silently before: unlisted files, truncated files, shares over 100 % --------------------------------


@pytest.mark.parametrize("extra", ["extra_answers.csv", "Survey.CSV", "export.xlsx"])
def test_a_data_file_the_descriptor_does_not_list_is_rejected(data_copy: Path, extra: str):
    shutil.copy(data_copy / SURVEY, data_copy / extra)
    with pytest.raises(data.DataValidationError) as info:
        data.validate_all(data_copy)
    assert info.value.file == f"data/{extra}"
    assert "not listed" in info.value.message


def test_hidden_files_and_notes_in_data_are_not_data(data_copy: Path):
    (data_copy / ".survey_answers.csv.swp").write_bytes(b"editor state")
    (data_copy / "NOTES.md").write_text("scratch\n", encoding="utf-8")
    assert "survey_answers" in data.validate_all(data_copy)


def test_a_file_cut_inside_its_last_unquoted_cell_is_rejected(data_copy: Path):
    path = data_copy / SURVEY
    lines = path.read_text(encoding="utf-8").split("\n")
    line = _note_line(path, quoted=False)
    path.write_text("\n".join(lines[: line - 1] + [lines[line - 1][:-20]]), encoding="utf-8")
    err = _rejected(data_copy, "survey_answers")
    assert err.row == line
    assert "cut short" in err.message


def test_a_last_row_with_fewer_cells_than_the_header_is_rejected(data_copy: Path):
    # ministries.csv: the cells after 'unit_type' include optional ones, so a cut row could look complete to a schema
    path = data_copy / "ministries.csv"
    rows = _rows(path)
    _write_rows(path, rows[:6] + [rows[6][:4]])
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")  # cut: no final line break
    err = _rejected(data_copy, "ministries")
    assert err.row == 7
    assert f"fewer cells than the header ({len(rows[0])} columns)" in err.message
    assert "cut short" in err.message


def _set_shares(path: Path, shares: dict[str, str], **where: str) -> list[int]:
    lines = []
    for response, value in shares.items():
        line = _line_of(path, response=response, **where)
        _set_cell(path, line, "percent", value)
        lines.append(line)
    return lines


def test_exclusive_shares_summing_to_180_percent_are_rejected(data_copy: Path):
    path = data_copy / SURVEY
    lines = _set_shares(path, {"Ja, jeg kjenner innholdet": "26",
                               "Jeg har hørt om den, men er ikke kjent med innholdet": "93", "Nei": "61"},
                        question="awareness", group="all")
    err = _rejected(data_copy, "survey_answers")
    assert (err.row, err.column) == (min(lines), "percent")
    assert "180 %" in err.message
    assert f"rows {', '.join(map(str, sorted(lines)))}" in err.message


@pytest.mark.parametrize("third, valid", [("32.5", True), ("33", False)])
def test_the_rounding_allowance_is_half_a_point_per_printed_share(data_copy: Path, third: str, valid: bool):
    path = data_copy / SURVEY
    _set_shares(path, {"Ja, jeg kjenner innholdet": "26",
                       "Jeg har hørt om den, men er ikke kjent med innholdet": "43", "Nei": third},
                question="awareness", group="all")  # 101.5 % or 102 % from three rounded shares
    if valid:
        data.validate("survey_answers", data_copy)
    else:
        assert "102 %" in _rejected(data_copy, "survey_answers").message


def test_shares_of_different_measures_are_not_exclusive(data_copy: Path):
    """Question 9 is a tick list: one respondent may have worked on several measures, so 'Ja' shares of different
    measures may add up to more than 100 %; only Ja, Nei and Vet ikke within one measure exclude each other."""
    path = data_copy / SURVEY
    for item in ("felles_ikt", "helhetlig_etatsstyring"):  # measures whose Nei and Vet ikke are missing
        line = _line_of(path, question="measure_involvement", item=item, group="all", response="Ja")
        _set_cell(path, line, "percent", "90")
    data.validate("survey_answers", data_copy)


@pytest.mark.parametrize("third, valid", [("47.5", True), ("48", False)])
def test_only_printed_shares_earn_a_rounding_allowance(data_copy: Path, third: str, valid: bool):
    """belonging, all: three of six shares are printed (13, 41, 30); the missing three add neither percent nor
    allowance, so the printed ones may reach 101.5 %, not 103 %."""
    path = data_copy / SURVEY
    line = _line_of(path, question="belonging", group="all", response="I stor grad")
    _set_cell(path, line, "percent", third)
    if valid:
        data.validate("survey_answers", data_copy)
    else:
        assert "102 %" in _rejected(data_copy, "survey_answers").message


# --- 4. messages that say what is wrong ----------------------------------------------------------------------------


def test_a_byte_order_mark_is_named_as_such(data_copy: Path):
    path = data_copy / SURVEY
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    err = _rejected(data_copy, "survey_answers")
    assert err.row == 1
    assert "byte-order mark" in err.message and "sed" in err.message
    assert "expects" not in err.message, "not the confusing 'header has question where it expects question'"
    assert _load_rejected("survey_answers").message == err.message, "the loader does not strip it either"


def test_an_enum_error_quotes_the_value_and_lists_every_allowed_one(data_copy: Path):
    path = data_copy / SURVEY
    line = _line_of(path, question="awareness", group="leaders", response="Nei")
    _set_cell(path, line, "group", "managers")
    err = _rejected(data_copy, "survey_answers")
    assert (err.row, err.column) == (line, "group")
    assert "'managers'" in err.message
    groups = next(f for f in data.resource_descriptor("survey_answers", data_copy)["schema"]["fields"]
                  if f["name"] == "group")["constraints"]["enum"]
    assert all(f"'{g}'" in err.message for g in groups)


def test_an_enum_error_suggests_the_value_that_differs_only_in_case(data_copy: Path):
    path = data_copy / SURVEY
    line = _line_of(path, question="awareness", group="leaders", response="Nei")
    _set_cell(path, line, "group", "Leaders")
    assert "did you mean 'leaders'" in _rejected(data_copy, "survey_answers").message


def test_a_row_with_an_extra_cell_says_so(data_copy: Path):
    path = data_copy / SURVEY
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[4] += ",extra"
    path.write_text("\n".join(lines), encoding="utf-8")
    header = lines[0].split(",")
    err = _rejected(data_copy, "survey_answers")
    assert err.row == 5 and err.column is None
    assert f"row 5 has more cells than the header ({len(header)} columns)" in err.message
    assert "column ''" not in str(err)


def test_a_blank_line_between_rows_is_rejected(data_copy: Path):
    path = data_copy / SURVEY
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(lines[:6] + [""] + lines[6:]), encoding="utf-8")
    err = _rejected(data_copy, "survey_answers")
    assert err.row == 7 and "blank" in err.message


def test_a_descriptor_asking_for_a_type_the_reader_does_not_know_names_the_descriptor(data_copy: Path):
    path = data_copy / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    planned = '"name": "planned",\n      "type": "boolean"'
    assert planned in text
    path.write_text(text.replace(planned, planned.replace("boolean", "year")), encoding="utf-8")
    with pytest.raises(data.DataValidationError) as info:
        data.validate("measure_events", data_copy)
    assert info.value.file == "data/datapackage.json" and info.value.column == "planned"
    assert "'year'" in info.value.message


# --- 4. what cannot be shown as text: control and bidi characters; a descriptor that points outside data/ -----------

FINDINGS = "findings.csv"


@pytest.mark.parametrize(("character", "named"), [
    ("\x00", "U+0000 (NUL)"), ("\x0c", "U+000C (form feed)"), ("\x1b", "U+001B (escape)"), ("\x7f", "U+007F (DEL)"),
    ("\u202e", "U+202E (right-to-left override)"), ("\u202a", "U+202A (left-to-right embedding)"),
    ("\u2066", "U+2066 (left-to-right isolate)"), ("\u2069", "U+2069 (pop directional isolate)"),
    ("\u2028", "U+2028 (line separator)"), ("\u2029", "U+2029 (paragraph separator)"),
])
def test_a_control_or_bidi_character_in_a_cell_is_named_with_file_row_and_column(data_copy: Path, character: str,
                                                                                named: str):
    """NUL and form feed broke the SVGs; U+202E reversed the text after it on the page; both passed validation."""
    path = data_copy / FINDINGS
    rows = _rows(path)
    line, column = 3, "statement_en"
    _set_cell(path, line, column, f"Some{character}text")
    err = _rejected(data_copy, "findings")
    assert (err.row, err.column) == (line, column) and named in err.message
    shown = str(err)
    assert "\n" not in shown and character not in shown, "one line, the character written out, not itself"
    assert _load_rejected("findings").row == line, "loading refuses it too"
    assert rows  # the copy was read before the edit


def test_a_tab_in_a_cell_is_still_text(data_copy: Path):
    _set_cell(data_copy / FINDINGS, 3, "statement_en", "Some\ttext")
    data.validate("findings", data_copy)


def _set_descriptor(data_copy: Path, change) -> None:
    path = data_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def _resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


@pytest.mark.parametrize("outside", ["../../etc/passwd", "/etc/passwd", "../data/findings.csv", "sub/../../x.csv",
                                     "https://example.invalid/findings.csv", ""])
def test_a_resource_path_outside_data_is_refused_without_reading_or_quoting_it(data_copy: Path, outside: str):
    secret = data_copy.parent / "secret.csv"
    secret.write_text("token,abc123-not-for-the-log\n", encoding="utf-8")
    target = "../secret.csv" if outside == "../../etc/passwd" else outside  # a file that exists, outside data/
    _set_descriptor(data_copy, lambda d: _resource(d, "findings").update(path=target))
    for check in (lambda: data.validate_all(data_copy), lambda: data.validate("findings", data_copy),
                  lambda: data.load("findings")):
        with pytest.raises(data.DataValidationError) as info:
            check()
        shown = str(info.value)
        assert info.value.file == "data/datapackage.json" and "resource 'findings'" in shown, shown
        assert "inside data/" in shown and "\n" not in shown
        assert "abc123" not in shown and "secret" not in shown and (not target or target not in shown), shown


def test_a_missing_descriptor_is_named_in_one_line(data_copy: Path):
    (data_copy / "datapackage.json").unlink()
    with pytest.raises(data.DataValidationError) as info:
        data.validate_all(data_copy)
    assert info.value.file == "data/datapackage.json" and "missing" in info.value.message


@pytest.mark.parametrize(("damage", "expected"), [
    (lambda text: text[: len(text) // 2], "not valid JSON"),
    (lambda text: "[]", "not a data package"),
    (lambda text: json.dumps({"resources": {"findings": {}}}), "not a data package"),
    (lambda text: text.replace('"name": "findings"', '"title": "findings"', 1), "has no name"),
    (lambda text: json.dumps({"resources": [{"name": "findings", "path": "findings.csv", "schema": {"fields": []}}]}),
     "'schema' must be an object with a non-empty list 'fields'"),
    (lambda text: json.dumps({"resources": [{"name": "findings", "path": "findings.csv",
                                             "schema": {"fields": [{"type": "string"}]}}]}), "field 1"),
    (lambda text: "\ufeff".encode().decode("latin-1") + text, "not valid JSON"),
])
def test_a_malformed_descriptor_is_named_in_one_line_without_a_traceback(data_copy: Path, damage, expected: str):
    path = data_copy / "datapackage.json"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(data.DataValidationError) as info:
        data.validate_all(data_copy)
    assert info.value.file == "data/datapackage.json" and expected in info.value.message
    assert "\n" not in str(info.value)


def _field(descriptor: dict, resource: str, name: str) -> dict:
    return next(f for f in _resource(descriptor, resource)["schema"]["fields"] if f["name"] == name)


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d.update(title="Data\u202e"), "the package: 'title'"),
    (lambda d: _resource(d, "findings").update(description_nb="Funn\x1b[31m"), "resource 'findings': 'description_nb'"),
    (lambda d: _field(d, "findings", "statement_en").update(title_nb="Utsagn\u2066"),
     "resource 'findings', field 'statement_en': 'title_nb'"),
    (lambda d: _field(d, "findings", "statement_en").update(description="A\u2028B"),
     "resource 'findings', field 'statement_en': 'description'"),
])
def test_a_control_or_bidi_character_in_the_descriptors_words_is_named_with_its_place_and_key(data_copy: Path,
                                                                                              change, where: str):
    """The Data page shows the descriptor's titles and descriptions; they passed validation whatever they held."""
    _set_descriptor(data_copy, change)
    with pytest.raises(data.DataValidationError) as info:
        data.validate_all(data_copy)
    shown = str(info.value)
    assert info.value.file == "data/datapackage.json" and shown.startswith(f"data/datapackage.json: {where} contains")
    assert "\n" not in shown and not any(c in shown for c in "\x1b\u202e\u2066\u2028"), repr(shown)


def test_the_build_reports_a_descriptor_fault_in_one_line(data_copy: Path):
    """What an author sees: `make validate` (the build's validate command) prints the one line and no traceback."""
    _set_descriptor(data_copy, lambda d: _resource(d, "findings").update(path="../../etc/passwd"))
    result = subprocess.run([sys.executable, "-m", "helpers.pipeline", "validate"], capture_output=True, text=True,
                            env={**os.environ, "BEST_SAMMEN_ROOT": str(data_copy.parent)}, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "passwd" not in result.stderr + result.stdout
    assert result.stderr.strip().count("\n") == 0 and "data/datapackage.json" in result.stderr, result.stderr


# --- loading stays quick (notebooks call load many times); validation runs only when the data change ---------------


def test_a_repeat_load_of_unchanged_files_parses_nothing_again(data_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """Notebooks load the same files many times: an unchanged file is parsed once (its speed is `make bench`'s
    business, not a timed test's)."""
    parsed: list[str] = []
    real = data._read
    monkeypatch.setattr(data, "_read", lambda res, *a: parsed.append(res["name"]) or real(res, *a))
    names = data.resource_names(data_copy)
    first = [data.load(name) for name in names]
    assert sorted(parsed) == sorted(names)
    parsed.clear()
    again = [data.load(name) for name in names]
    assert parsed == [] and all(a.equals(b) for a, b in zip(first, again))


def test_a_load_after_an_edit_reads_the_new_bytes(data_copy: Path):
    path = data_copy / SURVEY
    line = _line_of(path, question="awareness", group="all", response="Nei")
    data.load("survey_answers")
    _set_cell(path, line, "percent", "3_0")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert _load_rejected("survey_answers").row == line
