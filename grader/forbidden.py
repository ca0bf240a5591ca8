"""Static detection of forbidden routines: which of a submission's functions use them.

The submission's code units are parsed (never run). Import aliases are resolved
(``import torch.nn.functional as F``, ``from scipy import linalg``), then every name or
attribute chain that resolves to a forbidden module or routine is a finding, placed in
the top-level function or class that contains it. A function that calls a tainted
function (transitively) is tainted too; tests that call a tainted function score 0.
Run-time tripwires (grader.guard) catch what static analysis cannot see.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from grader.assignment import Forbidden
from grader.submission import CodeUnit


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


def scan(units: tuple[CodeUnit, ...], forbidden: Forbidden) -> Scan:
    if not forbidden.modules and not forbidden.calls:
        return Scan((), {})
    visitor = _Visitor(forbidden)
    for unit in units:
        try:
            tree = ast.parse(unit.source, filename=unit.filename)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # a unit that does not parse does not run either
        visitor.unit = unit.filename
        visitor.visit(tree)
    return Scan(tuple(visitor.findings), _taint(visitor))


def _taint(visitor: "_Visitor") -> dict:
    tainted = {f.owner: f for f in visitor.findings if f.owner}
    for alias, finding in visitor.tainted_aliases.items():
        for owner, names in visitor.uses.items():
            if alias in names and owner not in tainted:
                tainted[owner] = finding
    changed = True
    while changed:  # callers of tainted functions are tainted
        changed = False
        for owner, names in visitor.uses.items():
            if owner in tainted:
                continue
            for name in names:
                if name in tainted and name != owner:
                    tainted[owner] = tainted[name]
                    changed = True
                    break
    return tainted


class _Visitor(ast.NodeVisitor):
    def __init__(self, forbidden: Forbidden):
        self.forbidden = forbidden
        self.aliases: dict[str, str] = {}        # local name -> qualified name
        self.tainted_aliases: dict[str, Finding] = {}
        self.findings: list[Finding] = []
        self.uses: dict[str, set[str]] = {}      # top-level owner -> names it loads
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
        qualified = self._qualify(node)
        if qualified and self._forbidden_call(qualified):
            self._record(qualified, node)
            return
        self.generic_visit(node)

    def visit_Assign(self, node):
        before = len(self.findings)
        self.generic_visit(node)
        if self.owner:
            return
        reached = [self.tainted_aliases[n.id] for n in ast.walk(node.value)
                   if isinstance(n, ast.Name) and n.id in self.tainted_aliases]
        reached += self.findings[before:]  # e.g. ``sdpa = F.scaled_dot_product_attention``
        for target in node.targets:
            if isinstance(target, ast.Name) and reached:
                self.tainted_aliases[target.id] = reached[0]

    def _qualify(self, node) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.aliases:
            return None
        return ".".join([self.aliases[node.id], *reversed(parts)])

    def _forbidden_call(self, qualified: str) -> bool:
        return any(qualified == call or qualified.startswith(call + ".") for call in self.forbidden.calls)

    def _record(self, what: str, node) -> Finding:
        finding = Finding(what, f"{self.unit}, line {node.lineno}", self.owner)
        self.findings.append(finding)
        return finding
