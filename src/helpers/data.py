"""Load the tidy files in ``data/``, described by ``data/datapackage.json`` (a Frictionless Data Package).

:func:`load` is a thin typed read: the cells as text, each column turned into its Table Schema type (integer → Int64,
number → Float64, boolean, date → datetime64, string → str). Codes of an enumerated column stay plain strings, missing
(NaN) where the file leaves them empty; an order a chart needs comes from the questionnaire (:func:`response_order`),
not from the dtype. A cell the loader cannot read in its type, or a code outside its column's enum, stops the load with
the message validation gives for it, so a file never means something else (or silently less) in a notebook.

:func:`validate` checks one resource in full: the project's reading rules (UTF-8 without a byte-order mark, one row per
line, a line break at the end, no control or bidirectional characters, every cell spelled as :func:`load` reads it),
then Frictionless (the schema's constraints, primary and foreign keys), then the package's own rules (provenance, a value
or the reason it is missing, shares that cannot add up to more than 100 %). :func:`validate_all` also refuses data
files the descriptor does not list. The build runs it whenever the bytes of ``data/`` change (``make validate``).

A problem stops with a :class:`DataValidationError` naming the file, the row (as a line of the file, the header being
line 1) and the column, in one line.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from . import paths

if TYPE_CHECKING:
    import frictionless

DESCRIPTOR = "datapackage.json"
PROVENANCE_FIELDS = ("source", "section", "figure", "kind", "note")
#: Set by the build: every data file a notebook reads is appended here, so the cache knows what each chapter depends on.
DEPS_LOG_ENV = "BEST_SAMMEN_DEPS_LOG"
#: Files in ``data/`` with these suffixes are data: each must be a resource of the descriptor.
DATA_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".json", ".xlsx", ".xls", ".ods", ".parquet"})
BOM = "\ufeff"
#: Table Schema's default spellings of a boolean, used where a field does not list its own trueValues/falseValues.
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")
SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date")
#: Field properties that change how Table Schema reads a cell; the loader does not implement them, so the descriptor
#: may not use them (a loader that ignored them would read the cells differently from Frictionless).
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


class _Problem(NamedTuple):
    row: int  # line of the file
    position: int  # column position, for sorting
    column: str | None
    message: str


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


def _did_you_mean(cell: str, allowed: list[str]) -> str:
    folded = {a.casefold().strip(): a for a in allowed}
    if cell.casefold().strip() in folded:
        return f" (did you mean {_show(folded[cell.casefold().strip()])}?)"
    close = difflib.get_close_matches(cell, allowed, n=1, cutoff=0.8)
    return f" (did you mean {_show(close[0])}?)" if close else ""


# --------------------------------------------------------------------------------------------------------------------
# Reading rules Frictionless does not enforce (it strips a byte-order mark, reads a cell that spans lines, accepts a
# file cut short and numbers such as '3_0' or ' 30'): the loader and validation share them.


def _check_fields(res: dict[str, Any], data_dir: Path) -> None:
    """Refuse a descriptor that asks for a reading the loader does not implement (e.g. a 'year' field, a decimal
    comma, another CSV dialect), rather than read it differently from Frictionless."""
    def refuse(message: str, column: str | None = None) -> DataValidationError:
        return DataValidationError(_display_path(data_dir / DESCRIPTOR), f"resource '{res['name']}': {message}",
                                   None, column)

    if str(res.get("encoding", "utf-8")).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise refuse(f"encoding {_show(str(res.get('encoding')))} is not read here; every file is UTF-8")
    if res.get("dialect") or str(res.get("format", "csv")).lower() != "csv":
        raise refuse("only comma-separated files in the default CSV dialect are read here")
    if not isinstance(res["schema"].get("missingValues", [""]), list):
        raise refuse("schema.missingValues must be a list of strings")
    for field in res["schema"]["fields"]:
        name, kind = field["name"], field.get("type", "string")
        if kind not in SUPPORTED_TYPES:
            raise refuse(f"field type {_show(str(kind))} is not read here; use one of {', '.join(SUPPORTED_TYPES)}",
                         name)
        if field.get("format", "default") != "default":
            raise refuse(f"field format {_show(str(field['format']))} is not read here; only the default format "
                         "(dates as YYYY-MM-DD)", name)
        for prop in UNSUPPORTED_FIELD_PROPERTIES:
            if prop in field:
                raise refuse(f"field property '{prop}' is not read here", name)


def _decode(raw: bytes, shown: str, names: list[str]) -> str:
    """The file's text: not empty, UTF-8, no byte-order mark."""
    if not raw.strip():
        raise DataValidationError(shown, "file is empty: expected a header row with columns " + ", ".join(names))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        prefix = raw[raw.rfind(b"\n", 0, err.start) + 1 : err.start].decode("utf-8", errors="replace")
        header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", errors="replace")]))
        position = len(next(csv.reader([prefix]), [""])) - 1 if prefix else 0
        raise DataValidationError(
            shown, f"not UTF-8: byte 0x{raw[err.start]:02x} cannot be decoded (save the file as UTF-8)",
            raw.count(b"\n", 0, err.start) + 1, header[position] if position < len(header) else None) from err
    if text.startswith(BOM):
        # Rejected, not stripped: the files are plain UTF-8, and a BOM is an accident of the program that saved them.
        raise DataValidationError(
            shown,
            "the file starts with a UTF-8 byte-order mark (BOM: the invisible bytes EF BB BF that some spreadsheet "
            "programs write before the header); these files are UTF-8 without a BOM. Remove it, e.g. with "
            f"`sed -i '1s/^\\xEF\\xBB\\xBF//' {shown}`, or save as plain 'CSV UTF-8' without BOM", 1)
    return text


