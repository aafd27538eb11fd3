"""rdflib and curl-like clients against a real gunicorn: every RDF format rdflib asks for dereferences a data URI."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import DEFAULT_BASE
from tests.support.servers import gunicorn

pytestmark = pytest.mark.live  # real server processes


@pytest.fixture(scope="module")
def root(built):
    with gunicorn(built) as url:  # maps its own host onto the data's base: /id/massnahme/22 is DEFAULT_BASE's
        yield url


@pytest.mark.parametrize("fmt", ["nt", "n3", "turtle", "json-ld", "xml", "trig"])
def test_rdflib_parses_a_data_uri_in_every_format_it_asks_for(root, fmt):
    """Graph().parse(uri, format=...) sends its own Accept (text/plain for nt, text/n3, application/trig …) and
    follows the 303 from /id/ to the document."""
    uri = URIRef(DEFAULT_BASE + "id/massnahme/22")
    g = Graph().parse(root + "id/massnahme/22", format=fmt)
    assert g.value(uri, DCTERMS.identifier).toPython() == "22", fmt
    assert (uri, DCTERMS.title, None) in g


@pytest.mark.parametrize("accept, content_type", [
    ("text/turtle; charset=utf-8", "text/turtle"),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
    ("text/html; level=1", "text/html"),
])
def test_accept_with_parameters_is_served_over_http(root, accept, content_type):
    """Werkzeug's matcher compared parameters exactly, so these got 406 everywhere."""
    redirect = requests.get(root + "id/massnahme/22", headers={"Accept": accept}, allow_redirects=False, timeout=10)
    assert redirect.status_code == 303 and "Accept" in redirect.headers["Vary"]
    for path in ("doc/massnahme/22", "catalog", ".well-known/void" if "html" not in accept else "sparql"):
        response = requests.get(root + path, headers={"Accept": accept}, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == content_type, path
        assert "Accept" in response.headers["Vary"], path
