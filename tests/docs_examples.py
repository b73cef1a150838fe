"""The bad/good examples on each rule page (``<!-- example: bad|good [label] -->`` blocks)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"

_BLOCK = re.compile(r"<!-- example: (bad|good)( [\w-]+)? -->\s*```python\n(.*?)```", re.S)


@dataclass(frozen=True)
class Example:
    code: str  # rule code of the page
    kind: str  # "bad" or "good"
    label: str  # "" or the block's label
    source: str

    def __str__(self) -> str:
        return f"{self.code}-{self.kind}{'-' + self.label if self.label else ''}"


def examples(code: str | None = None) -> list[Example]:
    found = []
    for page in sorted(DOCS.glob("KL*.md")):
        if code and page.stem != code:
            continue
        for kind, label, source in _BLOCK.findall(page.read_text()):
            found.append(Example(page.stem, kind, (label or "").strip(), source))
    return found


def example(code: str, kind: str, label: str = "") -> Example:
    return next(e for e in examples(code) if e.kind == kind and e.label == label)
