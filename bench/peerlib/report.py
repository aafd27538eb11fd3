"""Tables per data size and the goals of issue 18, from the runs of bench/peers.py."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from peerlib.queries import LOOKUPS
from peerlib.wrk import Stats

OURS = "ours"
ORDER = ("ours", "ours cache on", "oxigraph server", "virtuoso", "rdflib-endpoint", "nginx static")


@dataclass
class FactorResult:
    factor: int
    triples: int
    seconds: float
    rounds: int
    cases: list = field(default_factory=list)  # peers.Case
    skipped: dict[str, str] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    checked: int = 0  # answers compared with pyoxigraph's (query text × engine)
    cold: dict[str, dict] = field(default_factory=dict)


def median(runs: list[Stats], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in runs)


def paired(ours: list[Stats], peer: list[Stats]) -> list[float]:
    """req/s of ours ÷ the peer's, one ratio per round (the two ran next to each other)."""
    return [o.rps / p.rps for o, p in zip(ours, peer, strict=True) if p.rps > 0]


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def ratio_text(ratios: list[float]) -> str:
    if not ratios:
        return "–"
    text = _ratio(statistics.median(ratios))
    return text + (f" ({_ratio(min(ratios))}–{_ratio(max(ratios))})" if len(ratios) > 1 else "")


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}" if value < 100 else f"{value:,.0f}"


