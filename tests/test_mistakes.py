"""Mistakes as overrides: a mistake file holds only what it changes, and the grader composes
it with the reference into the submission it stands for (grader.mistake)."""
from __future__ import annotations

import ast
import shutil
import textwrap

import pytest
from conftest import ROOT

from grader import assignment, mistake, validation
from grader.assignment import CourseError

REFERENCE = textwrap.dedent('''\
    """A toy reference."""
    import numpy as np

    SCALE = 2.0


    def helper(x):
        """Doubles."""
        return SCALE * x


    def f(x):
        return helper(x) + 1


    class Layer:
        """A layer."""

        def __init__(self, n):
            self.w = np.ones(n)

        def forward(self, x):
            return self.w * helper(x)

        def reset(self):
            self.w = np.zeros_like(self.w)
    ''')


def _module(source: str):
    namespace: dict = {}
    exec(compile(source, "<composed>", "exec"), namespace)  # noqa: S102 - our own test module
    return namespace


def test_a_function_override_replaces_that_function_in_place_and_keeps_the_rest():
    override = '"""f forgets the + 1.\n\nFix: add one.\n"""\n\n\ndef f(x):\n    return helper(x)\n'
    composed = mistake.compose(REFERENCE, override)
    module = _module(composed)
    assert module["f"](3.0) == 6.0 and module["helper"](3.0) == 6.0
    assert ast.get_docstring(ast.parse(composed)) == "f forgets the + 1.\n\nFix: add one."
    names = [getattr(n, "name", None) for n in ast.parse(composed).body]
    assert names == [None, None, None, "helper", "f", "Layer"]  # the same order as the reference


def test_changing_a_helper_changes_every_reference_function_that_calls_it():
    override = '"""helper triples.\n\nFix: double.\n"""\n\n\ndef helper(x):\n    return 3 * x\n'
    module = _module(mistake.compose(REFERENCE, override))
    assert module["f"](1.0) == 4.0
    assert list(module["Layer"](2).forward(1.0)) == [3.0, 3.0]


def test_a_class_override_lists_only_the_methods_it_changes():
    override = textwrap.dedent('''\
        """forward forgets w.

        Fix: multiply by w.
        """


        class Layer:
            def forward(self, x):
                return helper(x)

            def extra(self):
                return "new"
        ''')
    composed = mistake.compose(REFERENCE, override)
    layer = _module(composed)["Layer"](3)
    assert layer.forward(1.0) == 2.0 and list(layer.w) == [1.0, 1.0, 1.0] and layer.extra() == "new"
    layer.reset()
    assert list(layer.w) == [0.0, 0.0, 0.0]
    tree = ast.parse(composed)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    assert ast.get_docstring(cls) == "A layer."
    assert [m.name for m in cls.body if isinstance(m, ast.FunctionDef)] == ["__init__", "forward", "reset", "extra"]


def test_a_class_override_with_a_base_uses_its_class_statement():
    override = '"""x\n\nFix: y\n"""\n\n\nclass Layer(dict):\n    def reset(self):\n        pass\n'
    module = _module(mistake.compose(REFERENCE, override))
    assert issubclass(module["Layer"], dict)
    changes = mistake.changes(REFERENCE, override)
    assert [(c.name, c.differs) for c in changes] == [("Layer.reset", True), ("Layer (class statement)", True)]


def test_new_helpers_come_before_the_first_replaced_definition_and_new_imports_after_the_imports():
    override = textwrap.dedent('''\
        """f uses a tolerance of its own.

        Fix: none.
        """
        import math

        TOLERANCE = 0.5


        def f(x, eps=TOLERANCE):
            return math.floor(helper(x) + eps)
        ''')
    composed = mistake.compose(REFERENCE, override)
    assert _module(composed)["f"](1.0) == 2
    body = ast.parse(composed).body
    order = [ast.unparse(n).splitlines()[0] for n in body[1:]]
    assert order[:3] == ["import numpy as np", "import math", "SCALE = 2.0"]
    assert order.index("TOLERANCE = 0.5") < order.index("def f(x, eps=TOLERANCE):")


def test_a_full_copy_of_the_reference_is_a_valid_mistake_whose_unchanged_definitions_validate_names():
    composed = mistake.compose(REFERENCE, REFERENCE.replace("+ 1", "+ 2"))
    assert _module(composed)["f"](1.0) == 4.0
    same = [c.name for c in mistake.changes(REFERENCE, REFERENCE.replace("+ 1", "+ 2")) if not c.differs]
    assert same == ["SCALE", "helper", "Layer.__init__", "Layer.forward", "Layer.reset"]


@pytest.mark.parametrize("override, message", [
    ('"""x\n\nFix: y\n"""\nprint("hello")\n', "mistake line 5: `print('hello')` is not a definition"),
    ('"""x\n\nFix: y\n"""\nif True:\n    def f(x):\n        return x\n',
     "mistake line 5: `if True:` is not a definition"),
    ('"""x\n\nFix: y\n"""\nclass Layer:\n    print("hi")\n', "mistake line 6: `print('hi')` is not a definition"),
    ('"""x\n\nFix: y\n"""\ndef f(x:\n', "mistake line 5: '(' was never closed"),
])
def test_a_malformed_mistake_file_is_a_course_error_naming_the_line(override, message):
    with pytest.raises(CourseError) as raised:
        mistake.compose(REFERENCE, override)
    assert str(raised.value).startswith(message), str(raised.value)


