"""Snapshot of everything the server answers, to compare before and after a refactoring.

Writes one file per request (status, the headers that carry behaviour, body) for every page type and every RDF
document: each resource's /doc/ page in German and English and in every RDF format, its /id/ redirect, the
citation and OParl views, the ontology and concept schemes, listings, the measure list and search (HTML, CSV,
JSON), resolvers, the Drucksache index, SPARQL (page, service description, results in every format, errors),
catalog, VoID, dumps, legal pages, retired and moved URIs, 404/406 answers.

    .venv/bin/python bench/snapshot.py --out /tmp/snap-before            # builds into /tmp/snap-build once
    .venv/bin/python bench/snapshot.py --out /tmp/snap-after
    .venv/bin/python bench/snapshot.py --compare /tmp/snap-before /tmp/snap-after

Both runs must use the same build (``--build``, default /tmp/snap-build) so that ETags and dates agree.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADERS = ("Content-Type", "Vary", "Link", "Content-Location", "Location", "ETag", "Last-Modified", "Cache-Control",
           "Access-Control-Allow-Origin", "Content-Disposition", "X-SPARQL-Truncated", "Set-Cookie", "Retry-After")
RDF_EXTS = ("ttl", "jsonld", "nt", "rdf")
ACCEPTS = {
    "none": None,
    "browser": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "json": "application/json",
    "any": "*/*",
    "image": "image/png",
}
SPARQL_QUERIES = {
    "select": "SELECT ?s WHERE { ?s a <https://integration.region-hannover.example/def/ik#Handlungsfeld> } ORDER BY ?s",
    "ask": "ASK { ?s ?p ?o }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://integration.region-hannover.example/id/massnahme/1>) }",
    "bad": "SELEC nothing",
    "update": "INSERT DATA { <a:b> <a:c> <a:d> }",
}


def requests(store, base: str) -> list[tuple[str, str, str | None]]:
    """(name, path, Accept) for every request of the snapshot."""
    subjects = sorted({row["s"] for row in store.select(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{base}id/")) }}')})
    out: list[tuple[str, str, str | None]] = []

    def add(path: str, accept: str | None = None, name: str | None = None) -> None:
        out.append((name or path, path, accept))

    for s in subjects:
        rest = s[len(base):]  # id/kind/key
        _, kind, key = rest.split("/", 2)
        doc = f"/doc/{kind}/{key}"
        add(doc)
        add(doc + "?lang=en")
        for ext in ("html", *RDF_EXTS):
            add(f"{doc}.{ext}")
        for label in ("browser", "turtle", "jsonld", "image"):
            add(f"/id/{kind}/{key}", ACCEPTS[label], f"/id/{kind}/{key} accept={label}")
        if kind == "massnahme":
            add(f"{doc}.bib")
            add(f"{doc}.csl.json")
        if kind == "drucksache":
            add(f"{doc}.oparl.json")
    for name in ("ik", "handlungsfelder", "ziele", "zielgruppen"):
        add(f"/def/{name}")
        add(f"/def/{name}?lang=en")
        for ext in ("html", *RDF_EXTS):
            add(f"/def/{name}.{ext}")
        for label in ("turtle", "jsonld", "image", "browser"):
            add(f"/def/{name}", ACCEPTS[label], f"/def/{name} accept={label}")
    kinds = sorted({s[len(base):].split("/")[1] for s in subjects})
    for kind in kinds:
        add(f"/id/{kind}/")
        add(f"/id/{kind}/?lang=en")
    # pages for people
    for path in ("/", "/?lang=en", "/massnahmen", "/massnahmen?lang=en", "/massnahmen?oe=51&zielgruppe=gefluechtete",
                 "/massnahmen?handlungsfeld=bildung&sort=titel&pro_seite=10&seite=2", "/massnahmen?mehr=drucksache",
                 "/massnahmen.csv", "/massnahmen.json", "/massnahmen.csv?oe=51", "/massnahmen.json?ziel=x",
                 "/suche", "/suche?q=Sprache", "/suche?q=Gefl%C3%BCchtete&lang=en", "/suche?q=Sprachf%C3%B6rderung&typ=massnahme",
                 "/suche.json?q=Jugend", "/suche?q=zzzz", "/barrierefreiheit", "/impressum", "/impressum?lang=en",
                 "/id/drucksache/", "/id/drucksache/?format=json", "/drucksachen", "/id/drucksache/?format=xls",
                 "/drucksache?ref=0349%20(IV)%20BDs", "/drucksache?ref=IV-0349", "/drucksache?ref=9999%20(IV)%20BDs",
                 "/drucksache?ref=nonsense", "/massnahme?nr=22", "/massnahme?nr=Nr.%2022", "/massnahme?nr=999",
                 "/massnahme?nr=abc", "/doc/massnahme/999", "/doc/massnahme/999.ttl", "/id/massnahme/999",
                 "/doc/massnahme/1.xyz", "/doc/unbekannt/1", "/doc/massnahme/999.bib", "/doc/drucksache/XX-1.oparl.json",
                 "/catalog", "/catalog?lang=en", "/catalog?page=2", "/catalog?page=x", "/catalog/service/sparql",
                 "/dumps/", "/dumps/index.json", "/dumps/nope", "/nope", "/static/site.css"):
        add(path)
    for path in ("/id/drucksache/", "/drucksache?ref=nonsense", "/massnahme?nr=999", "/suche?q=Sprache", "/massnahmen",
                 "/catalog", "/.well-known/void", "/sparql", "/nope", "/doc/massnahme/999", "/id/massnahme/1",
                 "/doc/massnahme/1"):
        for label in ACCEPTS:
            add(path, ACCEPTS[label], f"{path} accept={label}")
    for ext in RDF_EXTS:
        add(f"/catalog.{ext}")
        add(f"/catalog.{ext}?page=1")
    add("/.well-known/void")
    return out


def catalog_requests(client) -> list[tuple[str, str, str | None]]:
    import json

    out = []
    index = json.loads(client.get("/dumps/index.json").data)
    for f in index["files"]:
        out.append((f"/dumps/{f['name']}", f"/dumps/{f['name']}", None))
        out.append((f"/catalog/distribution/{f['name']}", f"/catalog/distribution/{f['name']}", "text/turtle"))
        out.append((f"/catalog/distribution/{f['name']} html", f"/catalog/distribution/{f['name']}", None))
    html = client.get("/catalog").get_data(as_text=True)
    for name in sorted(set(re.findall(r'href="/catalog/dataset/([^"#?]+)"', html))):
        for label in ("none", "turtle", "jsonld", "image"):
            out.append((f"/catalog/dataset/{name} accept={label}", f"/catalog/dataset/{name}", ACCEPTS[label]))
        out.append((f"/catalog/dataset/{name}?lang=en", f"/catalog/dataset/{name}?lang=en", None))
    for label in ("turtle", "jsonld"):
        out.append((f"/catalog/service/sparql accept={label}", "/catalog/service/sparql", ACCEPTS[label]))
    return out


def sparql_requests() -> list[tuple[str, str, str | None]]:
    out = []
    for qname, query in SPARQL_QUERIES.items():
        for fmt in (None, "html", "json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf", "turtle", "bogus"):
            params = {"query": query} | ({"format": fmt} if fmt else {})
            out.append((f"/sparql {qname} format={fmt}", "/sparql?" + urlencode(params), None))
        for label in ("browser", "turtle", "json", "image", "any"):
            out.append((f"/sparql {qname} accept={label}", "/sparql?" + urlencode({"query": query}), ACCEPTS[label]))
        out.append((f"/sparql {qname} accept=srj", "/sparql?" + urlencode({"query": query}), "application/sparql-results+json"))
    out.append(("/sparql?lang=en", "/sparql?lang=en", None))
    return out


def normalised(text: str) -> str:
    """Without what differs from run to run: cookie expiry dates (blank nodes are compared as graphs)."""
    return re.sub(r"Expires=[^;]+;", "Expires=<date>;", text)


def file_name(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._=-]+", "_", name).strip("_")[:150]
    return f"{safe}-{hashlib.sha1(name.encode()).hexdigest()[:8]}.txt"


def snapshot(build: Path, out: Path) -> int:
    from server.app import create_app

    registry = out.parent / (out.name + "-registry.csv")
    registry.write_text("uri_path,status,successor_path,date,reason\n"
                        "/id/massnahme/500,gone,,2024-01-01,Zusammengelegt (Test)\n"
                        "/id/massnahme/501,moved,/id/massnahme/1,2024-01-01,Umbenannt (Test)\n", encoding="utf-8")
    app = create_app({"KG_BUILD_DIR": str(build), "KG_URI_REGISTRY": str(registry)})
    client = app.test_client()
    published = app.extensions["kg"].current
    base = app.config["KG_BASE_URI"]
    todo = requests(published.store, base) + catalog_requests(client) + sparql_requests()
    for path in ("/id/massnahme/500", "/doc/massnahme/500.ttl", "/id/massnahme/501", "/doc/massnahme/501.jsonld"):
        for label in ("none", "turtle", "json"):
            todo.append((f"{path} accept={label}", path, ACCEPTS[label]))
    out.mkdir(parents=True, exist_ok=True)
    for name, path, accept in todo:
        client.delete_cookie("lang")  # every request on its own: no language remembered from the one before
        headers = {"Accept": accept} if accept else {}
        response = client.get(path, headers=headers)
        lines = [f"GET {path}", f"Accept: {accept}", f"{response.status_code}"]
        lines += [f"{h}: {response.headers[h]}" for h in HEADERS if h in response.headers]
        body = response.get_data()
        text = body.decode("utf-8", errors="replace") if len(body) < 2_000_000 else f"<{len(body)} bytes sha256 {hashlib.sha256(body).hexdigest()}>"
        (out / file_name(name)).write_text(normalised("\n".join(lines) + "\n\n" + text), encoding="utf-8")
    pool = app.extensions.get("sparql_pool")
    if pool:
        pool.close()
    print(f"{len(todo)} answers written to {out}")
    return 0


RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}


def _same_graph(x: list[str], y: list[str]) -> bool:
    """Two answers that differ only in how the same RDF graph is written (rdflib orders blank nodes at random)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    head_x, head_y = x[: x.index("")], y[: y.index("")]
    content_type = next((h.split(": ", 1)[1].split(";")[0] for h in head_x if h.startswith("Content-Type: ")), "")
    if head_x != head_y or content_type not in RDF_TYPES:
        return False
    body_x, body_y = ("\n".join(v[v.index("") + 1:]) for v in (x, y))
    try:
        return isomorphic(Graph().parse(data=body_x, format=RDF_TYPES[content_type]),
                          Graph().parse(data=body_y, format=RDF_TYPES[content_type]))
    except Exception:
        return False


