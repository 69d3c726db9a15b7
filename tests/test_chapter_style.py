"""Every chapter follows notebooks/README.md (the authoring rules), read from the notebooks' source, not their output:

- no number typed in Markdown: a number a reader sees in prose is an inline value (`` `{python} …` ``); the report's section, figure,
  table and appendix references, the strategy period 2021–2025, citations and ids are references and may be typed;
- every Markdown heading carries both editions' wording as conditional spans, never inside a conditional div;
- every chapter ends with the section "What this chapter adds" (id ending ``-adds``), its prose computed;
- no prose in code cells: no ``ch.say``/``display`` of Markdown, no sentence-long string outside ``ch.text``;
- ``lang`` is bound once, by the setup call: no other call takes it; ids are plain strings (no ``.astype(str)``);
  ``data.load`` is the one loader.

The landing page (index.ipynb, or an index.qmd) is prose too: its Markdown follows the number and heading rules, and a
notebook landing page follows the code rules.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from helpers.pipeline import config

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
INDEX = ROOT / config.pages(config.load_quarto(ROOT))[0].source  # the landing page, first in _quarto.yml

# --- Markdown: typed numbers ---------------------------------------------------------------------------------------

_NUMBER = r"\d+(?:\.\d+)*[a-z]?"
# "Figur 3", "Figures 7–10", "sec. 3.1.1", "sections 3.1 and 3.2", "kap. 2", "vedlegg 2", "Tabell 1", "appendix 2"
REFERENCE = re.compile(
    r"\b(?:fig(?:ur(?:e|es|en|ene|er)?)?\.?|tab(?:ell|le)(?:s|er|en|ene)?|kap(?:ittel|itlene|itler)?\.?"
    r"|ch(?:apters?)?\.|chapters?|sec(?:tions?)?\.?|seksjon(?:er|en|ene)?|avsnitt(?:et|ene)?|del(?:en)?"
    r"|vedlegg(?:et|ene)?|appendix|appendices|bilag(?:et)?)"
    rf"\s*{_NUMBER}(?:\s*(?:[–-]|,|and|og|or|eller|&)\s*{_NUMBER})*",
    flags=re.IGNORECASE)
STRATEGY_PERIOD = re.compile(r"2021\s*[–-]\s*2025")
# what is not prose: HTML comments, inline code, link targets, attribute blocks {…}, citations and cross-references
NOT_PROSE = [
    re.compile(r"<!--.*?-->", flags=re.S),
    re.compile(r"`[^`]*`"),
    re.compile(r"\]\([^)]*\)"),
    re.compile(r"\{[^{}]*\}"),
    re.compile(r"\[-?@[^\]]*\]"),
    re.compile(r"-?@[\w:.#/-]+"),
]
LIST_MARKER = re.compile(r"^(\s*)\d+[.)](\s)", flags=re.M)  # an ordered list's numbering is structure, not a number
FENCE = re.compile(r"^\s*(```|~~~)")


def _prose_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, line) of Markdown outside fenced code blocks."""
    out, fenced = [], False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append((number, line))
    return out


def typed_numbers(markdown: str) -> list[str]:
    """Each number typed in ``markdown`` as prose, with a little of its line for the failure message."""
    found = []
    for _, line in _prose_lines(markdown):
        text = LIST_MARKER.sub(r"\1\2", line)
        for pattern in NOT_PROSE:
            text = pattern.sub(" ", text)
        text = STRATEGY_PERIOD.sub(" ", REFERENCE.sub(" ", text))
        for match in re.finditer(r"\d+(?:[.,]\d+)*", text):
            found.append(f"{match.group()!r} in {' '.join(line.split())[:140]!r}")
    return found


# --- Markdown: headings ----------------------------------------------------------------------------------------------

SPAN = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\{\.content-visible (unless|when)-profile=\"nb\"\}")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
DIV_OPEN = re.compile(r"^\s*:::+\s*\{?[^}]*content-visible")
DIV_FENCE = re.compile(r"^\s*:::+")


