"""The linted file's astroid module, built from the tree flake8 already parsed.

``AstroidBuilder.string_build`` parses the source again; astroid's own
``TreeRebuilder`` turns an ``ast.Module`` into astroid nodes, so flake8's
tree saves that parse. What differs is handled here:

- astroid parses with ``type_comments=True`` and flake8 without: a file with
  anything that looks like a type comment is parsed again, as astroid would;
- the rebuilder strips docstrings from the bodies of the ``ast`` nodes it
  reads, and flake8 hands the same tree to every plugin: those bodies are
  put back.

The result equals ``string_build``'s (tests/test_fastpath.py compares them),
with astroid 3.3 and 4.x, but for two deliberate differences:

- a module nothing imports gets none of the brains' transforms (see build);
- classes too deep in a chain of the file's own classes for the resolver to
  ever answer (``deep``, see deep_classes) do not get their
  ``self.<attr> = ...`` registered as instance attributes: that step of
  astroid's build costs the cube of the chain's length (500 classes:
  minutes), and the analysis never checks those classes.

What the module registers on other modules (``obj.attr = ...`` on an imported
class or a Keras stub) is recorded, to be undone after the file (the session).
"""

from __future__ import annotations

import ast
import os
import re

from astroid import nodes
from astroid.builder import AstroidBuilder
from astroid.manager import AstroidManager
from astroid.rebuilder import TreeRebuilder

from . import assattr
from .ast_walk import statements

# What Python's tokenizer could read as a type comment (a superset: any "# type:" is parsed again).
_TYPE_COMMENT = re.compile(r"#\s*type\s*:")
_WITH_BODY = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def deep_classes(tree: ast.AST, limit: int) -> frozenset[int]:
    """Lines of the module-level classes that have more than ``limit`` ancestors among the module's classes.

    A lower bound of the real depth: only a base written as the bare name of
    a class defined above at module level counts.
    """
    depth: dict[str, int] = {}
    deep = set()
    for statement in getattr(tree, "body", ()):
        if isinstance(statement, ast.ClassDef):
            level = 1 + max((depth.get(b.id, 0) for b in statement.bases if isinstance(b, ast.Name)), default=0)
            depth[statement.name] = level
            if level > limit + 1:
                deep.add(statement.lineno)
    return frozenset(deep)


def _parse(source: str) -> ast.Module:
    """As astroid parses: with type comments, unless misplaced ones make that fail."""
    try:
        return ast.parse(source + "\n", type_comments=True)
    except SyntaxError as error:
        if not re.search(r"#\s+type:", error.text or ""):
            raise
        return ast.parse(source + "\n", type_comments=False)


def _bodies(tree: ast.Module) -> list[tuple[ast.AST, list]]:
    """(node, its body list) for every node that may hold a docstring, visiting statements only."""
    return [(node, node.body) for node in (tree, *statements(tree)) if isinstance(node, _WITH_BODY)]


def _in_deep_class(assign: nodes.AssignAttr, deep: frozenset[int]) -> bool:
    """``self.<attr> = ...`` in a method of one of the ``deep`` module-level classes."""
    found = assattr.method_of_first_parameter(assign)
    return found is not None and found[1].lineno in deep and isinstance(found[1].parent, nodes.Module)


class _Builder(AstroidBuilder):
    """Records where the linted module registers attributes on classes and modules of other modules.

    ``obj.attr = value`` adds ``attr`` to whatever ``obj`` infers to, in any
    module: the shared Keras stubs, a cached base class. Undone after the
    file (caches.forget), so no file sees another one's assignments.
    """

    def __init__(self, manager: AstroidManager, apply_transforms: bool):
        super().__init__(manager, apply_transforms=apply_transforms)
        self.foreign: list[tuple[dict, str, nodes.AssignAttr]] = []

    def delayed_assattr(self, node: nodes.AssignAttr) -> None:
        if assattr.delayed_assattr(self, node):
            return  # on its own class, in this module
        module = node.root()
        try:
            targets = list(node.expr.infer())
        except Exception:  # noqa: BLE001 - as astroid's own pass: nothing was registered
            return
        for target in targets:
            owner = getattr(target, "_proxied", target)
            for attrs in (getattr(owner, "instance_attrs", None), getattr(owner, "locals", None)):
                if isinstance(attrs, dict) and node in attrs.get(node.attrname, ()) and owner.root() is not module:
                    self.foreign.append((attrs, node.attrname, node))


def build(manager: AstroidManager, source: str, modname: str, path: str | None,
          tree: ast.AST | None = None, deep: frozenset[int] = frozenset(),
          undo: list | None = None) -> nodes.Module:
    """As ``AstroidBuilder(manager).string_build(source, modname, path)``; ``tree`` is ``ast.parse(source)``.

    ``undo`` receives ``(module or None, foreign attributes)``: what to forget after the file
    (caches.forget), even when the build fails half way.
    """
    if not isinstance(tree, ast.Module) or _TYPE_COMMENT.search(source):
        tree = _parse(source)
    # As AstroidBuilder._data_build names the module.
    node_file = os.path.abspath(path) if path is not None else "<?>"
    if modname.endswith(".__init__"):
        modname, package = modname[: -len(".__init__")], True
    else:
        package = path is not None and os.path.splitext(os.path.basename(path))[0] == "__init__"
    saved = _bodies(tree)
    try:
        rebuilder = TreeRebuilder(manager, data=source)
        module = rebuilder.visit_module(tree, modname, node_file, package)
    finally:
        for node, body in saved:
            node.body = body  # type: ignore[attr-defined]  # _bodies only lists nodes with a body
    if deep:
        rebuilder._delayed_assattr = [n for n in rebuilder._delayed_assattr if not _in_deep_class(n, deep)]
    module.file_bytes = source.encode("utf-8")
    fresh = modname not in manager.astroid_cache
    # The brains' transforms (inference tips for dict(), namedtuple(), dataclasses...) cost a
    # fifth of a build and change no diagnostic on the three benchmark corpora: skipped for a
    # linted module that nothing imports. One that is imported (cached) stays complete.
    builder = _Builder(manager, apply_transforms=not fresh)
    try:
        built = builder._post_build(module, rebuilder, "utf-8")  # caches the module first thing
    finally:
        # Undone after the file, also when the build failed half way (a RecursionError):
        # a partial module must not stay cached for the files that import it.
        if undo is not None:
            undo.append((module if fresh else None, builder.foreign))
    return built
