"""What ``__init__`` does with each of its parameters, for the config rules (KL302-KL305).

Passed on to the Keras base, stored under a config key's name, used once while
constructing (construction-only), turned into a value the config carries, or
stored where nothing reads it: each is a reason a parameter need not be a key
of ``get_config``. Answers stay on the quiet side: whatever is not followed
counts as needing the key.
"""

from __future__ import annotations

import re

from astroid import nodes

from . import resolver, syntax


def named_params(func: nodes.FunctionDef) -> list[nodes.AssignName]:
    """Parameters a caller can pass by keyword (``self`` and positional-only ones excluded)."""
    args = func.args
    return [*(args.args or [])[1:], *(args.kwonlyargs or [])]


def has_default(func: nodes.FunctionDef, param: nodes.AssignName) -> bool:
    args = func.args
    if param in (args.kwonlyargs or []):
        return args.kw_defaults[args.kwonlyargs.index(param)] is not None
    positional = args.args or []
    return positional.index(param) >= len(positional) - len(args.defaults or [])


def names_passed_to_super(init: nodes.FunctionDef) -> set[str]:
    """Every name used in the arguments of ``super().__init__(...)`` calls (by keyword or position)."""
    names: set[str] = set()
    for call in syntax.super_init_calls(init):
        for arg in [*call.args, *(k.value for k in call.keywords or [])]:
            names.update(n.name for n in arg.nodes_of_class(nodes.Name))
    return names


def key_values(init: nodes.FunctionDef, keys: frozenset[str]) -> list[nodes.NodeNG]:
    """Values ``__init__`` assigns into a local or ``self`` attribute named like a config key
    (``batch_shape = (batch_size,) + shape`` with key ``batch_shape``): what flows into them is in the config."""
    me = syntax.self_name(init)
    found = []
    for node in init.nodes_of_class((nodes.Assign, nodes.AugAssign, nodes.AnnAssign)):
        targets = node.targets if isinstance(node, nodes.Assign) else [node.target]
        names = {t.name for t in targets if isinstance(t, nodes.AssignName)}
        names |= {t.attrname for t in targets if syntax.is_self_attr(t, me)}
        if node.value is not None and {n.lstrip("_") for n in names} & keys:
            found.append(node.value)
    return found


def stored_under_keys(init: nodes.FunctionDef, keys: frozenset[str]) -> set[str]:
    """Parameters that flow into a config key under another name (``key_values``)."""
    return {n.name for value in key_values(init, keys) for n in value.nodes_of_class(nodes.Name)}


def construction_only(init: nodes.FunctionDef, param: str, keys: frozenset[str], model: bool) -> bool:
    """``param`` only has a one-time effect in ``__init__`` and is left out of the config on purpose:
    never stored on ``self``, even as something derived, nor handed to anything that keeps it (a
    constructor, a function), only tested, rebound, or given to a method of the instance itself
    (``self.load_weights(weights)``, ``self.determine_input(input_tensor)``; not ``self.add_weight``,
    whose weight it shapes), whose effect a reloaded copy does not need. In a ``model`` it may also
    build the functional inputs beside a config key (``_builds_functional_inputs``)."""
    me = syntax.self_name(init)
    uses = [n for n in init.nodes_of_class(nodes.Name) if n.name == param]
    return bool(uses) and all(_one_time_use(use, me, param, keys, model) for use in uses)


def _one_time_use(use: nodes.Name, me: str | None, param: str, keys: frozenset[str], model: bool) -> bool:
    statement = use.statement()
    if isinstance(statement, (nodes.Raise, nodes.Assert)):
        return True  # an error message or a check
    if isinstance(statement, (nodes.Assign, nodes.AugAssign, nodes.AnnAssign)):
        targets = statement.targets if isinstance(statement, nodes.Assign) else [statement.target]
        if any(isinstance(t, (nodes.AssignAttr, nodes.Subscript)) for t in targets):
            return False  # `self.subtract = mode == "sub"`: something derived from it is kept
    if isinstance(statement, (nodes.If, nodes.While)) and use in statement.test.nodes_of_class(nodes.Name):
        return True  # `if weights is not None:`
    child: nodes.NodeNG = use
    for parent in use.node_ancestors():
        if parent is statement:
            break
        if isinstance(parent, nodes.Compare) or isinstance(parent, nodes.IfExp) and child is parent.test:
            return True  # only a truth value comes out
        if isinstance(parent, nodes.Call):
            if child is parent.func:
                return False
            if syntax.is_self_attr(parent.func, me):
                return not parent.func.attrname.startswith("add_")  # add_weight/add_variable keep its effect
            return model and _builds_functional_inputs(parent, child, statement, keys)
        child = parent
    if isinstance(statement, (nodes.Assign, nodes.AugAssign)):
        targets = statement.targets if isinstance(statement, nodes.Assign) else [statement.target]
        return all(isinstance(t, nodes.AssignName) and t.name == param for t in targets)  # rebound
    return False


