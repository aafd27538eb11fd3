"""Full-text search over the people-facing resources, German-aware, ranked, with highlighted snippets.

The corpus is small (a few hundred resources), so an in-memory inverted index built once per build answers in
well under a millisecond. Words are folded (case, ä→ae, ö→oe, ü→ue, ß→ss, other accents dropped) and stemmed with
a light German suffix stripper, so „Geflüchtete“, „Geflüchteten“ and „geflüchteter“ are one term. A query word
also finds longer words it starts (prefix) or, from five letters on, is part of (German compounds: „Förderung“
finds „Sprachförderung“), with less weight than the word itself.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from server.caches import per_build
from server.pages import queries
from server.pages.search_intent import direct_paths
from server.state import Published
from server.web.urls import local_path

WORD = re.compile(r"\w+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Longest first; "innen" (feminine plural) is cut to "in" so „Migrantinnen“ meets „Migrantin“.
SUFFIXES = ("innen", "ern", "em", "en", "er", "es", "e", "n", "s")
MIN_STEM = 4
STOPWORDS = frozenset(
    "der die das den dem des ein eine einer eines einem einen und oder in im ins an am auf aus bei mit nach von vom "
    "zu zum zur für fuer über ueber unter durch als auch ist sind wird werden sich es sie er wie the and of for to a an".split()
)

DC = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
# Which literal goes into which field; fields are weighted title > label > description.
FIELD_OF = {
    DC + "title": "title", SKOS + "prefLabel": "title", "http://www.w3.org/2000/01/rdf-schema#label": "title",
    SKOS + "altLabel": "label", SKOS + "hiddenLabel": "label", SKOS + "notation": "label",
    "http://www.w3.org/ns/org#identifier": "label", DC + "identifier": "label", DC + "type": "label",
    "ik:zitiertAls": "label",
    DC + "description": "description", SKOS + "definition": "description", "ik:einleitung": "description",
    "ik:schwerpunktZiel": "description", "ik:weitereInfo": "description",
}
FIELD_WEIGHT = {"title": 3.0, "label": 2.0, "description": 1.0}
TF_SATURATION = 1.2  # BM25's k1: repeated words count, but less and less, so a long text cannot outweigh a title
MATCH_WEIGHT = {"exact": 1.0, "prefix": 0.7, "infix": 0.5}
# Searched classes, in the order results of equal score are listed: (URI type segment, class).
KINDS = (
    ("massnahme", "ik:Massnahme"), ("ziel", "ik:Ziel"), ("handlungsfeld", "ik:Handlungsfeld"),
    ("zielgruppe", "ik:Zielgruppe"), ("oe", "http://www.w3.org/ns/org#OrganizationalUnit"),
    ("drucksache", "ik:Drucksache"), ("schwerpunkt", "ik:Schwerpunkt"),
)


def fold(text: str) -> str:
    """Lower case, umlauts spelled out, other diacritics dropped: „Poznań“ → „poznan“, „Maßnahme“ → „massnahme“."""
    text = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Light German stemmer: cut one inflection ending, then a final (genitive or linking) s."""
    w = fold(word)
    if w.isdigit():
        return w
    for suffix in SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= MIN_STEM and not _protected(w, suffix):
            w = w[: -len(suffix)] + ("in" if suffix == "innen" else "")
            break
    if w.endswith("s") and not w.endswith("ss") and len(w) - 1 >= MIN_STEM:
        w = w[:-1]
    return w


def _protected(word: str, suffix: str) -> bool:
    """Endings that belong to the word: the s of -ss (Prozess), the n of feminine -in (Migrantin)."""
    return (suffix == "s" and word.endswith("ss")) or (suffix == "n" and word.endswith("in"))


def terms(text: str) -> list[str]:
    return [stem(w) for w in WORD.findall(text)]


def query_terms(query: str) -> list[str]:
    """The stems to look for: stop words and single letters dropped, unless nothing else is left."""
    words = WORD.findall(query)
    kept = [w for w in words if fold(w) not in STOPWORDS and (len(w) > 1 or w.isdigit())] or words
    return list(dict.fromkeys(stem(w) for w in kept))


@dataclass
class Doc:
    uri: str
    path: str
    kind: str
    fields: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Hit:
    doc: Doc
    score: float


@dataclass
class Result:
    query: str
    terms: list[str]
    hits: list[Hit]                 # ranked, after the kind filter
    per_kind: dict[str, int]        # hits per kind before the kind filter
    matched: frozenset[str]         # index terms that matched, for highlighting

    def is_match(self, word: str) -> bool:
        return stem(word) in self.matched


