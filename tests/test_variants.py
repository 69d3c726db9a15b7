"""Variant pages and sweeps: a chapter with other assumptions as pages beside the published site, and a grid of
assumptions as one table, the same on the local pool and on a Dask cluster."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from helpers.pipeline import kept, variant
from helpers.pipeline import sweep as sweeps
from helpers.pipeline.config import BuildError
from helpers.parameters import ParameterError

from .conftest import ROOT

CHAPTER = "04-nordic-comparison"  # the quickest chapter to execute
LEAK_FIXTURE = Path(__file__).parent / "fixtures" / "kept-kernel" / "leak.ipynb"
PARAMS = {"include_inferred": False}
#: what a copy of the built project leaves out: tools and environments, and earlier variants, sweeps and runs
_BUILT_IGNORE_ANYWHERE = shutil.ignore_patterns(".venv", ".tools", ".git", "__pycache__", ".pytest_cache", "variants",
                                               "sweeps", "runs", "failed", "build.lock", "*.egg-info")


def BUILT_IGNORE(folder: str, names: list[str]) -> set[str]:
    # the checkout's node_modules/ is shared with copies; the site's own copies of its files (_site/node_modules/,
    # the audit's DataTables) are part of the published site and stay
    shared = {"node_modules"} if Path(folder) == ROOT else set()
    return set(_BUILT_IGNORE_ANYWHERE(folder, names)) | (shared & set(names))


def _digests(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*"))
            if p.is_file() and p.relative_to(site).parts[0] != variant.VARIANTS}


@pytest.fixture(scope="module")
def built_copy(site, tmp_path_factory) -> Path:
    """A copy of this checkout with its built site and build records: a variant there touches nothing here."""
    project = tmp_path_factory.mktemp("variant") / "project"
    shutil.copytree(ROOT, project, ignore=BUILT_IGNORE, symlinks=True)
    return project


@pytest.fixture(scope="module")
def made(built_copy) -> dict:
    before = _digests(built_copy / "_site")
    folder = variant.make_variant(CHAPTER, PARAMS, root=built_copy, log=lambda *_: None)
    return {"root": built_copy, "folder": folder, "before": before}


@pytest.mark.slow
def test_a_variant_is_published_in_both_editions_with_a_banner_and_what_changed(made):
    folder = made["folder"]
    assert folder == made["root"] / "_site" / "variants" / CHAPTER / "include_inferred-False"
    for prefix, words in [("", ("A variant of this chapter", "What changed", ">yes<")),
                          ("nb/", ("En variant av dette kapitlet", "Hva som endret seg", ">ja<"))]:
        page = folder / prefix / "notebooks" / f"{CHAPTER}.html"
        html = page.read_text(encoding="utf-8")
        for word in words:
            assert word in html, f"{page}: no {word!r}"
        assert "include_inferred" in html
        link = f'{"../" * (4 + prefix.count("/"))}{prefix}notebooks/{CHAPTER}.html'
        assert f'href="{link}"' in html, f"{page}: no link to the published page"
        published = (page.parent / link).resolve()
        assert published.is_file() and published == (made["root"] / "_site" / prefix / "notebooks" / f"{CHAPTER}.html")
    changed = (made["root"] / "_build" / "variants" / CHAPTER / "include_inferred-False" / "what-changed-en.csv")
    table = changed.read_text(encoding="utf-8")
    assert "True" in table.splitlines()[1], "the changed values come first"


@pytest.mark.slow
def test_a_variant_leaves_the_published_pages_byte_identical_and_survives_a_rebuild(made):
    from helpers.pipeline import build_site
    from helpers.pipeline.cache import Cache

    root = made["root"]
    assert _digests(root / "_site") == made["before"]
    Cache(root).drop("publish")  # the next build publishes again, from its own projects
    build_site(root, log=lambda *_: None)
    assert (made["folder"] / "notebooks" / f"{CHAPTER}.html").is_file(), "a site build dropped the variant pages"
    assert _digests(root / "_site") == made["before"]


def test_a_bad_parameter_is_named_and_nothing_is_published(data_copy):
    root = data_copy.parent
    for params, message in [({"include_inferre": False}, "unknown parameter 'include_inferre'"),
                            ({"include_inferred": "maybe"}, "'include_inferred' = 'maybe' is not allowed"),
                            ({"lang": "nb"}, "'lang' is set by each edition"), ({}, "at least one parameter")]:
        with pytest.raises((ParameterError, BuildError), match=message):
            variant.make_variant(CHAPTER, params, root=root, log=lambda *_: None)
    assert not (root / "_site").exists() and not (root / "_build" / "variants").exists()


# --- sweeps --------------------------------------------------------------------------------------------------------


class _Fake:
    """An executor that answers from a table instead of running anything: tests what the sweep does with results."""

    def __init__(self, answers):
        self.answers, self.calls = answers, 0

    def run(self, function, calls):
        for i, (_, task) in enumerate(calls):
            self.calls += 1
            yield i, self.answers[task.params["include_inferred"]]


def _value(text):
    return [{"cell": 3, "section": "Shared services", "expression": "ch.count(n)", "value": text}]


def test_a_failing_point_is_named_the_others_finish_and_a_rerun_reuses_what_was_computed(data_copy):
    root = data_copy.parent
    axes = ["include_inferred=true,false"]
    fake = _Fake({True: {"ok": True, "values": _value("10"), "seconds": 1},
                  False: {"ok": False, "error": "notebooks/04-nordic-comparison.ipynb: cell [5] raised KeyError: x"}})
    result = sweeps.sweep(CHAPTER, axes, root=root, executor=fake, log=lambda *_: None, progress=False)
    assert result["failed"] == ["point include_inferred=False: notebooks/04-nordic-comparison.ipynb: cell [5] raised "
                                "KeyError: x"]
    assert result["table"]["value"].tolist() == ["10"] and result["csv"].is_file()
    again = _Fake({False: {"ok": True, "values": _value("9"), "seconds": 1}})
    result = sweeps.sweep(CHAPTER, axes, root=root, executor=again, log=lambda *_: None, progress=False)
    assert again.calls == 1, "the point computed before ran again"
    assert result["table"]["value"].tolist() == ["10", "9"] and not result["failed"]
    assert result["changing"]["expression"].tolist() == ["ch.count(n)"]


@pytest.mark.slow
def test_a_sweep_gives_the_same_table_on_the_local_pool_and_on_a_dask_cluster(data_copy):
    from distributed import Client, LocalCluster

    root = data_copy.parent
    axes = ["include_inferred=true,false"]
    # one local worker: its kept kernel runs both points, one after the other; each Dask worker runs one
    local = sweeps.sweep(CHAPTER, axes, root=root, executor=sweeps.LocalPool(1), reuse=False,
                         log=lambda *_: None, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        dask = sweeps.sweep(CHAPTER, axes, root=root, executor=sweeps.DaskCluster(client=client), reuse=False,
                            log=lambda *_: None, progress=False)
    assert not local["failed"] and not dask["failed"]
    assert local["table"].equals(dask["table"])
    assert len(local["changing"]) > 0, "include_inferred changes nothing a reader sees"


def _leak_checks(kernel, folder: Path) -> dict[str, str]:
    """Run the leak fixture in ``folder`` (in ``kernel``, or a kernel of its own): each check's recorded value."""
    from helpers.pipeline.engine import execute_notebook

    folder.mkdir()
    execute_notebook(str(LEAK_FIXTURE), str(folder / "out.ipynb"), parameters={"folder": folder.name},
                     cwd=str(folder), kernel_name="python3", progress_bar=False, request_save_on_cell_execute=False,
                     **(kernel.engine_options() if kernel else {}))
    if kernel:
        kernel.finished(True)
    return {v["expression"]: v["value"] for v in variant.recorded_values(folder / "out.ipynb")}


