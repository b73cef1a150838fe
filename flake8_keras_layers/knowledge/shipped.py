"""The probed data files shipped in ``knowledge/data/``, read once each."""

from __future__ import annotations

import json
from importlib import resources

from .. import debug


def load(name: str, what: str) -> dict | None:
    """The JSON document of ``data/<name>``; None when the install lacks it or it cannot be read. The rules
    that need it then go quiet, so ``FLAKE8_KERAS_LAYERS_DEBUG`` is told: that must not pass for all clear."""
    try:
        text = resources.files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, ValueError) as error:
        debug.internal_error(f"{__package__}/data/{name}", f"loading {what}", error)
        return None