CATALOGUE = [(name, path) for name in assignment.names(ROOT)
             for path in assignment.load(name, ROOT).mistake_paths]


def test_the_shipped_catalogue_is_in_override_form_and_under_3000_lines():
    lines = sum(path.read_text(encoding="utf-8").count("\n") for _, path in CATALOGUE)
    assert len(CATALOGUE) == 125 and lines < 3000, lines


@pytest.mark.parametrize("name, path", CATALOGUE, ids=lambda p: getattr(p, "stem", p))
def test_every_shipped_mistake_changes_each_definition_it_holds_and_composes(name, path):
    found = assignment.load(name, ROOT)
    reference = found.reference_path.read_text(encoding="utf-8")
    changes = mistake.changes(reference, path.read_text(encoding="utf-8"), str(path))
    assert changes and all(c.differs and not c.new for c in changes), changes
    composed = mistake.compose_file(found, path)
    defined = {n.name for n in ast.parse(composed).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert set(found.functions) <= defined


@pytest.fixture
def softmax_course(tmp_path):
    root = tmp_path / "course"
    for part in ("assignments/softmax", "reference/mistakes/softmax"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy(ROOT / "reference" / "softmax.py", root / "reference" / "softmax.py")
    return assignment.load("softmax", root)


def test_validate_refuses_a_fix_that_quotes_the_reference_and_allows_what_students_see_anyway(softmax_course):
    path = softmax_course.root / "reference" / "mistakes" / "softmax" / "quotes_the_solution.py"
    path.write_text('"""cross_entropy sums.\n\nFix: write log_p = log_softmax(logits,  axis=1) first.\n"""\n\n\n'
                    "def cross_entropy(logits, labels):\n    return 0.0\n")
    problems = validation._mistakes(softmax_course)
    assert problems == [(f"{path}: its docstring quotes the reference's line `log_p = log_softmax(logits, axis=1)`, "
                         "and releases show it to students: say what to change without giving the solution's code")]
    template = softmax_course.template_paths[0]
    template.write_text(template.read_text() + "# hint: log_p = log_softmax(logits, axis=1)\n")
    assert validation._mistakes(softmax_course) == []


def test_validate_names_a_definition_a_mistake_copies_unchanged(softmax_course):
    path = softmax_course.root / "reference" / "mistakes" / "softmax" / "softmax_ignores_axis.py"
    reference = softmax_course.reference_path.read_text()
    kl = reference[reference.index("def kl_divergence"):]
    path.write_text(path.read_text() + "\n\n" + kl)
    line = path.read_text().splitlines().index("def kl_divergence(p, q):") + 1
    assert validation._mistakes(softmax_course) == [
        (f"{path}: `kl_divergence` (line {line}) is the reference's own; a mistake file holds only the definitions "
         "it changes: delete it")]


def test_validate_names_a_mistake_that_changes_nothing(softmax_course):
    path = softmax_course.root / "reference" / "mistakes" / "softmax" / "only_words.py"
    path.write_text('"""Nothing is wrong.\n\nFix: nothing.\n"""\nimport numpy as np\n')
    assert validation._mistakes(softmax_course) == [
        f"{path}: changes nothing: give the definitions the mistake changes, as they would be in the reference"]


def test_the_audit_makes_a_mistake_that_does_not_compose_a_finding_and_grades_the_others(
        softmax_course, layers, workers):
    for part in ("rubrics/softmax.toml",):
        (softmax_course.root / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / part, softmax_course.root / part)
    broken = softmax_course.root / "reference" / "mistakes" / "softmax" / "softmax_ignores_axis.py"
    broken.write_text(broken.read_text() + "print('not a definition')\n")
    from grader import audit, rubric
    lines = []
    found = assignment.load("softmax", softmax_course.root)
    findings = audit.run(found, rubric.load(found), layers, seed=5, echo=lines.append, workers=workers,
                         degenerates=False)
    assert findings == 1, "\n".join(lines)
    assert any(line.startswith(f"FINDING softmax: mistake softmax_ignores_axis.py cannot be graded: {broken} line ")
               for line in lines)
    assert "softmax: 18 mistakes, 0 correct alternatives, 18 tests (seed 5)" in lines


def test_the_diagnoser_knows_which_definitions_each_mistake_changes():
    from grader.diagnosis import Diagnoser
    loaded = {m.name: m for m in Diagnoser(assignment.load("conv", ROOT), seed=1).mistakes}
    assert loaded["output_size_rounds_up"].changes == ("output_size", "pad_input", "conv_forward", "conv_backward")
    assert loaded["forgets_bias"].changes == ("conv_forward",)
    eval_mistake = {m.name: m for m in Diagnoser(assignment.load("batchnorm", ROOT), seed=1).mistakes}
    assert eval_mistake["eval_does_not_clear_training"].changes == ("BatchNorm1d.eval",)
