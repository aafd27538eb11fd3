"""Content negotiation for every route (RFC 9110 §12.5.1): which format a request gets.

A route states its :class:`Offer` (formats, default first). :func:`choose` decides:

- ``?format=`` wins (the first value on offer; key, another spelling from ``Offer.names``, or a media type).
- Else ``Accept``: every offered format gets the quality of the most specific media range that matches one of its
  media types (its own or an alias from ``Format.also``: ``text/plain`` → N-Triples, ``text/n3`` → Turtle …);
  ``type/*`` and ``*/*`` match too, ``q=0`` refuses. Parameters of a range other than ``q`` do not keep it from
  matching: ``charset`` means nothing for our UTF-8 answers, ``level`` nothing for our HTML, and a JSON-LD
  ``profile`` is read by the JSON-LD renderer (:func:`jsonld_profile`). The highest quality wins; ties go to a
  format's own media type before an alias, then to the offer's order, so the default wins a ``*/*``.
- No ``Accept`` at all is ``*/*`` (a lenient offer may name another ``fallback`` for it).
- Nothing acceptable: :class:`NotAcceptable`, answered by the one 406 of this server (:func:`not_acceptable`),
  which lists the offer; a lenient offer (``strict=False``) answers its fallback instead.

Accept is parsed with python-mimeparse (``parse_media_range``, ``quality_and_fitness_parsed``); unparsable ranges
are dropped. Every answer whose format came from ``Accept`` says ``Vary: Accept`` (:func:`vary_on_accept`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import mimeparse
from flask import Request, Response, abort
from werkzeug.exceptions import RequestEntityTooLarge

from server.caches import memoized
from server.formats import Format
from server.web.untrusted import shown

MAX_RANGES = 64  # an Accept header longer than this is cut: no client needs more, and matching is ranges × formats
_COMMA_OUTSIDE_QUOTES = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')
JSONLD = "application/ld+json"
JSONLD_PROFILES = {  # JSON-LD 1.1 §9: the forms a client may ask for with profile=
    "http://www.w3.org/ns/json-ld#expanded": "expanded",
    "http://www.w3.org/ns/json-ld#compacted": "compacted",
    "http://www.w3.org/ns/json-ld#flattened": "flattened",
}


class UnknownFormat(ValueError):
    """``?format=`` names nothing on offer."""

    def __init__(self, requested: list[str], offer: Offer) -> None:
        self.requested, self.offer = requested, offer
        super().__init__(f"unknown format {', '.join(requested)!r}; offered: {offer.keys()}")


class NotAcceptable(Exception):
    """Nothing on offer matches ``Accept``."""

    def __init__(self, accept: str, offer: Offer) -> None:
        self.accept, self.offer = accept, offer
        super().__init__(offer.listing())


@dataclass(frozen=True)
class Offer:
    formats: tuple[Format, ...]                             # the first is the default: ties, no Accept
    names: Mapping[str, str] = field(default_factory=dict)  # further ``?format=`` spellings -> key
    strict: bool = True                                     # nothing matches: refuse (406), or give the fallback
    fallback: str | None = None                             # key for no or a non-matching Accept, if not the default

    @property
    def default(self) -> Format:
        return self.formats[0]

    def keys(self) -> str:
        return ", ".join(f.key for f in self.formats)

    def listing(self) -> str:
        return ", ".join(f"{f.key} ({f.mimetype})" for f in self.formats)

    def by_name(self, value: str) -> Format | None:
        key = self.names.get(value, value)
        return next((f for f in self.formats if key == f.key), None) or \
            next((f for f in self.formats if value == f.mimetype or value in f.also), None)

    def _fallback(self) -> Format:
        return self.by_name(self.fallback) if self.fallback else self.default


def offer(formats, default: str | None = None, **options) -> Offer:
    """An :class:`Offer` of ``formats`` (a dict by key or a sequence) with ``default`` first."""
    listed = list(formats.values()) if isinstance(formats, Mapping) else list(formats)
    if default is not None:
        listed.sort(key=lambda f: f.key != default)
    return Offer(tuple(listed), **options)


def requested_formats(request: Request) -> list[str]:
    """Every ``format`` value of the request (query string and form body; some clients repeat it)."""
    try:
        values = request.values.getlist("format")
    except RequestEntityTooLarge:  # a body too large to read (answering 413 or another error): the query string only
        values = request.args.getlist("format")
    return [v.strip() for v in values if v.strip()]


def parse_accept(header: str) -> list[tuple[str, str, dict]]:
    """The media ranges of an Accept header as python-mimeparse parses them; what does not parse is dropped."""
    ranges = []
    for item in _COMMA_OUTSIDE_QUOTES.split(header)[:MAX_RANGES]:
        if not item.strip():
            continue
        try:
            kind, subtype, params = mimeparse.parse_media_range(item)
        except ValueError:  # MimeTypeParseException included
            continue
        if kind and subtype:
            ranges.append((kind.lower(), subtype.lower(), params))
    return ranges


def quality(fmt: Format, ranges: list[tuple[str, str, dict]]) -> tuple[float, bool]:
    """The quality ``ranges`` give ``fmt``, and whether its own media type gave it.

    An alias counts only where a range names it exactly: ``*/*`` or ``text/*`` reach a format through its own
    media type, so ``text/turtle;q=0, */*`` refuses Turtle even though ``text/n3`` would match ``*/*``.
    """
    own = mimeparse.quality_and_fitness_parsed(fmt.mimetype, ranges)[0] if ranges else 0.0
    named = [r for r in ranges if "*" not in (r[0], r[1])]
    aliases = max((mimeparse.quality_and_fitness_parsed(media_type, named)[0] for media_type in fmt.also if named),
                  default=0.0)
    return (own, True) if own >= aliases else (aliases, False)


def choose(request: Request, offered: Offer) -> Format:
    """The format for this request; raises :class:`UnknownFormat` or :class:`NotAcceptable` (strict offers only)."""
    explicit = requested_formats(request)
    for value in explicit:
        found = offered.by_name(value.lower())
        if found:
            return found
    if explicit and offered.strict:
        raise UnknownFormat(explicit, offered)
    header = request.headers.get("Accept", "").strip()
    if not header:
        return offered._fallback()
    best = _best(header, offered.formats)
    if best is not None:
        return best
    if offered.strict:
        raise NotAcceptable(header, offered)
    return offered._fallback()


@memoized(maxsize=1024)
def _best(header: str, formats: tuple[Format, ...]) -> Format | None:
    """The format of ``formats`` (the first wins ties) ``header`` likes best, or None if it accepts none. Kept per
    header and formats: parsing an Accept header with mimeparse was a quarter of the web process's work for a SPARQL
    lookup, and clients send few distinct headers (a header is at most a few KB, so the cache is bounded in bytes)."""
    ranges = parse_accept(header)
    scored = [(quality(f, ranges), -i, f) for i, f in enumerate(formats)]
    (best_q, _own), _, best = max(scored, key=lambda s: (s[0][0], s[0][1], s[1]))
    return best if best_q > 0 else None


def negotiate(request: Request, offered: Offer) -> Format:
    """:func:`choose`, answering a refusal with the 400 or the 406 of this server."""
    try:
        return choose(request, offered)
    except UnknownFormat as exc:
        abort(unknown_format(exc))
    except NotAcceptable as exc:
        abort(not_acceptable(exc))


def jsonld_profile(request: Request) -> str | None:
    """The JSON-LD form (expanded, compacted, flattened) the best ``application/ld+json`` range asks for, if any."""
    asked = [(float(params.get("q", 1)), params.get("profile", "")) for kind, subtype, params
             in parse_accept(request.headers.get("Accept", "")) if f"{kind}/{subtype}" == JSONLD]
    for _q, profile in sorted(asked, key=lambda a: -a[0]):
        for uri in profile.split():
            if uri in JSONLD_PROFILES:
                return JSONLD_PROFILES[uri]
    return None


def vary_on_accept(response: Response) -> Response:
    """Mark an answer whose format was chosen by ``Accept`` (200, 303, 304, 404 and 406 alike)."""
    response.vary.add("Accept")
    return response


def refusal(exc: UnknownFormat | NotAcceptable) -> tuple[int, str, str]:
    """Status and the German and English sentence of a refusal, naming what was asked for and what is on offer."""
    if isinstance(exc, UnknownFormat):
        requested = shown(", ".join(exc.requested))
        return (400, f"Unbekanntes Format {requested}; angeboten: {exc.offer.listing()}",
                f"Unknown format {requested}; offered: {exc.offer.listing()}")
    accept = shown(exc.accept)
    return (406, f"Kein angebotenes Format passt zu Accept: {accept}; angeboten: {exc.offer.listing()}",
            f"No offered format matches Accept: {accept}; offered: {exc.offer.listing()}")


def unknown_format(exc: UnknownFormat) -> Response:
    status, german, english = refusal(exc)
    return Response(f"{german}\n{english}\n", status, mimetype="text/plain")


def not_acceptable(exc: NotAcceptable) -> Response:
    """The one 406 of this server: what was asked for, and what is on offer."""
    status, german, english = refusal(exc)
    return vary_on_accept(Response(f"{german}\n{english}\n", status, mimetype="text/plain"))
