"""The sensitivity sections (helpers.sensitivity): the headline numbers at the published parameters equal what the
page shows, the explorer embeds exactly the points the helper computes, its data cannot break out of the page, and the
explorer works from disk by keyboard in both editions."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import papermill
import pytest

from helpers import inline, labels, sensitivity
from helpers.pipeline.reproduce import recorded_values

from .conftest import ROOT

CHAPTERS = ["01-awareness", "02-follow-up", "03-relevance", "04-nordic-comparison", "05-audit"]


def _inline(chapter: str) -> dict[str, str]:
    """Every inline value the committed notebook records (English edition): expression → the Markdown shown."""
    found: dict[str, str] = {}
    for cell in json.loads((ROOT / "notebooks" / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]:
        found.update(recorded_values(cell))
    return found


def _link_text(shown: str) -> str:
    """A value as the page shows it: the text of a cited value's link to its rows (``ch.cite``), or the value."""
    link = re.fullmatch(r"\[(.*?)\]\(.*\)", shown, flags=re.DOTALL)
    return link.group(1) if link else shown


#: For each chapter, inline expressions of its page and how the helper's numbers at the published point write them.
PUBLISHED = {
    "01-awareness": {
        "ch.pct(assumed_all)": lambda n: labels.percent(n["heard_all_assumed"], 0, "en"),
        'ch.points(widest["all"], 1)': lambda n: labels.points(n["widest_all"], 1, "en"),
        'ch.points(widest["leaders"], 1)': lambda n: labels.points(n["widest_leaders"], 1, "en"),
        "labels.count_words(int(holds.sum()))": lambda n: labels.count_words(int(n["tests_hold"]), "en"),
        "labels.count_words(len(tests))": lambda n: labels.count_words(int(n["tests"]), "en"),
    },
    "02-follow-up": {
        "tally": lambda n: sensitivity.status_tally(sensitivity.follow_up_status(True), "en"),
    },
    # the counts of the goal-area grid stand in one sentence with their total (the number style: digits if it is)
    "03-relevance": {
        f'ch.cite(labels.count_words(counts.get("{k}", 0), among=[len(goal_cells)]), pair_rows("{k}"))': (
            lambda n, k=k: labels.count_words(int(n[k]), "en", among=[n["stated"] + n["inferred"] + n["not_stated"]]))
        for k in ("stated", "inferred", "not_stated")
    },
    # chapter 4 states no count of its grid in prose: test_explorer_points_equal_the_helper covers it
    "05-audit": {
        "labels.problem_tally(problem_counts)": lambda n: labels.problem_tally(
            {"contradiction": int(n["contradiction"]), "tension": int(n["tension"]),
             "loose wording": int(n["loose_problems"])}, "en"),
        "labels.count_words(n_contradictions, among=[n_problems])": lambda n: labels.count_words(
            int(n["contradiction"]), "en", among=[n["contradiction"] + n["tension"] + n["loose_problems"]]),
    },
}


@pytest.fixture
def english():
    before = labels.current()
    labels.use("en")
    yield
    labels.use(before)


@pytest.mark.parametrize("chapter", list(PUBLISHED))
def test_the_published_point_gives_the_pages_inline_values(chapter, english):
    sweep = sensitivity.sweep_for(chapter)
    numbers = sweep.compute(**sweep.defaults)
    shown = _inline(chapter)
    for expression, write in PUBLISHED[chapter].items():
        assert expression in shown, f"{chapter}: the page no longer shows {expression!r}; update this test"
        assert inline.as_markdown(write(numbers)) == _link_text(shown[expression]), (
            f"{chapter}: {expression} is {shown[expression]!r} on the page, the helper gives {write(numbers)!r}")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_sweeps_defaults_are_the_notebooks_published_parameters(chapter):
    declared = papermill.inspect_notebook(str(ROOT / "notebooks" / f"{chapter}.ipynb"))
    sweep = sensitivity.sweep_for(chapter)
    assert {k: ast.literal_eval(v["default"]) for k, v in declared.items() if k != "lang"} == dict(sweep.defaults)
    assert {a.parameter for a in sweep.axes} == set(sweep.defaults), f"{chapter}: a parameter has no axis"


def test_an_assumption_moves_the_numbers_it_should(english):
    low = sensitivity.awareness(nonrespondent_awareness=0.0)
    assert low["heard_all_assumed"] < low["heard_respondents"] == sensitivity.awareness()["heard_all_assumed"]
    assert sensitivity.awareness(confidence=0.99)["widest_all"] > sensitivity.awareness()["widest_all"]
    apart = sensitivity.follow_up(False)
    assert apart["hedged"] == 2 and sum(apart.values()) == sum(sensitivity.follow_up(True).values())
    assert sensitivity.relevance(False)["inferred"] == 0
    # our readings, country by country, and none once they are left out; never a total across the countries
    assert sensitivity.nordic(True)["denmark"] > 0 and set(sensitivity.nordic(False).values()) == {0.0}
    assert set(sensitivity.nordic()) == {"sweden", "denmark", "norway"}