def _quote_problem(line: str) -> tuple[int, str] | None:
    """Where a line's quoting goes wrong: (index of the cell, 'unterminated' or 'text after quote'), or None."""
    i, cell, n = 0, 0, len(line)
    while i < n:
        if line[i] == '"':
            i += 1
            while i < n and not (line[i] == '"' and line[i + 1 : i + 2] != '"'):
                i += 2 if line[i] == '"' else 1
            if i >= n:
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
    found = _quote_problem(lines[line_no - 1] if line_no - 1 < len(lines) else "")
    column = header[found[0]] if found and line_no > 1 and found[0] < len(header) else None
    if found and found[1] == "text after quote":
        return DataValidationError(shown, "a quoted cell has text after its closing quote: a quote inside a quoted "
                                   'cell must be doubled (write "" for ")', line_no, column)
    if end is None:
        what = "the file ends inside it, so the file was probably cut short (or its closing quote is missing)"
    else:
        swallowed = f"line {end} was" if end == line_no + 1 else f"lines {line_no + 1}–{end} were"
        what = (f"the next quote only comes on line {end}, so {swallowed} read into this cell: a closing quote is "
                'missing (a quote inside a quoted cell must be doubled, "")')
    return DataValidationError(shown, f"a quoted cell starts on this line and is not closed on it; {what}. Cells "
                               "never span lines", line_no, column)


def _check_header(shown: str, header: list[str], names: list[str]) -> None:
    if header == names:
        return
    for found, expected in zip(header, names):
        if found != expected:
            hint = " (the same letters with invisible characters around them)" \
                if _INVISIBLE.sub("", found).strip() == expected else ""
            raise DataValidationError(shown, f"header has {_show(found)} where the schema expects "
                                      f"{_show(expected)}{hint}", 1, found)
    if len(header) > len(names):
        raise DataValidationError(shown, f"column not in the schema (the schema has {len(names)} columns: "
                                  f"{', '.join(names)})", 1, header[len(names)])
    raise DataValidationError(shown, "column missing from the header", 1, names[len(header)])


