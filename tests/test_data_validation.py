"""Every data file validates; malformed files are rejected with file, row and column named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import data

from .conftest import ROOT


def test_every_resource_is_valid():
    names = data.validate_all(ROOT / "data")
    assert "survey_answers" in names


def test_other_tools_read_the_package_too():
    """helpers.data reads the files with its own, stricter parser; the descriptor stays a standard Frictionless Data
    Package, so Frictionless itself (and tools built on it) must accept the descriptor and every file as well."""
    import frictionless

    report = frictionless.validate(str(ROOT / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:5]


def test_every_csv_in_data_is_described():
    described = {r["path"] for r in data.descriptor(ROOT / "data")["resources"]}
    on_disk = {p.name for p in (ROOT / "data").glob("*.csv")}
    assert on_disk == described, "every data/*.csv needs an entry in data/datapackage.json and vice versa"


def test_every_resource_declares_source_licence_and_provenance():
    package = data.descriptor(ROOT / "data")
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    assert package.get("licenses"), "the package needs a licence note"
    for res in package["resources"]:
        fields = [f["name"] for f in res["schema"]["fields"]]
        for column in data.PROVENANCE_FIELDS:
            assert column in fields, f"{res['name']}: provenance column {column} missing"
        assert res.get("sources"), f"{res['name']}: no source"
        for source in res["sources"]:
            key = source["path"].split("#")[-1]
            assert f"{{{key}," in bib, f"{res['name']}: source {key} not in references.bib"
        kinds = next(f for f in res["schema"]["fields"] if f["name"] == "kind")["constraints"]["enum"]
        assert set(kinds) <= {"stated", "paraphrase", "figure_label", "footnote", "derived", "inferred", "missing"}
        # a value read from context rather than printed must be markable as such in every file
        assert "inferred" in kinds, f"{res['name']}: kind has no 'inferred'"


def _first_data_row(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _rewrite(path: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def _survey(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "survey_answers.csv", dtype=str, keep_default_na=False)


def _expect(data_dir: Path, row: int | None, column: str | None, match: str) -> data.DataValidationError:
    with pytest.raises(data.DataValidationError, match=match) as info:
        data.validate("survey_answers", data_dir)
    err = info.value
    assert err.file.endswith("survey_answers.csv")
    assert err.row == row
    assert err.column == column
    assert "survey_answers.csv" in str(err)
    return err


def _first_valued_row(frame: pd.DataFrame) -> int:
    return int(frame.index[frame["percent"] != ""][0])


def test_percent_above_100_is_rejected(data_copy: Path):
    frame = _survey(data_copy)
    i = _first_valued_row(frame)
    frame.loc[i, "percent"] = "140"
    _rewrite(data_copy / "survey_answers.csv", frame)
    _expect(data_copy, i + 2, "percent", "maximum")


def test_unknown_category_is_rejected(data_copy: Path):
    frame = _survey(data_copy)
    frame.loc[3, "group"] = "managers"
    _rewrite(data_copy / "survey_answers.csv", frame)
    _expect(data_copy, 5, "group", "enum|constraint")


def test_duplicate_key_is_rejected(data_copy: Path):
    frame = _survey(data_copy)
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    _rewrite(data_copy / "survey_answers.csv", frame)
    with pytest.raises(data.DataValidationError, match="primary key") as info:
        data.validate("survey_answers", data_copy)
    assert info.value.row == len(frame) + 1


def test_wrong_column_is_rejected(data_copy: Path):
    frame = _survey(data_copy).rename(columns={"percent": "pct"})
    _rewrite(data_copy / "survey_answers.csv", frame)
    _expect(data_copy, 1, "pct", "expects 'percent'")


def test_missing_provenance_column_is_rejected(data_copy: Path):
    frame = _survey(data_copy).drop(columns=["note"])
    _rewrite(data_copy / "survey_answers.csv", frame)
    _expect(data_copy, 1, "note", "missing")


def test_empty_provenance_field_is_rejected(data_copy: Path):
    frame = _survey(data_copy)
    frame.loc[2, "section"] = ""
    _rewrite(data_copy / "survey_answers.csv", frame)
    _expect(data_copy, 4, "section", "required|provenance field is empty")


def test_value_without_kind_missing_is_rejected(data_copy: Path):
    frame = _survey(data_copy)
    i = _first_valued_row(frame)
    frame.loc[i, ["percent", "count"]] = ""
    _rewrite(data_copy / "survey_answers.csv", frame)
    _expect(data_copy, i + 2, "percent", "kind 'missing'")


def test_inferred_value_without_reasoning_is_rejected(data_copy: Path):
    # measure_goal_areas.csv does not require a note in general (its schema lets stated rows go without one)
    path = data_copy / "measure_goal_areas.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = int(frame.index[frame["kind"] == "inferred"][0])
    frame.loc[i, "note"] = ""
    _rewrite(path, frame)
    with pytest.raises(data.DataValidationError, match="'inferred'.*need a note") as info:
        data.validate("measure_goal_areas", data_copy)
    assert info.value.row == i + 2 and info.value.column == "note"


def test_stated_fieldwork_date_left_empty_is_rejected(data_copy: Path):
    """A fieldwork row marked stated must carry its date; an empty one must be kind missing with the reason."""
    path = data_copy / "survey_fieldwork.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = int(frame.index[(frame["section"] == "vedlegg 2") & (frame["kind"] == "stated")][0])
    frame.loc[i, "date"] = ""
    _rewrite(path, frame)
    with pytest.raises(data.DataValidationError, match="kind 'missing'") as info:
        data.validate("survey_fieldwork", data_copy)
    assert info.value.row == i + 2 and info.value.column == "date"


def test_bad_encoding_is_rejected(data_copy: Path):
    path = data_copy / "survey_answers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1", errors="replace"))
    err = _expect_any(data_copy)
    assert "UTF-8" in str(err) and err.row is not None and err.row > 1 and err.column


def _expect_any(data_dir: Path) -> data.DataValidationError:
    with pytest.raises(data.DataValidationError) as info:
        data.validate("survey_answers", data_dir)
    return info.value


def test_empty_file_is_rejected(data_copy: Path):
    (data_copy / "survey_answers.csv").write_text("", encoding="utf-8")
    err = _expect_any(data_copy)
    assert "empty" in str(err) and "survey_answers.csv" in str(err)


def test_broken_descriptor_names_its_line(data_copy: Path):
    path = data_copy / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"resources"', '"resources" oops', 1), encoding="utf-8")
    with pytest.raises(data.DataValidationError, match="datapackage.json") as info:
        data.descriptor(data_copy)
    assert info.value.row is not None


def test_loader_returns_codes_as_plain_strings_and_numbers():
    survey = data.load("survey_answers")
    # codes compare and group as the strings they are: no categorical dtype for a notebook to convert
    assert pd.api.types.is_string_dtype(survey["group"]) and not isinstance(survey["group"].dtype, pd.CategoricalDtype)
    assert {"all", "leaders", "non_leaders"} <= set(survey["group"])
    assert str(survey["percent"].dtype) == "Float64"
