"""Load the tidy files in ``data/``, validated against ``data/datapackage.json`` (Frictionless).

Every loader validates before it returns anything: a file that does not match its schema stops with a
:class:`DataValidationError` naming the file, the row (as a line of the file, the header being line 1) and the column.
Categorical columns come back as ordered ``pandas.Categorical`` in the order the schema lists their values.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib.metadata
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths

DESCRIPTOR = "datapackage.json"
PROVENANCE_FIELDS = ("source", "section", "figure", "kind", "note")
#: Set by the build: every data file a notebook reads is appended here, so the cache knows what each chapter depends on.
DEPS_LOG_ENV = "BEST_SAMMEN_DEPS_LOG"
#: Set by the build after it validated the whole package: :func:`package_digest` of exactly the bytes it validated.
#: :func:`load` skips its own (slow) Frictionless validation only while the files still hash to this digest; without
#: the variable (JupyterLab, nbconvert, tests) or after any edit, every load validates as before.
VALIDATED_ENV = "BEST_SAMMEN_VALIDATED"


@dataclass
class DataValidationError(ValueError):
    """A data file does not match its schema."""

    file: str
    message: str
    row: int | None = None  # line of the file, header = 1
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


def descriptor(data_dir: Path | None = None) -> dict[str, Any]:
    """The data package descriptor as a dict."""
    path = (data_dir or paths.data_dir()) / DESCRIPTOR
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataValidationError(str(path), f"not valid JSON: {err.msg}", row=err.lineno) from err


def resource_names(data_dir: Path | None = None) -> list[str]:
    return [r["name"] for r in descriptor(data_dir)["resources"]]


def resource_descriptor(name: str, data_dir: Path | None = None) -> dict[str, Any]:
    for res in descriptor(data_dir)["resources"]:
        if res["name"] == name:
            return res
    known = ", ".join(resource_names(data_dir))
    raise KeyError(f"no resource '{name}' in data/{DESCRIPTOR}; known: {known}")


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(paths.root()))
    except ValueError:
        return str(path)


def _check_text(path: Path, fields: list[str]) -> str:
    """Checks frictionless reports without a row or column: empty file, bad encoding, wrong header."""
    shown = _display_path(path)
    if not path.exists():
        raise DataValidationError(shown, "file does not exist (listed in data/datapackage.json)")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataValidationError(shown, "file is empty: expected a header row with columns " + ", ".join(fields))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        row = raw.count(b"\n", 0, err.start) + 1
        prefix = raw[line_start : err.start].decode("utf-8", errors="replace")
        header = next(csv.reader(io.StringIO(raw.split(b"\n", 1)[0].decode("utf-8", errors="replace"))))
        col_index = len(next(csv.reader(io.StringIO(prefix)), [""])) - 1 if prefix else 0
        column = header[col_index] if 0 <= col_index < len(header) else None
        raise DataValidationError(
            shown, f"not UTF-8: byte 0x{raw[err.start]:02x} cannot be decoded (save the file as UTF-8)", row, column
        ) from err
    header = next(csv.reader(io.StringIO(text)))
    if header != fields:
        for position, (found, expected) in enumerate(zip(header, fields)):
            if found != expected:
                raise DataValidationError(shown, f"header has '{found}' where the schema expects '{expected}'", 1, found)
        if len(header) > len(fields):
            raise DataValidationError(shown, "column not in the schema", 1, header[len(fields)])
        raise DataValidationError(shown, "column missing from the header", 1, fields[len(header)])
    return text


def validate(name: str, data_dir: Path | None = None) -> None:
    """Validate one resource; raise :class:`DataValidationError` on the first problem found."""
    import frictionless  # slow to import; only needed here

    data_dir = data_dir or paths.data_dir()
    res = resource_descriptor(name, data_dir)
    path = data_dir / res["path"]
    fields = [f["name"] for f in res["schema"]["fields"]]
    _check_text(path, fields)
    resource = frictionless.Resource(res, basepath=str(data_dir))
    report = resource.validate()
    errors = report.tasks[0].errors if report.tasks else report.errors
    if errors:
        err = errors[0]
        more = f" ({len(errors) - 1} more problems in this file)" if len(errors) > 1 else ""
        message = getattr(err, "note", "") or err.message
        raise DataValidationError(
            _display_path(path),
            f"{err.type.replace('-', ' ')} — {message}{more}",
            getattr(err, "row_number", None),
            getattr(err, "field_name", None),
        )
    _check_package_rules(name, res, path, data_dir)


def _check_package_rules(name: str, res: dict[str, Any], path: Path, data_dir: Path) -> None:
    """Rules a Table Schema cannot express, shared by every file."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for field in PROVENANCE_FIELDS:
        if field not in frame.columns:
            raise DataValidationError(_display_path(path), f"provenance column '{field}' is missing", 1, field)
    for column in ("source", "section", "kind"):
        empty = frame.index[frame[column].str.strip() == ""]
        if len(empty):
            raise DataValidationError(_display_path(path), "provenance field is empty", int(empty[0]) + 2, column)
    # a derived value must show its formula, an inferred one its reasoning and a missing one its reason
    unexplained = frame.index[frame["kind"].isin(["derived", "inferred", "missing"]) & (frame["note"].str.strip() == "")]
    if len(unexplained):
        raise DataValidationError(
            _display_path(path), "rows of kind 'derived', 'inferred' or 'missing' need a note (formula, reasoning or reason)",
            int(unexplained[0]) + 2, "note",
        )
    value_fields = res.get("valueFields", [])
    if value_fields:
        missing_rows = frame["kind"] == "missing"
        for field in value_fields:
            bad = frame.index[missing_rows & (frame[field].str.strip() != "")]
            if len(bad):
                raise DataValidationError(
                    _display_path(path), "a row of kind 'missing' must leave its value empty", int(bad[0]) + 2, field
                )
        has_value = frame[value_fields].apply(lambda c: c.str.strip() != "").any(axis=1)
        bad = frame.index[~missing_rows & ~has_value]
        if len(bad):
            raise DataValidationError(
                _display_path(path),
                "no value: a row without a value must be of kind 'missing' with the reason in 'note'",
                int(bad[0]) + 2,
                value_fields[0],
            )


