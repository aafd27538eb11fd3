"""The DCAT-AP.de catalog: validation against the official shapes, content, paging, VoID and the HTTP side."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SH

from kg import catalog as dcat
from kg.namespaces import DCATDE, HYDRA, SPDX, VCARD, VOID
from kg.store import Store
from kg.void import void_graph
from tests.support.htmltree import parse_html

# Plain namespaces: rdflib's DefinedNamespace versions warn when pytest probes module attributes during collection.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SHAPES_DIR = Path(__file__).parent / "dcat-ap-de"
# Profile "DCAT-AP 3.0.de – Deutsche Spezifikation" as the official validator configures it (see dcat-ap-de/README.md):
# the v3.0 shapes except the imports file, plus the DCAT-AP 3.0.0 base shapes; the mirrored ontologies; RDFS inference.
SHAPE_FILES = ("v3.0/dcat-ap-SHACL-DE.ttl", "v3.0/dcat-ap-de-controlledvocabularies.ttl", "v3.0/dcat-ap-de-deprecated.ttl",
               "v3.0/dcat-ap-spec-german-additions.ttl", "dcat-ap-3.0.0/dcat-ap-SHACL.ttl")
ONTOLOGY_FILES = ("mirror/foaf_0_1.rdf", "mirror/org.ttl", "mirror/vcard.ttl")
VOCABULARIES = SHAPES_DIR / "vocab-excerpt.ttl"
# The only finding the default catalog.toml accepts knowingly: [govdata] legacy_political_geocoding_uri = true.
EXPECTED_WARNINGS = {"Deprecated: dcatde:politicalGeocodingURI soll nicht mehr verwendet werden."}
BASE = "http://test.example/"


def _parse(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHAPES_DIR / name)
    return graph


@pytest.fixture(scope="session")
def shapes() -> tuple[Graph, Graph]:
    return _parse(*SHAPE_FILES), _parse(*ONTOLOGY_FILES)


def findings(data: Graph, shapes, with_vocabularies: bool = True) -> Counter:
    """(severity, message) → count, from the official shapes."""
    shacl, ontology = shapes
    data = data + Graph().parse(VOCABULARIES) if with_vocabularies else data
    _, report, _ = validate(data, shacl_graph=shacl, ont_graph=ontology, inference="rdfs", allow_warnings=True)
    return Counter((report.value(r, SH.resultSeverity).split("#")[-1], str(report.value(r, SH.resultMessage)),
                    str(report.value(r, SH.focusNode)))
                   for r in report.subjects(RDF.type, SH.ValidationResult))


def violations(found: Counter) -> list[str]:
    return [f"{message} ({focus})" for (severity, message, focus) in found if severity == "Violation"]


@pytest.fixture(scope="session")
def manifest(built) -> dict:
    return json.loads((built / "manifest.json").read_text())


@pytest.fixture(scope="session")
def catalog(manifest) -> dcat.Catalog:
    return dcat.from_manifest(manifest, dcat.load_settings(), BASE)


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(KG_BASE_URI=BASE)


@pytest.fixture()
def client(app):
    return app.test_client()


def paged_app(make_app, tmp_path, per_page: int):
    """An app whose catalog.toml asks for ``per_page`` datasets per page."""
    text = dcat.SETTINGS_PATH.read_text(encoding="utf-8").replace("items_per_page = 100", f"items_per_page = {per_page}")
    (tmp_path / "catalog.toml").write_text(text, encoding="utf-8")
    return make_app(KG_BASE_URI=BASE, KG_CATALOG_SETTINGS=str(tmp_path / "catalog.toml"))


# --- DCAT-AP.de 3.0 validation -----------------------------------------------------------------------------


def test_served_catalog_conforms_to_dcat_ap_de(client, shapes):
    response = client.get("/catalog.ttl")
    found = findings(Graph().parse(data=response.data, format="turtle"), shapes)
    assert violations(found) == []
    warnings = {message for (severity, message, _) in found if severity != "Violation"}
    assert warnings <= EXPECTED_WARNINGS, f"new warnings: {warnings - EXPECTED_WARNINGS}"


def test_every_page_of_a_paged_catalog_conforms_on_its_own(make_app, tmp_path, shapes):
    client = paged_app(make_app, tmp_path, 3).test_client()
    for page in (1, 2, 3):
        data = Graph().parse(data=client.get(f"/catalog.ttl?page={page}").data, format="turtle")
        assert violations(findings(data, shapes)) == [], f"page {page}"


def test_the_shapes_are_really_checking(catalog, shapes):
    """Guards against a vacuous green run: without the vocabulary excerpt, or without a publisher, the shapes fire."""
    without_vocabularies = {message for (severity, message, _) in findings(dcat.full_graph(catalog), shapes, False)
                            if severity == "Violation"}
    assert any("dcterms:language MUSS folgendes Vokabular" in m for m in without_vocabularies)
    assert any("dcterms:format MUSS folgendes Vokabular" in m for m in without_vocabularies)
    graph = dcat.full_graph(catalog)
    graph.remove((catalog.uri, DCTERMS.publisher, None))
    assert any("publisher MUSS MINDESTEN einmal" in v for v in violations(findings(graph, shapes)))


def test_vocabulary_excerpt_covers_exactly_the_concepts_in_use(catalog):
    excerpt = Graph().parse(VOCABULARIES)
    listed = set(excerpt.subjects(RDF.type, None))
    graph = dcat.full_graph(catalog)
    vocabulary_properties = (DCTERMS.language, DCAT.theme, DCTERMS.format, DCTERMS.accessRights, DCTERMS.accrualPeriodicity,
                             DCTERMS.license, DCATDE.politicalGeocodingLevelURI, DCATDE.politicalGeocodingURI, DCTERMS.spatial,
                             DCTERMS.type, SPDX.algorithm, URIRef("http://www.w3.org/ns/adms#status"))
    used = {o for p in vocabulary_properties for o in graph.objects(None, p)}
    assert used == listed


# --- content -----------------------------------------------------------------------------------------------


def test_every_dump_and_table_is_a_distribution_with_size_and_checksum(catalog, manifest):
    graph = dcat.full_graph(catalog)
    listed = {}
    for dist in graph.subjects(RDF.type, DCAT.Distribution):
        url = graph.value(dist, DCAT.downloadURL)
        if url is None:  # the SPARQL endpoint
            assert graph.value(dist, DCAT.accessService) == catalog.service_uri
            continue
        assert graph.value(dist, DCAT.accessURL) == url
        checksum = graph.value(dist, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        listed[str(url).removeprefix(BASE + "dumps/")] = (graph.value(dist, DCAT.byteSize),
                                                          str(graph.value(checksum, SPDX.checksumValue)))
        assert graph.value(dist, DCTERMS.license) == URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
        assert str(graph.value(dist, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")
    expected = {name: info for name, info in manifest["files"].items() if name != "quality.json"}
    assert set(listed) == set(expected)
    for name, (size, sha) in listed.items():
        assert size == Literal(expected[name]["bytes"], datatype=XSD.nonNegativeInteger) and sha == expected[name]["sha256"]
    gz = catalog.distribution_uri("graph.nt.gz")
    assert graph.value(gz, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/application/n-triples")
    assert graph.value(gz, DCAT.compressFormat) == URIRef("https://www.iana.org/assignments/media-types/application/gzip")


def test_one_dataset_for_the_graph_and_one_per_table(catalog, manifest):
    graph = dcat.full_graph(catalog)
    datasets = set(graph.objects(catalog.uri, DCAT.dataset))
    tables = {Path(name).stem for name in manifest["files"] if name.startswith("csv/")}
    assert datasets == {catalog.dataset_uri(name) for name in tables | {dcat.MAIN}}
    for dataset in datasets:
        assert graph.value(dataset, DCTERMS.publisher) == URIRef(manifest["base_uri"] + "id/organisation/region-hannover")
        assert graph.value(dataset, DCATDE.politicalGeocodingLevelURI) == URIRef(
            "http://dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict")
        assert graph.value(dataset, DCTERMS.spatial) == URIRef("http://dcat-ap.de/def/politicalGeocoding/districtKey/03241")
        period = graph.value(dataset, DCTERMS.temporal)
        assert (graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate)) == (
            Literal("2016-01-01", datatype=XSD.date), Literal("2020-12-31", datatype=XSD.date))
        assert set(graph.objects(dataset, DCAT.theme)) <= {URIRef(dcat.EU + f"data-theme/{t}") for t in ("SOCI", "GOVE", "EDUC")}
        assert graph.value(dataset, DCAT.landingPage) is not None


def test_publisher_and_contact_come_from_the_imprint(catalog):
    graph = dcat.full_graph(catalog)
    publisher = graph.value(catalog.uri, DCTERMS.publisher)
    assert {FOAF.Agent, FOAF.Organization} <= set(graph.objects(publisher, RDF.type))
    assert str(graph.value(publisher, FOAF.name)) == "Region Hannover"
    assert graph.value(publisher, DCTERMS.type) == URIRef("http://purl.org/adms/publishertype/LocalAuthority")
    contact = graph.value(catalog.dataset_uri(dcat.MAIN), DCAT.contactPoint)
    assert graph.value(contact, RDF.type) == VCARD.Organization
    assert str(graph.value(contact, VCARD.fn)) == "Region Hannover, Koordinierungsstelle Integration"
    assert graph.value(contact, VCARD.hasTelephone) == URIRef("tel:+49-511-61622981")
    assert graph.value(contact, VCARD.hasEmail) is None  # the report gives none
    address = graph.value(contact, VCARD.hasAddress)
    assert str(graph.value(address, VCARD["street-address"])) == "Hildesheimer Straße 20"
    assert str(graph.value(address, VCARD["postal-code"])) == "30169"


def test_data_service_points_at_the_sparql_endpoint(catalog):
    graph = dcat.full_graph(catalog)
    service = graph.value(catalog.uri, DCAT.service)
    assert graph.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert graph.value(service, DCAT.endpointDescription) == URIRef(BASE + "sparql")
    assert graph.value(service, DCAT.servesDataset) == catalog.dataset_uri(dcat.MAIN)


def test_settings_errors_name_file_section_and_key(tmp_path):
    bad = tmp_path / "catalog.toml"
    bad.write_text(dcat.SETTINGS_PATH.read_text(encoding="utf-8").replace('uri = "http://dcat-ap.de', 'urx = "http://dcat-ap.de'))
    with pytest.raises(dcat.SettingsError, match=r"catalog.toml: \[licence\] uri"):
        dcat.load_settings(bad)


def test_contributor_id_and_email_appear_when_configured(manifest, tmp_path):
    text = dcat.SETTINGS_PATH.read_text(encoding="utf-8")
    text = text.replace('contributor_id = ""', 'contributor_id = "http://dcat-ap.de/def/contributors/ORGANISATION"')
    text = text.replace('email = ""', 'email = "integration@example.org"')
    (tmp_path / "catalog.toml").write_text(text, encoding="utf-8")
    catalog = dcat.from_manifest(manifest, dcat.load_settings(tmp_path / "catalog.toml"), BASE)
    graph = dcat.full_graph(catalog)
    assert graph.value(catalog.dataset_uri("oe"), DCATDE.contributorID) == URIRef("http://dcat-ap.de/def/contributors/ORGANISATION")
    contact = graph.value(catalog.uri, DCAT.dataset / DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:integration@example.org")


# --- paging (hydra:PagedCollection as ckanext-dcat reads it) ------------------------------------------------


def _next_page(graph: Graph) -> str | None:
    """ckanext-dcat's RDFParser.next_page: hydra:next, else the deprecated hydra:nextPage."""
    for node in graph.subjects(RDF.type, HYDRA.PagedCollection):
        for predicate in (HYDRA.next, HYDRA.nextPage):
            for target in graph.objects(node, predicate):
                return str(target)
    return None


