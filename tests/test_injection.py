"""Data text is text: every injection family typed into every free-text column of every data file, in both
languages, reaches the built pages and figures as the characters typed — no live handler, no request to another
host, no MathJax, no citation, cross-reference or shortcode made of it.

One site build of a copy of the project (``BEST_SAMMEN_ROOT``), checked with a parser (``html.parser`` for pages,
``xml.etree`` for the SVG figures, which pages embed as ``data:`` images).
"""

from __future__ import annotations

import base64
from urllib.parse import unquote
import csv
import io
import json
import re
import shutil
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import pipeline

from .conftest import COPY_IGNORE, ROOT

HOST = "example.invalid"  # the only host a payload names: any reference to it in a URL is a request made from data
#: One payload per family, each with its own marker (letters and digits only, so no escape touches it): where a
#: marker is shown, the payload around it must be shown whole, as typed.
PAYLOADS = {
    "html": '<b onmouseover="alert(1)">Qhtml1</b>',
    "script": '<script>alert("Qscr1")</script>',
    "attribute": 'Qattr1{onclick="alert(2)"}',
    "span": '[Qspan1]{.btn onclick="alert(3)" style="background:url(https://example.invalid/s.png)"}',
    "image": '![Qimg1](https://example.invalid/p.png){onerror="alert(4)"}',
    "link": "[Qlink1](https://example.invalid/) <https://example.invalid/a> [Qjs1](javascript:alert(5))",
    "raw": "`<img src=x onerror=alert(6)>`{=html} Qraw1",
    "math": "$Qmath1$ and $$Qmath2$$",
    "crossref": "@fig-Qref1 and [@dfo2023] and [@Qcite1]",
    "shortcode": "{{< meta title >}} Qshort1",
    "entity": "&lt;script&gt;Qent1&amp;",
    "footnote": "^[Qfoot1] *Qem1* C:\\Qtail1",
}
FULL = " " + " ".join(PAYLOADS.values())
#: Payloads for a label column, each in place of the label's last characters (:func:`_labelled`): a figure's labels
#: keep their width, so the figure's own refusal of overlapping text (helpers.plots.check_layout) is not triggered.
#: One per family of :data:`PAYLOADS` (the citation apart from the cross-reference: a label is too short for both).
SHORT = {
    "html": "<b>Qh2</b>", "script": "<script>Qsr2</script>", "attribute": "`Qa2`{onclick=x}",
    "span": "[Qs2]{onclick=x}", "image": "![Qi2](x.png)", "link": "[Ql2](x)", "javascript": "[Qj2](javascript:x)",
    "raw": "`<u>Qrw2`{=html}", "math": "$Qm3$", "crossref": "@fig-Qr2", "citation": "[@dfo2023]",
    "shortcode": "{{< meta Qsc1 >}}", "entity": "&lt;Qe2", "footnote": "^[Qf2]",
}


def _labelled(label: str, payload: str) -> str | None:
    """``label`` with ``payload`` in place of its last characters (about as wide as before), or None for a label
    shorter than that (an abbreviation: "KDD"), which is left as it is."""
    keep = len(label) - len(payload) - 1
    return f"{label[:keep].rstrip()} {payload}" if keep >= 3 else None


