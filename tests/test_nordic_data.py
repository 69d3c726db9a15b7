"""The Nordic comparison data: complete grid, provenance on every cell, malformed files rejected."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import data


def test_every_country_by_service_area_cell_is_present_once():
    services = data.load("nordic_services")
    assert len(services) == 3 * 12
    assert not services.duplicated(["country", "service_area"]).any()
    assert services["status"].notna().all()


def test_every_cell_has_a_section_and_not_stated_is_recorded_as_missing_evidence():
    services = data.load("nordic_services")
    assert (services["section"].str.len() > 0).all()
    silent = services[services["status"] == "not stated"]
    assert (silent["kind"] == "missing").all(), "'not stated' means the report is silent: kind must be 'missing'"
    assert (services.loc[services["status"] != "not stated", "kind"] != "missing").all()


@pytest.mark.parametrize("column, bad", [("country", "finland"), ("status", "mostly shared")])
def test_unknown_category_is_rejected(data_copy: Path, column, bad):
    path = data_copy / "nordic_services.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[5, column] = bad
    frame.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(data.DataValidationError) as info:
        data.validate("nordic_services", data_copy)
    assert info.value.file.endswith("nordic_services.csv")
    assert info.value.row == 7 and info.value.column == column


def test_links_and_parent_ministries_the_report_does_not_print_are_inferred():
    lessons = data.load("nordic_lessons")
    implicit = lessons["link"].astype(str) == "implicit"
    assert implicit.any()
    assert (lessons.loc[implicit, "kind"] == "inferred").all(), "a link the recommendation does not make is our reading"
    assert (lessons.loc[~implicit, "kind"] != "inferred").all()
    services = data.load("norwegian_shared_services")
    # 3.4.3 names whose agencies each body serves, never the ministry the body itself belongs to
    assert (services["kind"] == "inferred").all()
    assert services["note"].str.contains("our reading|filled in").all()
