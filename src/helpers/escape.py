"""Data text made inert for the place it lands in: one function per context, nothing else escapes.

Text from ``data/`` is always text. Where it lands decides how it must be written so that a reader sees exactly its
characters and a browser builds nothing from it:

- :func:`markdown` — Markdown prose, captions, bullets (Pandoc reads it): every ASCII punctuation mark
  backslash-escaped, so no image, link, span, attribute, math, citation, cross-reference or shortcode can start; the
  result (:class:`Escaped`) remembers the text, which a figure or a table shows instead;
- :func:`code` — a name or value shown as typed, in a code span (a file name, a licence's identifier);
- :func:`markdown_with_code` — descriptor text (``data/datapackage.json``, whose descriptions the Data Package
  standard writes in Markdown): its backtick spans shown as code, everything else as :func:`markdown`;
- :func:`markdown_attribute` — the value of a Pandoc attribute in double quotes (``fig-alt="…"``), which Pandoc reads
  with its backslash escapes and HTML entities decoded;
- :func:`html_attribute` and :func:`html_text` — HTML written by ``helpers`` itself (JupyterLab's view of a figure,
  a table's label);
- SVG text needs nothing here: matplotlib writes it XML-escaped, and the theme sets ``text.parse_math: False`` so a
  ``$`` is never TeX (``helpers/plots/theme.mplstyle``).

A caption is the author's Markdown (citations ``[@key]``, cross-references ``@fig-…``) with data values put in only
through :func:`markdown`: :func:`caption` fills a template's ``{name}`` fields that way, and ``Chapter.figure`` and
``Chapter.table`` take only a :class:`Caption`.
"""

from __future__ import annotations

import html
import re
import string

# quotation marks are left to Pandoc's typography (smart quotes), as in the prose around the value: they start no markup
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation.replace("'", "").replace('"', "")) + "])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")  # control and bidi-override characters
_LINE_BREAKS = re.compile(r"\s*\n\s*")


class Markdown(str):
    """Markdown a helper or an author wrote (a link, a cross-reference, emphasis): shown as markup, not escaped."""


class Caption(Markdown):
    """A caption: the author's Markdown with every data value escaped (:func:`caption`)."""


class Escaped(str):
    """Data text escaped for Markdown prose by :func:`markdown`, holding the characters it shows (:attr:`text`).

    A figure or a table never reads Markdown: it shows :attr:`text` (``helpers.tables.as_written``). The type, not a
    look at the characters, says the text was escaped: data text may itself hold a backslash before punctuation
    (``C:\\.config``), and that is shown as typed. Text built from an escaped value (``f"{markdown(x)}…"``) is a plain
    ``str`` again and is shown as it is, backslashes and all."""

    text: str

    def __new__(cls, escaped: str, text: str) -> Escaped:
        self = super().__new__(cls, escaped)
        self.text = text
        return self

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        # copy and pickle rebuild a str subclass from these: without the text, the copy could not be made
        return str(self), self.text


def plain(text: str) -> str:
    """``text`` on one line without control or bidi-override characters: what every context shows of it."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", str(text)))


def markdown(text: str) -> Escaped:
    """``text`` as Markdown that shows exactly these characters: every ASCII punctuation mark backslash-escaped
    (Pandoc reads ``\\(`` as a plain parenthesis), line breaks as spaces, control characters dropped. The result
    remembers those characters (:class:`Escaped`), for a figure or a table to show them."""
    shown = plain(text)
    return Escaped(_PUNCTUATION.sub(r"\\\1", shown), shown)


def code(text: str) -> Markdown:
    """``text`` as a Markdown code span: a run of backticks longer than any inside it (Pandoc's rule), padded with
    spaces where the text starts or ends with a backtick; a shortcode's ``{{<`` broken as in
    :func:`markdown_attribute` (Quarto reads shortcodes inside code too)."""
    value = plain(text).replace("{{<", "{{\u2060<")
    fence = "`" * (max((len(run) for run in re.findall("`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return Markdown(f"{fence}{pad}{value}{pad}{fence}")


_CODE_SPAN = re.compile(r"`([^`]+)`")


def markdown_with_code(text: str) -> Markdown:
    """Descriptor text as Markdown: each span between two backticks a code span (:func:`code`), the rest escaped (:func:`markdown`);
    an unpaired backtick is shown as itself."""
    parts, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        parts += [markdown(text[last:match.start()]), code(match.group(1))]
        last = match.end()
    return Markdown("".join(parts + [markdown(text[last:])]))


def html_with_code(text: str) -> str:
    """Descriptor text as HTML element content: the HTML twin of :func:`markdown_with_code`."""
    parts, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        parts += [html_text(text[last:match.start()]), f"<code>{html_text(match.group(1))}</code>"]
        last = match.end()
    return "".join(parts + [html_text(text[last:])])


def markdown_attribute(text: str) -> str:
    """``text`` as the inside of a double-quoted Pandoc attribute value (``fig-alt="…"``): Pandoc decodes backslash
    escapes and HTML entities there, so a backslash, a quotation mark and an ampersand are written as escapes of
    themselves; the HTML writer then escapes the value for the page's attribute. A shortcode's opening ``{{<`` gets
    an invisible word joiner (U+2060) after its braces."""
    value = plain(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    # Quarto reads an attribute holding "{{<" as Markdown with a shortcode (no escape survives Pandoc's decoding): an
    # invisible word joiner keeps the characters shown and breaks the shortcode's opening
    return value.replace("{{<", "{{\u2060<")


def html_attribute(text: str) -> str:
    """``text`` as an HTML attribute value in double quotes."""
    return html.escape(plain(text), quote=True)


def html_text(text: str) -> str:
    """``text`` as HTML element content."""
    return html.escape(plain(text), quote=False)


def value(item: object) -> str:
    """One value put into Markdown: :class:`Markdown` as it is, anything else as escaped text."""
    return str(item) if isinstance(item, Markdown) else markdown(str(item))


def caption(template: str, **values: object) -> Caption:
    """The author's caption ``template`` (Markdown: ``[@dfo2023, sec. 3.1]``, ``@fig-awareness``) with each
    ``{name}`` field filled by ``values[name]`` escaped (:func:`value`). A field without a value, or a value without
    a field, is an error: a caption never shows a stray brace or loses a value."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    if fields != set(values):
        missing, unused = sorted(fields - set(values)), sorted(set(values) - fields)
        raise ValueError(f"caption {template[:60]!r}…: fields without a value {missing}, values without a field {unused}")
    if any(not name.isidentifier() for name in fields):
        raise ValueError(f"caption {template[:60]!r}…: fields are plain names ({{name}}), got {sorted(fields)}")
    return Caption(template.format(**{name: value(v) for name, v in values.items()}))
