"""Interface language: German by default, English on request (``?lang=en``, remembered in a cookie).

All interface strings live in :data:`server.i18n.strings.STRINGS`; templates call the Jinja global ``t("key")``.
Data labels are not translated here: they come from the graph in the language it has (:mod:`server.i18n.labels`).

A query parameter plus cookie keeps every URL of every blueprint working in both languages. Because the same URL
then has two representations, HTML responses say ``Vary: Cookie`` and the ETag of a non-German page carries the
language, so a cached German page is never revalidated as the English one (or the other way round).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Request, Response, g, has_request_context, request
from werkzeug.http import parse_etags, quote_etag

from server.i18n.strings import STRINGS
from server.web.urls import public_url

LANGUAGES = ("de", "en")
DEFAULT = "de"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def requested(req: Request) -> str | None:
    """The language asked for explicitly with ``?lang=``, if it is one we have."""
    value = (req.args.get("lang") or "").strip().lower()
    return value if value in LANGUAGES else None


def detect(req: Request) -> str:
    cookie = req.cookies.get(COOKIE, "")
    return requested(req) or (cookie if cookie in LANGUAGES else DEFAULT)


def current_lang() -> str:
    if has_request_context():
        return g.get("lang") or detect(request)
    return DEFAULT


def t(key: str, **params: object) -> str:
    """The interface string ``key`` in the current language; ``{name}`` placeholders filled from ``params``."""
    de, en = STRINGS[key]
    text = en if current_lang() == "en" else de
    return text.format(**params) if params else text


def tn(key: str, n: int, **params: object) -> str:
    """Singular/plural: ``key.one`` for 1, else ``key.other``; ``{n}`` is filled in with the thousands separator."""
    return t(f"{key}.one" if n == 1 else f"{key}.other", n=number(n) if isinstance(n, int) else n, **params)


def number(n: int) -> str:
    """``n`` with the language's thousands separator: 33.970 / 33,970."""
    text = f"{n:,}"
    return text if current_lang() == "en" else text.replace(",", ".")