def test_paging_with_a_small_page_size(manifest):
    small = dcat.from_manifest(manifest, replace(dcat.load_settings(), items_per_page=3), BASE)
    assert small.pages == 3
    seen, page = [], 1
    while True:
        graph = dcat.to_graph(small, page)
        seen += sorted(graph.objects(small.uri, DCAT.dataset))
        node = dcat.page_url(small, page)
        assert graph.value(node, HYDRA.totalItems).toPython() == len(small.datasets)
        assert graph.value(node, HYDRA.itemsPerPage).toPython() == 3
        assert graph.value(node, HYDRA.last) == graph.value(node, HYDRA.lastPage) == dcat.page_url(small, 3)
        assert (graph.value(node, HYDRA.previous) is None) == (page == 1)
        assert ((small.service_uri, RDF.type, DCAT.DataService) in graph) == (page == 1)
        following = _next_page(graph)
        if following is None:
            break
        page = int(following.rsplit("=", 1)[1])
    assert page == 3
    assert sorted(seen) == sorted(small.dataset_uri(d.name) for d in small.datasets)
    with pytest.raises(IndexError):
        small.page(4)


def test_paging_over_http_follows_the_harvester_protocol(make_app, tmp_path):
    client = paged_app(make_app, tmp_path, 3).test_client()
    url, seen = "/catalog.ttl", set()
    while url:
        response = client.get(url)
        assert response.status_code == 200
        graph = Graph().parse(data=response.data, format="turtle")
        seen |= set(graph.objects(URIRef(BASE + "catalog"), DCAT.dataset))
        following = _next_page(graph)
        url = following.removeprefix(BASE.rstrip("/")) if following else None
        assert not following or following.startswith(BASE + "catalog.ttl?page=")
    assert len(seen) == 8
    assert client.get("/catalog.ttl?page=4").status_code == 404  # where ckanext-dcat's page counter stops
    assert client.get("/catalog.ttl?page=0").status_code == 400
    assert "Seite 1 von 3" in client.get("/catalog").get_data(as_text=True)


