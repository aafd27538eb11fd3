"""What every browser test needs once: Debian's Chromium launched with the project's flags, the real app served on a
free loopback port, axe-core run over a page, and where screenshots go.

`make test` installs Chromium and axe-core (tests/install.sh); without them a browser test fails naming that command
instead of skipping (a skip fails the run anyway, tests/support/strict.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support.paths import TESTS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--disable-gpu"]
AXE = TESTS / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0/2.1 A and AA rules: what BITV 2.0 asks for through EN 301 549.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
# build/ is ignored by git; it is usually the symlink to the current build, so the pictures live beside that build.
SCREENSHOTS = Path(os.environ.get("KG_SCREENSHOTS_DIR") or TESTS.parent / "build" / "screenshots")

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - reported by missing()
    sync_playwright = None


def missing(extra: Iterable[tuple[Path, str]] = ()) -> str | None:
    """Why the browser tests cannot run, with what fixes it; None when they can. ``extra``: more (file, fix) pairs."""
    if sync_playwright is None:
        return "Python package 'playwright' fehlt / missing: pip install -e '.[test]'"
    needed = [(CHROMIUM, "run `bash tests/install.sh` (apt-get install chromium)"),
              (AXE, "run `bash tests/install.sh` (npm ci in tests/browser)"), *extra]
    for path, fix in needed:
        if not path.exists():
            return f"{path} fehlt / missing: {fix}"
    return None


@contextmanager
def chromium(what: str = "browser tests", extra: Iterable[tuple[Path, str]] = ()) -> Iterator[Browser]:
    """Headless Chromium for a module's tests; fails them (never skips) when something is missing."""
    reason = missing(extra)
    if reason:
        pytest.fail(f"{what} cannot run – {reason}", pytrace=False)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` on a free port of 127.0.0.1 (werkzeug, threaded) for as long as the block runs; its query processes
    are closed afterwards."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        pool = app.extensions.get("sparql_pool")
        if pool is not None:
            pool.close()


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on ``page`` (its context must bypass the CSP: axe is an inline script)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                           AXE_TAGS)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """Violations one per line, for an assertion message a person can act on."""
    return "\n".join(f"{v['impact']}: {v['id']} – {v['help']} ({len(v['nodes'])}×): "
                     + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"]) for n in v["nodes"][:5])
                     for v in violations)

