"""The built graph against the report: counts, samples field by field, labels, URIs, SHACL."""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from kg.namespaces import DEFAULT_BASE, ID_PATTERN, IK, uri
from kg.sources import HYPHEN_ARTEFACT
from tests.support.paths import REPORT


def instances(graph, cls):
    return set(graph.subjects(RDF.type, cls))


def test_counts_match_the_report(graph):
    assert len(instances(graph, IK.Massnahme)) == 129
    assert len(instances(graph, IK.Ziel)) == 36
    assert len(instances(graph, IK.Handlungsfeld)) == 8
    assert len(instances(graph, IK.Schwerpunkt)) == 8
    assert {int(graph.value(m, DCTERMS.identifier)) for m in instances(graph, IK.Massnahme)} == set(range(1, 130))


def test_goal_without_measure_still_exists(graph):
    goal = uri("ziel", "transparenz-und-informationen-ueber-gefluechtete")
    assert (goal, RDF.type, IK.Ziel) in graph
    assert graph.value(goal, IK.handlungsfeld) == uri("handlungsfeld", "gefluechtete")
    assert not list(graph.subjects(IK.verfolgtZiel, goal))


def _measure(graph, nr):
    m = uri("massnahme", nr)
    return {
        "feld": graph.value(m, IK.handlungsfeld),
        "ziel": str(graph.value(graph.value(m, IK.verfolgtZiel), SKOS.prefLabel)),
        "oe": {str(graph.value(o, ORG.identifier) or o.rsplit("/", 1)[-1]) for o in graph.objects(m, IK.zustaendig)},
        "ds": {str(graph.value(d, DCTERMS.identifier)) for d in graph.objects(m, DCTERMS.references)},
        "text": str(graph.value(m, DCTERMS.description)),
    }


# One sample per field of action, read off appendix 6.1 by hand.
SAMPLES = [
    (2, "partizipation-und-teilhabe", "Beratungsangebote verbessern", {"32"}, {"IV-0349", "IV-2718"}, "seit Juli 2017"),
    (8, "willkommenskultur", "Erstorientierungsphase für Neuzugewanderte erleichtern", {"40", "50", "51"}, set(),
     "Orientierungsberatungsstelle in der Ausländerbehörde"),
    (10, "gefluechtete", "Flüchtlingsversorgung und Unterbringung vorausschauend planen und koordinieren", {"51"},
     {"III-2957", "IV-0749"}, "Vormundschaften"),
    (28, "bildung-und-sprache", "Elternkompetenz verbessern und stärken", {"51"}, {"IV-3298", "2009-372", "III-3257"},
     "Rucksack-Kita"),
    (64, "wirtschaft-und-arbeit", "Arbeitsmarktintegration von Menschen mit Migrationshintergrund verbessern",
     {"jobcenter-region-hannover"}, set(), "Frauen in technischen Berufen"),
    (76, "gesundheit-und-pflege", "Niedrigschwellige Gesundheitsberatung und Präventionsarbeit fördern", {"53"},
     {"IV-1629"}, "Stöcken und Mittelfeld"),
    (98, "vernetzung", "Transparenz über die Integrationsangebote und Best Practices in der Region schaffen", {"40"},
     set(), "Netzwerk sprachliche Bildung"),
    (110, "interkulturelle-oeffnung", "Regionsverwaltung und regionseigene Betriebe interkulturell öffnen",
     {"11", "stabsstelle-eu-angelegenheiten"}, set(), "EU-Hospitation"),
]


@pytest.mark.parametrize("nr,feld,ziel,oe,ds,phrase", SAMPLES)
def test_sample_measures_field_by_field(graph, nr, feld, ziel, oe, ds, phrase):
    m = _measure(graph, nr)
    assert m["feld"] == uri("handlungsfeld", feld)
    assert m["ziel"] == ziel
    assert m["oe"] == oe
    assert m["ds"] == ds
    assert phrase in m["text"]


def test_unnumbered_rows_are_merged_into_the_measure_above(graph):
    assert "Einrichtung einer Orientierungsberatungsstelle in der Ausländerbehörde" in _measure(graph, 13)["text"]
    assert _measure(graph, 13)["oe"] == {"51", "32"}
    assert "Umstellung der Antragsformulare" in _measure(graph, 112)["text"]
    assert _measure(graph, 128)["oe"] == {"50", "53"}
    for nr in (13, 112, 128):
        assert graph.value(uri("massnahme", nr), SKOS.editorialNote) is not None


