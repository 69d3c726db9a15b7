"""Variant pages: one chapter executed with other assumptions, rendered beside the published site.

``python -m helpers.pipeline variant 01-awareness -p leader_share 0.2`` brings the published site up to date, executes
the chapter in every edition with those values (the build's executor, :func:`helpers.pipeline.execute.run`), and renders
it with Quarto in a copy of each edition's Quarto project, so the published pages and their cache are never touched.
The variant opens with a banner naming the parameters and linking to the published page, and a table "what changed":
every recorded inline value and every number the chapter's figures draw, published against variant, changed first.

The pages are kept in ``_build/variants/<chapter>/<slug>/site/`` and published at ``_site/variants/<chapter>/<slug>/``
(the Norwegian edition under ``nb/`` there, as on the site). A site build copies every kept variant into the site it
publishes (:func:`assemble_into`), so variants survive ``make site``; ``make clean`` removes them with ``_build/``.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from .. import paths
from ..parameters import ParameterError, check_parameters, spec
from . import config, execute, publish, quarto, render
from .config import BuildError, Edition, Page

Log = Callable[..., None]
VARIANTS = "variants"
#: Columns of a figure's CSV that say where a number comes from, not what it is
PROVENANCE = {"source", "section", "figure", "kind", "evidence", "note", "place", "place_in_report"}

_WORDS = {
    "en": {"title": "A variant of this chapter", "not_published": "This is not the published page. It was executed "
           "with other assumptions than the published one:", "published_value": "published", "link": "The published page",
           "what_changed": "What changed", "where": "Where", "value": "Value", "published": "Published",
           "variant": "Variant", "changed": "Changed", "yes": "yes", "no": "no", "summary": "{changed} of {total} "
           "values differ from the published page.", "inline": "in the text", "figure": "figure",
           "unchanged_rest": "{n} other numbers in this figure, unchanged"},
    "nb": {"title": "En variant av dette kapitlet", "not_published": "Dette er ikke den publiserte siden. Den er "
           "kjørt med andre forutsetninger enn den publiserte:", "published_value": "publisert",
           "link": "Den publiserte siden", "what_changed": "Hva som endret seg", "where": "Hvor", "value": "Verdi",
           "published": "Publisert", "variant": "Variant", "changed": "Endret", "yes": "ja", "no": "nei",
           "summary": "{changed} av {total} verdier er annerledes enn på den publiserte siden.", "inline": "i teksten",
           "figure": "figur", "unchanged_rest": "{n} andre tall i denne figuren, uendret"},
}


def find_page(root: Path, name: str) -> Page:
    matches = [p for p in config.pages(config.load_quarto(root)) if p.is_notebook and name in (p.stem, p.source)]
    if not matches:
        raise BuildError(f"no chapter '{name}' in {config.QUARTO_FILE}")
    return matches[0]


def check_variant(root: Path, page: Page, params: dict[str, Any]) -> None:
    """Refuse, before anything runs, a variant without parameters, one that sets ``lang``, or a parameter the
    chapter does not declare or a value outside its allowed set (named with what is allowed)."""
    if not params:
        raise ParameterError(f"{page.stem}: a variant needs at least one parameter (-p NAME VALUE)")
    if "lang" in params:
        raise ParameterError("parameter 'lang' is set by each edition; a variant is rendered in all of them")
    config.check_declared(root / page.source, params)


def slug(params: dict[str, Any]) -> str:
    """A folder name for the parameters: ``correction-none_leader_share-0.2``."""
    text = "_".join(f"{k}-{v}" for k, v in sorted(params.items()))
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")


def variant_dir(root: Path, page: Page, params: dict[str, Any]) -> Path:
    return root / "_build" / VARIANTS / page.stem / slug(params)


# --------------------------------------------------------------------------------------------------------------------
# What a reader sees: the recorded inline values and the figures' numbers


def _heading(line: str, profile: str | None) -> str | None:
    match = re.match(r"^(#{1,4})\s+(.*)$", line)
    return config.edition_text(match.group(2), profile) if match else None


def recorded_values(notebook: Path, profile: str | None = None) -> list[dict[str, Any]]:
    """Every inline value the run recorded, in reading order: the section it is in, its expression, its text.

    Cells are counted without papermill's injected cell, so runs with different parameters line up.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    values, section, index = [], "", 0
    for cell in cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        index += 1
        if cell.get("cell_type") != "markdown":
            continue
        for line in "".join(cell.get("source", "")).splitlines():
            section = _heading(line, profile) or section
        for entry in cell.get("metadata", {}).get("user_expressions", []):
            markdown = entry.get("result", {}).get("data", {}).get("text/markdown", "")
            values.append({"cell": index, "section": section, "expression": entry.get("expression", ""),
                           "value": " ".join(str(markdown).split())})
    return values


