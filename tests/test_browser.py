"""The built site in a real browser (Debian's chromium, driven by Playwright; never a downloaded browser)."""

from __future__ import annotations

import functools
import gzip
import http.server
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from helpers.pipeline import config

from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(site):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test / .ci/run install it with tools/ensure-chromium.sh)")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _site_pages() -> list[str]:
    pages = config.pages(config.load_quarto(ROOT))
    return [e.prefix + p.output for e in config.editions(ROOT) for p in pages]


@pytest.mark.parametrize("path", _site_pages())
def test_page_in_browser(browser, server, path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, foreign = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:") else None)
    response = page.goto(f"{server}/{path}", wait_until="load")
    assert response and response.ok
    assert not errors, f"{path}: console errors {errors}"
    assert not foreign, f"{path}: requests to other hosts {foreign}"
    for img in page.query_selector_all("img"):
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), f"{path}: an image did not load"
        assert (img.get_attribute("alt") or "").strip(), f"{path}: an image has no alt text"
    for link in page.query_selector_all("span.citation a"):
        target = link.get_attribute("href")
        assert "references.html#ref-" in target, f"{path}: citation link {target} does not lead to the reference list"
    chapters = page.query_selector_all("#quarto-sidebar a.sidebar-item-text.sidebar-link:not([data-bs-toggle])")
    assert len(chapters) == len(config.pages(config.load_quarto(ROOT))), f"{path}: the sidebar lists other pages"
    assert page.query_selector("#quarto-search"), f"{path}: no search box"
    levels = [int(h.evaluate("e => e.tagName")[1]) for h in page.query_selector_all("main h1, main h2, main h3, main h4")]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{path}: heading levels skip: {levels}"
    # axe-core runs in test_axe_finds_no_violation below, at 1400 and 390 px, failing on every violation
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / (path.replace("/", "__") + ".png")), full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path}: scrolls horizontally by {overflow}px at 320 px width"
    page.close()


def _switches() -> list:
    """(page, the same page in the other edition, that edition's language, the page's place in the book)."""
    pages = config.pages(config.load_quarto(ROOT))
    editions = config.editions(ROOT)
    return [pytest.param(e.prefix + p.output, other.prefix + p.output, other.lang, i,
                         id=f"{e.prefix + p.output}->{other.prefix + p.output}")
            for e in editions for other in editions if other is not e for i, p in enumerate(pages)]


@pytest.mark.parametrize("path, expected, lang, position", _switches())
def test_language_switch_leads_to_the_same_chapter(browser, server, path, expected, lang, position):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    assert page.goto(f"{server}/{path}", wait_until="domcontentloaded").ok
    # the link at the top of the page (the sidebar holds a copy: test_the_language_switch_keeps_the_section)
    switch = page.locator(f'.edition-link a[hreflang="{lang}"]')
    assert switch.count() == 1, f"{path}: expected one link to the '{lang}' edition at the top, found {switch.count()}"
    with page.expect_navigation(wait_until="domcontentloaded") as navigation:
        switch.click()
    assert navigation.value and navigation.value.ok, f"{path}: the language switch leads to a missing page"
    # Quarto's script shortens links to a folder's index.html to the folder itself: the same page either way
    reached = page.url.removesuffix("index.html")
    assert reached == f"{server}/{expected}".removesuffix("index.html"), \
        f"{path}: the language switch leads to {page.url}, not {expected}"
    assert page.evaluate("() => document.documentElement.lang") == lang
    nav = page.locator("#quarto-sidebar a.sidebar-item-text.sidebar-link:not([data-bs-toggle])")
    current = [i for i in range(nav.count()) if "active" in (nav.nth(i).get_attribute("class") or "")]
    assert current == [position], f"{expected}: the sidebar marks chapter(s) {current} as current, not {position}"
    page.close()


# --- A reader's view at two widths: a desktop (1400 px) and a phone (390 px) -----------------------------------------
# Each page is loaded once per width (MEASURE memoises it) and everything the checks below need is read in that visit.

WIDTHS = (1400, 390)
#: the smallest figure text as displayed, per viewport width (issue 21): a phone reader holds the page closer
MIN_TEXT_PX = {1400: 12.0, 390: 11.0}
SVG_NS = "{http://www.w3.org/2000/svg}"
MEASURE: dict[tuple[str, int], dict] = {}
TARGET_IDS: dict[str, set[str]] = {}