def test_the_audit_shortcut_gives_the_full_audits_counts(english):
    """Only the verbal fractions are judged again at another tolerance: the full audit at that tolerance agrees."""
    from helpers import audit

    published = audit.VERBAL_FRACTION_TOLERANCE_POINTS
    try:
        audit.VERBAL_FRACTION_TOLERANCE_POINTS = 0.0
        full = audit.run()
        counts = audit.problem_counts(audit.problems(full))
    finally:
        audit.VERBAL_FRACTION_TOLERANCE_POINTS = published
    quick = sensitivity.audit_headlines(0.0)
    assert quick["contradiction"] == counts[audit.CONTRADICTION]
    assert quick["loose_problems"] == counts[audit.LOOSE_WORDING]
    assert quick["inconsistent_claims"] == (full["status"].astype(str) == audit.INCONSISTENT).sum()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_explorer_embeds_exactly_the_points_the_helper_computes(chapter, english):
    sweep = sensitivity.sweep_for(chapter)
    found = sensitivity.points(sweep)
    for lang in ("en", "nb"):
        page = sensitivity.explorer_html(sweep, found, lang)
        embedded = sensitivity.embedded_points(page)
        assert embedded == json.loads(json.dumps(sensitivity.explorer_data(sweep, found, lang)))
        for entry, axis in zip(embedded, sweep.axes):
            assert len(entry["points"]) == len(axis.values)
            published = sweep.compute(**sweep.defaults)
            assert entry["points"][entry["published"]]["values"] == [round(published[n["key"]], 6)
                                                                     for n in entry["numbers"]]
        assert page.count('type="range"') == len(sweep.axes)
        assert re.search(r'<script src="\.\./assets/explorer\.js"></script>', page)


def test_data_text_cannot_end_the_script_or_become_markup():
    hostile = sensitivity.Headline("x", "</script><img src=x onerror=alert(1)>", "<b>&amp;</b>", "count")
    sweep = sensitivity.Sweep("test", lambda flag=True: {"x": 1.0}, {"flag": True}, (hostile,),
                              (sensitivity.Axis("flag", (True, False), ("x",), '"><script>', "a&b"),), bars=("x",))
    found = [sensitivity.Point("flag", v, v, {"x": 1.0}) for v in (True, False)]
    page = sensitivity.explorer_html(sweep, found, "en")
    assert page.count("</script>") == len(sweep.axes) + 1  # the data block's own end and the script tag's
    assert "<img" not in page and '"><script>' not in page
    assert sensitivity.embedded_points(page)[0]["numbers"][0]["label"] == hostile.en


# --- the built pages -----------------------------------------------------------------------------------------------


def _built(site: Path, lang: str, chapter: str) -> Path:
    return site / ("nb" if lang == "nb" else "") / "notebooks" / f"{chapter}.html"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "nb"])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_built_page_embeds_the_helpers_points(site, chapter, lang):
    page = _built(site, lang, chapter).read_text(encoding="utf-8")
    assert 'id="sec-' in page and ("How the results depend" in page if lang == "en" else "forutsetningene" in page)
    before = labels.current()
    try:
        labels.use(lang)
        sweep = sensitivity.sweep_for(chapter)
        expected = json.loads(json.dumps(sensitivity.explorer_data(sweep, sensitivity.points(sweep), lang)))
    finally:
        labels.use(before)
    assert sensitivity.embedded_points(page) == expected
    script = site / ("nb" if lang == "nb" else "") / "assets" / "explorer.js"
    assert script.is_file(), f"{script} is not published"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_explorer_moves_by_keyboard_from_disk_without_other_hosts(site, lang):
    from .test_browser import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (tools/ensure-chromium.sh)")
    from playwright.sync_api import sync_playwright

    path = _built(site, lang, "01-awareness")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            foreign, errors = [], []
            page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).scheme not in ("file", "data") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri(), wait_until="load")
            axis = page.locator(".explorer-axis").first
            slider = axis.locator('input[type="range"]')
            assert axis.locator("svg.explorer-bars rect").count() > 0, "the script drew no bars"
            before = axis.locator("dd").all_inner_texts()
            shown = axis.locator("output").inner_text()
            slider.focus()
            page.keyboard.press("ArrowLeft")
            after = axis.locator("dd").all_inner_texts()
            assert after != before, "the arrow key changed nothing shown"
            assert axis.locator("output").inner_text() != shown
            label = page.locator(f'label[for="{slider.get_attribute("id")}"]')
            assert label.count() == 1 and label.inner_text().strip(), "the slider has no label"
            assert not errors, errors
            assert not foreign, f"requests off the page's files: {foreign}"
        finally:
            browser.close()
