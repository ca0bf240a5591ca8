"""Degenerate submissions: the reference with every contract function doing no work.

A test that gives points to a submission that computes nothing rewards no work: a probe
"leaves its inputs unchanged" passes a function whose body is ``pass``. ``grader audit``
and ``grader validate`` generate such submissions from the reference by an AST transform
(signatures and docstrings kept) and grade them; a test that uses a degenerate function
and still scores is a finding.

Forms (every contract function and every public method of a contract class at once):

- ``pass``: the body is ``pass`` (returns None);
- ``raise``: ``raise NotImplementedError``;
- ``first_argument``: returns its first argument (``self`` aside), a tuple of it where
  the reference returns a tuple of k values;
- ``zeros``: returns zeros shaped like its first array argument (a tuple of k such);
- ``zeros_of_answer_shape``: returns the reference's answer with every number zeroed
  (arrays, tensors and scalars; tuples, lists and dicts kept): the right shapes, no work.

A contract class's ``__init__`` keeps the reference's body in these forms: the contract
says the constructor sets attributes (``BatchNorm1d.gamma``...), and without them every
method fails for a reason other than doing nothing. A test that uses only kept code (the
constructor) may score. Two more forms make ``__init__`` degenerate too (``pass`` and
``raise`` everywhere), and the untouched template is graded with them.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment, CourseError
from grader.probe import load_module
from grader import syntax

FORMS = ("pass", "raise", "first_argument", "zeros", "zeros_of_answer_shape")
_PREFIX = "_degenerate_"
_REFERENCE = "_reference_"

# Appended to every generated submission (names start with _degenerate_: no clash with
# the reference's own). NumPy is available in every assignment.
_HELPERS = '''
import copy as _degenerate_copy
import numpy as _degenerate_np


def _degenerate_zeros(count, *arguments):
    """Zeros shaped like the first array (or tensor) argument; 0.0 when there is none."""
    def zeros():
        for argument in arguments:
            if isinstance(argument, _degenerate_np.ndarray):
                return _degenerate_np.zeros_like(argument)
            if hasattr(argument, "new_zeros") and hasattr(argument, "shape"):
                return argument.detach().new_zeros(argument.shape)
        return 0.0
    return zeros() if count == 1 else tuple(zeros() for _ in range(count))


def _degenerate_zero_tree(value):
    """``value`` with every number zeroed and its structure kept."""
    if isinstance(value, _degenerate_np.ndarray):
        return _degenerate_np.zeros_like(value)
    if isinstance(value, (bool, _degenerate_np.bool_)):
        return type(value)(False)
    if isinstance(value, (int, float, complex, _degenerate_np.number)):
        return type(value)(0)
    if isinstance(value, (tuple, list)):
        return type(value)(_degenerate_zero_tree(item) for item in value)
    if isinstance(value, dict):
        return {key: _degenerate_zero_tree(item) for key, item in value.items()}
    if hasattr(value, "new_zeros") and hasattr(value, "shape"):
        return value.detach().new_zeros(value.shape)
    return None


def _degenerate_answer(function, *arguments, **keywords):
    """The reference's answer, zeroed."""
    return _degenerate_zero_tree(function(*arguments, **keywords))


def _degenerate_method_answer(function, instance, *arguments, **keywords):
    """The reference method's answer on a copy of the instance (its state stays untouched), zeroed."""
    return _degenerate_zero_tree(function(_degenerate_copy.deepcopy(instance), *arguments, **keywords))
