"""The package's shape: layers that only import downwards, no import cycle, no module over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "flake8_keras_layers"
# Lower layers never import higher ones (a module may import its own layer).
LAYERS = ["debug", "knowledge", "analysis", "rules", "engine", "plugin"]
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The package modules ``path`` imports (relative imports resolved; a package means its __init__)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in MODULES}


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def layer(name: str) -> int:
    parts = name.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return LAYERS.index(top) if top in LAYERS else len(LAYERS)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_only_go_down_the_layers(name):
    upward = [other for other in imports(MODULES[name]) if layer(other) > layer(name)
              and other != "flake8_keras_layers"]
    assert not upward, f"{name} (layer {LAYERS[layer(name)] if layer(name) < len(LAYERS) else '?'}) imports {upward}"


def test_no_import_cycle():
    graph = {name: imports(path) - {name} for name, path in MODULES.items()}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        assert name not in visiting, "import cycle: " + " -> ".join(visiting[visiting.index(name):] + [name])
        visiting.append(name)
        for other in sorted(graph[name]):
            if other != "flake8_keras_layers" and not name.startswith(other + "."):
                visit(other)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_400_lines(name):
    assert len(MODULES[name].read_text().splitlines()) <= MAX_LINES


def test_the_readme_layout_names_every_subpackage_and_module():
    readme = (PACKAGE.parent / "README.md").read_text()
    layout = readme[readme.index("## Layout"):]
    for name, path in MODULES.items():
        if path.name == "__init__.py" or name.startswith("flake8_keras_layers.rules."):
            continue  # rules/ is described as a whole
        assert f"`{path.name}`" in layout or f"`flake8_keras_layers/{path.name}`" in layout, name