def _read_rows(raw: bytes, shown: str, names: list[str]) -> list[list[str]]:
    """The data rows as text, read as strict CSV: one row per line, as many cells as the header, which names the
    schema's fields in order, and a line break at the end (a file without one was probably cut short)."""
    text = _decode(raw, shown, names)
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    ends_cleanly = text.endswith(("\n", "\r"))
    last = 0  # the line the previous row ended on
    try:
        for row in reader:
            line_no = last + 1
            if reader.line_num != line_no:
                raise _quote_error(shown, lines, line_no, names, reader.line_num)
            last = reader.line_num
            if line_no == 1:
                _check_header(shown, row, names)
            elif not row:
                raise DataValidationError(shown, "blank line: remove it (rows follow each other without gaps)",
                                          line_no)
            elif len(row) != len(names):
                cut = " The file ends in the middle of this row, so it was probably cut short." \
                    if not ends_cleanly and line_no == len(lines) else ""
                raise DataValidationError(
                    shown, f"row {line_no} has {'more' if len(row) > len(names) else 'fewer'} cells than the header "
                    f"({len(names)} columns): it has {len(row)}.{cut} A comma inside a cell needs the cell in double "
                    "quotes", line_no)
            else:
                rows.append(row)
    except csv.Error as err:
        line_no = last + 1
        if "unexpected end of data" in str(err):
            raise _quote_error(shown, lines, line_no, names, None) from None
        if reader.line_num != line_no or (_quote_problem(lines[line_no - 1]) or (0, ""))[1] == "text after quote":
            raise _quote_error(shown, lines, line_no, names, max(reader.line_num, line_no)) from None
        raise DataValidationError(shown, f"cannot be read as CSV: {err}", line_no) from None
    if not ends_cleanly:
        raise DataValidationError(
            shown, "the file ends in the middle of this row (no line break after it), so it was probably cut short "
            "inside its last cell; check the row against the source and end the file with a line break", last)
    return rows


#: Table Schema's integer, number and date in the one spelling every reader agrees on. Frictionless also takes '3_0',
#: ' 30' and '2024-5-31' (Python's Decimal and date parsing); the files may not use them.
_SPELLING = {
    "integer": (re.compile(r"[+-]?[0-9]+"), "an integer: write digits only, e.g. 1366 (no decimal point, spaces, "
                "underscores or thousands separators)"),
    "number": (re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"),
               "a number: write digits with '.' as the decimal point, e.g. 26 or 12.5 (no spaces, underscores, "
               "thousands separators, '%' or ',')"),
    "date": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "a date: write it as YYYY-MM-DD, a day that exists, "
             "e.g. 2023-04-24"),
}
#: Characters a cell may not hold: C0 controls but the tab (NUL, form feed, escape: they break an SVG or a terminal),
#: DEL, C1 controls, and the bidirectional embeddings, overrides and isolates, which reverse the text after them on
#: the page while the file looks harmless; and U+2028/2029, which JavaScript and some Markdown readers take for line
#: breaks, so a cell would split its line, its table row or the search index's string.
_UNSHOWABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")
_CONTROL_NAMES = {0x00: "NUL", 0x08: "backspace", 0x0A: "line feed", 0x0B: "vertical tab", 0x0C: "form feed",
                  0x0D: "carriage return", 0x1B: "escape", 0x7F: "DEL", 0x2028: "line separator",
                  0x2029: "paragraph separator", 0x202A: "left-to-right embedding",
                  0x202B: "right-to-left embedding", 0x202C: "pop directional formatting",
                  0x202D: "left-to-right override", 0x202E: "right-to-left override", 0x2066: "left-to-right isolate",
                  0x2067: "right-to-left isolate", 0x2068: "first strong isolate", 0x2069: "pop directional isolate"}


def _unshowable_message(cell: str) -> str:
    return f"{_show(cell)} {_unshowable_reason(cell)}"