def test_a_kept_kernel_leaks_nothing_from_one_point_into_the_next(tmp_path):
    from helpers import paths

    kernel = kept.KeptKernel([str(paths.helpers_source_dir()), str(LEAK_FIXTURE.parent)])
    try:
        points, managers = [], set()
        for i in (1, 2, 3):
            points.append(_leak_checks(kernel, tmp_path / f"point-{i}"))
            managers.add(id(kernel.manager))
        assert len(managers) == 1, "the kernel was not kept between points"
    finally:
        kernel.shutdown()
    fresh = _leak_checks(None, tmp_path / "fresh")
    assert len(fresh) == 13 and set(fresh.values()) == {"fresh"}, f"the fixture itself is wrong: {fresh}"
    for i, found in enumerate(points, start=1):
        leaked = sorted(k for k, v in found.items() if v != "fresh")
        assert not leaked, f"point {i} in a kept kernel found what an earlier point left: {', '.join(leaked)}"


@pytest.mark.slow
def test_a_kept_kernel_sweep_gives_the_table_of_a_kernel_per_point(data_copy):
    """The chapter with the most parameters, in the other edition, over two of them: each point run after others
    in one kernel records the same values as in a kernel of its own."""
    root = data_copy.parent
    axes = ["nonrespondent_awareness=0,1", "correction=holm,none"]
    run = {kind: sweeps.sweep("01-awareness", axes, root=root, edition="nb", executor=sweeps.LocalPool(1),
                              reuse=False, log=lambda *_: None, progress=False, kept_kernels=kind == "kept")
           for kind in ("kept", "fresh")}
    assert not run["kept"]["failed"] and not run["fresh"]["failed"]
    assert run["kept"]["table"].equals(run["fresh"]["table"])
    assert len(run["kept"]["changing"]) > 1, "the parameters change nothing a reader sees"


@pytest.mark.slow
def test_the_follow_up_tally_says_whose_it_is_at_every_point(data_copy):
    """With count_hedged=False the tally is this page's recount, not the report's summary: the sentence that
    introduces it says so, in both editions."""
    root = data_copy.parent
    for edition, ours in (("en", "not the report's"), ("nb", "ikke i rapporten")):
        run = sweeps.sweep("02-follow-up", ["count_hedged=True,False"], root=root, edition=edition,
                           executor=sweeps.LocalPool(1), reuse=False, log=lambda *_: None, progress=False)
        assert not run["failed"]
        lead = run["table"][run["table"]["expression"] == "tally_lead"].set_index("count_hedged")["value"]
        assert ours not in lead[True] and ours in lead[False], (edition, lead.to_dict())
