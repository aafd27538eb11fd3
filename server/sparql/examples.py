"""Example queries for the SPARQL page: questions a reader of the report might ask, in German.

Every example is run by the test suite and must return at least one row (or triple). Bodies may use
``{base}`` for the configured base URI; the standard prefixes of :func:`prefix_block` come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.sparql_syntax import prefix_block, prefixes

__all__ = ["DEFAULT_BODY", "EXAMPLES", "Example", "prefix_block", "prefixes"]


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    description: str
    body: str

    @property
    def is_graph(self) -> bool:
        return self.body.lstrip().upper().startswith(("CONSTRUCT", "DESCRIBE"))

    def query(self, base: str) -> str:
        return prefix_block(base) + "\n" + self.body.strip().replace("{base}", base) + "\n"


# Unsorted, so the engine stops after 20 rows at any size; sorting first would read every measure.
DEFAULT_BODY = """# 20 Maßnahmen mit Nummer und Titel – nach Nummer sortiert: ORDER BY xsd:integer(?nr) vor LIMIT einfügen
SELECT ?massnahme ?nr ?titel WHERE {
  ?massnahme a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel .
}
LIMIT 20"""

EXAMPLES = (
    Example(
        "massnahmen-je-handlungsfeld", "Maßnahmen je Handlungsfeld",
        "Wie viele Maßnahmen des Anhangs gehören zu jedem Handlungsfeld? ik:anzahlMassnahmen zählt der Build "
        "aus den Maßnahmen; live gezählt: COUNT(?massnahme) über ?massnahme ik:handlungsfeld ?handlungsfeld.",
        """SELECT ?handlungsfeld ?name ?anzahl WHERE {
  ?handlungsfeld a ik:Handlungsfeld ; ik:anzahlMassnahmen ?anzahl ; skos:prefLabel ?name .
  FILTER(lang(?name) = "de")
}
ORDER BY DESC(?anzahl)"""),
    Example(
        "massnahmen-einer-oe", "Maßnahmen einer Organisationseinheit",
        "Alle Maßnahmen, für die der Fachbereich Jugend (OE 51) zuständig ist. "
        "Für eine andere Organisationseinheit die Nummer am Ende von …/id/oe/51 ändern.",
        """SELECT ?nr ?titel ?handlungsfeld WHERE {
  ?massnahme ik:zustaendig <{base}id/oe/51> ;
             dcterms:identifier ?nr ; dcterms:title ?titel ;
             ik:handlungsfeld/skos:prefLabel ?handlungsfeld .
  FILTER(lang(?handlungsfeld) = "de")
}
ORDER BY xsd:integer(?nr)"""),
    Example(
        "meistzitierte-drucksachen", "Am häufigsten zitierte Drucksachen",
        "Drucksachen der Regionsversammlung, auf die sich die meisten Maßnahmen berufen.",
        """SELECT ?drucksache ?bezeichnung ?massnahmen WHERE {
  {
    SELECT ?drucksache ?massnahmen WHERE {
      ?drucksache ik:anzahlMassnahmen ?massnahmen FILTER(?massnahmen > 0)
      ?drucksache a ik:Drucksache .
    }
    ORDER BY DESC(?massnahmen) ?drucksache
    LIMIT 20
  }
  ?drucksache rdfs:label ?bezeichnung .
}
ORDER BY DESC(?massnahmen) ?bezeichnung"""),
    Example(
        "gefluechtete-je-handlungsfeld", "Maßnahmen für Geflüchtete nach Handlungsfeld",
        "Maßnahmen, die sich an Geflüchtete richten – einschließlich der Untergruppen wie unbegleitete "
        "minderjährige Ausländerinnen und Ausländer –, gezählt je Handlungsfeld.",
        """SELECT ?handlungsfeld ?anzahl WHERE {
  {
    SELECT ?feld (COUNT(DISTINCT ?massnahme) AS ?anzahl) WHERE {
      ?gruppe skos:broader* <{base}id/zielgruppe/gefluechtete> .
      ?massnahme ik:zielgruppe ?gruppe ; ik:handlungsfeld ?feld .
    }
    GROUP BY ?feld
  }
  ?feld skos:prefLabel ?handlungsfeld .
  FILTER(lang(?handlungsfeld) = "de")
}
ORDER BY DESC(?anzahl)"""),
    Example(
        "ziele-ohne-massnahmen", "Ziele ohne Maßnahmen",
        "Überarbeitete Ziele, denen im Anhang keine Maßnahme zugeordnet ist.",
        """SELECT ?ziel ?bezeichnung ?handlungsfeld WHERE {
  ?ziel ik:anzahlMassnahmen 0 ; a ik:Ziel ; skos:prefLabel ?bezeichnung ;
        ik:handlungsfeld/skos:prefLabel ?handlungsfeld .
  FILTER(lang(?handlungsfeld) = "de")
}"""),
    Example(
        "massnahmen-je-zielgruppe", "Maßnahmen je Zielgruppe",
        "Für jede Zielgruppe die Zahl der Maßnahmen, deren Text sie nennt – auch Zielgruppen ohne Maßnahme "
        "(die 100 mit den meisten Maßnahmen).",
        """SELECT ?zielgruppe ?name ?anzahl WHERE {
  {
    SELECT ?zielgruppe ?anzahl WHERE { ?zielgruppe ik:anzahlMassnahmen ?anzahl ; a ik:Zielgruppe }
    ORDER BY DESC(?anzahl) ?zielgruppe
    LIMIT 100
  }
  ?zielgruppe skos:prefLabel ?name .
  FILTER(lang(?name) = "de")
}
ORDER BY DESC(?anzahl) ?name"""),
    Example(
        "oe-je-dezernat", "Organisationseinheiten je Dezernat",
        "Die Fachbereiche, Teams und Stabsstellen der fünf Dezernate nach Kapitel 6.2.",
        """SELECT ?dezernat (COUNT(?oe) AS ?anzahl) (GROUP_CONCAT(?name; separator=" | ") AS ?einheiten) WHERE {
  ?dez a ik:Dezernat ; rdfs:label ?dezernat .
  ?oe org:subOrganizationOf ?dez ; rdfs:label ?name .
}
GROUP BY ?dezernat
ORDER BY ?dezernat"""),
    Example(
        "schwerpunkte-und-massnahmen", "Schwerpunkte und ihre Maßnahmen",
        "Die Schwerpunkte für die zukünftige Arbeit aus Kapitel 4, die Zahl ihrer geplanten Schritte "
        "und die Maßnahmen des Anhangs, die sie fortführen.",
        """SELECT ?schwerpunkt (COUNT(DISTINCT ?schritt) AS ?schritte)
       (GROUP_CONCAT(DISTINCT ?massnahme; separator=" | ") AS ?massnahmen) WHERE {
  ?s a ik:Schwerpunkt ; dcterms:title ?schwerpunkt .
  OPTIONAL { ?s ik:geplanterSchritt ?schritt }
  OPTIONAL { ?s ik:betrifftMassnahme/dcterms:title ?massnahme }
}
GROUP BY ?schwerpunkt
ORDER BY ?schwerpunkt"""),
    Example(
        "massnahmen-mit-altersangaben", "Maßnahmen mit Altersangaben",
        "Maßnahmen, für die der Bericht ein Mindest- oder Höchstalter nennt (in Jahren, einschließlich).",
        """SELECT ?nr ?titel ?von ?bis WHERE {
  ?massnahme a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel .
  OPTIONAL { ?massnahme ik:mindestalter ?von }
  OPTIONAL { ?massnahme ik:hoechstalter ?bis }
  FILTER(BOUND(?von) || BOUND(?bis))
}
ORDER BY ?von ?bis"""),
    Example(
        "drucksachen-je-wahlperiode", "Drucksachen je Wahlperiode",
        "Zitierte Drucksachen nach Wahlperiode der Regionsversammlung; ältere Drucksachen sind nach Jahr nummeriert.",
        """SELECT ?wahlperiode (COUNT(?drucksache) AS ?anzahl) WHERE {
  { ?drucksache ik:wahlperiode ?wahlperiode }
  UNION
  {
    ?drucksache ik:jahr ?jahr .
    FILTER NOT EXISTS { ?drucksache ik:wahlperiode [] }
    BIND(CONCAT("Nummer/Jahr ", STR(?jahr)) AS ?wahlperiode)
  }
}
GROUP BY ?wahlperiode
ORDER BY ?wahlperiode"""),
    Example(
        "nicht-angegeben", "Was der Bericht offenlässt",
        "Angaben, die der Bericht nicht macht: statt zu raten, vermerkt der Graph ik:nichtAngegeben. Gezählt je Eigenschaft.",
        """SELECT ?eigenschaft (COUNT(?ding) AS ?anzahl) WHERE {
  ?ding ik:nichtAngegeben ?eigenschaft .
}
GROUP BY ?eigenschaft
ORDER BY DESC(?anzahl)"""),
    Example(
        "beispielmassnahmen", "Beispielmaßnahmen aus Kapitel 3",
        "Maßnahmen, die Kapitel 3 im Abschnitt ihres Handlungsfeldes als Beispiel hervorhebt.",
        """SELECT ?handlungsfeld ?nr ?titel WHERE {
  ?feld ik:beispiel ?massnahme ; skos:prefLabel ?handlungsfeld .
  FILTER(lang(?handlungsfeld) = "de")
  ?massnahme dcterms:identifier ?nr ; dcterms:title ?titel .
}
ORDER BY ?handlungsfeld xsd:integer(?nr)"""),
    Example(
        "massnahme-als-graph", "Eine Maßnahme mit ihrem Umfeld (CONSTRUCT)",
        "Maßnahme 40 mit allen Angaben sowie den Bezeichnungen ihres Handlungsfeldes, Ziels und ihrer Zielgruppen – als RDF-Graph.",
        """CONSTRUCT {
  ?massnahme ?p ?o .
  ?o rdfs:label ?label .
} WHERE {
  BIND(<{base}id/massnahme/40> AS ?massnahme)
  ?massnahme ?p ?o .
  OPTIONAL { ?o rdfs:label ?label }
}"""),
)