# --- VoID --------------------------------------------------------------------------------------------------


def test_void_statistics_match_the_graph(catalog, built, graph, manifest):
    void = void_graph(catalog, Store.from_ntriples(built / "graph.nt"))
    dataset = catalog.dataset_uri(dcat.MAIN)
    number = lambda p, node=dataset: void.value(node, p).toPython()  # noqa: E731
    assert number(VOID.triples) == manifest["triples"] == len(graph)
    assert number(VOID.distinctSubjects) == len(set(graph.subjects()))
    # Equal only because the data uses no xsd:integer subtypes (Oxigraph would store them as xsd:integer).
    assert number(VOID.distinctObjects) == len(set(graph.objects()))
    assert number(VOID.properties) == len(set(graph.predicates()))
    classes = {o for o in graph.objects(None, RDF.type)}
    assert number(VOID.classes) == len(classes)
    uri_space = manifest["base_uri"]
    assert str(void.value(dataset, VOID.uriSpace)) == uri_space
    ours = {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(uri_space)}
    assert number(VOID.entities) == len(ours)
    pattern = re.compile(str(void.value(dataset, VOID.uriRegexPattern)))
    assert all(pattern.match(str(s)) for s in ours), "uriRegexPattern covers every subject of the dump"
    assert any(str(s).startswith(uri_space + "def/") for s in ours) and any(str(s).startswith(uri_space + "id/") for s in ours)
    assert not pattern.match(uri_space + "elsewhere/x") and not pattern.match("https://example.org/id/x")
    partitions = {void.value(p, VOID["class"]): number(VOID.entities, p) for p in void.objects(dataset, VOID.classPartition)}
    assert partitions == {c: len(set(graph.subjects(RDF.type, c))) for c in classes}
    properties = {void.value(p, VOID.property): number(VOID.triples, p) for p in void.objects(dataset, VOID.propertyPartition)}
    assert sum(properties.values()) == manifest["triples"] and properties[RDF.type] == len(list(graph.triples((None, RDF.type, None))))
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert set(void.objects(dataset, VOID.dataDump)) == {URIRef(f"{BASE}dumps/{n}") for n in
                                                          ("graph.ttl", "graph.nt", "graph.nt.gz", "graph.jsonld", "graph.rdf")}
    vocabularies = set(map(str, void.objects(dataset, VOID.vocabulary)))
    assert {"http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/", "http://www.w3.org/ns/org#"} <= vocabularies