_READ_PAGE = """() => {
  const name = el => { const owner = el.closest('[id^="tbl-"], [id^="fig-"], [id]'); return owner ? '#' + owner.id : el.tagName; };
  const main = document.querySelector('main') || document.body;
  const mainRight = main.getBoundingClientRect().right;
  const tables = [];
  for (const table of main.querySelectorAll('table')) {
    if (!table.offsetParent) continue;  // not displayed
    const width = table.getBoundingClientRect().width;
    let box = null, clipped = [];
    for (let el = table.parentElement; el && el !== main.parentElement; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (!box && ['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) box = {el, overflow: style.overflowX};
      if (el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX))
        clipped.push((el.id ? '#' + el.id : el.tagName.toLowerCase()) + ` (${el.scrollWidth} px in ${el.clientWidth} px, overflow ${style.overflowX})`);
      if (el === main) break;
    }
    const cells = [...table.querySelectorAll('th, td')].filter(c => c.scrollWidth > c.clientWidth + 1
        && getComputedStyle(c).overflowX !== 'visible').map(c => c.textContent.trim().slice(0, 40));
    tables.push({name: name(table), width: Math.round(width), right: table.getBoundingClientRect().right,
                 mainRight, box: box ? {overflow: box.overflow, width: box.el.clientWidth} : null, clipped, cells});
  }
  // a figure's <picture> shows one of its layouts (phone or desktop): currentSrc is the one the browser chose
  const figures = [...main.querySelectorAll('img')].filter(i => (i.currentSrc.startsWith('data:image/svg+xml') || i.currentSrc.endsWith('.svg'))
      && i.offsetParent)
      .map(i => ({name: name(i), width: i.getBoundingClientRect().width, src: i.currentSrc}));
  const links = [...document.querySelectorAll('.audit-flag a, a.quarto-xref, a[href*="#claim-"]')]
      .map(a => ({text: a.textContent.trim(), href: a.href}));
  return {lang: document.documentElement.lang, tables, figures, links,
          ids: [...document.querySelectorAll('[id]')].map(e => e.id)};
}"""


def _measure(browser, server, path: str, width: int) -> dict:
    if (path, width) not in MEASURE:
        page = browser.new_page(viewport={"width": width, "height": 900})
        assert page.goto(f"{server}/{path}", wait_until="load").ok, f"{path} did not load"
        page.evaluate("() => document.fonts.ready.then(() => true)")
        result = page.evaluate(_READ_PAGE)
        page.add_script_tag(path=str(AXE))
        # colours do not change with the width, and checking every cell's contrast takes most of axe's time (14 s of
        # 17 on the audit's claim table): contrast is checked at the widest width only, every other rule at both
        rules = "{}" if width == max(WIDTHS) else "{'color-contrast': {enabled: false}}"
        result["axe"] = page.evaluate(
            f"async () => (await axe.run(document, {{resultTypes: ['violations'], rules: {rules}}})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
        TARGET_IDS.setdefault(f"{server}/{path}".removesuffix("index.html"), set(result["ids"]))
        page.close()
        MEASURE[path, width] = result
    return MEASURE[path, width]


def _reader_params():
    pages = config.pages(config.load_quarto(ROOT))
    return [pytest.param(e.prefix + p.output, e.lang, w, id=f"{e.prefix + p.output}@{w}")
            for e in config.editions(ROOT) for p in pages for w in WIDTHS]


def svg_text_sizes(src: str, displayed_width: float) -> list[tuple[str, float]]:
    """(text, size in px as displayed) of every <text> of an SVG (a data URI or a URL) drawn ``displayed_width`` px
    wide.

    A font size is in the SVG's user units; the image maps the SVG's width (its viewBox, else its width attribute)
    onto the displayed width, so a size scales by displayed width / SVG width.
    """
    import base64
    import re
    import xml.etree.ElementTree as ET
    from urllib.parse import unquote

    if src.startswith("data:"):
        header, _, payload = src.partition(",")
        svg = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload).encode()
    else:  # a figure's SVG file, as the browser loaded it
        from urllib.request import urlopen

        with urlopen(src) as response:
            svg = response.read()
    root = ET.fromstring(svg)
    if root.get("viewBox"):
        svg_width = float(root.get("viewBox").replace(",", " ").split()[2])
    else:
        svg_width = float(re.match(r"[\d.]+", root.get("width", "0")).group())
    scale = displayed_width / svg_width
    sizes = []
    for text in root.iter(f"{SVG_NS}text"):
        words = " ".join("".join(text.itertext()).split())
        style = dict(part.split(":", 1) for part in (text.get("style") or "").split(";") if ":" in part)
        style = {k.strip(): v.strip() for k, v in style.items()}
        size = style.get("font-size") or text.get("font-size")
        if size is None and "font" in style:
            size = re.search(r"([\d.]+)px", style["font"]).group(1)
        if words and size:
            sizes.append((words, float(re.match(r"[\d.]+", size).group()) * scale))
    return sizes


def test_svg_text_sizes_scale_with_the_displayed_width():
    import base64

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="600pt" height="100pt" viewBox="0 0 600 100">'
           '<text style="font-size: 12px; fill: #000" x="1" y="20">Leaders</text>'
           '<text style="font-size: 18px" x="1" y="60"><tspan>All</tspan> respondents</text></svg>')
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    assert svg_text_sizes(src, 300) == [("Leaders", 6.0), ("All respondents", 9.0)]
    assert svg_text_sizes(src, 1200) == [("Leaders", 24.0), ("All respondents", 36.0)]


@pytest.mark.parametrize("path, lang, width", _reader_params())
def test_page_language_is_the_editions(browser, server, path, lang, width):
    measured = _measure(browser, server, path, width)
    assert measured["lang"] == lang, f"{path}: <html lang={measured['lang']!r}>, the edition is {lang!r}"