def validate_all(data_dir: Path | None = None) -> list[str]:
    """Validate the descriptor and every resource; return the names checked."""
    names = resource_names(data_dir)
    for name in names:
        validate(name, data_dir)
    return names


def _log_dependency(path: Path) -> None:
    log = os.environ.get(DEPS_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{path}\n")


def _typed(frame: pd.DataFrame, res: dict[str, Any]) -> pd.DataFrame:
    for field in res["schema"]["fields"]:
        col, kind = field["name"], field.get("type", "string")
        enum = field.get("constraints", {}).get("enum")
        if kind == "integer":
            frame[col] = pd.to_numeric(frame[col]).astype("Int64")
        elif kind == "number":
            frame[col] = pd.to_numeric(frame[col]).astype("Float64")
        elif kind == "boolean":
            frame[col] = frame[col].map({"true": True, "false": False}).astype("boolean")
        elif kind == "date":
            frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%d")
        elif enum:
            frame[col] = pd.Categorical(frame[col], categories=enum, ordered=True)
        else:
            frame[col] = frame[col].fillna("")
    return frame


def package_digest(data_dir: Path | None = None, override: tuple[Path, bytes] | None = None) -> str:
    """Content hash of what :func:`validate_all` checks: the descriptor, every resource file it lists, and the rules
    (this module's source and the Frictionless version). ``override`` supplies one file's bytes already read."""
    data_dir = data_dir or paths.data_dir()
    digest = hashlib.sha256(_rules_digest().encode())
    descriptor_path = data_dir / DESCRIPTOR
    raw_descriptor = descriptor_path.read_bytes()
    digest.update(raw_descriptor)
    try:
        resources = json.loads(raw_descriptor)["resources"]
    except (ValueError, KeyError, TypeError):
        return "invalid-descriptor"
    for res in resources:
        path = data_dir / str(res.get("path", ""))
        digest.update(str(res.get("path", "")).encode() + b"\0")
        if override is not None and path == override[0]:
            digest.update(override[1])
        elif path.is_file():
            digest.update(path.read_bytes())
        else:
            digest.update(b"\0absent\0")
    return digest.hexdigest()


@functools.cache
def _rules_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes() + importlib.metadata.version("frictionless").encode()).hexdigest()


