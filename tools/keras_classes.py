"""The classes a Keras 3 release makes public, as both probes name them.

Runs inside the Keras subprocess (``keras`` is passed in, never imported here).
probe_keras.py and probe_config.py must name classes alike: the plugin joins
their two data files on these canonical names.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicClass:
    name: str  # canonical: the class's __name__ when that name is public, else its first public name
    cls: type
    namespace: str  # "layers" (public in keras.layers) or "models" (keras.Model, keras.Sequential)
    names: tuple[str, ...]  # every public name of the class object, sorted


def public_names(module, obj) -> list[str]:
    """The names under which ``module`` exports ``obj``, sorted."""
    return sorted(n for n in dir(module) if not n.startswith("_") and getattr(module, n, None) is obj)


def public_classes(keras) -> list[PublicClass]:
    """Every ``keras.layers.Layer`` subclass public in ``keras.layers``, plus ``keras.Model`` and
    ``keras.Sequential``; one entry per class object (aliases merged), sorted by canonical name."""
    found: dict[int, tuple[type, str, list[str]]] = {}  # id(class) -> (class, namespace, names)
    for n in dir(keras.layers):
        if n.startswith("_"):
            continue
        obj = getattr(keras.layers, n)
        if isinstance(obj, type) and issubclass(obj, keras.layers.Layer):
            found.setdefault(id(obj), (obj, "layers", []))[2].append(n)
    for n, obj in (("Model", keras.Model), ("Sequential", keras.Sequential)):
        names = set(public_names(keras, obj)) | set(public_names(keras.models, obj)) | {n}
        found.setdefault(id(obj), (obj, "models", []))[2].extend(sorted(names))
    out = []
    for cls, namespace, names in found.values():
        unique = tuple(sorted(set(names)))
        name = cls.__name__ if cls.__name__ in unique else unique[0]
        out.append(PublicClass(name, cls, namespace, unique))
    return sorted(out, key=lambda c: c.name)


def public_bases(cls: type, classes: list[PublicClass]) -> list[str]:
    """Canonical names of the nearest public ancestors of ``cls`` (through private ones)."""
    canonical = {id(c.cls): c.name for c in classes}
    found: list[type] = []

    def walk(klass):
        for base in klass.__bases__:
            if id(base) in canonical:
                if base not in found:
                    found.append(base)
            else:
                walk(base)

    walk(cls)
    nearest = [b for b in found if not any(o is not b and issubclass(o, b) for o in found)]
    return [canonical[id(b)] for b in nearest]
