"""`grader audit --mutants`: the probes' mutation score, per function of the reference.

Every mutant of the reference (grader.mutant: one edit of one function or method) is
graded as a submission, through the worker and the sandbox, on the tests that call the
mutated function (traced on the reference, helpers included). A mutant is *killed* when it
loses a point on every seed graded; otherwise it *survived* (on some seeds only: the
probes catch it by luck). A mutant that cannot be told from the reference by any input the
contract allows is *equivalent*: it is listed by hand, with why, in
``reference/equivalent_mutants/<assignment>.toml`` (schema
grader/schemas/equivalent_mutants.schema.json)::

    schema_version = 1
    assignment = "two_layer_net"

    [[equivalent]]
    function = "softmax_loss"
    before = "probs.copy()"
    after = "probs"
    why = "probs is made on the line above and nothing else holds it"

(``occurrence = 2`` names the second mutant making the same edit in that function.)

Score of a function: killed / (mutants - equivalent). Findings (exit 1): an entry of the
allow-list that names no generated mutant, and a mutant listed as equivalent that loses
points. Survivors are listed, not findings: they measure the probes.
"""
from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader import degenerate, mutant, schema, syntax
from grader.assignment import Assignment, CourseError, read_toml
from grader.grading import Grader, Options
from grader.pool import Pool


@dataclass(frozen=True)
class Equivalent:
    """An entry of the allow-list."""

    function: str
    before: str
    after: str
    occurrence: int
    why: str

    @property
    def key(self) -> tuple[str, str, str, int]:
        return self.function, self.before, self.after, self.occurrence


@dataclass(frozen=True)
class Verdict:
    """What the probes made of one mutant."""

    mutant: mutant.Mutant
    tests: tuple[str, ...]          # the tests graded: those calling the mutated function
    caught: tuple[bool, ...]        # per seed: did it lose a point?
    lost: tuple[str, ...]           # the tests that took points on the first seed that caught it
    equivalent: Equivalent | None

    @property
    def status(self) -> str:
        """killed | survived | equivalent (listed, and never caught)."""
        if self.caught and all(self.caught):
            return "killed"
        if self.equivalent is not None and not any(self.caught):
            return "equivalent"
        return "survived"


@dataclass(frozen=True)
class Score:
    """The mutation score of one function."""

    function: str
    mutants: int
    killed: int
    survived: int
    equivalent: int

    @property
    def score(self) -> float | None:
        """killed / (mutants - equivalent); None when every mutant is equivalent."""
        counted = self.mutants - self.equivalent
        return self.killed / counted if counted else None


def allow_list_path(found: Assignment) -> Path:
    return found.root / "reference" / "equivalent_mutants" / f"{found.name}.toml"


def equivalents(found: Assignment) -> tuple[Equivalent, ...]:
    """The allow-list of the assignment (none when the file does not exist). A malformed
    file is a CourseError naming it."""
    path = allow_list_path(found)
    if not path.is_file():
        return ()
    data = read_toml(path)
    try:
        schema.check(data, "equivalent_mutants", path)
    except schema.SchemaError as exc:
        raise CourseError(str(exc)) from exc
    if data["assignment"] != found.name:
        raise CourseError(f"{path}: assignment = {data['assignment']!r}, but the file is {found.name!r}'s")
    return tuple(Equivalent(e["function"], e["before"], e["after"], e.get("occurrence", 1), e["why"])
                 for e in data.get("equivalent", ()))


def measure(found: Assignment, scores, layers, seeds: tuple[int, ...], jobs: int = 2,
            workers: Pool | None = None, cap: int = mutant.MAX_PER_FUNCTION) -> list[Verdict]:
    """Grade every mutant of the reference under each seed; one verdict per mutant, in the
    order of grader.mutant.generate. Raises CanaryFailed when the reference itself loses
    points, CourseError when the reference or the allow-list is broken."""
    source = found.reference_path.read_text(encoding="utf-8")
    mutants = mutant.generate(source, cap)
    listed = {e.key: e for e in equivalents(found)}
    names = [name for name, _ in mutant.functions(syntax.parse(source))]
    uses = degenerate.exercised(found, seeds[0], names)
    tests_of = {name: tuple(e.test for e in scores.entries if name in uses.get(e.test, ())) for name in names}
    per_seed = []
    with tempfile.TemporaryDirectory(prefix="grader-mutants-") as folder:
        Path(folder).chmod(0o755)  # the sandboxed child, another uid, reads the files
        paths = []
        for number, each in enumerate(mutants):
            path = Path(folder) / f"mutant_{number:04d}.py"
            path.write_text(each.source, encoding="utf-8")
            path.chmod(0o644)
            paths.append(path)
        for seed in seeds:
            options = Options(seed=seed, jobs=jobs, diagnose=False)
            with Grader(found, scores, layers, options, workers=workers) as grader:
                grader.canary()

                def one(pair, grader=grader):
                    path, tests = pair
                    return grader.grade(path, tests=tests) if tests else None
                with ThreadPoolExecutor(max(1, jobs)) as executor:
                    per_seed.append(list(executor.map(one, [(p, tests_of[m.function])
                                                            for p, m in zip(paths, mutants)])))
    verdicts = []
    for i, each in enumerate(mutants):
        documents = [documents[i] for documents in per_seed]
        caught = tuple(d is not None and _loses(d) for d in documents)
        first = next((d for d in documents if d is not None and _loses(d)), None)
        lost = tuple(t["id"] for t in first["tests"] if t["score"] < t["max_score"]) if first else ()
        verdicts.append(Verdict(each, tests_of[each.function], caught, lost, listed.get(each.key)))
    return verdicts


