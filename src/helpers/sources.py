"""Every number one click from its source: the data package as the site publishes it, and prose values that link to
the rows they come from.

The Data appendix (``data.ipynb``, a page beside the landing page) lists each resource of ``data/datapackage.json``
with its description, its fields, the columns that say where in the report a row comes from, and every row under an
anchor of its own (:func:`row_anchor`); it copies each file, byte for byte, beside the page for download.

A value in prose names its rows: `` `{python} ch.cite(ch.pct(share), "survey_answers", question="q1", group="all")` ``
shows ``29 %`` as a link to the first of those rows on the Data page, with a title naming all of them and the
report's place their provenance columns give ("section 3.1, Figure 5"). The rows are found in the data when the page
is built, so the link cannot point at a row that does not hold the value's source: no match is an error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import data, labels, paths
from . import escape as escaping
from .inline import Markdown, escape

#: The Data appendix: a notebook at the project root, as the landing page is, so its page is ``data.html`` in each
#: edition (``nb/data.html``).
DATA_PAGE = "data"
#: Pages at the project root (their links to the Data page need no ``../``).
ROOT_PAGES = ("index", DATA_PAGE)
#: The columns that say where a row comes from (``data/README.md``: every row carries its provenance).
PROVENANCE = ("source", "section", "figure", "kind", "evidence", "note")
#: Files published with the data besides the resources: the package's documentation, licence and citation.
EXTRA_FILES = ("data/README.md", "LICENSE", "CITATION.cff")

_WORDS = {
    "source": {"en": "Source", "nb": "Kilde"},
    "row": {"en": "row", "nb": "rad"},
    "rows": {"en": "rows", "nb": "rader"},
    "of": {"en": "of", "nb": "i"},
    "in_report": {"en": "in the report", "nb": "i rapporten"},
    "in_strategy": {"en": "in the strategy", "nb": "i strategien"},
}
#: The strategy's key in references.bib: a row from it is placed in the strategy, every other row in the report.
STRATEGY = "strategy2021"


def _word(key: str, lang: str) -> str:
    return _WORDS[key]["nb" if lang == "nb" else "en"]


def resource_anchor(resource: str) -> str:
    """The id of a resource's section on the Data page."""
    return f"data-{resource}"


def row_anchor(resource: str, row: int) -> str:
    """The id of one row on the Data page: ``row-<resource>-<n>``, ``n`` counting the file's data rows from 1 (the
    header not counted), as a spreadsheet numbers them below its header."""
    return f"row-{resource}-{row}"


_ROW_ANCHOR = re.compile(r"row-([a-z0-9_]+)-(\d+)")


def parse_row_anchor(anchor: str) -> tuple[str, int]:
    """``(resource, row)`` of an anchor :func:`row_anchor` wrote; ValueError for anything else."""
    match = _ROW_ANCHOR.fullmatch(anchor)
    if not match:
        raise ValueError(f"{anchor!r} is not a row anchor of the Data page (row-<resource>-<n>)")
    return match.group(1), int(match.group(2))


def descriptor() -> dict[str, Any]:
    """The data package's descriptor (``data/datapackage.json``), read as the build validated it."""
    path = paths.data_dir() / data.DESCRIPTOR
    _log_read(path)
    return json.loads(path.read_text(encoding="utf-8"))


def resources() -> list[dict[str, Any]]:
    """Every resource of the package, in the descriptor's order."""
    return list(descriptor()["resources"])


def provenance_columns(resource: dict[str, Any]) -> list[str]:
    """The resource's fields that say where in the report a row comes from, in the order the file has them."""
    return [f["name"] for f in resource["schema"]["fields"] if f["name"] in PROVENANCE]


@dataclass(frozen=True)
class Rows:
    """Rows of one resource a value is computed from: their numbers (from 1, as :func:`row_anchor` counts) and the
    places their provenance gives, as ``(source, section, figure)`` in row order, each once (``source`` the document's
    key in references.bib: the report, ``dfo2023``, or the strategy, ``strategy2021``)."""

    resource: str
    rows: tuple[int, ...]
    places: tuple[tuple[str, str, str], ...]

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError(f"Rows of {self.resource}: a value's source has at least one row")

    @property
    def anchor(self) -> str:
        return row_anchor(self.resource, self.rows[0])


