"""The mutation operators of grader.mutant: each proposes replacements for one node.

Every operator takes the original node (and what it needs of its surroundings) and builds
new nodes; it never changes the node it is given. The operators, in the order they are
tried, are listed in grader.mutant's docstring.
"""
from __future__ import annotations

import ast
import copy
import difflib
from dataclasses import dataclass

OPERATORS = ("axis", "keepdims", "off_by_one", "swap", "drop", "sign", "constant", "comparison",
             "in_place", "accumulate", "call", "name", "keyword")

_REDUCTIONS = {"sum", "mean", "max", "min", "var", "std", "prod", "amax", "amin"}
_COMMUTATIVE = {"maximum", "minimum", "add", "multiply", "logical_and", "logical_or", "allclose",
                "isclose", "array_equal", "Linear", "transpose", "swapaxes", "swapdims"}
_WRAPPERS = {"sqrt", "exp", "log", "abs", "absolute", "tanh", "sigmoid", "square", "log1p", "expm1",
             "softmax", "relu", "reversed"}
_CONFUSED = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "amax": "amin", "amin": "amax",
             "maximum": "minimum", "minimum": "maximum", "argmax": "argmin", "argmin": "argmax",
             "tril": "triu", "triu": "tril", "zeros": "ones", "ones": "zeros",
             "zeros_like": "ones_like", "ones_like": "zeros_like"}
_FLIPPED = {ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt,), ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt,),
            ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,)}
_SWAPPABLE = (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult)
_IN_PLACE = (ast.Add, ast.Sub, ast.Mult, ast.Div)

@dataclass(frozen=True)
class Site:
    """Where a node sits: its holder, the field, and the index in a list field (or None)."""

    holder: ast.AST
    field: str
    index: int | None
    node: ast.AST
    statement: int  # the number of the site of the innermost statement holding the node


@dataclass(frozen=True)
class Scope:
    """What the operators need to know around a function."""

    parameters: frozenset[str]   # its arguments
    variables: tuple[str, ...]   # its arguments and the names it assigns, sorted
    attributes: tuple[str, ...]  # the ``self.<name>`` its class uses, sorted
    defined: frozenset[str]      # the module's functions


def replacements(site: Site, scope: Scope):
    """(operator, replacement) pairs for one node, in the order of OPERATORS."""
    node = site.node
    if isinstance(node, ast.expr_context | ast.operator | ast.cmpop | ast.unaryop | ast.boolop):
        return
    yield from (("axis", r) for r in _axis(node))
    yield from (("keepdims", r) for r in _keepdims(node))
    yield from (("off_by_one", r) for r in _off_by_one(node))
    yield from (("swap", r) for r in _swap(node))
    yield from (("drop", r) for r in _drop(site))
    yield from (("sign", r) for r in _sign(node))
    if not _is_keyword_value(site, ("axis", "dim", "keepdims")) and not _is_negated(site):
        yield from (("constant", r) for r in _constant(node))
    yield from (("comparison", r) for r in _comparison(node))
    yield from (("in_place", r) for r in _in_place(site, scope.parameters))
    if isinstance(node, ast.AugAssign):
        yield "accumulate", [ast.Assign([_store(node.target)], copy.deepcopy(node.value))]
    yield from (("call", r) for r in _call(node, scope.defined))
    yield from (("name", r) for r in _name(node, scope))
    yield from (("keyword", r) for r in _keyword(node))


# -- the operators (each takes the original node and builds new nodes; it never changes it)

def _axis(node):
    if not isinstance(node, ast.Call):
        return
    for i, keyword in enumerate(node.keywords):
        if keyword.arg not in ("axis", "dim"):
            continue
        value = keyword.value
        if isinstance(value, ast.Constant) and type(value.value) is int:
            choices = [{0: 1, 1: 0}.get(value.value, 0)]
        elif isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
            choices = [0]
        else:
            choices = [-1, 1]
        for choice in choices:
            yield _with_keyword(node, i, _number(choice))
        yield _with_keyword(node, i, None)


def _keepdims(node):
    if not isinstance(node, ast.Call):
        return
    names = [k.arg for k in node.keywords]
    if "keepdims" in names:
        i = names.index("keepdims")
        value = node.keywords[i].value
        if isinstance(value, ast.Constant) and value.value is True:
            yield _with_keyword(node, i, ast.Constant(False))
    elif ("axis" in names or "dim" in names) and _called_name(node) in _REDUCTIONS:
        changed = copy.deepcopy(node)
        changed.keywords.append(ast.keyword("keepdim" if "dim" in names else "keepdims", ast.Constant(True)))
        yield changed


