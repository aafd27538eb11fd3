"""The open-data catalog of a build (DCAT-AP.de 3.0): settings in ``catalog.toml`` + ``manifest.json`` → RDF.

One ``dcat:Catalog`` with the whole graph as a dataset (RDF dumps and the SPARQL endpoint), one dataset
per CSV table, and a ``dcat:DataService`` for the endpoint. Sizes and checksums come from the manifest,
so the catalog always describes exactly the files ``/dumps/`` serves. Catalog, dataset, distribution and
download URIs live under the server's base; the publisher is the Region's resource in the data (data base).
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from kg.namespaces import DCAT_HAS_VERSION, DCAT_PREVIOUS, DCAT_VERSION, DCATDE, HYDRA, SPDX, VCARD

ROOT = Path(__file__).resolve().parent.parent  # not from kg.build: kg.build reads these settings for the dumps
SETTINGS_PATH = ROOT / "catalog.toml"
MAIN = "wissensgraph"  # name of the dataset that is the whole graph

ADMS = Namespace("http://www.w3.org/ns/adms#")
# DCAT 3 versioning terms (rdflib's DCAT namespace predates them)
# The releases the served graph knows (kg/releases.py stamps them into every release's graph): for the catalog and VoID.
RELEASES = """PREFIX dct: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?r ?v ?d ?p WHERE {{ <{dataset}> dct:hasVersion ?r . ?r owl:versionInfo ?v ; dct:issued ?d .
  OPTIONAL {{ ?r prov:wasRevisionOf ?p }} }}"""
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPE = Namespace(EU + "file-type/")
DATA_THEMES = URIRef(EU + "data-theme")
COMPLETED = URIRef(EU + "distribution-status/COMPLETED")
IANA = "https://www.iana.org/assignments/media-types/"
GZIP = "application/gzip"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class FileKind:
    media_type: str   # IANA type of the (uncompressed) content
    file_type: str    # code in the EU file-type table
    label: str


FILE_KINDS = {
    ".ttl": FileKind("text/turtle", "RDF_TURTLE", "Turtle"),
    ".nt": FileKind("application/n-triples", "RDF_N_TRIPLES", "N-Triples"),
    ".jsonld": FileKind("application/ld+json", "JSON_LD", "JSON-LD"),
    ".rdf": FileKind("application/rdf+xml", "RDF_XML", "RDF/XML"),
    ".csv": FileKind("text/csv", "CSV", "CSV"),
    ".xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX", "XLSX (Excel, LibreOffice)"),
    ".json": FileKind("application/json", "JSON", "JSON"),
}
RDF_SUFFIXES = (".ttl", ".nt", ".jsonld", ".rdf")


def file_kind(name: str) -> tuple[FileKind | None, bool]:
    """Kind of a build file and whether it is gzip-compressed (``graph.nt.gz`` is N-Triples, compressed)."""
    compressed = name.endswith(".gz")
    inner = PurePosixPath(name[:-3] if compressed else name)
    return FILE_KINDS.get(inner.suffix), compressed


def served_media_type(name: str) -> str:
    """Media type of a download: gzip files stay application/gzip (no Content-Encoding), so clients keep the
    bytes whose size and checksum the catalog states."""
    kind, compressed = file_kind(name)
    if compressed:
        return GZIP
    return kind.media_type if kind else "application/octet-stream"


# --- settings ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetText:
    title: str
    description: str
    themes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    landing_page: str = ""  # path below the base; "" = the dataset's own page


# Numbers a description in catalog.toml may leave to the data ({massnahmen} Maßnahmen): a measure added or retired in a
# later release must not leave the catalog speaking of the old count.
COUNTED = {"massnahmen": "ik:Massnahme", "handlungsfelder": "ik:Handlungsfeld", "ziele": "ik:Ziel"}


def counted(text: DatasetText, counts: dict[str, int]) -> DatasetText:
    """``text`` with ``{massnahmen}``, ``{handlungsfelder}``, ``{ziele}`` replaced by the build's counts (``counts``
    by class CURIE, as the manifest has them); other braces stay as written."""
    def number(m: re.Match) -> str:
        cls = COUNTED.get(m[1])
        return str(counts[cls]) if cls in counts else m[0]

    return replace(text, description=re.sub(r"\{(\w+)\}", number, text.description))


@dataclass(frozen=True)
class Contact:
    name: str
    street_address: str
    postal_code: str
    locality: str
    country: str
    telephone: str
    email: str
    url: str


@dataclass(frozen=True)
class Settings:
    title: str
    description: str
    issued: date | None
    version: str  # of the published data: dcat:version of the dataset node in every dump
    items_per_page: int
    publisher_name: str
    publisher_type: str
    publisher_resource: str
    publisher_homepage: str
    contact: Contact
    licence: str
    licence_label: str  # for people (HTML); RDF carries the IRI only
    attribution: str
    contributor_id: str
    geocoding_level: str
    legacy_geocoding_uri: bool
    spatial: str
    spatial_label: str
    temporal_start: date
    temporal_end: date
    languages: tuple[str, ...]
    access_rights: str
    accrual_periodicity: str
    default_keywords: tuple[str, ...]
    datasets: dict[str, DatasetText]
    digest: str  # of the file's bytes: part of every ETag, so an edited catalog.toml is never served stale

    def dataset_text(self, name: str) -> DatasetText:
        return self.datasets.get(name) or DatasetText(
            title=f"Tabelle {name}", description=f"Tabelle {name}.csv aus dem Wissensgraphen zum Integrationskonzept.")


class _Section:
    """One table of the TOML file with error messages that name file, section and key."""

    def __init__(self, doc: dict, name: str, path: Path) -> None:
        self.values, self.name, self.path = doc.get(name, {}), name, path

    def get(self, key: str, kind: type = str, default=None):
        value = self.values.get(key, default)
        if value is None or not isinstance(value, kind):
            raise SettingsError(f"{self.path.name}: [{self.name}] {key} fehlt oder ist kein {kind.__name__}")
        return value

    def strings(self, key: str, default: list | None = None) -> tuple[str, ...]:
        value = self.get(key, list, default)
        if not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{self.path.name}: [{self.name}] {key} muss eine Liste von Texten sein")
        return tuple(value)


def load_settings(path: Path = SETTINGS_PATH) -> Settings:
    raw = Path(path).read_bytes()
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{Path(path).name}: {exc}") from exc
    catalog, publisher, contact, licence, govdata, coverage, defaults = (
        _Section(doc, name, Path(path))
        for name in ("catalog", "publisher", "contact", "licence", "govdata", "coverage", "dataset_defaults"))
    issued = catalog.values.get("issued", "")
    try:  # a TOML date or a "YYYY-MM-DD" text; empty: the build time
        issued = date.fromisoformat(issued) if isinstance(issued, str) and issued else issued or None
    except ValueError as exc:
        raise SettingsError(f"{Path(path).name}: [catalog] issued: {exc}") from exc
    if issued is not None and not isinstance(issued, date):
        raise SettingsError(f"{Path(path).name}: [catalog] issued muss ein Datum sein")
    datasets = {}
    for name in doc.get("datasets", {}):
        section = _Section(doc["datasets"], name, Path(path))
        datasets[name] = DatasetText(
            title=section.get("title"), description=section.get("description"), themes=section.strings("themes", []),
            keywords=section.strings("keywords", []), landing_page=section.get("landing_page", str, ""))
    items_per_page = catalog.get("items_per_page", int, 100)
    if items_per_page < 1:
        raise SettingsError(f"{Path(path).name}: [catalog] items_per_page muss ≥ 1 sein")
    return Settings(
        title=catalog.get("title"), description=catalog.get("description"),
        issued=issued, version=catalog.get("version", str, ""), items_per_page=items_per_page,
        publisher_name=publisher.get("name"), publisher_type=publisher.get("type"),
        publisher_resource=publisher.get("resource", str, "id/organisation/region-hannover"),
        publisher_homepage=publisher.get("homepage", str, ""),
        contact=Contact(**{key: contact.get(key, str, None if key == "name" else "") for key in Contact.__dataclass_fields__}),
        licence=licence.get("uri"), licence_label=licence.get("label", str, ""), attribution=licence.get("attribution"),
        contributor_id=govdata.get("contributor_id", str, ""), geocoding_level=govdata.get("political_geocoding_level"),
        legacy_geocoding_uri=govdata.get("legacy_political_geocoding_uri", bool, False),
        spatial=coverage.get("spatial"), spatial_label=coverage.get("spatial_label"),
        temporal_start=coverage.get("temporal_start", date), temporal_end=coverage.get("temporal_end", date),
        languages=coverage.strings("languages"),
        access_rights=defaults.get("access_rights"), accrual_periodicity=defaults.get("accrual_periodicity"),
        default_keywords=defaults.strings("keywords", []),
        datasets=datasets, digest=hashlib.sha256(raw).hexdigest()[:16],
    )


# --- the model: what the catalog lists ------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    file: str          # path inside the build directory, e.g. "csv/oe.csv"
    bytes: int
    sha256: str
    kind: FileKind
    compressed: bool

    @property
    def title(self) -> str:
        return f"{self.kind.label}{' (gzip)' if self.compressed else ''}: {self.file}"


@dataclass(frozen=True)
class Dataset:
    name: str
    text: DatasetText
    distributions: tuple[Distribution, ...]


@dataclass(frozen=True)
class Version:
    """A release of the whole graph (kg release), readable under /release/<name>/."""
    name: str
    issued: str            # YYYY-MM-DD
    previous: str | None


@dataclass(frozen=True)
class Catalog:
    settings: Settings
    manifest: dict
    datasets: tuple[Dataset, ...]
    base: str        # the server's base: catalog, datasets, distributions, downloads, endpoint
    data_base: str   # base of the IRIs inside the build (the publisher is a resource of the graph)
    versions: tuple[Version, ...] = ()  # the releases the served graph knows, oldest first

    @property
    def uri(self) -> URIRef:
        return URIRef(self.base + "catalog")

    def dataset_uri(self, name: str) -> URIRef:
        return URIRef(f"{self.base}catalog/dataset/{name}")

    def distribution_uri(self, file: str) -> URIRef:
        return URIRef(f"{self.base}catalog/distribution/{file}")

    def download_url(self, file: str) -> URIRef:
        return URIRef(f"{self.base}dumps/{file}")

    def landing_page(self, dataset: Dataset) -> URIRef:
        path = dataset.text.landing_page
        return URIRef(self.base + path.lstrip("/")) if path else self.dataset_uri(dataset.name)

    @property
    def endpoint(self) -> URIRef:
        return URIRef(self.base + "sparql")

    @property
    def service_uri(self) -> URIRef:
        return URIRef(self.base + "catalog/service/sparql")

    @property
    def modified(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created"])

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.datasets) / self.settings.items_per_page))

    def page(self, number: int) -> tuple[Dataset, ...]:
        if not 1 <= number <= self.pages:
            raise IndexError(f"page {number} of {self.pages}")
        size = self.settings.items_per_page
        return self.datasets[(number - 1) * size: number * size]

    def dataset(self, name: str) -> Dataset:
        for dataset in self.datasets:
            if dataset.name == name:
                return dataset
        raise KeyError(name)

    def distribution(self, file: str) -> tuple[Dataset, Distribution]:
        for dataset in self.datasets:
            for dist in dataset.distributions:
                if dist.file == file:
                    return dataset, dist
        raise KeyError(file)


def _distribution(file: str, info: dict) -> Distribution | None:
    kind, compressed = file_kind(file)
    return Distribution(file, info["bytes"], info["sha256"], kind, compressed) if kind else None


def versions_in(store, data_base: str) -> tuple[Version, ...]:
    """The releases the graph in ``store`` describes (``select`` of server.state's or kg's store), oldest first."""
    rows = store.select(RELEASES.format(dataset=data_base + f"catalog/dataset/{MAIN}"))
    found = {Version(r["v"], r["d"][:10], r["p"].rsplit("/", 1)[-1] if r.get("p") else None) for r in rows}
    return tuple(sorted(found, key=lambda v: (v.issued, v.name)))


def from_manifest(manifest: dict, settings: Settings, base: str) -> Catalog:
    """The catalog of one build: the RDF dumps form the whole-graph dataset, each ``csv/<name>.csv`` a dataset."""
    files = manifest["files"]
    dumps = tuple(d for f in sorted(files) if "/" not in f and PurePosixPath(f.removesuffix(".gz")).suffix in RDF_SUFFIXES
                  if (d := _distribution(f, files[f])))
    counts = manifest.get("counts", {})
    datasets = [Dataset(MAIN, counted(settings.dataset_text(MAIN), counts), dumps)]
    for file in sorted(f for f in files if f.startswith("csv/") and f.endswith(".csv")):
        name = PurePosixPath(file).stem
        xlsx = f"xlsx/{name}.xlsx"  # the same table for spreadsheets, where the build has it
        dists = (_distribution(file, files[file]),) + ((_distribution(xlsx, files[xlsx]),) if xlsx in files else ())
        datasets.append(Dataset(name, counted(settings.dataset_text(name), counts), dists))
    return Catalog(settings, manifest, tuple(datasets), base, manifest.get("base_uri", base))


# --- RDF --------------------------------------------------------------------------------------------------


def _de(text: str) -> Literal:
    return Literal(text, lang="de")


def _bind(graph: Graph) -> Graph:
    for prefix, ns in {"dcat": DCAT, "dct": DCTERMS, "dcatde": DCATDE, "foaf": FOAF, "vcard": VCARD, "spdx": SPDX,
                       "hydra": HYDRA, "adms": ADMS, "skos": SKOS, "xsd": XSD}.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


class _Writer:
    """Adds the shared nodes (publisher, contact, coverage) once and each catalogued resource on demand."""

    def __init__(self, catalog: Catalog, graph: Graph) -> None:
        self.c, self.s, self.g = catalog, catalog.settings, graph
        self.publisher = self._publisher()
        self.contact = self._contact()
        self.spatial = self._spatial()
        self.temporal = self._temporal()
        self.issued = Literal(self.s.issued.isoformat(), datatype=XSD.date) if self.s.issued else Literal(catalog.modified)
        self.modified = Literal(catalog.modified)

    def add(self, s, p, o) -> None:
        self.g.add((s, p, o))

    def _publisher(self) -> URIRef:
        node = URIRef(self.c.data_base + self.s.publisher_resource)
        for cls in (FOAF.Agent, FOAF.Organization):
            self.add(node, RDF.type, cls)
        self.add(node, FOAF.name, Literal(self.s.publisher_name))
        self.add(node, DCTERMS.type, URIRef(self.s.publisher_type))
        if self.s.publisher_homepage:
            self.add(node, FOAF.homepage, URIRef(self.s.publisher_homepage))
        return node

    def _contact(self) -> URIRef:
        contact, node = self.s.contact, URIRef(self.c.base + "catalog#kontakt")
        self.add(node, RDF.type, VCARD.Organization)
        self.add(node, VCARD.fn, Literal(contact.name))
        if contact.telephone:
            self.add(node, VCARD.hasTelephone, URIRef("tel:" + contact.telephone.replace(" ", "-")))
        if contact.email:
            self.add(node, VCARD.hasEmail, URIRef("mailto:" + contact.email))
        if contact.url:
            self.add(node, VCARD.hasURL, URIRef(contact.url))
        if contact.street_address:
            address = BNode()
            self.add(node, VCARD.hasAddress, address)
            self.add(address, RDF.type, VCARD.Address)
            for prop, value in ((VCARD["street-address"], contact.street_address), (VCARD["postal-code"], contact.postal_code),
                                (VCARD.locality, contact.locality), (VCARD["country-name"], contact.country)):
                if value:
                    self.add(address, prop, Literal(value))
        return node

    def _spatial(self) -> URIRef:
        node = URIRef(self.s.spatial)
        self.add(node, RDF.type, DCTERMS.Location)
        self.add(node, SKOS.prefLabel, _de(self.s.spatial_label))
        return node

    def _temporal(self) -> BNode:
        node = BNode()
        self.add(node, RDF.type, DCTERMS.PeriodOfTime)
        self.add(node, DCAT.startDate, Literal(self.s.temporal_start, datatype=XSD.date))
        self.add(node, DCAT.endDate, Literal(self.s.temporal_end, datatype=XSD.date))
        return node

    def _coverage(self, node) -> None:
        for lang in self.s.languages:
            self.add(node, DCTERMS.language, URIRef(lang))
        self.add(node, DCTERMS.spatial, self.spatial)
        self.add(node, DCTERMS.temporal, self.temporal)
        self.add(node, DCTERMS.issued, self.issued)
        self.add(node, DCTERMS.modified, self.modified)

    def catalog(self, datasets: tuple[Dataset, ...], with_service: bool) -> URIRef:
        node = self.c.uri
        self.add(node, RDF.type, DCAT.Catalog)
        self.add(node, DCTERMS.title, _de(self.s.title))
        self.add(node, DCTERMS.description, _de(self.s.description))
        self.add(node, DCTERMS.publisher, self.publisher)
        self.add(node, FOAF.homepage, URIRef(self.c.base))
        self.add(node, DCTERMS.license, URIRef(self.s.licence))
        self.add(node, DCAT.themeTaxonomy, DATA_THEMES)
        self._coverage(node)
        for dataset in datasets:
            self.add(node, DCAT.dataset, self.dataset(dataset))
        if with_service:
            self.add(node, DCAT.service, self.service())
        return node

    def dataset(self, dataset: Dataset) -> URIRef:
        node, text = self.c.dataset_uri(dataset.name), dataset.text
        self.add(node, RDF.type, DCAT.Dataset)
        self.add(node, DCTERMS.identifier, Literal(str(node)))
        self.add(node, DCTERMS.title, _de(text.title))
        self.add(node, DCTERMS.description, _de(text.description))
        self.add(node, DCTERMS.publisher, self.publisher)
        self.add(node, DCAT.contactPoint, self.contact)
        self.add(node, DCAT.landingPage, self.c.landing_page(dataset))
        for keyword in dict.fromkeys(text.keywords + self.s.default_keywords):
            self.add(node, DCAT.keyword, _de(keyword))
        for theme in text.themes:
            self.add(node, DCAT.theme, URIRef(theme))
        self._coverage(node)
        self.add(node, DCTERMS.accessRights, URIRef(self.s.access_rights))
        self.add(node, DCTERMS.accrualPeriodicity, URIRef(self.s.accrual_periodicity))
        self.add(node, DCATDE.politicalGeocodingLevelURI, URIRef(self.s.geocoding_level))
        if self.s.legacy_geocoding_uri:
            self.add(node, DCATDE.politicalGeocodingURI, URIRef(self.s.spatial))
        if self.s.contributor_id:
            self.add(node, DCATDE.contributorID, URIRef(self.s.contributor_id))
        if dataset.name == MAIN:
            self._versions(node)
            self.add(node, DCAT.distribution, self.sparql_distribution())
            for part in self.c.datasets:
                if part.name != MAIN:
                    self.add(node, DCTERMS.hasPart, self.c.dataset_uri(part.name))
        else:  # a table is one view of the whole graph
            self.add(node, DCTERMS.isPartOf, self.c.dataset_uri(MAIN))
        for dist in dataset.distributions:
            self.add(node, DCAT.distribution, self.distribution(dist))
        return node

    def _versions(self, node: URIRef) -> None:
        """The served version (dcat:version: DCAT-AP.de's shapes flag owl:versionInfo as deprecated) and every
        release as a version of the dataset. The releases are not typed dcat:Dataset here: a harvester (ckanext-dcat reads every
        dcat:Dataset of the graph) would list each one as a dataset of its own."""
        if self.s.version:
            self.add(node, DCAT_VERSION, Literal(self.s.version))
        for v in self.c.versions:
            release = URIRef(self.c.base + f"release/{v.name}")
            self.add(node, DCAT_HAS_VERSION, release)
            self.add(node, DCTERMS.hasVersion, release)
            self.add(release, DCTERMS.isVersionOf, node)
            self.add(release, DCTERMS.title, _de(f"{self.s.dataset_text(MAIN).title} – Release {v.name}"))
            self.add(release, DCAT_VERSION, Literal(v.name))
            self.add(release, DCTERMS.issued, Literal(v.issued, datatype=XSD.date))
            self.add(release, DCAT.landingPage, URIRef(f"{release}/"))
            if v.previous:
                self.add(release, DCAT_PREVIOUS, URIRef(self.c.base + f"release/{v.previous}"))

    def _licensed(self, node) -> None:
        self.add(node, DCTERMS.license, URIRef(self.s.licence))
        self.add(node, DCATDE.licenseAttributionByText, _de(self.s.attribution))

    def distribution(self, dist: Distribution) -> URIRef:
        node, url = self.c.distribution_uri(dist.file), self.c.download_url(dist.file)
        self.add(node, RDF.type, DCAT.Distribution)
        self.add(node, DCTERMS.title, _de(dist.title))
        self.add(node, DCAT.accessURL, url)  # Konvention 39: a plain download is both access and download URL
        self.add(node, DCAT.downloadURL, url)
        self.add(node, DCAT.mediaType, URIRef(IANA + dist.kind.media_type))
        self.add(node, DCTERMS.format, FILE_TYPE[dist.kind.file_type])
        if dist.compressed:
            self.add(node, DCAT.compressFormat, URIRef(IANA + GZIP))
        self.add(node, DCAT.byteSize, Literal(dist.bytes, datatype=XSD.nonNegativeInteger))
        checksum = BNode()
        self.add(node, SPDX.checksum, checksum)
        self.add(checksum, RDF.type, SPDX.Checksum)
        self.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        self.add(checksum, SPDX.checksumValue, Literal(dist.sha256, datatype=XSD.hexBinary))
        self.add(node, DCTERMS.modified, self.modified)
        self.add(node, ADMS.status, COMPLETED)
        self._licensed(node)
        return node

    def sparql_distribution(self) -> URIRef:
        node = self.c.distribution_uri("sparql")
        self.add(node, RDF.type, DCAT.Distribution)
        self.add(node, DCTERMS.title, _de("SPARQL-Endpunkt"))
        self.add(node, DCAT.accessURL, self.c.endpoint)
        self.add(node, DCAT.accessService, self.service())
        self.add(node, DCTERMS.format, FILE_TYPE.SPARQLQ)
        self.add(node, ADMS.status, COMPLETED)
        self._licensed(node)
        return node

    def service(self) -> URIRef:
        node = self.c.service_uri
        if (node, RDF.type, DCAT.DataService) in self.g:
            return node
        self.add(node, RDF.type, DCAT.DataService)
        self.add(node, DCTERMS.title, _de("SPARQL-Endpunkt des Wissensgraphen zum Integrationskonzept"))
        self.add(node, DCTERMS.description, _de(
            "SPARQL-1.1-Abfragen über den vollständigen Wissensgraphen; die Service Description liefert GET "
            f"{self.c.endpoint} mit RDF-Accept-Header."))
        self.add(node, DCAT.endpointURL, self.c.endpoint)
        self.add(node, DCAT.endpointDescription, self.c.endpoint)
        self.add(node, DCAT.servesDataset, self.c.dataset_uri(MAIN))
        self.add(node, DCTERMS.conformsTo, SPARQL_PROTOCOL)
        self.add(node, DCTERMS.publisher, self.publisher)
        self.add(node, DCAT.contactPoint, self.contact)
        self.add(node, DCTERMS.license, URIRef(self.s.licence))
        self.add(node, DCTERMS.accessRights, URIRef(self.s.access_rights))
        return node


def page_url(catalog: Catalog, number: int, suffix: str = "") -> URIRef:
    """URL of a catalog page; ``suffix`` (".ttl") keeps a harvester on the format it asked for."""
    return URIRef(f"{catalog.uri}{suffix}?page={number}")


def to_graph(catalog: Catalog, page: int = 1, page_link: Callable[[int], URIRef] | None = None) -> Graph:
    """One catalog page as RDF. Every page repeats the catalog's own description, so each is complete on its own;
    the service (and the whole-graph dataset it serves) come first, on page 1."""
    page_link = page_link or (lambda n: page_url(catalog, n))
    graph = _bind(Graph())
    _Writer(catalog, graph).catalog(catalog.page(page), with_service=page == 1)
    _paging(graph, catalog, page, page_link)
    return graph


def _paging(graph: Graph, catalog: Catalog, page: int, link: Callable[[int], URIRef]) -> None:
    """hydra:PagedCollection as ckanext-dcat writes and reads it: the current, deprecated predicates and their successors."""
    node = link(page)
    graph.add((node, RDF.type, HYDRA.PagedCollection))
    graph.add((node, HYDRA.totalItems, Literal(len(catalog.datasets))))
    graph.add((node, HYDRA.itemsPerPage, Literal(catalog.settings.items_per_page)))
    targets = {"first": 1, "last": catalog.pages,
               "next": page + 1 if page < catalog.pages else None, "previous": page - 1 if page > 1 else None}
    for name, number in targets.items():
        if number is not None:
            graph.add((node, HYDRA[name + "Page"], link(number)))
            graph.add((node, HYDRA[name], link(number)))


def describe(graph: Graph, node: URIRef) -> Graph:
    """The description of one catalogued resource: its triples and everything it owns (distributions, checksums,
    periods, contact), but not other datasets, catalogs or services, which have their own URIs."""
    own = (DCAT.Catalog, DCAT.Dataset, DCAT.DataService)
    out, todo, seen = _bind(Graph()), [node], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for _, p, o in graph.triples((subject, None, None)):
            out.add((subject, p, o))
            if o not in seen and (o, None, None) in graph and not any((o, RDF.type, t) in graph for t in own):
                todo.append(o)
    return out


def full_graph(catalog: Catalog) -> Graph:
    """All datasets on one graph, paging aside: what ``describe`` and the validation tests look at."""
    graph = _bind(Graph())
    _Writer(catalog, graph).catalog(catalog.datasets, with_service=True)
    return graph
