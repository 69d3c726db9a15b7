"""Load the tidy files in ``data/``, validated against ``data/datapackage.json`` (a Frictionless Data Package).

One reader decides what every file means, for validation and loading alike: :func:`_read_table` splits the bytes into
rows (strict CSV: UTF-8 without a byte-order mark, one row per line, every row as many cells as the header) and
:func:`_field_parser` turns each cell into its Table Schema type (integer, number, boolean, date, string with or
without an enum). :func:`validate` reports any cell that parser rejects, then the schema's constraints and keys and
the package's own rules; :func:`load` returns exactly what the parser produced, so a file cannot pass validation and
then mean something else (or fail) in a notebook.

A problem stops with a :class:`DataValidationError` naming the file, the row (as a line of the file, the header being
line 1) and the column. Categorical columns come back as ordered ``pandas.Categorical`` in the order the schema lists
their values.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import functools
import hashlib
import io
import json
import math
import operator
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths

DESCRIPTOR = "datapackage.json"
PROVENANCE_FIELDS = ("source", "section", "figure", "kind", "note")
#: Set by the build: every data file a notebook reads is appended here, so the cache knows what each chapter depends on.
DEPS_LOG_ENV = "BEST_SAMMEN_DEPS_LOG"
#: Set by the build after it validated the whole package: :func:`package_digest` of exactly the bytes it validated.
#: :func:`load` skips the schema's constraints and the package rules only while the files still hash to this digest
#: (it always parses every cell); without the variable (JupyterLab, nbconvert, tests) or after any edit, every load
#: validates in full.
VALIDATED_ENV = "BEST_SAMMEN_VALIDATED"
#: Files in ``data/`` with these suffixes are data: each must be a resource of the descriptor.
DATA_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".json", ".xlsx", ".xls", ".ods", ".parquet"})
BOM = "\ufeff"
#: Table Schema's default spellings of a boolean, used where a field does not list its own trueValues/falseValues.
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")
SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date")
SUPPORTED_CONSTRAINTS = frozenset({"required", "unique", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
                                   "exclusiveMaximum", "minLength", "maxLength"})
#: Field properties that change how Table Schema reads a cell; this reader does not implement them, so the descriptor
#: may not use them (a reader that silently ignored them would read the cells differently from other tools).
UNSUPPORTED_FIELD_PROPERTIES = ("decimalChar", "groupChar", "bareNumber", "floatNumber", "missingValues")


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
    """The data package descriptor as a dict, refused in one line if it is missing, not JSON or not of the shape every
    reader here relies on (a list of resources, each with a name, a path inside ``data/`` and a schema's fields)."""
    path = (data_dir or paths.data_dir()) / DESCRIPTOR
    shown = _display_path(path)
    try:
        found = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise DataValidationError(shown, "the data package descriptor is missing: every data file is described "
                                  "there (restore it from git)") from None
    except OSError as err:
        raise DataValidationError(shown, f"cannot be read: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise DataValidationError(shown, f"not UTF-8: byte 0x{err.object[err.start]:02x} cannot be decoded") from None
    except json.JSONDecodeError as err:
        raise DataValidationError(shown, f"not valid JSON: {err.msg} (column {err.colno})", row=err.lineno) from None
    _check_descriptor_shape(found, shown)
    return found


def _check_descriptor_shape(found: Any, shown: str) -> None:
    if not isinstance(found, dict) or not isinstance(found.get("resources"), list):
        raise DataValidationError(shown, "not a data package: expected an object with a list 'resources'")
    for number, res in enumerate(found["resources"], start=1):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str) or not res["name"]:
            raise DataValidationError(shown, f"resource {number} has no name (each resource is an object with a "
                                      "'name', a 'path' and a 'schema')")
        where = f"resource '{res['name']}'"
        path = res.get("path")
        # the path is never quoted: a descriptor pointing at ../../etc/passwd must not put that name (or the file)
        # into a message, a log or a page
        if not isinstance(path, str) or not _inside_data(path):
            raise DataValidationError(shown, f"{where}: 'path' must name a file inside data/ (a relative path "
                                      "without '..', e.g. \"measures.csv\")")
        schema = res.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
            raise DataValidationError(shown, f"{where}: 'schema' must be an object with a non-empty list 'fields'")
        for index, field in enumerate(schema["fields"], start=1):
            if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
                raise DataValidationError(shown, f"{where}: field {index} of its schema has no name")
            if not isinstance(field.get("constraints", {}), dict):
                raise DataValidationError(shown, f"{where}: field '{field['name']}': 'constraints' must be an object")


def _inside_data(path: str) -> bool:
    """A resource path that stays inside ``data/`` as written: relative, POSIX, no ``..``, no URL, no drive."""
    parts = path.split("/")
    return (bool(path) and not path.startswith(("/", "~")) and "\\" not in path and ":" not in path
            and all(part not in ("", ".", "..") for part in parts)
            and not any(ord(c) < 0x20 or c == "\x7f" for c in path))


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


_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00a0\u00ad\u2000-\u200f\u2028-\u202f\u205f-\u206f\ufeff]")


