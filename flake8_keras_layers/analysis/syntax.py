"""Small syntactic questions about astroid nodes, shared by the rules."""

from __future__ import annotations

from typing import Iterator

from astroid import nodes

from . import budget

_NESTED_SCOPES = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Lambda, nodes.ClassDef)


# The rules walk the same methods over and over (every KL1xx rule, creations() for each caller): a
# node's walk is kept until the end of the file (engine/session.py calls forget_walks), keyed by id
# with the node itself, so that an id reused by a later object never matches.
_WALKS: dict[int, tuple[nodes.NodeNG, tuple[nodes.NodeNG, ...], int]] = {}


def walk_scope(node: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """Every node under ``node`` in source order, not entering nested functions or classes."""
    walked = _WALKS.get(id(node))
    if walked is None or walked[0] is not node:
        walked = _WALKS[id(node)] = (node, *_walk(node))
    # Rules walk scopes inside loops: counted (budget.py), as many steps as a fresh walk takes.
    budget.spend(walked[2])
    return iter(walked[1])


def _walk(node: nodes.NodeNG) -> tuple[tuple[nodes.NodeNG, ...], int]:
    """(the nodes in walk_scope's order, how many nodes were entered): a pre-order walk, iterative."""
    found: list[nodes.NodeNG] = []
    entered = 1
    pending = [iter(node.get_children())]
    while pending:
        for child in pending[-1]:
            found.append(child)
            if not isinstance(child, _NESTED_SCOPES):
                entered += 1
                pending.append(iter(child.get_children()))
            break
        else:
            pending.pop()
    return tuple(found), entered


# Several rules look at every call (or attribute, class) of a module: one walk per module and file,
# its nodes by type in walk order, each with its position in the walk.
_MODULES: dict[int, tuple[nodes.Module, dict[type, list[tuple[int, nodes.NodeNG]]]]] = {}


def module_nodes(module: nodes.Module, klass: type | tuple[type, ...]) -> list:
    """``list(module.nodes_of_class(klass))``, from the module's one kept walk."""
    kept = _MODULES.get(id(module))
    if kept is None or kept[0] is not module:
        by_type: dict[type, list[tuple[int, nodes.NodeNG]]] = {}
        pending = [iter((module,))]
        position = 0
        while pending:
            for node in pending[-1]:
                by_type.setdefault(type(node), []).append((position, node))
                position += 1
                pending.append(iter(node.get_children()))
                break
            else:
                pending.pop()
        kept = _MODULES[id(module)] = (module, by_type)
    found = [entries for kind, entries in kept[1].items() if issubclass(kind, klass)]
    if len(found) == 1:
        return [node for _, node in found[0]]
    return [node for _, node in sorted(entry for entries in found for entry in entries)]


def forget_walks() -> None:
    """Drop the kept walks (after each file: they hold its nodes)."""
    _WALKS.clear()
    _MODULES.clear()


def self_name(func: nodes.FunctionDef) -> str | None:
    args = func.args.args or []
    return args[0].name if args else None


def is_self_attr(node: nodes.NodeNG, self_arg: str | None, attr: str | None = None) -> bool:
    """``self.<attr>`` (any attribute when ``attr`` is None)."""
    return (
        isinstance(node, (nodes.Attribute, nodes.AssignAttr))
        and isinstance(node.expr, nodes.Name)
        and node.expr.name == self_arg
        and (attr is None or node.attrname == attr)
    )


def is_super_call(node: nodes.NodeNG, self_arg: str | None, method: str) -> bool:
    """``super().<method>(...)``, ``super(C, self).<method>(...)`` or ``Base.<method>(self, ...)``."""
    if not isinstance(node, nodes.Call) or not isinstance(node.func, nodes.Attribute):
        return False
    if node.func.attrname != method:
        return False
    receiver = node.func.expr
    if isinstance(receiver, nodes.Call) and isinstance(receiver.func, nodes.Name):
        return receiver.func.name == "super"
    first = node.args[0] if node.args else None
    return isinstance(first, nodes.Name) and first.name == self_arg


def is_super_init_call(node: nodes.NodeNG, self_arg: str | None) -> bool:
    return is_super_call(node, self_arg, "__init__")


def super_init_calls(func: nodes.FunctionDef) -> list[nodes.Call]:
    me = self_name(func)
    return [n for n in walk_scope(func) if is_super_init_call(n, me)]


def assigns_self_attr(func: nodes.FunctionDef, attr: str, value) -> list[nodes.AssignAttr]:
    """``self.<attr> = <constant value>`` statements in ``func``."""
    me = self_name(func)
    found = []
    for node in walk_scope(func):
        if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Const):
            if node.value.value is value and any(is_self_attr(t, me, attr) for t in node.targets):
                found.append(node)
    return found


def self_attr_assignments(func: nodes.FunctionDef) -> list[tuple[nodes.AssignAttr, nodes.NodeNG | None]]:
    """Every ``self.<attr> = ...`` target in ``func`` (not in nested functions), in source order, with the
    value assigned to it when that is one expression (not for tuple targets or ``+=``)."""
    me = self_name(func)
    found = []
    for node in walk_scope(func):
        if isinstance(node, nodes.AssignAttr) and is_self_attr(node, me):
            parent = node.parent
            if isinstance(parent, nodes.AnnAssign) and parent.value is None:
                continue  # `self.x: int` only annotates
            direct = (isinstance(parent, nodes.Assign) and node in parent.targets) or (
                isinstance(parent, nodes.AnnAssign) and parent.target is node)
            found.append((node, parent.value if direct else None))
    return found


