"""Calls to imported functions, told from constructor calls without astroid building the function's module.

KL103 and KL104 ask of every call in ``call()`` (and of every value stored on
``self``) which class it constructs (resolver.constructed_class): the callee
must infer to exactly one value, a class. Most callees are functions imported
from the project or the standard library (``clone_initializer``,
``inspect.signature``), and inferring one makes astroid build its whole module
and the modules that one imports: on the keras-hub wheel, most of the modules
astroid builds, and ``inspect`` alone costs 0.4 s.

There is an exact shortcut. When the callee is a name imported with
``from M import f`` (or ``m.f`` after ``import M as m``) and M's top level
defines ``f`` with an undecorated ``def``, astroid's values for the callee
include that function (it infers every binding of M's ``f``), so the answer is
"no class" whatever else M binds to ``f``. Which file astroid would read for M
is found with astroid's own finder and naming rules; the file is read with
``ast``, and astroid builds it only if something else needs it. Anything this
module does not mirror exactly (a constraint on the name such as
``if isinstance(f, type)``, an inference tip, a module astroid would not build
from a Python source file, a file that does not parse as astroid parses it)
makes it claim nothing, and inference decides as before.

A second shortcut is for attributes of Keras imports (``ops.matmul`` after
``from keras import ops``, ``tf.reshape``): under the Keras roots astroid
finds only the stub modules, or nothing (knowledge/stubs.py), so an
attribute that no stub module or class has, and that no build of this file
registered (``layers.make = Maker``), is no class (``is_keras_non_class``).
"""

from __future__ import annotations

import ast
import functools
import os
import re
import sys
import tokenize

import astroid
from astroid import nodes
from astroid.constraint import get_constraints
from astroid.interpreter._import import spec as import_spec

from . import reads
from ..knowledge import stubs

# astroid's _parse_string retries without type comments when the failing line has one of these.
_TYPE_COMMENT = re.compile(r"#\s+type:")


def is_imported_function(func: nodes.NodeNG) -> bool:
    """Whether the callee ``func`` provably infers to a function among its values (never to one class alone)."""
    if getattr(func, "_explicit_inference", None) is not None:
        return False
    if isinstance(func, nodes.Name):
        return _name_is_function(func)
    if isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Name):
        return _attribute_is_function(func.expr, func.attrname)
    return False


def is_keras_non_class(func: nodes.NodeNG) -> bool:
    """Whether the callee ``func`` is ``m.f`` with every binding of ``m`` an import from a Keras root and ``f``
    an attribute no stub module or class has (``ops.matmul`` after ``from keras import ops``): under those
    roots astroid finds the stubs or nothing (their denylist), so ``m.f`` is no class."""
    if not isinstance(func, nodes.Attribute) or not isinstance(func.expr, nodes.Name):
        return False
    if func._explicit_inference is not None or stubs.may_bind(func.attrname) or stubs.reads_project_keras():
        return False
    bindings = _bindings(func.expr)
    if not bindings or not all(imports_keras(binding, func.expr.name) for binding in bindings):
        return False
    try:
        return not get_constraints(func, func.root())
    except Exception:  # noqa: BLE001 - whatever astroid fails on, inference decides
        return False


def imports_keras(binding: nodes.NodeNG, name: str) -> bool:
    """Whether ``binding`` binds ``name`` by an (absolute) import from one of the Keras roots."""
    if isinstance(binding, nodes.Import):
        return all(module.partition(".")[0] in stubs.ROOTS
                   for module, alias in binding.names if (alias or module.partition(".")[0]) == name)
    if isinstance(binding, nodes.ImportFrom):
        return not binding.level and binding.modname.partition(".")[0] in stubs.ROOTS
    return False


def _bindings(name: nodes.Name) -> list[nodes.NodeNG]:
    """The statements astroid infers ``name`` from, when they are all it looks at (no constraint applies)."""
    if name._explicit_inference is not None:
        return []
    try:
        frame, statements = name.lookup(name.name)
        if not statements or get_constraints(name, frame):
            return []
    except Exception:  # noqa: BLE001 - whatever astroid's lookup fails on, inference decides
        return []
    return list(statements)


def _name_is_function(name: nodes.Name) -> bool:
    for binding in _bindings(name):
        if isinstance(binding, nodes.ImportFrom) and not any(n == "*" for n, _ in binding.names):
            real = _real_name(binding, name.name)
            found = _imported(binding, binding.modname) if real else None
            if found is not None and real and _binds_function(found[1], real):
                return True
    return False


def _attribute_is_function(owner: nodes.Name, attrname: str) -> bool:
    """``m.f``: ``m`` is a module (``import M as m``, or ``from P import m`` with ``m`` a submodule of the
    package P that P's own code never binds) whose top level defines ``f``."""
    for binding in _bindings(owner):
        real = _real_name(binding, owner.name) if isinstance(binding, (nodes.Import, nodes.ImportFrom)) else None
        if real is None:
            continue
        if isinstance(binding, nodes.Import):
            found = _imported(binding, real)
        elif any(n == "*" for n, _ in binding.names):
            continue
        else:
            package = _imported(binding, binding.modname)
            found = _submodule(package[0], package[1], real) if package is not None else None
        if found is not None and _binds_function(found[1], attrname):
            return True
    return False


def _real_name(binding: nodes.Import | nodes.ImportFrom, name: str) -> str | None:
    try:
        return binding.real_name(name)
    except astroid.AstroidError:
        return None


