"""`make mutate`: mutation testing of the core with cosmic-ray, one module at a time, compared with the baseline.

Each module of tests/mutation/modules.toml is mutated in place, one mutant at a time, and its test selection run
against every mutant (cosmic-ray restores the file after each). A mutant no test kills is a survivor: either a test
is missing, or the mutant does what the original does (equivalent) – tests/mutation/baseline.toml lists every
survivor with its status and, for an equivalent one, the reason. The run fails when a survivor is not in the
baseline as equivalent; `--update` writes the counts and new survivors (status "open") into it.

    python tests/mutation/run.py [--update] [--recheck] [--sample N] [MODULE ...]  (make mutate MODULE=kg/drucksache.py)

--recheck runs the tests again against the last run's survivors only: the quick loop while adding tests.
--sample N runs a fixed random sample of N mutants (the same N on the same source draws the same ones): for a module
whose full run takes hours; the baseline then records `sample_of` (all mutants) next to the sample's counts.
--named applies the hand-written mutants of tests/mutation/named.toml (the bugs issue 19 found surviving) one at a
time and fails unless each one's tests fail (make mutate-named; a few minutes).

Slow by nature (a test run per mutant): not part of `make test` or CI. Run it niced, one module at a time.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
WORK = ROOT / ".mutation"
BASELINE = HERE / "baseline.toml"
MODULES = HERE / "modules.toml"
NAMED = HERE / "named.toml"


@dataclass
class Mutant:
    module: str
    operator: str
    function: str
    line_no: int
    column: int
    line: str        # the original source line
    mutated: str     # the line as the mutant has it
    outcome: str     # killed, survived, incompetent (the mutant does not even import: counted as killed)

    @property
    def key(self) -> str:
        """Identifies a mutant across runs and line shifts: what is mutated where in which line."""
        return f"{self.operator}|{self.function}|{self.column}|{self.line.strip()}|{self.mutated.strip()}"


def _toml(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _line_ranges(path: Path, functions: list[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"{n.lineno}-{n.end_lineno}" for n in ast.walk(tree)
             if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name in functions]
    if len(found) != len(functions):
        raise SystemExit(f"{path}: not all of {functions} found")
    return found


def _annotation_spans(path: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the type annotations of a module are. With ``from __future__ import annotations`` (every module here)
    they are never evaluated, so a mutant inside one (``str | None`` → ``str - None``) cannot change behaviour."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    future = any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and any(a.name == "annotations" for a in n.names)
                 for n in tree.body)
    if not future:
        return []
    spans = []
    for node in ast.walk(tree):
        found = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            found.append(node.returns)
        elif isinstance(node, ast.arg) and node.annotation is not None:
            found.append(node.annotation)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
        spans += [((a.lineno, a.col_offset), (a.end_lineno, a.end_col_offset)) for a in found]
    return spans


def skip_annotations(session: Path, path: str) -> int:
    """Mark the mutants inside annotations as skipped (cosmic-ray's filters know no such rule)."""
    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    spans = _annotation_spans(ROOT / path)
    inside = []
    with use_db(str(session)) as db:
        for item in db.pending_work_items:
            start = tuple(item.mutations[0].start_pos)
            if any(a <= start < b for a, b in spans):
                inside.append(item.job_id)
        if inside:
            db.set_multiple_results(inside, WorkResult(output="in a type annotation (never evaluated)",
                                                       worker_outcome=WorkerOutcome.SKIPPED))
    return len(inside)


def keep_sample(session: Path, path: str, size: int) -> tuple[int, int]:
    """Mark all but ``size`` of the pending mutants as skipped: a sample, drawn the same way on every run of the
    same source (seeded with the module's path), for a module whose full run takes longer than there is time."""
    import random

    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    def where(item) -> tuple:  # job ids are random (uuid4) at every `cosmic-ray init`: order by what is mutated
        m = item.mutations[0]
        return tuple(m.start_pos), tuple(m.end_pos), m.operator_name, m.occurrence

    with use_db(str(session)) as db:
        pending = [item.job_id for item in sorted(db.pending_work_items, key=where)]
        if size >= len(pending):
            return len(pending), len(pending)
        chosen = set(random.Random(path).sample(pending, size))
        db.set_multiple_results([j for j in pending if j not in chosen],
                                WorkResult(output="not in the sample", worker_outcome=WorkerOutcome.SKIPPED))
    return size, len(pending)


def _test_command(module: dict) -> str:
    return " ".join([str(BIN / "python"), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *module["tests"]])


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)


