"""Example queries for the SPARQL page: questions a reader of the report might ask, titled in German and English.

Every example is run by the test suite and must return at least one row (or triple). Bodies may use
``{base}`` for the configured base URI. The page shows them without PREFIX lines (the endpoint predeclares the
prefixes, :mod:`server.sparql.prefixes`); :meth:`Example.query` adds them, for engines that do not.
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
    english: tuple[str, str] = ("", "")  # title, description
    chart: bool = False                  # a label and a number per row: shown as a bar chart first

    @property
    def is_graph(self) -> bool:
        return self.body.lstrip().upper().startswith(("CONSTRUCT", "DESCRIBE"))

    def title_in(self, lang: str) -> str:
        return self.english[0] if lang == "en" and self.english[0] else self.title

    def description_in(self, lang: str) -> str:
        return self.english[1] if lang == "en" and self.english[1] else self.description

    def text(self, base: str, lang: str = "de") -> str:
        """What the page shows and runs: the body under its title as a comment (which names downloads), no PREFIX lines."""
        return f"# {self.title_in(lang)}\n" + self.body.strip().replace("{base}", base) + "\n"

    def query(self, base: str) -> str:
        """The self-contained query (PREFIX lines included), for engines without our predeclared prefixes."""
        return prefix_block(base) + "\n" + self.body.strip().replace("{base}", base) + "\n"


# Unsorted, so the engine stops after 20 rows at any size; sorting first would read every measure.
DEFAULT_BODY = """# 20 Maßnahmen mit Nummer und Titel
# nach Nummer sortiert: ORDER BY xsd:integer(?nr) vor LIMIT einfügen
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
ORDER BY DESC(?anzahl)""",
        english=("Measures per field of action",
                 "How many measures of the appendix belong to each field of action? The build counts ik:anzahlMassnahmen from "
                 "the measures; counted live: COUNT(?massnahme) over ?massnahme ik:handlungsfeld ?handlungsfeld."), chart=True),
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
ORDER BY xsd:integer(?nr)""",
        english=("Measures of one organisational unit",
                 "All measures the youth department (OE 51) is responsible for. For another unit, change the"
                 " number at the end of …/id/oe/51.")),
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
ORDER BY DESC(?massnahmen) ?bezeichnung""",
        english=("Most cited council documents",
                 "Documents of the regional assembly that most measures refer to."), chart=True),
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
ORDER BY DESC(?anzahl)""",
        english=("Measures for refugees per field of action",
                 "Measures aimed at refugees – including subgroups such as unaccompanied minors –, counted per field of action."), chart=True),
    Example(
        "ziele-ohne-massnahmen", "Ziele ohne Maßnahmen",
        "Überarbeitete Ziele, denen im Anhang keine Maßnahme zugeordnet ist.",
        """SELECT ?ziel ?bezeichnung ?handlungsfeld WHERE {
  ?ziel ik:anzahlMassnahmen 0 ; a ik:Ziel ; skos:prefLabel ?bezeichnung ;
        ik:handlungsfeld/skos:prefLabel ?handlungsfeld .
  FILTER(lang(?handlungsfeld) = "de")
}""",
        english=("Goals without measures",
                 "Revised goals to which the appendix assigns no measure.")),
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
ORDER BY DESC(?anzahl) ?name""",
        english=("Measures per target group",
                 "For each target group, the number of measures whose text names it – target groups without a measure included "
                 "(the 100 with the most measures)."), chart=True),
    Example(
        "oe-je-dezernat", "Organisationseinheiten je Dezernat",
        "Die Fachbereiche, Teams und Stabsstellen der fünf Dezernate nach Kapitel 6.2.",
        """SELECT ?dezernat (COUNT(?oe) AS ?anzahl) (GROUP_CONCAT(?name; separator=" | ") AS ?einheiten) WHERE {
  ?dez a ik:Dezernat ; rdfs:label ?dezernat .
  ?oe org:subOrganizationOf ?dez ; rdfs:label ?name .
}
GROUP BY ?dezernat
ORDER BY ?dezernat""",
        english=("Organisational units per department",
                 "The divisions, teams and staff units of the five departments (Dezernate) according to chapter 6.2."), chart=True),
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
ORDER BY ?schwerpunkt""",
        english=("Focus areas and their measures",
                 "The focus areas for future work from chapter 4, the number of their planned steps and the measures of the "
                 "appendix they continue.")),
    Example(
        "massnahmen-mit-altersangaben", "Maßnahmen mit Altersangaben",
        "Maßnahmen, für die der Bericht ein Mindest- oder Höchstalter nennt (in Jahren, einschließlich).",
        """SELECT ?nr ?titel ?von ?bis WHERE {
  ?massnahme a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel .
  OPTIONAL { ?massnahme ik:mindestalter ?von }
  OPTIONAL { ?massnahme ik:hoechstalter ?bis }
  FILTER(BOUND(?von) || BOUND(?bis))
}
ORDER BY ?von ?bis""",
        english=("Measures with age limits",
                 "Measures for which the report gives a minimum or maximum age (in years, inclusive).")),
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
ORDER BY ?wahlperiode""",
        english=("Council documents per electoral term",
                 "Cited council documents per electoral term of the regional assembly; older documents are numbered by year."), chart=True),
    Example(
        "nicht-angegeben", "Was der Bericht offenlässt",
        "Angaben, die der Bericht nicht macht: statt zu raten, vermerkt der Graph ik:nichtAngegeben. Gezählt je Eigenschaft.",
        """SELECT ?eigenschaft (COUNT(?ding) AS ?anzahl) WHERE {
  ?ding ik:nichtAngegeben ?eigenschaft .
}
GROUP BY ?eigenschaft
ORDER BY DESC(?anzahl)""",
        english=("What the report leaves open",
                 "Facts the report does not give: instead of guessing, the graph records ik:nichtAngegeben. Counted per "
                 "property."), chart=True),
    Example(
        "beispielmassnahmen", "Beispielmaßnahmen aus Kapitel 3",
        "Maßnahmen, die Kapitel 3 im Abschnitt ihres Handlungsfeldes als Beispiel hervorhebt.",
        """SELECT ?handlungsfeld ?nr ?titel WHERE {
  ?feld ik:beispiel ?massnahme ; skos:prefLabel ?handlungsfeld .
  FILTER(lang(?handlungsfeld) = "de")
  ?massnahme dcterms:identifier ?nr ; dcterms:title ?titel .
}
ORDER BY ?handlungsfeld xsd:integer(?nr)""",
        english=("Example measures from chapter 3",
                 "Measures that chapter 3 highlights as examples in the section of their field of action.")),
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
}""",
        english=("One measure with its context (CONSTRUCT)",
                 "Measure 40 with all its statements and the labels of its field of action, goal and target groups – as an RDF "
                 "graph.")),
)
