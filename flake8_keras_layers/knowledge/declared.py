"""What a project declares about its Keras, read from its own metadata files (never executed).

From the linted file's directory upwards, the nearest directory holding project
metadata that names ``keras``, ``tensorflow`` (or a variant) is the project
root; the walk stops at the repository's root. Its sources, the first naming a
distribution winning for it: ``keras/src/version.py`` (the project *is* Keras),
``pyproject.toml`` (PEP 621 and Poetry tables), ``setup.cfg``, ``setup.py``
(literal requirements, read with ``ast``), built metadata (an sdist's
``PKG-INFO``, an unpacked wheel's ``*.dist-info/METADATA``: the same
requirements, compiled), then ``requirements*.txt`` and ``requirements/*.txt``
(with ``-r`` includes). Every requirement of a distribution in a source counts:
extras and markers are other environments, not exclusions. Each root is read
once per process; a source its own tool would reject is skipped, and named
through ``on_skip``.
"""

from __future__ import annotations

import ast
import configparser
import functools
import glob
import os
import re
import sys
from dataclasses import dataclass
from email.parser import HeaderParser
from typing import Callable, Iterable, Iterator

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

OnSkip = Callable[[str, str], None]

# Distributions whose versions decide what ``keras`` and ``tf.keras`` are.
KINDS = {
    **dict.fromkeys(("keras", "keras-nightly"), "keras"),
    **dict.fromkeys(("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tensorflow-intel",
                     "tf-nightly", "tf-nightly-cpu", "tf-nightly-gpu"), "tensorflow"),
    **dict.fromkeys(("tf-keras", "tf-keras-nightly"), "tf-keras"),
}
OWN_VERSION = os.path.join("keras", "src", "version.py")
_REPOSITORY_MARKERS = (".git", ".hg")
_MAX_INCLUDE_DEPTH = 8


@dataclass(frozen=True)
class Declaration:
    kind: str  # "keras", "tensorflow" or "tf-keras"
    text: str  # as messages show it: "keras>=3.10", "keras 3.16.0"
    specifier: SpecifierSet
    where: str  # the file, relative to the project root: "pyproject.toml"
    path: str  # the file


class Skipped(Exception):
    """A source its own tool would reject: the reason."""


def declarations_for(directory: str, on_skip: OnSkip) -> tuple[Declaration, ...]:
    """The declarations of the nearest project root at or above ``directory`` that names keras or
    tensorflow."""
    for root in _roots_above(os.path.abspath(directory)):
        found = _read_root(root, on_skip)
        if any(d.kind != "tf-keras" for d in found):  # tf-keras alone says nothing about keras
            return found
    return ()


_ROOTS_OF: dict[str, tuple[str, ...]] = {}
_READ: dict[str, tuple[Declaration, ...]] = {}


def _roots_above(directory: str) -> tuple[str, ...]:
    """The project roots at and above ``directory``, nearest first; each directory is looked at once per
    process (a package's files share their parents)."""
    if directory not in _ROOTS_OF:
        own = (directory,) if _is_root(directory) else ()
        parent = os.path.dirname(directory)
        if parent == directory or parent == os.path.expanduser("~") or any(
            os.path.exists(os.path.join(directory, m)) for m in _REPOSITORY_MARKERS
        ):  # the repository's (or the file system's) root; the home directory is no project
            _ROOTS_OF[directory] = own
        else:
            _ROOTS_OF[directory] = own + _roots_above(parent)
    return _ROOTS_OF[directory]


def _is_root(directory: str) -> bool:
    names = ("pyproject.toml", "setup.cfg", "setup.py", "PKG-INFO", OWN_VERSION)
    return (any(os.path.isfile(os.path.join(directory, n)) for n in names)
            or bool(_requirement_files(directory)) or _wheel_metadata(directory) is not None)


def _read_root(root: str, on_skip: OnSkip) -> tuple[Declaration, ...]:
    if root not in _READ:
        _READ[root] = tuple(_first_source_per_kind(root, on_skip))
    return _READ[root]


def _first_source_per_kind(root: str, on_skip: OnSkip) -> Iterator[Declaration]:
    decided: set[str] = set()
    for source in (_own_version, _pyproject, _setup_cfg, _setup_py, _built_metadata, _requirements):
        found = [d for d in source(root, on_skip) if d.kind not in decided]
        decided.update(d.kind for d in found)
        yield from found


def _text(path: str) -> str:
    with open(path, encoding="utf-8") as file:
        return file.read()