def _show(value: str) -> str:
    """A cell quoted for a message, with invisible characters (BOM, no-break or zero-width space, control characters)
    written out as escapes so the reader sees why two spellings that look alike differ."""
    return "'" + _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", value) + "'"


def _show_list(values: list[Any]) -> str:
    return ", ".join(_show(str(v)) for v in values)


# --------------------------------------------------------------------------------------------------------------------
# The cell parser: what a cell of each Table Schema type means. Validation and loading both call it.


class _CellError(ValueError):
    """A cell that its field's type cannot read; the message quotes the cell."""


_INTEGER = re.compile(r"[+-]?[0-9]+")
# Table Schema's number without the options this project does not use: digits, one optional '.', optional exponent.
# Python's float() would also take '2_6', ' 26 ', '1_000', 'nan' and 'infinity'; this pattern takes none of them.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _did_you_mean(cell: str, allowed: list[str]) -> str:
    folded = {a.casefold().strip(): a for a in allowed}
    if cell.casefold().strip() in folded:
        return f" (did you mean {_show(folded[cell.casefold().strip()])}?)"
    close = difflib.get_close_matches(cell, allowed, n=1, cutoff=0.8)
    return f" (did you mean {_show(close[0])}?)" if close else ""


def _type_reader(field: dict[str, Any]) -> Callable[[str], Any]:
    """The function that reads a non-missing cell of ``field``'s type, raising :class:`_CellError` if it cannot."""
    kind = field.get("type", "string")
    if kind == "integer":
        def read_integer(cell: str) -> int:
            if not _INTEGER.fullmatch(cell):
                raise _CellError(f"{_show(cell)} is not an integer: write digits only, e.g. 1366 "
                                 "(no decimal point, spaces, underscores or thousands separators)")
            return int(cell)
        return read_integer
    if kind == "number":
        def read_number(cell: str) -> float:
            if not _NUMBER.fullmatch(cell):
                raise _CellError(f"{_show(cell)} is not a number: write digits with '.' as the decimal point, "
                                 "e.g. 26 or 12.5 (no spaces, underscores, thousands separators, '%' or ',')")
            value = float(cell)
            if not math.isfinite(value):
                raise _CellError(f"{_show(cell)} is too large to be a number")
            return value
        return read_number
    if kind == "boolean":
        true_values = [str(v) for v in field.get("trueValues", DEFAULT_TRUE_VALUES)]
        false_values = [str(v) for v in field.get("falseValues", DEFAULT_FALSE_VALUES)]
        meaning = {**{v: True for v in true_values}, **{v: False for v in false_values}}

        def read_boolean(cell: str) -> bool:
            try:
                return meaning[cell]
            except KeyError:
                raise _CellError(
                    f"{_show(cell)} is not a boolean{_did_you_mean(cell, true_values + false_values)}: write "
                    f"{' or '.join(_show(v) for v in true_values)} for true and "
                    f"{' or '.join(_show(v) for v in false_values)} for false (the schema's trueValues and falseValues)"
                ) from None
        return read_boolean
    if kind == "date":
        def read_date(cell: str) -> dt.date:
            if not _DATE.fullmatch(cell):
                raise _CellError(f"{_show(cell)} is not a date: write it as YYYY-MM-DD, e.g. 2023-04-24")
            try:
                return dt.date.fromisoformat(cell)
            except ValueError as err:
                raise _CellError(f"{_show(cell)} is not a date: {err}") from None
        return read_date
    return str