def test_measures_without_oe_say_so(graph):
    for nr in (33, 71):
        m = uri("massnahme", nr)
        assert not list(graph.objects(m, IK.zustaendig))
        assert (m, IK.nichtAngegeben, IK.zustaendig) in graph


def test_oe_without_name_is_not_invented(graph):
    for code in ("01", "13"):
        oe = uri("oe", code)
        assert graph.value(oe, SKOS.prefLabel) is None
        assert (oe, IK.nichtAngegeben, SKOS.prefLabel) in graph
    assert graph.value(uri("oe", "52"), SKOS.prefLabel) == Literal("Fachbereich Teilhabe", lang="de")


def test_dezernat_structure_of_chapter_6_2(graph):
    dez = uri("oe", "dezernat-ii")
    units = {str(graph.value(u, ORG.identifier)) for u in graph.subjects(ORG.subOrganizationOf, dez)}
    assert {"50", "51", "50.90"} <= units
    assert (uri("oe", "53"), ORG.subOrganizationOf, uri("oe", "dezernat-i")) in graph


def test_org_unit_of_points_only_at_the_legal_entity(graph):
    """ORG's org:unitOf ranges over org:FormalOrganization: a Dezernat as its object would make it a legal entity."""
    region = uri("organisation", "region-hannover")
    targets = set(graph.objects(None, ORG.unitOf))
    assert targets == {region}
    assert (uri("oe", "53"), ORG.unitOf, region) in graph
    assert not list(graph.subject_objects(URIRef("http://purl.org/dc/terms/type")))


def test_unit_kinds_are_concepts_of_a_small_scheme(graph):
    kinds = set(graph.objects(None, ORG.classification))
    scheme = URIRef(DEFAULT_BASE + "def/oe-arten")
    assert uri("oe-art", "fachbereich") in kinds and uri("oe-art", "dezernat") in kinds
    assert all((k, SKOS.inScheme, scheme) in graph and (scheme, SKOS.hasTopConcept, k) in graph for k in kinds)
    assert graph.value(uri("oe", "51"), ORG.classification) == uri("oe-art", "fachbereich")
    assert (uri("oe", "19"), IK.nichtAngegeben, ORG.classification) in graph  # Gleichstellung: kind not given


def test_heads_are_memberships_as_of_the_report_never_timeless(graph):
    assert not list(graph.subject_objects(ORG.headOf))
    m = uri("mitgliedschaft", "dezernat-ii-leitung")
    assert graph.value(m, ORG.member) == uri("person", "dr-andrea-hanke")
    assert graph.value(m, ORG.organization) == uri("oe", "dezernat-ii")
    assert graph.value(m, ORG.role) == IK.Leitung
    assert graph.value(m, DCTERMS.source) == uri("bericht", "2020")
    assert graph.value(m, IK.fundstelle) == uri("kapitel", "2020-6-2")
    assert (m, IK.nichtAngegeben, ORG.memberDuring) in graph
    assert len(set(graph.subjects(RDF.type, ORG.Membership))) == 6  # Regionspräsident + five Dezernate


def test_every_measure_has_its_appendix_entry_as_provenance(graph):
    prov = "http://www.w3.org/ns/prov#"
    for m in instances(graph, IK.Massnahme):
        entry = graph.value(m, URIRef("http://xmlns.com/foaf/0.1/isPrimaryTopicOf"))
        assert entry == uri("eintrag", str(graph.value(m, DCTERMS.identifier)))
        assert (entry, URIRef(prov + "wasDerivedFrom"), uri("kapitel", "2020-6-1")) in graph
        assert (entry, RDF.type, URIRef(prov + "Entity")) in graph
        headings = set(graph.objects(entry, IK.unterUeberschrift))
        assert headings == {graph.value(m, IK.handlungsfeld), graph.value(m, IK.verfolgtZiel)}
        assert (entry, IK.nichtAngegeben, IK.seite) in graph


def test_places_in_the_report_are_links_to_its_parts(graph):
    places = list(graph.subject_objects(IK.fundstelle))
    assert len(places) > 42 and all(isinstance(o, URIRef) and (o, RDF.type, IK.Kapitel) in graph for _, o in places)
    assert set(graph.objects(uri("oe", "koordinierungsstelle-integration"), IK.fundstelle)) == {
        uri("kapitel", "2020-2-1"), uri("kapitel", "2020-5"), uri("kapitel", "2020-impressum")}
    assert graph.value(uri("drucksache", "IV-1193"), IK.fundstelle) == uri("kapitel", "2020-4")


def test_report_language_is_the_eu_language_resource(graph):
    language = graph.value(uri("bericht", "2020"), DCTERMS.language)
    assert language == URIRef("http://publications.europa.eu/resource/authority/language/DEU")


