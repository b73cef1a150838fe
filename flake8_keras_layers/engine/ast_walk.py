"""Walking the statements of flake8's ``ast`` tree, for the checks that run before astroid (and of astroid's)."""

from __future__ import annotations

from typing import Any, Iterator

# Where a statement can hold statements: a class or function body, a branch, a handler, a match case.
BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def statements(tree: Any) -> Iterator[Any]:
    """Every statement nested in ``tree``'s blocks (handlers and match cases included), never entering
    an expression: a class or a function is only ever defined by a statement, so this finds them all
    at a fraction of ``ast.walk``'s cost. astroid's nodes have the same blocks: it walks them too."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for name in BLOCK_FIELDS:
            block = getattr(node, name, None)
            if type(block) is list:
                stack.extend(block)
                yield from block