#: Columns the code parses or joins on, so no free text: a payload there breaks a lookup, which is not what this test
#: is about. Each has an enum or a pattern (or a type) in every resource that has it, so validation refuses the
#: payload before any page is built (test_every_column_left_unattacked_is_refused_by_validation_or_never_shown).
PARSED = {
    "topic_sections": "'|'-separated section numbers, parsed like section",
    "stated": "claims.stated: the number as printed, parsed by helpers.audit into a value",
    "stated_value": "survey_summary_statements: the printed value, parsed by helpers.audit",
    "responses": "survey_summary_statements: '|'-separated answer categories matched against survey_answers",
    "claims": "problems.claims: '|'-separated claim ids",
    "value": "problem_statements.value: a date or status code the audit parses",
    "number": "report_structure.number: a part's number, joined with report_part lookups",
    "target": "cross_references.target: a part's number, joined with report_structure",
    "parent": "strategy.parent: a foreign key to strategy.element_id",
    "subject": "problem_statements.subject: a core group, measure or body id",
    "id": "glossary.id: the code other files use, looked up by every chapter",
    "statement_id": "an identifier, referenced from the audit",
    "lesson_id": "an identifier grouping rows of one lesson",
    "problem_id": "a foreign key to problems.problem_id",
    "item": "nordic_evidence/denmark_typology.item: codes the chapters select rows by",
    "organisation": "norwegian_shared_services.organisation: a glossary organisation code",
    "response": "response_scales.response: the Norwegian answer label, joined with survey_answers.response",
}
#: Columns whose pattern admits a payload, left unattacked because no page or figure shows their text.
NEVER_SHOWN = {
    ("glossary", "avoid_en"): "variants a page must not show: helpers.labels.name replaces each by the entry's name, "
                              "and the Data page shows only a file's key, numbers and provenance (sources.rows_frame)",
    ("glossary", "avoid_nb"): "as avoid_en, for the Norwegian edition",
}


def _free_text_columns(descriptor: dict) -> dict[str, dict[str, int | None]]:
    """Every string column without an enum or a pattern (codes have one), minus :data:`PARSED`: resource → column →
    maxLength."""
    found: dict[str, dict[str, int | None]] = {}
    for resource in descriptor["resources"]:
        for f in resource["schema"]["fields"]:
            constraints = f.get("constraints", {})
            if f.get("type", "string") != "string" or "enum" in constraints or "pattern" in constraints:
                continue
            if f["name"] in PARSED:
                continue
            found.setdefault(resource["name"], {})[f["name"]] = constraints.get("maxLength")
    return found


def _is_label(resource: str, column: str, limit: int | None) -> bool:
    """A column whose text a figure draws as a label or a legend entry (short payloads only, see :data:`SHORT`)."""
    return (bool(limit) or resource == "glossary" or column == "response_en"
            or column.startswith(("label_", "step_", "name_")))


#: Glossary entries whose names are the column headers of grids as wide as the name itself (the goal areas of the
#: relevance matrix, the countries of the services grid): any text added overlaps the next header, which the figure
#: rightly refuses. Their names take the same code paths as every other glossary entry's, which are attacked.
TIGHT_GLOSSARY = {"goal_area", "country"}


@dataclass
class Injected:
    """What :func:`_inject` did: the columns it attacked, and which families reached each."""

    columns: dict[str, list[str]]  # resource → the free-text columns attacked
    reached: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (resource, column) → families typed
    rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (resource, column) → its rows that can carry one
    labels: set[tuple[str, str]] = field(default_factory=set)  # the columns that took SHORT payloads
    fits: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # label column → families some label fits
    descriptor_texts: int = 0  # titles and descriptions of resources and fields given the FULL payload


#: The descriptor's text the Data page shows (helpers.sources): a resource's title and description, a field's
#: description, in both languages.
DESCRIPTOR_TEXT = ("title", "title_nb", "description", "description_nb")
#: The descriptor's own syntax is a code span between backticks (a value as stored: `not stated`), which the Data page
#: shows as code without its backticks (helpers.escape.markdown_with_code, unit-tested): the payloads typed there keep
#: every other character.
DESCRIPTOR_FULL = FULL.replace("`", "")


