"""Mutants: single-edit variants of a reference solution, to measure how strong the probes are.

``grader audit --mutants`` grades each mutant as a submission (grader.mutation); a mutant
that keeps full marks *survived*: the probes cannot tell that edit from the reference.
Each mutant changes one node of one function or method body (docstrings, signatures and
module-level code are never touched), by one of these operators (grader/mutator.py):

- ``axis``: an ``axis=``/``dim=`` keyword set to another axis (``0 <-> 1``, ``-1 -> 0``;
  a parameter passed on, ``axis=axis``, becomes ``-1`` or ``1``) or dropped;
- ``keepdims``: ``keepdims=True`` made False, or added to a reduction along an axis;
- ``off_by_one``: a slice bound, a ``range`` argument or a name used as an index, +-1;
- ``swap``: the operands of ``-``, ``/``, ``//``, ``%``, ``**``, ``@``; two neighbouring
  positional arguments of a call (not of commutative ones; the branches of ``where``);
  two neighbouring values of a returned tuple or targets of an unpacking;
- ``drop``: a term or factor of ``+``, ``-``, ``*``, ``/``, ``//``, ``**`` dropped; an
  elementwise function (``sqrt``, ``exp``, ``log``, ``abs``, ``tanh``...) or ``.T`` dropped;
  a statement that only updates something (``a += b``, ``self.x = ...``, a call) removed;
- ``sign``: a unary minus or ``~`` dropped; ``+ <-> -``, ``* <-> /``;
- ``constant``: an integer k -> k + 1 and k - 1; a float 0 -> 1, 1 -> 0 and 2, c -> 2c
  and c/2; True <-> False;
- ``comparison``: ``< <-> <=``, ``> <-> >=``, ``< <-> >``, ``== <-> !=``, ``is <-> is not``,
  ``not x -> x``;
- ``in_place``: ``t = p - e`` (``p`` or ``p[i]`` an argument) made ``p -= e; t = p``, the
  caller's array modified; a ``.copy()`` or ``np.copy`` dropped;
- ``accumulate``: ``a += b`` made ``a = b``;
- ``call``: a function swapped for its usual confusion (``sum <-> mean``, ``max <-> min``,
  ``maximum <-> minimum``, ``tril <-> triu``, ``zeros <-> ones``, ``tanh <-> sigmoid``...);
- ``name``: a variable read replaced by the most similar other variable of the function
  (``prev_c -> prev_h``, ``dWx -> dWh``), an attribute of ``self`` by the most similar
  other one (``self.k_proj -> self.v_proj``), as :func:`difflib.get_close_matches` ranks them;
- ``keyword``: any other keyword argument dropped (its default used instead).

Generation is deterministic (the order of the nodes in the source, then of the operators
above). Mutants that give the function the same source as the reference, or as an earlier
mutant, are left out. At most ``MAX_PER_FUNCTION`` mutants are kept per function: when a
function has more, an evenly spaced selection in that order.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path

from grader.mutator import Scope, Site, replacements
from grader import syntax

MAX_PER_FUNCTION = 120

@dataclass(frozen=True)
class Mutant:
    """One single-edit variant of the reference.

    ``before`` and ``after`` are the statement changed, as one line each (the first line of
    a compound statement; ``after`` is empty for a removed statement); ``occurrence`` tells
    apart mutants of one function that make the same edit in the same words at different
    places (1, 2, ... in source order)."""

    function: str     # "softmax", "BatchNorm1d.forward"
    operator: str     # one of grader.mutator.OPERATORS
    line: int         # in the reference file
    before: str
    after: str
    occurrence: int
    source: str       # the whole mutated module
    of: int           # how many mutants the function has before the cap

    @property
    def key(self) -> tuple[str, str, str, int]:
        return self.function, self.before, self.after, self.occurrence

    @property
    def edit(self) -> str:
        """The edit, one line: ``line 20 (keepdims): before  ->  after``."""
        again = f" (occurrence {self.occurrence})" if self.occurrence > 1 else ""
        return f"line {self.line} ({self.operator}): {self.before}  ->  {self.after or '(removed)'}{again}"


def functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef]]:
    """Every module-level function and every method of a module-level class, in source order,
    with its qualified name (``"BatchNorm1d.forward"``)."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            found += [(f"{node.name}.{m.name}", m) for m in node.body if isinstance(m, ast.FunctionDef)]
    return found

