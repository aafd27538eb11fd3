"""published-uris.txt: every URI ever published keeps answering – 200 (after 303), 301 or 410, never 404."""

from __future__ import annotations

from rdflib import Graph, URIRef

from kg import published, registry
from kg.build import ROOT
from tests.support.servers import routed

LIST = ROOT / "published-uris.txt"


def test_list_is_sorted_unique_paths():
    lines = LIST.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(set(lines)) and lines
    assert all(line.startswith(("/id/", "/def/", "/catalog/dataset/")) and " " not in line for line in lines)


def test_list_contains_every_uri_of_the_current_build(graph):
    missing = published.uri_paths(graph) - set(published.read(LIST))
    assert not missing, f"{len(missing)} URIs not in published-uris.txt, e.g. {sorted(missing)[:5]}; " \
                        "run `.venv/bin/python -m kg.published`"


def test_every_published_uri_resolves_never_404(app):
    client = app.test_client()
    entries = registry.load(ROOT / "data" / "uri-registry.csv")
    unrouted, failures = [], []
    for path in published.read(LIST):
        if path in entries:
            expected = 301 if entries[path].status == "moved" else 410
            status = client.get(path).status_code
            if status != expected:
                failures.append(f"{path}: {status}, registry says {expected}")
            continue
        if not routed(app, path):
            unrouted.append(path)
            continue
        r = client.get(path, headers={"Accept": "text/turtle"})
        if r.status_code == 303:
            r = client.get(r.headers["Location"], headers={"Accept": "text/turtle"})
        if r.status_code != 200:
            failures.append(f"{path}: {r.status_code}")
    assert not failures, "published URIs that no longer answer (add them to data/uri-registry.csv):\n" + "\n".join(failures)
    assert not unrouted, f"{len(unrouted)} published paths have no route, e.g. {unrouted[:3]}"


def test_successors_in_the_registry_resolve(app):
    client = app.test_client()
    for entry in registry.load(ROOT / "data" / "uri-registry.csv").values():
        if entry.successor_path:
            r = client.get(entry.uri_path, follow_redirects=True, headers={"Accept": "text/turtle"})
            assert r.status_code == 200, entry


# ------------------------------------------------------------------ kg.published.update


def test_update_adds_and_never_removes(tmp_path):
    path = tmp_path / "published-uris.txt"
    base = "https://example.org/"
    g = Graph()
    g.add((URIRef(base + "id/massnahme/2"), URIRef(base + "def/ik#titel"), URIRef(base + "id/massnahme/10")))
    assert published.update(g, path, base) == ["/def/ik", "/id/massnahme/10", "/id/massnahme/2"]
    assert published.update([base + "id/massnahme/3", "https://elsewhere.org/x"], path, base) == ["/id/massnahme/3"]
    assert published.update(Graph(), path, base) == []  # an empty build removes nothing
    assert published.read(path) == ["/def/ik", "/id/massnahme/10", "/id/massnahme/2", "/id/massnahme/3"]
    assert path.read_text(encoding="utf-8").endswith("/id/massnahme/3\n")


def test_update_from_a_build_directory(built, tmp_path):
    path = tmp_path / "published-uris.txt"
    added = published.update_from_build(built, path)
    assert "/id/massnahme/129" in added and "/id/drucksache/IV-0349" in added and "/def/ik" in added
    assert published.update_from_build(built, path) == []
