"""The audit's own checks: degenerate submissions generated from the reference, and
verdicts that change with the seed. A toy course shows each check finding what it must;
the shipped course (tests/test_course.py) shows it finds nothing there."""
from __future__ import annotations

import ast

import numpy as np
import pytest
from conftest import ROOT, SUBMISSIONS

from grader import assignment, audit, degenerate, rubric, template
from grader.grading import Grader, Options
from grader.probe import rng_for

NAMES = assignment.names(ROOT)

TOY_REFERENCE = '''
import numpy as np


def double(x):
    """Twice x. x: (n,) array."""
    return 2.0 * x


def double_pair(x):
    """(2x, -2x)."""
    return 2.0 * x, -2.0 * x


class Scaler:
    """Multiplies by ``factor``."""

    def __init__(self, factor):
        self.factor = factor

    def apply(self, x):
        return self.factor * x
'''

TOY_PROBES = '''
import numpy as np

from grader.probe import probe


@probe(calls=("double",))
def double_one_value(m, rng):
    "double of one value of either sign"
    return {"y": m.double(rng.normal(size=1))}


@probe(calls=("double",))
def double_negative(m, rng):
    "double of negative values"
    return {"y": m.double(-1.0 - rng.random(3))}


@probe(calls=("double",))
def double_leaves_input_unchanged(m, rng):
    "double(x) must not modify x"
    x = rng.normal(size=3)
    m.double(x)
    return {"x_after_call": x}


@probe(calls=("double_pair",))
def double_pair_values(m, rng):
    "double_pair of three values"
    first, second = m.double_pair(rng.normal(size=3))
    return {"first": first, "second": second}


@probe(calls=("Scaler",))
def scaler_factor(m, rng):
    "Scaler(3.0).factor"
    return {"factor": float(m.Scaler(3.0).factor)}


@probe(calls=("Scaler",))
def scaler_apply(m, rng):
    "Scaler(2.0).apply(x)"
    return {"y": m.Scaler(2.0).apply(rng.normal(size=3))}
'''


def _toy_course(root):
    """A course with one assignment, `toy`, whose probe double_leaves_input_unchanged pays
    for no work and whose double_one_value catches the mistake `abs(2 x)` only when its
    one value is negative."""
    folder = root / "assignments" / "toy"
    folder.mkdir(parents=True)
    (folder / "assignment.toml").write_text(
        'schema_version = 1\nname = "toy"\ntitle = "Toy"\nframework = "numpy"\n'
        'functions = ["double", "double_pair", "Scaler"]\n')
    (folder / "probes.py").write_text(TOY_PROBES)
    stubs = ('# %%\nimport numpy as np\n\n\n# %%\ndef double(x):\n    raise NotImplementedError("double")\n\n\n'
             '# %%\ndef double_pair(x):\n    raise NotImplementedError("double_pair")\n\n\n'
             '# %%\nclass Scaler:\n    def __init__(self, factor):\n        raise NotImplementedError("Scaler")\n\n'
             '    def apply(self, x):\n        raise NotImplementedError("Scaler.apply")\n')
    (folder / "template.py").write_text(stubs)
    template.write(folder / "template.py")
    (root / "reference").mkdir()
    (root / "reference" / "toy.py").write_text(TOY_REFERENCE)
    mistakes = root / "reference" / "mistakes" / "toy"
    mistakes.mkdir(parents=True)
    (mistakes / "double_abs.py").write_text(
        '"""double returns |2 x|.\n\nFix: return 2 * x, keeping the sign."""\n'
        + TOY_REFERENCE.replace("return 2.0 * x\n", "return np.abs(2.0 * x)\n", 1))
    alternatives = root / "tests" / "alternatives" / "toy"
    alternatives.mkdir(parents=True)
    (alternatives / "sums.py").write_text(TOY_REFERENCE.replace("return 2.0 * x\n", "return x + x\n", 1))
    tests = "".join(f'[tests.{name}]\npoints = 1\nvisibility = "visible"\n\n' for name in
                    ("double_one_value", "double_negative", "double_leaves_input_unchanged",
                     "double_pair_values", "scaler_factor", "scaler_apply"))
    (root / "rubrics").mkdir()
    (root / "rubrics" / "toy.toml").write_text(f'schema_version = 1\nassignment = "toy"\n\n{tests}')
    return assignment.load("toy", root)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return _toy_course(tmp_path_factory.mktemp("course"))


def test_degenerate_forms_keep_signatures_and_docstrings_and_the_constructor(toy):
    reference = ast.parse(toy.reference_path.read_text())
    made = degenerate.variants(toy)
    assert [(v.form, sorted(v.kept)) for v in made] == [
        *[(form, ["Scaler.__init__"]) for form in degenerate.FORMS], ("pass", []), ("raise", [])]
    for variant in made:
        tree = ast.parse(variant.source)
        ours = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        theirs = {n.name: n for n in reference.body if isinstance(n, ast.FunctionDef)}
        for name in ("double", "double_pair"):
            assert ast.dump(ours[name].args) == ast.dump(theirs[name].args)
            assert ast.get_docstring(ours[name]) == ast.get_docstring(theirs[name])
            assert ast.unparse(ours[name].body[-1]) != ast.unparse(theirs[name].body[-1])
        init = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Scaler").body[1]
        assert (ast.unparse(init.body) == "self.factor = factor") == ("Scaler.__init__" in variant.kept)