# A module as astroid's import gives it: (its name, the cached module or the source file it would build).
_Found = tuple[str, "nodes.Module | str"]


def _imported(importer: nodes.Import | nodes.ImportFrom, modname: str) -> _Found | None:
    """(name, the cached module or the path of the source file astroid would build) of the module ``importer``
    imports as ``modname``, found as astroid's ``ImportNode.do_import_module`` and ``Module.import_module``
    find it; None when that is not certain."""
    root = importer.root()
    level = getattr(importer, "level", None)
    relative_only = bool(level and level >= 1)
    try:
        absolute = root.relative_to_absolute_name(modname, level)
    except astroid.AstroidError:
        return None
    if not modname or absolute == root.name:
        return None  # astroid skips its cache there
    candidates = [absolute] if relative_only or modname == absolute else [absolute, modname]
    for candidate in candidates:
        if candidate == root.name:
            return None  # astroid ignores the module's own locals there
        found = _module_for(candidate)
        if found is None:
            return None  # astroid would do something this module does not follow
        if found is not _NOT_FOUND:
            return candidate, found
    return None


def _submodule(package_name: str, package: nodes.Module | str, name: str) -> _Found | None:
    """``from P import name`` where the package P binds no ``name`` of its own: astroid imports ``P.name``."""
    if isinstance(package, nodes.Module):
        if not package.package or name in package.locals or name in package.special_attributes:
            return None
    else:
        facts = _source_facts(package, *_stamp(package))
        if os.path.basename(package) != "__init__.py" or facts is None or facts[2] or name in facts[1]:
            return None  # not a package, unreadable, a star import, or some binding of the name
        if name.startswith("__"):
            return None  # module attributes (__file__, __path__...) come first
    found = _module_for(f"{package_name}.{name}")
    return None if found is None or found is _NOT_FOUND else (f"{package_name}.{name}", found)


def _binds_function(found: nodes.Module | str, name: str) -> bool:
    if isinstance(found, nodes.Module):
        return any(isinstance(n, nodes.FunctionDef) and not n.decorators for n in found.locals.get(name, ()))
    facts = _source_facts(found, *_stamp(found))
    return facts is not None and name in facts[0]


_NOT_FOUND = object()


def _module_for(modname: str):
    """As ``AstroidManager.ast_from_module_name`` goes: the cached module, else the path of the Python source
    file it would build; _NOT_FOUND when it would raise (the import then falls back or fails); None for
    anything else (a hook's module, an extension, a namespace package...)."""
    manager = astroid.MANAGER
    reads.searched(modname, sys.path)  # what the answer depends on, for the result cache (reads.py)
    if modname in manager.module_denylist:
        return _NOT_FOUND
    cached = manager.astroid_cache.get(modname)
    if cached is not None:
        if not (getattr(cached, "file", None) or "").startswith(stubs.STUB_ROOT):
            reads.cached(cached)
        return cached
    if modname == "__main__":
        return None
    try:
        found = manager.file_from_module_name(modname, None)
    except astroid.AstroidBuildingError:
        return None if manager._failed_import_hooks and _hooked(modname) else _NOT_FOUND
    if found.type != import_spec.ModuleType.PY_SOURCE or not found.location:
        return None
    if not found.location.endswith(".py") or manager.prefer_stubs:
        return None  # astroid may read another file beside it (get_source_file): not mirrored
    reads.module(found.location)
    return found.location


def _hooked(modname: str) -> bool:
    """Whether one of astroid's failed-import hooks (six.moves, gi.repository) may answer for ``modname``."""
    return modname.startswith(("six", "gi")) or "six.moves" in modname


def _stamp(path: str) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=2048)
def _source_facts(path: str, mtime_ns: int, size: int) -> tuple[frozenset[str], frozenset[str], bool] | None:
    """(names the module at ``path`` binds at its top level with an undecorated ``def``, every identifier it
    mentions, whether it has a star import), keyed by the file's stamp so that a changed file is read
    again; None when it does not read or parse as astroid reads and parses it."""
    if mtime_ns < 0:
        return None
    try:
        with tokenize.open(path) as stream:  # the encoding astroid's open_source_file detects
            text = stream.read()
        try:
            tree = ast.parse(text + "\n", type_comments=True)
        except SyntaxError as error:
            if not _TYPE_COMMENT.search(error.text or ""):
                return None
            tree = ast.parse(text + "\n", type_comments=False)
    except (OSError, SyntaxError, ValueError, UnicodeError, RecursionError, MemoryError):
        return None
    mentioned: set[str] = set()
    star = False
    for node in ast.walk(tree):
        if isinstance(node, ast.alias):
            star = star or node.name == "*"
            mentioned.update((node.asname or "", *node.name.split(".")))
        else:
            for field in ("id", "name", "attr", "arg", "rest"):
                value = getattr(node, field, None)
                if isinstance(value, str):
                    mentioned.add(value)
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                mentioned.update(node.names)
    return frozenset(_top_level_functions(tree.body)), frozenset(mentioned), star


def _top_level_functions(body: list[ast.stmt]):
    """Undecorated functions whose scope is the module: in its body or in its blocks (if, try, with, loops,
    match), where astroid puts them among the module's locals too."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not statement.decorator_list:
                yield statement.name
        elif not isinstance(statement, ast.ClassDef):
            for field in ("body", "orelse", "finalbody"):
                yield from _top_level_functions(getattr(statement, field, None) or [])
            for block in (*(getattr(statement, "handlers", None) or ()), *(getattr(statement, "cases", None) or ())):
                yield from _top_level_functions(block.body)