def _inject(project: Path) -> Injected:
    descriptor_path = project / "data" / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    columns = _free_text_columns(descriptor)
    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    injected = Injected({r: sorted(f) for r, f in columns.items()})
    families = list(SHORT)
    offset = 0  # each label column starts its rotation elsewhere, so families that fit few labels reach some column
    for resource, fields in columns.items():
        path = project / "data" / paths[resource]
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for name, limit in fields.items():
            key = (resource, name)
            label = _is_label(resource, name, limit)
            injected.reached[key], injected.rows[key] = set(), 0
            if label:
                injected.labels.add(key)
                offset += 1
            # the families still to come in this column, from its own starting point: a label too short for the
            # next one takes the first that fits, so a long payload waits for a long label instead of being skipped
            pending: list[str] = []
            for row in rows:
                if not row[name].strip():
                    continue  # an empty optional cell means "none"; text there would change what a chapter shows
                if resource == "glossary" and row["category"] in TIGHT_GLOSSARY:
                    continue
                if not label:
                    row[name] = row[name] + FULL
                    injected.reached[key] |= set(PAYLOADS)
                    injected.rows[key] += 1
                    continue
                injected.fits.setdefault(key, set()).update(f for f in SHORT if _labelled(row[name], SHORT[f]))
                pending = pending or families[offset % len(families):] + families[:offset % len(families)]
                family = next((f for f in pending if _labelled(row[name], SHORT[f])), None)
                if family is None:
                    continue  # an abbreviation ("KDD"), or a label only the families already typed fit
                pending.remove(family)
                row[name] = _labelled(row[name], SHORT[family])
                injected.reached[key].add(family)
                injected.rows[key] += 1
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    for resource in descriptor["resources"]:
        # a field has no title of its own on the Data page: its name, type and description
        for item, keys in [(resource, DESCRIPTOR_TEXT), *((f, DESCRIPTOR_TEXT[2:]) for f in resource["schema"]["fields"])]:
            for key in keys:
                if item.get(key):
                    item[key] += DESCRIPTOR_FULL
                    injected.descriptor_texts += 1
    descriptor_path.write_text(json.dumps(descriptor, indent=1, ensure_ascii=False), encoding="utf-8")
    return injected


def _coverage_problems(injected: Injected) -> list[str]:
    """Each (column, family) pair the injection left out that it could have made: every family reaches every
    free-text column, unless the column has fewer rows that can carry one than there are families; then each family
    still reaches some column that takes the same code path (a figure's labels, or text shown as it is)."""
    problems = []
    for key, reached in injected.reached.items():
        # a label column owes only the families short enough for one of its labels (the rest reach longer labels)
        families = injected.fits.get(key, set()) if key in injected.labels else set(PAYLOADS)
        if families - reached and injected.rows[key] >= len(SHORT if key in injected.labels else PAYLOADS):
            problems.append(f"{'.'.join(key)} ({injected.rows[key]} rows): not reached by {sorted(families - reached)}")
    for path, families in (("label", set(SHORT)), ("text", set(PAYLOADS))):
        reached = set().union(*(r for k, r in injected.reached.items() if (k in injected.labels) == (path == "label")))
        problems += [f"no {path} column is reached by the {family} payload" for family in sorted(families - reached)]
    return problems


_URL_ATTRIBUTES = {"src", "href", "srcset", "poster", "action", "formaction", "data", "background", "cite",
                   "xlink:href", "ping", "manifest"}
_SKIP_TEXT = {"script", "style", "template"}
#: The handlers Quarto's own page template writes (the navigation bar's toggle, the search button): fixed strings,
#: none made from data. Any other handler on a page is a finding.
QUARTO_HANDLERS = {"if (window.quartoToggleHeadroom) { window.quartoToggleHeadroom(); }", "window.quartoOpenSearch();"}


def _fold(text: str) -> str:
    """Text compared as typed: Quarto's smart quotes folded to straight ones, runs of white space to one space."""
    text = text.replace("\u2060", "")  # the word joiner that keeps "{{<" in an attribute from being a shortcode
    text = text.replace("\u00ad", "")  # a long word's soft hyphens (the claim list): shown only where a line breaks
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2018", "'").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def _url_problem(value: str) -> str | None:
    if HOST in value:
        return "a URL to the payload's host"
    if re.match(r"\s*javascript:", value, re.I):
        return "a javascript: URL"
    return None