def _relative(root: str, path: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _guarded(root: str, path: str, on_skip: OnSkip, read: Callable[[], Iterable[tuple[str, str]]]):
    """Declarations from ``read()`` (requirement text, file): none if the file is absent, or unreadable
    or malformed (then reported)."""
    if not os.path.isfile(path):
        return []
    try:
        return [d for text, where in read() for d in _declaration(text, where, os.path.join(root, where))]
    except Exception as error:  # noqa: BLE001 - bad TOML, syntax, encoding, I/O...: this source is skipped
        reason = str(error) if isinstance(error, Skipped) else f"{type(error).__name__}: {error}"
        on_skip(path, " ".join(reason.split()))
        return []


def _declaration(text: str, where: str, path: str) -> list[Declaration]:
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        raise Skipped(f"not a valid requirement: {text!r} ({error})") from None
    kind = KINDS.get(canonicalize_name(requirement.name))
    if kind is None:
        return []
    return [Declaration(kind, _shown(text, requirement), requirement.specifier, where, os.path.normpath(path))]


def _shown(text: str, requirement: Requirement) -> str:
    """The requirement as written, without extras, markers or spaces: ``tensorflow>=2.13,<2.16``."""
    if requirement.url:
        return requirement.name
    written = re.sub(r"\[.*?\]|[\s()]", "", text.split(";")[0])
    return written if written.startswith(requirement.name) else f"{requirement.name}{requirement.specifier}"


# -- the sources ----------------------------------------------------------------------------------------


def _own_version(root: str, on_skip: OnSkip) -> list[Declaration]:
    path = os.path.join(root, OWN_VERSION)

    def read():
        tree = ast.parse(_text(path))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__version__"
                                                    for t in node.targets):
                value = ast.literal_eval(node.value)
                if isinstance(value, str):
                    try:
                        release = ".".join(map(str, Version(value).release))
                    except InvalidVersion:
                        raise Skipped(f"__version__ {value!r} is not a version") from None
                    return [(f"keras=={release}", OWN_VERSION)]
        raise Skipped("no literal __version__")

    found = _guarded(root, path, on_skip, read)
    return [Declaration("keras", f"keras {d.text[len('keras=='):]}", d.specifier, d.where, d.path) for d in found]


def _pyproject(root: str, on_skip: OnSkip) -> list[Declaration]:
    path = os.path.join(root, "pyproject.toml")

    def read():
        data = tomllib.loads(_text(path))
        project = data.get("project", {})
        texts = _strings(project.get("dependencies", []), "project.dependencies")
        for group, items in _table(project.get("optional-dependencies", {})).items():
            texts += _strings(items, f"project.optional-dependencies.{group}")
        poetry = _table(_table(data.get("tool", {})).get("poetry", {}))
        tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
        tables += [_table(g).get("dependencies", {}) for g in _table(poetry.get("group", {})).values()]
        for table in tables:
            for name, value in _table(table).items():
                if canonicalize_name(name) in KINDS:
                    texts += _poetry_requirements(name, value)
        return [(text, "pyproject.toml") for text in texts]

    return _guarded(root, path, on_skip, read)


def _table(value) -> dict:
    if not isinstance(value, dict):
        raise Skipped(f"expected a table, found {type(value).__name__}")
    return value


