"""The query page in a real browser (Debian Chromium via Playwright): the editor under the site's real CSP, completion,
the error marker, running without PREFIX lines, the bar chart, downloads, history, accessibility (axe-core).

Needs /usr/bin/chromium, tests/browser/node_modules/axe-core (tests/browser/install.sh) and the editor bundle
(`make editor`); `make test` installs and builds all three. Without one of them these tests fail naming the command.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from server.app import create_app
from server.sparql.examples import EXAMPLES
from server.sparql.page import EDITOR_BUNDLE, STATIC
from tests.support.browser import BLOCKING, SCREENSHOTS, axe_violations, chromium, describe, serving

pytestmark = pytest.mark.browser

PER_FIELD = next(e for e in EXAMPLES if e.slug == "massnahmen-je-handlungsfeld")
CSP_PROBE = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")

# The editor is a bundle `make editor` builds; without it these tests fail naming that command.
EDITOR = (STATIC / EDITOR_BUNDLE, "run `make editor` (needs npm: `bash tests/install.sh`)")


@pytest.fixture(scope="module")
def server(built) -> Iterator[str]:
    with serving(create_app({"KG_BUILD_DIR": str(built)})) as root:
        yield root


@pytest.fixture(scope="module")
def browser():
    with chromium("SPARQL browser tests", extra=[EDITOR]) as launched:
        yield launched


@pytest.fixture()
def page(browser, server) -> Iterator[Page]:
    """A page under the site's own CSP (no bypass), recording CSP violations and every host it contacts."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15000)
    context.add_init_script(CSP_PROBE)
    page = context.new_page()
    page.hosts = set()
    page.on("request", lambda request: page.hosts.add(urllib.parse.urlsplit(request.url).netloc))
    yield page
    context.close()


def editor(page: Page):
    return page.locator(".cm-editor .cm-content")


def type_query(page: Page, text: str) -> None:
    editor(page).click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def run(page: Page) -> None:
    """Ctrl+Enter in the editor submits the form; wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")


def test_editor_loads_with_no_csp_violation_and_no_request_to_another_host(page: Page, server):
    page.goto("/sparql")
    expect(page.locator(".cm-editor")).to_be_visible()
    expect(page.locator("textarea#query")).to_be_hidden()
    assert page.locator(".cm-lineNumbers .cm-gutterElement").count() > 3
    colours = page.evaluate("[...new Set([...document.querySelectorAll('.cm-line span')].map(e => getComputedStyle(e).color))]")
    assert len(colours) >= 3, colours  # keywords, variables, comments … are highlighted differently
    expect(page.locator(".editor-help")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert page.hosts == {urllib.parse.urlsplit(server).netloc}
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"sparql-editor-{width}.png"), full_page=width == 1280)


def test_completion_offers_ik_massnahme_after_ik_ma(page: Page):
    page.goto("/sparql")
    type_query(page, "SELECT ?m WHERE {\n  ?m a ik:Ma")
    page.keyboard.press("Control+Space")
    options = page.locator(".cm-tooltip-autocomplete li")
    offered = options.filter(has_text="ik:Massnahme").first
    expect(offered).to_be_visible()
    assert options.first.locator(".cm-completionLabel").inner_text() == "ik:Massnahme"  # the most used match first
    page.screenshot(path=str(SCREENSHOTS / "sparql-completion.png"))
    offered.click()  # (Enter would work too, after CodeMirror's short guard against accepting while typing)
    assert "?m a ik:Massnahme" in page.evaluate("window.sparqlEditor.state.doc.toString()")


def test_a_syntax_error_is_marked_at_its_line(page: Page):
    page.goto("/sparql")
    type_query(page, "SELECT ?m WHERE {\n  ?m a ik:Massnahme .\n  ?m dcterms:title\n}\nLIMIT 5")
    run(page)
    expect(page.locator("#query-error")).to_contain_text("Zeile 4, Spalte 1")
    marked = page.locator(".cm-error-line")
    expect(marked).to_have_count(1)
    assert marked.get_attribute("data-error-line") == "4" and marked.inner_text() == "}"
    expect(page.locator(".cm-lint-marker-error")).to_have_count(1)
    assert page.evaluate("window.__csp") == []
    page.screenshot(path=str(SCREENSHOTS / "sparql-error-marked.png"))


def test_a_query_without_prefix_lines_returns_the_129_measures(page: Page):
    page.goto("/sparql")
    type_query(page, "SELECT ?massnahme ?titel WHERE {\n  ?massnahme a ik:Massnahme ; dcterms:title ?titel .\n}")
    run(page)
    expect(page.locator("#result-count")).to_have_text("129 Zeilen")
    assert page.locator(".result-view-table tbody tr").count() == 129


def test_the_chart_view_renders_for_measures_per_field_and_the_download_is_the_endpoints_csv(page: Page, server):
    page.goto("/sparql")
    page.get_by_role("link", name=f"{PER_FIELD.title}: Ausführen").click()
    page.wait_for_load_state()
    chart = page.locator(".result-view-chart svg")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 8
    assert page.locator(".result-view-table").is_hidden()
    page.get_by_label("Tabelle", exact=True).check()
    expect(page.locator(".result-view-table")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "sparql-chart.png"), full_page=True)

    with page.expect_download() as caught:
        page.get_by_role("button", name="Ergebnis als CSV herunterladen").click()
    download = caught.value
    assert download.suggested_filename == "massnahmen-je-handlungsfeld.csv"
    downloaded = Path(download.path()).read_bytes()
    url = server + "/sparql?" + urllib.parse.urlencode({"query": PER_FIELD.text("https://integration.region-hannover.example/")})
    direct = urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/csv"}), timeout=30).read()
    assert downloaded == direct and downloaded.count(b"\r\n") == 9


def test_the_last_queries_are_kept_in_this_browser(page: Page):
    page.goto("/sparql")
    type_query(page, "# Verlaufstest\nASK { ?s ?p ?o }")
    run(page)
    page.goto("/sparql")
    history = page.locator("#query-history")
    expect(history).to_be_visible()
    history.locator("summary").click()
    history.get_by_role("button", name="# Verlaufstest").click()
    assert page.evaluate("window.sparqlEditor.state.doc.toString()") == "# Verlaufstest\nASK { ?s ?p ?o }"


@pytest.mark.parametrize("path", ["/sparql", "/sparql?lang=en", "result", "error"])
def test_no_serious_or_critical_axe_violation_with_the_editor(browser, server, path):
    context = browser.new_context(base_url=server, bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if path == "result":
        path = "/sparql?" + urllib.parse.urlencode({"query": PER_FIELD.text("https://integration.region-hannover.example/"),
                                                    "format": "html"})
    elif path == "error":
        path = "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s a ex:X }", "format": "html"})
    page.goto(path)
    expect(page.locator(".cm-editor")).to_be_visible()
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    context.close()
    assert not blocking, describe(blocking)
