"""Teaches astroid the Keras namespaces without keras, tensorflow or tf_keras.

Like an astroid brain, but for a library that must never be parsed or
imported: stub modules generated from the probed class list are put in
astroid's module cache under every name users import Keras by, and every
other module under those roots is refused, so an installed Keras gives the
same answers as none (and costs nothing).

Two families of stub classes exist, told apart by their module:
``keras.layers.X`` (Keras 3 as ``keras``/``tf.keras``/``keras.src``) and
``tf_keras.layers.X`` (Keras 2, legacy).

When the linted project is Keras itself (``use_project_keras``), its own
``keras.src`` modules that no stub stands for are read from the project's
source, by path, never searched for: an installed Keras is still never parsed.
"""

from __future__ import annotations

import os

import astroid
from astroid import nodes
from astroid.manager import AstroidManager

from .facts import Knowledge

ROOTS = ("keras", "tensorflow", "tf_keras")

# Which family a stub class belongs to, by the module that defines it.
KERAS3_IMPL = "keras.layers"
KERAS2_IMPL = "tf_keras.layers"
FAMILY_OF_MODULE = {KERAS3_IMPL: "keras", KERAS2_IMPL: "tf_keras"}

STUB_ROOT = os.path.join(os.sep, "flake8-keras-layers-stubs")  # never on disk


class _StubRootDenylist(set):
    """astroid's module denylist, extended to every non-stub module under the Keras roots (but the
    linted Keras project's own, which it loads from the project's source before astroid looks)."""

    def __init__(self, original: set):
        super().__init__(original)
        self._cache = AstroidManager.brain["astroid_cache"]
        self.project_root: str | None = None

    def __contains__(self, modname) -> bool:
        if isinstance(modname, str) and modname.partition(".")[0] in ROOTS:
            cached = self._cache.get(modname)
            if cached is not None and (cached.file or "").startswith(STUB_ROOT):
                return False
            return not self._project_module(modname, cached)
        return super().__contains__(modname)

    def _project_module(self, modname: str, cached) -> bool:
        """Whether ``modname`` is the linted Keras project's own (now in astroid's cache)."""
        if self.project_root is None or not modname.startswith("keras.src."):
            return False
        base = os.path.join(self.project_root, *modname.split("."))
        path = next((p for p in (base + ".py", os.path.join(base, "__init__.py")) if os.path.isfile(p)), None)
        if path is None:
            return False
        if cached is not None and cached.file == path:
            return True
        try:
            astroid.MANAGER.ast_from_file(path, modname, fallback=False)
        except (astroid.AstroidError, SyntaxError, ValueError, RecursionError, OSError):
            return False
        return True


def _class_source(knowledge: Knowledge) -> str:
    """Every probed class, bases before subclasses, plus Keras' own aliases."""
    lines: list[str] = []
    done: set[str] = set()

    def emit(name: str, trail: frozenset = frozenset()) -> None:
        if name in done or name in trail:
            return
        facts = knowledge.classes[name]
        bases = [b for b in facts.bases if b in knowledge.classes]
        for base in bases:
            emit(base, trail | {name})
        lines.append(f"class {name}({', '.join(bases)}):\n    pass")
        for alias in facts.aliases:
            lines.append(f"{alias} = {name}")
        done.add(name)

    for name in sorted(knowledge.classes):
        emit(name)
    return "\n".join(lines) + "\n"


def _build(source: str, modname: str, package: bool) -> nodes.Module:
    parts = modname.split(".")
    path = os.path.join(STUB_ROOT, *parts, "__init__.py") if package else (
        os.path.join(STUB_ROOT, *parts) + ".py"
    )
    module = astroid.parse(source, module_name=modname, path=path)
    if package:
        module.package = True
    return module


def _layout(knowledge: Knowledge) -> dict[str, tuple[str, str]]:
    """Stub module name -> (the module it is, its family): aliases name one module."""
    layout: dict[str, tuple[str, str]] = {}
    for family in ("keras", "tf_keras"):
        layout[family] = ("root", family)
        layout[f"{family}.src"] = ("src", family)
        for alias in ("layers", "models", "src.layers", "src.models"):
            layout[f"{family}.{alias}"] = ("impl", family)
        # Deep imports (``from keras.src.layers.pooling.max_pooling2d import ...``).
        for facts in knowledge.classes.values():
            for module in facts.modules:
                if module.startswith("keras."):
                    layout[family + module[len("keras"):]] = ("impl", family)
    # TensorFlow >= 2.16 ships Keras 3 behind tf.keras.
    layout["tensorflow"] = ("tensorflow", "")
    for name in [n for n in layout if n == "keras" or n.startswith("keras.")]:
        layout["tensorflow." + name] = layout[name]
    return layout


_NAMES: dict[int, frozenset[str]] = {}


def module_names(knowledge: Knowledge) -> frozenset[str]:
    """The name of every stub module: what an import under the Keras roots can find (all else is denied)."""
    if id(knowledge) not in _NAMES:
        _NAMES.clear()
        _NAMES[id(knowledge)] = frozenset(_layout(knowledge))
    return _NAMES[id(knowledge)]


def _stub_modules(knowledge: Knowledge) -> dict[str, nodes.Module]:
    """Module name -> stub module, aliases sharing one module object."""
    classes = _class_source(knowledge)
    impl_names = {"keras": KERAS3_IMPL, "tf_keras": KERAS2_IMPL}
    built: dict[tuple[str, str], nodes.Module] = {}
    for family, impl_name in impl_names.items():
        built[("impl", family)] = _build(classes, impl_name, package=True)
        built[("root", family)] = _build("from . import layers, models, src\nfrom .layers import *\n", family, True)
        built[("src", family)] = _build("from . import layers, models\n", f"{family}.src", True)
    built[("tensorflow", "")] = _build("from . import keras\n", "tensorflow", package=True)
    return {name: built[role] for name, role in _layout(knowledge).items()}


