"""The rule registry: every rule the plugin runs, in code order.

To add a rule: write a ``Rule`` subclass in the module of its family
(``lifecycle`` for KL1xx, ``reuse`` for KL2xx, ...), add an instance here,
give it a page ``docs/rules/<CODE>.md`` and a table of cases under ``tests/``.
"""

from __future__ import annotations

from .base import ClassContext, Diagnostic, ModuleContext, ModuleRule, Rule
from .lifecycle import BuildNeverCalled, BuiltSetBeforeBuild, SuperInitNotCalled
from .reuse import BatchNormReused, NormalizationParamsShared, ReusedLayerShapeConflict
from .state import AddWeightPositionalName, LayerCreatedInCall, StateAddedAfterBuilt, StateCreatedInCall

ALL: tuple[Rule, ...] = (
    BuildNeverCalled(),
    BuiltSetBeforeBuild(),
    StateCreatedInCall(),
    LayerCreatedInCall(),
    StateAddedAfterBuilt(),
    AddWeightPositionalName(),
    SuperInitNotCalled(),
    BatchNormReused(),
    ReusedLayerShapeConflict(),
    NormalizationParamsShared(),
)

BY_CODE = {rule.code: rule for rule in ALL}

__all__ = ["ALL", "BY_CODE", "ClassContext", "Diagnostic", "ModuleContext", "ModuleRule", "Rule"]