def _text(value: Any) -> str:
    """A cell as the file writes it: empty for a missing value, a date as ISO 8601 (2023-01-23)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def of(resource: str, frame: pd.DataFrame) -> Rows:
    """The rows of ``frame``, a selection of ``data.load(resource)`` that kept its index (the file's row positions)."""
    full = data.load(resource)
    if frame.empty:
        raise LookupError(f"data/{resource}: an empty selection is no source")
    if not frame.index.isin(full.index).all():
        raise ValueError(f"data/{resource}: the selection's index is not the file's row positions (was it reset?)")
    chosen = full.loc[frame.index]
    places: dict[tuple[str, str, str], None] = {}
    for _, row in chosen.iterrows():
        places[(_text(row.get("source")), _text(row.get("section")), _text(row.get("figure")))] = None
    return Rows(resource, tuple(int(i) + 1 for i in chosen.index), tuple(places))


def select(resource: str, **match: Any) -> Rows:
    """The rows of ``resource`` whose columns equal ``match`` (a list, tuple or set: any of its values).

    A column the resource does not have, or no row matching, stops the page with one line naming both."""
    frame = data.load(resource)
    mask = pd.Series(True, index=frame.index)
    for column, wanted in match.items():
        if column not in frame.columns:
            raise KeyError(f"data/{resource}: no column {column!r} to select by (columns: {', '.join(frame.columns)})")
        values = list(wanted) if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]
        mask &= frame[column].isin(values).fillna(False).astype(bool)
    if not mask.any():
        shown = ", ".join(f"{k}={v!r}" for k, v in match.items())
        raise LookupError(f"data/{resource}: no row where {shown or '(nothing selected)'}")
    return of(resource, frame[mask])


def _ranges(numbers: Sequence[int]) -> str:
    """``1, 2, 3, 7`` as "1–3, 7"."""
    spans: list[list[int]] = []
    for n in sorted(set(numbers)):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def describe(sources: Sequence[Rows], lang: str) -> str:
    """The rows and their places, each in the document it is in, as a link's title says them: "Source:
    survey_answers.csv, rows 12–14; in the report: section 3.1, Figure 5" / "Kilde: strategy.csv, rad 32; i
    strategien: forord"."""
    parts = []
    for source in sources:
        count = _word("row" if len(source.rows) == 1 else "rows", lang)
        where = ""
        for document in dict.fromkeys(d for d, _, _ in source.places):
            # each place once, however many rows name it (a row may name several: "summary; section 3.1")
            places = labels.joined_places([part for d, s, f in source.places if d == document
                                           for part in labels.report_place(s, f, lang).split("; ")])
            if places:
                where += f"; {_word('in_strategy' if document == STRATEGY else 'in_report', lang)}: {places}"
        parts.append(f"{source.resource}.csv, {count} {_ranges(source.rows)}{where}")
    return f"{_word('source', lang)}: " + " · ".join(parts)


def data_page_link(chapter: str) -> str:
    """The Data page as a chapter's Markdown links to it (Quarto turns the notebook's name into its page)."""
    return f"{DATA_PAGE}.ipynb" if chapter in ROOT_PAGES else f"../{DATA_PAGE}.ipynb"


def cite(text: str, sources: Sequence[Rows], *, chapter: str, lang: str) -> Markdown:
    """``text`` (a value the edition's formatters wrote) as a Markdown link to the first of its rows on the Data page,
    titled with every row and the report's places (:func:`describe`). The text is escaped, as every inline value is."""
    if not sources:
        raise ValueError("cite: name at least one resource and its rows")
    shown = str(text) if isinstance(text, Markdown) else escape(str(text))
    title = escaping.markdown_attribute(describe(sources, lang))  # Pandoc reads a link's title as an attribute
    return Markdown(f'[{shown}]({data_page_link(chapter)}#{sources[0].anchor} "{title}")')


# --- publishing the package with the site --------------------------------------------------------------------------


