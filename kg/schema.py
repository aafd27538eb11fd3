"""What the tables in data/ hold: one description read by the loader (required columns, references, formats),
the workbook (column comments, dropdowns, the „Hilfe“ sheet) and the messages (how a row is named).

Columns a file has but this description does not know are kept as they are (read, shown in the workbook with
a generic comment, written back); a column it requires but the file lacks stops the build.
"""

from __future__ import annotations

from dataclasses import dataclass

LIST_SEP = "|"  # separator for several values in one cell


@dataclass(frozen=True)
class Column:
    name: str
    help: str  # German, for the clerk: what goes in (cell comment and „Hilfe“ sheet)
    required: bool = False  # a value must be given in every row
    ref: str | None = None  # name of the table whose key this column names
    many: bool = False  # several values, separated by LIST_SEP
    kind: str = "text"  # text | slug | int | date | duration | citation | choice | url
    choices: tuple[str, ...] = ()  # for kind "choice"


@dataclass(frozen=True)
class Table:
    name: str  # file stem, sheet name and name used by Column.ref
    file: str
    title: str  # German plural, e.g. "Maßnahmen"
    key: str  # column that identifies a row
    record: str  # how a message names one row, formatted with the row's values: "Maßnahme {nr}"
    columns: tuple[Column, ...]
    labels: tuple[str, ...] = ()  # columns with names people write instead of the key („meinten Sie …?“)
    in_build: bool = True  # read by `kg build` (uri-registry.csv is read by the server)
    help: str = ""

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class YamlFile:
    """A YAML source: a list of entries (or one mapping); names its entries like a table names its rows."""

    name: str
    file: str
    title: str
    key: str | None
    required: tuple[str, ...]
    labels: tuple[str, ...] = ()
    record: str = ""
    help: str = ""