class SearchIndex:
    def __init__(self, docs: list[Doc]) -> None:
        self.docs = docs
        self.postings: dict[str, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
        for i, doc in enumerate(docs):
            for name, texts in doc.fields.items():
                for text in texts:
                    for term in terms(text):
                        self.postings[term][i][name] += 1
        self.postings = {t: dict(p) for t, p in self.postings.items()}
        self.vocabulary = sorted(self.postings)
        self.by_path = {doc.path: doc for doc in docs}

    @classmethod
    def from_store(cls, store, base: str) -> SearchIndex:
        ik = base + "def/ik#"
        field_of = {p.replace("ik:", ik): f for p, f in FIELD_OF.items()}
        docs: list[Doc] = []
        for kind, cls_name in KINDS:
            by_uri: dict[str, Doc] = {}
            for row in store.query(queries.literals_of_class(cls_name.replace("ik:", ik))):
                uri, predicate, literal = row["s"].value, row["p"].value, row["o"]
                name = field_of.get(predicate)
                if name is None or not uri.startswith(base + "id/"):
                    continue
                doc = by_uri.setdefault(uri, Doc(uri, local_path(uri, base), kind))
                if literal.value not in doc.fields[name]:
                    doc.fields[name].append(literal.value)
            docs.extend(sorted(by_uri.values(), key=lambda d: _natural(d.uri)))
        return cls(docs)

    def expand(self, q: str) -> dict[str, float]:
        """Index terms a query stem matches, with the weight of the kind of match."""
        found = {q: MATCH_WEIGHT["exact"]} if q in self.postings else {}
        if len(q) >= MIN_STEM:
            for term in self.vocabulary:
                if term == q:
                    continue
                if term.startswith(q):
                    found[term] = MATCH_WEIGHT["prefix"]
                elif len(q) >= 5 and q in term:
                    found[term] = MATCH_WEIGHT["infix"]
        return found

    def search(self, query: str, kinds: set[str] | None = None) -> Result:
        """Every stem must match (AND); score = Σ idf × best match weight × Σ field weight × saturated tf.
        What the query names directly – a measure by its number, a Drucksache by a citation – comes first."""
        wanted = query_terms(query)
        direct = [self.by_path[p] for p in direct_paths(query) if p in self.by_path]
        if not wanted and not direct:
            return Result(query, [], [], {}, frozenset())
        scores: dict[int, float] | None = None
        matched: set[str] = set()
        for q in wanted:
            expansion = self.expand(q)
            matched.update(expansion)
            best: dict[int, float] = {}
            for term, weight in expansion.items():
                for i, tfs in self.postings[term].items():
                    value = weight * sum(FIELD_WEIGHT[f] * _saturated(n) for f, n in tfs.items())
                    best[i] = max(best.get(i, 0.0), value)
            idf = math.log(1 + len(self.docs) / len(best)) if best else 0.0
            scores = {i: s * idf for i, s in best.items()} if scores is None else \
                {i: s + best[i] * idf for i, s in scores.items() if i in best}
        folded = fold(query.strip())
        hits = []
        for i, score in (scores or {}).items():
            doc = self.docs[i]
            titles = [fold(title) for title in doc.fields.get("title", [])]
            if folded in titles:
                score *= 3.0  # the query is the title
            elif folded and any(folded in title for title in titles):
                score *= 1.5  # the whole query as written occurs in the title
            hits.append(Hit(doc, round(score, 4)))
        order = {kind: n for n, (kind, _) in enumerate(KINDS)}
        hits.sort(key=lambda h: (-h.score, order[h.doc.kind], _natural(h.doc.uri)))
        if direct:
            top = (hits[0].score if hits else 0.0) + 1.0
            named = {doc.path for doc in direct}
            hits = [Hit(doc, round(top + len(direct) - n, 4)) for n, doc in enumerate(direct)] + \
                [h for h in hits if h.doc.path not in named]
        per_kind = dict(Counter(h.doc.kind for h in hits))
        if kinds:
            hits = [h for h in hits if h.doc.kind in kinds]
        return Result(query, wanted, hits, per_kind, frozenset(matched))


def _saturated(tf: int) -> float:
    return tf * (TF_SATURATION + 1) / (tf + TF_SATURATION)


def _natural(uri: str) -> tuple:
    key = uri.rsplit("/", 1)[-1]
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def index_for(published: Published, base: str) -> SearchIndex:
    return per_build(f"search|{base}", published, lambda p: SearchIndex.from_store(p.store, base))


# ------------------------------------------------------------------ highlighting

def highlight(text: str, is_match: Callable[[str], bool], limit: int | None = None) -> Markup:
    """``text`` escaped, matching words wrapped in <mark>; cut to about ``limit`` characters around the first match.

    Every piece of the data is escaped before it is joined with the <mark> tags, so nothing from the data can
    become markup (a regex over already-escaped text could match inside entities such as ``&amp;``).
    """
    spans = [(m.start(), m.end()) for m in WORD.finditer(text) if is_match(m.group())]
    start, end = 0, len(text)
    if limit and len(text) > limit:
        first = spans[0][0] if spans else 0
        start = 0 if first < limit // 2 else text.rfind(" ", 0, first - limit // 3) + 1
        end = min(len(text), start + limit)
        if end < len(text):
            end = max(text.rfind(" ", start, end), first + 1)
    pieces: list[Markup] = [Markup("…") if start > 0 else Markup("")]
    pos = start
    for s, e in spans:
        if s < pos or e > end:
            continue
        pieces += [escape(text[pos:s]), Markup("<mark>"), escape(text[s:e]), Markup("</mark>")]
        pos = e
    pieces.append(escape(text[pos:end]))
    if end < len(text):
        pieces.append(Markup("…"))
    return Markup("").join(pieces)


def snippet_source(doc: Doc, result: Result) -> str | None:
    """The text to show under a hit: the first description (else label) that matches, else the first description."""
    for name in ("description", "label"):
        for text in doc.fields.get(name, []):
            if any(result.is_match(w) for w in WORD.findall(text)):
                return text
    descriptions = doc.fields.get("description", [])
    return descriptions[0] if descriptions else None

