"""Pages for people in a real browser (headless Debian Chromium via Playwright), as a reader on a phone, on a
desktop and on paper would meet them: no sideways scrolling at 320, 375 and 1280 px on any page type; the key
facts of a measure in the first screen; one measure on one printed A4 page. Screenshots of every page type at
375 and 1280 px go to build/screenshots/ (not versioned) for a person to look at.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import BLOCKING, SCREENSHOTS, axe_violations, chromium, describe, serving

pytestmark = pytest.mark.browser

# One URL per page type (and the English version of the ones whose layout differs with longer words).
PAGE_TYPES = {
    "home": "/",
    "massnahmen": "/massnahmen",
    "massnahmen-filtered": "/massnahmen?handlungsfeld=gefluechtete&zielgruppe=gefluechtete",
    "measure-22": "/doc/massnahme/22",
    "measure-10": "/doc/massnahme/10",
    "handlungsfeld": "/doc/handlungsfeld/gefluechtete",
    "ziel": "/doc/ziel/fluechtlingssozialarbeit-in-den-kommunen",
    "oe": "/doc/oe/50",
    "oe-dezernat": "/doc/oe/dezernat-ii",
    "zielgruppe": "/doc/zielgruppe/gefluechtete",
    "drucksache": "/doc/drucksache/IV-0349",
    "bericht": "/doc/bericht/2020",
    "schwerpunkt": "/doc/schwerpunkt/wirtschaft-und-arbeit",
    "beleg": "/doc/beleg/22-zielgruppe-gefluechtete",
    "eintrag": "/doc/eintrag/22",
    "kapitel": "/doc/kapitel/2020-6-1",
    "mitgliedschaft": "/doc/mitgliedschaft/dezernat-i-leitung",
    "oe-art": "/doc/oe-art/fachbereich",
    "organisation": "/doc/organisation/region-hannover",
    "person": "/doc/person/christine-karasch",
    "schritt": "/doc/schritt/berufsbildende-schulen-und-foerderschulen-1",
    "drucksachen": "/id/drucksache/",
    "listing": "/id/ziel/",
    "search-empty": "/suche",
    "search": "/suche?q=Sprachf%C3%B6rderung",
    "search-none": "/suche?q=xyzzy",
    "search-drucksache": "/suche?q=Drs.%202832%20(IV)",
    "unknown-drucksache": "/drucksache?ref=9999%20(IV)",
    "downloads": "/dumps/",
    "sparql": "/sparql",
    "sparql-answer": "/sparql?query=SELECT%20%3Fm%20%3Ftitel%20WHERE%20%7B%3Fm%20dcterms%3Atitle%20%3Ftitel%7D%20LIMIT%2020",
    "sparql-en": "/sparql?lang=en",
    "catalog": "/catalog",
    "dataset": "/catalog/dataset/wissensgraph",
    "ontology": "/def/ik",
    "scheme": "/def/zielgruppen",
    "barrierefreiheit": "/barrierefreiheit",
    "impressum": "/impressum",
    "not-found": "/doc/massnahme/999",
    "measure-22-en": "/doc/massnahme/22?lang=en",
    "massnahmen-en": "/massnahmen?lang=en",
    "home-en": "/?lang=en",
}
WIDTHS = (320, 375, 1280)
SCREENSHOT_WIDTHS = (375, 1280)


@pytest.fixture(scope="module")
def server(make_app) -> Iterator[str]:
    with serving(make_app()) as root:
        yield root


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("layout tests") as launched:
        yield launched


def _open(browser: Browser, server: str, url: str, width: int, height: int = 812, bypass_csp: bool = False) -> Page:
    # axe is injected as an inline script, which the site's CSP refuses: only its test context bypasses the CSP.
    context = browser.new_context(base_url=server, viewport={"width": width, "height": height}, bypass_csp=bypass_csp)
    context.set_default_timeout(15000)
    page = context.new_page()
    response = page.goto(url)
    assert response is not None
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_type_scrolls_sideways(browser, server, width):
    """document.documentElement.scrollWidth <= innerWidth on every page type, at phone and desktop widths."""
    wide = {}
    for name, url in PAGE_TYPES.items():
        page = _open(browser, server, url, width, 812 if width < 1000 else 800)
        try:
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 3).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""")
                wide[name] = (scroll, culprits)
            if width in SCREENSHOT_WIDTHS:
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        finally:
            page.context.close()
    assert not wide, f"pages wider than {width} px: {wide}"


