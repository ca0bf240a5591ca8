"""Mutation testing of the probes (grader.mutant, grader.mutation, `grader audit --mutants`).

The operators are tested on small sources; the audit on a toy course whose every mutant's
fate is worked out by hand below. Grading every mutant of the shipped course takes about a
minute per seed: that test runs only with GRADER_MUTANTS=1 (bench/mutation_score.py prints
the same numbers as a table)."""
from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from grader import assignment, mutant, mutation, rubric, template, validation


def edits(source: str, function: str | None = None) -> set[tuple[str, str, str]]:
    return {(m.operator, m.before, m.after) for m in mutant.generate(source)
            if function is None or m.function == function}


def body(text: str) -> str:
    """A module with one function ``f(x, y, k)`` whose body is ``text``."""
    indented = "\n".join("    " + line for line in text.strip().splitlines())
    return f'import numpy as np\n\n\ndef f(x, y, k):\n    """Doc."""\n{indented}\n'


# -- the operators, one source each

def test_axis_and_keepdims():
    found = edits(body("return np.sum(x, axis=0)"))
    assert ("axis", "return np.sum(x, axis=0)", "return np.sum(x, axis=1)") in found
    assert ("axis", "return np.sum(x, axis=0)", "return np.sum(x)") in found
    assert ("keepdims", "return np.sum(x, axis=0)", "return np.sum(x, axis=0, keepdims=True)") in found
    assert ("call", "return np.sum(x, axis=0)", "return np.mean(x, axis=0)") in found
    passed_on = edits(body("return np.max(x, axis=k, keepdims=True)"))
    assert {after for op, _, after in passed_on if op in ("axis", "keepdims")} == {
        "return np.max(x, axis=-1, keepdims=True)", "return np.max(x, axis=1, keepdims=True)",
        "return np.max(x, keepdims=True)", "return np.max(x, axis=k, keepdims=False)"}
    # -1 is one constant: made 0, never -2 or -0
    assert {after for op, _, after in edits(body("return x.sum(axis=-1)")) if op == "axis"} == {
        "return x.sum(axis=0)", "return x.sum()"}


def test_off_by_one_in_slices_ranges_and_indices():
    found = edits(body("for t in range(k):\n    y[t] = x[1:k]"))
    assert ("off_by_one", "for t in range(k):", "for t in range(k - 1):") in found
    assert ("off_by_one", "for t in range(k):", "for t in range(k + 1):") in found
    assert ("off_by_one", "y[t] = x[1:k]", "y[t] = x[2:k]") in found
    assert ("off_by_one", "y[t] = x[1:k]", "y[t] = x[0:k]") in found
    assert ("off_by_one", "y[t] = x[1:k]", "y[t] = x[1:k + 1]") in found
    assert ("off_by_one", "y[t] = x[1:k]", "y[t - 1] = x[1:k]") in found


def test_swap_spares_commutative_calls_and_identical_operands():
    found = edits(body("a, b = (x - y, np.maximum(0.0, x))\n"
                       "c = np.where(x > 0, y, 0.0) @ x.transpose(0, 1)\nreturn (a, b, c)"))
    swaps = {(before, after) for op, before, after in found if op == "swap"}
    assert swaps == {
        ("a, b = (x - y, np.maximum(0.0, x))", "b, a = (x - y, np.maximum(0.0, x))"),
        ("a, b = (x - y, np.maximum(0.0, x))", "a, b = (y - x, np.maximum(0.0, x))"),
        ("c = np.where(x > 0, y, 0.0) @ x.transpose(0, 1)", "c = x.transpose(0, 1) @ np.where(x > 0, y, 0.0)"),
        ("c = np.where(x > 0, y, 0.0) @ x.transpose(0, 1)", "c = np.where(x > 0, 0.0, y) @ x.transpose(0, 1)"),
        ("return (a, b, c)", "return (b, a, c)"), ("return (a, b, c)", "return (a, c, b)")}
    # targets holding the same value: swapping them changes nothing, so it is not made
    assert not [e for e in edits(body("a, b = (np.zeros(3), np.zeros(3))\nreturn a - b")) if e[0] == "swap"
                and e[1].startswith("a, b")]


