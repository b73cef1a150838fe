"""Run the real flake8 (with this plugin installed) in a subprocess, as users do."""

from __future__ import annotations

import os
import subprocess
import sys


def flake8(*args: str, cwd=None, stdin: str | None = None, pythonpath: str | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m flake8 ARGS``; a timeout only guards against hangs."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
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