def _loses(document: dict) -> bool:
    return bool(document["load_errors"]) or any(t["score"] < t["max_score"] for t in document["tests"])


def tally(verdicts: list[Verdict]) -> list[Score]:
    """Per function, in the order the functions first appear."""
    order: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        order.setdefault(verdict.mutant.function, []).append(verdict)
    return [Score(name, len(group), *(sum(v.status == s for v in group) for s in ("killed", "survived", "equivalent")))
            for name, group in order.items()]


def total(scores: list[Score]) -> Score:
    return Score("(all)", *(sum(getattr(s, field) for s in scores)
                            for field in ("mutants", "killed", "survived", "equivalent")))


def findings(found: Assignment, verdicts: list[Verdict], capped: bool) -> list[str]:
    """Problems of the allow-list: entries that name no mutant, and listed mutants that lose points."""
    problems = []
    made = {v.mutant.key for v in verdicts}
    path = allow_list_path(found).relative_to(found.root)
    for entry in equivalents(found):
        if entry.key not in made:
            problems.append(f"{found.name}: {path} lists {entry.function}: {entry.before}  ->  {entry.after}"
                            f"{f' (occurrence {entry.occurrence})' if entry.occurrence > 1 else ''}, which is "
                            "not a mutant of the reference" + (" (or not among those kept under the cap)"
                                                               if capped else "") + "; remove or correct it")
    for verdict in verdicts:
        if verdict.equivalent is not None and any(verdict.caught):
            problems.append(f"{found.name}: {path} lists {verdict.mutant.function} {verdict.mutant.edit} as "
                            f"equivalent, but it loses points on {', '.join(verdict.lost)}")
    return problems


def run(found: Assignment, scores, layers, seed: int | None = None, seeds: int = 1, jobs: int = 2, echo=print,
        workers: Pool | None = None, cap: int = mutant.MAX_PER_FUNCTION) -> int:
    """Measure and print the mutation score of one assignment; return how many findings."""
    from grader.audit import seed_list
    chosen = seed_list(seed, seeds)
    started = time.perf_counter()
    verdicts = measure(found, scores, layers, chosen, jobs, workers, cap)
    elapsed = time.perf_counter() - started
    per_function = tally(verdicts)
    echo(f"{found.name}: {_line(total(per_function))} (seed{'s' if len(chosen) > 1 else ''} "
         f"{', '.join(map(str, chosen))}; {elapsed:.1f} s)")
    width = max(len(s.function) for s in per_function) if per_function else 8
    echo(f"  {'function':<{width}}  mutants  killed  survived  equivalent  score")
    generated = {v.mutant.function: v.mutant.of for v in verdicts}
    for each in per_function:
        sampled = f"  (an even sample of {generated[each.function]}: cap {cap})" \
            if generated[each.function] > each.mutants else ""
        echo(f"  {each.function:<{width}}  {each.mutants:>7}  {each.killed:>6}  {each.survived:>8}  "
             f"{each.equivalent:>10}  {_percent(each.score):>5}{sampled}")
    survivors = [v for v in verdicts if v.status == "survived"]
    if survivors:
        echo(f"  survivors ({len(survivors)}):")
    for verdict in survivors:
        note = " [no test calls it]" if not verdict.tests else \
            f" [caught on seed {', '.join(str(s) for s, c in zip(chosen, verdict.caught) if c)} only]" \
            if any(verdict.caught) else ""
        echo(f"    {verdict.mutant.function} {verdict.mutant.edit}{note}")
    problems = findings(found, verdicts, capped=any(v.mutant.of > cap for v in verdicts))
    for problem in problems:
        echo(f"FINDING {problem}")
    return len(problems)


def _line(score: Score) -> str:
    return (f"{score.mutants} mutants: {score.killed} killed, {score.survived} survived, "
            f"{score.equivalent} equivalent; mutation score {_percent(score.score)}")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"