def _field_parser(field: dict[str, Any], missing_values: frozenset[str]) -> Callable[[str], Any]:
    """What a cell of ``field`` means: ``None`` for a missing value (the schema's ``missingValues``, by default the
    empty cell), otherwise the value of the field's type; a string field with an ``enum`` takes only its listed
    values (the loader turns it into a category, where any other value would silently become missing)."""
    read = _type_reader(field)
    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        allowed_cells = [str(v) for v in enum]
        allowed = {read(v) if isinstance(v, str) else v for v in enum}

        def parse_enum(cell: str) -> Any:
            if cell in missing_values:
                return None
            value = read(cell)
            if value not in allowed:
                hint = _did_you_mean(cell, allowed_cells)
                raise _CellError(f"{_show(cell)} is not an allowed value of this column{hint}; "
                                 f"allowed (enum): {_show_list(allowed_cells)}")
            return value
        return parse_enum

    def parse(cell: str) -> Any:
        return None if cell in missing_values else read(cell)
    return parse


# --------------------------------------------------------------------------------------------------------------------
# Reading a file: bytes -> rows of cells -> parsed values. Validation and loading share all of it.

_UNREADABLE = object()  # a cell the parser rejected (reported once as a problem, skipped by the constraint checks)


@dataclass
class _Table:
    name: str
    res: dict[str, Any]
    path: Path
    shown: str
    fields: list[dict[str, Any]]
    rows: list[list[str]]  # the data rows as text; rows[i] is line i + 2 of the file
    values: dict[str, list[Any]] = dataclass_field(default_factory=dict)  # parsed cells by column, None = missing
    problems: list[tuple[int, int, str | None, str]] = dataclass_field(default_factory=list)  # line, col, name, msg

    def index(self, name: str) -> int:
        return next(i for i, f in enumerate(self.fields) if f["name"] == name)

    def cells(self, name: str) -> list[str]:
        j = self.index(name)
        return [row[j] for row in self.rows]


def _descriptor_error(data_dir: Path, res: dict[str, Any], message: str, column: str | None = None):
    return DataValidationError(_display_path(data_dir / DESCRIPTOR), f"resource '{res.get('name')}': {message}",
                               None, column)


def _check_schema(res: dict[str, Any], data_dir: Path) -> None:
    """Refuse a descriptor that asks for something this reader does not implement, rather than read it differently
    from what Table Schema says (e.g. a 'year' field, a decimal comma, a CSV dialect other than the default)."""
    encoding = str(res.get("encoding", "utf-8")).lower().replace("_", "-")
    if encoding not in ("utf-8", "utf8"):
        raise _descriptor_error(data_dir, res, f"encoding {_show(str(res.get('encoding')))} is not read here; "
                                "every file is UTF-8")
    if res.get("dialect") or str(res.get("format", "csv")).lower() != "csv":
        raise _descriptor_error(data_dir, res, "only comma-separated files in the default CSV dialect are read here")
    schema = res.get("schema", {})
    if not isinstance(schema.get("missingValues", [""]), list):
        raise _descriptor_error(data_dir, res, "schema.missingValues must be a list of strings")
    for field in schema.get("fields", []):
        name = field.get("name")
        kind = field.get("type", "string")
        if kind not in SUPPORTED_TYPES:
            raise _descriptor_error(data_dir, res, f"field type {_show(str(kind))} is not read here; use one of "
                                    + ", ".join(SUPPORTED_TYPES), name)
        if field.get("format", "default") != "default":
            raise _descriptor_error(data_dir, res, f"field format {_show(str(field['format']))} is not read here; "
                                    "only the default format (dates as YYYY-MM-DD)", name)
        for prop in UNSUPPORTED_FIELD_PROPERTIES:
            if prop in field:
                raise _descriptor_error(data_dir, res, f"field property '{prop}' is not read here", name)
        unknown = set(field.get("constraints", {})) - SUPPORTED_CONSTRAINTS
        if unknown:
            raise _descriptor_error(data_dir, res, f"constraint {_show_list(sorted(unknown))} is not checked here; "
                                    "supported: " + ", ".join(sorted(SUPPORTED_CONSTRAINTS)), name)