def table_problems(tables: list[dict], width: int) -> list[str]:
    """What a reader at ``width`` px cannot see of the tables _READ_PAGE measured: at a desktop width nothing may
    overflow its container (no scrolling needed); on a phone a wider table must sit in its own scroll box."""
    problems = []
    for table in tables:
        if table["cells"]:
            problems.append(f"{table['name']}: cells cut off: {table['cells'][:3]}")
        overflows = table["clipped"] or table["right"] > table["mainRight"] + 1
        scrolls = table["box"] is not None and table["box"]["overflow"] in ("auto", "scroll")
        if width >= 1400 and overflows:
            problems.append(f"{table['name']}: {table['width']} px wide, overflows its container at {width} px: "
                            f"{table['clipped'] or 'beyond the text column'}")
        elif width < 1400 and overflows and not scrolls:
            problems.append(f"{table['name']}: {table['width']} px wide at {width} px, cut off and not in a scroll box "
                            f"(overflow auto/scroll): {table['clipped'] or 'beyond the text column'}")
    return problems


def test_a_clipped_table_is_named(browser):
    """The table check can fail: a wide table in a scroll box (fine on a phone, not at 1400 px) and one cut off."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.set_content('<html lang="en"><body style="margin:0"><main style="width:370px">'
                     '<div id="tbl-box" style="overflow-x:auto"><table style="width:600px"><tr><td>a</td></tr></table></div>'
                     '<div id="tbl-cut" style="overflow:hidden"><table style="width:600px"><tr><td>b</td></tr></table></div>'
                     '<div id="tbl-fits"><table style="width:300px"><tr><td>c</td></tr></table></div>'
                     "</main></body></html>")
    tables = page.evaluate(_READ_PAGE)["tables"]
    page.close()
    phone = table_problems(tables, 390)
    assert [p.split(":")[0] for p in phone] == ["#tbl-cut"], phone
    desktop = table_problems(tables, 1400)
    assert [p.split(":")[0] for p in desktop] == ["#tbl-box", "#tbl-cut"], desktop


@pytest.mark.parametrize("path, lang, width", _reader_params())
def test_no_table_is_clipped(browser, server, path, lang, width):
    problems = table_problems(_measure(browser, server, path, width)["tables"], width)
    assert not problems, f"{path} at {width} px:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path, lang, width", _reader_params())
def test_figure_text_is_legible_as_displayed(browser, server, path, lang, width):
    figures = _measure(browser, server, path, width)["figures"]
    # every figure is measured, in the layout drawn for this width: a phone gets the phone layout
    drawn = (ROOT / "_site" / path).read_text(encoding="utf-8").count("<picture>")
    assert len(figures) >= drawn, f"{path}: {drawn} figures on the page, {len(figures)} measured at {width} px"
    layouts = {f["src"].endswith("-phone.svg") for f in figures if f["src"].endswith(".svg")}
    assert layouts <= {width < 600}, f"{path} at {width} px shows the {'desktop' if width < 600 else 'phone'} layout"
    small = []
    for figure in figures:
        for text, px in svg_text_sizes(figure["src"], figure["width"]):
            if px < MIN_TEXT_PX[width]:
                small.append(f"{figure['name']} ({figure['src'].rsplit('/', 1)[-1][:40]}): {text[:50]!r} at {px:.1f} px")
    assert not small, (f"{path} at {width} px: figure text below {MIN_TEXT_PX[width]:g} px as displayed "
                       f"({len(small)}):\n  " + "\n  ".join(small[:15]))


@pytest.mark.parametrize("path, lang, width", _reader_params())
def test_axe_finds_no_violation(browser, server, path, lang, width):
    violations = _measure(browser, server, path, width)["axe"]
    assert not violations, f"{path} at {width} px: axe-core violations:\n  " + "\n  ".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes']}" for v in violations)


@pytest.mark.parametrize("path, lang, width", [p for p in _reader_params() if p.values[2] == WIDTHS[0]])
def test_audit_badges_and_cross_references_land_on_an_element(browser, server, path, lang, width):
    dangling = []
    for link in _measure(browser, server, path, width)["links"]:
        target, _, anchor = link["href"].partition("#")
        anchor = unquote(anchor)
        target = target.removesuffix("index.html")
        if target not in TARGET_IDS:
            page = browser.new_page()
            response = page.goto(target, wait_until="load")
            TARGET_IDS[target] = set(page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")) \
                if response and response.ok else None
            page.close()
        if TARGET_IDS[target] is None:
            dangling.append(f"{link['text']!r} → {link['href']}: the page does not load")
        elif anchor and anchor not in TARGET_IDS[target]:
            dangling.append(f"{link['text']!r} → {link['href']}: no element with id {anchor!r} there")
    assert not dangling, f"{path}: links that land nowhere:\n  " + "\n  ".join(dangling[:20])


# --- The audit's claim list: a DataTable from the site's own copy of DataTables ---------------------------------------

AUDIT = "notebooks/05-audit.html"
MAX_AUDIT_PAGE_BYTES = 400_000  # issue 20: the page was 1.33 MB, most of it an inlined DataTables bundle
_CLAIM_ROWS = ("() => [...document.querySelectorAll('.interactive tbody tr')]"
               ".map(r => r.querySelector('[id^=\"claim-\"]')?.id)")


def _audit_params():
    return [pytest.param(e.prefix, e.lang, id=e.prefix + AUDIT) for e in config.editions(ROOT)]


def _open_claim_list(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url, wait_until="load")
    assert response is None or response.ok, f"{url} did not load"  # a file:// page has no HTTP response
    page.wait_for_selector(".interactive .dt-container", timeout=10_000)  # DataTables took the table
    assert not errors, f"{url}: script errors {errors}"
    return page


@pytest.mark.parametrize("prefix, lang", _audit_params())
def test_the_claim_list_filters_sorts_and_lands_on_a_row(browser, server, prefix, lang):
    page = _open_claim_list(browser, f"{server}/{prefix}{AUDIT}")
    every = page.evaluate(_CLAIM_ROWS)
    assert len(every) > 100 and all(every), f"{prefix}{AUDIT}: {len(every)} rows, or a row without its claim anchor"
    # search: the words typed keep the rows that contain them
    term = every[-1].removeprefix("claim-")
    page.fill(".table-controls input[type=search]", term)
    found = page.evaluate(_CLAIM_ROWS)
    texts = page.evaluate("() => [...document.querySelectorAll('.interactive tbody tr')].map(r => r.textContent)")
    assert every[-1] in found and len(found) < len(every) and all(term in t for t in texts), \
        f"the search box does not filter the claim list: {term!r} leaves {len(found)} of {len(every)} rows"
    page.fill(".table-controls input[type=search]", "")
    # the verdict filter: every row left carries the verdict chosen, and fewer rows are left
    select = page.locator(".table-controls select")
    chosen = select.locator("option").nth(1).text_content()
    select.select_option(label=chosen)
    verdicts = page.evaluate("() => [...document.querySelectorAll('.interactive tbody tr [class^=\"status-\"]')]"
                             ".map(s => s.textContent.replace(/\\u00ad/g, ''))")
    assert verdicts and set(verdicts) == {chosen} and len(verdicts) < len(every), \
        f"filter by {chosen!r}: {set(verdicts)}"
    select.select_option(index=0)
    # sorting: the claim column, activated twice, orders the rows by claim, last first
    header = page.locator(".interactive thead th").first
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    # a second click within the double-click time counts as a double click, which DataTables does not sort on
    page.wait_for_timeout(700)
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert page.evaluate(_CLAIM_ROWS) == sorted(every, reverse=True), "the claim column does not sort the list"
    # a chapter's badge lands on its row, even when a search had hidden it; the row is shown and marked
    page.fill(".table-controls input[type=search]", every[0].removeprefix("claim-"))
    page.evaluate(f"() => {{ location.hash = '{every[-1]}'; }}")
    row = page.locator(f"#{every[-1]}").locator("xpath=ancestor::tr")
    row.wait_for(state="visible", timeout=5_000)
    assert "claim-target" in (row.get_attribute("class") or "")
    assert row.evaluate("r => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; }")
    page.close()


@pytest.mark.parametrize("prefix, lang", _audit_params())
def test_the_claim_list_works_from_the_file_system(browser, site, prefix, lang):
    """Opened from disk (``file://``), as the README says the site can be: DataTables is found by its relative path."""
    page = _open_claim_list(browser, (site / prefix / AUDIT).as_uri())
    assert page.locator(".table-controls input[type=search]").count() == 1
    page.close()


def _first_visit(browser, server: str, site: Path, path: str) -> dict[str, Path | None]:
    """Every file a first visit to a page loads (the page itself first; a new page has an empty cache), as the site
    holds it; None for a file from another host or one the site does not have."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if not r.url.startswith("data:") else None)
    assert page.goto(f"{server}/{path}", wait_until="networkidle").ok
    page.close()
    local = {u: site / unquote(urlparse(u).path).lstrip("/") for u in urls}
    return {u: file if u.startswith(server) and file.is_file() else None for u, file in local.items()}


def _loaded(browser, server: str, site: Path, path: str) -> dict[str, int]:
    """Every file a page loads (the page itself first), with its size in bytes as the site holds it; a file from
    another host counts as -1."""
    return {u: file.stat().st_size if file else -1 for u, file in _first_visit(browser, server, site, path).items()}


def audit_page_weight(own: dict[str, int], shared: dict[str, int]) -> int:
    """What reading the audit page costs beyond any page of the site: its HTML and every file no other page loads
    (Quarto's scripts and styles, loaded and cached by every page, are not counted)."""
    return sum(size for url, size in own.items() if url not in shared)


def test_the_audit_page_weight_counts_what_only_it_loads():
    own = {"a/05-audit.html": 300_000, "a/node_modules/dataTables.min.js": 123_000,
           "a/site_libs/bootstrap.css": 200_000}
    assert audit_page_weight(own, {"a/site_libs/bootstrap.css": 200_000, "a/index.html": 40_000}) == 423_000


@pytest.mark.parametrize("prefix, lang", _audit_params())
def test_the_audit_page_loads_datatables_from_the_site(browser, server, site, prefix, lang):
    own = _loaded(browser, server, site, f"{prefix}{AUDIT}")
    foreign = [url for url, size in own.items() if size < 0]
    assert not foreign, f"{prefix}{AUDIT} loads from another host: {foreign}"
    assert any(url.endswith("dataTables.min.js") for url in own), f"{prefix}{AUDIT}: the site's DataTables not loaded"
    page = next(size for url, size in own.items() if url.endswith(AUDIT))
    assert page <= MAX_AUDIT_PAGE_BYTES, f"{prefix}{AUDIT} is {page} bytes of HTML, above {MAX_AUDIT_PAGE_BYTES}"


@pytest.mark.parametrize("prefix, lang", _audit_params())
def test_the_audit_page_weighs_at_most_400_kb(browser, server, site, prefix, lang):
    own = _loaded(browser, server, site, f"{prefix}{AUDIT}")
    weight = audit_page_weight(own, _loaded(browser, server, site, f"{prefix}index.html"))
    assert weight <= MAX_AUDIT_PAGE_BYTES, (
        f"{prefix}{AUDIT} weighs {weight} bytes with what only it loads, above {MAX_AUDIT_PAGE_BYTES}: "
        + ", ".join(f"{url.rsplit('/', 1)[-1]} {size}" for url, size in own.items() if size > 20_000))


# --- What a first visit to each page transfers (issue 21): the page and all it loads, gzip-compressed -----------------
# A static host sends text gzip-compressed; each file is counted as gzip at level 6 (a common server default) makes
# it. The references page (text, no figure or table) is the edition's baseline: a page may weigh more by what it
# shows, up to the margin. Every measurement is written to _build/page-weights.tsv (the README's table).

REFERENCES = "references.html"
MAX_ABOVE_REFERENCES = 100_000  # issue 21: no page more than 100 KB above the references page, the audit included
WEIGHTS: dict[str, dict[str, int]] = {}
WEIGHT_RECORD = ROOT / "_build" / "page-weights.tsv"


def gzip_sizes(files: dict[str, bytes]) -> dict[str, int]:
    return {name: len(gzip.compress(data, compresslevel=6)) for name, data in files.items()}


def over_the_margin(page: str, sizes: dict[str, int], baseline: dict[str, int], margin: int) -> str | None:
    """Why ``page`` (its files' gzip sizes) weighs too much beside the baseline page's files, or None."""
    weight, base = sum(sizes.values()), sum(baseline.values())
    if weight <= base + margin:
        return None
    heaviest = sorted(sizes.items(), key=lambda item: -item[1])[:4]
    return (f"{page}: {weight / 1000:.1f} KB gzip on a first visit, {(weight - base) / 1000:.1f} KB above the "
            f"references page's {base / 1000:.1f} KB (at most {margin / 1000:.0f} KB above); heaviest: "
            + ", ".join(f"{urlparse(name).path.rsplit('/', 1)[-1]} {size / 1000:.1f} KB" for name, size in heaviest))


def _transfer(browser, server: str, site: Path, path: str) -> dict[str, int]:
    """Each file a first visit to ``path`` loads, with its gzip size (memoised: the baseline serves every page)."""
    if path not in WEIGHTS:
        files = _first_visit(browser, server, site, path)
        foreign = [url for url, file in files.items() if file is None]
        assert not foreign, f"{path} loads what the site does not hold: {foreign}"
        WEIGHTS[path] = gzip_sizes({url: file.read_bytes() for url, file in files.items()})
        WEIGHT_RECORD.parent.mkdir(parents=True, exist_ok=True)
        with WEIGHT_RECORD.open("a", encoding="utf-8") as record:
            record.write(f"{time.strftime('%Y-%m-%d')}\t{path}\t{sum(WEIGHTS[path].values())}\t{len(files)}\n")
    return WEIGHTS[path]


@pytest.mark.parametrize("path", _site_pages())
def test_a_first_visit_weighs_at_most_100_kb_above_the_references_page(browser, server, site, path):
    edition = next(e for e in sorted(config.editions(ROOT), key=lambda e: -len(e.prefix)) if path.startswith(e.prefix))
    baseline = _transfer(browser, server, site, edition.prefix + REFERENCES)
    problem = over_the_margin(path, _transfer(browser, server, site, path), baseline, MAX_ABOVE_REFERENCES)
    assert problem is None, problem


def test_the_weight_check_counts_gzip_and_can_fail():
    """A page of 150 KB that gzip cannot shrink (random bytes) is over the margin; a megabyte of one repeated
    letter, which gzip shrinks to about 1 KB, is not: the check counts what is transferred, not what is stored."""
    import random

    baseline = gzip_sizes({"r/references.html": b"<p>a reference</p>" * 500, "r/site_libs/quarto.js": b"x" * 9_000})
    noise = random.Random(21).randbytes(150_000)
    heavy = gzip_sizes({"r/references.html": b"<p>a reference</p>" * 500, "r/figure.png": noise})
    problem = over_the_margin("heavy.html", heavy, baseline, MAX_ABOVE_REFERENCES)
    assert problem and problem.startswith("heavy.html: 150.") and "figure.png 150." in problem, problem
    light = gzip_sizes({"r/light.html": b"a" * 1_000_000})
    assert over_the_margin("light.html", light, baseline, MAX_ABOVE_REFERENCES) is None


# --- On a phone (issue 21): tables readable, the claim list's verdict in view, the sidebar, the language switch ------
# Each page is loaded once at 390 px (PHONE_MEASURE memoises it); its tables are read there and again at 320 px
# (the narrowest phone the page-overflow check above uses), then the sidebar is opened and the switch followed.

PHONE = {"width": 390, "height": 844}
NARROW = 320
SITE_CSS = ROOT / "assets" / "site.css"
PHONE_MEASURE: dict[str, dict] = {}

_READ_PHONE_TABLES = """() => {
  const main = document.querySelector('main') || document.body;
  const name = el => { const owner = el.closest('[id^="tbl-"], [id]'); return owner ? '#' + owner.id : el.tagName; };
  const textRect = el => { const range = document.createRange(); range.selectNodeContents(el); return range.getBoundingClientRect(); };
  const cut = [], unlabelled = [], scrolling = [];
  for (const table of main.querySelectorAll('table')) {
    if (!table.offsetParent) continue;  // not displayed
    let box = null;  // the table's own scrolling box, if any: what a header must be visible in
    for (let el = table.parentElement; el && el !== main; el = el.parentElement)
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX)) { box = el; break; }
    const view = box ? box.getBoundingClientRect() : {left: 0, right: innerWidth};
    const left = Math.max(view.left, 0), right = Math.min(view.right, innerWidth);
    const thead = table.tHead, head = thead && thead.getBoundingClientRect();
    if (head && head.width > 1 && head.height > 1) {  // a header row in sight: every header's text wholly visible
      for (const th of thead.querySelectorAll('th')) {
        const text = th.textContent.trim(), r = textRect(th);
        if (!text) continue;
        const clipped = th.scrollWidth > th.clientWidth + 1 && getComputedStyle(th).overflowX !== 'visible';
        if (clipped || r.right > right + 1 || r.left < left - 1)
          cut.push(`${name(table)}: "${text.slice(0, 40)}" (text ${Math.round(r.left)}–${Math.round(r.right)} px, `
                   + `visible ${Math.round(left)}–${Math.round(right)} px${clipped ? ', clipped by its cell' : ''})`);
      }
    } else if (thead) {  // cards: the header row is out of sight, so each cell must show its column's name
      // a cell's column by its position under the last header row
      // (a header's soft hyphens, which the label leaves out, are not part of its name)
      const names = [...thead.querySelectorAll('tr:last-child > th')].map(th => th.textContent.replace(/\u00ad/g, '').trim());
      cells: for (const tr of table.querySelectorAll('tbody tr')) {
        for (const [i, td] of [...tr.children].entries()) {
          if (td.tagName !== 'TD' || !td.offsetParent || !td.textContent.trim()) continue;
          const column = names[i] || '', shown = getComputedStyle(td, '::before').content;
          if (!column || !shown.includes(column)) { unlabelled.push(`${name(table)}: a cell of "${column}" shows ${shown}`); break cells; }
        }
      }
    }
    if (box && box.scrollWidth > box.clientWidth + 1) {
      const style = getComputedStyle(box);
      box.dataset.phoneBox = scrolling.length;  // found again by scroll_cues
      scrolling.push({name: name(table), box: scrolling.length,
                      scrollbar: box.offsetHeight - box.clientHeight - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth)});
    }
  }
  return {cut, unlabelled, scrolling};
}"""

_OPEN_SIDEBAR = """async () => {
  const toggle = document.querySelector('.quarto-btn-toggle');
  if (!toggle || !toggle.offsetParent) return {error: 'no sidebar toggle in sight'};
  toggle.click();
  const sidebar = document.getElementById('quarto-sidebar');
  for (let i = 0; i < 40 && !(sidebar.classList.contains('show') && !sidebar.classList.contains('collapsing')); i++)
    await new Promise(done => setTimeout(done, 50));
  await new Promise(done => setTimeout(done, 100));
  const r = sidebar.getBoundingClientRect();
  const wide = [...sidebar.querySelectorAll('.sidebar-item-text')].filter(a => a.getBoundingClientRect().right > innerWidth + 1
      || a.scrollWidth > a.clientWidth + 1).map(a => a.textContent.trim().slice(0, 50));
  const link = sidebar.querySelector('a[hreflang]'), lr = link && link.getBoundingClientRect();
  return {open: sidebar.classList.contains('show'), width: Math.round(r.width), right: Math.round(r.right),
          scrollWidth: sidebar.scrollWidth, clientWidth: sidebar.clientWidth, viewport: innerWidth, wide,
          switchInSight: !!lr && lr.width > 0 && lr.left >= 0 && lr.right <= innerWidth && lr.top >= 0 && lr.bottom <= innerHeight};
}"""


def scroll_cues(page, boxes: list[dict]) -> list[str]:
    """Which of ``boxes`` (overflowing scroll boxes _READ_PHONE_TABLES found) do not show that they scroll: no
    scrollbar in sight, or a right edge that looks the same without the box's background (site.css draws the shadow
    there, behind the table, so a table or cell painted over it would hide it)."""
    from io import BytesIO

    from PIL import Image, ImageChops

    missing = []
    for box in boxes:
        if box["scrollbar"] < 4:
            missing.append(f"{box['name']}: no scrollbar in sight ({box['scrollbar']} px)")
        # the box's right edge in the middle of the screen, scrolled to its start: a strip 10 px wide inside it
        strip = page.evaluate("""n => { const b = document.querySelector(`[data-phone-box="${n}"]`);
            b.scrollLeft = 0; b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();
            const top = Math.max(r.top + b.clientTop, 0), bottom = Math.min(r.top + b.clientTop + b.clientHeight, innerHeight);
            return {x: r.left + b.clientLeft + b.clientWidth - 12, y: top, width: 10, height: Math.max(bottom - top, 1)}; }""",
                              box["box"])
        shots = []
        for background in ("", "none"):
            page.evaluate("([n, bg]) => { document.querySelector(`[data-phone-box=\"${n}\"]`).style.background = bg; }",
                          [box["box"], background])
            shots.append(Image.open(BytesIO(page.screenshot(clip=strip))).convert("L"))
        page.evaluate("n => { document.querySelector(`[data-phone-box=\"${n}\"]`).style.background = ''; }", box["box"])
        changed = ImageChops.difference(*shots).point(lambda v: 255 if v > 8 else 0).histogram()[255]
        if changed < 0.2 * strip["width"] * strip["height"]:  # the shadow darkens most of the strip
            missing.append(f"{box['name']}: no shadow at its right edge ({changed} of {strip['width'] * strip['height']} px "
                           "differ without the box's background)")
    return missing


def _phone(browser, server, path: str) -> dict:
    if path not in PHONE_MEASURE:
        page = browser.new_page(viewport=PHONE)
        assert page.goto(f"{server}/{path}", wait_until="load").ok, f"{path} did not load"
        page.evaluate("() => document.fonts.ready.then(() => true)")
        result = {"tables": page.evaluate(_READ_PHONE_TABLES)}
        result["cues"] = scroll_cues(page, result["tables"]["scrolling"])
        page.set_viewport_size({"width": NARROW, "height": PHONE["height"]})
        result["narrow"] = page.evaluate(_READ_PHONE_TABLES)
        result["narrow_cues"] = scroll_cues(page, result["narrow"]["scrolling"])
        page.set_viewport_size(PHONE)
        result["claim_links"] = page.evaluate("() => [...document.querySelectorAll('main a[href*=\"#claim-\"]')].map(a => a.href)")
        # the switch, after the address has a section's #fragment: both links carry it, and the menu's leads there
        section = page.evaluate("() => (document.querySelector('main section[id]') || {}).id || null")
        result["section"] = section
        if section:
            page.evaluate("id => { location.hash = id; }", section)
        result["switch_hrefs"] = page.evaluate("() => [...document.querySelectorAll('a[hreflang]')].map(a => a.getAttribute('href'))")
        result["sidebar"] = page.evaluate(_OPEN_SIDEBAR)
        result["landed"] = None
        if section and result["sidebar"].get("open"):
            with page.expect_navigation(wait_until="load"):
                page.locator("#quarto-sidebar a[hreflang]").click()
            # where the section's heading is (a section's own top sits above it by the heading's collapsed margin),
            # and where the fixed header ends: the heading must be in sight, below the header
            result["landed"] = page.evaluate(
                "id => { const s = document.getElementById(id), h = s && s.querySelector('h1, h2, h3, h4');"
                " const header = document.getElementById('quarto-header');"
                " return {url: location.href, found: !!s, top: h ? h.getBoundingClientRect().top : null,"
                " below: header && getComputedStyle(header).position === 'fixed' ? header.getBoundingClientRect().bottom : 0}; }",
                section)
        page.close()
        PHONE_MEASURE[path] = result
    return PHONE_MEASURE[path]


def _phone_params():
    pages = config.pages(config.load_quarto(ROOT))
    return [pytest.param(e.prefix + p.output, e.lang, id=e.prefix + p.output) for e in config.editions(ROOT) for p in pages]


@pytest.mark.parametrize("path, lang", _phone_params())
def test_no_table_header_is_cut_on_a_phone(browser, server, path, lang):
    measured = _phone(browser, server, path)
    problems = [f"at {PHONE['width']} px: {p}" for p in measured["tables"]["cut"] + measured["tables"]["unlabelled"]]
    assert not problems, f"{path}: table headers a reader cannot read:\n  " + "\n  ".join(problems[:15])


@pytest.mark.parametrize("path, lang", _phone_params())
def test_a_table_that_scrolls_shows_it_on_a_phone(browser, server, path, lang):
    measured = _phone(browser, server, path)
    missing = [f"at {PHONE['width']} px: {m}" for m in measured["cues"]] + [f"at {NARROW} px: {m}" for m in measured["narrow_cues"]]
    assert not missing, f"{path}: tables that scroll without showing it:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("path, lang", _phone_params())
def test_the_opened_sidebar_fits_a_phone(browser, server, path, lang):
    sidebar = _phone(browser, server, path)["sidebar"]
    assert sidebar.get("open"), f"{path}: the sidebar does not open at {PHONE['width']} px: {sidebar}"
    assert sidebar["right"] <= sidebar["viewport"] + 1 and sidebar["scrollWidth"] <= sidebar["clientWidth"] + 1, \
        f"{path}: the opened sidebar is {sidebar['width']} px wide ({sidebar['scrollWidth']} px of content) on a {sidebar['viewport']} px screen"
    assert not sidebar["wide"], f"{path}: chapter titles run off the screen: {sidebar['wide']}"
    assert sidebar["switchInSight"], f"{path}: the opened menu does not show the link to the other edition"


@pytest.mark.parametrize("path, lang", _phone_params())
def test_the_language_switch_keeps_the_section(browser, server, path, lang):
    measured = _phone(browser, server, path)
    section = measured["section"]
    if section is None:
        pytest.skip(f"{path} has no section to keep")  # the references page: one list, no sections
    hrefs = measured["switch_hrefs"]
    assert len(hrefs) == 2, f"{path}: expected the switch at the top and in the menu, found {hrefs}"
    assert all(h.endswith(f"#{section}") for h in hrefs), f"{path}#{section}: the switch leads to {hrefs}"
    landed = measured["landed"]
    assert landed and landed["url"].endswith(f"#{section}") and landed["found"], \
        f"{path}#{section}: the menu's switch lands on {landed}"
    assert landed["top"] is not None, f"{path}#{section}: the section has no heading"
    assert landed["below"] - 1 <= landed["top"] < PHONE["height"] / 2, \
        f"{path}#{section}: the other edition opens with the section's heading at {landed['top']} px (the header ends at {landed['below']} px)"  # sub-pixel scroll positions


def _claim_columns(lang: str) -> tuple[str, ...]:
    from helpers import labels

    return tuple(labels.term(key, lang) for key in ("audit_claim", "verdict", "explanation"))


_CLAIM_IN_VIEW = """([id, columns]) => {
  const anchor = document.getElementById(id), row = anchor && anchor.closest('tr');
  if (!row) return [`no row holds #${id}`];
  const table = row.closest('table'), index = {};
  // a column by its header's text and position (a plain table's cells carry no headers attribute)
  // (without the soft hyphens of long words, which a reader sees only where a line breaks)
  table.querySelectorAll('thead th').forEach((th, i) => { index[th.textContent.replace(/\u00ad/g, '').trim()] = i; });
  const hidden = [];
  for (const column of columns) {
    const cell = column in index ? row.cells[index[column]] : null;
    if (!cell) { hidden.push(`${column}: no such column`); continue; }
    const r = cell.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + 4, 0), innerWidth - 1), y = Math.min(Math.max(r.top + 4, 0), innerHeight - 1);
    const seen = document.elementFromPoint(x, y);  // what is drawn there: the cell, not the top bar or nothing
    if (r.left < 0 || r.right > innerWidth + 1 || r.top < 0 || r.bottom > innerHeight + 1 || !cell.contains(seen))
      hidden.push(`${column}: ${Math.round(r.left)}–${Math.round(r.right)} × ${Math.round(r.top)}–${Math.round(r.bottom)} px `
                  + `in ${innerWidth} × ${innerHeight}, under ${seen ? seen.tagName + '.' + seen.className : 'nothing'}`);
  }
  return hidden;
}"""


@pytest.mark.parametrize("prefix, lang", [pytest.param(e.prefix, e.lang, id=e.prefix + "notebooks/05-audit.html")
                                          for e in config.editions(ROOT)])
def test_a_badge_lands_with_claim_verdict_and_explanation_in_view_on_a_phone(browser, server, prefix, lang):
    pages = [p for p in _phone_params() if p.values[1] == lang]
    claims = sorted({unquote(href.partition("#")[2]) for p in pages for href in _phone(browser, server, p.values[0])["claim_links"]})
    assert claims, f"{prefix}: no chapter links to a claim of the audit"
    page = browser.new_page(viewport=PHONE)
    # the first as a reader arrives from a badge (a new page at its #claim-…), the rest as the address changes
    assert page.goto(f"{server}/{prefix}notebooks/05-audit.html#{claims[0]}", wait_until="load").ok
    hidden = {}
    for claim in claims:
        page.evaluate("id => { if (location.hash !== '#' + id) location.hash = id; }", claim)
        page.wait_for_function("id => document.getElementById(id)?.closest('tr')?.classList.contains('claim-target')",
                               arg=claim, timeout=5_000)
        page.wait_for_timeout(50)
        if problems := page.evaluate(_CLAIM_IN_VIEW, [claim, list(_claim_columns(lang))]):
            hidden[claim] = problems
    page.close()
    assert not hidden, f"{prefix}: a badge lands on a claim whose columns are out of sight at {PHONE['width']} px:\n  " \
        + "\n  ".join(f"#{c}: {p}" for c, p in list(hidden.items())[:8])


def test_the_phone_checks_can_fail(browser):
    """Each phone check names a page that fails it: a header at the edge of a scroll box, a card without labels, a
    scrolling table without the site's stylesheet; and passes the same tables styled by it."""
    def content(css: bool, cards: str) -> str:
        cells = "".join(f'<td data-label="Column {i}">value {i}</td>' for i in range(6))
        heads = "".join(f'<th id="h{i}">Column {i}</th>' for i in range(6))
        table = f'<table style="width:{700 if not cards else 300}px"><thead><tr>{heads}</tr></thead><tbody><tr>{cells}</tr><tr>{cells}</tr></tbody></table>'
        return (f'<html lang="en"><body style="margin:0"><main style="width:370px;margin:10px">'
                f'<div id="gt-tbl-x" {cards} tabindex="0" role="region" aria-label="x" style="overflow-x:auto">{table}</div>'
                '</main></body></html>')

    page = browser.new_page(viewport=PHONE)
    page.set_content(content(False, ""))
    plain = page.evaluate(_READ_PHONE_TABLES)
    assert plain["cut"] and all(c.startswith("#gt-tbl-x") for c in plain["cut"]), plain
    assert len(scroll_cues(page, plain["scrolling"])) == 2, "a bare scrolling table passes the scroll-cue check"
    page.add_style_tag(path=str(SITE_CSS))
    assert scroll_cues(page, page.evaluate(_READ_PHONE_TABLES)["scrolling"]) == [], "the site's scroll cue is not seen"
    page.set_content(content(True, 'class="table-cards"'))
    page.add_style_tag(path=str(SITE_CSS))
    cards = page.evaluate(_READ_PHONE_TABLES)
    assert cards["cut"] == [] and cards["unlabelled"] == [], cards
    page.add_style_tag(content="td::before { content: none !important; }")
    assert page.evaluate(_READ_PHONE_TABLES)["unlabelled"], "cards without their column names pass"
    page.close()