def _unshowable_reason(text: str) -> str:
    found = _UNSHOWABLE.search(text)
    assert found is not None
    code = ord(found.group())
    kind = ("a control character" if code < 0x2000 else "a line or paragraph separator" if code < 0x202A
            else "a bidirectional-text control")
    name = _CONTROL_NAMES.get(code, "")
    return (f"contains {kind}, U+{code:04X}{f' ({name})' if name else ''}, at character {found.start() + 1}: it "
            "cannot be shown as text on a page or in a figure; delete it")


#: the descriptor's words the Data page shows, in both editions
_DESCRIPTOR_TEXT = ("title", "title_nb", "description", "description_nb")


def _check_descriptor_text(found: dict[str, Any], shown: str) -> None:
    """The Data page shows these words as the cells are shown, so they are refused for the same characters; the
    value is not quoted (a description is long, and the key and place say where to look)."""
    places: list[tuple[str, Any]] = [("the package", found)]
    for res in found["resources"]:
        places.append((f"resource '{res['name']}'", res))
        places += [(f"resource '{res['name']}', field '{f['name']}'", f) for f in res["schema"]["fields"]]
    for where, item in places:
        for key in _DESCRIPTOR_TEXT:
            value = item.get(key)
            if isinstance(value, str) and _UNSHOWABLE.search(value):
                raise DataValidationError(shown, f"{where}: '{key}' {_unshowable_reason(value)}")


def _cell_reader(field: dict[str, Any]) -> Any:
    """The function that gives a present cell's value in the field's type, or ``_UNREADABLE``."""
    kind = field.get("type", "string")
    if kind in ("integer", "number"):
        pattern, convert = _SPELLING[kind][0], int if kind == "integer" else float
        return lambda cell: convert(cell) if pattern.fullmatch(cell) and math.isfinite(float(cell)) else _UNREADABLE
    if kind == "boolean":
        meaning = {**{str(v): True for v in field.get("trueValues", DEFAULT_TRUE_VALUES)},
                   **{str(v): False for v in field.get("falseValues", DEFAULT_FALSE_VALUES)}}
        return lambda cell: meaning.get(cell, _UNREADABLE)
    if kind == "date":
        def read_date(cell: str) -> Any:
            try:
                return dt.date.fromisoformat(cell) if _SPELLING["date"][0].fullmatch(cell) else _UNREADABLE
            except ValueError:  # a day that does not exist, e.g. 2023-02-29
                return _UNREADABLE
        return read_date
    enum = field.get("constraints", {}).get("enum")
    allowed = {str(v) for v in enum} if enum is not None else None
    return lambda cell: cell if allowed is None or cell in allowed else _UNREADABLE


_UNREADABLE = object()
#: The pandas dtype of each Table Schema type (dates: pandas' datetime in microseconds).
_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}


def _typed_column(cells: tuple[str, ...], field: dict[str, Any], missing: frozenset[str]) -> tuple[Any, list[int]]:
    """The column in its schema type, and the indices of the cells that cannot be read as that type (or are outside
    its enum, or hold a character that cannot be shown)."""
    kind, read = field.get("type", "string"), _cell_reader(field)
    values = [None if cell in missing else read(cell) for cell in cells]
    bad = [i for i, value in enumerate(values) if value is _UNREADABLE]
    if _UNSHOWABLE.search("\t".join(cells)):
        bad = sorted(set(bad) | {i for i, cell in enumerate(cells) if _UNSHOWABLE.search(cell)})
    values = [None if value is _UNREADABLE else value for value in values]
    if kind in _DTYPES:
        return pd.array(values, dtype=_DTYPES[kind]), bad
    if kind == "date":
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]"), bad
    if field.get("constraints", {}).get("enum") is not None:
        return pd.Series(values, dtype=str), bad  # codes as strings, NaN where the file leaves them empty
    return pd.Series(["" if v is None else v for v in values], dtype=str), bad


