"""Shared fixtures: the real built graph, copies of data/ for negative tests, apps and an external engine.

Helpers (real server processes, HTML parsing, paths) live in tests/support/; nothing imports from here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from rdflib import Graph

from kg.build import ROOT, Project, build

# tests/support/strict.py: a skip or xfail anywhere fails the run; pytester tests that check it (tests/app/test_strict_run.py).
pytest_plugins = ["tests.support.strict", "pytester"]

# Property tests check behaviour, not speed: a loaded CI machine must not fail them on hypothesis' 200 ms deadline.
settings.register_profile("kg", deadline=None, max_examples=100)
settings.load_profile("kg")


def pytest_collection_modifyitems(items):
    """A test that uses an external engine (Oxigraph server, Virtuoso) is a live test, wherever it is."""
    for item in items:
        if {"oxigraph_endpoint", "virtuoso_endpoint", "external_endpoint"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.live)


@pytest.fixture(autouse=True)
def _pages_rendered_afresh():
    """Kept resource pages (server.caches.rendered_page) would hide a test's monkeypatched page sizes and caps."""
    from server.caches import forget_pages

    forget_pages()
    yield
    forget_pages()


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A fresh build of the real data, in a temporary directory. `make mutate` sets KG_TEST_BUILT to a build made
    once before mutating a server module, so that each mutant's test run does not rebuild the same graph."""
    if os.environ.get("KG_TEST_BUILT"):
        return Path(os.environ["KG_TEST_BUILT"])
    out = tmp_path_factory.mktemp("kg") / "build"
    build(out=out)
    return out


@pytest.fixture(scope="session")
def graph(built) -> Graph:
    g = Graph()
    g.parse(built / "graph.nt", format="nt")
    return g


@pytest.fixture()
def project_copy(tmp_path) -> Project:
    """A writable copy of data/, ontology/ and shapes/ for tests that break things on purpose."""
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return Project(data=tmp_path / "data", ontology=tmp_path / "ontology", shapes=tmp_path / "shapes")


@pytest.fixture(scope="session")
def oxigraph_endpoint(built, tmp_path_factory):
    """The test build in a real external SPARQL engine (Oxigraph server); its query URL."""
    from tests.support.servers import oxigraph

    with oxigraph(built / "graph.nt", tmp_path_factory.mktemp("oxigraph-db")) as url:
        yield url


@pytest.fixture(scope="session")
def virtuoso_endpoint(built, tmp_path_factory):
    """The test build in Virtuoso 7 (Debian, installed by tests/install.sh); its query URL."""
    from tests.support.servers import virtuoso

    with virtuoso(built / "graph.nt", tmp_path_factory.mktemp("virtuoso-db")) as url:
        yield url


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def external_endpoint(request) -> str:
    """Each external engine KG_SPARQL_ENDPOINT is tested against, in turn."""
    return request.getfixturevalue(f"{request.param}_endpoint")


@pytest.fixture(scope="module")
def make_app(built):
    """``make_app(**settings)``: an app on the real test build (``KG_BUILD_DIR`` and any setting may be given);
    the SPARQL worker processes of every app it made are stopped after the module."""
    from server.app import create_app

    made = []

    def make(**settings):
        app = create_app({"KG_BUILD_DIR": str(built), **settings})
        made.append(app)
        return app

    yield make
    for app in made:
        pool = app.extensions.get("sparql_pool")
        if pool is not None:
            pool.close()


@pytest.fixture(scope="module")
def app(make_app):
    """The app on the real test build with the default settings."""
    return make_app()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()
