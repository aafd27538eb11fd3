"""VoID description of a build, computed from the store with SPARQL (statistics, class and property partitions).

The VoID dataset is the catalog's whole-graph ``dcat:Dataset``, so catalog, VoID and the SPARQL service
description talk about one resource, with one endpoint IRI and one triple count.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, XSD

from kg.catalog import MAIN, Catalog, versions_in
from kg.namespaces import VOID
from kg.store import Store

FEATURES = {  # W3C format IRIs for the dumps (void:feature)
    "text/turtle": URIRef("http://www.w3.org/ns/formats/Turtle"),
    "application/n-triples": URIRef("http://www.w3.org/ns/formats/N-Triples"),
    "application/ld+json": URIRef("http://www.w3.org/ns/formats/JSON-LD"),
    "application/rdf+xml": URIRef("http://www.w3.org/ns/formats/RDF_XML"),
}

STATS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"
PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
EXAMPLES = ("id/bericht/2020", "id/massnahme/1")  # void:exampleResource, when present
ASK_SUBJECT = "ASK {{ <{iri}> ?p ?o }}"
CURRENT = """SELECT ?v WHERE {{ <{dataset}> <http://www.w3.org/2002/07/owl#versionInfo> ?v }}"""
ENTITIES = """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}")) }}"""
# The first path segment of every subject under the base (id/, def/, …), for void:uriRegexPattern.
SEGMENTS = """SELECT DISTINCT ?segment WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}"))
  BIND(STRBEFORE(STRAFTER(STR(?s), "{space}"), "/") AS ?segment) FILTER(?segment != "") }} ORDER BY ?segment"""


def _count(value: str) -> Literal:
    return Literal(int(value), datatype=XSD.integer)


def vocabulary(iri: str) -> str:
    """The namespace a term belongs to: everything up to the last '#' or '/'."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def void_graph(catalog: Catalog, store: Store) -> Graph:
    """The VoID description of the build ``catalog`` describes, with statistics from ``store``."""
    graph = Graph()
    for prefix, ns in (("void", VOID), ("dct", DCTERMS), ("foaf", FOAF), ("xsd", XSD)):
        graph.bind(prefix, ns)
    dataset = catalog.dataset_uri(MAIN)
    document = URIRef(catalog.base + ".well-known/void")
    # The IRIs inside the dumps live under the data base: things under id/, the ontology and schemes under def/.
    uri_space = catalog.data_base
    add = graph.add

    add((document, RDF.type, VOID.DatasetDescription))
    add((document, FOAF.primaryTopic, dataset))
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, DCTERMS.title, Literal(catalog.dataset(MAIN).text.title, lang="de")))
    add((dataset, DCTERMS.modified, Literal(catalog.modified)))
    add((dataset, DCTERMS.license, URIRef(catalog.settings.licence)))
    add((dataset, DCTERMS.publisher, URIRef(catalog.data_base + catalog.settings.publisher_resource)))
    add((dataset, VOID.sparqlEndpoint, catalog.endpoint))
    add((dataset, VOID.uriSpace, Literal(uri_space)))
    segments = [row["segment"] for row in store.select(SEGMENTS.format(space=uri_space))]
    if segments:
        pattern = "^" + re.escape(uri_space) + "(" + "|".join(re.escape(s) for s in segments) + ")/"
        add((dataset, VOID.uriRegexPattern, Literal(pattern)))
    for dist in catalog.dataset(MAIN).distributions:
        add((dataset, VOID.dataDump, catalog.download_url(dist.file)))
        if not dist.compressed and dist.kind.media_type in FEATURES:
            add((dataset, VOID.feature, FEATURES[dist.kind.media_type]))

    stats = store.select(STATS)[0]
    add((dataset, VOID.triples, _count(stats["triples"])))
    add((dataset, VOID.distinctSubjects, _count(stats["subjects"])))
    add((dataset, VOID.properties, _count(stats["properties"])))
    add((dataset, VOID.distinctObjects, _count(stats["objects"])))
    add((dataset, VOID.entities, _count(store.select(ENTITIES.format(space=uri_space))[0]["n"])))

    classes = store.select(CLASSES)
    add((dataset, VOID.classes, _count(str(len(classes)))))
    vocabularies = set()
    for row in classes:
        part = BNode()
        add((dataset, VOID.classPartition, part))
        add((part, VOID["class"], URIRef(row["class"])))
        add((part, VOID.entities, _count(row["n"])))
        vocabularies.add(vocabulary(row["class"]))
    for row in store.select(PROPERTIES):
        part = BNode()
        add((dataset, VOID.propertyPartition, part))
        add((part, VOID.property, URIRef(row["p"])))
        add((part, VOID.triples, _count(row["n"])))
        vocabularies.add(vocabulary(row["p"]))
    for path in EXAMPLES:
        if store.query(ASK_SUBJECT.format(iri=catalog.data_base + path)):
            add((dataset, VOID.exampleResource, URIRef(catalog.data_base + path)))
    for ns in sorted(vocabularies):
        add((dataset, VOID.vocabulary, URIRef(ns)))
    _releases(graph, catalog, store, dataset)
    return graph


def _releases(graph: Graph, catalog: Catalog, store: Store, dataset: URIRef) -> None:
    """The served version and the releases before it, each readable with its own endpoint under /release/<name>/."""
    in_data = catalog.data_base + f"catalog/dataset/{MAIN}"
    for row in store.select(CURRENT.format(dataset=in_data)):
        graph.add((dataset, OWL.versionInfo, Literal(row["v"])))
    for v in catalog.versions or versions_in(store, catalog.data_base):
        name = v.name
        node = URIRef(catalog.base + f"release/{name}")
        graph.add((dataset, DCTERMS.hasVersion, node))
        graph.add((node, RDF.type, VOID.Dataset))
        graph.add((node, DCTERMS.isVersionOf, dataset))
        graph.add((node, OWL.versionInfo, Literal(name)))
        graph.add((node, DCTERMS.issued, Literal(v.issued, datatype=XSD.date)))
        graph.add((node, VOID.sparqlEndpoint, URIRef(catalog.base + f"release/{name}/sparql")))
        graph.add((node, VOID.dataDump, URIRef(catalog.base + f"release/{name}/dumps/graph.nt.gz")))
        if v.previous:
            graph.add((node, PROV.wasRevisionOf, URIRef(catalog.base + f"release/{v.previous}")))