def test_void_is_served_and_cached_per_build(client):
    first = client.get("/.well-known/void")
    assert first.status_code == 200 and first.mimetype == "text/turtle"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/.well-known/void", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    as_jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.mimetype == "application/ld+json" and as_jsonld.headers["ETag"] != first.headers["ETag"]
    assert (Graph().parse(data=first.data, format="turtle").value(
        URIRef(BASE + "catalog/dataset/wissensgraph"), VOID.sparqlEndpoint) == URIRef(BASE + "sparql"))


# --- HTTP: negotiation, caching, CORS ----------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "mimetype"), [
    ("text/turtle", "text/turtle"), ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"), ("application/n-triples", "application/n-triples"),
    ("text/html", "text/html"), ("*/*", "text/html")])
def test_catalog_negotiates(client, accept, mimetype):
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]
    assert ("Access-Control-Allow-Origin" in response.headers) == (mimetype != "text/html")
    if mimetype != "text/html":
        fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
               "application/n-triples": "nt"}[mimetype]
        graph = Graph().parse(data=response.data, format=fmt)
        assert (URIRef(BASE + "catalog"), RDF.type, DCAT.Catalog) in graph


def test_format_addresses_for_harvesters_need_no_accept_header(client):
    for ext, mimetype in (("ttl", "text/turtle"), ("rdf", "application/rdf+xml"), ("jsonld", "application/ld+json"),
                          ("nt", "application/n-triples")):
        response = client.get(f"/catalog.{ext}")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert client.head(f"/catalog.{ext}").status_code == 200  # ckanext-dcat asks HEAD first
    assert client.get("/catalog.xml").status_code == 404
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/catalog?format=bogus").status_code == 400