def checkout_env() -> dict:
    """The environment of every test run: this checkout first on the import path. The tests also start `kg`,
    gunicorn and query processes; a console script imports kg/ and server/ through the virtualenv's editable install,
    which names the checkout it was installed from. Run from another checkout (a scratch clone using this .venv),
    those processes would never see a mutant: every mutant they alone can kill would survive."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    probe = subprocess.run([str(BIN / "python"), "-c", "import kg, server; print(kg.__file__); print(server.__file__)"],
                           cwd="/", env=env, capture_output=True, text=True)  # cwd /: as a console script, not `-m`
    found = [Path(line).resolve() for line in probe.stdout.split()]
    if probe.returncode or len(found) != 2 or not all(f.is_relative_to(ROOT) for f in found):
        raise SystemExit(f"a process started by the tests imports kg and server from {found or probe.stderr}, not from "
                         f"{ROOT}: it would never see a mutant")
    return env


def mutate(module: dict, recheck: bool = False, sample: int | None = None) -> tuple[list[Mutant], float, int | None]:
    path = module["path"]
    if _run("git", "diff", "--quiet", "HEAD", "--", path).returncode != 0:
        raise SystemExit(f"{path} differs from the last commit (a leftover mutant?): commit it or `git checkout {path}`")
    work = WORK / path.replace("/", "_")
    work.mkdir(parents=True, exist_ok=True)
    env = checkout_env()
    if module.get("prebuilt"):
        built = WORK / "prebuilt" / "build"
        made_from = WORK / "prebuilt" / "made-from.txt"  # the build made by other code or data is made again
        trees = _run("git", "rev-parse", "HEAD:kg", "HEAD:data", "HEAD:ontology", "HEAD:shapes").stdout
        if not (built / "manifest.json").exists() or not made_from.exists() or made_from.read_text() != trees:
            shutil.rmtree(WORK / "prebuilt", ignore_errors=True)
            done = _run(str(BIN / "kg"), "build", "--data", str(ROOT / "data"), "--out", str(built), "--jobs", "1", env=env)
            if done.returncode:
                raise SystemExit(done.stderr)
            made_from.write_text(trees)
        env["KG_TEST_BUILT"] = str(built)  # tests/conftest.py: the `built` fixture uses it instead of building
    command = _test_command(module)
    started = time.monotonic()
    baseline = subprocess.run(command.split(), cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if baseline.returncode:
        raise SystemExit(f"the tests of {path} fail without any mutant:\n{baseline.stdout[-3000:]}")
    config = [
        "[cosmic-ray]",
        f"module-path = {_toml(path)}",
        f"timeout = {max(60.0, 4 * seconds):.0f}",  # a mutant that loops forever counts as killed after this
        "excluded-modules = []",
        f"test-command = {_toml(command)}",
        "[cosmic-ray.distributor]",
        'name = "local"',
    ]
    if module.get("functions"):
        config += ["[cosmic-ray.filters.line-filter.lines]",
                   f"{_toml(path)} = [{', '.join(_toml(r) for r in _line_ranges(ROOT / path, module['functions']))}]"]
    (work / "config.toml").write_text("\n".join(config) + "\n", encoding="utf-8")
    session = work / "session.sqlite"
    source = work / "source.txt"  # the module as the session's mutants were made from it
    if recheck:
        if not source.exists() or source.read_text(encoding="utf-8") != (ROOT / path).read_text(encoding="utf-8"):
            raise SystemExit(f"{path} changed since its last full run: the mutants' positions no longer hold; "
                             "run it in full")
        return _recheck(session, path, command, max(60.0, 4 * seconds), env), seconds, None
    session.unlink(missing_ok=True)
    source.write_text((ROOT / path).read_text(encoding="utf-8"), encoding="utf-8")
    cosmic = BIN / "cosmic-ray"
    steps = [[str(cosmic), "init", str(work / "config.toml"), str(session)]]
    if module.get("functions"):
        steps.append([str(BIN / "cr-filter-lines"), "--config", str(work / "config.toml"), str(session)])
    steps.append([str(cosmic), "exec", str(work / "config.toml"), str(session)])
    population = None
    for step in steps:
        if step[1] == "exec":
            print(f"{path}: {skip_annotations(session, path)} mutants in type annotations skipped; running the rest "
                  f"(tests {seconds:.1f} s per run)", flush=True)
            if sample:
                chosen, population = keep_sample(session, path, sample)
                print(f"{path}: a sample of {chosen} of {population} mutants", flush=True)
        done = subprocess.run(step, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(step)} failed:\n{done.stderr[-3000:]}")
    if _run("git", "diff", "--quiet", "HEAD", "--", path).returncode != 0:
        raise SystemExit(f"{path} was left mutated: `git checkout {path}`")
    return _read(session, path), seconds, population


def _recheck(session: Path, path: str, command: str, timeout: float, env: dict) -> list[Mutant]:
    """Run the tests again against the survivors of the last run only (after adding tests that should kill them)."""
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import TestOutcome

    if not session.exists():
        raise SystemExit(f"{path}: no earlier run to recheck ({session})")
    os.environ.update(env)
    os.chdir(ROOT)
    with use_db(str(session)) as db:
        ids = {job_id for job_id, result in db.results if result.test_outcome == TestOutcome.SURVIVED}
        survived = [item for item in db.work_items if item.job_id in ids]
        print(f"{path}: rechecking {len(survived)} survivors", flush=True)
        for item in survived:
            db.set_result(item.job_id, mutate_and_test(item.mutations, command, timeout))
    if _run("git", "diff", "--quiet", "HEAD", "--", path).returncode != 0:
        raise SystemExit(f"{path} was left mutated: `git checkout {path}`")
    return _read(session, path)


def _read(session: Path, path: str) -> list[Mutant]:
    source = (ROOT / path).read_text(encoding="utf-8").splitlines()
    dump = _run(str(BIN / "cosmic-ray"), "dump", str(session))
    mutants = []
    for row in dump.stdout.splitlines():
        item, result = json.loads(row)
        if result is None or result["worker_outcome"] == "skipped":
            continue
        [mutation] = item["mutations"]
        line_no, column = mutation["start_pos"]
        added = [d[1:] for d in (result.get("diff") or "").splitlines() if d.startswith("+") and not d.startswith("+++")]
        outcome = result.get("test_outcome") or result["worker_outcome"]
        if outcome == "killed" and result.get("output") == "timeout":
            outcome = "timeout"  # killed, unless the machine was so loaded that an unchanged run would time out too
        mutants.append(Mutant(path, mutation["operator_name"], mutation.get("definition_name") or "", line_no, column,
                              source[line_no - 1], added[0] if added else "", outcome))
    return mutants


def _edits(mutant: dict) -> list[tuple[str, str]]:
    """A named mutant's edits: `old` → `new`, or lists of both for a bug made of several edits (applied in order)."""
    if isinstance(mutant["old"], str):
        return [(mutant["old"], mutant["new"])]
    if len(mutant["old"]) != len(mutant["new"]):
        raise SystemExit(f"{NAMED.name}: „{mutant['name']}“: as many `new` as `old` needed")
    return list(zip(mutant["old"], mutant["new"], strict=True))


