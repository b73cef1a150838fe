"""Runs the rules over one file: cheap pre-filter, astroid module, per-class checks.

Everything that can go wrong (a syntax error, an import astroid cannot
follow, a cyclic hierarchy, a bug in a rule) costs at most the class it
happened in; the file's other classes are still checked.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass, field
from typing import Iterable

from astroid import nodes

from . import project, resolver
from .knowledge import Knowledge
from .rules import ALL, ClassContext, Diagnostic, ModuleContext, ModuleRule, Rule
from .versions import Target

# Inference is bounded per class by astroid's own limits; this bounds a file.
FILE_BUDGET_SECONDS = 5.0


@dataclass
class FileSummary:
    """What the stdlib AST flake8 already built says, gathered in one walk.

    A file with no subclass defining a method some rule looks at, and no call
    a module rule looks for, costs this walk and no astroid work at all.
    """

    class_methods: dict[int, set[str]] = field(default_factory=dict)  # line -> own methods
    callees: set[str] = field(default_factory=set)  # last name of every called expression
    keywords: set[str] = field(default_factory=set)  # every keyword argument name

    @classmethod
    def of(cls, tree: ast.AST) -> "FileSummary":
        summary = cls()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name:
                    summary.callees.add(name)
                summary.keywords.update(k.arg for k in node.keywords if k.arg)
            elif isinstance(node, ast.ClassDef) and node.bases:
                summary.class_methods[node.lineno] = {
                    item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                }
        return summary

    def wants_class(self, line: int, rules: tuple[Rule, ...]) -> bool:
        own = self.class_methods.get(line)
        return bool(own) and any(rule.methods & own for rule in rules)

    def wants_module(self, rule: ModuleRule) -> bool:
        return bool(rule.callees & self.callees or rule.keywords & self.keywords)


def analyze(
    source: str,
    filename: str,
    target: Target,
    knowledge: Knowledge,
    tree: ast.AST | None = None,
    rules: Iterable[Rule] = ALL,
) -> list[Diagnostic]:
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return []
    summary = FileSummary.of(tree)
    class_rules = tuple(r for r in rules if not isinstance(r, ModuleRule))
    module_rules = tuple(r for r in rules if isinstance(r, ModuleRule) and summary.wants_module(r))
    wanted = {line for line in summary.class_methods if summary.wants_class(line, class_rules)}
    if not wanted and not module_rules:
        return []
    module = project.build_module(source, filename, knowledge)
    if module is None:
        return []
    deadline = time.monotonic() + FILE_BUDGET_SECONDS
    found: list[Diagnostic] = []
    for rule in module_rules:
        found.extend(_contained(lambda: rule.check_module(ModuleContext(target, knowledge, module))))
    for cls in module.nodes_of_class(nodes.ClassDef):
        if cls.fromlineno not in wanted and cls.lineno not in wanted:
            continue
        if time.monotonic() > deadline:
            break
        found.extend(_contained(lambda: _check_class(cls, target, knowledge, class_rules)))
    return sorted(set(found), key=lambda d: (d.line, d.col, d.code))


def _check_class(cls: nodes.ClassDef, target: Target, knowledge: Knowledge, rules) -> Iterable[Diagnostic]:
    ancestry = resolver.resolve_class(cls)
    if ancestry is None:
        return
    ctx = ClassContext(target, knowledge, ancestry)
    own_methods = {n.name for n in cls.body if isinstance(n, nodes.FunctionDef)}
    for rule in rules:
        if rule.methods & own_methods:
            yield from rule.check(ctx)


def _contained(run) -> list[Diagnostic]:
    """A rule's findings, or none if anything in it fails: a failure costs one class, never the run."""
    try:
        return list(run())
    except Exception:  # noqa: BLE001
        return []