@pytest.mark.parametrize("form, expected", [
    ("pass", (None, None, None)),
    ("first_argument", ([1.0, -2.0], ([1.0, -2.0], [1.0, -2.0]), [1.0, -2.0])),
    ("zeros", ([0.0, 0.0], ([0.0, 0.0], [0.0, 0.0]), [0.0, 0.0])),
    ("zeros_of_answer_shape", ([0.0, 0.0], ([0.0, 0.0], [0.0, 0.0]), [0.0, 0.0])),
])
def test_each_form_does_no_work(toy, form, expected):
    variant = next(v for v in degenerate.variants(toy) if v.form == form and v.kept)
    namespace = {}
    exec(compile(variant.source, variant.stem, "exec"), namespace)  # noqa: S102 - generated from our reference
    x = np.array([1.0, -2.0])
    got = (namespace["double"](x), namespace["double_pair"](x), namespace["Scaler"](3.0).apply(x))
    plain = [None if v is None else tuple(a.tolist() for a in v) if isinstance(v, tuple) else v.tolist()
             for v in got]
    assert tuple(plain) == expected
    assert x.tolist() == [1.0, -2.0]


def test_exercised_is_traced_per_method(toy):
    uses = degenerate.exercised(toy, seed=0)
    assert uses["scaler_factor"] == {"Scaler.__init__"}
    assert uses["scaler_apply"] == {"Scaler.__init__", "Scaler.apply"}
    assert uses["double_pair_values"] == {"double_pair"}


def test_audit_finds_a_probe_that_pays_for_no_work_and_a_verdict_that_depends_on_the_seed(toy, layers, workers):
    seeds = tuple(range(40, 48))
    negative = [s for s in seeds if rng_for(s, "double_one_value").normal(size=1)[0] < 0]
    assert 0 < len(negative) < len(seeds)  # the toy needs both kinds of seed
    lines = []
    findings = audit.run(toy, rubric.load(toy), layers, seed=seeds[0], seeds=len(seeds), echo=lines.append,
                         workers=workers)
    found = [line.removeprefix("FINDING ") for line in lines if line.startswith("FINDING ")]
    assert findings == len(found)
    positive = [s for s in seeds if s not in negative]
    assert (f"toy: test double_one_value catches mistake double_abs.py on seed {', '.join(map(str, negative))} "
            f"but not on seed {', '.join(map(str, positive))}") in found
    paying = [f for f in found if "degenerate submission" in f]
    # pass, first_argument, zeros, zeros_of_answer_shape, each with the constructor kept
    # and (pass) without; raise pays nothing; the constructor-only scaler_factor is exempt
    assert len(paying) == 5 and all("on test double_leaves_input_unchanged, which uses double" in f for f in paying)
    assert not [f for f in found if "scaler_factor" in f or "alternative" in f or "template" in f]
    assert len(found) == 6
    assert any("  ?" in line for line in lines if line.strip().startswith("double_one_value"))


def test_relu_on_output_scores_loses_the_network_tests_on_every_seed(course, layers, workers):
    """The known seed-dependent verdict of two_layer_net: with every score of a probe
    positive, a ReLU on the output scores changes nothing. The probes now put one class
    below zero, so it loses these tests on every seed."""
    found = course["two_layer_net"]
    tests = ("two_layer_net_no_reg", "two_layer_net_with_reg", "two_layer_net_single_example",
             "two_layer_net_leaves_inputs_unchanged")
    for seed in range(5):
        with Grader(found, rubric.load(found), layers, Options(seed=seed), workers=workers) as grader:
            report = grader.grade(SUBMISSIONS / "two_layer_net_relu_on_output_scores.py", tests=tests)
        assert [t["score"] for t in report["tests"]] == [0.0] * len(tests), (seed, report["tests"])
        assert report["tests"][0]["message"].startswith("loss:")


@pytest.mark.parametrize("name", NAMES)
def test_every_contract_function_and_method_is_a_target(name, course):
    found = course[name]
    names = {t.name.split(".")[0] for t in degenerate.targets(found)}
    assert names == set(found.functions)
    uses = degenerate.exercised(found, seed=3)
    assert set(uses) == {p.id for p in found.probes} and all(uses.values())


def test_seed_list():
    assert audit.seed_list(7, 3) == (7, 8, 9)
    assert len(set(audit.seed_list(None, 4))) == 4
    with pytest.raises(ValueError, match="at least 1"):
        audit.seed_list(1, 0)