def test_every_drucksache_citation_of_the_appendix_resolves_to_one_resource(graph):
    text = REPORT.read_text(encoding="utf-8")
    appendix = text[text.index("6.1 AUFLISTUNG"):text.index("6.2 AUFBAUORGANISATION")]
    cited = set(re.findall(r"\b(\d{4}) \((I{1,3}|IV)\) ?(?:BDs|IDs|Bds)", appendix))
    cited |= {(n, wp) for n, wp in re.findall(r"(?:BDs|BDS) (\d{4}) \((I{1,3}|IV)\)", appendix)}
    keys = {str(graph.value(d, DCTERMS.identifier)) for d in instances(graph, IK.Drucksache)}
    assert {f"{wp}-{n}" for n, wp in cited} <= keys
    assert "2009-372" in keys
    assert len(cited) >= 45


def test_chapter_4_citations_are_resources(graph):
    for key in ("2009-131", "III-1744", "IV-1193"):
        d = uri("drucksache", key)
        assert (d, RDF.type, IK.Drucksache) in graph
        assert (uri("bericht", "2020"), DCTERMS.references, d) in graph


def test_same_drucksache_cited_twice_is_one_resource(graph):
    d = uri("drucksache", "IV-2145")
    assert {nr for nr in (32, 73) if (uri("massnahme", nr), DCTERMS.references, d) in graph} == {32, 73}
    assert len([s for s in instances(graph, IK.Drucksache) if str(s).endswith("IV-2145")]) == 1


def test_no_label_has_a_hyphenation_artefact(graph):
    for p in (RDFS.label, SKOS.prefLabel, DCTERMS.title, DCTERMS.description):
        for s, o in graph.subject_objects(p):
            assert not HYPHEN_ARTEFACT.search(str(o)), (s, p, o)


def test_every_title_is_taken_from_the_description(graph):
    from kg.sources import title_words_not_in_text

    for m in instances(graph, IK.Massnahme):
        assert not title_words_not_in_text(str(graph.value(m, DCTERMS.title)), str(graph.value(m, DCTERMS.description))), m


def test_every_uri_follows_the_pattern(graph):
    for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
        s = str(term)
        if s.startswith(DEFAULT_BASE + "id/"):
            assert ID_PATTERN.match(s[len(DEFAULT_BASE):]), s
        elif s.startswith(DEFAULT_BASE):
            assert re.match(r"def/(ik(#\w*|/[0-9.]+)?|handlungsfelder|ziele|zielgruppen|oe-arten|status)$|catalog/dataset/wissensgraph$",
                            s[len(DEFAULT_BASE):]), s


def test_target_groups_with_age_ranges(graph):
    kinder = uri("zielgruppe", "kinder-bis-sechs-jahre")
    assert (int(graph.value(kinder, IK.mindestalter)), int(graph.value(kinder, IK.hoechstalter))) == (0, 6)
    pace = uri("massnahme", 36)
    assert (int(graph.value(pace, IK.mindestalter)), int(graph.value(pace, IK.hoechstalter))) == (14, 27)
    assert (pace, IK.zielgruppe, uri("zielgruppe", "junge-menschen")) in graph
    assert (uri("zielgruppe", "unbegleitete-minderjaehrige"), SKOS.broader, uri("zielgruppe", "gefluechtete")) in graph


def test_focus_areas_link_to_the_same_projects(graph):
    sp = uri("schwerpunkt", "uebergang-schule-beruf")
    assert set(graph.objects(sp, IK.betrifftMassnahme)) == {uri("massnahme", 45), uri("massnahme", 33)}
    assert len(list(graph.objects(sp, IK.geplanterSchritt))) == 2


def test_report_publication_date_is_marked_unknown(graph):
    report = uri("bericht", "2020")
    assert graph.value(report, DCTERMS.issued) is None
    assert (report, IK.nichtAngegeben, DCTERMS.issued) in graph
    assert len(list(graph.objects(report, DCTERMS.hasPart))) == 23  # 22 chapters of the contents and the imprint


def test_dates_only_where_stated(graph):
    from kg.namespaces import SCHEMA

    dated = {int(graph.value(m, DCTERMS.identifier)) for m in graph.subjects(SCHEMA.startDate, None)}
    assert dated == {2, 18, 24, 25, 81, 85, 93, 100}
    assert str(graph.value(uri("massnahme", 25), SCHEMA.endDate)) == "2018-12-31"