def _strings(value, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Skipped(f"{what} is not a list of strings")
    return list(value)


def _poetry_requirements(name: str, value) -> list[str]:
    """A Poetry dependency as PEP 508 requirements: several constraints are alternatives (per environment)."""
    texts = []
    for constraint in value if isinstance(value, list) else [value]:
        constraint = constraint.get("version", "*") if isinstance(constraint, dict) else constraint
        if not isinstance(constraint, str):
            raise Skipped(f"Poetry constraint of {name} is not a string")
        texts.append(_poetry_constraint(name, constraint.strip()))
    return texts


def _poetry_constraint(name: str, constraint: str) -> str:
    if constraint in ("", "*"):
        return name
    if constraint[0] in "^~" and constraint[:2] != "~=":
        try:
            release = Version(constraint[1:].strip()).release
        except InvalidVersion:
            raise Skipped(f"Poetry constraint {constraint!r} of {name}") from None
        upper: tuple[int, ...]
        if constraint[0] == "~":  # ~1.2.3: >=1.2.3,<1.3; ~1: >=1,<2
            upper = (release[0] + 1,) if len(release) == 1 else (release[0], release[1] + 1)
        else:  # ^1.2.3: >=1.2.3,<2; ^0.2.3: <0.3; ^0.0.3: <0.0.4
            index = next((i for i, part in enumerate(release) if part), len(release) - 1)
            upper = (*release[:index], release[index] + 1)
        return f"{name}>={'.'.join(map(str, release))},<{'.'.join(map(str, upper))}"
    try:
        Version(constraint)
        return f"{name}=={constraint}"
    except InvalidVersion:
        pass
    try:
        return f"{name}{SpecifierSet(constraint.replace(' ', ''))}"
    except InvalidSpecifier:
        raise Skipped(f"Poetry constraint {constraint!r} of {name}") from None


def _setup_cfg(root: str, on_skip: OnSkip) -> list[Declaration]:
    path = os.path.join(root, "setup.cfg")

    def read():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(_text(path), source=path)
        except configparser.Error as error:
            raise Skipped(f"not a valid setup.cfg ({' '.join(str(error).split())})") from None
        values = []
        if parser.has_option("options", "install_requires"):
            values.append(parser.get("options", "install_requires"))
        if parser.has_section("options.extras_require"):
            values += [value for _, value in parser.items("options.extras_require")]
        texts = []
        for value in values:
            lines = [line.split(" #")[0].strip() for line in value.splitlines()]
            if any(line.startswith("file:") for line in lines):
                raise Skipped("requirements given with file: (read from the requirements files instead)")
            texts += [line for line in lines if line and not line.startswith("#")]
        return [(text, "setup.cfg") for text in texts]

    return _guarded(root, path, on_skip, read)


def _setup_py(root: str, on_skip: OnSkip) -> list[Declaration]:
    path = os.path.join(root, "setup.py")

    def read():
        tree = ast.parse(_text(path))
        assigned: dict[str, list[ast.expr]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
        texts: list[str] = []
        for call in ast.walk(tree):
            func = getattr(call, "func", None)
            if not isinstance(call, ast.Call) or getattr(func, "id", getattr(func, "attr", None)) != "setup":
                continue
            for keyword in call.keywords:
                if keyword.arg in ("install_requires", "extras_require"):
                    value = _literal(keyword.value, assigned, keyword.arg)
                    for group in value.values() if isinstance(value, dict) else [value]:
                        # setuptools also takes one string of requirements, one per line
                        items = group.splitlines() if isinstance(group, str) else group
                        items = _strings(list(items) if isinstance(items, tuple) else items, keyword.arg)
                        texts += [text.strip() for text in items if text.strip()]
        return [(text, "setup.py") for text in texts]

    return _guarded(root, path, on_skip, read)


def _literal(node: ast.expr, assigned: dict[str, list[ast.expr]], what: str):
    """A literal, or a module-level name bound once to one; anything computed makes the file skipped."""
    if isinstance(node, ast.Name) and len(assigned.get(node.id, ())) == 1:
        node = assigned[node.id][0]
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise Skipped(f"{what} is computed, not a literal (setup.py is never run)") from None


def _wheel_metadata(root: str) -> str | None:
    """The METADATA of the one ``*.dist-info`` at ``root`` that belongs to a package beside it."""
    found = glob.glob(os.path.join(glob.escape(root), "*.dist-info", "METADATA"))
    if len(found) != 1:
        return None  # none, or a site-packages directory: no one project's
    package = os.path.basename(os.path.dirname(found[0])).split("-")[0]
    return found[0] if os.path.isdir(os.path.join(root, package)) else None


def _built_metadata(root: str, on_skip: OnSkip) -> list[Declaration]:
    for path in (os.path.join(root, "PKG-INFO"), _wheel_metadata(root)):
        if path is None:
            continue
        where = _relative(root, path)

        def read(path=path, where=where):
            message = HeaderParser().parsestr(_text(path))
            return [(text, where) for text in message.get_all("Requires-Dist") or []]

        found = _guarded(root, path, on_skip, read)
        if found:
            return found
    return []


_OPTION = re.compile(r"\s+--?[A-Za-z]")  # per-requirement options (--hash=...) after the requirement
# Constraint files (-c) are not followed: they narrow what is installed only if something requires it.
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s*=\s*|\s+)(\S+)$")


def _requirement_files(root: str) -> list[str]:
    return (sorted(glob.glob(os.path.join(glob.escape(root), "requirements*.txt")))
            + sorted(glob.glob(os.path.join(glob.escape(root), "requirements", "*.txt"))))


def _requirements(root: str, on_skip: OnSkip) -> list[Declaration]:
    found: list[Declaration] = []
    for path in _requirement_files(root):
        found += _guarded(root, path, on_skip, functools.partial(_requirement_lines, root, path, set(), 0))
    return found


def _requirement_lines(root: str, path: str, seen: set[str], depth: int) -> list[tuple[str, str]]:
    """(requirement, file) for every requirement of a pip requirements file and the files it includes."""
    real = os.path.realpath(path)
    if real in seen or depth > _MAX_INCLUDE_DEPTH:
        return []
    seen.add(real)
    where = _relative(root, path)
    found: list[tuple[str, str]] = []
    for number, line in enumerate(_text(path).replace("\\\n", " ").splitlines(), 1):
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        include = _INCLUDE.match(line)
        if include:
            included = os.path.join(os.path.dirname(path), include.group(1))
            if not os.path.isfile(included):
                raise Skipped(f"line {number}: included file {include.group(1)} not found")
            found += _requirement_lines(root, included, seen, depth + 1)
            continue
        if not line or line.startswith("-") or _is_location(line):
            continue  # options (-e, --index-url, ...), paths and URLs: no version of a named distribution
        line = _OPTION.split(line, maxsplit=1)[0].strip()
        try:
            Requirement(line)
        except InvalidRequirement:
            raise Skipped(f"line {number}: not a requirement pip accepts: {line!r}") from None
        found.append((line, where))
    return found


def _is_location(line: str) -> bool:
    return line.startswith((".", "/", "~")) or ("://" in line and " @ " not in line and "@" not in line.split("://")[0])
