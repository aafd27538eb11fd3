"""The pages of this issue in a real browser with axe-core (WCAG 2.1 A/AA), on two releases: the change list, a
measure with status and history, an old release's page with its notice; phone and desk widths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser import AXE_TAGS, BLOCKING, SCREENSHOTS, axe_violations, describe
from tests.support.browser import chromium as launch_chromium
from tests.support.servers import gunicorn

pytestmark = pytest.mark.browser

PAGES = {
    "aenderungen": "aenderungen",
    "aenderungen-filtered": "aenderungen?oe=50",
    "measure-status-history": "doc/massnahme/18",
    "old-release-measure": "release/2020/doc/massnahme/5",
    "massnahmen-status": "massnahmen?status=laufend",
}


@pytest.fixture(scope="module")
def site(two_releases) -> Iterator[str]:
    env = {"KG_RELEASES_DIR": str(two_releases["directory"]),
           "KG_URI_REGISTRY": str(two_releases["project"].data / "uri-registry.csv")}
    with gunicorn(two_releases["out"], env) as root:
        yield root


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_axe_violation_and_nothing_wider_than_the_screen(chromium, site, name, width):
    context = chromium.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        response = page.goto(site + PAGES[name])
        assert response is not None and response.status == 200
        page.screenshot(path=str(SCREENSHOTS / f"releases-{name}-{width}.png"), full_page=True)
        # On a phone nothing may force sideways scrolling (long titles and values wrap).
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        assert not blocking, f"axe ({', '.join(AXE_TAGS)}) on {PAGES[name]}:\n{describe(blocking)}"
    finally:
        context.close()
