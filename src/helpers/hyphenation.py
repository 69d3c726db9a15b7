"""Where a word may be broken with a hyphen, by the edition's hyphenation dictionary (pyphen: LibreOffice's
patterns): figures wrap their labels there (:mod:`helpers.plots`), and tables offer the browser the same points as
soft hyphens, so a narrow column breaks «dokumentasjons-forvaltningen» at a syllable, never mid-syllable."""

from __future__ import annotations

import re

from . import labels

#: pyphen's dictionaries for the editions' languages
_HYPHENATION = {"en": "en_GB", "nb": "nb_NO"}
_hyphenators: dict[str, object] = {}
SOFT_HYPHEN = "\u00ad"
#: words shorter than this stay whole: a table column is never narrower than a short word
_LONG_WORD = 10


def _hyphenator(lang: str):
    import pyphen

    if lang not in _hyphenators:
        _hyphenators[lang] = pyphen.Pyphen(lang=_HYPHENATION[lang], left=2, right=3)
    return _hyphenators[lang]


def hyphenation_points(word: str, lang: str | None = None) -> list[int]:
    """Where ``word`` may be broken with a hyphen in ``lang`` (default: the edition's), by its hyphenation
    dictionary: indexes into ``word``, punctuation around it (brackets, quotes) left out of the search."""
    lang = lang or labels.current()
    match = re.search(r"[^\W\d_](?:.*[^\W\d_])?", word)
    if not match:
        return []
    core = match.group(0)
    if not core.isalpha() or core.isupper():  # "IKT-organisasjon", "2021–2025", "DATATILSYNET": no dictionary word
        return []
    return [match.start() + k for k in _hyphenator(lang).positions(core)]


def soft_hyphens(text: str, lang: str | None = None) -> str:
    """``text`` with a soft hyphen (U+00AD, shown only where the browser breaks the line) at each dictionary point of
    every word of at least ten letters; the letters themselves unchanged. For element content only: an attribute
    or a search keeps the plain text."""
    def hyphenate(match: re.Match[str]) -> str:
        word = match.group(0)
        points = hyphenation_points(word, lang)
        return "".join(word[a:b] + (SOFT_HYPHEN if b < len(word) else "")
                       for a, b in zip([0, *points], [*points, len(word)]))

    return re.sub(rf"[^\W\d_]{{{_LONG_WORD},}}", hyphenate, text)
