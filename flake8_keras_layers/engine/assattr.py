"""astroid's registration of ``self.<attr> = ...`` as an instance attribute, without inferring ``self``.

After building a module astroid visits every ``<expr>.<attr> = value``
(``AstroidBuilder.delayed_assattr``): it infers ``<expr>`` and adds the
statement to the instance attributes of each class it has instances of. In
a Keras layer nearly every one is ``self.<attr> = ...`` in a method, and the
inference is always the same: ``self``, the method's first parameter, is an
instance of the class whose body defines the method
(``protocols._arguments_infer_argname``). Inferring it costs a context, a
lookup and the instance's MRO (``instantiate_class``) for each statement.

So within a session the builder registers those statements directly when
that inference is certain, and asks astroid for every other one:

- ``<expr>`` is a bare name with no inference tip, the first parameter of a
  function defined directly in a class body, and bound nowhere else in it;
- no ``if``/``else`` between the statement and the method could narrow the
  name (astroid's constraints, ``if self is None:``);
- the method's type is ``"method"`` and the class is no metaclass (a
  classmethod's or a metaclass's first parameter is the class itself).

Then astroid's value is ``klass.instantiate_class()``, an ``Instance`` or an
``ExceptionInstance`` of ``klass``, and its registration is ``register``'s:
the statement joins ``klass.instance_attrs`` unless ``__slots__`` forbids
the name or cannot be read (``builder._can_assign_attr``, under the
exceptions astroid catches there). tests/test_assattr.py compares both on
every shape above. The linted module's builder goes through
``delayed_assattr`` too (rebuild.py: a statement registered the direct way
never registers on another module). Outside sessions astroid's own method is
in place.
"""

from __future__ import annotations

from astroid import nodes
from astroid.builder import AstroidBuilder, _can_assign_attr
from astroid.exceptions import InferenceError

from ..knowledge import stubs

_ORIGINAL = AstroidBuilder.delayed_assattr


def method_of_first_parameter(node: nodes.AssignAttr) -> tuple[nodes.FunctionDef, nodes.ClassDef] | None:
    """(the method, its class) when ``node`` is ``<name>.<attr> = ...`` with ``<name>`` the first parameter of a
    function defined directly in a class body, as written (``self.x = ...``, ``cls.x = ...``); else None."""
    expr = node.expr
    method = node.frame()
    klass = method.parent
    if type(expr) is not nodes.Name or type(method) is not nodes.FunctionDef or type(klass) is not nodes.ClassDef:
        return None
    parameters = method.args
    first = parameters.arguments[0] if parameters.arguments else None
    if first is None or first.name != expr.name or first.name in (parameters.vararg, parameters.kwarg):
        return None
    return method, klass


def own_instance_class(node: nodes.AssignAttr) -> nodes.ClassDef | None:
    """The class ``node.expr`` provably infers to an instance of, by the rules above; None when not certain."""
    found = method_of_first_parameter(node)
    if found is None or node.expr._explicit_inference is not None:
        return None
    method, klass = found
    if method.locals.get(node.expr.name) != [method.args.arguments[0]]:
        return None
    parent = node.parent
    while parent is not method:
        if isinstance(parent, (nodes.If, nodes.IfExp, nodes.Comprehension)):
            return None
        parent = parent.parent
    if method.type != "method" or klass.type == "metaclass":
        return None
    return klass


def register(node: nodes.AssignAttr) -> bool:
    """Register ``node`` on its own class, as astroid would, when that is certain (True); False otherwise."""
    klass = own_instance_class(node)
    if klass is None:
        return False
    try:
        if not _can_assign_attr(klass, node.attrname):
            return True
    except (InferenceError, AttributeError):  # as astroid's own: an unreadable __slots__ registers nothing
        return True
    values = klass.instance_attrs.setdefault(node.attrname, [])
    if node not in values:
        values.append(node)
    return True


def delayed_assattr(builder: AstroidBuilder, node: nodes.AssignAttr) -> bool:
    """``node`` registered as astroid's ``delayed_assattr`` registers it; True when that was the direct way."""
    if register(node):
        return True
    stubs.note_registered(node.attrname)  # maybe on a stub: callees.is_keras_non_class must know
    _ORIGINAL(builder, node)
    return False


def _delayed_assattr(builder: AstroidBuilder, node: nodes.AssignAttr) -> None:
    delayed_assattr(builder, node)


def begin() -> None:
    """Before one file's analysis: every build registers ``self.<attr>`` the direct way."""
    AstroidBuilder.delayed_assattr = _delayed_assattr


def end() -> None:
    """After the file: astroid's own method again."""
    AstroidBuilder.delayed_assattr = _ORIGINAL