'''


@dataclass(frozen=True)
class Target:
    """A contract function, or a public method (or the constructor) of a contract class."""

    name: str            # "fit", "BatchNorm1d.forward"
    owner: str | None    # the class, for a method
    parameters: tuple[str, ...]   # positional parameters, ``self`` aside
    returns: int         # k when every return of the reference is a tuple of k values, else 1
    call: str            # the argument list that passes every parameter on, as source

    @property
    def is_constructor(self) -> bool:
        return self.owner is not None and self.name.endswith(".__init__")


@dataclass(frozen=True)
class Variant:
    """One generated submission."""

    form: str
    label: str                 # what a reader of the audit sees
    source: str
    degenerate: frozenset[str]  # the targets that do no work
    kept: frozenset[str]        # the targets that keep the reference's body (constructors)

    @property
    def stem(self) -> str:
        return f"degenerate_{self.form}" + ("" if self.kept else "_everywhere")


def targets(found: Assignment) -> tuple[Target, ...]:
    """The contract's functions and methods, as the reference defines them."""
    tree = _parse(found.reference_path)
    defined = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    result = []
    for name in found.functions:
        node = defined.get(name)
        if node is None:
            raise CourseError(f"{found.reference_path}: defines no `{name}`, which assignment.toml lists")
        if isinstance(node, ast.FunctionDef):
            result.append(_target(node, name, None))
            continue
        for method in node.body:
            if isinstance(method, ast.FunctionDef) and (method.name == "__init__" or not method.name.startswith("_")):
                result.append(_target(method, f"{name}.{method.name}", name))
    return tuple(result)


def variants(found: Assignment) -> tuple[Variant, ...]:
    """Every degenerate submission of the assignment (the templates are graded besides)."""
    every = targets(found)
    constructors = frozenset(t.name for t in every if t.is_constructor)
    made = [_variant(found, every, form, kept=constructors) for form in FORMS]
    if constructors:
        made += [_variant(found, every, form, kept=frozenset()) for form in ("pass", "raise")]
    return tuple(made)


def _variant(found: Assignment, every: tuple[Target, ...], form: str, kept: frozenset[str]) -> Variant:
    tree = _parse(found.reference_path)
    chosen = {t.name: t for t in every if t.name not in kept}
    if form == "zeros_of_answer_shape":
        tree.body.extend(_reference_copies(found, tree))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in chosen:
            node.body = _docstring(node) + _body(chosen[node.name], form)
        elif isinstance(node, ast.ClassDef):
            for method in node.body:
                qualified = f"{node.name}.{method.name}" if isinstance(method, ast.FunctionDef) else ""
                if qualified in chosen:
                    method.body = _docstring(method) + _body(chosen[qualified], form)
    tree.body.extend(syntax.parse(_HELPERS).body)
    source = f'"""A degenerate submission of {found.name}, generated by grader audit ({form})."""\n'
    source += ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    if kept:
        label = f"every function and method: {form} (kept: {', '.join(sorted(kept))})"
    else:
        label = f"every function{' and method, constructors too' if any(t.owner for t in every) else ''}: {form}"
    return Variant(form, label, source, frozenset(chosen), kept)


def _form_for(target: Target, form: str) -> str:
    """A form that returns something has nothing to return without arguments: ``pass``."""
    if target.is_constructor and form not in ("pass", "raise"):
        raise ValueError(f"{target.name}: a constructor is only made degenerate by pass or raise")
    if form in ("first_argument", "zeros") and not target.parameters:
        return "pass"
    return form


def _body(target: Target, form: str) -> list[ast.stmt]:
    form = _form_for(target, form)
    if form == "pass":
        text = "pass"
    elif form == "raise":
        text = "raise NotImplementedError"
    elif form == "first_argument":
        first = target.parameters[0]
        text = f"return {first}" if target.returns == 1 else f"return ({first},) * {target.returns}"
    elif form == "zeros":
        text = f"return {_PREFIX}zeros({target.returns}, {', '.join(target.parameters)})"
    elif form == "zeros_of_answer_shape":
        if target.owner is None:
            text = f"return {_PREFIX}answer({_REFERENCE}{target.name}, {target.call})"
        else:
            method = target.name.split(".", 1)[1]
            text = f"return {_PREFIX}method_answer({_REFERENCE}{target.owner}.{method}, self, {target.call})"
    else:
        raise ValueError(f"unknown degenerate form {form!r}; known: {', '.join(FORMS)}")
    return syntax.parse(text).body


def _reference_copies(found: Assignment, tree: ast.Module) -> list[ast.stmt]:
    """Pristine copies of the contract definitions, renamed ``_reference_<name>``, whose
    calls of contract names go to the copies (so the answer is the reference's)."""
    names = set(found.functions)

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.Name:
            return ast.copy_location(ast.Name(_REFERENCE + node.id, node.ctx), node) if node.id in names else node

    copies = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            duplicate = Rename().visit(copy.deepcopy(node))
            duplicate.name = _REFERENCE + node.name
            copies.append(duplicate)
    return copies


def _target(node: ast.FunctionDef, name: str, owner: str | None) -> Target:
    arguments = node.args
    positional = [a.arg for a in arguments.posonlyargs + arguments.args]
    if owner is not None:
        positional = positional[1:]  # self
    call = positional + ([f"*{arguments.vararg.arg}"] if arguments.vararg else [])
    call += [f"{a.arg}={a.arg}" for a in arguments.kwonlyargs]
    call += [f"**{arguments.kwarg.arg}"] if arguments.kwarg else []
    return Target(name, owner, tuple(positional), _returned_count(node), ", ".join(call))


def _returned_count(function: ast.FunctionDef) -> int:
    """k when every ``return`` of ``function`` (not of nested functions) gives k values."""
    sizes = set()
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            sizes.add(len(node.value.elts) if isinstance(node.value, ast.Tuple) else 1)
        stack.extend(ast.iter_child_nodes(node))
    return sizes.pop() if len(sizes) == 1 else 1


def _docstring(function: ast.FunctionDef) -> list[ast.stmt]:
    first = function.body[0] if function.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return [first]
    return []


def _parse(path: Path) -> ast.Module:
    try:
        return syntax.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path}: cannot read the reference: {exc}") from exc


# -- which contract code each test uses, traced on the reference

def exercised(found: Assignment, seed: int, names=None) -> dict[str, frozenset[str]]:
    """Per test: the contract functions and methods its probe calls on the reference
    (directly or through other contract functions), e.g. {"BatchNorm1d.__init__", ...};
    ``names``: trace these functions and ``Class.method``s of the reference instead
    (helpers too, as grader.mutation does)."""
    every = [t.name for t in targets(found)] if names is None else list(names)
    called: set[str] = set()
    module = load_module(found.reference_path, f"_grader_traced_{found.name}")
    for name in every:
        owner, _, method = name.rpartition(".")
        if not owner:
            setattr(module, name, _recording(getattr(module, name), name, called))
        else:
            cls = getattr(module, owner)
            setattr(cls, method, _recording(cls.__dict__[method], name, called))
    result = {}
    for probe in found.probes:
        called.clear()
        try:
            probe.run(module, seed)
        except Exception as exc:
            raise CourseError(f"the reference solution reference/{found.name}.py fails test {probe.id!r}: "
                              f"{type(exc).__name__}: {exc}") from exc
        result[probe.id] = frozenset(called)
    return result


def _recording(function, name: str, called: set[str]):
    def recorded(*arguments, **keywords):
        called.add(name)
        return function(*arguments, **keywords)
    recorded.__name__, recorded.__doc__ = function.__name__, function.__doc__
    return recorded