def generate(source: str, cap: int = MAX_PER_FUNCTION, only: set[str] | None = None) -> tuple[Mutant, ...]:
    """The mutants of every function of ``source`` (or of those named in ``only``), at most
    ``cap`` per function. Raises SyntaxError when ``source`` does not parse."""
    tree = syntax.parse(source)
    defined = frozenset(n.name for n in tree.body if isinstance(n, ast.FunctionDef))
    attributes = {n.name: tuple(sorted({a.attr for a in ast.walk(n) if isinstance(a, ast.Attribute)
                                        and isinstance(a.value, ast.Name) and a.value.id == "self"}
                                       - {m.name for m in n.body if isinstance(m, ast.FunctionDef)}))
                  for n in tree.body if isinstance(n, ast.ClassDef)}
    result = []
    for name, function in functions(tree):
        if only is not None and name not in only:
            continue
        arguments = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
        parameters = frozenset(a.arg for a in arguments) - {"self"}
        assigned = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        scope = Scope(parameters, tuple(sorted(parameters | assigned - {"_"})),
                       attributes.get(name.partition(".")[0], ()) if "." in name else (), defined)
        result += _of_function(tree, name, function, scope, cap)
    return tuple(result)


def from_file(path: Path, cap: int = MAX_PER_FUNCTION) -> tuple[Mutant, ...]:
    """The mutants of a reference file."""
    return generate(path.read_text(encoding="utf-8"), cap)


def _of_function(tree, name, function, scope: Scope, cap) -> list[Mutant]:
    seen, made, counts = {ast.unparse(function)}, [], {}
    sites = _sites(function)
    holder = _holder(tree, function)
    for number, site in enumerate(sites):
        for operator, replacement in replacements(site, scope):
            for new in replacement if isinstance(replacement, list) else [replacement]:
                ast.fix_missing_locations(ast.copy_location(new, site.node))
            mutated = copy.deepcopy(function)
            targets = _sites(mutated)
            _put(targets[number], copy.deepcopy(replacement))
            ast.fix_missing_locations(mutated)
            changed = ast.unparse(mutated)
            if changed in seen:
                continue
            seen.add(changed)
            text = _module_with(tree, holder, function, mutated)
            try:
                compile(text, "<mutant>", "exec")
            except (SyntaxError, ValueError, TypeError):
                continue
            before = _first_line(sites[site.statement].node)
            if isinstance(replacement, list):  # the statement itself was replaced
                after = "; ".join(_first_line(s) for s in replacement)
            else:
                after = _first_line(targets[site.statement].node)
            counts[(before, after)] = counts.get((before, after), 0) + 1
            made.append((operator, getattr(site.node, "lineno", function.lineno), before, after,
                         counts[(before, after)], text))
    kept = made if len(made) <= cap else [made[i * len(made) // cap] for i in range(cap)]
    return [Mutant(name, *fields, of=len(made)) for fields in kept]


def _holder(tree: ast.Module, function: ast.FunctionDef) -> list:
    """The list of statements that holds ``function``: the module's body or its class's."""
    for node in tree.body:
        if node is function:
            return tree.body
        if isinstance(node, ast.ClassDef) and any(m is function for m in node.body):
            return node.body
    raise ValueError(f"{function.name} is not a module-level function or method")


def _module_with(tree: ast.Module, holder: list, function: ast.FunctionDef, mutated: ast.FunctionDef) -> str:
    """The source of ``tree`` with ``mutated`` in the place of ``function``."""
    index = next(i for i, node in enumerate(holder) if node is function)
    holder[index] = mutated
    try:
        return ast.unparse(tree) + "\n"
    finally:
        holder[index] = function


def _first_line(statement: ast.AST) -> str:
    """A statement as one line: ``for t in range(T):`` for a compound one."""
    return ast.unparse(statement).splitlines()[0]


def _sites(function: ast.FunctionDef) -> list[Site]:
    """Every node of the body but the docstring, in source (pre-)order; nested definitions
    are not entered. A site knows the number of its innermost statement's site."""
    body = function.body
    start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str) else 0
    found: list[Site] = []

    def walk(holder, field, index, node, statement):
        if isinstance(node, ast.stmt):
            statement = len(found)
        found.append(Site(holder, field, index, node, statement))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        walk(node, name, i, item, statement)
            elif isinstance(value, ast.AST):
                walk(node, name, None, value, statement)

    for i in range(start, len(body)):
        walk(function, "body", i, body[i], 0)
    return found


def _put(site: Site, replacement) -> None:
    if site.index is None:
        setattr(site.holder, site.field, replacement)
        return
    items = getattr(site.holder, site.field)
    new = replacement if isinstance(replacement, list) else [replacement]
    items[site.index:site.index + 1] = new
    if not items and site.field == "body":  # a body that lost its only statement
        items.append(ast.Pass())
