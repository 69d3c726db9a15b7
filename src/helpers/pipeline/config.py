"""What the build reads: the chapter list from ``_quarto.yml`` and the editions from Quarto's profiles.

The English edition is ``_quarto.yml`` alone (Quarto's default profile); every ``_quarto-<name>.yml`` beside it is
another edition, rendered with ``quarto render --profile <name>``. An edition's ``edition:`` block says where it is
published (``path``) and any papermill parameters beyond ``lang``, which every chapter receives from the edition's
Quarto ``lang``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .. import labels, parameters

QUARTO_FILE = "_quarto.yml"
LANDING_PAGES = ("index.qmd", "index.md", "index.ipynb")


class BuildError(RuntimeError):
    """The build stopped; the message says where and why. ``_site/`` was left as it was."""


@dataclasses.dataclass(frozen=True)
class Page:
    source: str  # path relative to the project root, as listed in _quarto.yml
    part: str | None = None
    appendix: bool = False

    @property
    def is_notebook(self) -> bool:
        return self.source.endswith(".ipynb")

    @property
    def stem(self) -> str:
        return Path(self.source).stem

    @property
    def output(self) -> str:
        return str(Path(self.source).with_suffix(".html"))


@dataclasses.dataclass(frozen=True)
class Edition:
    name: str
    profile: str | None  # None for the default profile
    lang: str
    prefix: str  # "" for the main edition, "nb/" for Norwegian
    parameters: dict[str, Any]
    config_file: str


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise BuildError(f"{path.name} is missing from {path.parent}") from err
    except UnicodeDecodeError as err:
        raise BuildError(f"{path.name} is not UTF-8 text: {err}") from err
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise BuildError(f"{path.name} is not valid YAML: {err}") from err
    if not isinstance(loaded, dict):
        raise BuildError(f"{path.name} must be a YAML mapping (key: value lines), found {type(loaded).__name__}")
    return loaded


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A profile's configuration over the default one (mappings merged key by key, other values replaced)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_quarto(root: Path, profile: str | None = None) -> dict[str, Any]:
    config = _read_yaml(root / QUARTO_FILE)
    if profile:
        config = merge(config, _read_yaml(root / f"_quarto-{profile}.yml"))
    return config


def pages(config: dict[str, Any]) -> list[Page]:
    """Every page of the book in reading order: chapters (with their parts), then appendices."""
    book = config.get("book") or {}
    result: list[Page] = []

    def walk(entries: Iterable[Any], appendix: bool, part: str | None = None) -> None:
        for entry in entries or []:
            if isinstance(entry, str):
                result.append(Page(entry, part, appendix))
            elif isinstance(entry, dict) and "part" in entry:
                walk(entry.get("chapters", []), appendix, str(entry["part"]))
            else:
                raise BuildError(f"{QUARTO_FILE}: cannot read chapter entry {entry!r}")

    walk(book.get("chapters", []), False)
    walk(book.get("appendices", []), True, "appendices")
    if not result or result[0].source not in LANDING_PAGES:
        raise BuildError(f"{QUARTO_FILE}: the first chapter must be the landing page, one of {', '.join(LANDING_PAGES)}")
    seen: set[str] = set()
    for page in result:
        if page.source in seen:
            raise BuildError(f"{QUARTO_FILE}: {page.source} is listed twice in the book's chapters")
        seen.add(page.source)
    return result


def profiles(root: Path) -> list[str]:
    """The profile of each edition besides the default, from the ``_quarto-<name>.yml`` files."""
    return sorted(p.name[len("_quarto-"):-len(".yml")] for p in root.glob("_quarto-*.yml"))


def editions(root: Path) -> list[Edition]:
    """The default edition first, then one per profile; each checked before anything runs."""
    result = []
    for profile in [None, *profiles(root)]:
        config = load_quarto(root, profile)
        config_file = f"_quarto-{profile}.yml" if profile else QUARTO_FILE
        own = _read_yaml(root / config_file)
        lang = own.get("lang") if profile else config.get("lang")
        if lang is None:
            raise BuildError(f"{config_file}: no 'lang' — every edition states its language (one of "
                             f"{', '.join(labels.LANGS)})")
        if lang not in labels.LANGS:
            raise BuildError(f"{config_file}: lang '{lang}' has no wording in helpers.labels; use one of "
                             f"{', '.join(labels.LANGS)}")
        spec = config.get("edition") or {}
        if not isinstance(spec, dict):
            raise BuildError(f"{config_file}: 'edition' must be a mapping with 'path' and 'parameters'")
        prefix = str((own.get("edition") or {}).get("path", "") if profile else "").strip("/")
        if profile and not prefix:
            raise BuildError(f"{config_file}: edition.path must name the folder of _site/ this edition goes to")
        params = {"lang": lang, **dict(spec.get("parameters") or {})}
        try:
            parameters.check_parameters(params)
        except parameters.ParameterError as err:
            raise BuildError(f"{config_file}, edition.parameters: {err}") from err
        result.append(Edition(profile or lang, profile, lang, f"{prefix}/" if prefix else "", params, config_file))
    names = [e.name for e in result]
    if len(set(names)) != len(names):
        raise BuildError(f"two editions share a name ({', '.join(names)}): each profile needs its own lang or name")
    return result


def declared_parameters(path: Path) -> dict[str, Any]:
    """The names a notebook declares in its ``parameters``-tagged cell (papermill's own reading of it)."""
    import papermill

    cells = notebook_cells(path)
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise BuildError(f"{path.name}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    return papermill.inspect_notebook(str(path))


def check_declared(path: Path, params: dict[str, Any]) -> None:
    try:
        parameters.check_parameters(params, declared=declared_parameters(path))
    except parameters.ParameterError as err:
        raise BuildError(f"{path.name}: {err}") from err


def notebook_cells(path: Path) -> list[dict[str, Any]]:
    """A notebook's cells, read as plain JSON (fast, and a clear error for a file that is not a notebook)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise BuildError(f"{QUARTO_FILE} lists {path.name}, which does not exist") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BuildError(f"{path}: not a valid notebook (JSON): {err}") from err
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise BuildError(f"{path}: not a valid notebook (no list of cells)")
    return cells


#: A Quarto conditional span: ``[text]{.content-visible when-profile="nb"}`` (also ``unless-profile``, ``.content-hidden``),
#: its quotes as Markdown writes them, as an HTML attribute (``&quot;``) or in JSON (``\"``).
_QUOTE = r'(?:"|&quot;|\\")'
_CONDITIONAL_SPAN = re.compile(r'\[([^\[\]]*)\]\{\.(content-visible|content-hidden)\s+(when|unless)-profile='
                               + _QUOTE + r'([^"&\\]*)' + _QUOTE + r'\s*\}')


def resolve_spans(text: str, profile: str | None) -> str:
    """``text`` with each conditional span replaced by its words where the edition rendered with ``profile`` (None:
    the default) shows them, and by nothing where it does not."""
    def shown(match: re.Match[str]) -> str:
        content, kind, when, profiles = match.groups()
        active = profile in profiles.replace(",", " ").split()
        visible = active if when == "when" else not active
        return content if visible == (kind == "content-visible") else ""

    return _CONDITIONAL_SPAN.sub(shown, text)


def edition_text(text: str, profile: str | None) -> str:
    """A heading's text as the edition rendered with ``profile`` shows it: conditional spans resolved, any trailing
    attribute block (``{#sec-… .unnumbered}``) removed."""
    return re.sub(r"\s*\{[^{}]*\}\s*$", "", resolve_spans(text, profile)).strip()


def page_title(root: Path, page: Page, profile: str | None = None) -> str:
    """The page's title in the edition rendered with ``profile``: a notebook's first level-1 heading (its
    conditional spans resolved for that edition), or a .qmd's ``title`` or first level-1 heading."""
    source = root / page.source
    if page.is_notebook:
        lines = [line for cell in notebook_cells(source) if cell.get("cell_type") == "markdown"
                 for line in "".join(cell.get("source", "")).splitlines()]
    else:
        text = source.read_text(encoding="utf-8")
        if text.startswith("---"):
            meta = yaml.safe_load(text.split("---", 2)[1]) or {}
            if isinstance(meta, dict) and meta.get("title"):
                return str(meta["title"])
        lines = text.splitlines()
    for line in lines:
        if line.startswith("# "):
            return edition_text(line[2:], profile) or page.stem
    return page.stem