def named(env: dict | None = None) -> int:
    """Apply each mutant of named.toml alone, run its tests, restore the file; 1 if any mutant survives."""
    mutants = tomllib.loads(NAMED.read_text(encoding="utf-8"))["mutant"]
    for m in mutants:  # all first, so a stale `old` is reported before anything is mutated
        for old, _ in _edits(m):
            count = (ROOT / m["path"]).read_text(encoding="utf-8").count(old)
            if count != 1:
                raise SystemExit(f"{NAMED.name}: „{m['name']}“: `old` occurs {count} times in {m['path']}, not once")
    env = checkout_env() if env is None else env
    passing = set()
    survived = []
    for m in mutants:
        command = _test_command({"tests": m["tests"]}).split()
        if tuple(m["tests"]) not in passing:
            if subprocess.run(command, cwd=ROOT, env=env, capture_output=True).returncode:
                raise SystemExit(f"{' '.join(m['tests'])} fail without any mutant")
            passing.add(tuple(m["tests"]))
        path = ROOT / m["path"]
        original = path.read_text(encoding="utf-8")
        try:
            mutated = original
            for old, new in _edits(m):
                mutated = mutated.replace(old, new)
            path.write_text(mutated, encoding="utf-8")
            started = time.monotonic()
            done = subprocess.run(command, cwd=ROOT, env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
                                  capture_output=True, text=True)
        finally:
            path.write_text(original, encoding="utf-8")
        failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
        verdict = "killed" if done.returncode not in (0, 5) else "SURVIVED"  # 5: no test collected at all
        print(f"{verdict:8} {m['name']} ({m['path']}; {time.monotonic() - started:.0f} s)"
              + "".join(f"\n           {line}" for line in failed[:3]), flush=True)
        if verdict == "SURVIVED":
            survived.append(m["name"])
    print(f"{len(mutants) - len(survived)} of {len(mutants)} named mutants killed")
    return 1 if survived else 0


