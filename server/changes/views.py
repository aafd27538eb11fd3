"""What changed, for people and feed readers: ``/aenderungen`` (newest release first, filterable by field of action
and unit; ``.json`` too), ``/aenderungen.atom`` (RFC 4287, written by feedgen), and the history section of a
measure's page."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator
from flask import Blueprint, Flask, Response, abort, render_template, request

from server import state
from server.changes import editions, history
from server.i18n import current_lang, labels_for, t
from server.web.contributions import Section
from server.web.cors import open_to_all
from server.web.responses import json_response
from server.web.urls import link, public_url

bp = Blueprint("changes", __name__, template_folder="templates")
FEED_ENTRIES = 200  # newest first; older ones stay on /aenderungen
FILTERS = ("handlungsfeld", "oe")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    editions.init_app(app)


def _selection() -> dict[str, set[str]]:
    return {f: {v for v in request.args.getlist(f)[:50] if v and len(v) <= 120} for f in FILTERS}


def _matches(change, selection: dict[str, set[str]]) -> bool:
    return all(not chosen or chosen & set(getattr(change, f)) for f, chosen in selection.items())


def _releases_view(selection: dict[str, set[str]]) -> tuple[list[dict], dict[str, list[dict]]]:
    labels = labels_for(state.published())
    base = state.base()
    seen: dict[str, set[str]] = {f: set() for f in FILTERS}
    shown = []
    for entry in history.entries():
        measures = []
        for change in entry.changes.measures:
            for f in FILTERS:
                seen[f] |= set(getattr(change, f))
            if not entry.changes.initial and _matches(change, selection):
                measures.append({"change": change, "path": link(change.uri, base),
                                 "successor": link(change.successor, base) if change.successor else None})
        shown.append({"release": entry.release, "initial": entry.changes.initial, "count": len(entry.changes.measures),
                      "measures": measures, "others": entry.changes.others if not any(selection.values()) else []})
    options = {f: sorted(({"key": k, "label": labels.get(f"{base}id/{f}/{k}")[0] or k,
                           "checked": k in selection[f]} for k in keys), key=lambda o: o["label"].lower())
               for f, keys in seen.items()}
    return shown, options


@bp.get("/aenderungen")
@bp.get("/aenderungen.<ext>")
def changes(ext: str | None = None):
    if ext not in (None, "json", "atom"):
        abort(404)
    if ext == "atom":
        return _feed()
    selection = _selection()
    shown, options = _releases_view(selection)
    if ext == "json":
        return open_to_all(json_response({"releases": [
            {"name": r["release"].name, "issued": r["release"].issued, "previous": r["release"].previous,
             "initial": r["initial"], "measures": [_change_json(m["change"]) for m in r["measures"]]} for r in shown]}))
    return render_template("changes/aenderungen.html", releases=shown, options=options, selection=selection,
                           filtered=any(selection.values()), feed="/aenderungen.atom" + _query(selection))


def _query(selection: dict[str, set[str]]) -> str:
    pairs = [(f, v) for f in FILTERS for v in sorted(selection[f])]
    return "?" + urlencode(pairs) if pairs else ""


def _change_json(change) -> dict:
    return {"kind": change.kind, "uri": change.uri, "nr": change.nr, "title": change.title,
            "handlungsfeld": change.handlungsfeld, "oe": change.oe, "successor": change.successor, "reason": change.reason,
            "fields": [{"field": f.field, "label": f.label, "old": f.old, "new": f.new} for f in change.fields]}


def _when(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _summary(change) -> str:
    if change.kind in ("zurückgezogen", "zusammengelegt", "entfernt", "neu"):
        return change.reason or t(f"changes.kind.{change.kind}")
    return "; ".join(_field_summary(f) for f in change.fields)


def _field_summary(f) -> str:
    if not f.kept():
        return f"{f.label}: {' | '.join(f.old) or '–'} → {' | '.join(f.new) or '–'}"
    parts = [f"{t(key)} {' | '.join(values)}" for key, values in (("changes.added", f.added()), ("changes.removed", f.removed()))
             if values]
    return f"{f.label}: {', '.join(parts)}"


def _feed() -> Response:
    """One entry per changed measure and release (the first release as one entry); ids stay the same across
    requests and hosts, links point into this server."""
    root = public_url()  # from configuration: a feed reader keeps these links, the Host header is the client's
    base = state.base()
    selection = _selection()
    fg = FeedGenerator()
    fg.id(f"{base}aenderungen")
    fg.title(t("changes.feed_title"))
    fg.subtitle(t("changes.feed_subtitle"))
    fg.language(current_lang())  # titles and summaries are in the reader's language
    fg.link(href=root + "aenderungen.atom" + _query(selection), rel="self", type="application/atom+xml")
    fg.link(href=root + "aenderungen" + _query(selection), rel="alternate", type="text/html")
    fg.author({"name": t("changes.feed_author")})
    entries = history.entries()
    fg.updated(_when(entries[0].release.issued) if entries else datetime(2020, 1, 1, tzinfo=UTC))
    items = []
    for entry in entries:
        r = entry.release
        if entry.changes.initial:
            items.append((r, f"{base}release/{r.name}", t("changes.initial_title", name=r.name, n=len(entry.changes.measures)),
                          root + "massnahmen", t("changes.initial", n=len(entry.changes.measures))))
            continue
        for change in entry.changes.measures:
            if not _matches(change, selection):
                continue
            path = (link(change.uri, base) or "").lstrip("/")
            title = t("changes.entry_title", nr=change.nr, kind=t(f"changes.kind.{change.kind}"), title=change.title)
            items.append((r, f"{base}release/{r.name}#massnahme-{change.nr}", title,
                          root + path if not path.startswith("http") else path, _summary(change)))
    # feedgen puts entries added later first; add oldest first so the feed reads newest first.
    for r, entry_id, title, href, summary in reversed(items[:FEED_ENTRIES]):
        fe = fg.add_entry()
        fe.id(entry_id)
        fe.title(title)
        fe.link(href=href, rel="alternate", type="text/html")
        fe.updated(_when(r.issued))
        fe.published(_when(r.issued))
        fe.summary(f"Release {r.name}: {summary}")
    return open_to_all(Response(fg.atom_str(pretty=True), mimetype="application/atom+xml"))


# ------------------------------------------------------------------ the history section of a measure's page

def measure_history(uri: str) -> dict | None:
    found = history.of_measure(uri)
    if not found:
        return None
    return {"items": [{"release": r, "change": c, "initial": initial} for r, c, initial in found]}


SECTIONS = (Section("history", frozenset({"massnahme"}), "changes/section_history.html", measure_history),)
