"""Calls to an instance held in ``self.<attr>``, told from constructor calls without inferring every assignment.

KL104 asks of every call in ``call()`` which class it constructs
(resolver.constructed_class), and most of them are ``self.<sub-layer>(x)``.
For astroid, ``self.<attr>`` has the value of every assignment to it in the
class and its bases: inferring them makes astroid build the modules of the
sub-layers' classes (on the keras-hub wheel, most of KL104's time).

There is an exact shortcut. constructed_class answers only when every value
is one class. When ``self`` in the method is only its first parameter (no
other binding, no narrowing), astroid infers it to an instance of the class
whose body defines the method, and that class's own ``self.<attr> = X(...)``
statements are among the values of ``self.<attr>`` (its bases' come after
them: ``ClassDef.instance_attr``). So one such statement whose call provably
gives an instance is enough for "no class": ``X`` infers, within this module
or the Keras stubs (nothing else is built to find out), to a class astroid
instantiates, one that is no ``type`` called with three arguments and whose
metaclass defines no ``__call__`` (``ClassDef.infer_call_result``).
``self.<attr> = SomeClass`` (a class, calling it constructs) and
``self.<attr> = factory(...)`` are no proof: inference decides as before.
"""

from __future__ import annotations

import astroid
from astroid import nodes
from astroid.constraint import get_constraints

from . import callees


def holds_instance(func: nodes.NodeNG) -> bool:
    """Whether the callee ``func`` is ``self.<attr>`` and provably infers to an instance among its values."""
    if not isinstance(func, nodes.Attribute) or not isinstance(func.expr, nodes.Name):
        return False
    if func._explicit_inference is not None:
        return False
    try:
        klass = _self_class(func.expr)
        if klass is None or get_constraints(func, frame=klass):
            return False
        return any(_instantiates(assigned) for assigned in klass.instance_attrs.get(func.attrname, ()))
    except (astroid.AstroidError, RecursionError):
        return False


def _self_class(owner: nodes.Name) -> nodes.ClassDef | None:
    """The class ``owner`` infers to an instance of: the first parameter of a plain method, bound nowhere
    else (``protocols._arguments_infer_argname``); None when that is not certain."""
    bindings = callees._bindings(owner)
    if len(bindings) != 1 or not isinstance(bindings[0], nodes.AssignName):
        return None
    arguments = bindings[0].parent
    if not isinstance(arguments, nodes.Arguments) or not arguments.arguments:
        return None
    if arguments.arguments[0] is not bindings[0] or bindings[0] not in (*arguments.posonlyargs, *arguments.args):
        return None
    method = arguments.parent
    if not isinstance(method, nodes.FunctionDef) or method.decorators is not None or method.type != "method":
        return None
    klass = method.parent.scope()
    if not isinstance(klass, nodes.ClassDef) or klass.type == "metaclass":
        return None
    return klass


def _instantiates(assigned: nodes.NodeNG) -> bool:
    """``self.<attr> = X(...)`` where ``X`` provably has among its values a class that calling instantiates."""
    statement = assigned.parent
    if not isinstance(assigned, nodes.AssignAttr) or not isinstance(statement, nodes.Assign):
        return False
    value = statement.value
    if assigned not in statement.targets or not isinstance(value, nodes.Call) or value._explicit_inference:
        return False
    if not _infers_locally(value.func):
        return False
    for callee in value.func.infer():
        if isinstance(callee, nodes.ClassDef) and _plain_class(callee, value):
            return True
    return False


def _infers_locally(func: nodes.NodeNG) -> bool:
    """Whether inferring ``func`` (a name or an attribute chain) stays in this module's classes and the Keras
    stubs: its root name is bound only by classes or by imports of the Keras roots."""
    root = func
    while isinstance(root, nodes.Attribute):
        if root._explicit_inference is not None:
            return False
        root = root.expr
    if not isinstance(root, nodes.Name):
        return False
    bindings = callees._bindings(root)
    return bool(bindings) and all(_local_or_keras(binding, root.name) for binding in bindings)


def _local_or_keras(binding: nodes.NodeNG, name: str) -> bool:
    return isinstance(binding, nodes.ClassDef) or callees.imports_keras(binding, name)


def _plain_class(klass: nodes.ClassDef, call: nodes.Call) -> bool:
    """Whether astroid's ``klass.infer_call_result`` for ``call`` is ``klass.instantiate_class()``."""
    if klass._explicit_inference is not None:
        return False
    if len(call.args) == 3 and klass.is_subtype_of("builtins.type"):
        return False
    metaclass = klass.metaclass()
    return metaclass is None or "__call__" not in metaclass.locals