def test_measure_counts_equal_a_live_count_for_every_counted_resource(graph):
    """ik:anzahlMassnahmen (computed by the build) agrees with counting the measures in SPARQL, zeros included."""
    rows = graph.query("""
        PREFIX ik: <https://integration.region-hannover.example/def/ik#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?r ?stored (COUNT(DISTINCT ?m) AS ?live) WHERE {
          ?r ik:anzahlMassnahmen ?stored .
          OPTIONAL { ?m a ik:Massnahme ; ik:handlungsfeld|ik:verfolgtZiel|ik:zustaendig|ik:zielgruppe|dcterms:references ?r }
        } GROUP BY ?r ?stored""")
    table = {str(r.r): (int(r.stored), int(r.live)) for r in rows}
    assert len(table) == 8 + 36 + 39 + 31 + 49  # fields, goals, units, target groups, Drucksachen
    assert all(stored == live for stored, live in table.values()), {k: v for k, v in table.items() if v[0] != v[1]}
    assert table["https://integration.region-hannover.example/id/oe/51"][0] > 0
    assert sorted(v[0] for v in table.values()).count(0) >= 1  # the goal without a measure counts 0


def test_no_blank_nodes(graph):
    """Every resource has a URI (dereferenceable, citable); the sorted N-Triples dump is canonical only without them."""
    assert not [t for triple in graph for t in triple if isinstance(t, BNode)]


# ------------------------------------------------------------------ what the data files say, read here on their own

def _yaml(name: str):
    import yaml

    from kg.build import Project

    return yaml.safe_load((Project().data / name).read_text(encoding="utf-8"))


def test_every_concept_scheme_is_declared_with_german_and_english_labels_from_the_report(graph):
    from kg.namespaces import scheme

    report = uri("bericht", str(_yaml("bericht.yaml")["bericht"]["key"]))
    mapped = {scheme(n) for n in ("handlungsfelder", "ziele", "zielgruppen", "oe-arten")}  # the data's own schemes
    assert mapped <= set(graph.objects(None, SKOS.inScheme))
    for sc in mapped:
        assert (sc, RDF.type, SKOS.ConceptScheme) in graph
        assert {lit.language for lit in graph.objects(sc, SKOS.prefLabel)} == {"de", "en"}, sc
        assert graph.value(sc, DCTERMS.source) == report


def test_the_examples_of_each_field_of_action_are_the_measures_the_file_names(graph):
    fields = _yaml("handlungsfelder.yaml")
    assert any(h.get("beispiele") for h in fields)
    for h in fields:
        named = {uri("massnahme", nr) for nr in h.get("beispiele") or []}
        assert set(graph.objects(uri("handlungsfeld", h["slug"]), IK.beispiel)) == named, h["slug"]


def test_the_region_s_head_is_sourced_from_the_chapter_the_file_names(graph):
    region = _yaml("bericht.yaml")["region"]
    report_key = _yaml("bericht.yaml")["bericht"]["key"]
    [membership] = graph.subjects(ORG.organization, uri("organisation", region["key"]))
    assert graph.value(membership, ORG.role) == IK.Leitung
    chapter = region["leitung_fundstelle"].removeprefix("Kapitel ").replace(".", "-")
    assert set(graph.objects(membership, IK.fundstelle)) == {uri("kapitel", f"{report_key}-{chapter}")}


def test_a_drucksache_states_its_kind_or_that_the_report_does_not(graph):
    papers = instances(graph, IK.Drucksache)
    known = {d for d in papers if graph.value(d, IK.drucksachenart) is not None}
    unknown = {d for d in papers if (d, IK.nichtAngegeben, IK.drucksachenart) in graph}
    assert known and unknown and known.isdisjoint(unknown) and known | unknown == papers


def test_evidence_for_a_date_written_the_german_way_states_the_measure_s_own_date(project_copy):
    """belege.csv may give a date as a spreadsheet writes it (07.2017); the evidence states the measure's value."""
    from kg.build import compile_graph

    path = project_copy.data / "belege.csv"
    text = path.read_text(encoding="utf-8")
    assert "\n2,beginn,2017-07,seit Juli 2017,," in text
    path.write_text(text.replace("\n2,beginn,2017-07,", "\n2,beginn,07.2017,", 1), encoding="utf-8")
    g = compile_graph(project_copy, DEFAULT_BASE).graph
    [beleg] = [b for b in g.objects(uri("massnahme", 2), IK.beleg) if (b, IK.eigenschaft, None) in g
               and str(g.value(b, PROV.value)) == "seit Juli 2017"]
    value = g.value(beleg, IK.wertLiteral)
    assert (str(value), value.datatype) == ("2017-07", XSD.gYearMonth)
