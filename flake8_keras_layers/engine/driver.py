"""Runs the rules over one file: cheap pre-filters, then a session with per-class and per-module checks.

Everything that can go wrong (a syntax error, an import astroid cannot
follow, a cyclic hierarchy, a bug in a rule, a class that exhausts its
inference budget) costs at most the class or module rule it happened in;
the file's other classes are still checked, and ``FLAKE8_KERAS_LAYERS_DEBUG=1``
shows each such failure (debug.py).
"""

from __future__ import annotations

import ast
from typing import Callable, Iterable, Iterator

from astroid import nodes

from ..analysis import keras2_uses, project, resolver
from ..knowledge import stubs
from ..knowledge.facts import Knowledge
from ..knowledge.versions import Target
from ..rules import ALL, ClassContext, Diagnostic, ModuleContext, Rule
from .. import debug
from . import denied, rebuild
from .ast_walk import statements
from .prefilter import Screen, screen
from .session import Session

__all__ = ["analyze"]


def analyze(
    source: str,
    filename: str,
    target: Target | Callable[[], Target],
    knowledge: Knowledge | Callable[[], Knowledge],
    tree: ast.AST | None = None,
    rules: Iterable[Rule] = ALL,
    screened: Screen | None = None,
) -> list[Diagnostic]:
    """The diagnostics of ``rules`` in the file; ``screened``: prefilter.screen's verdict on it, when the caller
    (the plugin, with triggers.ALL for rules.ALL) already has it."""
    debug.file_started()
    rules = tuple(rules)
    if screened is None:
        screened = screen(rules, source, tree)
        if screened is None:
            return []  # the usual case: no astroid
    tree = screened.tree
    class_rules = tuple(r for r in rules if not r.module_rule and r.code in screened.codes)
    module_rules = tuple(r for r in rules if r.module_rule and r.code in screened.codes)
    # Too deep in the file's own hierarchy for the resolver to answer: never checked (rebuild.py).
    deep = rebuild.deep_classes(tree, resolver.MAX_DEPTH) if class_rules else frozenset()
    wanted = set(screened.wanted) - deep
    if not wanted and not module_rules:
        return []
    # Only now: most files never get here, and the facts and the target (the project's declarations)
    # cost a read each.
    knowledge = knowledge if isinstance(knowledge, Knowledge) else knowledge()
    if _refusals_hold(filename):  # step 4 of the pre-filter
        refused = denied.Denied(tree, stubs.ROOTS, stubs.module_names(knowledge), module_rules, source)
        wanted -= refused.classes
        if not wanted:  # the module rules matter only if nothing else takes the file to astroid
            module_rules = tuple(r for r in module_rules if r.code not in refused.silent)
            if not module_rules:
                return []  # tf_keras' own source: every class's base imported from a module astroid refuses
    target = target if isinstance(target, Target) else target()
    target = keras2_uses.narrow(target, tree, source)  # a file using a Keras 2 only API cannot run Keras 3
    with Session(filename, knowledge) as session:
        # A function of its own: the module it builds is gone with its frame before the session closes.
        found = _run(session, source, target, tree, deep, wanted, class_rules, module_rules)
    if deep:  # astroid knows less about those classes' instances: no module rule speaks inside them
        spans = [(s.lineno, s.end_lineno or s.lineno) for s in ast.iter_child_nodes(tree)
                 if isinstance(s, ast.ClassDef) and s.lineno in deep]
        found = [d for d in found if not any(first <= d.line <= last for first, last in spans)]
    return sorted(set(found), key=lambda d: (d.line, d.col, d.code))


def _refusals_hold(filename: str) -> bool:
    """Whether step 4's reasoning holds in the file: not in Keras' own source tree (its ``keras.src`` modules
    are read), nor in a module whose own classes the stubs take for Keras' by its name (``keras/layers.py``)."""
    if project.keras_source_root(filename) is not None:
        return False
    return project.is_stdin(filename) or project.module_name_for(filename)[0] not in stubs.FAMILY_OF_MODULE


def _run(session: Session, source: str, target: Target, tree: ast.AST, deep: frozenset[int],
         wanted: set[int], class_rules: tuple[Rule, ...], module_rules: tuple[Rule, ...]) -> list[Diagnostic]:
    module = session.build_module(source, tree, deep)
    if module is None:
        return []
    found: list[Diagnostic] = []
    for rule in module_rules:
        ctx = ModuleContext(target, session.knowledge, module)
        check = rule.check_module  # type: ignore[attr-defined]  # module_rules holds only ModuleRules
        found.extend(session.contained(f"rule {rule.code}", lambda: check(ctx)))
    # astroid's nodes have ast's statement blocks: classes found without visiting every expression, in
    # source order as nodes_of_class would give them.
    classes = [n for n in statements(module) if isinstance(n, nodes.ClassDef)
               and (n.fromlineno in wanted or n.lineno in wanted)]
    for cls in sorted(classes, key=lambda c: (c.lineno, c.col_offset)):
        if session.out_of_time():
            debug.budget_stop(session.filename, "the rest of the file", "time")
            break
        where = f"class {cls.name} (line {cls.lineno})"
        found.extend(session.contained(where, lambda: _check_class(cls, target, session.knowledge, class_rules)))
    return found


def _check_class(cls: nodes.ClassDef, target: Target, knowledge: Knowledge,
                 rules: tuple[Rule, ...]) -> Iterator[Diagnostic]:
    ancestry = resolver.resolve_class(cls, alternatives=True)
    if ancestry is None:
        return
    debug.class_checked()
    if not ancestry.families:
        yield from _run_rules(ClassContext(target, knowledge, ancestry), rules)
        return
    # One Keras class in several families (try: import tf_keras as keras / except ImportError: import
    # keras): a finding stands when the rules make it in every family; its text is the first family's.
    runs = []
    for family in ancestry.families:
        with resolver.family_view(family):
            viewed = resolver.resolve_class(cls)
            if viewed is None:
                return
            runs.append(list(_run_rules(ClassContext(target, knowledge, viewed), rules)))
    common = set.intersection(*({(d.line, d.col, d.code) for d in run} for run in runs))
    yield from (d for d in runs[0] if (d.line, d.col, d.code) in common)


def _run_rules(ctx: ClassContext, rules: tuple[Rule, ...]) -> Iterator[Diagnostic]:
    own_methods = {n.name for n in ctx.cls.body if isinstance(n, nodes.FunctionDef)}
    for rule in rules:
        if rule.wants(own_methods, len(ctx.cls.bases)):
            yield from rule.check(ctx)