def factor_table(result: FactorResult, settings: str) -> list[str]:
    lines = [f"\n=== {result.factor}× — {result.triples:,} triples — {settings}",
             "    req/s, p50, p99: median over the rounds · ours/peer: req/s of ours (cache off) ÷ the row's, paired per round,",
             "    median (range) · † no parameter: same answer each request, only the text varies · ≠ answers differ (see below)",
             "    · E n: failed requests (status ≥ 400, timeout, socket) · ours cache on: the same few texts repeated (cache hits)"]
    header = f"{'case':<44} {'engine':<16} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}  ours/peer"
    lines += [header, "-" * (len(header) + 12)]
    for case in result.cases:
        label = (f"{case.key}  {case.title}" if len(case.key) == 1 else case.title if case.query is None else f"ex. {case.key}")[:41]
        if case.query is not None and not case.query.varies:
            label += " †"
        names = sorted([*case.runs, *case.refused], key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
        for i, name in enumerate(names):
            if name in case.refused:
                lines.append(f"{label if i == 0 else '':<44} {name:<16} {'cannot answer (not load-tested): ' + case.refused[name]:.70} ≠")
                continue
            runs = case.runs[name]
            ratio = "" if name == OURS or OURS not in case.runs else ratio_text(paired(case.runs[OURS], runs))
            marks = (" ≠" if name in case.problems else "") + (f" E {sum(r.errors for r in runs)}" if any(r.errors for r in runs) else "")
            lines.append(f"{label if i == 0 else '':<44} {name:<16} {_num(median(runs, 'rps')):>9} {median(runs, 'p50_ms'):>9.2f} "
                         f"{median(runs, 'p99_ms'):>9.2f}  {ratio}{marks}")
    for name, reason in result.skipped.items():
        lines.append(f"skipped: {name}: {reason}")
    if result.disagreements:
        lines.append(f"\n!!! {len(result.disagreements)} of {result.checked} ANSWERS DIFFER from pyoxigraph's on graph.nt at {result.factor}×:")
        lines += [f"!!!   {d}" for d in result.disagreements]
    else:
        lines.append(f"answers: every engine returned the same rows as pyoxigraph on graph.nt at {result.factor}× ({result.checked} answers checked)")
    if result.cold:
        lines.append(f"\ncold start at {result.factor}×: time to the first answer, then the first requests (8 connections, lookups b c d)")
        for name, c in result.cold.items():
            lines.append(f"  {name:<16} first answer {c['first_answer_s']:6.2f} s · first {c['requests']} requests: p50 {c['p50_ms']:.1f} ms, "
                         f"p99 {c['p99_ms']:.1f} ms, max {c['max_ms']:.1f} ms" + (f", {c['errors']} failed" if c["errors"] else ""))
    return lines


def _case(result: FactorResult, key: str):
    return next((c for c in result.cases if c.key == key), None)


def _verdict(ok: bool | None) -> str:
    return {True: "met", False: "NOT MET", None: "not measured"}[ok]


def goals(results: list[FactorResult]) -> list[str]:
    by_factor = {r.factor: r for r in results}
    lines = ["\n=== Goals of issue 18 (answer cache off; ours = gunicorn as in the README, direct, no cache in front)"]

    def worst(factor: int, keys, peer: str) -> tuple[bool | None, str]:
        r = by_factor.get(factor)
        found = []
        for key in keys:
            case = r and _case(r, key)
            if case and OURS in case.runs and peer in case.runs:
                ratios = paired(case.runs[OURS], case.runs[peer])
                if ratios:
                    found.append((statistics.median(ratios), key))
        if not found:
            return None, "no runs"
        low = min(found)
        return low[0] >= 0.5, f"lowest {low[0]:.2f} ({low[1]}) over {len(found)} queries"

    for factor in (1, 100):
        ok, note = worst(factor, LOOKUPS, "oxigraph server")
        lines.append(f"[{_verdict(ok)}] lookups b, c, d, OE example ≥ 0.5× Oxigraph server's req/s at {factor}×: {note}")
    r1 = by_factor.get(1)
    p50 = [(median(c.runs[OURS], "p50_ms"), c.key) for c in (r1.cases if r1 else []) if c.key in LOOKUPS and OURS in c.runs]
    lines.append(f"[{_verdict(max(p50)[0] <= 2 if p50 else None)}] lookups p50 ≤ 2 ms at 1×: "
                 + (f"highest {max(p50)[0]:.2f} ms ({max(p50)[1]})" if p50 else "no runs"))
    r100 = by_factor.get(100)
    sparql_keys = [c.key for c in (r100.cases if r100 else []) if c.query is not None]
    ok, note = worst(100, sparql_keys, "virtuoso")
    lines.append(f"[{_verdict(ok)}] every typical query and example ≥ 0.5× Virtuoso's req/s at 100× (our endpoint, embedded store): {note}")
    page = r100 and _case(r100, "page")
    rps = median(page.runs[OURS], "rps") if page and OURS in page.runs else None
    lines.append(f"[{_verdict(rps >= 1000 if rps is not None else None)}] /doc/massnahme/N.html ≥ 1,000 req/s at 100× direct: "
                 + (f"{rps:,.0f} req/s" if rps is not None else "no runs")
                 + (f" (nginx static of the same bytes: {median(page.runs['nginx static'], 'rps'):,.0f} req/s)"
                    if page and "nginx static" in page.runs else ""))
    lines.append("[not measured] /doc/massnahme/N.html through the nginx cache ≥ 0.5× nginx static (hit): no proxy_cache deployment yet")
    small, large = (by_factor.get(min(by_factor)), by_factor.get(max(by_factor))) if by_factor else (None, None)
    if small and large and small is not large:
        parts, flat = [], True
        for key in ("page", "ttl"):
            a, b = _case(small, key), _case(large, key)
            if a and b and OURS in a.runs and OURS in b.runs:
                k = math.log(median(a.runs[OURS], "rps") / median(b.runs[OURS], "rps")) / math.log(large.factor / small.factor)
                parts.append(f"{key} k = {k:.2f}")
                flat = flat and k <= 0.2
        lines.append(f"[{_verdict(flat if parts else None)}] per-resource page cost flat (k ≤ 0.2, cost ∝ factor^k from req/s), "
                     f"{small.factor}×→{large.factor}× only (1000× not run here): {', '.join(parts) or 'no runs'}")
    else:
        lines.append("[not measured] per-resource page cost flat (k ≤ 0.2): needs two data sizes")
    cold = r100.cold.get(OURS) if r100 else None
    lines.append(f"[{_verdict(cold['p99_ms'] <= 300 if cold else None)}] first requests after a start at 100×: p99 ≤ 0.3 s: "
                 + (f"p99 {cold['p99_ms']:.0f} ms of the first {cold['requests']}, first answer after {cold['first_answer_s']:.2f} s"
                    + (f" (Oxigraph server: {r100.cold['oxigraph server']['first_answer_s']:.2f} s, p99 "
                       f"{r100.cold['oxigraph server']['p99_ms']:.0f} ms)" if "oxigraph server" in r100.cold else "")
                    if cold else "no runs"))
    return lines


def render(results: list[FactorResult], settings: str, answers_only: bool = False) -> str:
    lines = []
    for result in results:
        table = factor_table(result, settings)
        lines += [line for line in table if line.startswith(("skipped", "!!!", "answers"))] if answers_only else table
    if not answers_only:
        lines += goals(results)
    return "\n".join(lines)


def as_json(results: list[FactorResult]) -> list[dict]:
    out = []
    for r in results:
        out.append({"factor": r.factor, "triples": r.triples, "seconds": r.seconds, "rounds": r.rounds, "skipped": r.skipped,
                    "checked": r.checked, "disagreements": r.disagreements, "cold": r.cold,
                    "cases": [{"key": c.key, "title": c.title, "problems": c.problems,
                               "runs": {name: [vars(s) | {"rps": s.rps} for s in runs] for name, runs in c.runs.items()}}
                              for c in r.cases]})
    return out