def _decode(raw: bytes, shown: str, fields: list[str]) -> str:
    """The file's text: not empty, UTF-8, no byte-order mark."""
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
    if text.startswith(BOM):
        # Rejected, not stripped: the files are plain UTF-8, and a BOM is an accident of the program that saved them.
        raise DataValidationError(
            shown,
            "the file starts with a UTF-8 byte-order mark (BOM: the invisible bytes EF BB BF that some spreadsheet "
            "programs write before the header); these files are UTF-8 without a BOM. Remove it, e.g. with "
            f"`sed -i '1s/^\\xEF\\xBB\\xBF//' {shown}`, or save as plain 'CSV UTF-8' without BOM",
            1,
        )
    return text


def _quote_problem(line: str) -> tuple[int, str] | None:
    """Where a line's quoting goes wrong: (index of the cell, 'unterminated' or 'text after quote'), or None."""
    i, cell, n = 0, 0, len(line)
    while i < n:
        if line[i] == '"':
            i += 1
            while i < n:
                if line[i] == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        i += 2
                        continue
                    break
                i += 1
            else:
                return cell, "unterminated"
            i += 1
            if i < n and line[i] not in ",\r\n":
                return cell, "text after quote"
        else:
            while i < n and line[i] != ",":
                i += 1
        if i < n and line[i] == ",":
            cell, i = cell + 1, i + 1
        else:
            break
    return None


def _quote_error(shown: str, lines: list[str], line_no: int, header: list[str], end: int | None) -> DataValidationError:
    """A row whose quotes do not close where they should: name the line and the cell where the quoted cell opens."""
    line = lines[line_no - 1] if line_no - 1 < len(lines) else ""
    found = _quote_problem(line)
    column = header[found[0]] if found and line_no > 1 and found[0] < len(header) else None
    if found and found[1] == "text after quote":
        return DataValidationError(
            shown, "a quoted cell has text after its closing quote: a quote inside a quoted cell must be doubled "
            '(write "" for ")', line_no, column)
    if end is None:
        what = "the file ends inside it, so the file was probably cut short (or its closing quote is missing)"
    else:
        swallowed = f"line {end} was" if end == line_no + 1 else f"lines {line_no + 1}–{end} were"
        what = (f"the next quote only comes on line {end}, so {swallowed} read into this cell: a closing quote is "
                'missing (a quote inside a quoted cell must be doubled, "")')
    return DataValidationError(
        shown, f"a quoted cell starts on this line and is not closed on it; {what}. Cells never span lines", line_no,
        column)


def _read_rows(text: str, shown: str, fields: list[str]) -> list[list[str]]:
    """The file's rows, header first, read as strict CSV with one row per line and as many cells as the header."""
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    header: list[str] = []
    ends_cleanly = text.endswith(("\n", "\r"))
    last = 0  # the line the previous row ended on
    try:
        for row in reader:
            line_no = last + 1
            if reader.line_num != line_no:
                raise _quote_error(shown, lines, line_no, header, reader.line_num)
            last = reader.line_num
            if line_no == 1:
                header = row
                _check_header(shown, header, fields)
            elif not row:
                raise DataValidationError(shown, "blank line: remove it (rows follow each other without gaps)",
                                          line_no)
            elif len(row) != len(fields):
                cut = " The file ends in the middle of this row, so it was probably cut short." \
                    if not ends_cleanly and line_no == text.count("\n") + 1 else ""
                relation = "more" if len(row) > len(fields) else "fewer"
                raise DataValidationError(
                    shown, f"row {line_no} has {relation} cells than the header ({len(fields)} columns): it has "
                    f"{len(row)}.{cut} A comma inside a cell needs the cell in double quotes", line_no)
            rows.append(row)
    except csv.Error as err:
        line_no = last + 1
        if "unexpected end of data" in str(err):
            raise _quote_error(shown, lines, line_no, header, None) from None
        if reader.line_num != line_no:
            raise _quote_error(shown, lines, line_no, header, reader.line_num) from None
        if (_quote_problem(lines[line_no - 1]) or (0, ""))[1] == "text after quote":
            raise _quote_error(shown, lines, line_no, header, line_no) from None
        raise DataValidationError(shown, f"cannot be read as CSV: {err}", line_no) from None
    if not ends_cleanly:
        raise DataValidationError(
            shown, "the file ends in the middle of this row (no line break after it), so it was probably cut short "
            "inside its last cell; check the row against the source and end the file with a line break", last)
    return rows