def figure_numbers(folder: Path) -> dict[str, pd.DataFrame]:
    """Each figure's CSV (what it draws) without its provenance columns, by figure id."""
    import pandas as pd

    found = {}
    for path in sorted(folder.glob("fig-*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        found[path.stem] = frame[[c for c in frame.columns if c not in PROVENANCE]]
    return found


def what_changed(published: Path, variant: Path, published_figures: Path, variant_figures: Path,
                 profile: str | None, lang: str) -> pd.DataFrame:
    """Published against variant, one row per inline value and per figure number that differs (a figure's unchanged
    numbers are one row); changed rows first, each group in reading order."""
    import pandas as pd

    words = _WORDS.get(lang, _WORDS["en"])
    rows = []
    before = {(v["cell"], v["expression"]): v for v in recorded_values(published, profile)}
    for v in recorded_values(variant, profile):
        old = before.get((v["cell"], v["expression"]), {}).get("value", "")
        rows.append({"where": f"{v['section']} ({words['inline']})", "value": v["expression"], "published": old,
                     "variant": v["value"], "changed": old != v["value"]})
    old_figures, new_figures = figure_numbers(published_figures), figure_numbers(variant_figures)
    for figure_id, new in new_figures.items():
        old = old_figures.get(figure_id, pd.DataFrame(columns=new.columns))
        words_columns = [c for c in new.columns if not _numeric(new[c])]
        unchanged = 0
        for i in range(max(len(old), len(new))):
            row_old = old.iloc[i].astype(str).to_dict() if i < len(old) else {}
            row_new = new.iloc[i].astype(str).to_dict() if i < len(new) else {}
            differ = [c for c in new.columns if row_old.get(c, "") != row_new.get(c, "")]
            unchanged += len(new.columns) - len(differ)
            # a row is named by its words that did not change ("sweden · hr_services")
            label = " · ".join(row_new[c] for c in words_columns if c not in differ and row_new.get(c))[:80]
            for column in differ:
                rows.append({"where": f"{words['figure']} {figure_id}", "value": f"{label}: {column}",
                             "published": row_old.get(column, ""), "variant": row_new.get(column, ""),
                             "changed": True})
        if unchanged:
            rows.append({"where": f"{words['figure']} {figure_id}", "value": words["unchanged_rest"].format(n=unchanged),
                         "published": "", "variant": "", "changed": False})
    table = pd.DataFrame(rows, columns=["where", "value", "published", "variant", "changed"])
    return table.sort_values("changed", ascending=False, kind="stable").reset_index(drop=True)


def _numeric(column: pd.Series) -> bool:
    import pandas as pd

    return pd.to_numeric(column.replace("", None), errors="coerce").notna().sum() > 0


# --------------------------------------------------------------------------------------------------------------------
# The banner


def _cell_text(text: str) -> str:
    """A value as a Markdown table cell shows it: one line, pipes escaped (Markdown in it still renders)."""
    return " ".join(str(text).split()).replace("|", "\\|") or " "


def banner(params: dict[str, Any], defaults: dict[str, Any], published_link: str, changes: pd.DataFrame,
           lang: str) -> str:
    """The Markdown cell a variant page opens with, in the edition's language."""
    words = _WORDS.get(lang, _WORDS["en"])
    named = "; ".join(f"`{k}` = `{v!r}` ({words['published_value']}: `{defaults.get(k)!r}`)" for k, v in
                      sorted(params.items()))
    helps = "".join(f"\n- `{k}`: {spec(k).help}" for k in sorted(params) if spec(k).help)
    lines = [
        f'::: {{.callout-warning .variant-banner title="{words["title"]}"}}',
        f"{words['not_published']} {named}. [{words['link']}]({published_link}).{helps}",
        "",
        f"**{words['what_changed']}.** " + words["summary"].format(
            changed=int(changes["changed"].sum()), total=len(changes)),
        "",
        f"| {words['where']} | {words['value']} | {words['published']} | {words['variant']} | {words['changed']} |",
        "|---|---|---|---|---|",
    ]
    for r in changes.itertuples():
        value = f"`{r.value}`" if "(" in r.value and "`" not in r.value else r.value
        lines.append(f"| {_cell_text(r.where)} | {_cell_text(value)} | {_cell_text(r.published)} | "
                     f"{_cell_text(r.variant)} | {words['yes'] if r.changed else words['no']} |")
    lines.append(":::")
    return "\n".join(lines) + "\n"


def insert_banner(notebook: Path, text: str) -> None:
    """Put the banner right after the chapter's title (its first Markdown cell)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    first = next((i for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "markdown"), -1)
    nb["cells"].insert(first + 1, {"cell_type": "markdown", "id": "variant-banner", "metadata": {},
                                   "source": text.splitlines(keepends=True)})
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------------------------------
# Executing and rendering


def execute_editions(root: Path, page: Page, editions: Sequence[Edition], params: dict[str, Any],
                     target: Path, log: Log) -> dict[str, Path]:
    """Run the chapter once per edition with ``params`` (at once), each into ``target/executed/<edition>/``."""
    import multiprocessing

    tasks = [execute.Task(e, page, {**e.parameters, **params}, key="") for e in editions]
    queue = multiprocessing.get_context().SimpleQueue()
    with concurrent.futures.ProcessPoolExecutor(max_workers=len(tasks), initializer=execute._init_worker,
                                                initargs=(queue,)) as pool:
        results = list(pool.map(execute.run, [str(root)] * len(tasks), tasks))
    errors = [r["error"] for r in results if not r["ok"]]
    if errors:
        for r in results:
            if r["ok"]:
                shutil.rmtree(r["work"], ignore_errors=True)
        raise BuildError("variant execution failed:\n  " + "\n  ".join(errors))
    executed = {}
    for task, result in zip(tasks, results):
        work, folder = Path(result["work"]), target / "executed" / task.edition.name
        publish.remove_tree(folder)
        folder.mkdir(parents=True)
        os.replace(work / f"{page.stem}.ipynb", folder / f"{page.stem}.ipynb")
        if (work / "figures" / page.stem).exists():
            shutil.move(str(work / "figures" / page.stem), folder / "figures" / page.stem)
        shutil.rmtree(work, ignore_errors=True)
        executed[task.edition.name] = folder
        log(f"  executed  {task.label} with {slug(params)} in {result['seconds']:.1f} s")
    return executed


def render_edition(root: Path, page: Page, edition: Edition, book_pages: Sequence[Page], executed: Path,
                   params: dict[str, Any], defaults: dict[str, Any], target: Path, variant_url: Path) -> Path:
    """Render the variant page in a copy of the edition's Quarto project; return the copy's ``_site``."""
    from .reproduce import normalise_file

    project = target / "quarto" / edition.name
    publish.remove_tree(project)
    shutil.copytree(render.project_dir(root, edition), project, symlinks=True)
    notebook = executed / f"{page.stem}.ipynb"
    source = project / page.source
    download = source.parent / render.DOWNLOADS / f"{page.stem}.ipynb"
    normalise_file(notebook, download)
    render.quarto_input(download, source)
    figures = source.parent / "figures" / page.stem
    publish.remove_tree(figures)
    if (executed / "figures" / page.stem).exists():
        shutil.copytree(executed / "figures" / page.stem, figures)
    changes = what_changed(execute.executed_path(root, edition, page), notebook,
                           execute.executed_figures(root, edition, page), executed / "figures" / page.stem,
                           edition.profile, edition.lang)
    changes.to_csv(target / f"what-changed-{edition.name}.csv", index=False, lineterminator="\n")
    page_url = variant_url / edition.prefix / page.output
    published_url = Path(edition.prefix) / page.output
    link = os.path.relpath(published_url, page_url.parent)
    insert_banner(source, banner(params, defaults, link, changes, edition.lang))
    render._run_quarto(quarto.find(root), project, edition, page.source, [p.source for p in book_pages])
    out = project / "_site"
    render.resolve_interface_text(out, book_pages, edition)
    # the link to the published page leaves the variant's book: it is checked where it is published (tests)
    html = out / page.output
    text = html.read_text(encoding="utf-8")
    html.write_text(text.replace(f'href="{link}"', 'href="#"'), encoding="utf-8")
    try:
        render.check_pages(out, [page], edition)
    finally:
        html.write_text(text, encoding="utf-8")
    return out


def make_variant(chapter: str, params: dict[str, Any], root: Path | None = None, log: Log = print,
                 lock_timeout: float = 900, build: bool = True) -> Path:
    """Execute and render one chapter with ``params`` in every edition; publish it under ``_site/variants/``.

    Returns the variant's folder in ``_site/``. A bad name or value raises before anything runs or is published.
    """
    root = (root or paths.root()).resolve()
    page = find_page(root, chapter)
    check_variant(root, page, params)
    if build:  # the published pages the variant is compared with must be the current ones
        from .cli import build_site

        build_site(root, lock_timeout=lock_timeout, log=log)
    defaults = config.declared_parameters(root / page.source)
    with publish.BuildLock(root, lock_timeout, log):
        book_pages = config.pages(config.load_quarto(root))
        editions = config.editions(root)
        for edition in editions:
            if not execute.executed_path(root, edition, page).exists():
                raise BuildError(f"{page.source}: edition {edition.name} has no published run; run `make site` first")
        target = variant_dir(root, page, params)
        target.mkdir(parents=True, exist_ok=True)
        log(f"executing {page.stem} with {slug(params)} ({', '.join(e.name for e in editions)}) …")
        executed = execute_editions(root, page, editions, params, target, log)
        variant_url = Path(VARIANTS) / page.stem / slug(params)
        log("rendering the variant with Quarto …")
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(editions)) as pool:
            futures = {e.name: pool.submit(render_edition, root, page, e, book_pages, executed[e.name], params,
                                           _defaults(defaults), target, variant_url)
                       for e in editions}
        outs = {name: f.result() for name, f in futures.items()}
        site = target / "site"
        staged = target / "site.new"
        publish.remove_tree(staged)
        for edition in editions:
            shutil.copytree(outs[edition.name], staged / edition.prefix, dirs_exist_ok=True)
        publish.set_permissions(staged)
        publish.remove_tree(site)
        os.replace(staged, site)
        for edition in editions:
            publish.remove_tree(target / "quarto" / edition.name)  # a whole Quarto project: kept only while rendering
        published = publish_variant(root, page.stem, slug(params), site)
    log(f"  variant published: {published.relative_to(root)}/{page.output}")
    return published


def _defaults(declared: dict[str, Any]) -> dict[str, Any]:
    """The defaults of the ``parameters`` cell as values (papermill's inspection gives them as source text)."""
    import ast

    values = {}
    for name, info in declared.items():
        text = info.get("default") if isinstance(info, dict) else info
        try:
            values[name] = ast.literal_eval(text) if isinstance(text, str) else text
        except (ValueError, SyntaxError):
            values[name] = text
    return values


def publish_variant(root: Path, chapter: str, name: str, site: Path) -> Path:
    """Copy a kept variant into the published ``_site/variants/``, replacing an older one of the same name whole."""
    dest = root / "_site" / VARIANTS / chapter / name
    partial = dest.with_name(f".{name}.partial")
    publish.remove_tree(partial)
    shutil.copytree(site, partial)
    publish.set_permissions(partial)
    for folder in (dest.parent, dest.parent.parent):
        folder.chmod(0o755)
    publish.remove_tree(dest)
    os.replace(partial, dest)
    return dest


def kept_variants(root: Path) -> list[tuple[str, str, Path]]:
    """(chapter, name, site folder) of every variant kept in ``_build/variants/``."""
    base = root / "_build" / VARIANTS
    return [(site.parent.parent.name, site.parent.name, site) for site in sorted(base.glob("*/*/site"))
            if site.is_dir()]


def assemble_into(root: Path, stage: Path) -> None:
    """Put every kept variant into a site about to be published, so a site build keeps them."""
    for chapter, name, site in kept_variants(root):
        shutil.copytree(site, stage / VARIANTS / chapter / name, dirs_exist_ok=True)