def _already_validated(data_dir: Path, path: Path, raw: bytes) -> bool:
    """True only when the build validated exactly these bytes (and every other file of the package) moments ago."""
    expected = os.environ.get(VALIDATED_ENV)
    if not expected:
        return False
    try:
        found = package_digest(data_dir, override=(path, raw))
    except OSError:
        return False
    return found == expected and found != "invalid-descriptor"


@functools.cache
def _load_cached(name: str, data_dir: str, mtime_ns: int, size: int) -> pd.DataFrame:
    res = resource_descriptor(name, Path(data_dir))
    path = Path(data_dir) / res["path"]
    raw = path.read_bytes() if path.exists() else None
    if raw is None or not _already_validated(Path(data_dir), path, raw):
        validate(name, Path(data_dir))
        raw = path.read_bytes()
    # parse the very bytes that were hashed (or validated), so an edit in between cannot slip through
    frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    return _typed(frame, res)


def load(name: str) -> pd.DataFrame:
    """One resource of the data package as a validated, typed DataFrame (a fresh copy each call)."""
    data_dir = paths.data_dir()
    res = resource_descriptor(name, data_dir)
    path = data_dir / res["path"]
    _log_dependency(data_dir / DESCRIPTOR)
    _log_dependency(path)
    stat = path.stat() if path.exists() else None
    return _load_cached(name, str(data_dir), stat.st_mtime_ns if stat else 0, stat.st_size if stat else -1).copy()


# One loader per table, so a notebook (or a reviewer) asks for what it needs by name.


def load_survey() -> pd.DataFrame:
    """Survey answer shares (Q4–Q9) by question, item, group and response, one row per number, with provenance."""
    return load("survey_answers")


def load_survey_response() -> pd.DataFrame:
    """Invited, answered, response rate, leader share: the survey's sample as the report gives it."""
    return load("survey_response")


def load_survey_fieldwork() -> pd.DataFrame:
    return load("survey_fieldwork")


def load_summary_statements() -> pd.DataFrame:
    """The report's rounded summaries of the survey ("7 av 10", "79 %" very or quite important, …)."""
    return load("survey_summary_statements")


def load_questionnaire() -> pd.DataFrame:
    return load("questionnaire")


def load_response_scales() -> pd.DataFrame:
    return load("response_scales")


def response_order(question: str) -> list[str]:
    """The questionnaire's answer options for ``question`` in the order the scale runs (most positive last)."""
    items = load_questionnaire()
    scale = items.loc[items["question"] == question, "response_scale"].dropna().unique()
    if len(scale) != 1:
        raise KeyError(f"question '{question}' has no single response scale in data/questionnaire.csv")
    scales = load_response_scales()
    rows = scales[scales["scale"] == scale[0]].sort_values("order")
    return rows["response"].tolist()


# Follow-up and relevance (report chapters 2–5, vedlegg 1, 3, 4)


def load_ministries() -> pd.DataFrame:
    """The 15 ministries, the Prime Minister's Office and the agencies the report names (column ``abbreviation``)."""
    return load("ministries")


def load_measures() -> pd.DataFrame:
    """The seven measures (column ``measure`` = the survey's item ids; ``lead`` = a ministry abbreviation)."""
    return load("measures")


def load_core_groups() -> pd.DataFrame:
    """One row per core group × ministry or agency: ``core_group``, ``ministry``, ``role`` (lead or member)."""
    return load("core_group_members")


def load_interviews() -> pd.DataFrame:
    """Interview groups and their counts (``group``, ``count``), with the stated total as its own row."""
    return load("interviews")


# The Nordic comparison (report 3.4)


def load_nordic_services() -> pd.DataFrame:
    """Country × service area: ``status`` shared / partly shared / not shared / not stated, with provenance."""
    return load("nordic_services")


def load_nordic_governance() -> pd.DataFrame:
    return load("nordic_governance")
