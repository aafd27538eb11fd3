"""Every interface string in German and English: key -> (Deutsch, English). Templates call ``t("key")``."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # site frame
    "site.name": ("Integrationskonzept Region Hannover", "Integration Concept Region Hannover"),
    "site.suffix": ("Wissensgraph", "knowledge graph"),
    "site.skip": ("Zum Inhalt springen", "Skip to content"),
    "site.source": ("Quelle: „Vielfalt und Zusammenhalt – Bericht zum Integrationskonzept der Region Hannover“. Daten als Linked Open Data.",
                    "Source: the report „Vielfalt und Zusammenhalt – Bericht zum Integrationskonzept der Region Hannover“ "
                    "(Diversity and cohesion – report on the integration concept of Region Hannover), as linked open data."),
    "nav.label": ("Hauptnavigation", "Main navigation"),
    "nav.measures": ("Maßnahmen", "Measures"),
    "nav.drucksachen": ("Drucksachen", "Council documents"),
    "nav.search": ("Suche", "Search"),
    "nav.sparql": ("SPARQL", "SPARQL"),
    "nav.downloads": ("Downloads", "Downloads"),
    "nav.ontology": ("Ontologie", "Ontology"),
    "nav.catalog": ("DCAT-Katalog", "DCAT catalogue"),
    "nav.accessibility": ("Barrierefreiheit", "Accessibility"),
    "nav.imprint": ("Impressum", "Legal notice"),
    # resource types (URI segment)
    "kind.massnahme.one": ("Maßnahme", "Measure"), "kind.massnahme.other": ("Maßnahmen", "Measures"),
    "kind.handlungsfeld.one": ("Handlungsfeld", "Field of action"), "kind.handlungsfeld.other": ("Handlungsfelder", "Fields of action"),
    "kind.ziel.one": ("Ziel", "Goal"), "kind.ziel.other": ("Ziele", "Goals"),
    "kind.oe.one": ("Organisationseinheit", "Organisational unit"), "kind.oe.other": ("Organisationseinheiten", "Organisational units"),
    "kind.organisation.one": ("Organisation", "Organisation"), "kind.organisation.other": ("Organisationen", "Organisations"),
    "kind.person.one": ("Person", "Person"), "kind.person.other": ("Personen", "People"),
    "kind.drucksache.one": ("Drucksache", "Council document"), "kind.drucksache.other": ("Drucksachen", "Council documents"),
    "kind.zielgruppe.one": ("Zielgruppe", "Target group"), "kind.zielgruppe.other": ("Zielgruppen", "Target groups"),
    "kind.bericht.one": ("Bericht", "Report"), "kind.bericht.other": ("Berichte", "Reports"),
    "kind.kapitel.one": ("Kapitel", "Chapter"), "kind.kapitel.other": ("Kapitel", "Chapters"),
    "kind.schwerpunkt.one": ("Schwerpunkt", "Focus area"), "kind.schwerpunkt.other": ("Schwerpunkte", "Focus areas"),
    "kind.schritt.one": ("Geplanter Schritt", "Planned step"), "kind.schritt.other": ("Geplante Schritte", "Planned steps"),
    "kind.eintrag.one": ("Eintrag im Anhang", "Appendix entry"), "kind.eintrag.other": ("Einträge im Anhang", "Appendix entries"),
    "kind.beleg.one": ("Beleg", "Evidence"), "kind.beleg.other": ("Belege", "Evidence"),
    "kind.mitgliedschaft.one": ("Leitung", "Head of unit"), "kind.mitgliedschaft.other": ("Leitungen", "Heads of units"),
    "kind.oe-art.one": ("Art der Organisationseinheit", "Kind of unit"), "kind.oe-art.other": ("Arten von Organisationseinheiten", "Kinds of units"),
    # facets of the measure list
    "facet.handlungsfeld": ("Handlungsfeld", "Field of action"),
    "facet.ziel": ("Ziel", "Goal"),
    "facet.oe": ("Organisationseinheit", "Organisational unit"),
    "facet.zielgruppe": ("Zielgruppe", "Target group"),
    "facet.drucksache": ("Drucksache", "Council document"),
    "count.measures.one": ("{n} Maßnahme", "{n} measure"),
    "count.measures.other": ("{n} Maßnahmen", "{n} measures"),
    # home
    "home.title": ("Übersicht", "Overview"),
    "home.heading": ("Vielfalt und Zusammenhalt – der Bericht zum Integrationskonzept als offene Daten",
                     "Diversity and cohesion – the report on the integration concept as open data"),
    "home.intro": ("Der Bericht der Region Hannover mit seinen {measures} Maßnahmen in {fields} Handlungsfeldern, {goals} überarbeiteten "
                   "Zielen, {drucksachen} zitierten Drucksachen und {focus} Schwerpunkten für die zukünftige Arbeit – jede Aussage mit "
                   "dauerhafter URI, abfragbar mit SPARQL und als Download.",
                   "Region Hannover's report with its {measures} measures in {fields} fields of action, {goals} revised goals, "
                   "{drucksachen} cited council documents and {focus} focus areas for future work – every statement with a "
                   "persistent URI, queryable with SPARQL and downloadable. The report's texts are in German."),
    "home.fields": ("Handlungsfelder", "Fields of action"),
    "home.fields_caption": ("Maßnahmen und Ziele je Handlungsfeld", "Measures and goals per field of action"),
    "home.goals": ("Ziele", "Goals"),
    "home.at_a_glance": ("Auf einen Blick", "At a glance"),
    "home.more": ("Weiter", "More"),
    "home.all_measures": ("Alle Maßnahmen", "All measures"),
    "home.units": ("Organisationseinheiten", "Organisational units"),
    "home.groups": ("Zielgruppen", "Target groups"),
    "home.focus": ("Schwerpunkte (Kapitel 4)", "Focus areas (chapter 4)"),
    "home.report": ("Der Bericht", "The report"),
    "home.schemes": ("Begriffssysteme", "Concept schemes"),
    "home.sparql": ("SPARQL-Abfrage", "SPARQL query"),
    "home.build": ("Stand: Build {build} vom {created} · {triples} Tripel", "Build {build} of {created} · {triples} triples"),
    # charts
    "chart.measures": ("Maßnahmen", "Measures"),
    "chart.name": ("Name", "Name"),
    "chart.as_table": ("Daten als Tabelle", "Data as a table"),
    "chart.per_field": ("Maßnahmen je Handlungsfeld", "Measures per field of action"),
    "chart.per_oe": ("Maßnahmen je Organisationseinheit", "Measures per organisational unit"),
    "chart.per_group": ("Maßnahmen je Zielgruppe", "Measures per target group"),
    "chart.more": ("Die {shown} größten Einträge; {n} kleinere sind nicht gezeigt.",
                   "The {shown} largest entries; {n} smaller ones are not shown."),
    # search
    "search.label": ("Suche", "Search"),
    "search.submit": ("Suchen", "Search"),
    "search.title": ("Suche", "Search"),
    "search.title_for": ("Suche nach „{q}“", "Search for “{q}”"),
    "search.hint": ("Geben Sie oben einen Suchbegriff ein. Gesucht wird in Titeln und Beschreibungen von Maßnahmen, Zielen, "
                    "Handlungsfeldern, Zielgruppen, Organisationseinheiten, Drucksachen und Schwerpunkten; Groß- und Kleinschreibung, "
                    "Umlaute und Wortendungen spielen keine Rolle.",
                    "Enter a search term above. Titles and descriptions of measures, goals, fields of action, target groups, "
                    "organisational units, council documents and focus areas are searched; case, umlauts and word endings do not "
                    "matter. The texts are German."),
    "search.examples": ("Beispiele:", "Examples:"),
    "search.count.one": ("1 Treffer für „{q}“.", "1 result for “{q}”."),
    "search.count.other": ("{n} Treffer für „{q}“.", "{n} results for “{q}”."),
    "search.no_terms": ("Die Anfrage enthält kein suchbares Wort.", "The query contains no searchable word."),
    "search.by_type": ("Treffer nach Art", "Results by type"),
    "search.all_types": ("Alle", "All"),
    "search.nothing": ("Nichts gefunden. Versuchen Sie ein anderes Wort oder filtern Sie die", "Nothing found. Try another word or filter the"),
    "search.json": ("Diese Trefferliste als", "These results as"),
    # measure list
    "list.heading": ("Maßnahmen filtern", "Filter the measures"),
    "list.count": ("{n} von {all} Maßnahmen", "{n} of {all} measures"),
    "list.active": ("Aktive Filter", "Active filters"),
    "list.remove": ("Filter entfernen: {facet} {label}", "Remove filter: {facet} {label}"),
    "list.reset": ("Alle Filter zurücksetzen", "Reset all filters"),
    "list.filter": ("Filter", "Filters"),
    "list.apply": ("Filter anwenden", "Apply filters"),
    "list.selected.one": ("{n} gewählt", "{n} selected"),
    "list.selected.other": ("{n} gewählt", "{n} selected"),
    "list.sort": ("Sortieren nach", "Sort by"),
    "list.sort_nr": ("Nummer", "Number"),
    "list.sort_titel": ("Titel", "Title"),
    "list.sort_handlungsfeld": ("Handlungsfeld", "Field of action"),
    "list.per_page": ("Einträge je Seite", "Entries per page"),
    "list.results": ("Ergebnis", "Results"),
    "list.download": ("Gefilterte Liste herunterladen:", "Download the filtered list:"),
    "list.download_note": ("(alle Treffer, nicht nur diese Seite)", "(all matches, not only this page)"),
    "list.caption": ("Maßnahmen {first} bis {last} von {n}", "Measures {first} to {last} of {n}"),
    "list.nr": ("Nr.", "No."),
    "list.col_title": ("Titel", "Title"),
    "list.no_unit": ("im Bericht nicht angegeben", "not given in the report"),
    "list.more.one": ("… und 1 weiterer Wert", "… and 1 more value"),
    "list.more.other": ("… und {count} weitere Werte", "… and {count} more values"),
    "list.show_all": ("Alle Werte für „{facet}“ zeigen", "Show all values for “{facet}”"),
    "list.none": ("Keine Maßnahme erfüllt alle gewählten Filter.", "No measure matches all selected filters."),
    "listing.title": ("Liste", "List"),
    "listing.heading": ("Alle Einträge: {kind}", "All entries: {kind}"),
    "listing.count.one": ("1 Eintrag.", "1 entry."),
    "listing.count.other": ("{n} Einträge.", "{n} entries."),
    "listing.filter_hint": ("Filtern und herunterladen:", "Filter and download:"),
    # pager
    "pager.label": ("Seiten", "Pages"),
    "pager.prev": ("vorherige", "previous"),
    "pager.next": ("nächste", "next"),
    "pager.page": ("Seite", "Page"),
    "pager.of": ("Seite {page} von {pages}", "Page {page} of {pages}"),
    # resource pages (resource.html)
    "resource.cite": ("Diese Ressource zitieren", "Cite this resource"),
    "resource.uri": ("Dauerhafte URI:", "Persistent URI:"),
    "resource.formats": ("Formate:", "Formats:"),
    "resource.properties": ("Eigenschaften", "Properties"),
    "resource.properties_caption": ("Alle Aussagen des Graphen über diese Ressource", "Everything the graph states about this resource"),
    "resource.property": ("Eigenschaft", "Property"),
    "resource.value": ("Wert", "Value"),
    "resource.incoming": ("Verweise auf diese Ressource", "Links to this resource"),
    "resource.resources": ("Ressourcen", "Resources"),
    # overview sections
    "overview.filter_link": ("In der Maßnahmenliste filtern und herunterladen", "Filter and download in the list of measures"),
    "overview.distribution": ("Verteilung der Maßnahmen", "How the measures are distributed"),
    "unit.including": ("Einschließlich der Maßnahmen untergeordneter Einheiten.", "Including the measures of subordinate units."),
    "group.including": ("Einschließlich der Maßnahmen für engere Zielgruppen.", "Including the measures for narrower target groups."),
    "overview.more": ("… und {n} weitere.", "… and {n} more."),
    "overview.more_link": ("Alle {n} in der Maßnahmenliste", "All {n} in the list of measures"),
    "unit.more_indirect_link": ("Alle {n} Maßnahmen dieser Einheit und ihrer untergeordneten Einheiten (auch die direkt zugeordneten) "
                                "in der Maßnahmenliste",
                                "All {n} measures of this unit and its subordinate units (the directly assigned ones too) "
                                "in the list of measures"),
    "unit.more_indirect_pages": ("Die übrigen stehen auf den Seiten der untergeordneten Einheiten.",
                                 "The others are on the pages of the subordinate units."),
    "group.more_indirect_link": ("Alle {n} Maßnahmen für diese und die engeren Zielgruppen (auch die direkt zugeordneten) "
                                 "in der Maßnahmenliste",
                                 "All {n} measures for this and the narrower target groups (the directly assigned ones too) "
                                 "in the list of measures"),
    "group.more_indirect_pages": ("Die übrigen stehen auf den Seiten der engeren Zielgruppen.",
                                  "The others are on the pages of the narrower target groups."),
    "field.intro": ("Einleitung (Kapitel 3)", "Introduction (chapter 3, German)"),
    "field.goals": ("Ziele in diesem Handlungsfeld", "Goals in this field of action"),
    "field.chart_goals": ("Maßnahmen je Ziel", "Measures per goal"),
    "field.examples": ("Beispiele aus Kapitel 3", "Examples featured in chapter 3"),
    "field.focus": ("Schwerpunkte für die zukünftige Arbeit (Kapitel 4)", "Focus areas for future work (chapter 4)"),
    "field.measures": ("Alle Maßnahmen in diesem Handlungsfeld", "All measures in this field of action"),
    "unit.measures": ("Maßnahmen dieser Organisationseinheit", "Measures of this organisational unit"),
    "unit.none": ("Der Bericht nennt diese Einheit bei keiner Maßnahme direkt.", "The report names this unit for no measure directly."),
    "unit.below": ("Untergeordnete Einheiten", "Subordinate units"),
    "unit.indirect": ("Maßnahmen untergeordneter Einheiten", "Measures of subordinate units"),
    "unit.via": ("Zuständige Einheit", "Responsible unit"),
    "group.measures": ("Maßnahmen für diese Zielgruppe", "Measures for this target group"),
    "group.none": ("Keine Maßnahme nennt diese Zielgruppe direkt.", "No measure names this target group directly."),
    "group.below": ("Engere Zielgruppen", "Narrower target groups"),
    "group.indirect": ("Maßnahmen für engere Zielgruppen", "Measures for narrower target groups"),
    "group.via": ("Zielgruppe", "Target group"),
    # not found
    "notfound.title": ("Nicht gefunden", "Not found"),
    "notfound.home": ("Zur Startseite", "Home page"),
    # legal pages
    "legal.unset": ("noch nicht eingetragen (Einstellung {setting})", "not configured yet (setting {setting})"),
    "legal.the_operator": ("Der Betreiber dieser Website", "The operator of this website"),
    "imprint.title": ("Impressum", "Legal notice"),
    "imprint.placeholder_note": ("Dieses Impressum ist ein Platzhalter: Der Betreiber trägt seine Angaben über die Einstellungen KG_OPERATOR_… ein.",
                                 "This legal notice is a placeholder: the operator fills it in through the KG_OPERATOR_… settings."),
    "imprint.operator_h": ("Anbieter", "Provider"),
    "imprint.represented": ("Vertreten durch:", "Represented by:"),
    "imprint.contact_h": ("Kontakt", "Contact"),
    "imprint.content_h": ("Inhalt und Daten", "Content and data"),
    "imprint.content": ("Die Inhalte stammen aus dem Bericht „Vielfalt und Zusammenhalt – Bericht zum Integrationskonzept der Region "
                        "Hannover“; diese Website stellt sie als verknüpfte offene Daten bereit.",
                        "The content comes from the report „Vielfalt und Zusammenhalt – Bericht zum Integrationskonzept der Region "
                        "Hannover“; this website publishes it as linked open data."),
    "imprint.data": ("Werte, die der Bericht nicht nennt, sind im Graphen ausdrücklich als „nicht angegeben“ vermerkt und nicht ergänzt.",
                     "Values the report does not state are marked as “not given” in the graph; nothing was filled in."),
    "preview.ok": ("Vorschau: zuletzt neu gebaut um {time} aus {source}. Noch nichts ist veröffentlicht oder eingecheckt.",
                   "Preview: last rebuilt at {time} from {source}. Nothing is published or committed yet."),
    "preview.failed": ("Vorschau nicht aktualisiert: {n} Problem(e) in den Daten",
                       "Preview not updated: {n} problem(s) in the data"),
    "preview.kept": ("Letzter Versuch um {time}. Diese Seite zeigt noch den letzten fehlerfreien Stand. Jede Meldung nennt "
                     "Datei oder Blatt, Maßnahme, Zeile und Spalte; hinter „→“ steht, was zu tun ist. Nach dem Speichern "
                     "wird neu gebaut.",
                     "Last attempt at {time}. This page still shows the last good state. Each finding names the file or "
                     "sheet, measure, row and column; after „→“ it says what to do. Saving again rebuilds."),
    "preview.more": ("… und {n} weitere (im Terminal)", "… and {n} more (in the terminal)"),
    "a11y.title": ("Erklärung zur Barrierefreiheit", "Accessibility statement"),
    "a11y.intro": ("{operator} ist bemüht, diese Website im Einklang mit der Richtlinie (EU) 2016/2102, der Barrierefreie-"
                   "Informationstechnik-Verordnung (BITV 2.0) und den landesrechtlichen Vorschriften barrierefrei zugänglich zu machen.",
                   "{operator} endeavours to make this website accessible in accordance with Directive (EU) 2016/2102, the German "
                   "Barrier-Free Information Technology Ordinance (BITV 2.0) and the applicable state law."),
    "a11y.scope": ("Diese Erklärung gilt für die Website unter {host}: Seiten, Suche, Maßnahmenliste, Abfrageseite und Downloads.",
                   "This statement applies to the website at {host}: pages, search, list of measures, query page and downloads."),
    "a11y.status_h": ("Stand der Vereinbarkeit mit den Anforderungen", "Compliance status"),
    "a11y.status": ("Diese Website ist wegen der unten genannten Ausnahmen teilweise mit den Anforderungen der BITV 2.0 "
                    "(WCAG 2.1, Konformitätsstufe AA, nach EN 301 549) vereinbar.",
                    "This website is partially compliant with the requirements of BITV 2.0 (WCAG 2.1 level AA, per EN 301 549) "
                    "because of the exceptions listed below."),
    "a11y.gaps_h": ("Nicht barrierefreie Inhalte", "Non-accessible content"),
    "a11y.gaps_intro": ("Die folgenden Inhalte sind nicht oder nicht vollständig barrierefrei:",
                        "The following content is not, or not fully, accessible:"),
    "a11y.gap_language": ("Die Texte des Berichts (Titel und Beschreibungen der Maßnahmen, Ziele, Drucksachen) gibt es nur auf Deutsch; "
                          "die englische Oberfläche zeigt englische Bezeichnungen nur, wo der Graph sie enthält.",
                          "The report's texts (titles and descriptions of measures, goals, council documents) exist in German only; "
                          "the English interface shows English labels only where the graph has them."),
    "a11y.gap_easy": ("Erläuterungen in Deutscher Gebärdensprache und in Leichter Sprache (§ 4 BITV 2.0) fehlen noch.",
                      "Explanations in German Sign Language and in Easy Language (§ 4 BITV 2.0) are still missing."),
    "a11y.gap_formats": ("Die maschinenlesbaren Formate (Turtle, JSON-LD, RDF/XML, N-Triples, CSV) sind für Programme gedacht; "
                         "dieselben Aussagen stehen auf den HTML-Seiten.",
                         "The machine-readable formats (Turtle, JSON-LD, RDF/XML, N-Triples, CSV) are meant for software; "
                         "the HTML pages carry the same statements."),
    "a11y.gap_sparql": ("Die SPARQL-Abfrageseite setzt Kenntnisse der Abfragesprache voraus; Beispielabfragen, die Suche und die "
                        "Maßnahmenliste bieten einen einfacheren Zugang.",
                        "The SPARQL query page requires knowledge of the query language; example queries, the search and the "
                        "list of measures offer simpler access."),
    "a11y.gap_audit": ("Eine Prüfung durch eine unabhängige Stelle (etwa ein BITV-Test) hat noch nicht stattgefunden.",
                       "No audit by an independent body (such as a BITV test) has taken place yet."),
    "a11y.done_h": ("Was diese Website für die Barrierefreiheit tut", "What this website does for accessibility"),
    "a11y.done_structure": ("Seitenbereiche (Kopf, Navigation, Hauptinhalt, Fuß) und Überschriften gliedern jede Seite; "
                            "ein Link „Zum Inhalt springen“ steht am Seitenanfang.",
                            "Landmarks (header, navigation, main content, footer) and headings structure every page; "
                            "a “Skip to content” link comes first."),
    "a11y.done_keyboard": ("Suche, Filter, Sortierung, Blättern und Sprachwechsel sind mit der Tastatur und ohne JavaScript "
                           "bedienbar; der Tastaturfokus ist deutlich sichtbar.",
                           "Search, filters, sorting, paging and the language switch work with the keyboard and without "
                           "JavaScript; the keyboard focus is clearly visible."),
    "a11y.done_contrast": ("Texte haben ein Kontrastverhältnis von mindestens 4,5:1.", "Text has a contrast ratio of at least 4.5:1."),
    "a11y.done_charts": ("Diagramme haben eine Textbeschreibung und dieselben Zahlen als Tabelle.",
                         "Charts have a text description and the same numbers as a table."),
    "a11y.done_lang": ("Die Sprache jeder Seite und anderssprachiger Teile ist ausgezeichnet.",
                       "The language of every page and of parts in another language is marked up."),
    "a11y.done_tests": ("Jede Änderung wird automatisch mit axe-core in einem Browser geprüft (Startseite, Maßnahmenliste, "
                        "Maßnahmen-, Drucksachen-, Such- und Abfrageseite).",
                        "Every change is checked automatically with axe-core in a browser (home page, list of measures, measure, "
                        "council document, search and query pages)."),
    "a11y.made_h": ("Erstellung dieser Erklärung", "Preparation of this statement"),
    "a11y.made": ("Diese Erklärung beruht auf einer Selbstbewertung und automatisierten Tests.",
                  "This statement is based on a self-assessment and automated tests."),
    "a11y.reviewed": ("Letzte Überprüfung:", "Last reviewed:"),
    "a11y.feedback_h": ("Feedback und Kontaktangaben", "Feedback and contact information"),
    "a11y.feedback": ("Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen oder benötigen Sie Inhalte in barrierefreier Form? "
                      "Dann wenden Sie sich bitte an:",
                      "Have you noticed accessibility barriers, or do you need content in an accessible form? Please contact:"),
    "a11y.enforce_h": ("Schlichtungsverfahren", "Enforcement procedure"),
    "a11y.enforce": ("Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten haben, können Sie sich an die "
                     "zuständige Schlichtungs- bzw. Durchsetzungsstelle wenden:",
                     "If you have not received a satisfactory answer to your feedback, you can turn to the responsible "
                     "arbitration or enforcement body:"),
}