def _cell_message(cell: str, field: dict[str, Any]) -> str:
    if _UNSHOWABLE.search(cell):
        return _unshowable_message(cell)
    kind = field.get("type", "string")
    if kind in _SPELLING:
        return f"{_show(cell)} is not {_SPELLING[kind][1]}"
    if kind == "boolean":
        true_values = [str(v) for v in field.get("trueValues", DEFAULT_TRUE_VALUES)]
        false_values = [str(v) for v in field.get("falseValues", DEFAULT_FALSE_VALUES)]
        return (f"{_show(cell)} is not a boolean{_did_you_mean(cell, true_values + false_values)}: write "
                f"{' or '.join(map(_show, true_values))} for true and {' or '.join(map(_show, false_values))} for "
                "false (the schema's trueValues and falseValues)")
    allowed = [str(v) for v in field["constraints"]["enum"]]
    return (f"{_show(cell)} is not an allowed value of this column{_did_you_mean(cell, allowed)}; allowed (enum): "
            + ", ".join(map(_show, allowed)))


def _read(res: dict[str, Any], data_dir: Path, raw: bytes) -> tuple[pd.DataFrame, list[_Problem]]:
    """The file as a typed frame, with every cell that cannot be read (the rules above) as a problem."""
    _check_fields(res, data_dir)
    shown = _display_path(data_dir / res["path"])
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    rows = _read_rows(raw, shown, names)
    texts = list(zip(*rows)) if rows else [()] * len(names)
    missing = frozenset(str(v) for v in res["schema"].get("missingValues", [""]))
    columns: dict[str, Any] = {}
    problems: list[_Problem] = []
    for position, (field, cells) in enumerate(zip(fields, texts)):
        columns[field["name"]], bad = _typed_column(cells, field, missing)
        problems += [_Problem(i + 2, position, field["name"], _cell_message(cells[i], field)) for i in bad]
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows))), problems


def _raise_first(shown: str, problems: list[_Problem]) -> None:
    if problems:
        first, more = min(problems), len(problems) - 1
        more_text = f" ({more} more problem{'s' if more > 1 else ''} in this file)" if more else ""
        raise DataValidationError(shown, first.message + more_text, first.row, first.column)


# --------------------------------------------------------------------------------------------------------------------
# Validation: Frictionless for the schema's constraints and keys, the package's own rules beside it.


def _frictionless_problems(report: frictionless.Report, res: dict[str, Any], shown: str) -> list[_Problem]:
    """Frictionless' errors for one resource in the project's form (line, column, message quoting the cell)."""
    names = [f["name"] for f in res["schema"]["fields"]]
    problems = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            if row is None:  # not about a row: the resource or its schema as a whole, described in the descriptor
                raise DataValidationError(f"data/{DESCRIPTOR}", f"resource '{res['name']}': {error.title.lower()}: "
                                          f"{error.note}")
            column = getattr(error, "field_name", None) or None
            cell = getattr(error, "cell", None)
            words = error.note
            if error.type == "constraint-error" and (found := re.fullmatch(r'constraint "(\w+)" is "(.*)"', words)):
                constraint, bound = found.groups()
                words = (f"{_show(str(cell))} is " + {"minimum": f"below the minimum of {bound}",
                                                      "maximum": f"above the maximum of {bound}",
                                                      "exclusiveMinimum": f"not above the exclusive minimum {bound}",
                                                      "exclusiveMaximum": f"not below the exclusive maximum {bound}",
                                                      "pattern": f"not of the pattern {_show(bound)}",
                                                      "minLength": f"shorter than {bound} characters",
                                                      "maxLength": f"longer than {bound} characters"}.get(
                    constraint, f"against the constraint {constraint} = {bound}"))
                if constraint == "required":
                    words = "empty, but a value is required in this column"
            elif error.type == "primary-key":
                key = ", ".join(res["schema"]["primaryKey"])
                earlier = re.search(r"row at position (\d+)", words)
                words = f"primary key ({key}) repeats row {earlier.group(1) if earlier else 'above'}"
            elif error.type == "unique-error":
                words = f"{_show(str(cell))} repeats an earlier row: the values of this column must be unique"
            elif error.type == "foreign-key":
                column = error.field_names[0]
                cells = ", ".join(map(_show, error.field_cells))
                target = error.reference_name or res["name"]
                words = (f"{cells} is not a value of {', '.join(error.reference_field_names)} in data/{target}.csv "
                         f"(foreign key {', '.join(error.field_names)} → {', '.join(error.reference_field_names)})")
            elif cell is not None:
                words = f"{_show(str(cell))}: {error.title.lower()}, {words}"
            position = names.index(column) if column in names else -1
            problems.append(_Problem(row, position, column, words))
    return problems