def _log_read(path: Path) -> None:
    """Tell the build this run read ``path`` (as ``helpers.data`` does for the resources), so an edit of it
    executes the Data page again and publishes the new copy."""
    log = os.environ.get(data.DEPS_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{path}\n")


@dataclass(frozen=True)
class Download:
    name: str  # the file's name as published
    link: str  # relative to the Data page
    size: int  # bytes


def publish(chapter: str = DATA_PAGE) -> dict[str, Download]:
    """Copy every resource file, the descriptor, and the package's README, licence and citation, byte for byte,
    beside the Data page (its ``figures/<page>/`` folder, which the build publishes with the page); return each by
    its path in the project (``data/survey_answers.csv``)."""
    target = paths.figures_dir(chapter)
    target.mkdir(parents=True, exist_ok=True)
    found: dict[str, Download] = {}
    root = paths.root()
    names = [f"data/{data.DESCRIPTOR}"]
    for resource in resources():
        data.load(resource["name"])  # validated, and recorded as read: a changed file runs this page again
        names.append(f"data/{resource['path']}")
    names += [n for n in EXTRA_FILES if (root / n).is_file()]
    for name in names:
        source = root / name
        _log_read(source)
        published = name.split("/")[-1]
        if name == "data/README.md":
            published = "data-README.md"  # not the README of the site's folder
        shutil.copyfile(source, target / published)
        found[name] = Download(published, f"{paths.FIGURES}/{chapter}/{published}", source.stat().st_size)
    return found


def rows_frame(resource: dict[str, Any]) -> pd.DataFrame:
    """The columns of a resource the Data page shows row by row: its key, its numbers and dates, and where in the
    report it comes from (section, figure, kind). Every other column is in the downloadable file; free text (notes,
    evidence, paraphrases) would weigh the page down."""
    frame = data.load(resource["name"])
    schema = resource["schema"]
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    # the numbers and dates (a text value field, a lesson or a description, is long: it stays in the file)
    numeric = [f["name"] for f in schema["fields"] if f.get("type") in ("number", "integer", "date")]
    wanted = list(dict.fromkeys([*key, *numeric, *(c for c in ("section", "figure", "kind") if c in frame)]))
    return frame[[c for c in frame.columns if c in wanted]]


def fields(resource: dict[str, Any]) -> Iterable[tuple[str, str, str]]:
    """(name, type, description) of each field of a resource."""
    for field in resource["schema"]["fields"]:
        yield field["name"], field.get("type", "string"), field.get("description", "")


# --- the Data page -------------------------------------------------------------------------------------------------

#: A field's Table Schema type as the Data page names it (``(string)`` is "(tekst)" in the Norwegian edition).
FIELD_TYPES: dict[str, dict[str, str]] = {
    "string": {"en": "string", "nb": "tekst"},
    "number": {"en": "number", "nb": "tall"},
    "integer": {"en": "integer", "nb": "heltall"},
    "date": {"en": "date", "nb": "dato"},
    "boolean": {"en": "boolean", "nb": "sann/usann"},
}

#: What ``kind`` says about a row (data/README.md, "kind is one of"), as the key on the Data page words it.
KINDS: dict[str, dict[str, str]] = {
    "stated": {"en": "stated in the report's text", "nb": "oppgitt i rapportens tekst"},
    "paraphrase": {"en": "our own wording of something the report states", "nb": "våre egne ord for noe rapporten sier"},
    "figure_label": {"en": "read off a data label in a figure or table of the report",
                     "nb": "lest av en dataetikett i en figur eller tabell i rapporten"},
    "footnote": {"en": "given in a footnote", "nb": "oppgitt i en fotnote"},
    "derived": {"en": "computed by us from stated numbers; the formula is in `note`",
                "nb": "regnet ut av oss fra oppgitte tall; formelen står i `note`"},
    "inferred": {"en": "not printed, but our reading of the context; the reasoning is in `note`",
                 "nb": "ikke oppgitt, men vår tolkning av sammenhengen; begrunnelsen står i `note`"},
    "missing": {"en": "shown in the report but not legible with certainty; the value is empty and `note` says why",
                "nb": "vist i rapporten, men ikke sikkert lesbar; verdien er tom, og `note` sier hvorfor"},
}

def _say(key: str, lang: str, **values: object) -> str:
    """The Data page's wording (``helpers.labels``' phrases ``data_page_*``)."""
    return labels.phrase(f"data_page_{key}", lang, **values)


def described(item: dict[str, Any], key: str, lang: str, *, where: str) -> str:
    """A descriptor's ``title`` or ``description`` in the edition's language: the standard property in English, the
    custom one beside it (``title_nb``, ``description_nb``) in Norwegian. A Norwegian text that is missing or empty
    stops the page with one line naming ``where`` (the resource, or the resource and field)."""
    if lang != "nb":
        return str(item.get(key) or "")
    text = item.get(f"{key}_nb")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"data/datapackage.json: {where} has no {key}_nb (its Norwegian {key}); add it beside {key}")
    return text


def field_type(kind: str, lang: str) -> str:
    """A field's type as the page names it: "string" / "tekst"."""
    return FIELD_TYPES.get(kind, {"en": kind, "nb": kind})["nb" if lang == "nb" else "en"]


