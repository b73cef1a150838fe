"""The recipes the README shows (``<!-- recipe: NAME -->`` before a code block).

The slow tests run these very texts, and docs/integrations.md must carry the
same blocks, so what users copy is what the suite runs. Shell commands to type
(``<!-- commands: NAME -->`` before a ```sh block) are read the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
INTEGRATIONS = ROOT / "docs" / "integrations.md"

_RECIPE = re.compile(r"<!-- recipe: ([\w-]+) -->\s*```\w*\n(.*?)```", re.S)
_COMMANDS = r"<!-- commands: {} -->\s*```sh\n(.*?)```"


def recipes(path: Path = README) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, text in _RECIPE.findall(path.read_text()):
        assert name not in found, f"recipe {name} twice in {path}"
        found[name] = text
    return found


def recipe(name: str) -> str:
    return recipes()[name]


def commands(name: str, path: Path = README) -> list[str]:
    """The command lines of the ``<!-- commands: NAME -->`` block, as written (comments and blank lines left out)."""
    (block,) = re.findall(_COMMANDS.format(re.escape(name)), path.read_text(), re.S)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