def _check_package_rules(frame: pd.DataFrame, res: dict[str, Any], shown: str) -> None:
    """Rules a Table Schema cannot express, shared by every file."""
    for field in PROVENANCE_FIELDS:
        if field not in frame.columns:
            raise DataValidationError(shown, f"provenance column '{field}' is missing", 1, field)
    empty = {name: frame[name].isna() | frame[name].astype(str).str.strip().eq("") for name in frame.columns}
    for name in ("source", "section", "kind"):
        if empty[name].any():
            raise DataValidationError(shown, "provenance field is empty", _line(empty[name]), name)
    # a derived value must show its formula, an inferred one its reasoning and a missing one its reason
    unexplained = frame["kind"].isin(["derived", "inferred", "missing"]) & empty["note"]
    if unexplained.any():
        raise DataValidationError(shown, "rows of kind 'derived', 'inferred' or 'missing' need a note (formula, "
                                  "reasoning or reason)", _line(unexplained), "note")
    value_fields = res.get("valueFields", [])
    if value_fields:
        filled = pd.DataFrame({f: ~empty[f] for f in value_fields})
        is_missing = frame["kind"].eq("missing")
        if (wrong := is_missing & filled.any(axis=1)).any():
            row = _line(wrong)
            raise DataValidationError(shown, "a row of kind 'missing' must leave its value empty", row,
                                      next(f for f in value_fields if filled.loc[row - 2, f]))
        if (wrong := ~is_missing & ~filled.any(axis=1)).any():
            raise DataValidationError(shown, "no value: a row without a value must be of kind 'missing' with the "
                                      "reason in 'note'", _line(wrong), value_fields[0])
    if res.get("exclusiveShares"):
        _check_exclusive_shares(frame, res["exclusiveShares"], shown)


def _line(mask: pd.Series) -> int:
    """The line of the file (header = 1) of the first row where ``mask`` holds."""
    return int(mask.to_numpy(dtype=bool).argmax()) + 2


def _check_exclusive_shares(frame: pd.DataFrame, rule: dict[str, Any], shown: str) -> None:
    """Shares of mutually exclusive answers to one question cannot add up to more than 100 %, give or take rounding.

    ``rule`` (the resource's ``exclusiveShares`` in the descriptor): ``field`` holds the percent, rows with equal
    ``groupBy`` values are the exclusive answers of one question, item and group, and each printed share may be
    rounded by up to ``roundingPerShare`` points, so their sum may reach 100 + roundingPerShare × (shares printed).
    """
    field, by = rule["field"], [rule["groupBy"]] if isinstance(rule["groupBy"], str) else list(rule["groupBy"])
    per_share = float(rule.get("roundingPerShare", 0.5))
    printed = frame[frame[field].notna()]
    for key, members in printed.groupby(by, dropna=False, sort=False):
        total = float(members[field].sum())
        allowed = 100 + per_share * len(members)
        if total > allowed + 1e-9:
            what = ", ".join(f"{k} {_show('' if pd.isna(v) else str(v))}" for k, v in zip(by, key))
            lines = [int(i) + 2 for i in members.index]
            raise DataValidationError(
                shown, f"the shares of mutually exclusive answers sum to {total:g} % (rows "
                f"{', '.join(map(str, lines))}: {what}), more than 100 % plus a rounding allowance of {per_share:g} "
                f"per printed share ({allowed:g} %); a share is probably mistyped or in the wrong row", lines[0], field)


