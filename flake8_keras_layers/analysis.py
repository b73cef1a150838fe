"""Runs the rules over one file: cheap pre-filter, astroid module, per-class checks.

Everything that can go wrong (a syntax error, an import astroid cannot
follow, a cyclic hierarchy, a bug in a rule) costs at most the class it
happened in; the file's other classes are still checked.
"""

from __future__ import annotations

import ast
import time
from typing import Iterable

from astroid import nodes

from . import project, resolver
from .knowledge import Knowledge
from .rules import ALL, ClassContext, Diagnostic, Rule
from .versions import Target

# Inference is bounded per class by astroid's own limits; this bounds a file.
FILE_BUDGET_SECONDS = 5.0


def candidate_lines(tree: ast.AST, methods: frozenset[str]) -> set[int]:
    """Lines of classes that have a base and define a method some rule looks at.

    Decided on the stdlib AST flake8 already built: a file with no such class
    costs one walk, no astroid work at all.
    """
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.bases:
            if any(
                isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in methods
                for item in node.body
            ):
                lines.add(node.lineno)
    return lines


def analyze(
    source: str,
    filename: str,
    target: Target,
    knowledge: Knowledge,
    tree: ast.AST | None = None,
    rules: Iterable[Rule] = ALL,
) -> list[Diagnostic]:
    rules = tuple(rules)
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return []
    methods = frozenset().union(*(rule.methods for rule in rules))
    wanted = candidate_lines(tree, methods)
    if not wanted:
        return []
    module = project.build_module(source, filename, knowledge)
    if module is None:
        return []
    deadline = time.monotonic() + FILE_BUDGET_SECONDS
    found: list[Diagnostic] = []
    for cls in module.nodes_of_class(nodes.ClassDef):
        if cls.lineno not in wanted and cls.fromlineno not in wanted:
            continue
        if time.monotonic() > deadline:
            break
        found.extend(_check_class(cls, target, knowledge, rules))
    return sorted(set(found), key=lambda d: (d.line, d.col, d.code))


def _check_class(cls, target, knowledge, rules) -> list[Diagnostic]:
    try:
        ancestry = resolver.resolve_class(cls)
        if ancestry is None:
            return []
        ctx = ClassContext(ancestry, target, knowledge)
        own_methods = {n.name for n in cls.body if isinstance(n, nodes.FunctionDef)}
        found = []
        for rule in rules:
            if rule.methods & own_methods:
                found.extend(rule.check(ctx))
        return found
    except Exception:  # noqa: BLE001 - a failure costs this class, never the run
        return []