def _check_header(shown: str, header: list[str], fields: list[str]) -> None:
    if header == fields:
        return
    for found, expected in zip(header, fields):
        if found != expected:
            hint = " (the same letters with invisible characters around them)" \
                if _INVISIBLE.sub("", found).strip() == expected else ""
            raise DataValidationError(shown, f"header has {_show(found)} where the schema expects "
                                      f"{_show(expected)}{hint}", 1, found)
    if len(header) > len(fields):
        raise DataValidationError(shown, f"column not in the schema (the schema has {len(fields)} columns: "
                                  f"{', '.join(fields)})", 1, header[len(fields)])
    raise DataValidationError(shown, "column missing from the header", 1, fields[len(header)])


def _read_table(name: str, res: dict[str, Any], path: Path, raw: bytes, data_dir: Path) -> _Table:
    """Parse one file: structure errors raise at once; cells the parser rejects are collected in ``problems``."""
    _check_schema(res, data_dir)
    shown = _display_path(path)
    schema = res["schema"]
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    rows = _read_rows(_decode(raw, shown, names), shown, names)[1:]
    table = _Table(name, res, path, shown, fields, rows)
    missing = frozenset(str(v) for v in schema.get("missingValues", [""]))
    for j, field in enumerate(fields):
        parse = _field_parser(field, missing)
        column: list[Any] = []
        for i, row in enumerate(rows):
            if hidden := _UNSHOWABLE.search(row[j]):
                column.append(_UNREADABLE)
                table.problems.append((i + 2, j, field["name"], _unshowable_message(row[j], hidden)))
                continue
            try:
                column.append(parse(row[j]))
            except _CellError as err:
                column.append(_UNREADABLE)
                table.problems.append((i + 2, j, field["name"], str(err)))
        table.values[field["name"]] = column
    return table


#: Characters a cell may not hold: C0 controls but the tab (NUL, form feed, escape: they break an SVG or a terminal,
#: and no CSV line holds a line break here), DEL, C1 controls, and the bidirectional embeddings, overrides and
#: isolates, which reverse the text after them on the page while the file looks harmless.
_UNSHOWABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NAMES = {0x00: "NUL", 0x08: "backspace", 0x0A: "line feed", 0x0B: "vertical tab", 0x0C: "form feed",
                  0x0D: "carriage return", 0x1B: "escape", 0x7F: "DEL", 0x202A: "left-to-right embedding",
                  0x202B: "right-to-left embedding", 0x202C: "pop directional formatting",
                  0x202D: "left-to-right override", 0x202E: "right-to-left override", 0x2066: "left-to-right isolate",
                  0x2067: "right-to-left isolate", 0x2068: "first strong isolate", 0x2069: "pop directional isolate"}


def _unshowable_message(cell: str, found: re.Match[str]) -> str:
    code = ord(found.group())
    kind = "a bidirectional-text control" if code >= 0x2000 else "a control character"
    name = _CONTROL_NAMES.get(code, "")
    return (f"{_show(cell)} contains {kind}, U+{code:04X}{f' ({name})' if name else ''}, at character "
            f"{found.start() + 1}: it cannot be shown as text on a page or in a figure; delete it")


def _missing_file(path: Path) -> DataValidationError:
    return DataValidationError(_display_path(path), "file does not exist (listed in data/datapackage.json)")


def _raise_first(shown: str, problems: list[tuple[int, int, str | None, str]]) -> None:
    if problems:
        problems = sorted(problems, key=lambda p: (p[0], p[1]))
        line, _, column, message = problems[0]
        more = len(problems) - 1
        more_text = f" ({more} more problem{'s' if more > 1 else ''} in this file)" if more else ""
        raise DataValidationError(shown, message + more_text, line, column)


# --------------------------------------------------------------------------------------------------------------------
# Validation: the schema's constraints and keys, then the package's own rules, on the parsed table.


def _bound(field: dict[str, Any], value: Any) -> Any:
    return _type_reader(field)(value) if isinstance(value, str) else value


_BOUNDS = (("minimum", operator.ge, "below the minimum of"), ("maximum", operator.le, "above the maximum of"),
           ("exclusiveMinimum", operator.gt, "not above the exclusive minimum of"),
           ("exclusiveMaximum", operator.lt, "not below the exclusive maximum of"))