@pytest.mark.parametrize("viewport", [(375, 812), (1280, 800)], ids=["phone", "desktop"])
@pytest.mark.parametrize("nr", [22, 10, 40])
def test_measure_key_facts_are_in_the_first_screen(browser, server, viewport, nr):
    """Field of action, goal, responsible unit and the first Drucksache are visible without scrolling."""
    width, height = viewport
    page = _open(browser, server, f"/doc/massnahme/{nr}", width, height)
    try:
        facts = page.evaluate("""() => Object.fromEntries([...document.querySelector('dl.summary').children].map(row => {
              const value = row.querySelector('dd a, dd span');
              const box = value.getBoundingClientRect();
              return [row.querySelector('dt').textContent.trim(), {bottom: box.bottom, top: box.top, text: value.textContent}];
            }))""")
        for heading in ("Handlungsfeld", "Ziel", "Zuständig", "Drucksachen"):
            if heading == "Drucksachen" and heading not in facts:
                continue  # a measure that cites none
            assert heading in facts, f"measure {nr}: no „{heading}“ in the summary: {sorted(facts)}"
            fact = facts[heading]
            assert 0 <= fact["top"] and fact["bottom"] <= height, \
                f"measure {nr} at {width}×{height}: „{heading}“ ({fact['text']}) ends at {fact['bottom']:.0f} px"
    finally:
        page.context.close()


@pytest.mark.parametrize("nr", [22, 10])
def test_a_measure_prints_on_one_a4_page(browser, server, nr):
    """The print stylesheet drops navigation, search and forms and fits one measure on one A4 page."""
    from pypdf import PdfReader

    page = _open(browser, server, f"/doc/massnahme/{nr}", 1280, 800)
    try:
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        (SCREENSHOTS / f"measure-{nr}.pdf").write_bytes(pdf)
        reader = PdfReader(io.BytesIO(pdf))
        text = reader.pages[0].extract_text()
        assert len(reader.pages) == 1, f"measure {nr} prints on {len(reader.pages)} A4 pages"
        assert "Handlungsfeld" in text and "Zuständig" in text
        assert "Filter anwenden" not in text and "Suchen" not in text  # no forms, no navigation
        assert f"/id/massnahme/{nr}" in text  # the stable address is on paper
    finally:
        page.context.close()


def test_phone_menu_folds_away_and_opens(browser, server):
    page = _open(browser, server, "/doc/massnahme/22", 375)
    try:
        header = page.evaluate("document.querySelector('header.site').getBoundingClientRect().height")
        assert header <= 90, f"the header takes {header:.0f} of 812 px"
        assert not page.locator("#site-q").is_visible()
        toggle = page.get_by_role("button", name="Menü")
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("#site-q").is_visible()
        page.locator("#site-q").fill("Nr. 22")
        page.locator("#site-q").press("Enter")
        page.wait_for_url("**/suche?q=*")
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_axe_finds_nothing_serious_on_any_page_type(browser, server, lang):
    """axe-core (tests/browser/node_modules, npm lock) on every page type, German and English, at 375 px."""
    found = {}
    for name, url in PAGE_TYPES.items():
        # /sparql and its answers: issue 12's editor (CodeMirror's .cm-scroller) is checked with axe, in both
        # languages, by tests/sparql/test_sparql_browser.py.
        if name.endswith("-en") or name.startswith("sparql"):
            continue
        page = _open(browser, server, url + ("&" if "?" in url else "?") + f"lang={lang}", 375, bypass_csp=True)
        try:
            serious = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
            if serious:
                found[name] = describe(serious)
        finally:
            page.context.close()
    assert not found, f"axe ({lang}):\n" + "\n".join(f"{name}: {text}" for name, text in found.items())


