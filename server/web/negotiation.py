"""Content negotiation for every route: which format a request gets, from ``?format=`` or ``Accept``.

A route states its :class:`Offer` (formats, default first); :func:`choose` picks one or raises, :func:`negotiate`
turns the refusals into the one 400 and the one 406 answer of this server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Request, Response, abort

from server.formats import Format
from server.web.untrusted import shown


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
    formats: tuple[Format, ...]                    # the first is the default: no or an empty Accept, ties
    names: Mapping[str, str] = field(default_factory=dict)  # further ``?format=`` spellings -> key
    aliases: bool = True                           # whether a format's ``also`` media types select it
    strict: bool = True                            # nothing matches: refuse (406), or give the fallback
    fallback: str | None = None                    # key for no or a non-matching Accept, if not the default

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


def offer(formats, default: str | None = None, **options) -> Offer:
    """An :class:`Offer` of ``formats`` (a dict by key or a sequence) with ``default`` first."""
    listed = list(formats.values()) if isinstance(formats, Mapping) else list(formats)
    if default is not None:
        listed.sort(key=lambda f: f.key != default)
    return Offer(tuple(listed), **options)


def requested_formats(request: Request) -> list[str]:
    """Every ``format`` value of the request (query string and form body; some clients repeat it)."""
    return [v.strip() for v in request.values.getlist("format") if v.strip()]


def choose(request: Request, offered: Offer) -> Format:
    """``?format=`` wins (the first value on offer); else the best ``Accept`` match, ties to the default.

    Raises :class:`UnknownFormat` when ``?format=`` names nothing on offer and :class:`NotAcceptable` when
    ``Accept`` matches nothing (a lenient offer, ``strict=False``, gives its default instead of either).
    """
    explicit = requested_formats(request)
    for value in explicit:
        found = offered.by_name(value.lower())
        if found:
            return found
    if explicit and offered.strict:
        raise UnknownFormat(explicit, offered)
    header = request.headers.get("Accept", "").strip()
    if not header:
        return offered.by_name(offered.fallback) if offered.fallback else offered.default
    candidates = [(f.mimetype, f) for f in offered.formats]
    if offered.aliases:
        candidates += [(media_type, f) for f in offered.formats for media_type in f.also]
    by_type = dict(reversed(candidates))  # the first listed wins for a media type offered twice
    best = request.accept_mimetypes.best_match([media_type for media_type, _ in candidates])
    if best is None:
        if offered.strict:
            raise NotAcceptable(header, offered)
        return offered.by_name(offered.fallback) if offered.fallback else offered.default
    return by_type[best]


def negotiate(request: Request, offered: Offer) -> Format:
    """:func:`choose`, answering a refusal with :func:`unknown_format` (400) or :func:`not_acceptable` (406)."""
    try:
        return choose(request, offered)
    except UnknownFormat as exc:
        abort(unknown_format(exc))
    except NotAcceptable as exc:
        abort(not_acceptable(exc))


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
    return _refusal_response(exc)


def not_acceptable(exc: NotAcceptable) -> Response:
    """The one 406 of this server: what was asked for, and what is on offer."""
    return _refusal_response(exc)


def _refusal_response(exc: UnknownFormat | NotAcceptable) -> Response:
    status, german, english = refusal(exc)
    return Response(f"{german}\n{english}\n", status, mimetype="text/plain")
