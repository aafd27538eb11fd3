"""What the graph says about itself: one dataset node in every dump, licence and creator on the ontology and on
every concept scheme.

The values come from ``catalog.toml`` – the one place for licence, publisher, version and release date – so the
dumps, the catalog (``/catalog``) and VoID (``/.well-known/void``) describe the same dataset with one IRI
(``catalog/dataset/wissensgraph``). Nothing here depends on the time of the build: the same data and settings give
the same dump.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.catalog import COUNTED, MAIN, Settings, counted
from kg.namespaces import DCAT_VERSION, DEFAULT_BASE, IK, VOID


def dataset_uri(base: str = DEFAULT_BASE) -> URIRef:
    """The whole graph as a dataset: the same IRI the catalog and VoID use."""
    return URIRef(f"{base}catalog/dataset/{MAIN}")


def describe(graph: Graph, settings: Settings, report: URIRef, ontology: URIRef, base: str = DEFAULT_BASE) -> URIRef:
    """Add the dataset node and the licence/creator of the ontology and the concept schemes to ``graph``."""
    add = graph.add
    node = dataset_uri(base)
    publisher = URIRef(base + settings.publisher_resource)
    counts = {cls: len(set(graph.subjects(RDF.type, URIRef(str(IK) + cls.split(":")[1])))) for cls in COUNTED.values()}
    text = counted(settings.dataset_text(MAIN), counts)
    for cls in (VOID.Dataset, DCAT.Dataset):
        add((node, RDF.type, cls))
    add((node, DCTERMS.title, Literal(text.title, lang="de")))
    add((node, RDFS.label, Literal(text.title, lang="de")))
    add((node, DCTERMS.description, Literal(text.description, lang="de")))
    add((node, DCTERMS.license, URIRef(settings.licence)))
    add((node, DCTERMS.publisher, publisher))
    add((node, DCTERMS.creator, publisher))
    add((node, DCTERMS.source, report))
    add((node, DCTERMS.conformsTo, ontology))
    add((node, VOID.uriSpace, Literal(base + "id/")))
    add((node, VOID.vocabulary, URIRef(str(IK))))
    for lang in settings.languages:
        add((node, DCTERMS.language, URIRef(lang)))
    if settings.version:
        add((node, DCAT_VERSION, Literal(settings.version)))
        add((node, OWL.versionInfo, Literal(settings.version)))
    if settings.issued:
        add((node, DCTERMS.issued, Literal(settings.issued.isoformat(), datatype=XSD.date)))
    # Ontology and schemes are published with the data, under the same licence and by the same body.
    for part in [ontology, *sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)))]:
        add((part, DCTERMS.license, URIRef(settings.licence)))
        add((part, DCTERMS.creator, publisher))
        add((part, DCTERMS.publisher, publisher))
        add((part, DCTERMS.isPartOf, node))
        if part != ontology and settings.version:
            add((part, OWL.versionInfo, Literal(settings.version)))
    return node