@dataclass
class Heading:
    level: int
    text: str
    problem: str | None
    heading_id: str | None
    english: str | None


def headings(markdown: str) -> list[Heading]:
    """The Markdown headings of ``markdown``, each with what is wrong with it (None when it follows the rules)."""
    found, depth, conditional = [], 0, []
    for _, line in _prose_lines(markdown):
        if DIV_FENCE.match(line):
            if DIV_OPEN.match(line) or re.match(r"^\s*:::+\s*\S", line):
                conditional.append(bool(DIV_OPEN.match(line)))
            elif conditional:
                conditional.pop()
            continue
        match = HEADING.match(line)
        if not match:
            continue
        level, text = len(match.group(1)), match.group(2)
        spans = {kind: wording.strip() for wording, kind in SPAN.findall(text)}
        rest = SPAN.sub("", text)
        ids = re.findall(r"#([\w:.-]+)", " ".join(re.findall(r"\{([^}]*)\}", rest)))
        rest = re.sub(r"\{[^}]*\}", "", rest).strip()
        problem = None
        if any(conditional):
            problem = "is inside a conditional div (write one heading with both languages as spans)"
        elif set(spans) != {"unless", "when"} or not all(spans.values()):
            problem = ('lacks the two language spans [English]{.content-visible unless-profile="nb"}'
                       '[norsk]{.content-visible when-profile="nb"}')
        elif rest:
            problem = f"has text outside the language spans: {rest!r}"
        found.append(Heading(level, text, problem, ids[0] if ids else None, spans.get("unless")))
    return found


# --- code cells --------------------------------------------------------------------------------------------------

def _tree(source: str) -> ast.AST | None:
    lines = ["" if re.match(r"\s*[%!]", line) else line for line in source.splitlines()]  # IPython magics
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "…"


def code_problems(source: str) -> tuple[list[str], int]:
    """What in one code cell breaks the rules, and how many setup calls bind ``lang``."""
    tree = _tree(source)
    if tree is None:
        return ["does not parse as Python"], 0
    problems, setups = [], 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        line = f"line {node.lineno}: {ast.unparse(node)[:90]}"
        takes_lang = any(k.arg == "lang" for k in node.keywords) or any(
            isinstance(a, ast.Name) and a.id == "lang" for a in [*node.args, *(k.value for k in node.keywords)])
        if name.split(".")[-1] == "setup" and takes_lang:
            setups += 1
        elif takes_lang:
            problems.append(f"passes lang again ({line}); lang is bound once, by notebook.setup")
        if name.endswith(".astype") and node.args and (
                (isinstance(node.args[0], ast.Name) and node.args[0].id == "str")
                or (isinstance(node.args[0], ast.Constant) and node.args[0].value == "str")):
            problems.append(f".astype(str) ({line}); codes and ids are plain strings already")
        last = name.split(".")[-1]
        if last == "say" or name in ("display", "IPython.display.display", "Markdown", "display_markdown"):
            problems.append(f"writes prose from a code cell ({line}); prose is a Markdown cell with inline values")
        if (last.startswith("read_") or last in ("open", "loadtxt", "genfromtxt") or name in ("json.load", "np.load")
                or (name.startswith("data.") and name != "data.load" and last.lstrip("_").startswith("load"))):
            problems.append(f"reads data another way than data.load ({line})")
    problems += prose_strings(tree)
    return sorted(problems, key=lambda p: int(re.search(r"line (\d+)", p).group(1))), setups


#: A string this long in a code cell, outside a short bilingual text (``ch.text``), is a paragraph hidden from editors.
PROSE_WORDS = 16


