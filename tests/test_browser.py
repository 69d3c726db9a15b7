"""The built site in a real browser (Debian's chromium, driven by Playwright; never a downloaded browser)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from helpers.build import config

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
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                               ".map(v => ({id: v.id, impact: v.impact, n: v.nodes.length}))")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{path}: axe-core {serious}"
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
    switch = page.locator(f'a[hreflang="{lang}"]')
    assert switch.count() == 1, f"{path}: expected one link to the '{lang}' edition, found {switch.count()}"
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
