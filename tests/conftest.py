import sys
from importlib import metadata

import astroid
import pytest

from flake8_keras_layers.engine import caches


def pytest_report_header(config):
    # tox -e installed-keras runs the suite with keras installed: its metadata is the plugin's default target.
    try:
        return f"keras {metadata.version('keras')} installed (tests pin the target they depend on)"
    except metadata.PackageNotFoundError:
        return "keras not installed"


@pytest.fixture(autouse=True)
def fresh_project(monkeypatch):
    """Each test sees only its own project: tests reuse module names like ``pkg``.

    Modules astroid cached from earlier tests' projects are dropped (a full
    ``clear_cache`` costs 0.3 s a test) and the search path is restored.
    """
    cache = astroid.MANAGER.astroid_cache
    before = set(cache)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield
    for name in set(cache) - before:
        module = cache[name]
        if getattr(module, "file", None) and not module.file.startswith(sys.prefix):
            del cache[name]
    caches.forget_lookups(astroid.MANAGER)  # the same module names now live elsewhere


def pytest_configure(config):
    # The flake8 runs of the suite keep their result cache (engine/cache.py) out of the user's cache directory.
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    os.environ.setdefault("FLAKE8_KERAS_LAYERS_CACHE_DIR", tempfile.mkdtemp(prefix="flake8-keras-layers-cache-"))