def _constraint_problems(table: _Table, data_dir: Path) -> list[tuple[int, int, str | None, str]]:
    problems: list[tuple[int, int, str | None, str]] = []
    for j, field in enumerate(table.fields):
        name, constraints = field["name"], field.get("constraints", {})
        bounds = [(compare, words, constraints[key], _bound(field, constraints[key]))
                  for key, compare, words in _BOUNDS if key in constraints]
        pattern = re.compile(constraints["pattern"]) if "pattern" in constraints else None
        min_length, max_length = constraints.get("minLength"), constraints.get("maxLength")
        required, unique = constraints.get("required", False), constraints.get("unique", False)
        seen: dict[Any, int] = {}
        for i, value in enumerate(table.values[name]):
            if value is _UNREADABLE:
                continue
            line, cell = i + 2, table.rows[i][j]
            if value is None:
                if required:
                    problems.append((line, j, name, "empty, but a value is required in this column"))
                continue
            for compare, words, printed, bound in bounds:
                if not compare(value, bound):
                    problems.append((line, j, name, f"{_show(cell)} is {words} {printed}"))
            if pattern is not None and isinstance(value, str) and not pattern.fullmatch(value):
                problems.append((line, j, name, f"{_show(cell)} does not match the pattern "
                                 f"{_show(constraints['pattern'])}"))
            if min_length is not None and len(cell) < min_length:
                problems.append((line, j, name, f"{_show(cell)} is shorter than {min_length} characters"))
            if max_length is not None and len(cell) > max_length:
                problems.append((line, j, name, f"{_show(cell)} is longer than {max_length} characters"))
            if unique:
                if value in seen:
                    problems.append((line, j, name, f"{_show(cell)} repeats row {seen[value]}: the values of this "
                                     "column must be unique"))
                else:
                    seen[value] = line
    problems += _key_problems(table, data_dir)
    return problems


def _as_list(names: str | list[str]) -> list[str]:
    return [names] if isinstance(names, str) else list(names)


def _key_problems(table: _Table, data_dir: Path) -> list[tuple[int, int, str | None, str]]:
    schema = table.res["schema"]
    problems: list[tuple[int, int, str | None, str]] = []
    if schema.get("primaryKey"):
        key = _as_list(schema["primaryKey"])
        seen: dict[tuple[Any, ...], int] = {}
        for i, values in enumerate(zip(*(table.values[k] for k in key))):
            if _UNREADABLE in values:
                continue
            if values in seen:
                cells = ", ".join(_show(table.rows[i][table.index(k)]) for k in key)
                problems.append((i + 2, table.index(key[0]), None,
                                 f"primary key ({', '.join(key)}) = ({cells}) repeats row {seen[values]}"))
            else:
                seen[values] = i + 2
    for fk in schema.get("foreignKeys", []):
        own = _as_list(fk["fields"])
        ref = fk["reference"]
        ref_fields = _as_list(ref["fields"])
        if ref.get("resource", "") in ("", table.name):
            target, target_file = table, table.shown
        else:
            other = resource_descriptor(ref["resource"], data_dir)
            other_path = data_dir / other["path"]
            if not other_path.exists():
                raise _missing_file(other_path)
            target = _read_table(ref["resource"], other, other_path, other_path.read_bytes(), data_dir)
            target_file = target.shown
        known = set(zip(*(target.values[k] for k in ref_fields)))
        for i, values in enumerate(zip(*(table.values[k] for k in own))):
            if None in values or _UNREADABLE in values or values in known:
                continue
            cells = ", ".join(_show(table.rows[i][table.index(k)]) for k in own)
            problems.append((i + 2, table.index(own[0]), own[0], f"{cells} is not a value of {', '.join(ref_fields)} "
                             f"in {target_file} (foreign key {', '.join(own)} → {', '.join(ref_fields)})"))
    return problems