def test_drop_terms_wrappers_transposes_and_update_statements():
    found = edits(body("z = np.sqrt(x.T + 2 * y)\nk += z\nself_like = 1 * x\nreturn z"))
    drops = {(before, after) for op, before, after in found if op == "drop"}
    assert drops == {
        ("z = np.sqrt(x.T + 2 * y)", "z = x.T + 2 * y"),
        ("z = np.sqrt(x.T + 2 * y)", "z = np.sqrt(x.T)"),
        ("z = np.sqrt(x.T + 2 * y)", "z = np.sqrt(2 * y)"),
        ("z = np.sqrt(x.T + 2 * y)", "z = np.sqrt(x + 2 * y)"),
        ("z = np.sqrt(x.T + 2 * y)", "z = np.sqrt(x.T + 2)"),
        ("z = np.sqrt(x.T + 2 * y)", "z = np.sqrt(x.T + y)"),
        ("k += z", ""),
        ("self_like = 1 * x", "self_like = 1"),
    }  # `1 * x -> x` is the same function: never made


def test_sign_constant_and_comparison():
    found = edits(body("if not k:\n    return -x\nreturn 0.5 * (x > 2) + (y is None)"))
    assert ("sign", "return -x", "return x") in found
    assert ("sign", "return 0.5 * (x > 2) + (y is None)", "return 0.5 * (x > 2) - (y is None)") in found
    assert ("constant", "return 0.5 * (x > 2) + (y is None)", "return 1.0 * (x > 2) + (y is None)") in found
    assert ("constant", "return 0.5 * (x > 2) + (y is None)", "return 0.25 * (x > 2) + (y is None)") in found
    assert ("constant", "return 0.5 * (x > 2) + (y is None)", "return 0.5 * (x > 3) + (y is None)") in found
    assert ("constant", "return 0.5 * (x > 2) + (y is None)", "return 0.5 * (x > 1) + (y is None)") in found
    assert ("comparison", "return 0.5 * (x > 2) + (y is None)", "return 0.5 * (x >= 2) + (y is None)") in found
    assert ("comparison", "return 0.5 * (x > 2) + (y is None)", "return 0.5 * (x < 2) + (y is None)") in found
    assert ("comparison", "return 0.5 * (x > 2) + (y is None)", "return 0.5 * (x > 2) + (y is not None)") in found
    assert ("comparison", "if not k:", "if k:") in found
    assert ("constant", "x = True", "x = False") in edits(body("x = True\nreturn x"))


def test_in_place_variants_change_the_callers_argument():
    found = edits(body("shifted = x - np.max(x)\nx = x / k\ny = y[0] + 1\nlocal = shifted * 2\n"
                       "copied = local.copy()\nreturn (x, y, copied, np.copy(shifted))"))
    in_place = {(before, after) for op, before, after in found if op == "in_place"}
    assert in_place == {
        ("shifted = x - np.max(x)", "x -= np.max(x); shifted = x"),
        ("x = x / k", "x /= k"),
        ("y = y[0] + 1", "y[0] += 1; y = y[0]"),
        ("copied = local.copy()", "copied = local"),
        ("return (x, y, copied, np.copy(shifted))", "return (x, y, copied, shifted)"),
    }  # `local` is no argument: `local *= 2` would change no caller's array, so it is not made
    assert ("accumulate", "k += x", "k = x") in edits(body("k += x\nreturn k"))


def test_call_name_and_keyword_confusions():
    source = ('import numpy as np\nimport torch\n\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n\n\n'
              'def f(prev_h, prev_c):\n    g = np.tanh(prev_c)\n    return sigmoid(prev_h) * g\n\n\n'
              'def mask(n):\n    return torch.tril(torch.ones(n, n, dtype=torch.bool))\n\n\n'
              'class Attention:\n    def __init__(self):\n        self.k_proj, self.v_proj = 1, 2\n\n'
              '    def split(self, x):\n        return x\n\n'
              '    def forward(self, x):\n        return self.k_proj * self.split(x)\n')
    found = edits(source)
    assert ("call", "g = np.tanh(prev_c)", "g = sigmoid(prev_c)") in found
    assert ("call", "return sigmoid(prev_h) * g", "return np.tanh(prev_h) * g") in found
    assert ("call", "return torch.tril(torch.ones(n, n, dtype=torch.bool))",
            "return torch.triu(torch.ones(n, n, dtype=torch.bool))") in found
    assert ("keyword", "return torch.tril(torch.ones(n, n, dtype=torch.bool))", "return torch.tril(torch.ones(n, n))") in found
    assert ("name", "g = np.tanh(prev_c)", "g = np.tanh(prev_h)") in found
    assert ("name", "return self.k_proj * self.split(x)", "return self.v_proj * self.split(x)") in found
    # a method is never put in the place of a value
    assert not [after for op, before, after in found if op == "name" and after.count("self.split") > before.count(
        "self.split")]


