"""The people-facing pages in a real browser: headless Chromium driven by Playwright, checked with axe-core.

Needs /usr/bin/chromium (Debian package) and tests/browser/node_modules/axe-core; `tests/browser/install.sh`
installs both (`make test` runs it). Without them these tests fail naming the command. Screenshots go to
build/screenshots/ (build/ is not versioned).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BLOCKING, SCREENSHOTS, axe_violations, chromium, describe, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(built, make_app) -> Iterator[str]:
    """The real app on a free port of 127.0.0.1, served by werkzeug in a thread."""
    with serving(make_app()) as root:
        yield root


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture()
def page(browser, server) -> Iterator[Page]:
    # The site's CSP allows no inline script; axe is injected as one, so the test context bypasses CSP.
    context = browser.new_context(base_url=server, bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# ------------------------------------------------------------------ journeys


def test_search_result_measure_drucksache_and_back(page: Page):
    page.goto("/")
    box = page.get_by_role("search").get_by_label("Suche")
    box.fill("Sprachförderung")
    box.press("Enter")  # the keyboard submits the form
    page.wait_for_url(re.compile(r"/suche\?q="))
    expect(page.locator("#search-status")).to_contain_text("Treffer")
    expect(page.locator("ol.results mark").first).to_be_visible()
    shot(page, "search-results")

    # First measure among the results that cites a Drucksache.
    measure_links = page.locator("ol.results a[href^='/id/massnahme/']")
    assert measure_links.count() > 0
    for i in range(measure_links.count()):
        page.goto("/suche?q=Sprachf%C3%B6rderung")
        title = page.locator("ol.results a[href^='/id/massnahme/']").nth(i).inner_text()
        page.locator("ol.results a[href^='/id/massnahme/']").nth(i).click()
        page.wait_for_url(re.compile(r"/doc/massnahme/\d+"))
        expect(page.locator("h1")).to_have_text(title)
        if page.locator("main a[href^='/id/drucksache/']").count():
            break
    else:
        pytest.fail("no measure found for „Sprachförderung“ cites a Drucksache")
    measure_url = page.url
    shot(page, "measure")

    page.locator("main a[href^='/id/drucksache/']").first.click()
    page.wait_for_url(re.compile(r"/doc/drucksache/"))
    expect(page.locator("h1")).to_contain_text("Drucksache")
    shot(page, "drucksache")

    page.go_back()
    page.wait_for_url(measure_url)
    expect(page.locator("h1")).to_have_text(title)


def _facet_counts(page: Page, facet: str) -> dict[str, int]:
    counts = {}
    for span in page.locator(f"form.facets .count[data-facet='{facet}']").all():
        counts[span.get_attribute("data-key")] = int(span.inner_text().strip("()"))
    return counts


def test_facet_filter_changes_the_list_and_the_counts(page: Page):
    page.goto("/massnahmen")
    total_before = page.locator("#list-count").inner_text()
    assert total_before.startswith("129 von 129")
    fields = _facet_counts(page, "handlungsfeld")
    groups_before = _facet_counts(page, "zielgruppe")
    expected = fields["gefluechtete"]

    page.get_by_role("group", name="Handlungsfeld").get_by_role("checkbox", name=re.compile(r"^Geflüchtete \d+$")).check()
    page.get_by_role("button", name="Filter anwenden").first.click()
    page.wait_for_url(re.compile(r"handlungsfeld=gefluechtete"))
    shot(page, "massnahmen-filtered")

    expect(page.locator("#list-count")).to_have_text(re.compile(rf"^{expected} von 129"))
    assert page.locator("#measures tbody tr").count() == min(expected, 25)
    groups_after = _facet_counts(page, "zielgruppe")
    assert groups_after != groups_before
    assert sum(groups_after.values()) < sum(groups_before.values())
    # The facet's own counts ignore its own selection, so other fields stay selectable with their full counts.
    assert _facet_counts(page, "handlungsfeld") == fields

    # The URL is shareable: opening it again gives the same list.
    shared = page.url
    page.goto(shared)
    expect(page.locator("#list-count")).to_have_text(re.compile(rf"^{expected} von 129"))
    assert parse_qs(urlparse(shared).query)["handlungsfeld"] == ["gefluechtete"]


def test_example_query_runs_and_shows_rows(page: Page):
    response = page.goto("/sparql")
    assert response is not None and response.status == 200
    examples = page.locator("main a[href*='query='][href*='format=html']")
    assert examples.count() > 0, "the /sparql page offers runnable example links"
    examples.first.click()
    page.wait_for_load_state()
    if page.locator("#view-table").count():  # examples of a label and a number open as a bar chart
        page.get_by_label("Tabelle", exact=True).check()
    rows = page.locator("main .result-view-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 0
    shot(page, "sparql-example")


def test_keyboard_skip_link_and_visible_focus(page: Page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused[0] == "skip" and focused[1] != "none"
    expect(page.locator("a.skip")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "inhalt"
    # Tabbing on from the skip link reaches the search box, in document order.
    page.goto("/")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "site-q"


def test_language_switch_changes_interface_and_html_lang(page: Page):
    page.goto("/massnahmen")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Filter the measures")
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/")  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "home-en")
    page.get_by_role("link", name="Deutsch").click()
    assert page.locator("html").get_attribute("lang") == "de"


# ------------------------------------------------------------------ accessibility (axe-core)

AXE_PAGES = {
    "home": "/",
    "massnahmen": "/massnahmen",
    "massnahmen-facetted": "/massnahmen?handlungsfeld=bildung-und-sprache&zielgruppe=kinder-bis-sechs-jahre&sort=titel",
    "measure": "/doc/massnahme/39",
    "drucksache": "/doc/drucksache/IV-0349",
    "search": "/suche?q=Gefl%C3%BCchtete",
    "sparql": "/sparql",
    "handlungsfeld": "/doc/handlungsfeld/gefluechtete",
    "oe": "/doc/oe/dezernat-ii",
    "zielgruppe": "/doc/zielgruppe/gefluechtete",
    "barrierefreiheit": "/barrierefreiheit",
    "home-en": "/?lang=en",
    "massnahmen-en": "/massnahmen?lang=en",
}


@pytest.mark.parametrize("name", AXE_PAGES)
def test_no_serious_or_critical_axe_violation(page: Page, name: str):
    response = page.goto(AXE_PAGES[name])
    assert response is not None and response.status == 200, f"{AXE_PAGES[name]} answered {response and response.status}"
    shot(page, f"axe-{name}")
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    minor = [v for v in violations if v["impact"] not in BLOCKING]
    if minor:
        print(f"\naxe {name}: minor/moderate findings:\n{describe(minor)}")
    assert not blocking, f"axe on {AXE_PAGES[name]}:\n{describe(blocking)}"

