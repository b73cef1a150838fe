#!/usr/bin/env python3
"""Install real Keras 3 releases side by side and run code against one of them.

Stdlib only (usable from tests, tools and CI without extra packages).

Layout of the cache (root = ``$KL_KERAS_CACHE`` or ``~/.cache/flake8-keras-layers``)::

    ROOT/keras/3.6.0/          pip install --no-deps --target ... keras==3.6.0
    ROOT/deps/new-<hash>/      pip install --no-deps --target ... -r tools/keras-deps-new.txt
    ROOT/deps/old-<hash>/      pip install --no-deps --target ... -r tools/keras-deps-old.txt

Each ``tools/keras-deps-*.txt`` file is a fully pinned list of the runtime
dependencies (CPU jax backend included) plus a ``# keras-versions:`` header line
saying which Keras releases use it.  A Keras release runs with
``PYTHONPATH=ROOT/keras/VERSION:ROOT/deps/NAME-HASH``.

Public API (kept small and stable):
    ensure_keras(version) -> Path         the Keras install dir (installs deps too)
    ensure_deps(version) -> Path          the dependency dir used by that version
    run_keras(version, code, timeout=300, env=None) -> subprocess.CompletedProcess
    run_probe(version, module, call, timeout=900, env=None) -> dict
                                           a tools/ probe's measurement in that release, as JSON
    ensure_tensorflow() -> Path            TensorFlow + JAX + Keras 3 (tools/tensorflow-deps.txt)
    ensure_tf_keras() -> Path              tf_keras TF_KERAS, run beside ensure_tensorflow() (Keras 2)
    version_key(version) -> tuple          sort key of a release number
CLI:
    python tools/kerasenv.py 3.6.0 -c 'import keras; print(keras.__version__)'
    python tools/kerasenv.py 3.6.0 script.py [args...]
    python tools/kerasenv.py --install 3.6.0 3.10.0
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

TOOLS_DIR = pathlib.Path(__file__).resolve().parent
BACKEND = "jax"

__all__ = ["ensure_keras", "ensure_deps", "ensure_tensorflow", "ensure_tf_keras", "run_keras", "run_probe", "keras_env",
           "cache_root", "deps_file_for", "version_key"]
# The tf_keras release matching tools/tensorflow-deps.txt's tensorflow (Keras 2 witnesses).
TF_KERAS = "2.21.0"


def cache_root() -> pathlib.Path:
    root = os.environ.get("KL_KERAS_CACHE")
    if root:
        return pathlib.Path(root).expanduser()
    return pathlib.Path("~/.cache/flake8-keras-layers").expanduser()


def version_key(version: str) -> tuple:
    """Sort key of a release number ("3.10.0" after "3.9.2")."""
    parts = []
    for p in version.split("."):
        m = re.match(r"(\d+)", p)
        parts.append(int(m.group(1)) if m else 0)
    return tuple(parts)


def _spec_matches(version: str, spec: str) -> bool:
    """Tiny subset of PEP 440 specifiers: comma-separated >=, >, <=, <, ==."""
    v = version_key(version)
    for clause in spec.split(","):
        clause = clause.strip()
        if not clause:
            continue
        m = re.match(r"(>=|<=|==|>|<)\s*([\d.]+)$", clause)
        if not m:
            raise ValueError(f"bad keras-versions clause {clause!r}")
        op, other = m.group(1), version_key(m.group(2))
        n = max(len(v), len(other))
        a, b = v + (0,) * (n - len(v)), other + (0,) * (n - len(other))
        ok = {">=": a >= b, "<=": a <= b, "==": a == b, ">": a > b, "<": a < b}[op]
        if not ok:
            return False
    return True


def _deps_files() -> list[tuple[pathlib.Path, str]]:
    out = []
    for path in sorted(TOOLS_DIR.glob("keras-deps-*.txt")):
        for line in path.read_text().splitlines():
            m = re.match(r"#\s*keras-versions:\s*(.+)$", line.strip())
            if m:
                out.append((path, m.group(1).strip()))
                break
    return out


def deps_file_for(version: str) -> pathlib.Path:
    """The pinned dependency list (tools/keras-deps-*.txt) used for a Keras version."""
    matches = [p for p, spec in _deps_files() if _spec_matches(version, spec)]
    if len(matches) != 1:
        raise RuntimeError(f"keras {version}: expected exactly one tools/keras-deps-*.txt "
                           f"matching it, found {[str(m) for m in matches]}")
    return matches[0]


def _pip_target(target: pathlib.Path, args: list[str]) -> None:
    """pip install --target into a temp dir next to target, then rename (race safe)."""
    if target.is_dir():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--target", str(tmp)] + args
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"pip failed ({' '.join(cmd)}):\n{proc.stdout}")
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():  # lost a race only if the winner's dir is there
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def ensure_deps(version: str) -> pathlib.Path:
    """Install (once) and return the shared dependency dir used by Keras ``version``."""
    req = deps_file_for(version)
    pins = [ln.split("#")[0].strip() for ln in req.read_text().splitlines()]
    digest = hashlib.sha256("\n".join(p for p in pins if p).encode()).hexdigest()[:12]
    name = req.stem.replace("keras-deps-", "")
    target = cache_root() / "deps" / f"{name}-{digest}"
    _pip_target(target, ["-r", str(req)])
    return target


def ensure_tensorflow() -> pathlib.Path:
    """Install (once) and return a dir with TensorFlow, JAX and Keras 3 (tools/tensorflow-deps.txt).

    For witnesses that compare backends; run code with ``PYTHONPATH`` set to it.
    """
    req = TOOLS_DIR / "tensorflow-deps.txt"
    digest = hashlib.sha256(req.read_bytes()).hexdigest()[:12]
    target = cache_root() / "deps" / f"tensorflow-{digest}"
    _pip_target(target, ["-r", str(req)])
    return target


def ensure_tf_keras() -> pathlib.Path:
    """Install (once) and return a dir with tf_keras ``TF_KERAS`` (no deps: it runs on ``ensure_tensorflow()``'s
    TensorFlow); run Keras 2 code with ``PYTHONPATH`` set to both."""
    target = cache_root() / "tf_keras" / TF_KERAS
    _pip_target(target, [f"tf_keras=={TF_KERAS}"])
    return target


def ensure_keras(version: str) -> pathlib.Path:
    """Install keras==version (no deps) into the cache, idempotently; return its dir.

    Also makes sure the dependency dir for that version is installed.
    """
    if not re.fullmatch(r"3\.\d+\.\d+", version):
        raise ValueError(f"not a Keras 3 final release: {version!r}")
    target = cache_root() / "keras" / version
    _pip_target(target, [f"keras=={version}"])
    ensure_deps(version)
    return target


def keras_env(version: str) -> dict:
    """Environment for running code against Keras ``version`` (installs it if needed)."""
    kdir = ensure_keras(version)
    ddir = ensure_deps(version)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "KERAS_", "JAX_", "XLA_", "TF_"))}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(kdir), str(ddir)]),
        "PYTHONNOUSERSITE": "1",
        "PYTHONHASHSEED": "0",
        "KERAS_BACKEND": os.environ.get("KL_KERAS_BACKEND") or BACKEND,
        "JAX_PLATFORMS": "cpu",
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "ABSL_MIN_LOG_LEVEL": "3",
        "JAX_LOG_COMPILES": "0",
        "PYTHONWARNINGS": "ignore",
        "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "1"),
    })
    return env


def run_keras(version: str, code: str, timeout: float = 300,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``code`` (python source) with Keras ``version`` in a fresh subprocess.

    CPU jax backend (``$KL_KERAS_BACKEND`` overrides it), quiet logs, a temporary
    cwd and KERAS_HOME; stdout/stderr captured as text.  ``env``: extra
    environment variables (e.g. ``{"KERAS_BACKEND": "numpy"}``).  Raises
    subprocess.TimeoutExpired on timeout.
    """
    extra = env
    env = keras_env(version)
    env.update(extra or {})
    with tempfile.TemporaryDirectory(prefix="kl-keras-") as cwd:
        env["KERAS_HOME"] = os.path.join(cwd, ".keras")
        return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout)