def _check_package_rules(table: _Table) -> None:
    """Rules a Table Schema cannot express, shared by every file."""
    shown, res = table.shown, table.res
    names = [f["name"] for f in table.fields]
    for field in PROVENANCE_FIELDS:
        if field not in names:
            raise DataValidationError(shown, f"provenance column '{field}' is missing", 1, field)
    column = {name: table.cells(name) for name in names}
    for name in ("source", "section", "kind"):
        for i, cell in enumerate(column[name]):
            if not cell.strip():
                raise DataValidationError(shown, "provenance field is empty", i + 2, name)
    # a derived value must show its formula, an inferred one its reasoning and a missing one its reason
    for i, (kind, note) in enumerate(zip(column["kind"], column["note"])):
        if kind in ("derived", "inferred", "missing") and not note.strip():
            raise DataValidationError(
                shown, "rows of kind 'derived', 'inferred' or 'missing' need a note (formula, reasoning or reason)",
                i + 2, "note")
    value_fields = res.get("valueFields", [])
    if value_fields:
        for i, kind in enumerate(column["kind"]):
            filled = [f for f in value_fields if column[f][i].strip()]
            if kind == "missing" and filled:
                raise DataValidationError(shown, "a row of kind 'missing' must leave its value empty", i + 2, filled[0])
            if kind != "missing" and not filled:
                raise DataValidationError(
                    shown, "no value: a row without a value must be of kind 'missing' with the reason in 'note'",
                    i + 2, value_fields[0])
    if res.get("exclusiveShares"):
        _check_exclusive_shares(table, res["exclusiveShares"])


def _check_exclusive_shares(table: _Table, rule: dict[str, Any]) -> None:
    """Shares of mutually exclusive answers to one question cannot add up to more than 100 %, give or take rounding.

    ``rule`` (the resource's ``exclusiveShares`` in the descriptor): ``field`` holds the percent, rows with equal
    ``groupBy`` values are the exclusive answers of one question, item and group, and each printed share may be
    rounded by up to ``roundingPerShare`` points, so their sum may reach 100 + roundingPerShare × (shares printed).
    """
    field, by = rule["field"], _as_list(rule["groupBy"])
    per_share = float(rule.get("roundingPerShare", 0.5))
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, key in enumerate(zip(*(table.values[k] for k in by))):
        if table.values[field][i] is not None:
            groups.setdefault(key, []).append(i)
    for key, members in groups.items():
        total = sum(table.values[field][i] for i in members)
        allowed = 100 + per_share * len(members)
        if total > allowed + 1e-9:
            what = ", ".join(f"{k} {_show('' if v is None else str(v))}" for k, v in zip(by, key))
            rows = ", ".join(str(i + 2) for i in members)
            raise DataValidationError(
                table.shown,
                f"the shares of mutually exclusive answers sum to {total:g} % (rows {rows}: {what}), more than 100 % "
                f"plus a rounding allowance of {per_share:g} per printed share ({allowed:g} %); a share is probably "
                "mistyped or in the wrong row",
                members[0] + 2, field)


def _validated_table(name: str, res: dict[str, Any], path: Path, raw: bytes, data_dir: Path) -> _Table:
    table = _read_table(name, res, path, raw, data_dir)
    _raise_first(table.shown, table.problems + _constraint_problems(table, data_dir))
    _check_package_rules(table)
    return table


def validate(name: str, data_dir: Path | None = None) -> None:
    """Validate one resource; raise :class:`DataValidationError` on the first problem found."""
    data_dir = data_dir or paths.data_dir()
    res = resource_descriptor(name, data_dir)
    path = data_dir / res["path"]
    if not path.exists():
        raise _missing_file(path)
    _validated_table(name, res, path, path.read_bytes(), data_dir)


def _check_unlisted(data_dir: Path) -> None:
    """Every data file in ``data/`` is a resource of the descriptor: a file it does not list is never validated."""
    listed = {(data_dir / str(r.get("path", ""))).resolve() for r in descriptor(data_dir)["resources"]}
    listed.add((data_dir / DESCRIPTOR).resolve())
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if any(part.startswith(".") for part in relative.parts) or path.suffix.lower() not in DATA_SUFFIXES:
            continue
        if path.is_file() and path.resolve() not in listed:
            raise DataValidationError(
                _display_path(path),
                f"data file not listed in data/{DESCRIPTOR}: add a resource for it (path, schema, sources) or move "
                "it out of data/ — an unlisted file is never validated")


def validate_all(data_dir: Path | None = None) -> list[str]:
    """Validate the descriptor and every resource; return the names checked."""
    data_dir = data_dir or paths.data_dir()
    names = resource_names(data_dir)
    _check_unlisted(data_dir)
    for name in names:
        validate(name, data_dir)
    return names


