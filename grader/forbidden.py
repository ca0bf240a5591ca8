"""Static detection of forbidden routines: which of a submission's functions use them.

The submission's code units are parsed (never run). Import aliases are resolved
(``import torch.nn.functional as F``, ``from scipy import linalg``, and imports spelled
as calls with a constant name: ``__import__("torch")``, ``importlib.import_module``,
``importlib.__import__``, ``importlib.util.find_spec``, ``sys.modules["torch"]``,
``getattr(module, "name")``, under any alias), then every name or attribute chain that
resolves to a forbidden module or routine is a finding, placed in the top-level function
or class that contains it. A forbidden routine is also found by another path of its
package (``torch._C._nn.scaled_dot_product_attention``). A function that uses a tainted
name (a function, a class, or a module-level name bound to a forbidden value, directly or
through other module-level names) is tainted too; tests that call a tainted function
score 0.

Run-time tripwires (grader.guard) catch what the parser cannot see. Their events while
the submission loaded are attributed here, by line: the names bound by the module-level
statement that was running (or the function or class it defines) are tainted.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from grader.assignment import Forbidden
from grader.submission import CodeUnit
from grader import syntax


@dataclass(frozen=True)
class Finding:
    what: str      # "torch.softmax", "import scipy"
    where: str     # "softmax.py, line 12"
    owner: str     # the top-level function or class, or "" at module level

    def describe(self) -> str:
        inside = f" in `{self.owner}`" if self.owner else ""
        return f"`{self.what}` ({self.where}{inside})"


@dataclass(frozen=True)
class Scan:
    findings: tuple[Finding, ...]
    tainted: dict  # top-level name -> the Finding that taints it

    def blocking(self, calls: tuple[str, ...]) -> str:
        """Why a test calling ``calls`` is disqualified ("" when it is not)."""
        for name in calls:
            if name in self.tainted:
                return f"`{name}` uses the forbidden {self.tainted[name].describe()}"
        return ""


def scan(units: tuple[CodeUnit, ...], forbidden: Forbidden, load_events=()) -> Scan:
    """The findings in ``units``; ``load_events`` are grader.guard's events while they
    loaded (dicts with "what" and "where"), attributed by line."""
    if not forbidden.modules and not forbidden.calls:
        return Scan((), {})
    visitor = _Visitor(forbidden)
    trees = {}
    for unit in units:
        try:
            tree = syntax.parse(unit.source, filename=unit.filename)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # a unit that does not parse does not run either
        visitor.unit = unit.filename
        visitor.visit(tree)
        trees[unit.filename] = tree
    for event in load_events:
        _attribute(visitor, trees, event)
    return Scan(tuple(visitor.findings), _taint(visitor))


def _taint(visitor: _Visitor) -> dict:
    """Top-level name (but a module bound by ``import``) -> the finding that taints it,
    to a fixpoint over uses."""
    tainted = {f.owner: f for f in visitor.findings if f.owner}
    tainted.update({a: f for a, f in visitor.tainted_aliases.items() if a not in tainted})
    uses = {**visitor.bindings, **visitor.uses}  # functions and classes win over a same-named global
    changed = True
    while changed:
        changed = False
        for owner, names in uses.items():
            if owner in tainted:
                continue
            for name in names:
                if name in tainted and name != owner:
                    tainted[owner] = tainted[name]
                    changed = True
                    break
    return {name: f for name, f in tainted.items() if name not in visitor.module_imports}


_RUN_FROM = re.compile(r", run from (?P<file>.+), line (?P<line>\d{1,9})$")
_AT = re.compile(r"^(?P<file>.+?), line (?P<line>\d{1,9})")


def _attribute(visitor: _Visitor, trees: dict, event) -> None:
    """Taint what the module-level statement behind a load-time event binds."""
    if not isinstance(event, dict) or not isinstance(event.get("where"), str):
        return
    where, what = event["where"][:300], str(event.get("what"))[:300]
    found = _RUN_FROM.search(where) or _AT.match(where)
    if not found or found["file"] not in trees:
        return
    statement = _statement(trees[found["file"]].body, int(found["line"]))
    if statement is None:
        return
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        visitor.findings.append(Finding(what, where, statement.name))
        return
    finding = Finding(what, where, "")
    for name in _bound(statement):
        visitor.tainted_aliases.setdefault(name, finding)


def _statement(body: list, line: int):
    """The innermost statement of ``body`` at ``line``, not entering functions or classes."""
    for node in body:
        if not isinstance(node, ast.stmt) or not node.lineno <= line <= (node.end_lineno or node.lineno):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return node
        inner = [child for field in ("body", "orelse", "finalbody") for child in getattr(node, field, [])]
        inner += [child for handler in getattr(node, "handlers", []) for child in handler.body]
        return _statement(inner, line) or node
    return None


def _bound(statement) -> set[str]:
    """The names a simple statement binds."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.split(".")[0] for alias in statement.names}
    return {node.id for node in ast.walk(statement) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


class _Visitor(ast.NodeVisitor):
    def __init__(self, forbidden: Forbidden):
        self.forbidden = forbidden
        self.aliases: dict[str, str] = {}        # local name -> qualified name
        self.tainted_aliases: dict[str, Finding] = {}
        self.findings: list[Finding] = []
        self.uses: dict[str, set[str]] = {}      # top-level owner -> names it loads
        self.bindings: dict[str, set[str]] = {}  # module-level name -> names its value loads
        self.module_imports: set[str] = set()    # names bound by ``import x [as y]``
        self.owner = ""
        self.unit = ""

    # -- ownership
    def _owned(self, node):
        if self.owner:
            return self.generic_visit(node)
        self.owner = node.name
        self.uses.setdefault(node.name, set())
        self.generic_visit(node)
        self.owner = ""

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _owned

    # -- imports
    def visit_Import(self, node):
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            qualified = alias.name if alias.asname else alias.name.split(".")[0]
            self.module_imports.add(local)
            self._bind(local, qualified, node, f"import {alias.name}")

    def visit_ImportFrom(self, node):
        if node.level or not node.module:
            return
        for alias in node.names:
            qualified = f"{node.module}.{alias.name}"
            self._bind(alias.asname or alias.name, qualified, node, f"from {node.module} import {alias.name}")

    def _bind(self, local: str, qualified: str, node, statement: str):
        self.aliases[local] = qualified
        if qualified.split(".")[0] in self.forbidden.modules:
            finding = self._record(statement, node)
            if not self.owner:
                self.tainted_aliases[local] = finding
        elif self._forbidden_call(qualified):
            finding = self._record(qualified, node)
            if not self.owner:
                self.tainted_aliases[local] = finding

    # -- uses
    def visit_Name(self, node):
        if self.owner:
            self.uses[self.owner].add(node.id)
        qualified = self.aliases.get(node.id)
        if qualified and self._forbidden_call(qualified) and self.owner:
            self._record(qualified, node)

    def visit_Attribute(self, node):
        qualified = self._resolve(node)
        if qualified and self._forbidden_call(qualified):
            self._record(qualified, node)
            return
        self.generic_visit(node)

    def visit_Call(self, node):
        reached = self._imported(node)
        if reached and reached.partition(".")[0] in self.forbidden.modules:
            self._record(f"import {reached}", node)
        self.generic_visit(node)

    def visit_Subscript(self, node):
        base, key = self._resolve(node.value), _constant(node.slice)
        if base == "sys.modules" and key and key.partition(".")[0] in self.forbidden.modules:
            self._record(f"sys.modules[{key!r}]", node)
        self.generic_visit(node)

    def visit_Assign(self, node):
        before = len(self.findings)
        self.generic_visit(node)
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        resolved = self._resolve(node.value)
        for target in targets:
            if resolved:
                self.aliases[target] = resolved
        if self.owner:
            return
        loaded = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
        for target in targets:
            self.bindings.setdefault(target, set()).update(loaded)
        reached = [self.tainted_aliases[name] for name in loaded if name in self.tainted_aliases]
        reached += self.findings[before:]  # e.g. ``sdpa = F.scaled_dot_product_attention``
        for target in targets:
            if reached:
                self.tainted_aliases[target] = reached[0]

    # -- names
    def _resolve(self, node) -> str | None:
        """The qualified name an expression stands for, when the parser can tell."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id) or _BUILTIN_NAMES.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript):
            base, key = self._resolve(node.value), _constant(node.slice)
            if key and base == "sys.modules":
                return key
            return f"builtins.{key}" if key and base == "builtins" else None
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2:
                base, key = self._resolve(node.args[0]), _constant(node.args[1])
                return f"{base}.{key}" if base and key else None
            return self._imported(node)
        return None

    def _imported(self, node: ast.Call) -> str | None:
        """The module a call like ``__import__("torch")`` returns."""
        how = _IMPORTERS.get(self._resolve(node.func) or "")
        name = _constant(node.args[0]) if node.args else None
        if not how or not name:
            return None
        fromlist = any(k.arg == "fromlist" for k in node.keywords) or len(node.args) >= 4
        return name.partition(".")[0] if how == "top" and not fromlist else name

    def _forbidden_call(self, qualified: str) -> bool:
        parts = qualified.split(".")
        for call in self.forbidden.calls:
            if qualified == call or qualified.startswith(call + "."):
                return True
            leaf = call.rpartition(".")[2]  # the same routine by another path of its package
            if parts[0] == call.partition(".")[0] and any(leaf in part for part in parts[1:]):
                return True
        return False

    def _record(self, what: str, node) -> Finding:
        finding = Finding(what, f"{self.unit}, line {node.lineno}", self.owner)
        self.findings.append(finding)
        return finding


_BUILTIN_NAMES = {"__import__": "builtins.__import__", "__builtins__": "builtins"}
_IMPORTERS = {"builtins.__import__": "top", "importlib.__import__": "top",
              "importlib.import_module": "full", "importlib.util.find_spec": "full",
              "sys.modules.get": "full", "sys.modules.__getitem__": "full"}


def _constant(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
