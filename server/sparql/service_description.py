"""SPARQL 1.1 Service Description of the endpoint, reusable by the catalogue (DCAT/VoID) as well."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg.catalog import MAIN
from kg.namespaces import SD, SH, VOID
from server.formats import GRAPH_FORMATS, SOLUTION_FORMATS
from server.sparql.guard import RDFLIB_DEFAULT_GRAPH
from server.sparql.prefixes import predeclared

ENDPOINT_PATH = "sparql"
# The catalogue's whole-graph dcat:Dataset (kg.catalog: dataset_uri(MAIN)), which is also the VoID dataset:
# catalogue, VoID and this description talk about one resource.
DATASET_PATH = f"catalog/dataset/{MAIN}"
DUMP_PATH = "dumps/graph.nt"  # the N-Triples dump holding exactly the default graph


def default_graph_names(base_uri: str, server_root: str | None = None) -> set[str]:
    """IRIs that name the endpoint's (only) graph, accepted as ``default-graph-uri`` and in ``FROM``.

    The dataset and its N-Triples dump, on the configured base and on the serving host, and rdflib's
    name for the default graph (rdflib's SPARQLStore sends it as default-graph-uri for a ``Dataset``).
    """
    roots = {base_uri, server_root} - {None, ""}
    return {root + path for root in roots for path in (DATASET_PATH, DUMP_PATH)} | {RDFLIB_DEFAULT_GRAPH}


def service_description(base_uri: str, manifest: dict, endpoint: str | None = None) -> Graph:
    """``sd:Service`` for the endpoint at ``endpoint`` (default: ``{base_uri}sparql``).

    Read-only: it names SPARQL 1.1 Query as the only language and no update features; the default
    dataset carries the triple count and build time from the build manifest. The predeclared prefixes are
    listed as SHACL prefix declarations (``sh:declare``), the usual way to state prefixes in RDF.
    """
    endpoint_ref = URIRef(endpoint or base_uri + ENDPOINT_PATH)
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    g.bind("formats", "http://www.w3.org/ns/formats/")
    g.add((endpoint_ref, RDF.type, SD.Service))
    g.add((endpoint_ref, SD.endpoint, endpoint_ref))
    g.add((endpoint_ref, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in (*SOLUTION_FORMATS.values(), *GRAPH_FORMATS.values()):
        g.add((endpoint_ref, SD.resultFormat, URIRef(fmt.w3c)))
    g.add((endpoint_ref, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    g.add((endpoint_ref, DCTERMS.title, Literal("SPARQL-Endpunkt Integrationskonzept Region Hannover", lang="de")))
    g.add((endpoint_ref, DCTERMS.description, Literal(
        "Nur lesend: SPARQL 1.1 Query; kein Update, kein SERVICE, keine fremden Graphen.", lang="de")))
    g.add((endpoint_ref, DCTERMS.description, Literal(
        "Read-only: SPARQL 1.1 Query; no update, no SERVICE, no foreign graphs.", lang="en")))

    g.bind("sh", SH)
    for name, namespace in predeclared(base_uri).items():
        declaration = BNode()
        g.add((endpoint_ref, SH.declare, declaration))
        g.add((declaration, SH.prefix, Literal(name)))
        g.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))

    dataset, graph = URIRef(base_uri + DATASET_PATH), BNode()
    g.add((endpoint_ref, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, SD.defaultGraph, graph))
    g.add((dataset, VOID.sparqlEndpoint, endpoint_ref))
    g.add((dataset, VOID.dataDump, URIRef(base_uri + DUMP_PATH)))
    g.add((graph, RDF.type, SD.Graph))
    triples = manifest.get("triples")
    if triples is not None:
        g.add((dataset, VOID.triples, Literal(int(triples), datatype=XSD.integer)))
        g.add((graph, VOID.triples, Literal(int(triples), datatype=XSD.integer)))
    if manifest.get("created"):
        g.add((dataset, DCTERMS.modified, Literal(manifest["created"], datatype=XSD.dateTime)))
    if manifest.get("build_id"):
        g.add((dataset, DCTERMS.identifier, Literal(manifest["build_id"])))
    return g