def _log_dependency(path: Path) -> None:
    log = os.environ.get(DEPS_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{path}\n")


def _frame(table: _Table) -> pd.DataFrame:
    """The parsed table as a DataFrame: each column holds exactly the values the parser produced."""
    columns: dict[str, Any] = {}
    for field in table.fields:
        col, kind = field["name"], field.get("type", "string")
        values = table.values[col]
        if kind == "integer":
            columns[col] = pd.array(values, dtype="Int64")
        elif kind == "number":
            columns[col] = pd.array(values, dtype="Float64")
        elif kind == "boolean":
            columns[col] = pd.array(values, dtype="boolean")
        elif kind == "date":
            columns[col] = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]")
        elif field.get("constraints", {}).get("enum"):
            # enumerated codes stay plain strings, missing where the file leaves them empty (the enum is checked
            # when parsing); an order a chart needs comes from the questionnaire (response_order), not the dtype
            columns[col] = pd.Series(values, dtype=str)
        else:
            columns[col] = pd.Series(["" if v is None else v for v in values], dtype=str)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(table.rows)))


def package_digest(data_dir: Path | None = None, override: tuple[Path, bytes] | None = None) -> str:
    """Content hash of what :func:`validate_all` checks: the descriptor, every resource file it lists, and the rules
    (this module's source). ``override`` supplies one file's bytes already read."""
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
        if not isinstance(res, dict) or not isinstance(res.get("path"), str) or not _inside_data(res["path"]):
            return "invalid-descriptor"  # validation refuses it; nothing outside data/ is read
        path = data_dir / res["path"]
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
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


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
    if not path.exists():
        raise _missing_file(path)
    # parse the very bytes that were hashed (or validated), so an edit in between cannot slip through
    raw = path.read_bytes()
    if _already_validated(Path(data_dir), path, raw):
        # the build checked constraints and package rules on these bytes; the cells are parsed here all the same
        table = _read_table(name, res, path, raw, Path(data_dir))
        _raise_first(table.shown, table.problems)
    else:
        table = _validated_table(name, res, path, raw, Path(data_dir))
    return _frame(table)


def load(name: str) -> pd.DataFrame:
    """One resource of the data package as a validated, typed DataFrame (a fresh copy each call)."""
    data_dir = paths.data_dir()
    res = resource_descriptor(name, data_dir)
    path = data_dir / res["path"]
    _log_dependency(data_dir / DESCRIPTOR)
    _log_dependency(path)
    stat = path.stat() if path.exists() else None
    return _load_cached(name, str(data_dir), stat.st_mtime_ns if stat else 0, stat.st_size if stat else -1).copy()


def response_order(question: str) -> list[str]:
    """The questionnaire's answer options for ``question`` in the order the scale runs (most positive last)."""
    items = load("questionnaire")
    scale = items.loc[items["question"] == question, "response_scale"].dropna().unique()
    if len(scale) != 1:
        raise KeyError(f"question '{question}' has no single response scale in data/questionnaire.csv")
    scales = load("response_scales")
    rows = scales[scales["scale"] == scale[0]].sort_values("order")
    return rows["response"].tolist()


def sample_value(quantity: str, section: str = "1.4.3") -> float:
    """One number of the survey's sample (``survey_response.csv``: ``invited``, ``answered``, ``leader_share``, …) as
    the report states it in ``section`` (the report gives some of them in more than one place, not always alike)."""
    rows = load("survey_response")
    match = rows.loc[(rows["quantity"] == quantity) & (rows["section"] == section), "value"]
    if match.empty:
        raise KeyError(f"data/survey_response.csv has no {quantity!r} stated in section {section!r}")
    return float(match.iloc[0])


def survey_share(question: str, group: str, response: str, item: str | None = None) -> float:
    """One share (percent) of ``survey_answers.csv``: the answer ``response`` in ``group`` (optionally for one
    ``item``); NaN where the text we work from does not let us read it (the formatters refuse NaN)."""
    rows = load("survey_answers")
    rows = rows[(rows["question"] == question) & (rows["group"] == group) & (rows["response"] == response)]
    if item is not None:
        rows = rows[rows["item"] == item]
    if rows.empty:
        raise KeyError(f"data/survey_answers.csv has no row for {question!r}, group {group!r}, answer {response!r}"
                       + (f", item {item!r}" if item is not None else ""))
    value = rows["percent"].iloc[0]
    return float(value) if pd.notna(value) else float("nan")
