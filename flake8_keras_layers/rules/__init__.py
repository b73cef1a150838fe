"""The rule registry: every rule the plugin runs, in code order.

To add a rule: write a ``Rule`` subclass in the module of its family
(``lifecycle`` for KL1xx, ``reuse`` for KL2xx, ...), add an instance here,
give it a page ``docs/rules/<CODE>.md`` and a table of cases under ``tests/``.
"""

from __future__ import annotations

from .activation import ActivationLayerInstance
from .base import ClassContext, Diagnostic, ModuleContext, ModuleRule, Rule
from .config import ConfigDropsBase, ConfigMissingArg
from .config_init import ConfigNotSerializable, InitDropsKwargs
from .lifecycle import AttributeResetBySuperInit, BuildNeverCalled, BuiltSetBeforeBuild, SuperInitNotCalled
from .portability import BackendSpecificOp, LambdaNotLoadable
from .reuse import BatchNormReused, NormalizationParamsShared, ReusedLayerShapeConflict
from .state import AddWeightPositionalName, LayerCreatedInCall, StateAddedAfterBuilt, StateCreatedInCall
from .training import TrainingDefaultTrue

ALL: tuple[Rule, ...] = (
    BuildNeverCalled(),
    BuiltSetBeforeBuild(),
    StateCreatedInCall(),
    LayerCreatedInCall(),
    StateAddedAfterBuilt(),
    AddWeightPositionalName(),
    SuperInitNotCalled(),
    AttributeResetBySuperInit(),
    TrainingDefaultTrue(),
    BatchNormReused(),
    ReusedLayerShapeConflict(),
    NormalizationParamsShared(),
    ActivationLayerInstance(),
    InitDropsKwargs(),
    ConfigMissingArg(),
    ConfigNotSerializable(),
    ConfigDropsBase(),
    BackendSpecificOp(),
    LambdaNotLoadable(),
)

BY_CODE = {rule.code: rule for rule in ALL}

__all__ = ["ALL", "BY_CODE", "ClassContext", "Diagnostic", "ModuleContext", "ModuleRule", "Rule"]