@pytest.mark.parametrize("width", [320, 1280])
def test_chart_bars_labels_and_numbers_fit_the_screen(browser, server, width):
    """Home's charts: at 320 px each bar is a list item with its full label and number inside the screen; on a
    desktop the SVG chart; every bar links to the filtered list of measures."""
    page = _open(browser, server, "/?lang=de", width, 812 if width < 1000 else 800)
    try:
        rows = page.evaluate("""() => [...document.querySelectorAll('figure.chart')].map(f => {
              const list = f.querySelector('.bars-narrow'), svg = f.querySelector('svg');
              const visible = e => e && e.getClientRects().length > 0;
              return {list: visible(list), svg: visible(svg), items: [...f.querySelectorAll('.bars-narrow li')].map(li => {
                const label = li.querySelector('a, span'), n = li.querySelector('.n');
                return {right: Math.max(label.getBoundingClientRect().right, n.getBoundingClientRect().right),
                        cut: label.scrollWidth > label.clientWidth + 1, n: n.textContent, href: label.getAttribute('href')};
              })};
            })""")
        assert len(rows) == 3
        for chart in rows:
            if width < 1000:
                assert chart["list"] and not chart["svg"]
                assert all(item["right"] <= width for item in chart["items"]), chart["items"]
                assert all(item["n"].isdigit() and not item["cut"] for item in chart["items"])
                assert all(item["href"].startswith("/massnahmen?") for item in chart["items"])
            else:
                assert chart["svg"] and not chart["list"]
    finally:
        page.context.close()


def test_search_page_offers_its_field_on_a_phone(browser, server):
    page = _open(browser, server, "/suche?q=Nr.%2022", 375)
    try:
        box = page.locator("main #q")
        assert box.is_visible() and box.input_value() == "Nr. 22"
        box.fill("M22")
        box.press("Enter")
        page.wait_for_url("**/suche?q=M22")
        assert page.locator("ol.results a").first.get_attribute("href") == "/id/massnahme/22"
    finally:
        page.context.close()


# Words the reader reads (not addresses, code or form fields), split where a line may break anyway (space, hyphen,
# slash, dash, punctuation): a word shown on two lines without a hyphen was cut inside.
CUT_WORDS = r"""() => {
  const cut = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('code, pre, textarea, input, .iri, .uri, .zitat, script, style')) continue;
    if (!el.getClientRects().length) continue;
    const words = /[^\s\/\-–—.,;:()\[\]„“"'’?!&=_]{2,}/g;
    for (let m; (m = words.exec(n.data)); ) {
      const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
      const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
      if (lines.size > 1) cut.push(m[0]);
    }
  }
  return cut;
}"""


@pytest.mark.parametrize("width", [320, 375])
def test_no_word_is_cut_inside_on_a_phone(browser, server, width):
    """At 320 and 375 px no word of any page type breaks inside ("Arbeitsmarktintegratio / n" in a Beleg's
    heading): text is hyphenated by the browser in its element's language (``hyphens: auto``, which Debian's
    Chromium cannot do without its dictionaries, so here every long word must fit), breaking anywhere is only the
    fallback; addresses and code are never hyphenated."""
    urls = {**PAGE_TYPES, "beleg-en": "/doc/beleg/10-zielgruppe-gefluechtete?lang=en", "beleg-literal": "/doc/beleg/100-beginn"}
    cut = {}
    for name, url in urls.items():
        page = _open(browser, server, url, width)
        try:
            words = page.evaluate(CUT_WORDS)
            if words:
                cut[name] = words[:5]
            if name.startswith("beleg"):
                styles = page.evaluate("""() => ['main p', 'main h1', 'main dd', 'main input', 'main code']
                    .map(s => document.querySelector(s)).map(e => e && getComputedStyle(e).hyphens)""")
                assert styles == ["auto", "auto", "auto", "manual", "manual"], (name, styles)
                lang = page.evaluate("document.querySelector('main h1').closest('[lang]').lang")
                assert lang == "de", (name, lang)  # the heading quotes the report: hyphenated as German
        finally:
            page.context.close()
    assert not cut, f"words cut inside at {width} px: {cut}"