def _package(data_dir: Path) -> frictionless.Package:
    import frictionless

    shown = _display_path(data_dir / DESCRIPTOR)
    try:
        return frictionless.Package(descriptor(data_dir), basepath=str(data_dir))
    except frictionless.FrictionlessException as err:
        raise DataValidationError(shown, f"not a valid data package: {err.error.note or err.error.message}") from None


def _validate(res: dict[str, Any], data_dir: Path, package: frictionless.Package) -> None:
    path = data_dir / res["path"]
    shown = _display_path(path)
    if not path.exists():
        raise _missing_file(path)
    frame, problems = _read(res, data_dir, path.read_bytes())
    report = package.get_resource(res["name"]).validate()
    # a cell both reject is reported once, in the loader's words (they quote it and name what is expected)
    seen = {(p.row, p.column) for p in problems}
    problems += [p for p in _frictionless_problems(report, res, shown) if (p.row, p.column) not in seen]
    _raise_first(shown, problems)
    _check_package_rules(frame, res, shown)


def validate(name: str, data_dir: Path | None = None) -> None:
    """Validate one resource; raise :class:`DataValidationError` on the first problem found."""
    data_dir = data_dir or paths.data_dir()
    _validate(resource_descriptor(name, data_dir), data_dir, _package(data_dir))


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
    found = descriptor(data_dir)
    _check_descriptor_text(found, _display_path(data_dir / DESCRIPTOR))
    resources = found["resources"]
    _check_unlisted(data_dir)
    package = _package(data_dir)
    for res in resources:
        _validate(res, data_dir, package)
    return [r["name"] for r in resources]


# --------------------------------------------------------------------------------------------------------------------
# Loading


def _missing_file(path: Path) -> DataValidationError:
    return DataValidationError(_display_path(path), "file does not exist (listed in data/datapackage.json)")


def _log_dependency(paths_read: Iterable[Path]) -> None:
    log = os.environ.get(DEPS_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.writelines(f"{path}\n" for path in paths_read)


#: (data folder, resource) → (descriptor's stat, file, file's stat, frame): notebooks call load many times on unchanged
#: files, so an unchanged descriptor and file are neither parsed nor read again.
_loaded: dict[tuple[str, str], tuple[tuple[int, int], Path, tuple[int, int], pd.DataFrame]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def load(name: str) -> pd.DataFrame:
    """One resource of the data package as a typed DataFrame (a fresh copy each call); a cell it cannot read in its
    type stops it with a :class:`DataValidationError` naming file, row and column."""
    data_dir = paths.data_dir()
    descriptor_path = data_dir / DESCRIPTOR
    cached = _loaded.get((str(data_dir), name))
    try:
        fresh = cached is not None and cached[0] == _stamp(descriptor_path) and cached[2] == _stamp(cached[1])
    except OSError:
        fresh = False
    if cached is None or not fresh:
        res = resource_descriptor(name, data_dir)
        path = data_dir / res["path"]
        if not path.exists():
            _log_dependency([descriptor_path, path])
            raise _missing_file(path)
        stamps = _stamp(descriptor_path), _stamp(path)
        frame, problems = _read(res, data_dir, path.read_bytes())
        _raise_first(_display_path(path), problems)
        cached = _loaded[(str(data_dir), name)] = (stamps[0], path, stamps[1], frame)
    _log_dependency([descriptor_path, cached[1]])
    return cached[3].copy()


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
