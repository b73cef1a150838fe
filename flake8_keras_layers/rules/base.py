"""What a rule is: a code, a short name, a message, and a check over one class.

A rule looks at one user class whose Keras ancestry is known and yields
``Diagnostic`` objects. It never raises on its own account: an inference
failure means "stay silent", and the analysis contains anything unexpected
per class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterator

from astroid import nodes

from ..knowledge.facts import Knowledge
from ..analysis import syntax
from ..analysis.resolver import Ancestry, KerasClass
from ..knowledge.versions import Releases, Target


# What flake8 prints after the position: one editor line (the rule's page has the long explanation).
MAX_LINE = 200


@dataclass(frozen=True)
class Diagnostic:
    line: int
    col: int
    code: str
    message: str

    def flake8_text(self, name: str) -> str:
        return f"{self.code} {name}: {self.message}"


@dataclass
class FileContext:
    """What every rule may ask: the targeted release and the probed facts."""

    target: Target
    knowledge: Knowledge

    def releases(self, keras_class: KerasClass) -> Releases:
        """Which Keras releases' facts apply to ``keras_class`` under the target: every rule asks here.

        ``.keras3`` for what Keras 3 does (none: a Keras 2 only namespace, where a rule about Keras 3
        behaviour stays silent), ``.structure`` for which classes own weights or take which parameters
        (Keras 2, not probed, counts as any probed release).
        """
        return self.target.releases(keras_class.family)

    def targets_keras3(self, keras_class: KerasClass) -> bool:
        """Some Keras 3 release is targeted for the class's namespace (else Keras 2 behaviour applies)."""
        return self.releases(keras_class).has_keras3

    def affected_by(self, keras_class: KerasClass, fact: str):
        """The verdict for a per-class Keras 3 behaviour fact within the target, or None."""
        within = self.releases(keras_class).keras3
        if within == ():
            return None  # Keras 2 behaviour is not probed: stay silent.
        return self.knowledge.class_holds(keras_class.name, fact, within)

    def structure_holds(self, keras_class: KerasClass, fact: str):
        """The verdict for a structural per-class fact (owns weights, keeps the width...) within the target."""
        return self.knowledge.class_holds(keras_class.name, fact, self.releases(keras_class).structure)

    def global_affected_by(self, keras_class: KerasClass, fact: str):
        """The verdict for a global Keras 3 behaviour fact within the target, for a class of ``keras_class``'s
        namespace, or None."""
        within = self.releases(keras_class).keras3
        if within == ():
            return None  # Keras 2 behaviour is not probed: stay silent.
        return self.knowledge.global_holds(fact, within)

    def targeting_notes(self) -> list[str]:
        """Where the target came from (``keras>=3.10 in pyproject.toml``) as a message part, most detailed
        first, for ``Rule.fit``: `` (the whole note)``, then
        only where it came from (``keras 99.1.0 in keras/src/version.py``, without what follows ``;``), then
        nothing."""
        note = self.target.note
        short = note.split(";")[0]
        return [f" ({note})", *([f" ({short})"] if short != note else []), ""]


@dataclass
class ClassContext(FileContext):
    """A class whose Keras ancestry is known."""

    ancestry: Ancestry
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def cls(self) -> nodes.ClassDef:
        return self.ancestry.cls

    def cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per class: rules of one family ask the same questions (walks, inference)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def method(self, name: str) -> nodes.FunctionDef | None:
        """The method the class body itself effectively defines under ``name`` (syntax.defined_method)."""
        return syntax.defined_method(self.cls, name)


@dataclass
class ModuleContext(FileContext):
    """A whole module, for rules about calls anywhere in it."""

    module: nodes.Module


class Rule:
    """A class rule: set the class attributes, implement ``check``, add to ``rules.ALL``."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line, for the docs index
    # A class that defines none of these methods is never handed to the rule;
    # the analysis uses them to skip files cheaply before any inference.
    methods: ClassVar[frozenset[str]]
    # Also handed a class with several bases that defines none of ``methods``: a mixin may bring them.
    mixed_in: ClassVar[bool] = False
    opt_in: ClassVar[bool] = False
    module_rule: ClassVar[bool] = False  # a ModuleRule (the pre-filter asks without importing this module)

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        raise NotImplementedError

    @classmethod
    def message_budget(cls) -> int:
        """Characters a message may take so that ``KL101 build-never-called: <message>`` fits one editor line."""
        return MAX_LINE - len(f"{cls.code} {cls.name}: ")

    def wants(self, own_methods, bases: int) -> bool:
        """Whether a class defining ``own_methods`` with ``bases`` bases may be reported."""
        return bool(self.methods & own_methods) or (self.mixed_in and bases > 1)

    @classmethod
    def fit(cls, *forms: str) -> str:
        """The first (most detailed) form that fits one editor line, else the shortest: long class and
        attribute names on real code push the details out, never the class, the cause or the fix."""
        budget = cls.message_budget()
        return next((form for form in forms if len(form) <= budget), min(forms, key=len))

    def at(self, node: nodes.NodeNG, message: str) -> Diagnostic:
        return Diagnostic(node.lineno, node.col_offset, self.code, message)


class ModuleRule(Rule):
    """A rule over a whole module (calls at module level, in functions, in classes).

    ``callees``/``keywords`` pre-filter files cheaply: the rule runs only on a
    file that calls something by one of these names (``Lambda``, ``x.Lambda``)
    or passes one of these keywords (``activation=``).
    """

    methods = frozenset()
    module_rule = True
    callees: ClassVar[frozenset[str]] = frozenset()
    keywords: ClassVar[frozenset[str]] = frozenset()
    # What a call must be for the rule to report there, when it must (pre-filter step 4, engine/denied.py,
    # skips a file where no call is): "callee", one whose callee infers to a Keras class or a class the
    # resolver finds Keras above; "method", one in a method of a class the resolver finds Keras above.
    needs: ClassVar[str] = ""

    def check_module(self, ctx: ModuleContext) -> Iterator[Diagnostic]:
        raise NotImplementedError
