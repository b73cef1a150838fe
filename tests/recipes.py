"""The recipes the README shows (``<!-- recipe: NAME -->`` before a code block).

The slow tests run these very texts, and docs/integrations.md must carry the
same blocks, so what users copy is what the suite runs.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
INTEGRATIONS = ROOT / "docs" / "integrations.md"

_RECIPE = re.compile(r"<!-- recipe: ([\w-]+) -->\s*```\w*\n(.*?)```", re.S)


def recipes(path: Path = README) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, text in _RECIPE.findall(path.read_text()):
        assert name not in found, f"recipe {name} twice in {path}"
        found[name] = text
    return found


def recipe(name: str) -> str:
    return recipes()[name]
