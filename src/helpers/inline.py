"""Values shown inside Markdown prose: `` `{python} ch.pct(share)` `` in a Markdown cell.

While a notebook executes, the build asks the kernel for every inline expression of a Markdown cell at that cell's
position (the Jupyter protocol's ``user_expressions``) and records the answer in the cell's
``metadata.user_expressions``, where Quarto 1.7 reads it when it renders the executed notebook. The kernel is asked
for :func:`as_markdown` of the expression, so every value reaches the page through one rule: text is text (Markdown
punctuation in a name from ``data/`` is escaped, never markup), numbers are formatted by the edition's formatters
(``helpers.labels``: a bare float is refused, it has no number of decimals), and only :class:`Markdown` built by
``helpers`` (a cross-reference, a link) passes as markup.
"""

from __future__ import annotations

import re

from .escape import Markdown
from .escape import markdown as escape  # the one Markdown escape (helpers.escape); prose calls it inline.escape

__all__ = ["EXPRESSION", "Markdown", "as_markdown", "bullets", "escape", "expressions", "in_language",
           "kernel_expression"]

#: Quarto's own pattern for an inline expression (``src/core/execute-inline.ts``), applied line by line as Quarto does.
EXPRESSION = re.compile(r"(^|[^`])`\{python\}[ \t]([^`]+)`")


def expressions(source: str) -> list[str]:
    """The inline expressions of a Markdown cell's source, in order, as Quarto finds them."""
    return [m.group(2).strip() for line in source.splitlines() for m in EXPRESSION.finditer(line)]


def as_markdown(value: object) -> str:
    """What an inline expression's value shows on the page, as Markdown."""
    if isinstance(value, Markdown):
        return str(value)
    if isinstance(value, bool) or value is None:
        raise TypeError(f"an inline value is {value!r}: say in words what it means (yes/no, not stated)")
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value, "dtype").kind in "iu"):
        from .labels import count

        return escape(count(int(value)))  # type: ignore[arg-type]
    raise TypeError(f"an inline value is {type(value).__name__} {value!r}: format it with ch.num(x, decimals), "
                    "ch.pct(x) or ch.points(x), which write the edition's decimal comma and no-break spaces")


def kernel_expression(expression: str) -> str:
    """The expression the build sends to the kernel for ``expression``: its value as page Markdown."""
    return f"__import__('helpers.inline', fromlist=['as_markdown']).as_markdown(({expression}))"


def in_language(text: str, lang: str) -> Markdown:
    """``text`` (a name from ``data/``) as Markdown marked as written in ``lang`` — ``[Regeringskansliet]{lang="sv"}``
    — so a screen reader pronounces it in that language; the text itself is escaped."""
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", lang):
        raise ValueError(f"in_language: {lang!r} is not a language tag")
    return Markdown(f'[{escape(text)}]{{lang="{lang}"}}')


def bullets(items: list[str]) -> Markdown:
    """A Markdown bullet list, one item a line, each item's text escaped: a list generated from data, shown as one
    inline value on a line of its own (a blank line before it)."""
    return Markdown("\n".join(f"- {item if isinstance(item, Markdown) else escape(item)}" for item in items))