def test_every_mutant_compiles_differs_and_keeps_signature_docstring_and_module_code():
    source = (ROOT / "reference" / "batchnorm.py").read_text()
    original = ast.parse(source)
    made = mutant.generate(source)
    assert made == mutant.generate(source)  # deterministic
    assert len({m.source for m in made}) == len(made)
    for each in made:
        tree = ast.parse(each.source)
        assert each.source != ast.unparse(original) + "\n"
        assert ast.get_docstring(tree) == ast.get_docstring(original)
        ours = dict(mutant.functions(tree))
        for name, function in mutant.functions(original):
            assert ast.dump(ours[name].args) == ast.dump(function.args)
            assert ast.get_docstring(ours[name]) == ast.get_docstring(function)
            if name != each.function:
                assert ast.unparse(ours[name]) == ast.unparse(function), (each.edit, name)


def test_the_cap_keeps_an_even_sample_in_source_order_and_says_how_many_there_were():
    source = (ROOT / "reference" / "conv.py").read_text()
    every = [m for m in mutant.generate(source, cap=10**6) if m.function == "conv_backward"]
    kept = [m for m in mutant.generate(source, cap=10) if m.function == "conv_backward"]
    assert len(every) > 10 and len(kept) == 10
    assert [m.edit for m in kept] == [every[i * len(every) // 10].edit for i in range(10)]
    assert {m.of for m in kept} == {len(every)}


def test_the_same_edit_twice_in_a_function_is_told_apart_by_occurrence():
    made = [m for m in mutant.generate(body("a = x + 1\nb = x + 1\nreturn a * b")) if m.operator == "sign"]
    assert [(m.before, m.after, m.occurrence) for m in made] == [
        ("a = x + 1", "a = x - 1", 1), ("b = x + 1", "b = x - 1", 1), ("return a * b", "return a / b", 1)]
    twice = [m for m in mutant.generate(body("a = x[k]\na = x[k]\nreturn a")) if m.after == "a = x[k - 1]"]
    assert [m.occurrence for m in twice] == [1, 2]


# -- the audit on a toy course: every mutant's fate worked out by hand

TOY_REFERENCE = '''import numpy as np


def scale(x, k):
    """k times x."""
    return k * x


def relu(x):
    """max(x, 0), elementwise."""
    return np.where(x > 0, x, 0.0)


def mean_abs(x):
    """The mean of |x|."""
    return np.mean(np.abs(x))
'''

TOY_PROBES = '''import numpy as np

from grader.probe import probe


@probe(calls=("scale",))
def scale_values(m, rng):
    "scale(x, 2.5) of three values"
    return {"y": m.scale(rng.normal(size=3), 2.5)}


@probe(calls=("relu",))
def relu_values(m, rng):
    "relu of values on both sides of 0 and of -1 and 1"
    return {"y": m.relu(np.array([-1.5, -0.5, 0.25, 0.75, 1.5]) * rng.uniform(0.9, 1.1))}


@probe(calls=("mean_abs",))
def mean_abs_positive(m, rng):
    "mean_abs of positive values only"
    return {"y": m.mean_abs(rng.uniform(1.0, 2.0, size=4))}
'''

# scale: k, x, k / x: each killed. relu: branches swapped, x < 0, x > 1, x > -1, 1.0 for 0.0
# killed; x >= 0 equivalent (at 0 both give 0). mean_abs: sum for mean killed; abs dropped
# survives (the probe's values are positive).
TOY_EQUIVALENTS = '''schema_version = 1
assignment = "toy"

[[equivalent]]
function = "relu"
before = "return np.where(x > 0, x, 0.0)"
after = "return np.where(x >= 0, x, 0.0)"
why = "where x == 0 both return 0"
'''


def _toy_course(root):
    folder = root / "assignments" / "toy"
    folder.mkdir(parents=True)
    (folder / "assignment.toml").write_text('schema_version = 1\nname = "toy"\ntitle = "Toy"\nframework = "numpy"\n'
                                            'functions = ["scale", "relu", "mean_abs"]\n')
    (folder / "probes.py").write_text(TOY_PROBES)
    (folder / "template.py").write_text("".join(f"# %%\ndef {name}(x):\n    raise NotImplementedError\n\n\n"
                                                for name in ("scale", "relu", "mean_abs")))
    template.write(folder / "template.py")
    (root / "reference" / "equivalent_mutants").mkdir(parents=True)
    (root / "reference" / "toy.py").write_text(TOY_REFERENCE)
    (root / "reference" / "equivalent_mutants" / "toy.toml").write_text(TOY_EQUIVALENTS)
    (root / "rubrics").mkdir()
    (root / "rubrics" / "toy.toml").write_text('schema_version = 1\nassignment = "toy"\n\n' + "".join(
        f'[tests.{name}]\npoints = 1\nvisibility = "visible"\n\n'
        for name in ("scale_values", "relu_values", "mean_abs_positive")))
    return assignment.load("toy", root)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return _toy_course(tmp_path_factory.mktemp("course"))


def test_the_toy_mutants_are_those_worked_out_above(toy):
    found = edits(TOY_REFERENCE)
    assert found == {
        ("drop", "return k * x", "return k"), ("drop", "return k * x", "return x"),
        ("sign", "return k * x", "return k / x"),
        ("swap", "return np.where(x > 0, x, 0.0)", "return np.where(x > 0, 0.0, x)"),
        ("comparison", "return np.where(x > 0, x, 0.0)", "return np.where(x >= 0, x, 0.0)"),
        ("comparison", "return np.where(x > 0, x, 0.0)", "return np.where(x < 0, x, 0.0)"),
        ("constant", "return np.where(x > 0, x, 0.0)", "return np.where(x > 1, x, 0.0)"),
        ("constant", "return np.where(x > 0, x, 0.0)", "return np.where(x > -1, x, 0.0)"),
        ("constant", "return np.where(x > 0, x, 0.0)", "return np.where(x > 0, x, 1.0)"),
        ("call", "return np.mean(np.abs(x))", "return np.sum(np.abs(x))"),
        ("drop", "return np.mean(np.abs(x))", "return np.mean(x)"),
    }


def test_audit_mutants_counts_killed_survived_and_equivalent_per_function(toy, layers, workers):
    scores = rubric.load(toy)
    verdicts = mutation.measure(toy, scores, layers, seeds=(5, 6), workers=workers)
    table = {s.function: (s.mutants, s.killed, s.survived, s.equivalent) for s in mutation.tally(verdicts)}
    assert table == {"scale": (3, 3, 0, 0), "relu": (6, 5, 0, 1), "mean_abs": (2, 1, 1, 0)}
    assert mutation.total(mutation.tally(verdicts)).score == pytest.approx(9 / 10)
    survivor, = [v for v in verdicts if v.status == "survived"]
    assert survivor.mutant.edit == "line 16 (drop): return np.mean(np.abs(x))  ->  return np.mean(x)"
    assert survivor.tests == ("mean_abs_positive",) and survivor.caught == (False, False)
    killed = [v for v in verdicts if v.status == "killed"]
    assert all(v.caught == (True, True) and len(v.tests) == 1 for v in killed)
    assert {v.lost for v in killed if v.mutant.function == "relu"} == {("relu_values",)}
    assert mutation.findings(toy, verdicts, capped=False) == []

    lines = []
    assert mutation.run(toy, scores, layers, seed=5, echo=lines.append, workers=workers) == 0
    assert lines[0].startswith("toy: 11 mutants: 9 killed, 1 survived, 1 equivalent; mutation score 90% (seed 5; ")
    assert [line.split() for line in lines if line.startswith("  relu ")] == [["relu", "6", "5", "0", "1", "100%"]]
    assert "  survivors (1):" in lines
    assert "    mean_abs line 16 (drop): return np.mean(np.abs(x))  ->  return np.mean(x)" in lines


def test_a_wrong_allow_list_is_a_finding(toy, layers, workers, tmp_path):
    verdicts = mutation.measure(toy, rubric.load(toy), layers, seeds=(5,), workers=workers)
    path = toy.root / "reference" / "equivalent_mutants" / "toy.toml"
    try:
        path.write_text(TOY_EQUIVALENTS + '\n[[equivalent]]\nfunction = "scale"\nbefore = "return k * x"\n'
                        'after = "return x * k"\nwhy = "a mutant that is never made"\n\n'
                        '[[equivalent]]\nfunction = "scale"\nbefore = "return k * x"\nafter = "return x"\n'
                        'why = "claimed equivalent, but it loses points"\n')
        relisted = [mutation.Verdict(v.mutant, v.tests, v.caught, v.lost,
                                     {e.key: e for e in mutation.equivalents(toy)}.get(v.mutant.key))
                    for v in verdicts]
        problems = mutation.findings(toy, relisted, capped=False)
    finally:
        path.write_text(TOY_EQUIVALENTS)
    assert problems == [
        ("toy: reference/equivalent_mutants/toy.toml lists scale: return k * x  ->  return x * k, which is not a "
         "mutant of the reference; remove or correct it"),
        ("toy: reference/equivalent_mutants/toy.toml lists scale line 6 (drop): return k * x  ->  return x as "
         "equivalent, but it loses points on scale_values")]


def test_a_malformed_allow_list_is_a_course_error_naming_the_file(toy):
    path = toy.root / "reference" / "equivalent_mutants" / "toy.toml"
    try:
        path.write_text('schema_version = 1\nassignment = "toy"\n[[equivalent]]\nfunction = "relu"\n'
                        'before = "a"\nafter = "b"\n')
        with pytest.raises(assignment.CourseError, match=r"toy\.toml: equivalent/0: 'why' is a required property"):
            mutation.equivalents(toy)
        problem, = validation._equivalent_mutants(toy)  # grader validate says so too
        assert "toy.toml: equivalent/0: 'why' is a required property" in problem
    finally:
        path.write_text(TOY_EQUIVALENTS)


def test_cli_audit_mutants_prints_the_score_and_the_survivors(toy):
    done = subprocess.run([sys.executable, "-m", "grader.cli_entry", "audit", "--mutants", "-a", "toy",
                           "--seed", "5", "--course", str(toy.root)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "toy: 11 mutants: 9 killed, 1 survived, 1 equivalent; mutation score 90%" in done.stdout
    assert "mean_abs line 16 (drop): return np.mean(np.abs(x))  ->  return np.mean(x)" in done.stdout


# -- the shipped course

@pytest.mark.parametrize("name", assignment.names(ROOT))
def test_every_entry_of_the_shipped_allow_lists_names_a_mutant_of_the_reference(name, course):
    found = course[name]
    made = {m.key for m in mutant.from_file(found.reference_path)}
    listed = mutation.equivalents(found)
    assert [e.key for e in listed if e.key not in made] == []
    assert all(len(e.why) > 20 for e in listed)


# all of it, graded (slow: GRADER_MUTANTS=1)

# Survivors of the shipped probes that no probe can kill without failing a correct solver:
# a cut-off of eps * s_max for zero singular values keeps rounding noise of size
# (1 to 1.5) eps * s_max on about 1 seed in 100 (and is caught then); numpy's pinv cuts at
# 1e-15 * s_max, so no input decides between the two on every seed.
KNOWN_SURVIVORS = {("ols", "fit", "cutoff = max(X.shape) * np.finfo(float).eps * s.max(initial=0.0)",
                    "cutoff = np.finfo(float).eps * s.max(initial=0.0)")}


@pytest.mark.skipif(not os.environ.get("GRADER_MUTANTS"), reason="grades ~1150 mutants; set GRADER_MUTANTS=1")
@pytest.mark.parametrize("name", assignment.names(ROOT))
def test_every_mutant_of_the_shipped_course_is_killed_or_listed(name, course, layers, workers):
    found = course[name]
    verdicts = mutation.measure(found, rubric.load(found), layers, seeds=(1, 2), workers=workers)
    assert mutation.findings(found, verdicts, capped=any(v.mutant.of > mutant.MAX_PER_FUNCTION
                                                         for v in verdicts)) == []
    survivors = {(name, v.mutant.function, v.mutant.before, v.mutant.after) for v in verdicts
                 if v.status == "survived"}
    assert survivors <= KNOWN_SURVIVORS, [v.mutant.edit for v in verdicts if v.status == "survived"]