def test_catalog_is_cacheable_per_build(client, manifest):
    response = client.get("/catalog.ttl")
    assert manifest["build_id"] in response.headers["ETag"]
    assert response.headers["Last-Modified"] and "max-age" in response.headers["Cache-Control"]
    assert client.get("/catalog.ttl", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_catalogued_resources_dereference(client):
    dataset = client.get("/catalog/dataset/massnahmen", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=dataset.data, format="turtle")
    assert (URIRef(BASE + "catalog/dataset/massnahmen"), RDF.type, DCAT.Dataset) in graph
    assert (URIRef(BASE + "catalog/distribution/csv/massnahmen.csv"), DCAT.byteSize, None) in graph
    assert (URIRef(BASE + "catalog/dataset/oe"), None, None) not in graph
    page = parse_html(client.get("/catalog/dataset/massnahmen").data)
    assert [h.text() for h in page.find_all("h1")] == ["Maßnahmen und Projekte des Integrationskonzepts"]
    distribution = client.get("/catalog/distribution/graph.nt.gz", headers={"Accept": "application/n-triples"})
    assert b"compressFormat" in distribution.data
    assert client.get("/catalog/distribution/graph.nt.gz").status_code == 303
    service = client.get("/catalog/service/sparql", headers={"Accept": "text/turtle"})
    assert (URIRef(BASE + "catalog/service/sparql"), DCAT.endpointURL, URIRef(BASE + "sparql")) in Graph().parse(
        data=service.data, format="turtle")
    assert client.get("/catalog/dataset/unbekannt").status_code == 404
    assert client.get("/catalog/distribution/quality.json").status_code == 404


def test_catalog_html_escapes_settings(tmp_path, make_app):
    text = dcat.SETTINGS_PATH.read_text(encoding="utf-8").replace(
        'title = "Integrationskonzept Region Hannover – Wissensgraph"', 'title = "<script>alert(1)</script>"')
    (tmp_path / "catalog.toml").write_text(text, encoding="utf-8")
    app = make_app(KG_BASE_URI=BASE, KG_CATALOG_SETTINGS=str(tmp_path / "catalog.toml"))
    html = app.test_client().get("/catalog").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