def wilson_lower(killed: int, trials: int, z: float = 1.96) -> float:
    """The lower end of the Wilson score interval (95 % for z=1.96): what a sample of ``trials`` mutants with
    ``killed`` killed can claim for the whole module's score."""
    if trials == 0:
        return 1.0
    p = killed / trials
    centre = p + z * z / (2 * trials)
    spread = z * ((p * (1 - p) + z * z / (4 * trials)) / trials) ** 0.5
    return (centre - spread) / (1 + z * z / trials)


def load_baseline() -> dict:
    if not BASELINE.exists():
        return {"result": [], "survivor": []}
    data = tomllib.loads(BASELINE.read_text(encoding="utf-8"))
    return {"result": data.get("result", []), "survivor": data.get("survivor", [])}


def write_baseline(data: dict) -> None:
    lines = ["# Mutation testing baseline (tests/mutation/run.py --update writes the counts and new survivors; the",
             "# reasons are written by hand). score = killed / (mutants - equivalent). status: equivalent (the mutant",
             "# behaves like the original; reason says why) or open (a test is missing). source: the git blob of the",
             "# module as measured (`git hash-object`), commit: the last commit changing it; sample_of: all mutants of",
             "# the module when only a sample of them was run (`--sample N`), lower_bound_95: what the sample can claim for",
             "# the whole module (the lower end of the 95 % Wilson interval of the score).", ""]
    order = ["module", "source", "commit", "date", "mutants", "killed", "equivalent", "survived", "score", "seconds"]
    for result in sorted(data["result"], key=lambda r: r["module"]):
        lines.append("[[result]]")
        lines += [f"{k} = {_toml(result[k])}" for k in sorted(result, key=lambda k: (k not in order, order.index(k) if k in order else 0))]
        lines.append("")
    for s in sorted(data["survivor"], key=lambda s: (s["module"], s["line_no"], s["key"])):
        lines.append("[[survivor]]")
        lines += [f"{k} = {_toml(s[k])}" for k in ("module", "status", "reason", "function", "line_no", "line", "mutant",
                                                  "operator", "key")]
        lines.append("")
    BASELINE.write_text("\n".join(lines), encoding="utf-8")


def source_ids(path: str) -> tuple[str, str]:
    """The module's source as measured: its git blob (the same whatever is rebased) and the last commit changing it."""
    blob = _run("git", "hash-object", path).stdout.strip()[:12]
    return blob, _run("git", "log", "-1", "--format=%h", "--", path).stdout.strip()


