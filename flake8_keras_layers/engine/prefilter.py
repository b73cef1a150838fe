"""Which rules could report in a file, decided before any astroid work.

Most files of a project define no layer: they must cost next to nothing.
Two steps, each a necessary condition of a rule's trigger, never a guess:

1. the text (a regular expression and substring tests, no parsing): a class
   rule needs ``def <method>`` for one of its ``methods`` (or, for a rule a
   mixin may trigger, a class with several bases), a module rule one
   of its ``callees`` or ``keywords`` written somewhere. Only for ASCII sources: Python folds non-ASCII
   identifiers (NFKC), so ``def ｂuild`` defines ``build``.
2. the ``ast`` tree flake8 already parsed: a class with bases that itself
   defines one of the methods, or has several bases for a rule a mixin may
   trigger (statements only are visited, not
   expressions), or a call by one of the callee names or keywords (every
   node, and only when a module rule passed step 1).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from ..rules import ModuleRule, Rule
from .ast_walk import statements

# `def name` / `async def name`, also split by a backslash continuation.
_DEF = re.compile(r"\bdef[\s\\]+(\w+)")
# A class statement with a comma among its bases (a superset of "several bases").
_SEVERAL_BASES = re.compile(r"\bclass[\s\\]+\w+[\s\\]*\([^)]*,")


def _needles(rule: Rule) -> frozenset[str]:
    if isinstance(rule, ModuleRule):
        return rule.callees | rule.keywords
    return frozenset()


def text_allows(rules: tuple[Rule, ...], source: str) -> tuple[Rule, ...]:
    """The rules the text of ``source`` does not rule out (step 1)."""
    if not source.isascii():
        return rules
    defined: set[str] | None = None
    kept = []
    for rule in rules:
        if isinstance(rule, ModuleRule):
            if not any(needle in source for needle in _needles(rule)):
                continue
        else:
            if defined is None:
                defined = set(_DEF.findall(source))
            if not rule.methods & defined and not (rule.mixed_in and _SEVERAL_BASES.search(source)):
                continue
        kept.append(rule)
    return tuple(kept)


@dataclass
class FileSummary:
    """What the stdlib AST says about the classes and calls of a file (step 2)."""

    class_methods: dict[int, set[str]] = field(default_factory=dict)  # line -> own methods
    class_bases: dict[int, int] = field(default_factory=dict)  # line -> number of bases
    callees: set[str] = field(default_factory=set)  # last name of every called expression
    keywords: set[str] = field(default_factory=set)  # every keyword argument name

    @classmethod
    def of(cls, tree: ast.AST, classes: bool = True, calls: bool = True) -> "FileSummary":
        summary = cls()
        if classes:
            summary._collect_classes(tree)
        if calls:
            summary._collect_calls(tree)
        return summary

    def _collect_classes(self, tree: ast.AST) -> None:
        for node in statements(tree):
            if isinstance(node, ast.ClassDef) and node.bases:
                self.class_bases[node.lineno] = len(node.bases)
                self.class_methods[node.lineno] = {
                    item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                }

    def _collect_calls(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name:
                    self.callees.add(name)
                self.keywords.update(k.arg for k in node.keywords if k.arg)

    def wants_class(self, line: int, rules: tuple[Rule, ...]) -> bool:
        own = self.class_methods.get(line)
        return own is not None and any(rule.wants(own, self.class_bases[line]) for rule in rules)

    def wants_module(self, rule: ModuleRule) -> bool:
        return bool(rule.callees & self.callees or rule.keywords & self.keywords)