def _off_by_one(node):
    if isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            if getattr(node, bound) is not None:
                for step in (1, -1):
                    changed = copy.deepcopy(node)
                    setattr(changed, bound, _plus(getattr(node, bound), step))
                    yield changed
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        for i, argument in enumerate(node.args):
            for step in (-1, 1):
                changed = copy.deepcopy(node)
                changed.args[i] = _plus(argument, step)
                yield changed
    elif isinstance(node, ast.Subscript):
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        for i, element in enumerate(elements):
            if isinstance(element, ast.Name):
                for step in (-1, 1):
                    changed = copy.deepcopy(node)
                    if isinstance(changed.slice, ast.Tuple):
                        changed.slice.elts[i] = _plus(element, step)
                    else:
                        changed.slice = _plus(element, step)
                    yield changed


def _swap(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, _SWAPPABLE) and not _same(node.left, node.right):
        yield ast.BinOp(copy.deepcopy(node.right), node.op, copy.deepcopy(node.left))
    elif isinstance(node, ast.Call) and _called_name(node) not in _COMMUTATIVE:
        pairs = [(1, 2)] if _called_name(node) == "where" else [(i, i + 1) for i in range(len(node.args) - 1)]
        for i, j in pairs:
            if j < len(node.args) and not _same(node.args[i], node.args[j]) and \
                    not any(isinstance(a, ast.Starred) for a in node.args[i:j + 1]):
                changed = copy.deepcopy(node)
                changed.args[i], changed.args[j] = changed.args[j], changed.args[i]
                yield changed
    elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
        for _, changed_tuple in _neighbours(node.value):
            yield [ast.Return(changed_tuple)]
    elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple):
        values = node.value.elts if isinstance(node.value, ast.Tuple) else None
        for i, changed_tuple in _neighbours(node.targets[0]):
            if values is None or len(values) != len(changed_tuple.elts) or not _same(values[i], values[i + 1]):
                yield [ast.Assign([changed_tuple], copy.deepcopy(node.value))]


def _drop(site: Site):
    node = site.node
    if isinstance(node, ast.BinOp):
        neutral = 0 if isinstance(node.op, (ast.Add, ast.Sub)) else 1  # dropping it changes nothing
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)) \
                and not _is_number(node.right, neutral) and not _is_number(node.left, 0):
            yield copy.deepcopy(node.left)
        if isinstance(node.op, (ast.Add, ast.Mult)) and not _is_number(node.left, neutral) \
                and not _is_number(node.right, 0):
            yield copy.deepcopy(node.right)
    elif isinstance(node, ast.Call) and _called_name(node) in _WRAPPERS and len(node.args) == 1 \
            and not isinstance(node.args[0], ast.Starred):
        yield copy.deepcopy(node.args[0])
    elif isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield copy.deepcopy(node.value)
    elif site.index is not None and (isinstance(node, (ast.AugAssign, ast.Expr)) or (
            isinstance(node, ast.Assign) and all(isinstance(t, (ast.Attribute, ast.Subscript)) for t in node.targets))):
        yield []


def _sign(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Invert)):
        if not isinstance(node.operand, ast.Constant):
            yield copy.deepcopy(node.operand)
    elif isinstance(node, ast.BinOp):
        other = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}.get(type(node.op))
        if other is not None:
            yield ast.BinOp(copy.deepcopy(node.left), other(), copy.deepcopy(node.right))