def record(baseline: dict, path: str, mutants: list[Mutant], population: int | None, seconds: int) -> None:
    """Write one module's counts and survivors into ``baseline``. Entries of mutants a sample did not try stay as
    they are, unless their line is no longer in the module; new survivors come in as "open"."""
    blob, commit = source_ids(path)
    known = {s["key"]: s for s in baseline["survivor"] if s["module"] == path}
    survivors = [m for m in mutants if m.outcome == "survived"]
    equivalent = [m for m in survivors if known.get(m.key, {}).get("status") == "equivalent"]
    killed = len(mutants) - len(survivors)
    score = killed / (len(mutants) - len(equivalent)) if len(mutants) > len(equivalent) else 1.0
    baseline["result"] = [r for r in baseline["result"] if r["module"] != path] + [{
        "module": path, "source": blob, "commit": commit, "date": datetime.date.today().isoformat(), "mutants": len(mutants),
        "killed": killed, "equivalent": len(equivalent), "survived": len(survivors) - len(equivalent),
        "score": round(score, 4), "seconds": seconds,
        **({"sample_of": population, "lower_bound_95": round(wilson_lower(killed, len(mutants) - len(equivalent)), 4)}
           if population and population > len(mutants) else {})}]
    tried, surviving = {m.key for m in mutants}, {m.key for m in survivors}
    lines = {line.strip() for line in (ROOT / path).read_text(encoding="utf-8").splitlines()}
    kept = [s for s in baseline["survivor"] if s["module"] != path
            or (s["key"] in surviving if s["key"] in tried else s["line"] in lines)]
    for m in survivors:
        if m.key not in known:
            kept.append({"module": path, "status": "open", "reason": "", "function": m.function, "line_no": m.line_no,
                         "line": m.line.strip(), "mutant": m.mutated.strip(), "operator": m.operator, "key": m.key})
        else:
            known[m.key]["line_no"] = m.line_no
    baseline["survivor"] = kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths as in modules.toml (default: all)")
    parser.add_argument("--update", action="store_true", help="write counts and new survivors into baseline.toml")
    parser.add_argument("--recheck", action="store_true", help="test only the survivors of the last run again")
    parser.add_argument("--named", action="store_true", help="only the hand-written mutants of named.toml")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="run a fixed random sample of N mutants per module (the score is the sample's)")
    args = parser.parse_args(argv)
    if args.named:
        return named()
    configured = {m["path"]: m for m in tomllib.loads(MODULES.read_text(encoding="utf-8"))["module"]}
    chosen = args.modules or list(configured)
    unknown = [m for m in chosen if m not in configured]
    if unknown:
        raise SystemExit(f"not in {MODULES.relative_to(ROOT)}: {', '.join(unknown)}")
    baseline = load_baseline()
    failed = False
    for path in chosen:
        started = time.monotonic()
        mutants, test_seconds, population = mutate(configured[path], args.recheck, args.sample)
        if args.recheck:  # the survivors of the last run, which may have been a sample
            population = next((r.get("sample_of") for r in baseline["result"] if r["module"] == path), None)
        known = {s["key"]: s for s in baseline["survivor"] if s["module"] == path}
        survivors = [m for m in mutants if m.outcome == "survived"]
        equivalent = [m for m in survivors if known.get(m.key, {}).get("status") == "equivalent"]
        open_ = [m for m in survivors if m not in equivalent]
        killed = len(mutants) - len(survivors)
        score = killed / (len(mutants) - len(equivalent)) if len(mutants) > len(equivalent) else 1.0
        sampled = f" (a sample of {population})" if population and population > len(mutants) else ""
        bound = f", 95 % lower bound {wilson_lower(killed, len(mutants) - len(equivalent)):.1%}" if sampled else ""
        print(f"{path}: {len(mutants)} mutants{sampled}, {killed} killed, {len(equivalent)} equivalent, {len(open_)} survived "
              f"→ score {score:.1%}{bound} ({time.monotonic() - started:.0f} s; tests {test_seconds:.1f} s per run)")
        timeouts = [m for m in mutants if m.outcome == "timeout"]
        if timeouts:
            print(f"  {len(timeouts)} killed by the timeout only: " + ", ".join(f"{m.line_no} {m.operator}" for m in timeouts))
        for m in open_:
            print(f"  SURVIVED {path}:{m.line_no} ({m.function}) {m.operator}\n    - {m.line.strip()}\n    + {m.mutated.strip()}")
        tried = {m.key for m in mutants}  # a sample leaves the rest untried: their entries stay as they are
        gone = [s for k, s in known.items() if k in tried and k not in {m.key for m in survivors}]
        for s in gone:
            print(f"  no longer survives (remove from the baseline): {path}:{s['line_no']} {s['operator']}")
        failed |= bool(open_)
        if args.update:
            record(baseline, path, mutants, population, round(time.monotonic() - started))
            write_baseline(baseline)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