MONTHS = {"de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
                  "Dezember"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")}


def today() -> date:
    """The reader's day in Hannover: a citation names it as the access date."""
    try:
        return datetime.now(ZoneInfo("Europe/Berlin")).date()
    except ZoneInfoNotFoundError:  # system without tz database
        return date.today()


def date_text(iso: str) -> str:
    """``2026-12-01T17:33:22+00:00`` as people write the day: „1. Dezember 2026“ / “1 December 2026”."""
    year, month, day = (int(part) for part in str(iso)[:10].split("-"))
    lang = current_lang()
    return f"{day}. {MONTHS['de'][month - 1]} {year}" if lang == "de" else f"{day} {MONTHS['en'][month - 1]} {year}"


def stated_date(value: str) -> str:
    """A date as precise as the report states it: „2018“, „Juli 2017“ / “July 2017”, „1. Januar 2016“; else as given."""
    parts = str(value).split("-")
    if not all(part.isdigit() for part in parts) or len(parts) not in (1, 2, 3) or len(parts[0]) != 4:
        return str(value)
    if len(parts) == 3:
        return date_text(str(value))
    if len(parts) == 2 and 1 <= int(parts[1]) <= 12:
        return f"{MONTHS[current_lang()][int(parts[1]) - 1]} {parts[0]}"
    return str(value) if len(parts) == 2 else parts[0]


_DURATION = re.compile(r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?$")


def duration_text(value: str) -> str:
    """An ISO 8601 duration in words: ``P3Y`` „3 Jahre“ / “3 years”, ``P1Y6M`` „1 Jahr 6 Monate“; else as given."""
    m = _DURATION.fullmatch(str(value))
    if not m or not any(m.groups()):
        return str(value)
    return " ".join(tn(f"duration.{unit}", int(m[unit])) for unit in "YMWD" if m[unit])


def age_text(value: str) -> str:
    """An age in years: „18 Jahre“ / “18 years”; else as given."""
    return tn("evidence.years", int(value)) if str(value).isdigit() else str(value)


def quantity(prop: str, value: str) -> str:
    """A literal of ``prop`` as people read it: ages in years („18 Jahre“), durations in words (P3M → „3 Monate“),
    dates as precise as stated („2024“, „Juli 2017“); anything else unchanged."""
    if prop.endswith(("mindestalter", "hoechstalter")):
        return age_text(value)
    if prop.endswith("duration"):
        return duration_text(value)
    if prop.endswith(("startDate", "endDate")):
        return stated_date(value)
    return str(value)


def pick(labels: dict[str, str], lang: str | None = None) -> tuple[str, str]:
    """(text, its language) from ``{lang: text}``: the wanted language, else German, else untagged, else any."""
    lang = lang or current_lang()
    for candidate in (lang, DEFAULT, ""):
        if labels.get(candidate):
            return labels[candidate], candidate
    for candidate, text in labels.items():
        return text, candidate
    return "", ""


def switch_url(target: str) -> str:
    """The current page in language ``target``: same path and parameters, ``lang`` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", target))
    return request.path + "?" + urlencode(args)


def page_params(*names: str) -> None:
    """Declare the query parameters the current page reads: only these go into its canonical and language links,
    so ``…/massnahme/22?utm_source=x`` names ``…/massnahme/22`` as itself. A page that declares none keeps all."""
    g.page_params = frozenset(names)


def page_urls() -> dict:
    """The page's canonical URL on the configured public base (never the Host header) and its language versions,
    for ``<link rel=canonical>`` and ``hreflang`` alternates: German without ``lang``, English with ``lang=en``."""
    root = public_url().rstrip("/")  # where this server is reached (KG_PUBLIC_URL, else the base)
    known = g.get("page_params")
    args = sorted((k, v) for k, v in request.args.items(multi=True) if k != "lang" and (known is None or k in known))

    path = request.path

    def version(lang: str) -> str:
        query = urlencode(args + ([("lang", lang)] if lang != DEFAULT else []))
        return root + path + ("?" + query if query else "")

    versions = {lang: version(lang) for lang in LANGUAGES}  # each made once: canonical and x-default repeat one
    alternates = [*versions.items(), ("x-default", versions[DEFAULT])]
    return {"canonical": versions[current_lang()], "alternates": alternates}


# ------------------------------------------------------------------ request hooks (registered by server.i18n.init_app)

def before_request() -> None:
    g.lang = detect(request)
    if g.lang != DEFAULT:
        _only_own_language_validators(g.lang)


def after_request(response: Response) -> Response:
    lang = current_lang()
    chosen = requested(request)
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
        response.cache_control.public = False  # a shared cache must not hand this Set-Cookie to others
        response.cache_control.private = True
    # A 304 has no body to tell: it got the Vary of its 200 from the view (server.web.caching.for_build).
    if response.mimetype == "text/html" and response.status_code != 304:
        response.vary.add("Cookie")
    if lang != DEFAULT:
        tag, weak = response.get_etag()
        if tag:
            response.set_etag(f"{tag}-{lang}", weak)
    return response


def _only_own_language_validators(lang: str) -> None:
    """Let only validators of this language's representation reach the view's conditional-GET check."""
    environ = request.environ
    suffix = f"-{lang}"
    etags = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
    if etags and not etags.star_tag:
        # A compressed answer's tag ends in ":br" or ":gzip" after the language (server/web/compression.py).
        kept = [quote_etag(tag[: -len(suffix)] if tag.endswith(suffix) else tag, etags.is_weak(tag))
                for tag in sorted(etags.as_set(include_weak=True))
                if tag.endswith(suffix) or tag.rpartition(":")[0].endswith(suffix)]
        environ["HTTP_IF_NONE_MATCH"] = ", ".join(kept) if kept else '"-"'
    # A date alone cannot tell which language the client cached.
    environ.pop("HTTP_IF_MODIFIED_SINCE", None)