class Page(HTMLParser):
    """A page as a browser builds it: live attributes, loaded resources, shown text, embedded SVG figures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.attribute_text: list[str] = []  # alt text, titles, labels: read out by a screen reader, shown as typed
        self.svgs: list[str] = []
        self.svg_files: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and value not in QUARTO_HANDLERS:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in _URL_ATTRIBUTES and (problem := _url_problem(value)):
                self.problems.append(f"<{tag} {name}={value!r}>: {problem}")
            if name == "style" and re.search(r"url\(", value):
                self.problems.append(f"<{tag} style={value!r}>: a url() in a style attribute")
            if name in {"alt", "title", "aria-label"}:
                self.attribute_text.append(value)
            if value.startswith("data:image/svg+xml;base64,"):
                self.svgs.append(base64.b64decode(value.split(",", 1)[1]).decode("utf-8"))
            elif tag in {"img", "source"} and name in {"src", "srcset"} and value.endswith(".svg"):
                self.svg_files.append(value)  # a figure's layout (desktop or phone) as a file beside the page
        source = dict(attrs).get("src") or ""
        if tag == "script" and (re.match(r"(https?:)?//", source) or "mathjax" in source.lower()):
            self.problems.append(f"<script src={source!r}>: a script from another host")
        if tag in _SKIP_TEXT:
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            if re.search(r"mathjax|MathJax", data):
                self.problems.append("MathJax configured in a script")
            return
        self.text.append(data)


def _svg_problems_and_text(svg: str) -> tuple[list[str], str]:
    problems: list[str] = []
    texts: list[str] = []
    for element in ET.fromstring(svg).iter():
        tag = element.tag.rsplit("}", 1)[-1]
        href = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "href"), "")
        if tag == "image" and href.startswith("data:image/png;base64,"):
            pass  # matplotlib's own raster (a hatch or a colour bar), embedded: no request, no text
        elif tag in {"script", "foreignObject", "image", "a"}:
            problems.append(f"SVG <{tag}>")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.startswith("on") or (local == "href" and _url_problem(value)) or "url(http" in value:
                problems.append(f"SVG <{tag} {local}={value!r}>")
        if tag == "text":
            texts.append("".join(element.itertext()))
    return problems, " ".join(texts)


def _markers(payload: str) -> list[str]:
    return re.findall(r"Q[a-z]+\d", payload)


def _misshown(text: str, payloads: list[str], *, wrapped: bool = False) -> list[str]:
    """Each place a marker is shown without a payload it came in around it, as typed (a marker typed in several
    forms, such as the descriptor's payload without backticks, is shown rightly in any of them). ``wrapped``: text a
    figure breaks into lines (at a space or a hyphen), compared without its white space."""
    wrong = []
    folded = re.sub(r"\s", "", _fold(text)) if wrapped else _fold(text)
    forms: dict[str, list[str]] = {}
    for payload in payloads:
        typed = re.sub(r"\s", "", _fold(payload)) if wrapped else _fold(payload).strip()
        for marker in _markers(payload):
            forms.setdefault(marker, []).append(typed)
    for marker, typed_forms in forms.items():
        for m in re.finditer(re.escape(marker) + r"(?!\d)", folded):
            if not any(typed in folded[max(0, m.start() - len(typed)): m.end() + len(typed)] for typed in typed_forms):
                wrong.append(f"{marker}: …{folded[max(0, m.start() - 60): m.end() + 60]}…")
    return wrong


def site_problems(site: Path) -> list[str]:
    """Everything on the built ``site`` (both editions, every page and figure) that shows data text as other than text."""
    pages = sorted(site.rglob("*.html"))
    editions = {"en": [p for p in pages if not p.relative_to(site).parts[0] == "nb"],
                "nb": [p for p in pages if p.relative_to(site).parts[0] == "nb"]}
    assert all(editions.values()), editions
    full = list(PAYLOADS.values())
    short = list(SHORT.values())
    problems: list[str] = []
    for edition, edition_pages in editions.items():
        shown = ""
        for page in edition_pages:
            parser = Page()
            parser.feed(page.read_text(encoding="utf-8"))
            parser.svgs += [(page.parent / unquote(f)).read_text(encoding="utf-8") for f in parser.svg_files]
            where = page.relative_to(site)
            problems += [f"{where}: {p}" for p in parser.problems]
            text = " ".join(parser.text)
            # the Data page shows the descriptor's text, whose backticks are its own code spans
            typed = full + short + ([DESCRIPTOR_FULL] if page.name == "data.html" else [])
            problems += [f"{where}: shown as markup, not as typed: {w}" for w in _misshown(text, typed)]
            problems += [f"{where}: an attribute (alt, title, aria-label) not as typed: {w}"
                         for w in _misshown(" | ".join(parser.attribute_text), full + short)]
            for number, svg in enumerate(parser.svgs):
                svg_problems, svg_text = _svg_problems_and_text(svg)
                problems += [f"{where} (figure {number + 1}): {p}" for p in svg_problems]
                problems += [f"{where} (figure {number + 1}): {w}" for w in _misshown(svg_text, short, wrapped=True)]
                shown += " " + svg_text
            shown += " " + text
        for sidecar in site.rglob("*.svg"):
            svg_problems, _ = _svg_problems_and_text(sidecar.read_text(encoding="utf-8"))
            problems += [f"{sidecar.relative_to(site)}: {p}" for p in svg_problems]
        folded = _fold(shown)
        # every family reaches this edition's pages somewhere, whole
        problems += [f"{edition}: the {family} payload is shown nowhere as typed" for family, payload in PAYLOADS.items()
                     if _fold(payload).strip() not in folded]
    return problems


@pytest.mark.slow  # one site build of the attacked copy: minutes
def test_every_injection_family_in_every_free_text_column_is_shown_as_text(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch):
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=COPY_IGNORE)
    monkeypatch.setenv("BEST_SAMMEN_ROOT", str(project))
    injected = _inject(project)
    attacked = injected.columns
    assert sum(len(c) for c in attacked.values()) > 60, attacked
    assert any(c.endswith("_nb") for cs in attacked.values() for c in cs), "the Norwegian columns must be attacked too"
    assert not _coverage_problems(injected), _coverage_problems(injected)
    assert injected.descriptor_texts > 400, injected.descriptor_texts

    started = time.perf_counter()
    pipeline.build_site(project, log=lambda *_: None)  # a BuildError (a citation or reference made of data) fails here
    print(f"injection build: {time.perf_counter() - started:.0f} s")

    problems = site_problems(project / "_site")
    assert not problems, f"{len(problems)} problems, first 40:\n" + "\n".join(problems[:40])


def test_the_checks_find_each_kind_of_markup_made_of_data(tmp_path: Path):
    """The parser-based checks above, on pages written by hand: a page showing every payload as typed passes; each
    way data text can become markup is named."""
    import html

    def site(body: str) -> Path:
        root = tmp_path / f"site{len(list(tmp_path.iterdir()))}"
        for prefix in ("", "nb/"):
            page = root / f"{prefix}index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f"<html><body><p>{html.escape(FULL)}</p>{body}</body></html>", encoding="utf-8")
        return root

    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><text>Felles $Qm3$</text></svg>').decode()
    assert site_problems(site(f'<img src="data:image/svg+xml;base64,{svg}" alt="x">')) == []
    live = {
        '<img src="https://example.invalid/p.png">': "payload's host",
        '<span onclick="alert(3)">Qspan1</span>': "onclick",
        '<span style="background:url(https://example.invalid/s.png)">x</span>': "url() in a style",
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>': "another host",
        '<script>window.MathJax = {};</script>': "MathJax",
        '<a href="javascript:alert(5)">Qjs1</a>': "javascript:",
        "<p>Qhtml1</p>": "Qhtml1: ",  # the marker shown without the rest of its payload: it became markup
        '<img alt="Qimg1" src="x.png">': "attribute (alt",
    }
    for markup, named in live.items():
        problems = site_problems(site(markup))
        assert any(named in p for p in problems), (markup, problems)
    root = tmp_path / "bare"
    for prefix in ("", "nb/"):
        (root / prefix).mkdir(parents=True, exist_ok=True)
        (root / prefix / "index.html").write_text("<p>nothing from data</p>", encoding="utf-8")
    assert any("shown nowhere as typed" in p for p in site_problems(root))


def _data_copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    return project


def test_every_family_reaches_every_free_text_column_it_can(tmp_path: Path):
    """The coverage of the injection build, from what :func:`_inject` did to a copy of ``data/`` (no build)."""
    injected = _inject(_data_copy(tmp_path))
    problems = _coverage_problems(injected)
    pairs = sum(len(r) for r in injected.reached.values())
    possible = sum(len(SHORT if k in injected.labels else PAYLOADS) for k in injected.reached)
    print(f"coverage: {len(injected.reached)} columns ({len(injected.labels)} labels), {pairs} of {possible} "
          f"(column, family) pairs; {injected.descriptor_texts} descriptor texts")
    assert not problems, "\n".join(problems)


def test_every_column_left_unattacked_is_refused_by_validation_or_never_shown(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch):
    """A column the injection build leaves alone (a code, a parsed value: an enum, a pattern, :data:`PARSED`) is safe
    only because validation refuses every family typed into it, in every resource that has it, or because no page
    shows it (:data:`NEVER_SHOWN`)."""
    from helpers import data

    project = _data_copy(tmp_path)
    descriptor = json.loads((project / "data" / "datapackage.json").read_text(encoding="utf-8"))
    attacked = _free_text_columns(descriptor)
    unconstrained = [f"{r['name']}.{f['name']}" for r in descriptor["resources"] for f in r["schema"]["fields"]
                     if f["name"] in PARSED and f.get("type", "string") == "string"
                     and not {"enum", "pattern"} & set(f.get("constraints", {})) and (r["name"], f["name"]) not in NEVER_SHOWN]
    assert not unconstrained, f"PARSED columns with neither an enum nor a pattern: {unconstrained}"
    # validation raises on the first problem; every refused cell is wanted here, in one run per file
    found: list = []
    monkeypatch.setattr(data, "_raise_first", lambda shown, problems: found.extend(problems))
    refusal = re.compile(r"not of the pattern|not an allowed value|is not an? (number|integer|date|boolean)")
    missed = []
    checked = 0
    for resource in descriptor["resources"]:
        name = resource["name"]
        guarded = [f["name"] for f in resource["schema"]["fields"]
                   if f["name"] not in attacked.get(name, {}) and (name, f["name"]) not in NEVER_SHOWN]
        if not guarded:
            continue
        path = project / "data" / resource["path"]
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        base = len(rows) + 2  # the line of the first row added (header = 1)
        # after a value the column holds: a pattern anchored on one alternative only ("A|B" read as "^A" or "B$")
        # admits whatever follows a good value
        good = {c: next((r[c] for r in rows if r[c].strip()), "") for c in guarded}
        for payload in PAYLOADS.values():
            rows.append({**rows[0], **{c: f"{good[c]} {payload}".strip() for c in guarded}})
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        found.clear()
        try:
            data.validate(name, project / "data")
        except data.DataValidationError:
            pass  # a rule of the package over the copied rows (shares adding up); the cells are in `found` already
        refused = {(p.row, p.column) for p in found if refusal.search(p.message)}
        for number, family in enumerate(PAYLOADS):
            missed += [f"{name}.{c}: {family}" for c in guarded if (base + number, c) not in refused]
            checked += len(guarded)
    assert checked > 500, checked
    assert not missed, f"{len(missed)} payloads validation lets through:\n" + "\n".join(missed)
