"""The browser fixtures themselves: Debian's Chromium opens a page of a real
``kesu-server``, runs its scripts, and every request off the loopback is refused."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.sync.helpers import ServerProcess
from tests.sync.server.console.conftest import Offsite


def test_docs_page_opens_in_chromium(page: Page, server: ServerProcess,
                                     offsite: Offsite) -> None:
    answer = page.goto(f"{server.url}/docs")
    assert answer is not None and answer.status == 200
    assert "kesu-server" in page.title()
    # The page's own script runs and reaches the server (same origin).
    title = page.evaluate("fetch('/openapi.json').then(r => r.json()).then(d => d.info.title)")
    assert title == "kesu-server"
    # FastAPI's Swagger UI asks a CDN for its scripts: the guard refused and recorded that,
    # which proves a console page that did the same would be caught.
    assert offsite.urls and all("127.0.0.1" not in url for url in offsite.urls)



def test_chinese_renders_with_the_bundled_font(page: Page, server: ServerProcess,
                                               offsite: Offsite) -> None:
    """No Chinese system font here: the console's own font must draw the Chinese text a
    page has from the start (bold too), not only text written after the font arrived
    (Chromium keeps empty boxes for text laid out while a web font was loading behind an
    installed one)."""
    page.goto(f"{server.url}/console/login")
    page.evaluate("document.fonts.ready.then(() => true)")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Kesu CJK" in family for family in loaded)
    # Each element of the first paint beside a copy of it made now, with the font in:
    # the same text in the same style looks the same unless the first was drawn as boxes.
    # (Elements on whole pixels: a copy a fraction of a pixel lower is smoothed otherwise.)
    for selector in ("a.brand", "main h1", "button.primary"):
        page.evaluate("""selector => {
            const first = document.querySelector(selector);
            const copy = first.cloneNode(true);
            copy.id = 'copy-of-first';
            first.after(copy);
        }""", selector)
        page.evaluate("document.fonts.ready.then(() => true)")
        first = page.locator(selector).first.screenshot()
        copy = page.locator("#copy-of-first").screenshot()
        alike = first == copy
        assert alike, f"{selector}: Chinese drawn as boxes until the page is laid out again"
        page.evaluate("document.getElementById('copy-of-first').remove()")
    # And two different characters do not look alike (boxes would).
    page.evaluate("""() => {
        for (const [id, text] of [['probe-a', '客'], ['probe-b', '诉']]) {
            const span = document.createElement('span');
            span.id = id; span.textContent = text;
            span.style.cssText = 'font-size:40px;display:inline-block;padding:2px';
            document.querySelector('main').prepend(span);
        }
    }""")
    page.evaluate("document.fonts.ready.then(() => true)")
    alike = page.locator("#probe-a").screenshot() == page.locator("#probe-b").screenshot()
    assert not alike, "two different characters look alike: boxes, not glyphs"
    assert offsite.urls == []