def _binds(statement: nodes.NodeNG, name: str) -> bool:
    if isinstance(statement, (nodes.FunctionDef, nodes.ClassDef)):
        return statement.name == name
    if isinstance(statement, (nodes.Assign, nodes.AnnAssign, nodes.AugAssign)):
        targets = statement.targets if isinstance(statement, nodes.Assign) else [statement.target]
        return any(isinstance(n, nodes.AssignName) and n.name == name
                   for target in targets for n in [target, *target.nodes_of_class(nodes.AssignName)])
    return False


def defined_method(klass: nodes.ClassDef, name: str) -> nodes.FunctionDef | None:
    """The method ``klass``'s own body defines under ``name``, as Python binds it: the last binding wins
    (a second ``def build`` replaces the first; ``build = helper`` after it is not a method we can read)."""
    found = None
    for statement in klass.body:
        if _binds(statement, name):
            found = statement if isinstance(statement, nodes.FunctionDef) else None
    return found


def class_binds(klass: nodes.ClassDef, name: str) -> bool:
    """Whether ``klass``'s own body binds ``name`` (a method, a property, a class attribute)."""
    return any(_binds(statement, name) for statement in klass.body)


def defined_methods(klass: nodes.ClassDef) -> list[nodes.FunctionDef]:
    """Every method ``klass``'s body effectively defines (a redefined one once: the last), in source order."""
    names = {s.name for s in klass.body if isinstance(s, nodes.FunctionDef)}
    effective = {id(m) for m in (defined_method(klass, name) for name in names) if m is not None}
    return [s for s in klass.body if id(s) in effective]


def chain_method(chain, name: str, start: int = 0) -> tuple[int | None, nodes.FunctionDef | None]:
    """(index, method) of the first class of ``chain`` (project classes, MRO order) from ``start`` that
    defines ``name``; (None, None) when none does (the Keras base's own method applies)."""
    for index, klass in enumerate(chain[start:], start):
        method = defined_method(klass, name)
        if method is not None:
            return index, method
    return None, None


def self_method_calls(func: nodes.FunctionDef) -> list[nodes.Call]:
    """``self.<name>(...)`` calls in ``func`` (not in nested functions), in source order."""
    me = self_name(func)
    return [n for n in walk_scope(func) if isinstance(n, nodes.Call) and is_self_attr(n.func, me)]


def reachable_methods(start: nodes.FunctionDef, chain, depth: int = 2, skip=frozenset()):
    """``start`` and the project methods it reaches through ``self.<m>(...)``, at most ``depth`` calls away.

    Yields (method, call sites from ``start`` down to it); each method once (visited set),
    methods named in ``skip`` and methods Keras defines (not in ``chain``) are not entered.
    """
    visited = {id(start)}
    frontier: list[tuple[nodes.FunctionDef, tuple[nodes.Call, ...]]] = [(start, ())]
    yield start, ()
    for _ in range(depth):
        following = []
        for func, path in frontier:
            for call in self_method_calls(func):
                name = call.func.attrname
                method = None if name in skip else chain_method(chain, name)[1]
                if method is None or id(method) in visited:
                    continue
                visited.add(id(method))
                following.append((method, path + (call,)))
                yield method, path + (call,)
        frontier = following


def imported_name(node: nodes.NodeNG, none_fallback: bool = False) -> str | None:
    """``tf.math.abs`` -> ``tensorflow.math.abs`` when ``tf`` is bound by imports only (``none_fallback``:
    a ``tf = None`` for a missing TensorFlow aside); None for anything else."""
    parts: list[str] = []
    while isinstance(node, nodes.Attribute):
        parts.insert(0, node.attrname)
        node = node.expr
    if not isinstance(node, nodes.Name):
        return None
    try:
        _, bindings = node.lookup(node.name)
    except Exception:  # noqa: BLE001 - astroid lookup failures mean "unknown"
        return None
    modules: set[str] = set()
    for binding in bindings:
        if isinstance(binding, nodes.Import):
            # `import tensorflow.keras` binds `tensorflow` (the attribute chain names the rest); an alias
            # binds the whole dotted module.
            modules.update(mod if alias else mod.split(".")[0]
                           for mod, alias in binding.names if (alias or mod.split(".")[0]) == node.name)
        elif isinstance(binding, nodes.ImportFrom):
            modules.update(f"{binding.modname}.{mod}" for mod, alias in binding.names if (alias or mod) == node.name)
        elif not (none_fallback and _binds_none(binding)):
            return None
    if len(modules) != 1:
        return None
    return ".".join([modules.pop(), *parts])


def _binds_none(binding: nodes.NodeNG) -> bool:
    parent = binding.parent
    return isinstance(binding, nodes.AssignName) and isinstance(parent, nodes.Assign) and (
        isinstance(parent.value, nodes.Const) and parent.value.value is None
    )