# Columns of massnahmen.csv whose every value needs a row in belege.csv with the report's words.
EVIDENCED = ("zielgruppen", "alter_von", "alter_bis", "beginn", "ende", "dauer")
DATE_HELP = "JJJJ, JJJJ-MM oder JJJJ-MM-TT (auch TT.MM.JJJJ); nur, wenn der Bericht es nennt"
NOTIZ = Column("notiz", "Was beim Lesen des Berichts entschieden wurde (wird als redaktionelle Notiz veröffentlicht).")

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("massnahmen", "massnahmen.csv", "Maßnahmen", "nr", "Maßnahme {nr}", (
        Column("nr", "Nummer der Maßnahme aus Anhang 6.1; neue Maßnahmen bekommen die nächste freie Nummer.",
               required=True, kind="int"),
        Column("handlungsfeld", "Handlungsfeld (Auswahlliste).", required=True, ref="handlungsfelder"),
        Column("ziel", "Ziel des gewählten Handlungsfeldes (Auswahlliste zeigt nur dessen Ziele).", required=True,
               ref="ziele"),
        Column("titel", "Kurzname aus den Worten der Beschreibung (Projektname oder erste Wendung).", required=True),
        Column("beschreibung", "Volltext der Maßnahme wie im Bericht; Aufzählungspunkte (•) je auf eigener Zeile.",
               required=True),
        Column("oe", "Zuständige Organisationseinheit(en): Schlüssel aus „oe“, mehrere mit | trennen (z. B. 51|50).",
               ref="oe", many=True),
        Column("drucksachen", "Drucksachen genau wie im Bericht geschrieben (z. B. 0349 (IV) BDs), mehrere mit | trennen.",
               many=True, kind="citation"),
        Column("weitere_infos", "Themenfeldberichte oder Links (https://…), mehrere mit | trennen.", many=True),
        Column("zielgruppen", "Zielgruppen, die der Text nennt: Schlüssel aus „zielgruppen“, mehrere mit | trennen.",
               ref="zielgruppen", many=True),
        Column("alter_von", "Mindestalter in Jahren, nur wenn genannt.", kind="int"),
        Column("alter_bis", "Höchstalter in Jahren (einschließlich), nur wenn genannt.", kind="int"),
        Column("beginn", f"Beginn: {DATE_HELP}.", kind="date"),
        Column("ende", f"Ende: {DATE_HELP}.", kind="date"),
        Column("dauer", "Dauer nach ISO 8601, z. B. P3Y (3 Jahre), P6M (6 Monate); nur wenn genannt.", kind="duration"),
        NOTIZ,
    ), help="Eine Zeile je Maßnahme aus Anhang 6.1."),
    Table("belege", "belege.csv", "Belege", "nr", "Beleg zu Maßnahme {nr} ({angabe} {wert})", (
        Column("nr", "Nummer der Maßnahme, deren Angabe belegt wird.", required=True, kind="int"),
        Column("angabe", "Welche Spalte von „massnahmen“ belegt wird.", required=True, kind="choice", choices=EVIDENCED),
        Column("wert", "Der belegte Wert, genau wie in „massnahmen“ (Schlüssel der Zielgruppe, Zahl, Datum, Dauer).",
               required=True),
        Column("zitat", "Die Worte des Berichts, die die Angabe tragen, wörtlich aus der Beschreibung (oder dem Ziel); "
                        "eine Lücke mit … markieren.", required=True),
        Column("stelle", "Wo das Zitat steht: leer oder „beschreibung“ = Text der Maßnahme, „ziel“ = Wortlaut ihres Ziels.",
               kind="choice", choices=("beschreibung", "ziel")),
        NOTIZ,
    ), help="Ein Beleg je weicher Angabe einer Maßnahme (Zielgruppe, Alter, Beginn, Ende, Dauer): das Zitat aus dem Bericht."),
    Table("ziele", "ziele.csv", "Ziele", "slug", "Ziel „{slug}“", (
        Column("slug", "Schlüssel (Kleinbuchstaben, Ziffern, Bindestriche); nie mehr ändern, wenn veröffentlicht.",
               required=True, kind="slug"),
        Column("handlungsfeld", "Handlungsfeld, zu dem das Ziel gehört.", required=True, ref="handlungsfelder"),
        Column("label", "Wortlaut des Ziels wie im Bericht.", required=True),
        NOTIZ,
    ), labels=("label",), help="Die überarbeiteten Ziele, jedes in genau einem Handlungsfeld."),
    Table("oe", "oe.csv", "Organisationseinheiten", "key", "OE {key}", (
        Column("key", "Schlüssel der URI: OE-Nummer (z. B. 51, 50-90) oder Kurzname (jobcenter-region-hannover).",
               required=True, kind="slug"),
        Column("notation", "OE-Nummer wie gedruckt (z. B. 50.90); leer, wenn es keine gibt."),
        Column("name", "Name; leer, wenn der Bericht keinen nennt."),
        Column("typ", "Art der Einheit: Schlüssel aus „oe-arten“ (fachbereich, team, stabsstelle …); leer, wenn nicht genannt.",
               ref="oe-arten"),
        Column("dezernat", "Dezernat (Schlüssel aus „dezernate“, I–V).", ref="dezernate"),
        Column("teil_von", "Übergeordnete OE (Schlüssel aus „oe“).", ref="oe"),
        Column("schreibweisen", "Andere Schreibweisen im Bericht, mehrere mit | trennen.", many=True),
        Column("quelle", "Wo der Bericht die OE nennt: „Kapitel 6.2“, „Anhang 6.1“, „Impressum“; mehrere mit ; trennen."),
        NOTIZ,
    ), labels=("name", "notation", "schreibweisen"), help="Organisationseinheiten der Region Hannover."),
    Table("oe-arten", "oe-arten.csv", "Arten von Organisationseinheiten", "slug", "OE-Art „{slug}“", (
        Column("slug", "Schlüssel (Kleinbuchstaben, Ziffern, Bindestriche); nie mehr ändern, wenn veröffentlicht.",
               required=True, kind="slug"),
        Column("label", "Name der Art, wie im Bericht (Fachbereich, Team …).", required=True),
        Column("label_en", "Name auf Englisch.", required=True),
        Column("definition", "Was der Bericht zu dieser Art sagt (Kapitel 6.2)."),
        NOTIZ,
    ), labels=("label", "label_en"), help="Die Arten von Organisationseinheiten (org:classification), eine Zeile je Art."),
    Table("dezernate", "dezernate.csv", "Dezernate", "key", "Dezernat {key}", (
        Column("key", "Römische Nummer des Dezernats (I–V).", required=True),
        Column("name", "Name des Dezernats.", required=True),
        Column("leitung", "Dezernentin oder Dezernent."),
        Column("schreibweisen", "Andere Schreibweisen im Bericht, mehrere mit | trennen.", many=True),
        NOTIZ,
    ), labels=("name", "schreibweisen"), help="Die Dezernate aus Kapitel 6.2."),
    Table("zielgruppen", "zielgruppen.csv", "Zielgruppen", "slug", "Zielgruppe „{slug}“", (
        Column("slug", "Schlüssel (Kleinbuchstaben, Ziffern, Bindestriche); nie mehr ändern, wenn veröffentlicht.",
               required=True, kind="slug"),
        Column("label", "Name der Zielgruppe.", required=True),
        Column("label_en", "Name auf Englisch."),
        Column("oberbegriff", "Übergeordnete Zielgruppe (Schlüssel aus „zielgruppen“).", ref="zielgruppen"),
        Column("alter_von", "Mindestalter in Jahren, nur wenn genannt.", kind="int"),
        Column("alter_bis", "Höchstalter in Jahren, nur wenn genannt.", kind="int"),
        Column("definition", "Wen der Bericht zu dieser Gruppe zählt (eigene Worte des Berichts)."),
        NOTIZ,
    ), labels=("label", "label_en"), help="Zielgruppen der Maßnahmen."),
    Table("drucksachen", "drucksachen.csv", "Drucksachen", "zitat", "Drucksache „{zitat}“", (
        Column("zitat", "Drucksache genau wie im Bericht zitiert.", required=True, kind="citation"),
        Column("fundstelle", "Wo der Bericht sie nennt: „Kapitel 4“, „Anhang 6.1“ …; mehrere mit ; trennen."),
        Column("titel", "Titel, wenn der Bericht ihn nennt."),
        Column("datum", f"Datum: {DATE_HELP}.", kind="date"),
        NOTIZ,
    ), help="Drucksachen, die außerhalb des Anhangs zitiert werden oder zu denen der Bericht mehr sagt."),
    Table("ausgaben", "ausgaben.csv", "Ausgaben des Berichts", "bericht", "Ausgabe {bericht}", (
        Column("bericht", "Schlüssel der Ausgabe (Jahr, z. B. 2020); die Ausgabe aus bericht.yaml hat dort ihren Schlüssel.",
               required=True),
        Column("titel", "Titel einer weiteren Ausgabe; leer bei der Ausgabe aus bericht.yaml (Titel steht dort)."),
        Column("jahr", "Erscheinungsjahr (JJJJ), nur wenn die Ausgabe es nennt.", kind="date"),
        Column("vorgaenger", "Schlüssel der Ausgabe davor (z. B. 2020); leer bei der ersten."),
        Column("massnahmen", "Die Maßnahmen, die diese Ausgabe auflistet: Nummern und Bereiche mit | getrennt, z. B. 1-128|130|131.",
               required=True),
        Column("kapitel", "Bei einer weiteren Ausgabe: Nummer und Titel des Kapitels, das die Maßnahmen auflistet, z. B. "
               "„6.1 Auflistung Maßnahmen und Projekte“; leer bei der Ausgabe aus bericht.yaml."),
        NOTIZ,
    ), help="Welche Ausgabe des Berichts welche Maßnahmen auflistet; eine Zeile je Ausgabe."),
    Table("status", "status.csv", "Stand der Maßnahmen", "massnahme", "Stand von Maßnahme {massnahme}", (
        Column("massnahme", "Nummer der Maßnahme (Spalte nr in „massnahmen“); je Stand und Datum eine Zeile.",
               required=True, ref="massnahmen"),
        Column("status", "geplant, laufend, abgeschlossen, beendet (vorzeitig, ohne Abschluss) oder unbekannt "
               "(die Quelle sagt, dass der Stand unklar ist).", required=True, kind="choice",
               choices=("geplant", "laufend", "abgeschlossen", "beendet", "unbekannt")),
        Column("datum", f"Seit wann der Stand gilt (seit, ab, am): {DATE_HELP}.", kind="date"),
        Column("zitat", "Die Worte der Quelle, die den Stand nennen – genau so kopiert; der Build prüft, dass sie dort stehen.",
               required=True),
        Column("quelle", "Woher: „Bericht 2020“ (der Bericht mit diesem Schlüssel) oder eine Drucksache wie zitiert "
               "(z. B. 0604 (IV) BDs); ihr Text muss in data/texte/ liegen.", required=True),
        Column("fundstelle", "Wo im Bericht: „Anhang 6.1“, „Kapitel 3.3“; leer bei einer Drucksache."),
        NOTIZ,
    ), help="Wo jede Maßnahme steht – nur, wo eine Quelle es sagt, mit ihren Worten. Ohne Zeile: „nicht angegeben“."),
    Table("uri-registry", "uri-registry.csv", "Zurückgezogene URIs", "uri_path", "URI {uri_path}", (
        Column("uri_path", "Pfad der zurückgezogenen URI, z. B. /id/massnahme/130.", required=True),
        Column("status", "gone (gibt es nicht mehr, 410) oder moved (ersetzt durch den Nachfolger, 301).",
               required=True, kind="choice", choices=("gone", "moved")),
        Column("successor_path", "Bei moved: Pfad des Nachfolgers, z. B. /id/massnahme/12."),
        Column("date", "Datum der Änderung (JJJJ-MM-TT).", kind="date"),
        Column("reason", "Begründung (wird veröffentlicht)."),
    ), in_build=False, help="Veröffentlichte URIs, die zurückgezogen oder zusammengelegt wurden; der Server antwortet mit 410 oder 301."),
)}

YAML_FILES: dict[str, YamlFile] = {y.name: y for y in (
    YamlFile("handlungsfelder", "handlungsfelder.yaml", "Handlungsfelder", "slug", ("slug", "label", "abschnitt"),
             labels=("label", "label_en"), record="Handlungsfeld „{slug}“"),
    YamlFile("schwerpunkte", "schwerpunkte.yaml", "Schwerpunkte", "slug", ("slug", "label", "ziel", "beschreibung"),
             labels=("label",), record="Schwerpunkt „{slug}“"),
    YamlFile("bericht", "bericht.yaml", "Bericht", None, ()),
)}


def keyed(name: str) -> Table | YamlFile:
    """The table or YAML file called ``name`` (targets of Column.ref)."""
    return TABLES.get(name) or YAML_FILES[name]


def by_file(file: str) -> Table | None:
    return next((t for t in TABLES.values() if t.file == file), None)