def shown_section(value: str) -> str:
    """A ``section`` cell as the page shows it: several sections, stored ``|``-separated, separated by commas
    ("2.3|3.2.1|4.1" is shown "2.3, 3.2.1, 4.1"); the file keeps them as stored."""
    return ", ".join(part.strip() for part in value.split("|")) if "|" in value else value


def _markdown(text: str) -> str:
    """Descriptor text (a value as stored in a file between backticks) as Markdown: code spans and escaped text."""
    return escaping.markdown_with_code(text)


def licence(package: dict[str, Any]) -> Markdown:
    """The package's licence identifier (``CC-BY-4.0``) as code: a name as typed, not a number to format."""
    return escaping.code(package["licenses"][0]["name"])


def download_link(download: Download, text: str | None = None) -> Markdown:
    """A Markdown link that downloads a published file (its name shown as code unless ``text`` is given)."""
    shown = escaping.code(download.name) if text is None else escape(text)
    return Markdown(f'[{shown}]({download.link}){{download="{download.name}"}}')


def summary_frame(downloads: dict[str, Download], lang: str) -> pd.DataFrame:
    """One row per resource for the page's first table: the file (a link that downloads it), what it holds, its rows,
    and its provenance columns."""
    from . import tables

    rows = []
    for resource in resources():
        name = resource["name"]
        download = downloads[f"data/{resource['path']}"]
        rows.append({
            # the download itself: a link to the section below would be one more fetch of this heavy page for
            # every file when linkchecker checks anchors (it fetches each URL with a #fragment on its own)
            _say("file", lang): tables.Markup(f'<a href="{download.link}" download="{download.name}">'
                                              f'<code>{download.name}</code></a>'),
            _say("title", lang): tables.Markup(escaping.html_with_code(
                described(resource, "title", lang, where=f"resource {name}") or name)),
            _say("rows", lang): len(data.load(name)),
            _say("provenance_short", lang): tables.Markup(", ".join(f"<code>{c}</code>"
                                                                    for c in provenance_columns(resource))),
        })
    return pd.DataFrame(rows)


def _field(resource: str, field: str) -> dict[str, Any]:
    found = [f for r in resources() if r["name"] == resource for f in r["schema"]["fields"] if f["name"] == field]
    if not found:
        raise KeyError(f"data/datapackage.json: no field {field!r} in resource {resource!r}")
    return found[0]


def code_key(lang: str, *, plain: bool = False) -> pd.DataFrame:
    """The key to the codes the row tables show: each ``kind`` (every file), each respondent ``group`` of
    survey_answers.csv (the names the charts give them), each ``relation`` of governance_relations.csv and the
    ``figure`` value ``unnumbered figure``, with its meaning in the edition's language. A code the descriptor allows
    but this key cannot word stops the page. ``plain``: the same as text, for the table's CSV (no markup)."""
    from . import tables

    pick = "nb" if lang == "nb" else "en"

    def row(column: str, code: str, meaning: str) -> dict[str, Any]:
        if plain:
            return {_say("key_column", lang): re.sub(r"</?code>", "", column), _say("key_code", lang): code,
                    _say("key_meaning", lang): meaning.replace("`", "")}
        return {_say("key_column", lang): tables.Markup(column), _say("key_code", lang): tables.Markup(
                f"<code>{escaping.html_text(code)}</code>"),
                _say("key_meaning", lang): tables.Markup(escaping.html_with_code(meaning))}

    def column(name: str, file: str | None = None) -> str:
        shown = f"<code>{escaping.html_text(name)}</code>"
        if file is None:
            return shown
        return _say("in_file", lang, column=shown, file=f"<code>{escaping.html_text(file)}</code>")

    kinds = dict.fromkeys(k for r in resources() for f in r["schema"]["fields"] if f["name"] == "kind"
                          for k in f.get("constraints", {}).get("enum", []))
    rows = []
    for code in [k for k in KINDS if k in kinds] + [k for k in kinds if k not in KINDS]:
        if code not in KINDS:
            raise KeyError(f"data/datapackage.json allows kind {code!r}, which the Data page's key does not explain")
        rows.append(row(column("kind"), code, KINDS[code][pick]))
    for code in _field("survey_answers", "group")["constraints"]["enum"]:
        rows.append(row(column("group", "survey_answers.csv"), code, labels.term(code, lang)))
    for code in _field("governance_relations", "relation")["constraints"]["enum"]:
        if code not in labels.RELATIONS:
            raise KeyError(f"data/datapackage.json allows relation {code!r}, which the Data page's key does not word")
        rows.append(row(column("relation", "governance_relations.csv"), code, labels.relation(code, lang)))
    rows.append(row(column("figure"), "unnumbered figure", labels.report_place("", "unnumbered figure", lang)))
    return pd.DataFrame(rows)


