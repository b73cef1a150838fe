"""Run the real flake8 (with this plugin installed) in a subprocess, as users do."""

from __future__ import annotations

import os
import subprocess
import sys


def flake8(*args: str, cwd=None, stdin: str | None = None, pythonpath: str | None = None,
           timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m flake8 ARGS``; a timeout only guards against hangs. ``env`` is added to a copy of
    this environment without PYTHONPATH and the plugin's debug switch."""
    env = {**{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FLAKE8_KERAS_LAYERS_DEBUG")},
           **(env or {})}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=timeout,
    )


def codes(result: subprocess.CompletedProcess) -> list[str]:
    """``file:line:code`` of every result line."""
    out = []
    for line in result.stdout.splitlines():
        path, lineno, _col, rest = line.split(":", 3)
        out.append(f"{os.path.basename(path)}:{lineno}:{rest.split()[0]}")
    return out