def _builds_functional_inputs(call: nodes.Call, arg: nodes.NodeNG, statement: nodes.NodeNG,
                              keys: frozenset[str]) -> bool:
    """``inputs = parse_inputs(input_shape, input_tensor)`` then ``super().__init__(inputs=inputs, ...)``, with
    another argument of that call a config key (``input_shape``): ``arg`` only attaches the functional
    model's inputs to an existing tensor, and a reload makes them anew from the key. Alone
    (``keras.Input(shape=image_shape)``) it is what the inputs are made of: not construction-only."""
    arg = arg.value if isinstance(arg, nodes.Keyword) else arg
    others = [a for a in [*call.args, *(k.value for k in call.keywords or [])] if a is not arg]
    if not any(isinstance(a, nodes.Name) and a.name in keys for a in others):
        return False
    if not (isinstance(statement, nodes.Assign) and statement.value is call and len(statement.targets) == 1):
        return False
    target = statement.targets[0]
    if not isinstance(target, nodes.AssignName):
        return False
    for super_call in syntax.super_init_calls(statement.frame()):
        keywords = {k.arg: k.value for k in super_call.keywords or [] if k.arg}
        functional = "outputs" in keywords or len(super_call.args) >= 2  # Model(inputs, outputs)
        given = [keywords.get("inputs"), *super_call.args[:1]] if functional else []
        if any(isinstance(g, nodes.Name) and g.name == target.name for g in given):
            return True
    return False


def not_plain_data(init: nodes.FunctionDef, param: nodes.AssignName) -> bool:
    """The parameter takes a class or an InputSpec: its default is one, or its annotation says so."""
    args = init.args
    annotations = [*(args.annotations or []), *(args.kwonlyargs_annotations or [])]
    names = [*(args.args or []), *(args.kwonlyargs or [])]
    annotation = annotations[names.index(param)] if param in names and len(annotations) == len(names) else None
    if annotation is not None and re.search(r"\b(InputSpec|type|Type)\b", annotation.as_string()):
        return True
    default = args.default_value(param.name) if has_default(init, param) else None
    if isinstance(default, nodes.Call):
        func = default.func
        return (func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)) == "InputSpec"
    values = resolver.safe_infer_all(default) if default is not None else None
    return values is not None and bool(values) and all(isinstance(v, nodes.ClassDef) for v in values)


def carried_values(cls: nodes.ClassDef, get_config: nodes.FunctionDef, init: nodes.FunctionDef,
                   keys: frozenset[str]) -> set[int]:
    """Values the config carries: those ``__init__`` gives a key's name (``key_values``), and those any
    method of the class assigns to a ``self`` attribute ``get_config`` reads (``self._attention_layer =
    make(self._attention_cfg)`` in ``build()`` with ``"attention_cls": self._attention_layer``)."""
    me = syntax.self_name(get_config)
    read = {n.attrname for n in get_config.nodes_of_class(nodes.Attribute) if syntax.is_self_attr(n, me)}
    carried = {id(value) for value in key_values(init, keys)}
    for method in syntax.defined_methods(cls):
        if method is get_config:
            continue
        mine = syntax.self_name(method)
        for node in method.nodes_of_class(nodes.Assign):
            if any(syntax.is_self_attr(t, mine) and t.attrname in read for t in node.targets):
                carried.add(id(node.value))
    return carried


def kept_unread(init: nodes.FunctionDef, param: str, carried: set[int]) -> bool:
    """``param`` is only stored (``self.channels_axis = channel_axis``) under attributes nothing in the
    module reads, but to compute a value the config carries (``carried_values``: ``self._decoder =
    decoder or Decoder(from_logits=self.activation != ...)`` with key ``decoder``): reloading it with the
    default changes nothing the code can see."""
    me = syntax.self_name(init)
    attrs: set[str] = set()
    for use in init.nodes_of_class(nodes.Name):
        if use.name != param:
            continue
        assign = use.parent
        if not (isinstance(assign, nodes.Assign) and assign.value is use and all(
                syntax.is_self_attr(t, me) for t in assign.targets)):
            return False
        attrs.update(t.attrname for t in assign.targets)
    if not attrs:
        return False
    module = init.root()
    for read in syntax.module_nodes(module, nodes.Attribute):  # AssignAttr is not an Attribute
        if read.attrname in attrs and not any(id(a) in carried for a in read.node_ancestors()):
            return False
    return not spells(module, attrs)  # getattr(self, "channels_axis")


def spells(node: nodes.NodeNG, strings: set[str], but: str | None = None) -> bool:
    """Some string constant under ``node`` is one of ``strings`` (``kwargs.pop("classes", 1000)``,
    ``getattr(self, "axis")``); ``but``: not inside the method of that name."""
    return any(isinstance(n.value, str) and n.value in strings and (but is None or n.frame().name != but)
               for n in node.nodes_of_class(nodes.Const))