def prose_strings(tree: ast.AST) -> list[str]:
    """Sentences written as string literals in code (f-strings included), except inside ``ch.text(…)`` and
    ``ch.caption(…)`` (a caption's two templates)."""
    short_texts = {id(n) for call in ast.walk(tree) if isinstance(call, ast.Call)
                   and _dotted(call.func).endswith((".text", ".caption")) for arg in call.args for n in ast.walk(arg)}
    found = []
    for node in ast.walk(tree):
        if id(node) in short_texts or not isinstance(node, (ast.Constant, ast.JoinedStr)):
            continue
        if isinstance(node, ast.Constant) and not isinstance(node.value, str):
            continue
        text = node.value if isinstance(node, ast.Constant) else "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if len(re.findall(r"[^\W\d_]{2,}", text)) >= PROSE_WORDS:
            short_texts.update(id(n) for n in ast.walk(node))  # an f-string's parts are not found again
            found.append(f"line {node.lineno}: prose in a code cell ({' '.join(text.split())[:70]!r}…); write it in a "
                         "Markdown cell with inline values")
    return found


#: Calls whose arguments a reader sees (a caption, alt text, a label, a title, a short bilingual text, prose), and
#: keyword arguments that carry such text whatever the call.
READER_CALLS = {"text", "say", "figure", "table", "set_title", "set_xlabel", "set_ylabel", "suptitle", "annotate",
                "title", "xlabel", "ylabel", "legend", "Markdown", "display_markdown", "display", "counted"}
READER_KEYWORDS = {"caption", "alt", "title", "label", "xlabel", "ylabel", "note", "notes", "subtitle", "one", "many",
                   "none", "en", "nb"}
#: A string literal with this many words is prose wherever it is written.
READER_WORDS = 3


def _literal_text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's typed parts, each computed value replaced by a space."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " " for v in node.values)
    return None