def install(knowledge: Knowledge, manager: AstroidManager | None = None) -> None:
    """Register the stubs (again, after a cache clear); idempotent."""
    manager = manager or astroid.MANAGER
    for name, module in _stub_modules_cached(knowledge).items():
        manager.astroid_cache[name] = module
    # astroid makes throwaway managers that share the class-level ``brain``,
    # so the denylist must be replaced there, not only on this instance.
    denylist = AstroidManager.brain["module_denylist"]
    if not isinstance(denylist, _StubRootDenylist):
        denylist = _StubRootDenylist(denylist)
        AstroidManager.brain["module_denylist"] = denylist
    manager.module_denylist = denylist


def built(knowledge: Knowledge) -> bool:
    """Whether install() has the stubs for ``knowledge`` at hand (else it builds them: astroid's builtins too)."""
    return id(knowledge) in _STUB_CACHE


def use_project_keras(root: str | None) -> None:
    """Read ``keras.src`` modules from ``root`` (the linted project is Keras: project.keras_source_root),
    or from nowhere (None); install() first."""
    denylist = AstroidManager.brain["module_denylist"]
    if isinstance(denylist, _StubRootDenylist):
        denylist.project_root = root


_STUB_CACHE: dict[int, dict[str, nodes.Module]] = {}
# Every stub module and class with its names as built: linted code can add to them
# (``keras.Model.x = ...`` registers ``x``), and no file may see another file's additions.
# With each scope, its names and their counts as tuples, compared after every file at C speed.
_PRISTINE: list[tuple[nodes.LocalsDictNodeNG, dict[str, int], tuple[str, ...], tuple[int, ...]]] = []


# Every name an attribute of a stub module or class can have as built: their own names, their submodules'
# and what ``object`` and ``type`` give every class. With the attribute names this file's builds may have
# registered on other modules' scopes (``keras.Model.x = ...``: ``note_registered``, undone by restore).
_BOUND: set[str] = set()
_REGISTERED: set[str] = set()


def _stub_modules_cached(knowledge: Knowledge) -> dict[str, nodes.Module]:
    key = id(knowledge)
    if key not in _STUB_CACHE:
        _STUB_CACHE.clear()
        _STUB_CACHE[key] = _stub_modules(knowledge)
        _PRISTINE.clear()
        modules = {id(m): m for m in _STUB_CACHE[key].values()}.values()
        for scope in [*modules, *(c for m in modules for c in m.body if isinstance(c, nodes.ClassDef))]:
            names = {name: len(values) for name, values in scope.locals.items()}
            _PRISTINE.append((scope, names, tuple(names), tuple(names.values())))
        _BOUND.clear()
        for scope, names, _, _ in _PRISTINE:
            _BOUND.update(names, getattr(scope, "instance_attrs", ()))
        _BOUND.update(name.rpartition(".")[2] for name in _STUB_CACHE[key])
        builtins = astroid.MANAGER.ast_from_module_name("builtins")
        _BOUND.update(name for klass in ("object", "type") for name in builtins[klass].locals)
    return _STUB_CACHE[key]


def note_registered(attrname: str) -> None:
    """A build registered ``<expr>.<attrname> = ...`` on whatever ``<expr>`` infers to, a stub maybe."""
    _REGISTERED.add(attrname)


def may_bind(attrname: str) -> bool:
    """Whether some stub module or class, or an instance of one, may have an attribute ``attrname`` now
    (special names always may: ``__class__``, ``__base__``...)."""
    return attrname.startswith("__") or attrname in _BOUND or attrname in _REGISTERED


def reads_project_keras() -> bool:
    """Whether modules under the Keras roots other than the stubs are read now (use_project_keras)."""
    denylist = AstroidManager.brain["module_denylist"]
    return not isinstance(denylist, _StubRootDenylist) or denylist.project_root is not None


def restore() -> None:
    """Undo what linted code added to the stubs (cheap when, as usual, it added nothing)."""
    _REGISTERED.clear()
    for scope, names, keys, counts in _PRISTINE:
        if getattr(scope, "instance_attrs", None):
            scope.instance_attrs.clear()
        if tuple(scope.locals) == keys and tuple(map(len, scope.locals.values())) == counts:
            continue  # as built (the usual case); anything else is put back as it was
        if len(scope.locals) != len(names) or any(len(v) != names.get(k) for k, v in scope.locals.items()):
            for name in [n for n in scope.locals if n not in names]:
                del scope.locals[name]
            for name, count in names.items():
                del scope.locals[name][count:]


def module_identity(module: nodes.Module) -> tuple[str, str] | None:
    """(family, name below the family root) of a Keras stub module; None for any other module."""
    if not (module.file or "").startswith(STUB_ROOT):
        return None
    root, _, rest = module.name.partition(".")
    return (root, rest) if root in FAMILY_OF_MODULE.values() else None


def keras_identity(cls: nodes.ClassDef) -> tuple[str, str] | None:
    """(family, canonical name) of a stub class; None for any other class."""
    module = cls.root().name
    family = FAMILY_OF_MODULE.get(module)
    if family is None or not isinstance(cls.parent, nodes.Module):
        return None
    return family, cls.name