def cross_reference_problems() -> list[tuple[str, int]]:
    """The problems the audit finds in the report's cross-references, which are not rows of problems.csv: each
    reference of cross_references.csv that fails its check against report_structure.csv (``helpers.audit``), as
    ``(problem id, row)``, the row counted as :func:`row_anchor` counts it."""
    from . import audit

    structure = data.load("report_structure")
    references = data.load("cross_references")
    return [(f"P-{ref['reference_id']}", int(i) + 1) for i, ref in references.iterrows()
            if audit.check_reference(ref, structure)[0] is not None]


def _rows_html(resource: dict[str, Any], lang: str) -> str:
    """Every row of ``resource`` as a table whose first cell carries the row's anchor; data values shown as code (as
    the file writes them), field names as the file's header writes them."""
    import html

    from . import tables

    frame = rows_frame(resource)
    name = resource["name"]
    shown = pd.DataFrame({"__row": [tables.anchor(row_anchor(name, int(i) + 1), str(int(i) + 1))
                                    for i in frame.index]})
    for column in frame.columns:
        display = shown_section if column == "section" else str  # several sections: "2.3, 3.2.1", not "2.3|3.2.1"
        shown[column] = [v if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v
                         else tables.MISSING if _text(v) == ""
                         else tables.Markup(f"<code>{html.escape(display(_text(v)))}</code>")
                         for v in frame[column].astype(object)]
    token = f"hdr{abs(hash(name)) % 10**8}x"
    headers = {"__row": _say("row", lang), **{c: f"{token}{i}y" for i, c in enumerate(frame.columns)}}
    rendered = tables.to_html(shown, table_id=f"rows-{name}", lang=lang, headers=headers,
                              label=f"{name}.csv: {_say('rows', lang)}")
    for i, column in enumerate(frame.columns):
        rendered = rendered.replace(f"{token}{i}y", f"<code>{html.escape(column)}</code>")
    return rendered


def resource_section(resource: dict[str, Any], downloads: dict[str, Download], lang: str,
                     note: str = "") -> dict[str, str]:
    """One resource's part of the Data page as a display bundle: Markdown for Quarto (heading with the resource's
    anchor, description, download, provenance columns, fields, every row) and HTML for JupyterLab. Titles and
    descriptions are the descriptor's, in the edition's language (:func:`described`); ``note`` (Markdown the page
    wrote) follows the description."""
    import html

    name = resource["name"]
    download = downloads[f"data/{resource['path']}"]
    count = len(data.load(name))
    title = described(resource, "title", lang, where=f"resource {name}") or name
    description = described(resource, "description", lang, where=f"resource {name}")
    heading = f"### {_markdown(title)} {{#{resource_anchor(name)} .unnumbered}}"
    lines = []
    for field in resource["schema"]["fields"]:
        text = described(field, "description", lang, where=f"resource {name}, field {field['name']}")
        kind = field_type(field.get("type", "string"), lang)
        lines.append(f"- {escaping.code(field['name'])} ({escape(kind)}): {_markdown(text) if text else tables_missing()}")
    provenance = ", ".join(str(escaping.code(c)) for c in provenance_columns(resource))
    rows = _rows_html(resource, lang)
    markdown = "\n\n".join([
        heading,
        _markdown(description),
        *([note] if note else []),
        f"{_say('download', lang)}: {download_link(download)} "
        f"({escape(_say('rows_count', lang, n=labels.count(count, lang)))}). "
        f"{escape(_say('provenance', lang))}: {provenance}.",
        f"{escape(_say('fields', lang))}:\n\n" + "\n".join(lines),
        escape(_say("rows_table", lang)),
        f"```{{=html}}\n{rows}\n```",
    ]) + "\n"
    lab = (f"<h3>{escaping.html_with_code(title)}</h3><p>{escaping.html_with_code(description)}</p>"
           f"<p>{html.escape(download.name)}: {count}</p>{rows}")
    return {"text/markdown": markdown, "text/html": lab}


def tables_missing() -> str:
    from . import tables

    return tables.MISSING


def show_resource(resource: dict[str, Any], downloads: dict[str, Download], lang: str, note: str = "") -> None:
    """Display one resource's part of the Data page (:func:`resource_section`)."""
    from IPython.display import display

    display(resource_section(resource, downloads, lang, note), raw=True)
