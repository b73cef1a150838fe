"""Which classes of a file could be Keras classes, from the ``ast`` alone (no astroid, no imports).

Most classes in a project are not layers: exceptions, test cases, enums,
protocols. A class is ruled out only when every base provably is not Keras:

- a builtin name (``Exception``, ``object``, ``dict``...);
- a name, or an attribute of a name, that only imports from the standard
  library bind (``unittest.TestCase``, ``from enum import Enum``), unless a
  module of that name sits in the working directory or the project root,
  where it would shadow the standard library;
- a class of this file that is itself ruled out;
- a name nothing binds (never inferable: the resolver could not say Keras);

and the file binds none of those names any other way (assignment,
parameter, ``for``, ``except ... as``, ``global``...). Anything else keeps
the class a candidate: a project or third-party import, ``from x import *``,
a base that is a call. The base may come from another project module that
subclasses Keras without this file ever mentioning Keras.

Cheap first: the usual layer file is decided by its imports alone; only
files whose classes all look non-Keras pay a walk over every name.
"""

from __future__ import annotations

import ast
import os
import sys

_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) - {"__main__"}
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_NAMED = (ast.ExceptHandler, ast.MatchAs, ast.MatchStar) + tuple(
    getattr(ast, n) for n in ("TypeVar", "ParamSpec", "TypeVarTuple") if hasattr(ast, n)
)


def _root_name(expr: ast.expr) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _statements(tree: ast.AST):
    stack = [tree]
    while stack:
        node = stack.pop()
        for name in _BLOCK_FIELDS:
            block = getattr(node, name, None)
            if type(block) is list:
                stack.extend(block)
                yield from block


class Candidates:
    def __init__(self, tree: ast.AST, roots: tuple[str, ...]):
        self.tree = tree
        self.roots = roots
        self.stdlib_imports: set[str] = set()
        self.other_imports: set[str] = set()
        self.foreign_star = False  # `from <not the standard library> import *`: any name, any value
        self.classes: dict[str, list[ast.ClassDef]] = {}
        for node in _statements(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self._imported((alias.asname or alias.name).partition(".")[0], alias.name, 0)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    self._imported(alias.asname or alias.name, node.module, node.level)
            elif isinstance(node, ast.ClassDef):
                self.classes.setdefault(node.name, []).append(node)
        self._rebound: set[str] | None = None
        self._verdicts: dict[str, bool] = {}

    def _imported(self, name: str, module: str | None, level: int) -> None:
        top = (module or "").partition(".")[0]
        stdlib = level == 0 and top in _STDLIB and not self._shadowed(top)
        if name == "*":
            self.foreign_star |= not stdlib
        else:
            (self.stdlib_imports if stdlib else self.other_imports).add(name)

    def _shadowed(self, module: str) -> bool:
        return any(os.path.exists(os.path.join(root, module + suffix)) for root in self.roots for suffix in (".py", ""))

    def rebound(self) -> set[str]:
        """Names bound other than by an import or a class statement, anywhere (one walk, on demand)."""
        if self._rebound is None:
            names = set()
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                    names.add(node.id)
                elif isinstance(node, ast.arg):
                    names.add(node.arg)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(node.name)
                elif isinstance(node, (ast.Global, ast.Nonlocal)):
                    names.update(node.names)
                elif isinstance(node, _NAMED) and isinstance(getattr(node, "name", None), str):
                    names.add(node.name)
                elif isinstance(node, ast.MatchMapping) and node.rest:
                    names.add(node.rest)
            self._rebound = names
        return self._rebound

    def could_be_keras(self, cls: ast.ClassDef) -> bool:
        if self.foreign_star:
            return True
        return any(self._base_could_be_keras(base) for base in cls.bases)

    def _base_could_be_keras(self, base: ast.expr) -> bool:
        name = _root_name(base)
        if name is None or name in self.other_imports:
            return True  # a call, a lambda, a project or third-party import: anything
        if name in self.rebound():
            return True
        if name in self.classes:
            return self._local_class_could_be_keras(name)
        return False  # a builtin, a standard-library import, or bound nowhere (never inferable)

    def _local_class_could_be_keras(self, name: str) -> bool:
        if name not in self._verdicts:
            self._verdicts[name] = True  # a cycle stays a candidate
            self._verdicts[name] = any(self.could_be_keras(c) for c in self.classes[name])
        return self._verdicts[name]


def keras_candidates(tree: ast.AST, lines: set[int], roots: tuple[str, ...]) -> set[int]:
    """Of the classes starting at ``lines``, those that could be Keras classes."""
    if not lines:
        return set()
    found = Candidates(tree, roots)
    classes = [c for group in found.classes.values() for c in group if c.lineno in lines]
    return {c.lineno for c in classes if found.could_be_keras(c)}