def code_typed_numbers(source: str) -> list[str]:
    """Numbers typed in a code cell's text that a reader sees: every string passed to a reader-facing call or keyword
    (``ch.text``, ``caption=``, ``alt=``, ``ch.say``, titles and labels), and every string of a few words."""
    tree = _tree(source)
    if tree is None:
        return []
    shown: set[int] = set()
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        if _dotted(call.func).split(".")[-1] in READER_CALLS:
            shown.update(id(n) for arg in call.args for n in ast.walk(arg))
        for keyword in call.keywords:
            if keyword.arg in READER_KEYWORDS:
                shown.update(id(n) for n in ast.walk(keyword.value))
    found, inside_fstring = [], {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        text = None if id(node) in inside_fstring else _literal_text(node)
        if text is None or not (id(node) in shown or len(re.findall(r"[^\W\d_]{2,}", text)) >= READER_WORDS):
            continue
        found += [f"line {node.lineno}: {n}" for n in typed_numbers(text)]
    return found


# --- the checks on small sources (fast and proving each check can fail) ------------------------------------------

def test_typed_numbers_are_found_and_references_are_not():
    assert typed_numbers("With 1969 of 4691 employees answering") == [
        "'1969' in 'With 1969 of 4691 employees answering'", "'4691' in 'With 1969 of 4691 employees answering'"]
    assert len(typed_numbers("About 58 % did not answer.")) == 1
    allowed = ("Redrawn from the report's Figur 3 and Figures 7–10 [@dfo2023, sec. 3.1.1], see section 3.2 and "
               "kap. 2, vedlegg 2, Tabell 1 and appendix 2; the strategy *Best sammen 2021–2025*; "
               "@fig-awareness, [Audit](05-audit.ipynb#sec-second-look), `leader_share = 0.14` {#sec-x}\n"
               "1. a numbered list item <!-- 42 -->")
    assert typed_numbers(allowed) == []
    assert typed_numbers("```python\nx = 12\n```\nno numbers here") == []


def test_numbers_typed_in_a_code_cells_reader_text_are_found_and_computed_ones_are_not():
    assert code_typed_numbers('ch.say(f"among 1969 respondents", "x")') == [
        "line 1: '1969' in 'among 1969 respondents'"]
    assert len(code_typed_numbers("cap = ch.text('Awareness, 58 % of leaders', 'Kjennskap, 58 % av lederne')")) == 2
    assert len(code_typed_numbers("ch.figure(fig, alt, figure_id='fig-x', data=d, caption=f'Shares ({n} of 4691)')")) == 1
    assert code_typed_numbers("label = 'Employees who answered in 2023 and later'") != []
    computed = ("ch.figure(fig, f'Bars for {ch.count(n)} answers', figure_id='fig-x', data=d.query('year == 2023'), "
                "caption=ch.text(f'Awareness among {ch.count(n)} respondents, redrawn from Figure 3 [@dfo2023]', "
                "f'Kjennskap blant {ch.count(n)}, figur 3'))\nframe = data.load('survey_2023')\nx = d['share_2023']")
    assert code_typed_numbers(computed) == []


def test_headings_without_both_spans_or_inside_a_conditional_div_are_named():
    good = '## [Who answered]{.content-visible unless-profile="nb"}[Hvem svarte]{.content-visible when-profile="nb"} {#sec-who}'
    assert headings(good)[0].problem is None and headings(good)[0].heading_id == "sec-who"
    assert headings(good)[0].english == "Who answered"
    assert "lacks the two language spans" in headings("## Who answered {#sec-who}")[0].problem
    inside = '::: {.content-visible when-profile="nb"}\n## Hvem svarte\n:::\n'
    assert "inside a conditional div" in headings(inside)[0].problem
    extra = ('## Leaders [Who]{.content-visible unless-profile="nb"}[Hvem]{.content-visible when-profile="nb"}')
    assert "outside the language spans" in headings(extra)[0].problem


def test_prose_in_a_code_cell_is_named_and_short_texts_are_not():
    paragraph = ("ch.say(f'The survey went to {n} employees in spring, and most of them answered it within "
                 "the first three weeks of the fieldwork period', 'x')")
    problems, _ = code_problems(paragraph)
    assert any("writes prose from a code cell" in p for p in problems)
    assert any("prose in a code cell" in p for p in problems)
    assert any("prose in a code cell" in p for p in code_problems(
        "note = 'A long sentence that a reader sees on the page and a researcher cannot spell check in JupyterLab ever'")[0])
    caption = ("ch.figure(fig, alt, figure_id='fig-x', data=d, caption=ch.text('Knowledge of the strategy, by role, "
               "redrawn from the figure of the report with every value that the text we work from lets us read', 'x'))")
    assert code_problems(caption)[0] == []


def test_code_that_passes_lang_again_casts_to_str_or_reads_files_is_named():
    problems, setups = code_problems(
        'ch = notebook.setup("01", lang=lang)\n'
        'x = frame["item"].astype(str)\n'
        'fig = plots.bars(frame, lang=lang)\n'
        'raw = pd.read_csv("data/survey_answers.csv")\n'
        'ok = data.load("survey_answers")\n')
    assert setups == 1
    assert [p.split(" (")[0] for p in problems] == [".astype(str)", "passes lang again", "reads data another way than data.load"]
    assert code_problems("%matplotlib inline\nx = data.load('a')") == ([], 0)


# --- the chapters --------------------------------------------------------------------------------------------------

def _cells(path: Path) -> list:
    return nbformat.read(path, as_version=4).cells


def _ids(paths):
    return [pytest.param(p, id=p.stem) for p in paths]


def _where(path: Path, index: int) -> str:
    return f"{path.relative_to(ROOT)} cell {index + 1}"  # counted from 1, as they appear top to bottom


@pytest.mark.parametrize("path", _ids(NOTEBOOKS))
def test_no_number_is_typed_in_a_markdown_cell(path):
    typed = [f"{_where(path, i)}: {n}" for i, cell in enumerate(_cells(path)) if cell.cell_type == "markdown"
             for n in typed_numbers(cell.source)]
    assert not typed, ("numbers typed in Markdown (compute them in a ch.say cell from data/):\n  "
                       + "\n  ".join(typed[:20]) + (f"\n  … and {len(typed) - 20} more" if len(typed) > 20 else ""))


@pytest.mark.parametrize("path", _ids(NOTEBOOKS + ([INDEX] if INDEX.suffix == ".ipynb" else [])))
def test_no_number_is_typed_in_text_a_code_cell_shows(path):
    typed = [f"{_where(path, i)}: {n}" for i, cell in enumerate(_cells(path)) if cell.cell_type == "code"
             for n in code_typed_numbers(cell.source)]
    assert not typed, ("numbers typed in text a reader sees (a caption, label, alt text or ch.text in a code cell; "
                       "compute them from data/ and format them with ch.num / ch.count / ch.pct):\n  "
                       + "\n  ".join(typed[:20]) + (f"\n  … and {len(typed) - 20} more" if len(typed) > 20 else ""))


@pytest.mark.parametrize("path", _ids(NOTEBOOKS))
def test_every_heading_carries_both_languages(path):
    bad = [f"{_where(path, i)}: {h.text[:80]!r} {h.problem}" for i, cell in enumerate(_cells(path))
           if cell.cell_type == "markdown" for h in headings(cell.source) if h.problem]
    assert not bad, "headings that do not follow notebooks/README.md:\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("path", _ids(NOTEBOOKS))
def test_every_chapter_ends_with_what_it_adds(path):
    cells = _cells(path)
    sections = [(i, h) for i, cell in enumerate(cells) if cell.cell_type == "markdown"
                for h in headings(cell.source) if h.level <= 2]
    assert sections, f"{path.name}: no headings"
    index, last = sections[-1]
    ends_right = (last.level == 2 and (last.heading_id or "").endswith("-adds")
                  and (last.english or "").strip().lower() == "what this chapter adds")
    assert ends_right, (
        f"{_where(path, index)}: the chapter's last section is {last.text[:80]!r}, not "
        f"'## [What this chapter adds]{{…unless-profile…}}[Hva kapitlet tilfører]{{…when-profile…}}' "
        f"with an id ending in -adds")
    computed = [c for c in cells[index + 1:] if c.cell_type == "markdown" and "`{python} " in c.source]
    assert computed, f"{path.name}: 'What this chapter adds' has no computed prose (inline values in its Markdown)"


@pytest.mark.parametrize("path", _ids(NOTEBOOKS + ([INDEX] if INDEX.suffix == ".ipynb" else [])))
def test_code_binds_lang_once_keeps_ids_plain_and_loads_through_data_load(path):
    problems, setups = [], 0
    for i, cell in enumerate(_cells(path)):
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        found, n = code_problems(cell.source)
        setups += n
        problems += [f"{_where(path, i)}: {p}" for p in found]
    assert setups == 1, f"{path.name}: lang must be bound by exactly one notebook.setup(…, lang=lang) call, found {setups}"
    assert not problems, "code that breaks notebooks/README.md:\n  " + "\n  ".join(problems)


def _index_body() -> str:
    if INDEX.suffix == ".ipynb":  # its prose is the Markdown cells; the numbers are computed in its code cells
        return "\n\n".join(cell.source for cell in _cells(INDEX) if cell.cell_type == "markdown")
    text = INDEX.read_text(encoding="utf-8")
    return re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # the front matter is configuration


def test_the_landing_page_types_no_number():
    typed = typed_numbers(_index_body())
    assert not typed, f"{INDEX.name}: numbers typed in prose:\n  " + "\n  ".join(typed)


def test_the_landing_pages_headings_carry_both_languages():
    bad = [f"{h.text[:80]!r} {h.problem}" for h in headings(_index_body()) if h.problem]
    assert not bad, f"{INDEX.name}: headings that do not follow notebooks/README.md:\n  " + "\n  ".join(bad)