def run_probe(version: str, module: str, call: str, timeout: float = 900, env: dict | None = None) -> dict:
    """Run ``module.call`` of tools/ under Keras ``version`` and return the JSON document it writes.

    ``call`` is the call's source with ``{out}`` where the output path goes
    (``"_inner_main({out})"``); the document must say which ``keras_version`` it measured.
    """
    ensure_keras(version)
    with tempfile.TemporaryDirectory(prefix=f"kl-{module}-") as tmp:
        out = os.path.join(tmp, "raw.json")
        code = (f"import sys; sys.path.insert(0, {str(TOOLS_DIR)!r}); "
                f"import {module}; {module}.{call.format(out=repr(out))}")
        proc = run_keras(version, code, timeout=timeout, env=env)
        if proc.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"{module} in keras {version} failed (rc={proc.returncode}):\n{proc.stderr[-4000:]}")
        with open(out, encoding="utf-8") as handle:
            data = json.load(handle)
    if data.get("keras_version") != version:
        raise RuntimeError(f"asked for keras {version}, {module} measured {data.get('keras_version')}")
    return data


def _main(argv: list[str]) -> int:
    usage = ("usage: kerasenv.py VERSION [-c CODE | SCRIPT [ARGS...]]\n"
             "       kerasenv.py --install VERSION [VERSION...]")
    if not argv or argv[0] in ("-h", "--help"):
        print(usage + "\n\n" + (__doc__ or ""))
        return 0 if argv else 2
    if argv[0] == "--install":
        for v in argv[1:]:
            print(v, ensure_keras(v), ensure_deps(v))
        return 0
    version, rest = argv[0], argv[1:]
    if rest[:1] == ["-c"] and len(rest) >= 2:
        code = rest[1]
    elif rest:
        path = pathlib.Path(rest[0]).resolve()
        code = (f"import sys, runpy; sys.argv = {[str(path)] + rest[1:]!r}; "
                f"runpy.run_path({str(path)!r}, run_name='__main__')")
    else:
        code = "import keras; print(keras.__version__)"
    proc = run_keras(version, code, timeout=3600)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