def _constant(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
        value = -node.operand.value
    elif isinstance(node, ast.Constant):
        value = node.value
    else:
        return
    if isinstance(value, bool):
        yield ast.Constant(not value)
    elif isinstance(value, int):
        yield from (_number(value + 1), _number(value - 1))
    elif isinstance(value, float):
        choices = [1.0] if value == 0 else [0.0, 2.0] if value == 1 else [value * 2, value / 2]
        yield from (_number(choice) for choice in choices)


def _comparison(node):
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        for other in _FLIPPED.get(type(node.ops[0]), ()):
            yield ast.Compare(copy.deepcopy(node.left), [other()], copy.deepcopy(node.comparators))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield copy.deepcopy(node.operand)


def _in_place(site: Site, parameters: set[str]):
    node = site.node
    if site.index is not None and isinstance(node, ast.Assign) and len(node.targets) == 1 \
            and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, _IN_PLACE):
        left = node.value.left
        argument = left if isinstance(left, ast.Name) else left.value if isinstance(left, ast.Subscript) else None
        if isinstance(argument, ast.Name) and argument.id in parameters:
            statements = [ast.AugAssign(_store(left), node.value.op, copy.deepcopy(node.value.right))]
            if ast.unparse(node.targets[0]) != ast.unparse(left):
                statements.append(ast.Assign([copy.deepcopy(node.targets[0])], _load(left)))
            yield statements
    elif isinstance(node, ast.Call) and not node.keywords:
        if isinstance(node.func, ast.Attribute) and node.func.attr == "copy" and not node.args:
            yield copy.deepcopy(node.func.value)
        elif _called_name(node) == "copy" and len(node.args) == 1 and isinstance(node.func, ast.Attribute):
            yield copy.deepcopy(node.args[0])


def _call(node, defined: set[str]):
    if not isinstance(node, ast.Call):
        return
    name = _called_name(node)
    if name in _CONFUSED and isinstance(node.func, ast.Attribute):
        changed = copy.deepcopy(node)
        changed.func.attr = _CONFUSED[name]
        yield changed
    elif name == "tanh" and "sigmoid" in defined:
        yield ast.Call(ast.Name("sigmoid", ast.Load()), copy.deepcopy(node.args), copy.deepcopy(node.keywords))
    elif name == "sigmoid" and isinstance(node.func, ast.Name):
        yield ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "tanh", ast.Load()),
                       copy.deepcopy(node.args), copy.deepcopy(node.keywords))


def _name(node, scope: Scope):
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in scope.variables:
        for other in difflib.get_close_matches(node.id, [v for v in scope.variables if v != node.id], n=1):
            yield ast.Name(other, ast.Load())
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" \
            and isinstance(node.ctx, ast.Load):
        for other in difflib.get_close_matches(node.attr, [a for a in scope.attributes if a != node.attr], n=1):
            yield ast.Attribute(ast.Name("self", ast.Load()), other, ast.Load())


def _keyword(node):
    if isinstance(node, ast.Call):
        for i, keyword in enumerate(node.keywords):
            if keyword.arg is not None and keyword.arg not in ("axis", "dim", "keepdims", "keepdim"):
                yield _with_keyword(node, i, None)


# -- small builders

def _called_name(node: ast.Call) -> str | None:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _with_keyword(node: ast.Call, i: int, value: ast.expr | None) -> ast.Call:
    """``node`` with keyword ``i`` given ``value`` (dropped when None)."""
    changed = copy.deepcopy(node)
    if value is None:
        del changed.keywords[i]
    else:
        changed.keywords[i].value = value
    return changed


def _is_keyword_value(site: Site, names: tuple[str, ...]) -> bool:
    return isinstance(site.holder, ast.keyword) and site.holder.arg in names


def _is_negated(site: Site) -> bool:
    """The 1 of ``-1``: the constant operator changes ``-1`` as a whole."""
    return isinstance(site.holder, ast.UnaryOp) and isinstance(site.holder.op, ast.USub)


def _number(value) -> ast.expr:
    return ast.UnaryOp(ast.USub(), ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _plus(node: ast.expr, step: int) -> ast.expr:
    """``node + step`` (folded when ``node`` is an integer)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return _number(node.value + step)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return _number(-node.operand.value + step)
    return ast.BinOp(copy.deepcopy(node), ast.Add() if step > 0 else ast.Sub(), ast.Constant(abs(step)))


def _neighbours(pack: ast.Tuple):
    for i in range(len(pack.elts) - 1):
        if not _same(pack.elts[i], pack.elts[i + 1]):
            changed = copy.deepcopy(pack)
            changed.elts[i], changed.elts[i + 1] = changed.elts[i + 1], changed.elts[i]
            yield i, changed


def _is_number(node: ast.AST, value) -> bool:
    return isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value == value


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a) == ast.dump(b)


def _store(node: ast.expr) -> ast.expr:
    changed = copy.deepcopy(node)
    changed.ctx = ast.Store()
    return changed


def _load(node: ast.expr) -> ast.expr:
    changed = copy.deepcopy(node)
    changed.ctx = ast.Load()
    return changed