def compare(before: Path, after: Path) -> int:
    a, b = {p.name for p in before.glob("*.txt")}, {p.name for p in after.glob("*.txt")}
    changed = reordered = blank = 0
    for name in sorted(a - b):
        print(f"only before: {name}")
    for name in sorted(b - a):
        print(f"only after: {name}")
    for name in sorted(a & b):
        x, y = (before / name).read_text().splitlines(), (after / name).read_text().splitlines()
        if x == y:
            continue
        if [line for line in x if line.strip()] == [line for line in y if line.strip()]:
            blank += 1  # HTML that differs in empty lines only (template tags on lines of their own)
            continue
        if _same_graph(x, y):
            reordered += 1
            continue
        changed += 1
        print("".join(difflib.unified_diff([line + "\n" for line in x], [line + "\n" for line in y],
                                           f"before/{name}", f"after/{name}", n=0))[:3000])
    print(f"{len(a & b)} compared, {changed} differ, {reordered} the same graph written in another order, {blank} in empty lines only, "
          f"{len(a - b)} only before, {len(b - a)} only after")
    return 1 if changed or a != b else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--build", type=Path, default=Path("/tmp/snap-build"))
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not (args.build / "manifest.json").exists():
        from kg.build import build

        build(out=args.build)
    return snapshot(args.build, args.out)


if __name__ == "__main__":
    sys.exit(main())
