"""What a reader of a built page sees as text, element by element (shared by the language and table tests).

A page is read as a reader meets it: every paragraph, list item, heading, table header and cell, caption, image alt
text and the words drawn in a figure (SVG text), each counted once, in the innermost of these elements that holds it. Text a reader does not read as the
page's language is left out: scripts and styles, code, anything marked ``lang=`` another language (a Norwegian source
term in the English edition), names marked ``translate="no"`` (a system's name as a slide printed it), the bibliography's entries and citations (authors' names and titles are in the language
they were published in), and what is hidden (Quarto's search results box, ``aria-hidden``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from bs4 import BeautifulSoup, NavigableString, Tag

# the elements whose text a reader reads as one piece
BLOCKS = frozenset({"title", "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "th", "td", "figcaption", "caption", "dt",
                    "dd", "blockquote", "summary"})
NEVER_TEXT = frozenset({"script", "style", "code", "pre", "svg", "math", "noscript", "template", "kbd", "samp"})


@dataclass(frozen=True)
class Piece:
    tag: str  # "p", "td", "img[alt]", ...
    where: str  # the nearest ancestor with an id, for the failure message ("#tbl-sample", "#quarto-sidebar")
    text: str


def _left_out(element: Tag, lang: str) -> bool:
    if element.name in NEVER_TEXT:
        return True
    marked = element.get("lang")
    if marked and marked.split("-")[0].lower() != lang:
        return True
    if element.get("translate") == "no":  # HTML's mark for a proper name kept as it is in every language
        return True
    classes = element.get("class") or []
    if element.get("id") in ("quarto-search-results", "refs") or "csl-entry" in classes or "citation" in classes:
        return True
    return element.get("aria-hidden") == "true" or element.has_attr("hidden")


def _own_text(element: Tag, lang: str) -> str:
    """The element's text without nested pieces (read on their own) and without left-out parts."""
    parts = []
    for child in element.children:
        if isinstance(child, Tag):
            if not _left_out(child, lang) and child.name not in BLOCKS:
                parts.append(_own_text(child, lang))
        elif type(child) is NavigableString:  # not a comment, CDATA or doctype
            parts.append(str(child))
    # a long word's soft hyphens (the claim list) are not read: a reader hears, and a line shows, the word whole
    return " ".join("".join(parts).replace("\u00ad", "").split())


def _where(element: Tag) -> str:
    for parent in element.parents:
        if isinstance(parent, Tag) and parent.get("id"):
            return f"#{parent['id']}"
    return "page"


def svg_text(src: str) -> str:
    """The words of an SVG figure (a data URI or a file's path; text kept as <text>), one label after another: read together, since a
    single tick label is too short to tell its language."""
    import base64
    import xml.etree.ElementTree as ET
    from urllib.parse import unquote

    if src.startswith("data:"):
        header, _, payload = src.partition(",")
        svg = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload).encode()
    else:  # a figure's layout as a file beside the page
        svg = Path(src).read_bytes()
    labels = ["".join(t.itertext()) for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    return " ".join(" ".join(labels).split())


def pieces(html: str, lang: str, base: Path | None = None) -> list[Piece]:
    """Every piece of text a reader of the page reads as the page's language ``lang`` (see the module docstring);
    ``base``, the page's folder, to read its figures' SVG files too."""
    soup = BeautifulSoup(html, "html.parser")
    found: list[Piece] = []

    def walk(element: Tag) -> None:
        for child in element.children:
            if not isinstance(child, Tag) or _left_out(child, lang):
                continue
            if child.name in BLOCKS:
                found.append(Piece(child.name, _where(child), _own_text(child, lang)))
            if child.name == "img" and child.get("alt", "").strip():
                found.append(Piece("img[alt]", _where(child), " ".join(child["alt"].split())))
            if child.name == "img" and child.get("src", "").startswith("data:image/svg+xml"):
                found.append(Piece("img[svg text]", _where(child), svg_text(child["src"])))
            for name, attribute in (("img", "src"), ("source", "srcset")):  # both layouts of a figure, as files
                if child.name == name and base is not None and child.get(attribute, "").endswith(".svg"):
                    found.append(Piece(f"{name}[svg text]", _where(child),
                                       svg_text(str(base / unquote(child[attribute])))))
            walk(child)

    walk(soup)
    return [p for p in found if p.text]


def read(path: Path, lang: str) -> list[Piece]:
    return pieces(path.read_text(encoding="utf-8"), lang, base=path.parent)
