"""Runs the rules over one file: cheap pre-filter, astroid module, per-class checks.

Everything that can go wrong (a syntax error, an import astroid cannot
follow, a cyclic hierarchy, a bug in a rule, a class that exhausts its
inference budget) costs at most the class it happened in; the file's other
classes are still checked.
"""

from __future__ import annotations

import ast
from typing import Iterable

import astroid
from astroid import nodes

from . import budget, caches, project, rebuild, resolver
from .candidates import keras_candidates
from .knowledge import Knowledge
from .prefilter import FileSummary, text_allows
from .rules import ALL, ClassContext, Diagnostic, ModuleContext, ModuleRule, Rule
from .versions import Target

__all__ = ["FILE_BUDGET_SECONDS", "FileSummary", "analyze"]

# Each class and each module rule has its own budget (budget.py); this bounds a whole file (CPU seconds).
FILE_BUDGET_SECONDS = 30.0


def analyze(
    source: str,
    filename: str,
    target: Target,
    knowledge: Knowledge,
    tree: ast.AST | None = None,
    rules: Iterable[Rule] = ALL,
) -> list[Diagnostic]:
    rules = text_allows(tuple(rules), source)
    if not rules:
        return []  # the usual case: no AST walk, no astroid
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []
    class_rules = tuple(r for r in rules if not isinstance(r, ModuleRule))
    module_rules = tuple(r for r in rules if isinstance(r, ModuleRule))
    summary = FileSummary.of(tree, classes=bool(class_rules), calls=bool(module_rules))
    module_rules = tuple(r for r in module_rules if summary.wants_module(r))
    # Too deep in the file's own hierarchy for the resolver to answer: never checked (rebuild.py).
    deep = rebuild.deep_classes(tree, resolver.MAX_DEPTH) if class_rules else frozenset()
    wanted = {line for line in summary.class_methods if summary.wants_class(line, class_rules)} - deep
    if wanted:  # and of those, the classes whose bases could be Keras at all (candidates.py)
        wanted = keras_candidates(tree, wanted, project.search_roots(filename))
    if not wanted and not module_rules:
        return []
    try:
        found = _run(source, filename, target, knowledge, tree, deep, wanted, class_rules, module_rules)
    finally:
        caches.settle(astroid.MANAGER)  # here, once _run's frame (and the module it held) is gone
    if deep:  # astroid knows less about those classes' instances: no module rule speaks inside them
        spans = [(s.lineno, s.end_lineno or s.lineno) for s in tree.body
                 if isinstance(s, ast.ClassDef) and s.lineno in deep]
        found = [d for d in found if not any(first <= d.line <= last for first, last in spans)]
    return sorted(set(found), key=lambda d: (d.line, d.col, d.code))


def _run(source, filename, target, knowledge, tree, deep, wanted, class_rules, module_rules) -> list[Diagnostic]:
    module = project.build_module(source, filename, knowledge, tree=tree, deep=deep)
    if module is None:
        return []
    deadline = budget.clock() + FILE_BUDGET_SECONDS
    found: list[Diagnostic] = []
    for rule in module_rules:
        found.extend(_contained(lambda: rule.check_module(ModuleContext(target, knowledge, module)), deadline))
    for cls in module.nodes_of_class(nodes.ClassDef):
        if cls.fromlineno not in wanted and cls.lineno not in wanted:
            continue
        if budget.clock() > deadline:
            break
        found.extend(_contained(lambda: _check_class(cls, target, knowledge, class_rules), deadline))
    return found


def _check_class(cls: nodes.ClassDef, target: Target, knowledge: Knowledge, rules) -> Iterable[Diagnostic]:
    ancestry = resolver.resolve_class(cls)
    if ancestry is None:
        return
    ctx = ClassContext(target, knowledge, ancestry)
    own_methods = {n.name for n in cls.body if isinstance(n, nodes.FunctionDef)}
    for rule in rules:
        if rule.methods & own_methods:
            yield from rule.check(ctx)


def _contained(run, deadline: float) -> list[Diagnostic]:
    """A class's (or module rule's) findings, or none if anything in it fails or its budget runs out."""
    try:
        with budget.limit(deadline=deadline) as spent:
            found = list(run())
        return [] if spent.exhausted else found
    except Exception:  # noqa: BLE001 - a failure costs one class, never the run
        return []