RESULT_CARDS = """() => {
  const region = document.querySelector('#result .result-view-table');
  const table = region.querySelector('table');
  const names = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  const rows = [...table.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => {
    const box = td.getBoundingClientRect();
    return {label: getComputedStyle(td, '::before').content, left: box.left, right: box.right, top: box.top,
            role: td.getAttribute('role')};
  }));
  return {names, rows, scroll: region.scrollWidth, width: region.clientWidth, region: region.getAttribute('role'),
          label: region.getAttribute('aria-labelledby'), tabindex: region.tabIndex,
          head: getComputedStyle(table.querySelector('thead')).position};
}"""


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_sparql_results_are_readable_on_a_phone(browser, server, width):
    """GOV.UK: a tall, narrow table reads better than a wide one. Below 48em every result row is a card and every
    value stands under its column's name, inside the screen – nothing scrolls sideways, not even inside the result
    box; the table keeps its table roles for screen readers. On a desktop it stays a table (a wide one scrolls in a
    named, keyboard-reachable box)."""
    query = "SELECT * WHERE { ?m a ik:Massnahme ; ?p ?o } LIMIT 30"
    page = _open(browser, server, "/sparql?" + urlencode({"query": query}), width)
    try:
        found = page.evaluate(RESULT_CARDS)
    finally:
        page.context.close()
    assert sorted(found["names"]) == ["m", "o", "p"] and len(found["rows"]) == 30
    assert (found["region"], found["label"], found["tabindex"]) == ("region", "ergebnis-h", 0)
    assert all(cell["role"] == "cell" for row in found["rows"] for cell in row)
    if width < 768:
        assert found["scroll"] <= found["width"], found  # no scrolling inside the result box
        assert found["head"] == "absolute"  # the header row is read, not shown: each card names its values
        for row in found["rows"]:
            assert [cell["label"] for cell in row] == [f'"{name}: "' for name in found["names"]], row
            assert all(0 <= cell["left"] and cell["right"] <= width for cell in row), row
            assert len({round(cell["top"]) for cell in row}) == len(row)  # one value under the other
    else:
        assert found["head"] != "absolute"
        assert all(len({round(cell["top"]) for cell in row}) == 1 for row in found["rows"])  # a row is a line


@pytest.mark.parametrize("width", [375, 1280])
def test_a_cut_goal_list_links_to_all_goals_in_the_opened_data_section(browser, server, width, monkeypatch):
    """A field of action with more goals than its page lists (at scale; here the bound lowered to 2) says how many
    more there are, and its link opens the collapsed data section at the goals linking here, all of them counted."""
    from server.pages import overviews

    monkeypatch.setattr(overviews, "FIELD_ROWS", 2)
    page = _open(browser, server, "/doc/handlungsfeld/gefluechtete?lang=de", width)
    try:
        more = page.locator("#ov-goals-more")
        assert more.is_visible() and "4 weitere" in more.inner_text()
        link = more.locator("a")
        assert link.inner_text() == "Alle 6 Ziele in den Daten dieser Seite (seitenweise)"
        link.click()
        target = page.locator(link.get_attribute("href"))
        target.wait_for(state="visible")
        assert page.evaluate("document.getElementById('daten').open")
        box = target.bounding_box()
        assert box is not None and 0 <= box["y"] < 812 and target.inner_text().endswith("(6)")
    finally:
        page.context.close()
